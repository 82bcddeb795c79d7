/*
 * End-to-end tests of what `etls plan` checks read-only so that a plan
 * that cannot be applied fails at plan time (issue 8, docs/plan.md
 * "Preflight" and "https"): the verification password source (environment
 * variable, file, DC/OS secret), the IAM `allowed` query for the logged-in
 * user, and the read-only part of the HTTPS check (plain HTTP while the
 * options say TLS, a certificate of another CA).  Every failing plan and
 * apply must leave no write request in the sim's request log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "e2e/etls/etls_testutil.h"
#include "harness/h_file.h"
#include "harness/harness.h"
#include "unit/sim_node/testcert.h"

#define PW_ENV "ETLS_E2E_VERIFY_PASSWORD"
#define PW_MAX 4096 /* longest password file etls reads */
#define ALLOWED_PATH "/acs/api/v1/acls/dcos:superuser/users/bootstrapuser/full"

static struct h_sim g_sim;
static char g_dir[256];

static int setup(void **state)
{
    h_mkdtemp(g_dir, "plan-checks");
    unsetenv(PW_ENV);
    return h_group_up(state, &g_sim, E_SPEED);
}

static int teardown(void **state)
{
    unsetenv(PW_ENV);
    h_rmtree(g_dir);
    return h_group_down(state, &g_sim);
}

/*
 * The runbook's options as an etls/v1 envelope whose HTTPS check takes its
 * password from @password (the JSON of verify.password); its path (new).
 */
static char *envelope(const char *password)
{
    char *file = e_runbook_file(), *opts = e_read(file);
    char *doc = h_fmt("{\"apiVersion\":\"etls/v1\",\"options\":%s,"
                      "\"verify\":{\"password\":%s}}", opts, password);
    char *path = h_write_file(g_dir, "elastic.json", doc);

    free(doc);
    free(opts);
    free(file);
    return path;
}

/*
 * Plan and apply of @file both fail (exit 1) naming @why, and neither
 * writes anything.
 */
static void expect_refused(const char *file, const char *why)
{
    struct e_run r = e_run_logged(&g_sim, "plan", file);

    e_assert_no_writes(&g_sim, "etls plan");
    e_expect_rc(&r, 1);
    e_expect_err(&r, why);
    e_run_free(&r);
    r = e_run_logged(&g_sim, "apply", file);
    e_assert_no_writes(&g_sim, "etls apply of a plan that cannot be "
                               "applied");
    e_expect_rc(&r, 1);
    e_expect_out(&r, why);
    e_expect_err(&r, "nothing was changed");
    e_expect_not_out(&r, "Apply complete!");
    e_run_free(&r);
}

/* Plan of @file exits @rc without writing. */
static void expect_plan(const char *file, int rc)
{
    struct e_run r = e_run_logged(&g_sim, "plan", file);

    e_assert_no_writes(&g_sim, "etls plan");
    e_expect_rc(&r, rc);
    e_run_free(&r);
}

/*
 * On an empty cluster, where apply would create the account, its secret
 * and membership before anything else, a password environment variable
 * that is missing or empty stops plan and apply before the first write.
 */
static void test_preflight_password_env(void **state)
{
    char *file = envelope("{\"env\":\"" PW_ENV "\"}");

    (void)state;
    expect_refused(file, "the HTTPS check of elastic cannot get its "
                         "password: environment variable " PW_ENV
                         " is not set");
    setenv(PW_ENV, "", 1);
    expect_refused(file, "environment variable " PW_ENV " is empty");
    setenv(PW_ENV, "changeme", 1);
    expect_plan(file, 2);
    free(file);
}

/*
 * The envelope whose password file is @path; with @why, plan and apply of
 * it are refused naming @why, else its plan exits 2.
 */
static void password_file(const char *path, const char *why)
{
    char *ref = h_fmt("{\"file\":\"%s\"}", path), *file = envelope(ref);

    if (why)
        expect_refused(file, why);
    else
        expect_plan(file, 2);
    free(ref);
    free(file);
}

static void test_preflight_password_file(void **state)
{
    char *missing = h_path(g_dir, "no-such-file"), *filler, *path, *why;

    (void)state;
    why = h_fmt("the HTTPS check of elastic cannot get its password: file "
                "%s does not exist; create it", missing);
    password_file(missing, why);
    free(why);
    /* a directory is not a regular file */
    password_file(g_dir, "is not a regular file");

    path = h_write_file(g_dir, "empty", "");
    password_file(path, "is empty; write the password into it");
    free(path);

    filler = malloc(PW_MAX + 2);
    assert_non_null(filler);
    memset(filler, 'x', PW_MAX + 1);
    filler[PW_MAX + 1] = '\0';
    path = h_write_file(g_dir, "big", filler);
    password_file(path, "is longer than 4096 bytes");
    free(path);
    free(filler);

    path = h_write_file(g_dir, "pw", "changeme\n");
    password_file(path, NULL);
    free(path);
    free(missing);
}

static void test_preflight_password_secret(void **state)
{
    char *file = envelope("{\"secret\":\"elastic/health-password\"}");

    (void)state;
    expect_refused(file, "DC/OS secret elastic/health-password does not "
                         "exist");
    /* the plan read it (read-only) */
    assert_true(e_log_count(&g_sim, "GET", "/secrets/v1/secret/default/"
                                           "elastic/health-password") > 0);
    h_secret_put(&g_sim, "elastic/health-password", "");
    expect_refused(file, "DC/OS secret elastic/health-password is empty");
    h_secret_patch(&g_sim, "elastic/health-password", "changeme");
    expect_plan(file, 2);
    free(file);
}

/*
 * The IAM answers the `allowed` query for the bootstrap superuser, and
 * plan asks it for the user it logged in as; with a token alone (no uid)
 * it is not asked.
 */
static void test_preflight_superuser_query(void **state)
{
    char *file = e_runbook_file(), *token;
    struct h_resp resp;
    struct e_run r;

    (void)state;
    resp = h_get(&g_sim, ALLOWED_PATH);
    h_expect_status(&resp, 200, "GET " ALLOWED_PATH);
    assert_true(json_is_true(json_object_get(resp.json, "allowed")));
    h_resp_free(&resp);

    r = e_run_logged(&g_sim, "plan", file);
    e_expect_rc(&r, 2);
    e_run_free(&r);
    assert_int_equal(e_log_count(&g_sim, "GET", ALLOWED_PATH), 1);

    /* a token alone: no uid to ask about, and no login either */
    token = h_write_file(g_dir, "token", g_sim.token);
    e_log_clear(&g_sim);
    r = e_etls(&g_sim, "plan", file, "--detailed-exitcode", "--token-file",
               token, (char *)NULL);
    e_expect_rc(&r, 2);
    e_run_free(&r);
    assert_int_equal(e_log_count(&g_sim, "POST", "/acs/api/v1/auth/login"),
                     0);
    assert_int_equal(e_log_count(&g_sim, "GET", "/acs/api/v1/acls/"), 0);
    free(token);
    free(file);
}

/* POST /service/@svc/v1/plans/deploy/@cmd; asserts 200 or 208. */
static void plan_cmd(const char *svc, const char *cmd)
{
    char *path = h_fmt("/service/%s/v1/plans/deploy/%s", svc, cmd);
    struct h_resp r = h_post(&g_sim, path, NULL);

    if (r.status != 200 && r.status != 208)
        fail_msg("POST %s: HTTP %ld", path, r.status);
    h_resp_free(&r);
    free(path);
}

/*
 * What an operator does about a stuck deploy plan: interrupt it (no
 * PENDING step starts any more), POST forceComplete on every step that
 * is not COMPLETE, continue, and wait for the plan to be COMPLETE.
 */
static void force_complete(const char *svc)
{
    json_t *plan, *ph, *st;
    size_t i, k;

    plan_cmd(svc, "interrupt");
    plan = h_plan(&g_sim, svc, "deploy", NULL);
    assert_non_null(plan);
    json_array_foreach(json_object_get(plan, "phases"), i, ph)
        json_array_foreach(json_object_get(ph, "steps"), k, st) {
            char *path;
            struct h_resp r;

            if (strcmp(h_jstr(st, "status"), "COMPLETE") == 0)
                continue;
            path = h_fmt("/service/%s/v1/plans/deploy/forceComplete?"
                         "phase=%s&step=%s", svc, h_jstr(ph, "id"),
                         h_jstr(st, "id"));
            r = h_post(&g_sim, path, NULL);
            h_expect_status(&r, 200, path);
            h_resp_free(&r);
            free(path);
        }
    json_decref(plan);
    plan_cmd(svc, "continue");
    if (!h_wait_plan(&g_sim, svc, "deploy", "COMPLETE", E_WAIT_MS,
                     E_POLL_MS))
        fail_msg("deploy plan of %s is not COMPLETE after forceComplete",
                 svc);
}

/*
 * The options say TLS on, the deploy plan is COMPLETE (a stuck serial
 * toggle force-completed by hand), and the coordinator still answers plain
 * HTTP: no update can fix that, and without the read-only check plan said
 * "No changes." while apply's HTTPS check failed after its whole window.
 */
static void test_plan_https_plain_while_tls_on(void **state)
{
    char *file = e_runbook_file();
    EVP_PKEY *k;

    (void)state;
    k = e_runbook_default(&g_sim, E_PLAIN);
    e_make_stuck_toggle(&g_sim, "elastic");
    force_complete("elastic");
    e_assert_plain(&g_sim, "elastic");
    expect_refused(file, "transport encryption of elastic is on in its "
                         "options, but coordinator-http at 127.0.0.1:");
    expect_refused(file, "answers plain HTTP (HTTP ");
    EVP_PKEY_free(k);
    free(file);
}

/* The secret path (below elastic/) of the coordinator's TLS artifact
 * @kind ("certificate", "private-key"), as the scheduler stored it (new). */
static char *artifact(const char *kind)
{
    struct h_resp r = h_get(&g_sim, "/secrets/v1/secret/default/elastic"
                                    "?list=true");
    char *suffix = h_fmt("__coordinator-0-node__node__%s", kind), *out = NULL;
    json_t *v;
    size_t i;

    h_expect_status(&r, 200, "list elastic/");
    json_array_foreach(json_object_get(r.json, "array"), i, v) {
        const char *p = json_string_value(v);
        size_t n = p ? strlen(p) : 0;

        if (n > strlen(suffix) &&
            strcmp(p + n - strlen(suffix), suffix) == 0)
            out = h_fmt("elastic/%s", p);
    }
    if (!out)
        fail_msg("no TLS artifact %s of coordinator-0-node", kind);
    h_resp_free(&r);
    free(suffix);
    return out;
}

/*
 * Wait until the coordinator answers HTTPS (any status) under its DNS name
 * with a certificate the CA bundle @ca_file trusts.
 */
static void wait_served_by(const char *ca_file)
{
    struct h_resp ep, r;
    const char *dns, *port;
    char *url, *resolve;
    int i, ok = 0;

    ep = h_get(&g_sim, "/service/elastic/v1/endpoints/coordinator-http");
    h_expect_status(&ep, 200, "endpoint coordinator-http");
    dns = json_string_value(json_array_get(h_jget(ep.json, "dns"), 0));
    port = dns ? strrchr(dns, ':') : NULL;
    if (!port)
        fail_msg("endpoint coordinator-http lists no DNS name");
    url = h_fmt("https://%s/", dns);
    resolve = h_fmt("%.*s:%s:127.0.0.1", (int)(port - dns), dns, port + 1);
    for (i = 0; !ok && i < E_WAIT_MS / E_POLL_MS; i++) {
        r = h_req_url(url, ca_file, resolve, NULL);
        ok = r.curl_code == 0 && r.status > 0;
        h_resp_free(&r);
        if (!ok)
            h_sleep_ms(E_POLL_MS);
    }
    if (!ok)
        fail_msg("%s never served the certificate of %s", url, ca_file);
    free(url);
    free(resolve);
    h_resp_free(&ep);
}

/*
 * The coordinator serves a certificate with the right names from another
 * CA (its TLS artifacts replaced in the secret store, then the node
 * restarted): plan fails at once instead of apply after the HTTPS check's
 * window.
 */
static void test_plan_https_other_ca(void **state)
{
    static const char *const sans[] = {
        "coordinator-0-node.elastic.autoip.dcos.thisdcos.directory",
        "coordinator.elastic.l4lb.thisdcos.directory"
    };
    char *file = e_runbook_file(), *cert, *key, *ca;
    struct test_pki pki;
    struct h_resp r;
    EVP_PKEY *k;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    assert_int_equal(test_pki_new(&pki, "Not the DC/OS CA",
                                  "coordinator-0-node.elastic", sans, 2), 0);
    cert = artifact("certificate");
    key = artifact("private-key");
    h_secret_patch(&g_sim, cert, pki.chain_pem);
    h_secret_patch(&g_sim, key, pki.key_pem);
    r = h_control(&g_sim, "POST", "/sim/v1/services/elastic/nodes/"
                                  "coordinator-0-node/restart", NULL);
    h_expect_status(&r, 200, "restart coordinator-0-node");
    h_resp_free(&r);
    if (!e_wait_complete(&g_sim, "elastic"))
        fail_msg("elastic did not settle after the restart");
    ca = h_write_file(g_dir, "other-ca.pem", pki.ca_pem);
    wait_served_by(ca);
    expect_refused(file, "coordinator-http of elastic answers at "
                         "coordinator-0-node.elastic.autoip.dcos."
                         "thisdcos.directory:");
    expect_refused(file, "with a TLS session that does not verify against "
                         "the cluster CA for that name");
    test_pki_free(&pki);
    free(ca);
    free(cert);
    free(key);
    EVP_PKEY_free(k);
    free(file);
}

/* The runbook done by hand: the plan reads the endpoint, the node answers
 * as the options say, and plan and apply agree that nothing is to do. */
static void test_plan_https_as_desired(void **state)
{
    char *file = e_runbook_file();
    struct e_run r;
    EVP_PKEY *k;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    r = e_run_logged(&g_sim, "plan", file);
    e_assert_no_writes(&g_sim, "etls plan");
    e_expect_rc(&r, 0);
    e_expect_out(&r, "No changes.");
    e_run_free(&r);
    assert_int_equal(e_log_count(&g_sim, "GET", "/service/elastic/v1/"
                                                "endpoints/coordinator-http"),
                     1);
    e_expect_apply_idle(&g_sim, NULL);
    EVP_PKEY_free(k);
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_preflight_password_env, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_preflight_password_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_preflight_password_secret,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_preflight_superuser_query,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_https_plain_while_tls_on,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_https_other_ca, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_https_as_desired, setup,
                                        teardown),
    };

    /* ETLS_E2E_ONLY=<glob> runs the matching tests only */
    if (getenv("ETLS_E2E_ONLY"))
        cmocka_set_test_filter(getenv("ETLS_E2E_ONLY"));
    return cmocka_run_group_tests_name("e2e_etls_plan_checks", tests, NULL,
                                       NULL);
}
