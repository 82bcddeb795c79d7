#ifndef ETLS_SIM_SDK_TASK_H
#define ETLS_SIM_SDK_TASK_H

/*
 * dcos-sim SDK tasks (sim/sdk_task.c), the Mesos side of a pod instance:
 * launch, kill, STAGING to RUNNING, readiness and the cluster health its
 * node reports, and the data-plane node (sim/node.h) of master-0 and
 * coordinator-0 with its TLS artifacts, on the one data plane.  Lock held.
 */

struct sim;
struct sdk_service;
struct sdk_task;

/* 1 when @t runs a real listener (master-0 and coordinator-0). */
int sdk_task_has_listener(const struct sdk_task *t);

/* 1 when the readiness check of @t passes (running, master quorum). */
int sdk_task_ready(const struct sdk_service *svc, const struct sdk_task *t);

/* Push the cluster health @t sees to its listener when it changed. */
void sdk_task_push_health(const struct sdk_service *svc,
                          struct sdk_task *t);

/*
 * Secret-store path prefix of @t's TLS artifacts (TLSArtifact naming):
 * "<svc>/<sha1(SANs)>__<task>__node" (new), or NULL.
 */
char *sdk_task_artifact_base(const struct sdk_service *svc,
                             const struct sdk_task *t);

/*
 * Start the data plane (sim/node.h) every node is served by, on the ports
 * of the state's "dataplane" section when they can be bound again (a new
 * cluster, or a port taken meanwhile: ephemeral ports, stored there).
 * Returns 0 or a negative enum err.
 */
int sdk_task_plane_start(struct sim *s);

/* Stop the data plane; every node must be stopped first. */
void sdk_task_plane_stop(void);

/*
 * Start the data-plane node of running task @t on the plane, answering to
 * its autoip and VIP names, with the TLS artifacts of the secret store, or
 * new ones from the CA, when @t runs TLS; t->port becomes the plane's port
 * of its scheme.  Returns 0 or a negative enum err.
 */
int sdk_task_node_start(struct sim *s, const struct sdk_service *svc,
                        struct sdk_task *t);

/* Kill @t if it is alive (the listener stops). */
void sdk_task_kill(struct sdk_task *t, double now);

/* Launch a new task for @t's pod instance running configuration @cfg
 * (STAGING).  Returns 0 or ERR_NOMEM. */
int sdk_task_launch(const struct sdk_service *svc, struct sdk_task *t,
                    const char *cfg, double now);

/* Mesos side: a staging task starts running, or fails to start. */
void sdk_task_tick(struct sim *s, struct sdk_service *svc,
                   struct sdk_task *t, double now);

#endif
