#ifndef ETLS_SIM_METADATA_H
#define ETLS_SIM_METADATA_H

/*
 * dcos-sim core endpoints (sim/metadata.c): GET
 * /dcos-metadata/dcos-version.json, GET /ca/dcos-ca.crt, POST
 * /ca/api/v2/info and GET /metadata.
 */

struct sim_module;

/* The module: routes only, no hooks. */
extern const struct sim_module sim_metadata_module;

#endif
