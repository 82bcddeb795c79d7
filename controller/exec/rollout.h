#ifndef ETLS_CONTROLLER_EXEC_ROLLOUT_H
#define ETLS_CONTROLLER_EXEC_ROLLOUT_H

#include "controller/executor.h"

/*
 * Rollout: wait for the SDK deploy plan (after making sure a change was
 * picked up), and restore update_strategy then wait the same way.
 */
extern const struct executor_ops executor_rollout_wait;
extern const struct executor_ops executor_strategy_restore;

/* The adaptive poll schedule of a rollout wait, seconds. */
#define ROLLOUT_POLL_FIRST 0.05 /* after a pick-up or a change */
#define ROLLOUT_POLL_FACTOR 2.0 /* growth while nothing changes */
#define ROLLOUT_POLL_MAX 2.0    /* cap of the interval */

/*
 * The interval before the next poll of a rollout wait, given the previous
 * one @prev (<= 0: none yet) and whether the last answer @changed what the
 * wait shows (the plan's status or step progress, the scheduler's state):
 * ROLLOUT_POLL_FIRST first and after a change, otherwise @prev times
 * ROLLOUT_POLL_FACTOR, at most ROLLOUT_POLL_MAX.  Pure.
 */
double rollout_poll_next(double prev, bool changed);

#endif
