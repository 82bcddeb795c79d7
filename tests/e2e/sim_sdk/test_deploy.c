/*
 * End-to-end tests of dcos-sim's SDK scheduler and Marathon: the install
 * timeline (Marathon deployment, scheduler restart window, deploy plan
 * progression), the scheduler API shapes (compared with upstream
 * payloads), plan commands, node operations, the data plane over plain
 * HTTP, permissions and persistence across a restart.
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
#define SCHED "mesosphere__dcos-commons/cli/queries/testdata/responses/" \
              "scheduler/"
#define UI_CONN "dcos__dcos-ui/plugins/services/src/js/containers/" \
                "service-connection/__tests__/fixtures/"

static struct h_sim g_sim;

static int setup(void **state)
{
    return h_group_up(state, &g_sim, SPEED);
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

static void expect_text(const struct h_resp *r, long status,
                        const char *body)
{
    if (r->status != status || strcmp(r->body, body) != 0)
        fail_msg("expected %ld '%s', got %ld '%s'", status, body, r->status,
                 r->body);
}

/* POST a plan command and return the response. */
static struct h_resp plan_cmd(const char *svc, const char *cmd)
{
    char *p = h_fmt("/service/%s/v1/plans/deploy/%s", svc, cmd);
    struct h_resp r = h_post(&g_sim, p, NULL);

    free(p);
    return r;
}

static void expect_cmd_ok(const char *svc, const char *cmd,
                          const char *fixture)
{
    struct h_resp r = plan_cmd(svc, cmd);
    json_t *want = h_fixture_json(fixture);

    if (r.status != 200 || !r.json || !json_equal(r.json, want))
        fail_msg("%s %s: %ld %s", svc, cmd, r.status, r.body);
    json_decref(want);
    h_resp_free(&r);
}

static void expect_cmd_208(const char *svc, const char *cmd)
{
    struct h_resp r = plan_cmd(svc, cmd);
    char *want = h_fixture(SCHED "already-reported.txt");

    expect_text(&r, 208, want);
    free(want);
    h_resp_free(&r);
}

/* --- install timeline ---------------------------------------------- */

static void test_install_timeline(void **state)
{
    static const char *const phases[] = {"master-deploy", "data-deploy",
                                         "ingest-deploy",
                                         "coordinator-deploy"};
    static const int steps[] = {3, 2, 0, 1};
    json_t *app, *fx, *plan = NULL, *lbl;
    long st;
    int seen_502 = 0, seen_progress = 0, i, waited;
    size_t k;
    struct h_resp r;

    (void)state;
    t_install(&g_sim, "elastic", "{}");

    /* Marathon deploys the scheduler first. */
    app = t_get_json(&g_sim, "/marathon/v2/apps/elastic?embed=app.counts",
                     &st);
    assert_int_equal(st, 200);
    assert_string_equal(h_jstr(app, "app.id"), "/elastic");
    assert_int_equal(json_integer_value(h_jget(app, "app.instances")), 1);
    assert_int_equal(json_integer_value(h_jget(app, "app.tasksStaged")), 1);
    assert_int_equal(json_integer_value(h_jget(app, "app.tasksRunning")), 0);
    assert_int_equal(json_integer_value(h_jget(app, "app.tasksHealthy")), 0);
    assert_int_equal(json_array_size(h_jget(app, "app.deployments")), 1);
    /* labels: every label of the upstream SDK app, same static values */
    fx = h_fixture_json(UI_CONN "SDKService.json");
    lbl = h_jget(app, "app.labels");
    json_object_del(h_jget(fx, "labels"), "DCOS_PACKAGE_OPTIONS");
    json_object_del(h_jget(fx, "labels"), "DCOS_PACKAGE_METADATA");
    json_object_del(h_jget(fx, "labels"), "DCOS_PACKAGE_DEFINITION");
    assert_true(h_keys_subset(h_jget(fx, "labels"), lbl));
    assert_string_equal(h_jstr(lbl, "DCOS_PACKAGE_NAME"), "beta-elastic");
    assert_string_equal(h_jstr(lbl, "DCOS_PACKAGE_VERSION"),
                        "2.1.2-5.6.5-beta");
    assert_string_equal(h_jstr(lbl, "DCOS_SERVICE_NAME"), "elastic");
    assert_string_equal(h_jstr(lbl, "DCOS_COMMONS_API_VERSION"),
                        h_jstr(fx, "labels.DCOS_COMMONS_API_VERSION"));
    assert_string_equal(h_jstr(lbl, "DCOS_SERVICE_SCHEME"), "http");
    assert_string_equal(h_jstr(lbl, "DCOS_SERVICE_PORT_INDEX"), "0");
    assert_string_equal(h_jstr(app, "app.env.UPDATE_STRATEGY"), "serial");
    assert_string_equal(h_jstr(app, "app.env.DEPLOY_STRATEGY"), "parallel");
    assert_string_equal(h_jstr(app, "app.env.ELASTICSEARCH_HEALTH_PROTOCOL"),
                        "http");
    assert_null(h_jget(app, "app.env.TASKCFG_ALL_SECURITY_TRANSPORT_"
                           "ENCRYPTION_ENABLED"));
    json_decref(fx);
    /* the fields of a Marathon app as the dcos CLI prints it */
    fx = h_fixture_json("dcos__dcos-core-cli/python/lib/dcoscli/tests/data/"
                        "package/json/test_describe_app_options.json");
    assert_true(h_keys_subset(fx, h_jget(app, "app")));
    json_decref(fx);
    json_decref(app);

    app = t_get_json(&g_sim, "/marathon/v2/deployments", &st);
    assert_int_equal(st, 200);
    assert_int_equal(json_array_size(app), 1);
    assert_string_equal(
        json_string_value(json_array_get(
            h_jget(json_array_get(app, 0), "affectedApps"), 0)),
        "/elastic");
    assert_non_null(h_jget(json_array_get(app, 0), "currentStep"));
    json_decref(app);

    /* The scheduler API: unreachable, then the plan progresses. */
    for (waited = 0; waited < T_WAIT_MS; waited += T_POLL_MS) {
        plan = h_plan(&g_sim, "elastic", "deploy", &st);
        if (st == 502)
            seen_502 = 1;
        if (st == 202 && plan &&
            (strcmp(h_jstr(plan, "status"), "IN_PROGRESS") == 0 ||
             strcmp(h_jstr(plan, "status"), "STARTING") == 0))
            seen_progress = 1;
        if (st == 200)
            break;
        json_decref(plan);
        plan = NULL;
        h_sleep_ms(T_POLL_MS);
    }
    assert_true(seen_502);
    assert_true(seen_progress);
    assert_non_null(plan);
    assert_string_equal(h_jstr(plan, "status"), "COMPLETE");
    assert_string_equal(h_jstr(plan, "strategy"), "parallel");
    assert_int_equal(json_array_size(h_jget(plan, "errors")), 0);
    fx = h_fixture_json(SCHED "plan-status.json");
    assert_true(h_keys_subset(fx, plan));
    assert_true(h_keys_subset(json_array_get(h_jget(fx, "phases"), 0),
                              json_array_get(h_jget(plan, "phases"), 0)));
    json_decref(fx);
    assert_int_equal(json_array_size(h_jget(plan, "phases")), 4);
    for (i = 0; i < 4; i++) {
        json_t *ph = json_array_get(h_jget(plan, "phases"), (size_t)i);
        json_t *s;

        assert_string_equal(h_jstr(ph, "name"), phases[i]);
        assert_string_equal(h_jstr(ph, "strategy"), "parallel");
        assert_string_equal(h_jstr(ph, "status"), "COMPLETE");
        assert_int_equal(json_array_size(h_jget(ph, "steps")), steps[i]);
        json_array_foreach(h_jget(ph, "steps"), k, s) {
            char *name = h_fmt("%.*s-%zu:[node]",
                               (int)(strchr(phases[i], '-') - phases[i]),
                               phases[i], k);
            char *msg = h_fmt("com.mesosphere.sdk.scheduler.plan."
                              "DeploymentStep: %s [%s] with status: "
                              "COMPLETE",
                              name, h_jstr(s, "id"));

            assert_string_equal(h_jstr(s, "name"), name);
            assert_string_equal(h_jstr(s, "status"), "COMPLETE");
            assert_string_equal(h_jstr(s, "message"), msg);
            assert_int_equal(strlen(h_jstr(s, "id")), 36);
            free(name);
            free(msg);
        }
    }
    json_decref(plan);

    /* Plan list of a first deployment; the spare update plan. */
    app = t_get_json(&g_sim, "/service/elastic/v1/plans", &st);
    assert_int_equal(st, 200);
    fx = json_pack("[s,s,s]", "deploy", "recovery", "update");
    assert_true(json_equal(app, fx));
    json_decref(fx);
    json_decref(app);
    plan = h_plan(&g_sim, "elastic", "update", &st);
    assert_non_null(plan);
    assert_string_equal(h_jstr(json_array_get(h_jget(plan, "phases"), 0),
                               "name"),
                        "master-update");
    assert_string_equal(h_jstr(plan, "strategy"), "serial");
    json_decref(plan);
    plan = h_plan(&g_sim, "elastic", "recovery", &st);
    assert_int_equal(st, 200);
    assert_string_equal(h_jstr(plan, "status"), "COMPLETE");
    json_decref(plan);

    /* Unknown plan: the SDK's plain-text 404. */
    r = h_get(&g_sim, "/service/elastic/v1/plans/nope");
    {
        char *nf = h_fixture(SCHED "not-found.txt");

        expect_text(&r, 404, nf);
        free(nf);
    }
    h_resp_free(&r);

    /* Marathon: running and healthy, deployment over. */
    app = t_get_json(&g_sim, "/service/marathon/v2/apps/elastic", &st);
    assert_int_equal(st, 200);
    assert_int_equal(json_integer_value(h_jget(app, "app.tasksRunning")), 1);
    assert_int_equal(json_integer_value(h_jget(app, "app.tasksHealthy")), 1);
    assert_int_equal(json_integer_value(h_jget(app, "app.tasksStaged")), 0);
    assert_int_equal(json_array_size(h_jget(app, "app.deployments")), 0);
    assert_int_equal(json_array_size(h_jget(app, "app.tasks")), 1);
    json_decref(app);
    app = t_get_json(&g_sim, "/marathon/v2/deployments", &st);
    assert_int_equal(json_array_size(app), 0);
    json_decref(app);
    app = t_get_json(&g_sim, "/marathon/v2/apps", &st);
    assert_int_equal(st, 200);
    assert_string_equal(h_jstr(json_array_get(h_jget(app, "apps"), 0), "id"),
                        "/elastic");
    json_decref(app);
    r = h_get(&g_sim, "/marathon/v2/apps/nope");
    assert_int_equal(r.status, 404);
    assert_string_equal(h_jstr(r.json, "message"),
                        "App '/nope' does not exist");
    h_resp_free(&r);
}

/* --- API shapes ------------------------------------------------------ */

static void test_api_shapes(void **state)
{
    json_t *j, *want, *fx;
    long st;
    char *addr, *url, *target, *p;
    struct h_resp r;
    size_t i;
    json_t *v;

    (void)state;
    assert_true(t_wait_plan(&g_sim, "elastic", "COMPLETE", T_WAIT_MS));

    j = t_get_json(&g_sim, "/service/elastic/v1/endpoints/", &st);
    assert_int_equal(st, 200);
    want = json_pack("[s,s,s,s,s,s]", "coordinator-http",
                     "coordinator-transport", "data-http", "data-transport",
                     "master-http", "master-transport");
    assert_true(json_equal(j, want));
    json_decref(want);
    json_decref(j);

    j = t_get_json(&g_sim, "/service/elastic/v1/endpoints/coordinator-http",
                   &st);
    assert_int_equal(st, 200);
    fx = h_fixture_json(UI_CONN "SDKServiceEndpoints.json");
    json_array_foreach(fx, i, v)
        if (h_jget(v, "endpointData"))
            assert_true(h_keys_subset(h_jget(v, "endpointData"), j));
    json_decref(fx);
    addr = strdup(json_string_value(json_array_get(h_jget(j, "address"), 0)));
    assert_true(util_has_prefix(addr, "127.0.0.1:"));
    p = h_fmt("coordinator-0-node.elastic.autoip.dcos.thisdcos.directory:%s",
              strchr(addr, ':') + 1);
    assert_string_equal(json_string_value(json_array_get(h_jget(j, "dns"), 0)),
                        p);
    free(p);
    assert_string_equal(h_jstr(j, "vip"),
                        "coordinator.elastic.l4lb.thisdcos.directory:9200");
    json_decref(j);

    /* the coordinator really answers there under its autoip name, plain
     * HTTP without X-Pack */
    r = t_node_get(&g_sim, "elastic", "coordinator-http", "/", 0, NULL);
    assert_int_equal(r.curl_code, 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(h_jstr(r.json, "version.number"), "5.6.5");
    assert_string_equal(h_jstr(r.json, "cluster_name"), "elastic");
    h_resp_free(&r);
    /* the address is the shared HTTP listener: a Host that names no node
     * (127.0.0.1:PORT) is misdirected, but answered */
    url = h_fmt("http://%s/", addr);
    r = h_req_url(url, NULL, NULL, NULL);
    assert_int_equal(r.curl_code, 0);
    assert_int_equal(r.status, 421);
    h_resp_free(&r);
    r = t_node_get(&g_sim, "elastic", "coordinator-http", "/_cluster/health",
                   0, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(h_jstr(r.json, "status"), "green");
    assert_int_equal(json_integer_value(h_jget(r.json, "number_of_nodes")),
                     6);
    assert_int_equal(
        json_integer_value(h_jget(r.json, "number_of_data_nodes")), 2);
    h_resp_free(&r);
    free(url);
    free(addr);

    j = t_get_json(&g_sim, "/service/elastic/v1/endpoints/master-transport",
                   &st);
    assert_int_equal(json_array_size(h_jget(j, "address")), 3);
    assert_string_equal(
        json_string_value(json_array_get(h_jget(j, "dns"), 2)),
        "master-2-node.elastic.autoip.dcos.thisdcos.directory:9300");
    assert_string_equal(h_jstr(j, "vip"),
                        "master.elastic.l4lb.thisdcos.directory:9300");
    json_decref(j);
    j = t_get_json(&g_sim, "/service/elastic/v1/endpoints/ingest-http", &st);
    assert_int_equal(st, 404);
    json_decref(j);

    /* pods */
    j = t_get_json(&g_sim, "/service/elastic/v1/pod", &st);
    want = json_pack("[s,s,s,s,s,s]", "coordinator-0", "data-0", "data-1",
                     "master-0", "master-1", "master-2");
    assert_true(json_equal(j, want));
    json_decref(want);
    json_decref(j);
    j = t_get_json(&g_sim, "/service/elastic/v1/pod/status", &st);
    assert_int_equal(st, 200);
    assert_string_equal(h_jstr(j, "service"), "elastic");
    assert_string_equal(h_jstr(json_array_get(h_jget(j, "pods"), 0), "name"),
                        "coordinator");
    assert_string_equal(h_jstr(json_array_get(h_jget(j, "pods"), 2), "name"),
                        "master");
    v = json_array_get(
        h_jget(json_array_get(
                  h_jget(json_array_get(h_jget(j, "pods"), 1), "instances"),
                  1),
              "tasks"),
        0);
    assert_string_equal(h_jstr(v, "name"), "data-1-node");
    assert_string_equal(h_jstr(v, "status"), "RUNNING");
    assert_true(util_has_prefix(h_jstr(v, "id"), "data-1-node__"));
    json_decref(j);
    j = t_get_json(&g_sim, "/service/elastic/v1/pod/master-0/status", &st);
    assert_string_equal(h_jstr(j, "name"), "master-0");
    json_decref(j);

    target = t_target_id(&g_sim, "elastic");
    j = t_get_json(&g_sim, "/service/elastic/v1/pod/master-0/info", &st);
    assert_int_equal(st, 200);
    v = json_array_get(j, 0);
    assert_string_equal(h_jstr(v, "info.name"), "master-0-node");
    assert_string_equal(h_jstr(v, "status.state"), "TASK_RUNNING");
    assert_string_equal(h_jstr(v, "info.taskId.value"),
                        h_jstr(v, "status.taskId.value"));
    {
        json_t *l;
        const char *cfg = NULL;

        json_array_foreach(h_jget(v, "info.labels.labels"), i, l)
            if (strcmp(h_jstr(l, "key"), "target_configuration") == 0)
                cfg = h_jstr(l, "value");
        assert_non_null(cfg);
        assert_string_equal(cfg, target);
    }
    json_decref(j);
    r = h_get(&g_sim, "/service/elastic/v1/pod/zzz-0/info");
    assert_int_equal(r.status, 404);
    h_resp_free(&r);

    /* configurations */
    j = t_get_json(&g_sim, "/service/elastic/v1/configurations", &st);
    want = json_pack("[s]", target);
    assert_true(json_equal(j, want));
    json_decref(want);
    json_decref(j);
    j = t_get_json(&g_sim, "/service/elastic/v1/configurations/target", &st);
    assert_int_equal(st, 200);
    assert_string_equal(h_jstr(j, "name"), "elastic");
    assert_int_equal(json_array_size(h_jget(j, "pod-specs")), 4);
    json_array_foreach(h_jget(j, "pod-specs"), i, v) {
        json_t *ts = json_array_get(h_jget(v, "task-specs"), 0);

        assert_string_equal(h_jstr(ts, "name"), "node");
        assert_true(json_is_array(h_jget(ts, "transport-encryption")));
        assert_int_equal(json_array_size(h_jget(ts, "transport-encryption")),
                         0);
    }
    p = h_fmt("/service/elastic/v1/configurations/%s", target);
    want = t_get_json(&g_sim, p, &st);
    assert_int_equal(st, 200);
    assert_true(json_equal(j, want));
    json_decref(want);
    json_decref(j);
    free(p);
    r = h_get(&g_sim, "/service/elastic/v1/configurations/"
                      "00000000-0000-4000-8000-000000000000");
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
    free(target);

    /* health, state */
    r = h_get(&g_sim, "/service/elastic/v1/health");
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
    r = h_get(&g_sim,
              "/service/elastic/v1/state/properties/last-completed-update-"
              "type");
    expect_text(&r, 200, "DEPLOY");
    h_resp_free(&r);

    /* Admin Router: unknown service, no token, no permission */
    r = h_get(&g_sim, "/service/nope/v1/plans");
    assert_int_equal(r.status, 404);
    assert_non_null(r.content_type);
    assert_true(util_has_prefix(r.content_type, "text/html"));
    h_resp_free(&r);
    r = h_req(&g_sim, "GET", "/service/elastic/v1/plans", NULL, NULL, NULL,
              NULL, NULL);
    assert_int_equal(r.status, 401);
    h_resp_free(&r);
    r = h_req(&g_sim, "GET", "/marathon/v2/apps", NULL, NULL, NULL, NULL,
              NULL);
    assert_int_equal(r.status, 401);
    h_resp_free(&r);
    {
        struct h_resp lr;
        char *tok;

        r = h_put(&g_sim, "/acs/api/v1/users/alice",
                  "{\"description\":\"Alice\",\"password\":\"s3cret-pw\"}");
        assert_int_equal(r.status, 201);
        h_resp_free(&r);
        lr = h_req(&g_sim, "POST", "/acs/api/v1/auth/login", NULL,
                   "application/json", NULL,
                   "{\"uid\":\"alice\",\"password\":\"s3cret-pw\"}", NULL);
        assert_int_equal(lr.status, 200);
        tok = strdup(h_jstr(lr.json, "token"));
        h_resp_free(&lr);
        r = h_req(&g_sim, "GET", "/service/elastic/v1/plans", tok, NULL,
                  NULL, NULL, NULL);
        assert_int_equal(r.status, 403);
        h_resp_free(&r);
        r = h_req(&g_sim, "GET", "/marathon/v2/apps/elastic", tok, NULL,
                  NULL, NULL, NULL);
        assert_int_equal(r.status, 403);
        h_resp_free(&r);
        t_grant(&g_sim, "alice", "dcos:adminrouter:service:elastic", "full");
        r = h_req(&g_sim, "GET", "/service/elastic/v1/plans", tok, NULL,
                  NULL, NULL, NULL);
        assert_int_equal(r.status, 200);
        h_resp_free(&r);
        free(tok);
    }
}

/* --- plan commands ---------------------------------------------------- */

static void test_plan_commands(void **state)
{
    json_t *plan;
    long st;
    char *d1_before, *d1_after, *target, *c0_before, *c0_after;
    struct h_resp r;

    (void)state;
    assert_true(t_wait_plan(&g_sim, "elastic", "COMPLETE", T_WAIT_MS));
    d1_before = t_task_id(&g_sim, "elastic", "data-1-node");

    /* a rolling (serial) update of the data nodes only */
    assert_true(t_wait_deployed(&g_sim, "elastic"));
    assert_int_equal(h_update(&g_sim, "elastic",
                              "{\"data_nodes\":{\"heap\":{\"size\":1536}}}"),
                     200);
    assert_true(t_wait_restart(&g_sim, "elastic", NULL));
    expect_cmd_ok("elastic", "interrupt", SCHED "interrupt.json");
    expect_cmd_208("elastic", "interrupt");
    plan = h_plan(&g_sim, "elastic", "deploy", &st);
    assert_int_equal(st, 202);
    assert_string_equal(h_jstr(plan, "status"), "WAITING");
    assert_string_equal(h_phase_status(plan, "master-update"), "COMPLETE");
    json_decref(plan);

    /* interrupted: data-1 never starts */
    h_sleep_sim(&g_sim, 8);
    plan = h_plan(&g_sim, "elastic", "deploy", &st);
    assert_string_equal(h_jstr(plan, "status"), "WAITING");
    assert_string_equal(h_step_status(plan, "data-update", "data-1:[node]"),
                        "PENDING");
    json_decref(plan);

    /* forceComplete data-1: it is never restarted */
    r = plan_cmd("elastic", "forceComplete?phase=data-update&step=nope");
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
    expect_cmd_ok("elastic",
                  "forceComplete?phase=data-update&step=data-1:%5Bnode%5D",
                  SCHED "force-complete.json");
    expect_cmd_208("elastic",
                   "forceComplete?phase=data-update&step=data-1:%5Bnode%5D");

    /* data-0 is done, data-1 forced: the plan is complete */
    assert_true(t_wait_plan(&g_sim, "elastic", "COMPLETE", T_WAIT_MS));
    expect_cmd_208("elastic", "continue");
    d1_after = t_task_id(&g_sim, "elastic", "data-1-node");
    assert_string_equal(d1_before, d1_after);
    /* ... so data-1 still runs the previous configuration */
    target = t_target_id(&g_sim, "elastic");
    plan = t_get_json(&g_sim, "/service/elastic/v1/pod/data-1/info", &st);
    {
        json_t *l;
        size_t k;

        json_array_foreach(h_jget(json_array_get(plan, 0),
                                  "info.labels.labels"),
                           k, l)
            if (strcmp(h_jstr(l, "key"), "target_configuration") == 0)
                assert_string_not_equal(h_jstr(l, "value"), target);
    }
    json_decref(plan);
    plan = t_get_json(&g_sim, "/service/elastic/v1/configurations", &st);
    assert_int_equal(json_array_size(plan), 2);
    json_decref(plan);

    /* interrupt, then continue: the rest of the rollout proceeds */
    assert_true(t_wait_deployed(&g_sim, "elastic"));
    assert_int_equal(h_update(&g_sim, "elastic",
                              "{\"data_nodes\":{\"heap\":{\"size\":1024}}}"),
                     200);
    assert_true(t_wait_restart(&g_sim, "elastic", NULL));
    expect_cmd_ok("elastic", "interrupt", SCHED "interrupt.json");
    h_sleep_sim(&g_sim, 8);
    plan = h_plan(&g_sim, "elastic", "deploy", &st);
    assert_string_equal(h_step_status(plan, "data-update", "data-1:[node]"),
                        "PENDING");
    json_decref(plan);
    expect_cmd_ok("elastic", "continue", SCHED "continue.json");
    expect_cmd_208("elastic", "continue");
    assert_true(t_wait_plan(&g_sim, "elastic", "COMPLETE", T_WAIT_MS));
    free(d1_after);
    d1_after = t_task_id(&g_sim, "elastic", "data-1-node");
    assert_string_not_equal(d1_before, d1_after);

    /* restart a phase: its pods restart */
    c0_before = t_task_id(&g_sim, "elastic", "coordinator-0-node");
    expect_cmd_ok("elastic", "restart?phase=coordinator-update",
                  SCHED "restart.json");
    c0_after = t_wait_task_replaced(&g_sim, "elastic", "coordinator-0-node",
                                    c0_before, 0);
    assert_non_null(c0_after);
    assert_true(t_wait_plan(&g_sim, "elastic", "COMPLETE", T_WAIT_MS));
    r = plan_cmd("elastic", "interrupt");
    expect_text(&r, 208, "Command has already been reported or completed");
    h_resp_free(&r);
    r = plan_cmd("elastic", "interrupt?phase=nope");
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
    free(c0_before);
    free(c0_after);
    free(target);
    free(d1_before);
    free(d1_after);
}

/* --- node operations (control API) ----------------------------------- */

static void test_node_ops(void **state)
{
    char *before, *after = NULL, *st_s;
    struct h_resp r;
    json_t *plan;
    long st;
    int i, seen_recovery = 0;

    (void)state;
    assert_true(t_wait_plan(&g_sim, "elastic", "COMPLETE", T_WAIT_MS));
    before = t_task_id(&g_sim, "elastic", "coordinator-0-node");

    r = h_control(&g_sim, "POST",
                  "/sim/v1/services/elastic/nodes/coordinator-0-node/kill",
                  NULL);
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
    st_s = t_task_status(&g_sim, "elastic", "coordinator-0-node");
    assert_string_equal(st_s, "KILLED");
    free(st_s);
    /* no node answers to its name any more */
    r = t_node_get(&g_sim, "elastic", "coordinator-http", "/", 0, NULL);
    assert_int_equal(r.curl_code, 0);
    assert_int_equal(r.status, 421);
    h_resp_free(&r);

    /* the recovery plan relaunches it after a while */
    for (i = 0; i < T_WAIT_MS / T_POLL_MS; i++) {
        plan = h_plan(&g_sim, "elastic", "recovery", &st);
        if (plan && h_step_status(plan, "default", "coordinator-0:[node]"))
            seen_recovery = 1;
        json_decref(plan);
        after = t_task_id(&g_sim, "elastic", "coordinator-0-node");
        st_s = t_task_status(&g_sim, "elastic", "coordinator-0-node");
        if (after && strcmp(after, before) != 0 &&
            strcmp(st_s, "RUNNING") == 0) {
            free(st_s);
            break;
        }
        free(st_s);
        free(after);
        after = NULL;
        h_sleep_ms(T_POLL_MS);
    }
    assert_true(seen_recovery);
    assert_non_null(after);
    r = t_node_get(&g_sim, "elastic", "coordinator-http", "/", 0, NULL);
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
    assert_true(t_wait_plan(&g_sim, "elastic", "COMPLETE", T_WAIT_MS));

    /* restart in place */
    free(before);
    before = t_task_id(&g_sim, "elastic", "master-0-node");
    r = h_control(&g_sim, "POST",
                  "/sim/v1/services/elastic/nodes/master-0-node/restart",
                  NULL);
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
    free(after);
    after = t_wait_task_replaced(&g_sim, "elastic", "master-0-node", before,
                                 1);
    assert_non_null(after);

    r = h_control(&g_sim, "POST",
                  "/sim/v1/services/elastic/nodes/master-9-node/kill", NULL);
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
    r = h_control(&g_sim, "POST",
                  "/sim/v1/services/nope/nodes/master-0-node/kill", NULL);
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
    free(before);
    free(after);
}

/* --- a serial deploy never gets past master-0 ------------------------- */

static void test_serial_deploy_needs_quorum(void **state)
{
    json_t *plan;
    long st;

    (void)state;
    t_install(&g_sim, "serial",
              "{\"service\":{\"deploy_strategy\":\"serial\"}}");
    assert_true(t_wait_restart(&g_sim, "serial", NULL));
    h_sleep_sim(&g_sim, 12);
    plan = h_plan(&g_sim, "serial", "deploy", &st);
    assert_int_equal(st, 202);
    assert_string_equal(h_jstr(plan, "strategy"), "serial");
    assert_string_equal(h_step_status(plan, "master-deploy",
                                      "master-0:[node]"),
                        "STARTED");
    assert_string_equal(h_step_status(plan, "master-deploy",
                                      "master-1:[node]"),
                        "PENDING");
    assert_string_equal(h_jstr(plan, "status"), "IN_PROGRESS");
    json_decref(plan);
    /* an operator can push it on */
    {
        struct h_resp r = plan_cmd(
            "serial", "forceComplete?phase=master-deploy&step=master-0:"
                      "%5Bnode%5D");

        assert_int_equal(r.status, 200);
        h_resp_free(&r);
    }
    assert_true(t_wait_plan(&g_sim, "serial", "COMPLETE", T_WAIT_MS));
}

/* --- persistence ------------------------------------------------------ */

static void test_persistence(void **state)
{
    char *target, *ids[3], *c0;
    static const char *const tasks[] = {"master-0-node", "data-1-node",
                                        "coordinator-0-node"};
    struct h_resp r;
    json_t *plan;
    long st;
    int i;

    (void)state;
    assert_true(t_wait_plan(&g_sim, "elastic", "COMPLETE", T_WAIT_MS));
    target = t_target_id(&g_sim, "elastic");
    for (i = 0; i < 3; i++)
        ids[i] = t_task_id(&g_sim, "elastic", tasks[i]);
    assert_int_equal(h_sim_stop(&g_sim), 0);
    h_sim_up(&g_sim, g_sim.dir, SPEED);

    plan = h_plan(&g_sim, "elastic", "deploy", &st);
    assert_int_equal(st, 200);
    assert_string_equal(h_jstr(plan, "status"), "COMPLETE");
    json_decref(plan);
    {
        char *t2 = t_target_id(&g_sim, "elastic");

        assert_string_equal(t2, target);
        free(t2);
    }
    for (i = 0; i < 3; i++) {
        char *id = t_task_id(&g_sim, "elastic", tasks[i]);

        assert_string_equal(id, ids[i]);
        free(id);
        free(ids[i]);
    }
    r = t_node_get(&g_sim, "elastic", "coordinator-http", "/_cluster/health",
                   0, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(h_jstr(r.json, "status"), "green");
    h_resp_free(&r);

    /* an update interrupted by a restart of the cluster carries on */
    c0 = t_task_id(&g_sim, "elastic", "coordinator-0-node");
    assert_true(t_wait_deployed(&g_sim, "elastic"));
    assert_int_equal(h_update(&g_sim, "elastic",
                              "{\"coordinator_nodes\":{\"mem\":2560}}"),
                     200);
    assert_true(t_wait_restart(&g_sim, "elastic", NULL));
    assert_int_equal(h_sim_stop(&g_sim), 0);
    h_sim_up(&g_sim, g_sim.dir, SPEED);
    assert_true(t_wait_plan(&g_sim, "elastic", "COMPLETE", T_WAIT_MS));
    {
        char *c1 = t_task_id(&g_sim, "elastic", "coordinator-0-node");
        char *t2 = t_target_id(&g_sim, "elastic");

        assert_string_not_equal(c1, c0);
        assert_string_not_equal(t2, target);
        free(c1);
        free(t2);
    }
    free(c0);
    free(target);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_install_timeline),
        cmocka_unit_test(test_api_shapes),
        cmocka_unit_test(test_plan_commands),
        cmocka_unit_test(test_node_ops),
        cmocka_unit_test(test_serial_deploy_needs_quorum),
        cmocka_unit_test(test_persistence),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
