/*
 * Unit tests of controller/cli.c: every flag in both spellings, missing
 * values, unknown options, the environment (DCOS_URL, DCOS_SSL_VERIFY,
 * DCOS_ACS_TOKEN) and its precedence, credential rules, secrets read from
 * files, durations, and cli_apply_sim() on a cluster.json written here.
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
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "common/secret.h"
#include "controller/cli.h"
#include "ctl_testutil.h"
#include "harness/h_crypto.h"

#include <openssl/pem.h>

#define MAX_ARGS 64

/* What the last parse() wrote to stderr (new; freed by the next parse). */
static char *last_err;

/* Per-test scratch directory. */
static char dir[256];

/* A real RSA key of the tests (PKCS#8 PEM, and JSON-escaped), made once. */
static char *g_key_pem, *g_key_json;

/* g_key_pem without its trailing line end, as etls reads files. */
static char *key_read(void)
{
    char *k = strdup(g_key_pem);

    assert_non_null(k);
    while (*k && k[strlen(k) - 1] == '\n')
        k[strlen(k) - 1] = '\0';
    return k;
}

static int group_setup(void **state)
{
    EVP_PKEY *k = h_rsa_new();
    size_t i, n = 0;

    (void)state;
    g_key_pem = h_priv_pem(k);
    EVP_PKEY_free(k);
    g_key_json = malloc(2 * strlen(g_key_pem) + 1);
    if (!g_key_json)
        return -1;
    for (i = 0; g_key_pem[i]; i++) {
        if (g_key_pem[i] == '\n') {
            g_key_json[n++] = '\\';
            g_key_json[n++] = 'n';
        } else {
            g_key_json[n++] = g_key_pem[i];
        }
    }
    g_key_json[n] = '\0';
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    free(g_key_pem);
    free(g_key_json);
    return 0;
}

static void clear_env(void)
{
    unsetenv("DCOS_URL");
    unsetenv("DCOS_SSL_VERIFY");
    unsetenv("DCOS_ACS_TOKEN");
    unsetenv("DCOS_SERVICE_ACCOUNT_CREDENTIAL");
    unsetenv("DCOS_DIR");
    unsetenv("DCOS_CLUSTER");
}

static int setup(void **state)
{
    (void)state;
    clear_env();
    h_mkdtemp(dir, "ctl-test");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    clear_env();
    h_rmtree(dir);
    free(last_err);
    last_err = NULL;
    return 0;
}

/*
 * cli_parse() of "etls" followed by the NULL-terminated arguments; what it
 * prints on stderr lands in last_err.
 */
static int parse(struct cli *c, ...)
{
    char *argv[MAX_ARGS + 1];
    va_list ap;
    int argc = 0, r;
    char *a;

    argv[argc++] = (char *)(uintptr_t)"etls";
    va_start(ap, c);
    while ((a = va_arg(ap, char *)) != NULL) {
        assert_true(argc < MAX_ARGS);
        argv[argc++] = a;
    }
    va_end(ap);
    argv[argc] = NULL;
    free(last_err);
    t_stderr_begin();
    r = cli_parse(c, argc, argv);
    last_err = t_stderr_end();
    return r;
}

/* Parse that must succeed and print nothing. */
#define PARSE_OK(c, ...)                                                      \
    do {                                                                      \
        int r_ = parse((c), __VA_ARGS__, (char *)NULL);                       \
        if (r_ != 0)                                                          \
            fail_msg("cli_parse failed (%d): %s", r_, last_err);              \
        assert_string_equal(last_err, "");                                    \
    } while (0)

/* Parse that must fail with ERR_INVALID and a message holding @want. */
#define PARSE_BAD(c, want, ...)                                               \
    do {                                                                      \
        int r_ = parse((c), __VA_ARGS__, (char *)NULL);                       \
        cli_free(c);                                                          \
        if (r_ != ERR_INVALID)                                                \
            fail_msg("expected ERR_INVALID, got %d (stderr: %s)", r_,         \
                     last_err);                                               \
        if (!strstr(last_err, (want)))                                        \
            fail_msg("stderr lacks \"%s\": %s", (want), last_err);            \
        assert_int_equal(t_count(last_err, "\n"), 2);                         \
        assert_non_null(strstr(last_err, "Run 'etls help"));                  \
    } while (0)

static void test_defaults(void **state)
{
    struct cli c;

    (void)state;
    PARSE_OK(&c, "plan");
    assert_string_equal(c.command, "plan");
    assert_null(c.file);
    assert_int_equal(c.output, CLI_OUTPUT_TEXT);
    assert_false(c.detailed_exitcode);
    assert_true(c.color);
    assert_null(c.cluster_url);
    assert_null(c.ca_cert);
    assert_false(c.insecure);
    assert_null(c.sim_dir);
    assert_null(c.uid);
    assert_null(c.token);
    assert_null(c.password);
    assert_null(c.private_key);
    assert_true(c.timeout == 900);
    assert_true(c.request_timeout == 30);
    assert_int_equal(c.max_connections, 32);
    assert_int_equal(c.log_level, LOG_WARN);
    assert_false(c.trace);
    cli_free(&c);
}

static void test_help_and_version(void **state)
{
    struct cli c;

    (void)state;
    PARSE_OK(&c, (char *)NULL);
    assert_string_equal(c.command, "help");
    cli_free(&c);
    PARSE_OK(&c, "-h");
    assert_string_equal(c.command, "help");
    cli_free(&c);
    PARSE_OK(&c, "--help");
    assert_string_equal(c.command, "help");
    cli_free(&c);
    PARSE_OK(&c, "--version");
    assert_string_equal(c.command, "version");
    cli_free(&c);
    PARSE_OK(&c, "version");
    assert_string_equal(c.command, "version");
    cli_free(&c);
    /* --help anywhere asks for the command's help, even before a bad
     * option. */
    PARSE_OK(&c, "plan", "-f", "x.json", "--help", "--bogus");
    assert_string_equal(c.command, "plan");
    assert_true(c.want_help);
    cli_free(&c);
    PARSE_OK(&c, "apply", "-h");
    assert_string_equal(c.command, "apply");
    assert_true(c.want_help);
    cli_free(&c);
    /* etls help COMMAND. */
    PARSE_OK(&c, "help", "plan");
    assert_string_equal(c.command, "help");
    assert_string_equal(c.help_topic, "plan");
    cli_free(&c);
    /* After `--`, -h is an argument. */
    PARSE_BAD(&c, "unexpected argument at position 3", "plan", "--", "-h");
}

/* A mistyped command, option or help topic gets a suggestion. */
static void test_did_you_mean(void **state)
{
    struct cli c;

    (void)state;
    PARSE_BAD(&c, "unknown command 'frobnicate'", "frobnicate");
    assert_null(strstr(last_err, "did you mean"));
    PARSE_BAD(&c, "unknown command 'aply'; did you mean 'apply'?", "aply");
    PARSE_BAD(&c, "unknown command 'valdate'; did you mean 'validate'?",
              "valdate");
    PARSE_BAD(&c, "unknown command 'pln'; did you mean 'plan'?", "help",
              "pln");
    PARSE_BAD(&c, "unknown option '--detaled-exitcode'; did you mean "
                  "'--detailed-exitcode'?",
              "plan", "--detaled-exitcode");
    PARSE_BAD(&c, "unknown option '--clustr'; did you mean '--cluster'?",
              "apply", "--clustr=https://x");
    PARSE_BAD(&c, "the command comes first", "-f", "x.json", "plan");
    /* Options of another command say which. */
    PARSE_BAD(&c, "--auto-approve is an option of apply, not of plan",
              "plan", "--auto-approve");
    PARSE_BAD(&c, "-o is an option of plan, not of apply", "apply", "-o",
              "json");
    /* Long options are spelled out: no abbreviations. */
    PARSE_BAD(&c, "unknown option '--detailed'", "plan", "--detailed");
    PARSE_BAD(&c, "unknown option '--timeo'; did you mean '--timeout'?",
              "apply", "--timeo=5m");
    PARSE_BAD(&c, "option '--lock' is ambiguous", "apply", "--lock", "5s");
}

static void test_every_flag_separate(void **state)
{
    struct cli c;

    (void)state;
    PARSE_OK(&c, "plan", "-f", "a.json", "-o", "json", "--detailed-exitcode",
             "--no-color", "--insecure", "--trace", "--cluster",
             "https://dcos.example.com", "--ca-cert", "/etc/ca.pem", "--sim",
             "/var/sim", "--request-timeout", "5", "--max-connections", "3",
             "--log-level", "debug");
    assert_string_equal(c.command, "plan");
    assert_string_equal(c.file, "a.json");
    assert_int_equal(c.output, CLI_OUTPUT_JSON);
    assert_true(c.detailed_exitcode);
    assert_false(c.color);
    assert_true(c.insecure);
    assert_true(c.trace);
    assert_string_equal(c.cluster_url, "https://dcos.example.com");
    assert_string_equal(c.ca_cert, "/etc/ca.pem");
    assert_string_equal(c.sim_dir, "/var/sim");
    assert_true(c.request_timeout == 5);
    assert_int_equal(c.max_connections, 3);
    assert_int_equal(c.log_level, LOG_DEBUG);
    cli_free(&c);

    PARSE_OK(&c, "apply", "-f", "a.json", "--timeout", "90s",
             "--auto-approve", "--lock-timeout", "5m", "--lock-ttl", "10s");
    assert_true(c.timeout == 90);
    assert_true(c.lock_timeout == 300);
    assert_true(c.lock_ttl == 10);
    assert_true(c.auto_approve);
    cli_free(&c);

    /* Long spellings of -f and -o. */
    PARSE_OK(&c, "plan", "--file", "dir/", "--output", "text");
    assert_string_equal(c.file, "dir/");
    assert_int_equal(c.output, CLI_OUTPUT_TEXT);
    cli_free(&c);
}

static void test_every_flag_equals(void **state)
{
    struct cli c;
    char *tok = h_write_file(dir, "tok", "T0KEN\n");
    char *pw = h_write_file(dir, "pw", "pa55\n");
    char *a_tok, *a_pw;
    size_t n;

    (void)state;
    n = strlen(tok) + 16;
    a_tok = malloc(n);
    a_pw = malloc(n);
    assert_non_null(a_tok);
    assert_non_null(a_pw);
    snprintf(a_tok, n, "--token-file=%s", tok);
    snprintf(a_pw, n, "--password-file=%s", pw);

    PARSE_OK(&c, "plan", "-f=b.json", "-o=json", "--cluster=https://c:8443",
             "--ca-cert=/ca=1.pem", "--sim=/s", "--uid=svc-1", a_tok, a_pw,
             "--request-timeout=1h", "--max-connections=64",
             "--log-level=error");
    assert_string_equal(c.file, "b.json");
    assert_int_equal(c.output, CLI_OUTPUT_JSON);
    assert_string_equal(c.cluster_url, "https://c:8443");
    /* Only the first '=' separates the value. */
    assert_string_equal(c.ca_cert, "/ca=1.pem");
    assert_string_equal(c.sim_dir, "/s");
    assert_string_equal(c.uid, "svc-1");
    assert_non_null(c.token);
    assert_string_equal(secret_str(c.token), "T0KEN");
    assert_non_null(c.password);
    assert_string_equal(secret_str(c.password), "pa55");
    assert_true(c.request_timeout == 3600);
    assert_int_equal(c.max_connections, 64);
    assert_int_equal(c.log_level, LOG_ERROR);
    cli_free(&c);

    PARSE_OK(&c, "plan", "--file=c.json", "--output=text", "--uid=u",
             a_pw, "--log-level=info");
    assert_string_equal(c.file, "c.json");
    assert_int_equal(c.output, CLI_OUTPUT_TEXT);
    assert_int_equal(c.log_level, LOG_INFO);
    cli_free(&c);

    /* The last occurrence of a flag wins (the first is freed). */
    PARSE_OK(&c, "plan", "--cluster", "https://a", "--cluster=https://b",
             "--log-level", "debug", "--log-level", "warn");
    assert_string_equal(c.cluster_url, "https://b");
    assert_int_equal(c.log_level, LOG_WARN);
    cli_free(&c);

    free(a_tok);
    free(a_pw);
    free(tok);
    free(pw);
}

static void test_output_values(void **state)
{
    struct cli c;

    (void)state;
    PARSE_BAD(&c, "--output must be text, json or markdown, not 'yaml'",
              "plan", "-o", "yaml");
    PARSE_BAD(&c, "--output must be text, json or markdown, not 'JSON'",
              "plan", "--output=JSON");
    PARSE_BAD(&c, "--output must be text, json or markdown, not ''", "plan",
              "--output=");
    PARSE_OK(&c, "plan", "-o", "markdown");
    assert_int_equal(c.output, CLI_OUTPUT_MARKDOWN);
    cli_free(&c);
}

static void test_missing_values(void **state)
{
    static const char *const opts[] = {
        "-f", "--file", "-o", "--output", "--cluster", "--ca-cert", "--sim",
        "--uid", "--token-file", "--password-file", "--private-key",
        "--request-timeout", "--max-connections", "--log-level",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        struct cli c;
        char want[64];

        snprintf(want, sizeof(want), "etls: option %s needs a value",
                 opts[i]);
        PARSE_BAD(&c, want, "plan", "--trace", (char *)(uintptr_t)opts[i]);
    }
}

static void test_unknown_options(void **state)
{
    struct cli c;

    (void)state;
    PARSE_BAD(&c, "etls: unknown option '--bogus'", "plan", "--bogus");
    PARSE_BAD(&c, "unknown option '-x'", "plan", "-x");
    /* A stray argument is not echoed: it may be a misplaced secret. */
    PARSE_BAD(&c, "unexpected argument at position 2", "plan", "hunter2");
    assert_null(strstr(last_err, "hunter2"));
    /* `--` ends the options (getopt_long). */
    PARSE_OK(&c, "plan", "--");
    cli_free(&c);
    PARSE_OK(&c, "apply", "--auto-approve", "--", "-plan-file-with-dash");
    assert_string_equal(c.plan_file, "-plan-file-with-dash");
    cli_free(&c);
    /* Single-dash spellings of long options are not accepted. */
    PARSE_BAD(&c, "unknown option '-cluster'; did you mean '--cluster'?",
              "plan", "-cluster", "x");

    /*
     * There is no flag that takes a secret value, and the value given to
     * an unknown --flag=value is never echoed.
     */
    PARSE_BAD(&c, "unknown option '--token'", "plan", "--token", "tok");
    PARSE_BAD(&c, "unknown option '--password'", "plan",
              "--password=hunter2");
    assert_null(strstr(last_err, "hunter2"));
    PARSE_BAD(&c, "unknown option '--token-f'", "plan", "--token-f",
              "hunter2");
    assert_null(strstr(last_err, "hunter2"));
    PARSE_BAD(&c, "unknown option '--private-key-pem'", "plan",
              "--private-key-pem=MIIEvQIBADANBg");
    assert_null(strstr(last_err, "MIIEvQ"));
    PARSE_BAD(&c, "unknown option '--acs-token'", "plan",
              "--acs-token=eyJhbGciOiJSUzI1NiJ9.e30.sig");
    assert_null(strstr(last_err, "eyJ"));
    /* Nor with a flag name too long to split off its value. */
    PARSE_BAD(&c, "unknown option (name longer than 63 characters)", "plan",
              "--a-very-long-option-name-that-goes-on-and-on-for-more-than-"
              "sixty-four-characters=hunter2");
    assert_null(strstr(last_err, "hunter2"));
}

static void test_bad_values(void **state)
{
    static const char *const bad_conn[] = {"0", "65", "-1", "abc", "8x", "",
                                           "1.5"};
    static const char *const bad_level[] = {"loud", "DEBUG", "", "trace"};
    size_t i;
    struct cli c;

    (void)state;
    for (i = 0; i < sizeof(bad_conn) / sizeof(bad_conn[0]); i++) {
        char want[96];

        snprintf(want, sizeof(want),
                 "--max-connections: expected 1..64, got '%s'", bad_conn[i]);
        PARSE_BAD(&c, want, "plan", "--max-connections",
                  (char *)(uintptr_t)bad_conn[i]);
    }
    PARSE_OK(&c, "plan", "--max-connections", "1");
    assert_int_equal(c.max_connections, 1);
    cli_free(&c);

    for (i = 0; i < sizeof(bad_level) / sizeof(bad_level[0]); i++) {
        char want[128];

        snprintf(want, sizeof(want),
                 "--log-level: expected debug, info, warn or error, got '%s'",
                 bad_level[i]);
        PARSE_BAD(&c, want, "plan", "--log-level",
                  (char *)(uintptr_t)bad_level[i]);
    }
    PARSE_BAD(&c, "--timeout: expected a duration such as 900, 90s, 15m or "
                  "1h, got '15x'",
              "apply", "--timeout", "15x");
    PARSE_BAD(&c, "--request-timeout: expected a duration such as 30s, got "
                  "'soon'",
              "apply", "--request-timeout=soon");
}

static void test_durations(void **state)
{
    static const struct {
        const char *in;
        double want;
    } good[] = {
        {"900", 900},  {"90s", 90},    {"15m", 900},  {"1h", 3600},
        {"0.5s", 0.5}, {"1.5h", 5400}, {"2m", 120},   {"30", 30},
        {".5m", 30},   {"0.001", 0.001},
    };
    static const char *const bad[] = {
        "", "s", "m", "h", "abc", "15x", "-5", "-5s", "0", "0s", "15ms",
        "1d", "15 m", " 15m", "15m ", "1h30m", "nan", "inf", "+5",
        "123456789012345678901234567890123", /* too long */
        "10000001",                          /* above 1e7 */
        "0x10", "1e3", "1e3s", "0x1p4m",     /* hex, exponents */
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        double v = -1;

        if (cli_parse_duration(&v, good[i].in) != 0)
            fail_msg("duration \"%s\" rejected", good[i].in);
        if (v != good[i].want)
            fail_msg("duration \"%s\" = %g, want %g", good[i].in, v,
                     good[i].want);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        double v = -1;

        if (cli_parse_duration(&v, bad[i]) != ERR_INVALID)
            fail_msg("duration \"%s\" accepted (%g)", bad[i], v);
        /* Never written on failure. */
        assert_true(v == -1);
    }
}

static void test_env_url(void **state)
{
    struct cli c;

    (void)state;
    setenv("DCOS_URL", "https://from-env", 1);
    PARSE_OK(&c, "plan");
    assert_string_equal(c.cluster_url, "https://from-env");
    cli_free(&c);
    PARSE_OK(&c, "plan", "--cluster", "https://from-flag");
    assert_string_equal(c.cluster_url, "https://from-flag");
    cli_free(&c);
    setenv("DCOS_URL", "", 1);
    PARSE_OK(&c, "plan");
    assert_null(c.cluster_url);
    cli_free(&c);
}

static void test_env_ssl_verify(void **state)
{
    struct cli c;

    (void)state;
    setenv("DCOS_SSL_VERIFY", "/path/to/ca.pem", 1);
    PARSE_OK(&c, "plan");
    assert_string_equal(c.ca_cert, "/path/to/ca.pem");
    assert_false(c.insecure);
    cli_free(&c);
    /* --ca-cert wins over the path. */
    PARSE_OK(&c, "plan", "--ca-cert", "/flag.pem");
    assert_string_equal(c.ca_cert, "/flag.pem");
    cli_free(&c);
    /* --insecure wins too: no CA taken from the environment. */
    PARSE_OK(&c, "plan", "--insecure");
    assert_null(c.ca_cert);
    assert_true(c.insecure);
    cli_free(&c);

    setenv("DCOS_SSL_VERIFY", "false", 1);
    PARSE_OK(&c, "plan");
    assert_true(c.insecure);
    assert_null(c.ca_cert);
    cli_free(&c);
    /* An explicit CA wins over "false": verification stays on. */
    PARSE_OK(&c, "plan", "--ca-cert=/flag.pem");
    assert_false(c.insecure);
    assert_string_equal(c.ca_cert, "/flag.pem");
    cli_free(&c);

    /* As the dcos CLI reads it: true/false in any case, 1/0, t/f, and an
     * empty value, verify with the system's CAs. */
    {
        static const char *const sys[] = {"true", "TRUE", "True", "1", "t",
                                          ""};
        static const char *const off[] = {"false", "False", "FALSE", "0",
                                          "f"};
        size_t i;

        for (i = 0; i < sizeof(sys) / sizeof(sys[0]); i++) {
            setenv("DCOS_SSL_VERIFY", sys[i], 1);
            PARSE_OK(&c, "plan");
            if (!c.system_trust || c.insecure || c.ca_cert)
                fail_msg("DCOS_SSL_VERIFY=%s is not the system's CAs",
                         sys[i]);
            assert_string_equal(c.origin.trust, "DCOS_SSL_VERIFY");
            cli_free(&c);
        }
        for (i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
            setenv("DCOS_SSL_VERIFY", off[i], 1);
            PARSE_OK(&c, "plan");
            if (c.system_trust || !c.insecure || c.ca_cert)
                fail_msg("DCOS_SSL_VERIFY=%s is not 'no verification'",
                         off[i]);
            cli_free(&c);
        }
    }
    /* Anything else is a CA file, whatever it looks like. */
    setenv("DCOS_SSL_VERIFY", "yes", 1);
    PARSE_OK(&c, "plan");
    assert_string_equal(c.ca_cert, "yes");
    assert_false(c.system_trust);
    cli_free(&c);
}

static void test_env_token(void **state)
{
    struct cli c;
    char *f = h_write_file(dir, "token", "from-file\n");

    (void)state;
    setenv("DCOS_ACS_TOKEN", "from-env", 1);
    PARSE_OK(&c, "plan");
    assert_non_null(c.token);
    assert_string_equal(secret_str(c.token), "from-env");
    assert_int_equal(c.token->len, 8);
    cli_free(&c);
    PARSE_OK(&c, "plan", "--token-file", f);
    assert_string_equal(secret_str(c.token), "from-file");
    cli_free(&c);
    setenv("DCOS_ACS_TOKEN", "", 1);
    PARSE_OK(&c, "plan");
    assert_null(c.token);
    cli_free(&c);
    free(f);
}

/* A service-account credential for @uid with the key g_key_pem. */
static char *sa_json(const char *uid)
{
    char *t = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&t, &n);

    assert_non_null(f);
    fprintf(f, "{\"login_endpoint\":\"https://leader.mesos/acs/api/v1/auth/"
               "login\",\"private_key\":\"%s\",\"scheme\":\"RS256\","
               "\"uid\":\"%s\"}\n",
            g_key_json, uid);
    assert_int_equal(fclose(f), 0);
    return t;
}

/* --private-key takes the credential JSON too: the uid is in it. */
static void test_private_key_credential_json(void **state)
{
    struct cli c;
    char *json = sa_json("etls-ci");
    char *f = h_write_file(dir, "cred.json", json);
    char *bad = h_write_file(dir, "bad.json", "{\"uid\":\"x\"}\n");
    char *scheme = h_write_file(dir, "hs.json",
                                "{\"uid\":\"x\",\"scheme\":\"HS256\","
                                "\"private_key\":\"-----BEGIN x\"}");

    (void)state;
    PARSE_OK(&c, "plan", "--private-key", f);
    assert_string_equal(c.uid, "etls-ci");
    assert_string_equal(secret_str(c.private_key), g_key_pem);
    assert_non_null(strstr(c.origin.credentials, "etls-ci"));
    cli_free(&c);
    /* The same uid may be repeated; another one is an error. */
    PARSE_OK(&c, "plan", "--uid", "etls-ci", "--private-key", f);
    cli_free(&c);
    PARSE_BAD(&c, "--uid other, but the credential of --private-key is for "
                  "etls-ci",
              "plan", "--uid", "other", "--private-key", f);
    PARSE_BAD(&c, "--private-key: the service-account credential has no "
                  "\"private_key\" PEM string",
              "plan", "--private-key", bad);
    PARSE_BAD(&c, "\"scheme\" is not \"RS256\"", "plan", "--private-key",
              scheme);
    assert_null(strstr(last_err, "PRIVATE"));
    free(json);
    free(f);
    free(bad);
    free(scheme);
}

/* DCOS_SERVICE_ACCOUNT_CREDENTIAL: the JSON itself or a file, as the SDK
 * reads it; flags win over it, it wins over DCOS_ACS_TOKEN. */
static void test_env_service_account_credential(void **state)
{
    struct cli c;
    char *json = sa_json("from-env");
    char *f = h_write_file(dir, "sa.json", json);
    char *tok = h_write_file(dir, "tok", "T\n");
    char url[512];

    (void)state;
    setenv("DCOS_ACS_TOKEN", "env-token", 1);
    setenv("DCOS_SERVICE_ACCOUNT_CREDENTIAL", json, 1);
    PARSE_OK(&c, "plan");
    assert_string_equal(c.uid, "from-env");
    assert_non_null(c.private_key);
    assert_null(c.token);
    assert_non_null(strstr(c.origin.credentials,
                           "DCOS_SERVICE_ACCOUNT_CREDENTIAL"));
    cli_free(&c);
    setenv("DCOS_SERVICE_ACCOUNT_CREDENTIAL", f, 1);
    PARSE_OK(&c, "plan");
    assert_string_equal(c.uid, "from-env");
    cli_free(&c);
    snprintf(url, sizeof(url), "file://%s", f);
    setenv("DCOS_SERVICE_ACCOUNT_CREDENTIAL", url, 1);
    PARSE_OK(&c, "plan");
    assert_string_equal(c.uid, "from-env");
    cli_free(&c);
    /* A flag wins. */
    PARSE_OK(&c, "plan", "--token-file", tok);
    assert_null(c.uid);
    assert_string_equal(secret_str(c.token), "T");
    cli_free(&c);
    /* Neither JSON nor a file: named, never echoed. */
    setenv("DCOS_SERVICE_ACCOUNT_CREDENTIAL", "/no/such/cred-hunter2", 1);
    PARSE_BAD(&c, "DCOS_SERVICE_ACCOUNT_CREDENTIAL: neither a file nor a "
                  "JSON credential",
              "plan");
    assert_null(strstr(last_err, "hunter2"));
    unsetenv("DCOS_SERVICE_ACCOUNT_CREDENTIAL");
    free(json);
    free(f);
    free(tok);
}

/* PKCS#8 PEM of @k encrypted with AES-128 (new). */
static char *encrypted_pem(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data, *out;
    long n;

    assert_non_null(b);
    assert_int_equal(PEM_write_bio_PKCS8PrivateKey(b, k, EVP_aes_128_cbc(),
                                                   NULL, 0, NULL,
                                                   (void *)"pass"),
                     1);
    n = BIO_get_mem_data(b, &data);
    out = strndup(data, (size_t)n);
    BIO_free(b);
    assert_non_null(out);
    return out;
}

/* A private key that a service login cannot use is refused while the
 * command line is read, naming the file and the fix. */
static void test_private_key_checked(void **state)
{
    EVP_PKEY *rsa = h_rsa_new(), *ec = h_ec_new();
    char *pkcs1 = h_priv_pem_pkcs1(rsa), *ecp = h_priv_pem(ec);
    char *enc = encrypted_pem(rsa);
    char *f_pkcs1 = h_write_file(dir, "pkcs1.pem", pkcs1);
    char *f_ec = h_write_file(dir, "ec.pem", ecp);
    char *f_enc = h_write_file(dir, "enc.pem", enc);
    char *f_junk = h_write_file(dir, "junk.pem", "not a key\n");
    char want[600];
    struct cli c;

    (void)state;
    snprintf(want, sizeof(want), "--private-key %s: a PKCS#1 RSA key; DC/OS "
             "service logins read PKCS#8: convert it with openssl pkcs8 "
             "-topk8 -nocrypt", f_pkcs1);
    PARSE_BAD(&c, want, "plan", "--uid", "u", "--private-key", f_pkcs1);
    snprintf(want, sizeof(want), "--private-key %s: not an RSA key", f_ec);
    PARSE_BAD(&c, want, "plan", "--uid", "u", "--private-key", f_ec);
    snprintf(want, sizeof(want), "--private-key %s: the private key is "
             "encrypted", f_enc);
    PARSE_BAD(&c, want, "plan", "--uid", "u", "--private-key", f_enc);
    snprintf(want, sizeof(want), "--private-key %s: holds no PEM private "
             "key (PKCS#8)", f_junk);
    PARSE_BAD(&c, want, "plan", "--uid", "u", "--private-key", f_junk);
    assert_null(strstr(last_err, "PRIVATE"));
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
    free(pkcs1);
    free(ecp);
    free(enc);
    free(f_pkcs1);
    free(f_ec);
    free(f_enc);
    free(f_junk);
}

static void test_credentials_need_uid(void **state)
{
    struct cli c;
    char *pw = h_write_file(dir, "pw", "Sekr1t-pw\n");
    char *key = h_write_file(dir, "key.pem", g_key_pem);
    char *want = key_read();

    (void)state;
    PARSE_BAD(&c, "--password-file and --private-key need --uid", "plan",
              "--password-file", pw);
    PARSE_BAD(&c, "--password-file and --private-key need --uid", "plan",
              "--private-key", key);
    PARSE_BAD(&c, "give either --password-file or --private-key, not both",
              "plan", "--uid", "u", "--password-file", pw, "--private-key",
              key);
    PARSE_BAD(&c, "--uid u needs a password source: give --password-file "
                  "FILE or --private-key FILE",
              "plan", "--uid", "u");
    /* Error messages never hold what the files hold. */
    assert_null(strstr(last_err, "Sekr1t"));
    assert_null(strstr(last_err, "PRIVATE"));

    PARSE_OK(&c, "plan", "--uid", "u", "--password-file", pw);
    assert_string_equal(c.uid, "u");
    assert_string_equal(secret_str(c.password), "Sekr1t-pw");
    assert_null(c.private_key);
    cli_free(&c);
    PARSE_OK(&c, "plan", "--private-key", key, "--uid", "u");
    assert_string_equal(c.uid, "u");
    assert_null(c.password);
    assert_string_equal(secret_str(c.private_key), want);
    cli_free(&c);
    free(want);
    free(pw);
    free(key);
}

static void test_secret_files(void **state)
{
    struct cli c;
    char *crlf = h_write_file(dir, "crlf", "tok-crlf\r\n");
    char *bare = h_write_file(dir, "bare", "tok-bare");
    char *two = h_write_file(dir, "two", "tok-two\n\n");
    char *inner = h_write_file(dir, "inner", " a b \n");
    char *missing = h_path(dir, "missing");
    char *big, *exact, *text;

    (void)state;
    text = malloc(64 * 1024 + 2);
    assert_non_null(text);
    memset(text, 'k', 64 * 1024 + 1);
    text[64 * 1024 + 1] = '\0';
    big = h_write_file(dir, "big", text);
    text[64 * 1024] = '\0';
    exact = h_write_file(dir, "exact", text);

    PARSE_OK(&c, "plan", "--token-file", crlf);
    assert_string_equal(secret_str(c.token), "tok-crlf");
    assert_int_equal(c.token->len, 8);
    cli_free(&c);
    PARSE_OK(&c, "plan", "--token-file", bare);
    assert_string_equal(secret_str(c.token), "tok-bare");
    cli_free(&c);
    PARSE_OK(&c, "plan", "--token-file", two);
    assert_string_equal(secret_str(c.token), "tok-two");
    cli_free(&c);
    /* Only trailing line ends go; other whitespace is the secret's. */
    PARSE_OK(&c, "plan", "--token-file", inner);
    assert_string_equal(secret_str(c.token), " a b ");
    cli_free(&c);
    /* A repeated flag: the last file wins. */
    PARSE_OK(&c, "plan", "--token-file", crlf, "--token-file", bare);
    assert_string_equal(secret_str(c.token), "tok-bare");
    cli_free(&c);

    PARSE_OK(&c, "plan", "--token-file", exact);
    assert_int_equal(c.token->len, 64 * 1024);
    cli_free(&c);
    PARSE_BAD(&c, "larger than 64 KiB", "plan", "--uid", "u",
              "--private-key", big);
    PARSE_BAD(&c, "is a directory, not a file", "plan", "--token-file", dir);
    {
        /* A FIFO would block a plain open: refused at once. */
        char fifo[512];

        snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        alarm(10);
        PARSE_BAD(&c, "not a regular file (a FIFO)", "plan", "--token-file",
                  fifo);
        PARSE_BAD(&c, "not a regular file (a FIFO)", "plan", "--uid", "u",
                  "--password-file", fifo);
        alarm(0);
        unlink(fifo);
    }
    /* A missing file is named, with what to do. */
    {
        char want[512];

        snprintf(want, sizeof(want), "--token-file %s: no such file; give "
                                     "the path of an existing file",
                 missing);
        PARSE_BAD(&c, want, "plan", "--token-file", missing);
        snprintf(want, sizeof(want), "--password-file %s: no such file",
                 missing);
        PARSE_BAD(&c, want, "plan", "--uid", "u", "--password-file",
                  missing);
        snprintf(want, sizeof(want), "--private-key %s: no such file",
                 missing);
        PARSE_BAD(&c, want, "plan", "--uid", "u", "--private-key", missing);
    }
    /* A secret given in place of its file is not echoed. */
    PARSE_BAD(&c, "--private-key: no such file, and the value does not "
                  "look like a file name (is it the secret itself?)",
              "plan", "--uid", "u", "--private-key",
              "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\n");
    assert_null(strstr(last_err, "MIIEvQIBADAN"));
    PARSE_BAD(&c, "--token-file: no such file, and the value does not look",
              "plan", "--token-file", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
    assert_null(strstr(last_err, "eyJhbGci"));
    free(text);
    free(crlf);
    free(bare);
    free(two);
    free(inner);
    free(missing);
    free(big);
    free(exact);
}

/*
 * A parse that fails half-way leaves what it allocated in the struct, and
 * cli_free() releases it (the sanitizer build checks for leaks).
 */
static void test_failed_parse_frees(void **state)
{
    struct cli c;
    char *tok = h_write_file(dir, "tok", "t\n");

    (void)state;
    PARSE_BAD(&c, "unknown option '--nope'", "plan", "--cluster", "https://x",
              "--ca-cert", "/ca", "--sim", "/s", "--uid", "u", "--token-file",
              tok, "--nope");
    free(tok);
}

/* What cli_usage() (@cmd NULL) or cli_help(@cmd) prints (new). */
static char *help_text(const char *cmd)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    assert_non_null(f);
    if (cmd)
        cli_help(f, cli_command_find(cmd));
    else
        cli_usage(f);
    assert_int_equal(fclose(f), 0);
    return text;
}

static void expect_in(const char *text, const char *const *want, size_t n,
                      const char *what)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!strstr(text, want[i]))
            fail_msg("%s lacks \"%s\":\n%s", what, want[i], text);
}

static void test_usage(void **state)
{
    static const char *const usage[] = {
        "validate", "plan", "apply", "force-unlock", "config", "version",
        "help", "DCOS_URL", "DCOS_SSL_VERIFY", "DCOS_ACS_TOKEN",
        "DCOS_SERVICE_ACCOUNT_CREDENTIAL", "DCOS_DIR", "DCOS_CLUSTER",
        "NO_COLOR", "130 / 143", "etls help COMMAND",
    };
    static const char *const plan[] = {
        "Usage: etls plan -f PATH", "-f, --file PATH", "--cluster URL",
        "--ca-cert FILE", "--insecure", "--sim DIR", "--token-file FILE",
        "--uid UID", "--password-file FILE", "--private-key FILE",
        "-o, --output FORMAT", "markdown", "--detailed-exitcode",
        "--request-timeout DURATION", "--max-connections N", "--no-color",
        "--log-level LEVEL", "--trace", "-out, --out FILE", "Examples:",
        "etls plan -f desired/ --detailed-exitcode", "130 / 143",
    };
    static const char *const apply[] = {
        "Usage: etls apply -f PATH", "etls apply FILE", "--auto-approve",
        "--timeout DURATION", "--lock-timeout DURATION",
        "--lock-ttl DURATION", "Examples:", "etls apply plan.etls",
    };
    size_t i;
    char *t;

    (void)state;
    t = help_text(NULL);
    expect_in(t, usage, sizeof(usage) / sizeof(usage[0]), "usage");
    free(t);
    t = help_text("plan");
    expect_in(t, plan, sizeof(plan) / sizeof(plan[0]), "plan --help");
    /* plan's help lists only plan's options. */
    assert_null(strstr(t, "--auto-approve"));
    free(t);
    t = help_text("apply");
    expect_in(t, apply, sizeof(apply) / sizeof(apply[0]), "apply --help");
    assert_null(strstr(t, "  --detailed-exitcode "));
    free(t);
    /* Every command has a help that fits 80 columns. */
    for (i = 0; cli_commands[i].name; i++) {
        const char *line;

        t = help_text(cli_commands[i].name);
        for (line = t; *line;) {
            size_t n = strcspn(line, "\n");

            if (n > 79)
                fail_msg("help of %s: line over 79 columns: %.*s",
                         cli_commands[i].name, (int)n, line);
            line += n + (line[n] == '\n');
        }
        free(t);
    }
}

/* --- cli_apply_sim --- */

static const char cluster_json[] =
    "{\"url\":\"https://127.0.0.1:40123\",\"ca_cert\":\"/sim/ca.pem\","
    "\"uid\":\"bootstrapuser\",\"password\":\"deleteme\","
    "\"control_token\":\"ctl-123\"}\n";

static int sim_parse(struct cli *c, char *errbuf, size_t errlen, ...)
{
    char *argv[MAX_ARGS + 1];
    va_list ap;
    int argc = 0, r;
    char *a;

    argv[argc++] = (char *)(uintptr_t)"etls";
    argv[argc++] = (char *)(uintptr_t)"plan";
    argv[argc++] = (char *)(uintptr_t)"--sim";
    argv[argc++] = dir;
    va_start(ap, errlen);
    while ((a = va_arg(ap, char *)) != NULL) {
        assert_true(argc < MAX_ARGS);
        argv[argc++] = a;
    }
    va_end(ap);
    argv[argc] = NULL;
    r = cli_parse(c, argc, argv);
    if (r != 0)
        fail_msg("cli_parse failed (%d)", r);
    errbuf[0] = '\0';
    return cli_apply_sim(c, errbuf, errlen);
}

static void test_apply_sim(void **state)
{
    struct cli c;
    char err[512];
    char *f = h_write_file(dir, "cluster.json", cluster_json);

    (void)state;
    assert_int_equal(sim_parse(&c, err, sizeof(err), (char *)NULL), 0);
    assert_string_equal(c.sim_dir, dir);
    assert_string_equal(c.cluster_url, "https://127.0.0.1:40123");
    assert_string_equal(c.ca_cert, "/sim/ca.pem");
    assert_false(c.insecure);
    assert_string_equal(c.uid, "bootstrapuser");
    assert_non_null(c.password);
    assert_string_equal(secret_str(c.password), "deleteme");
    assert_null(c.token);
    assert_null(c.private_key);
    assert_string_equal(err, "");
    cli_free(&c);
    free(f);
}

static void test_apply_sim_explicit_wins(void **state)
{
    struct cli c;
    char err[512];
    char *f = h_write_file(dir, "cluster.json", cluster_json);
    char *key = h_write_file(dir, "key.pem", g_key_pem);
    char *want = key_read();
    char *tok = h_write_file(dir, "tok", "TOK\n");

    (void)state;
    /* Explicit URL and CA are kept. */
    assert_int_equal(sim_parse(&c, err, sizeof(err), "--cluster",
                               "https://other", "--ca-cert", "/mine.pem",
                               (char *)NULL),
                     0);
    assert_string_equal(c.cluster_url, "https://other");
    assert_string_equal(c.ca_cert, "/mine.pem");
    assert_string_equal(c.uid, "bootstrapuser");
    cli_free(&c);

    /* --insecure: no CA is set. */
    assert_int_equal(
        sim_parse(&c, err, sizeof(err), "--insecure", (char *)NULL), 0);
    assert_null(c.ca_cert);
    assert_string_equal(c.cluster_url, "https://127.0.0.1:40123");
    cli_free(&c);

    /* A service-account login: the bootstrap credentials are not used. */
    assert_int_equal(sim_parse(&c, err, sizeof(err), "--uid", "svc",
                               "--private-key", key, (char *)NULL),
                     0);
    assert_string_equal(c.uid, "svc");
    assert_null(c.password);
    assert_string_equal(secret_str(c.private_key), want);
    free(want);
    assert_string_equal(c.ca_cert, "/sim/ca.pem");
    cli_free(&c);

    /* A token from a file: no login at all. */
    assert_int_equal(sim_parse(&c, err, sizeof(err), "--token-file", tok,
                               (char *)NULL),
                     0);
    assert_null(c.uid);
    assert_null(c.password);
    assert_string_equal(secret_str(c.token), "TOK");
    cli_free(&c);
    free(f);
    free(key);
    free(tok);
}

/*
 * With --sim the DCOS_* variables (which usually describe another cluster)
 * are ignored: DIR/cluster.json fills in what no flag set.
 */
static void test_apply_sim_ignores_env(void **state)
{
    struct cli c;
    char err[512];
    char *f = h_write_file(dir, "cluster.json", cluster_json);

    (void)state;
    setenv("DCOS_URL", "https://real-cluster", 1);
    setenv("DCOS_SSL_VERIFY", "false", 1);
    setenv("DCOS_ACS_TOKEN", "real-token", 1);
    assert_int_equal(sim_parse(&c, err, sizeof(err), (char *)NULL), 0);
    assert_string_equal(c.cluster_url, "https://127.0.0.1:40123");
    assert_string_equal(c.ca_cert, "/sim/ca.pem");
    assert_false(c.insecure);
    assert_null(c.token);
    assert_string_equal(c.uid, "bootstrapuser");
    assert_string_equal(secret_str(c.password), "deleteme");
    cli_free(&c);

    /* A CA path in DCOS_SSL_VERIFY is ignored too. */
    setenv("DCOS_SSL_VERIFY", "/real/ca.pem", 1);
    assert_int_equal(sim_parse(&c, err, sizeof(err), (char *)NULL), 0);
    assert_string_equal(c.ca_cert, "/sim/ca.pem");
    cli_free(&c);

    /* Flags still win over cluster.json. */
    assert_int_equal(sim_parse(&c, err, sizeof(err), "--insecure",
                               "--cluster", "https://flag", (char *)NULL),
                     0);
    assert_string_equal(c.cluster_url, "https://flag");
    assert_true(c.insecure);
    assert_null(c.ca_cert);
    assert_null(c.token);
    cli_free(&c);
    free(f);
}

static void sim_bad(const char *content, const char *want)
{
    struct cli c;
    char err[512];
    char *f = NULL;

    if (content)
        f = h_write_file(dir, "cluster.json", content);
    assert_int_equal(sim_parse(&c, err, sizeof(err), (char *)NULL),
                     ERR_INVALID);
    if (!strstr(err, want))
        fail_msg("cli_apply_sim error lacks \"%s\": %s", want, err);
    /* The error names the file. */
    assert_non_null(strstr(err, "/cluster.json"));
    assert_non_null(strstr(err, dir));
    assert_null(strstr(err, "deleteme"));
    assert_null(c.password);
    cli_free(&c);
    if (f)
        unlink(f);
    free(f);
}

static void test_apply_sim_errors(void **state)
{
    (void)state;
    sim_bad(NULL, "unable to open");
    sim_bad("{\"url\":", "");
    sim_bad("not json", "");
    sim_bad("{\"url\":\"https://x\",\"ca_cert\":\"/c\",\"uid\":\"u\"}",
            "expected string members url, ca_cert, uid and password");
    sim_bad("{\"url\":1,\"ca_cert\":\"/c\",\"uid\":\"u\",\"password\":\"p\"}",
            "expected string members url, ca_cert, uid and password");
    sim_bad("{\"url\":\"https://x\",\"ca_cert\":\"/c\",\"uid\":\"u\","
            "\"password\":\"deleteme\",\"url\":\"https://y\"}",
            "duplicate object key");
    {
        /* A FIFO cluster.json: refused at once, not read forever. */
        char fifo[512];

        snprintf(fifo, sizeof(fifo), "%s/cluster.json", dir);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        alarm(10);
        sim_bad(NULL, "not a regular file (a FIFO)");
        alarm(0);
        unlink(fifo);
    }
}

/*
 * Boolean flags take no value: `--insecure=false` must not turn TLS
 * verification off (nor be silently accepted as "on").
 */
/* plan -out FILE, apply FILE (a saved plan) and --auto-approve. */
static void test_saved_plan_and_approval(void **state)
{
    struct cli c;

    (void)state;
    PARSE_OK(&c, "plan", "-f", "a.json", "-out", "p.json");
    assert_string_equal(c.out_file, "p.json");
    assert_null(c.plan_file);
    assert_false(c.auto_approve);
    cli_free(&c);
    PARSE_OK(&c, "plan", "-f", "a.json", "--out=p2.json");
    assert_string_equal(c.out_file, "p2.json");
    cli_free(&c);
    PARSE_OK(&c, "plan", "-out=p3.json", "-f", "a.json");
    assert_string_equal(c.out_file, "p3.json");
    cli_free(&c);
    PARSE_OK(&c, "apply", "p.json");
    assert_string_equal(c.plan_file, "p.json");
    assert_null(c.file);
    assert_false(c.auto_approve);
    cli_free(&c);
    PARSE_OK(&c, "apply", "--sim", "/s", "p.json", "--auto-approve");
    assert_string_equal(c.plan_file, "p.json");
    assert_true(c.auto_approve);
    cli_free(&c);
    PARSE_OK(&c, "apply", "--auto-approve", "-f", "a.json");
    assert_true(c.auto_approve);
    assert_null(c.plan_file);
    cli_free(&c);

    PARSE_BAD(&c, "give either -f PATH or a saved plan FILE, not both",
              "apply", "p.json", "-f", "a.json");
    /* A second positional argument is not echoed. */
    PARSE_BAD(&c, "unexpected argument at position 3", "apply", "p.json",
              "hunter2");
    assert_null(strstr(last_err, "hunter2"));
    PARSE_BAD(&c, "unexpected argument at position 2", "plan", "p.json");
    PARSE_BAD(&c, "-out is an option of plan", "apply", "-f", "a.json",
              "-out", "p.json");
    PARSE_BAD(&c, "-out is an option of plan", "validate", "--out=x");
    PARSE_BAD(&c, "option -out needs a value", "plan", "-f", "a", "-out");
    PARSE_BAD(&c, "--auto-approve is an option of apply", "plan",
              "--auto-approve");
    PARSE_BAD(&c, "option --auto-approve takes no value", "apply",
              "--auto-approve=yes");
}

static void test_bool_flags_reject_value(void **state)
{
    static const char *const args[] = {
        "--insecure=false", "--insecure=", "--trace=0",
        "--detailed-exitcode=false", "--no-color=no",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
        struct cli c;
        int r = parse(&c, "plan", (char *)(uintptr_t)args[i], (char *)NULL);
        bool insecure = c.insecure;

        cli_free(&c);
        if (r != ERR_INVALID)
            fail_msg("%s was accepted (insecure=%d); expected a usage "
                     "error",
                     args[i], (int)insecure);
    }
}

/* run and status: their options go through the same table (cli_run.c). */
static void test_run_and_status(void **state)
{
    struct cli c;
    char *cred = h_write_file(dir, "git-cred", "user:pass-xyz\n");
    char fifo[512];

    (void)state;
    PARSE_OK(&c, "run", "-f", "m.json", "--resync=5s", "--listen",
             "127.0.0.1:0", "--detect-only", "--max-concurrent", "3",
             "--grace", "2s", "--backoff-max", "1m", "--log-format", "json",
             "--log-level", "debug", "--timeout", "90s");
    assert_int_equal(c.cmd->id, CLI_CMD_RUN);
    assert_string_equal(c.file, "m.json");
    assert_true(c.run.resync == 5.0);
    assert_string_equal(c.run.listen, "127.0.0.1:0");
    assert_true(c.run.detect_only);
    assert_int_equal(c.run.max_concurrent, 3);
    assert_true(c.run.grace == 2.0 && c.run.backoff_max == 60.0);
    assert_int_equal(c.run_log_format, 1);
    assert_true(c.log_level_given);
    assert_true(c.timeout == 90.0);
    cli_free(&c);

    PARSE_OK(&c, "run", "--git", "file:///r.git", "--ref", "prod", "--path",
             "manifests/", "--git-interval", "30s", "--git-credentials",
             cred);
    assert_string_equal(c.run.git_url, "file:///r.git");
    assert_string_equal(c.run.git_ref, "prod");
    assert_string_equal(c.run.git_path, "manifests/");
    assert_true(c.run.git_interval == 30.0);
    assert_non_null(c.run.git_credentials);
    assert_string_equal(secret_str(c.run.git_credentials), "user:pass-xyz");
    assert_false(c.log_level_given);
    cli_free(&c);

    PARSE_OK(&c, "status", "--server", "http://127.0.0.1:9", "-o", "json");
    assert_int_equal(c.cmd->id, CLI_CMD_STATUS);
    assert_string_equal(c.status_server, "http://127.0.0.1:9");
    assert_int_equal(c.output, CLI_OUTPUT_JSON);
    cli_free(&c);

    PARSE_BAD(&c, "did you mean '--resync'?", "run", "--resyn", "5s");
    PARSE_BAD(&c, "--resync: expected a duration of at least 1s", "run",
              "--resync", "0.5");
    PARSE_BAD(&c, "--max-concurrent: expected 1..256", "run",
              "--max-concurrent", "0");
    PARSE_BAD(&c, "--log-format: expected logfmt or json", "run",
              "--log-format", "xml");
    PARSE_BAD(&c, "--detect-only is an option of run, not of plan", "plan",
              "--detect-only");
    PARSE_BAD(&c, "--server is an option of status, not of run", "run",
              "--server", "x");
    snprintf(fifo, sizeof(fifo), "%s/git-fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(10);
    PARSE_BAD(&c, "not a regular file (a FIFO)", "run", "--git", "x",
              "--git-credentials", fifo);
    alarm(0);
    unlink(fifo);
    free(cred);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_defaults),
        T(test_help_and_version),
        T(test_did_you_mean),
        T(test_private_key_credential_json),
        T(test_env_service_account_credential),
        T(test_every_flag_separate),
        T(test_every_flag_equals),
        T(test_output_values),
        T(test_missing_values),
        T(test_unknown_options),
        T(test_bad_values),
        T(test_durations),
        T(test_env_url),
        T(test_env_ssl_verify),
        T(test_env_token),
        T(test_credentials_need_uid),
        T(test_private_key_checked),
        T(test_secret_files),
        T(test_failed_parse_frees),
        T(test_usage),
        T(test_apply_sim),
        T(test_apply_sim_explicit_wins),
        T(test_apply_sim_ignores_env),
        T(test_apply_sim_errors),
        T(test_bool_flags_reject_value),
        T(test_saved_plan_and_approval),
        T(test_run_and_status),
#undef T
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
