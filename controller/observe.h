#ifndef ETLS_CONTROLLER_OBSERVE_H
#define ETLS_CONTROLLER_OBSERVE_H

#include <stdbool.h>

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

/* One observation in flight (observe_submit .. observe_collect). */
struct observe_run;

/*
 * Submit the reads of every service of @d into @out (d->n_services
 * entries, each initialised here; free them with model_observed_clear
 * whatever the result): all reads of one service at once, services
 * concurrently, follow-up reads as answers arrive; also the cluster facts
 * into @cl (the CA only when @cl->ca_pem is NULL).  @d, @cl and @out must
 * outlive the run.  Then let the client's loop run until nothing is
 * pending (or a deadline) and call observe_collect.  Returns 0 and sets
 * *@run (new), or ERR_NOMEM before anything was submitted.  @lean: keep
 * of each service's options only what planning reads
 * (reconcilers_options_needed), not what a saved plan's fingerprint
 * covers (the user's options, every resolved one).
 */
int observe_submit(struct observe_run **run, struct dcos_client *client,
                   const struct model_desired *d, struct observe_cluster *cl,
                   struct model_observed *out, bool lean,
                   struct err_info *e);

/*
 * End @run (freed here): reads still out are cancelled (@timed_out: the
 * deadline passed).  Returns 0, or a negative enum err with @e naming the
 * service and the read that failed.  The catalog, the plan-time HTTPS
 * check and the preflight are later waves (observe_catalog.h,
 * https_probe.h, preflight.h).
 */
int observe_collect(struct observe_run *run, bool timed_out,
                    struct err_info *e);

/* Free what @cl holds and zero it. */
void observe_cluster_clear(struct observe_cluster *cl);

#endif
