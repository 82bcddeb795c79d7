#ifndef ETLS_CONTROLLER_EXEC_PACKAGE_H
#define ETLS_CONTROLLER_EXEC_PACKAGE_H

#include "controller/executor.h"

/* Package: Cosmos install and update, restart of the scheduler app. */
extern const struct executor_ops executor_package_install;
extern const struct executor_ops executor_package_update;
extern const struct executor_ops executor_scheduler_restart;

/* Delay between the executor's own retries of a busy app, seconds. */
#define EXEC_BUSY_DELAY 2.0

#endif
