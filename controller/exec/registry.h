#ifndef ETLS_CONTROLLER_EXEC_REGISTRY_H
#define ETLS_CONTROLLER_EXEC_REGISTRY_H

#include <stddef.h>

#include "controller/executor.h"

/*
 * The registry of executors, one per op, mirroring
 * reconcilers/registry.c.  The scheduler looks an action's executor up by
 * its op and knows no resource itself.
 */
extern const struct executor_ops *const executors[];
extern const size_t executors_count;

/*
 * The executor of @op, or NULL when there is none (MODEL_OP_FAIL) or its
 * ops table has another EXECUTOR_OPS_VERSION.
 */
const struct executor_ops *executor_find(enum model_op op);

#endif
