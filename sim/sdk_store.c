/*
 * dcos-sim SDK persistence: the services in the "services" section of the
 * state, and back.  See sdk_store.h.
 */
#include "sim/sdk_store.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
#include "common/log.h"
#include "common/util.h"
#include "sim/sdk_model.h"
#include "sim/sdk_plan.h"
#include "sim/sdk_uninstall.h"
#include "sim/state.h"

static int task_state_parse(const char *s)
{
    int i;

    for (i = SDK_TASK_NONE; i <= SDK_TASK_FAILED; i++)
        if (s && strcmp(s, sdk_task_state_name(i)) == 0)
            return i;
    return SDK_TASK_NONE;
}

static json_t *plan_to_json(const struct sdk_plan *p)
{
    json_t *phases = json_array(), *j;
    size_t i, k;

    for (i = 0; phases && i < p->n_phases; i++) {
        const struct sdk_phase *ph = &p->phases[i];
        json_t *steps = json_array();

        for (k = 0; steps && k < ph->n_steps; k++)
            json_array_append_new(
                steps,
                json_pack("{s:s,s:i,s:i,s:s,s:f}", "id", ph->steps[k].id,
                          "pod", ph->steps[k].pod, "index",
                          ph->steps[k].index, "status",
                          sdk_status_name(ph->steps[k].status), "since",
                          ph->steps[k].since));
        json_array_append_new(
            phases, json_pack("{s:s?,s:i,s:b,s:o}", "id", ph->id, "pod",
                              ph->pod, "interrupted", ph->interrupted,
                              "steps", steps));
    }
    j = json_pack("{s:b,s:b,s:b,s:b,s:b,s:o,s:o}", "update", p->update,
                  "recovery", p->recovery, "serial", p->serial,
                  "phase_serial", p->phase_serial, "interrupted",
                  p->interrupted, "errors",
                  p->errors ? json_incref(p->errors) : json_array(),
                  "phases", phases);
    return j;
}

static int plan_from_json(struct sdk_plan *p, const json_t *j)
{
    const json_t *ph, *st;
    size_t i, k;

    sdk_plan_clear(p);
    if (!json_is_object(j))
        return ERR_INVALID;
    p->update = json_is_true(json_object_get(j, "update"));
    p->recovery = json_is_true(json_object_get(j, "recovery"));
    p->serial = json_is_true(json_object_get(j, "serial"));
    p->phase_serial = json_is_true(json_object_get(j, "phase_serial"));
    p->interrupted = json_is_true(json_object_get(j, "interrupted"));
    p->errors = json_is_array(json_object_get(j, "errors"))
                    ? json_deep_copy(json_object_get(j, "errors"))
                    : json_array();
    ph = json_object_get(j, "phases");
    if (!json_is_array(ph) || json_array_size(ph) > SDK_N_PODS)
        return ERR_INVALID;
    p->phases = calloc(json_array_size(ph) + 1, sizeof(*p->phases));
    if (!p->phases || !p->errors)
        return ERR_NOMEM;
    for (i = 0; i < json_array_size(ph); i++) {
        const json_t *pj = json_array_get(ph, i);
        struct sdk_phase *x = &p->phases[p->n_phases++];

        x->pod = (int)json_integer_value(json_object_get(pj, "pod"));
        x->interrupted = json_is_true(json_object_get(pj, "interrupted"));
        x->id = util_strdup(json_string_value(json_object_get(pj, "id")));
        if (!x->id)
            x->id = sim_uuid();
        json_array_foreach(json_object_get(pj, "steps"), k, st) {
            int pod = (int)json_integer_value(json_object_get(st, "pod"));
            int idx = (int)json_integer_value(json_object_get(st, "index"));

            if (pod < 0 || pod >= SDK_N_PODS || idx < 0 ||
                idx >= SDK_MAX_COUNT || x->n_steps >= SDK_MAX_COUNT)
                return ERR_INVALID;
            if (sdk_phase_add_step(x, pod, idx,
                                   sdk_status_parse(json_string_value(
                                       json_object_get(st, "status"))),
                                   json_number_value(
                                       json_object_get(st, "since"))) != 0)
                return ERR_NOMEM;
            sdk_set_str(&x->steps[x->n_steps - 1].id,
                        json_string_value(json_object_get(st, "id")));
        }
    }
    return 0;
}

static json_t *service_to_json(const struct sdk_service *svc)
{
    json_t *tasks = json_array(), *j, *un;
    size_t i;

    for (i = 0; tasks && i < svc->n_tasks; i++) {
        const struct sdk_task *t = &svc->tasks[i];

        json_array_append_new(
            tasks,
            json_pack("{s:i,s:i,s:s?,s:s?,s:s,s:f,s:b,s:b,s:i,s:f}", "pod",
                      t->pod, "index", t->index, "id", t->id, "config_id",
                      t->config_id, "state", sdk_task_state_name(t->state),
                      "since", t->since, "tls", t->tls, "xpack", t->xpack,
                      "port", t->port, "recover_at", t->recover_at));
    }
    j = json_pack(
        "{s:s,s:s,s:s,s:O,s:s?,s:O,s:b,"
        "s:{s:b,s:f,s:s?,s:b,s:s?,s:s?},s:o,s:o,s:o}",
        "name", svc->name, "package_name", svc->pkg_name, "package_version",
        svc->pkg_version, "options", svc->options, "target_id",
        svc->target_id, "configs", svc->configs, "deployed", svc->deployed,
        "scheduler", "up", svc->sched_up, "up_at", svc->sched_up_at,
        "deployment_id", svc->deployment_id, "deployment_install",
        svc->deployment_install, "app_version", svc->app_version, "task_id",
        svc->sched_task_id, "plan", plan_to_json(&svc->plan), "recovery",
        plan_to_json(&svc->recovery), "tasks", tasks);
    if (!j)
        return NULL;
    un = svc->uninstall.n_steps ? sdk_uninstall_to_json(&svc->uninstall)
                                : json_null();
    if (json_object_set_new(j, "uninstall", un) ||
        json_object_set_new(j, "uninstall_env",
                            json_boolean(svc->uninstall_env)) ||
        json_object_set_new(j, "uninstalling",
                            json_boolean(svc->uninstalling)) ||
        json_object_set_new(j, "framework_id",
                            svc->framework_id
                                ? json_string(svc->framework_id)
                                : json_null()) ||
        json_object_set_new(j, "app_labels",
                            svc->app_labels ? json_incref(svc->app_labels)
                                            : json_null())) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* See sdk_store.h. */
struct sdk_service *sdk_service_from_json(const json_t *j)
{
    struct sdk_service *svc = calloc(1, sizeof(*svc));
    const json_t *sch = json_object_get(j, "scheduler"), *tj;
    size_t i;

    if (!svc)
        return NULL;
    svc->name = util_strdup(json_string_value(json_object_get(j, "name")));
    svc->pkg_name = util_strdup(
        json_string_value(json_object_get(j, "package_name")));
    svc->pkg_version = util_strdup(
        json_string_value(json_object_get(j, "package_version")));
    svc->options = json_deep_copy(json_object_get(j, "options"));
    svc->configs = json_deep_copy(json_object_get(j, "configs"));
    svc->target_id = util_strdup(
        json_string_value(json_object_get(j, "target_id")));
    svc->deployed = json_is_true(json_object_get(j, "deployed"));
    svc->sched_up = json_is_true(json_object_get(sch, "up"));
    svc->sched_up_at = json_number_value(json_object_get(sch, "up_at"));
    svc->deployment_id = util_strdup(
        json_string_value(json_object_get(sch, "deployment_id")));
    svc->deployment_install =
        json_is_true(json_object_get(sch, "deployment_install"));
    svc->app_version = util_strdup(
        json_string_value(json_object_get(sch, "app_version")));
    svc->sched_task_id = util_strdup(
        json_string_value(json_object_get(sch, "task_id")));
    svc->uninstall_env = json_is_true(json_object_get(j, "uninstall_env"));
    svc->uninstalling = json_is_true(json_object_get(j, "uninstalling"));
    svc->framework_id = util_strdup(
        json_string_value(json_object_get(j, "framework_id")));
    if (json_is_object(json_object_get(j, "app_labels")))
        svc->app_labels = json_deep_copy(json_object_get(j, "app_labels"));
    if (!svc->name || !svc->pkg_name || !svc->pkg_version ||
        !json_is_object(svc->options) || !json_is_object(svc->configs) ||
        plan_from_json(&svc->plan, json_object_get(j, "plan")) != 0 ||
        plan_from_json(&svc->recovery, json_object_get(j, "recovery")) != 0 ||
        sdk_uninstall_from_json(&svc->uninstall,
                                json_object_get(j, "uninstall")) != 0)
        goto fail;
    json_array_foreach(json_object_get(j, "tasks"), i, tj) {
        int pod = (int)json_integer_value(json_object_get(tj, "pod"));
        int idx = (int)json_integer_value(json_object_get(tj, "index"));
        struct sdk_task *t;

        if (pod < 0 || pod >= SDK_N_PODS || idx < 0 ||
            idx >= SDK_MAX_COUNT || sdk_task_ensure(svc, pod, idx) != 0)
            goto fail;
        t = sdk_task_get(svc, pod, idx);
        t->id = util_strdup(json_string_value(json_object_get(tj, "id")));
        t->config_id = util_strdup(
            json_string_value(json_object_get(tj, "config_id")));
        t->state = task_state_parse(
            json_string_value(json_object_get(tj, "state")));
        t->since = json_number_value(json_object_get(tj, "since"));
        t->tls = json_is_true(json_object_get(tj, "tls"));
        t->xpack = json_is_true(json_object_get(tj, "xpack"));
        t->port = (int)json_integer_value(json_object_get(tj, "port"));
        t->recover_at = json_number_value(json_object_get(tj, "recover_at"));
    }
    return svc;
fail:
    sdk_service_free(svc);
    return NULL;
}

/* See sdk_store.h. */
void sdk_touch(struct sim *s, struct sdk_service *svc)
{
    json_t *sec = sim_state_section(s, "services"), *j, *tmp;
    const char *name;
    size_t i;

    if (!sec)
        return;
    if (svc) {
        svc->changed_at = sim_now(s); /* ticked at full rate again */
        j = service_to_json(svc);
        if (!j || json_object_set_new(sec, svc->name, j) != 0)
            LOG(LOG_ERROR, SDK_LOG, "%s: state not serialised", svc->name);
        sim_state_touch(s, "services", svc->name, NULL);
        /* a request changes the one service it names: its mark is this */
        sdk_dirty_clear();
        svc->unsaved = false;
        return;
    }
    json_object_foreach_safe(sec, tmp, name, j) {
        if (!sdk_find(name)) {
            sim_state_touch(s, "services", name, NULL);
            json_object_del(sec, name);
        }
    }
    for (i = 0; i < sdk_count(); i++)
        sdk_touch(s, sdk_at(i));
    sdk_dirty_clear();
}
