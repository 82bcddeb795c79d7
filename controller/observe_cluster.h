#ifndef ETLS_CONTROLLER_OBSERVE_CLUSTER_H
#define ETLS_CONTROLLER_OBSERVE_CLUSTER_H

#include "common/err.h"

struct dcos_client;

/* Cluster-wide facts, read once per run (the CA once per engine). */
struct observe_cluster {
    char *ca_pem;        /* GET /ca/dcos-ca.crt (new), NULL until read */
    char *dcos_version;  /* GET /dcos-metadata/dcos-version.json, or NULL */
};

/* Free what @cl holds and zero it. */
void observe_cluster_clear(struct observe_cluster *cl);

/*
 * The cluster-wide reads of an observation (observe.c), once per run:
 * the DC/OS version, and the CA while the engine does not know it.
 */
struct cluster_obs {
    struct observe_cluster *cl; /* where the answers go */
    struct err_info err;        /* the first failure */
};

/* Submit the reads into @c->cl.  0 or a negative err. */
int observe_cluster_submit(struct cluster_obs *c, struct dcos_client *client);

#endif
