/*
 * Unit tests of controller/saved.c: the saved form of plans holds no
 * package options (only their SHA-256; a canary password never reaches the
 * file), the file is written with mode 0600 and read back exactly, broken
 * or foreign files are refused, and the stale checks (documents, observed
 * state, the plan made again) say what changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>

#include "common/err.h"
#include "common/util.h"
#include "controller/saved.h"
#include "model/plan_json.h"
#include "ctl_testutil.h"

#define CANARY "canary-Pw-7f3e9"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    h_mkdtemp(dir, "ctl-saved");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    h_rmtree(dir);
    return 0;
}

static json_t *js(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);

    assert_non_null(j);
    return j;
}

/* A plan of service @svc: install with @password in its options, an
 * update, a verify. */
static void make_plan(struct model_plan *p, const char *svc,
                      const char *password)
{
    struct model_action *a;
    char opts[256];

    memset(p, 0, sizeof(*p));
    p->service = strdup(svc);
    snprintf(opts, sizeof(opts), "{\"service\":{\"name\":\"%s\"},"
             "\"elasticsearch\":{\"health_user_password\":\"%s\"}}", svc,
             password);
    a = model_plan_add(p, MODEL_OP_PACKAGE_INSTALL, MODEL_CHANGE_CREATE,
                       "dcos_package", svc, "install");
    assert_non_null(a);
    a->params.install.package = strdup("beta-elastic");
    a->params.install.options = js(opts);
    a->after = js("{\"options\":{\"elasticsearch\":{\"health_user_password\":"
                  "\"(sensitive)\"}}}");
    a = model_plan_add(p, MODEL_OP_PACKAGE_UPDATE, MODEL_CHANGE_UPDATE,
                       "dcos_update_strategy", svc, "restore");
    assert_non_null(a);
    a->params.update.app_id = strdup("/x");
    a->params.update.options = js(opts);
    a->disruptive = true;
    a->disruption = strdup("restart");
    assert_int_equal(model_action_depend(p, 1, 0), 0);
    a = model_plan_add(p, MODEL_OP_HTTPS_VERIFY, MODEL_CHANGE_READ,
                       "dcos_https_check", svc, "verify");
    assert_non_null(a);
    a->params.verify.endpoint = strdup("coordinator-http");
    a->params.verify.health = strdup("green");
    a->params.verify.tls = true;
}

static void test_saved_form_has_no_options(void **state)
{
    struct model_plan p;
    char fp[FINGERPRINT_LEN], *text;
    json_t *j, *params;

    (void)state;
    make_plan(&p, "elastic", CANARY);
    j = saved_plans_json(&p, 1);
    assert_non_null(j);
    text = json_dumps(j, 0);
    assert_non_null(text);
    assert_null(strstr(text, CANARY));
    free(text);
    params = json_object_get(json_array_get(json_object_get(
                                 json_array_get(j, 0), "actions"), 0),
                             "params");
    assert_null(json_object_get(params, "options"));
    assert_int_equal(fingerprint_json(fp, p.actions[0].params.install.options),
                     0);
    assert_string_equal(json_string_value(json_object_get(params,
                                                          "options_sha256")),
                        fp);
    /* The plan itself keeps its options. */
    assert_non_null(p.actions[0].params.install.options);
    json_decref(j);
    model_plan_clear(&p);
}

/* A saved plan of @p as plan -out makes it (docs borrowed from @docs). */
static void make_saved(struct saved *s, const struct model_plan *p,
                       size_t n)
{
    memset(s, 0, sizeof(*s));
    s->etls_version = strdup("0.1.0");
    s->cluster = strdup("https://127.0.0.1:4443");
    s->desired_path = strdup("/desired");
    s->docs.items = calloc(2, sizeof(*s->docs.items));
    assert_non_null(s->docs.items);
    s->docs.items[0].path = strdup("/desired/a.json");
    s->docs.items[1].path = strdup("/desired/b.json");
    assert_int_equal(fingerprint_sha256(s->docs.items[0].sha256, "a", 1), 0);
    assert_int_equal(fingerprint_sha256(s->docs.items[1].sha256, "b", 1), 0);
    s->docs.n = 2;
    assert_int_equal(fingerprint_sha256(s->fingerprint, "obs", 3), 0);
    s->services = js("{\"a\":\"sha256:000000000000000000000000000000000000"
                     "0000000000000000000000000000\",\"b\":\"sha256:11111111"
                     "11111111111111111111111111111111111111111111111111111111"
                     "\"}");
    s->plans = saved_plans_json(p, n);
    assert_non_null(s->plans);
}

static void test_write_read(void **state)
{
    struct model_plan p[2];
    struct saved s, r;
    struct err_info e = {0};
    struct stat st;
    char *file = h_path(dir, "plan.json"), *text;
    struct dirent *de;
    DIR *d;
    size_t n = 0, len;

    (void)state;
    make_plan(&p[0], "a", CANARY);
    make_plan(&p[1], "b", CANARY);
    make_saved(&s, p, 2);
    /* An existing file is replaced, and gets mode 0600. */
    free(h_write_file(dir, "plan.json", "old"));
    assert_int_equal(chmod(file, 0644), 0);
    assert_int_equal(saved_write(file, &s, &e), 0);
    assert_int_equal(stat(file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* No temporary file is left behind. */
    d = opendir(dir);
    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        n += de->d_name[0] != '.';
    closedir(d);
    assert_int_equal(n, 1);
    /* The canary never reaches the file. */
    assert_int_equal(util_read_file(&text, &len, file, 1u << 20), 0);
    assert_null(strstr(text, CANARY));
    assert_non_null(strstr(text, "\"format\": \"etls-plan\""));
    free(text);

    memset(&r, 0, sizeof(r));
    assert_int_equal(saved_read(&r, file, &e), 0);
    assert_string_equal(r.etls_version, s.etls_version);
    assert_string_equal(r.cluster, s.cluster);
    assert_string_equal(r.desired_path, s.desired_path);
    assert_int_equal(r.docs.n, 2);
    assert_string_equal(r.docs.items[1].path, "/desired/b.json");
    assert_string_equal(r.docs.items[1].sha256, s.docs.items[1].sha256);
    assert_string_equal(r.fingerprint, s.fingerprint);
    assert_true(json_equal(r.services, s.services));
    assert_true(json_equal(r.plans, s.plans));
    saved_clear(&r);
    saved_clear(&s);
    model_plan_clear(&p[0]);
    model_plan_clear(&p[1]);
    free(file);
}

/* saved_read() of a file holding @text: its result, message in @e. */
static int read_text(const char *text, struct err_info *e)
{
    struct saved r;
    char *file = h_write_file(dir, "bad.json", text);
    int rc;

    memset(&r, 0, sizeof(r));
    memset(e, 0, sizeof(*e));
    rc = saved_read(&r, file, e);
    saved_clear(&r);
    free(file);
    return rc;
}

/* A valid file's text with @from replaced by @to (new). */
static char *good_with(const char *from, const char *to)
{
    struct model_plan p;
    struct saved s;
    struct err_info e = {0};
    char *file = h_path(dir, "good.json"), *text, *at, *out;
    size_t len;

    make_plan(&p, "a", "pw");
    make_saved(&s, &p, 1);
    assert_int_equal(saved_write(file, &s, &e), 0);
    saved_clear(&s);
    model_plan_clear(&p);
    assert_int_equal(util_read_file(&text, &len, file, 1u << 20), 0);
    free(file);
    at = strstr(text, from);
    if (!at)
        fail_msg("no \"%s\" in the saved plan", from);
    out = malloc(len + strlen(to) + 1);
    assert_non_null(out);
    memcpy(out, text, (size_t)(at - text));
    strcpy(out + (at - text), to);
    strcat(out, at + strlen(from));
    free(text);
    return out;
}

static void expect_refused(const char *from, const char *to, const char *msg)
{
    struct err_info e;
    char *text = good_with(from, to);

    if (read_text(text, &e) != ERR_INVALID)
        fail_msg("accepted with %s -> %s", from, to);
    if (!strstr(e.text, msg))
        fail_msg("%s -> %s: \"%s\" lacks \"%s\"", from, to, e.text, msg);
    free(text);
}

static void test_read_refuses(void **state)
{
    struct saved r;
    struct err_info e;
    char *missing = h_path(dir, "nope.json"), *text;

    (void)state;
    memset(&r, 0, sizeof(r));
    assert_int_equal(saved_read(&r, missing, &e), ERR_NOTFOUND);
    saved_clear(&r);
    free(missing);
    /* The unchanged file reads. */
    text = good_with("\"format\"", "\"format\"");
    assert_int_equal(read_text(text, &e), 0);
    free(text);

    assert_int_equal(read_text("{ not json", &e), ERR_INVALID);
    assert_non_null(strstr(e.text, "not JSON"));
    assert_int_equal(read_text("[]", &e), ERR_INVALID);
    expect_refused("\"etls-plan\"", "\"terraform\"", "format is not");
    expect_refused("\"format_version\": 1", "\"format_version\": 2",
                   "format_version 2 is not 1");
    expect_refused("\"format_version\": 1", "\"format_version\": \"1\"",
                   "not a saved plan");
    expect_refused("\"cluster\"", "\"extra\": 1, \"cluster\"",
                   "not a saved plan");
    expect_refused("\"cluster\"", "\"format\": \"etls-plan\", \"cluster\"",
                   "not JSON");
    expect_refused("\"fingerprint\": \"sha256:", "\"fingerprint\": \"md5:",
                   "malformed");
    expect_refused("\"sha256\": \"sha256:", "\"sha256\": \"sha256:zz",
                   "desired.documents[0]");
    expect_refused("\"a\": \"sha256:", "\"a\": \"nope:",
                   "observed.services");
    expect_refused("\"plans\": [", "\"plans\": [1, ", "plans[0]");
}

static void test_check_docs(void **state)
{
    struct model_plan p;
    struct saved s;
    struct load_docs now;
    struct load_doc items[3];
    struct err_info e = {0};

    (void)state;
    make_plan(&p, "a", "pw");
    make_saved(&s, &p, 1);
    memset(items, 0, sizeof(items));
    items[0] = s.docs.items[0];
    items[1] = s.docs.items[1];
    now.items = items;
    now.n = 2;
    assert_int_equal(saved_check_docs(&s, &now, &e), 0);
    /* another order is the same set */
    items[0] = s.docs.items[1];
    items[1] = s.docs.items[0];
    assert_int_equal(saved_check_docs(&s, &now, &e), 0);
    items[0].sha256[10] = items[0].sha256[10] == 'a' ? 'b' : 'a';
    assert_int_equal(saved_check_docs(&s, &now, &e), ERR_CONFLICT);
    assert_string_equal(e.text, "/desired/b.json changed");
    items[0] = s.docs.items[1];
    now.n = 1;
    assert_int_equal(saved_check_docs(&s, &now, &e), ERR_CONFLICT);
    assert_string_equal(e.text, "/desired/a.json is gone");
    now.n = 3;
    items[1] = s.docs.items[0];
    items[2] = s.docs.items[0];
    items[2].path = (char *)(uintptr_t)"/desired/c.json";
    assert_int_equal(saved_check_docs(&s, &now, &e), ERR_CONFLICT);
    assert_string_equal(e.text, "/desired/c.json is new");
    saved_clear(&s);
    model_plan_clear(&p);
}

static void test_check_observed(void **state)
{
    struct model_plan p;
    struct saved s;
    struct err_info e = {0};
    char other[FINGERPRINT_LEN];
    json_t *per;

    (void)state;
    make_plan(&p, "a", "pw");
    make_saved(&s, &p, 1);
    assert_int_equal(saved_check_observed(&s, s.fingerprint, s.services, &e),
                     0);
    assert_int_equal(fingerprint_sha256(other, "other", 5), 0);
    /* Same services: only the CA can have changed. */
    assert_int_equal(saved_check_observed(&s, other, s.services, &e),
                     ERR_CONFLICT);
    assert_string_equal(e.text, "the cluster CA changed");
    per = json_deep_copy(s.services);
    json_object_set_new(per, "b", json_string(other));
    assert_int_equal(saved_check_observed(&s, other, per, &e), ERR_CONFLICT);
    assert_string_equal(e.text, "what etls observes of service b changed");
    json_object_set_new(per, "a", json_string(other));
    assert_int_equal(saved_check_observed(&s, other, per, &e), ERR_CONFLICT);
    assert_string_equal(e.text, "what etls observes of services a, b "
                                "changed");
    json_decref(per);
    saved_clear(&s);
    model_plan_clear(&p);
}

static void test_restore(void **state)
{
    struct model_plan p[2], now[2], *got = NULL;
    struct saved s;
    struct err_info e = {0};
    json_t *a, *b;

    (void)state;
    make_plan(&p[0], "a", CANARY);
    make_plan(&p[1], "b", CANARY);
    make_saved(&s, p, 2);
    make_plan(&now[0], "a", CANARY);
    make_plan(&now[1], "b", CANARY);
    assert_int_equal(saved_restore(&got, &s, now, 2, &e), 0);
    /* Exactly the saved plans, options included. */
    a = model_plan_to_json(&p[1]);
    b = model_plan_to_json(&got[1]);
    assert_true(a && b && json_equal(a, b));
    json_decref(a);
    json_decref(b);
    assert_true(json_equal(got[0].actions[1].params.update.options,
                           p[0].actions[1].params.update.options));
    model_plan_clear(&got[0]);
    model_plan_clear(&got[1]);
    free(got);
    got = NULL;

    /* Other options (the document said another password): differs. */
    model_plan_clear(&now[1]);
    make_plan(&now[1], "b", "another");
    assert_int_equal(saved_restore(&got, &s, now, 2, &e), ERR_CONFLICT);
    assert_null(got);
    assert_non_null(strstr(e.text, "differs from the saved one"));
    /* Another reason: differs too. */
    model_plan_clear(&now[1]);
    make_plan(&now[1], "b", CANARY);
    free(now[1].actions[2].reason);
    now[1].actions[2].reason = strdup("another reason");
    assert_int_equal(saved_restore(&got, &s, now, 2, &e), ERR_CONFLICT);
    /* Fewer plans: differs. */
    assert_int_equal(saved_restore(&got, &s, now, 1, &e), ERR_CONFLICT);
    saved_clear(&s);
    model_plan_clear(&p[0]);
    model_plan_clear(&p[1]);
    model_plan_clear(&now[0]);
    model_plan_clear(&now[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_saved_form_has_no_options),
        T(test_write_read),
        T(test_read_refuses),
        T(test_check_docs),
        T(test_check_observed),
        T(test_restore),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
