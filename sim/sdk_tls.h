#ifndef ETLS_SIM_SDK_TLS_H
#define ETLS_SIM_SDK_TLS_H

/*
 * dcos-sim SDK TLS prerequisites (sim/sdk_tls.c), as the scheduler's
 * TLSEvaluationStage checks them before a TLS task launches.  Lock held.
 */

struct sim;
struct sdk_service;
struct sdk_task;

/*
 * Why the scheduler cannot log in with the service-account secret it read
 * at its start (the secret, its account, the key): a static string, or
 * NULL when it can; then the account's uid is in svc->tls_uid.
 */
const char *sdk_tls_login_reason(struct sim *s, struct sdk_service *svc);

/*
 * Why the scheduler cannot obtain TLS artifacts for @t (TLSEvaluationStage:
 * log in, CA, secret store), a static string, or NULL when it can.  The
 * account check is done once per tick (@now).
 */
const char *sdk_tls_block_reason(struct sim *s, struct sdk_service *svc,
                                 const struct sdk_task *t, double now);

#endif
