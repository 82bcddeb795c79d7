/* The registry of executors (exec/registry.h). */
#include "controller/exec/registry.h"

#include "controller/exec/access.h"
#include "controller/exec/account.h"
#include "controller/exec/package.h"
#include "controller/exec/rollout.h"
#include "controller/exec/secret.h"
#include "controller/exec/verify.h"

const struct executor_ops *const executors[] = {
    &executor_account_create,
    &executor_account_replace,
    &executor_secret_create,
    &executor_secret_update,
    &executor_group_add,
    &executor_permission_grant,
    &executor_package_install,
    &executor_package_update,
    &executor_scheduler_restart,
    &executor_rollout_wait,
    &executor_strategy_restore,
    &executor_https_verify,
};

const size_t executors_count = sizeof(executors) / sizeof(executors[0]);

const struct executor_ops *executor_find(enum model_op op)
{
    size_t i;

    for (i = 0; i < executors_count; i++)
        if (executors[i]->op == op)
            return executors[i]->version == EXECUTOR_OPS_VERSION
                       ? executors[i] : NULL;
    return NULL;
}
