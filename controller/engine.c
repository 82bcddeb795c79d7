/*
 * The engine (engine.h): owns the libev loop, the HTTP loop and the DC/OS
 * client; observes (observe.c) and plans (reconcilers/); applies through
 * the scheduler (apply.c) and the executors (exec/).
 */
#include "controller/engine.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "common/log.h"
#include "controller/apply.h"
#include "controller/lease.h"
#include "controller/lease_unlock.h"
#include "controller/observe.h"
#include "controller/preflight.h"
#include "dcos/client.h"
#include "dcos/loop.h"
#include "reconcilers/reconciler.h"

/* Margin of the whole apply beyond its waits, seconds. */
#define APPLY_MARGIN 600.0

struct engine {
    struct engine_options o;
    struct ev_loop *ev;
    struct http_loop *loop;
    struct dcos_client *client;
    struct observe_cluster cluster;
    struct apply *running;      /* the apply in progress, or NULL */
    struct lease_set *leases;   /* held since engine_lock, or NULL */
    char *holder;               /* how our leases describe us */
    engine_signal_fn on_signal; /* the signal hook, or NULL */
    void *signal_payload;
    ev_signal sig_int;
    ev_signal sig_term;
};

const char *engine_cluster_url(const struct engine *eng)
{
    return dcos_client_url(eng->client);
}

const char *engine_cluster_ca(const struct engine *eng)
{
    return eng->cluster.ca_pem;
}

static void on_sig(struct ev_loop *ev, ev_signal *w, int revents)
{
    struct engine *eng = w->data;

    (void)ev;
    (void)revents;
    if (eng->on_signal)
        eng->on_signal(eng, w->signum, eng->signal_payload);
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
    struct login_wait w;
    int r;

    memset(&w, 0, sizeof(w));
    r = dcos_client_login(eng->client, on_login, &w);
    if (r == 0) /* the login's retries included */
        r = dcos_client_run(eng->client,
                            dcos_client_call_bound(eng->client) + 5);
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
    if (o->lock_timeout < 0)
        o->lock_timeout = 0;
}

int engine_new(struct engine **out, const struct engine_options *o,
               struct err_info *e)
{
    struct dcos_client_options co;
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
        free(eng);
        return err_set(e, ERR_INTERNAL, "cannot create the event loop");
    }
    r = http_loop_new(&eng->loop, eng->ev, o->max_connections);
    if (r) {
        engine_free(eng);
        return err_set(e, r, "cannot create the HTTP loop");
    }
    memset(&co, 0, sizeof(co));
    co.url = o->cluster_url;
    co.ca_file = o->insecure ? NULL : o->ca_file;
    co.insecure = o->insecure;
    co.token = o->token;
    co.uid = o->uid;
    co.password = o->password;
    co.private_key = o->private_key;
    co.max_connections = o->max_connections;
    co.timeout_ms = (long)(eng->o.request_timeout * 1000);
    co.connect_timeout_ms = co.timeout_ms < 10000 ? co.timeout_ms : 10000;
    r = dcos_client_new(&eng->client, &co, eng->loop, e);
    if (r == 0 && o->trace)
        dcos_client_set_trace(eng->client, o->trace);
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
    engine_unlock(eng);
    if (eng->loop)
        http_loop_cancel_all(eng->loop, ERR_INTERNAL);
    dcos_client_free(eng->client);
    http_loop_free(eng->loop);
    if (eng->ev)
        ev_loop_destroy(eng->ev);
    observe_cluster_clear(&eng->cluster);
    free(eng->holder);
    free(eng);
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
    struct model_observed *obs;
    struct model_plan *plans;
    size_t i, n = d->n_services;
    int r;

    obs = calloc(n + 1, sizeof(*obs));
    plans = calloc(n + 1, sizeof(*plans));
    if (!obs || !plans) {
        free(obs);
        free(plans);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    signals_watch(eng, true);
    r = observe_run(eng->client, eng->o.request_timeout, d, &eng->cluster,
                    obs, e);
    if (r == 0)
        r = preflight_run(eng->client, eng->o.request_timeout, eng->o.uid, d,
                          obs, e);
    signals_watch(eng, false);
    for (i = 0; r == 0 && i < n; i++) {
        r = reconcilers_plan(&plans[i], d->services[i], &obs[i], e);
        r = r < 0 ? r : 0;
        /* Show a lease another etls holds. */
        if (r == 0 && obs[i].lease_holder) {
            plans[i].lease_holder = obs[i].lease_holder;
            plans[i].lease_expires = obs[i].lease_expires;
            obs[i].lease_holder = NULL;
        }
    }
    if (r || !observed_out) {
        for (i = 0; i < n; i++)
            model_observed_clear(&obs[i]);
        free(obs);
        obs = NULL;
    }
    if (r) {
        for (i = 0; i < n; i++)
            model_plan_clear(&plans[i]);
        free(plans);
        return r;
    }
    *plans_out = plans;
    if (observed_out)
        *observed_out = obs;
    return 0;
}

/* Does @p write (any change; a FAIL plan is refused before writing)? */
static bool writes(const struct model_plan *p)
{
    size_t i;

    for (i = 0; i < p->n_actions; i++)
        if (p->actions[i].op == MODEL_OP_FAIL)
            return false;
    return model_plan_has_changes(p);
}

int engine_lock(struct engine *eng, const struct model_plan *plans,
                size_t n, struct err_info *e)
{
    struct lease_options lo;
    const char **names;
    size_t i, k = 0;
    int r;

    engine_unlock(eng);
    names = calloc(n + 1, sizeof(*names));
    if (!names)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++)
        if (writes(&plans[i]))
            names[k++] = plans[i].service;
    memset(&lo, 0, sizeof(lo));
    lo.ttl = eng->o.lock_ttl;
    lo.wait = eng->o.lock_timeout;
    lo.request_timeout = eng->o.request_timeout;
    lo.holder = eng->holder;
    r = k ? lease_acquire(&eng->leases, eng->ev, eng->client, names, k, &lo,
                          e)
          : 0;
    free(names);
    return r;
}

void engine_unlock(struct engine *eng)
{
    if (!eng || !eng->leases)
        return;
    lease_release(eng->leases);
    eng->leases = NULL;
}

int engine_force_unlock(struct engine *eng, const char *name,
                        char **holder_out, struct err_info *e)
{
    return lease_force_unlock(eng->ev, eng->client, name,
                              eng->o.request_timeout, holder_out, e);
}

static bool may_write(void *payload, const char *name)
{
    struct engine *eng = payload;

    return lease_held(eng->leases, name);
}

/* Are the leases of every plan that writes held (after a refresh)? */
static int leases_ready(struct engine *eng, struct model_plan *plans,
                        size_t n, bool *taken, struct err_info *e)
{
    size_t i;
    int r;

    *taken = false;
    for (i = 0; i < n; i++)
        if (writes(&plans[i]) && !lease_held(eng->leases, plans[i].service))
            break;
    if (i == n && !eng->leases)
        return 0;
    if (i < n && !eng->leases) {
        /* A caller that did not lock: take them for this apply. */
        r = engine_lock(eng, plans, n, e);
        *taken = r == 0;
        return r;
    }
    r = lease_refresh(eng->leases, e);
    for (i = 0; r == 0 && i < n; i++)
        if (writes(&plans[i]) && !lease_held(eng->leases, plans[i].service))
            r = err_set(e, ERR_CONFLICT, "service %s is not locked by this "
                        "etls; plan and apply again", plans[i].service);
    return r;
}

int engine_apply(struct engine *eng, struct model_plan *plans, size_t n,
                 struct err_info *e)
{
    struct apply_env env;
    bool taken;
    int r;

    r = apply_check(plans, n, eng->o.report.ops ? &eng->o.report : NULL, e);
    if (r == 0)
        r = leases_ready(eng, plans, n, &taken, e);
    if (r)
        return r;
    memset(&env, 0, sizeof(env));
    env.ev = eng->ev;
    env.loop = eng->loop;
    env.client = eng->client;
    env.ca_pem = eng->cluster.ca_pem;
    env.rollout_timeout = eng->o.rollout_timeout;
    env.verify_window = eng->o.verify_window;
    /* A cluster that stays unreachable fails an action within the bound
     * of one read (dcos_client_call_bound): retries x request timeout. */
    env.retry_window = dcos_client_call_bound(eng->client);
    /* Bounded: the rollout timeout of each wait plus margins. */
    env.time_limit = 3 * eng->o.rollout_timeout + eng->o.verify_window +
                     APPLY_MARGIN;
    env.report = eng->o.report.ops ? &eng->o.report : NULL;
    env.may_write = may_write;
    env.may_write_payload = eng;
    signals_watch(eng, true);
    r = apply_run(&env, plans, n, &eng->running, e);
    signals_watch(eng, false);
    if (taken)
        engine_unlock(eng);
    return r;
}

void engine_cancel(struct engine *eng)
{
    if (eng)
        apply_cancel(eng->running);
}
