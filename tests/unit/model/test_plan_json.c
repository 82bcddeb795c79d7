/*
 * Unit tests of model/plan_json.c: a plan holding every op, with every
 * field of an action set (and left unset), written with
 * model_plan_to_json() and read back with model_plan_from_json() is the
 * same plan; the reader refuses everything that is not exactly that form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/err.h"
#include "harness/h_json.h"
#include "model/plan.h"
#include "model/plan_json.h"

static struct model_action *add(struct model_plan *p, enum model_op op,
                                enum model_change c, const char *type,
                                const char *name)
{
    struct model_action *a = model_plan_add(p, op, c, type, name, "why");

    assert_non_null(a);
    return a;
}

/* The helpers of harness/h_json.h under short names. */
#define dup(s) h_fmt("%s", (s))
#define js(text) h_json_parse(text)

static void depend(struct model_plan *p, size_t idx, size_t dep)
{
    assert_int_equal(model_action_depend(p, idx, dep), 0);
}

/*
 * One action per op (both account ops, both secret ops, both key
 * sources), every optional member both set and unset somewhere.
 */
static void build(struct model_plan *p)
{
    struct model_action *a;

    memset(p, 0, sizeof(*p));
    p->service = dup("prod/elastic");
    /* 0: a new key pair, made and stored by the secret, handed to 2 */
    a = add(p, MODEL_OP_SECRET_CREATE, MODEL_CHANGE_CREATE, "dcos_secret",
            "elastic/secret");
    a->key_source = MODEL_KEY_NEW;
    a->output = MODEL_OUTPUT_KEY_PAIR;
    a->params.secret.path = dup("elastic/secret");
    a->params.secret.uid = dup("elastic");
    a->params.secret.scheme = dup("RS256");
    a->params.secret.login_endpoint =
        dup("https://leader.mesos/acs/api/v1/auth/login");
    a->params.secret.restart_marker = dup("etls/prod__elastic/restart");
    a->before = json_null();
    a->after = js("{\"path\":\"elastic/secret\",\"value\":\"(sensitive)\"}");
    a->after_sensitive = js("{\"value\":true}");
    a->before_sensitive = json_false();
    /* 1: the key of the secret, disruptive */
    a = add(p, MODEL_OP_ACCOUNT_REPLACE, MODEL_CHANGE_REPLACE,
            "dcos_service_account", "other");
    a->key_source = MODEL_KEY_FROM_SECRET;
    a->params.account.uid = dup("other");
    a->params.account.description = dup("d");
    a->params.account.public_key =
        dup("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n");
    a->disruptive = true;
    a->disruption = dup("the scheduler restarts");
    /* 2: takes 0's public key */
    a = add(p, MODEL_OP_ACCOUNT_CREATE, MODEL_CHANGE_CREATE,
            "dcos_service_account", "elastic");
    a->key_source = MODEL_KEY_NEW;
    a->params.account.uid = dup("elastic");
    a->params.account.description = dup("Service account for elastic");
    a->params.account.key_from = 0;
    a->after = js("{\"public_key\":\"(known after apply)\"}");
    depend(p, 2, 0);
    /* 3: the key already in the secret */
    a = add(p, MODEL_OP_SECRET_UPDATE, MODEL_CHANGE_UPDATE, "dcos_secret",
            "other/secret");
    a->key_source = MODEL_KEY_FROM_SECRET;
    a->params.secret.path = dup("other/secret");
    a->params.secret.uid = dup("other");
    a->params.secret.scheme = dup("RS256");
    a->params.secret.login_endpoint = dup("https://x/login");
    a->params.secret.source_path = dup("other/old-secret");
    depend(p, 3, 1);
    a = add(p, MODEL_OP_GROUP_ADD, MODEL_CHANGE_CREATE,
            "dcos_group_membership", "superusers/elastic");
    a->params.member.gid = dup("superusers");
    a->params.member.uid = dup("elastic");
    depend(p, 4, 0);
    a = add(p, MODEL_OP_PERMISSION_GRANT, MODEL_CHANGE_CREATE,
            "dcos_permission", "elastic/dcos:adminrouter:ops:ca:rw/full");
    a->params.grant.rid = dup("dcos:adminrouter:ops:ca:rw");
    a->params.grant.action = dup("full");
    a->params.grant.uid = dup("elastic");
    depend(p, 5, 0);
    /* 6: unpinned */
    a = add(p, MODEL_OP_PACKAGE_INSTALL, MODEL_CHANGE_CREATE, "dcos_package",
            "elastic");
    a->params.install.package = dup("beta-elastic");
    a->params.install.options =
        js("{\"service\":{\"name\":\"elastic\"},\"elasticsearch\":"
           "{\"health_user_password\":\"s3cret\"}}");
    depend(p, 6, 2);
    depend(p, 6, 4);
    depend(p, 6, 5);
    /* 7: pinned, every flag */
    a = add(p, MODEL_OP_PACKAGE_INSTALL, MODEL_CHANGE_CREATE, "dcos_package",
            "pinned");
    a->params.install.package = dup("beta-elastic");
    a->params.install.version = dup("2.1.2-5.6.5-beta");
    a->params.install.options = js("{}");
    a = add(p, MODEL_OP_PACKAGE_UPDATE, MODEL_CHANGE_UPDATE, "dcos_package",
            "upd");
    a->params.update.app_id = dup("/upd");
    a->params.update.options = js("{\"service\":{\"update_strategy\":"
                                  "\"parallel\"}}");
    a->params.update.version = dup("2.1.2-5.6.5-beta");
    a->params.update.toggle_tls = true;
    a->params.update.full_restart = true;
    a->params.update.stuck_toggle = true;
    a->disruptive = true;
    a->disruption = dup("full-cluster restart");
    /* 9: no version, no flag */
    a = add(p, MODEL_OP_PACKAGE_UPDATE, MODEL_CHANGE_UPDATE, "dcos_package",
            "upd2");
    a->params.update.app_id = dup("/upd2");
    a->params.update.options = js("{\"a\":[1,2.5,null,true]}");
    a = add(p, MODEL_OP_SCHEDULER_RESTART, MODEL_CHANGE_UPDATE,
            "dcos_package", "restart");
    a->params.restart.app_id = dup("/restart");
    a->params.restart.marker = dup("etls/restart/restart-pending");
    a = add(p, MODEL_OP_ROLLOUT_WAIT, MODEL_CHANGE_READ, "dcos_rollout",
            "elastic");
    a->params.app.app_id = dup("/prod/elastic");
    depend(p, 11, 6);
    a = add(p, MODEL_OP_STRATEGY_RESTORE, MODEL_CHANGE_UPDATE,
            "dcos_update_strategy", "elastic");
    a->params.restore.app_id = dup("/prod/elastic");
    a->params.restore.update_strategy = dup("serial");
    depend(p, 12, 11);
    /* 13: every password source, user set and not */
    a = add(p, MODEL_OP_HTTPS_VERIFY, MODEL_CHANGE_READ, "dcos_https_check",
            "elastic");
    a->params.verify.endpoint = dup("coordinator-http");
    a->params.verify.tls = true;
    a->params.verify.health = dup("green");
    a->params.verify.password_source = MODEL_PW_HEALTH_OPTIONS;
    a = add(p, MODEL_OP_HTTPS_VERIFY, MODEL_CHANGE_READ, "dcos_https_check",
            "env");
    a->params.verify.endpoint = dup("e");
    a->params.verify.user = dup("elastic");
    a->params.verify.health = dup("yellow");
    a->params.verify.password_source = MODEL_PW_ENV;
    a->params.verify.password_ref = dup("ELASTIC_PASSWORD");
    a = add(p, MODEL_OP_HTTPS_VERIFY, MODEL_CHANGE_READ, "dcos_https_check",
            "file");
    a->params.verify.endpoint = dup("e");
    a->params.verify.health = dup("red");
    a->params.verify.password_source = MODEL_PW_FILE;
    a->params.verify.password_ref = dup("/run/pw");
    a = add(p, MODEL_OP_HTTPS_VERIFY, MODEL_CHANGE_READ, "dcos_https_check",
            "secret");
    a->params.verify.endpoint = dup("e");
    a->params.verify.health = dup("green");
    a->params.verify.password_source = MODEL_PW_SECRET;
    a->params.verify.password_ref = dup("elastic/pw");
    a = add(p, MODEL_OP_FAIL, MODEL_CHANGE_NOOP, "dcos_secret", "lost");
    a = add(p, MODEL_OP_ACCOUNT_CREATE, MODEL_CHANGE_DELETE,
            "dcos_service_account", "gone");
    a->params.account.uid = dup("gone");
    a->params.account.description = dup("d");
}

/* Every field of @a equals that of @b. */
static void assert_action_equal(const struct model_plan *pa,
                                const struct model_action *a,
                                const struct model_plan *pb,
                                const struct model_action *b)
{
    json_t *ja = model_action_params_json(pa, a);
    json_t *jb = model_action_params_json(pb, b);
    size_t k;

    assert_int_equal(a->op, b->op);
    assert_int_equal(a->change, b->change);
    assert_string_equal(a->address, b->address);
    assert_string_equal(a->type, b->type);
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->reason, b->reason);
    assert_int_equal(a->disruptive, b->disruptive);
    if (a->disruption)
        assert_string_equal(a->disruption, b->disruption);
    else
        assert_null(b->disruption);
    assert_int_equal(a->key_source, b->key_source);
    assert_int_equal(a->output, b->output);
    assert_int_equal(a->n_deps, b->n_deps);
    for (k = 0; k < a->n_deps; k++)
        assert_int_equal(a->deps[k], b->deps[k]);
    if (a->op == MODEL_OP_ACCOUNT_CREATE || a->op == MODEL_OP_ACCOUNT_REPLACE)
        assert_int_equal(a->params.account.key_from,
                         b->params.account.key_from);
#define SAME_JSON(f)                                                          \
    do {                                                                      \
        if (a->f)                                                             \
            assert_true(b->f && json_equal(a->f, b->f));                      \
        else                                                                  \
            assert_null(b->f);                                                \
    } while (0)
    SAME_JSON(before);
    SAME_JSON(after);
    SAME_JSON(before_sensitive);
    SAME_JSON(after_sensitive);
#undef SAME_JSON
    if (a->op == MODEL_OP_FAIL) {
        assert_null(ja);
        assert_null(jb);
    } else {
        assert_non_null(ja);
        assert_true(jb && json_equal(ja, jb));
    }
    json_decref(ja);
    json_decref(jb);
}

static void test_round_trip_every_op(void **state)
{
    struct model_plan p, q;
    struct err_info e = {0};
    json_t *j, *j2;
    char *text;
    bool seen[MODEL_OP_FAIL + 1] = {false};
    size_t i;
    int op;

    (void)state;
    build(&p);
    for (i = 0; i < p.n_actions; i++)
        seen[p.actions[i].op] = true;
    for (op = MODEL_OP_ACCOUNT_CREATE; op <= MODEL_OP_FAIL; op++)
        if (!seen[op])
            fail_msg("the test plan lacks op %s",
                     model_op_name((enum model_op)op));

    j = model_plan_to_json(&p);
    assert_non_null(j);
    /* Through text, as in a file. */
    text = json_dumps(j, JSON_SORT_KEYS);
    assert_non_null(text);
    json_decref(j);
    j = js(text);
    free(text);

    memset(&q, 0, sizeof(q));
    if (model_plan_from_json(&q, j, &e) != 0)
        fail_msg("from_json: %s", e.text);
    assert_string_equal(q.service, p.service);
    assert_int_equal(q.n_actions, p.n_actions);
    for (i = 0; i < p.n_actions; i++)
        assert_action_equal(&p, &p.actions[i], &q, &q.actions[i]);
    assert_int_equal(q.actions[2].params.account.key_from, 0);
    assert_int_equal(q.actions[1].params.account.key_from, MODEL_NO_ACTION);
    assert_string_equal(q.actions[3].params.secret.source_path,
                        "other/old-secret");
    assert_string_equal(q.actions[0].params.secret.restart_marker,
                        "etls/prod__elastic/restart");
    assert_null(q.actions[6].params.install.version);
    assert_null(q.actions[13].params.verify.user);
    assert_null(q.actions[13].params.verify.password_ref);
    assert_int_equal(q.actions[15].params.verify.password_source,
                     MODEL_PW_FILE);
    /* JSON null and "no value" stay apart. */
    assert_true(json_is_null(q.actions[0].before));
    assert_null(q.actions[1].before);

    j2 = model_plan_to_json(&q);
    assert_true(j2 && json_equal(j, j2));
    json_decref(j);
    json_decref(j2);
    model_plan_clear(&p);
    model_plan_clear(&q);
}

static void test_empty_plan(void **state)
{
    struct model_plan p, q;
    json_t *j;

    (void)state;
    memset(&p, 0, sizeof(p));
    memset(&q, 0, sizeof(q));
    p.service = dup("elastic");
    j = model_plan_to_json(&p);
    assert_non_null(j);
    assert_int_equal(model_plan_from_json(&q, j, NULL), 0);
    assert_string_equal(q.service, "elastic");
    assert_int_equal(q.n_actions, 0);
    json_decref(j);
    model_plan_clear(&p);
    model_plan_clear(&q);
}

static void test_op_names(void **state)
{
    int op;

    (void)state;
    for (op = MODEL_OP_ACCOUNT_CREATE; op <= MODEL_OP_FAIL; op++)
        assert_int_equal(model_op_parse(model_op_name((enum model_op)op)),
                         op);
    assert_int_equal(model_op_parse("unknown"), 0);
    assert_int_equal(model_op_parse(""), 0);
}

/*
 * The JSON of the test plan with @edit applied to it: a JSON object of
 * {"<action index>/<member>[/<member>]": new value or null = delete}.
 * Returns from_json's result, the message in @e.
 */
static int read_edited(const char *edit, struct err_info *e)
{
    struct model_plan p, q;
    json_t *j, *ed, *v;
    const char *key;
    int r;

    build(&p);
    j = model_plan_to_json(&p);
    model_plan_clear(&p);
    ed = js(edit);
    json_object_foreach(ed, key, v) {
        char path[128], *m1, *m2;
        json_t *o;
        long idx;

        snprintf(path, sizeof(path), "%s", key);
        m1 = strchr(path, '/');
        assert_non_null(m1);
        *m1++ = '\0';
        m2 = strchr(m1, '/');
        if (m2)
            *m2++ = '\0';
        idx = strtol(path, NULL, 10);
        o = idx < 0 ? j : json_array_get(json_object_get(j, "actions"),
                                         (size_t)idx);
        if (m2)
            o = json_object_get(o, m1);
        assert_non_null(o);
        if (json_is_null(v))
            json_object_del(o, m2 ? m2 : m1);
        else
            json_object_set(o, m2 ? m2 : m1, v);
    }
    json_decref(ed);
    memset(&q, 0, sizeof(q));
    memset(e, 0, sizeof(*e));
    r = model_plan_from_json(&q, j, e);
    if (r == 0)
        model_plan_clear(&q);
    else
        assert_int_equal(q.n_actions, 0);
    json_decref(j);
    return r;
}

static void expect_bad(const char *edit, const char *msg)
{
    struct err_info e;

    if (read_edited(edit, &e) != ERR_INVALID)
        fail_msg("accepted: %s", edit);
    if (!strstr(e.text, msg))
        fail_msg("%s: message \"%s\" lacks \"%s\"", edit, e.text, msg);
}

static void test_refuses(void **state)
{
    struct err_info e;

    (void)state;
    /* The edit helper itself: no edit, no error. */
    assert_int_equal(read_edited("{\"0/reason\":\"why\"}", &e), 0);

    expect_bad("{\"-1/extra\":1}", "plan: unknown member \"extra\"");
    expect_bad("{\"-1/service\":null}", "plan.service: missing");
    expect_bad("{\"-1/actions\":{}}", "plan.actions: expected an array");
    expect_bad("{\"0/op\":\"account_delete\"}",
               "actions[0].op: unknown operation");
    expect_bad("{\"0/op\":null}", "actions[0].op: missing");
    expect_bad("{\"0/change\":\"destroy\"}", "actions[0].change: unknown");
    expect_bad("{\"0/key_source\":\"old\"}",
               "actions[0].key_source: unknown");
    expect_bad("{\"0/output\":1}", "actions[0].output: unknown");
    expect_bad("{\"0/type\":7}", "actions[0].type: expected a string");
    expect_bad("{\"0/address\":\"dcos_secret.elastic\"}",
               "actions[0].address: is not <type>.<name>");
    expect_bad("{\"1/name\":\"elastic\",\"1/address\":null}",
               "actions[2].address: used by an earlier action");
    expect_bad("{\"0/disruptive\":\"no\"}",
               "actions[0].disruptive: expected true or false");
    expect_bad("{\"0/surprise\":true}",
               "actions[0]: unknown member \"surprise\"");
    expect_bad("{\"2/deps\":[2]}", "actions[2].deps[0]: expected the index");
    expect_bad("{\"2/deps\":[-1]}", "actions[2].deps[0]");
    expect_bad("{\"2/deps\":[\"0\"]}", "actions[2].deps[0]");
    expect_bad("{\"2/deps\":0}", "actions[2].deps: expected an array");
    expect_bad("{\"2/params/key_from\":\"dcos_package.elastic\"}",
               "actions[2].params.key_from: names no earlier action");
    expect_bad("{\"0/params\":null}", "actions[0].params: missing");
    expect_bad("{\"17/params\":{}}", "actions[17].params: a fail action");
    expect_bad("{\"0/params/uid\":null}", "actions[0].params.uid: missing");
    expect_bad("{\"0/params/admin\":true}",
               "actions[0].params: unknown member \"admin\"");
    expect_bad("{\"6/params/options\":[]}",
               "actions[6].params.options: expected an object");
    expect_bad("{\"6/params/version\":3}",
               "actions[6].params.version: expected a string or null");
    expect_bad("{\"8/params/options\":\"x\"}",
               "actions[8].params.options: expected an object");
    expect_bad("{\"8/params/toggle_tls\":1}",
               "actions[8].params.toggle_tls: expected true or false");
    expect_bad("{\"8/params/replace\":null}",
               "actions[8].params.replace: missing");
    expect_bad("{\"13/params/password\":\"hunter2\"}",
               "actions[13].params.password: expected an object");
    expect_bad("{\"13/params/tls\":null}", "actions[13].params.tls: missing");
}

/* The nested password object of the HTTPS check is read strictly too. */
static void test_refuses_password(void **state)
{
    struct model_plan p, q;
    struct err_info e = {0};
    json_t *j, *pw;

    (void)state;
    build(&p);
    j = model_plan_to_json(&p);
    model_plan_clear(&p);
    pw = json_object_get(json_object_get(
                             json_array_get(json_object_get(j, "actions"),
                                            14),
                             "params"),
                         "password");
    assert_non_null(pw);
    json_object_set_new(pw, "source", json_string("inline"));
    memset(&q, 0, sizeof(q));
    assert_int_equal(model_plan_from_json(&q, j, &e), ERR_INVALID);
    assert_non_null(strstr(e.text, "actions[14].params.password.source: "
                                   "unknown value"));
    json_object_set_new(pw, "source", json_string("env"));
    json_object_set_new(pw, "value", json_string("hunter2"));
    assert_int_equal(model_plan_from_json(&q, j, &e), ERR_INVALID);
    assert_non_null(strstr(e.text, "actions[14].params.password: unknown "
                                   "member \"value\""));
    assert_null(strstr(e.text, "hunter2"));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_every_op),
        cmocka_unit_test(test_empty_plan),
        cmocka_unit_test(test_op_names),
        cmocka_unit_test(test_refuses),
        cmocka_unit_test(test_refuses_password),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
