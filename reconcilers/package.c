/*
 * Package: installed under the service name, with the user's options (only
 * the leaves the user set are compared) and the pinned version.  A TLS or
 * X-Pack toggle is a full-cluster restart and must run with
 * update_strategy parallel (elastic-sdk.md sections 2.3 and 2.5).
 * Decisions: docs/plan.md, "package".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "managed.h"
#include "model/names.h"
#include "model/options_schema.h"
#include "options_diff.h"
#include "rc.h"

#define REASON_MAX 4096

static const char *const PATH_TLS[] = {
    "service", "security", "transport_encryption", "enabled", NULL
};
static const char *const PATH_XPACK[] = {
    "elasticsearch", "xpack_enabled", NULL
};
static const char *const PATH_UPDATE_STRATEGY[] = {
    "service", "update_strategy", NULL
};

static const char *const PATH_DATA_COUNT[] = {
    "data_nodes", "count", NULL
};
static const char *const PATH_INGEST_COUNT[] = {
    "ingest_nodes", "count", NULL
};
static const char *const PATH_COORD_COUNT[] = {
    "coordinator_nodes", "count", NULL
};

const char *const *const rc_package_read_paths[] = {
    PATH_DATA_COUNT, PATH_INGEST_COUNT, PATH_COORD_COUNT, NULL
};

/* The actions a package action waits for: everything about the account. */
static const enum model_op IAM_OPS[] = {
    MODEL_OP_ACCOUNT_CREATE, MODEL_OP_ACCOUNT_REPLACE,
    MODEL_OP_SECRET_CREATE, MODEL_OP_SECRET_UPDATE,
    MODEL_OP_GROUP_ADD, MODEL_OP_PERMISSION_GRANT
};
#define N_IAM_OPS (sizeof(IAM_OPS) / sizeof(IAM_OPS[0]))

/* Pod count at @path: the new options win, then the cluster's, then @def. */
static size_t node_count(const json_t *next, const json_t *resolved,
                         const char *const *path, size_t def)
{
    const json_t *v = options_lookup(next, path);

    if (!json_is_integer(v))
        v = options_lookup(resolved, path);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return def;
    return (size_t)json_integer_value(v);
}

/* Boolean option as the cluster sees it (absent = the default false). */
static bool resolved_flag(const json_t *resolved, const char *const *path)
{
    return json_is_true(options_lookup(resolved, path));
}

/* Set "options" (masked) in *@state, plus the mask in *@mask. */
static int put_display_options(json_t **state, json_t **mask,
                               const json_t *opts, struct err_info *e)
{
    json_t *m = NULL, *shown;
    int r;

    if (!*state) {
        r = rc_set(state, json_object(), e);
        if (r < 0)
            return r;
    }
    shown = options_mask_sensitive(opts, &m);
    if (!shown || json_object_set_new(*state, "options", shown) < 0) {
        json_decref(m);
        return rc_nomem(e);
    }
    if (!m)
        return 0;
    if (!*mask) {
        *mask = json_object();
        if (!*mask) {
            json_decref(m);
            return rc_nomem(e);
        }
    }
    if (json_object_set_new(*mask, "options", m) < 0)
        return rc_nomem(e);
    return 0;
}

static int plan_install(const struct model_service *d,
                        const struct model_observed *o, struct model_plan *p,
                        struct err_info *e)
{
    /* Unpinned: the version the catalog resolved (NULL unobserved). */
    const char *version = d->package_version ? d->package_version
                                             : o->catalog_version;
    struct model_action *a;
    json_t *opts;
    size_t idx;
    int r;

    r = rc_add(p, &idx, MODEL_OP_PACKAGE_INSTALL, MODEL_CHANGE_CREATE,
               RC_TYPE_PACKAGE, d->name, e,
               "service %s is not installed; install package %s%s%s",
               d->name, d->package_name, version ? " " : "",
               version ? version : "");
    if (r < 0)
        return r;
    a = &p->actions[idx];
    opts = json_is_object(d->options) ? json_deep_copy(d->options)
                                      : json_object();
    if (!opts)
        return rc_nomem(e);
    a->params.install.options = opts;
    r = rc_strdups(e, 2, &a->params.install.package, d->package_name,
                   &a->params.install.version, version);
    if (r == 0)
        r = rc_set(&a->after,
                   json_pack("{s:s, s:s}", "package", d->package_name,
                             "version", version ? version : RC_UNKNOWN_AFTER),
                   e);
    if (r == 0)
        r = put_display_options(&a->after, &a->after_sensitive, opts, e);
    if (r == 0)
        r = rc_depend_ops(p, idx, IAM_OPS, N_IAM_OPS, e);
    return r;
}

/* What one update decides, filled by assess(). */
struct pkg_update {
    json_t *options;        /* options sent with the update (new) */
    struct options_diff user;   /* user options vs resolved */
    struct options_diff shown;  /* update options vs resolved */
    bool tls_toggle;
    bool xpack_toggle;
    bool stuck;
    bool version_differs;
    bool parallel;          /* the update runs with update_strategy
                               parallel and restarts nodes */
    unsigned defaults;      /* managed fields the document leaves at the
                               package default that the update sets
                               (managed.h) */
};

static void pkg_update_clear(struct pkg_update *u)
{
    json_decref(u->options);
    options_diff_clear(&u->user);
    options_diff_clear(&u->shown);
}

static bool plan_is_stuck(const struct model_observed *o)
{
    const struct model_plan_status *ps = &o->plan;

    return ps->known && ps->status && strcmp(ps->status, "COMPLETE") != 0 &&
           ps->strategy && strcmp(ps->strategy, "serial") == 0 &&
           o->tasks_tls_known && o->tasks_tls_on > 0 && o->tasks_tls_off > 0;
}

/*
 * Whether a diff can restart nodes: anything but update_strategy, which
 * only the scheduler reads.
 */
static bool restarts_nodes(const struct options_diff *diff)
{
    size_t i;

    for (i = 0; i < diff->n_paths; i++)
        if (strcmp(diff->paths[i], "service.update_strategy") != 0)
            return true;
    return false;
}

static int assess(struct pkg_update *u, const struct model_service *d,
                  const struct model_observed *o, struct err_info *e)
{
    const json_t *res = o->resolved_options;
    const json_t *strategy;
    int m, r = 0;

    memset(u, 0, sizeof(*u));
    u->options = json_is_object(d->options) ? json_deep_copy(d->options)
                                            : json_object();
    if (!u->options)
        return rc_nomem(e);
    for (m = 0; r == 0 && m < MANAGED_STRATEGY; m++)
        r = managed_put(u->options, &u->defaults, d, res,
                        (enum managed_field)m);
    if (r < 0)
        return rc_nomem(e);
    u->tls_toggle = d->tls != resolved_flag(res, PATH_TLS);
    u->xpack_toggle = d->xpack != resolved_flag(res, PATH_XPACK);
    u->stuck = plan_is_stuck(o);
    u->version_differs = d->package_version &&
                         (!o->package_version ||
                          strcmp(d->package_version, o->package_version) != 0);
    r = options_diff_compute(&u->shown, u->options, res, e);
    if (r < 0)
        return r;
    /*
     * update_strategy at rest rides along with an update that happens
     * anyway (alone, it is the rollout's strategy_restore); a toggle runs
     * parallel and is restored afterwards.
     */
    if ((r > 0 || u->version_differs) && !u->tls_toggle &&
        !u->xpack_toggle && !u->stuck && d->restore_update_strategy &&
        managed_put(u->options, &u->defaults, d, res, MANAGED_STRATEGY) < 0)
        return rc_nomem(e);
    options_diff_clear(&u->shown);
    if (u->tls_toggle || u->xpack_toggle || u->stuck) {
        r = options_put(u->options, PATH_UPDATE_STRATEGY,
                        json_string("parallel"));
        if (r < 0)
            return rc_nomem(e);
    }
    strategy = options_lookup(u->options, PATH_UPDATE_STRATEGY);
    if (!json_is_string(strategy))
        strategy = options_lookup(res, PATH_UPDATE_STRATEGY);
    r = options_diff_compute(&u->user, d->options, res, e);
    if (r < 0)
        return r;
    r = options_diff_compute(&u->shown, u->options, res, e);
    if (r < 0)
        return r;
    u->parallel = json_is_string(strategy) &&
                  strcmp(json_string_value(strategy), "parallel") == 0 &&
                  (u->version_differs || restarts_nodes(&u->shown));
    return 0;
}

static int build_reason(struct buf *b, const struct pkg_update *u,
                        const struct model_service *d,
                        const struct model_observed *o)
{
    const char *sep = "";
    char *paths;
    int r = 0;

    if (u->user.n_paths > 0) {
        paths = options_diff_paths(&u->user);
        if (!paths)
            return ERR_NOMEM;
        r = buf_printf(b, "options differ from the running service: %s",
                       paths);
        free(paths);
        sep = "; ";
    }
    if (r == 0 && u->defaults) {
        r = managed_reason(b, u->options, u->defaults, sep);
        sep = "; ";
    }
    if (r == 0 && (u->tls_toggle || u->xpack_toggle)) {
        r = buf_printf(b, "%s%s%s%s%s%s; nodes on either side of the "
                       "change cannot form one cluster, so this update "
                       "uses update_strategy parallel", sep,
                       u->tls_toggle ? "transport encryption turns " : "",
                       u->tls_toggle ? (d->tls ? "on" : "off") : "",
                       u->tls_toggle && u->xpack_toggle ? " and " : "",
                       u->xpack_toggle ? "X-Pack turns " : "",
                       u->xpack_toggle ? (d->xpack ? "on" : "off") : "");
        sep = "; ";
    }
    if (r == 0 && u->version_differs) {
        r = buf_printf(b, "%spinned version %s, running %s", sep,
                       d->package_version,
                       o->package_version ? o->package_version : "unknown");
        sep = "; ";
    }
    if (r == 0 && u->stuck)
        r = buf_printf(b, "%sserial TLS toggle is stuck: %zu nodes run with "
                       "TLS, %zu without; a parallel update restarts the "
                       "rest together", sep, o->tasks_tls_on,
                       o->tasks_tls_off);
    return r;
}

static int set_disruption(struct model_action *a, const struct pkg_update *u,
                          const struct model_service *d,
                          const struct model_observed *o, struct err_info *e)
{
    const json_t *res = o->resolved_options;
    struct buf b;
    size_t nodes;
    int r;

    nodes = 3 + node_count(u->options, res, PATH_DATA_COUNT, 2) +
            node_count(u->options, res, PATH_INGEST_COUNT, 0) +
            node_count(u->options, res, PATH_COORD_COUNT, 1);
    buf_init(&b, REASON_MAX);
    if (u->tls_toggle || u->xpack_toggle)
        r = buf_printf(&b, "full-cluster restart: all %zu nodes restart "
                       "together; the service is unavailable until the "
                       "deploy plan completes", nodes);
    else if (u->stuck)
        r = buf_printf(&b, "full-cluster restart: the %zu nodes not yet "
                       "updated restart together; the service is "
                       "unavailable until the deploy plan completes",
                       d->tls ? o->tasks_tls_off : o->tasks_tls_on);
    else if (u->parallel)
        r = buf_printf(&b, "parallel update: every node whose configuration "
                       "changes restarts at the same time; the service may "
                       "be unavailable until the deploy plan completes");
    else {
        buf_free(&b);
        return 0;
    }
    if (r < 0) {
        buf_free(&b);
        return rc_nomem(e);
    }
    a->disruptive = true;
    a->disruption = buf_detach(&b);
    buf_free(&b);
    return a->disruption ? 0 : rc_nomem(e);
}

/* The secret action of this plan, or MODEL_NO_ACTION. */
static size_t find_secret_write(const struct model_plan *p)
{
    size_t i = rc_find_op(p, MODEL_OP_SECRET_CREATE);

    return i != MODEL_NO_ACTION ? i : rc_find_op(p, MODEL_OP_SECRET_UPDATE);
}

/*
 * The pending-restart record: the secret action writes it before the
 * value, and the action that restarts the scheduler (@field, of a restart
 * or an update) deletes it once Marathon took the restart, so that a crash
 * in between leaves a record the next run restarts the scheduler for.
 * Nothing to do without a secret write or a record left by a crash.
 */
static int set_marker(char **field, const struct model_service *d,
                      const struct model_observed *o, struct model_plan *p,
                      struct err_info *e)
{
    size_t sec = find_secret_write(p);
    char *m;

    if (sec == MODEL_NO_ACTION && o->restart_marker != MODEL_PRESENT)
        return 0;
    m = model_state_path(d->name, MODEL_RESTART_MARKER_LEAF);
    if (!m)
        return rc_nomem(e);
    if (sec != MODEL_NO_ACTION &&
        rc_strdup(&p->actions[sec].params.secret.restart_marker, m, e)) {
        free(m);
        return rc_nomem(e);
    }
    free(*field);
    *field = m;
    return 0;
}

static int fill_update(struct model_plan *p, size_t idx,
                       const struct pkg_update *u,
                       const struct model_service *d,
                       const struct model_observed *o, struct err_info *e)
{
    struct model_action *a = &p->actions[idx];
    struct model_update_params *up = &a->params.update;
    int r;

    up->options = json_incref(u->options);
    up->replace = false;
    up->toggle_tls = u->tls_toggle || u->stuck;
    up->full_restart = u->tls_toggle || u->xpack_toggle || u->stuck;
    up->stuck_toggle = u->stuck;
    r = rc_app_param(&up->app_id, d, e);
    if (r == 0 && u->version_differs)
        r = rc_strdup(&up->version, d->package_version, e);
    if (r == 0)
        r = set_marker(&up->marker, d, o, p, e);
    if (r < 0)
        return r;

    r = rc_set(&a->before, json_object(), e);
    if (r == 0)
        r = rc_set(&a->after, json_object(), e);
    if (r == 0 && u->shown.n_paths > 0)
        r = put_display_options(&a->before, &a->before_sensitive,
                                u->shown.before, e);
    if (r == 0 && u->shown.n_paths > 0)
        r = put_display_options(&a->after, &a->after_sensitive,
                                u->shown.after, e);
    if (r == 0 && u->version_differs &&
        (json_object_set_new(a->before, "version",
                             o->package_version
                                 ? json_string(o->package_version)
                                 : json_null()) ||
         json_object_set_new(a->after, "version",
                             json_string(d->package_version))))
        r = rc_nomem(e);
    if (r == 0)
        r = set_disruption(a, u, d, o, e);
    if (r == 0)
        r = rc_depend_ops(p, idx, IAM_OPS, N_IAM_OPS, e);
    return r;
}

/*
 * The scheduler reads its service-account secret once, at start: a secret
 * written for an installed service takes effect only after a restart, and
 * so does one written by an earlier run that stopped before restarting it.
 */
static int plan_restart(const struct model_service *d,
                        const struct model_observed *o, struct model_plan *p,
                        struct err_info *e)
{
    struct model_action *a;
    size_t idx, rot = find_secret_write(p);
    int r;

    if (rot != MODEL_NO_ACTION)
        r = rc_add(p, &idx, MODEL_OP_SCHEDULER_RESTART, MODEL_CHANGE_UPDATE,
                   RC_TYPE_PACKAGE, d->name, e,
                   "secret %s %s; the scheduler of %s reads it only when it "
                   "starts", d->secret_path,
                   p->actions[rot].key_source == MODEL_KEY_NEW
                       ? "receives a new key" : "is rewritten", d->name);
    else if (o->restart_marker == MODEL_PRESENT)
        r = rc_add(p, &idx, MODEL_OP_SCHEDULER_RESTART, MODEL_CHANGE_UPDATE,
                   RC_TYPE_PACKAGE, d->name, e,
                   "an earlier run wrote secret %s but stopped before the "
                   "scheduler of %s restarted to read it", d->secret_path,
                   d->name);
    else
        return 0;
    if (r < 0)
        return r;
    a = &p->actions[idx];
    a->disruptive = true;
    r = rc_strdup(&a->disruption,
                  "scheduler restart: the scheduler re-reads its service "
                  "account secret; nodes keep running", e);
    if (r == 0)
        r = rc_app_param(&a->params.restart.app_id, d, e);
    if (r == 0)
        r = set_marker(&a->params.restart.marker, d, o, p, e);
    if (r == 0)
        r = rc_depend_ops(p, idx, IAM_OPS, N_IAM_OPS, e);
    return r;
}

static int plan_present(const struct model_service *d,
                        const struct model_observed *o,
                        struct model_plan *p, struct err_info *e)
{
    struct pkg_update u;
    struct buf reason;
    size_t idx;
    int r;

    if (o->package_name && strcmp(o->package_name, d->package_name) != 0)
        return rc_fail(p, RC_TYPE_PACKAGE, d->name, e,
                       "service %s runs package %s, not %s", d->name,
                       o->package_name, d->package_name);
    if (!json_is_object(o->resolved_options))
        return err_set(e, ERR_INVALID,
                       "resolved options of service %s were not observed",
                       d->name);
    r = assess(&u, d, o, e);
    if (r < 0) {
        pkg_update_clear(&u);
        return r;
    }
    if (u.shown.n_paths == 0 && !u.version_differs && !u.stuck) {
        pkg_update_clear(&u);
        return plan_restart(d, o, p, e);
    }
    buf_init(&reason, REASON_MAX);
    r = build_reason(&reason, &u, d, o);
    if (r < 0)
        r = r == ERR_NOMEM ? rc_nomem(e)
                           : err_set(e, ERR_INVALID, "reason too long");
    if (r == 0 && reason.len == 0)
        r = buf_puts(&reason, "update_strategy parallel is needed for this "
                     "update") < 0 ? rc_nomem(e) : 0;
    if (r == 0)
        r = rc_add(p, &idx, MODEL_OP_PACKAGE_UPDATE, MODEL_CHANGE_UPDATE,
                   RC_TYPE_PACKAGE, d->name, e, "%s", buf_str(&reason));
    if (r == 0)
        r = fill_update(p, idx, &u, d, o, e);
    buf_free(&reason);
    pkg_update_clear(&u);
    return r;
}

/*
 * The version that will run must be in the catalog, and the options must
 * satisfy the options schema Cosmos has for it (docs/plan.md, "package"):
 * each problem is a FAIL at the document's file:line:col.  Returns 1 when
 * there is any, 0, or a negative enum err.
 */
static int check_catalog(const struct model_service *d,
                         const struct model_observed *o,
                         struct model_plan *p, struct err_info *e)
{
    struct model_diags diags = {0};
    char what[256];
    size_t i;
    int n, r = 0;

    if (o->catalog == MODEL_UNKNOWN)
        return 0;
    if (o->catalog == MODEL_ABSENT) {
        /* An update keeping the running version uses the stored one. */
        if (!d->package_version && o->package == MODEL_PRESENT)
            return 0;
        r = rc_fail(p, RC_TYPE_PACKAGE, d->name, e, "package %s%s%s is not "
                    "in the cluster's package catalog", d->package_name,
                    d->package_version ? " version " : "",
                    d->package_version ? d->package_version : "");
        return r < 0 ? r : 1;
    }
    if (!o->catalog_schema)
        return 0;
    snprintf(what, sizeof(what), "%s %s", d->package_name,
             o->catalog_version);
    n = model_options_check(&diags, d, o->catalog_schema, what);
    for (i = 0; n > 0 && r == 0 && i < diags.n; i++) {
        char *line = model_diag_format(&diags.items[i]);

        r = line ? rc_fail(p, RC_TYPE_PACKAGE, d->name, e, "%s", line)
                 : rc_nomem(e);
        free(line);
    }
    model_diags_clear(&diags);
    if (n < 0)
        return rc_nomem(e);
    return r < 0 ? r : n > 0;
}

static int package_plan(const struct model_service *d,
                        const struct model_observed *o,
                        struct model_plan *p, struct err_info *e)
{
    size_t before = p->n_actions;
    int r;

    if (o->package == MODEL_UNKNOWN)
        return err_set(e, ERR_INVALID, "package of service %s was not "
                       "observed", d->name);
    r = check_catalog(d, o, p, e);
    if (r)
        return r;
    if (o->package == MODEL_ABSENT)
        r = plan_install(d, o, p, e);
    else
        r = plan_present(d, o, p, e);
    if (r < 0)
        return r;
    return p->n_actions > before;
}

const struct reconciler_ops reconciler_package = {
    .version = RECONCILER_OPS_VERSION,
    .name = "package",
    .plan = package_plan,
};
