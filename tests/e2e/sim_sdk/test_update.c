/*
 * End-to-end tests of dcos-sim's SDK scheduler updates: the scheduler
 * restart (Marathon deployment, Admin Router 502 window), plan selection
 * after a completed deployment (phases *-update with the new
 * update_strategy), restarting only the pods whose spec changed, an
 * update_strategy-only change, Marathon app restarts, and config
 * validation (pods cannot shrink).
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
#include "e2e/sim_sdk/sdk_testutil.h"
#include "harness/harness.h"

#define SPEED "5"
#define SVC "upd"

static struct h_sim g_sim;

static const char *const TASKS[] = {"master-0-node", "master-1-node",
                                    "master-2-node", "data-0-node",
                                    "data-1-node",   "coordinator-0-node"};
#define N_TASKS 6

static int setup(void **state)
{
    h_group_up(state, &g_sim, SPEED);
    t_install(&g_sim, SVC, "{}");
    if (!t_wait_plan(&g_sim, SVC, "COMPLETE", T_WAIT_MS))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

static void ids_get(char *ids[N_TASKS])
{
    int i;

    for (i = 0; i < N_TASKS; i++) {
        ids[i] = t_task_id(&g_sim, SVC, TASKS[i]);
        assert_non_null(ids[i]);
    }
}

static void ids_free(char *ids[N_TASKS])
{
    int i;

    for (i = 0; i < N_TASKS; i++)
        free(ids[i]);
}

/* Every task id in @a equals the one in @b, except @changed (may be
 * NULL) which must differ. */
static void ids_expect(char *a[N_TASKS], char *b[N_TASKS],
                       const char *changed)
{
    int i;

    for (i = 0; i < N_TASKS; i++) {
        if (changed && strcmp(TASKS[i], changed) == 0)
            assert_string_not_equal(a[i], b[i]);
        else if (strcmp(a[i], b[i]) != 0)
            fail_msg("%s restarted: %s -> %s", TASKS[i], a[i], b[i]);
    }
}

static void test_update_restarts_changed_pods_only(void **state)
{
    char *before[N_TASKS], *after[N_TASKS], *t0, *t1;
    json_t *app, *plan, *want;
    long st;
    size_t i;
    int seen_progress = 0, waited;

    (void)state;
    ids_get(before);
    t0 = t_target_id(&g_sim, SVC);

    assert_int_equal(h_update(&g_sim, SVC,
                              "{\"coordinator_nodes\":{\"mem\":3072}}"),
                     200);
    /* Marathon restarts the scheduler (minimumHealthCapacity 0) */
    app = t_get_json(&g_sim, "/marathon/v2/apps/" SVC, &st);
    assert_int_equal(st, 200);
    assert_int_equal(json_array_size(h_jget(app, "app.deployments")), 1);
    assert_int_equal(json_integer_value(h_jget(app, "app.tasksRunning")), 0);
    assert_int_equal(json_integer_value(h_jget(app, "app.tasksStaged")), 1);
    assert_string_equal(h_jstr(app, "app.env.COORDINATOR_NODE_MEM"), "3072");
    json_decref(app);
    app = t_get_json(&g_sim, "/marathon/v2/deployments", &st);
    assert_string_equal(
        h_jstr(json_array_get(h_jget(json_array_get(app, 0), "currentActions"),
                              0),
               "action"),
        "RestartApplication");
    json_decref(app);
    /* a second update while Marathon deploys: the app is locked */
    {
        char *body = h_fmt("{\"appId\":\"%s\",\"options\":{},"
                           "\"replace\":false}",
                           SVC);
        struct h_resp r = h_cosmos(&g_sim, "service/update", body);

        assert_int_equal(r.status, 500);
        assert_non_null(strstr(r.body, "App is locked"));
        h_resp_free(&r);
        free(body);
    }
    {
        int seen_502 = 0;

        assert_true(t_wait_restart(&g_sim, SVC, &seen_502));
        assert_true(seen_502);
    }

    /* the new scheduler: update plan under the name deploy */
    app = t_get_json(&g_sim, "/service/" SVC "/v1/plans", &st);
    want = json_pack("[s,s]", "deploy", "recovery");
    assert_true(json_equal(app, want));
    json_decref(want);
    json_decref(app);
    for (waited = 0; waited < T_WAIT_MS; waited += T_POLL_MS) {
        plan = h_plan(&g_sim, SVC, "deploy", &st);
        if (plan && st == 202)
            seen_progress = 1;
        if (plan && st == 200)
            break;
        json_decref(plan);
        plan = NULL;
        h_sleep_ms(T_POLL_MS);
    }
    assert_true(seen_progress);
    assert_non_null(plan);
    assert_string_equal(h_jstr(plan, "strategy"), "serial");
    {
        static const char *const names[] = {"master-update", "data-update",
                                            "ingest-update",
                                            "coordinator-update"};
        json_t *ph;

        json_array_foreach(h_jget(plan, "phases"), i, ph) {
            assert_string_equal(h_jstr(ph, "name"), names[i]);
            assert_string_equal(h_jstr(ph, "strategy"), "serial");
        }
        assert_int_equal(i, 4);
    }
    json_decref(plan);

    ids_get(after);
    ids_expect(before, after, "coordinator-0-node");
    t1 = t_target_id(&g_sim, SVC);
    assert_string_not_equal(t0, t1);
    {
        struct h_resp r = h_get(&g_sim, "/service/" SVC "/v1/state/"
                                        "properties/last-completed-update-"
                                        "type");

        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, "DEPLOY");
        h_resp_free(&r);
    }
    ids_free(before);
    ids_free(after);
    free(t0);
    free(t1);
}

static void test_update_strategy_only(void **state)
{
    char *before[N_TASKS], *after[N_TASKS], *t0, *t1;
    json_t *plan, *app, *ph;
    long st;
    size_t i;

    (void)state;
    assert_true(t_wait_deployed(&g_sim, SVC));
    ids_get(before);
    t0 = t_target_id(&g_sim, SVC);
    assert_int_equal(
        h_update(&g_sim, SVC, "{\"service\":{\"update_strategy\":"
                              "\"parallel\"}}"),
        200);
    assert_true(t_wait_restart(&g_sim, SVC, NULL));
    /* complete at once: no pod spec changed */
    plan = h_plan(&g_sim, SVC, "deploy", &st);
    assert_int_equal(st, 200);
    assert_string_equal(h_jstr(plan, "status"), "COMPLETE");
    assert_string_equal(h_jstr(plan, "strategy"), "parallel");
    json_array_foreach(h_jget(plan, "phases"), i, ph)
        assert_string_equal(h_jstr(ph, "strategy"), "parallel");
    json_decref(plan);
    h_sleep_sim(&g_sim, 5);
    ids_get(after);
    ids_expect(before, after, NULL);
    /* the ServiceSpec did not change: same target configuration */
    t1 = t_target_id(&g_sim, SVC);
    assert_string_equal(t0, t1);
    app = t_get_json(&g_sim, "/marathon/v2/apps/" SVC, &st);
    assert_string_equal(h_jstr(app, "app.env.UPDATE_STRATEGY"), "parallel");
    json_decref(app);
    ids_free(before);
    ids_free(after);
    free(t0);
    free(t1);
}

static void test_marathon_restart(void **state)
{
    char *before[N_TASKS], *after[N_TASKS], *v0, *p;
    json_t *app, *res;
    long st;
    struct h_resp r;

    (void)state;
    assert_true(t_wait_deployed(&g_sim, SVC));
    ids_get(before);
    app = t_get_json(&g_sim, "/marathon/v2/apps/" SVC, &st);
    v0 = strdup(h_jstr(app, "app.version"));
    json_decref(app);

    r = h_post(&g_sim, "/marathon/v2/apps/" SVC "/restart", NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(h_jstr(r.json, "deploymentId"));
    assert_non_null(h_jstr(r.json, "version"));
    res = json_incref(r.json);
    h_resp_free(&r);
    /* locked while it deploys, unless forced */
    r = h_post(&g_sim, "/service/marathon/v2/apps/" SVC "/restart", NULL);
    assert_int_equal(r.status, 409);
    p = h_fmt("App is locked by one or more deployments. Override with the "
              "option '?force=true'. View details at '/v2/deployments/%s'.",
              h_jstr(res, "deploymentId"));
    assert_string_equal(h_jstr(r.json, "message"), p);
    free(p);
    h_resp_free(&r);
    app = t_get_json(&g_sim, "/marathon/v2/apps/" SVC, &st);
    assert_string_equal(
        h_jstr(json_array_get(h_jget(app, "app.deployments"), 0), "id"),
        h_jstr(res, "deploymentId"));
    assert_string_not_equal(h_jstr(app, "app.version"), v0);
    json_decref(app);
    assert_int_equal(t_marathon_restart(&g_sim, SVC, 1), 200);
    assert_true(t_wait_restart(&g_sim, SVC, NULL));
    assert_true(t_wait_plan(&g_sim, SVC, "COMPLETE", T_WAIT_MS));
    h_sleep_sim(&g_sim, 5);
    ids_get(after);
    ids_expect(before, after, NULL);
    /* healthy again, deployment over */
    h_sleep_sim(&g_sim, 2);
    app = t_get_json(&g_sim, "/marathon/v2/apps/" SVC, &st);
    assert_int_equal(json_integer_value(h_jget(app, "app.tasksHealthy")), 1);
    assert_int_equal(json_array_size(h_jget(app, "app.deployments")), 0);
    json_decref(app);
    r = h_post(&g_sim, "/marathon/v2/apps/nope/restart", NULL);
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
    json_decref(res);
    free(v0);
    ids_free(before);
    ids_free(after);
}

static void test_pods_cannot_shrink(void **state)
{
    json_t *plan, *want;
    long st;
    char *t0, *t1;
    struct h_resp r;

    (void)state;
    assert_true(t_wait_deployed(&g_sim, SVC));
    t0 = t_target_id(&g_sim, SVC);
    assert_int_equal(
        h_update(&g_sim, SVC, "{\"data_nodes\":{\"count\":1}}"), 200);
    assert_true(t_wait_restart(&g_sim, SVC, NULL));
    plan = h_plan(&g_sim, SVC, "deploy", &st);
    assert_int_equal(st, 417);
    assert_string_equal(h_jstr(plan, "status"), "ERROR");
    want = json_pack("[s]", "Field: 'PodSpec[setname:data]'; Transition: "
                            "'2' => '1'; Message: 'New config's PodSpec "
                            "named 'data' has 1 tasks, expected >=2 tasks'");
    assert_true(json_equal(h_jget(plan, "errors"), want));
    json_decref(want);
    json_decref(plan);
    r = h_get(&g_sim, "/service/" SVC "/v1/health");
    assert_int_equal(r.status, 417);
    h_resp_free(&r);
    t1 = t_target_id(&g_sim, SVC);
    assert_string_equal(t0, t1);
    free(t1);

    /* back to two: valid again, same ServiceSpec as the target */
    assert_true(t_wait_deployed(&g_sim, SVC));
    assert_int_equal(
        h_update(&g_sim, SVC, "{\"data_nodes\":{\"count\":2}}"), 200);
    assert_true(t_wait_restart(&g_sim, SVC, NULL));
    plan = h_plan(&g_sim, SVC, "deploy", &st);
    assert_int_equal(st, 200);
    json_decref(plan);
    t1 = t_target_id(&g_sim, SVC);
    assert_string_equal(t0, t1);
    free(t1);

    /* growing is fine: a new data node (the masters' env changes too) */
    assert_true(t_wait_deployed(&g_sim, SVC));
    assert_int_equal(
        h_update(&g_sim, SVC, "{\"data_nodes\":{\"count\":3}}"), 200);
    assert_true(t_wait_restart(&g_sim, SVC, NULL));
    assert_true(t_wait_plan(&g_sim, SVC, "COMPLETE", T_WAIT_MS));
    plan = t_get_json(&g_sim, "/service/" SVC "/v1/endpoints/data-http",
                      &st);
    assert_int_equal(json_array_size(h_jget(plan, "address")), 3);
    json_decref(plan);
    plan = h_plan(&g_sim, SVC, "deploy", &st);
    assert_string_equal(h_step_status(plan, "data-update", "data-2:[node]"),
                        "COMPLETE");
    json_decref(plan);
    free(t0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_restarts_changed_pods_only),
        cmocka_unit_test(test_update_strategy_only),
        cmocka_unit_test(test_marathon_restart),
        cmocka_unit_test(test_pods_cannot_shrink),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
