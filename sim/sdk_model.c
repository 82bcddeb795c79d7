/*
 * dcos-sim SDK data model: the registry of services, names, options and
 * configurations, task slots, and the destructors of services and plans.
 * See sdk_model.h.
 */
#include "sim/sdk_model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/secret.h"
#include "sim/node.h"
#include "sim/strmap.h"

static const char *const POD_NAMES[SDK_N_PODS] = {"master", "data",
                                                  "ingest", "coordinator"};

/* All services, in creation order, and indexed by name. */
static struct sdk_service **g_svcs;
static size_t g_n_svcs;
static struct sim_strmap g_by_name;
static unsigned long g_removals;
static int g_dirty;

/* -------------------------------------------------------------------- */
/* names                                                                */

/* See sdk_model.h. */
const char *sdk_pod_name(int pod)
{
    return pod >= 0 && pod < SDK_N_PODS ? POD_NAMES[pod] : "unknown";
}

/* See sdk_model.h. */
const char *sdk_status_name(int st)
{
    static const char *const names[] = {"PENDING",  "PREPARED", "STARTING",
                                        "STARTED",  "COMPLETE", "ERROR",
                                        "WAITING",  "IN_PROGRESS"};

    return st >= 0 && st <= SDK_IN_PROGRESS ? names[st] : "ERROR";
}

/* See sdk_model.h. */
int sdk_status_parse(const char *name)
{
    int i;

    for (i = SDK_PENDING; i <= SDK_ERROR; i++)
        if (name && strcmp(name, sdk_status_name(i)) == 0)
            return i;
    return SDK_PENDING;
}

/* See sdk_model.h. */
const char *sdk_task_state_name(int st)
{
    static const char *const names[] = {"UNKNOWN", "STAGING", "RUNNING",
                                        "KILLED", "FAILED"};

    return st >= 0 && st <= SDK_TASK_FAILED ? names[st] : "UNKNOWN";
}

/* -------------------------------------------------------------------- */
/* helpers                                                              */

/* See sdk_model.h. */
const json_t *sdk_json_path(const json_t *o, const char *path)
{
    char part[128];
    const char *p = path;

    while (o && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);

        if (n == 0 || n >= sizeof(part))
            return NULL;
        memcpy(part, p, n);
        part[n] = '\0';
        o = json_object_get(o, part);
        p = dot ? dot + 1 : p + n;
    }
    return o;
}

/* See sdk_model.h. */
const char *sdk_opt_str(const json_t *o, const char *path,
                        const char *def)
{
    const char *v = json_string_value(sdk_json_path(o, path));

    return v ? v : def;
}

/* See sdk_model.h. */
int sdk_opt_bool(const json_t *o, const char *path, int def)
{
    const json_t *v = sdk_json_path(o, path);

    return json_is_boolean(v) ? json_is_true(v) : def;
}

static long opt_int(const json_t *o, const char *path, long def)
{
    const json_t *v = sdk_json_path(o, path);

    if (json_is_integer(v))
        return (long)json_integer_value(v);
    if (json_is_real(v))
        return (long)json_real_value(v);
    return def;
}

/* See sdk_model.h. */
char *sdk_printf(const char *fmt, ...)
{
    struct buf b;
    va_list ap;
    int r;

    buf_init(&b, 64 * 1024);
    va_start(ap, fmt);
    r = buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (r != 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

/* See sdk_model.h. */
void sdk_set_str(char **dst, const char *src)
{
    char *v = src ? strdup(src) : NULL;

    if (src && !v)
        return; /* keep the old value rather than lose it */
    free(*dst);
    *dst = v;
}

/* -------------------------------------------------------------------- */
/* the registry of services                                             */

/* See sdk_model.h. */
struct sdk_service *sdk_find(const char *name)
{
    if (!name)
        return NULL;
    if (name[0] == '/')
        name++;
    return sim_strmap_get(&g_by_name, name);
}

/* See sdk_model.h. */
size_t sdk_count(void)
{
    return g_n_svcs;
}

/* See sdk_model.h. */
struct sdk_service *sdk_at(size_t i)
{
    return i < g_n_svcs ? g_svcs[i] : NULL;
}

/* See sdk_model.h. */
int sdk_registry_add(struct sdk_service *svc)
{
    struct sdk_service **v = realloc(g_svcs, (g_n_svcs + 1) * sizeof(*v));

    if (!v)
        return ERR_NOMEM;
    g_svcs = v;
    if (sim_strmap_put(&g_by_name, svc->name, svc) != 0)
        return ERR_NOMEM;
    g_svcs[g_n_svcs++] = svc;
    return 0;
}

/* See sdk_model.h. */
void sdk_registry_remove(struct sdk_service *svc)
{
    size_t i;

    for (i = 0; i < g_n_svcs; i++) {
        if (g_svcs[i] != svc)
            continue;
        sim_strmap_del(&g_by_name, svc->name);
        g_removals++;
        memmove(&g_svcs[i], &g_svcs[i + 1],
                (g_n_svcs - i - 1) * sizeof(*g_svcs));
        g_n_svcs--;
        return;
    }
}

/* See sdk_model.h. */
unsigned long sdk_registry_removals(void)
{
    return g_removals;
}

/* See sdk_model.h. */
void sdk_registry_clear(void)
{
    free(g_svcs);
    g_svcs = NULL;
    g_n_svcs = 0;
    sim_strmap_free(&g_by_name);
}

/* See sdk_model.h. */
void sdk_dirty_mark(void)
{
    g_dirty = 1;
}

/* See sdk_model.h. */
bool sdk_dirty_get(void)
{
    return g_dirty != 0;
}

/* See sdk_model.h. */
void sdk_dirty_clear(void)
{
    g_dirty = 0;
}

/* See sdk_model.h. */
void sdk_service_free(struct sdk_service *svc)
{
    size_t i;

    if (!svc)
        return;
    for (i = 0; i < svc->n_tasks; i++) {
        sdk_task_node_stop(&svc->tasks[i]);
        free(svc->tasks[i].id);
        free(svc->tasks[i].config_id);
    }
    free(svc->tasks);
    sdk_plan_clear(&svc->plan);
    sdk_plan_clear(&svc->recovery);
    secret_free(svc->credential);
    json_decref(svc->options);
    json_decref(svc->configs);
    free(svc->name);
    free(svc->pkg_name);
    free(svc->pkg_version);
    free(svc->target_id);
    free(svc->deployment_id);
    free(svc->app_version);
    free(svc->sched_task_id);
    json_decref(svc->app_labels);
    free(svc->framework_id);
    sdk_uninstall_clear(&svc->uninstall);
    free(svc);
}

/* -------------------------------------------------------------------- */
/* configurations                                                       */

/* See sdk_model.h. */
int sdk_pod_count(const json_t *options, int pod)
{
    long n;

    switch (pod) {
    case SDK_POD_MASTER:
        return 3;
    case SDK_POD_DATA:
        n = opt_int(options, "data_nodes.count", 2);
        break;
    case SDK_POD_INGEST:
        n = opt_int(options, "ingest_nodes.count", 0);
        break;
    case SDK_POD_COORDINATOR:
        n = opt_int(options, "coordinator_nodes.count", 1);
        break;
    default:
        return 0;
    }
    if (n < 0)
        return 0;
    return n > SDK_MAX_COUNT ? SDK_MAX_COUNT : (int)n;
}

/* See sdk_model.h. */
const json_t *sdk_config_options(const struct sdk_service *svc,
                                 const char *id)
{
    if (!id)
        return NULL;
    return json_object_get(json_object_get(svc->configs, id), "options");
}

/* See sdk_model.h. */
const char *sdk_config_version(const struct sdk_service *svc,
                               const char *id)
{
    if (!id)
        return NULL;
    return json_string_value(
        json_object_get(json_object_get(svc->configs, id),
                        "package_version"));
}

/* See sdk_model.h. */
int sdk_config_tls(const struct sdk_service *svc, const char *id)
{
    return sdk_opt_bool(sdk_config_options(svc, id),
                        "service.security.transport_encryption.enabled", 0);
}

/* -------------------------------------------------------------------- */
/* tasks and plans                                                      */

/* See sdk_model.h. */
struct sdk_task *sdk_task_get(struct sdk_service *svc, int pod, int index)
{
    size_t i;

    for (i = 0; i < svc->n_tasks; i++)
        if (svc->tasks[i].pod == pod && svc->tasks[i].index == index)
            return &svc->tasks[i];
    return NULL;
}

/* See sdk_model.h. */
struct sdk_task *sdk_task_by_name(struct sdk_service *svc,
                                  const char *name)
{
    size_t i;

    for (i = 0; i < svc->n_tasks; i++)
        if (strcmp(svc->tasks[i].name, name) == 0)
            return &svc->tasks[i];
    return NULL;
}

/* See sdk_model.h. */
int sdk_task_ensure(struct sdk_service *svc, int pod, int index)
{
    struct sdk_task *v, *t;

    if (sdk_task_get(svc, pod, index))
        return 0;
    v = realloc(svc->tasks, (svc->n_tasks + 1) * sizeof(*v));
    if (!v)
        return ERR_NOMEM;
    svc->tasks = v;
    t = &v[svc->n_tasks++];
    memset(t, 0, sizeof(*t));
    t->pod = pod;
    t->index = index;
    snprintf(t->name, sizeof(t->name), "%s-%d-node", POD_NAMES[pod], index);
    return 0;
}

/* See sdk_model.h. */
void sdk_task_node_stop(struct sdk_task *t)
{
    sim_node_stop(t->node);
    t->node = NULL;
    t->health[0] = '\0';
}

/* See sdk_model.h. */
void sdk_plan_clear(struct sdk_plan *p)
{
    size_t i, j;

    for (i = 0; i < p->n_phases; i++) {
        for (j = 0; j < p->phases[i].n_steps; j++)
            free(p->phases[i].steps[j].id);
        free(p->phases[i].steps);
        free(p->phases[i].id);
    }
    free(p->phases);
    json_decref(p->errors);
    memset(p, 0, sizeof(*p));
}

/* See sdk_model.h. */
void sdk_uninstall_clear(struct sdk_uninstall *u)
{
    size_t i;

    for (i = 0; i < u->n_steps; i++) {
        free(u->steps[i].id);
        free(u->steps[i].target);
    }
    free(u->steps);
    for (i = 0; i < SDK_U_N_KINDS; i++)
        free(u->phase_ids[i]);
    memset(u, 0, sizeof(*u));
}
