/*
 * Parsers of SDK scheduler answers (elastic-sdk.md): endpoints, pod info,
 * service specs and the target configuration.  See parse.h.
 */
#include "parse.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/util.h"
#include "dcos/jfield.h"

void dcos_endpoint_free(struct dcos_endpoint *e)
{
    if (!e)
        return;
    dcos_string_array_free(e->address, e->n);
    dcos_string_array_free(e->dns, e->n_dns);
    free(e->vip);
    free(e);
}

int dcos_parse_endpoint(struct dcos_endpoint **out, const json_t *j)
{
    struct dcos_endpoint *e;
    int r;

    if (!json_is_object(j) || !json_is_array(json_object_get(j, "address")))
        return ERR_INVALID;
    e = calloc(1, sizeof(*e));
    if (!e)
        return ERR_NOMEM;
    r = jfield_strings(&e->address, &e->n, json_object_get(j, "address"));
    if (r == 0)
        r = jfield_strings(&e->dns, &e->n_dns, json_object_get(j, "dns"));
    if (r == 0)
        r = jfield_string(&e->vip, j, "vip");
    if (r) {
        dcos_endpoint_free(e);
        return r;
    }
    *out = e;
    return 0;
}

int dcos_split_host_port(char **host, long *port, const char *hostport)
{
    const char *colon, *h = hostport, *hend;
    char *s;
    long p;

    if (!hostport || !*hostport)
        return ERR_INVALID;
    if (*h == '[') {
        hend = strchr(h, ']');
        if (!hend || hend[1] != ':')
            return ERR_INVALID;
        h++;
        colon = hend + 1;
    } else {
        colon = strrchr(h, ':');
        if (!colon || memchr(h, ':', (size_t)(colon - h)))
            return ERR_INVALID;
        hend = colon;
    }
    if (hend == h || util_parse_long(&p, colon + 1, 1, 65535))
        return ERR_INVALID;
    s = malloc((size_t)(hend - h) + 1);
    if (!s)
        return ERR_NOMEM;
    memcpy(s, h, (size_t)(hend - h));
    s[hend - h] = '\0';
    *host = s;
    *port = p;
    return 0;
}

void dcos_pod_info_clear(struct dcos_pod_info *p)
{
    size_t i;

    if (!p)
        return;
    for (i = 0; i < p->n; i++) {
        free(p->tasks[i].name);
        free(p->tasks[i].task_id);
        free(p->tasks[i].state);
        free(p->tasks[i].target_config);
    }
    free(p->tasks);
    p->tasks = NULL;
    p->n = 0;
}

static int task_fill(struct dcos_pod_task *t, const json_t *e)
{
    const json_t *info = json_object_get(e, "info");
    const json_t *status = json_object_get(e, "status");
    const json_t *labels, *tid;
    size_t i;
    int r;

    if (!json_is_string(json_object_get(info, "name")))
        return ERR_INVALID;
    r = jfield_string(&t->name, info, "name");
    tid = json_object_get(info, "taskId");
    if (r == 0 && json_is_object(tid))
        r = jfield_string(&t->task_id, tid, "value");
    if (r == 0 && json_is_object(status))
        r = jfield_string(&t->state, status, "state");
    labels = json_object_get(json_object_get(info, "labels"), "labels");
    for (i = 0; r == 0 && i < json_array_size(labels); i++) {
        const json_t *l = json_array_get(labels, i);
        const json_t *k = json_object_get(l, "key");

        if (json_is_string(k) &&
            strcmp(json_string_value(k), "target_configuration") == 0) {
            free(t->target_config);
            r = jfield_string(&t->target_config, l, "value");
        }
    }
    return r;
}

int dcos_parse_pod_info(struct dcos_pod_info *out, const json_t *j)
{
    struct dcos_pod_info p = { NULL, 0 };
    size_t i;
    void *items;
    int r = jfield_list_alloc(&items, j, sizeof(*p.tasks));

    if (r)
        return r;
    p.tasks = items;
    for (i = 0; r == 0 && i < json_array_size(j); i++) {
        p.n++;
        r = task_fill(&p.tasks[i], json_array_get(j, i));
    }
    if (r) {
        dcos_pod_info_clear(&p);
        return r;
    }
    *out = p;
    return 0;
}

int dcos_parse_config_tls(size_t *n_tls, size_t *n_tasks, const json_t *j)
{
    const json_t *pods = json_object_get(j, "pod-specs");
    size_t i, k, tls = 0, tasks = 0;

    if (!json_is_array(pods))
        return ERR_INVALID;
    for (i = 0; i < json_array_size(pods); i++) {
        const json_t *ts = json_object_get(json_array_get(pods, i),
                                           "task-specs");

        if (!json_is_array(ts))
            return ERR_INVALID;
        for (k = 0; k < json_array_size(ts); k++) {
            const json_t *te = json_object_get(json_array_get(ts, k),
                                               "transport-encryption");

            tasks++;
            if (json_is_array(te) && json_array_size(te) > 0)
                tls++;
        }
    }
    *n_tls = tls;
    *n_tasks = tasks;
    return 0;
}

int dcos_parse_target_id(char **out, const json_t *j)
{
    const json_t *v = j;

    if (json_is_array(j)) {
        if (json_array_size(j) != 1)
            return ERR_INVALID;
        v = json_array_get(j, 0);
    }
    if (!json_is_string(v) || json_string_length(v) == 0)
        return ERR_INVALID;
    *out = strdup(json_string_value(v));
    return *out ? 0 : ERR_NOMEM;
}
