#ifndef ETLS_CONTROLLER_EXEC_SECRET_H
#define ETLS_CONTROLLER_EXEC_SECRET_H

#include "controller/executor.h"

/* Service-account secret: PUT (409: PATCH) or PATCH (404: PUT). */
extern const struct executor_ops executor_secret_create;
extern const struct executor_ops executor_secret_update;

#endif
