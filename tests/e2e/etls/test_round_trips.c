/*
 * End-to-end tests of issue 11's round trips against a private dcos-sim:
 * the HTTPS check reads the credentials (Cosmos describe) and the
 * scheduler's endpoint together, and a 409 on a group add is checked
 * against the account's groups, never the group's member list.  Both are
 * read from the sim's request log, which lists a request when it is
 * answered: with every describe held back by a delay fault, a check that
 * reads the endpoint only after the describe answered logs the endpoint
 * after the describe, whatever the timing.
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

#define DESCRIBE "/cosmos/service/describe"
#define ENDPOINTS "/service/elastic/v1/endpoints/"
#define GROUP_LIST "/acs/api/v1/groups/superusers/users"
#define MEMBER_PUT "/acs/api/v1/groups/superusers/users/elastic"
#define ACCOUNT_GROUPS "/acs/api/v1/users/elastic/groups"

/*
 * Every describe answered 1 s late: the HTTPS check's endpoint read is
 * answered before its describe only when both went out together.
 */
static void test_verify_reads_together(void **state)
{
    struct e_run r;
    long describe, endpoint;

    (void)state;
    e_fault(&g_sim, "{\"method\":\"POST\",\"path\":\"" DESCRIBE "\","
                    "\"delay_ms\":1000}");
    r = e_apply_runbook(&g_sim);
    e_expect_apply_ok(&r, "elastic");
    e_run_free(&r);
    describe = e_log_last(&g_sim, "POST", DESCRIBE);
    endpoint = e_log_first(&g_sim, "GET", ENDPOINTS);
    assert_true(describe >= 0);
    assert_true(endpoint >= 0);
    if (endpoint > describe)
        fail_msg("the HTTPS check read the endpoint (log entry %ld) only "
                 "after the describe answered (log entry %ld)",
                 endpoint, describe);
}

/*
 * A 409 on the group add that is not true: the apply fails, after reading
 * the account's groups, not the group's members; the next apply
 * converges, without the group's member list either.
 */
static void test_member_409_reads_account_groups(void **state)
{
    struct e_run r;
    long put, check;

    (void)state;
    e_fault(&g_sim, "{\"method\":\"PUT\",\"path\":\"" MEMBER_PUT "\","
                    "\"status\":409,\"count\":1}");
    r = e_apply_runbook(&g_sim);
    e_expect_rc(&r, 1);
    e_expect_err(&r, "IAM answered 409 (already a member) but elastic is "
                     "not a member of group superusers");
    e_run_free(&r);
    put = e_log_first(&g_sim, "PUT", MEMBER_PUT);
    check = e_log_last(&g_sim, "GET", ACCOUNT_GROUPS);
    assert_true(put >= 0);
    assert_true(check > put);
    assert_int_equal(e_log_count(&g_sim, "GET", GROUP_LIST), 0);
    assert_int_equal(e_faults_left(&g_sim), 0);

    r = e_apply_runbook(&g_sim);
    e_expect_apply_ok(&r, "elastic");
    e_run_free(&r);
    assert_int_equal(e_log_count(&g_sim, "GET", GROUP_LIST), 0);
    e_assert_converged(&g_sim, "elastic", "elastic", "elastic/secret", 1, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_verify_reads_together, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_member_409_reads_account_groups,
                                        setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
