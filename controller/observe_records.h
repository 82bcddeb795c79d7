#ifndef ETLS_CONTROLLER_OBSERVE_RECORDS_H
#define ETLS_CONTROLLER_OBSERVE_RECORDS_H

#include "common/err.h"
#include "common/sa_secret.h"
#include "dcos/result.h"
#include "model/observed.h"
#include "model/service.h"

/*
 * Observation of what etls keeps about a service and of secrets beside
 * the desired one: the pending-restart record, the lease another etls may
 * hold, and the secret the running service uses when the document names
 * another (a key to copy).  Read-only; part of observe.c's run.
 */
struct dcos_client;
struct observe_records;

/*
 * What a secret read says about a service-account secret: presence,
 * verdict and the public key of a usable private key (new strings in
 * *@uid and *@pub).  Returns 0, or a negative enum err for a read that
 * failed (then nothing is set).
 */
int observe_secret_answer(const struct dcos_result *r, const char *account,
                          enum model_presence *presence,
                          enum sa_verdict *verdict, char **uid, char **pub);

/*
 * Submit the reads of etls's records for service @s into @m; the first
 * fatal error goes to @err (observe_err).  Sets *@out (free with
 * observe_records_free once the loop ran dry).  0 or a negative err.
 */
int observe_records_submit(struct observe_records **out,
                           struct dcos_client *c,
                           const struct model_service *s,
                           struct model_observed *m, struct err_info *err);

/*
 * Once the service is described (@m->resolved_options): when the running
 * service uses another service-account secret than the desired one, read
 * that one too (model_observed.old_secret*).  0 or a negative err.
 */
int observe_records_old_secret(struct observe_records *rec);

/* Free; accepts NULL. */
void observe_records_free(struct observe_records *rec);

#endif
