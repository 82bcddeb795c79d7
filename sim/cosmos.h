#ifndef ETLS_SIM_COSMOS_H
#define ETLS_SIM_COSMOS_H

/*
 * dcos-sim Cosmos (sim/cosmos.c): the package manager under /package and
 * /cosmos/service, serving the catalog of --catalog.
 */

struct sim_module;

/* The module: its routes, and the catalog loaded at start and freed at
 * stop. */
extern const struct sim_module sim_cosmos_module;

#endif
