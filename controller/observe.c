/*
 * Observation (observe.h): every read of one service at once, services
 * concurrently with bounded connections, cluster-wide reads once per run.
 * The service-account secret is inspected here and only a verdict and the
 * derived public key reach the model; the SDK deploy plan is parsed into
 * the model by model_plan_status_from_json (model/observed.c).
 */
#include "controller/observe.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "controller/observe_cluster.h"
#include "controller/observe_err.h"
#include "controller/observe_groups.h"
#include "controller/observe_records.h"
#include "dcos/client.h"
#include "dcos/loop.h"
#include "dcos/parse.h"
#include "model/names.h"
#include "reconcilers/reconciler.h"

struct obs;

/* Payload of one read that needs an index (permission, pod). */
struct obs_item {
    struct obs *o;
    size_t idx;
};

struct obs {
    struct dcos_client *client;
    const struct model_service *svc;
    struct model_observed *m;
    struct err_info err;          /* first fatal error */
    char *app_id;
    bool lean;                    /* keep only what planning reads */

    struct obs_item *perms;
    struct observe_records *rec;  /* etls's records, the old secret */

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
    observe_err(&o->err, err, what);
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

static void on_secret(const struct dcos_result *r, void *payload)
{
    struct obs *o = payload;
    int rc;

    rc = observe_secret_answer(r, o->svc->account, &o->m->secret,
                               &o->m->secret_verdict, &o->m->secret_uid,
                               &o->m->secret_public_key);
    if (rc) {
        struct err_info e = r->err;

        if (!e.code)
            err_set(&e, rc, "cannot inspect the secret");
        obs_fail(o, &e, "reading the service account secret");
    }
}

static int has_gid(char **gids, size_t n, const char *gid)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(gids[i], gid) == 0)
            return 1;
    return 0;
}

/* GET /users/<uid>/groups: as small as the account's memberships, whatever
 * the groups' sizes.  A group the account is in exists; whether another
 * one does comes from the read of each group once per run
 * (controller/observe_groups.c). */
static void on_user_groups(const struct dcos_result *r, void *payload)
{
    struct obs *o = payload;
    const struct model_service *s = o->svc;
    char **gids = NULL;
    size_t n = 0, i;

    if (r->err.code && r->err.code != ERR_NOTFOUND) {
        obs_fail(o, &r->err, "reading the account's groups");
        return;
    }
    /* ERR_NOTFOUND: no such account, so a member of nothing. */
    if (!r->err.code && dcos_parse_user_groups(&gids, &n, r->json)) {
        struct err_info e = {ERR_INVALID, 0, "unexpected response body"};

        obs_fail(o, &e, "reading the account's groups");
        return;
    }
    for (i = 0; i < s->n_groups; i++) {
        o->m->in_group[i] = has_gid(gids, n, s->groups[i]) ? true : false;
        if (o->m->in_group[i])
            o->m->group_exists[i] = MODEL_PRESENT;
    }
    dcos_string_array_free(gids, n);
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

/*
 * Keep of @m's package options only what planning @s reads
 * (reconcilers_options_needed): ~20 KB parsed per service, of which a plan
 * reads a few values; the user's options serve only a saved plan's
 * fingerprint and go.  0 or ERR_NOMEM.
 */
static int keep_lean(struct model_observed *m, const struct model_service *s)
{
    json_t *kept = NULL;

    if (m->resolved_options) {
        kept = reconcilers_options_needed(s, m->resolved_options);
        if (!kept)
            return ERR_NOMEM;
    }
    json_decref(m->resolved_options);
    json_decref(m->user_options);
    m->resolved_options = kept;
    m->user_options = NULL;
    return 0;
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
    if (o->lean && keep_lean(o->m, o->svc)) {
        struct err_info e = {ERR_NOMEM, 0, "out of memory"};

        obs_fail(o, &e, "describing the service");
        return;
    }
    if (observe_records_old_secret(o->rec)) {
        struct err_info e = {ERR_NOMEM, 0, "cannot read the old secret"};

        obs_fail(o, &e, "reading the secret the service uses");
    }
}

/* The verification endpoint, read with the rest so that the plan-time
 * HTTPS probe (https_probe.c) need not wait one more round trip for it.
 * Any failure (not installed, no task yet) leaves it to the probe. */
static void on_endpoint(const struct dcos_result *r, void *payload)
{
    struct obs *o = payload;

    if (r->err.code == 0 && json_is_object(r->json)) {
        json_decref(o->m->node_endpoint);
        o->m->node_endpoint = json_incref(r->json);
    }
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
        if (dcos_sdk_configuration_get(o->client, o->svc->name,
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
        if (dcos_sdk_pod_info(o->client, o->svc->name, o->pods[i],
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
        dcos_sdk_pod_list(o->client, o->svc->name, on_pods, o))
        wave2_fail(o);
}

static int obs_submit(struct obs *o)
{
    const struct model_service *s = o->svc;
    struct dcos_client *c = o->client;
    size_t i;
    int r = 0;

    o->app_id = model_app_id(s->name);
    if (!o->app_id)
        return ERR_NOMEM;
    o->m->in_group = calloc(s->n_groups + 1, sizeof(bool));
    o->m->group_exists = calloc(s->n_groups + 1, sizeof(*o->m->group_exists));
    o->m->permission_allowed = calloc(s->n_permissions + 1, sizeof(bool));
    o->perms = calloc(s->n_permissions + 1, sizeof(*o->perms));
    if (!o->m->in_group || !o->m->group_exists || !o->m->permission_allowed ||
        !o->perms)
        return ERR_NOMEM;

    if (s->account && *s->account) {
        r = dcos_iam_user_get(c, s->account, on_user, o);
        if (!r && s->secret_path && *s->secret_path)
            r = dcos_secret_get(c, s->secret_path, on_secret, o);
        else if (!r)
            o->m->secret = MODEL_ABSENT;
        if (!r && s->n_groups)
            r = dcos_iam_user_groups_get(c, s->account, on_user_groups, o);
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
        r = observe_records_submit(&o->rec, c, s, o->m, &o->err);
    if (!r)
        r = dcos_cosmos_service_describe(c, o->app_id, on_describe, o);
    if (!r)
        r = dcos_sdk_plan_get(c, s->name, "deploy", on_plan, o);
    if (!r && s->verify)
        r = dcos_sdk_endpoint_get(c, s->name, s->verify_endpoint,
                                  on_endpoint, o);
    return r;
}

static void obs_clear(struct obs *o)
{
    size_t i;

    free(o->app_id);
    observe_records_free(o->rec);
    free(o->perms);
    dcos_string_array_free(o->pods, o->n_pods);
    free(o->pod_items);
    for (i = 0; i < o->n_configs; i++)
        free(o->config_ids[i]);
    free(o->config_ids);
    free(o->config_tasks);
    free(o->config_items);
}

struct observe_run {
    struct dcos_client *client;
    const struct model_desired *d;
    struct observe_cluster *cl;
    struct model_observed *out;
    struct cluster_obs co;
    struct obs *obs;
    struct observe_groups *groups;
    struct err_info submit_err;   /* a read that could not be submitted */
    size_t next;                  /* the next service to submit */
    double t0;
};

bool observe_pump(struct observe_run *o)
{
    struct http_loop *loop = dcos_client_loop(o->client);
    unsigned window = OBSERVE_WINDOW_PER_CONNECTION *
                      http_loop_max_transfers(loop);
    size_t n = o->d->n_services;
    int r;

    while (o->next < n && !o->submit_err.code &&
           http_loop_pending(loop) < window) {
        r = obs_submit(&o->obs[o->next++]);
        if (r)
            err_set(&o->submit_err, r,
                    "cannot submit the cluster reads: %s", err_name(r));
    }
    return o->next == n || o->submit_err.code;
}

int observe_submit(struct observe_run **out, struct dcos_client *client,
                   const struct model_desired *d, struct observe_cluster *cl,
                   struct model_observed *obs_out, bool lean,
                   struct err_info *e)
{
    struct observe_run *o;
    size_t i, n = d->n_services;
    int r;

    for (i = 0; i < n; i++)
        model_observed_init(&obs_out[i]);
    o = calloc(1, sizeof(*o));
    if (o)
        o->obs = calloc(n + 1, sizeof(*o->obs));
    if (!o || !o->obs) {
        free(o);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    o->client = client;
    o->d = d;
    o->cl = cl;
    o->out = obs_out;
    o->co.cl = cl;
    o->t0 = util_now_mono();
    /* Cluster-wide reads, once per run (the CA once per engine). */
    r = observe_cluster_submit(&o->co, client);
    if (!r)
        r = observe_groups_submit(&o->groups, client, d);
    for (i = 0; i < n; i++) {
        o->obs[i].client = client;
        o->obs[i].svc = d->services[i];
        o->obs[i].m = &obs_out[i];
        o->obs[i].lean = lean;
    }
    if (r)
        err_set(&o->submit_err, r, "cannot submit the cluster reads: %s",
                err_name(r));
    observe_pump(o);
    *out = o;
    return 0;
}

int observe_collect(struct observe_run *o, bool timed_out,
                    struct err_info *e)
{
    struct http_loop *loop = dcos_client_loop(o->client);
    struct err_info ge = {0};
    size_t i, n = o->d->n_services;
    int r = 0;

    /*
     * Reads still out (a timeout) complete now, while @o lives; their
     * callbacks may submit follow-up reads, cancelled in turn (a wave
     * submits at most two more).
     */
    for (i = 0; i < 4 && http_loop_pending(loop); i++)
        http_loop_cancel_all(loop, ERR_TIMEOUT);
    if (o->submit_err.code) {
        *e = o->submit_err;
        r = e->code;
    } else if (timed_out) {
        r = err_set(e, ERR_TIMEOUT, "observing the cluster timed out");
    } else if (o->co.err.code) {
        *e = o->co.err;
        r = o->co.err.code;
    }
    if (observe_groups_collect(o->groups, o->d, o->out, &ge) && !r) {
        *e = ge;
        r = ge.code;
    }
    if (r == 0)
        LOG(LOG_INFO, "engine",
            "observed %zu service(s) in %.0f ms, at most %u requests at "
            "once, %u running or queued", n,
            (util_now_mono() - o->t0) * 1000.0,
            http_loop_peak_transfers(loop), http_loop_peak_requests(loop));
    for (i = 0; r == 0 && i < n; i++) {
        if (o->obs[i].err.code) {
            r = o->obs[i].err.code;
            err_set(e, r, "service %s: %s", o->d->services[i]->name,
                    o->obs[i].err.text);
            break;
        }
        o->out[i].dcos_version = util_strdup(o->cl->dcos_version);
    }
    for (i = 0; i < n; i++)
        obs_clear(&o->obs[i]);
    free(o->obs);
    free(o);
    return r;
}
