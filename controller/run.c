/*
 * etls run (run.h): the work queue of services, their timers (resync with
 * jitter, backoff after a failure), bounded concurrency, and the
 * lifecycle (SIGTERM/SIGINT: drain; SIGHUP: reload).
 */
#include "controller/run.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "controller/run_git.h"
#include "controller/run_int.h"
#include "controller/run_log.h"

#define RUN_MAX_CONCURRENT 4
/* After the grace period: how long cancelled requests may take to end. */
#define RUN_ABORT_WAIT 5.0

static void pump(struct run_daemon *d);

static void desired_free(struct model_desired *m)
{
    if (!m)
        return;
    model_desired_clear(m);
    free(m);
}

static void service_free(struct run_service *s)
{
    ev_timer_stop(s->d->ev, &s->timer);
    engine_lane_free(s->lane);
    if (s->busy != s->good)
        desired_free(s->busy);
    desired_free(s->good);
    desired_free(s->next);
    free(s->path);
    free(s->name);
    free(s->commit);
    free(s->next_commit);
    free(s->doc_error);
    free(s->last_error);
    run_counts_clear(&s->corrections);
    run_counts_clear(&s->drift);
    free(s);
}

/* Drop @s from @d's list (and free it). */
static void service_drop(struct run_service *s)
{
    struct run_daemon *d = s->d;
    size_t i;

    for (i = 0; i < d->n; i++)
        if (d->svcs[i] == s) {
            memmove(&d->svcs[i], &d->svcs[i + 1],
                    (d->n - i - 1) * sizeof(*d->svcs));
            d->n--;
            break;
        }
    service_free(s);
}

struct run_service *run_service_find(struct run_daemon *d, const char *path)
{
    size_t i;

    for (i = 0; i < d->n; i++)
        if (!d->svcs[i]->removed && strcmp(d->svcs[i]->path, path) == 0)
            return d->svcs[i];
    return NULL;
}

static void on_timer(struct ev_loop *ev, ev_timer *w, int revents);

struct run_service *run_service_add(struct run_daemon *d, const char *path)
{
    struct run_service **v = realloc(d->svcs, (d->n + 1) * sizeof(*v));
    struct run_service *s;

    if (!v)
        return NULL;
    d->svcs = v;
    s = calloc(1, sizeof(*s));
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return NULL;
    }
    s->d = d;
    ev_timer_init(&s->timer, on_timer, 0., 0.);
    s->timer.data = s;
    d->svcs[d->n++] = s;
    return s;
}

/* Set @s's timer @delay seconds ahead. */
static void timer_set(struct run_service *s, double delay)
{
    ev_timer_stop(s->d->ev, &s->timer);
    ev_timer_set(&s->timer, delay, 0.);
    ev_timer_start(s->d->ev, &s->timer);
    s->next_at = run_now() + delay;
}

/* The resync period with +-10 % jitter. */
static double resync_delay(const struct run_daemon *d)
{
    double j = ((double)rand() / RAND_MAX) * 0.2 - 0.1;

    return d->o.resync * (1.0 + j);
}

void run_service_trigger(struct run_service *s)
{
    struct run_daemon *d = s->d;

    if (d->stopping || s->removed)
        return;
    if (s->phase == RUN_RUNNING) {
        s->again = true;
        return;
    }
    if (s->phase == RUN_QUEUED)
        return;
    ev_timer_stop(d->ev, &s->timer);
    s->next_at = 0;
    s->phase = RUN_QUEUED;
    s->qnext = NULL;
    if (d->qtail)
        d->qtail->qnext = s;
    else
        d->qhead = s;
    d->qtail = s;
    d->queued++;
    pump(d);
}

static void queue_unlink(struct run_service *s)
{
    struct run_daemon *d = s->d;
    struct run_service **pp = &d->qhead, *prev = NULL;

    while (*pp && *pp != s) {
        prev = *pp;
        pp = &(*pp)->qnext;
    }
    if (!*pp)
        return;
    *pp = s->qnext;
    if (d->qtail == s)
        d->qtail = prev;
    d->queued--;
    s->qnext = NULL;
}

void run_service_remove(struct run_service *s)
{
    s->removed = true;
    run_log(LOG_INFO, "document-removed", "document", s->path, "service",
            s->name, "note", "management stopped; nothing deleted", NULL);
    if (s->phase == RUN_QUEUED)
        queue_unlink(s);
    if (s->phase == RUN_RUNNING) {
        reconcile_cancel(s->rc); /* dropped when it ended */
        return;
    }
    service_drop(s);
}

static void on_timer(struct ev_loop *ev, ev_timer *w, int revents)
{
    struct run_service *s = w->data;

    (void)ev;
    (void)revents;
    s->next_at = 0;
    s->phase = RUN_IDLE;
    run_service_trigger(s);
}

static void fmt_seconds(char *buf, size_t len, double v)
{
    snprintf(buf, len, "%.3f", v);
}

/* Count what the reconcile of @s changed (or found, detect-only). */
static void count_actions(struct run_service *s,
                          const struct reconcile_result *res)
{
    const struct model_plan *p = res->plan;
    size_t i;

    if (!p)
        return;
    for (i = 0; i < p->n_actions; i++) {
        const struct model_action *a = &p->actions[i];

        if (a->change == MODEL_CHANGE_NOOP || a->change == MODEL_CHANGE_READ ||
            a->op == MODEL_OP_FAIL)
            continue;
        if (res->outcome == RECONCILE_DRIFT)
            (void)run_count_add(&s->drift, a->type);
        else if (res->outcomes && res->outcomes[i] == REPORT_DONE)
            (void)run_count_add(&s->corrections, a->type);
    }
}

static void on_reconciled(const struct reconcile_result *res, void *payload)
{
    struct run_service *s = payload;
    struct run_daemon *d = s->d;
    double took = ev_now(d->ev) - s->started, delay;
    char tbuf[32], dbuf[32];
    size_t b;
    bool ok;

    s->rc = NULL;
    s->phase = RUN_IDLE;
    d->running--;
    /* Until the next resync this lane holds no connection: with a kept
     * connection or more per service, many services would pass the
     * cluster's (and our descriptor) limits while doing nothing. */
    engine_lane_idle(s->lane);
    if (s->busy != s->good)
        desired_free(s->busy);
    s->busy = NULL;
    s->outcomes[res->outcome]++;
    for (b = 0; b < RUN_N_BUCKETS && took > run_buckets[b]; b++)
        ;
    s->hist[b]++;
    s->hist_sum += took;
    s->hist_n++;
    count_actions(s, res);
    fmt_seconds(tbuf, sizeof(tbuf), took);
    if (res->outcome != RECONCILE_CANCELLED) {
        s->reconciled = true;
        s->last = res->outcome;
        s->last_end = run_now();
    }
    ok = res->outcome == RECONCILE_IN_SYNC ||
         res->outcome == RECONCILE_APPLIED || res->outcome == RECONCILE_DRIFT;
    if (ok) {
        s->failures = 0;
        s->backoff = 0;
        s->last_success = s->last_end;
        free(s->last_error);
        s->last_error = NULL;
        if (res->outcome == RECONCILE_APPLIED)
            s->last_apply = s->last_end;
        if (res->outcome != RECONCILE_DRIFT)
            memcpy(s->applied, s->sha, sizeof(s->applied));
    } else if (res->outcome != RECONCILE_CANCELLED) {
        s->failures++;
        s->backoff = s->backoff > 0 ? s->backoff * 2 : RUN_BACKOFF_MIN;
        if (s->backoff > d->o.backoff_max)
            s->backoff = d->o.backoff_max;
        free(s->last_error);
        s->last_error = strdup(res->err.text[0] ? res->err.text
                                                : reconcile_outcome_name(
                                                      res->outcome));
    }
    run_log(ok ? LOG_INFO : LOG_WARN, "reconciled", "service", s->name,
            "outcome", reconcile_outcome_name(res->outcome), "seconds", tbuf,
            "revision", s->sha, "error", ok ? NULL : s->last_error, NULL);
    if (s->removed || d->stopping) {
        /* A removed service is freed by on_beat: this callback may run
         * inside one of its lane's own callbacks. */
        run_publish(d);
        if (d->stopping && d->running == 0)
            ev_break(d->ev, EVBREAK_ALL);
        return;
    }
    if (s->again) {
        s->again = false;
        run_service_trigger(s);
    } else {
        delay = s->failures ? s->backoff : resync_delay(d);
        timer_set(s, delay);
        if (s->failures) {
            snprintf(dbuf, sizeof(dbuf), "%.0f", delay);
            run_log(LOG_INFO, "backoff", "service", s->name, "seconds", dbuf,
                    NULL);
        }
    }
    pump(d);
    run_publish(d);
}

/* Start reconciling @s (taken off the queue). */
static void start(struct run_service *s)
{
    struct run_daemon *d = s->d;
    struct reconcile_options ro;
    struct err_info e;
    int r;

    if (s->next) {
        desired_free(s->good);
        s->good = s->next;
        s->next = NULL;
        memcpy(s->sha, s->next_sha, sizeof(s->sha));
        free(s->commit);
        s->commit = s->next_commit;
        s->next_commit = NULL;
    }
    if (!s->good) {
        s->phase = RUN_IDLE; /* nothing valid yet: wait for an edit */
        return;
    }
    s->suspend = s->good->services[0]->suspend;
    memset(&e, 0, sizeof(e));
    r = s->lane ? 0 : engine_lane_new(d->eng, &s->lane, &e);
    memset(&ro, 0, sizeof(ro));
    ro.detect_only = d->o.detect_only || s->suspend;
    s->busy = s->good;
    s->phase = RUN_RUNNING;
    s->started = ev_now(d->ev);
    d->running++;
    if (r == 0)
        r = reconcile_start(&s->rc, s->lane, s->good, &ro, on_reconciled, s,
                            &e);
    if (r) {
        struct reconcile_result res;

        memset(&res, 0, sizeof(res));
        res.outcome = RECONCILE_FAILED;
        res.err = e;
        on_reconciled(&res, s);
        return;
    }
    run_log(LOG_DEBUG, "reconcile-start", "service", s->name, NULL);
}

static void pump(struct run_daemon *d)
{
    while (!d->stopping && d->qhead && d->running < d->o.max_concurrent) {
        struct run_service *s = d->qhead;

        queue_unlink(s);
        start(s);
    }
}

void run_publish(struct run_daemon *d)
{
    if (d->http)
        run_http_publish(d->http, run_state_status(d), run_state_metrics(d),
                         run_state_ready(d));
}

static void on_beat(struct ev_loop *ev, ev_timer *w, int revents)
{
    struct run_daemon *d = w->data;
    size_t i;
    bool changed = false;

    (void)ev;
    (void)revents;
    for (i = d->n; i-- > 0;)
        if (d->svcs[i]->removed && !d->svcs[i]->rc) {
            service_drop(d->svcs[i]);
            changed = true;
        }
    /* Between resyncs nothing changes that was not published where it
     * changed (a reconcile's end, an edit): an idle daemon only says it
     * is alive here, however many services. */
    if (changed || d->running > 0)
        run_publish(d);
    else if (d->http)
        run_http_alive(d->http);
}

/*
 * Cancel every request still out; the reconciles then end on the loop
 * (bounded by RUN_ABORT_WAIT, after which the loop stops regardless).
 */
static void abort_all(struct run_daemon *d)
{
    size_t i;

    d->aborted = true;
    for (i = 0; i < d->n; i++)
        if (d->svcs[i]->rc)
            engine_lane_abort(d->svcs[i]->lane);
    ev_timer_stop(d->ev, &d->grace);
    ev_timer_set(&d->grace, RUN_ABORT_WAIT, 0.);
    ev_timer_start(d->ev, &d->grace);
    if (d->running == 0)
        ev_break(d->ev, EVBREAK_ALL);
}

/* Stop: nothing new starts; running reconciles finish their writes. */
static void stop(struct run_daemon *d, int signum)
{
    size_t i;

    if (d->stopping) {
        /* A second signal: stop now. */
        run_log(LOG_WARN, "shutdown-now", "signal", strsignal(signum), NULL);
        abort_all(d);
        return;
    }
    d->stopping = true;
    run_log(LOG_INFO, "shutdown", "signal", strsignal(signum), "running",
            d->running ? "yes" : "no", NULL);
    run_source_unwatch(d);
    while (d->qhead) {
        struct run_service *s = d->qhead;

        queue_unlink(s);
        s->phase = RUN_IDLE;
    }
    for (i = 0; i < d->n; i++) {
        ev_timer_stop(d->ev, &d->svcs[i]->timer);
        d->svcs[i]->next_at = 0;
        if (d->svcs[i]->rc)
            reconcile_cancel(d->svcs[i]->rc);
    }
    run_publish(d);
    if (d->running == 0) {
        ev_break(d->ev, EVBREAK_ALL);
        return;
    }
    ev_timer_set(&d->grace, d->o.grace, 0.);
    ev_timer_start(d->ev, &d->grace);
}

static void on_grace(struct ev_loop *ev, ev_timer *w, int revents)
{
    struct run_daemon *d = w->data;

    (void)ev;
    (void)revents;
    if (d->aborted) {
        ev_break(d->ev, EVBREAK_ALL); /* the requests did not even end */
        return;
    }
    run_log(LOG_WARN, "grace-over", "running", d->running ? "yes" : "no",
            NULL);
    abort_all(d);
}

static void on_signal(struct ev_loop *ev, ev_signal *w, int revents)
{
    struct run_daemon *d = w->data;

    (void)ev;
    (void)revents;
    if (w->signum == SIGHUP) {
        if (!d->stopping && d->git)
            run_git_poke(d->git);
        else if (!d->stopping)
            run_source_reload(d, "SIGHUP");
        run_publish(d);
        return;
    }
    stop(d, w->signum);
}

static void daemon_clear(struct run_daemon *d)
{
    size_t i;

    run_source_unwatch(d);
    ev_signal_stop(d->ev, &d->sig_int);
    ev_signal_stop(d->ev, &d->sig_term);
    ev_signal_stop(d->ev, &d->sig_hup);
    ev_timer_stop(d->ev, &d->grace);
    ev_timer_stop(d->ev, &d->beat);
    run_http_stop(d->http);
    run_git_stop(d->git);
    free(d->commit);
    for (i = 0; i < d->n; i++)
        if (!d->svcs[i]->rc) /* else the process ends with it running */
            service_free(d->svcs[i]);
    free(d->svcs);
    free(d->api);
}

int run_daemon(struct engine *eng, const struct run_options *o,
               struct err_info *e)
{
    struct run_daemon d;
    unsigned port = 0;
    char pbuf[300];
    int r;

    memset(&d, 0, sizeof(d));
    d.o = *o;
    if (d.o.resync <= 0)
        d.o.resync = RUN_RESYNC_DEFAULT;
    if (d.o.max_concurrent == 0)
        d.o.max_concurrent = RUN_MAX_CONCURRENT;
    if (d.o.grace <= 0)
        d.o.grace = RUN_GRACE;
    if (d.o.backoff_max <= 0)
        d.o.backoff_max = RUN_BACKOFF_MAX;
    d.eng = eng;
    d.ev = engine_loop(eng);
    d.ino_fd = -1;
    d.started = run_now();
    srand((unsigned)(d.started * 1000) ^ (unsigned)getpid());
    engine_set_request_observer(eng, run_state_on_request, &d);
    ev_signal_init(&d.sig_int, on_signal, SIGINT);
    ev_signal_init(&d.sig_term, on_signal, SIGTERM);
    ev_signal_init(&d.sig_hup, on_signal, SIGHUP);
    d.sig_int.data = d.sig_term.data = d.sig_hup.data = &d;
    ev_timer_init(&d.grace, on_grace, d.o.grace, 0.);
    d.grace.data = &d;
    ev_timer_init(&d.beat, on_beat, 1., 1.);
    d.beat.data = &d;
    r = d.o.git_url ? run_source_git_start(&d, e) : run_source_watch(&d, e);
    if (r == 0 && d.o.listen)
        r = run_http_start(&d.http, d.o.listen, &port, e);
    if (r) {
        daemon_clear(&d);
        engine_set_request_observer(eng, NULL, NULL);
        return r;
    }
    ev_signal_start(d.ev, &d.sig_int);
    ev_signal_start(d.ev, &d.sig_term);
    ev_signal_start(d.ev, &d.sig_hup);
    ev_timer_start(d.ev, &d.beat);
    /* The main lane logged in; the services have lanes of their own. */
    engine_idle(eng);
    run_publish(&d); /* served from the first request on */
    snprintf(pbuf, sizeof(pbuf), "%.*s:%u",
             d.o.listen ? (int)(strrchr(d.o.listen, ':') - d.o.listen) : 0,
             d.o.listen ? d.o.listen : "", port);
    run_log(LOG_INFO, "started", "path", d.o.path, "cluster",
            engine_cluster_url(eng), "listen", d.http ? pbuf : NULL,
            "detect_only", d.o.detect_only ? "true" : "false", NULL);
    if (!d.git)
        run_source_reload(&d, "start");
    run_publish(&d);
    ev_run(d.ev, 0);
    run_log(LOG_INFO, "stopped", "aborted", d.aborted ? "true" : "false",
            NULL);
    daemon_clear(&d);
    engine_set_request_observer(eng, NULL, NULL);
    return 0;
}
