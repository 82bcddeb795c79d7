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

#define MAX_ARGS 64

/* What the last parse() wrote to stderr (new; freed by the next parse). */
static char *last_err;

/* Per-test scratch directory. */
static char dir[256];

static void clear_env(void)
{
    unsetenv("DCOS_URL");
    unsetenv("DCOS_SSL_VERIFY");
    unsetenv("DCOS_ACS_TOKEN");
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
        assert_non_null(strstr(last_err, "Run 'etls help' for usage."));      \
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
    assert_int_equal(c.max_connections, 8);
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
    /* --help anywhere wins over the command and even over bad options. */
    PARSE_OK(&c, "plan", "-f", "x.json", "--help", "--bogus");
    assert_string_equal(c.command, "help");
    cli_free(&c);
    PARSE_OK(&c, "apply", "-h");
    assert_string_equal(c.command, "help");
    cli_free(&c);
    /* An unknown command is the caller's business (main says so). */
    PARSE_OK(&c, "frobnicate");
    assert_string_equal(c.command, "frobnicate");
    cli_free(&c);
}

static void test_every_flag_separate(void **state)
{
    struct cli c;

    (void)state;
    PARSE_OK(&c, "apply", "-f", "a.json", "-o", "json", "--detailed-exitcode",
             "--no-color", "--insecure", "--trace", "--cluster",
             "https://dcos.example.com", "--ca-cert", "/etc/ca.pem", "--sim",
             "/var/sim", "--uid", "ops", "--timeout", "90s",
             "--request-timeout", "5", "--max-connections", "3",
             "--log-level", "debug");
    assert_string_equal(c.command, "apply");
    assert_string_equal(c.file, "a.json");
    assert_int_equal(c.output, CLI_OUTPUT_JSON);
    assert_true(c.detailed_exitcode);
    assert_false(c.color);
    assert_true(c.insecure);
    assert_true(c.trace);
    assert_string_equal(c.cluster_url, "https://dcos.example.com");
    assert_string_equal(c.ca_cert, "/etc/ca.pem");
    assert_string_equal(c.sim_dir, "/var/sim");
    assert_string_equal(c.uid, "ops");
    assert_true(c.timeout == 90);
    assert_true(c.request_timeout == 5);
    assert_int_equal(c.max_connections, 3);
    assert_int_equal(c.log_level, LOG_DEBUG);
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
             "--timeout=15m", "--request-timeout=1h", "--max-connections=64",
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
    assert_true(c.timeout == 900);
    assert_true(c.request_timeout == 3600);
    assert_int_equal(c.max_connections, 64);
    assert_int_equal(c.log_level, LOG_ERROR);
    cli_free(&c);

    PARSE_OK(&c, "plan", "--file=c.json", "--output=text", "--uid=u",
             "--log-level=info");
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
    PARSE_BAD(&c, "--output must be text or json, not 'yaml'", "plan", "-o",
              "yaml");
    PARSE_BAD(&c, "--output must be text or json, not 'JSON'", "plan",
              "--output=JSON");
    PARSE_BAD(&c, "--output must be text or json, not ''", "plan",
              "--output=");
}

static void test_missing_values(void **state)
{
    static const char *const opts[] = {
        "-f", "--file", "-o", "--output", "--cluster", "--ca-cert", "--sim",
        "--uid", "--token-file", "--password-file", "--private-key",
        "--timeout", "--request-timeout", "--max-connections", "--log-level",
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
    PARSE_BAD(&c, "unknown option '--'", "plan", "--");
    /* Single-dash spellings of long options are not accepted. */
    PARSE_BAD(&c, "unknown option '-cluster'", "plan", "-cluster", "x");

    /*
     * There is no flag that takes a secret value, and the value given to
     * an unknown --flag=value is never echoed.
     */
    PARSE_BAD(&c, "unknown option '--token'", "plan", "--token", "tok");
    PARSE_BAD(&c, "unknown option '--password'", "plan",
              "--password=hunter2");
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

    setenv("DCOS_SSL_VERIFY", "true", 1);
    PARSE_OK(&c, "plan");
    assert_false(c.insecure);
    assert_null(c.ca_cert);
    cli_free(&c);

    setenv("DCOS_SSL_VERIFY", "", 1);
    PARSE_OK(&c, "plan");
    assert_false(c.insecure);
    assert_null(c.ca_cert);
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

static void test_credentials_need_uid(void **state)
{
    struct cli c;
    char *pw = h_write_file(dir, "pw", "Sekr1t-pw\n");
    char *key = h_write_file(dir, "key.pem",
                             "-----BEGIN PRIVATE KEY-----\nQUJD\n"
                             "-----END PRIVATE KEY-----\n");

    (void)state;
    PARSE_BAD(&c, "--password-file and --private-key need --uid", "plan",
              "--password-file", pw);
    PARSE_BAD(&c, "--password-file and --private-key need --uid", "plan",
              "--private-key", key);
    PARSE_BAD(&c, "give either --password-file or --private-key, not both",
              "plan", "--uid", "u", "--password-file", pw, "--private-key",
              key);
    /* Error messages never hold what the files hold. */
    assert_null(strstr(last_err, "Sekr1t"));
    assert_null(strstr(last_err, "QUJD"));

    PARSE_OK(&c, "plan", "--uid", "u", "--password-file", pw);
    assert_string_equal(c.uid, "u");
    assert_string_equal(secret_str(c.password), "Sekr1t-pw");
    assert_null(c.private_key);
    cli_free(&c);
    PARSE_OK(&c, "plan", "--private-key", key, "--uid", "u");
    assert_string_equal(c.uid, "u");
    assert_null(c.password);
    assert_string_equal(secret_str(c.private_key),
                        "-----BEGIN PRIVATE KEY-----\nQUJD\n"
                        "-----END PRIVATE KEY-----");
    cli_free(&c);
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

    PARSE_OK(&c, "plan", "--uid", "u", "--private-key", exact);
    assert_int_equal(c.private_key->len, 64 * 1024);
    cli_free(&c);
    PARSE_BAD(&c, "larger than the limit of 64 KiB", "plan", "--uid", "u",
              "--private-key", big);
    PARSE_BAD(&c, "not a regular file (a directory)", "plan", "--token-file",
              dir);
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
    PARSE_BAD(&c, "no such file for --token-file", "plan", "--token-file",
              missing);
    PARSE_BAD(&c, "no such file for --password-file", "plan", "--uid", "u",
              "--password-file", missing);
    PARSE_BAD(&c, "no such file for --private-key", "plan", "--uid", "u",
              "--private-key", missing);
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

static void test_usage(void **state)
{
    static const char *const flags[] = {
        "-f, --file PATH", "--cluster URL", "--ca-cert FILE", "--insecure",
        "--sim DIR", "--token-file FILE", "--uid UID",
        "--password-file FILE", "--private-key FILE", "-o, --output",
        "--detailed-exitcode", "--timeout DURATION",
        "--request-timeout DURATION", "--max-connections N", "--no-color",
        "--log-level LEVEL", "--trace", "DCOS_URL", "DCOS_SSL_VERIFY",
        "DCOS_ACS_TOKEN", "validate", "plan", "apply", "version",
        "-out, --out FILE", "--auto-approve", "apply FILE", "130 / 143",
    };
    char *text = NULL;
    size_t len = 0, i;
    FILE *f = open_memstream(&text, &len);

    (void)state;
    assert_non_null(f);
    cli_usage(f);
    assert_int_equal(fclose(f), 0);
    for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (!strstr(text, flags[i]))
            fail_msg("usage lacks \"%s\"", flags[i]);
    free(text);
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
    char *key = h_write_file(dir, "key.pem", "KEY\n");
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
    assert_string_equal(secret_str(c.private_key), "KEY");
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

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_defaults),
        T(test_help_and_version),
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
        T(test_secret_files),
        T(test_failed_parse_frees),
        T(test_usage),
        T(test_apply_sim),
        T(test_apply_sim_explicit_wins),
        T(test_apply_sim_ignores_env),
        T(test_apply_sim_errors),
        T(test_bool_flags_reject_value),
        T(test_saved_plan_and_approval),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
