/*
 * End-to-end tests of the per-service lease (docs/plan.md, "Leases")
 * against a private dcos-sim: plan shows a lease another etls holds; apply
 * refuses to write while it is held (naming the holder and the way out),
 * waits for it with --lock-timeout and takes over an expired one; etls
 * force-unlock removes it; and an apply leaves no lease behind.
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

#define LEASE_DIR "/secrets/v1/secret/default/etls/elastic/lease"
#define OTHER "etls apply by ops@elsewhere pid 4242"

static struct h_sim g_sim;

static int setup(void **state)
{
    return h_group_up(state, &g_sim, E_SPEED);
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

/* Another etls's lease record, generation @gen, expiring in @secs. */
static void foreign_lease(unsigned gen, long secs)
{
    char path[128], value[256];
    long long now = (long long)time(NULL);

    snprintf(path, sizeof(path), "etls/elastic/lease/%u", gen);
    snprintf(value, sizeof(value),
             "{\"holder\":\"" OTHER "\",\"id\":\"0123456789abcdef\","
             "\"acquired\":%lld,\"expires\":%lld}", now, now + secs);
    h_secret_put(&g_sim, path, value);
}

/* The generations of the elastic lease (404: none): their count. */
static size_t lease_generations(void)
{
    struct h_resp r = h_get(&g_sim, LEASE_DIR "?list=true");
    size_t n = 0;

    if (r.status == 200)
        n = json_array_size(json_object_get(r.json, "array"));
    else if (r.status != 404)
        fail_msg("listing the lease: HTTP %ld", r.status);
    h_resp_free(&r);
    return n;
}

/* Make apply have work: delete the account if there is one. */
static void make_work(void)
{
    struct h_resp r = h_delete(&g_sim, "/acs/api/v1/users/elastic");

    h_resp_free(&r);
}

/* Remove every lease of elastic (a clean slate for the next test). */
static void clear_leases(void)
{
    struct e_run r = e_etls(&g_sim, "force-unlock", NULL, "elastic",
                            (char *)NULL);

    e_expect_rc(&r, 0);
    e_run_free(&r);
    assert_int_equal(lease_generations(), 0);
}

/* plan shows the lease, in text and JSON, and writes nothing. */
static void test_plan_shows_held_lease(void **state)
{
    char *file = e_runbook_file();
    struct e_run r;

    (void)state;
    foreign_lease(1, 300);
    e_log_clear(&g_sim);
    r = e_etls(&g_sim, "plan", file, (char *)NULL);
    e_expect_rc(&r, 0);
    e_expect_out(&r, "Locked by " OTHER " until ");
    e_run_free(&r);
    r = e_etls(&g_sim, "plan", file, "-o", "json", (char *)NULL);
    e_expect_rc(&r, 0);
    e_expect_out(&r, "\"holder\": \"" OTHER "\"");
    e_run_free(&r);
    e_assert_no_writes(&g_sim, "plan with a held lease");
    clear_leases();
    free(file);
}

/*
 * A held lease refuses apply at once by default: exit 1, the holder and
 * the way out named, nothing written but nothing either (the refusal
 * comes before the first write).
 */
static void test_apply_refused_while_locked(void **state)
{
    char *file = e_runbook_file();
    struct e_run r;
    char *writes = NULL;

    (void)state;
    make_work();
    foreign_lease(1, 300);
    e_log_clear(&g_sim);
    r = e_apply(&g_sim, file);
    e_expect_rc(&r, 1);
    e_expect_err(&r, "service elastic is locked by " OTHER);
    e_expect_err(&r, "etls force-unlock elastic");
    e_run_free(&r);
    /* The only write attempts are lease creations that got a 409. */
    e_log_writes(&g_sim, &writes);
    assert_null(strstr(writes, "/acs/api/v1/users"));
    assert_null(strstr(writes, "-> 20"));
    free(writes);
    assert_int_equal(lease_generations(), 1);

    /* force-unlock names who held it; then apply goes through. */
    r = e_etls(&g_sim, "force-unlock", NULL, "elastic", (char *)NULL);
    e_expect_rc(&r, 0);
    e_expect_out(&r, "Removed the lease of service elastic held by " OTHER);
    e_run_free(&r);
    r = e_apply(&g_sim, file);
    e_expect_apply_ok(&r, "elastic");
    e_run_free(&r);
    assert_int_equal(lease_generations(), 0);
    e_assert_converged(&g_sim, "elastic", "elastic", "elastic/secret", 1, 1);
    free(file);
}

/*
 * With --lock-timeout, apply waits for a lease that expires (its holder
 * is gone), saying so while it waits, takes it over with the next
 * generation, converges, and releases everything.
 */
static void test_apply_takes_over_expired_lease(void **state)
{
    char *file = e_runbook_file();
    struct e_run r;

    (void)state;
    make_work();
    foreign_lease(1, 2);
    e_log_clear(&g_sim);
    /* A heartbeat every second while it waits (issue 13). */
    setenv("ETLS_HEARTBEAT_SECONDS", "1", 1);
    r = e_etls(&g_sim, "apply", file, "--auto-approve", "--lock-timeout", "60s",
               (char *)NULL);
    unsetenv("ETLS_HEARTBEAT_SECONDS");
    e_expect_apply_ok(&r, "elastic");
    e_expect_err(&r, "Still waiting for the lease of elastic held by " OTHER
                     " [");
    e_run_free(&r);
    /* Generation 2 was created (the takeover), then both were removed. */
    assert_true(e_log_count(&g_sim, "PUT", LEASE_DIR "/2") >= 1);
    assert_int_equal(lease_generations(), 0);
    e_assert_converged(&g_sim, "elastic", "elastic", "elastic/secret", 1, 1);
    free(file);
}

/* force-unlock of a service nobody locked says so. */
static void test_force_unlock_free_service(void **state)
{
    struct e_run r;

    (void)state;
    r = e_etls(&g_sim, "force-unlock", NULL, "elastic", (char *)NULL);
    e_expect_rc(&r, 0);
    e_expect_out(&r, "Service elastic is not locked.");
    e_run_free(&r);
    r = e_etls(&g_sim, "force-unlock", NULL, (char *)NULL);
    e_expect_rc(&r, 1);
    e_expect_err(&r, "name the service");
    e_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_shows_held_lease),
        cmocka_unit_test(test_apply_refused_while_locked),
        cmocka_unit_test(test_apply_takes_over_expired_lease),
        cmocka_unit_test(test_force_unlock_free_service),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
