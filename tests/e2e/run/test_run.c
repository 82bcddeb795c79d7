/*
 * End-to-end tests of `etls run` (issue 9) against a private dcos-sim per
 * test, with the daemon running: a new document converges, an edit (TLS
 * off -> on) converges, each out-of-band drift is repaired within one
 * resync and counted in /metrics, an invalid edit keeps the last good
 * state (Degraded) until fixed, a removed document stops management,
 * /metrics parses (independent parser, and promtool).
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

/* Resync of these tests; drift must be repaired within it plus SLACK. */
#define RESYNC "3s"
#define RESYNC_MS 3300
#define SLACK_MS 25000

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Start the daemon on the runbook's document (TLS @tls) and wait until
 * converged. */
static void converge_tls(struct r_case *t, int tls)
{
    char *text = r_runbook(tls);

    r_write(t->dir, "elastic.json", text);
    free(text);
    r_start(&t->d, &t->sim, t->dir, RESYNC, (char *)NULL);
    if (!r_wait_cond(&t->d, "elastic", "Ready", "True", "Converged",
                     R_WAIT_MS))
        fail_msg("did not converge: %s", r_log(&t->d));
    if (tls)
        e_assert_converged(&t->sim, "elastic", "elastic", "elastic/secret",
                           1, 1);
    else
        e_assert_plain(&t->sim, "elastic");
}

static void converge(struct r_case *t)
{
    converge_tls(t, 1);
}

/* The applied revision of elastic into @out. */
static void revision(struct r_case *t, char out[100])
{
    json_t *st = r_status(&t->d);

    snprintf(out, 100, "%s",
             json_string_value(json_object_get(
                 json_object_get(r_service(st, "elastic"), "revision"),
                 "sha256")));
    json_decref(st);
}

/* The sum of the drift corrections of service elastic. */
static double corrections(struct r_case *t, const char *resource)
{
    char labels[128];
    double v;

    snprintf(labels, sizeof(labels), "service=elastic%s%s",
             resource ? ",resource=" : "", resource ? resource : "");
    v = r_metric_now(&t->d, "etls_drift_corrections_total", labels);
    return v < 0 ? 0 : v;
}

/*
 * After @drift was made by hand: wait until @resource (NULL: any) was
 * corrected once more, within one resync plus the time of a reconcile,
 * then until the service is converged again.
 */
static void expect_repaired(struct r_case *t, const char *resource,
                            double before, const char *drift)
{
    double t0 = now_ms();
    char labels[128];

    snprintf(labels, sizeof(labels), "service=elastic%s%s",
             resource ? ",resource=" : "", resource ? resource : "");
    if (!r_wait_metric(&t->d, "etls_drift_corrections_total", labels,
                       before + 1, RESYNC_MS + SLACK_MS))
        fail_msg("%s: not repaired within one resync: %s", drift,
                 r_log(&t->d));
    if (now_ms() - t0 > RESYNC_MS + SLACK_MS)
        fail_msg("%s: repaired too late", drift);
    if (!r_wait_cond(&t->d, "elastic", "Ready", "True", "Converged",
                     R_WAIT_MS))
        fail_msg("%s: not converged again: %s", drift, r_log(&t->d));
    e_assert_converged(&t->sim, "elastic", "elastic", "elastic/secret", 1,
                       1);
}

/*
 * Between resyncs the daemon keeps no connection to the cluster: no TCP
 * connection but at most one to its status server (this test's last
 * request, still closing).  Looked at until a moment between two
 * reconciles comes (a reconcile may run at any time).
 */
static void idle_holds_no_connection(struct r_case *t)
{
    long n = -1;
    int i;

    for (i = 0; i < 200; i++) {
        n = h_proc_tcp_connections(t->d.p.pid);
        if (n >= 0 && n <= 1)
            return;
        h_sleep_ms(50);
    }
    fail_msg("etls run holds %ld TCP connections between reconciles: %s", n,
             r_log(&t->d));
}

static void test_new_document_converges(void **state)
{
    struct r_case *t = *state;
    struct e_run r;
    json_t *st, *svc;
    char *m, *log, cmd[700], path[512];
    const char *sha;
    FILE *f;

    converge(t);
    idle_holds_no_connection(t);
    st = r_status(&t->d);
    svc = r_service(st, "elastic");
    assert_non_null(svc);
    assert_true(json_is_true(json_object_get(st, "ready")));
    sha = json_string_value(
        json_object_get(json_object_get(svc, "revision"), "sha256"));
    assert_non_null(sha);
    assert_int_equal(strncmp(sha, "sha256:", 7), 0);
    assert_non_null(json_string_value(json_object_get(svc, "last_apply")));
    assert_non_null(json_string_value(json_object_get(svc,
                                                      "next_reconcile")));
    json_decref(st);
    m = r_metrics(&t->d);
    assert_true(r_metric(m, "etls_reconciles_total",
                         "service=elastic,result=applied") >= 1);
    assert_true(r_metric(m, "etls_converged", "service=elastic") == 1);
    assert_true(r_metric(m, "etls_api_requests_total",
                         "api=cosmos,method=POST,code=200") >= 1);
    assert_true(r_metric(m, "etls_reconcile_duration_seconds_count",
                         "service=elastic") >= 1);
    assert_true(r_metric(m, "etls_queue_depth", "") == 0);
    assert_true(r_metric(m, "etls_lease_held", "service=elastic") == 0);
    /* promtool, the Prometheus project's own checker. */
    snprintf(path, sizeof(path), "%s/metrics.txt", t->dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(m, f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "promtool check metrics < '%s'", path);
    if (access("/usr/bin/promtool", X_OK) == 0)
        assert_int_equal(system(cmd), 0);
    free(m);
    /* etls status prints it as a table. */
    snprintf(path, sizeof(path), "http://%s", t->d.addr);
    r = e_etls(NULL, "status", NULL, "--server", path, (char *)NULL);
    e_expect_rc(&r, 0);
    e_expect_out(&r, "SERVICE");
    e_expect_out(&r, "elastic ");
    e_expect_out(&r, " True   Converged ");
    e_expect_out(&r, "ready: yes");
    e_run_free(&r);
    r = r_stop(&t->d, SIGTERM, 35000);
    e_expect_rc(&r, 0);
    log = r.out;
    assert_non_null(strstr(log, "event=stopped"));
    /* Never a secret in the log (the key, the passwords, a token). */
    e_assert_clean(&r, &t->sim, "elastic/secret");
    e_run_free(&r);
}

/*
 * Idle for longer than /healthz's staleness bound (15 s): the daemon
 * stays healthy though it publishes nothing new, and holds no connection
 * to the cluster.
 */
static void test_idle_daemon_stays_healthy(void **state)
{
    struct r_case *t = *state;
    char *text = r_runbook(1);
    struct h_resp r;

    r_write(t->dir, "elastic.json", text);
    free(text);
    r_start(&t->d, &t->sim, t->dir, "60s", (char *)NULL);
    if (!r_wait_cond(&t->d, "elastic", "Ready", "True", "Converged",
                     R_WAIT_MS))
        fail_msg("did not converge: %s", r_log(&t->d));
    idle_holds_no_connection(t);
    h_sleep_ms(16500);
    r = r_get(&t->d, "/healthz");
    if (r.status != 200)
        fail_msg("/healthz after 16.5 s idle: HTTP %ld %s", r.status,
                 r.body ? r.body : "");
    h_resp_free(&r);
    if (!r_wait_cond(&t->d, "elastic", "Ready", "True", "Converged", 1000))
        fail_msg("no longer converged: %s", r_log(&t->d));
    idle_holds_no_connection(t);
}

/* A document of @arg (a file name) is Degraded, InvalidDocument. */
static int doc_invalid(json_t *st, void *arg)
{
    json_t *svc;
    size_t i;

    json_array_foreach(json_object_get(st, "services"), i, svc)
    {
        const char *doc = json_string_value(json_object_get(svc,
                                                            "document"));
        const char *reason = NULL, *v;

        if (!doc || !strstr(doc, arg))
            continue;
        v = r_cond(svc, "Degraded", &reason);
        return v && strcmp(v, "True") == 0 && reason &&
               strcmp(reason, "InvalidDocument") == 0;
    }
    return 0;
}

static void test_conflicting_document(void **state)
{
    struct r_case *t = *state;
    char *text, *at, *desc = NULL, name[] = "zz-other.json";

    converge(t);
    e_log_clear(&t->sim);
    /* Another service with the same service account: refused. */
    text = r_runbook(1);
    at = strstr(text, "\"name\": \"elastic\"");
    assert_non_null(at);
    memcpy(at, "\"name\": \"other12\"", 17);
    r_write(t->dir, name, text);
    free(text);
    if (!r_wait(&t->d, doc_invalid, name, R_WAIT_MS))
        fail_msg("the conflict is not reported: %s", r_log(&t->d));
    h_sleep_ms(2 * RESYNC_MS);
    if (e_log_writes(&t->sim, &desc) != 0)
        fail_msg("writes: %s", desc);
    free(desc);
    assert_true(r_wait_cond(&t->d, "elastic", "Ready", "True", "Converged",
                            R_WAIT_MS));
}

/* One out-of-band drift: what a person does, which resource fixes it. */
struct drift {
    const char *what;
    const char *resource; /* NULL: any */
    void (*make)(struct h_sim *s);
};

static void drift_account(struct h_sim *s)
{
    e_account_delete(s, "elastic");
}

static void drift_membership(struct h_sim *s)
{
    e_group_remove(s, "superusers", "elastic");
}

static void drift_secret_deleted(struct h_sim *s)
{
    e_secret_delete(s, "elastic/secret");
}

static void drift_secret_changed(struct h_sim *s)
{
    h_secret_patch(s, "elastic/secret", "not a key any more");
}

static void drift_tls_off(struct h_sim *s)
{
    assert_int_equal(e_update(s, "elastic",
                              "{\"service\":{\"security\":{"
                              "\"transport_encryption\":{\"enabled\":"
                              "false}}}}"),
                     200);
}

static const struct drift drifts[] = {
    {"account deleted", "dcos_service_account", drift_account},
    {"membership removed", "dcos_group_membership", drift_membership},
    {"secret deleted", "dcos_secret", drift_secret_deleted},
    {"secret changed", NULL, drift_secret_changed},
    {"TLS disabled through Cosmos", "dcos_package", drift_tls_off},
};

/* The drift of the test (its cmocka prestate). */
static void test_drift(void **state)
{
    struct r_case *t = *state;
    const struct drift *dr = t->arg;
    double before;

    converge(t);
    before = corrections(t, dr->resource);
    dr->make(&t->sim);
    expect_repaired(t, dr->resource, before, dr->what);
}

static void test_drift_uninstalled(void **state)
{
    struct r_case *t = *state;
    struct h_resp r;
    double before;

    converge(t);
    before = corrections(t, "dcos_package");
    r = h_cosmos(&t->sim, "package/uninstall",
                 "{\"packageName\":\"beta-elastic\",\"appId\":\"elastic\"}");
    h_expect_status(&r, 200, "uninstall");
    h_resp_free(&r);
    /* The uninstall itself takes a while; then it is installed again. */
    if (!r_wait_metric(&t->d, "etls_drift_corrections_total",
                       "service=elastic,resource=dcos_package", before + 1,
                       R_WAIT_MS))
        fail_msg("not reinstalled: %s", r_log(&t->d));
    if (!r_wait_cond(&t->d, "elastic", "Ready", "True", "Converged",
                     R_WAIT_MS))
        fail_msg("not converged again: %s", r_log(&t->d));
    e_assert_converged(&t->sim, "elastic", "elastic", "elastic/secret", 1,
                       1);
}

/* The revision of elastic differs from @sha. */
static int revision_not(json_t *st, void *arg)
{
    json_t *svc = r_service(st, "elastic");
    const char *v = json_string_value(
        json_object_get(json_object_get(svc, "revision"), "sha256"));

    return v && strcmp(v, arg) != 0;
}

static void test_edit_tls_off_to_on(void **state)
{
    struct r_case *t = *state;
    char *text, *log, sha[100];

    converge_tls(t, 0);
    revision(t, sha);
    /* The edit: TLS on. */
    text = r_runbook(1);
    r_write(t->dir, "elastic.json", text);
    free(text);
    if (!r_wait(&t->d, revision_not, sha, R_WAIT_MS))
        fail_msg("the edit was not picked up: %s", r_log(&t->d));
    if (!r_wait_cond(&t->d, "elastic", "Ready", "True", "Converged",
                     R_WAIT_MS))
        fail_msg("the edit did not converge: %s", r_log(&t->d));
    e_assert_converged(&t->sim, "elastic", "elastic", "elastic/secret", 1,
                       1);
    /* Through the parallel toggle, then serial restored. */
    log = r_log(&t->d);
    assert_non_null(strstr(log, "parallel"));
    free(log);
}

static void test_invalid_edit_degraded(void **state)
{
    struct r_case *t = *state;
    char sha[100], *text, *log, *desc = NULL;
    const char *reason = NULL;
    json_t *st, *svc;
    int i;

    converge(t);
    revision(t, sha);
    e_log_clear(&t->sim);
    /* An invalid edit: TLS off, and a typo'd member. */
    r_write(t->dir, "elastic.json",
            "{\"service\": {\"name\": \"elastic\", \"securty\": {}}}\n");
    if (!r_wait_cond(&t->d, "elastic", "Degraded", "True", "InvalidDocument",
                     R_WAIT_MS))
        fail_msg("no Degraded condition: %s", r_log(&t->d));
    /* Two resyncs on the last good state: nothing written, still TLS. */
    h_sleep_ms(2 * RESYNC_MS);
    st = r_status(&t->d);
    svc = r_service(st, "elastic");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(svc, "revision"), "sha256")),
                        sha);
    assert_string_equal(r_cond(svc, "Degraded", &reason), "True");
    json_decref(st);
    assert_true(r_metric_now(&t->d, "etls_document_valid",
                             "service=elastic") == 0);
    if (e_log_writes(&t->sim, &desc) != 0)
        fail_msg("writes while the document was invalid: %s", desc);
    free(desc);
    e_assert_https(&t->sim, "elastic");
    /* The fix recovers. */
    text = r_runbook(1);
    r_write(t->dir, "elastic.json", text);
    free(text);
    if (!r_wait_cond(&t->d, "elastic", "Degraded", "False", NULL,
                     R_WAIT_MS))
        fail_msg("still Degraded after the fix: %s", r_log(&t->d));
    for (i = 0; i < 10 && r_metric_now(&t->d, "etls_document_valid",
                                       "service=elastic") != 1; i++)
        h_sleep_ms(200);
    assert_true(r_metric_now(&t->d, "etls_document_valid",
                             "service=elastic") == 1);
    log = r_log(&t->d);
    assert_non_null(strstr(log, "event=document-invalid"));
    free(log);
}

/* Service elastic is no longer listed. */
static int gone(json_t *st, void *arg)
{
    (void)arg;
    return r_service(st, "elastic") == NULL;
}

static void test_document_removed(void **state)
{
    struct r_case *t = *state;
    char path[512], *desc = NULL;

    converge(t);
    e_log_clear(&t->sim);
    snprintf(path, sizeof(path), "%s/elastic.json", t->dir);
    assert_int_equal(unlink(path), 0);
    if (!r_wait(&t->d, gone, NULL, R_WAIT_MS))
        fail_msg("still managed after removal: %s", r_log(&t->d));
    h_sleep_ms(2 * RESYNC_MS);
    if (e_log_writes(&t->sim, &desc) != 0)
        fail_msg("writes after removal: %s", desc);
    free(desc);
    /* Nothing deleted. */
    e_assert_converged(&t->sim, "elastic", "elastic", "elastic/secret", 1,
                       1);
}

#define T(f)                                                                  \
    cmocka_unit_test_setup_teardown(f, r_case_setup, r_case_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_new_document_converges),
        T(test_idle_daemon_stays_healthy),
        T(test_edit_tls_off_to_on),
        T(test_invalid_edit_degraded),
        T(test_document_removed),
        T(test_conflicting_document),
#define DRIFT(i)                                                              \
    cmocka_unit_test_prestate_setup_teardown(test_drift, r_case_setup,        \
                                             r_case_teardown,                 \
                                             (void *)&drifts[i])
        DRIFT(0), DRIFT(1), DRIFT(2), DRIFT(3), DRIFT(4),
        T(test_drift_uninstalled),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
