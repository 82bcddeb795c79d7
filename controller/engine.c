/*
 * The engine: connects to the cluster, observes every service (all reads of
 * one service at once, services concurrently, bounded connections), and runs
 * the pure reconcilers.  Apply lives in apply.c.
 */
#include "controller/engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/sa_secret.h"
#include "common/util.h"
#include "controller/engine_internal.h"
#include "dcos/loop.h"
#include "dcos/parse.h"
#include "reconcilers/reconciler.h"

void engine_sleep(double seconds)
{
    struct timespec ts;

    if (seconds <= 0)
        return;
    if (seconds > 60)
        seconds = 60;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int engine_run_idle(struct engine *eng, double timeout_s)
{
    return dcos_client_run(eng->client, timeout_s);
}

const char *engine_cluster_url(const struct engine *eng)
{
    return dcos_client_url(eng->client);
}

/* --- connect --- */

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

int engine_new(struct engine **out, const struct cli *cli,
               struct err_info *e)
{
    struct dcos_client_options o;
    struct engine *eng;
    struct login_wait w;
    int r;

    eng = calloc(1, sizeof(*eng));
    if (!eng)
        return err_set(e, ERR_NOMEM, "out of memory");
    eng->cli = cli;
    memset(&o, 0, sizeof(o));
    o.url = cli->cluster_url;
    o.ca_file = cli->insecure ? NULL : cli->ca_cert;
    o.insecure = cli->insecure;
    o.token = cli->token;
    o.uid = cli->uid;
    o.password = cli->password;
    o.private_key = cli->private_key;
    o.max_connections = (unsigned)cli->max_connections;
    o.timeout_ms = (long)(cli->request_timeout * 1000);
    o.connect_timeout_ms = o.timeout_ms < 10000 ? o.timeout_ms : 10000;
    r = dcos_client_new(&eng->client, &o, NULL, e);
    if (r) {
        free(eng);
        return r;
    }
    if (cli->trace)
        dcos_client_set_trace(eng->client, stderr);

    /* Log in up front so bad credentials give one clear error. */
    if (cli->uid && (cli->password || cli->private_key)) {
        memset(&w, 0, sizeof(w));
        r = dcos_client_login(eng->client, on_login, &w);
        if (r == 0)
            r = engine_run_idle(eng, cli->request_timeout + 5);
        if (r == 0 && !w.done)
            r = ERR_TIMEOUT;
        if (r) {
            engine_free(eng);
            return err_set(e, r, "cannot log in to %s: %s", cli->cluster_url,
                           err_name(r));
        }
        if (w.err.code) {
            *e = w.err;
            engine_free(eng);
            return e->code;
        }
        LOG(LOG_INFO, "engine", "logged in to %s as %s", cli->cluster_url,
            cli->uid);
    }
    *out = eng;
    return 0;
}

void engine_free(struct engine *eng)
{
    size_t i;

    if (!eng)
        return;
    dcos_client_free(eng->client);
    free(eng->ca_pem);
    free(eng->dcos_version);
    for (i = 0; i < eng->n_observed; i++)
        model_observed_clear(&eng->observed[i]);
    free(eng->observed);
    free(eng);
}

/* --- observe --- */

struct obs;

/* Payload of one read that needs an index (group, permission, pod). */
struct obs_item {
    struct obs *o;
    size_t idx;
};

struct obs {
    struct engine *eng;
    const struct model_service *svc;
    struct model_observed *m;
    struct err_info err;          /* first fatal error */
    char *app_id;

    struct obs_item *groups;
    struct obs_item *perms;

    /* Second wave: TLS setting of running tasks. */
    char **pods;
    size_t n_pods;
    struct obs_item *pod_items;
    size_t pods_left;
    char **config_ids;            /* distinct target configs of tasks */
    size_t *config_tasks;         /* tasks running each config */
    size_t n_configs;
    struct obs_item *config_items;
    size_t configs_left;
    bool wave2_failed;
};

static void obs_fail(struct obs *o, const struct err_info *err,
                     const char *what)
{
    if (o->err.code)
        return;
    o->err.code = err->code ? err->code : ERR_INTERNAL;
    o->err.status = err->status;
    if (err->code == ERR_AUTH && err->status == 401)
        snprintf(o->err.text, sizeof(o->err.text),
                 "the cluster rejected the credentials (HTTP 401) while %s; "
                 "log in again or check DCOS_ACS_TOKEN / --token-file",
                 what);
    else if (err->code == ERR_AUTH && err->status == 403)
        snprintf(o->err.text, sizeof(o->err.text),
                 "permission denied (HTTP 403) while %s; etls needs a "
                 "superuser token",
                 what);
    else
        snprintf(o->err.text, sizeof(o->err.text), "%s: %.120s", what,
                 err->text);
}

static void on_user(const struct dcos_result *r, void *payload)
{
    struct obs *o = payload;
    struct dcos_user *u = NULL;

    if (r->err.code == ERR_NOTFOUND) {
        o->m->account = MODEL_ABSENT;
        return;
    }
    if (r->err.code) {
        obs_fail(o, &r->err, "reading the service account");
        return;
    }
    if (dcos_parse_user(&u, r->json)) {
        struct err_info e = {ERR_INVALID, 0, "unexpected response body"};

        obs_fail(o, &e, "reading the service account");
        return;
    }
    o->m->account = MODEL_PRESENT;
    o->m->account_is_service = u->is_service;
    o->m->account_public_key = u->public_key;
    u->public_key = NULL;
    dcos_user_free(u);
}

static enum model_secret_verdict verdict_of(enum sa_verdict v)
{
    switch (v) {
    case SA_OK: return MODEL_SECRET_OK;
    case SA_NOT_JSON: return MODEL_SECRET_NOT_JSON;
    case SA_WRONG_UID: return MODEL_SECRET_WRONG_UID;
    case SA_WRONG_SCHEME: return MODEL_SECRET_WRONG_SCHEME;
    case SA_BAD_KEY: return MODEL_SECRET_BAD_KEY;
    case SA_BAD_ENDPOINT: return MODEL_SECRET_BAD_ENDPOINT;
    }
    return MODEL_SECRET_BAD_KEY;
}

static void on_secret(const struct dcos_result *r, void *payload)
{
    struct obs *o = payload;
    enum sa_verdict v;
    char *uid = NULL, *pub = NULL;
    int rc;

    if (r->err.code == ERR_NOTFOUND) {
        o->m->secret = MODEL_ABSENT;
        return;
    }
    if (r->err.code == ERR_INVALID && r->status == 200) {
        /* A binary (non-text) secret cannot be a service-account secret. */
        o->m->secret = MODEL_PRESENT;
        o->m->secret_verdict = MODEL_SECRET_NOT_JSON;
        return;
    }
    if (r->err.code || !r->secret) {
        obs_fail(o, &r->err, "reading the service account secret");
        return;
    }
    rc = sa_secret_inspect(&v, &uid, &pub, r->secret, o->svc->account);
    if (rc) {
        struct err_info e = {rc, 0, "cannot inspect the secret"};

        obs_fail(o, &e, "reading the service account secret");
        return;
    }
    o->m->secret = MODEL_PRESENT;
    o->m->secret_verdict = verdict_of(v);
    o->m->secret_uid = uid;
    o->m->secret_public_key = pub;
}

static void on_group(const struct dcos_result *r, void *payload)
{
    struct obs_item *it = payload;
    struct obs *o = it->o;
    struct dcos_user_list l = {0};

    if (r->err.code == ERR_NOTFOUND) {
        o->m->group_exists[it->idx] = MODEL_ABSENT;
        o->m->in_group[it->idx] = false;
        return;
    }
    if (r->err.code) {
        obs_fail(o, &r->err, "reading group members");
        return;
    }
    if (dcos_parse_group_users(&l, r->json)) {
        struct err_info e = {ERR_INVALID, 0, "unexpected response body"};

        obs_fail(o, &e, "reading group members");
        return;
    }
    o->m->group_exists[it->idx] = MODEL_PRESENT;
    o->m->in_group[it->idx] =
        dcos_user_list_has(&l, o->svc->account) ? true : false;
    dcos_user_list_clear(&l);
}

static void on_perm(const struct dcos_result *r, void *payload)
{
    struct obs_item *it = payload;
    struct obs *o = it->o;
    bool allowed = false;

    if (r->err.code == ERR_NOTFOUND) {
        /* Unknown ACL or user: not granted. */
        o->m->permission_allowed[it->idx] = false;
        return;
    }
    if (r->err.code) {
        obs_fail(o, &r->err, "reading a permission");
        return;
    }
    if (dcos_parse_allowed(&allowed, r->json)) {
        struct err_info e = {ERR_INVALID, 0, "unexpected response body"};

        obs_fail(o, &e, "reading a permission");
        return;
    }
    o->m->permission_allowed[it->idx] = allowed;
}

static void on_describe(const struct dcos_result *r, void *payload)
{
    struct obs *o = payload;
    struct dcos_service_desc *d = NULL;

    if (r->err.code == ERR_NOTFOUND) {
        o->m->package = MODEL_ABSENT;
        return;
    }
    if (r->err.code) {
        obs_fail(o, &r->err, "describing the service");
        return;
    }
    if (dcos_parse_service_describe(&d, r->json)) {
        struct err_info e = {ERR_INVALID, 0, "unexpected response body"};

        obs_fail(o, &e, "describing the service");
        return;
    }
    o->m->package = MODEL_PRESENT;
    o->m->package_name = d->package_name;
    o->m->package_version = d->package_version;
    o->m->resolved_options = d->resolved_options;
    o->m->user_options = d->user_options;
    d->package_name = NULL;
    d->package_version = NULL;
    d->resolved_options = NULL;
    d->user_options = NULL;
    dcos_service_desc_free(d);
}

static void wave2_fail(struct obs *o)
{
    /* Not fatal: without it a stuck toggle is just not recognised. */
    o->wave2_failed = true;
}

static void wave2_finish(struct obs *o)
{
    if (!o->wave2_failed)
        o->m->tasks_tls_known = true;
}

static void on_config(const struct dcos_result *r, void *payload)
{
    struct obs_item *it = payload;
    struct obs *o = it->o;
    size_t n_tls = 0, n_tasks = 0;

    if (r->err.code || dcos_parse_config_tls(&n_tls, &n_tasks, r->json))
        wave2_fail(o);
    else if (n_tls > 0)
        o->m->tasks_tls_on += o->config_tasks[it->idx];
    else
        o->m->tasks_tls_off += o->config_tasks[it->idx];
    if (--o->configs_left == 0)
        wave2_finish(o);
}

static int add_config(struct obs *o, const char *id)
{
    size_t i;
    char **ids;
    size_t *cnt;

    for (i = 0; i < o->n_configs; i++)
        if (strcmp(o->config_ids[i], id) == 0) {
            o->config_tasks[i]++;
            return 0;
        }
    ids = realloc(o->config_ids, (o->n_configs + 1) * sizeof(*ids));
    if (!ids)
        return ERR_NOMEM;
    o->config_ids = ids;
    cnt = realloc(o->config_tasks, (o->n_configs + 1) * sizeof(*cnt));
    if (!cnt)
        return ERR_NOMEM;
    o->config_tasks = cnt;
    o->config_ids[o->n_configs] = strdup(id);
    if (!o->config_ids[o->n_configs])
        return ERR_NOMEM;
    o->config_tasks[o->n_configs++] = 1;
    return 0;
}

static void on_pod_info(const struct dcos_result *r, void *payload)
{
    struct obs_item *it = payload;
    struct obs *o = it->o;
    struct dcos_pod_info info = {0};
    size_t i;

    if (r->err.code || dcos_parse_pod_info(&info, r->json)) {
        wave2_fail(o);
    } else {
        for (i = 0; i < info.n; i++) {
            const struct dcos_pod_task *t = &info.tasks[i];

            if (!t->target_config || !t->state ||
                strcmp(t->state, "TASK_RUNNING") != 0)
                continue;
            if (add_config(o, t->target_config))
                wave2_fail(o);
        }
        dcos_pod_info_clear(&info);
    }
    if (--o->pods_left > 0 || o->wave2_failed)
        return;
    if (o->n_configs == 0) {
        wave2_finish(o);
        return;
    }
    o->config_items = calloc(o->n_configs, sizeof(*o->config_items));
    if (!o->config_items) {
        wave2_fail(o);
        return;
    }
    o->configs_left = o->n_configs;
    for (i = 0; i < o->n_configs; i++) {
        o->config_items[i].o = o;
        o->config_items[i].idx = i;
        if (dcos_sdk_configuration_get(o->eng->client, o->svc->name,
                                       o->config_ids[i], on_config,
                                       &o->config_items[i])) {
            wave2_fail(o);
            o->configs_left--;
        }
    }
}

static void on_pods(const struct dcos_result *r, void *payload)
{
    struct obs *o = payload;
    size_t i;

    if (r->err.code ||
        dcos_parse_string_array(&o->pods, &o->n_pods, r->json)) {
        wave2_fail(o);
        return;
    }
    if (o->n_pods == 0)
        return;
    o->pod_items = calloc(o->n_pods, sizeof(*o->pod_items));
    if (!o->pod_items) {
        wave2_fail(o);
        return;
    }
    o->pods_left = o->n_pods;
    for (i = 0; i < o->n_pods; i++) {
        o->pod_items[i].o = o;
        o->pod_items[i].idx = i;
        if (dcos_sdk_pod_info(o->eng->client, o->svc->name, o->pods[i],
                              on_pod_info, &o->pod_items[i])) {
            wave2_fail(o);
            o->pods_left--;
        }
    }
}

static void on_plan(const struct dcos_result *r, void *payload)
{
    struct obs *o = payload;

    if (r->err.code == ERR_NOTFOUND || r->err.code == ERR_TRANSIENT ||
        r->err.code == ERR_TIMEOUT) {
        /* Not installed, or the scheduler is (re)starting. */
        o->m->plan.known = false;
        return;
    }
    if (r->err.code) {
        obs_fail(o, &r->err, "reading the deploy plan");
        return;
    }
    if (!r->json ||
        model_plan_status_from_json(&o->m->plan, r->json, (int)r->status)) {
        struct err_info e = {ERR_INVALID, (int)r->status,
                             "unexpected deploy plan body"};

        obs_fail(o, &e, "reading the deploy plan");
        return;
    }
    /* Second wave only while a rollout is unfinished. */
    if (o->m->plan.status && strcmp(o->m->plan.status, "COMPLETE") != 0 &&
        dcos_sdk_pod_list(o->eng->client, o->svc->name, on_pods, o))
        wave2_fail(o);
}

struct cluster_obs {
    struct engine *eng;
    struct err_info err;
};

static void on_version(const struct dcos_result *r, void *payload)
{
    struct cluster_obs *c = payload;
    struct dcos_version *v = NULL;

    if (r->err.code) {
        if (!c->err.code) {
            c->err = r->err;
            snprintf(c->err.text, sizeof(c->err.text),
                     "cannot reach the cluster: %.130s", r->err.text);
        }
        return;
    }
    if (dcos_parse_version(&v, r->json) == 0) {
        c->eng->dcos_version = v->version;
        v->version = NULL;
        dcos_version_free(v);
    }
}

static void on_ca(const struct dcos_result *r, void *payload)
{
    struct cluster_obs *c = payload;

    if (r->err.code) {
        if (!c->err.code) {
            c->err = r->err;
            snprintf(c->err.text, sizeof(c->err.text),
                     "cannot read the cluster CA: %.130s", r->err.text);
        }
        return;
    }
    free(c->eng->ca_pem);
    c->eng->ca_pem = malloc(r->body_len + 1);
    if (c->eng->ca_pem) {
        memcpy(c->eng->ca_pem, r->body, r->body_len);
        c->eng->ca_pem[r->body_len] = '\0';
    }
}

static int obs_submit(struct obs *o)
{
    const struct model_service *s = o->svc;
    struct dcos_client *c = o->eng->client;
    size_t i;
    int r = 0;

    o->app_id = malloc(strlen(s->name) + 2);
    if (!o->app_id)
        return ERR_NOMEM;
    sprintf(o->app_id, "/%s", s->name);
    o->m->in_group = calloc(s->n_groups + 1, sizeof(bool));
    o->m->group_exists = calloc(s->n_groups + 1, sizeof(*o->m->group_exists));
    o->m->permission_allowed = calloc(s->n_permissions + 1, sizeof(bool));
    o->groups = calloc(s->n_groups + 1, sizeof(*o->groups));
    o->perms = calloc(s->n_permissions + 1, sizeof(*o->perms));
    if (!o->m->in_group || !o->m->group_exists || !o->m->permission_allowed ||
        !o->groups || !o->perms)
        return ERR_NOMEM;

    if (s->account && *s->account) {
        r = dcos_iam_user_get(c, s->account, on_user, o);
        if (!r && s->secret_path && *s->secret_path)
            r = dcos_secret_get(c, s->secret_path, on_secret, o);
        else if (!r)
            o->m->secret = MODEL_ABSENT;
        for (i = 0; !r && i < s->n_groups; i++) {
            o->groups[i].o = o;
            o->groups[i].idx = i;
            r = dcos_iam_group_users_get(c, s->groups[i], true, on_group,
                                         &o->groups[i]);
        }
        for (i = 0; !r && i < s->n_permissions; i++) {
            o->perms[i].o = o;
            o->perms[i].idx = i;
            r = dcos_iam_acl_user_allowed(c, s->permissions[i].rid,
                                          s->account,
                                          s->permissions[i].action, on_perm,
                                          &o->perms[i]);
        }
    }
    if (!r)
        r = dcos_cosmos_service_describe(c, o->app_id, on_describe, o);
    if (!r)
        r = dcos_sdk_plan_get(c, s->name, "deploy", on_plan, o);
    return r;
}

static void obs_clear(struct obs *o)
{
    size_t i;

    free(o->app_id);
    free(o->groups);
    free(o->perms);
    dcos_string_array_free(o->pods, o->n_pods);
    free(o->pod_items);
    for (i = 0; i < o->n_configs; i++)
        free(o->config_ids[i]);
    free(o->config_ids);
    free(o->config_tasks);
    free(o->config_items);
}

int engine_plan(struct engine *eng, const struct model_desired *d,
                struct model_plan **plans_out, struct err_info *e)
{
    struct cluster_obs cl = {eng, {0, 0, ""}};
    struct model_plan *plans = NULL;
    struct obs *obs = NULL;
    size_t i, n = d->n_services;
    double t0 = util_now_mono();
    int r = 0;

    for (i = 0; i < eng->n_observed; i++)
        model_observed_clear(&eng->observed[i]);
    free(eng->observed);
    eng->n_observed = 0;
    eng->observed = calloc(n + 1, sizeof(*eng->observed));
    obs = calloc(n + 1, sizeof(*obs));
    plans = calloc(n + 1, sizeof(*plans));
    if (!eng->observed || !obs || !plans) {
        r = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    eng->n_observed = n;

    /* Cluster-wide reads, once per run. */
    r = dcos_version_get(eng->client, on_version, &cl);
    if (!r && !eng->ca_pem)
        r = dcos_ca_cert_get(eng->client, on_ca, &cl);
    for (i = 0; !r && i < n; i++) {
        model_observed_init(&eng->observed[i]);
        obs[i].eng = eng;
        obs[i].svc = d->services[i];
        obs[i].m = &eng->observed[i];
        r = obs_submit(&obs[i]);
    }
    if (r) {
        err_set(e, r, "cannot submit the cluster reads: %s", err_name(r));
        engine_run_idle(eng, eng->cli->request_timeout + 5);
        goto out;
    }
    r = engine_run_idle(eng, 4 * eng->cli->request_timeout + 10);
    if (r) {
        err_set(e, r, "observing the cluster timed out");
        goto out;
    }
    if (cl.err.code) {
        *e = cl.err;
        r = cl.err.code;
        goto out;
    }
    LOG(LOG_INFO, "engine",
        "observed %zu service(s) in %.0f ms, at most %u requests at once",
        n, (util_now_mono() - t0) * 1000.0,
        http_loop_peak_transfers(dcos_client_loop(eng->client)));
    for (i = 0; i < n; i++) {
        if (obs[i].err.code) {
            r = obs[i].err.code;
            err_set(e, r, "service %s: %s", d->services[i]->name,
                    obs[i].err.text);
            goto out;
        }
        eng->observed[i].dcos_version = util_strdup(eng->dcos_version);
        r = reconcilers_plan(&plans[i], d->services[i], &eng->observed[i], e);
        if (r < 0)
            goto out;
        r = 0;
    }
    *plans_out = plans;
    plans = NULL;
out:
    for (i = 0; obs && i < n; i++)
        obs_clear(&obs[i]);
    free(obs);
    for (i = 0; plans && i < n; i++)
        model_plan_clear(&plans[i]);
    free(plans);
    return r;
}
