/* Unit tests of model/plan.c: symbols, action JSON, add, deps, counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/plan.h"

static void test_symbols(void **state)
{
    (void)state;
    assert_string_equal(model_change_symbol(MODEL_CHANGE_CREATE), "+");
    assert_string_equal(model_change_symbol(MODEL_CHANGE_UPDATE), "~");
    assert_string_equal(model_change_symbol(MODEL_CHANGE_REPLACE), "-/+");
    assert_string_equal(model_change_symbol(MODEL_CHANGE_DELETE), "-");
    assert_string_equal(model_change_symbol(MODEL_CHANGE_READ), "<=");
    assert_string_equal(model_change_symbol(MODEL_CHANGE_NOOP), "");
}

static void check_actions(enum model_change c, const char *want)
{
    json_t *j = model_change_actions_json(c);
    char *s;

    assert_non_null(j);
    s = json_dumps(j, JSON_COMPACT);
    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
    json_decref(j);
}

static void test_actions_json(void **state)
{
    (void)state;
    check_actions(MODEL_CHANGE_CREATE, "[\"create\"]");
    check_actions(MODEL_CHANGE_UPDATE, "[\"update\"]");
    check_actions(MODEL_CHANGE_REPLACE, "[\"delete\",\"create\"]");
    check_actions(MODEL_CHANGE_DELETE, "[\"delete\"]");
    check_actions(MODEL_CHANGE_READ, "[\"read\"]");
    check_actions(MODEL_CHANGE_NOOP, "[\"no-op\"]");
}

static void test_op_names(void **state)
{
    static const struct {
        enum model_op op;
        const char *name;
    } t[] = {
        { MODEL_OP_ACCOUNT_CREATE, "account_create" },
        { MODEL_OP_ACCOUNT_REPLACE, "account_replace" },
        { MODEL_OP_SECRET_CREATE, "secret_create" },
        { MODEL_OP_SECRET_UPDATE, "secret_update" },
        { MODEL_OP_GROUP_ADD, "group_add" },
        { MODEL_OP_PERMISSION_GRANT, "permission_grant" },
        { MODEL_OP_PACKAGE_INSTALL, "package_install" },
        { MODEL_OP_PACKAGE_UPDATE, "package_update" },
        { MODEL_OP_SCHEDULER_RESTART, "scheduler_restart" },
        { MODEL_OP_ROLLOUT_WAIT, "rollout_wait" },
        { MODEL_OP_STRATEGY_RESTORE, "strategy_restore" },
        { MODEL_OP_HTTPS_VERIFY, "https_verify" },
        { MODEL_OP_FAIL, "fail" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        assert_string_equal(model_op_name(t[i].op), t[i].name);
    assert_string_equal(model_op_name((enum model_op)999), "unknown");
}

static void test_add_address_and_fields(void **state)
{
    struct model_plan p;
    struct model_action *a;

    (void)state;
    memset(&p, 0, sizeof(p));
    a = model_plan_add(&p, MODEL_OP_GROUP_ADD, MODEL_CHANGE_CREATE,
                       "dcos_group_membership", "superusers/elastic",
                       "not a member");
    assert_non_null(a);
    assert_int_equal(p.n_actions, 1);
    assert_string_equal(a->address,
                        "dcos_group_membership.superusers/elastic");
    assert_string_equal(a->type, "dcos_group_membership");
    assert_string_equal(a->name, "superusers/elastic");
    assert_string_equal(a->reason, "not a member");
    assert_int_equal(a->op, MODEL_OP_GROUP_ADD);
    assert_int_equal(a->change, MODEL_CHANGE_CREATE);
    assert_false(a->disruptive);
    assert_null(a->params.member.gid);
    assert_null(a->params.member.uid);
    assert_int_equal(a->n_deps, 0);
    assert_int_equal(a->key_source, MODEL_KEY_NONE);

    /* The plan owns what the caller puts into an action. */
    a->params.member.gid = strdup("superusers");
    a->disruption = strdup("x");

    /* A NULL reason is allowed; names with dots keep the first '.'. */
    a = model_plan_add(&p, MODEL_OP_FAIL, MODEL_CHANGE_NOOP, "dcos_secret",
                       "a.b/c", NULL);
    assert_non_null(a);
    assert_null(a->reason);
    assert_string_equal(a->address, "dcos_secret.a.b/c");

    assert_null(model_plan_add(&p, MODEL_OP_FAIL, MODEL_CHANGE_NOOP, NULL,
                               "x", NULL));
    assert_null(model_plan_add(NULL, MODEL_OP_FAIL, MODEL_CHANGE_NOOP, "t",
                               "x", NULL));
    assert_int_equal(p.n_actions, 2);
    model_plan_clear(&p);
    assert_int_equal(p.n_actions, 0);
    assert_null(p.actions);
    model_plan_clear(&p);
    model_plan_clear(NULL);
}

static void test_depend(void **state)
{
    struct model_plan p;

    (void)state;
    memset(&p, 0, sizeof(p));
    assert_non_null(model_plan_add(&p, MODEL_OP_ACCOUNT_CREATE,
                                   MODEL_CHANGE_CREATE,
                                   "dcos_service_account", "elastic", "r"));
    assert_non_null(model_plan_add(&p, MODEL_OP_SECRET_CREATE,
                                   MODEL_CHANGE_CREATE, "dcos_secret",
                                   "elastic/secret", "r"));
    assert_non_null(model_plan_add(&p, MODEL_OP_PACKAGE_INSTALL,
                                   MODEL_CHANGE_CREATE, "dcos_package",
                                   "elastic", "r"));
    assert_int_equal(model_action_depend(&p, 2, 0), 0);
    assert_int_equal(model_action_depend(&p, 2, 1), 0);
    assert_int_equal(model_action_depend(&p, 2, 1), 0); /* duplicate */
    assert_int_equal(p.actions[2].n_deps, 2);
    assert_int_equal(p.actions[2].deps[0], 0);
    assert_int_equal(p.actions[2].deps[1], 1);
    /* Forward, self and out-of-range dependencies are refused. */
    assert_int_equal(model_action_depend(&p, 0, 1), -3);
    assert_int_equal(model_action_depend(&p, 1, 1), -3);
    assert_int_equal(model_action_depend(&p, 7, 0), -3);
    assert_int_equal(p.actions[0].n_deps, 0);
    model_plan_clear(&p);
}

static void add(struct model_plan *p, enum model_op op, enum model_change c,
                const char *name)
{
    assert_non_null(model_plan_add(p, op, c, "t", name, "r"));
}

static void test_counts_and_changes(void **state)
{
    struct model_plan p;
    size_t a, c, d;

    (void)state;
    memset(&p, 0, sizeof(p));
    model_plan_counts(&p, &a, &c, &d);
    assert_int_equal(a + c + d, 0);
    assert_false(model_plan_has_changes(&p));
    assert_false(model_plan_has_changes(NULL));

    /* READ-only plans are "No changes." */
    add(&p, MODEL_OP_ROLLOUT_WAIT, MODEL_CHANGE_READ, "1");
    add(&p, MODEL_OP_HTTPS_VERIFY, MODEL_CHANGE_READ, "2");
    assert_false(model_plan_has_changes(&p));
    model_plan_counts(&p, &a, &c, &d);
    assert_int_equal(a + c + d, 0);

    /* Terraform: a replacement is one add and one destroy. */
    add(&p, MODEL_OP_ACCOUNT_REPLACE, MODEL_CHANGE_REPLACE, "3");
    add(&p, MODEL_OP_SECRET_CREATE, MODEL_CHANGE_CREATE, "4");
    add(&p, MODEL_OP_GROUP_ADD, MODEL_CHANGE_CREATE, "5");
    add(&p, MODEL_OP_PACKAGE_UPDATE, MODEL_CHANGE_UPDATE, "6");
    add(&p, MODEL_OP_STRATEGY_RESTORE, MODEL_CHANGE_UPDATE, "7");
    add(&p, MODEL_OP_FAIL, MODEL_CHANGE_DELETE, "8");
    model_plan_counts(&p, &a, &c, &d);
    assert_int_equal(a, 3);
    assert_int_equal(c, 2);
    assert_int_equal(d, 2);
    model_plan_counts(&p, NULL, NULL, NULL);
    assert_true(model_plan_has_changes(&p));
    model_plan_clear(&p);

    /* A FAIL action alone is a change: the plan cannot be applied. */
    add(&p, MODEL_OP_FAIL, MODEL_CHANGE_NOOP, "x");
    assert_true(model_plan_has_changes(&p));
    model_plan_counts(&p, &a, &c, &d);
    assert_int_equal(a + c + d, 0);
    model_plan_clear(&p);

    add(&p, MODEL_OP_SECRET_UPDATE, MODEL_CHANGE_UPDATE, "x");
    assert_true(model_plan_has_changes(&p));
    model_plan_clear(&p);
}

/* The JSON form of @a's parameters, compact with sorted keys. */
static void check_params(const struct model_plan *p, size_t idx,
                         const char *want)
{
    json_t *j = model_action_params_json(p, &p->actions[idx]);
    char *s;

    assert_non_null(j);
    s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
    json_decref(j);
}

static struct model_action *add_op(struct model_plan *p, enum model_op op)
{
    struct model_action *a =
        model_plan_add(p, op, MODEL_CHANGE_CREATE, "t", "n", "r");

    assert_non_null(a);
    return a;
}

/*
 * Typed parameters: the plan owns them (freed by model_plan_clear, with
 * no leak under ASan), an account action starts with no key producer, and
 * model_action_params_json gives the documented JSON form, naming the key
 * pair's producer by its address.
 */
static void test_params_json(void **state)
{
    struct model_plan p;
    struct model_action *a;

    (void)state;
    memset(&p, 0, sizeof(p));
    a = add_op(&p, MODEL_OP_SECRET_CREATE);
    a->key_source = MODEL_KEY_NEW;
    a->output = MODEL_OUTPUT_KEY_PAIR;
    a->params.secret.path = strdup("elastic/secret");
    a->params.secret.uid = strdup("elastic");
    a->params.secret.scheme = strdup("RS256");
    a->params.secret.login_endpoint = strdup("https://e/login");
    check_params(&p, 0, "{\"login_endpoint\":\"https://e/login\","
                        "\"path\":\"elastic/secret\",\"scheme\":\"RS256\","
                        "\"uid\":\"elastic\"}");
    p.actions[0].params.secret.restart_marker = strdup("etls/x/m");
    check_params(&p, 0, "{\"login_endpoint\":\"https://e/login\","
                        "\"path\":\"elastic/secret\",\"restart_marker\":"
                        "\"etls/x/m\",\"scheme\":\"RS256\",\"uid\":"
                        "\"elastic\"}");

    a = add_op(&p, MODEL_OP_ACCOUNT_CREATE);
    assert_int_equal(a->params.account.key_from, MODEL_NO_ACTION);
    a->key_source = MODEL_KEY_NEW;
    a->params.account.uid = strdup("elastic");
    a->params.account.description = strdup("Service account for elastic");
    check_params(&p, 1, "{\"description\":\"Service account for elastic\","
                        "\"uid\":\"elastic\"}");
    p.actions[1].params.account.key_from = 0;
    check_params(&p, 1, "{\"description\":\"Service account for elastic\","
                        "\"key_from\":\"t.n\",\"uid\":\"elastic\"}");

    a = add_op(&p, MODEL_OP_PACKAGE_UPDATE);
    a->params.update.app_id = strdup("/elastic");
    a->params.update.options = json_pack("{s:{s:s}}", "service",
                                         "update_strategy", "parallel");
    a->params.update.toggle_tls = true;
    a->params.update.full_restart = true;
    check_params(&p, 2, "{\"app_id\":\"/elastic\",\"full_restart\":true,"
                        "\"options\":{\"service\":{\"update_strategy\":"
                        "\"parallel\"}},\"replace\":false,"
                        "\"toggle_tls\":true}");

    a = add_op(&p, MODEL_OP_HTTPS_VERIFY);
    a->params.verify.endpoint = strdup("coordinator-http");
    a->params.verify.tls = true;
    a->params.verify.health = strdup("green");
    a->params.verify.password_source = MODEL_PW_ENV;
    a->params.verify.password_ref = strdup("PW");
    check_params(&p, 3, "{\"endpoint\":\"coordinator-http\",\"health\":"
                        "\"green\",\"password\":{\"ref\":\"PW\","
                        "\"source\":\"env\"},\"tls\":true,\"user\":null}");

    a = model_plan_add(&p, MODEL_OP_FAIL, MODEL_CHANGE_NOOP, "t", "f", "r");
    assert_non_null(a);
    assert_null(model_action_params_json(&p, a));
    model_plan_clear(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_symbols),
        cmocka_unit_test(test_actions_json),
        cmocka_unit_test(test_op_names),
        cmocka_unit_test(test_add_address_and_fields),
        cmocka_unit_test(test_depend),
        cmocka_unit_test(test_counts_and_changes),
        cmocka_unit_test(test_params_json),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
