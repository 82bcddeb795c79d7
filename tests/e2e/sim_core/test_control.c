/*
 * dcos-sim control API, end to end: fault rules (status with a count,
 * connection reset, probability 1 and 0, delay, method filter), the request
 * log and its write classification, control authentication, node
 * operations and the state dump.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/util.h"
#include "harness/h_cluster.h"
#include "harness/harness.h"
#include "sim_core_testutil.h"

#define VERSION_PATH "/dcos-metadata/dcos-version.json"

static struct h_sim g_sim;

static int setup(void **state)
{
    return h_group_up(state, &g_sim, NULL);
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

/* Before each test: no fault rules, empty request log. */
static int clean(void **state)
{
    struct h_resp r;

    (void)state;
    r = h_control(&g_sim, "DELETE", "/sim/v1/faults", NULL);
    assert_int_equal(r.status, 204);
    h_resp_free(&r);
    r = h_control(&g_sim, "DELETE", "/sim/v1/requests", NULL);
    assert_int_equal(r.status, 204);
    h_resp_free(&r);
    return 0;
}

static long add_fault(const char *body)
{
    struct h_resp r = h_control(&g_sim, "POST", "/sim/v1/faults", body);
    long id;

    if (r.status != 201)
        fail_msg("fault %s: HTTP %ld %s", body, r.status,
                 r.body ? r.body : "");
    assert_true(json_is_integer(json_object_get(r.json, "id")));
    id = (long)json_integer_value(json_object_get(r.json, "id"));
    assert_true(id > 0);
    h_resp_free(&r);
    return id;
}

static long get_status(const char *path)
{
    struct h_resp r = h_req(&g_sim, "GET", path, g_sim.token, NULL, NULL,
                            NULL, NULL);
    long st = r.curl_code ? -r.curl_code : r.status;

    h_resp_free(&r);
    return st;
}

static size_t n_faults(void)
{
    struct h_resp r = h_control(&g_sim, "GET", "/sim/v1/faults", NULL);
    size_t n;

    assert_int_equal(r.status, 200);
    assert_true(json_is_array(json_object_get(r.json, "faults")));
    n = json_array_size(json_object_get(r.json, "faults"));
    h_resp_free(&r);
    return n;
}

static void test_fault_status_count(void **state)
{
    struct h_resp r;
    json_t *f;

    (void)state;
    add_fault("{\"method\":\"GET\",\"path\":\"/dcos-metadata/\","
              "\"status\":503,\"count\":2}");
    r = h_control(&g_sim, "GET", "/sim/v1/faults", NULL);
    assert_int_equal(r.status, 200);
    f = json_array_get(json_object_get(r.json, "faults"), 0);
    assert_string_equal(json_string_value(json_object_get(f, "method")),
                        "GET");
    assert_string_equal(json_string_value(json_object_get(f, "path")),
                        "/dcos-metadata/");
    assert_int_equal(json_integer_value(json_object_get(f, "status")), 503);
    assert_int_equal(json_integer_value(json_object_get(f, "count")), 2);
    h_resp_free(&r);

    /* another method and another path are not affected */
    r = h_req(&g_sim, "HEAD", VERSION_PATH, NULL, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
    assert_int_equal(get_status("/metadata"), 200);

    r = h_req(&g_sim, "GET", VERSION_PATH, NULL, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 503);
    assert_string_equal(r.content_type, "text/html; charset=UTF-8");
    h_resp_free(&r);
    assert_int_equal(get_status(VERSION_PATH), 503);
    assert_int_equal(get_status(VERSION_PATH), 200);
    assert_int_equal(n_faults(), 0);
}

static void test_fault_reset(void **state)
{
    struct h_resp r;

    (void)state;
    add_fault("{\"path\":\"/ca/dcos-ca.crt\",\"reset\":true,\"count\":1}");
    r = h_req(&g_sim, "GET", "/ca/dcos-ca.crt", NULL, NULL, NULL, NULL, NULL);
    assert_int_not_equal(r.curl_code, 0); /* no HTTP answer at all */
    assert_int_equal(r.status, 0);
    h_resp_free(&r);
    assert_int_equal(get_status("/ca/dcos-ca.crt"), 200);
}

static void test_fault_probability(void **state)
{
    struct h_resp r;
    long id;
    int i;

    (void)state;
    id = add_fault("{\"path\":\"/metadata\",\"status\":500,"
                   "\"probability\":1}");
    for (i = 0; i < 5; i++)
        assert_int_equal(get_status("/metadata"), 500);
    {
        char path[64];

        snprintf(path, sizeof(path), "/sim/v1/faults/%ld", id);
        r = h_control(&g_sim, "DELETE", path, NULL);
        assert_int_equal(r.status, 204);
        h_resp_free(&r);
        r = h_control(&g_sim, "DELETE", path, NULL);
        assert_int_equal(r.status, 404);
        assert_non_null(json_object_get(r.json, "error"));
        h_resp_free(&r);
    }
    assert_int_equal(get_status("/metadata"), 200);

    add_fault("{\"path\":\"/metadata\",\"status\":500,\"probability\":0}");
    for (i = 0; i < 20; i++)
        assert_int_equal(get_status("/metadata"), 200);
    assert_int_equal(n_faults(), 1); /* never applied, still there */

    /* about half of the requests with 0.5 (bounds loose enough to never
     * flake: P(outside) < 1e-9) */
    r = h_control(&g_sim, "DELETE", "/sim/v1/faults", NULL);
    h_resp_free(&r);
    add_fault("{\"path\":\"/metadata\",\"status\":500,\"probability\":0.5}");
    {
        int hits = 0;

        for (i = 0; i < 200; i++)
            hits += get_status("/metadata") == 500;
        assert_true(hits > 40 && hits < 160);
    }
}

static void test_fault_delay(void **state)
{
    double t0, dt;

    (void)state;
    add_fault("{\"path\":\"/dcos-metadata\",\"delay_ms\":600,\"count\":1}");
    t0 = util_now_mono();
    assert_int_equal(get_status(VERSION_PATH), 200);
    dt = util_now_mono() - t0;
    assert_true(dt >= 0.6);
    assert_true(dt < 10.0);
    assert_int_equal(n_faults(), 0);
}

static void test_fault_not_on_control(void **state)
{
    struct h_resp r;

    (void)state;
    /* a rule for everything leaves the control API alone */
    add_fault("{\"path\":\"/\",\"status\":503}");
    assert_int_equal(get_status(VERSION_PATH), 503);
    assert_int_equal(n_faults(), 1);
    r = h_control(&g_sim, "POST", "/sim/v1/faults",
                  "{\"path\":\"/sim/v1/requests\",\"status\":500}");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(
        json_string_value(json_object_get(r.json, "error")), "path"));
    h_resp_free(&r);
}

static void expect_bad_fault(const char *body, const char *field)
{
    struct h_resp r = h_control(&g_sim, "POST", "/sim/v1/faults", body);
    const char *msg;

    if (r.status != 400)
        fail_msg("%s: expected 400, got %ld", body, r.status);
    assert_string_equal(r.content_type, "application/json");
    msg = json_string_value(json_object_get(r.json, "error"));
    assert_non_null(msg);
    if (!strstr(msg, field))
        fail_msg("%s: error \"%s\" does not name %s", body, msg, field);
    h_resp_free(&r);
}

static void test_fault_validation(void **state)
{
    (void)state;
    expect_bad_fault("not json", "body");
    expect_bad_fault("[1]", "body");
    expect_bad_fault("{\"status\":503}", "path");
    expect_bad_fault("{\"path\":\"nope\",\"status\":503}", "path");
    expect_bad_fault("{\"path\":\"/x\"}", "status");
    expect_bad_fault("{\"path\":\"/x\",\"status\":503,\"reset\":true}",
                     "status");
    expect_bad_fault("{\"path\":\"/x\",\"status\":99}", "status");
    expect_bad_fault("{\"path\":\"/x\",\"status\":\"503\"}", "status");
    expect_bad_fault("{\"path\":\"/x\",\"delay_ms\":-1}", "delay_ms");
    expect_bad_fault("{\"path\":\"/x\",\"reset\":false}", "reset");
    expect_bad_fault("{\"path\":\"/x\",\"status\":503,\"count\":0}", "count");
    expect_bad_fault("{\"path\":\"/x\",\"status\":503,\"probability\":1.5}",
                     "probability");
    expect_bad_fault("{\"path\":\"/x\",\"status\":503,\"method\":\"get\"}",
                     "method");
    expect_bad_fault("{\"path\":\"/x\",\"status\":503,\"colour\":1}",
                     "colour");
    assert_int_equal(n_faults(), 0);
}

static void test_control_auth(void **state)
{
    struct h_resp r;

    (void)state;
    r = h_req(&g_sim, "GET", "/sim/v1/requests", NULL, NULL, NULL, NULL,
              NULL);
    assert_int_equal(r.status, 401);
    assert_true(tu_header_is(&r, "WWW-Authenticate", "acsjwt"));
    h_resp_free(&r);
    /* a DC/OS token is not the control token */
    r = h_req(&g_sim, "GET", "/sim/v1/requests", g_sim.token, NULL, NULL,
              NULL, NULL);
    assert_int_equal(r.status, 401);
    h_resp_free(&r);
    r = h_req(&g_sim, "POST", "/sim/v1/faults", "0000", "application/json",
              NULL, "{\"path\":\"/\",\"status\":500}", NULL);
    assert_int_equal(r.status, 401);
    h_resp_free(&r);
    assert_int_equal(n_faults(), 0);
}

/* Find log entry @i; check method, path, status and write. */
static void expect_entry(json_t *reqs, size_t i, const char *method,
                         const char *path, long status, int write)
{
    json_t *e = json_array_get(reqs, i);
    const char *t;

    if (!e)
        fail_msg("request log has no entry %zu", i);
    assert_string_equal(json_string_value(json_object_get(e, "method")),
                        method);
    assert_string_equal(json_string_value(json_object_get(e, "path")), path);
    if (status >= 0)
        assert_int_equal(json_integer_value(json_object_get(e, "status")),
                         status);
    if (json_is_true(json_object_get(e, "write")) != write)
        fail_msg("%s %s: write should be %d", method, path, write);
    /* 2026-11-28T12:00:00.123Z */
    t = json_string_value(json_object_get(e, "time"));
    assert_non_null(t);
    assert_int_equal(strlen(t), 24);
    assert_int_equal(t[10], 'T');
    assert_int_equal(t[19], '.');
    assert_int_equal(t[23], 'Z');
}

static void test_request_log(void **state)
{
    struct h_resp r;
    json_t *reqs;

    (void)state;
    r = h_req(&g_sim, "GET", VERSION_PATH, NULL, NULL, NULL, NULL, NULL);
    h_resp_free(&r);
    h_login(&g_sim);                                       /* POST, read */
    r = h_get(&g_sim, "/metadata?x=%2F&y=1");
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/users/log%252Ftest",
              "{\"description\":\"x\"}");
    h_resp_free(&r);
    r = h_cosmos(&g_sim, "package/list", "{}");                /* read */
    h_resp_free(&r);
    r = h_cosmos(&g_sim, "service/describe", "{\"appId\":\"/nope\"}");
    h_resp_free(&r);
    r = h_cosmos(&g_sim, "service/update", "{\"appId\":\"/nope\"}");
    h_resp_free(&r);
    r = h_delete(&g_sim, "/secrets/v1/secret/default/nope");
    h_resp_free(&r);
    r = h_req(&g_sim, "GET", "/no/such", NULL, NULL, NULL, NULL, NULL);
    h_resp_free(&r);
    /* control calls are not logged */
    r = h_control(&g_sim, "GET", "/sim/v1/faults", NULL);
    h_resp_free(&r);

    r = h_control(&g_sim, "GET", "/sim/v1/requests", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/json");
    reqs = json_object_get(r.json, "requests");
    assert_true(json_is_array(reqs));
    if (json_array_size(reqs) != 9)
        fail_msg("expected 9 logged requests, got %zu: %s",
                 json_array_size(reqs), r.body);
    expect_entry(reqs, 0, "GET", VERSION_PATH, 200, 0);
    expect_entry(reqs, 1, "POST", "/acs/api/v1/auth/login", 200, 0);
    expect_entry(reqs, 2, "GET", "/metadata?x=%2F&y=1", 200, 0);
    expect_entry(reqs, 3, "PUT", "/acs/api/v1/users/log%252Ftest", -1, 1);
    expect_entry(reqs, 4, "POST", "/package/list", -1, 0);
    expect_entry(reqs, 5, "POST", "/cosmos/service/describe", -1, 0);
    expect_entry(reqs, 6, "POST", "/cosmos/service/update", -1, 1);
    expect_entry(reqs, 7, "DELETE", "/secrets/v1/secret/default/nope", -1,
                 1);
    expect_entry(reqs, 8, "GET", "/no/such", 404, 0);
    h_resp_free(&r);

    /* faulted and reset requests are logged with what the client got */
    add_fault("{\"path\":\"/ca/\",\"status\":502,\"count\":1}");
    add_fault("{\"path\":\"/ca/\",\"reset\":true,\"count\":1}");
    r = h_control(&g_sim, "DELETE", "/sim/v1/requests", NULL);
    assert_int_equal(r.status, 204);
    h_resp_free(&r);
    assert_int_equal(get_status("/ca/dcos-ca.crt"), 502);
    assert_true(get_status("/ca/dcos-ca.crt") < 0);
    r = h_control(&g_sim, "GET", "/sim/v1/requests", NULL);
    reqs = json_object_get(r.json, "requests");
    assert_int_equal(json_array_size(reqs), 2);
    expect_entry(reqs, 0, "GET", "/ca/dcos-ca.crt", 502, 0);
    expect_entry(reqs, 1, "GET", "/ca/dcos-ca.crt", 0, 0);
    h_resp_free(&r);
}

static void test_node_ops(void **state)
{
    struct h_resp r;

    (void)state;
    r = h_control(&g_sim, "POST",
                  "/sim/v1/services/nosuch/nodes/master-0-node/kill", NULL);
    assert_int_equal(r.status, 404);
    assert_non_null(json_object_get(r.json, "error"));
    h_resp_free(&r);
    r = h_control(&g_sim, "POST",
                  "/sim/v1/services/nosuch/nodes/master-0-node/explode",
                  NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(json_string_value(json_object_get(r.json,
                                                             "error")),
                           "op"));
    h_resp_free(&r);
    r = h_control(&g_sim, "POST", "/sim/v1/services/nosuch/kill", NULL);
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
}

static void test_state_dump(void **state)
{
    struct h_resp r, m;
    json_t *core;

    (void)state;
    r = h_control(&g_sim, "GET", "/sim/v1/state", NULL);
    assert_int_equal(r.status, 200);
    core = json_object_get(r.json, "core");
    assert_true(json_is_object(core));
    m = h_get(&g_sim, "/metadata");
    assert_int_equal(m.status, 200);
    assert_string_equal(json_string_value(json_object_get(core,
                                                          "cluster_id")),
                        json_string_value(json_object_get(m.json,
                                                          "CLUSTER_ID")));
    assert_true(json_is_number(json_object_get(core, "clock")));
    h_resp_free(&m);
    h_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_fault_status_count, clean),
        cmocka_unit_test_setup(test_fault_reset, clean),
        cmocka_unit_test_setup(test_fault_probability, clean),
        cmocka_unit_test_setup(test_fault_delay, clean),
        cmocka_unit_test_setup(test_fault_not_on_control, clean),
        cmocka_unit_test_setup(test_fault_validation, clean),
        cmocka_unit_test_setup(test_control_auth, clean),
        cmocka_unit_test_setup(test_request_log, clean),
        cmocka_unit_test_setup(test_node_ops, clean),
        cmocka_unit_test_setup(test_state_dump, clean),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
