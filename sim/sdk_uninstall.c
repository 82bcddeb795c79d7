/*
 * dcos-sim SDK uninstall: the plan of the uninstall scheduler
 * (dcos-commons scheduler/uninstall: UninstallPlanFactory, TaskKillStep,
 * ResourceCleanupStep, TLSCleanupStep, DeregisterStep), its progress, the
 * TLS cleanup in the secret store, and its API.  See sdk_uninstall.h.
 */
#include "sim/sdk_uninstall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
#include "common/log.h"
#include "common/util.h"
#include "sim/http.h"
#include "sim/iam_authz.h"
#include "sim/sdk_model.h"
#include "sim/sdk_plan.h"
#include "sim/sdk_task.h"
#include "sim/sdk_tls.h"
#include "sim/secrets.h"
#include "sim/state.h"

/* Every task runs on the one simulated agent (offer_hostname). */
#define AGENT_HOST "127.0.0.1"
/* Reserved resources of one task: one resource id each. */
#define RES_PER_TASK 4

static const char *const PHASE_NAMES[SDK_U_N_KINDS] = {
    "kill-tasks", ("unreserve-resources-" AGENT_HOST), "tls-cleanup",
    "deregister-service"};
static const char *const STEP_CLASSES[SDK_U_N_KINDS] = {
    "TaskKillStep", "ResourceCleanupStep", "TLSCleanupStep",
    "DeregisterStep"};
/* TLSArtifactPaths: the names TLSCleanupStep deletes. */
static const char *const ARTIFACTS[] = {
    "__certificate", "__private-key", "__root-ca-certificate", "__keystore",
    "__truststore"};

/* -------------------------------------------------------------------- */
/* building                                                             */

static int add_step(struct sdk_uninstall *u, int kind, const char *target,
                    const char *task, double now)
{
    struct sdk_ustep *v = realloc(u->steps, (u->n_steps + 1) * sizeof(*v));
    struct sdk_ustep *st;

    if (!v)
        return ERR_NOMEM;
    u->steps = v;
    st = &v[u->n_steps];
    memset(st, 0, sizeof(*st));
    st->id = sim_uuid();
    st->target = target ? strdup(target) : NULL;
    if (!st->id || (target && !st->target)) {
        free(st->id);
        free(st->target);
        return ERR_NOMEM;
    }
    st->kind = kind;
    if (task)
        snprintf(st->task, sizeof(st->task), "%s", task);
    st->status = SDK_PENDING;
    st->since = now;
    u->n_steps++;
    return 0;
}

static int cmp_target(const void *a, const void *b)
{
    const struct sdk_ustep *x = a, *y = b;

    return strcmp(x->target, y->target);
}

/* See sdk_uninstall.h. */
int sdk_uninstall_build(struct sdk_service *svc, double now)
{
    struct sdk_uninstall *u = &svc->uninstall;
    size_t i, first_res;
    int k, tls;

    if (u->n_steps) {
        /* a restarted uninstall scheduler starts failed steps over */
        for (i = 0; i < u->n_steps; i++)
            if (u->steps[i].status == SDK_ERROR) {
                u->steps[i].status = SDK_PENDING;
                u->steps[i].since = now;
            }
        return 0;
    }
    sdk_uninstall_clear(u);
    for (k = 0; k < SDK_U_N_KINDS; k++) {
        u->phase_ids[k] = sim_uuid();
        if (!u->phase_ids[k])
            goto nomem;
    }
    /* every task the state store knows, then each of its reservations,
     * sorted by resource id */
    for (i = 0; i < svc->n_tasks; i++)
        if (svc->tasks[i].id &&
            add_step(u, SDK_U_KILL, svc->tasks[i].id, svc->tasks[i].name,
                     now) != 0)
            goto nomem;
    first_res = u->n_steps;
    for (i = 0; i < svc->n_tasks; i++) {
        for (k = 0; svc->tasks[i].id && k < RES_PER_TASK; k++) {
            char *rid = sim_uuid();
            int r = rid ? add_step(u, SDK_U_UNRESERVE, rid,
                                   svc->tasks[i].name, now)
                        : ERR_NOMEM;

            free(rid);
            if (r != 0)
                goto nomem;
        }
    }
    if (u->n_steps > first_res)
        qsort(u->steps + first_res, u->n_steps - first_res,
              sizeof(*u->steps), cmp_target);
    /* TLS artifacts are cleaned up when the service spec uses TLS (not
     * when TLS was turned off before: INFINITY-2464) */
    tls = svc->target_id ? sdk_config_tls(svc, svc->target_id)
                         : sdk_opt_bool(svc->options,
                                        "service.security.transport_"
                                        "encryption.enabled",
                                        0);
    if (tls && add_step(u, SDK_U_TLS, NULL, NULL, now) != 0)
        goto nomem;
    if (add_step(u, SDK_U_DEREGISTER, NULL, NULL, now) != 0)
        goto nomem;
    sdk_dirty_mark();
    return 0;
nomem:
    sdk_uninstall_clear(u);
    return ERR_NOMEM;
}

/* -------------------------------------------------------------------- */
/* status                                                               */

/* 1 when phase @kind is part of the plan (kill-tasks and
 * deregister-service always are). */
static int phase_present(const struct sdk_uninstall *u, int kind)
{
    size_t i;

    if (kind == SDK_U_KILL || kind == SDK_U_DEREGISTER)
        return 1;
    for (i = 0; i < u->n_steps; i++)
        if (u->steps[i].kind == kind)
            return 1;
    return 0;
}

static int phase_status(const struct sdk_uninstall *u, int kind)
{
    int st[SDK_MAX_COUNT * RES_PER_TASK * SDK_N_PODS + 1];
    int cand[sizeof(st) / sizeof(st[0])];
    size_t i, n = 0;

    for (i = 0; i < u->n_steps && n < sizeof(st) / sizeof(st[0]); i++)
        if (u->steps[i].kind == kind)
            st[n++] = u->steps[i].status;
    sdk_strategy_candidates(st, n, kind == SDK_U_TLS ||
                                       kind == SDK_U_DEREGISTER,
                            cand);
    return sdk_status_aggregate(st, cand, n, 0, 0);
}

/* See sdk_uninstall.h. */
int sdk_uninstall_status(const struct sdk_service *svc)
{
    const struct sdk_uninstall *u = &svc->uninstall;
    int st[SDK_U_N_KINDS], cand[SDK_U_N_KINDS], others_done = 1;
    size_t n = 0;
    int k;

    /* the dependency strategy: deregister-service waits for all others */
    for (k = 0; k < SDK_U_N_KINDS; k++) {
        if (!phase_present(u, k))
            continue;
        st[n] = phase_status(u, k);
        if (k == SDK_U_DEREGISTER)
            cand[n] = others_done && st[n] != SDK_COMPLETE;
        else
            cand[n] = st[n] != SDK_COMPLETE;
        if (k != SDK_U_DEREGISTER && st[n] != SDK_COMPLETE)
            others_done = 0;
        n++;
    }
    return sdk_status_aggregate(st, cand, n, 0, 0);
}

/* -------------------------------------------------------------------- */
/* progress                                                             */

/* 1 when @rel (a path listed below the namespace) names a TLS artifact:
 * ^.+__(certificate|private-key|root-ca-certificate|keystore|truststore)$
 * one level down. */
static int is_artifact(const char *rel)
{
    size_t n = strlen(rel), i;

    if (strchr(rel, '/'))
        return 0;
    for (i = 0; i < sizeof(ARTIFACTS) / sizeof(ARTIFACTS[0]); i++) {
        size_t a = strlen(ARTIFACTS[i]);

        if (n > a && strcmp(rel + n - a, ARTIFACTS[i]) == 0)
            return 1;
    }
    return 0;
}

/*
 * TLSCleanupStep: list the service's namespace in the secret store as the
 * scheduler's service account and delete the TLS artifacts.  Returns 0, or
 * ERR_AUTH when the account cannot log in, list or delete (the step then
 * fails, as on the SecretsClient's IOException).
 */
static int tls_cleanup(struct sim *s, struct sdk_service *svc)
{
    const char *why = sdk_tls_login_reason(s, svc);
    json_t *list = NULL, *v;
    char *rid = NULL, *path = NULL;
    size_t i, done = 0;
    int r = 0;

    if (!why) {
        rid = sdk_printf("dcos:secrets:list:default:/%s", svc->name);
        if (!rid)
            return ERR_NOMEM;
        if (!sim_iam_allowed(s, svc->tls_uid, rid, "read"))
            why = "the service account may not list its secrets";
        free(rid);
    }
    if (why) {
        LOG(LOG_WARN, SDK_LOG, "%s: TLS cleanup failed: %s", svc->name, why);
        return ERR_AUTH;
    }
    list = sim_secret_list(s, svc->name);
    if (!list)
        return ERR_NOMEM;
    json_array_foreach(list, i, v) {
        const char *rel = json_string_value(v);

        if (!is_artifact(rel))
            continue;
        path = sdk_printf("%s/%s", svc->name, rel);
        rid = path ? sdk_printf("dcos:secrets:default:/%s", path) : NULL;
        if (!rid) {
            r = ERR_NOMEM;
        } else if (!sim_iam_allowed(s, svc->tls_uid, rid, "delete")) {
            LOG(LOG_WARN, SDK_LOG,
                "%s: TLS cleanup failed: the service account may not "
                "delete %s",
                svc->name, path);
            r = ERR_AUTH;
        } else if (sim_secret_delete(s, path) == 0) {
            done++;
        }
        free(rid);
        free(path);
        rid = path = NULL;
        if (r)
            break;
    }
    json_decref(list);
    if (!r)
        LOG(LOG_INFO, SDK_LOG, "%s: TLS cleanup deleted %zu secrets",
            svc->name, done);
    return r;
}

static void step_set(struct sdk_ustep *st, int status, double now)
{
    st->status = status;
    st->since = now;
    sdk_dirty_mark();
}

static int task_alive(const struct sdk_task *t)
{
    return t && (t->state == SDK_TASK_STAGING ||
                 t->state == SDK_TASK_RUNNING);
}

static void step_advance(struct sim *s, struct sdk_service *svc,
                         struct sdk_ustep *st, double now)
{
    struct sdk_task *t = st->task[0] ? sdk_task_by_name(svc, st->task)
                                     : NULL;

    switch (st->kind) {
    case SDK_U_KILL:
        /* TaskKillStep: kill, and done */
        if (st->status != SDK_PENDING)
            return;
        if (t) {
            sdk_task_kill(t, now);
            t->recover_at = 0;
        }
        step_set(st, SDK_COMPLETE, now);
        return;
    case SDK_U_UNRESERVE:
        /* ResourceCleanupStep: done when an offer brings the resource
         * back, after the task died */
        if (st->status == SDK_PENDING) {
            step_set(st, SDK_PREPARED, now);
        } else if (st->status == SDK_PREPARED && !task_alive(t) &&
                   now - st->since >= SDK_STEP_S &&
                   (!t || now - t->since >= SDK_STEP_S)) {
            step_set(st, SDK_COMPLETE, now);
        }
        return;
    case SDK_U_TLS:
        if (st->status == SDK_PENDING)
            step_set(st, tls_cleanup(s, svc) == 0 ? SDK_COMPLETE : SDK_ERROR,
                     now);
        return;
    default:
        /* DeregisterStep: complete once the framework is torn down */
        if (st->status == SDK_PENDING) {
            step_set(st, SDK_PREPARED, now);
        } else if (st->status == SDK_PREPARED &&
                   now - st->since >= SDK_STEP_S) {
            free(svc->framework_id);
            svc->framework_id = NULL;
            step_set(st, SDK_COMPLETE, now);
            LOG(LOG_INFO, SDK_LOG, "%s: framework deregistered, uninstall "
                "complete", svc->name);
        }
        return;
    }
}

/* See sdk_uninstall.h. */
void sdk_uninstall_advance(struct sim *s, struct sdk_service *svc,
                           double now)
{
    struct sdk_uninstall *u = &svc->uninstall;
    int others_done = 1;
    size_t i;

    for (i = 0; i < u->n_steps; i++) {
        if (u->steps[i].kind == SDK_U_DEREGISTER)
            continue;
        step_advance(s, svc, &u->steps[i], now);
        if (u->steps[i].status != SDK_COMPLETE)
            others_done = 0;
    }
    for (i = 0; others_done && i < u->n_steps; i++)
        if (u->steps[i].kind == SDK_U_DEREGISTER)
            step_advance(s, svc, &u->steps[i], now);
}

/* -------------------------------------------------------------------- */
/* API                                                                  */

static char *step_name(const struct sdk_ustep *st)
{
    switch (st->kind) {
    case SDK_U_KILL:
        return sdk_printf("kill-task-%s", st->target);
    case SDK_U_UNRESERVE:
        return sdk_printf("unreserve-%s", st->target);
    case SDK_U_TLS:
        return strdup("tls-cleanup");
    default:
        return strdup("deregister");
    }
}

/* PlanInfo of the uninstall plan (new) or NULL. */
static json_t *plan_json(const struct sdk_service *svc)
{
    const struct sdk_uninstall *u = &svc->uninstall;
    json_t *phases = json_array();
    size_t i;
    int k;

    for (k = 0; phases && k < SDK_U_N_KINDS; k++) {
        json_t *steps = json_array(), *ph;

        if (!phase_present(u, k)) {
            json_decref(steps);
            continue;
        }
        for (i = 0; steps && i < u->n_steps; i++) {
            const struct sdk_ustep *st = &u->steps[i];
            char *name, *msg;

            if (st->kind != k)
                continue;
            name = step_name(st);
            msg = name ? sdk_printf("com.mesosphere.sdk.scheduler.uninstall."
                                    "%s: %s [%s] with status: %s",
                                    STEP_CLASSES[k], name, st->id,
                                    sdk_status_name(st->status))
                       : NULL;
            if (!msg || json_array_append_new(
                            steps, json_pack("{s:s,s:s,s:s,s:s}", "id",
                                             st->id, "status",
                                             sdk_status_name(st->status),
                                             "name", name, "message",
                                             msg)) != 0) {
                json_decref(steps);
                steps = NULL;
            }
            free(name);
            free(msg);
        }
        ph = steps ? json_pack("{s:s,s:s,s:o,s:s,s:s}", "id",
                               u->phase_ids[k] ? u->phase_ids[k] : "",
                               "name", PHASE_NAMES[k], "steps", steps,
                               "strategy",
                               k == SDK_U_KILL || k == SDK_U_UNRESERVE
                                   ? "parallel"
                                   : "serial",
                               "status",
                               sdk_status_name(phase_status(u, k)))
                   : NULL;
        if (!ph || json_array_append_new(phases, ph) != 0) {
            json_decref(phases);
            phases = NULL;
        }
    }
    if (!phases)
        return NULL;
    return json_pack("{s:o,s:[],s:s,s:s}", "phases", phases, "errors",
                     "strategy", "dependency", "status",
                     sdk_status_name(sdk_uninstall_status(svc)));
}

static void text(struct sim_resp *r, int status, const char *body)
{
    sim_resp_raw(r, status, "text/plain", body, strlen(body));
}

/* The HTTP status of a plan or health answer for plan status @st. */
static int http_status(int st)
{
    return st == SDK_COMPLETE ? 200 : st == SDK_ERROR ? 417 : 202;
}

/* See sdk_uninstall.h. */
void sdk_uninstall_api(const struct sim_req *req, struct sim_resp *r,
                       const struct sdk_service *svc, const char *res,
                       char **rest, size_t m)
{
    int get = strcmp(req->method, "GET") == 0, st;
    json_t *j;

    if (strcmp(res, "health") == 0 && m == 0) {
        if (!get) {
            text(r, 405, "Method Not Allowed");
            return;
        }
        st = http_status(sdk_uninstall_status(svc));
        text(r, st,
             st == 200 ? "OK" : st == 417 ? "Expectation Failed" : "Accepted");
        return;
    }
    if (strcmp(res, "plans") != 0 || m > 1) {
        text(r, 404, "Not Found");
        return;
    }
    if (!get) {
        text(r, 405, "Method Not Allowed");
        return;
    }
    if (m == 0) {
        sim_resp_json(r, 200, json_pack("[s]", "deploy"), NULL);
        return;
    }
    if (strcmp(rest[0], "deploy") != 0) {
        text(r, 404, "Element not found");
        return;
    }
    j = plan_json(svc);
    if (!j) {
        text(r, 500, "Internal Server Error");
        return;
    }
    sim_resp_json(r, http_status(sdk_uninstall_status(svc)), j, NULL);
}

/* -------------------------------------------------------------------- */
/* persistence                                                          */

/* See sdk_uninstall.h. */
json_t *sdk_uninstall_to_json(const struct sdk_uninstall *u)
{
    json_t *steps = json_array(), *ids = json_array();
    size_t i;
    int k;

    for (k = 0; ids && k < SDK_U_N_KINDS; k++)
        if (json_array_append_new(ids, json_string(u->phase_ids[k]
                                                       ? u->phase_ids[k]
                                                       : "")) != 0) {
            json_decref(ids);
            ids = NULL;
        }
    for (i = 0; steps && i < u->n_steps; i++) {
        const struct sdk_ustep *st = &u->steps[i];

        if (json_array_append_new(
                steps, json_pack("{s:s,s:i,s:s?,s:s,s:s,s:f}", "id", st->id,
                                 "kind", st->kind, "target", st->target,
                                 "task", st->task, "status",
                                 sdk_status_name(st->status), "since",
                                 st->since)) != 0) {
            json_decref(steps);
            steps = NULL;
        }
    }
    if (!steps || !ids) {
        json_decref(steps);
        json_decref(ids);
        return NULL;
    }
    return json_pack("{s:o,s:o}", "phase_ids", ids, "steps", steps);
}

/* See sdk_uninstall.h. */
int sdk_uninstall_from_json(struct sdk_uninstall *u, const json_t *j)
{
    const json_t *ids = json_object_get(j, "phase_ids"), *st;
    size_t i;
    int k;

    memset(u, 0, sizeof(*u));
    if (!j || json_is_null(j))
        return 0;
    if (!json_is_array(ids) || json_array_size(ids) != SDK_U_N_KINDS ||
        !json_is_array(json_object_get(j, "steps")))
        return ERR_INVALID;
    for (k = 0; k < SDK_U_N_KINDS; k++) {
        u->phase_ids[k] = util_strdup(
            json_string_value(json_array_get(ids, (size_t)k)));
        if (!u->phase_ids[k])
            goto nomem;
    }
    json_array_foreach(json_object_get(j, "steps"), i, st) {
        json_int_t kind = json_integer_value(json_object_get(st, "kind"));
        const char *id = json_string_value(json_object_get(st, "id"));
        struct sdk_ustep *x;

        if (kind < 0 || kind >= SDK_U_N_KINDS || !id ||
            ((kind == SDK_U_KILL || kind == SDK_U_UNRESERVE) &&
             !json_is_string(json_object_get(st, "target"))) ||
            u->n_steps >= SDK_MAX_COUNT * RES_PER_TASK * SDK_N_PODS) {
            sdk_uninstall_clear(u);
            return ERR_INVALID;
        }
        if (add_step(u, (int)kind,
                     json_string_value(json_object_get(st, "target")),
                     json_string_value(json_object_get(st, "task")),
                     json_number_value(json_object_get(st, "since"))) != 0)
            goto nomem;
        x = &u->steps[u->n_steps - 1];
        sdk_set_str(&x->id, id);
        x->status = sdk_status_parse(
            json_string_value(json_object_get(st, "status")));
    }
    return 0;
nomem:
    sdk_uninstall_clear(u);
    return ERR_NOMEM;
}
