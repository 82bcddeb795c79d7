/*
 * etls under valgrind memcheck: validate (good and bad input), plan and
 * apply against a private dcos-sim, then a plan of the converged cluster.
 * Each run must exit as expected with no memory error and no definite or
 * indirect leak (valgrind's --error-exitcode).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness/h_cluster.h"
#include "harness/harness.h"

#define VG_FAIL 99

static struct h_sim g_sim;

static int vg_etls(const char *const *args, char **out)
{
    const char *argv[32];
    char *err = NULL;
    size_t n = 0, i;
    int rc;

    argv[n++] = VALGRIND_BIN;
    argv[n++] = "--quiet";
    argv[n++] = "--error-exitcode=99";
    argv[n++] = "--leak-check=full";
    argv[n++] = "--errors-for-leak-kinds=definite,indirect";
    argv[n++] = ETLS_BIN_DIR "/etls";
    for (i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    rc = h_run(argv, NULL, out, &err);
    if (rc == VG_FAIL)
        fprintf(stderr, "valgrind reported errors:\n%s\n", err);
    free(err);
    return rc;
}

static int setup(void **state)
{
    (void)state;
    h_sim_start_speed(&g_sim, NULL, "50");
    return 0;
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

static void test_validate(void **state)
{
    const char *good[] = {"validate", "-f",
                          ETLS_SOURCE_DIR "/manifests/elastic-tls.json",
                          NULL};
    const char *bad[] = {"validate", "-f",
                         ETLS_SOURCE_DIR "/tests/data/model/invalid", NULL};
    char *out = NULL;

    (void)state;
    assert_int_equal(vg_etls(good, &out), 0);
    free(out);
    assert_int_equal(vg_etls(bad, &out), 1);
    free(out);
}

static void test_apply_then_plan(void **state)
{
    const char *apply[] = {"apply", "--sim", g_sim.dir, "--no-color",
                           "--auto-approve", "-f",
                           ETLS_SOURCE_DIR "/manifests/elastic-tls.json",
                           NULL};
    const char *plan[] = {"plan", "--sim", g_sim.dir, "--detailed-exitcode",
                          "-o", "json", "-f",
                          ETLS_SOURCE_DIR "/manifests/elastic-tls.json",
                          NULL};
    char *out = NULL;

    (void)state;
    assert_int_equal(vg_etls(apply, &out), 0);
    assert_non_null(strstr(out, "Apply complete!"));
    assert_non_null(strstr(out, "Verified service elastic over HTTPS"));
    free(out);
    assert_int_equal(vg_etls(plan, &out), 0);
    assert_non_null(strstr(out, "\"changes_pending\": false"));
    free(out);
}

static void test_unreachable(void **state)
{
    const char *plan[] = {"plan", "--cluster", "https://127.0.0.1:1",
                          "--ca-cert", g_sim.ca_cert, "-f",
                          ETLS_SOURCE_DIR "/manifests/elastic-tls.json",
                          NULL};
    char *out = NULL;

    (void)state;
    /* No credentials: the first read fails; exit 1, nothing leaked. */
    assert_int_equal(vg_etls(plan, &out), 1);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_apply_then_plan),
        cmocka_unit_test(test_unreachable),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
