/*
 * End-to-end tests of issue 8's options checks against a private dcos-sim
 * per group: the typo `transport_encrytion` and `data_nodes.count:
 * "three"` rejected at validate, plan and apply with their positions and a
 * suggestion, exit 1 and no request at all; the transport-encryption-off
 * warning; documents that share an account, a secret or an app id; the
 * version an unpinned install resolves to, shown in the plan and carried
 * by the install action; a pinned version the catalog lacks failing at
 * plan with zero writes; and, on a sim whose catalog has a version etls
 * does not vendor, the options checked at plan time against the schema
 * Cosmos returns for it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/util.h"
#include "controller/cli.h"
#include "controller/engine.h"
#include "controller/load.h"
#include "dcos/client.h"
#include "e2e/etls/etls_testutil.h"
#include "harness/h_file.h"
#include "harness/harness.h"

#define NEWEST "2.1.2-5.6.5-beta"
#define TEST_VERSION "2.1.3-test"

static struct h_sim g_sim;

static int setup(void **state)
{
    return h_group_up(state, &g_sim, E_SPEED);
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

/* Number of requests in the sim's log. */
static size_t log_size(struct h_sim *s)
{
    json_t *log = e_log(s);
    size_t n = json_array_size(log);

    json_decref(log);
    return n;
}

/*
 * `etls @cmd -f tests/data/e2e/options/@rel` on a cleared request log of
 * @s; with @none, asserts that etls sent no request at all, else that it
 * wrote nothing.
 */
static struct e_run run(struct h_sim *s, const char *cmd, const char *rel,
                        int none)
{
    char *data = h_fmt("options/%s", rel);
    char *file = e_data(data);
    struct e_run r;

    e_log_clear(s);
    if (strcmp(cmd, "validate") == 0)
        r = e_etls(NULL, cmd, file, (char *)NULL);
    else
        r = e_etls(s, cmd, file, (char *)NULL);
    if (none)
        assert_int_equal(log_size(s), 0);
    else
        e_assert_no_writes(s, cmd);
    e_assert_clean(&r, s, "elastic/secret");
    free(file);
    free(data);
    return r;
}

/* Fail unless stderr holds "<path of @rel>:@rest". */
static void expect_at(const struct e_run *r, const char *rel,
                      const char *rest)
{
    char *data = h_fmt("options/%s", rel);
    char *file = e_data(data);
    char *want = h_fmt("%s:%s", file, rest);

    e_expect_err(r, want);
    free(want);
    free(file);
    free(data);
}

/*
 * validate, plan and apply all refuse options/@rel with the problem
 * "<file>:@where", exit 1, print nothing on stdout and contact nothing
 * (the check is offline).
 */
static void expect_refused_offline(const char *rel, const char *where)
{
    static const char *const cmds[] = {"validate", "plan", "apply"};
    size_t i;

    for (i = 0; i < 3; i++) {
        struct e_run r = run(&g_sim, cmds[i], rel, 1);

        e_expect_rc(&r, 1);
        expect_at(&r, rel, where);
        assert_string_equal(r.out, "");
        e_run_free(&r);
    }
}

/* The typo, at its key with the suggestion. */
static void test_typo_rejected(void **state)
{
    (void)state;
    expect_refused_offline("typo.json",
                           "6:19: service.security.transport_encrytion: "
                           "unknown option; did you mean "
                           "\"transport_encryption\"?");
    assert_null(e_account_pub(&g_sim, "elastic"));
}

/* A wrong type is an error at the value. */
static void test_wrong_type_rejected(void **state)
{
    (void)state;
    expect_refused_offline("three.json",
                           "9:28: data_nodes.count: expected an integer, got "
                           "\"three\"");
}

/* TLS off (explicitly, or by default): one warning line, exit unchanged. */
static void test_tls_off_warning(void **state)
{
    char *file = e_data("tls-off.json");
    char *want = h_fmt("%s: warning: service elastic: transport encryption "
                       "is off (service.security.transport_encryption."
                       "enabled is not true)\n", file);
    struct e_run r;

    (void)state;
    e_log_clear(&g_sim);
    r = e_etls(NULL, "validate", file, (char *)NULL);
    e_expect_rc(&r, 0);
    e_expect_err(&r, want);
    assert_int_equal(e_count(r.err, "warning:"), 1);
    e_run_free(&r);
    r = e_etls(&g_sim, "plan", file, (char *)NULL);
    e_expect_rc(&r, 0);
    e_expect_err(&r, want);
    assert_int_equal(e_count(r.err, "warning:"), 1);
    e_run_free(&r);
    e_assert_no_writes(&g_sim, "etls plan");
    /* TLS on: no warning. */
    r = run(&g_sim, "validate", "unpinned.json", 1);
    e_expect_rc(&r, 0);
    assert_null(strstr(r.err, "warning"));
    e_run_free(&r);
    free(want);
    free(file);
}

/* Shared account, secret and app id: an error naming both places. */
static void test_shared_between_documents(void **state)
{
    char *a = e_data("options/shared/a-logs.json");
    char *b = e_data("options/shared/b-search.json");
    char *c = e_data("options/shared/c-logs.json");
    char *want[3];
    struct e_run r;
    size_t i;

    (void)state;
    want[0] = h_fmt("%s:6:26: options.service.service_account: service "
                    "account \"elastic\" is also that of service logs "
                    "(%s:4:24)", b, a);
    want[1] = h_fmt("%s:7:33: options.service.service_account_secret: "
                    "service account secret path \"elastic/secret\" is also "
                    "that of service logs (%s:5:31)", b, a);
    want[2] = h_fmt("%s:1:24: service.name: duplicate service name "
                    "\"logs\": already used by %s:3:13", c, a);
    r = run(&g_sim, "validate", "shared", 1);
    e_expect_rc(&r, 1);
    for (i = 0; i < 3; i++) {
        e_expect_err(&r, want[i]);
        free(want[i]);
    }
    e_run_free(&r);
    free(a);
    free(b);
    free(c);
}

/*
 * Unpinned: the plan shows the version the catalog resolves to.  One
 * describe per distinct package version asked for: the directory `multi`
 * has alpha pinned to the newest version, beta and gamma unpinned.
 */
static void test_resolved_version(void **state)
{
    struct e_run r;
    json_t *plan;
    const json_t *ch;
    char *dir;

    (void)state;
    r = run(&g_sim, "plan", "unpinned.json", 0);
    e_expect_rc(&r, 0);
    e_expect_out(&r, "install package beta-elastic " NEWEST);
    e_expect_out(&r, "+ version = \"" NEWEST "\"");
    e_expect_not_out(&r, "+ version = (known after apply)");
    e_run_free(&r);

    e_log_clear(&g_sim);
    dir = e_data("multi");
    r = e_etls(&g_sim, "plan", dir, "-o", "json", (char *)NULL);
    e_expect_rc(&r, 0);
    plan = json_loads(r.out, 0, NULL);
    assert_non_null(plan);
    ch = e_change(plan, "dcos_package.beta");
    assert_non_null(ch);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(ch, "change"),
                                            "after"),
                            "version")),
                        NEWEST);
    assert_int_equal(e_log_count(&g_sim, "POST", "/package/describe"), 2);
    e_assert_no_writes(&g_sim, "etls plan");
    json_decref(plan);
    e_run_free(&r);
    free(dir);
}

/* Pinned to a version the catalog lacks: validate warns, plan fails. */
static void test_pinned_not_in_catalog(void **state)
{
    struct e_run r;

    (void)state;
    r = run(&g_sim, "validate", "not-in-catalog.json", 1);
    e_expect_rc(&r, 0);
    expect_at(&r, "not-in-catalog.json",
              "3:51: warning: package.version: beta-elastic 9.9.9-none is "
              "not among the vendored package definitions");
    e_run_free(&r);
    r = run(&g_sim, "plan", "not-in-catalog.json", 0);
    e_expect_rc(&r, 1);
    e_expect_err(&r, "etls: service elastic: package beta-elastic version "
                     "9.9.9-none is not in the cluster's package catalog");
    e_expect_out(&r, "Nothing will be changed.");
    e_run_free(&r);
    r = run(&g_sim, "apply", "not-in-catalog.json", 0);
    e_expect_rc(&r, 1);
    e_run_free(&r);
    assert_null(e_account_pub(&g_sim, "elastic"));
}

/* ---- a catalog with a version etls does not vendor ---- */

static const char *const rev_files[] = {"package.json", "config.json",
                                        "resource.json",
                                        "marathon.json.mustache"};
#define N_REV_FILES (sizeof(rev_files) / sizeof(rev_files[0]))

/* Write @text to @dir/@rev/@name. */
static void put(const char *dir, const char *rev, const char *name,
                const char *text)
{
    char *sub = h_fmt("%s/beta-elastic/%s", dir, rev);

    free(h_write_file(sub, name, text));
    free(sub);
}

/*
 * A catalog of beta-elastic revision 10 as published and revision 11,
 * TEST_VERSION, whose schema adds the option
 * service.security.transport_encryption.min_version.
 */
static void make_catalog(char dir[256])
{
    char *src, *text = NULL, *sub;
    json_t *j, *te;
    size_t i, len;

    h_mkdtemp(dir, "catalog");
    sub = h_fmt("%s/beta-elastic", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    free(sub);
    for (i = 0; i < 2; i++) {
        sub = h_fmt("%s/beta-elastic/%s", dir, i ? "11" : "10");
        assert_int_equal(mkdir(sub, 0700), 0);
        free(sub);
    }
    for (i = 0; i < N_REV_FILES; i++) {
        src = h_fmt("%s/sim/catalog/beta-elastic/10/%s", ETLS_SOURCE_DIR,
                    rev_files[i]);
        assert_int_equal(util_read_file(&text, &len, src, 1u << 20), 0);
        put(dir, "10", rev_files[i], text);
        j = i < 2 ? json_loads(text, 0, NULL) : NULL;
        if (i == 0) {
            assert_int_equal(json_object_set_new(j, "version",
                                                 json_string(TEST_VERSION)),
                             0);
        } else if (i == 1) {
            te = json_object_get(
                json_object_get(
                    json_object_get(
                        json_object_get(
                            json_object_get(
                                json_object_get(j, "properties"), "service"),
                            "properties"),
                        "security"),
                    "properties"),
                "transport_encryption");
            assert_non_null(te);
            assert_int_equal(
                json_object_set_new(json_object_get(te, "properties"),
                                    "min_version",
                                    json_pack("{s:s, s:[s, s], s:s}", "type",
                                              "string", "enum", "TLSv1.2",
                                              "TLSv1.3", "default",
                                              "TLSv1.2")),
                0);
        }
        if (j) {
            char *t = json_dumps(j, JSON_INDENT(2));

            assert_non_null(t);
            put(dir, "11", rev_files[i], t);
            free(t);
            json_decref(j);
        } else {
            put(dir, "11", rev_files[i], text);
        }
        free(text);
        free(src);
    }
}

static void remove_catalog(const char *dir)
{
    size_t i, k;

    for (k = 0; k < 2; k++) {
        char *sub = h_fmt("%s/beta-elastic/%s", dir, k ? "11" : "10");

        for (i = 0; i < N_REV_FILES; i++) {
            char *f = h_path(sub, rev_files[i]);

            unlink(f);
            free(f);
        }
        rmdir(sub);
        free(sub);
    }
    h_rmtree(dir);
}

/* The sim of @s on the catalog @dir. */
static void sim_on_catalog(struct h_sim *s, const char *dir)
{
    const char *args[] = {"--speed", E_SPEED, "--catalog", dir, NULL};

    memset(s, 0, sizeof(*s));
    h_sim_start(s, NULL, args);
    s->speed = 40.0;
    h_login(s);
}

/* params.install.version of the install action of @path's plan. */
static char *install_version(struct h_sim *s, const char *path)
{
    struct model_desired d = {0};
    struct model_diags diags = {0};
    struct model_plan *plans = NULL;
    struct engine_options o;
    struct engine *eng = NULL;
    struct err_info e = {0};
    char err[512], *v = NULL;
    struct cli c;
    size_t i;

    memset(&c, 0, sizeof(c));
    c.sim_dir = strdup(s->dir);
    assert_non_null(c.sim_dir);
    if (cli_apply_sim(&c, err, sizeof(err)))
        fail_msg("cli_apply_sim: %s", err);
    cli_engine_options(&o, &c, NULL);
    assert_int_equal(load_desired(&d, path, &diags), 0);
    assert_int_equal(dcos_global_init(), 0);
    if (engine_new(&eng, &o, &e) || engine_plan(eng, &d, &plans, &e))
        fail_msg("engine: %s", e.text);
    for (i = 0; i < plans[0].n_actions; i++)
        if (plans[0].actions[i].op == MODEL_OP_PACKAGE_INSTALL)
            v = strdup(plans[0].actions[i].params.install.version);
    model_plan_clear(&plans[0]);
    free(plans);
    engine_free(eng);
    dcos_global_cleanup();
    cli_free(&c);
    model_desired_clear(&d);
    model_diags_clear(&diags);
    return v;
}

/*
 * Against the schema the cluster's catalog has: an unpinned install
 * resolves to its latest version (params and plan); pinned to a version
 * etls does not vendor, validate warns and cannot check, plan rejects the
 * typo with the suggestion and zero writes, and accepts an option only
 * that version's schema has.
 */
static void test_cluster_schema(void **state)
{
    struct h_sim s;
    char dir[256], *file, *v;
    struct e_run r;

    (void)state;
    make_catalog(dir);
    sim_on_catalog(&s, dir);

    file = e_data("options/unpinned.json");
    v = install_version(&s, file);
    assert_non_null(v);
    assert_string_equal(v, TEST_VERSION);
    free(v);
    free(file);
    r = run(&s, "plan", "unpinned.json", 0);
    e_expect_rc(&r, 0);
    e_expect_out(&r, "+ version = \"" TEST_VERSION "\"");
    e_run_free(&r);

    r = run(&s, "validate", "newer-typo.json", 1);
    e_expect_rc(&r, 0);
    e_expect_err(&r, "warning: package.version: beta-elastic " TEST_VERSION
                     " is not among the vendored package definitions");
    e_run_free(&r);
    r = run(&s, "plan", "newer-typo.json", 0);
    e_expect_rc(&r, 1);
    expect_at(&r, "newer-typo.json",
              "10:9: options.service.security.transport_encrytion: unknown "
              "option; did you mean \"transport_encryption\"?");
    e_expect_err(&r, "etls: service elastic: ");
    e_run_free(&r);
    r = run(&s, "apply", "newer-typo.json", 0);
    e_expect_rc(&r, 1);
    e_run_free(&r);

    r = run(&s, "plan", "newer-option.json", 0);
    e_expect_rc(&r, 0);
    e_expect_out(&r, "install package beta-elastic " TEST_VERSION);
    e_run_free(&r);
    /* The same document against the vendored (published) schemas. */
    r = run(&g_sim, "plan", "newer-option.json", 0);
    e_expect_rc(&r, 1);
    e_expect_err(&r, "package beta-elastic version " TEST_VERSION " is not "
                     "in the cluster's package catalog");
    e_run_free(&r);

    h_sim_destroy(&s);
    remove_catalog(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typo_rejected),
        cmocka_unit_test(test_wrong_type_rejected),
        cmocka_unit_test(test_tls_off_warning),
        cmocka_unit_test(test_shared_between_documents),
        cmocka_unit_test(test_resolved_version),
        cmocka_unit_test(test_pinned_not_in_catalog),
        cmocka_unit_test(test_cluster_schema),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
