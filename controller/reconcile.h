#ifndef ETLS_CONTROLLER_RECONCILE_H
#define ETLS_CONTROLLER_RECONCILE_H

#include <stdbool.h>

#include "common/err.h"
#include "controller/engine.h"
#include "controller/report.h"
#include "model/desired.h"
#include "model/plan.h"

/*
 * One reconcile of one service, the unit of work of the daemon (etls
 * run), built from the asynchronous steps of the engine on the service's
 * own lane:
 *
 *   plan (observe, read-only)
 *     -> nothing to change: run the plan's reads (the HTTPS check), done
 *     -> a FAIL action: refused, nothing written
 *     -> changes, detect-only: drift reported, nothing written
 *     -> changes: take the service's lease, plan again under it, apply
 *        (write, wait for the rollout, verify HTTPS), release the lease
 *
 * Many reconciles run at once on the engine's one loop, one per lane;
 * none blocks the loop.
 */
struct reconcile;

/* How a reconcile ended. */
enum reconcile_outcome {
    RECONCILE_IN_SYNC = 0, /* nothing to change; the plan's reads passed */
    RECONCILE_APPLIED,     /* changes applied, rolled out and verified */
    RECONCILE_DRIFT,       /* changes found, not applied (detect-only) */
    RECONCILE_REFUSED,     /* the plan cannot be applied (FAIL actions) */
    RECONCILE_LOCKED,      /* another etls holds the service's lease */
    RECONCILE_FAILED,      /* observing, the lease or the apply failed */
    RECONCILE_CANCELLED    /* reconcile_cancel */
};

/* What the callback learns (everything borrowed for the callback). */
struct reconcile_result {
    enum reconcile_outcome outcome;
    struct err_info err;          /* why, unless IN_SYNC, APPLIED, DRIFT */
    const struct model_plan *plan; /* the last plan made, or NULL */
    /* After an apply: how each action of @plan ended; else NULL. */
    const enum report_outcome *outcomes;
};

typedef void (*reconcile_done_fn)(const struct reconcile_result *res,
                                  void *payload);

struct reconcile_options {
    bool detect_only;  /* plan and report; never write (nor lock) */
};

/* "in-sync", "applied", "drift", "refused", "locked", "failed",
 * "cancelled" (static). */
const char *reconcile_outcome_name(enum reconcile_outcome o);

/*
 * Start reconciling the one service of @d (borrowed: it must outlive the
 * reconcile) on @lane, nothing else running there.  @done runs once, on
 * the loop, never from here; the reconcile is freed after it returns.
 * Returns 0 and sets *@out (for reconcile_cancel, valid until @done), or
 * a negative err (@e set; @done not called).
 */
int reconcile_start(struct reconcile **out, struct engine_lane *lane,
                    const struct model_desired *d,
                    const struct reconcile_options *o, reconcile_done_fn done,
                    void *payload, struct err_info *e);

/*
 * Stop @rc gracefully: a plan ends at once, an apply starts nothing new
 * while its requests in flight finish; a lease taken is released; then
 * @done runs with RECONCILE_CANCELLED (or how the apply ended).
 */
void reconcile_cancel(struct reconcile *rc);

#endif
