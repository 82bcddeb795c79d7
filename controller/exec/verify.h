#ifndef ETLS_CONTROLLER_EXEC_VERIFY_H
#define ETLS_CONTROLLER_EXEC_VERIFY_H

#include "controller/executor.h"

/*
 * The HTTPS check: the service answers only over HTTPS with a certificate
 * of the cluster CA for its endpoint's name (or, with TLS off, only over
 * plain HTTP), with at least the required cluster health.
 */
extern const struct executor_ops executor_https_verify;

#endif
