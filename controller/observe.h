#ifndef ETLS_CONTROLLER_OBSERVE_H
#define ETLS_CONTROLLER_OBSERVE_H

#include "common/err.h"
#include "model/desired.h"
#include "model/observed.h"

/*
 * Observation: what the cluster holds for each desired service, read
 * through dcos/ (read-only requests only) into model_observed.
 */
struct dcos_client;

/* Cluster-wide facts, read once per run (the CA once per engine). */
struct observe_cluster {
    char *ca_pem;        /* GET /ca/dcos-ca.crt (new), NULL until read */
    char *dcos_version;  /* GET /dcos-metadata/dcos-version.json, or NULL */
};

/*
 * Observe every service of @d into @out (d->n_services entries, each
 * initialised here; free them with model_observed_clear whatever the
 * result): all reads of one service at once, services concurrently,
 * bounded by @request_timeout.  Also reads the cluster facts into @cl (the
 * CA only when @cl->ca_pem is NULL).  Returns 0, or a negative enum err
 * with @e naming the service and the read that failed.
 */
int observe_run(struct dcos_client *client, double request_timeout,
                const struct model_desired *d, struct observe_cluster *cl,
                struct model_observed *out, struct err_info *e);

/* Free what @cl holds and zero it. */
void observe_cluster_clear(struct observe_cluster *cl);

#endif
