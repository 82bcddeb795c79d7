/*
 * The engine (engine.h): owns the libev loop, the HTTP loop and the DC/OS
 * client; observes (observe.c) and plans (reconcilers/); applies through
 * the scheduler (apply.c) and the executors (exec/).
 */
#include "controller/engine.h"

#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "common/log.h"
#include "controller/apply.h"
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
};

const char *engine_cluster_url(const struct engine *eng)
{
    return dcos_client_url(eng->client);
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
    if (r == 0)
        r = dcos_client_run(eng->client, o->request_timeout + 5);
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
    if (eng->loop)
        http_loop_cancel_all(eng->loop, ERR_INTERNAL);
    dcos_client_free(eng->client);
    http_loop_free(eng->loop);
    if (eng->ev)
        ev_loop_destroy(eng->ev);
    observe_cluster_clear(&eng->cluster);
    free(eng);
}

int engine_plan(struct engine *eng, const struct model_desired *d,
                struct model_plan **plans_out, struct err_info *e)
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
    r = observe_run(eng->client, eng->o.request_timeout, d, &eng->cluster,
                    obs, e);
    if (r == 0)
        r = preflight_run(eng->client, eng->o.request_timeout, eng->o.uid, d,
                          obs, e);
    for (i = 0; r == 0 && i < n; i++) {
        r = reconcilers_plan(&plans[i], d->services[i], &obs[i], e);
        r = r < 0 ? r : 0;
    }
    for (i = 0; i < n; i++)
        model_observed_clear(&obs[i]);
    free(obs);
    if (r) {
        for (i = 0; i < n; i++)
            model_plan_clear(&plans[i]);
        free(plans);
        return r;
    }
    *plans_out = plans;
    return 0;
}

int engine_apply(struct engine *eng, struct model_plan *plans, size_t n,
                 struct err_info *e)
{
    struct apply_env env;

    memset(&env, 0, sizeof(env));
    env.ev = eng->ev;
    env.loop = eng->loop;
    env.client = eng->client;
    env.ca_pem = eng->cluster.ca_pem;
    env.rollout_timeout = eng->o.rollout_timeout;
    env.verify_window = eng->o.verify_window;
    /* Bounded: the rollout timeout of each wait plus margins. */
    env.time_limit = 3 * eng->o.rollout_timeout + eng->o.verify_window +
                     APPLY_MARGIN;
    env.report = eng->o.report.ops ? &eng->o.report : NULL;
    return apply_run(&env, plans, n, &eng->running, e);
}

void engine_cancel(struct engine *eng)
{
    if (eng)
        apply_cancel(eng->running);
}
