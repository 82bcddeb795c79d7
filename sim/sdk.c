/*
 * dcos-sim: the dcos-commons SDK scheduler of each installed service: the
 * service lifetime driven by Cosmos and the control API, the scheduler
 * start (configuration validation, target configuration, plans) and the
 * module hooks that load, advance and save the services.  The data model,
 * tasks, TLS checks, specs, plans and persistence are in sim/sdk_*.c; the
 * scheduler runs as a Marathon app (sim/marathon.c).  Everything runs with
 * the sim lock held; time is simulated time (sim_now).  See docs/sim.md.
 */
#include "sim/sdk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "common/err.h"
#include "common/log.h"
#include "common/secret.h"
#include "sim/core.h"
#include "sim/marathon.h"
#include "sim/sdk_api.h"
#include "sim/sdk_mesos.h"
#include "sim/sdk_model.h"
#include "sim/sdk_plan.h"
#include "sim/sdk_spec.h"
#include "sim/sdk_store.h"
#include "sim/sdk_task.h"
#include "sim/sdk_uninstall.h"
#include "sim/secrets.h"
#include "sim/server.h"
#include "sim/state.h"

static const char TLS_NO_ACCOUNT_ERROR[] =
    "Field: 'transport-encryption'; Value: ''; Message: 'Scheduler is "
    "missing a service account that is required for provisioning TLS "
    "artifacts. Please configure in order to continue.'";

/* -------------------------------------------------------------------- */
/* the scheduler                                                        */

/* Config validation (DefaultConfigValidators) of @svc->options against
 * the target configuration: a new array of error strings. */
static json_t *config_validate(const struct sdk_service *svc)
{
    const json_t *o = svc->options;
    const json_t *old = sdk_config_options(svc, svc->target_id);
    json_t *errors = json_array();
    int pod;

    if (!errors)
        return NULL;
    if (sdk_opt_bool(o, "service.security.transport_encryption.enabled", 0) &&
        sdk_opt_str(o, "service.service_account_secret", "")[0] == '\0')
        json_array_append_new(errors, json_string(TLS_NO_ACCOUNT_ERROR));
    for (pod = 0; old && pod < SDK_N_PODS; pod++) {
        int was = sdk_pod_count(old, pod), now = sdk_pod_count(o, pod);
        char *e;

        if (now >= was)
            continue;
        e = sdk_printf("Field: 'PodSpec[setname:%s]'; Transition: '%d' => "
                       "'%d'; Message: 'New config's PodSpec named '%s' has "
                       "%d tasks, expected >=%d tasks'",
                       sdk_pod_name(pod), was, now, sdk_pod_name(pod), now,
                       was);
        if (e)
            json_array_append_new(errors, json_string(e));
        free(e);
    }
    return errors;
}

/* The scheduler registers with Mesos: a new framework id. */
static void framework_register(struct sdk_service *svc)
{
    char *u = sim_uuid();

    free(svc->framework_id);
    svc->framework_id = u ? sdk_printf("%s-0001", u) : NULL;
    free(u);
    sdk_dirty_mark();
}

/*
 * A new scheduler process starts serving: it reads its service-account
 * secret, validates and stores the target configuration and generates its
 * plans (SchedulerBuilder, elastic-sdk.md 2.4).
 */
static void scheduler_start(struct sim *s, struct sdk_service *svc,
                            double now)
{
    const char *path = sdk_opt_str(svc->options,
                                   "service.service_account_secret", "");
    const char *cred = path[0] ? sim_secret_value(s, path) : NULL;
    json_t *errors, *spec_new = NULL, *spec_old = NULL;
    size_t i;

    if (svc->uninstalling && !svc->uninstall_env) {
        /* SchedulerConfig: the uninstall bit without SDK_UNINSTALL exits
         * 11 (SCHEDULER_ALREADY_UNINSTALLING); Marathon relaunches it */
        if (!svc->exit_logged)
            LOG(LOG_WARN, SDK_LOG, "%s: scheduler exits 11: already "
                "uninstalling, SDK_UNINSTALL is gone", svc->name);
        svc->exit_logged = 1;
        svc->sched_up_at = now + SDK_SCHED_STAGE_S;
        sdk_dirty_mark();
        return;
    }
    svc->sched_up = 1;
    svc->exit_logged = 0;
    secret_free(svc->credential);
    svc->credential = cred ? secret_new_str(cred) : NULL;
    svc->tls_checked = 0;
    svc->blocked = NULL;
    sdk_dirty_mark();
    if (svc->uninstall_env) {
        /* UninstallScheduler: persist the bit, serve the uninstall plan */
        svc->uninstalling = 1;
        if (sdk_uninstall_build(svc, now) != 0)
            LOG(LOG_ERROR, SDK_LOG, "%s: uninstall plan not built",
                svc->name);
        else
            LOG(LOG_INFO, SDK_LOG, "%s: uninstall scheduler started",
                svc->name);
        return;
    }
    if (!svc->framework_id)
        framework_register(svc); /* the first start registers it */

    if (!svc->deployed && svc->plan.n_phases && !svc->plan.update &&
        sdk_plan_status(&svc->plan) == SDK_COMPLETE)
        svc->deployed = 1;

    errors = config_validate(svc);
    if (!errors)
        return;
    if (json_array_size(errors) == 0 || !svc->target_id) {
        spec_new = sdk_spec_of_options(s, svc, svc->options, svc->pkg_version);
        if (svc->target_id)
            spec_old = sdk_service_spec(s, svc, svc->target_id);
        if (spec_new && spec_old && json_equal(spec_new, spec_old)) {
            /* same ServiceSpec: the target id stays */
            json_t *c = json_object_get(svc->configs, svc->target_id);

            json_object_set_new(c, "options", json_deep_copy(svc->options));
            json_object_set_new(c, "package_version",
                                json_string(svc->pkg_version));
        } else {
            char *id = sdk_config_add(svc, svc->options, svc->pkg_version);

            if (id) {
                free(svc->target_id);
                svc->target_id = id;
            }
        }
    }
    json_decref(spec_new);
    json_decref(spec_old);
    if (json_array_size(errors) > 0)
        LOG(LOG_INFO, SDK_LOG, "%s: configuration rejected (%zu errors)",
            svc->name, json_array_size(errors));

    /* tasks whose pod spec did not change now run the target config */
    for (i = 0; i < svc->n_tasks; i++) {
        struct sdk_task *t = &svc->tasks[i];

        if (t->config_id && svc->target_id &&
            strcmp(t->config_id, svc->target_id) != 0 &&
            sdk_pod_spec_equal(s, svc, t->config_id, svc->target_id, t->pod))
            sdk_set_str(&t->config_id, svc->target_id);
    }
    sdk_config_prune(svc);

    if (sdk_plan_build(svc, &svc->plan, svc->deployed, now) == 0) {
        json_decref(svc->plan.errors);
        svc->plan.errors = errors;
        errors = NULL;
    }
    json_decref(errors);
    if (svc->recovery.n_phases == 0)
        sdk_recovery_init(&svc->recovery);
    else
        sdk_recovery_prune(&svc->recovery);
}

/* -------------------------------------------------------------------- */
/* service lifetime                                                     */

/* See sdk.h. */
int sim_sdk_install(struct sim *s, const char *name, const char *pkg_name,
                    const char *pkg_version, const json_t *resolved,
                    const json_t *labels)
{
    struct sdk_service *svc;
    json_t *app = NULL;
    int r;

    if (!name || !pkg_name || !pkg_version || !json_is_object(resolved))
        return ERR_INVALID;
    if (name[0] == '/')
        name++;
    if (sdk_find(name))
        return ERR_CONFLICT;
    r = marathon_render_app(s, pkg_name, pkg_version, resolved, &app);
    json_decref(app);
    if (r != 0)
        return r;
    svc = calloc(1, sizeof(*svc));
    if (!svc)
        return ERR_NOMEM;
    svc->name = strdup(name);
    svc->pkg_name = strdup(pkg_name);
    svc->pkg_version = strdup(pkg_version);
    svc->options = json_deep_copy(resolved);
    svc->configs = json_object();
    svc->app_labels = labels ? json_deep_copy(labels) : NULL;
    if (!svc->name || !svc->pkg_name || !svc->pkg_version ||
        !svc->options || !svc->configs || (labels && !svc->app_labels) ||
        sdk_registry_add(svc) != 0) {
        sdk_service_free(svc);
        return ERR_NOMEM;
    }
    sdk_recovery_init(&svc->recovery);
    marathon_app_restart(s, svc, true);
    LOG(LOG_INFO, SDK_LOG, "%s: installed %s %s", svc->name, pkg_name,
        pkg_version);
    sdk_touch(s, svc);
    return 0;
}

/* See sdk.h. */
int sim_sdk_update(struct sim *s, const char *name, const char *pkg_version,
                   const json_t *resolved, const json_t *labels)
{
    struct sdk_service *svc = sdk_find(name);
    json_t *app = NULL, *o, *l = NULL;
    const char *ver;
    int r;

    if (!svc)
        return ERR_NOTFOUND;
    if (!json_is_object(resolved))
        return ERR_INVALID;
    /* Marathon refuses to change an app during a deployment and Cosmos
     * does not force it (dcos-commons marathon-error.json). */
    if (svc->deployment_id)
        return ERR_CONFLICT;
    ver = pkg_version ? pkg_version : svc->pkg_version;
    r = marathon_render_app(s, svc->pkg_name, ver, resolved, &app);
    json_decref(app);
    if (r != 0)
        return r;
    o = json_deep_copy(resolved);
    if (labels)
        l = json_deep_copy(labels);
    if (!o || (labels && !l)) {
        json_decref(o);
        return ERR_NOMEM;
    }
    json_decref(svc->options);
    svc->options = o;
    if (l) {
        json_decref(svc->app_labels);
        svc->app_labels = l;
    }
    sdk_set_str(&svc->pkg_version, ver);
    /* Cosmos puts a freshly rendered app: SDK_UNINSTALL is gone */
    svc->uninstall_env = 0;
    marathon_app_restart(s, svc, false);
    LOG(LOG_INFO, SDK_LOG, "%s: updated, scheduler restarting", svc->name);
    sdk_touch(s, svc);
    return 0;
}

/* See sdk.h. */
int sim_sdk_uninstall(struct sim *s, const char *name)
{
    struct sdk_service *svc;

    if (name && name[0] == '/')
        name++;
    svc = name ? sdk_find(name) : NULL;
    if (!svc)
        return ERR_NOTFOUND;
    if (svc->uninstall_env)
        return 0; /* the same app again: nothing changes (UNCONFIRMED) */
    /* Cosmos's forced PUT with env SDK_UNINSTALL: a new deployment, the
     * old scheduler killed first */
    svc->uninstall_env = 1;
    marathon_app_restart(s, svc, false);
    LOG(LOG_INFO, SDK_LOG, "%s: uninstall requested, scheduler restarting",
        svc->name);
    sdk_touch(s, svc);
    return 0;
}

/* See sdk.h. */
int sim_sdk_uninstalled(struct sim *s, const char *name)
{
    struct sdk_service *svc = sdk_find(name);

    (void)s;
    return svc && !svc->deployment_id && svc->uninstall_env &&
           svc->sched_up && svc->uninstalling &&
           svc->uninstall.n_steps > 0 &&
           sdk_uninstall_status(svc) == SDK_COMPLETE;
}

/* See sdk.h. */
const char *sim_sdk_deployment(struct sim *s, const char *name)
{
    const struct sdk_service *svc = sdk_find(name);

    (void)s;
    return svc ? svc->deployment_id : NULL;
}

/* See sdk.h. */
json_t *sim_sdk_mesos_state(struct sim *s)
{
    return sdk_mesos_state(s);
}

/* See sdk.h. */
int sim_sdk_exists(struct sim *s, const char *name)
{
    (void)s;
    return sdk_find(name) != NULL;
}

/* See sdk.h. */
unsigned long sim_sdk_removals(void)
{
    return sdk_registry_removals();
}

/* See sdk.h. */
json_t *sim_sdk_scheduler_info(const char *service)
{
    static const char hex[] = "0123456789abcdef";
    struct sdk_service *svc = sdk_find(service);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;
    char fp[2 * EVP_MAX_MD_SIZE + 1];

    if (!svc)
        return NULL;
    if (!svc->credential ||
        EVP_Digest(svc->credential->buf, svc->credential->len, md, &mdlen,
                   EVP_sha256(), NULL) != 1)
        return json_pack("{s:s, s:b, s:n}", "service", svc->name,
                         "scheduler_up", svc->sched_up, "credential_sha256");
    for (i = 0; i < mdlen; i++) {
        fp[2 * i] = hex[md[i] >> 4];
        fp[2 * i + 1] = hex[md[i] & 15];
    }
    fp[2 * mdlen] = '\0';
    return json_pack("{s:s, s:b, s:s}", "service", svc->name, "scheduler_up",
                     svc->sched_up, "credential_sha256", fp);
}

int sim_sdk_node_op(struct sim *s, const char *service, const char *task,
                    const char *op)
{
    struct sdk_service *svc = sdk_find(service);
    struct sdk_task *t = svc && task ? sdk_task_by_name(svc, task) : NULL;
    double now = sim_now(s);

    if (!op || (strcmp(op, "kill") != 0 && strcmp(op, "restart") != 0))
        return ERR_INVALID;
    if (!t || !t->id)
        return ERR_NOTFOUND;
    if (strcmp(op, "kill") == 0) {
        if (t->state != SDK_TASK_RUNNING && t->state != SDK_TASK_STAGING)
            return 0;
        sdk_task_kill(t, now);
        t->recover_at = now + SDK_RECOVERY_DELAY_S;
    } else {
        sdk_task_kill(t, now);
        t->recover_at = now;
    }
    LOG(LOG_INFO, SDK_LOG, "%s: %s %s", svc->name, op, t->name);
    sdk_touch(s, svc);
    return 0;
}

/* -------------------------------------------------------------------- */
/* module hooks                                                         */

static void service_tick(struct sim *s, struct sdk_service *svc, double now)
{
    size_t i;

    for (i = 0; i < svc->n_tasks; i++)
        sdk_task_tick(s, svc, &svc->tasks[i], now);
    if (!svc->sched_up && now >= svc->sched_up_at)
        scheduler_start(s, svc, now);
    if (svc->sched_up) {
        if (svc->deployment_id &&
            now >= svc->sched_up_at + SDK_SCHED_HEALTH_S) {
            free(svc->deployment_id);
            svc->deployment_id = NULL;
            sdk_dirty_mark();
        }
    }
    if (svc->sched_up && svc->uninstalling) {
        sdk_uninstall_advance(s, svc, now);
    } else if (svc->sched_up) {
        sdk_recovery_schedule(svc, now);
        sdk_plan_advance(s, svc, &svc->plan, now);
        sdk_plan_advance(s, svc, &svc->recovery, now);
        if (!svc->deployed && !svc->plan.update && svc->plan.n_phases &&
            sdk_plan_status(&svc->plan) == SDK_COMPLETE) {
            svc->deployed = 1; /* last-completed-update-type = DEPLOY */
            sdk_dirty_mark();
        }
    }
    for (i = 0; i < svc->n_tasks; i++)
        sdk_task_push_health(svc, &svc->tasks[i]);
}

static unsigned long g_ticks; /* sdk_tick() calls */

static void sdk_tick(struct sim *s, double now)
{
    size_t i;

    /* a change made outside a tick and not written yet: everything */
    if (sdk_dirty_get())
        sdk_touch(s, NULL);
    /* each service written when its tick changed it; an idle one
     * ticked now and then only (SDK_IDLE_S), spread over the ticks */
    g_ticks++;
    for (i = 0; i < sdk_count(); i++) {
        struct sdk_service *svc = sdk_at(i);

        if (svc->unsaved)
            sdk_touch(s, svc); /* Marathon restarted its scheduler */
        if (svc->changed_at <= 0 || svc->changed_at > now)
            svc->changed_at = now;
        if (now - svc->changed_at > SDK_IDLE_S &&
            (g_ticks + i) % SDK_IDLE_EVERY != 0)
            continue;
        service_tick(s, svc, now);
        if (sdk_dirty_get()) {
            sdk_touch(s, svc);
            sdk_dirty_clear();
        }
    }
}

static int sdk_start(struct sim *s)
{
    json_t *sec = sim_state_section(s, "services"), *j;
    const char *key;
    size_t i;

    if (sdk_task_plane_start(s) != 0)
        return ERR_INTERNAL;
    json_object_foreach(sec, key, j) {
        struct sdk_service *svc = sdk_service_from_json(j);

        if (!svc || sdk_registry_add(svc) != 0) {
            LOG(LOG_ERROR, SDK_LOG, "service %s: state not loaded", key);
            sdk_service_free(svc);
            continue;
        }
    }
    for (i = 0; i < sdk_count(); i++) {
        struct sdk_service *svc = sdk_at(i);
        const char *path = sdk_opt_str(svc->options,
                                       "service.service_account_secret", "");
        const char *cred = path[0] ? sim_secret_value(s, path) : NULL;
        size_t k;

        /* The scheduler process came back with the cluster: it reads its
         * secret again. */
        if (svc->sched_up && cred)
            svc->credential = secret_new_str(cred);
        if (svc->recovery.n_phases == 0)
            sdk_recovery_init(&svc->recovery);
        /* a state written before frameworks were modelled */
        if (!svc->framework_id && svc->target_id && !svc->uninstalling)
            framework_register(svc);
        for (k = 0; k < svc->n_tasks; k++) {
            struct sdk_task *t = &svc->tasks[k];

            if (t->state == SDK_TASK_RUNNING && sdk_task_has_listener(t) &&
                sdk_task_node_start(s, svc, t) != 0)
                t->state = SDK_TASK_FAILED;
        }
    }
    if (sdk_count())
        sdk_touch(s, NULL);
    return 0;
}

static void sdk_stop(struct sim *s)
{
    size_t i;

    if (sdk_dirty_get())
        sdk_touch(s, NULL);
    for (i = 0; i < sdk_count(); i++)
        sdk_service_free(sdk_at(i));
    sdk_registry_clear();
    sdk_task_plane_stop();
}

static const struct sim_route sdk_routes[] = {
    {"*", "/service/", false, SIM_AUTH_TOKEN, sdk_api_handle},
};

const struct sim_module sim_sdk_module = {
    .name = "sdk",
    .routes = sdk_routes,
    .n_routes = sizeof(sdk_routes) / sizeof(sdk_routes[0]),
    .start = sdk_start,
    .tick = sdk_tick,
    .stop = sdk_stop,
};
