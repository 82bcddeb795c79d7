/*
 * dcos-sim, the endpoints a client calls first to check that it reaches a
 * cluster (dcos-cli-and-cluster.md 3): Admin Router's index, the Mesos
 * master's state-summary (both paths), Mesos-DNS host records and
 * dcos-diagnostics' node list, token-checked and permission-checked as
 * Admin Router does, with the fields the upstream sources give them.
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

#include "e2e/sim_sdk/sdk_testutil.h"
#include "fid_testutil.h"
#include "harness/h_cluster.h"
#include "harness/h_json.h"
#include "harness/harness.h"

static struct h_sim g_sim;

static const char *const PROTECTED[] = {
    "/mesos/master/state-summary", "/mesos/state-summary",
    "/mesos_dns/v1/hosts/master.mesos", "/system/health/v1/nodes"};

#define N_PROTECTED (sizeof(PROTECTED) / sizeof(PROTECTED[0]))

static const char *const COUNTERS[] = {
    "TASK_STAGING", "TASK_STARTING", "TASK_RUNNING",  "TASK_KILLING",
    "TASK_FINISHED", "TASK_KILLED",  "TASK_FAILED",   "TASK_LOST",
    "TASK_ERROR",    "TASK_UNREACHABLE"};

static int setup(void **state)
{
    return h_group_up(state, &g_sim, FID_SPEED);
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

static struct h_resp get_as(const char *path, const char *token)
{
    return h_req(&g_sim, "GET", path, token, NULL, NULL, NULL, NULL);
}

/* Fail unless @o has exactly the members named in @want (space
 * separated). */
static void expect_members(const json_t *o, const char *want,
                           const char *what)
{
    json_t *w = json_object();
    char *copy = strdup(want), *tok, *save = NULL;

    assert_non_null(copy);
    for (tok = strtok_r(copy, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save))
        json_object_set_new(w, tok, json_true());
    if (!json_is_object(o) || !h_same_keys(o, w))
        fail_msg("%s: members %s, expected %s", what,
                 o ? json_dumps(o, JSON_COMPACT) : "none", want);
    json_decref(w);
    free(copy);
}

static void expect_counters(const json_t *o, const char *what)
{
    size_t i;

    for (i = 0; i < sizeof(COUNTERS) / sizeof(COUNTERS[0]); i++)
        if (!json_is_integer(json_object_get(o, COUNTERS[i])))
            fail_msg("%s: no integer %s", what, COUNTERS[i]);
}

/* cpus, gpus, mem and disk as numbers. */
static void expect_scalars(const json_t *res, const char *what)
{
    static const char *const keys[] = {"cpus", "gpus", "mem", "disk"};
    size_t i;

    for (i = 0; i < 4; i++)
        if (!json_is_number(json_object_get(res, keys[i])))
            fail_msg("%s: %s is not a number", what, keys[i]);
}

/* The UI index answers without a token, as Admin Router serves it. */
static void test_index_is_public(void **state)
{
    struct h_resp r;

    (void)state;
    r = get_as("/", NULL);
    h_expect_status(&r, 200, "GET /");
    assert_string_equal(r.content_type, "text/html; charset=UTF-8");
    h_resp_free(&r);
    r = h_req(&g_sim, "HEAD", "/", NULL, NULL, NULL, NULL, NULL);
    h_expect_status(&r, 200, "HEAD /");
    h_resp_free(&r);
}

/* Without a valid token each endpoint is Admin Router's 401. */
static void test_token_required(void **state)
{
    struct h_resp r;
    size_t i;

    (void)state;
    for (i = 0; i < N_PROTECTED; i++) {
        r = get_as(PROTECTED[i], NULL);
        h_expect_status(&r, 401, PROTECTED[i]);
        assert_non_null(strstr(r.headers, "WWW-Authenticate: acsjwt"));
        assert_string_equal(r.content_type, "text/html; charset=UTF-8");
        h_resp_free(&r);
        r = get_as(PROTECTED[i], "not.a.token");
        h_expect_status(&r, 401, PROTECTED[i]);
        h_resp_free(&r);
    }
}

/* A user without dcos:adminrouter:ops:<x> gets 403; each permission opens
 * its own endpoint only. */
static void test_permission_required(void **state)
{
    static const char *const rids[N_PROTECTED] = {
        "dcos:adminrouter:ops:mesos", "dcos:adminrouter:ops:mesos",
        "dcos:adminrouter:ops:mesos-dns",
        "dcos:adminrouter:ops:system-health"};
    char *tok = fid_user_token(&g_sim, "alice", "alice-password");
    struct h_resp r;
    size_t i, k;

    (void)state;
    for (i = 0; i < N_PROTECTED; i++) {
        r = get_as(PROTECTED[i], tok);
        h_expect_status(&r, 403, PROTECTED[i]);
        h_resp_free(&r);
    }
    for (i = 0; i < N_PROTECTED; i++) {
        if (i == 0 || strcmp(rids[i], rids[i - 1]) != 0)
            t_grant(&g_sim, "alice", rids[i], "full");
        /* what this grant opens, and what is still closed */
        for (k = 0; k < N_PROTECTED; k++) {
            int open = k <= i || strcmp(rids[k], rids[i]) == 0;

            r = get_as(PROTECTED[k], tok);
            h_expect_status(&r, open ? 200 : 403, PROTECTED[k]);
            h_resp_free(&r);
        }
    }
    free(tok);
}

/* Mesos-DNS RestHost: lower-cased FQDN with the trailing dot; an unknown
 * name is still 200 with one empty record. */
static void test_mesos_dns(void **state)
{
    struct h_resp r;

    (void)state;
    r = h_get(&g_sim, "/mesos_dns/v1/hosts/master.mesos");
    h_expect_status(&r, 200, "master.mesos");
    assert_string_equal(r.content_type, "application/json");
    h_expect_json_eq(r.json, "[{\"host\":\"master.mesos.\","
                             "\"ip\":\"127.0.0.1\"}]");
    h_resp_free(&r);
    r = h_get(&g_sim, "/mesos_dns/v1/hosts/Leader.Mesos");
    h_expect_json_eq(r.json, "[{\"host\":\"leader.mesos.\","
                             "\"ip\":\"127.0.0.1\"}]");
    h_resp_free(&r);
    r = h_get(&g_sim, "/mesos_dns/v1/hosts/nothing.here.mesos");
    h_expect_status(&r, 200, "unknown name");
    h_expect_json_eq(r.json, "[{\"host\":\"\",\"ip\":\"\"}]");
    h_resp_free(&r);
}

/* The state-summary's agent and frameworks with mesos's fields; an
 * installed service is a framework whose id its scheduler reports. */
static void test_state_summary(void **state)
{
    static const char *const paths[] = {"/mesos/master/state-summary",
                                        "/mesos/state-summary"};
    struct h_resp r;
    const json_t *agent, *fw, *es;
    json_t *fid;
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        r = h_get(&g_sim, paths[i]);
        h_expect_status(&r, 200, paths[i]);
        expect_members(r.json, "hostname cluster slaves frameworks",
                       paths[i]);
        assert_string_equal(h_jstr(r.json, "cluster"), "dcos-sim");
        assert_int_equal(json_array_size(h_jget(r.json, "slaves")), 1);
        agent = json_array_get(h_jget(r.json, "slaves"), 0);
        expect_members(agent,
                       "id hostname port attributes pid registered_time "
                       "resources used_resources offered_resources "
                       "reserved_resources unreserved_resources active "
                       "deactivated version capabilities framework_ids "
                       "TASK_STAGING TASK_STARTING TASK_RUNNING TASK_KILLING "
                       "TASK_FINISHED TASK_KILLED TASK_FAILED TASK_LOST "
                       "TASK_ERROR TASK_UNREACHABLE",
                       "agent");
        expect_scalars(h_jget(agent, "resources"), "agent resources");
        assert_true(json_is_string(h_jget(agent, "resources.ports")));
        assert_true(json_is_true(h_jget(agent, "active")));
        fw = h_jnamed(h_jget(r.json, "frameworks"), "marathon");
        assert_non_null(fw);
        expect_counters(fw, "marathon");
        expect_scalars(h_jget(fw, "used_resources"), "marathon used");
        assert_true(json_is_true(h_jget(fw, "connected")));
        h_resp_free(&r);
    }

    h_install(&g_sim, "{\"service\":{\"name\":\"fw-a\"}}");
    if (!h_wait_plan(&g_sim, "fw-a", "deploy", "COMPLETE", FID_WAIT_MS,
                     FID_POLL_MS))
        fail_msg("fw-a not deployed");
    r = h_get(&g_sim, "/service/fw-a/v1/state/frameworkId");
    h_expect_status(&r, 200, "state/frameworkId");
    fid = json_incref(json_array_get(r.json, 0));
    assert_true(json_is_string(fid));
    h_resp_free(&r);

    r = h_get(&g_sim, "/mesos/master/state-summary");
    es = h_jnamed(h_jget(r.json, "frameworks"), "fw-a");
    if (!es)
        fail_msg("no framework fw-a: %s", r.body);
    assert_string_equal(h_jstr(es, "id"), json_string_value(fid));
    expect_counters(es, "fw-a");
    /* 3 masters, 2 data nodes and a coordinator, 1 cpu each */
    assert_int_equal(json_integer_value(h_jget(es, "TASK_RUNNING")), 6);
    assert_true(json_number_value(h_jget(es, "used_resources.cpus")) ==
                6.0);
    assert_true(json_is_true(h_jget(es, "active")));
    agent = json_array_get(h_jget(r.json, "slaves"), 0);
    assert_non_null(h_jget(agent, "reserved_resources.fw-a-role"));
    expect_scalars(h_jget(agent, "reserved_resources.fw-a-role"),
                   "reservation");
    {
        int found = 0;
        json_t *v;

        json_array_foreach(h_jget(agent, "framework_ids"), i, v)
            found |= json_equal(v, fid);
        assert_true(found);
    }
    assert_true(json_integer_value(h_jget(agent, "TASK_RUNNING")) >= 7);
    h_resp_free(&r);
    json_decref(fid);
}

/* dcos-diagnostics' node list: {"nodes":[{host_ip, health, role}]}, the
 * V1SystemHealthNode of dcos/client-go's openapi/dcos.yaml (host_ip
 * string, health int32, role string; roles master, agent,
 * agent_public). */
static void test_health_nodes(void **state)
{
    struct h_resp r;
    json_t *n;
    size_t i;
    int masters = 0;

    (void)state;
    r = h_get(&g_sim, "/system/health/v1/nodes");
    h_expect_status(&r, 200, "nodes");
    expect_members(r.json, "nodes", "health answer");
    assert_true(json_array_size(h_jget(r.json, "nodes")) >= 1);
    json_array_foreach(h_jget(r.json, "nodes"), i, n) {
        const char *role = h_jstr(n, "role");

        expect_members(n, "host_ip health role", "node");
        assert_true(json_is_string(h_jget(n, "host_ip")));
        assert_true(json_is_integer(h_jget(n, "health")));
        assert_int_equal(json_integer_value(h_jget(n, "health")), 0);
        assert_non_null(role);
        assert_true(strcmp(role, "master") == 0 ||
                    strcmp(role, "agent") == 0 ||
                    strcmp(role, "agent_public") == 0);
        masters += strcmp(role, "master") == 0;
    }
    assert_true(masters >= 1);
    h_resp_free(&r);
}

/* What a client that checks connectivity does first gets through: the
 * anonymous probes, a login, then each endpoint with the token. */
static void test_client_gets_through(void **state)
{
    static const char *const steps[] = {
        "/metadata", "/mesos/master/state-summary",
        "/mesos_dns/v1/hosts/master.mesos", "/system/health/v1/nodes"};
    struct h_sim *s = &g_sim;
    struct h_resp r;
    size_t i;

    (void)state;
    r = h_req(s, "HEAD", "/", NULL, NULL, NULL, NULL, NULL);
    h_expect_status(&r, 200, "HEAD /");
    h_resp_free(&r);
    r = get_as("/dcos-metadata/dcos-version.json", NULL);
    h_expect_status(&r, 200, "dcos-version.json");
    h_resp_free(&r);
    h_login(s);
    for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        r = h_get(s, steps[i]);
        h_expect_status(&r, 200, steps[i]);
        assert_non_null(r.json);
        h_resp_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_is_public),
        cmocka_unit_test(test_token_required),
        cmocka_unit_test(test_permission_required),
        cmocka_unit_test(test_mesos_dns),
        cmocka_unit_test(test_state_summary),
        cmocka_unit_test(test_health_nodes),
        cmocka_unit_test(test_client_gets_through),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
