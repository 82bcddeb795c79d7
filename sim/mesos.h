#ifndef ETLS_SIM_MESOS_H
#define ETLS_SIM_MESOS_H

/*
 * dcos-sim connectivity endpoints (sim/mesos.c): what a client asks a
 * cluster first, behind Admin Router's token check
 * (dcos-cli-and-cluster.md 3): the UI index (GET /), the Mesos master's
 * state-summary, Mesos-DNS host records and dcos-diagnostics' node list.
 */

struct sim_module;

/* The module: routes only, no hooks. */
extern const struct sim_module sim_mesos_module;

#endif
