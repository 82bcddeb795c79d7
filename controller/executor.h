#ifndef ETLS_CONTROLLER_EXECUTOR_H
#define ETLS_CONTROLLER_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "common/secret.h"
#include "model/plan.h"

/*
 * Executors: one per resource, mirroring the reconcilers
 * (controller/exec/<resource>.c, registered in controller/exec/registry.c).
 * An executor turns one planned action into DC/OS API calls.  It reads only
 * the action's typed parameters and its plan, never desired or observed
 * state, and it knows nothing of scheduling: the scheduler in
 * controller/apply.c (which implements everything declared here) starts an
 * action when its dependencies are done and gives it an exec_ctx, the
 * handle to everything below.
 *
 * Contract: start() begins the action; from then on, every callback chain
 * of the action ends in exactly one of exec_done(), exec_fail(),
 * exec_retry() or exec_sleep() (or submits a request whose callback does).
 * After exec_done()/exec_fail() the action's state is freed: touch nothing
 * of it afterwards.
 */
struct exec_ctx;
struct dcos_client;
struct http_loop;
struct report_verified;
struct report_wait;

typedef void (*exec_fn)(struct exec_ctx *x);

#define EXECUTOR_OPS_VERSION 1

struct executor_ops {
    unsigned version;     /* EXECUTOR_OPS_VERSION */
    enum model_op op;
    size_t state_size;    /* bytes of per-attempt state (exec_state),
                             zeroed before every start */
    /* Begin the action, or begin it again after exec_retry(). */
    void (*start)(struct exec_ctx *x);
    /* Free what the state holds (not the state itself); may be NULL. */
    void (*clear)(void *state);
};

/* --- what an executor reads (all borrowed) --- */

const struct model_action *exec_action(const struct exec_ctx *x);
const struct model_plan *exec_plan(const struct exec_ctx *x);
/* The executor's state: state_size zeroed bytes, NULL when 0. */
void *exec_state(struct exec_ctx *x);
struct dcos_client *exec_client(struct exec_ctx *x);
struct http_loop *exec_loop(struct exec_ctx *x);
/* The cluster CA bundle (PEM) read when the engine observed, or NULL. */
const char *exec_ca_pem(const struct exec_ctx *x);
/* Bound of a rollout wait, seconds. */
double exec_rollout_timeout(const struct exec_ctx *x);
/* How long the HTTPS check retries a service that is not ready, s. */
double exec_verify_window(const struct exec_ctx *x);
/* Seconds since the action (this attempt) started. */
double exec_elapsed(const struct exec_ctx *x);

/* --- outcomes --- */

/* The action succeeded. */
void exec_done(struct exec_ctx *x);

/* The action failed for good; @fmt gives one line saying why. */
void exec_fail(struct exec_ctx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * A request failed with @err.  Transient failures (err_is_retryable)
 * start the action over after an exponential backoff, a bounded number of
 * times (every action is idempotent: creates check a 409, writes repeat
 * the same value); anything else fails the action, the message prefixed
 * with @what when not NULL.
 */
void exec_retry(struct exec_ctx *x, const struct err_info *err,
                const char *what);

/* Fail the action when a request could not even be submitted (@r != 0). */
void exec_check(struct exec_ctx *x, int r, const char *what);

/*
 * Call @wake in @seconds (a poll, or a bounded retry of the executor's
 * own).  A cancelled run fails the action instead of waking it.
 */
void exec_sleep(struct exec_ctx *x, double seconds, exec_fn wake);

/*
 * Count one more attempt of the executor's own retries (a busy app, a
 * 409 that turns a PUT into a PATCH, ...).  Returns true while attempts
 * are left (at most EXEC_MAX_RETRIES per action).
 */
bool exec_try_again(struct exec_ctx *x);

#define EXEC_MAX_RETRIES 20u

/* --- reporting --- */

/* A progress line of the action (printf-style, one line). */
void exec_note(struct exec_ctx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The action still waits (a heartbeat, report.h action_waiting). */
void exec_waiting(struct exec_ctx *x, const struct report_wait *w);

/* The HTTPS check of the plan's service passed with @v. */
void exec_verified(struct exec_ctx *x, const struct report_verified *v);

/* --- outputs handed between actions --- */

/*
 * Make this action's key pair (its MODEL_OUTPUT_KEY_PAIR: RSA-2048, on a
 * worker thread) unless an earlier attempt of the action made it, then
 * call @next; a failure fails the action.  The pair is kept until the
 * apply ends, for the actions whose key_from names this one.
 */
void exec_key_pair_make(struct exec_ctx *x, exec_fn next);

/*
 * The key pair made by action @producer of the same plan (this action's
 * own index for the producer itself), or NULL for both when none was
 * made.  Borrowed until the apply ends.
 */
const struct secret *exec_key_pair_private(const struct exec_ctx *x,
                                           size_t producer);
const char *exec_key_pair_public(const struct exec_ctx *x, size_t producer);

/* The index of the action in its plan. */
size_t exec_index(const struct exec_ctx *x);

#endif
