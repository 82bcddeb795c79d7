/*
 * dcos-sim, uninstall as Cosmos and the SDK run it
 * (dcos-cli-and-cluster.md 4): /package/uninstall answers at once and
 * restarts the scheduler with SDK_UNINSTALL; its "deploy" plan becomes the
 * uninstall plan (kill-tasks, unreserve-resources-<host>, tls-cleanup,
 * deregister-service; 202 while it runs); the TLS artifacts leave the
 * secret store; Cosmos deletes the Marathon app only once that plan
 * answers 200, and lists the package until then; an install under the
 * same app id meanwhile is 409; a reinstall gets new certificates.  Also:
 * no tls-cleanup phase without TLS, --speed scales the whole uninstall,
 * an update that loses SDK_UNINSTALL leaves a scheduler that exits until
 * the uninstall is asked again, and an uninstall under way survives a
 * restart of dcos-sim.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/util.h"
#include "e2e/etls/etls_testutil.h"
#include "fid_testutil.h"
#include "harness/h_cluster.h"
#include "harness/h_json.h"
#include "harness/harness.h"

/* Slow enough that every stage of an uninstall is seen by polling: the
 * scheduler restarts for 0.75 s, the plan runs about 0.5 s, Cosmos's
 * janitor looks every 2.5 s (real time). */
#define SLOW_SPEED "4"
#define FAST_SPEED "40"
#define TLS_NAME "es-u"

static struct h_sim g_sim;   /* at SLOW_SPEED, shared */
static struct h_sim g_fast;  /* at FAST_SPEED, one test */

static int setup(void **state)
{
    return h_group_up(state, &g_sim, SLOW_SPEED);
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

static int fast_teardown(void **state)
{
    (void)state;
    if (g_fast.dir[0])
        h_sim_destroy(&g_fast);
    memset(&g_fast, 0, sizeof(g_fast));
    return 0;
}

static struct h_resp uninstall(struct h_sim *s, const char *svc)
{
    char *body = h_fmt("{\"packageName\":\"beta-elastic\",\"appId\":\"%s\"}",
                       svc);
    struct h_resp r = h_cosmos(s, "package/uninstall", body);

    free(body);
    return r;
}

static long app_status(struct h_sim *s, const char *svc)
{
    char *p = h_fmt("/marathon/v2/apps/%s", svc);
    struct h_resp r = h_get(s, p);
    long st = r.status;

    h_resp_free(&r);
    free(p);
    return st;
}

static int listed(struct h_sim *s, const char *svc)
{
    struct h_resp r = h_cosmos(s, "package/list", "{}");
    char *id = h_fmt("/%s", svc);
    json_t *p;
    size_t i;
    int found = 0;

    h_expect_status(&r, 200, "package/list");
    json_array_foreach(h_jget(r.json, "packages"), i, p)
        found |= h_jstr(p, "appId") && strcmp(h_jstr(p, "appId"), id) == 0;
    h_resp_free(&r);
    free(id);
    return found;
}

/* Install @svc without TLS and wait for its deploy plan. */
static void install_plain(struct h_sim *s, const char *svc)
{
    char *opts = h_fmt("{\"service\":{\"name\":\"%s\"}}", svc);

    h_install(s, opts);
    if (!h_wait_plan(s, svc, "deploy", "COMPLETE", FID_WAIT_MS, FID_POLL_MS))
        fail_msg("%s: deploy plan not COMPLETE", svc);
    free(opts);
}

/* The names of the phases of @plan, space separated (new). */
static char *phase_names(const json_t *plan)
{
    char *out = strdup(""), *n;
    json_t *ph;
    size_t i;

    json_array_foreach(h_jget(plan, "phases"), i, ph) {
        n = h_fmt("%s%s%s", out, i ? " " : "", h_jstr(ph, "name"));
        free(out);
        out = n;
    }
    return out;
}

/* Wait (bounded) until the scheduler of @svc serves its deploy plan;
 * returns it (new). */
static json_t *wait_plan_served(struct h_sim *s, const char *svc)
{
    json_t *plan = NULL;
    long st = 0;
    int i;

    for (i = 0; i < FID_WAIT_MS / FID_POLL_MS && !plan; i++) {
        plan = h_plan(s, svc, "deploy", &st);
        if (!plan)
            h_sleep_ms(FID_POLL_MS);
    }
    if (!plan)
        fail_msg("%s: no deploy plan served (HTTP %ld)", svc, st);
    return plan;
}

/* Wait (bounded) until Marathon no longer has @svc's app. */
static int wait_app_gone(struct h_sim *s, const char *svc)
{
    double end = util_now_mono() + FID_WAIT_MS / 1000.0;

    while (util_now_mono() < end) {
        if (app_status(s, svc) == 404)
            return 1;
        h_sleep_ms(FID_POLL_MS);
    }
    return 0;
}

/* What the uninstall loop saw. */
struct seen {
    int n502, n202, n200;  /* plan answers */
    int conflict_checked;  /* an install under the same id was tried */
    int again_checked;     /* a second uninstall was asked */
};

/* One poll of the uninstall of TLS_NAME while its app still exists. */
static void poll_uninstall(struct h_sim *s, struct seen *w)
{
    long st = 0;
    json_t *plan = h_plan(s, TLS_NAME, "deploy", &st);
    char *names;

    if (!plan) {
        /* 404: the janitor deleted the app since the caller looked */
        if (st == 404 && app_status(s, TLS_NAME) == 404)
            return;
        if (st != 502)
            fail_msg("deploy plan during the uninstall: HTTP %ld", st);
        w->n502++;
        return;
    }
    names = phase_names(plan);
    assert_string_equal(names, "kill-tasks unreserve-resources-127.0.0.1 "
                               "tls-cleanup deregister-service");
    assert_string_equal(h_jstr(plan, "strategy"), "dependency");
    free(names);
    if (st == 202) {
        w->n202++;
        assert_string_not_equal(h_jstr(plan, "status"), "COMPLETE");
    } else if (st == 200) {
        json_t *left = fid_tls_secrets(s, TLS_NAME);

        w->n200++;
        assert_string_equal(h_jstr(plan, "status"), "COMPLETE");
        /* done: the TLS artifacts are gone, the account's secret stays */
        if (json_array_size(left) != 0)
            fail_msg("TLS secrets left once the plan is done: %s",
                     json_dumps(left, JSON_COMPACT));
        json_decref(left);
    } else {
        fail_msg("uninstall plan: HTTP %ld", st);
    }
    if (w->n202 && !w->again_checked) {
        /* asked again while it runs: accepted, the plan goes on */
        struct h_resp r = uninstall(s, TLS_NAME);

        h_expect_status(&r, 200, "second uninstall");
        h_resp_free(&r);
        w->again_checked = 1;
    }
    json_decref(plan);
}

/*
 * The end-to-end run: the connectivity endpoints, an install with
 * TLS, the uninstall (plan visible, TLS secrets deleted at the end, app
 * gone only then) and a reinstall with new certificates.
 */
static void test_uninstall_end_to_end(void **state)
{
    static const char *const probes[] = {
        "/mesos/master/state-summary", "/mesos_dns/v1/hosts/master.mesos",
        "/system/health/v1/nodes"};
    struct h_sim *s = &g_sim;
    struct seen w;
    struct h_resp r;
    json_t *before, *after;
    char *cert_path, *old_cert, *new_cert;
    double t0;
    size_t i;

    (void)state;
    memset(&w, 0, sizeof(w));
    for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        r = h_get(s, probes[i]);
        h_expect_status(&r, 200, probes[i]);
        h_resp_free(&r);
    }
    fid_install_tls(s, TLS_NAME);
    e_assert_https(s, TLS_NAME);
    before = fid_tls_secrets(s, TLS_NAME);
    /* master-0 and the coordinator: certificate, key, CA each */
    assert_int_equal(json_array_size(before), 6);
    cert_path = NULL;
    for (i = 0; i < json_array_size(before); i++) {
        const char *rel = json_string_value(json_array_get(before, i));

        if (strstr(rel, "__coordinator-0-node__node__certificate"))
            cert_path = h_fmt("%s/%s", TLS_NAME, rel);
    }
    assert_non_null(cert_path);
    old_cert = e_secret_value(s, cert_path);
    assert_non_null(old_cert);

    /* Cosmos answers at once; nothing is gone yet */
    t0 = util_now_mono();
    r = uninstall(s, TLS_NAME);
    h_expect_status(&r, 200, "package/uninstall");
    assert_string_equal(h_jstr(json_array_get(h_jget(r.json, "results"), 0),
                               "appId"),
                        "/" TLS_NAME);
    h_resp_free(&r);
    assert_true(util_now_mono() - t0 < 2.0);
    r = h_get(s, "/marathon/v2/apps/" TLS_NAME);
    h_expect_status(&r, 200, "the app right after the uninstall");
    assert_string_equal(h_jstr(r.json, "app.env.SDK_UNINSTALL"), "true");
    assert_true(json_array_size(h_jget(r.json, "app.deployments")) == 1);
    h_resp_free(&r);
    assert_true(listed(s, TLS_NAME));

    /* until Marathon drops the app: the plan as it runs, the package
     * still listed, its name still taken */
    while (app_status(s, TLS_NAME) == 200) {
        if (util_now_mono() - t0 > FID_WAIT_MS / 1000.0)
            fail_msg("the app is still there %d s after the uninstall",
                     FID_WAIT_MS / 1000);
        poll_uninstall(s, &w);
        if (!w.conflict_checked) {
            r = h_cosmos(s, "package/install",
                         "{\"packageName\":\"beta-elastic\",\"options\":"
                         "{\"service\":{\"name\":\"" TLS_NAME "\"}}}");
            h_expect_status(&r, 409, "install during the uninstall");
            assert_string_equal(h_jstr(r.json, "type"),
                                "PackageAlreadyInstalled");
            h_resp_free(&r);
            w.conflict_checked = 1;
        }
        if (!w.n200 && app_status(s, TLS_NAME) == 200)
            assert_true(listed(s, TLS_NAME));
        h_sleep_ms(FID_POLL_MS);
    }
    if (!w.n502 || !w.n202 || !w.n200)
        fail_msg("uninstall seen as: %d restarting, %d running, %d done",
                 w.n502, w.n202, w.n200);
    /* gone: the app, the package, the scheduler, the framework */
    assert_false(listed(s, TLS_NAME));
    r = h_get(s, "/service/" TLS_NAME "/v1/plans");
    h_expect_status(&r, 404, "the scheduler after the uninstall");
    h_resp_free(&r);
    r = h_get(s, "/mesos/master/state-summary");
    assert_null(h_jnamed(h_jget(r.json, "frameworks"), TLS_NAME));
    h_resp_free(&r);
    after = fid_tls_secrets(s, TLS_NAME);
    assert_int_equal(json_array_size(after), 0);
    json_decref(after);
    {
        char *sa = e_secret_value(s, TLS_NAME "/secret");

        assert_non_null(sa); /* not a TLS artifact: it stays */
        free(sa);
    }

    /* a reinstall issues new certificates */
    h_install(s, "{\"service\":{\"name\":\"" TLS_NAME "\","
                 "\"service_account\":\"" TLS_NAME "\","
                 "\"service_account_secret\":\"" TLS_NAME "/secret\","
                 "\"security\":{\"transport_encryption\":{\"enabled\":"
                 "true}}},\"elasticsearch\":{\"xpack_enabled\":true}}");
    if (!h_wait_plan(s, TLS_NAME, "deploy", "COMPLETE", FID_WAIT_MS,
                     FID_POLL_MS))
        fail_msg("reinstall not deployed");
    new_cert = e_secret_value(s, cert_path);
    assert_non_null(new_cert);
    assert_string_not_equal(new_cert, old_cert);
    e_assert_https(s, TLS_NAME);
    after = fid_tls_secrets(s, TLS_NAME);
    assert_int_equal(json_array_size(after), 6);
    json_decref(after);
    json_decref(before);
    free(cert_path);
    free(old_cert);
    free(new_cert);
}

/* Without TLS the plan has no tls-cleanup phase; the scheduler serves
 * only its plans and health while it uninstalls. */
static void test_uninstall_without_tls(void **state)
{
    struct h_sim *s = &g_sim;
    struct h_resp r;
    json_t *plan = NULL;
    char *names;

    (void)state;
    install_plain(s, "es-p");
    r = uninstall(s, "es-p");
    h_expect_status(&r, 200, "uninstall");
    h_resp_free(&r);
    plan = wait_plan_served(s, "es-p");
    names = phase_names(plan);
    assert_string_equal(names, "kill-tasks unreserve-resources-127.0.0.1 "
                               "deregister-service");
    free(names);
    json_decref(plan);
    r = h_get(s, "/service/es-p/v1/plans");
    h_expect_status(&r, 200, "plans");
    h_expect_json_eq(r.json, "[\"deploy\"]");
    h_resp_free(&r);
    r = h_get(s, "/service/es-p/v1/pod");
    h_expect_status(&r, 404, "pods of an uninstalling scheduler");
    h_resp_free(&r);
    r = h_get(s, "/service/es-p/v1/health");
    assert_true(r.status == 202 || r.status == 200);
    h_resp_free(&r);
    assert_true(wait_app_gone(s, "es-p"));
    assert_false(listed(s, "es-p"));
}

/*
 * --speed scales the uninstall: at 4 simulated seconds per second the
 * scheduler is still restarting 0.5 s after the request and the app is
 * still there 1.5 s after it (Cosmos's janitor looks after 10 simulated
 * seconds); at 40 the whole uninstall is over well within a few seconds.
 */
static void test_uninstall_speed_scales(void **state)
{
    struct h_resp r;
    double t0;

    (void)state;
    install_plain(&g_sim, "es-s");
    r = uninstall(&g_sim, "es-s");
    h_expect_status(&r, 200, "uninstall");
    h_resp_free(&r);
    t0 = util_now_mono();
    h_sleep_ms(500);
    r = h_get(&g_sim, "/service/es-s/v1/plans/deploy");
    /* slower than that only makes it later */
    if (util_now_mono() - t0 < 0.7)
        h_expect_status(&r, 502, "scheduler 0.5 s into the uninstall");
    h_resp_free(&r);
    h_sleep_ms(1000);
    assert_int_equal(app_status(&g_sim, "es-s"), 200);
    assert_true(wait_app_gone(&g_sim, "es-s"));
    assert_true(util_now_mono() - t0 >= 2.0);

    h_sim_up(&g_fast, NULL, FAST_SPEED);
    install_plain(&g_fast, "es-f");
    r = uninstall(&g_fast, "es-f");
    h_expect_status(&r, 200, "uninstall");
    h_resp_free(&r);
    t0 = util_now_mono();
    assert_true(wait_app_gone(&g_fast, "es-f"));
    if (util_now_mono() - t0 > 10.0)
        fail_msg("uninstall at speed " FAST_SPEED " took %.1f s",
                 util_now_mono() - t0);
}

/*
 * An update while the service uninstalls puts a freshly rendered app
 * without SDK_UNINSTALL: the scheduler, which already persisted its
 * uninstall bit, exits at every start (the API stays 502) and Cosmos keeps
 * the app; asking for the uninstall again finishes it.
 */
static void test_update_during_uninstall(void **state)
{
    struct h_sim *s = &g_sim;
    struct h_resp r;
    json_t *plan = NULL;

    (void)state;
    install_plain(s, "es-x");
    r = uninstall(s, "es-x");
    h_expect_status(&r, 200, "uninstall");
    h_resp_free(&r);
    /* the uninstall scheduler runs and its deployment is over */
    plan = wait_plan_served(s, "es-x");
    json_decref(plan);
    assert_true(h_wait_deployed(s, "es-x", FID_WAIT_MS, FID_POLL_MS));
    assert_int_equal(h_update(s, "es-x", "{}"), 200);
    r = h_get(s, "/marathon/v2/apps/es-x");
    assert_null(h_jget(r.json, "app.env.SDK_UNINSTALL"));
    h_resp_free(&r);
    /* 15 simulated seconds later: still no scheduler, still the app */
    h_sleep_sim(s, 15.0);
    r = h_get(s, "/service/es-x/v1/plans/deploy");
    h_expect_status(&r, 502, "scheduler exiting 11");
    h_resp_free(&r);
    assert_int_equal(app_status(s, "es-x"), 200);
    assert_true(listed(s, "es-x"));

    r = uninstall(s, "es-x");
    h_expect_status(&r, 200, "uninstall again");
    h_resp_free(&r);
    assert_true(wait_app_gone(s, "es-x"));
    assert_false(listed(s, "es-x"));
}

/* A second cluster of its own, stopped by the teardown even when the
 * test fails half-way. */
static struct h_sim g_restart;

static int restart_teardown(void **state)
{
    (void)state;
    if (g_restart.dir[0])
        h_sim_destroy(&g_restart);
    memset(&g_restart, 0, sizeof(g_restart));
    return 0;
}

/* An uninstall under way survives a restart of dcos-sim: the plan, its
 * progress and Cosmos's janitor come back from state.json, and the app
 * goes once the plan is done. */
static void test_uninstall_survives_restart(void **state)
{
    struct h_sim *s = &g_restart;
    struct h_resp r;
    json_t *plan = NULL, *again;
    long st = 0;

    (void)state;
    h_sim_up(s, NULL, FID_SPEED);
    install_plain(s, "es-r");
    /* slow down to stop it half-way */
    assert_int_equal(h_sim_stop(s), 0);
    h_sim_up(s, s->dir, "1");
    r = uninstall(s, "es-r");
    h_expect_status(&r, 200, "uninstall");
    h_resp_free(&r);
    /* at speed 1 the plan runs for about 2 s after a 3 s restart */
    plan = wait_plan_served(s, "es-r");
    assert_int_equal(h_sim_stop(s), 0);
    /* back at speed 1 too: the rest of the plan then takes seconds, not
     * the 0.1 s it took at FID_SPEED, which a loaded machine spent
     * between the restart and the checks below (the uninstall was over
     * before it could be seen under way) */
    h_sim_up(s, s->dir, "1");
    /* the same plan (its phase ids), and the uninstall completes */
    again = h_plan(s, "es-r", "deploy", &st);
    assert_non_null(again);
    assert_string_equal(
        h_jstr(json_array_get(h_jget(again, "phases"), 0), "id"),
        h_jstr(json_array_get(h_jget(plan, "phases"), 0), "id"));
    assert_true(listed(s, "es-r"));
    assert_true(wait_app_gone(s, "es-r"));
    assert_false(listed(s, "es-r"));
    json_decref(plan);
    json_decref(again);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uninstall_end_to_end),
        cmocka_unit_test(test_uninstall_without_tls),
        cmocka_unit_test_teardown(test_uninstall_speed_scales,
                                  fast_teardown),
        cmocka_unit_test(test_update_during_uninstall),
        cmocka_unit_test_teardown(test_uninstall_survives_restart,
                                  restart_teardown),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
