/*
 * Observation reads group membership per account (GET
 * /acs/api/v1/users/<uid>/groups), never a group's member list, whose
 * answer grows with every member (docs/plan.md, "Observation"): a plan of
 * 3 services against a superusers group of 200 more service accounts
 * reads no /groups/superusers/users, and still sees a membership that is
 * there and one that is not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "e2e/etls/etls_testutil.h"
#include "harness/h_file.h"
#include "harness/harness.h"

#define N_SERVICES 3
#define N_EXTRA 200   /* service accounts in superusers besides ours */
#define MEMBERS "/acs/api/v1/groups/superusers/users"

static struct h_sim g_sim;
static char g_dir[256];

static int setup(void **state)
{
    int r = h_group_up(state, &g_sim, E_SPEED);

    if (!r)
        h_mkdtemp(g_dir, "members");
    return r;
}

static int teardown(void **state)
{
    h_rmtree(g_dir);
    return h_group_down(state, &g_sim);
}

/* `etls plan -f g_dir --detailed-exitcode` on a cleared request log; it
 * writes nothing and reads no group's member list. */
static struct e_run plan_dir(void)
{
    struct e_run r;

    e_log_clear(&g_sim);
    r = e_etls(&g_sim, "plan", g_dir, "--detailed-exitcode", (char *)NULL);
    e_assert_no_writes(&g_sim, "etls plan");
    if (e_log_count(&g_sim, "GET", MEMBERS) != 0) {
        fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", r.out, r.err);
        fail_msg("etls plan read %s (%zu times)", MEMBERS,
                 e_log_count(&g_sim, "GET", MEMBERS));
    }
    return r;
}

static void test_plan_members_per_account(void **state)
{
    EVP_PKEY *k = h_rsa_new();
    struct e_run r;
    char name[32];
    int i;

    (void)state;
    for (i = 0; i < N_SERVICES; i++) {
        snprintf(name, sizeof(name), "m%d", i);
        free(e_service_doc(g_dir, name, 1));
    }
    r = e_apply(&g_sim, g_dir);
    e_expect_rc(&r, 0);
    e_run_free(&r);
    for (i = 0; i < N_EXTRA; i++) {
        snprintf(name, sizeof(name), "extra-%03d", i);
        h_account_put(&g_sim, name, k, "a member of superusers");
        h_group_add(&g_sim, "superusers", name);
    }

    /* Converged: one membership read per account, superusers read once
     * for the run. */
    r = plan_dir();
    e_expect_rc(&r, 0);
    e_expect_out(&r, "No changes.");
    e_run_free(&r);
    for (i = 0; i < N_SERVICES; i++) {
        char *p = h_fmt("/acs/api/v1/users/m%d/groups", i);

        assert_int_equal(e_log_count(&g_sim, "GET", p), 1);
        free(p);
    }
    assert_int_equal(e_log_count(&g_sim, "GET", "/acs/api/v1/groups/"), 1);

    /* m1 left superusers: planned back; the other two still converged. */
    e_group_remove(&g_sim, "superusers", "m1");
    r = plan_dir();
    e_expect_rc(&r, 2);
    e_expect_out(&r, "+ dcos_group_membership.superusers/m1\n");
    e_expect_out(&r, "m1 is not a member of group superusers");
    e_expect_not_out(&r, "dcos_group_membership.superusers/m0");
    e_expect_not_out(&r, "dcos_group_membership.superusers/m2");
    e_expect_out(&r, "Plan: 1 to add, 0 to change, 0 to destroy.");
    e_run_free(&r);
    assert_int_equal(e_log_count(&g_sim, "GET", "/acs/api/v1/groups/"), 1);
    EVP_PKEY_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plan_members_per_account, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
