/*
 * Executors of the rollout (docs/plan.md, "rollout_wait",
 * "strategy_restore").  A wait first makes sure the change of the package
 * action it follows was picked up (Marathon has no deployment left for the
 * scheduler app and the scheduler runs), then polls the deploy plan until
 * it is COMPLETE, bounded by the rollout timeout.  A restarting scheduler
 * (502/503/404 from Admin Router) is ridden out.
 */
#include "controller/exec/rollout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/exec/package.h"
#include "controller/report.h"
#include "controller/term.h"
#include "dcos/client.h"
#include "dcos/parse.h"
#include "model/observed.h"

enum wait_stage {
    WAIT_PICKUP = 0, /* until the change reached the scheduler */
    WAIT_PLAN        /* until the deploy plan is COMPLETE */
};

struct wait_state {
    enum wait_stage stage;
    double deadline;       /* exec_elapsed() bound */
    char progress[512];    /* last progress line shown */
    double began;          /* exec_elapsed() when the wait began */
    double shown;          /* exec_elapsed() of the last line shown */
    size_t done, total;    /* steps COMPLETE of the last plan read */
    double interval;       /* last poll interval (rollout_poll_next) */
};

static void poll_plan(struct exec_ctx *x);

double rollout_poll_next(double prev, bool changed)
{
    double next = prev * ROLLOUT_POLL_FACTOR;

    if (changed || prev <= 0)
        return ROLLOUT_POLL_FIRST;
    return next < ROLLOUT_POLL_MAX ? next : ROLLOUT_POLL_MAX;
}

/*
 * Poll again after the interval of the schedule, sooner when the next
 * heartbeat is due first (a poll shows it) or the rollout timeout ends
 * first (the next poll then fails the wait).
 */
static void poll_later(struct exec_ctx *x, bool changed)
{
    struct wait_state *st = exec_state(x);
    double now = exec_elapsed(x), s;
    double beat = st->shown + term_heartbeat_seconds() - now;
    double left = st->deadline - now;

    st->interval = rollout_poll_next(st->interval, changed);
    s = st->interval;
    if (beat < s)
        s = beat > 0 ? beat : 0;
    if (left < s)
        s = left > 0 ? left : 0;
    exec_sleep(x, s, poll_plan);
}

/*
 * Show @line once, when it differs from the last one shown; true when it
 * did (the status or the progress changed).
 */
static bool progress(struct exec_ctx *x, const char *line)
{
    struct wait_state *st = exec_state(x);

    if (strcmp(line, st->progress) == 0)
        return false;
    st->shown = exec_elapsed(x);
    snprintf(st->progress, sizeof(st->progress), "%s", line);
    if (strcmp(line, "restarting") == 0)
        exec_note(x, "%s", st->stage == WAIT_PICKUP
                               ? "waiting for the scheduler to restart..."
                               : "waiting for the scheduler to answer...");
    else
        exec_note(x, "%s", line);
    return true;
}

/* One line: "deploy (serial) IN_PROGRESS: master-update 1/3, ...". */
static void plan_summary(char *out, size_t n,
                         const struct model_plan_status *p)
{
    size_t i, j, o;

    o = (size_t)snprintf(out, n, "deploy (%s) %s",
                         p->strategy ? p->strategy : "?",
                         p->status ? p->status : "?");
    for (i = 0; i < p->n_phases && o < n; i++) {
        size_t done = 0;

        for (j = 0; j < p->phases[i].n_steps; j++)
            if (p->phases[i].steps[j].status &&
                strcmp(p->phases[i].steps[j].status, "COMPLETE") == 0)
                done++;
        o += (size_t)snprintf(out + o, n - o, "%s%s %zu/%zu",
                              i ? ", " : ": ", p->phases[i].name, done,
                              p->phases[i].n_steps);
    }
}

/* Remember the steps of @p for the heartbeat. */
static void count_steps(struct wait_state *st,
                        const struct model_plan_status *p)
{
    size_t i, j;

    st->done = st->total = 0;
    for (i = 0; i < p->n_phases; i++)
        for (j = 0; j < p->phases[i].n_steps; j++) {
            st->total++;
            st->done += p->phases[i].steps[j].status &&
                        strcmp(p->phases[i].steps[j].status, "COMPLETE") == 0;
        }
}

/* Silent for a while: say what is awaited, and how far. */
static void heartbeat(struct exec_ctx *x)
{
    struct wait_state *st = exec_state(x);
    struct report_wait w;
    char awaited[200];

    if (exec_elapsed(x) - st->shown < term_heartbeat_seconds())
        return;
    st->shown = exec_elapsed(x);
    snprintf(awaited, sizeof(awaited), "the deploy plan of %s to complete",
             exec_plan(x)->service);
    memset(&w, 0, sizeof(w));
    w.awaited = awaited;
    w.elapsed = exec_elapsed(x) - st->began;
    w.timeout = exec_rollout_timeout(x);
    w.steps_done = st->done;
    w.steps_total = st->total;
    w.state = strcmp(st->progress, "restarting") == 0
                  ? (st->stage == WAIT_PICKUP ? "the scheduler restarts"
                                              : "the scheduler does not "
                                                "answer yet")
                  : NULL;
    exec_waiting(x, &w);
}

/* The plan is in ERROR (or 417): fail with its errors. */
static void fail_plan_error(struct exec_ctx *x,
                            const struct model_plan_status *p)
{
    char errs[300] = "";
    size_t i, o = 0;

    for (i = 0; i < p->n_errors && o < sizeof(errs); i++)
        o += (size_t)snprintf(errs + o, sizeof(errs) - o, "%s%s",
                              i ? "; " : "", p->errors[i]);
    exec_fail(x, "the deploy plan is in ERROR: %s",
              o ? errs : "(no error text)");
}

static void on_plan(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;
    struct wait_state *st = exec_state(x);
    struct model_plan_status p;
    char line[512];
    bool changed;

    memset(&p, 0, sizeof(p));
    if (r->err.code == ERR_TRANSIENT || r->err.code == ERR_NOTFOUND ||
        r->err.code == ERR_TIMEOUT) {
        /* The scheduler is (re)starting: ride it out. */
        poll_later(x, progress(x, "restarting"));
        return;
    }
    if (r->err.code) {
        exec_retry(x, &r->err, "reading the deploy plan");
        return;
    }
    if (!r->json || model_plan_status_from_json(&p, r->json, (int)r->status)) {
        exec_fail(x, "unexpected deploy plan body (HTTP %ld)", r->status);
        return;
    }
    plan_summary(line, sizeof(line), &p);
    count_steps(st, &p);
    changed = progress(x, line);
    if (r->status == 417 || (p.status && strcmp(p.status, "ERROR") == 0))
        fail_plan_error(x, &p);
    else if (st->stage == WAIT_PLAN && p.status &&
             strcmp(p.status, "COMPLETE") == 0)
        exec_done(x);
    else
        poll_later(x, changed);
    model_plan_status_clear(&p);
}

static void on_marathon(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;
    struct wait_state *st = exec_state(x);
    struct dcos_marathon_app *app = NULL;

    /*
     * The change was picked up once Marathon has no deployment left for the
     * scheduler app and the (new) scheduler runs.  The target configuration
     * id is no signal: scheduler-only changes (update_strategy, the secret)
     * keep it, and the plan of such a change stays COMPLETE.
     */
    if (r->err.code == 0 && dcos_parse_marathon_app(&app, r->json) == 0) {
        bool picked = app->n_deployments == 0 && app->tasks_running >= 1;

        dcos_marathon_app_free(app);
        if (picked) {
            exec_note(x, "the scheduler restarted with the new "
                         "configuration");
            st->stage = WAIT_PLAN;
            st->interval = 0;
            poll_plan(x);
            return;
        }
    } else if (r->err.code && r->err.code != ERR_TRANSIENT &&
               r->err.code != ERR_TIMEOUT) {
        exec_retry(x, &r->err, "reading the scheduler's Marathon app");
        return;
    }
    poll_later(x, progress(x, "restarting"));
}

static void poll_plan(struct exec_ctx *x)
{
    struct wait_state *st = exec_state(x);
    const struct model_plan *p = exec_plan(x);
    const struct model_action *a = exec_action(x);
    const char *app_id = a->op == MODEL_OP_STRATEGY_RESTORE
                             ? a->params.restore.app_id
                             : a->params.app.app_id;

    heartbeat(x);
    if (exec_elapsed(x) > st->deadline) {
        exec_fail(x, "the deploy plan did not complete within %.0fs (last: "
                     "%s); raise --timeout or check the scheduler",
                  exec_rollout_timeout(x),
                  st->progress[0] ? st->progress : "no answer");
        return;
    }
    if (st->stage == WAIT_PICKUP)
        exec_check(x,
                   dcos_marathon_app_get(exec_client(x), app_id, on_marathon,
                                         x),
                   "GET Marathon app");
    else
        exec_check(x,
                   dcos_sdk_plan_get(exec_client(x), p->service, "deploy",
                                     on_plan, x),
                   "GET plan");
}

/* Does this wait follow a change that must be picked up first? */
static bool needs_pickup(const struct exec_ctx *x)
{
    const struct model_plan *p = exec_plan(x);
    const struct model_action *a = exec_action(x);
    size_t i;

    if (a->op == MODEL_OP_STRATEGY_RESTORE)
        return true;
    for (i = 0; i < a->n_deps; i++) {
        enum model_op op = p->actions[a->deps[i]].op;

        if (op == MODEL_OP_PACKAGE_UPDATE || op == MODEL_OP_SCHEDULER_RESTART)
            return true;
    }
    return false;
}

static void wait_begin(struct exec_ctx *x)
{
    struct wait_state *st = exec_state(x);

    st->deadline = exec_elapsed(x) + exec_rollout_timeout(x);
    st->began = st->shown = exec_elapsed(x);
    st->progress[0] = '\0';
    st->interval = 0;
    st->stage = needs_pickup(x) ? WAIT_PICKUP : WAIT_PLAN;
    exec_note(x, "Waiting for the deploy plan to complete (timeout %.0fs)...",
              exec_rollout_timeout(x));
    poll_plan(x);
}

/* --- strategy restore: a scheduler-only update, then wait --- */

static void restore_send(struct exec_ctx *x);

static void on_restore(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;

    if (r->err.code == ERR_TRANSIENT && exec_try_again(x)) {
        exec_sleep(x, EXEC_BUSY_DELAY, restore_send);
        return;
    }
    if (r->err.code) {
        exec_retry(x, &r->err, NULL);
        return;
    }
    wait_begin(x);
}

/* POST /cosmos/service/update {"service":{"update_strategy"}}. */
static void restore_send(struct exec_ctx *x)
{
    const struct model_restore_params *p = &exec_action(x)->params.restore;
    json_t *opts = json_pack("{s:{s:s}}", "service", "update_strategy",
                             p->update_strategy);
    int r;

    if (!opts) {
        exec_fail(x, "out of memory");
        return;
    }
    r = dcos_cosmos_service_update(exec_client(x), p->app_id, opts, NULL,
                                   false, on_restore, x);
    json_decref(opts);
    exec_check(x, r, "service update");
}

static void restore_start(struct exec_ctx *x)
{
    exec_note(x, "Setting update_strategy back to %s (restarts no node)...",
              exec_action(x)->params.restore.update_strategy);
    restore_send(x);
}

const struct executor_ops executor_rollout_wait = {
    .version = EXECUTOR_OPS_VERSION,
    .op = MODEL_OP_ROLLOUT_WAIT,
    .state_size = sizeof(struct wait_state),
    .start = wait_begin,
};

const struct executor_ops executor_strategy_restore = {
    .version = EXECUTOR_OPS_VERSION,
    .op = MODEL_OP_STRATEGY_RESTORE,
    .state_size = sizeof(struct wait_state),
    .start = restore_start,
};
