/*
 * Leases and applies, asynchronously (engine.h): engine_lock_start takes
 * the leases of the plans that write on a lane, engine_apply_start runs
 * the plans through the scheduler (apply.c) under them, and
 * engine_unlock_start releases them.  Cancelling a lane reaches whatever
 * runs on it.
 */
#include "controller/engine.h"

#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "controller/apply.h"
#include "controller/engine_int.h"
#include "controller/lease.h"
#include "dcos/client.h"
#include "dcos/keys.h"
#include "dcos/loop.h"

/* Margin of the whole apply beyond its waits, seconds. */
#define APPLY_MARGIN 600.0

bool engine_plan_writes(const struct model_plan *p)
{
    size_t i;

    for (i = 0; i < p->n_actions; i++)
        if (p->actions[i].op == MODEL_OP_FAIL)
            return false;
    return model_plan_has_changes(p);
}

/* ---- leases ---- */

struct lock_op {
    struct engine_lane *lane;
    engine_lock_fn done;
    void *payload;
};

static void on_acquired(struct lease_set *ls, int r, const struct err_info *e,
                        void *payload)
{
    struct lock_op *op = payload;
    engine_lock_fn done = op->done;
    void *arg = op->payload;

    op->lane->leases = ls;
    free(op);
    done(r, e, arg);
}

/* A lock with nothing to take ends on the loop's next pass. */
struct lock_none {
    ev_prepare prep;
    engine_lock_fn done;
    void *payload;
};

static void on_lock_none(struct ev_loop *ev, ev_prepare *w, int revents)
{
    struct lock_none *n = w->data;
    struct err_info e;

    (void)revents;
    ev_prepare_stop(ev, w);
    memset(&e, 0, sizeof(e));
    n->done(0, &e, n->payload);
    free(n);
}

int engine_lock_start(struct engine_lane *lane,
                      const struct model_plan *plans, size_t n,
                      engine_lock_fn done, void *payload, struct err_info *e)
{
    struct engine *eng = lane->eng;
    struct lease_options lo;
    struct lock_op *op;
    const char **names;
    size_t i, k = 0;
    int r;

    if (lane->leases)
        return err_set(e, ERR_INTERNAL, "the lane holds leases already");
    names = calloc(n + 1, sizeof(*names));
    if (!names)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++)
        if (engine_plan_writes(&plans[i]))
            names[k++] = plans[i].service;
    if (k == 0) {
        struct lock_none *none = calloc(1, sizeof(*none));

        free(names);
        if (!none)
            return err_set(e, ERR_NOMEM, "out of memory");
        none->done = done;
        none->payload = payload;
        ev_prepare_init(&none->prep, on_lock_none);
        none->prep.data = none;
        ev_prepare_start(eng->ev, &none->prep);
        ev_feed_event(eng->ev, &none->prep, EV_PREPARE); /* this pass */
        return 0;
    }
    op = calloc(1, sizeof(*op));
    if (!op) {
        free(names);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    op->lane = lane;
    op->done = done;
    op->payload = payload;
    memset(&lo, 0, sizeof(lo));
    lo.ttl = eng->o.lock_ttl;
    lo.wait = eng->o.lock_timeout;
    lo.request_timeout = eng->o.request_timeout;
    lo.holder = eng->holder;
    r = lease_acquire_start(eng->ev, lane->client, names, k, &lo,
                            on_acquired, op, e);
    free(names);
    if (r)
        free(op);
    return r;
}

struct unlock_op {
    ev_prepare prep;
    void (*done)(void *);
    void *payload;
};

static void on_unlock_none(struct ev_loop *ev, ev_prepare *w, int revents)
{
    struct unlock_op *u = w->data;

    (void)revents;
    ev_prepare_stop(ev, w);
    if (u->done)
        u->done(u->payload);
    free(u);
}

void engine_unlock_start(struct engine_lane *lane, void (*done)(void *),
                         void *payload)
{
    struct lease_set *ls = lane->leases;
    struct unlock_op *u;

    lane->leases = NULL;
    if (ls) {
        lease_release_start(ls, done, payload);
        return;
    }
    u = calloc(1, sizeof(*u));
    if (!u) {
        /* Nothing to release: say so now rather than never. */
        if (done)
            done(payload);
        return;
    }
    u->done = done;
    u->payload = payload;
    ev_prepare_init(&u->prep, on_unlock_none);
    u->prep.data = u;
    ev_prepare_start(lane->eng->ev, &u->prep);
    ev_feed_event(lane->eng->ev, &u->prep, EV_PREPARE); /* this pass */
}

bool engine_lane_holds(const struct engine_lane *lane, const char *name)
{
    return lease_held(lane->leases, name);
}

/* ---- applies ---- */

static bool may_write(void *payload, const char *name)
{
    struct engine_lane *lane = payload;

    return lease_held(lane->leases, name);
}

int engine_apply_check(struct engine *eng, const struct model_plan *plans,
                       size_t n, struct err_info *e)
{
    return apply_check(plans, n, eng->o.report.ops ? &eng->o.report : NULL,
                       e);
}

struct apply_op {
    struct engine_lane *lane;
    const struct model_plan *plans;
    size_t n;
    engine_apply_fn done;
    void *payload;
};

/* The executors' key pairs: the service's speculative one when there is
 * one (engine_keys.c). */
static int key_take(void *payload, const char *service,
                    dcos_keygen_fn done, void *arg)
{
    struct engine *eng = payload;

    return engine_keys_take(eng->keys, service, done, arg);
}

static void on_applied(int r, const struct err_info *e,
                       const struct report_summary *sum, void *payload)
{
    struct apply_op *op = payload;
    engine_apply_fn done = op->done;
    void *arg = op->payload;
    size_t i;

    for (i = 0; i < op->n; i++)
        engine_keys_discard(op->lane->eng->keys, op->plans[i].service);
    op->lane->running = NULL;
    free(op);
    done(r, e, sum, arg);
}

int engine_apply_run(struct engine_lane *lane, struct model_plan *plans,
                     size_t n, engine_apply_fn done, void *payload,
                     struct err_info *e)
{
    struct engine *eng = lane->eng;
    struct apply_env env;
    struct apply_op *op = calloc(1, sizeof(*op));
    int r;

    if (!op)
        return err_set(e, ERR_NOMEM, "out of memory");
    op->lane = lane;
    op->plans = plans;
    op->n = n;
    op->done = done;
    op->payload = payload;
    memset(&env, 0, sizeof(env));
    env.ev = eng->ev;
    env.loop = lane->loop;
    env.client = lane->client;
    env.ca_pem = lane->cluster.ca_pem;
    env.rollout_timeout = eng->o.rollout_timeout;
    env.verify_window = eng->o.verify_window;
    /* A cluster that stays unreachable fails an action within the bound
     * of one read (dcos_client_call_bound): retries x request timeout. */
    env.retry_window = dcos_client_call_bound(lane->client);
    /* Bounded: the rollout timeout of each wait plus margins. */
    env.time_limit = 3 * eng->o.rollout_timeout + eng->o.verify_window +
                     APPLY_MARGIN;
    env.report = eng->o.report.ops ? &eng->o.report : NULL;
    env.may_write = may_write;
    env.may_write_payload = lane;
    if (eng->keys) {
        env.key_take = key_take;
        env.key_take_payload = eng;
    }
    lane->cancelled = false;
    r = apply_start(&env, plans, n, on_applied, op, &lane->running, e);
    if (r)
        free(op);
    return r;
}

int engine_apply_start(struct engine_lane *lane, struct model_plan *plans,
                       size_t n, engine_apply_fn done, void *payload,
                       struct err_info *e)
{
    int r = engine_apply_check(lane->eng, plans, n, e);

    return r ? r : engine_apply_run(lane, plans, n, done, payload, e);
}

void engine_lane_cancel(struct engine_lane *lane)
{
    if (!lane)
        return;
    lane->cancelled = true;
    apply_cancel(lane->running);
    engine_plan_cancel(lane->planning);
}

void engine_lane_abort(struct engine_lane *lane)
{
    if (!lane)
        return;
    engine_lane_cancel(lane);
    http_loop_cancel_all(lane->loop, ERR_INVALID);
}

void engine_lane_idle(struct engine_lane *lane)
{
    if (lane)
        http_loop_close_idle(lane->loop);
}

void engine_idle(struct engine *eng)
{
    engine_lane_idle(&eng->main);
}
