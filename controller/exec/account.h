#ifndef ETLS_CONTROLLER_EXEC_ACCOUNT_H
#define ETLS_CONTROLLER_EXEC_ACCOUNT_H

#include "controller/executor.h"

/* Service account: PUT (409: compare and adopt), replace = DELETE + PUT. */
extern const struct executor_ops executor_account_create;
extern const struct executor_ops executor_account_replace;

#endif
