/*
 * Unit tests of the executor registry (controller/exec/registry.c): every
 * op the reconcilers can plan, except FAIL, has exactly one executor, of
 * the current ops version, registered under its own op.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "controller/exec/registry.h"

static const enum model_op ops[] = {
    MODEL_OP_ACCOUNT_CREATE,   MODEL_OP_ACCOUNT_REPLACE,
    MODEL_OP_SECRET_CREATE,    MODEL_OP_SECRET_UPDATE,
    MODEL_OP_GROUP_ADD,        MODEL_OP_PERMISSION_GRANT,
    MODEL_OP_PACKAGE_INSTALL,  MODEL_OP_PACKAGE_UPDATE,
    MODEL_OP_SCHEDULER_RESTART, MODEL_OP_ROLLOUT_WAIT,
    MODEL_OP_STRATEGY_RESTORE, MODEL_OP_HTTPS_VERIFY,
};
#define N_OPS (sizeof(ops) / sizeof(ops[0]))

static void test_every_op_has_one_executor(void **state)
{
    size_t i, k, found;

    (void)state;
    assert_int_equal(executors_count, N_OPS);
    for (i = 0; i < N_OPS; i++) {
        const struct executor_ops *x = executor_find(ops[i]);

        assert_non_null(x);
        assert_int_equal(x->op, ops[i]);
        assert_int_equal(x->version, EXECUTOR_OPS_VERSION);
        assert_non_null(x->start);
        for (k = 0, found = 0; k < executors_count; k++)
            found += executors[k]->op == ops[i];
        assert_int_equal(found, 1);
    }
}

static void test_fail_has_no_executor(void **state)
{
    (void)state;
    assert_null(executor_find(MODEL_OP_FAIL));
    assert_null(executor_find((enum model_op)0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_op_has_one_executor),
        cmocka_unit_test(test_fail_has_no_executor),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
