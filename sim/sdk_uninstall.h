#ifndef ETLS_SIM_SDK_UNINSTALL_H
#define ETLS_SIM_SDK_UNINSTALL_H

#include <stddef.h>

#include <jansson.h>

/*
 * dcos-sim SDK uninstall (sim/sdk_uninstall.c): the uninstall scheduler a
 * service's scheduler becomes when Cosmos restarts it with SDK_UNINSTALL
 * (dcos-cli-and-cluster.md 4): its plan, served as "deploy" (phases
 * kill-tasks, unreserve-resources-<host>, tls-cleanup, deregister-service;
 * UninstallPlanFactory), the TLS cleanup in the secret store, and the few
 * API routes it serves.  Lock held.
 */

struct sim;
struct sim_req;
struct sim_resp;
struct sdk_service;
struct sdk_uninstall;

/*
 * The uninstall scheduler of @svc starts at @now: it builds its plan from
 * the tasks it knows (kept when it already has one, whose failed steps
 * start over).  Returns 0 or ERR_NOMEM.
 */
int sdk_uninstall_build(struct sdk_service *svc, double now);

/* Advance the uninstall plan of @svc at @now (lock held). */
void sdk_uninstall_advance(struct sim *s, struct sdk_service *svc,
                           double now);

/* Status of the uninstall plan of @svc (an enum sdk_status). */
int sdk_uninstall_status(const struct sdk_service *svc);

/*
 * The API of the uninstall scheduler of @svc, resource @res ("plans",
 * "health", ...) with the @m segments @rest after it: GET plans,
 * plans/deploy and health; everything else is 404.
 */
void sdk_uninstall_api(const struct sim_req *req, struct sim_resp *r,
                       const struct sdk_service *svc, const char *res,
                       char **rest, size_t m);

/* The plan @u as state.json keeps it (new) or NULL. */
json_t *sdk_uninstall_to_json(const struct sdk_uninstall *u);

/* Read @j (from sdk_uninstall_to_json, or NULL for none) into @u (empty).
 * Returns 0, ERR_INVALID or ERR_NOMEM; @u is then empty again. */
int sdk_uninstall_from_json(struct sdk_uninstall *u, const json_t *j);

#endif
