/*
 * End-to-end tests of transient failures (issue 8) against a private
 * dcos-sim per test, with faults injected through the sim's control API
 * (/sim/v1/faults): `etls plan` rides out 502/503/504 on the login and on
 * every kind of read (IAM, secrets, Cosmos describe, the SDK scheduler,
 * metadata) and says the same as without them; a cluster that stays down
 * or never answers fails within the request timeout x the attempts
 * (docs/dcos-client.md, "Retries"), with one error line.
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
#include <openssl/evp.h>

#include "common/util.h"
#include "e2e/etls/etls_testutil.h"
#include "harness/harness.h"

static struct h_sim g_sim;

static int setup(void **state)
{
    return h_group_up(state, &g_sim, E_SPEED);
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

/* `etls plan --detailed-exitcode` of the runbook's options file, with the
 * extra arguments (NULL-terminated, at most two). */
static struct e_run plan_runbook(const char *a1, const char *a2)
{
    char *file = e_runbook_file();
    struct e_run r = e_etls(&g_sim, "plan", file, "--detailed-exitcode", a1,
                            a2, (char *)NULL);

    free(file);
    return r;
}

/* The stderr of @r holds exactly one line. */
static void expect_one_error_line(const struct e_run *r)
{
    if (e_count(r->err, "\n") != 1)
        fail_msg("expected one error line, got:\n%s", r->err);
}

/*
 * The runbook done by hand, then a plan while the cluster answers 503 to
 * the first two logins, and 502/503/504 to the first read of each kind:
 * the plan still says "No changes" (exit 0), every fault was used, the
 * retried requests are in the log and nothing was written.
 */
static void test_plan_rides_out_5xx(void **state)
{
    static const char *const faults[] = {
        "{\"method\":\"POST\",\"path\":\"/acs/api/v1/auth/login\","
        "\"status\":503,\"count\":2}",
        "{\"method\":\"GET\",\"path\":\"/dcos-metadata/\",\"status\":503,"
        "\"count\":1}",
        "{\"method\":\"GET\",\"path\":\"/acs/api/v1/users/elastic\","
        "\"status\":503,\"count\":2}",
        "{\"method\":\"GET\",\"path\":\"/secrets/v1/secret/default/elastic/"
        "secret\",\"status\":502,\"count\":1}",
        "{\"method\":\"GET\",\"path\":\"/acs/api/v1/groups/superusers\","
        "\"status\":504,\"count\":1}",
        "{\"method\":\"POST\",\"path\":\"/cosmos/service/describe\","
        "\"status\":503,\"count\":1}",
        "{\"method\":\"GET\",\"path\":\"/service/elastic/v1/plans/deploy\","
        "\"status\":502,\"count\":1}",
    };
    EVP_PKEY *k;
    struct e_run r;
    size_t i;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    e_log_clear(&g_sim);
    for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
        e_fault(&g_sim, faults[i]);
    r = plan_runbook(NULL, NULL);
    e_expect_rc(&r, 0);
    e_expect_out(&r, "No changes.");
    e_assert_clean(&r, &g_sim, "elastic/secret");
    e_run_free(&r);
    assert_int_equal(e_faults_left(&g_sim), 0);
    e_assert_no_writes(&g_sim, "etls plan riding out 5xx answers");
    assert_int_equal(e_log_count(&g_sim, "POST", "/acs/api/v1/auth/login"),
                     3);
    /* The account and its groups (/users/elastic/groups), two 503s. */
    assert_int_equal(e_log_count(&g_sim, "GET", "/acs/api/v1/users/elastic"),
                     4);
    assert_int_equal(e_log_count(&g_sim, "GET", "/acs/api/v1/groups/"), 2);
    assert_int_equal(e_log_count(&g_sim, "POST", "/cosmos/service/describe"),
                     2);
    /* The scheduler's 502 is not retried by the client: observation
     * reads it as "plan unknown" (a wait, not a change). */
    assert_int_equal(
        e_log_count(&g_sim, "GET", "/service/elastic/v1/plans/deploy"), 1);
    EVP_PKEY_free(k);
}

/*
 * The same faults on the empty cluster: the plan to create everything
 * is unchanged by them (exit 2, the same plan text as without faults).
 */
static void test_plan_empty_cluster_same_with_faults(void **state)
{
    struct e_run clean, faulty;

    (void)state;
    clean = plan_runbook(NULL, NULL);
    e_expect_rc(&clean, 2);
    e_fault(&g_sim, "{\"method\":\"POST\",\"path\":\"/acs/api/v1/auth/"
                    "login\",\"status\":503,\"count\":1}");
    e_fault(&g_sim, "{\"method\":\"GET\",\"path\":\"/acs/api/v1/\","
                    "\"status\":503,\"count\":3}");
    e_fault(&g_sim, "{\"path\":\"/cosmos/service/describe\",\"status\":504,"
                    "\"count\":1}");
    e_log_clear(&g_sim);
    faulty = plan_runbook(NULL, NULL);
    e_expect_rc(&faulty, 2);
    assert_int_equal(e_faults_left(&g_sim), 0);
    e_assert_no_writes(&g_sim, "etls plan riding out 5xx answers");
    if (strcmp(clean.out, faulty.out) != 0)
        fail_msg("the plan changed under faults:\n--- clean\n%s\n--- "
                 "faulty\n%s",
                 clean.out, faulty.out);
    e_run_free(&clean);
    e_run_free(&faulty);
}

/*
 * A cluster that refuses every connection: the login is tried 4 times
 * (backoff 1, 2, 4 s) and the plan fails with one line, well within
 * 4 x the 30 s request timeout.
 */
static void test_plan_cluster_down_bounded(void **state)
{
    int port = e_closed_port();
    char *url = h_fmt("https://127.0.0.1:%d", port);
    struct e_run r;
    double t0, took;

    (void)state;
    t0 = util_now_mono();
    r = plan_runbook("--cluster", url);
    took = util_now_mono() - t0;
    e_expect_rc(&r, 1);
    expect_one_error_line(&r);
    e_expect_err(&r, "login as bootstrapuser failed after 4 attempts in ");
    e_expect_err(&r, "/acs/api/v1/auth/login\n");
    if (took < 6.5 || took > 4 * 30.0)
        fail_msg("plan against a closed port took %.1f s:\n%s", took, r.err);
    e_run_free(&r);
    free(url);
}

/*
 * A cluster that answers 503 to everything, and one whose login never
 * answers in time: with --request-timeout 2s the plan fails within
 * 4 x 2 s (3 attempts fit: 0, 1, 3 s), with one line naming the answer.
 */
static void test_plan_cluster_unavailable_bounded(void **state)
{
    struct e_run r;
    double t0, took;

    (void)state;
    e_fault(&g_sim, "{\"path\":\"/\",\"status\":503}");
    e_log_clear(&g_sim);
    t0 = util_now_mono();
    r = plan_runbook("--request-timeout", "2s");
    took = util_now_mono() - t0;
    e_expect_rc(&r, 1);
    expect_one_error_line(&r);
    e_expect_err(&r, "HTTP 503");
    e_expect_err(&r, "failed after 3 attempts in ");
    if (took > 4 * 2.0 + 3.0)
        fail_msg("plan against a 503 cluster took %.1f s", took);
    e_run_free(&r);
    assert_int_equal(e_log_count(&g_sim, "POST", "/acs/api/v1/auth/login"),
                     3);
    e_assert_no_writes(&g_sim, "etls plan against a 503 cluster");

    /* Each login attempt hangs past the timeout. */
    {
        struct h_resp d = h_control(&g_sim, "DELETE", "/sim/v1/faults",
                                    NULL);

        assert_int_equal(d.status, 204);
        h_resp_free(&d);
    }
    e_fault(&g_sim, "{\"path\":\"/acs/api/v1/auth/login\",\"delay_ms\":"
                    "4000}");
    t0 = util_now_mono();
    r = plan_runbook("--request-timeout", "1s");
    took = util_now_mono() - t0;
    e_expect_rc(&r, 1);
    expect_one_error_line(&r);
    e_expect_err(&r, "login as bootstrapuser failed");
    if (took > 4 * 1.0 + 3.0)
        fail_msg("plan against a hanging login took %.1f s", took);
    e_run_free(&r);
}

/*
 * The cluster goes unavailable for the writes of apply (the secret store
 * answers 503 to the service's secret): an action retries within the
 * bound of one read
 * (4 x --request-timeout from its first failure, backoff included), so
 * with --request-timeout 2s apply fails within seconds, not the minutes
 * twenty retries with growing backoffs would take, naming the failure.
 */
static void test_apply_writes_unavailable_bounded(void **state)
{
    char *file = e_runbook_file();
    struct e_run r;
    double t0, took;

    (void)state;
    e_fault(&g_sim, "{\"method\":\"PUT\",\"path\":\"/secrets/v1/secret/"
                    "default/elastic/\",\"status\":503}");
    t0 = util_now_mono();
    r = e_etls(&g_sim, "apply", file, "--auto-approve", "--request-timeout",
               "2s", (char *)NULL);
    took = util_now_mono() - t0;
    e_expect_rc(&r, 1);
    e_expect_out(&r, "still failing after ");
    e_expect_out(&r, "Apply failed!");
    if (took > 4 * 2.0 + 10.0)
        fail_msg("apply against a cluster refusing writes took %.1f s",
                 took);
    e_assert_clean(&r, &g_sim, NULL);
    e_run_free(&r);
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plan_rides_out_5xx, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_plan_empty_cluster_same_with_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_cluster_down_bounded,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_plan_cluster_unavailable_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_apply_writes_unavailable_bounded, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
