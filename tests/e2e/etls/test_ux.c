/*
 * End-to-end tests of the operator experience (issue 13) against a
 * private dcos-sim per test: the plan as Markdown, colours and heartbeats
 * on a terminal, credentials that fail before any request, the
 * service-account credential JSON, help and suggestions, YAML and JSON
 * giving one plan, and a dcos CLI configuration
 * (DCOS_DIR, dcos.toml, DCOS_SSL_VERIFY) that is enough to run a plan.
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

#include "e2e/etls/etls_testutil.h"
#include "harness/h_yaml.h"
#include "harness/harness.h"

static struct h_sim g_sim;
static char g_dir[64];   /* scratch directory of the running test */

/* The DCOS_* variables of whoever runs the tests must not leak in. */
static void env_clear(void)
{
    static const char *const vars[] = {
        "DCOS_URL", "DCOS_SSL_VERIFY", "DCOS_ACS_TOKEN", "DCOS_CLUSTER",
        "DCOS_SERVICE_ACCOUNT_CREDENTIAL", "NO_COLOR",
        "ETLS_HEARTBEAT_SECONDS", NULL};
    size_t i;

    for (i = 0; vars[i]; i++)
        unsetenv(vars[i]);
}

static int setup_speed(void **state, const char *speed)
{
    env_clear();
    snprintf(g_dir, sizeof(g_dir), "/tmp/etls-ux-XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    /* No dcos CLI configuration unless a test writes one. */
    setenv("DCOS_DIR", g_dir, 1);
    return h_group_up(state, &g_sim, speed);
}

static int setup(void **state)
{
    return setup_speed(state, E_SPEED);
}

/* A sim slow enough that a rollout takes several real seconds. */
static int setup_slow(void **state)
{
    return setup_speed(state, "4");
}

static int teardown(void **state)
{
    char *cmd = h_fmt("rm -rf '%s'", g_dir);

    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", g_dir);
    free(cmd);
    env_clear();
    unsetenv("DCOS_DIR");
    e_color_auto = 0;
    return h_group_down(state, &g_sim);
}

/* Write @text to g_dir/@name (mode 0600); returns the path (new). */
static char *scratch(const char *name, const char *text)
{
    char *path = h_fmt("%s/%s", g_dir, name);
    FILE *f = fopen(path, "w");

    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        fail_msg("cannot write %s", path);
    chmod(path, 0600);
    return path;
}

/* Number of requests in the sim's log, of any kind. */
static size_t requests(void)
{
    json_t *log = e_log(&g_sim);
    size_t n = json_array_size(log);

    json_decref(log);
    return n;
}

/* ---- plan --output markdown ---- */

static void test_markdown_plan(void **state)
{
    char *file = e_runbook_file();
    struct e_run r;

    (void)state;
    r = e_etls(&g_sim, "plan", file, "-o", "markdown", "--detailed-exitcode",
               (char *)NULL);
    e_expect_rc(&r, 2);
    e_assert_clean(&r, &g_sim, "elastic/secret");
    e_expect_out(&r, "### etls plan: 4 to add, 0 to change, 0 to "
                     "destroy");
    e_expect_out(&r, "| service | resource | action | reason |");
    e_expect_out(&r, "| elastic | `+ dcos_secret.elastic/secret` | create "
                     "| secret elastic/secret does not exist");
    e_expect_out(&r, "| elastic | `+ dcos_package.elastic` | create |");
    e_expect_out(&r, "<details><summary>Full plan</summary>");
    e_expect_out(&r, "Plan: 4 to add, 0 to change, 0 to destroy.");
    e_expect_not_out(&r, "\033[");
    e_run_free(&r);

    /* Converged: the headline says so, and there is no table. */
    EVP_PKEY_free(e_runbook_default(&g_sim, 0));
    r = e_etls(&g_sim, "plan", file, "-o", "markdown", "--detailed-exitcode",
               (char *)NULL);
    e_expect_rc(&r, 0);
    e_assert_clean(&r, &g_sim, "elastic/secret");
    e_expect_out(&r, "### :white_check_mark: etls plan: no changes");
    e_expect_not_out(&r, "| service |");
    e_run_free(&r);
    free(file);
}

/* A TLS toggle: an update in place called out as disruptive; with --out
 * the note of the saved plan goes to stderr, so that stdout is the
 * comment alone. */
static void test_markdown_saved_plan(void **state)
{
    static const char head[] = "### etls plan: 0 to add, 2 to change, 0 "
                               "to destroy\n";
    char *file = e_runbook_file(), *out = h_fmt("%s/plan.bin", g_dir);
    struct e_run r;

    (void)state;
    EVP_PKEY_free(e_runbook_default(&g_sim, E_PLAIN));
    r = e_etls(&g_sim, "plan", file, "-o", "markdown", "--out", out,
               (char *)NULL);
    e_expect_rc(&r, 0);
    e_assert_clean(&r, &g_sim, "elastic/secret");
    if (strncmp(r.out, head, strlen(head)) != 0)
        fail_msg("stdout does not start with the headline: %s", r.out);
    e_expect_out(&r, "> **:warning: 1 disruptive action(s)** (apply asks "
                     "for confirmation):\n> - `dcos_package.elastic`: "
                     "full-cluster restart");
    e_expect_out(&r, "| elastic | `~ dcos_package.elastic` | update in "
                     "place | options differ from the running service: "
                     "service.security.transport_encryption.enabled;");
    e_expect_out(&r, "| elastic | `~ dcos_update_strategy.elastic` | "
                     "update in place | restores update_strategy serial;");
    e_expect_out(&r, "</details>\n");
    e_expect_not_out(&r, "Saved the plan");
    e_expect_err(&r, "Saved the plan to:");
    e_run_free(&r);
    free(out);
    free(file);
}

/* ---- terminal manners ---- */

static void test_no_color(void **state)
{
    char *file = e_runbook_file();
    struct e_run r;

    (void)state;
    e_color_auto = 1;
    setenv("TERM", "xterm", 1);
    /* On a terminal, colours (the check can fail)... */
    r = e_etls_tty(&g_sim, NULL, "plan", file, (char *)NULL);
    e_expect_rc(&r, 0);
    e_expect_out(&r, "\033[");
    e_run_free(&r);
    /* ...but never with NO_COLOR... */
    setenv("NO_COLOR", "1", 1);
    r = e_etls_tty(&g_sim, NULL, "plan", file, (char *)NULL);
    e_expect_rc(&r, 0);
    e_expect_out(&r, "Plan: 4 to add");
    e_expect_not_out(&r, "\033");
    e_run_free(&r);
    unsetenv("NO_COLOR");
    /* ...with TERM=dumb... */
    setenv("TERM", "dumb", 1);
    r = e_etls_tty(&g_sim, NULL, "plan", file, (char *)NULL);
    e_expect_out(&r, "Plan: 4 to add");
    e_expect_not_out(&r, "\033");
    e_run_free(&r);
    /* ...or off a terminal. */
    setenv("TERM", "xterm", 1);
    r = e_etls(&g_sim, "plan", file, (char *)NULL);
    e_expect_out(&r, "Plan: 4 to add");
    e_expect_not_out(&r, "\033");
    if (strchr(r.err, '\033'))
        fail_msg("escape codes on stderr: %s", r.err);
    e_run_free(&r);
    free(file);
}

/* A slow rollout prints heartbeats (interval shortened for the test). */
static void test_heartbeat(void **state)
{
    struct e_run r;

    (void)state;
    /* Several beats in a rollout of a few seconds: some while the
     * scheduler starts, some once its plan shows steps. */
    setenv("ETLS_HEARTBEAT_SECONDS", "0.3", 1);
    r = e_apply_runbook(&g_sim);
    e_expect_apply_ok(&r, "elastic");
    e_expect_out(&r, "dcos_rollout.elastic: Still waiting for the deploy "
                     "plan of elastic to complete [");
    e_expect_out(&r, "s elapsed, ");
    e_expect_out(&r, " steps COMPLETE; timeout 900s]");
    e_run_free(&r);
}

/* Without the knob, a wait shorter than 10 s prints none. */
static void test_heartbeat_default(void **state)
{
    struct e_run r;

    (void)state;
    r = e_apply_runbook(&g_sim);
    e_expect_apply_ok(&r, "elastic");
    e_expect_not_out(&r, "Still waiting");
    e_run_free(&r);
}

/* ---- credentials: every error before any request ---- */

/* `etls plan` on the sim's URL and CA with the extra arguments (up to
 * 4): exit 1, no request at all, and @needle on stderr. */
static void expect_cred_error(const char *needle, const char *a1,
                              const char *a2, const char *a3, const char *a4)
{
    char *file = e_runbook_file();
    struct e_run r;

    e_log_clear(&g_sim);
    r = e_etls(NULL, "plan", file, "--cluster", g_sim.url, "--ca-cert",
               g_sim.ca_cert, a1, a2, a3, a4, (char *)NULL);
    e_expect_rc(&r, 1);
    e_expect_err(&r, needle);
    e_assert_clean(&r, NULL, NULL);
    if (requests() != 0)
        fail_msg("a credential error made requests: %s", r.err);
    e_run_free(&r);
    free(file);
}

static void test_credential_errors(void **state)
{
    char *garbage = scratch("garbage.pem", "not a key\n");
    char *cmd, *ec = h_fmt("%s/ec.pem", g_dir);
    char *enc = h_fmt("%s/enc.pem", g_dir), *missing;

    (void)state;
    cmd = h_fmt("openssl ecparam -genkey -name prime256v1 -noout "
                "-out %s 2>/dev/null && openssl genpkey -algorithm RSA "
                "-pkeyopt rsa_keygen_bits:2048 -aes128 -pass pass:x "
                "-out %s 2>/dev/null",
                ec, enc);
    assert_int_equal(system(cmd), 0);
    free(cmd);

    expect_cred_error("no credentials for", NULL, NULL, NULL, NULL);
    expect_cred_error("DCOS_SERVICE_ACCOUNT_CREDENTIAL", NULL, NULL, NULL,
                      NULL);
    expect_cred_error("--uid bob needs a password source: give "
                      "--password-file FILE or --private-key FILE",
                      "--uid", "bob", NULL, NULL);
    missing = h_fmt("%s/nonexist", g_dir);
    cmd = h_fmt("--token-file %s: no such file", missing);
    expect_cred_error(cmd, "--token-file", missing, NULL, NULL);
    free(cmd);
    cmd = h_fmt("--private-key %s: holds no PEM private key", garbage);
    expect_cred_error(cmd, "--uid", "bob", "--private-key", garbage);
    free(cmd);
    cmd = h_fmt("--private-key %s: the private key is encrypted", enc);
    expect_cred_error(cmd, "--uid", "bob", "--private-key", enc);
    free(cmd);
    cmd = h_fmt("--private-key %s: not an RSA key", ec);
    expect_cred_error(cmd, "--uid", "bob", "--private-key", ec);
    free(cmd);
    setenv("DCOS_SERVICE_ACCOUNT_CREDENTIAL", missing, 1);
    expect_cred_error("DCOS_SERVICE_ACCOUNT_CREDENTIAL: neither a file nor "
                      "a JSON credential",
                      NULL, NULL, NULL, NULL);
    setenv("DCOS_SERVICE_ACCOUNT_CREDENTIAL",
           "{\"uid\":\"x\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\n"
           "abc\\n-----END PRIVATE KEY-----\\n\"}",
           1);
    expect_cred_error("DCOS_SERVICE_ACCOUNT_CREDENTIAL: holds no PEM "
                      "private key",
                      NULL, NULL, NULL, NULL);
    unsetenv("DCOS_SERVICE_ACCOUNT_CREDENTIAL");
    free(missing);
    free(garbage);
    free(ec);
    free(enc);
}

/* The service-account credential JSON (what create-sa-secret stores and
 * the SDK reads) logs in from --private-key and from
 * DCOS_SERVICE_ACCOUNT_CREDENTIAL, as JSON or as a path. */
static void test_credential_json(void **state)
{
    char *file = e_runbook_file(), *json, *path;
    struct e_run r;
    size_t i;

    (void)state;
    EVP_PKEY_free(e_runbook_default(&g_sim, 0));
    json = e_secret_value(&g_sim, "elastic/secret");
    assert_non_null(json);
    path = scratch("elastic.json", json);
    for (i = 0; i < 3; i++) {
        if (i == 1)
            setenv("DCOS_SERVICE_ACCOUNT_CREDENTIAL", json, 1);
        if (i == 2)
            setenv("DCOS_SERVICE_ACCOUNT_CREDENTIAL", path, 1);
        e_log_clear(&g_sim);
        if (i == 0)
            r = e_etls(NULL, "plan", file, "--cluster", g_sim.url,
                       "--ca-cert", g_sim.ca_cert, "--private-key", path,
                       "--detailed-exitcode", (char *)NULL);
        else
            r = e_etls(NULL, "plan", file, "--cluster", g_sim.url,
                       "--ca-cert", g_sim.ca_cert, "--detailed-exitcode",
                       (char *)NULL);
        e_expect_rc(&r, 0);
        e_expect_out(&r, "No changes.");
        e_assert_clean(&r, &g_sim, "elastic/secret");
        e_assert_no_writes(&g_sim, "etls plan");
        if (e_log_count(&g_sim, "POST", "/acs/api/v1/auth/login") < 1)
            fail_msg("run %zu did not log in", i);
        e_run_free(&r);
    }
    unsetenv("DCOS_SERVICE_ACCOUNT_CREDENTIAL");
    free(path);
    free(json);
    free(file);
}

/* A refused connection is reported as such. */
static void test_refused_connection(void **state)
{
    char *file = e_runbook_file(), *tok, *url;
    struct e_run r;

    (void)state;
    h_login(&g_sim);
    tok = scratch("token", g_sim.token);
    url = h_fmt("https://127.0.0.1:%d", e_closed_port());
    r = e_etls(NULL, "plan", file, "--cluster", url, "--ca-cert",
               g_sim.ca_cert, "--token-file", tok, (char *)NULL);
    e_expect_rc(&r, 1);
    e_expect_err(&r, "cannot reach the cluster");
    if (strstr(r.err, "CA"))
        fail_msg("a refused connection reads as a CA problem: %s", r.err);
    e_run_free(&r);
    free(url);
    free(tok);
    free(file);
}

/* ---- the dcos CLI configuration ---- */

/* A dcos CLI configuration of the sim in g_dir (DCOS_DIR): one attached
 * cluster whose ssl_verify is @ssl_verify (a TOML value). */
static void dcos_setup(const char *ssl_verify)
{
    char *d = h_fmt("%s/clusters/5ea11a7e-0000-4000-8000-000000000001",
                    g_dir);
    char *toml, *p;

    h_login(&g_sim);
    p = h_fmt("mkdir -p %s && touch %s/attached", d, d);
    assert_int_equal(system(p), 0);
    free(p);
    toml = h_fmt("[core]\ndcos_url = \"%s\"\ndcos_acs_token = \"%s\"\n"
                 "ssl_verify = %s\n\n[cluster]\nname = \"sim\"\n",
                 g_sim.url, g_sim.token, ssl_verify);
    p = scratch("clusters/5ea11a7e-0000-4000-8000-000000000001/dcos.toml",
                toml);
    free(p);
    free(toml);
    free(d);
}

static void test_dcos_toml(void **state)
{
    char *file = e_runbook_file(), *verify = h_fmt("\"%s\"", g_sim.ca_cert);
    struct e_run r;

    (void)state;
    dcos_setup(verify);
    /* No cluster flag at all. */
    e_log_clear(&g_sim);
    r = e_etls(NULL, "plan", file, "--detailed-exitcode", (char *)NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "Plan: 4 to add, 0 to change, 0 to destroy.");
    e_assert_no_writes(&g_sim, "etls plan");
    if (requests() == 0)
        fail_msg("the plan did not read the cluster of dcos.toml");
    e_run_free(&r);

    /* etls config names each origin and never the token. */
    r = e_etls(NULL, "config", NULL, (char *)NULL);
    e_expect_rc(&r, 0);
    e_expect_out(&r, g_sim.url);
    e_expect_out(&r, "clusters/5ea11a7e-0000-4000-8000-000000000001/"
                     "dcos.toml");
    e_expect_out(&r, "token (not shown)");
    e_expect_not_out(&r, g_sim.token);
    e_assert_clean(&r, NULL, NULL);
    e_run_free(&r);

    /* The environment wins over dcos.toml: DCOS_SSL_VERIFY=False. */
    setenv("DCOS_SSL_VERIFY", "False", 1);
    r = e_etls(NULL, "config", NULL, (char *)NULL);
    e_expect_out(&r, "NOT VERIFIED (insecure)");
    e_expect_out(&r, "from:       DCOS_SSL_VERIFY");
    e_run_free(&r);
    r = e_etls(NULL, "plan", file, "--detailed-exitcode", (char *)NULL);
    e_expect_rc(&r, 2);
    e_run_free(&r);
    /* 0 is false too, not a CA file "0". */
    setenv("DCOS_SSL_VERIFY", "0", 1);
    r = e_etls(NULL, "plan", file, "--detailed-exitcode", (char *)NULL);
    e_expect_rc(&r, 2);
    e_run_free(&r);
    unsetenv("DCOS_SSL_VERIFY");
    free(verify);
    free(file);
}

/* core.ssl_verify = "false" in dcos.toml, as the dcos CLI writes it
 * after `dcos cluster setup --insecure`. */
static void test_dcos_toml_insecure(void **state)
{
    char *file = e_runbook_file();
    struct e_run r;

    (void)state;
    dcos_setup("\"false\"");
    r = e_etls(NULL, "plan", file, "--detailed-exitcode", (char *)NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "Plan: 4 to add");
    e_run_free(&r);
    free(file);
}

/* ---- YAML and JSON ---- */

/* The JSON plan of @file, its cluster URL dropped (new). */
static json_t *json_plan(const char *file)
{
    struct e_run r = e_etls(&g_sim, "plan", file, "-o", "json",
                            "--detailed-exitcode", (char *)NULL);
    json_t *j;

    e_expect_rc(&r, 2);
    j = json_loads(r.out, 0, NULL);
    if (!j)
        fail_msg("not JSON: %s", r.out);
    e_run_free(&r);
    return j;
}

/*
 * The runbook's document and its YAML twin give the same plan, on the
 * empty cluster and on the one with the secret forgotten.  That cluster
 * may still move (its scheduler restarts): a comparison counts only when
 * the JSON document's plan is the same before and after the YAML's.
 */
static void test_yaml_json_same_plan(void **state)
{
    char *file = e_runbook_file(), *yaml, *ypath;
    json_t *doc, *a, *b, *c, *p;
    json_error_t err;
    int round, tries;

    (void)state;
    doc = json_load_file(file, 0, &err);
    assert_non_null(doc);
    yaml = h_yaml_twin(doc);
    ypath = scratch("elastic-tls.yaml", yaml);
    for (round = 0; round < 2; round++) {
        if (round == 1) {
            p = e_install_without_secret(&g_sim);
            assert_non_null(p);
            json_decref(p);
        }
        for (tries = 0;; tries++) {
            a = json_plan(file);
            b = json_plan(ypath);
            c = json_plan(file);
            if (json_equal(a, c) || tries == 10)
                break;
            json_decref(a);
            json_decref(b);
            json_decref(c);
            h_sleep_ms(200);
        }
        if (!json_equal(a, c))
            fail_msg("round %d: the cluster never held still", round);
        if (!json_equal(a, b)) {
            char *da = json_dumps(a, JSON_INDENT(1) | JSON_SORT_KEYS);
            char *db = json_dumps(b, JSON_INDENT(1) | JSON_SORT_KEYS);

            fail_msg("round %d: the YAML plan differs:\n%s\n---\n%s", round,
                     da, db);
        }
        json_decref(a);
        json_decref(b);
        json_decref(c);
    }
    json_decref(doc);
    free(yaml);
    free(ypath);
    free(file);
}

/* ---- help that teaches ---- */

static void test_help_and_suggestions(void **state)
{
    char *typo = scratch("typo.json",
                         "{\"service\": {\"name\": \"elastic\", "
                         "\"service_acount\": \"elastic\"}}\n");
    struct e_run r, h;

    (void)state;
    r = e_etls(NULL, "help", NULL, "plan", (char *)NULL);
    e_expect_rc(&r, 0);
    e_expect_out(&r, "Usage: etls plan -f PATH");
    e_expect_out(&r, "  -o, --output FORMAT       text (default), json, or "
                     "markdown");
    e_expect_out(&r, "Examples:\n");
    h = e_etls(NULL, "plan", NULL, "--help", (char *)NULL);
    e_expect_rc(&h, 0);
    assert_string_equal(h.out, r.out);
    e_run_free(&h);
    e_run_free(&r);

    r = e_etls(NULL, "plan", NULL, "--outptu=json", (char *)NULL);
    e_expect_rc(&r, 1);
    e_expect_err(&r, "etls: unknown option '--outptu'; did you mean "
                     "'--output'?\nRun 'etls help plan' for usage.");
    e_run_free(&r);
    r = e_etls(NULL, "plna", NULL, (char *)NULL);
    e_expect_rc(&r, 1);
    e_expect_err(&r, "did you mean 'plan'?");
    e_run_free(&r);
    r = e_etls(NULL, "validate", typo, (char *)NULL);
    e_expect_rc(&r, 1);
    e_expect_err(&r, "typo.json:1:");
    e_expect_err(&r, "did you mean \"service_account\"?");
    e_run_free(&r);
    free(typo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_markdown_plan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_markdown_saved_plan, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_no_color, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat, setup_slow,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_default, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_credential_errors, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_credential_json, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_refused_connection, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_dcos_toml, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dcos_toml_insecure, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_yaml_json_same_plan, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_help_and_suggestions, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
