#ifndef ETLS_CONTROLLER_ENGINE_H
#define ETLS_CONTROLLER_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/err.h"
#include "common/secret.h"
#include "controller/engine_types.h"
#include "controller/report.h"
#include "model/desired.h"
#include "model/observed.h"
#include "model/plan.h"

/*
 * The engine: observe -> plan -> apply -> wait -> verify, per service.  It
 * performs every HTTP call through dcos/ (on one libev loop it owns), feeds
 * the answers to the pure reconcilers, and executes plans through the
 * executors of controller/exec/.  It takes its settings from struct
 * engine_options (engine_types.h), built by the CLI
 * (cli_engine_options) and by the daemon; it prints nothing itself:
 * everything people should see goes through the report sink.
 *
 * Underneath, every step is asynchronous on the engine's libev loop
 * (engine_loop): a step starts, the loop runs, a callback says how it
 * ended.  The synchronous functions (engine_plan, engine_lock,
 * engine_apply, engine_unlock) start a step on the engine's main lane and
 * run the loop until it ended; they are for the CLI, never to be called
 * from a callback of the loop.  The daemon uses the asynchronous API at
 * the end of this file: one lane per service, a reconcile per lane, many
 * at once on the one loop.
 */
struct engine;
struct engine_lane;

/*
 * Connect to the cluster described by @o and log in when credentials are
 * given.  @o is copied (what it points to is borrowed).  Returns 0 and
 * sets *@out (new), or a negative enum err with @e set to one clear line.
 */
int engine_new(struct engine **out, const struct engine_options *o,
               struct err_info *e);

/* Free; accepts NULL.  Must not be called while engine_apply runs. */
void engine_free(struct engine *eng);

/* The cluster URL (borrowed). */
const char *engine_cluster_url(const struct engine *eng);

/*
 * Observe every service of @d (concurrently, with bounded connections) and
 * plan.  Makes no write request.  On success returns 0 and sets *@plans_out
 * to a new array of d->n_services plans (free each with model_plan_clear,
 * then the array).  On failure returns a negative enum err with @e set.
 */
int engine_plan(struct engine *eng, const struct model_desired *d,
                struct model_plan **plans_out, struct err_info *e);

/*
 * engine_plan(), also handing out what observation saw (the input of the
 * plans, e.g. for a fingerprint of a saved plan): on success
 * *@observed_out is a new array of d->n_services observations, in the
 * order of @d (free each with model_observed_clear, then the array).
 */
int engine_plan_observed(struct engine *eng, const struct model_desired *d,
                         struct model_plan **plans_out,
                         struct model_observed **observed_out,
                         struct err_info *e);

/* The cluster CA bundle read by the last observation (borrowed), or NULL
 * before the first. */
const char *engine_cluster_ca(const struct engine *eng);


/* Install @fn (NULL: none; engine_types.h) with @payload as the signal
 * hook of @eng. */
void engine_on_signal(struct engine *eng, engine_signal_fn fn,
                      void *payload);

/*
 * Execute the @n @plans in dependency order, independent actions and
 * services concurrently, reporting each action as it runs, then the
 * summary.  Each plan is the whole contract: nothing else is read.  A plan
 * with a FAIL action is refused before anything is written.  Writes happen
 * only under the service's lease: taken here when engine_lock did not
 * (then released at the end), refreshed first, and checked before every
 * action that writes.  Returns 0
 * only when every service converged and verified; otherwise ERR_* with @e
 * saying what is left (ERR_TIMEOUT when the whole apply ran out of time).
 */
int engine_apply(struct engine *eng, struct model_plan *plans, size_t n,
                 struct err_info *e);

/*
 * Take the leases of every service whose plan changes the cluster (plans
 * made by engine_plan), waiting up to lock_timeout for leases others hold;
 * they are renewed on the engine's loop until engine_unlock.  Plan again
 * after this: what was planned before may have changed.  Returns 0,
 * ERR_CONFLICT when a service stayed locked by another etls (@e names the
 * holder and how to proceed), or another negative err; nothing is held
 * after a failure.
 */
int engine_lock(struct engine *eng, const struct model_plan *plans,
                size_t n, struct err_info *e);

/* Release the leases taken by engine_lock (bounded); a no-op without. */
void engine_unlock(struct engine *eng);

/*
 * Delete the lease of service @name whoever holds it (etls force-unlock).
 * Sets *@holder_out to who held it (new string) or NULL when nobody did.
 */
int engine_force_unlock(struct engine *eng, const char *name,
                        char **holder_out, struct err_info *e);

/*
 * Stop the running apply (callable from a callback of its loop, e.g. a
 * signal watcher): no action starts any more, waits and polls end, and the
 * requests in flight finish.  engine_apply then returns ERR_INVALID with
 * the actions left reported.  A no-op when nothing runs.
 */
void engine_cancel(struct engine *eng);

/*
 * Call @fn(event, @payload) for every HTTP attempt of @eng's clients, the
 * main lane's and every lane made after this (@fn NULL: none); the same
 * as engine_options.on_request.
 */
void engine_set_request_observer(struct engine *eng, dcos_observer_fn fn,
                                 void *payload);

/* ---- the asynchronous API ---- */

/* The engine's libev loop (borrowed), where callers may add watchers. */
struct ev_loop *engine_loop(struct engine *eng);

/*
 * A new lane of @eng (engine_int.h): its own connections and pending
 * requests on the engine's loop, its own leases.  One operation at a time
 * runs on a lane.  Returns 0 and sets *@out (free with engine_lane_free),
 * or a negative err with @e set.
 */
int engine_lane_new(struct engine *eng, struct engine_lane **out,
                    struct err_info *e);

/* Free @lane; accepts NULL.  Nothing may run on it (cancel and wait for
 * the callback first). */
void engine_lane_free(struct engine_lane *lane);

/*
 * Start observing every service of @d on @lane and planning (read-only,
 * as engine_plan).  @d must outlive the plan.  @done runs once, on the
 * loop, never from here.  Returns 0, or a negative err (@e set; @done is
 * then not called).
 */
int engine_plan_start(struct engine_lane *lane, const struct model_desired *d,
                      bool want_observed, engine_plan_fn done, void *payload,
                      struct err_info *e);

/*
 * Start taking, on @lane, the leases of the @n @plans that write (waiting
 * up to lock_timeout for leases others hold).  @plans are read now only.
 * @done runs once, on the loop, never from here.  Returns 0, or a negative
 * err (@e set; @done not called).
 */
int engine_lock_start(struct engine_lane *lane,
                      const struct model_plan *plans, size_t n,
                      engine_lock_fn done, void *payload, struct err_info *e);

/* Release the leases of @lane (bounded), then call @done(@payload) (may
 * be NULL) on the loop; with no lease held it is called on the loop's
 * next pass. */
void engine_unlock_start(struct engine_lane *lane, void (*done)(void *),
                         void *payload);

/* true while @lane holds the lease of service @name. */
bool engine_lane_holds(const struct engine_lane *lane, const char *name);

/*
 * Start applying the @n @plans on @lane, under the leases @lane holds
 * (engine_lock_start first for any plan that writes: an action that
 * writes without its lease held fails).  @plans must outlive the apply.
 * A plan with a FAIL action is refused before anything starts (@done is
 * then not called: the error is returned).  @done runs once, on the loop,
 * never from here.  Returns 0 or a negative err (@e set).
 */
int engine_apply_start(struct engine_lane *lane, struct model_plan *plans,
                       size_t n, engine_apply_fn done, void *payload,
                       struct err_info *e);

/*
 * Cancel what runs on @lane: a plan ends at once (its reads are
 * cancelled: ERR_CANCELLED... reported as ERR_INVALID "cancelled"); an
 * apply starts nothing more, its waits end and the requests in flight
 * finish (as engine_cancel).  The callback still runs, on the loop.
 */
void engine_lane_cancel(struct engine_lane *lane);

/*
 * Stop @lane at once: every request still out is cancelled (an apply's
 * write may then have happened or not).  For a shutdown whose grace
 * period is over, after engine_lane_cancel.
 */
void engine_lane_abort(struct engine_lane *lane);

/*
 * Close the connections @lane keeps for reuse, soon (http_loop_close_idle),
 * unless a request runs on it by then.  For a lane that will sit idle: a
 * daemon's lanes between resyncs hold no socket, however many services.
 * Accepts NULL.
 */
void engine_lane_idle(struct engine_lane *lane);

/* engine_lane_idle on @eng's main lane (the synchronous API's). */
void engine_idle(struct engine *eng);

#endif
