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

/*
 * Create the scheduler of a newly installed service, its Marathon app
 * carrying the labels @labels (the ones Cosmos writes, copied; NULL = only
 * the template's).  Returns 0, ERR_CONFLICT (exists), ERR_INVALID,
 * ERR_NOTFOUND (no such package version) or ERR_NOMEM.
 */
int sim_sdk_install(struct sim *s, const char *name, const char *pkg_name,
                    const char *pkg_version, const json_t *resolved,
                    const json_t *labels);

/*
 * Apply new resolved options (and Cosmos's new @labels, copied, when not
 * NULL) to a running service: the app is replaced (SDK_UNINSTALL, if it
 * was set, is gone), the scheduler restarts, then the update plan.
 * Returns 0, ERR_NOTFOUND, ERR_INVALID or ERR_CONFLICT (a Marathon
 * deployment is in progress: sim_sdk_deployment() names it).
 */
int sim_sdk_update(struct sim *s, const char *name, const char *pkg_version,
                   const json_t *resolved, const json_t *labels);

/*
 * Start the uninstall of service @name as Cosmos does: its app gets
 * SDK_UNINSTALL (a forced update, so a new deployment) and the scheduler
 * restarts as the uninstall scheduler, whose "deploy" plan is the
 * uninstall plan.  The app stays until Cosmos deletes it
 * (marathon_app_delete) once sim_sdk_uninstalled().  Asking again while
 * SDK_UNINSTALL is set changes nothing.  Returns 0 or ERR_NOTFOUND.
 */
int sim_sdk_uninstall(struct sim *s, const char *name);

/*
 * 1 when Cosmos's uninstall janitor may delete the app of @name: no
 * Marathon deployment, SDK_UNINSTALL in the app, and the uninstall
 * scheduler's deploy plan COMPLETE (HTTP 200).
 */
int sim_sdk_uninstalled(struct sim *s, const char *name);

/* 1 when a service named @name exists. */
int sim_sdk_exists(struct sim *s, const char *name);

/* How many services have been removed since the start: when it has not
 * changed, every service seen earlier still exists. */
unsigned long sim_sdk_removals(void);

/* Id of the Marathon deployment of @name's app in progress (borrowed,
 * valid until the next change of the service), or NULL. */
const char *sim_sdk_deployment(struct sim *s, const char *name);

/*
 * Mesos's view of the SDK services for the master's state-summary (new
 * object, NULL when out of memory):
 *   "frameworks": one state-summary framework object per registered
 *                 scheduler,
 *   "used", "reserved": the agent's resources in use by live tasks, and
 *                 the reservations by role,
 *   "tasks":      counts of tasks by Mesos state (TASK_RUNNING, ...),
 *   "schedulers": {"running": n, "staging": m} Marathon tasks.
 */
json_t *sim_sdk_mesos_state(struct sim *s);

/*
 * What the scheduler of @service holds now, for tests (control API):
 * {"service","scheduler_up":bool,"credential_sha256": hex of the
 * SHA-256 of the service-account secret value it read at its last start,
 * or null}.  New reference, NULL for an unknown service or on ENOMEM.
 */
json_t *sim_sdk_scheduler_info(const char *service);

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
