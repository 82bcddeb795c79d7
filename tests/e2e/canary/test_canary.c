/*
 * Secrets canary for the etls binary (issue: "secrets never appear in logs,
 * plan output, errors, metrics or argv").
 *
 * Against a private dcos-sim, etls runs with `--trace --log-level debug`:
 * plan and apply on manifests/elastic-tls.json from an empty cluster, then
 * with every way of logging in (the sim's bootstrap password, a token file,
 * DCOS_URL + DCOS_SSL_VERIFY + DCOS_ACS_TOKEN, --password-file, a
 * service-account --private-key), with a manifest that carries a password,
 * and on error paths (wrong key, wrong password, forged token, secrets
 * wrongly put in argv), and a plan saved with -out.  Everything etls
 * printed (stdout and stderr) and the saved plan file are then searched
 * for the bootstrap password, the other passwords, every token issued (and
 * anything that decodes as a JWT), every private key the test wrote, and
 * the private key etls
 * generated (read back from the secret through the API).  `etls --help`
 * must document no flag that takes a secret value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/util.h"
#include "harness/h_cluster.h"
#include "harness/h_crypto.h"
#include "harness/h_file.h"
#include "harness/h_json.h"
#include "harness/harness.h"
#include "e2e/run/run_testutil.h"

#define SPEED "40"
#define RUN_TIMEOUT_S "300" /* bound of every etls run, real seconds */
#define OPS_UID "canary-ops"
#define BOOT_UID "bootstrapuser"
#define BOOT_PW "deleteme"
#define HEALTH_PW "changeme"
#define WRONG_PW "Wrong-Pass-Canary-77"
#define MANIFEST_PW "Manifest-Pw-Canary-55"
#define MAX_RUNS 40
#define MAX_TOKENS 8
#define MAX_ARGS 40
#define CHUNK 32 /* characters of a key body searched for at a time */

struct run {
    char *name;
    int rc;
    char *out;
    char *err;
};

static struct h_sim g_sim;
static char g_dir[256];
static struct run g_runs[MAX_RUNS];
static size_t g_n_runs;
static bool g_runs_done;
static size_t g_hits; /* findings of every check, for the figures */
static char *g_tokens[MAX_TOKENS]; /* every token the test knows of */
static size_t g_n_tokens;
static char *g_ops_key;       /* PEM written for --private-key */
static char *g_wrong_key;     /* PEM of a key no account holds */
static char *g_generated_key; /* elastic/secret's private_key after apply */

/* ---- small helpers ---- */

static void add_token(const char *tok)
{
    assert_true(g_n_tokens < MAX_TOKENS);
    g_tokens[g_n_tokens] = strdup(tok);
    assert_non_null(g_tokens[g_n_tokens]);
    g_n_tokens++;
}

/*
 * Decode the base64url text @s (@n characters, no padding) into a new
 * NUL-terminated buffer; NULL when it is not decodable.  Lenient on
 * purpose (OpenSSL's decoder, any trailing bits), unlike the strict
 * util_b64url_decode, so that a JWT cut short in a log is still found.
 */
static unsigned char *b64url_decode(const char *s, size_t n)
{
    size_t padded = (n + 3) / 4 * 4, i;
    unsigned char *in, *out;
    int len;

    if (n % 4 == 1)
        return NULL;
    in = malloc(padded + 1);
    out = malloc(padded + 1);
    if (!in || !out)
        fail_msg("out of memory");
    for (i = 0; i < n; i++)
        in[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : (unsigned char)s[i];
    for (; i < padded; i++)
        in[i] = '=';
    in[padded] = '\0';
    len = EVP_DecodeBlock(out, in, (int)padded);
    free(in);
    if (len < 0) {
        free(out);
        return NULL;
    }
    out[len] = '\0';
    return out;
}

/*
 * With ETLS_CANARY_DUMP=DIR in the environment, keep each run's output in
 * DIR/<name>.out and DIR/<name>.err for a person to read.
 */
static void dump_run(const struct run *r)
{
    const char *dir = getenv("ETLS_CANARY_DUMP");
    const char *ext[2] = {"out", "err"};
    const char *text[2] = {r->out, r->err};
    size_t k;

    if (!dir || !*dir)
        return;
    for (k = 0; k < 2; k++) {
        char *path = h_fmt("%s/%s.%s", dir, r->name, ext[k]);
        FILE *f = fopen(path, "w");

        if (f) {
            fputs(text[k], f);
            fclose(f);
        }
        free(path);
    }
}

/*
 * Run etls with the NULL-terminated arguments (bounded by timeout(1)),
 * record its output as run @name and fail unless it exits with @want_rc.
 * With @env_token, the run gets the cluster from the environment as a
 * DC/OS CLI user has it: DCOS_URL, DCOS_SSL_VERIFY (the CA path) and
 * DCOS_ACS_TOKEN = @env_token (etls ignores them with --sim).
 */
static const struct run *etls(const char *name, int want_rc,
                              const char *env_token, ...)
{
    const char *argv[MAX_ARGS + 1];
    char bin[512];
    struct run *r;
    va_list ap;
    size_t n = 0;
    const char *a;

    assert_true(g_n_runs < MAX_RUNS);
    snprintf(bin, sizeof(bin), "%s/etls", ETLS_BIN_DIR);
    argv[n++] = "timeout";
    argv[n++] = "-k";
    argv[n++] = "10";
    argv[n++] = RUN_TIMEOUT_S;
    argv[n++] = bin;
    va_start(ap, env_token);
    while ((a = va_arg(ap, const char *)) != NULL) {
        assert_true(n < MAX_ARGS);
        argv[n++] = a;
    }
    va_end(ap);
    argv[n] = NULL;

    r = &g_runs[g_n_runs++];
    r->name = strdup(name);
    assert_non_null(r->name);
    if (env_token) {
        setenv("DCOS_URL", g_sim.url, 1);
        setenv("DCOS_SSL_VERIFY", g_sim.ca_cert, 1);
        setenv("DCOS_ACS_TOKEN", env_token, 1);
    }
    r->rc = h_run(argv, NULL, &r->out, &r->err);
    unsetenv("DCOS_URL");
    unsetenv("DCOS_SSL_VERIFY");
    unsetenv("DCOS_ACS_TOKEN");
    assert_non_null(r->out);
    assert_non_null(r->err);
    dump_run(r);
    printf("# run %-32s exit %d, %6zu bytes stdout, %7zu bytes stderr\n",
           name, r->rc, strlen(r->out), strlen(r->err));
    fflush(stdout);
    if (r->rc != want_rc) {
        size_t el = strlen(r->err);

        fail_msg("etls run %s: exit %d, expected %d\n--- stdout:\n%s\n"
                 "--- stderr (tail):\n%s",
                 name, r->rc, want_rc, r->out,
                 el > 3000 ? r->err + el - 3000 : r->err);
    }
    return r;
}

/* Record @out and @err (taken over) as run @name: every check searches
 * them too. */
static void text_run(const char *name, char *out, char *err)
{
    struct run *r;

    assert_true(g_n_runs < MAX_RUNS);
    r = &g_runs[g_n_runs++];
    r->name = strdup(name);
    r->rc = 0;
    r->out = out ? out : strdup("");
    r->err = err ? err : strdup("");
    assert_true(r->name && r->out && r->err);
    dump_run(r);
    printf("# run %-32s %6zu bytes stdout, %7zu bytes stderr\n", name,
           strlen(r->out), strlen(r->err));
}

/*
 * etls run at debug level with --trace, repairing a membership removed
 * by hand: its event log, its stderr, /metrics and /status are searched
 * like every other output (issue 10: every output channel).
 */
static void daemon_runs(const char *manifest)
{
    struct r_daemon d;
    struct h_resp resp;
    struct e_run er;
    char *metrics;

    resp = h_delete(&g_sim, "/acs/api/v1/groups/superusers/users/elastic");
    assert_int_equal(resp.status, 204);
    h_resp_free(&resp);
    r_start(&d, &g_sim, manifest, "5s", "--trace", "--log-level", "debug",
            (char *)NULL);
    if (!r_wait_cond(&d, "elastic", "Ready", "True", NULL, R_WAIT_MS))
        fail_msg("etls run did not converge: %s", r_log(&d));
    resp = h_get(&g_sim,
                 "/acs/api/v1/groups/superusers/users?type=service");
    assert_int_equal(resp.status, 200);
    if (!strstr(resp.body, "\"elastic\""))
        fail_msg("membership not repaired: %s\n%s", resp.body, r_log(&d));
    h_resp_free(&resp);
    metrics = r_metrics(&d);
    assert_true(r_metric(metrics, "etls_drift_corrections_total",
                         "service=elastic") >= 1);
    text_run("daemon-metrics", metrics, NULL);
    resp = r_get(&d, "/status");
    assert_int_equal(resp.status, 200);
    text_run("daemon-status", strdup(resp.body), NULL);
    h_resp_free(&resp);
    er = r_stop(&d, SIGTERM, 40000);
    assert_int_equal(er.rc, 0);
    text_run("daemon-log", er.out, er.err);
}

/* Record the contents of the file @path as the stdout of a run @name, so
 * that every check searches it too. */
static void file_run(const char *name, const char *path)
{
    struct run *r;
    size_t len;

    assert_true(g_n_runs < MAX_RUNS);
    r = &g_runs[g_n_runs++];
    r->name = strdup(name);
    r->rc = 0;
    r->err = strdup("");
    if (util_read_file(&r->out, &len, path, 16u << 20) != 0)
        fail_msg("cannot read %s", path);
    assert_true(r->name && r->err);
}

/*
 * @s without line breaks and their escaped forms (\n, \r, \x0a, \x0d,
 * \u000a), so that text split or escaped differently still matches.
 */
static char *flatten(const char *s)
{
    static const char *const drop[] = {"\\u000a", "\\u000d", "\\x0a",
                                       "\\x0d",   "\\n",     "\\r",
                                       "\n",      "\r"};
    char *o = malloc(strlen(s) + 1), *w = o;

    if (!o)
        fail_msg("out of memory");
    while (*s) {
        size_t i, len = 0;

        for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
            len = strlen(drop[i]);
            if (strncmp(s, drop[i], len) == 0)
                break;
            len = 0;
        }
        if (len) {
            s += len;
            continue;
        }
        *w++ = *s++;
    }
    *w = '\0';
    return o;
}

/* Base64 body of a PEM (all lines between BEGIN and END, joined; new). */
static char *pem_body(const char *pem)
{
    const char *p = strstr(pem, "-----BEGIN");
    char *o = malloc(strlen(pem) + 1), *w = o;

    if (!o)
        fail_msg("out of memory");
    assert_non_null(p);
    p = strchr(p, '\n');
    assert_non_null(p);
    for (; *p && strncmp(p, "-----END", 8) != 0; p++)
        if (isalnum((unsigned char)*p) || *p == '+' || *p == '/' ||
            *p == '=')
            *w++ = *p;
    *w = '\0';
    return o;
}

/* Violations found by the checks below, one per line. */
struct findings {
    char *text;
    size_t len;
    FILE *f;
};

static void findings_begin(struct findings *fd)
{
    assert_true(g_runs_done);
    assert_true(g_n_runs > 0);
    fd->text = NULL;
    fd->len = 0;
    fd->f = open_memstream(&fd->text, &fd->len);
    assert_non_null(fd->f);
}

static void findings_end(struct findings *fd)
{
    char msg[4096];
    size_t len;

    assert_int_equal(fclose(fd->f), 0);
    len = fd->len;
    if (len)
        g_hits++;
    snprintf(msg, sizeof(msg), "%s", fd->text ? fd->text : "");
    free(fd->text);
    if (len)
        fail_msg("secret material in etls output:\n%s", msg);
}

/* Record every run whose stdout or stderr holds @needle (not printed). */
static void absent(struct findings *fd, const char *needle, const char *what)
{
    size_t i;

    for (i = 0; i < g_n_runs; i++) {
        const struct run *r = &g_runs[i];

        if (strstr(r->out, needle))
            fprintf(fd->f, "run %s: %s on stdout\n", r->name, what);
        if (strstr(r->err, needle))
            fprintf(fd->f, "run %s: %s on stderr\n", r->name, what);
    }
}

/*
 * Record every run whose output holds any CHUNK characters of the private
 * key @pem, however the output wraps or escapes its lines.
 */
static void key_absent(struct findings *fd, const char *pem, const char *what)
{
    char *body = pem_body(pem);
    size_t blen = strlen(body), i, k, hits;

    assert_true(blen > 1000); /* an RSA-2048 key */
    for (i = 0; i < g_n_runs; i++) {
        const char *streams[2] = {g_runs[i].out, g_runs[i].err};

        for (k = 0; k < 2; k++) {
            char *flat = flatten(streams[k]);
            size_t off;

            hits = 0;
            for (off = 0; off + CHUNK <= blen; off += CHUNK / 2) {
                char chunk[CHUNK + 1];

                memcpy(chunk, body + off, CHUNK);
                chunk[CHUNK] = '\0';
                if (strstr(flat, chunk))
                    hits++;
            }
            if (hits)
                fprintf(fd->f, "run %s: %zu pieces of %s on %s\n",
                        g_runs[i].name, hits, what, k ? "stderr" : "stdout");
            free(flat);
        }
    }
    OPENSSL_cleanse(body, blen);
    free(body);
}

/* 1 when @s holds something that decodes as a JWT header or claims. */
static int has_jwt(const char *s, char *where, size_t wlen)
{
    const char *p = s;

    while ((p = strstr(p, "eyJ")) != NULL) {
        size_t n = 0;
        unsigned char *dec;
        int hit;

        while (isalnum((unsigned char)p[n]) || p[n] == '-' || p[n] == '_')
            n++;
        /* A lone trailing character cannot be base64: leave it out. */
        dec = b64url_decode(p, n % 4 == 1 ? n - 1 : n);
        hit = dec && (strstr((char *)dec, "\"alg\"") ||
                      strstr((char *)dec, "\"uid\"") ||
                      strstr((char *)dec, "\"exp\"") ||
                      strstr((char *)dec, "\"typ\""));
        free(dec);
        if (hit) {
            snprintf(where, wlen, "offset %zu", (size_t)(p - s));
            return 1;
        }
        p += 3;
    }
    return 0;
}

/* ---- the runs ---- */

static void test_runs(void **state)
{
    const char *manifest = ETLS_SOURCE_DIR "/manifests/elastic-tls.json";
    const char *pw_manifest =
        ETLS_TEST_DATA "/canary/elastic-tls-password.json";
    char *tok_file, *pw_file, *wrong_pw_file, *ops_key_file, *wrong_key_file;
    char *forged_file, *forged, *ops_token, *t1, *body, *plan_file;
    const char *val_text;
    EVP_PKEY *ops, *wrong;
    const struct run *r;
    struct h_resp resp;
    json_t *val;
    const char *sd;
    size_t i;
    bool traced = false;

    (void)state;
    h_mkdtemp(g_dir, "canary");
    h_sim_up(&g_sim, NULL, SPEED);
    sd = g_sim.dir;
    add_token(g_sim.token);
    t1 = g_sim.token;

    /* Empty cluster: plan (text and JSON), then apply. */
    r = etls("plan-empty", 0, NULL, "plan", "-f", manifest, "--sim", sd,
             "--no-color", "--trace", "--log-level", "debug", (char *)NULL);
    assert_non_null(strstr(r->out, "Plan: "));
    etls("plan-empty-json", 0, NULL, "plan", "-f", manifest, "--sim", sd,
         "-o", "json", "--trace", "--log-level", "debug", (char *)NULL);
    r = etls("apply", 0, NULL, "apply", "-f", manifest, "--sim", sd,
             "--auto-approve", "--no-color", "--trace", "--log-level",
             "debug", "--timeout", "10m", (char *)NULL);
    assert_non_null(strstr(r->out, "Apply complete!"));

    /* The private key etls generated, read back through the API. */
    resp = h_get(&g_sim, "/secrets/v1/secret/default/elastic/secret");
    assert_int_equal(resp.status, 200);
    val_text = json_string_value(json_object_get(resp.json, "value"));
    assert_non_null(val_text);
    val = json_loads(val_text, 0, NULL);
    assert_non_null(val);
    assert_non_null(json_string_value(json_object_get(val, "private_key")));
    g_generated_key =
        strdup(json_string_value(json_object_get(val, "private_key")));
    assert_non_null(g_generated_key);
    assert_non_null(strstr(g_generated_key, "-----BEGIN PRIVATE KEY-----"));
    json_decref(val);
    h_resp_free(&resp);

    /* Converged: the plan reads the secret (and the health password). */
    etls("plan-converged", 0, NULL, "plan", "-f", manifest, "--sim", sd,
         "--detailed-exitcode", "--no-color", "--trace", "--log-level",
         "debug", (char *)NULL);

    /* A token the test got itself: from a file and from the environment. */
    body = h_fmt("%s\n", t1);
    tok_file = h_write_file(g_dir, "token", body);
    free(body);
    etls("plan-token-file", 0, NULL, "plan", "-f", manifest, "--sim", sd,
         "--token-file", tok_file, "--no-color", "--trace", "--log-level",
         "debug", (char *)NULL);
    etls("plan-env-token", 0, t1, "plan", "-f", manifest, "--no-color",
         "--trace", "--log-level", "debug", (char *)NULL);

    /* The bootstrap user's password from a file. */
    pw_file = h_write_file(g_dir, "password", BOOT_PW "\n");
    etls("plan-password-file", 0, NULL, "plan", "-f", manifest, "--sim", sd,
         "--uid", BOOT_UID, "--password-file", pw_file, "--no-color",
         "--trace", "--log-level", "debug", (char *)NULL);

    /* A service account with a key pair made here, in superusers. */
    ops = h_rsa_new();
    wrong = h_rsa_new();
    g_ops_key = h_priv_pem(ops);
    g_wrong_key = h_priv_pem(wrong);
    h_account_put(&g_sim, OPS_UID, ops, "canary");
    h_group_add(&g_sim, "superusers", OPS_UID);
    ops_token = h_login_service(&g_sim, OPS_UID, ops);
    if (!ops_token)
        fail_msg("service login of %s failed", OPS_UID);
    add_token(ops_token);
    free(ops_token);
    ops_key_file = h_write_file(g_dir, "ops.pem", g_ops_key);
    wrong_key_file = h_write_file(g_dir, "wrong.pem", g_wrong_key);

    etls("plan-service-login", 0, NULL, "plan", "-f", manifest, "--sim", sd,
         "--uid", OPS_UID, "--private-key", ops_key_file, "--no-color",
         "--trace", "--log-level", "debug", (char *)NULL);
    r = etls("apply-service-login", 0, NULL, "apply", "-f", manifest,
             "--sim", sd, "--auto-approve", "--uid", OPS_UID,
             "--private-key", ops_key_file, "--no-color", "--trace",
             "--log-level", "debug", "--timeout", "10m", (char *)NULL);
    assert_non_null(strstr(r->out, "Apply complete!"));

    /* A manifest that carries a password: plan output must mask it. */
    etls("validate-manifest-password", 0, NULL, "validate", "-f",
         pw_manifest, "--log-level", "debug", (char *)NULL);
    r = etls("plan-manifest-password", 2, NULL, "plan", "-f", pw_manifest,
             "--sim", sd, "--detailed-exitcode", "--no-color", "--trace",
             "--log-level", "debug", (char *)NULL);
    assert_non_null(strstr(r->out, "health_user_password"));
    r = etls("plan-manifest-password-json", 0, NULL, "plan", "-f",
             pw_manifest, "--sim", sd, "-o", "json", "--trace",
             "--log-level", "debug", (char *)NULL);
    assert_non_null(strstr(r->out, "health_user_password"));
    /* A saved plan of it: the file is searched like the outputs. */
    plan_file = h_path(g_dir, "plan.etls");
    etls("plan-manifest-password-out", 2, NULL, "plan", "-f", pw_manifest,
         "--sim", sd, "--detailed-exitcode", "--no-color", "-out", plan_file,
         "--trace", "--log-level", "debug", (char *)NULL);
    file_run("saved-plan-file", plan_file);
    free(plan_file);
    /* Apply it (the update carries the password), then plan again. */
    r = etls("apply-manifest-password", 0, NULL, "apply", "-f", pw_manifest,
             "--sim", sd, "--auto-approve", "--no-color", "--trace",
             "--log-level", "debug", "--timeout", "10m", (char *)NULL);
    assert_non_null(strstr(r->out, "Apply complete!"));
    etls("plan-manifest-password-converged", 0, NULL, "plan", "-f",
         pw_manifest, "--sim", sd, "--detailed-exitcode", "--no-color",
         "--trace", "--log-level", "debug", (char *)NULL);

    /* The controller, with the manifest's password. */
    daemon_runs(pw_manifest);

    /* Error paths. */
    etls("fail-wrong-key", 1, NULL, "plan", "-f", manifest, "--sim", sd,
         "--uid", OPS_UID, "--private-key", wrong_key_file, "--no-color",
         "--trace", "--log-level", "debug", (char *)NULL);
    wrong_pw_file = h_write_file(g_dir, "wrong-password", WRONG_PW "\n");
    etls("fail-wrong-password", 1, NULL, "plan", "-f", manifest, "--sim", sd,
         "--uid", BOOT_UID, "--password-file", wrong_pw_file, "--no-color",
         "--trace", "--log-level", "debug", (char *)NULL);
    forged = h_service_jwt(wrong, BOOT_UID, 300);
    add_token(forged);
    body = h_fmt("%s\n", forged);
    forged_file = h_write_file(g_dir, "forged-token", body);
    free(body);
    etls("fail-forged-token", 1, NULL, "apply", "-f", manifest, "--sim", sd,
         "--auto-approve", "--token-file", forged_file, "--no-color",
         "--trace", "--log-level", "debug", (char *)NULL);
    etls("fail-forged-env-token", 1, forged, "plan", "-f", manifest,
         "--no-color", "--trace", "--log-level", "debug", (char *)NULL);
    free(forged);

    /* Every log level, on success and failure (issue 10). */
    etls("plan-info", 0, NULL, "plan", "-f", manifest, "--sim", sd,
         "--no-color", "--log-level", "info", (char *)NULL);
    etls("fail-wrong-password-warn", 1, NULL, "plan", "-f", manifest,
         "--sim", sd, "--uid", BOOT_UID, "--password-file", wrong_pw_file,
         "--no-color", "--log-level", "warn", (char *)NULL);
    etls("fail-wrong-password-error", 1, NULL, "plan", "-f", manifest,
         "--sim", sd, "--uid", BOOT_UID, "--password-file", wrong_pw_file,
         "--no-color", "--log-level", "error", (char *)NULL);
    /* The bootstrap password in the cluster URL (and --insecure, whose
     * warning names the URL): refused without printing it. */
    body = h_fmt("https://" BOOT_UID ":" BOOT_PW "@%s",
                 g_sim.url + strlen("https://"));
    etls("fail-url-userinfo", 1, NULL, "plan", "-f", manifest, "--sim", sd,
         "--cluster", body, "--insecure", "--no-color", "--trace",
         "--log-level", "debug", (char *)NULL);
    free(body);

    /* Secrets wrongly given in argv are refused and not echoed. */
    etls("argv-password", 1, NULL, "plan", "-f", manifest, "--sim", sd,
         "--password=" BOOT_PW, (char *)NULL);
    etls("argv-token", 1, NULL, "plan", "-f", manifest, "--sim", sd,
         "--token", t1, (char *)NULL);
    etls("argv-key-as-file", 1, NULL, "plan", "-f", manifest, "--sim", sd,
         "--uid", OPS_UID, "--private-key", g_wrong_key, (char *)NULL);

    /* The trace was on: authorised requests were traced, redacted. */
    for (i = 0; i < g_n_runs; i++)
        if (strstr(g_runs[i].err, "> Authorization: <redacted>"))
            traced = true;
    assert_true(traced);

    EVP_PKEY_free(ops);
    EVP_PKEY_free(wrong);
    free(tok_file);
    free(pw_file);
    free(wrong_pw_file);
    free(ops_key_file);
    free(wrong_key_file);
    free(forged_file);
    g_runs_done = true;
}

/* ---- the checks ---- */

static void test_no_bootstrap_password(void **state)
{
    struct findings fd;

    (void)state;
    findings_begin(&fd);
    absent(&fd, BOOT_PW, "the bootstrap password");
    findings_end(&fd);
}

static void test_no_wrong_password(void **state)
{
    struct findings fd;

    (void)state;
    findings_begin(&fd);
    absent(&fd, WRONG_PW, "a wrong password from --password-file");
    findings_end(&fd);
}

/*
 * A password among the package options of the manifest (here
 * elasticsearch.health_user_password): masked in the plan, and never shown
 * by the trace of the install/update request that carries it.
 */
static void test_no_manifest_password(void **state)
{
    struct findings fd;

    (void)state;
    findings_begin(&fd);
    absent(&fd, MANIFEST_PW, "the password written in the manifest");
    findings_end(&fd);
}

/* The default health-check password (elasticsearch.health_user_password of
 * the resolved options, used for the HTTPS check's basic auth). */
static void test_no_health_password(void **state)
{
    struct findings fd;

    (void)state;
    findings_begin(&fd);
    absent(&fd, HEALTH_PW, "the health-check password");
    absent(&fd, "elastic:" HEALTH_PW, "the basic-auth credentials");
    findings_end(&fd);
}

static void test_no_tokens(void **state)
{
    struct findings fd;
    size_t i;

    (void)state;
    findings_begin(&fd);
    assert_true(g_n_tokens >= 3);
    for (i = 0; i < g_n_tokens; i++) {
        char what[64];
        size_t n = strlen(g_tokens[i]);

        snprintf(what, sizeof(what), "token #%zu", i + 1);
        absent(&fd, g_tokens[i], what);
        /* Its signature alone. */
        if (strrchr(g_tokens[i], '.') && n > 40)
            absent(&fd, strrchr(g_tokens[i], '.') + 1, what);
    }
    absent(&fd, "eyJhbGciOi", "a JWT header");
    for (i = 0; i < g_n_runs; i++) {
        char where[64];

        if (has_jwt(g_runs[i].out, where, sizeof(where)))
            fprintf(fd.f, "run %s: a JWT on stdout at %s\n",
                    g_runs[i].name, where);
        if (has_jwt(g_runs[i].err, where, sizeof(where)))
            fprintf(fd.f, "run %s: a JWT on stderr at %s\n",
                    g_runs[i].name, where);
    }
    findings_end(&fd);
}

static void test_no_private_keys(void **state)
{
    struct findings fd;

    (void)state;
    findings_begin(&fd);
    assert_non_null(g_ops_key);
    assert_non_null(g_wrong_key);
    absent(&fd, "PRIVATE KEY", "a private key marker");
    key_absent(&fd, g_ops_key, "the --private-key key");
    findings_end(&fd);
}

/*
 * The wrong key was given once as a file and once (wrongly) as the value
 * of --private-key in argv: etls must not echo it back.
 */
static void test_no_wrong_key(void **state)
{
    struct findings fd;

    (void)state;
    findings_begin(&fd);
    key_absent(&fd, g_wrong_key, "a key given in argv or a file");
    findings_end(&fd);
}

static void test_no_generated_key(void **state)
{
    struct findings fd;

    (void)state;
    findings_begin(&fd);
    assert_non_null(g_generated_key);
    key_absent(&fd, g_generated_key, "the private key etls generated");
    findings_end(&fd);
}

/* The check itself finds what it looks for (else it proves nothing). */
static void test_checks_can_fail(void **state)
{
    char *flat, *body, *jwt, where[64];
    char *wrapped;
    size_t i, n;

    (void)state;
    assert_non_null(g_generated_key);
    body = pem_body(g_generated_key);
    n = strlen(body);
    /* Re-wrapped at 76 columns with escaped line ends, as in a trace. */
    wrapped = malloc(n * 2 + 16);
    assert_non_null(wrapped);
    for (i = 0; i * 76 < n; i++) {
        size_t len = n - i * 76 < 76 ? n - i * 76 : 76;

        memcpy(wrapped + i * 80, body + i * 76, len);
        memcpy(wrapped + i * 80 + len, "\\x0a", 4);
        wrapped[i * 80 + len + 4] = '\0';
    }
    flat = flatten(wrapped);
    assert_non_null(strstr(flat, body + 100));
    free(flat);
    free(wrapped);
    free(body);
    jwt = h_fmt("token=%s;", g_tokens[0]);
    assert_int_equal(has_jwt(jwt, where, sizeof(where)), 1);
    free(jwt);
    assert_int_equal(has_jwt("eyJzzz not a token, eyJ", where,
                             sizeof(where)),
                     0);
}

/* `etls plan --help` (every option group): every flag named like a
 * secret takes a FILE, never the secret itself, and every value
 * placeholder is a known kind. */
static void test_help_has_no_secret_values(void **state)
{
    static const char *const secretish[] = {"token", "password", "passwd",
                                            "secret", "key", "jwt",
                                            "credential"};
    static const char *const kinds[] = {"PATH", "FILE", "DIR", "URL", "UID",
                                        "DURATION", "N", "LEVEL",
                                        "FORMAT"};
    char bin[512], *out = NULL, *err = NULL, *line, *save = NULL;
    const char *argv[] = {bin, "plan", "--help", NULL};
    size_t n_secretish = 0, n_flags = 0, i;
    int rc;

    (void)state;
    snprintf(bin, sizeof(bin), "%s/etls", ETLS_BIN_DIR);
    rc = h_run(argv, NULL, &out, &err);
    assert_int_equal(rc, 0);
    assert_string_equal(err, "");
    for (line = strtok_r(out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *tok, *s2 = NULL, *flag = NULL, *arg = NULL;

        /* Option lines are indented by two spaces; the description and
         * the wrapped text of an option are not. */
        if (strncmp(line, "  -", 3) != 0)
            continue;
        line += 2;
        /*
         * "-f, --file PATH      text" or "--insecure           TEXT": the
         * synopsis ends at the first run of two spaces.
         */
        if ((tok = strstr(line, "  ")) != NULL)
            *tok = '\0';
        for (tok = strtok_r(line, " ", &s2); tok;
             tok = strtok_r(NULL, " ", &s2)) {
            size_t len = strlen(tok);

            if (tok[0] == '-') {
                if (tok[len - 1] == ',')
                    tok[len - 1] = '\0';
                flag = tok;
            } else if (flag && !arg) {
                arg = tok;
            } else {
                fail_msg("cannot read the help line of %s", line);
            }
        }
        if (!flag)
            continue;
        n_flags++;
        if (arg) {
            bool known = false;

            for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
                if (strcmp(arg, kinds[i]) == 0)
                    known = true;
            if (!known)
                fail_msg("%s takes %s: not a known kind of value", flag,
                         arg);
        }
        for (i = 0; i < sizeof(secretish) / sizeof(secretish[0]); i++) {
            if (!strstr(flag, secretish[i]))
                continue;
            n_secretish++;
            if (!arg || strcmp(arg, "FILE") != 0)
                fail_msg("%s looks like a secret and takes %s, not FILE",
                         flag, arg ? arg : "nothing");
            break;
        }
    }
    /* --token-file, --password-file and --private-key at least. */
    assert_true(n_secretish >= 3);
    assert_true(n_flags >= 15);
    free(out);
    free(err);
}

static int group_teardown(void **state)
{
    size_t i;

    (void)state;
    if (g_sim.pid)
        h_sim_destroy(&g_sim);
    for (i = 0; i < g_n_runs; i++) {
        free(g_runs[i].name);
        free(g_runs[i].out);
        free(g_runs[i].err);
    }
    for (i = 0; i < g_n_tokens; i++)
        free(g_tokens[i]);
    free(g_ops_key);
    free(g_wrong_key);
    free(g_generated_key);
    if (g_dir[0])
        h_rmtree(g_dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_has_no_secret_values),
        cmocka_unit_test(test_runs),
        cmocka_unit_test(test_checks_can_fail),
        cmocka_unit_test(test_no_bootstrap_password),
        cmocka_unit_test(test_no_wrong_password),
        cmocka_unit_test(test_no_manifest_password),
        cmocka_unit_test(test_no_health_password),
        cmocka_unit_test(test_no_tokens),
        cmocka_unit_test(test_no_private_keys),
        cmocka_unit_test(test_no_wrong_key),
        cmocka_unit_test(test_no_generated_key),
    };

    int r = cmocka_run_group_tests(tests, NULL, group_teardown);

    /* For scripts/hardening.sh (the checks above fail on any hit). */
    printf("canary: %zu outputs scanned, %zu checks with hits\n", g_n_runs,
           g_hits);
    return r;
}
