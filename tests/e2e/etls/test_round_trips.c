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
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "e2e/etls/etls_testutil.h"
#include "harness/h_cluster.h"
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

/* Index in the request log of the first (@last 0) or last request with
 * @method under @prefix; fails the test when there is none. */
static long logged(const char *method, const char *prefix, int last)
{
    long i = last ? e_log_last(&g_sim, method, prefix)
                  : e_log_first(&g_sim, method, prefix);

    if (i < 0)
        fail_msg("no %s %s in the request log", method, prefix);
    return i;
}

/* Add the fault rule @rule, then apply the runbook's options file. */
static struct e_run apply_faulted(const char *rule)
{
    e_fault(&g_sim, rule);
    return e_apply_runbook(&g_sim);
}

/*
 * Every describe answered 1 s late: the HTTPS check's endpoint read is
 * answered before its describe only when both went out together.
 */
static void test_verify_reads_together(void **state)
{
    struct e_run r = apply_faulted("{\"method\":\"POST\",\"path\":\""
                                   DESCRIBE "\",\"delay_ms\":1000}");
    long describe, endpoint;

    (void)state;
    e_expect_apply_ok(&r, "elastic");
    e_run_free(&r);
    describe = logged("POST", DESCRIBE, 1);
    endpoint = logged("GET", ENDPOINTS, 0);
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
    struct e_run r = apply_faulted("{\"method\":\"PUT\",\"path\":\""
                                   MEMBER_PUT "\",\"status\":409,"
                                   "\"count\":1}");
    long put, check;

    (void)state;
    e_expect_rc(&r, 1);
    e_expect_err(&r, "IAM answered 409 (already a member) but elastic is "
                     "not a member of group superusers");
    e_run_free(&r);
    put = logged("PUT", MEMBER_PUT, 0);
    check = logged("GET", ACCOUNT_GROUPS, 1);
    assert_true(check > put);
    assert_int_equal(e_log_count(&g_sim, "GET", GROUP_LIST), 0);
    assert_int_equal(e_faults_left(&g_sim), 0);

    r = e_apply_runbook(&g_sim);
    e_expect_apply_ok(&r, "elastic");
    e_run_free(&r);
    assert_int_equal(e_log_count(&g_sim, "GET", GROUP_LIST), 0);
    e_assert_converged(&g_sim, "elastic", "elastic", "elastic/secret", 1, 1);
}

#define STARTED "speculative key pair started for elastic"
#define TAKEN "speculative key pair of elastic taken"
#define WIPED "unused speculative key pair of elastic wiped"

/* Both outputs of @r, for the debug log lines (new). */
static char *both(const struct e_run *r)
{
    size_t a = strlen(r->out), b = strlen(r->err);
    char *s = malloc(a + b + 1);

    assert_non_null(s);
    memcpy(s, r->out, a);
    memcpy(s + a, r->err, b + 1);
    return s;
}

/* A plan of an empty cluster makes no key pair. */
static void test_plan_makes_no_key(void **state)
{
    char *file = e_runbook_file(), *text;
    struct e_run r;

    (void)state;
    r = e_etls(&g_sim, "plan", file, "--log-level", "debug", (char *)NULL);
    text = both(&r);
    if (r.rc != 0 && r.rc != 2)
        fail_msg("etls plan exited %d: %s", r.rc, text);
    assert_non_null(strstr(text, "dcos_service_account.elastic will be "
                                 "created"));
    assert_null(strstr(text, "speculative key pair"));
    free(text);
    e_run_free(&r);
    e_assert_no_writes(&g_sim, "etls plan");
    free(file);
}

/*
 * An apply of an empty cluster starts the key pair when it first observes
 * the account missing (once, not again after the lease), the secret
 * action takes it, and it is the pair the account and the secret hold.
 */
static void test_apply_takes_key_made_ahead(void **state)
{
    char *file = e_runbook_file(), *text;
    struct e_run r;

    (void)state;
    r = e_etls(&g_sim, "apply", file, "--auto-approve", "--log-level",
               "debug", (char *)NULL);
    e_assert_clean(&r, &g_sim, "elastic/secret");
    text = both(&r);
    if (r.rc != 0)
        fail_msg("etls apply exited %d: %s", r.rc, text);
    assert_int_equal(e_count(text, STARTED), 1);
    assert_int_equal(e_count(text, TAKEN), 1);
    assert_int_equal(e_count(text, "Generating an RSA-2048 key pair"), 1);
    assert_null(strstr(text, WIPED));
    free(text);
    e_run_free(&r);
    e_assert_converged(&g_sim, "elastic", "elastic", "elastic/secret", 1, 1);
    free(file);
}

/* Another etls's lease refuses the apply: the pair made ahead is wiped. */
static void test_unused_key_wiped(void **state)
{
    char *file = e_runbook_file(), *text, value[256];
    long long now = (long long)time(NULL);
    struct e_run r;

    (void)state;
    snprintf(value, sizeof(value),
             "{\"holder\":\"etls apply by ops@elsewhere pid 4242\","
             "\"id\":\"0123456789abcdef\",\"acquired\":%lld,"
             "\"expires\":%lld}", now, now + 300);
    h_secret_put(&g_sim, "etls/elastic/lease/1", value);
    r = e_etls(&g_sim, "apply", file, "--auto-approve", "--log-level",
               "debug", (char *)NULL);
    text = both(&r);
    if (r.rc != 1)
        fail_msg("etls apply exited %d: %s", r.rc, text);
    assert_non_null(strstr(text, "service elastic is locked by"));
    assert_int_equal(e_count(text, STARTED), 1);
    assert_int_equal(e_count(text, WIPED), 1);
    assert_null(strstr(text, TAKEN));
    free(text);
    e_run_free(&r);
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_verify_reads_together, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_member_409_reads_account_groups,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_makes_no_key, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_apply_takes_key_made_ahead,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_unused_key_wiped, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
