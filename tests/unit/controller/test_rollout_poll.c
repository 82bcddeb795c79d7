/*
 * Unit tests of the adaptive poll schedule of a rollout wait
 * (rollout_poll_next, controller/exec/rollout.c): short first, doubling
 * while nothing changes, capped, short again after a change; never the
 * old fixed interval.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "controller/exec/rollout.h"

#define EPS 1e-9

/* The first poll after a pick-up comes soon. */
static void test_first_interval_is_short(void **state)
{
    (void)state;
    assert_true(ROLLOUT_POLL_FIRST <= 0.05 + EPS);
    assert_float_equal(rollout_poll_next(0, false), ROLLOUT_POLL_FIRST, EPS);
    assert_float_equal(rollout_poll_next(0, true), ROLLOUT_POLL_FIRST, EPS);
    assert_float_equal(rollout_poll_next(-1, false), ROLLOUT_POLL_FIRST,
                       EPS);
}

/* A run of "no change": 0.05 0.1 0.2 0.4 0.8 1.6 2 2 ... */
static void test_backoff_while_nothing_changes(void **state)
{
    static const double want[] = {0.05, 0.1, 0.2, 0.4, 0.8,
                                  1.6,  2.0, 2.0, 2.0};
    double iv = 0;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        iv = rollout_poll_next(iv, false);
        assert_float_equal(iv, want[i], EPS);
    }
    /* Bounded however long nothing changes. */
    for (i = 0; i < 1000; i++)
        iv = rollout_poll_next(iv, false);
    assert_float_equal(iv, ROLLOUT_POLL_MAX, EPS);
}

/* A change resets the schedule, wherever it was. */
static void test_change_resets(void **state)
{
    double iv = 0;
    int i;

    (void)state;
    for (i = 0; i < 5; i++)
        iv = rollout_poll_next(iv, false);
    assert_float_equal(iv, 0.8, EPS);
    iv = rollout_poll_next(iv, true);
    assert_float_equal(iv, ROLLOUT_POLL_FIRST, EPS);
    iv = rollout_poll_next(iv, false);
    assert_float_equal(iv, 2 * ROLLOUT_POLL_FIRST, EPS);
    iv = rollout_poll_next(ROLLOUT_POLL_MAX, true);
    assert_float_equal(iv, ROLLOUT_POLL_FIRST, EPS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_interval_is_short),
        cmocka_unit_test(test_backoff_while_nothing_changes),
        cmocka_unit_test(test_change_resets),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
