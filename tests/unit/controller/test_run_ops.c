/*
 * Unit tests of etls run's pieces that need no cluster: the event log
 * (controller/run_log.c: logfmt quoting, JSON, levels), the status and
 * metrics documents (controller/run_state.c: conditions of an invalid
 * document, promtool on the metrics), and what operations ship: the
 * Marathon app (manifests/marathon/etls.json) and the example alert rules
 * of docs/operations.md (promtool check rules; every metric they use is
 * exported and documented).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "controller/run_int.h"
#include "controller/run_log.h"

#ifndef ETLS_SOURCE_DIR
#error "ETLS_SOURCE_DIR must be defined"
#endif

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = calloc(1, 1u << 20);
    size_t n;

    if (!f || !buf)
        fail_msg("cannot read %s", path);
    n = fread(buf, 1, (1u << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* What run_log writes for one event, as a string (new). */
static char *log_line(enum run_log_format f, enum log_level lvl)
{
    FILE *tmp = tmpfile();
    char *buf = calloc(1, 4096);

    assert_non_null(tmp);
    run_log_setup(tmp, f, LOG_INFO);
    run_log(lvl, "reconciled", "service", "elastic", "error",
            "a \"quoted\" = value\nnext", "skipped", (const char *)NULL,
            "outcome", "applied", (char *)NULL);
    rewind(tmp);
    if (fread(buf, 1, 4095, tmp) == 0)
        buf[0] = '\0';
    fclose(tmp);
    run_log_setup(NULL, RUN_LOG_LOGFMT, LOG_INFO);
    return buf;
}

static void test_log_logfmt(void **state)
{
    char *l = log_line(RUN_LOG_LOGFMT, LOG_INFO);

    (void)state;
    assert_int_equal(strncmp(l, "ts=", 3), 0);
    assert_non_null(strstr(l, " level=info event=reconciled service=elastic "
                              "error=\"a \\\"quoted\\\" = value\\nnext\" "
                              "outcome=applied\n"));
    assert_null(strstr(l, "skipped"));
    assert_int_equal(strchr(l, '\n') - l, (long)strlen(l) - 1);
    free(l);
    /* Below the level: nothing. */
    l = log_line(RUN_LOG_LOGFMT, LOG_DEBUG);
    assert_string_equal(l, "");
    free(l);
}

static void test_log_json(void **state)
{
    char *l = log_line(RUN_LOG_JSON, LOG_WARN);
    json_t *j = json_loads(l, 0, NULL);

    (void)state;
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "level")),
                        "warn");
    assert_string_equal(json_string_value(json_object_get(j, "event")),
                        "reconciled");
    assert_string_equal(json_string_value(json_object_get(j, "error")),
                        "a \"quoted\" = value\nnext");
    assert_null(json_object_get(j, "skipped"));
    json_decref(j);
    free(l);
}

/* A daemon with one service whose only document is invalid. */
static void one_invalid(struct run_daemon *d, struct run_service *s,
                        struct run_service **v)
{
    static char path[] = "/etc/etls/manifests/elastic.json";
    static char why[] = "elastic.json:3:5: service.name: expected a string";

    memset(d, 0, sizeof(*d));
    memset(s, 0, sizeof(*s));
    s->d = d;
    s->path = path;
    s->doc_error = why;
    v[0] = s;
    d->svcs = v;
    d->n = 1;
    d->reloads = 1;
}

static const json_t *cond(const json_t *svc, const char *type)
{
    const json_t *c;
    size_t i;

    json_array_foreach(json_object_get(svc, "conditions"), i, c)
        if (strcmp(json_string_value(json_object_get(c, "type")), type) == 0)
            return c;
    fail_msg("no condition %s", type);
    return NULL;
}

static void test_status_invalid_document(void **state)
{
    struct run_daemon d;
    struct run_service s, *v[1];
    char *text;
    json_t *j, *svc;

    (void)state;
    one_invalid(&d, &s, v);
    text = run_state_status(&d);
    assert_non_null(text);
    j = json_loads(text, 0, NULL);
    assert_non_null(j);
    svc = json_array_get(json_object_get(j, "services"), 0);
    assert_string_equal(json_string_value(json_object_get(
                            cond(svc, "Degraded"), "reason")),
                        "InvalidDocument");
    assert_string_equal(json_string_value(json_object_get(
                            cond(svc, "Degraded"), "message")),
                        s.doc_error);
    assert_string_equal(json_string_value(json_object_get(
                            cond(svc, "Stalled"), "reason")),
                        "NoValidDocument");
    assert_string_equal(json_string_value(json_object_get(
                            cond(svc, "Ready"), "status")),
                        "False");
    assert_true(json_is_null(json_object_get(
        json_object_get(svc, "revision"), "sha256")));
    /* Nothing to reconcile: ready. */
    assert_true(json_is_true(json_object_get(j, "ready")));
    json_decref(j);
    free(text);
}

/* Write @text to a new temporary file; its path (static buffer). */
static const char *to_file(const char *text, const char *suffix)
{
    static char path[64];
    FILE *f;
    int fd;

    (void)suffix;
    snprintf(path, sizeof(path), "/tmp/etls-ops-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void promtool(const char *what, const char *path)
{
    char cmd[256];

    snprintf(cmd, sizeof(cmd), "promtool check %s %s '%s' >/dev/null", what,
             strcmp(what, "metrics") == 0 ? "<" : "", path);
    if (access("/usr/bin/promtool", X_OK) != 0)
        fail_msg("promtool is missing: run scripts/install-deps.sh");
    if (system(cmd) != 0)
        fail_msg("%s failed", cmd);
    unlink(path);
}

/* The exporter's text for a daemon with one service with some history. */
static char *sample_metrics(void)
{
    static char name[] = "elastic";
    struct run_daemon d;
    struct run_service s, *v[1];

    one_invalid(&d, &s, v);
    s.name = name;
    s.outcomes[RECONCILE_APPLIED] = 2;
    s.hist[3] = 2;
    s.hist_n = 2;
    s.hist_sum = 3.5;
    s.failures = 1;
    return run_state_metrics(&d);
}

static void test_metrics_promtool(void **state)
{
    char *m = sample_metrics();

    (void)state;
    assert_non_null(m);
    assert_non_null(strstr(m, "etls_reconciles_total{service=\"elastic\","
                              "result=\"applied\"} 2\n"));
    promtool("metrics", to_file(m, ".prom"));
    free(m);
}

static void test_alert_rules(void **state)
{
    char *doc = slurp(ETLS_SOURCE_DIR "/docs/operations.md");
    char *cli = slurp(ETLS_SOURCE_DIR "/docs/cli.md");
    char *m = sample_metrics();
    char *b = strstr(doc, "<!-- alerts:begin -->\n```yaml\n");
    char *e = b ? strstr(b, "```\n<!-- alerts:end -->") : NULL;
    char *p, name[128];
    int n = 0;

    (void)state;
    assert_non_null(b);
    assert_non_null(e);
    b += strlen("<!-- alerts:begin -->\n```yaml\n");
    *e = '\0';
    /* Every etls_ metric a rule uses is exported and documented. */
    for (p = strstr(b, "etls_"); p; p = strstr(p + 1, "etls_")) {
        size_t k = strspn(p, "abcdefghijklmnopqrstuvwxyz_");

        if (p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z') ||
            k >= sizeof(name))
            continue;
        memcpy(name, p, k);
        name[k] = '\0';
        if (strncmp(name, "etls_", 5) != 0 || !strcmp(name, "etls_"))
            continue;
        if (!strstr(m, name))
            fail_msg("the rules use %s, which etls run does not export",
                     name);
        if (!strstr(cli, name))
            fail_msg("the rules use %s, which docs/cli.md does not list",
                     name);
        n++;
    }
    assert_true(n >= 5);
    promtool("rules", to_file(b, ".yml"));
    free(m);
    free(cli);
    free(doc);
}

static void test_marathon_app(void **state)
{
    json_t *app = json_load_file(ETLS_SOURCE_DIR
                                 "/manifests/marathon/etls.json", 0, NULL);
    json_t *hc, *vols, *vol;
    const char *cmd;
    char *env;
    size_t i;
    int key = 0;

    (void)state;
    assert_non_null(app);
    assert_int_equal(json_integer_value(json_object_get(app, "instances")),
                     1);
    hc = json_array_get(json_object_get(app, "healthChecks"), 0);
    assert_string_equal(json_string_value(json_object_get(hc, "path")),
                        "/healthz");
    cmd = json_string_value(json_object_get(app, "cmd"));
    assert_non_null(cmd);
    assert_non_null(strstr(cmd, " run "));
    assert_non_null(strstr(cmd, "--private-key \"$MESOS_SANDBOX/"));
    assert_non_null(strstr(cmd, "--listen \"127.0.0.1:$PORT0\""));
    assert_null(strstr(cmd, "--insecure"));
    assert_null(strstr(cmd, "--password"));
    /* Its key is a file secret, never an environment variable. */
    vols = json_object_get(json_object_get(app, "container"), "volumes");
    json_array_foreach(vols, i, vol)
        key |= strcmp(json_string_value(json_object_get(vol,
                                                        "containerPath")),
                      "etls-private-key") == 0 &&
               json_is_string(json_object_get(vol, "secret"));
    assert_true(key);
    env = json_dumps(json_object_get(app, "env"), 0);
    assert_non_null(env);
    assert_null(strstr(env, "secret"));
    free(env);
    /* The grace of SIGTERM (30 s) fits in the kill grace period. */
    assert_true(json_integer_value(json_object_get(
                    app, "taskKillGracePeriodSeconds")) > 30);
    json_decref(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_logfmt),
        cmocka_unit_test(test_log_json),
        cmocka_unit_test(test_status_invalid_document),
        cmocka_unit_test(test_metrics_promtool),
        cmocka_unit_test(test_alert_rules),
        cmocka_unit_test(test_marathon_app),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
