/*
 * End-to-end tests of reviewed plans (issue 8): `etls plan -out FILE`
 * writes the plan (mode 0600, no secret: a canary password in the
 * document never reaches the file) and `etls apply FILE` applies exactly
 * it; a plan whose documents or cluster changed since, made for another
 * cluster, or that cannot be applied is refused with exit 1 and no write.
 * A private dcos-sim per test.
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
#include <openssl/evp.h>

#include "e2e/etls/etls_testutil.h"
#include "harness/h_file.h"
#include "harness/harness.h"

/* The health-check password of tests/data/e2e/tls-password.json. */
#define CANARY "Saved-Plan-Canary-91"

static struct h_sim g_sim;
static char g_dir[256];

static int setup(void **state)
{
    h_mkdtemp(g_dir, "saved-plan");
    return h_group_up(state, &g_sim, E_SPEED);
}

static int teardown(void **state)
{
    h_rmtree(g_dir);
    return h_group_down(state, &g_sim);
}

/* `etls plan -f @file -out @out [extra]` on a cleared log: exit @rc, no
 * write, nothing secret printed. */
static struct e_run plan_out(const char *file, const char *out, int rc,
                             const char *extra)
{
    struct e_run r;

    e_log_clear(&g_sim);
    r = extra ? e_etls(&g_sim, "plan", file, "-out", out, extra,
                       (char *)NULL)
              : e_etls(&g_sim, "plan", file, "-out", out, (char *)NULL);
    e_assert_no_writes(&g_sim, "etls plan -out");
    e_assert_clean(&r, &g_sim, "elastic/secret");
    e_expect_rc(&r, rc);
    return r;
}

/* `etls apply @plan_file --auto-approve` (plus the sim of @s). */
static struct e_run apply_saved(struct h_sim *s, const char *plan_file)
{
    struct e_run r = e_etls(s, "apply", NULL, plan_file, "--auto-approve",
                            (char *)NULL);

    e_assert_clean(&r, s, "elastic/secret");
    return r;
}

/* An apply of @plan_file refused as stale because @why: exit 1, one line,
 * no write. */
static void expect_stale(const char *plan_file, const char *why)
{
    struct e_run r;

    e_log_clear(&g_sim);
    r = apply_saved(&g_sim, plan_file);
    e_expect_rc(&r, 1);
    e_expect_err(&r, "is stale: ");
    e_expect_err(&r, why);
    e_expect_err(&r, "-out ");
    e_expect_err(&r, "' again; nothing was changed");
    e_expect_not_out(&r, "Creating...");
    e_assert_no_writes(&g_sim, "the apply of a stale plan");
    e_run_free(&r);
}

/* Copy of tests/data/e2e/@rel as @name in g_dir (new path). */
static char *copy_data(const char *rel, const char *name)
{
    char *src = e_data(rel), *text = e_read(src);
    char *path = h_write_file(g_dir, name, text);

    free(src);
    free(text);
    return path;
}

static void test_plan_out_then_apply(void **state)
{
    char *doc = copy_data("tls-password.json", "elastic.json");
    char *file = h_path(g_dir, "plan.json"), *text;
    struct stat st;
    struct e_run r;
    json_t *j;

    (void)state;
    r = plan_out(doc, file, 0, NULL);
    e_expect_out(&r, "Plan: 4 to add, 0 to change, 0 to destroy.");
    e_expect_out(&r, "Saved the plan to: ");
    e_expect_out(&r, "etls apply ");
    e_run_free(&r);
    assert_int_equal(stat(file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* The canary check: the document's password is not in the file. */
    text = e_read(file);
    if (strstr(text, CANARY))
        fail_msg("the saved plan holds the password:\n%s", text);
    assert_null(strstr(text, "changeme"));
    assert_null(strstr(text, "PRIVATE KEY"));
    j = json_loads(text, 0, NULL);
    assert_non_null(j);
    assert_string_equal(h_jstr(j, "format"), "etls-plan");
    assert_string_equal(h_jstr(j, "cluster"), g_sim.url);
    assert_non_null(strstr(text, "\"options_sha256\": \"sha256:"));
    assert_non_null(strstr(text, "\"fingerprint\": \"sha256:"));
    assert_non_null(strstr(text, doc));
    json_decref(j);
    free(text);

    /* Exactly that plan. */
    e_log_clear(&g_sim);
    r = apply_saved(&g_sim, file);
    e_expect_apply_ok(&r, "elastic");
    e_expect_out(&r, "Apply complete! Resources: 4 added, 0 changed, 0 "
                     "destroyed.");
    e_run_free(&r);
    /* (etls verified HTTPS with the document's password) */
    e_assert_key_matches(&g_sim, "elastic", "elastic/secret");

    /* The same file again: the cluster has changed since. */
    expect_stale(file, "the cluster changed since it was made (what etls "
                       "observes of service elastic changed)");

    /* A plan of the converged cluster applies (the HTTPS check only). */
    r = plan_out(doc, file, 0, NULL);
    e_run_free(&r);
    e_log_clear(&g_sim);
    r = apply_saved(&g_sim, file);
    e_expect_apply_ok(&r, "elastic");
    e_expect_out(&r, "Resources: 0 added, 0 changed, 0 destroyed.");
    e_assert_no_writes(&g_sim, "the apply of a converged saved plan");
    e_run_free(&r);
    free(doc);
    free(file);
}

/* -o json: stdout is the JSON plan only; the note goes to stderr. */
static void test_plan_out_json(void **state)
{
    char *file = h_path(g_dir, "plan.json"), *runbook = e_runbook_file();
    struct e_run r;
    json_t *j;

    (void)state;
    r = plan_out(runbook, file, 0, "--output=json");
    j = json_loads(r.out, 0, NULL);
    assert_non_null(j);
    json_decref(j);
    e_expect_err(&r, "Saved the plan to: ");
    e_run_free(&r);
    assert_int_equal(access(file, F_OK), 0);
    free(runbook);
    free(file);
}

static void test_stale_documents(void **state)
{
    char *sub = h_path(g_dir, "desired"), *file = h_path(g_dir, "p.json");
    char *runbook = e_runbook_file(), *doc, *text, *extra;
    struct e_run r;

    (void)state;
    assert_int_equal(mkdir(sub, 0700), 0);
    text = e_read(runbook);
    free(runbook);
    doc = h_write_file(sub, "elastic.json", text);
    r = plan_out(sub, file, 0, NULL);
    e_run_free(&r);

    /* One byte more in the document. */
    {
        char *more = malloc(strlen(text) + 2);

        assert_non_null(more);
        snprintf(more, strlen(text) + 2, "%s\n", text);
        free(h_write_file(sub, "elastic.json", more));
        free(more);
    }
    expect_stale(file, "the desired documents changed since it was made (");
    expect_stale(file, "elastic.json changed)");

    /* Back as it was: the plan applies again ... */
    free(h_write_file(sub, "elastic.json", text));
    /* ... unless the directory holds one more document. */
    extra = h_write_file(sub, "other.json",
                         "{\"service\":{\"name\":\"other\"}}");
    expect_stale(file, "other.json is new)");
    unlink(extra);
    unlink(doc);
    expect_stale(file, "elastic.json is gone)");
    free(h_write_file(sub, "elastic.json", text));
    e_log_clear(&g_sim);
    r = apply_saved(&g_sim, file);
    e_expect_apply_ok(&r, "elastic");
    e_run_free(&r);
    free(extra);
    free(doc);
    free(text);
    free(sub);
    free(file);
}

/* Any change on the cluster made since the plan makes it stale. */
static void test_stale_cluster(void **state)
{
    char *file = h_path(g_dir, "p.json"), *runbook = e_runbook_file();
    struct e_run r;

    (void)state;
    r = plan_out(runbook, file, 0, NULL);
    e_run_free(&r);
    /* Someone creates the secret by hand meanwhile. */
    h_secret_put(&g_sim, "elastic/secret", "{}");
    expect_stale(file, "the cluster changed since it was made (what etls "
                       "observes of service elastic changed)");
    free(runbook);
    free(file);
}

/* A plan made for one cluster is not applied to another. */
static void test_other_cluster(void **state)
{
    char *file = h_path(g_dir, "p.json"), *runbook = e_runbook_file();
    struct h_sim other;
    struct e_run r;

    (void)state;
    r = plan_out(runbook, file, 0, NULL);
    e_run_free(&r);
    memset(&other, 0, sizeof(other));
    h_sim_up(&other, NULL, E_SPEED);
    e_log_clear(&other);
    r = apply_saved(&other, file);
    e_expect_rc(&r, 1);
    e_expect_err(&r, "the saved plan was made for the cluster ");
    e_expect_err(&r, g_sim.url);
    e_expect_err(&r, "nothing was changed");
    e_assert_no_writes(&other, "the apply of another cluster's plan");
    e_run_free(&r);
    h_sim_destroy(&other);
    free(runbook);
    free(file);
}

/* A plan that cannot be applied is not saved; a file that is no plan is
 * refused. */
static void test_refused_files(void **state)
{
    char *file = h_path(g_dir, "p.json"), *bad, *keylost;
    struct e_run r;

    (void)state;
    EVP_PKEY_free(e_runbook_default(&g_sim, E_NO_INSTALL));
    e_secret_delete(&g_sim, "elastic/secret");
    keylost = e_data("keylost-fail.json");
    r = plan_out(keylost, file, 1, NULL);
    e_expect_err(&r, "etls: no plan saved: it cannot be applied");
    e_run_free(&r);
    assert_int_not_equal(access(file, F_OK), 0);

    bad = h_write_file(g_dir, "bad.json", "{\"format\":\"etls-plan\"}");
    e_log_clear(&g_sim);
    r = apply_saved(&g_sim, bad);
    e_expect_rc(&r, 1);
    e_expect_err(&r, "the saved plan file: not a saved plan");
    e_assert_no_writes(&g_sim, "the apply of a broken plan file");
    e_run_free(&r);
    r = apply_saved(&g_sim, file);
    e_expect_rc(&r, 1);
    e_expect_err(&r, "the saved plan file: no such file");
    e_run_free(&r);
    free(keylost);
    free(bad);
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_plan_out_then_apply),
        T(test_plan_out_json),
        T(test_stale_documents),
        T(test_stale_cluster),
        T(test_other_cluster),
        T(test_refused_files),
#undef T
    };

    if (getenv("ETLS_E2E_ONLY"))
        cmocka_set_test_filter(getenv("ETLS_E2E_ONLY"));
    return cmocka_run_group_tests_name("e2e_etls_saved_plan", tests, NULL,
                                       NULL);
}
