#ifndef ETLS_CONTROLLER_EXEC_CTX_H
#define ETLS_CONTROLLER_EXEC_CTX_H

#include <stdbool.h>
#include <stddef.h>

#include <ev.h>

#include "common/secret.h"
#include "controller/report.h"
#include "model/plan.h"

/*
 * The runtime behind controller/executor.h, as the scheduler (apply.c)
 * sees it: one record per action of a plan, grouped per service, sharing
 * one host (the engine's loop, client and settings).  exec_ctx.c
 * implements executor.h on these records; apply.c decides when each
 * action starts.
 */
struct dcos_client;
struct http_loop;
struct executor_ops;

enum exec_state {
    EXEC_WAITING = 0,
    EXEC_RUNNING,
    EXEC_DONE,
    EXEC_FAILED,
    EXEC_SKIPPED
};

/* What every action of an apply shares (borrowed from the engine). */
struct exec_host {
    struct ev_loop *ev;
    struct http_loop *loop;
    struct dcos_client *client;
    const char *ca_pem;
    double rollout_timeout;
    double verify_window;
    double retry_window;     /* bound of an action's transient retries */
    const struct report_sink *report;
    bool cancelled;          /* no waits or backoffs any more */
    bool timed_out;          /* ... because the time limit passed */
    /*
     * Hand the key pair made in advance for @service to @done (exactly
     * once; 0), or ERR_NOTFOUND when there is none; NULL: never one.
     */
    int (*key_take)(void *payload, const char *service,
                    void (*done)(int status, struct secret *priv, char *pub,
                                 void *arg),
                    void *arg);
    void *key_take_payload;
};

struct exec_service;

struct exec_ctx {
    struct exec_service *svc;
    size_t idx;
    enum exec_state st;
    const struct executor_ops *ops;
    void *state;              /* ops->state_size bytes while running */
    unsigned tries;           /* exec_retry and exec_try_again */
    double failing_since;     /* first transient failure, 0: none yet */
    bool stopped;             /* failed because the apply was cancelled */
    double started;
    bool sleeping;
    ev_timer timer;           /* exec_sleep */
    void (*wake)(struct exec_ctx *x);
    struct secret *key_priv;  /* MODEL_OUTPUT_KEY_PAIR */
    char *key_pub;
};

/* One plan being applied. */
struct exec_service {
    struct exec_host *host;
    struct model_plan *plan;
    struct exec_ctx *acts;    /* one per plan action */
    bool failed;
    char error[320];          /* the first failure, one line */
    size_t added, changed, destroyed;
};

/*
 * Set up @s for @plan: one WAITING record per action.  0 or ERR_NOMEM
 * (then exec_service_clear frees what was made).
 */
int exec_service_init(struct exec_service *s, struct exec_host *host,
                      struct model_plan *plan);

/* Free the records of @s (timers stopped, states and key pairs wiped). */
void exec_service_clear(struct exec_service *s);

/*
 * Start the WAITING action @x with executor @ops: RUNNING, reported, then
 * ops->start.  It may end before this returns.
 */
void exec_ctx_start(struct exec_ctx *x, const struct executor_ops *ops);

/* Fail the WAITING action @x without starting it, @why saying why. */
void exec_ctx_refuse(struct exec_ctx *x, const char *why);

/* End the waits and backoffs of a running action after a cancel. */
void exec_ctx_cancel(struct exec_ctx *x);

#endif
