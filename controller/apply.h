#ifndef ETLS_CONTROLLER_APPLY_H
#define ETLS_CONTROLLER_APPLY_H

#include <stddef.h>

#include "common/err.h"
#include "common/secret.h"
#include "controller/report.h"
#include "model/plan.h"

/*
 * The scheduler of an apply: runs the actions of a set of plans through
 * their executors (controller/exec/registry.h) as soon as their
 * dependencies are done, on the engine's libev loop, and implements the
 * exec_ctx interface of controller/executor.h.  It knows no resource.
 */
struct ev_loop;
struct http_loop;
struct dcos_client;
struct apply;

/* What the engine lends an apply (borrowed). */
struct apply_env {
    struct ev_loop *ev;
    struct http_loop *loop;
    struct dcos_client *client;
    const char *ca_pem;          /* cluster CA bundle, or NULL */
    double rollout_timeout;      /* seconds per rollout wait */
    double verify_window;        /* seconds of HTTPS check retries */
    double retry_window;         /* seconds an action retries transient
                                    failures (from the first one) */
    double time_limit;           /* seconds for the whole apply */
    const struct report_sink *report;
    /*
     * Whether this process may write for service @name now (its lease is
     * held); NULL: always.  Asked before every action that writes.
     */
    bool (*may_write)(void *payload, const char *name);
    void *may_write_payload;
    /* A key pair made in advance for @service (exec_host.key_take); NULL:
     * none. */
    int (*key_take)(void *payload, const char *service,
                    void (*done)(int status, struct secret *priv, char *pub,
                                 void *arg),
                    void *arg);
    void *key_take_payload;
};

/*
 * Check @plans before anything is written: ERR_INVALID (@e says why) for
 * plans holding a FAIL action (each is reported through @report's
 * refused hook, which may be NULL) and for inconsistent plans (an op
 * without executor, a key pair taken from an action that does not make
 * one or that it does not wait for); else 0.
 */
int apply_check(const struct model_plan *plans, size_t n,
                const struct report_sink *report, struct err_info *e);

/*
 * The end of an apply: @r 0 when every action of every plan is done;
 * ERR_INVALID when a service did not converge or the apply was cancelled;
 * ERR_TIMEOUT after env->time_limit (then @sum is NULL); @e says what is
 * left.  @sum (borrowed for the callback; also given to the report sink)
 * says how each service and action ended.
 */
typedef void (*apply_done_fn)(int r, const struct err_info *e,
                              const struct report_summary *sum,
                              void *payload);

/*
 * Start running @plans, which passed apply_check, on env->ev: each action
 * as soon as its dependencies are done, all independent ones at once.
 * @plans and what @env points to must outlive the apply.  @done(...,
 * @payload) runs once, on the loop (never from here), when nothing is
 * left to start and no request of the apply is pending on env->loop;
 * then the apply is freed.  Until then *@out may be given to apply_cancel.
 * Returns 0, or ERR_NOMEM (@done is then not called).
 */
int apply_start(const struct apply_env *env, struct model_plan *plans,
                size_t n, apply_done_fn done, void *payload,
                struct apply **out, struct err_info *e);

/* Cancel @a (see engine_cancel).  Accepts NULL. */
void apply_cancel(struct apply *a);

#endif
