/*
 * Planning, asynchronously (engine.h, engine_plan_start): observation in
 * waves on a lane, each wave submitted at once and collected when the
 * lane's HTTP loop has nothing pending (or its bound passed), then the
 * pure reconcilers.
 *
 *   reads of every service (observe.c), the     bound 4 x request timeout
 *   preflight (preflight.c) and the likely catalog
 *   reads (observe_catalog_prefetch), at once
 *   -> at once, as none needs another's answer:    4 x request timeout
 *      the catalog reads the first wave did not         + 20 s
 *      make (observe_catalog.c), the plan-time
 *      HTTPS probe (https_probe.c)
 *   -> reconcilers_plan, per service
 *
 * Waves are round trips: at 100 ms to the cluster each one costs 100 ms
 * whatever the number of services, so there are as few as the answers
 * allow (one observation, one wave of what depends on it).
 */
#include "controller/engine.h"

#include <stdlib.h>
#include <string.h>

#include "controller/await.h"
#include "controller/engine_int.h"
#include "controller/https_probe.h"
#include "controller/observe.h"
#include "controller/observe_catalog.h"
#include "controller/preflight.h"
#include "dcos/client.h"
#include "dcos/loop.h"
#include "reconcilers/reconciler.h"

enum plan_stage {
    STAGE_OBSERVE = 0,
    STAGE_CHECKS /* catalog, HTTPS probe and preflight together */
};

struct engine_plan_op {
    struct engine_lane *lane;
    const struct model_desired *d;
    bool want_observed;
    engine_plan_fn done;
    void *payload;
    enum plan_stage stage;
    struct await wait;
    struct model_observed *obs;
    struct model_plan *plans;
    /* The wave in flight (one of them). */
    struct observe_run *observe;
    struct observe_catalog *catalog;
    struct https_probe_wave *probe;
    struct preflight *preflight;
    struct err_info start_err; /* what went wrong submitting the first
                                  wave (it is collected, then this wins) */
};

static void op_free(struct engine_plan_op *op, bool keep_obs)
{
    size_t i, n = op->d->n_services;

    for (i = 0; !keep_obs && op->obs && i < n; i++)
        model_observed_clear(&op->obs[i]);
    if (!keep_obs)
        free(op->obs);
    free(op);
}

/* End @op with @r (@e when r != 0), handing out the plans on success. */
static void finish(struct engine_plan_op *op, int r, struct err_info *e)
{
    struct model_observed *obs = NULL;
    struct model_plan *plans = NULL;
    engine_plan_fn done = op->done;
    void *payload = op->payload;
    size_t i, n = op->d->n_services;

    op->lane->planning = NULL;
    if (r == 0 && op->lane->cancelled)
        r = err_set(e, ERR_INVALID, "cancelled");
    if (r) {
        for (i = 0; op->plans && i < n; i++)
            model_plan_clear(&op->plans[i]);
        free(op->plans);
        op_free(op, false);
        done(r, NULL, NULL, e, payload);
        return;
    }
    plans = op->plans;
    if (op->want_observed)
        obs = op->obs;
    op_free(op, op->want_observed);
    done(0, plans, obs, e, payload);
}

/* The pure half: one plan per service from what was observed. */
static void plan_all(struct engine_plan_op *op)
{
    struct err_info e;
    size_t i, n = op->d->n_services;
    int r = 0;

    memset(&e, 0, sizeof(e));
    op->plans = calloc(n + 1, sizeof(*op->plans));
    if (!op->plans)
        r = err_set(&e, ERR_NOMEM, "out of memory");
    for (i = 0; r == 0 && i < n; i++) {
        struct model_observed *m = &op->obs[i];

        r = reconcilers_plan(&op->plans[i], op->d->services[i], m, &e);
        r = r < 0 ? r : 0;
        /* Show a lease another etls holds. */
        if (r == 0 && m->lease_holder) {
            op->plans[i].lease_holder = m->lease_holder;
            op->plans[i].lease_expires = m->lease_expires;
            m->lease_holder = NULL;
        }
    }
    finish(op, r, &e);
}

static void on_wave(struct await *a, bool timed_out, void *payload);

/* Nothing of the lane is pending any more, and the observation submitted
 * every service (it does so as the window lets it, on each pass). */
static bool lane_idle(void *payload)
{
    struct engine_plan_op *op = payload;

    if (op->observe && !observe_pump(op->observe))
        return false;
    return http_loop_pending(op->lane->loop) == 0;
}

/* Wait for the wave just submitted, bounded by @factor request timeouts
 * plus @extra seconds. */
static void wait_wave(struct engine_plan_op *op, double factor, double extra)
{
    double rt = op->lane->eng->o.request_timeout;

    await_start(&op->wait, op->lane->eng->ev, factor * rt + extra, lane_idle,
                on_wave, op);
}

/* The wave of @op->stage ended: collect it and submit the next one. */
static void on_wave(struct await *a, bool timed_out, void *payload)
{
    struct engine_plan_op *op = payload;
    struct engine_lane *lane = op->lane;
    struct dcos_client *c = lane->client;
    struct err_info e, ignored;
    int r = 0;

    (void)a;
    memset(&e, 0, sizeof(e));
    memset(&ignored, 0, sizeof(ignored));
    timed_out = timed_out || lane->cancelled;
    switch (op->stage) {
    case STAGE_OBSERVE:
        r = observe_collect(op->observe, timed_out, &e);
        op->observe = NULL;
        op->stage = STAGE_CHECKS;
        if (op->start_err.code) {
            e = op->start_err;
            r = e.code;
        }
        if (r || lane->cancelled)
            break;
        engine_keys_observed(lane->eng, op->d, op->obs);
        r = observe_catalog_submit(&op->catalog, c, op->d, op->obs, &e);
        if (r == 0 &&
            https_probe_observe_submit(&op->probe, c, lane->cluster.ca_pem,
                                       op->d, op->obs))
            r = err_set(&e, ERR_NOMEM, "out of memory");
        if (r == 0) {
            wait_wave(op, 4, HTTPS_PROBE_MARGIN);
            return;
        }
        timed_out = true; /* drop the reads already under way */
        break;
    case STAGE_CHECKS:
        break;
    }
    /* Collect whatever was submitted (each frees its wave), the first
     * failure wins. */
    if (op->catalog) {
        int r2 = observe_catalog_collect(op->catalog, timed_out,
                                         r ? &ignored : &e);

        r = r ? r : r2;
        op->catalog = NULL;
    }
    if (op->probe) {
        https_probe_observe_collect(op->probe, timed_out);
        op->probe = NULL;
    }
    if (op->preflight) {
        int r2 = preflight_collect(op->preflight, timed_out,
                                   r ? &ignored : &e);

        r = r ? r : r2;
        op->preflight = NULL;
    }
    if (op->stage == STAGE_CHECKS && r == 0 && !lane->cancelled) {
        plan_all(op);
        return;
    }
    if (r == 0)
        r = err_set(&e, ERR_INVALID, "cancelled");
    finish(op, r, &e);
}

int engine_plan_start(struct engine_lane *lane, const struct model_desired *d,
                      bool want_observed, engine_plan_fn done, void *payload,
                      struct err_info *e)
{
    struct engine_plan_op *op = calloc(1, sizeof(*op));
    size_t n = d->n_services;
    int r;

    if (!op)
        return err_set(e, ERR_NOMEM, "out of memory");
    op->obs = calloc(n + 1, sizeof(*op->obs));
    if (!op->obs) {
        free(op);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    op->lane = lane;
    op->d = d;
    op->want_observed = want_observed;
    op->done = done;
    op->payload = payload;
    op->stage = STAGE_OBSERVE;
    lane->cancelled = false;
    r = observe_submit(&op->observe, lane->client, d, &lane->cluster,
                       op->obs, !want_observed, e);
    if (r) {
        free(op->obs);
        free(op);
        return r;
    }
    /* What needs only the desired state goes out with the observation:
     * the preflight and the catalog's likely versions. */
    r = preflight_submit(&op->preflight, lane->client, lane->eng->o.uid, d,
                         op->obs, &op->start_err);
    if (r == 0)
        r = observe_catalog_prefetch(&op->catalog, lane->client, d,
                                     &op->start_err);
    lane->planning = op;
    if (r) {
        /* out of memory: end the wave at once, collecting what went out */
        await_start(&op->wait, lane->eng->ev, 0, NULL, on_wave, op);
        return 0;
    }
    wait_wave(op, 4, 10);
    return 0;
}

/* Cancel the plan of @op (engine_lane_cancel): its wave ends now. */
void engine_plan_cancel(struct engine_plan_op *op)
{
    if (!op || !op->wait.active)
        return;
    /* The next pass of the loop collects the wave as timed out. */
    await_stop(&op->wait);
    await_start(&op->wait, op->lane->eng->ev, 0, NULL, on_wave, op);
}
