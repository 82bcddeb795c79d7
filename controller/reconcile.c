/* One reconcile of one service (reconcile.h). */
#include "controller/reconcile.h"

#include <stdlib.h>
#include <string.h>

#include "controller/engine.h"
#include "controller/engine_int.h"

struct reconcile {
    struct engine_lane *lane;
    const struct model_desired *d;
    struct reconcile_options o;
    reconcile_done_fn done;
    void *payload;
    struct model_plan *plans;     /* the last plan made (one) */
    enum report_outcome *outcomes; /* after an apply */
    bool locked;                  /* the lease is ours */
    bool cancelled;
    bool second;                  /* planning again under the lease */
    struct reconcile_result res;  /* what the callback will say */
};

const char *reconcile_outcome_name(enum reconcile_outcome o)
{
    switch (o) {
    case RECONCILE_IN_SYNC: return "in-sync";
    case RECONCILE_APPLIED: return "applied";
    case RECONCILE_DRIFT: return "drift";
    case RECONCILE_REFUSED: return "refused";
    case RECONCILE_LOCKED: return "locked";
    case RECONCILE_FAILED: return "failed";
    case RECONCILE_CANCELLED: return "cancelled";
    }
    return "failed";
}

static void plans_free(struct reconcile *rc)
{
    if (!rc->plans)
        return;
    model_plan_clear(&rc->plans[0]);
    free(rc->plans);
    rc->plans = NULL;
}

/* Report rc->res and free @rc. */
static void report(struct reconcile *rc)
{
    rc->res.plan = rc->plans ? &rc->plans[0] : NULL;
    rc->res.outcomes = rc->outcomes;
    rc->done(&rc->res, rc->payload);
    plans_free(rc);
    free(rc->outcomes);
    free(rc);
}

static void on_unlocked(void *payload)
{
    report(payload);
}

/* End with @outcome (and @e when not NULL), releasing the lease first. */
static void end(struct reconcile *rc, enum reconcile_outcome outcome,
                const struct err_info *e)
{
    rc->res.outcome = outcome;
    if (e)
        rc->res.err = *e;
    if (rc->locked) {
        rc->locked = false;
        engine_unlock_start(rc->lane, on_unlocked, rc);
        return;
    }
    report(rc);
}

/* The first FAIL reason of @p, or NULL. */
static const char *fail_reason(const struct model_plan *p)
{
    size_t i;

    for (i = 0; i < p->n_actions; i++)
        if (p->actions[i].op == MODEL_OP_FAIL)
            return p->actions[i].reason ? p->actions[i].reason
                                        : "the plan cannot be applied";
    return NULL;
}

static void on_applied(int r, const struct err_info *e,
                       const struct report_summary *sum, void *payload)
{
    struct reconcile *rc = payload;
    const struct model_plan *p = &rc->plans[0];
    bool changes = model_plan_has_changes(p);

    if (sum && sum->n_services == 1 && p->n_actions) {
        rc->outcomes = calloc(p->n_actions, sizeof(*rc->outcomes));
        if (rc->outcomes)
            memcpy(rc->outcomes, sum->services[0].outcomes,
                   p->n_actions * sizeof(*rc->outcomes));
    }
    if (r)
        end(rc, rc->cancelled ? RECONCILE_CANCELLED : RECONCILE_FAILED, e);
    else
        end(rc, changes ? RECONCILE_APPLIED : RECONCILE_IN_SYNC, NULL);
}

static void apply(struct reconcile *rc)
{
    struct err_info e;
    int r;

    memset(&e, 0, sizeof(e));
    if (rc->cancelled) {
        err_set(&e, ERR_INVALID, "cancelled");
        end(rc, RECONCILE_CANCELLED, &e);
        return;
    }
    r = engine_apply_start(rc->lane, rc->plans, 1, on_applied, rc, &e);
    if (r)
        end(rc, RECONCILE_FAILED, &e);
}

static void on_locked(int r, const struct err_info *e, void *payload);
static void on_planned(int r, struct model_plan *plans,
                       struct model_observed *observed,
                       const struct err_info *e, void *payload);

static void on_locked(int r, const struct err_info *e, void *payload)
{
    struct reconcile *rc = payload;
    struct err_info e2;

    if (r) {
        end(rc, r == ERR_CONFLICT ? RECONCILE_LOCKED : RECONCILE_FAILED, e);
        return;
    }
    rc->locked = true;
    if (rc->cancelled) {
        err_set(&e2, ERR_INVALID, "cancelled");
        end(rc, RECONCILE_CANCELLED, &e2);
        return;
    }
    /* What was planned before the lease may have changed: plan again. */
    plans_free(rc);
    rc->second = true;
    memset(&e2, 0, sizeof(e2));
    r = engine_plan_start(rc->lane, rc->d, false, on_planned, rc, &e2);
    if (r)
        end(rc, RECONCILE_FAILED, &e2);
}

static void on_planned(int r, struct model_plan *plans,
                       struct model_observed *observed,
                       const struct err_info *e, void *payload)
{
    struct reconcile *rc = payload;
    const char *why;
    struct err_info e2;

    (void)observed;
    memset(&e2, 0, sizeof(e2));
    if (r) {
        end(rc, rc->cancelled ? RECONCILE_CANCELLED : RECONCILE_FAILED, e);
        return;
    }
    rc->plans = plans;
    why = fail_reason(&plans[0]);
    if (why) {
        err_set(&e2, ERR_INVALID, "%s", why);
        end(rc, RECONCILE_REFUSED, &e2);
        return;
    }
    if (!engine_plan_writes(&plans[0]) || rc->second) {
        /* Reads only (the HTTPS check), or planned under the lease. */
        apply(rc);
        return;
    }
    if (rc->o.detect_only) {
        end(rc, RECONCILE_DRIFT, NULL);
        return;
    }
    if (rc->cancelled) {
        err_set(&e2, ERR_INVALID, "cancelled");
        end(rc, RECONCILE_CANCELLED, &e2);
        return;
    }
    r = engine_lock_start(rc->lane, plans, 1, on_locked, rc, &e2);
    if (r)
        end(rc, RECONCILE_FAILED, &e2);
}

int reconcile_start(struct reconcile **out, struct engine_lane *lane,
                    const struct model_desired *d,
                    const struct reconcile_options *o, reconcile_done_fn done,
                    void *payload, struct err_info *e)
{
    struct reconcile *rc = calloc(1, sizeof(*rc));
    int r;

    if (!rc)
        return err_set(e, ERR_NOMEM, "out of memory");
    rc->lane = lane;
    rc->d = d;
    rc->o = *o;
    rc->done = done;
    rc->payload = payload;
    r = engine_plan_start(lane, d, false, on_planned, rc, e);
    if (r) {
        free(rc);
        return r;
    }
    *out = rc;
    return 0;
}

void reconcile_cancel(struct reconcile *rc)
{
    if (!rc || rc->cancelled)
        return;
    rc->cancelled = true;
    engine_lane_cancel(rc->lane);
}
