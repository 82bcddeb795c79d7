#ifndef ETLS_CONTROLLER_EXEC_ROLLOUT_H
#define ETLS_CONTROLLER_EXEC_ROLLOUT_H

#include "controller/executor.h"

/*
 * Rollout: wait for the SDK deploy plan (after making sure a change was
 * picked up), and restore update_strategy then wait the same way.
 */
extern const struct executor_ops executor_rollout_wait;
extern const struct executor_ops executor_strategy_restore;

#endif
