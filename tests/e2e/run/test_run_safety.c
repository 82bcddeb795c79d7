/*
 * End-to-end tests of `etls run` (issue 9) where it must hold back:
 * --detect-only and `suspend: true` report drift with zero writes,
 * injected API failures back off and recover (seen in /status and
 * /metrics), two daemons on the same documents never write the same
 * service at once, and SIGTERM lets the write in flight finish, starts
 * no other and exits 0 within the grace period.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "e2e/run/run_testutil.h"
#include "harness/h_cluster.h"

#define RESYNC "2s"
#define RESYNC_MS 2200

/* A plain service made by hand; the document @name wants TLS: drift. */
static void drift_then_watch(struct r_case *t, const char *name,
                             const char *doc, int detect_only)
{
    char *desc = NULL, *log;
    EVP_PKEY *k = e_runbook_default(&t->sim, E_PLAIN);

    EVP_PKEY_free(k);
    e_assert_plain(&t->sim, "elastic");
    r_write(t->dir, name, doc);
    e_log_clear(&t->sim);
    if (detect_only)
        r_start(&t->d, &t->sim, t->dir, RESYNC, "--detect-only",
                (char *)NULL);
    else
        r_start(&t->d, &t->sim, t->dir, RESYNC, (char *)NULL);
    if (!r_wait_cond(&t->d, "elastic", "Ready", "False", "DriftDetected",
                     R_WAIT_MS))
        fail_msg("no drift reported: %s", r_log(&t->d));
    if (!r_wait_metric(&t->d, "etls_drift_detected_total",
                       "service=elastic,resource=dcos_package", 1,
                       R_WAIT_MS))
        fail_msg("drift not counted");
    /* Two more resyncs: still nothing written. */
    h_sleep_ms(2 * RESYNC_MS);
    assert_true(r_metric_now(&t->d, "etls_reconciles_total",
                             "service=elastic,result=drift") >= 2);
    assert_true(r_metric_now(&t->d, "etls_drift_corrections_total",
                             "service=elastic") < 0);
    if (e_log_writes(&t->sim, &desc) != 0)
        fail_msg("writes: %s", desc);
    free(desc);
    e_assert_plain(&t->sim, "elastic");
    log = r_log(&t->d);
    assert_null(strstr(log, "event=action-start"));
    free(log);
}

static void test_detect_only(void **state)
{
    struct r_case *t = *state;
    char *doc = r_runbook(1);

    drift_then_watch(t, "elastic.json", doc, 1);
    free(doc);
}

/* suspend: true, in a YAML document (etls run reads .yaml as -f does). */
static void test_suspend(void **state)
{
    struct r_case *t = *state;
    char *opts = r_runbook(1), *flat, *doc;
    json_t *o = json_loads(opts, 0, NULL);
    size_t n;

    assert_non_null(o);
    flat = json_dumps(o, JSON_COMPACT);
    assert_non_null(flat);
    n = strlen(flat) + 128;
    doc = malloc(n);
    assert_non_null(doc);
    snprintf(doc, n, "apiVersion: etls/v1\nsuspend: true\noptions: %s\n",
             flat);
    drift_then_watch(t, "elastic.yaml", doc, 0);
    free(doc);
    free(flat);
    json_decref(o);
    free(opts);
}

/* consecutive_failures of elastic is at least 2 and Degraded is
 * Backoff. */
static int backing_off(json_t *st, void *arg)
{
    json_t *svc = r_service(st, "elastic");
    const char *reason = NULL, *v;

    (void)arg;
    if (!svc ||
        json_integer_value(json_object_get(svc, "consecutive_failures")) < 2)
        return 0;
    v = r_cond(svc, "Degraded", &reason);
    return v && strcmp(v, "True") == 0 && reason &&
           strcmp(reason, "Backoff") == 0 &&
           json_real_value(json_object_get(svc, "backoff_seconds")) >= 2;
}

static void test_api_failures_back_off_and_recover(void **state)
{
    struct r_case *t = *state;
    char *doc = r_runbook(1);
    json_t *st;

    /* The service account cannot be read for a while. */
    e_fault(&t->sim, "{\"method\":\"GET\",\"path\":\"/acs/api/v1/users/"
                     "elastic\",\"status\":500,\"count\":5}");
    r_write(t->dir, "elastic.json", doc);
    free(doc);
    r_start(&t->d, &t->sim, t->dir, "60s", "--backoff-max", "4s",
            (char *)NULL);
    if (!r_wait(&t->d, backing_off, NULL, R_WAIT_MS))
        fail_msg("no backoff shown: %s", r_log(&t->d));
    assert_true(r_metric_now(&t->d, "etls_reconciles_total",
                             "service=elastic,result=failed") >= 2);
    assert_true(r_metric_now(&t->d, "etls_api_requests_total",
                             "api=iam,method=GET,code=500") >= 2);
    assert_true(r_metric_now(&t->d, "etls_consecutive_failures",
                             "service=elastic") >= 2);
    /* Recovery once the faults are used up (well before the resync). */
    if (!r_wait_cond(&t->d, "elastic", "Ready", "True", "Converged",
                     R_WAIT_MS))
        fail_msg("did not recover: %s", r_log(&t->d));
    st = r_status(&t->d);
    assert_int_equal(json_integer_value(json_object_get(
                         r_service(st, "elastic"), "consecutive_failures")),
                     0);
    json_decref(st);
    assert_true(r_metric_now(&t->d, "etls_consecutive_failures",
                             "service=elastic") == 0);
    e_assert_converged(&t->sim, "elastic", "elastic", "elastic/secret", 1,
                       1);
}

/* ---- two daemons ---- */

/* A write window of a daemon: its first write action to its end. */
struct window {
    char from[32], to[32];
};

/* The ts= of the line at @p (into @out). */
static void line_ts(const char *p, char out[32])
{
    const char *ts = p;

    while (ts > (const char *)0 && ts[-1] != '\n' && ts[-1] != '\0')
        ts--;
    if (strncmp(ts, "ts=", 3) != 0)
        fail_msg("a log line without ts");
    snprintf(out, 32, "%.24s", ts + 3);
}

/* The windows in @log (at most @max); how many. */
static size_t windows(const char *log, struct window *w, size_t max)
{
    const char *p = log;
    size_t n = 0;
    int open = 0;

    while ((p = strstr(p, "level=")) != NULL) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char line[1024];

        snprintf(line, sizeof(line), "%.*s", (int)len, p);
        if (!open && strstr(line, "event=action-start ") && n < max) {
            line_ts(p, w[n].from);
            open = 1;
        } else if (open && strstr(line, "event=reconciled ")) {
            line_ts(p, w[n++].to);
            open = 0;
        }
        p += len;
    }
    if (open)
        fail_msg("a reconcile still writing: %s", log);
    return n;
}

static void assert_apart(struct r_case *t)
{
    struct window a[64], b[64];
    char *la = r_log(&t->d), *lb = r_log(&t->d2);
    size_t na = windows(la, a, 64), nb = windows(lb, b, 64), i, j;

    if (na + nb == 0)
        fail_msg("nobody wrote");
    for (i = 0; i < na; i++)
        for (j = 0; j < nb; j++)
            if (strcmp(a[i].from, b[j].to) <= 0 &&
                strcmp(b[j].from, a[i].to) <= 0)
                fail_msg("both wrote at once: [%s, %s] and [%s, %s]\n%s\n%s",
                         a[i].from, a[i].to, b[j].from, b[j].to, la, lb);
    free(la);
    free(lb);
}

static int is_200(const struct h_resp *r, void *arg)
{
    (void)arg;
    return r->status == 200 && (!arg || (r->body && strstr(r->body, arg)));
}

/* GET @path answers 200 (bounded). */
static int wait_ok(struct r_case *t, const char *path)
{
    return h_wait(&t->sim, path, is_200,
                  strstr(path, "groups") ? (void *)"superusers" : NULL,
                  R_WAIT_MS, 100);
}

static int both_ready(const struct r_case *t)
{
    return r_wait_cond(&t->d, "elastic", "Ready", "True", "Converged",
                       R_WAIT_MS) &&
           r_wait_cond(&t->d2, "elastic", "Ready", "True", "Converged",
                       R_WAIT_MS);
}

static void test_two_daemons_never_write_at_once(void **state)
{
    struct r_case *t = *state;
    char *doc = r_runbook(1);
    double locked;

    r_write(t->dir, "elastic.json", doc);
    free(doc);
    r_start(&t->d, &t->sim, t->dir, RESYNC, (char *)NULL);
    r_start(&t->d2, &t->sim, t->dir, RESYNC, (char *)NULL);
    if (!both_ready(t))
        fail_msg("not converged: %s", r_log(&t->d));
    /* Drift: both see it; one repairs it. */
    e_account_delete(&t->sim, "elastic");
    /* Repaired: the account, then its membership (same apply). */
    if (!wait_ok(t, "/acs/api/v1/users/elastic") ||
        !wait_ok(t, "/acs/api/v1/users/elastic/groups"))
        fail_msg("account not repaired: %s", r_log(&t->d));
    if (!both_ready(t))
        fail_msg("not converged: %s", r_log(&t->d));
    e_group_remove(&t->sim, "superusers", "elastic");
    if (!wait_ok(t, "/acs/api/v1/users/elastic/groups") || !both_ready(t))
        fail_msg("not converged again: %s", r_log(&t->d));
    e_assert_converged(&t->sim, "elastic", "elastic", "elastic/secret", 1,
                       1);
    assert_apart(t);
    locked = r_metric_now(&t->d, "etls_reconciles_total",
                          "service=elastic,result=locked") +
             r_metric_now(&t->d2, "etls_reconciles_total",
                          "service=elastic,result=locked");
    /* Only informative: the lease may or may not have been contended. */
    printf("locked reconciles: %.0f\n", locked);
}

static void test_sigterm_finishes_in_flight(void **state)
{
    struct r_case *t = *state;
    char *doc = r_runbook(1), *shutdown;
    struct h_resp r;
    struct e_run run;
    struct timespec t0, t1;
    double secs;

    /* Hold the secret's creation (the first write) for 3 s. */
    e_fault(&t->sim, "{\"method\":\"PUT\",\"path\":\"/secrets/v1/secret/"
                     "default/elastic/secret\",\"delay_ms\":3000,"
                     "\"count\":1}");
    r_write(t->dir, "elastic.json", doc);
    free(doc);
    r_start(&t->d, &t->sim, t->dir, RESYNC, (char *)NULL);
    if (!e_wait_out(&t->d.p, "action=dcos_secret.elastic/secret",
                    R_WAIT_MS))
        fail_msg("the secret's write did not start: %s", r_log(&t->d));
    h_sleep_ms(300);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    run = r_stop(&t->d, SIGTERM, 35000);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) +
           (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    e_expect_rc(&run, 0);
    if (secs > 30)
        fail_msg("exited after %.1f s", secs);
    /* The write in flight finished... */
    r = h_get(&t->sim, "/secrets/v1/secret/default/elastic/secret");
    h_expect_status(&r, 200, "the secret written in flight");
    h_resp_free(&r);
    /* ... and nothing started after the signal. */
    shutdown = strstr(run.out, "event=shutdown");
    assert_non_null(shutdown);
    assert_null(strstr(shutdown, "event=action-start"));
    assert_int_equal(e_log_count(&t->sim, "PUT", "/acs/api/v1/users/"), 0);
    assert_non_null(strstr(shutdown, "event=stopped"));
    e_run_free(&run);
}

#define T(f)                                                                  \
    cmocka_unit_test_setup_teardown(f, r_case_setup, r_case_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_detect_only),
        T(test_suspend),
        T(test_api_failures_back_off_and_recover),
        T(test_two_daemons_never_write_at_once),
        T(test_sigterm_finishes_in_flight),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
