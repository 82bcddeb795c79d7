/*
 * Check, don't trust, 409s (issue 8), against a private dcos-sim: a 409 on
 * a create is followed by a read, and only an equal resource is adopted.
 * A plain install someone else made while etls was about to install is
 * not adopted (and the next run updates it to the desired options); a
 * 409 on a group add or a grant that IAM does not back up fails the
 * action instead of being taken as done.
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
#include "harness/h_cluster.h"
#include "harness/h_file.h"
#include "harness/harness.h"

static struct h_sim g_sim;
static char g_dir[256];

static int setup(void **state)
{
    h_mkdtemp(g_dir, "conflicts");
    return h_group_up(state, &g_sim, E_SPEED);
}

static int teardown(void **state)
{
    h_rmtree(g_dir);
    return h_group_down(state, &g_sim);
}

static char *doc(const char *svc)
{
    char name[64], *text, *path;

    snprintf(name, sizeof(name), "%s.json", svc);
    text = h_fmt("{\"service\":{\"name\":\"%s\",\"service_account\":\"%s\","
                 "\"service_account_secret\":\"%s/secret\",\"security\":"
                 "{\"transport_encryption\":{\"enabled\":true}}},"
                 "\"elasticsearch\":{\"xpack_enabled\":true}}", svc, svc,
                 svc);
    path = h_write_file(g_dir, name, text);
    free(text);
    return path;
}

/*
 * etls is held back before its install (the group add, its last write
 * before the install, is delayed); meanwhile someone installs the service
 * without TLS.  The install's 409 is checked: other
 * options, so the action fails instead of adopting it; the next run
 * updates the service to TLS.
 */
static void test_install_409_other_options(void **state)
{
    char *file = doc("racer");
    struct e_proc p;
    struct e_run r;
    int i;

    (void)state;
    e_fault(&g_sim, "{\"method\":\"PUT\",\"path\":\"/acs/api/v1/groups/"
                    "superusers/users/racer\",\"delay_ms\":3000,"
                    "\"count\":1}");
    e_log_clear(&g_sim);
    p = e_spawn(&g_sim, "apply", file, "--auto-approve", (char *)NULL);
    /* The account is written: etls now waits on its delayed group add. */
    for (i = 0; i < 1000 && e_log_count(&g_sim, "PUT",
                                        "/acs/api/v1/users/racer") == 0;
         i++)
        h_sleep_ms(10);
    h_install(&g_sim, "{\"service\":{\"name\":\"racer\"}}");
    r = e_wait(&p);
    e_expect_rc(&r, 1);
    e_expect_out(&r, "service racer was installed concurrently with other "
                     "options");
    e_expect_not_out(&r, "adopting it");
    e_run_free(&r);

    assert_true(e_wait_deployed(&g_sim, "racer"));
    r = e_etls(&g_sim, "apply", file, "--auto-approve", (char *)NULL);
    e_expect_apply_ok(&r, "racer");
    e_expect_out(&r, "transport encryption turns on");
    e_run_free(&r);
    e_assert_converged(&g_sim, "racer", "racer", "racer/secret", 1, 1);
    free(file);
}

/* A 409 on the group add while the account is not a member fails. */
static void test_group_409_not_member(void **state)
{
    char *file = doc("grouped");
    struct e_run r;

    (void)state;
    e_fault(&g_sim, "{\"method\":\"PUT\",\"path\":\"/acs/api/v1/groups/"
                    "superusers/users/grouped\",\"status\":409,"
                    "\"count\":1}");
    r = e_etls(&g_sim, "apply", file, "--auto-approve", (char *)NULL);
    e_expect_rc(&r, 1);
    e_expect_out(&r, "IAM answered 409 (already a member) but grouped is "
                     "not a member of group superusers");
    e_run_free(&r);
    /* Nothing was adopted: the next run adds the membership for real. */
    r = e_etls(&g_sim, "apply", file, "--auto-approve", (char *)NULL);
    e_expect_apply_ok(&r, "grouped");
    e_run_free(&r);
    assert_true(e_in_group(&g_sim, "superusers", "grouped"));
    free(file);
}

/* A 409 on a grant that IAM does not allow fails. */
static void test_grant_409_not_allowed(void **state)
{
    char *file = e_data("least-privilege.json");
    struct e_run r;

    (void)state;
    e_fault(&g_sim, "{\"method\":\"PUT\",\"path\":\"/acs/api/v1/acls/"
                    "dcos:adminrouter:ops:ca:rw/users/search/full\","
                    "\"status\":409,\"count\":1}");
    r = e_etls(&g_sim, "apply", file, "--auto-approve", (char *)NULL);
    e_expect_rc(&r, 1);
    e_expect_out(&r, "IAM accepted the grant but does not allow search full "
                     "on dcos:adminrouter:ops:ca:rw");
    e_run_free(&r);
    r = e_etls(&g_sim, "apply", file, "--auto-approve", (char *)NULL);
    e_expect_apply_ok(&r, "search");
    e_run_free(&r);
    assert_true(e_allowed(&g_sim, "search", "dcos:adminrouter:ops:ca:rw",
                          "full"));
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_install_409_other_options),
        cmocka_unit_test(test_group_409_not_member),
        cmocka_unit_test(test_grant_409_not_allowed),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
