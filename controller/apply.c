/*
 * The scheduler of an apply (apply.h).  Every action is a record
 * (exec_ctx.h): WAITING until its dependencies are done, RUNNING while its
 * executor works (requests, polls and backoffs on the loop), then DONE or
 * FAILED; actions that can no longer run (a dependency failed, the service
 * failed, the apply was cancelled) are SKIPPED.  The scheduler starts every
 * ready action the moment the loop returns from the callbacks that
 * completed its dependencies: independent actions and services run
 * concurrently.  The whole apply is bounded by a hard time limit.
 */
#include "controller/apply.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "controller/await.h"
#include "controller/exec/registry.h"
#include "controller/exec_ctx.h"
#include "dcos/loop.h"

struct apply {
    struct exec_host host;
    bool (*may_write)(void *payload, const char *name);
    void *may_write_payload;
    struct exec_service *svcs;
    size_t n;
    ev_timer limit;
    enum report_outcome **outs;   /* the summary's, per service */
    struct report_service *rs;
    struct await idle;          /* nothing to start, nothing pending */
    apply_done_fn done;
    void *payload;
};

/* Is @x ready (1), blocked for good (-1) or still waiting (0)? */
static int readiness(const struct exec_ctx *x)
{
    const struct model_action *a = &x->svc->plan->actions[x->idx];
    int ready = 1;
    size_t k;

    for (k = 0; k < a->n_deps; k++) {
        enum exec_state ds = x->svc->acts[a->deps[k]].st;

        if (ds == EXEC_FAILED || ds == EXEC_SKIPPED)
            return -1;
        if (ds != EXEC_DONE)
            ready = 0;
    }
    return ready;
}

/* May the action @a of service @s write now? */
static bool allowed(const struct apply *run, const struct exec_service *s,
                    const struct model_action *a)
{
    if (a->change == MODEL_CHANGE_READ || a->change == MODEL_CHANGE_NOOP ||
        !run->may_write)
        return true;
    return run->may_write(run->may_write_payload, s->plan->service);
}

/*
 * Start every ready action, skip those that can no longer run.  Returns
 * true while any action waits or runs.
 */
static bool pump(struct apply *run)
{
    bool busy = false, again = true;
    size_t i, j;

    /* Actions that end at once (a submit failure) may unblock others. */
    while (again) {
        again = false;
        busy = false;
        for (i = 0; i < run->n; i++) {
            struct exec_service *s = &run->svcs[i];

            for (j = 0; j < s->plan->n_actions; j++) {
                struct exec_ctx *x = &s->acts[j];
                int ready;

                if (x->st == EXEC_RUNNING)
                    busy = true;
                if (x->st != EXEC_WAITING)
                    continue;
                ready = readiness(x);
                if (ready < 0 || s->failed || run->host.cancelled) {
                    x->st = EXEC_SKIPPED;
                    continue;
                }
                busy = true;
                if (ready == 0)
                    continue;
                if (!allowed(run, s, &s->plan->actions[j]))
                    exec_ctx_refuse(x, "the lease of the service is not "
                                       "held any more (lost or lapsed); "
                                       "nothing more is written");
                else
                    exec_ctx_start(x, executor_find(s->plan->actions[j].op));
                if (x->st != EXEC_RUNNING)
                    again = true;
            }
        }
    }
    return busy;
}

int apply_check(const struct model_plan *plans, size_t n,
                const struct report_sink *rs, struct err_info *e)
{
    int r = 0;
    size_t i, j;

    for (i = 0; i < n; i++) {
        const struct model_plan *p = &plans[i];

        for (j = 0; j < p->n_actions; j++) {
            const struct model_action *a = &p->actions[j];

            if (a->op == MODEL_OP_FAIL) {
                if (rs && rs->ops->refused)
                    rs->ops->refused(rs->payload, p, a);
                r = err_set(e, ERR_INVALID,
                            "nothing was changed: the plan cannot be "
                            "applied");
            }
        }
    }
    for (i = 0; r == 0 && i < n; i++) {
        const struct model_plan *p = &plans[i];

        for (j = 0; r == 0 && j < p->n_actions; j++) {
            const struct model_action *a = &p->actions[j];
            size_t from, k;
            bool waits = false;

            if (!executor_find(a->op))
                return err_set(e, ERR_INVALID, "%s: no executor for %s",
                               a->address, model_op_name(a->op));
            if ((a->op != MODEL_OP_ACCOUNT_CREATE &&
                 a->op != MODEL_OP_ACCOUNT_REPLACE) ||
                a->key_source != MODEL_KEY_NEW ||
                a->params.account.key_from == MODEL_NO_ACTION)
                continue;
            from = a->params.account.key_from;
            for (k = 0; k < a->n_deps; k++)
                waits |= a->deps[k] == from;
            if (!waits || from >= p->n_actions ||
                p->actions[from].output != MODEL_OUTPUT_KEY_PAIR)
                r = err_set(e, ERR_INVALID, "%s: inconsistent plan: its key "
                            "pair comes from no action it waits for",
                            a->address);
        }
    }
    return r;
}

static void on_limit(struct ev_loop *ev, ev_timer *w, int revents)
{
    struct apply *run = w->data;

    (void)ev;
    (void)revents;
    run->host.timed_out = true;
    apply_cancel(run);
    http_loop_cancel_all(run->host.loop, ERR_TIMEOUT);
}

void apply_cancel(struct apply *run)
{
    size_t i, j;

    if (!run || run->host.cancelled)
        return;
    run->host.cancelled = true;
    /* Waits and backoffs end now; requests in flight finish. */
    for (i = 0; i < run->n; i++)
        for (j = 0; j < run->svcs[i].plan->n_actions; j++)
            exec_ctx_cancel(&run->svcs[i].acts[j]);
}

static int run_setup(struct apply *run, struct model_plan *plans,
                     struct err_info *e)
{
    size_t i;

    run->svcs = calloc(run->n + 1, sizeof(*run->svcs));
    if (!run->svcs)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < run->n; i++)
        if (exec_service_init(&run->svcs[i], &run->host, &plans[i]))
            return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

/* Report the end and set @e; returns the apply's result. */
static int summarize(struct apply *run, struct err_info *e,
                     const struct report_summary **sum_out,
                     struct report_summary *sum_buf)
{
    struct report_service *rs = calloc(run->n + 1, sizeof(*rs));
    enum report_outcome **outs = calloc(run->n + 1, sizeof(*outs));
    struct report_summary sum;
    const struct report_sink *sink = run->host.report;
    size_t i, j, first = 0;
    int r = 0;

    memset(&sum, 0, sizeof(sum));
    if (!rs || !outs) {
        r = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < run->n; i++) {
        struct exec_service *s = &run->svcs[i];
        size_t left = 0;

        outs[i] = calloc(s->plan->n_actions + 1, sizeof(**outs));
        if (!outs[i]) {
            r = err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
        for (j = 0; j < s->plan->n_actions; j++) {
            outs[i][j] = s->acts[j].st == EXEC_DONE ? REPORT_DONE
                         : s->acts[j].st != EXEC_FAILED ? REPORT_NOT_STARTED
                         : s->acts[j].stopped           ? REPORT_CANCELLED
                                                        : REPORT_FAILED;
            left += outs[i][j] != REPORT_DONE;
        }
        if (left && !s->failed) {
            /* Only a cancel leaves actions behind without a failure. */
            s->failed = true;
            snprintf(s->error, sizeof(s->error), "cancelled with %zu "
                     "action(s) not done", left);
        }
        rs[i].plan = s->plan;
        rs[i].failed = s->failed;
        rs[i].error = s->error;
        rs[i].outcomes = outs[i];
        sum.added += s->added;
        sum.changed += s->changed;
        sum.destroyed += s->destroyed;
        if (s->failed && sum.n_failed++ == 0)
            first = i;
    }
    sum.services = rs;
    sum.n_services = run->n;
    sum.cancelled = run->host.cancelled;
    if (sink && sink->ops->summary)
        sink->ops->summary(sink->payload, &sum);
    *sum_buf = sum;
    *sum_out = sum_buf;
    if (sum.n_failed)
        r = err_set(e, ERR_INVALID, "%zu of %zu service(s) not converged; "
                    "first: %s: %.200s", sum.n_failed, run->n,
                    run->svcs[first].plan->service, run->svcs[first].error);
out:
    /* What the summary points to lives until run_free. */
    run->outs = outs;
    run->rs = rs;
    return r;
}

static void run_free(struct apply *run)
{
    size_t i;

    for (i = 0; run->svcs && i < run->n; i++)
        exec_service_clear(&run->svcs[i]);
    for (i = 0; run->outs && i < run->n; i++)
        free(run->outs[i]);
    free(run->outs);
    free(run->rs);
    free(run->svcs);
    free(run);
}

/* Nothing waits to start and no request of the apply is out. */
static bool idle(void *payload)
{
    struct apply *run = payload;

    return !pump(run) && http_loop_pending(run->host.loop) == 0;
}

static void on_idle(struct await *a, bool timed_out, void *payload)
{
    struct apply *run = payload;
    const struct report_summary *sum = NULL;
    struct report_summary sum_buf;
    struct err_info e;
    size_t i;
    int r;

    (void)a;
    (void)timed_out; /* bounded by the limit timer, not the await */
    ev_timer_stop(run->host.ev, &run->limit);
    memset(&e, 0, sizeof(e));
    if (run->host.timed_out)
        r = err_set(&e, ERR_TIMEOUT, "apply did not finish in time");
    else
        r = summarize(run, &e, &sum, &sum_buf);
    /* The executors' state reads the plans, which the callback may free:
     * clear it first (the summary does not point into it). */
    for (i = 0; i < run->n; i++)
        exec_service_clear(&run->svcs[i]);
    run->done(r, &e, sum, run->payload);
    run_free(run);
}

int apply_start(const struct apply_env *env, struct model_plan *plans,
                size_t n, apply_done_fn done, void *payload,
                struct apply **out, struct err_info *e)
{
    struct apply *run = calloc(1, sizeof(*run));
    int r;

    if (!run)
        return err_set(e, ERR_NOMEM, "out of memory");
    run->host.ev = env->ev;
    run->host.loop = env->loop;
    run->host.client = env->client;
    run->host.ca_pem = env->ca_pem;
    run->host.rollout_timeout = env->rollout_timeout;
    run->host.retry_window = env->retry_window;
    run->host.verify_window = env->verify_window;
    run->host.report = env->report;
    run->host.key_take = env->key_take;
    run->host.key_take_payload = env->key_take_payload;
    run->may_write = env->may_write;
    run->may_write_payload = env->may_write_payload;
    run->n = n;
    run->done = done;
    run->payload = payload;
    r = run_setup(run, plans, e);
    if (r) {
        run_free(run);
        return r;
    }
    ev_timer_init(&run->limit, on_limit, env->time_limit, 0.);
    run->limit.data = run;
    ev_timer_start(env->ev, &run->limit);
    /* The first actions start on the loop's next pass. */
    await_start(&run->idle, env->ev, 0, idle, on_idle, run);
    *out = run;
    return 0;
}
