#ifndef ETLS_SIM_SDK_H
#define ETLS_SIM_SDK_H

#include <jansson.h>

/*
 * dcos-sim SDK schedulers (sim/sdk.c): one dcos-commons scheduler per
 * installed service, driven by Cosmos (install, update, uninstall) and by
 * the control API (node operations).  See docs/sim.md "SDK schedulers".
 */

struct sim;
struct sim_module;

/* Create the scheduler of a newly installed service.  Returns 0,
 * ERR_CONFLICT (exists), ERR_INVALID, ERR_NOTFOUND (no such package
 * version) or ERR_NOMEM. */
int sim_sdk_install(struct sim *s, const char *name, const char *pkg_name,
                    const char *pkg_version, const json_t *resolved);

/* Apply new resolved options to a running service (scheduler restart,
 * then the update plan).  Returns 0, ERR_NOTFOUND, ERR_INVALID or
 * ERR_CONFLICT (a Marathon deployment is in progress). */
int sim_sdk_update(struct sim *s, const char *name, const char *pkg_version,
                   const json_t *resolved);

/* Remove a service and its nodes.  Returns 0 or ERR_NOTFOUND. */
int sim_sdk_uninstall(struct sim *s, const char *name);

/* 1 when a service named @name exists. */
int sim_sdk_exists(struct sim *s, const char *name);

/*
 * Node operation from the control API: @op is "kill" (the task dies;
 * the scheduler relaunches it after a while, as Mesos would) or "restart"
 * (in place).  @task is a task name such as "master-0-node".  Returns 0,
 * ERR_NOTFOUND or ERR_INVALID.
 */
int sim_sdk_node_op(struct sim *s, const char *service, const char *task,
                    const char *op);

/* The module: the scheduler API routes and the hooks that load, advance
 * and save the services. */
extern const struct sim_module sim_sdk_module;

#endif
