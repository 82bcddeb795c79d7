#ifndef ETLS_CONTROLLER_ENGINE_INT_H
#define ETLS_CONTROLLER_ENGINE_INT_H

#include <stdbool.h>

#include <ev.h>

#include "controller/engine_types.h"
#include "controller/observe.h"

/*
 * What the files of the engine share (engine.c: set-up, lanes and the
 * synchronous API; engine_plan.c: planning; engine_apply.c: leases and
 * applies; reconcile.c: the daemon's reconcile of one service).  Not for
 * callers of the engine: they use engine.h.
 */
struct apply;
struct engine_plan_op;
struct dcos_client;
struct http_loop;
struct lease_set;

/*
 * A lane: where one run of the engine at a time makes its requests.  Its
 * own HTTP loop (connections, queue, pending count) and client on the
 * engine's libev loop, so that runs on different lanes are independent:
 * one finishing does not wait for another's requests, and cancelling one
 * cancels nothing of the others.  The engine's main lane is what the
 * synchronous API uses.
 */
struct engine_lane {
    struct engine *eng;
    struct http_loop *loop;
    struct dcos_client *client;
    struct observe_cluster cluster; /* the CA, read once per lane */
    struct lease_set *leases;       /* held since a lock, or NULL */
    struct apply *running;          /* the apply in progress, or NULL */
    struct engine_plan_op *planning; /* the plan in progress, or NULL */
    bool cancelled;                 /* engine_lane_cancel was called */
};

struct engine {
    struct engine_options o;
    struct ev_loop *ev;
    struct engine_lane main;
    char *holder;               /* how our leases describe us */
    engine_signal_fn on_signal; /* the signal hook, or NULL */
    void *signal_payload;
    ev_signal sig_int;
    ev_signal sig_term;
};

/*
 * Set up @lane (zeroed) of @eng: its HTTP loop and client.  0, or a
 * negative err with @e set.
 */
int engine_lane_init(struct engine *eng, struct engine_lane *lane,
                     struct err_info *e);

/* Free what @lane holds (requests still out are cancelled first). */
void engine_lane_clear(struct engine_lane *lane);

/* Does @p write (any change; a FAIL plan is refused before writing)? */
bool engine_plan_writes(const struct model_plan *p);

/* The checks of an apply before anything starts (apply_check), reporting
 * refused actions to the engine's sink.  0 or ERR_INVALID. */
int engine_apply_check(struct engine *eng, const struct model_plan *plans,
                       size_t n, struct err_info *e);

/* engine_apply_start without the checks (done by the caller). */
int engine_apply_run(struct engine_lane *lane, struct model_plan *plans,
                     size_t n, engine_apply_fn done, void *payload,
                     struct err_info *e);

/* Cancel the plan in progress @op (NULL: none): its wave ends on the
 * loop's next pass and the plan fails with "cancelled". */
void engine_plan_cancel(struct engine_plan_op *op);

#endif
