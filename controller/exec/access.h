#ifndef ETLS_CONTROLLER_EXEC_ACCESS_H
#define ETLS_CONTROLLER_EXEC_ACCESS_H

#include "controller/executor.h"

/* Account access: group membership, explicit permission grants. */
extern const struct executor_ops executor_group_add;
extern const struct executor_ops executor_permission_grant;

#endif
