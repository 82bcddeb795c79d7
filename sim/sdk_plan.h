#ifndef ETLS_SIM_SDK_PLAN_H
#define ETLS_SIM_SDK_PLAN_H

/*
 * dcos-sim SDK plans (sim/sdk_plan.c): the deploy (or update) plan and the
 * recovery plan of a service, their statuses (elastic-sdk.md 3.3), and
 * their steps advancing with the strategy.  Lock held.
 */

#include <stddef.h>

struct sim;
struct sdk_phase;
struct sdk_plan;
struct sdk_service;

/* Name of phase @ph of @plan ("master-update", "default"). New string. */
char *sdk_phase_name(const struct sdk_plan *plan,
                     const struct sdk_phase *ph);

/*
 * Aggregate status of a parent element (ParentElement.getStatus, see
 * elastic-sdk.md 3.3) from its @n children's statuses @st, @cand marking
 * the children its strategy would schedule now.  Returns an enum
 * sdk_status.
 */
int sdk_status_aggregate(const int *st, const int *cand, size_t n,
                         int interrupted, int errors);

/* Mark in @cand (@n entries) the children of statuses @st a serial or a
 * parallel strategy schedules now. */
void sdk_strategy_candidates(const int *st, size_t n, int serial, int *cand);

/*
 * Status of @plan (§3.3 aggregation) and of its phase @ph.  Returns an
 * enum sdk_status.
 */
int sdk_plan_status(const struct sdk_plan *plan);
int sdk_phase_status(const struct sdk_plan *plan,
                     const struct sdk_phase *ph);

/* Append a step for pod instance (@pod, @index) with @status to @ph.
 * Returns 0 or ERR_NOMEM. */
int sdk_phase_add_step(struct sdk_phase *ph, int pod, int index,
                       int status, double now);

/*
 * Build the deploy plan (@update: from the "update" template, phases
 * *-update and update_strategy; else *-deploy and deploy_strategy) of
 * @svc against its target configuration into @p (cleared first).
 * Returns 0 or ERR_NOMEM.
 */
int sdk_plan_build(struct sdk_service *svc, struct sdk_plan *p,
                   int update, double now);

/* The "update" plan the scheduler keeps interrupted before the first
 * completed deployment (phases *-update), built on the fly into @out;
 * release it with sdk_plan_clear(). */
int sdk_plan_build_update(struct sdk_service *svc, struct sdk_plan *out);

/* Make @p an empty recovery plan (one phase "default", serial). */
void sdk_recovery_init(struct sdk_plan *p);

/* Advance the steps of @p that its strategy schedules at @now. */
void sdk_plan_advance(struct sim *s, struct sdk_service *svc,
                      struct sdk_plan *p, double now);

/* Drop completed recovery steps (before a new recovery starts). */
void sdk_recovery_prune(struct sdk_plan *p);

/* Tasks killed out of band get a recovery step when it is time. */
void sdk_recovery_schedule(struct sdk_service *svc, double now);

/* Restart pod instance @pod_instance ("master-0") in place (recovery).
 * Returns 0 or ERR_NOTFOUND. */
int sdk_pod_restart(struct sim *s, struct sdk_service *svc,
                    const char *pod_instance);

#endif
