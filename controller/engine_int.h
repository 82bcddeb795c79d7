#ifndef ETLS_CONTROLLER_ENGINE_INT_H
#define ETLS_CONTROLLER_ENGINE_INT_H

#include <stdbool.h>

#include <ev.h>

#include "common/secret.h"
#include "controller/engine_types.h"
#include "controller/observe.h"

/*
 * What the files of the engine share (engine.c: set-up, lanes and the
 * synchronous API; engine_plan.c: planning; engine_apply.c: leases and
 * applies; reconcile.c: the daemon's reconcile of one service).  Not for
 * callers of the engine: they use engine.h.
 */
struct apply;
struct engine_keys;
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
    struct engine_keys *keys;   /* speculative key pairs, or NULL */
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

/*
 * Speculative key pairs (engine_keys.c): made on worker threads of their
 * own HTTP loop on @ev, so that no lane waits for them.  0 or a negative
 * err.  engine_keys_free wipes every pair not taken (accepts NULL).
 */
int engine_keys_new(struct engine_keys **out, struct ev_loop *ev);
void engine_keys_free(struct engine_keys *k);

/* Start one key pair for @service unless one is made or being made and
 * not taken (@k NULL: nothing). */
void engine_keys_speculate(struct engine_keys *k, const char *service);

/* After an observation of @d (@obs per service): speculate for each
 * service whose account is missing, when @eng speculates at all. */
void engine_keys_observed(struct engine *eng, const struct model_desired *d,
                          const struct model_observed *obs);

/*
 * Take the pair of @service: 0 when there is one (then @done runs exactly
 * once with it, at once when it is made, else when it is; the callback
 * owns the pair), ERR_NOTFOUND when there is none.
 */
int engine_keys_take(struct engine_keys *k, const char *service,
                     void (*done)(int status, struct secret *priv,
                                  char *pub, void *payload),
                     void *payload);

/* Wipe the pair of @service nobody took (@k NULL: nothing). */
void engine_keys_discard(struct engine_keys *k, const char *service);

/* How many pairs @k started (0 for NULL). */
unsigned long engine_keys_started(const struct engine_keys *k);

/* Cancel the plan in progress @op (NULL: none): its wave ends on the
 * loop's next pass and the plan fails with "cancelled". */
void engine_plan_cancel(struct engine_plan_op *op);

#endif
