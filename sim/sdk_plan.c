/*
 * dcos-sim SDK plans: the deploy (or update) plan and the recovery plan of
 * a service, their status as dcos-commons aggregates it (elastic-sdk.md
 * 3.3), and how the steps advance with the strategy.  See sdk_plan.h.
 */
#include "sim/sdk_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
#include "common/log.h"
#include "sim/sdk_model.h"
#include "sim/sdk_task.h"
#include "sim/sdk_tls.h"
#include "sim/state.h"

/* See sdk_plan.h. */
char *sdk_phase_name(const struct sdk_plan *plan, const struct sdk_phase *ph)
{
    if (plan->recovery)
        return strdup("default");
    return sdk_printf("%s-%s", sdk_pod_name(ph->pod),
                      plan->update ? "update" : "deploy");
}

/* See sdk_plan.h. */
int sdk_status_aggregate(const int *st, const int *cand, size_t n,
                         int interrupted, int errors)
{
    int any_err = 0, all_complete = 1, any_prepared = 0, any_complete = 0,
        any_waiting = 0, c_waiting = 0, c_inprog = 0, c_pending = 0,
        c_starting = 0, c_started = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        any_err |= st[i] == SDK_ERROR;
        all_complete &= st[i] == SDK_COMPLETE;
        any_prepared |= st[i] == SDK_PREPARED;
        any_complete |= st[i] == SDK_COMPLETE;
        any_waiting |= st[i] == SDK_WAITING;
        if (!cand[i])
            continue;
        c_waiting |= st[i] == SDK_WAITING;
        c_inprog |= st[i] == SDK_IN_PROGRESS;
        c_pending |= st[i] == SDK_PENDING;
        c_starting |= st[i] == SDK_STARTING;
        c_started |= st[i] == SDK_STARTED;
    }
    if (errors || any_err)
        return SDK_ERROR;
    if (all_complete)
        return SDK_COMPLETE;
    if (interrupted)
        return SDK_WAITING;
    if (any_prepared)
        return SDK_IN_PROGRESS;
    if (c_waiting)
        return SDK_WAITING;
    if (c_inprog)
        return SDK_IN_PROGRESS;
    if (any_complete && (c_pending || c_starting || c_started))
        return SDK_IN_PROGRESS;
    if (c_pending)
        return SDK_PENDING;
    if (any_waiting)
        return SDK_WAITING;
    if (c_starting)
        return SDK_STARTING;
    if (c_started)
        return SDK_STARTED;
    return SDK_ERROR;
}

/* See sdk_plan.h. */
void sdk_strategy_candidates(const int *st, size_t n, int serial, int *cand)
{
    size_t i;
    int found = 0;

    for (i = 0; i < n; i++) {
        cand[i] = st[i] != SDK_COMPLETE && (!serial || !found);
        if (st[i] != SDK_COMPLETE)
            found = 1;
    }
}

/* See sdk_plan.h. */
int sdk_phase_status(const struct sdk_plan *plan, const struct sdk_phase *ph)
{
    int st[SDK_MAX_COUNT + 1], cand[SDK_MAX_COUNT + 1];
    size_t i, n = ph->n_steps > SDK_MAX_COUNT ? SDK_MAX_COUNT : ph->n_steps;

    for (i = 0; i < n; i++)
        st[i] = ph->steps[i].status;
    sdk_strategy_candidates(st, n, plan->phase_serial, cand);
    return sdk_status_aggregate(st, cand, n, ph->interrupted, 0);
}

/* See sdk_plan.h. */
int sdk_plan_status(const struct sdk_plan *plan)
{
    int st[SDK_N_PODS + 1], cand[SDK_N_PODS + 1];
    size_t i, n = plan->n_phases > SDK_N_PODS ? SDK_N_PODS : plan->n_phases;

    for (i = 0; i < n; i++)
        st[i] = sdk_phase_status(plan, &plan->phases[i]);
    sdk_strategy_candidates(st, n, plan->serial, cand);
    return sdk_status_aggregate(st, cand, n, plan->interrupted,
                     json_array_size(plan->errors) > 0);
}

/* -------------------------------------------------------------------- */
/* building                                                             */

/* Initial status of the step of pod instance (@pod, @index) against
 * target @target (DefaultStepFactory: COMPLETE iff on target and ready). */
static int step_initial_status(const struct sdk_service *svc, int pod,
                               int index, const char *target)
{
    const struct sdk_task *t = NULL;
    size_t i;

    for (i = 0; i < svc->n_tasks; i++)
        if (svc->tasks[i].pod == pod && svc->tasks[i].index == index)
            t = &svc->tasks[i];
    if (!t || !t->id || !t->config_id || !target ||
        strcmp(t->config_id, target) != 0)
        return SDK_PENDING;
    switch (t->state) {
    case SDK_TASK_RUNNING:
        return sdk_task_ready(svc, t) ? SDK_COMPLETE : SDK_STARTED;
    case SDK_TASK_STAGING:
        return SDK_STARTING;
    default:
        return SDK_PENDING;
    }
}

/* See sdk_plan.h. */
int sdk_phase_add_step(struct sdk_phase *ph, int pod, int index,
                       int status, double now)
{
    struct sdk_step *v = realloc(ph->steps, (ph->n_steps + 1) * sizeof(*v));
    char *id = sim_uuid();

    if (!v || !id) {
        if (v)
            ph->steps = v;
        free(id);
        return ERR_NOMEM;
    }
    ph->steps = v;
    v[ph->n_steps].id = id;
    v[ph->n_steps].pod = pod;
    v[ph->n_steps].index = index;
    v[ph->n_steps].status = status;
    v[ph->n_steps].since = now;
    ph->n_steps++;
    return 0;
}

/* See sdk_plan.h. */
int sdk_plan_build(struct sdk_service *svc, struct sdk_plan *p,
                   int update, double now)
{
    const json_t *target = sdk_config_options(svc, svc->target_id);
    const char *strategy =
        update ? sdk_opt_str(svc->options, "service.update_strategy", "serial")
               : sdk_opt_str(svc->options, "service.deploy_strategy",
                             "parallel");
    int pod, i;

    sdk_plan_clear(p);
    p->update = update;
    p->serial = strcmp(strategy, "serial") == 0;
    p->phase_serial = p->serial;
    p->errors = json_array();
    p->phases = calloc(SDK_N_PODS, sizeof(*p->phases));
    if (!p->errors || !p->phases)
        return ERR_NOMEM;
    p->n_phases = SDK_N_PODS;
    for (pod = 0; pod < SDK_N_PODS; pod++) {
        struct sdk_phase *ph = &p->phases[pod];

        ph->pod = pod;
        ph->id = sim_uuid();
        if (!ph->id)
            return ERR_NOMEM;
        for (i = 0; i < sdk_pod_count(target, pod); i++) {
            if (sdk_task_ensure(svc, pod, i) != 0 ||
                sdk_phase_add_step(ph, pod, i,
                                   step_initial_status(svc, pod, i,
                                                       svc->target_id),
                                   now) != 0)
                return ERR_NOMEM;
        }
    }
    return 0;
}

/* See sdk_plan.h. */
int sdk_plan_build_update(struct sdk_service *svc, struct sdk_plan *out)
{
    int r;

    memset(out, 0, sizeof(*out));
    r = sdk_plan_build(svc, out, 1, 0);
    if (r != 0) {
        sdk_plan_clear(out);
        return r;
    }
    out->interrupted = 1; /* created interrupted, never run */
    return 0;
}

/* See sdk_plan.h. */
void sdk_recovery_init(struct sdk_plan *p)
{
    sdk_plan_clear(p);
    p->recovery = 1;
    p->serial = 1;
    p->phase_serial = 0;
    p->errors = json_array();
    p->phases = calloc(1, sizeof(*p->phases));
    if (p->phases) {
        p->n_phases = 1;
        p->phases[0].pod = -1;
        p->phases[0].id = sim_uuid();
    }
}

/* -------------------------------------------------------------------- */
/* advancing                                                            */

/* The step of pod instance (@pod, @index) in @p, or NULL. */
static struct sdk_step *plan_step(struct sdk_plan *p, int pod, int index)
{
    size_t i, j;

    for (i = 0; i < p->n_phases; i++)
        for (j = 0; j < p->phases[i].n_steps; j++)
            if (p->phases[i].steps[j].pod == pod &&
                p->phases[i].steps[j].index == index)
                return &p->phases[i].steps[j];
    return NULL;
}

static int step_in_flight(const struct sdk_step *st)
{
    return st && st->status >= SDK_PREPARED && st->status <= SDK_STARTED;
}

/*
 * Advance one step.  @may_start: the strategy schedules it now.  Steps of
 * the recovery plan relaunch the task's own configuration, deploy steps
 * the target configuration.
 */
static void step_advance(struct sim *s, struct sdk_service *svc,
                         struct sdk_plan *plan, struct sdk_step *st,
                         int may_start, double now)
{
    struct sdk_task *t = sdk_task_get(svc, st->pod, st->index);
    struct sdk_plan *other = plan->recovery ? &svc->plan : &svc->recovery;
    const char *cfg;

    if (!t)
        return;
    cfg = plan->recovery ? t->config_id : svc->target_id;
    switch (st->status) {
    case SDK_PENDING:
        if (!may_start || !cfg || step_in_flight(plan_step(other, st->pod,
                                                           st->index)))
            return;
        if (sdk_config_tls(svc, cfg)) {
            const char *why = sdk_tls_block_reason(s, svc, t, now);

            if (why) {
                if (svc->blocked != why)
                    LOG(LOG_INFO, SDK_LOG,
                        "%s: %s cannot launch: TLS artifacts unavailable: "
                        "%s",
                        svc->name, t->name, why);
                svc->blocked = why;
                return;
            }
            svc->blocked = NULL;
        }
        sdk_task_kill(t, now);
        st->status = SDK_PREPARED;
        break;
    case SDK_PREPARED:
        if (now - st->since < SDK_STEP_S)
            return;
        if (sdk_task_launch(svc, t, cfg, now) != 0)
            return;
        st->status = SDK_STARTING;
        break;
    case SDK_STARTING:
        if (t->state == SDK_TASK_RUNNING)
            st->status = SDK_STARTED;
        else if (t->state != SDK_TASK_STAGING)
            st->status = SDK_PENDING; /* the task failed: retry */
        else
            return;
        break;
    case SDK_STARTED:
        if (t->state != SDK_TASK_RUNNING)
            st->status = SDK_PENDING;
        else if (now - st->since >= SDK_STEP_S && sdk_task_ready(svc, t))
            st->status = SDK_COMPLETE;
        else
            return;
        break;
    default:
        return;
    }
    st->since = now;
    sdk_dirty_mark();
}

/* See sdk_plan.h. */
void sdk_plan_advance(struct sim *s, struct sdk_service *svc,
                      struct sdk_plan *p, double now)
{
    int pst[SDK_N_PODS + 1], pcand[SDK_N_PODS + 1];
    int sst[SDK_MAX_COUNT + 1], scand[SDK_MAX_COUNT + 1];
    size_t i, j, n = p->n_phases > SDK_N_PODS ? SDK_N_PODS : p->n_phases;
    int blocked = p->interrupted || json_array_size(p->errors) > 0;

    for (i = 0; i < n; i++)
        pst[i] = sdk_phase_status(p, &p->phases[i]);
    sdk_strategy_candidates(pst, n, p->serial, pcand);
    for (i = 0; i < n; i++) {
        struct sdk_phase *ph = &p->phases[i];
        size_t m = ph->n_steps > SDK_MAX_COUNT ? SDK_MAX_COUNT : ph->n_steps;

        for (j = 0; j < m; j++)
            sst[j] = ph->steps[j].status;
        sdk_strategy_candidates(sst, m, p->phase_serial, scand);
        for (j = 0; j < m; j++)
            step_advance(s, svc, p, &ph->steps[j],
                         !blocked && pcand[i] && !ph->interrupted &&
                             scand[j],
                         now);
    }
}

/* See sdk_plan.h. */
void sdk_recovery_prune(struct sdk_plan *p)
{
    struct sdk_phase *ph;
    size_t i, k = 0;

    if (p->n_phases == 0)
        return;
    ph = &p->phases[0];
    for (i = 0; i < ph->n_steps; i++) {
        if (ph->steps[i].status == SDK_COMPLETE) {
            free(ph->steps[i].id);
            continue;
        }
        ph->steps[k++] = ph->steps[i];
    }
    ph->n_steps = k;
}

/* See sdk_plan.h. */
void sdk_recovery_schedule(struct sdk_service *svc, double now)
{
    size_t i;

    if (svc->recovery.n_phases == 0)
        sdk_recovery_init(&svc->recovery);
    if (svc->recovery.n_phases == 0)
        return;
    for (i = 0; i < svc->n_tasks; i++) {
        struct sdk_task *t = &svc->tasks[i];

        if (t->recover_at <= 0 || now < t->recover_at)
            continue;
        t->recover_at = 0;
        sdk_dirty_mark();
        if (t->state == SDK_TASK_STAGING || t->state == SDK_TASK_RUNNING ||
            !t->config_id)
            continue;
        /* a deploy step working on the pod relaunches it itself */
        if (step_in_flight(plan_step(&svc->plan, t->pod, t->index)) ||
            plan_step(&svc->recovery, t->pod, t->index))
            continue;
        sdk_recovery_prune(&svc->recovery);
        sdk_phase_add_step(&svc->recovery.phases[0], t->pod, t->index,
                           SDK_PENDING, now);
    }
}

/* See sdk_plan.h. */
int sdk_pod_restart(struct sim *s, struct sdk_service *svc,
                    const char *pod_instance)
{
    size_t i;
    double now = sim_now(s);

    for (i = 0; i < svc->n_tasks; i++) {
        struct sdk_task *t = &svc->tasks[i];
        char inst[48];

        snprintf(inst, sizeof(inst), "%s-%d", sdk_pod_name(t->pod), t->index);
        if (strcmp(inst, pod_instance) != 0 || !t->id)
            continue;
        sdk_task_kill(t, now);
        t->recover_at = now;
        sdk_dirty_mark();
        return 0;
    }
    return ERR_NOTFOUND;
}
