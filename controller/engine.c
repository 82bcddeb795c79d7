/*
 * The engine (engine.h): owns the libev loop and its lanes (engine_int.h),
 * logs in, and offers the synchronous API of the CLI on top of the
 * asynchronous steps of engine_plan.c and engine_apply.c: start a step on
 * the main lane, run the loop until its callback came.
 */
#include "controller/engine.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "common/log.h"
#include "controller/engine_int.h"
#include "controller/lease.h"
#include "controller/lease_unlock.h"
#include "dcos/client.h"
#include "dcos/loop.h"

const char *engine_cluster_url(const struct engine *eng)
{
    return dcos_client_url(eng->main.client);
}

const char *engine_cluster_ca(const struct engine *eng)
{
    return eng->main.cluster.ca_pem;
}

struct ev_loop *engine_loop(struct engine *eng)
{
    return eng->ev;
}

static void on_sig(struct ev_loop *ev, ev_signal *w, int revents)
{
    struct engine *eng = w->data;

    (void)ev;
    (void)revents;
    if (eng->on_signal)
        eng->on_signal(eng, w->signum, eng->signal_payload);
}

void engine_set_request_observer(struct engine *eng, dcos_observer_fn fn,
                                 void *payload)
{
    eng->o.on_request = fn;
    eng->o.on_request_payload = payload;
    dcos_client_set_observer(eng->main.client, fn, payload);
}

void engine_on_signal(struct engine *eng, engine_signal_fn fn, void *payload)
{
    eng->on_signal = fn;
    eng->signal_payload = payload;
}

/* Catch SIGINT and SIGTERM on the loop while the engine works (@on). */
static void signals_watch(struct engine *eng, bool on)
{
    if (!eng->on_signal)
        return;
    if (on) {
        ev_signal_start(eng->ev, &eng->sig_int);
        ev_signal_start(eng->ev, &eng->sig_term);
    } else {
        /* With no watcher left libev restores the default action. */
        ev_signal_stop(eng->ev, &eng->sig_int);
        ev_signal_stop(eng->ev, &eng->sig_term);
    }
}

struct login_wait {
    int done;
    struct err_info err;
};

static void on_login(const struct dcos_result *r, void *payload)
{
    struct login_wait *w = payload;

    w->done = 1;
    w->err = r->err;
}

/* Log in up front so that bad credentials give one clear error. */
static int login(struct engine *eng, struct err_info *e)
{
    const struct engine_options *o = &eng->o;
    struct dcos_client *c = eng->main.client;
    struct login_wait w;
    int r;

    memset(&w, 0, sizeof(w));
    r = dcos_client_login(c, on_login, &w);
    if (r == 0) /* the login's retries included */
        r = dcos_client_run(c, dcos_client_call_bound(c) + 5);
    if (r == 0 && !w.done)
        r = ERR_TIMEOUT;
    if (r)
        return err_set(e, r, "cannot log in to %s: %s", o->cluster_url,
                       err_name(r));
    if (w.err.code) {
        *e = w.err;
        return e->code;
    }
    LOG(LOG_INFO, "engine", "logged in to %s as %s", o->cluster_url,
        o->uid);
    return 0;
}

static void defaults(struct engine_options *o)
{
    if (o->request_timeout <= 0)
        o->request_timeout = ENGINE_REQUEST_TIMEOUT;
    if (o->rollout_timeout <= 0)
        o->rollout_timeout = ENGINE_ROLLOUT_TIMEOUT;
    if (o->verify_window <= 0)
        o->verify_window = ENGINE_VERIFY_WINDOW;
    if (o->lock_ttl <= 0)
        o->lock_ttl = LEASE_TTL_DEFAULT;
    if (o->max_connections == 0)
        o->max_connections = ENGINE_MAX_CONNECTIONS;
    if (o->lock_timeout < 0)
        o->lock_timeout = 0;
}

int engine_lane_init(struct engine *eng, struct engine_lane *lane,
                     struct err_info *e)
{
    const struct engine_options *o = &eng->o;
    struct dcos_client_options co;
    int r;

    lane->eng = eng;
    r = http_loop_new(&lane->loop, eng->ev, o->max_connections);
    if (r)
        return err_set(e, r, "cannot create the HTTP loop");
    memset(&co, 0, sizeof(co));
    co.url = o->cluster_url;
    co.ca_file = o->insecure ? NULL : o->ca_file;
    co.insecure = o->insecure;
    co.token = o->token;
    co.uid = o->uid;
    co.password = o->password;
    co.private_key = o->private_key;
    co.max_connections = o->max_connections;
    co.timeout_ms = (long)(o->request_timeout * 1000);
    co.connect_timeout_ms = co.timeout_ms < 10000 ? co.timeout_ms : 10000;
    r = dcos_client_new(&lane->client, &co, lane->loop, e);
    if (r)
        return r;
    if (o->trace)
        dcos_client_set_trace(lane->client, o->trace);
    if (o->on_request)
        dcos_client_set_observer(lane->client, o->on_request,
                                 o->on_request_payload);
    return 0;
}

void engine_lane_clear(struct engine_lane *lane)
{
    if (lane->leases) {
        lease_release(lane->leases);
        lane->leases = NULL;
    }
    if (lane->loop)
        http_loop_cancel_all(lane->loop, ERR_INTERNAL);
    dcos_client_free(lane->client);
    http_loop_free(lane->loop);
    observe_cluster_clear(&lane->cluster);
    memset(lane, 0, sizeof(*lane));
}

int engine_lane_new(struct engine *eng, struct engine_lane **out,
                    struct err_info *e)
{
    struct engine_lane *lane = calloc(1, sizeof(*lane));
    int r;

    if (!lane)
        return err_set(e, ERR_NOMEM, "out of memory");
    r = engine_lane_init(eng, lane, e);
    if (r) {
        engine_lane_clear(lane);
        free(lane);
        return r;
    }
    *out = lane;
    return 0;
}

void engine_lane_free(struct engine_lane *lane)
{
    if (!lane)
        return;
    engine_lane_clear(lane);
    free(lane);
}

int engine_new(struct engine **out, const struct engine_options *o,
               struct err_info *e)
{
    struct engine *eng;
    int r;

    eng = calloc(1, sizeof(*eng));
    if (!eng)
        return err_set(e, ERR_NOMEM, "out of memory");
    eng->o = *o;
    defaults(&eng->o);
    eng->holder = lease_holder_describe(o->command ? o->command : "apply");
    ev_signal_init(&eng->sig_int, on_sig, SIGINT);
    ev_signal_init(&eng->sig_term, on_sig, SIGTERM);
    eng->sig_int.data = eng;
    eng->sig_term.data = eng;
    eng->ev = ev_loop_new(EVFLAG_AUTO);
    if (!eng->ev) {
        free(eng->holder);
        free(eng);
        return err_set(e, ERR_INTERNAL, "cannot create the event loop");
    }
    r = engine_lane_init(eng, &eng->main, e);
    if (r == 0 && eng->o.speculate_keys &&
        engine_keys_new(&eng->keys, eng->ev))
        r = err_set(e, ERR_NOMEM, "out of memory");
    if (r == 0 && o->uid && (o->password || o->private_key))
        r = login(eng, e);
    if (r) {
        engine_free(eng);
        return r;
    }
    *out = eng;
    return 0;
}

void engine_free(struct engine *eng)
{
    if (!eng)
        return;
    engine_lane_clear(&eng->main);
    engine_keys_free(eng->keys);
    if (eng->ev)
        ev_loop_destroy(eng->ev);
    free(eng->holder);
    free(eng);
}

/* ---- the synchronous API: a step on the main lane, run to its end ---- */

struct sync_step {
    struct ev_loop *ev;
    bool done;
    int r;
    struct err_info e;
    struct model_plan *plans;
    struct model_observed *observed;
};

/* Run the loop until @s is done; its callback breaks the loop's pass so
 * that the loop does not block once the result is in. */
static void sync_run(struct sync_step *s)
{
    while (!s->done)
        ev_run(s->ev, EVRUN_ONCE);
}

static void on_sync_plan(int r, struct model_plan *plans,
                         struct model_observed *observed,
                         const struct err_info *e, void *payload)
{
    struct sync_step *s = payload;

    s->done = true;
    s->r = r;
    s->e = *e;
    s->plans = plans;
    s->observed = observed;
    ev_break(s->ev, EVBREAK_ONE);
}

int engine_plan(struct engine *eng, const struct model_desired *d,
                struct model_plan **plans_out, struct err_info *e)
{
    return engine_plan_observed(eng, d, plans_out, NULL, e);
}

int engine_plan_observed(struct engine *eng, const struct model_desired *d,
                         struct model_plan **plans_out,
                         struct model_observed **observed_out,
                         struct err_info *e)
{
    struct sync_step s;
    int r;

    memset(&s, 0, sizeof(s));
    s.ev = eng->ev;
    r = engine_plan_start(&eng->main, d, observed_out != NULL, on_sync_plan,
                          &s, e);
    if (r)
        return r;
    signals_watch(eng, true);
    sync_run(&s);
    signals_watch(eng, false);
    if (s.r) {
        *e = s.e;
        return s.r;
    }
    *plans_out = s.plans;
    if (observed_out)
        *observed_out = s.observed;
    return 0;
}

static void on_sync_done(int r, const struct err_info *e, void *payload)
{
    struct sync_step *s = payload;

    s->done = true;
    s->r = r;
    s->e = *e;
    ev_break(s->ev, EVBREAK_ONE);
}

int engine_lock(struct engine *eng, const struct model_plan *plans,
                size_t n, struct err_info *e)
{
    struct sync_step s;
    int r;

    engine_unlock(eng);
    memset(&s, 0, sizeof(s));
    s.ev = eng->ev;
    r = engine_lock_start(&eng->main, plans, n, on_sync_done, &s, e);
    if (r)
        return r;
    sync_run(&s);
    if (s.r)
        *e = s.e;
    return s.r;
}

static void on_sync_unlocked(void *payload)
{
    struct sync_step *s = payload;

    s->done = true;
    ev_break(s->ev, EVBREAK_ONE);
}

void engine_unlock(struct engine *eng)
{
    struct sync_step s;

    if (!eng || !eng->main.leases)
        return;
    memset(&s, 0, sizeof(s));
    s.ev = eng->ev;
    engine_unlock_start(&eng->main, on_sync_unlocked, &s);
    sync_run(&s);
}

int engine_force_unlock(struct engine *eng, const char *name,
                        char **holder_out, struct err_info *e)
{
    return lease_force_unlock(eng->ev, eng->main.client, name,
                              eng->o.request_timeout, holder_out, e);
}

/* Are the leases of every plan that writes held (after a refresh)? */
static int leases_ready(struct engine *eng, struct model_plan *plans,
                        size_t n, bool *taken, struct err_info *e)
{
    struct engine_lane *lane = &eng->main;
    size_t i;
    int r;

    *taken = false;
    for (i = 0; i < n; i++)
        if (engine_plan_writes(&plans[i]) &&
            !lease_held(lane->leases, plans[i].service))
            break;
    if (i == n && !lane->leases)
        return 0;
    if (i < n && !lane->leases) {
        /* A caller that did not lock: take them for this apply. */
        r = engine_lock(eng, plans, n, e);
        *taken = r == 0;
        return r;
    }
    r = lease_refresh(lane->leases, e);
    for (i = 0; r == 0 && i < n; i++)
        if (engine_plan_writes(&plans[i]) &&
            !lease_held(lane->leases, plans[i].service))
            r = err_set(e, ERR_CONFLICT, "service %s is not locked by this "
                        "etls; plan and apply again", plans[i].service);
    return r;
}

static void on_sync_apply(int r, const struct err_info *e,
                          const struct report_summary *sum, void *payload)
{
    (void)sum; /* the report sink had it */
    on_sync_done(r, e, payload);
}

int engine_apply(struct engine *eng, struct model_plan *plans, size_t n,
                 struct err_info *e)
{
    struct sync_step s;
    bool taken = false;
    int r;

    r = engine_apply_check(eng, plans, n, e);
    if (r == 0)
        r = leases_ready(eng, plans, n, &taken, e);
    if (r)
        return r;
    memset(&s, 0, sizeof(s));
    s.ev = eng->ev;
    r = engine_apply_run(&eng->main, plans, n, on_sync_apply, &s, e);
    if (r == 0) {
        signals_watch(eng, true);
        sync_run(&s);
        signals_watch(eng, false);
        r = s.r;
        if (r)
            *e = s.e;
    }
    if (taken)
        engine_unlock(eng);
    return r;
}

void engine_cancel(struct engine *eng)
{
    if (eng)
        engine_lane_cancel(&eng->main);
}
