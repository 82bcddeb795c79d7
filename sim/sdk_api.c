/*
 * dcos-sim: the SDK scheduler HTTP API of each service, reached through
 * Admin Router at /service/<name>/v1/... (plans, endpoints, pods,
 * configurations, health, state).  See docs/sim.md.
 */
#include "sim/sdk_api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/util.h"
#include "sim/http.h"
#include "sim/iam_authz.h"
#include "sim/sdk_model.h"
#include "sim/sdk_plan.h"
#include "sim/sdk_spec.h"
#include "sim/sdk_store.h"
#include "sim/sdk_task.h"
#include "sim/sdk_uninstall.h"
#include "sim/state.h"

#define API_MAX_SEGS 32

static const char ELEMENT_NOT_FOUND[] = "Element not found";
static const char ALREADY_REPORTED[] =
    "Command has already been reported or completed";

static void text(struct sim_resp *r, int status, const char *body)
{
    sim_resp_raw(r, status, "text/plain", body, strlen(body));
}

static void method_not_allowed(struct sim_resp *r)
{
    text(r, 405, "Method Not Allowed");
}

static void json_200(struct sim_resp *r, json_t *j)
{
    if (!j)
        text(r, 500, "Internal Server Error");
    else
        sim_resp_json(r, 200, j, NULL);
}

/* ------------------------------------------------------------------ */
/* plans                                                                */

static char *step_name(const struct sdk_step *st)
{
    return sdk_printf("%s-%d:[node]", sdk_pod_name(st->pod), st->index);
}

static json_t *plan_json(const struct sdk_plan *p)
{
    json_t *phases = json_array();
    size_t i, k;

    for (i = 0; phases && i < p->n_phases; i++) {
        const struct sdk_phase *ph = &p->phases[i];
        json_t *steps = json_array();
        char *pname = sdk_phase_name(p, ph);

        for (k = 0; steps && k < ph->n_steps; k++) {
            const struct sdk_step *st = &ph->steps[k];
            char *name = step_name(st), *msg;

            msg = name ? sdk_printf("com.mesosphere.sdk.scheduler.%s: %s "
                                    "[%s] with status: %s",
                                    p->recovery ? "recovery.RecoveryStep"
                                                : "plan.DeploymentStep",
                                    name, st->id,
                                    sdk_status_name(st->status))
                       : NULL;
            if (name && msg)
                json_array_append_new(
                    steps, json_pack("{s:s,s:s,s:s,s:s}", "id", st->id,
                                     "status", sdk_status_name(st->status),
                                     "name", name, "message", msg));
            free(name);
            free(msg);
        }
        json_array_append_new(
            phases,
            json_pack("{s:s,s:s,s:o,s:s,s:s}", "id", ph->id, "name",
                      pname ? pname : "", "steps", steps, "strategy",
                      p->phase_serial ? "serial" : "parallel", "status",
                      sdk_status_name(sdk_phase_status(p, ph))));
        free(pname);
    }
    return json_pack("{s:o,s:o,s:s,s:s}", "phases", phases, "errors",
                     p->errors ? json_incref(p->errors) : json_array(),
                     "strategy",
                     p->serial ? "serial" : "parallel", "status",
                     sdk_status_name(sdk_plan_status(p)));
}

static struct sdk_phase *find_phase(struct sdk_plan *p, const char *key)
{
    size_t i;

    for (i = 0; key && i < p->n_phases; i++) {
        char *name = sdk_phase_name(p, &p->phases[i]);
        int hit = (name && strcmp(name, key) == 0) ||
                  strcmp(p->phases[i].id, key) == 0;

        free(name);
        if (hit)
            return &p->phases[i];
    }
    return NULL;
}

static struct sdk_step *find_step(struct sdk_phase *ph, const char *key)
{
    size_t i;

    for (i = 0; key && i < ph->n_steps; i++) {
        char *name = step_name(&ph->steps[i]);
        int hit = (name && strcmp(name, key) == 0) ||
                  strcmp(ph->steps[i].id, key) == 0;

        free(name);
        if (hit)
            return &ph->steps[i];
    }
    return NULL;
}

static void cmd_ok(struct sim_resp *r, const char *cmd)
{
    char *m = sdk_printf("Received cmd: %s", cmd);

    json_200(r, m ? json_pack("{s:s}", "message", m) : NULL);
    free(m);
}

static void step_reset(struct sim *s, struct sdk_step *st)
{
    st->status = SDK_PENDING;
    st->since = sim_now(s);
}

/* POST plans/<plan>/<cmd> (PlansResource). */
static void plan_command(struct sim *s, const struct sim_req *req,
                         struct sim_resp *r, struct sdk_service *svc,
                         struct sdk_plan *p, const char *cmd)
{
    char *phase_q = sim_query_get(req, "phase");
    char *step_q = sim_query_get(req, "step");
    struct sdk_phase *ph = NULL;
    struct sdk_step *st = NULL;
    size_t i, k;

    if (phase_q && !(ph = find_phase(p, phase_q))) {
        text(r, 404, ELEMENT_NOT_FOUND);
        goto out;
    }
    if (step_q && (!ph || !(st = find_step(ph, step_q)))) {
        text(r, 404, ELEMENT_NOT_FOUND);
        goto out;
    }
    if (strcmp(cmd, "interrupt") == 0) {
        if (ph) {
            if (ph->interrupted ||
                sdk_phase_status(p, ph) == SDK_COMPLETE) {
                text(r, 208, ALREADY_REPORTED);
                goto out;
            }
            ph->interrupted = 1;
        } else {
            if (p->interrupted || sdk_plan_status(p) == SDK_COMPLETE) {
                text(r, 208, ALREADY_REPORTED);
                goto out;
            }
            p->interrupted = 1;
        }
        cmd_ok(r, "interrupt");
    } else if (strcmp(cmd, "continue") == 0) {
        if (ph) {
            if (!ph->interrupted ||
                sdk_phase_status(p, ph) == SDK_COMPLETE) {
                text(r, 208, ALREADY_REPORTED);
                goto out;
            }
            ph->interrupted = 0;
        } else {
            if (!p->interrupted || sdk_plan_status(p) == SDK_COMPLETE) {
                text(r, 208, ALREADY_REPORTED);
                goto out;
            }
            p->interrupted = 0;
        }
        cmd_ok(r, "continue");
    } else if (strcmp(cmd, "forceComplete") == 0) {
        if (!st) {
            text(r, 404, ELEMENT_NOT_FOUND);
            goto out;
        }
        if (st->status == SDK_COMPLETE) {
            text(r, 208, ALREADY_REPORTED);
            goto out;
        }
        st->status = SDK_COMPLETE;
        st->since = sim_now(s);
        cmd_ok(r, "forceComplete");
    } else if (strcmp(cmd, "restart") == 0) {
        if (st) {
            step_reset(s, st);
        } else if (ph) {
            for (k = 0; k < ph->n_steps; k++)
                step_reset(s, &ph->steps[k]);
            ph->interrupted = 0;
        } else {
            for (i = 0; i < p->n_phases; i++) {
                for (k = 0; k < p->phases[i].n_steps; k++)
                    step_reset(s, &p->phases[i].steps[k]);
                p->phases[i].interrupted = 0;
            }
            p->interrupted = 0;
        }
        cmd_ok(r, "restart");
    } else {
        text(r, 404, "Not Found");
        goto out;
    }
    sdk_touch(s, svc);
out:
    free(phase_q);
    free(step_q);
}

static void handle_plans(struct sim *s, const struct sim_req *req,
                         struct sim_resp *r, struct sdk_service *svc,
                         char **seg, size_t n)
{
    struct sdk_plan upd, *p = NULL;
    int is_update = 0, st;

    if (n == 0) {
        if (strcmp(req->method, "GET") != 0) {
            method_not_allowed(r);
            return;
        }
        json_200(r, svc->plan.update
                        ? json_pack("[s,s]", "deploy", "recovery")
                        : json_pack("[s,s,s]", "deploy", "recovery",
                                    "update"));
        return;
    }
    memset(&upd, 0, sizeof(upd));
    if (strcmp(seg[0], "deploy") == 0) {
        p = &svc->plan;
    } else if (strcmp(seg[0], "recovery") == 0) {
        p = &svc->recovery;
    } else if (strcmp(seg[0], "update") == 0 && !svc->plan.update) {
        if (sdk_plan_build_update(svc, &upd) != 0) {
            text(r, 500, "Internal Server Error");
            return;
        }
        p = &upd;
        is_update = 1;
    }
    if (!p || n > 2) {
        text(r, 404, ELEMENT_NOT_FOUND);
        goto out;
    }
    if (n == 1) {
        if (strcmp(req->method, "GET") != 0) {
            method_not_allowed(r);
            goto out;
        }
        st = sdk_plan_status(p);
        sim_resp_json(r,
                      json_array_size(p->errors) ? 417
                      : st == SDK_COMPLETE       ? 200
                                                 : 202,
                      plan_json(p), NULL);
        goto out;
    }
    if (strcmp(req->method, "POST") != 0) {
        method_not_allowed(r);
        goto out;
    }
    if (is_update) {
        /* the spare update plan is rebuilt on every request */
        text(r, 208, ALREADY_REPORTED);
        goto out;
    }
    plan_command(s, req, r, svc, p, seg[1]);
out:
    if (is_update)
        sdk_plan_clear(&upd);
}

/* ------------------------------------------------------------------ */
/* endpoints                                                            */

static int pod_parse(const char *s, size_t len)
{
    int pod;

    for (pod = 0; pod < SDK_N_PODS; pod++)
        if (strlen(sdk_pod_name(pod)) == len &&
            strncmp(s, sdk_pod_name(pod), len) == 0)
            return pod;
    return -1;
}

static int pod_launched(const struct sdk_service *svc, int pod)
{
    size_t i;

    for (i = 0; i < svc->n_tasks; i++)
        if (svc->tasks[i].pod == pod && svc->tasks[i].id)
            return 1;
    return 0;
}

static char *strip_name(const char *name, int dots)
{
    char *o = malloc(strlen(name) + 1), *w = o;
    const char *p;

    if (!o)
        return NULL;
    for (p = name; *p; p++)
        if (*p != '/')
            *w++ = (dots && *p == '.') ? '-' : *p;
    *w = '\0';
    return o;
}

static void handle_endpoint(struct sim_resp *r, struct sdk_service *svc,
                            const char *name)
{
    const char *dash = strrchr(name, '-');
    int pod = dash ? pod_parse(name, (size_t)(dash - name)) : -1;
    int transport = dash && strcmp(dash, "-transport") == 0;
    char *autoip = strip_name(svc->name, 1), *vipn = strip_name(svc->name, 0);
    json_t *addr = json_array(), *dns = json_array();
    const json_t *opts = NULL;
    char *vip = NULL;
    int i;

    if (pod < 0 || (!transport && strcmp(dash, "-http") != 0) ||
        !pod_launched(svc, pod)) {
        text(r, 404, "");
        goto out;
    }
    if (!autoip || !vipn || !addr || !dns) {
        text(r, 500, "Internal Server Error");
        goto out;
    }
    for (i = 0; i < 100; i++) {
        struct sdk_task *t = sdk_task_get(svc, pod, i);
        char *a, *d;
        long port;

        if (!t)
            break;
        if (!t->id)
            continue;
        port = t->port + (transport ? 1 : 0);
        if (transport && pod == SDK_POD_MASTER) {
            json_t *tp;

            opts = sdk_config_options(svc, t->config_id);
            tp = json_object_get(json_object_get(opts, "master_nodes"),
                                 "transport_port");
            port = json_is_integer(tp) ? (long)json_integer_value(tp)
                                       : 9300;
        }
        a = sdk_printf("127.0.0.1:%ld", port);
        d = sdk_printf("%s.%s.autoip.dcos.thisdcos.directory:%ld", t->name,
                       autoip, port);
        if (a)
            json_array_append_new(addr, json_string(a));
        if (d)
            json_array_append_new(dns, json_string(d));
        free(a);
        free(d);
    }
    vip = sdk_printf("%s.%s.l4lb.thisdcos.directory:%d", sdk_pod_name(pod),
                     vipn, transport ? 9300 : 9200);
    json_200(r, vip ? json_pack("{s:O,s:O,s:s}", "address", addr, "dns",
                                dns, "vip", vip)
                    : NULL);
out:
    json_decref(addr);
    json_decref(dns);
    free(autoip);
    free(vipn);
    free(vip);
}

static void handle_endpoints(const struct sim_req *req, struct sim_resp *r,
                             struct sdk_service *svc, char **seg, size_t n)
{
    /* sorted: coordinator, data, ingest, master */
    static const int order[] = {SDK_POD_COORDINATOR, SDK_POD_DATA,
                                SDK_POD_INGEST, SDK_POD_MASTER};
    json_t *arr;
    size_t i;

    if (strcmp(req->method, "GET") != 0) {
        method_not_allowed(r);
        return;
    }
    if (n == 1) {
        handle_endpoint(r, svc, seg[0]);
        return;
    }
    if (n > 1) {
        text(r, 404, "");
        return;
    }
    arr = json_array();
    for (i = 0; arr && i < 4; i++) {
        char *h, *t;

        if (!pod_launched(svc, order[i]))
            continue;
        h = sdk_printf("%s-http", sdk_pod_name(order[i]));
        t = sdk_printf("%s-transport", sdk_pod_name(order[i]));
        if (h)
            json_array_append_new(arr, json_string(h));
        if (t)
            json_array_append_new(arr, json_string(t));
        free(h);
        free(t);
    }
    json_200(r, arr);
}

/* ------------------------------------------------------------------ */
/* pods                                                                 */

static json_t *task_status_json(const struct sdk_task *t)
{
    json_t *j = json_pack("{s:s,s:s}", "id", t->id, "name", t->name);

    if (j && t->state != SDK_TASK_NONE)
        json_object_set_new(j, "status",
                            json_string(sdk_task_state_name(t->state)));
    return j;
}

static json_t *instance_json(const struct sdk_task *t)
{
    char *name = sdk_printf("%s-%d", sdk_pod_name(t->pod), t->index);
    json_t *j = name ? json_pack("{s:s,s:[o]}", "name", name, "tasks",
                                 task_status_json(t))
                     : NULL;

    free(name);
    return j;
}

static struct sdk_task *find_instance(struct sdk_service *svc,
                                      const char *inst)
{
    const char *dash = strrchr(inst, '-');
    long idx;
    int pod;

    if (!dash)
        return NULL;
    pod = pod_parse(inst, (size_t)(dash - inst));
    if (pod < 0 || util_parse_long(&idx, dash + 1, 0, 99) != 0)
        return NULL;
    {
        struct sdk_task *t = sdk_task_get(svc, pod, (int)idx);

        return t && t->id ? t : NULL;
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static json_t *task_info_json(const struct sdk_service *svc,
                              const struct sdk_task *t)
{
    char idx[16];
    const char *mstate;

    snprintf(idx, sizeof(idx), "%d", t->index);
    switch (t->state) {
    case SDK_TASK_STAGING:
        mstate = "TASK_STAGING";
        break;
    case SDK_TASK_RUNNING:
        mstate = "TASK_RUNNING";
        break;
    case SDK_TASK_KILLED:
        mstate = "TASK_KILLED";
        break;
    case SDK_TASK_FAILED:
        mstate = "TASK_FAILED";
        break;
    default:
        mstate = "TASK_STAGING";
    }
    return json_pack(
        "{s:{s:s,s:{s:s},s:{s:s},s:{s:[{s:s,s:s},{s:s,s:s},{s:s,s:s},"
        "{s:s,s:s},{s:s,s:s}]}},"
        "s:{s:{s:s},s:s,s:s,s:b}}",
        "info", "name", t->name, "taskId", "value", t->id, "slaveId", "value",
        "sim-agent-0", "labels", "labels", "key", "target_configuration",
        "value", t->config_id ? t->config_id : "", "key", "goal_state",
        "value", "RUNNING", "key", "index", "value", idx, "key", "task_type",
        "value", sdk_pod_name(t->pod), "key", "offer_hostname", "value",
        "127.0.0.1", "status", "taskId", "value", t->id, "state", mstate,
        "source", "SOURCE_EXECUTOR", "healthy",
        t->state == SDK_TASK_RUNNING && sdk_task_ready(svc, t));
}

static void handle_pod(struct sim *s, const struct sim_req *req,
                       struct sim_resp *r, struct sdk_service *svc,
                       char **seg, size_t n)
{
    struct sdk_task *t;
    size_t i;

    if (n == 0) {
        char *names[512];
        size_t k = 0;
        json_t *arr;

        if (strcmp(req->method, "GET") != 0) {
            method_not_allowed(r);
            return;
        }
        for (i = 0; i < svc->n_tasks && k < 512; i++)
            if (svc->tasks[i].id)
                names[k++] = sdk_printf("%s-%d",
                                        sdk_pod_name(svc->tasks[i].pod),
                                        svc->tasks[i].index);
        arr = json_array();
        for (i = 0; i < k; i++)
            if (!names[i])
                names[i] = strdup("");
        qsort(names, k, sizeof(names[0]), cmp_str);
        for (i = 0; i < k; i++) {
            if (arr && names[i])
                json_array_append_new(arr, json_string(names[i]));
            free(names[i]);
        }
        json_200(r, arr);
        return;
    }
    if (n == 1 && strcmp(seg[0], "status") == 0) {
        static const int order[] = {SDK_POD_COORDINATOR, SDK_POD_DATA,
                                    SDK_POD_INGEST, SDK_POD_MASTER};
        json_t *pods = json_array();
        int p;

        if (strcmp(req->method, "GET") != 0) {
            method_not_allowed(r);
            return;
        }
        for (p = 0; pods && p < 4; p++) {
            json_t *inst = json_array();
            int idx;

            for (idx = 0; inst && idx < 100; idx++) {
                t = sdk_task_get(svc, order[p], idx);
                if (!t)
                    break;
                if (t->id)
                    json_array_append_new(inst, instance_json(t));
            }
            if (json_array_size(inst))
                json_array_append_new(
                    pods, json_pack("{s:s,s:o}", "name",
                                    sdk_pod_name(order[p]), "instances",
                                    inst));
            else
                json_decref(inst);
        }
        json_200(r, json_pack("{s:s,s:o}", "service", svc->name, "pods",
                              pods));
        return;
    }
    if (n != 2) {
        text(r, 404, "");
        return;
    }
    t = find_instance(svc, seg[0]);
    if (!t) {
        text(r, 404, "");
        return;
    }
    if (strcmp(seg[1], "status") == 0 || strcmp(seg[1], "info") == 0) {
        if (strcmp(req->method, "GET") != 0) {
            method_not_allowed(r);
            return;
        }
        json_200(r, strcmp(seg[1], "status") == 0
                        ? instance_json(t)
                        : json_pack("[o]", task_info_json(svc, t)));
        return;
    }
    if (strcmp(seg[1], "restart") == 0 || strcmp(seg[1], "replace") == 0) {
        if (strcmp(req->method, "POST") != 0) {
            method_not_allowed(r);
            return;
        }
        if (sdk_pod_restart(s, svc, seg[0]) != 0) {
            text(r, 404, "");
            return;
        }
        sdk_touch(s, svc);
        json_200(r, json_pack("{s:s,s:[s]}", "pod", seg[0], "tasks",
                              t->name));
        return;
    }
    text(r, 404, "");
}

/* ------------------------------------------------------------------ */
/* configurations, health, state                                        */

static void handle_configurations(struct sim *s, const struct sim_req *req,
                                  struct sim_resp *r,
                                  struct sdk_service *svc, char **seg,
                                  size_t n)
{
    const char *id;
    json_t *v;

    if (strcmp(req->method, "GET") != 0) {
        method_not_allowed(r);
        return;
    }
    if (n == 0) {
        json_t *arr = json_array();

        json_object_foreach(svc->configs, id, v)
            json_array_append_new(arr, json_string(id));
        json_200(r, arr);
        return;
    }
    if (n != 1) {
        text(r, 404, "");
        return;
    }
    if (strcmp(seg[0], "targetId") == 0) {
        if (!svc->target_id)
            text(r, 404, "");
        else
            json_200(r, json_pack("[s]", svc->target_id));
        return;
    }
    id = strcmp(seg[0], "target") == 0 ? svc->target_id : seg[0];
    if (!id || !sdk_config_options(svc, id)) {
        text(r, 404, "");
        return;
    }
    json_200(r, sdk_service_spec(s, svc, id));
}

static void handle_health(const struct sim_req *req, struct sim_resp *r,
                          struct sdk_service *svc)
{
    int errors = json_array_size(svc->plan.errors) > 0 ||
                 json_array_size(svc->recovery.errors) > 0;
    int done = sdk_plan_status(&svc->plan) == SDK_COMPLETE &&
               sdk_plan_status(&svc->recovery) == SDK_COMPLETE;

    if (strcmp(req->method, "GET") != 0) {
        method_not_allowed(r);
        return;
    }
    if (errors)
        text(r, 417, "Expectation Failed");
    else if (!done)
        text(r, 202, "Accepted");
    else
        text(r, 200, "OK");
}

static void handle_state(const struct sim_req *req, struct sim_resp *r,
                         struct sdk_service *svc, char **seg, size_t n)
{
    if (strcmp(req->method, "GET") != 0) {
        method_not_allowed(r);
        return;
    }
    if (n == 1 && strcmp(seg[0], "properties") == 0) {
        json_200(r, svc->deployed
                        ? json_pack("[s]", "last-completed-update-type")
                        : json_array());
        return;
    }
    if (n == 1 && strcmp(seg[0], "frameworkId") == 0 && svc->framework_id) {
        json_200(r, json_pack("[s]", svc->framework_id));
        return;
    }
    if (n == 2 && strcmp(seg[0], "properties") == 0 &&
        strcmp(seg[1], "last-completed-update-type") == 0 &&
        svc->deployed) {
        sim_resp_raw(r, 200, "application/octet-stream", "DEPLOY", 6);
        return;
    }
    text(r, 404, "");
}

/* ------------------------------------------------------------------ */
/* dispatch                                                             */

/* See sdk_api.h. */
void sdk_api_handle(struct sim *s, const struct sim_req *req,
                    struct sim_resp *resp)
{
    char *seg[API_MAX_SEGS], *acl = NULL;
    size_t n = sim_path_segments(req, "/service/", seg, API_MAX_SEGS), k,
           used = 0;
    struct sdk_service *svc = NULL;
    struct buf b;

    if (n == 0) {
        sim_resp_upstream_down(resp, 404);
        goto out;
    }
    /* The service name may contain slashes (folders): longest match. */
    buf_init(&b, 4096);
    for (k = 0; k < n; k++) {
        struct sdk_service *c;

        if ((k && buf_puts(&b, "/") != 0) || buf_puts(&b, seg[k]) != 0)
            break;
        c = sdk_find(buf_str(&b));
        if (c) {
            svc = c;
            used = k + 1;
        }
    }
    buf_free(&b);
    acl = sdk_printf("dcos:adminrouter:service:%s", svc ? svc->name : seg[0]);
    if (!acl || !req->uid || !sim_iam_allowed(s, req->uid, acl, "full")) {
        sim_resp_403(resp);
        goto out;
    }
    if (!svc) {
        sim_resp_upstream_down(resp, 404);
        goto out;
    }
    if (!svc->sched_up) {
        /* Admin Router cannot reach the restarting scheduler
         * (UNCONFIRMED: 502 Bad Gateway) */
        sim_resp_upstream_down(resp, 502);
        goto out;
    }
    if (n - used < 2 || strcmp(seg[used], "v1") != 0) {
        text(resp, 404, "Not Found");
        goto out;
    }
    {
        const char *res = seg[used + 1];
        char **rest = seg + used + 2;
        size_t m = n - used - 2;

        if (svc->uninstalling)
            sdk_uninstall_api(req, resp, svc, res, rest, m);
        else if (strcmp(res, "plans") == 0)
            handle_plans(s, req, resp, svc, rest, m);
        else if (strcmp(res, "endpoints") == 0)
            handle_endpoints(req, resp, svc, rest, m);
        else if (strcmp(res, "pod") == 0)
            handle_pod(s, req, resp, svc, rest, m);
        else if (strcmp(res, "configurations") == 0)
            handle_configurations(s, req, resp, svc, rest, m);
        else if (strcmp(res, "health") == 0 && m == 0)
            handle_health(req, resp, svc);
        else if (strcmp(res, "state") == 0)
            handle_state(req, resp, svc, rest, m);
        else
            text(resp, 404, "Not Found");
    }
out:
    free(acl);
    sim_segments_free(seg, n);
}
