/*
 * The runtime of one action (exec_ctx.h): everything controller/executor.h
 * promises an executor, on the records the scheduler (apply.c) keeps.
 */
#include "controller/exec_ctx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "controller/executor.h"
#include "dcos/keys.h"

/* Backoff of exec_retry: 2 s doubling to 32 s. */
#define RETRY_DELAY 2.0
#define RETRY_SHIFT_MAX 4u

static struct model_action *action_of(const struct exec_ctx *x)
{
    return &x->svc->plan->actions[x->idx];
}

static const struct report_ops *rops(const struct exec_ctx *x)
{
    const struct report_sink *s = x->svc->host->report;

    return s ? s->ops : NULL;
}

static void *rpayload(const struct exec_ctx *x)
{
    return x->svc->host->report->payload;
}

/* End the action because the apply was cancelled or ran out of time. */
static void stop(struct exec_ctx *x)
{
    x->stopped = !x->svc->host->timed_out;
    exec_fail(x, "%s", x->svc->host->timed_out
                           ? "apply did not finish in time"
                           : "cancelled");
}

/* --- exec_ctx: what executors read --- */

const struct model_action *exec_action(const struct exec_ctx *x)
{
    return action_of(x);
}

const struct model_plan *exec_plan(const struct exec_ctx *x)
{
    return x->svc->plan;
}

void *exec_state(struct exec_ctx *x)
{
    return x->state;
}

struct dcos_client *exec_client(struct exec_ctx *x)
{
    return x->svc->host->client;
}

struct http_loop *exec_loop(struct exec_ctx *x)
{
    return x->svc->host->loop;
}

const char *exec_ca_pem(const struct exec_ctx *x)
{
    return x->svc->host->ca_pem;
}

double exec_rollout_timeout(const struct exec_ctx *x)
{
    return x->svc->host->rollout_timeout;
}

double exec_verify_window(const struct exec_ctx *x)
{
    return x->svc->host->verify_window;
}

double exec_elapsed(const struct exec_ctx *x)
{
    return util_now_mono() - x->started;
}

size_t exec_index(const struct exec_ctx *x)
{
    return x->idx;
}

/* --- exec_ctx: outcomes --- */

static void state_clear(struct exec_ctx *x)
{
    if (x->state && x->ops && x->ops->clear)
        x->ops->clear(x->state);
    if (x->state)
        memset(x->state, 0, x->ops->state_size);
}

/* End the running action @x in state @st: timers, state and counters. */
static void finish(struct exec_ctx *x, enum exec_state st)
{
    if (x->sleeping)
        ev_timer_stop(x->svc->host->ev, &x->timer);
    x->sleeping = false;
    state_clear(x);
    free(x->state);
    x->state = NULL;
    x->st = st;
}

void exec_done(struct exec_ctx *x)
{
    struct model_action *a = action_of(x);
    struct exec_service *s = x->svc;
    double secs = exec_elapsed(x);

    if (x->st != EXEC_RUNNING)
        return;
    finish(x, EXEC_DONE);
    LOG(LOG_DEBUG, "apply", "%s: %s done after %.3fs", a->address,
        model_op_name(a->op), secs);
    switch (a->change) {
    case MODEL_CHANGE_CREATE: s->added++; break;
    case MODEL_CHANGE_UPDATE: s->changed++; break;
    case MODEL_CHANGE_REPLACE: s->added++; s->destroyed++; break;
    case MODEL_CHANGE_DELETE: s->destroyed++; break;
    case MODEL_CHANGE_NOOP:
    case MODEL_CHANGE_READ: break;
    }
    if (rops(x) && rops(x)->action_done)
        rops(x)->action_done(rpayload(x), s->plan, a, secs);
}

static void vfail(struct exec_ctx *x, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void vfail(struct exec_ctx *x, const char *fmt, va_list ap)
{
    struct model_action *a = action_of(x);
    struct exec_service *s = x->svc;
    char msg[400];

    if (x->st != EXEC_RUNNING)
        return;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    finish(x, EXEC_FAILED);
    LOG(LOG_WARN, "apply", "%s: %s failed", a->address,
        model_op_name(a->op));
    if (rops(x) && rops(x)->action_failed)
        rops(x)->action_failed(rpayload(x), s->plan, a, msg);
    if (!s->failed) {
        s->failed = true;
        snprintf(s->error, sizeof(s->error), "%s: %.250s", a->address,
                 msg);
    }
}

void exec_fail(struct exec_ctx *x, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfail(x, fmt, ap);
    va_end(ap);
}

void exec_check(struct exec_ctx *x, int r, const char *what)
{
    if (r)
        exec_fail(x, "cannot send %s: %s", what, err_name(r));
}

static void on_timer(struct ev_loop *ev, ev_timer *w, int revents)
{
    struct exec_ctx *x = w->data;
    exec_fn wake = x->wake;

    (void)ev;
    (void)revents;
    x->sleeping = false;
    if (x->svc->host->cancelled) {
        stop(x);
        return;
    }
    wake(x);
}

void exec_sleep(struct exec_ctx *x, double seconds, exec_fn wake)
{
    struct ev_loop *ev = x->svc->host->ev;

    if (x->st != EXEC_RUNNING)
        return;
    if (x->svc->host->cancelled) {
        stop(x);
        return;
    }
    if (x->sleeping)
        ev_timer_stop(ev, &x->timer);
    x->wake = wake;
    x->sleeping = true;
    ev_timer_set(&x->timer, seconds > 0 ? seconds : 0., 0.);
    ev_timer_start(ev, &x->timer);
}

bool exec_try_again(struct exec_ctx *x)
{
    if (x->tries >= EXEC_MAX_RETRIES)
        return false;
    x->tries++;
    return true;
}

static void restart_attempt(struct exec_ctx *x)
{
    x->ops->start(x);
}

void exec_retry(struct exec_ctx *x, const struct err_info *err,
                const char *what)
{
    double now = util_now_mono(), window = x->svc->host->retry_window;
    unsigned shift = x->tries < RETRY_SHIFT_MAX ? x->tries : RETRY_SHIFT_MAX;
    double delay = RETRY_DELAY * (double)(1u << shift);

    if (err_is_retryable(err->code) && !x->failing_since)
        x->failing_since = now;
    /* Within the window from the first failure, backoff included. */
    if (err_is_retryable(err->code) && !x->svc->host->cancelled &&
        x->tries < EXEC_MAX_RETRIES &&
        (window <= 0 || now - x->failing_since + delay <= window)) {
        x->tries++;
        exec_note(x, "transient failure (%s); retrying in %.0fs", err->text,
                  delay);
        state_clear(x);
        exec_sleep(x, delay, restart_attempt);
        return;
    }
    if (x->failing_since && err_is_retryable(err->code))
        exec_fail(x, "%s%s%s (still failing after %.0fs of retries)",
                  what ? what : "", what ? ": " : "", err->text,
                  now - x->failing_since);
    else if (what)
        exec_fail(x, "%s: %s", what, err->text);
    else
        exec_fail(x, "%s", err->text);
}

/* --- exec_ctx: reporting and outputs --- */

void exec_note(struct exec_ctx *x, const char *fmt, ...)
{
    char line[600];
    va_list ap;

    if (!rops(x) || !rops(x)->action_note)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    rops(x)->action_note(rpayload(x), x->svc->plan, action_of(x), line);
}

void exec_waiting(struct exec_ctx *x, const struct report_wait *w)
{
    if (rops(x) && rops(x)->action_waiting)
        rops(x)->action_waiting(rpayload(x), x->svc->plan, action_of(x), w);
}

void exec_verified(struct exec_ctx *x, const struct report_verified *v)
{
    if (rops(x) && rops(x)->verified)
        rops(x)->verified(rpayload(x), v);
}

struct keygen_req {
    struct exec_ctx *x;
    exec_fn next;
};

static void on_keygen(int status, struct secret *priv, char *pub,
                      void *payload)
{
    struct keygen_req *k = payload;
    struct exec_ctx *x = k->x;
    exec_fn next = k->next;

    free(k);
    if (status) {
        secret_free(priv);
        free(pub);
        exec_fail(x, "key generation failed: %s", err_name(status));
        return;
    }
    secret_free(x->key_priv);
    free(x->key_pub);
    x->key_priv = priv;
    x->key_pub = pub;
    if (x->st == EXEC_RUNNING)
        next(x);
}

void exec_key_pair_make(struct exec_ctx *x, exec_fn next)
{
    struct keygen_req *k;
    int r;

    /* A retry keeps the key pair generated by the first attempt. */
    if (x->key_pub) {
        next(x);
        return;
    }
    k = malloc(sizeof(*k));
    if (!k) {
        exec_fail(x, "out of memory");
        return;
    }
    k->x = x;
    k->next = next;
    exec_note(x, "Generating an RSA-2048 key pair...");
    r = ERR_NOTFOUND;
    if (x->svc->host->key_take)
        r = x->svc->host->key_take(x->svc->host->key_take_payload,
                                   x->svc->plan->service, on_keygen, k);
    if (r)
        r = dcos_keygen_async(x->svc->host->loop, on_keygen, k);
    if (r) {
        free(k);
        exec_fail(x, "cannot generate a key pair: %s", err_name(r));
    }
}

const struct secret *exec_key_pair_private(const struct exec_ctx *x,
                                           size_t producer)
{
    if (producer >= x->svc->plan->n_actions)
        return NULL;
    return x->svc->acts[producer].key_priv;
}

const char *exec_key_pair_public(const struct exec_ctx *x, size_t producer)
{
    if (producer >= x->svc->plan->n_actions)
        return NULL;
    return x->svc->acts[producer].key_pub;
}

/* --- the scheduler's side --- */

int exec_service_init(struct exec_service *s, struct exec_host *host,
                      struct model_plan *plan)
{
    size_t j;

    memset(s, 0, sizeof(*s));
    s->host = host;
    s->plan = plan;
    s->acts = calloc(plan->n_actions + 1, sizeof(*s->acts));
    if (!s->acts)
        return ERR_NOMEM;
    for (j = 0; j < plan->n_actions; j++) {
        s->acts[j].svc = s;
        s->acts[j].idx = j;
        ev_timer_init(&s->acts[j].timer, on_timer, 0., 0.);
        s->acts[j].timer.data = &s->acts[j];
    }
    return 0;
}

void exec_service_clear(struct exec_service *s)
{
    size_t j;

    for (j = 0; s->acts && j < s->plan->n_actions; j++) {
        struct exec_ctx *x = &s->acts[j];

        if (x->sleeping)
            ev_timer_stop(s->host->ev, &x->timer);
        state_clear(x);
        free(x->state);
        secret_free(x->key_priv);
        free(x->key_pub);
    }
    free(s->acts);
    s->acts = NULL;
}

void exec_ctx_start(struct exec_ctx *x, const struct executor_ops *ops)
{
    struct model_action *a = action_of(x);

    x->ops = ops;
    x->st = EXEC_RUNNING;
    x->started = util_now_mono();
    LOG(LOG_DEBUG, "apply", "%s: %s starts", a->address,
        model_op_name(a->op));
    if (ops->state_size) {
        x->state = calloc(1, ops->state_size);
        if (!x->state) {
            exec_fail(x, "out of memory");
            return;
        }
    }
    if (rops(x) && rops(x)->action_start)
        rops(x)->action_start(rpayload(x), x->svc->plan, a);
    ops->start(x);
}

void exec_ctx_refuse(struct exec_ctx *x, const char *why)
{
    x->st = EXEC_RUNNING;
    x->started = util_now_mono();
    exec_fail(x, "%s", why);
}

void exec_ctx_cancel(struct exec_ctx *x)
{
    if (x->st == EXEC_RUNNING && x->sleeping)
        stop(x);
}
