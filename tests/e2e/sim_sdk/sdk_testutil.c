/* Helpers for the dcos-sim SDK scheduler end-to-end tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "e2e/sim_sdk/sdk_testutil.h"

json_t *t_get_json(struct h_sim *s, const char *path, long *status)
{
    struct h_resp r = h_get(s, path);
    json_t *j = r.json ? json_incref(r.json) : NULL;

    if (r.curl_code != 0)
        fail_msg("GET %s: transport error %d", path, r.curl_code);
    if (status)
        *status = r.status;
    h_resp_free(&r);
    return j;
}

void t_install(struct h_sim *s, const char *name, const char *opts)
{
    json_t *o = json_loads(opts, 0, NULL), *svc;
    char *os;

    if (!o)
        fail_msg("t_install: bad options %s", opts);
    svc = json_object_get(o, "service");
    if (!svc) {
        svc = json_object();
        json_object_set_new(o, "service", svc);
    }
    json_object_set_new(svc, "name", json_string(name));
    os = json_dumps(o, JSON_COMPACT);
    if (!os)
        fail_msg("t_install: out of memory");
    h_install(s, os);
    free(os);
    json_decref(o);
}

int t_wait_plan(struct h_sim *s, const char *name, const char *want,
                int timeout_ms)
{
    return h_wait_plan(s, name, "deploy", want, timeout_ms, T_POLL_MS);
}

int t_wait_restart(struct h_sim *s, const char *name, int *seen_502)
{
    char *path = h_fmt("/service/%s/v1/plans", name);
    char *app = h_fmt("/marathon/v2/apps/%s", name);
    int waited, seen_down = 0, ok = 0;

    for (waited = 0; !ok && waited <= T_WAIT_MS; waited += 5) {
        struct h_resp r = h_get(s, path);
        long st = r.status;

        h_resp_free(&r);
        if (st == 502) {
            seen_down = 1;
        } else if (st == 200) {
            json_t *a = seen_down ? NULL : t_get_json(s, app, NULL);

            ok = seen_down ||
                 (a && json_array_size(h_jget(a, "app.deployments")) == 0);
            json_decref(a);
        }
        if (!ok)
            h_sleep_ms(5);
    }
    free(path);
    free(app);
    if (seen_502)
        *seen_502 = seen_down;
    return ok;
}

int t_wait_deployed(struct h_sim *s, const char *name)
{
    return h_wait_deployed(s, name, T_WAIT_MS, T_POLL_MS);
}

static json_t *task_of(json_t *st, const char *task)
{
    size_t i, j, k;
    json_t *pod, *inst, *t;

    json_array_foreach(h_jget(st, "pods"), i, pod)
        json_array_foreach(h_jget(pod, "instances"), j, inst)
            json_array_foreach(h_jget(inst, "tasks"), k, t)
                if (strcmp(h_jstr(t, "name"), task) == 0)
                    return t;
    return NULL;
}

static char *task_field(struct h_sim *s, const char *name, const char *task,
                        const char *field)
{
    char *path = h_fmt("/service/%s/v1/pod/status", name);
    long st;
    json_t *j = t_get_json(s, path, &st);
    const char *v = h_jstr(task_of(j, task), field);
    char *out = v ? strdup(v) : NULL;

    json_decref(j);
    free(path);
    return out;
}

char *t_task_id(struct h_sim *s, const char *name, const char *task)
{
    return task_field(s, name, task, "id");
}

char *t_task_status(struct h_sim *s, const char *name, const char *task)
{
    return task_field(s, name, task, "status");
}

char *t_wait_task_replaced(struct h_sim *s, const char *name,
                           const char *task, const char *before,
                           int running)
{
    int i;

    for (i = 0; i < T_WAIT_MS / T_POLL_MS; i++) {
        char *id = t_task_id(s, name, task);
        char *st = running ? t_task_status(s, name, task) : NULL;
        int ok = id && strcmp(id, before) != 0 &&
                 (!running || (st && strcmp(st, "RUNNING") == 0));

        free(st);
        if (ok)
            return id;
        free(id);
        h_sleep_ms(T_POLL_MS);
    }
    return NULL;
}

char *t_endpoint_address(struct h_sim *s, const char *name, const char *ep)
{
    char *path = h_fmt("/service/%s/v1/endpoints/%s", name, ep);
    long st;
    json_t *j = t_get_json(s, path, &st);
    const char *a = json_string_value(json_array_get(h_jget(j, "address"),
                                                     0));
    char *out;

    if (st != 200 || !a)
        fail_msg("endpoint %s of %s: %ld", ep, name, st);
    out = strdup(a);
    json_decref(j);
    free(path);
    return out;
}

struct h_resp t_node_get(struct h_sim *s, const char *name, const char *ep,
                         const char *path, int tls, const char *userpwd)
{
    char *p = h_fmt("/service/%s/v1/endpoints/%s", name, ep);
    long st;
    json_t *j = t_get_json(s, p, &st);
    const char *dns = json_string_value(json_array_get(h_jget(j, "dns"), 0));
    const char *port = dns ? strrchr(dns, ':') : NULL;
    char *url, *resolve;
    struct h_resp r;

    if (st != 200 || !port)
        fail_msg("endpoint %s of %s: %ld", ep, name, st);
    url = h_fmt("%s://%s%s", tls ? "https" : "http", dns, path);
    resolve = h_fmt("%.*s:%s:127.0.0.1", (int)(port - dns), dns, port + 1);
    r = h_req_url(url, tls ? s->ca_cert : NULL, resolve, userpwd);
    free(url);
    free(resolve);
    json_decref(j);
    free(p);
    return r;
}

char *t_target_id(struct h_sim *s, const char *name)
{
    char *path = h_fmt("/service/%s/v1/configurations/targetId", name);
    long st;
    json_t *j = t_get_json(s, path, &st);
    const char *v = json_string_value(json_array_get(j, 0));
    char *out = v ? strdup(v) : NULL;

    if (st != 200 || !out)
        fail_msg("targetId of %s: %ld", name, st);
    json_decref(j);
    free(path);
    return out;
}

void t_grant(struct h_sim *s, const char *uid, const char *rid,
             const char *action)
{
    char *e = h_rid_path(rid), *p = h_fmt("/acs/api/v1/acls/%s", e);
    struct h_resp r = h_put(s, p, "{\"description\":\"test grant\"}");

    if (r.status != 201 && r.status != 409)
        fail_msg("create ACL %s: %ld %s", rid, r.status, r.body);
    h_resp_free(&r);
    free(p);
    p = h_fmt("/acs/api/v1/acls/%s/users/%s/%s", e, uid, action);
    r = h_put(s, p, NULL);
    if (r.status != 204)
        fail_msg("grant %s %s %s: %ld %s", uid, rid, action, r.status,
                 r.body);
    h_resp_free(&r);
    free(p);
    free(e);
}

long t_marathon_restart(struct h_sim *s, const char *name, int force)
{
    char *p = h_fmt("/marathon/v2/apps/%s/restart%s", name,
                    force ? "?force=true" : "");
    struct h_resp r = h_post(s, p, NULL);
    long st = r.status;

    h_resp_free(&r);
    free(p);
    return st;
}
