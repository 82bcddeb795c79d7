#ifndef ETLS_SIM_CONTROL_H
#define ETLS_SIM_CONTROL_H

/*
 * dcos-sim control API (sim/control.c): /sim/v1/faults, /sim/v1/requests,
 * /sim/v1/services/<service>/nodes/<task>/<op> and /sim/v1/state, with the
 * control token of cluster.json.  Not part of DC/OS.
 */

struct sim_module;

/* The module: routes only, no hooks. */
extern const struct sim_module sim_control_module;

#endif
