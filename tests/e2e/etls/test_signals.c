/*
 * End-to-end tests of signals (issue 8) against a private dcos-sim per
 * test, slowed down (SIM_SPEED) so that a rollout lasts long enough to be
 * interrupted: SIGINT or SIGTERM during the rollout wait starts nothing
 * new, prints the summary (what was done, what is left) and exits 130 or
 * 143; a second signal stops at once without waiting for the request in
 * flight; a signal while the cluster is read (plan) exits 130 with one
 * line, no plan and no saved plan.  Every wait is bounded.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "e2e/etls/etls_testutil.h"
#include "harness/h_file.h"
#include "harness/harness.h"

/* An install takes about 7 simulated seconds: 7 s of real time. */
#define SIM_SPEED "1"
/* Bound of waiting for etls to reach a point, or to end after a signal. */
#define REACH_MS 60000
#define END_MS 20000

#define ROLLOUT_LINE "dcos_rollout.elastic: Waiting for the deploy plan"

static struct h_sim g_sim;

static int setup(void **state)
{
    return h_group_up(state, &g_sim, SIM_SPEED);
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

/* Start `etls apply` of the runbook and wait until the rollout waits. */
static struct e_proc apply_until_rollout(void)
{
    char *file = e_runbook_file();
    struct e_proc p = e_spawn(&g_sim, "apply", file, "--auto-approve",
                              (char *)NULL);
    struct e_run r;

    free(file);
    if (!e_wait_out(&p, ROLLOUT_LINE, REACH_MS)) {
        kill((pid_t)p.pid, SIGKILL);
        r = e_wait(&p);
        e_expect_out(&r, ROLLOUT_LINE);
    }
    return p;
}

/* Wait (bounded by @ms) for @p to end after a signal; fails if it runs
 * on. */
static struct e_run ended(struct e_proc *p, int ms)
{
    struct e_run r;

    if (!e_try_wait(p, ms, &r)) {
        kill((pid_t)p->pid, SIGKILL);
        r = e_wait(p);
        fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", r.out, r.err);
        fail_msg("etls still ran %d ms after the signal", ms);
    }
    return r;
}


/*
 * No write in the sim's log but the release of etls's own lease (a
 * cancelled apply still gives the lease back).
 */
static void assert_no_writes_but_release(const char *what)
{
    char *desc = NULL, *p;
    size_t n = e_log_writes(&g_sim, &desc), releases = 0;

    for (p = desc; (p = strstr(p, "DELETE /secrets/v1/secret/default/"
                                  "etls/elastic/lease/"));
         p++)
        releases++;
    if (n != releases) {
        fprintf(stderr, "%s made %zu write request(s): %s\n", what, n,
                desc);
        fail_msg("%s made write requests", what);
    }
    free(desc);
}

/* A signal in the rollout wait: summary, exit @rc, no write after it. */
static void interrupt_rollout(int sig, int rc, const char *name)
{
    struct e_proc p = apply_until_rollout();
    char *line;
    struct e_run r;

    /* Every write of the apply came before the rollout wait. */
    e_log_clear(&g_sim);
    assert_int_equal(kill((pid_t)p.pid, sig), 0);
    r = ended(&p, END_MS);
    e_expect_rc(&r, rc);
    line = h_fmt("etls: %s received: starting nothing new", name);
    e_expect_err(&r, line);
    free(line);
    line = h_fmt("etls: interrupted by %s: ", name);
    e_expect_err(&r, line);
    free(line);
    /* What was done, and what is left. */
    e_expect_out(&r, "Apply cancelled! Resources: 4 added, 0 changed, 0 "
                     "destroyed.");
    e_expect_out(&r, "Service elastic is NOT converged: ");
    e_expect_out(&r, "  left to do: dcos_rollout.elastic");
    e_expect_out(&r, "  left to do: dcos_https_check.elastic (not started)");
    e_expect_not_out(&r, "dcos_https_check.elastic: Verifying...");
    e_assert_clean(&r, &g_sim, "elastic/secret");
    assert_no_writes_but_release("etls after the signal");
    e_run_free(&r);
}

static void test_sigint_mid_rollout(void **state)
{
    (void)state;
    interrupt_rollout(SIGINT, 130, "SIGINT");
}

static void test_sigterm_mid_rollout(void **state)
{
    (void)state;
    interrupt_rollout(SIGTERM, 143, "SIGTERM");
}

/*
 * The first SIGINT waits for the request in flight (held 8 s by the
 * sim); the second stops at once, with one line and no summary.
 */
static void test_second_sigint_stops_at_once(void **state)
{
    struct e_proc p = apply_until_rollout();
    struct e_run r;
    struct h_resp resp;

    (void)state;
    /* Hold every later read of the rollout wait (it polls each 0.5 s). */
    e_fault(&g_sim, "{\"method\":\"GET\",\"path\":\"/service/\","
                    "\"delay_ms\":8000}");
    h_sleep_ms(1500);
    assert_int_equal(kill((pid_t)p.pid, SIGINT), 0);
    /* It waits for the held request. */
    if (e_try_wait(&p, 1000, &r)) {
        fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", r.out, r.err);
        fail_msg("etls did not wait for the request in flight");
    }
    assert_int_equal(kill((pid_t)p.pid, SIGINT), 0);
    r = ended(&p, 5000);
    e_expect_rc(&r, 130);
    e_expect_err(&r, "etls: SIGINT received again: stopped at once; ");
    e_expect_not_out(&r, "Apply cancelled!");
    assert_int_equal(e_count(r.err, "\n"), 2); /* the two signal lines */
    e_run_free(&r);
    resp = h_control(&g_sim, "DELETE", "/sim/v1/faults", NULL);
    h_expect_status(&resp, 204, "DELETE /sim/v1/faults");
    h_resp_free(&resp);
}

/* SIGINT while plan reads the cluster: one line, no plan, no file. */
static void test_sigint_during_plan(void **state)
{
    char dir[256], *out, *file = e_runbook_file();
    struct e_proc p;
    struct e_run r;
    struct h_resp resp;

    (void)state;
    h_mkdtemp(dir, "signals");
    out = h_path(dir, "plan.json");
    /* Hold the reads of the account. */
    e_fault(&g_sim, "{\"method\":\"GET\",\"path\":\"/acs/api/v1/users/\","
                    "\"delay_ms\":8000}");
    e_log_clear(&g_sim);
    p = e_spawn(&g_sim, "plan", file, "-out", out, (char *)NULL);
    h_sleep_ms(1500);
    assert_int_equal(kill((pid_t)p.pid, SIGINT), 0);
    r = ended(&p, 5000);
    e_expect_rc(&r, 130);
    assert_string_equal(r.out, "");
    e_expect_err(&r, "etls: SIGINT received while reading the cluster: "
                     "stopped; nothing was changed and no plan was made\n");
    assert_int_equal(e_count(r.err, "\n"), 1);
    assert_int_not_equal(access(out, F_OK), 0);
    e_assert_no_writes(&g_sim, "an interrupted plan");
    e_run_free(&r);
    resp = h_control(&g_sim, "DELETE", "/sim/v1/faults", NULL);
    h_expect_status(&resp, 204, "DELETE /sim/v1/faults");
    h_resp_free(&resp);
    h_rmtree(dir);
    free(out);
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_sigint_mid_rollout),
        T(test_sigterm_mid_rollout),
        T(test_second_sigint_stops_at_once),
        T(test_sigint_during_plan),
#undef T
    };

    if (getenv("ETLS_E2E_ONLY"))
        cmocka_set_test_filter(getenv("ETLS_E2E_ONLY"));
    return cmocka_run_group_tests_name("e2e_etls_signals", tests, NULL,
                                       NULL);
}
