/*
 * dcos-sim SDK services as Mesos sees them: one framework per registered
 * scheduler, the resources of its tasks (from each task's configuration:
 * <pod>_nodes.cpus, .mem, .disk) on the one simulated agent, and the task
 * counts by state that the master's state-summary shows (mesos
 * src/master/readonly_handler.cpp, dcos-cli-and-cluster.md 3).  See
 * sdk_mesos.h.
 */
#include "sim/sdk_mesos.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "sim/sdk_model.h"

/* Mesos's ten task-state counters, in its order. */
static const char *const COUNTERS[] = {
    "TASK_STAGING", "TASK_STARTING", "TASK_RUNNING",  "TASK_KILLING",
    "TASK_FINISHED", "TASK_KILLED",  "TASK_FAILED",   "TASK_LOST",
    "TASK_ERROR",    "TASK_UNREACHABLE"};

#define N_COUNTERS (sizeof(COUNTERS) / sizeof(COUNTERS[0]))

static json_t *zero_resources(void)
{
    return json_pack("{s:f,s:f,s:f,s:f}", "cpus", 0.0, "gpus", 0.0, "mem",
                     0.0, "disk", 0.0);
}

static json_t *zero_counters(void)
{
    json_t *o = json_object();
    size_t i;

    for (i = 0; o && i < N_COUNTERS; i++)
        if (json_object_set_new(o, COUNTERS[i], json_integer(0)) != 0) {
            json_decref(o);
            return NULL;
        }
    return o;
}

/* Add @v to the number member @key of @o. */
static void add_num(json_t *o, const char *key, double v)
{
    json_object_set_new(o, key,
                        json_real(json_number_value(json_object_get(o, key)) +
                                  v));
}

static void add_count(json_t *o, const char *key)
{
    json_object_set_new(o, key,
                        json_integer(json_integer_value(json_object_get(o,
                                                                        key)) +
                                     1));
}

/* Add the cpus, mem and disk of @t (its configuration) to @res. */
static void add_task_resources(const struct sdk_service *svc,
                               const struct sdk_task *t, json_t *res)
{
    const json_t *o = sdk_config_options(svc, t->config_id);
    static const char *const keys[] = {"cpus", "mem", "disk"};
    char path[64];
    size_t i;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        snprintf(path, sizeof(path), "%s_nodes.%s", sdk_pod_name(t->pod),
                 keys[i]);
        add_num(res, keys[i], json_number_value(sdk_json_path(o, path)));
    }
}

static const char *counter_of(int state)
{
    switch (state) {
    case SDK_TASK_STAGING: return "TASK_STAGING";
    case SDK_TASK_RUNNING: return "TASK_RUNNING";
    case SDK_TASK_KILLED: return "TASK_KILLED";
    case SDK_TASK_FAILED: return "TASK_FAILED";
    default: return NULL;
    }
}

/* 1 while the reservations of @t are held: it was launched, and the
 * uninstall plan has not unreserved all of them. */
static int task_reserved(const struct sdk_service *svc,
                         const struct sdk_task *t)
{
    size_t i, mine = 0, done = 0;

    if (!t->id)
        return 0;
    for (i = 0; i < svc->uninstall.n_steps; i++) {
        const struct sdk_ustep *st = &svc->uninstall.steps[i];

        if (st->kind != SDK_U_UNRESERVE || strcmp(st->task, t->name) != 0)
            continue;
        mine++;
        done += st->status == SDK_COMPLETE;
    }
    return mine == 0 || done < mine;
}

/* The state-summary framework object of @svc (new) or NULL. */
static json_t *framework_json(const struct sdk_service *svc, json_t *used,
                              json_t *reserved, json_t *tasks)
{
    json_t *fw, *fused = zero_resources(), *counts = zero_counters();
    char role[192];
    size_t i, live = 0;
    const char *c;

    snprintf(role, sizeof(role), "%s-role", svc->name);
    for (char *p = role; *p; p++)
        if (*p == '/')
            *p = '_';
    for (i = 0; fused && counts && i < svc->n_tasks; i++) {
        const struct sdk_task *t = &svc->tasks[i];

        if (task_reserved(svc, t)) {
            json_t *r = json_object_get(reserved, role);

            if (!r) {
                r = zero_resources();
                json_object_set_new(reserved, role, r);
            }
            if (r)
                add_task_resources(svc, t, r);
        }
        c = counter_of(t->state);
        if (!c)
            continue;
        add_count(counts, c);
        add_count(tasks, c);
        if (t->state == SDK_TASK_STAGING || t->state == SDK_TASK_RUNNING) {
            add_task_resources(svc, t, fused);
            add_task_resources(svc, t, used);
            live++;
        }
    }
    if (!fused || !counts || !svc->framework_id) {
        json_decref(fused);
        json_decref(counts);
        return NULL;
    }
    fw = json_pack("{s:s,s:s,s:o,s:o,s:[s],s:s,s:s,s:b,s:b,s:b}", "id",
                   svc->framework_id, "name", svc->name, "used_resources",
                   fused, "offered_resources", zero_resources(),
                   "capabilities", "RESERVATION_REFINEMENT", "hostname",
                   "127.0.0.1", "webui_url", "", "active",
                   (int)svc->sched_up, "connected", (int)svc->sched_up,
                   "recovered", 0);
    if (fw && (json_object_update(fw, counts) != 0 ||
               json_object_set_new(fw, "slave_ids",
                                   live ? json_pack("[s]", "sim-agent-0")
                                        : json_array()) != 0)) {
        json_decref(fw);
        fw = NULL;
    }
    json_decref(counts);
    return fw;
}

/* See sdk_mesos.h. */
json_t *sdk_mesos_state(struct sim *s)
{
    json_t *out, *fws, *used, *reserved, *tasks;
    int running = 0, staging = 0;
    size_t i;

    (void)s;
    out = json_pack("{s:[],s:o,s:{},s:o}", "frameworks", "used",
                    zero_resources(), "reserved", "tasks", zero_counters());
    if (!out)
        return NULL;
    fws = json_object_get(out, "frameworks");
    used = json_object_get(out, "used");
    reserved = json_object_get(out, "reserved");
    tasks = json_object_get(out, "tasks");
    for (i = 0; i < sdk_count(); i++) {
        const struct sdk_service *svc = sdk_at(i);
        json_t *fw = framework_json(svc, used, reserved, tasks);

        if (svc->sched_up)
            running++;
        else
            staging++;
        if (fw && json_array_append_new(fws, fw) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    if (json_object_set_new(out, "schedulers",
                            json_pack("{s:i,s:i}", "running", running,
                                      "staging", staging)) != 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}
