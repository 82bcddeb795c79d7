/*
 * dcos-sim: Marathon's view of the SDK schedulers.  Each installed service
 * is one Marathon app `/<name>` rendered from the package's
 * marathon.json.mustache; a deployment is in progress while the scheduler
 * (re)starts, and restarting the app restarts the scheduler.  Marathon is
 * below the SDK scheduler: it knows the services (sim/sdk_model.h), the
 * scheduler asks it to render apps and to restart them.  See docs/sim.md.
 */
#include "sim/marathon.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/secret.h"
#include "common/util.h"
#include "sim/core.h"
#include "sim/http.h"
#include "sim/iam_authz.h"
#include "sim/sdk_model.h"
#include "sim/server.h"
#include "sim/state.h"

#ifndef SIM_DEFAULT_CATALOG
#define SIM_DEFAULT_CATALOG "catalog"
#endif

#define MU_MAX_OUT (1024u * 1024u)
#define MU_MAX_DEPTH 16
#define CATALOG_FILE_MAX (4u * 1024u * 1024u)
#define MARATHON_SOURCE "https://universe.mesosphere.com/repo"

/* --- package template cache --- */

struct tpl_entry {
    char *pkg_name;
    char *version;
    char *tpl;        /* marathon.json.mustache */
    json_t *resource; /* resource.json */
};

static struct tpl_entry *g_tpl;
static size_t g_n_tpl;

/* Free the template cache (module stop). */
static void marathon_cache_free(void)
{
    size_t i;

    for (i = 0; i < g_n_tpl; i++) {
        free(g_tpl[i].pkg_name);
        free(g_tpl[i].version);
        free(g_tpl[i].tpl);
        json_decref(g_tpl[i].resource);
    }
    free(g_tpl);
    g_tpl = NULL;
    g_n_tpl = 0;
}

static char *path_join(const char *a, const char *b)
{
    struct buf p;

    buf_init(&p, 4096);
    if (buf_printf(&p, "%s/%s", a, b) != 0) {
        buf_free(&p);
        return NULL;
    }
    return buf_detach(&p);
}

/*
 * Look for a package revision directory under @dir whose package.json has
 * name @pkg and version @ver; load its template and resources into @e.
 * Returns 0, ERR_NOTFOUND or ERR_NOMEM.
 */
static int tpl_scan_dir(const char *dir, const char *pkg, const char *ver,
                        struct tpl_entry *e)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int r = ERR_NOTFOUND;

    if (!d)
        return ERR_NOTFOUND;
    while (r == ERR_NOTFOUND && (de = readdir(d)) != NULL) {
        char *rev, *pj, *tp, *rp;
        json_t *pkgj;

        if (de->d_name[0] == '.')
            continue;
        rev = path_join(dir, de->d_name);
        pj = rev ? path_join(rev, "package.json") : NULL;
        tp = rev ? path_join(rev, "marathon.json.mustache") : NULL;
        rp = rev ? path_join(rev, "resource.json") : NULL;
        if (!rev || !pj || !tp || !rp) {
            r = ERR_NOMEM;
            goto next;
        }
        pkgj = json_load_file(pj, 0, NULL);
        if (pkgj &&
            strcmp(json_string_value(json_object_get(pkgj, "name"))
                       ? json_string_value(json_object_get(pkgj, "name"))
                       : "",
                   pkg) == 0 &&
            strcmp(json_string_value(json_object_get(pkgj, "version"))
                       ? json_string_value(json_object_get(pkgj, "version"))
                       : "",
                   ver) == 0) {
            size_t len;

            if (util_read_file(&e->tpl, &len, tp, CATALOG_FILE_MAX) == 0) {
                e->resource = json_load_file(rp, 0, NULL);
                if (!e->resource)
                    e->resource = json_object();
                r = 0;
            }
        }
        json_decref(pkgj);
next:
        free(rev);
        free(pj);
        free(tp);
        free(rp);
    }
    closedir(d);
    return r;
}

static const struct tpl_entry *tpl_get(struct sim *s, const char *pkg,
                                       const char *ver)
{
    const char *cat = s->opt.catalog_dir ? s->opt.catalog_dir
                                         : SIM_DEFAULT_CATALOG;
    struct tpl_entry e = {0}, *v;
    char *pdir;
    size_t i;
    int r;

    for (i = 0; i < g_n_tpl; i++)
        if (strcmp(g_tpl[i].pkg_name, pkg) == 0 &&
            strcmp(g_tpl[i].version, ver) == 0)
            return &g_tpl[i];
    /* <catalog>/<package>/<revision>/ or <catalog>/<revision>/ */
    pdir = path_join(cat, pkg);
    if (!pdir)
        return NULL;
    r = tpl_scan_dir(pdir, pkg, ver, &e);
    free(pdir);
    if (r == ERR_NOTFOUND)
        r = tpl_scan_dir(cat, pkg, ver, &e);
    if (r != 0)
        return NULL;
    e.pkg_name = strdup(pkg);
    e.version = strdup(ver);
    v = realloc(g_tpl, (g_n_tpl + 1) * sizeof(*v));
    if (!e.pkg_name || !e.version || !v) {
        free(e.pkg_name);
        free(e.version);
        free(e.tpl);
        json_decref(e.resource);
        if (v)
            g_tpl = v;
        return NULL;
    }
    g_tpl = v;
    g_tpl[g_n_tpl] = e;
    return &g_tpl[g_n_tpl++];
}

/* --- a small Mustache renderer ---
 *
 * Variables ({{a.b}}, {{{a.b}}}, {{&a.b}}), sections ({{#a}}..{{/a}}) and
 * inverted sections ({{^a}}..{{/a}}) over dotted names in one context, and
 * comments.  Values are JSON-escaped (the template puts them inside JSON
 * strings), for triple mustaches too, so that values holding quotes, such
 * as the placement constraint [["hostname", "UNIQUE"]], stay valid JSON
 * (UNCONFIRMED how Cosmos escapes; its output must parse as JSON too).
 * Falsy: missing, null, false and "" (mustache.java).
 */

struct mu {
    const char *t;
    size_t len;
    const json_t *ctx;
    struct buf *out;
};

static int mu_truthy(const json_t *v)
{
    if (!v || json_is_null(v) || json_is_false(v))
        return 0;
    if (json_is_string(v))
        return json_string_length(v) > 0;
    if (json_is_array(v))
        return json_array_size(v) > 0;
    return 1;
}

static int mu_emit_value(struct mu *m, const json_t *v)
{
    char *d;
    size_t n;
    int r;

    if (!v || json_is_null(v))
        return 0;
    if (json_is_true(v))
        return buf_puts(m->out, "true");
    if (json_is_false(v))
        return buf_puts(m->out, "false");
    d = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!d)
        return ERR_NOMEM;
    n = strlen(d);
    if (json_is_string(v) && n >= 2)
        r = buf_append(m->out, d + 1, n - 2); /* without the quotes */
    else
        r = buf_append(m->out, d, n);
    free(d);
    return r;
}

/*
 * Render from *@pos up to the end of the template, or up to the closing tag
 * of section @section (then *@pos is after it).  @emit 0 = skip only.
 */
static int mu_run(struct mu *m, size_t *pos, const char *section, int emit,
                  int depth)
{
    size_t i = *pos;

    if (depth > MU_MAX_DEPTH)
        return ERR_INVALID;
    while (i < m->len) {
        const char *open = strstr(m->t + i, "{{");
        size_t o, ns, ne, close;
        char kind = 0, name[160];
        int triple = 0, r;

        if (!open || (size_t)(open - m->t) >= m->len) {
            if (emit && buf_append(m->out, m->t + i, m->len - i) != 0)
                return ERR_NOMEM;
            i = m->len;
            break;
        }
        o = (size_t)(open - m->t);
        if (emit && o > i && buf_append(m->out, m->t + i, o - i) != 0)
            return ERR_NOMEM;
        ns = o + 2;
        if (m->t[ns] == '{') {
            triple = 1;
            ns++;
        } else if (strchr("#^/!&", m->t[ns])) {
            kind = m->t[ns];
            ns++;
        }
        {
            const char *end = strstr(m->t + ns, triple ? "}}}" : "}}");

            if (!end)
                return ERR_INVALID;
            ne = (size_t)(end - m->t);
            close = ne + (triple ? 3 : 2);
        }
        while (ns < ne && m->t[ns] == ' ')
            ns++;
        while (ne > ns && m->t[ne - 1] == ' ')
            ne--;
        if (ne - ns >= sizeof(name))
            return ERR_INVALID;
        memcpy(name, m->t + ns, ne - ns);
        name[ne - ns] = '\0';
        i = close;
        if (kind == '!')
            continue;
        if (kind == '/') {
            if (!section || strcmp(section, name) != 0)
                return ERR_INVALID;
            *pos = i;
            return 0;
        }
        if (kind == '#' || kind == '^') {
            int on = mu_truthy(sdk_json_path(m->ctx, name));

            if (kind == '^')
                on = !on;
            r = mu_run(m, &i, name, emit && on, depth + 1);
            if (r != 0)
                return r;
            continue;
        }
        if (emit) {
            r = mu_emit_value(m, sdk_json_path(m->ctx, name));
            if (r != 0)
                return r;
        }
    }
    *pos = i;
    return section ? ERR_INVALID : 0;
}

/* See marathon.h. */
int marathon_render_app(struct sim *s, const char *pkg_name,
                        const char *pkg_version, const json_t *options,
                        json_t **out)
{
    const struct tpl_entry *e;
    json_t *ctx, *app;
    struct buf b;
    struct mu m;
    size_t pos = 0;
    int r;

    e = tpl_get(s, pkg_name, pkg_version);
    if (!e)
        return ERR_NOTFOUND;
    ctx = json_deep_copy(options);
    if (!ctx || !json_is_object(ctx)) {
        json_decref(ctx);
        return ERR_INVALID;
    }
    json_object_set(ctx, "resource", e->resource);
    buf_init(&b, MU_MAX_OUT);
    m.t = e->tpl;
    m.len = strlen(e->tpl);
    m.ctx = ctx;
    m.out = &b;
    r = mu_run(&m, &pos, NULL, 1, 0);
    json_decref(ctx);
    if (r != 0) {
        buf_free(&b);
        return r == ERR_NOMEM ? ERR_NOMEM : ERR_INVALID;
    }
    app = json_loads(buf_str(&b), 0, NULL);
    buf_free(&b);
    if (!json_is_object(app)) {
        json_decref(app);
        return ERR_INVALID;
    }
    *out = app;
    return 0;
}

/* --- the app as Marathon shows it --- */

/* The wall clock as an app version ("2026-11-28T12:00:00.123Z"), new. */
static char *version_now(void)
{
    char buf[40];

    sim_iso8601(buf, sizeof(buf), util_now_wall());
    return strdup(buf);
}

/* See marathon.h. */
void marathon_app_restart(struct sim *s, struct sdk_service *svc,
                          bool install)
{
    char *dep = sim_uuid(), *ver = version_now(), *tid = NULL,
         *esc = strdup(svc->name), *c, *u = sim_uuid();

    if (esc)
        for (c = esc; *c; c++)
            if (*c == '/')
                *c = '_';
    if (esc && u)
        tid = sdk_printf("%s.%s", esc, u);
    free(esc);
    free(u);
    if (dep) {
        free(svc->deployment_id);
        svc->deployment_id = dep;
    }
    if (ver) {
        free(svc->app_version);
        svc->app_version = ver;
    }
    if (tid) {
        free(svc->sched_task_id);
        svc->sched_task_id = tid;
    }
    svc->deployment_install = install;
    svc->sched_up = 0;
    svc->sched_up_at = sim_now(s) + SDK_SCHED_STAGE_S;
    secret_free(svc->credential);
    svc->credential = NULL;
    svc->tls_checked = 0;
    /* written by the SDK's next tick, or by the request that called us */
    svc->unsaved = true;
}

/* See marathon.h. */
int marathon_app_delete(struct sim *s, const char *app_id)
{
    struct sdk_service *svc;

    if (!app_id)
        return ERR_NOTFOUND;
    svc = sdk_find(app_id[0] == '/' ? app_id + 1 : app_id);
    if (!svc)
        return ERR_NOTFOUND;
    LOG(LOG_INFO, SDK_LOG, "%s: Marathon app deleted", svc->name);
    /* the service leaves the SDK's state section with its app */
    sim_state_touch(s, "services", svc->name, NULL);
    json_object_del(sim_state_section(s, "services"), svc->name);
    sdk_registry_remove(svc);
    sdk_service_free(svc);
    return 0;
}

static char *app_id_of(const char *name)
{
    struct buf b;

    buf_init(&b, 1024);
    if (buf_printf(&b, "/%s", name) != 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

static int app_port(const struct sdk_service *svc)
{
    unsigned h = 5381;
    const char *p;

    for (p = svc->name; *p; p++)
        h = h * 33u + (unsigned char)*p;
    return 10000 + (int)(h % 1000u);
}

static int sched_healthy(struct sim *s, const struct sdk_service *svc)
{
    return svc->sched_up &&
           sim_now(s) >= svc->sched_up_at + SDK_SCHED_HEALTH_S;
}

static json_t *deployment_json(const struct sdk_service *svc)
{
    const char *action = svc->deployment_install ? "ScaleApplication"
                                                 : "RestartApplication";
    char *id = app_id_of(svc->name);
    json_t *steps, *d;

    if (!id)
        return NULL;
    steps = json_array();
    if (svc->deployment_install)
        json_array_append_new(
            steps, json_pack("{s:[{s:s,s:s}]}", "actions", "action",
                             "StartApplication", "app", id));
    json_array_append_new(steps, json_pack("{s:[{s:s,s:s}]}", "actions",
                                           "action", action, "app", id));
    d = json_pack("{s:s,s:s,s:[s],s:[],s:o,s:[{s:s,s:s,s:[]}],s:I,s:I}",
                  "id", svc->deployment_id, "version",
                  svc->app_version ? svc->app_version : "", "affectedApps",
                  id, "affectedPods", "steps", steps, "currentActions",
                  "action", action, "app", id, "readinessCheckResults",
                  "currentStep", (json_int_t)json_array_size(steps),
                  "totalSteps", (json_int_t)json_array_size(steps));
    free(id);
    return d;
}

/*
 * The Marathon app of @svc (new) or NULL.  @with_tasks adds the "tasks"
 * array (GET /v2/apps/<id> embeds it by default).
 */
static json_t *app_json(struct sim *s, const struct sdk_service *svc,
                        int with_tasks)
{
    json_t *app = NULL, *labels, *uris, *fetch, *v, *pd;
    char *id = app_id_of(svc->name);
    int healthy = sched_healthy(s, svc), port = app_port(svc);
    size_t i;

    if (!id)
        return NULL;
    if (marathon_render_app(s, svc->pkg_name, svc->pkg_version,
                            svc->options, &app) != 0) {
        free(id);
        return NULL;
    }
    json_object_set_new(app, "id", json_string(id));
    labels = json_object_get(app, "labels");
    if (!json_is_object(labels)) {
        labels = json_object();
        json_object_set_new(app, "labels", labels);
    }
    /* the template's labels, then the ones Cosmos wrote over them */
    if (svc->app_labels) {
        json_object_update(labels, svc->app_labels);
    } else {
        json_object_set_new(labels, "DCOS_PACKAGE_NAME",
                            json_string(svc->pkg_name));
        json_object_set_new(labels, "DCOS_PACKAGE_VERSION",
                            json_string(svc->pkg_version));
        json_object_set_new(labels, "DCOS_PACKAGE_SOURCE",
                            json_string(MARATHON_SOURCE));
    }
    if (svc->uninstall_env) {
        json_t *env = json_object_get(app, "env");

        if (!json_is_object(env)) {
            env = json_object();
            json_object_set_new(app, "env", env);
        }
        json_object_set_new(env, "SDK_UNINSTALL", json_string("true"));
    }
    /* Marathon answers with "fetch" in place of the deprecated "uris". */
    uris = json_object_get(app, "uris");
    fetch = json_array();
    json_array_foreach(uris, i, v)
        json_array_append_new(fetch,
                              json_pack("{s:O,s:b,s:b,s:b}", "uri", v,
                                        "extract", 1, "executable", 0,
                                        "cache", 0));
    json_object_set_new(app, "fetch", fetch);
    json_object_del(app, "uris");
    json_array_foreach(json_object_get(app, "portDefinitions"), i, pd)
        json_object_set_new(pd, "port", json_integer(port + (int)i));
    json_object_set_new(app, "ports", json_pack("[i]", port));
    json_object_set_new(app, "args", json_null());
    json_object_set_new(app, "constraints", json_array());
    json_object_set_new(app, "acceptedResourceRoles", json_null());
    json_object_set_new(app, "container", json_null());
    json_object_set_new(app, "dependencies", json_array());
    json_object_set_new(app, "disk", json_integer(0));
    json_object_set_new(app, "gpus", json_integer(0));
    json_object_set_new(app, "executor", json_string(""));
    json_object_set_new(app, "backoffFactor", json_real(1.15));
    json_object_set_new(app, "backoffSeconds", json_integer(1));
    json_object_set_new(app, "maxLaunchDelaySeconds", json_integer(3600));
    json_object_set_new(app, "requirePorts", json_false());
    json_object_set_new(app, "storeUrls", json_array());
    json_object_set_new(app, "readinessChecks", json_array());
    json_object_set_new(app, "killSelection", json_string("YOUNGEST_FIRST"));
    json_object_set_new(app, "unreachableStrategy",
                        json_pack("{s:i,s:i}", "inactiveAfterSeconds", 0,
                                  "expungeAfterSeconds", 0));
    json_object_set_new(app, "version",
                        json_string(svc->app_version ? svc->app_version
                                                     : ""));
    json_object_set_new(
        app, "versionInfo",
        json_pack("{s:s,s:s}", "lastScalingAt",
                  svc->app_version ? svc->app_version : "",
                  "lastConfigChangeAt",
                  svc->app_version ? svc->app_version : ""));
    json_object_set_new(app, "tasksStaged",
                        json_integer(svc->sched_up ? 0 : 1));
    json_object_set_new(app, "tasksRunning",
                        json_integer(svc->sched_up ? 1 : 0));
    json_object_set_new(app, "tasksHealthy", json_integer(healthy ? 1 : 0));
    json_object_set_new(app, "tasksUnhealthy", json_integer(0));
    v = json_array();
    if (svc->deployment_id)
        json_array_append_new(v, json_pack("{s:s}", "id",
                                           svc->deployment_id));
    json_object_set_new(app, "deployments", v);
    if (with_tasks) {
        json_t *tasks = json_array(), *t;

        if (svc->sched_task_id) {
            t = json_pack("{s:s,s:s,s:s,s:[i],s:s,s:s,s:s,s:s}", "id",
                          svc->sched_task_id, "appId", id, "host",
                          "127.0.0.1", "ports", port, "slaveId",
                          "sim-agent-0", "state",
                          svc->sched_up ? "TASK_RUNNING" : "TASK_STAGING",
                          "stagedAt",
                          svc->app_version ? svc->app_version : "",
                          "version",
                          svc->app_version ? svc->app_version : "");
            if (t && svc->sched_up)
                json_object_set_new(t, "startedAt",
                                    json_string(svc->app_version
                                                    ? svc->app_version
                                                    : ""));
            if (t && healthy)
                json_object_set_new(
                    t, "healthCheckResults",
                    json_pack("[{s:b,s:i,s:s}]", "alive", 1,
                              "consecutiveFailures", 0, "taskId",
                              svc->sched_task_id));
            if (t)
                json_array_append_new(tasks, t);
        }
        json_object_set_new(app, "tasks", tasks);
    }
    free(id);
    return app;
}

/* --- HTTP --- */

static void marathon_message(struct sim_resp *r, int status,
                             const char *msg)
{
    sim_resp_json(r, status, json_pack("{s:s}", "message", msg), NULL);
}

static int marathon_allowed(struct sim *s, const struct sim_req *req)
{
    return req->uid &&
           sim_iam_allowed(s, req->uid, "dcos:adminrouter:service:marathon",
                           "full");
}

/* Join @n segments with '/' (new). */
static char *join_segments(char **segs, size_t n)
{
    struct buf b;
    size_t i;

    buf_init(&b, 4096);
    for (i = 0; i < n; i++)
        if ((i && buf_puts(&b, "/") != 0) || buf_puts(&b, segs[i]) != 0) {
            buf_free(&b);
            return NULL;
        }
    return buf_detach(&b);
}

static void app_not_found(struct sim_resp *r, const char *id)
{
    struct buf b;

    buf_init(&b, 4096);
    if (buf_printf(&b, "App '/%s' does not exist", id) != 0) {
        buf_free(&b);
        marathon_message(r, 404, "App does not exist");
        return;
    }
    marathon_message(r, 404, buf_str(&b));
    buf_free(&b);
}

static void handle_restart(struct sim *s, const struct sim_req *req,
                           struct sim_resp *r, struct sdk_service *svc)
{
    char *force = sim_query_get(req, "force");
    int forced = force && strcmp(force, "true") == 0;

    free(force);
    if (svc->deployment_id && !forced) {
        struct buf b;

        buf_init(&b, 1024);
        buf_printf(&b,
                   "App is locked by one or more deployments. Override "
                   "with the option '?force=true'. View details at "
                   "'/v2/deployments/%s'.",
                   svc->deployment_id);
        sim_resp_json(r, 409,
                      json_pack("{s:s,s:[{s:s}]}", "message", buf_str(&b),
                                "deployments", "id", svc->deployment_id),
                      NULL);
        buf_free(&b);
        return;
    }
    marathon_app_restart(s, svc, false);
    sim_resp_json(r, 200,
                  json_pack("{s:s,s:s}", "deploymentId", svc->deployment_id,
                            "version", svc->app_version),
                  NULL);
}

static void handle_apps(struct sim *s, const struct sim_req *req,
                        struct sim_resp *r, const char *prefix)
{
    char *segs[32];
    size_t n = sim_path_segments(req, prefix, segs, 32), i;
    int restart = 0;
    char *id = NULL;
    struct sdk_service *svc;

    if (n == 0) {
        json_t *apps;

        if (strcmp(req->method, "GET") != 0) {
            marathon_message(r, 405, "Method Not Allowed");
            goto out;
        }
        apps = json_array();
        for (i = 0; i < sdk_count(); i++) {
            json_t *a = app_json(s, sdk_at(i), 0);

            if (a)
                json_array_append_new(apps, a);
        }
        sim_resp_json(r, 200, json_pack("{s:o}", "apps", apps), NULL);
        goto out;
    }
    if (strcmp(req->method, "POST") == 0 && n >= 2 &&
        strcmp(segs[n - 1], "restart") == 0)
        restart = 1;
    id = join_segments(segs, restart ? n - 1 : n);
    if (!id) {
        marathon_message(r, 500, "out of memory");
        goto out;
    }
    svc = sdk_find(id);
    if (restart) {
        if (!svc)
            app_not_found(r, id);
        else
            handle_restart(s, req, r, svc);
        goto out;
    }
    if (strcmp(req->method, "GET") != 0) {
        marathon_message(r, 405, "Method Not Allowed");
        goto out;
    }
    if (!svc) {
        app_not_found(r, id);
        goto out;
    }
    {
        json_t *a = app_json(s, svc, 1);

        if (!a)
            marathon_message(r, 500, "app definition could not be rendered");
        else
            sim_resp_json(r, 200, json_pack("{s:o}", "app", a), NULL);
    }
out:
    free(id);
    sim_segments_free(segs, n);
}

static void handle_deployments(struct sim_resp *r)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; i < sdk_count(); i++) {
        struct sdk_service *svc = sdk_at(i);

        if (svc->deployment_id) {
            json_t *d = deployment_json(svc);

            if (d)
                json_array_append_new(arr, d);
        }
    }
    sim_resp_json(r, 200, arr, NULL);
}

/* Handler of /marathon/ and /service/marathon/. */
static void marathon_handle(struct sim *s, const struct sim_req *req,
                            struct sim_resp *resp)
{
    const char *base = util_has_prefix(req->path, "/service/marathon/")
                           ? "/service/marathon"
                           : "/marathon";
    char prefix[64];

    if (!marathon_allowed(s, req)) {
        sim_resp_403(resp);
        return;
    }
    snprintf(prefix, sizeof(prefix), "%s/v2/apps", base);
    if (strcmp(req->path, prefix) == 0 ||
        (util_has_prefix(req->path, prefix) &&
         req->path[strlen(prefix)] == '/')) {
        handle_apps(s, req, resp, prefix);
        return;
    }
    snprintf(prefix, sizeof(prefix), "%s/v2/deployments", base);
    if (strcmp(req->path, prefix) == 0 ||
        (util_has_prefix(req->path, prefix) &&
         strcmp(req->path + strlen(prefix), "/") == 0)) {
        if (strcmp(req->method, "GET") != 0)
            marathon_message(resp, 405, "Method Not Allowed");
        else
            handle_deployments(resp);
        return;
    }
    marathon_message(resp, 404, "Not Found");
}

static void marathon_stop(struct sim *s)
{
    (void)s;
    marathon_cache_free();
}

static const struct sim_route marathon_routes[] = {
    {"*", "/service/marathon/", false, SIM_AUTH_TOKEN, marathon_handle},
    {"*", "/marathon/", false, SIM_AUTH_TOKEN, marathon_handle},
};

const struct sim_module sim_marathon_module = {
    .name = "marathon",
    .routes = marathon_routes,
    .n_routes = sizeof(marathon_routes) / sizeof(marathon_routes[0]),
    .stop = marathon_stop,
};
