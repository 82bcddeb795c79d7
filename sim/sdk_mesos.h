#ifndef ETLS_SIM_SDK_MESOS_H
#define ETLS_SIM_SDK_MESOS_H

#include <jansson.h>

/*
 * dcos-sim SDK services as Mesos sees them (sim/sdk_mesos.c): their
 * frameworks, the resources their tasks use and reserve on the one
 * simulated agent, and their task counts, for the master's state-summary
 * (sim_sdk_mesos_state() in sim/sdk.h).  Lock held.
 */

struct sim;

/* See sim_sdk_mesos_state() (sim/sdk.h).  New object or NULL. */
json_t *sdk_mesos_state(struct sim *s);

#endif
