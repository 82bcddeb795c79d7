#include "parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/err.h"
#include "common/util.h"
#include "common/jsonscan.h"

/* Bounds on lists taken from the network. */
#define LIST_MAX 100000u

/* New copy of a string member, or NULL (absent or not a string). */
static int dup_member(char **out, const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (!json_is_string(v))
        return 0;
    *out = strdup(json_string_value(v));
    return *out ? 0 : ERR_NOMEM;
}

/*
 * Zeroed items for the JSON array @arr, @size bytes each (new; NULL when
 * the array is empty).  ERR_INVALID when @arr is not an array or is longer
 * than LIST_MAX, or ERR_NOMEM.
 */
static int list_alloc(void **out, const json_t *arr, size_t size)
{
    size_t n = json_array_size(arr);

    *out = NULL;
    if (!json_is_array(arr) || n > LIST_MAX)
        return ERR_INVALID;
    if (n && !(*out = calloc(n, size)))
        return ERR_NOMEM;
    return 0;
}

static long long_member(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);

    return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

/* ------------------------------------------------------------------ */
/* IAM                                                                 */

static void user_clear(struct dcos_user *u)
{
    free(u->uid);
    free(u->description);
    free(u->public_key);
    memset(u, 0, sizeof(*u));
}

static int user_fill(struct dcos_user *u, const json_t *j)
{
    const json_t *svc;
    int r;

    memset(u, 0, sizeof(*u));
    if (!json_is_object(j) || !json_is_string(json_object_get(j, "uid")))
        return ERR_INVALID;
    r = dup_member(&u->uid, j, "uid");
    if (r == 0)
        r = dup_member(&u->description, j, "description");
    if (r == 0)
        r = dup_member(&u->public_key, j, "public_key");
    if (r) {
        user_clear(u);
        return r;
    }
    svc = json_object_get(j, "is_service");
    u->is_service = json_is_boolean(svc) ? json_is_true(svc)
                                         : u->public_key != NULL;
    return 0;
}

int dcos_parse_user(struct dcos_user **out, const json_t *j)
{
    struct dcos_user *u = calloc(1, sizeof(*u));
    int r;

    if (!u)
        return ERR_NOMEM;
    r = user_fill(u, j);
    if (r) {
        free(u);
        return r;
    }
    *out = u;
    return 0;
}

void dcos_user_free(struct dcos_user *u)
{
    if (!u)
        return;
    user_clear(u);
    free(u);
}

void dcos_user_list_clear(struct dcos_user_list *l)
{
    size_t i;

    if (!l)
        return;
    for (i = 0; i < l->n; i++)
        user_clear(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

/* @member NULL: the array holds users; else each element's @member. */
static int parse_user_array(struct dcos_user_list *out, const json_t *j,
                            const char *member)
{
    const json_t *arr = json_object_get(j, "array");
    struct dcos_user_list l = { NULL, 0 };
    size_t i;
    void *items;
    int r = list_alloc(&items, arr, sizeof(*l.items));

    if (r)
        return r;
    l.items = items;
    for (i = 0; i < json_array_size(arr); i++) {
        const json_t *e = json_array_get(arr, i);

        if (member)
            e = json_object_get(e, member);
        r = user_fill(&l.items[l.n], e);
        if (r) {
            dcos_user_list_clear(&l);
            return r;
        }
        l.n++;
    }
    *out = l;
    return 0;
}

int dcos_parse_users(struct dcos_user_list *out, const json_t *j)
{
    return parse_user_array(out, j, NULL);
}

int dcos_parse_group_users(struct dcos_user_list *out, const json_t *j)
{
    return parse_user_array(out, j, "user");
}

int dcos_user_list_has(const struct dcos_user_list *l, const char *uid)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (strcmp(l->items[i].uid, uid) == 0)
            return 1;
    return 0;
}

void dcos_permissions_clear(struct dcos_permissions *p)
{
    size_t i;

    if (!p)
        return;
    for (i = 0; i < p->n; i++) {
        free(p->items[i].rid);
        free(p->items[i].action);
        free(p->items[i].gid);
    }
    free(p->items);
    p->items = NULL;
    p->n = 0;
}

static int grants_add(struct dcos_permissions *p, const json_t *acl,
                      bool group)
{
    const json_t *rid = json_object_get(acl, "rid");
    const json_t *gid = json_object_get(acl, "gid");
    const json_t *actions = json_object_get(acl, "actions");
    size_t i;

    if (!json_is_string(rid) || !json_is_array(actions) ||
        (group && !json_is_string(gid)))
        return ERR_INVALID;
    for (i = 0; i < json_array_size(actions); i++) {
        const json_t *a = json_array_get(actions, i);
        const json_t *name = json_is_object(a) ? json_object_get(a, "name")
                                               : a;
        struct dcos_grant *v, *g;

        if (!json_is_string(name))
            return ERR_INVALID;
        if (p->n >= LIST_MAX)
            return ERR_INVALID;
        v = realloc(p->items, (p->n + 1) * sizeof(*v));
        if (!v)
            return ERR_NOMEM;
        p->items = v;
        g = &v[p->n];
        memset(g, 0, sizeof(*g));
        p->n++;
        g->rid = strdup(json_string_value(rid));
        g->action = strdup(json_string_value(name));
        g->gid = group ? strdup(json_string_value(gid)) : NULL;
        if (!g->rid || !g->action || (group && !g->gid))
            return ERR_NOMEM;
    }
    return 0;
}

int dcos_parse_user_permissions(struct dcos_permissions *out,
                                const json_t *j)
{
    struct dcos_permissions p = { NULL, 0 };
    const json_t *direct = json_object_get(j, "direct");
    const json_t *groups = json_object_get(j, "groups");
    size_t i;
    int r = 0;

    if (!json_is_array(direct) || !json_is_array(groups))
        return ERR_INVALID;
    for (i = 0; r == 0 && i < json_array_size(direct); i++)
        r = grants_add(&p, json_array_get(direct, i), false);
    for (i = 0; r == 0 && i < json_array_size(groups); i++)
        r = grants_add(&p, json_array_get(groups, i), true);
    if (r) {
        dcos_permissions_clear(&p);
        return r;
    }
    *out = p;
    return 0;
}

int dcos_permissions_allow(const struct dcos_permissions *p,
                           const char *rid, const char *action)
{
    size_t i;

    for (i = 0; i < p->n; i++) {
        const struct dcos_grant *g = &p->items[i];

        if (strcmp(g->rid, "dcos:superuser") == 0 &&
            strcmp(g->action, "full") == 0)
            return 1;
        if (strcmp(g->rid, rid) == 0 &&
            (strcmp(g->action, action) == 0 ||
             strcmp(g->action, "full") == 0))
            return 1;
    }
    return 0;
}

int dcos_parse_allowed(bool *out, const json_t *j)
{
    const json_t *v = json_object_get(j, "allowed");

    if (!json_is_boolean(v))
        return ERR_INVALID;
    *out = json_is_true(v);
    return 0;
}

void dcos_iam_error_clear(struct dcos_iam_error *e)
{
    if (!e)
        return;
    free(e->title);
    free(e->description);
    free(e->code);
    memset(e, 0, sizeof(*e));
}

int dcos_parse_iam_error(struct dcos_iam_error *out, const json_t *j)
{
    struct dcos_iam_error e;
    int r;

    memset(&e, 0, sizeof(e));
    if (!json_is_object(j) || !json_is_string(json_object_get(j, "code")))
        return ERR_INVALID;
    r = dup_member(&e.title, j, "title");
    if (r == 0)
        r = dup_member(&e.description, j, "description");
    if (r == 0)
        r = dup_member(&e.code, j, "code");
    if (r) {
        dcos_iam_error_clear(&e);
        return r;
    }
    *out = e;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Cosmos                                                              */

void dcos_cosmos_error_free(struct dcos_cosmos_error *e)
{
    if (!e)
        return;
    free(e->type);
    free(e->message);
    json_decref(e->data);
    free(e);
}

int dcos_parse_cosmos_error(struct dcos_cosmos_error **out, const json_t *j)
{
    struct dcos_cosmos_error *e;
    const json_t *data;
    int r;

    if (!json_is_object(j) || !json_is_string(json_object_get(j, "type")) ||
        !json_is_string(json_object_get(j, "message")))
        return ERR_INVALID;
    e = calloc(1, sizeof(*e));
    if (!e)
        return ERR_NOMEM;
    r = dup_member(&e->type, j, "type");
    if (r == 0)
        r = dup_member(&e->message, j, "message");
    if (r) {
        dcos_cosmos_error_free(e);
        return r;
    }
    data = json_object_get(j, "data");
    if (data)
        e->data = json_incref((json_t *)data);
    *out = e;
    return 0;
}

/* Append printf output to a fixed buffer, truncating silently. */
static void out_append(char *out, size_t n, size_t *pos, const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));

static void out_append(char *out, size_t n, size_t *pos, const char *fmt,
                       ...)
{
    va_list ap;
    int w;

    if (*pos + 1 >= n)
        return;
    va_start(ap, fmt);
    w = vsnprintf(out + *pos, n - *pos, fmt, ap);
    va_end(ap);
    if (w < 0)
        return;
    *pos += (size_t)w;
    if (*pos >= n)
        *pos = n - 1;
}

/* Replace control characters so the text stays on one line. */
static void one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
}

void dcos_cosmos_error_format(const struct dcos_cosmos_error *e, char *out,
                              size_t n)
{
    size_t pos = 0, i;
    const json_t *v;

    if (n == 0)
        return;
    out[0] = '\0';
    out_append(out, n, &pos, "%s: %s", e->type, e->message);
    if (strcmp(e->type, "JsonSchemaMismatch") == 0) {
        v = json_object_get(e->data, "errors");
        for (i = 0; i < json_array_size(v); i++) {
            const json_t *er = json_array_get(v, i);
            const json_t *ptr = json_object_get(json_object_get(er,
                                                                "instance"),
                                                "pointer");
            const json_t *msg = json_object_get(er, "message");

            out_append(out, n, &pos, "; %s: %s",
                       json_is_string(ptr) && *json_string_value(ptr)
                           ? json_string_value(ptr)
                           : "/",
                       json_is_string(msg) ? json_string_value(msg) : "?");
        }
    } else if (strcmp(e->type, "BadVersionUpdate") == 0) {
        v = json_object_get(e->data, "validVersions");
        out_append(out, n, &pos, " (valid versions:");
        for (i = 0; i < json_array_size(v); i++)
            if (json_is_string(json_array_get(v, i)))
                out_append(out, n, &pos, " %s",
                           json_string_value(json_array_get(v, i)));
        out_append(out, n, &pos, "%s)",
                   json_array_size(v) == 0 ? " none" : "");
    } else if (strcmp(e->type, "AppIdChanged") == 0) {
        const json_t *a = json_object_get(e->data, "oldAppId");
        const json_t *b = json_object_get(e->data, "newAppId");

        if (json_is_string(a) && json_is_string(b))
            out_append(out, n, &pos, " (%s -> %s)", json_string_value(a),
                       json_string_value(b));
    }
    one_line(out);
}

static int string_list(char ***out, size_t *n_out, const json_t *arr)
{
    char **v;
    void *items;
    size_t i, n = json_array_size(arr);
    int r;

    *out = NULL;
    *n_out = 0;
    if (!arr)
        return 0;
    r = list_alloc(&items, arr, sizeof(*v));
    if (r)
        return r;
    v = items;
    for (i = 0; i < n; i++) {
        const json_t *s = json_array_get(arr, i);

        if (!json_is_string(s)) {
            dcos_string_array_free(v, i);
            return ERR_INVALID;
        }
        v[i] = strdup(json_string_value(s));
        if (!v[i]) {
            dcos_string_array_free(v, i);
            return ERR_NOMEM;
        }
    }
    *out = v;
    *n_out = n;
    return 0;
}

void dcos_string_array_free(char **v, size_t n)
{
    size_t i;

    if (!v)
        return;
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int dcos_parse_string_array(char ***out, size_t *n_out, const json_t *j)
{
    if (!json_is_array(j))
        return ERR_INVALID;
    return string_list(out, n_out, j);
}

void dcos_service_desc_free(struct dcos_service_desc *d)
{
    if (!d)
        return;
    free(d->package_name);
    free(d->package_version);
    json_decref(d->resolved_options);
    json_decref(d->user_options);
    dcos_string_array_free(d->upgrades_to, d->n_upgrades_to);
    dcos_string_array_free(d->downgrades_to, d->n_downgrades_to);
    free(d);
}

static json_t *object_ref(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);

    return json_is_object(v) ? json_incref((json_t *)v) : NULL;
}

int dcos_parse_service_describe(struct dcos_service_desc **out,
                                const json_t *j)
{
    const json_t *pkg = json_object_get(j, "package");
    struct dcos_service_desc *d;
    int r;

    if (!json_is_object(pkg) ||
        !json_is_string(json_object_get(pkg, "name")) ||
        !json_is_string(json_object_get(pkg, "version")))
        return ERR_INVALID;
    d = calloc(1, sizeof(*d));
    if (!d)
        return ERR_NOMEM;
    r = dup_member(&d->package_name, pkg, "name");
    if (r == 0)
        r = dup_member(&d->package_version, pkg, "version");
    if (r == 0)
        r = string_list(&d->upgrades_to, &d->n_upgrades_to,
                        json_object_get(j, "upgradesTo"));
    if (r == 0)
        r = string_list(&d->downgrades_to, &d->n_downgrades_to,
                        json_object_get(j, "downgradesTo"));
    if (r) {
        dcos_service_desc_free(d);
        return r;
    }
    d->resolved_options = object_ref(j, "resolvedOptions");
    d->user_options = object_ref(j, "userProvidedOptions");
    *out = d;
    return 0;
}

void dcos_package_list_clear(struct dcos_package_list *l)
{
    size_t i;

    if (!l)
        return;
    for (i = 0; i < l->n; i++) {
        free(l->items[i].app_id);
        free(l->items[i].name);
        free(l->items[i].version);
    }
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

int dcos_parse_package_list(struct dcos_package_list *out, const json_t *j)
{
    const json_t *pkgs = json_object_get(j, "packages");
    struct dcos_package_list l = { NULL, 0 };
    size_t i;
    void *items;
    int r = list_alloc(&items, pkgs, sizeof(*l.items));

    if (r)
        return r;
    l.items = items;
    for (i = 0; r == 0 && i < json_array_size(pkgs); i++) {
        const json_t *p = json_array_get(pkgs, i);
        const json_t *def = json_object_get(
            json_object_get(p, "packageInformation"), "packageDefinition");
        struct dcos_installed *e = &l.items[l.n];

        if (!json_is_string(json_object_get(p, "appId")) ||
            !json_is_object(def)) {
            r = ERR_INVALID;
            break;
        }
        l.n++;
        r = dup_member(&e->app_id, p, "appId");
        if (r == 0)
            r = dup_member(&e->name, def, "name");
        if (r == 0)
            r = dup_member(&e->version, def, "version");
        if (r == 0 && (!e->name || !e->version))
            r = ERR_INVALID;
    }
    if (r) {
        dcos_package_list_clear(&l);
        return r;
    }
    *out = l;
    return 0;
}

static const char *skip_slash(const char *s)
{
    return *s == '/' ? s + 1 : s;
}

const struct dcos_installed *
dcos_package_list_find(const struct dcos_package_list *l, const char *app_id)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (strcmp(skip_slash(l->items[i].app_id), skip_slash(app_id)) == 0)
            return &l->items[i];
    return NULL;
}

void dcos_update_result_free(struct dcos_update_result *u)
{
    if (!u)
        return;
    free(u->deployment_id);
    free(u->package_name);
    free(u->package_version);
    json_decref(u->resolved_options);
    free(u);
}

int dcos_parse_update_response(struct dcos_update_result **out,
                               const json_t *j)
{
    const json_t *pkg = json_object_get(j, "package");
    struct dcos_update_result *u;
    int r;

    if (!json_is_object(j) || !json_is_object(pkg))
        return ERR_INVALID;
    u = calloc(1, sizeof(*u));
    if (!u)
        return ERR_NOMEM;
    r = dup_member(&u->deployment_id, j, "marathonDeploymentId");
    if (r == 0)
        r = dup_member(&u->package_name, pkg, "name");
    if (r == 0)
        r = dup_member(&u->package_version, pkg, "version");
    if (r) {
        dcos_update_result_free(u);
        return r;
    }
    u->resolved_options = object_ref(j, "resolvedOptions");
    *out = u;
    return 0;
}

void dcos_install_result_free(struct dcos_install_result *i)
{
    if (!i)
        return;
    free(i->package_name);
    free(i->package_version);
    free(i->app_id);
    free(i);
}

int dcos_parse_install_response(struct dcos_install_result **out,
                                const json_t *j)
{
    struct dcos_install_result *i;
    int r;

    if (!json_is_object(j) ||
        !(json_is_string(json_object_get(j, "appId")) ||
          json_is_string(json_object_get(j, "packageName"))))
        return ERR_INVALID;
    i = calloc(1, sizeof(*i));
    if (!i)
        return ERR_NOMEM;
    r = dup_member(&i->package_name, j, "packageName");
    if (r == 0)
        r = dup_member(&i->package_version, j, "packageVersion");
    if (r == 0)
        r = dup_member(&i->app_id, j, "appId");
    if (r) {
        dcos_install_result_free(i);
        return r;
    }
    *out = i;
    return 0;
}

/* ------------------------------------------------------------------ */
/* SDK scheduler                                                       */

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
    r = string_list(&e->address, &e->n, json_object_get(j, "address"));
    if (r == 0)
        r = string_list(&e->dns, &e->n_dns, json_object_get(j, "dns"));
    if (r == 0)
        r = dup_member(&e->vip, j, "vip");
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

    if (!json_is_object(info) ||
        !json_is_string(json_object_get(info, "name")))
        return ERR_INVALID;
    r = dup_member(&t->name, info, "name");
    tid = json_object_get(info, "taskId");
    if (r == 0 && json_is_object(tid))
        r = dup_member(&t->task_id, tid, "value");
    if (r == 0 && json_is_object(status))
        r = dup_member(&t->state, status, "state");
    labels = json_object_get(json_object_get(info, "labels"), "labels");
    for (i = 0; r == 0 && i < json_array_size(labels); i++) {
        const json_t *l = json_array_get(labels, i);
        const json_t *k = json_object_get(l, "key");

        if (json_is_string(k) &&
            strcmp(json_string_value(k), "target_configuration") == 0) {
            free(t->target_config);
            r = dup_member(&t->target_config, l, "value");
        }
    }
    return r;
}

int dcos_parse_pod_info(struct dcos_pod_info *out, const json_t *j)
{
    struct dcos_pod_info p = { NULL, 0 };
    size_t i;
    void *items;
    int r = list_alloc(&items, j, sizeof(*p.tasks));

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

void dcos_text_summary(char *out, size_t n, const char *body, size_t len)
{
    const char *p = body, *end = body + len;
    const char *t, *te;
    size_t k = 0;
    bool space = false;

    if (n == 0)
        return;
    out[0] = '\0';
    if (!body)
        return;
    /* An HTML page: use its <title>. */
    for (t = body; t + 7 <= end; t++) {
        if (strncasecmp(t, "<title>", 7) == 0) {
            for (te = t + 7; te + 8 <= end; te++)
                if (strncasecmp(te, "</title>", 8) == 0)
                    break;
            if (te + 8 <= end) {
                p = t + 7;
                end = te;
            }
            break;
        }
    }
    for (; p < end && k + 1 < n; p++) {
        unsigned char ch = (unsigned char)*p;

        if (ch < 0x20 || ch == 0x7f || ch == ' ') {
            space = k > 0;
            continue;
        }
        if (space && k + 2 < n)
            out[k++] = ' ';
        space = false;
        out[k++] = (char)ch;
    }
    out[k] = '\0';
}

/* ------------------------------------------------------------------ */
/* Marathon                                                            */

void dcos_marathon_app_free(struct dcos_marathon_app *a)
{
    if (!a)
        return;
    free(a->id);
    free(a->package_name);
    free(a->package_version);
    free(a->service_name);
    free(a);
}

int dcos_parse_marathon_app(struct dcos_marathon_app **out, const json_t *j)
{
    const json_t *app = json_object_get(j, "app");
    const json_t *labels;
    struct dcos_marathon_app *a;
    int r;

    if (!app)
        app = j;
    if (!json_is_object(app) || !json_is_string(json_object_get(app, "id")))
        return ERR_INVALID;
    a = calloc(1, sizeof(*a));
    if (!a)
        return ERR_NOMEM;
    labels = json_object_get(app, "labels");
    r = dup_member(&a->id, app, "id");
    if (r == 0)
        r = dup_member(&a->package_name, labels, "DCOS_PACKAGE_NAME");
    if (r == 0)
        r = dup_member(&a->package_version, labels, "DCOS_PACKAGE_VERSION");
    if (r == 0)
        r = dup_member(&a->service_name, labels, "DCOS_SERVICE_NAME");
    if (r) {
        dcos_marathon_app_free(a);
        return r;
    }
    a->instances = long_member(app, "instances");
    a->tasks_running = long_member(app, "tasksRunning");
    a->tasks_healthy = long_member(app, "tasksHealthy");
    a->tasks_staged = long_member(app, "tasksStaged");
    a->tasks_unhealthy = long_member(app, "tasksUnhealthy");
    a->n_deployments = json_array_size(json_object_get(app, "deployments"));
    *out = a;
    return 0;
}

/* ------------------------------------------------------------------ */
/* metadata, CA, secrets                                               */

void dcos_version_free(struct dcos_version *v)
{
    if (!v)
        return;
    free(v->version);
    free(v->variant);
    free(v->image_commit);
    free(v);
}

int dcos_parse_version(struct dcos_version **out, const json_t *j)
{
    struct dcos_version *v;
    int r;

    if (!json_is_string(json_object_get(j, "version")))
        return ERR_INVALID;
    v = calloc(1, sizeof(*v));
    if (!v)
        return ERR_NOMEM;
    r = dup_member(&v->version, j, "version");
    if (r == 0)
        r = dup_member(&v->variant, j, "dcos-variant");
    if (r == 0)
        r = dup_member(&v->image_commit, j, "dcos-image-commit");
    if (r) {
        dcos_version_free(v);
        return r;
    }
    *out = v;
    return 0;
}

int dcos_parse_ca_pem(size_t *n_certs, const char *pem, size_t len)
{
    static const char begin[] = "-----BEGIN CERTIFICATE-----";
    const char *p = pem, *end = pem + len;
    size_t n = 0;

    if (!pem || len == 0 || len > 4u * 1024u * 1024u)
        return ERR_INVALID;
    for (;;) {
        const char *b = NULL, *q;
        BIO *bio;
        X509 *x;

        for (q = p; q + sizeof(begin) - 1 <= end; q++)
            if (memcmp(q, begin, sizeof(begin) - 1) == 0) {
                b = q;
                break;
            }
        if (!b)
            break;
        bio = BIO_new_mem_buf(b, (int)(end - b));
        if (!bio)
            return ERR_NOMEM;
        x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        BIO_free(bio);
        if (!x)
            return ERR_INVALID;
        X509_free(x);
        n++;
        p = b + sizeof(begin) - 1;
    }
    if (n == 0)
        return ERR_INVALID;
    *n_certs = n;
    return 0;
}

void dcos_ca_response_free(struct dcos_ca_response *c)
{
    if (!c)
        return;
    free(c->certificate);
    free(c->bundle);
    dcos_string_array_free(c->errors, c->n_errors);
    free(c);
}

int dcos_parse_ca_response(struct dcos_ca_response **out, const json_t *j)
{
    const json_t *result = json_object_get(j, "result");
    const json_t *errors = json_object_get(j, "errors");
    const json_t *success = json_object_get(j, "success");
    struct dcos_ca_response *c;
    void *items = NULL;
    size_t i;
    int r = 0;

    if (!json_is_object(j) || (errors && !json_is_array(errors)) ||
        (result && !json_is_object(result)) || (!result && !errors))
        return ERR_INVALID;
    c = calloc(1, sizeof(*c));
    if (!c)
        return ERR_NOMEM;
    if (errors)
        r = list_alloc(&items, errors, sizeof(*c->errors));
    c->errors = items;
    for (i = 0; r == 0 && i < json_array_size(errors); i++) {
        const json_t *e = json_array_get(errors, i);
        const json_t *msg = json_object_get(e, "message");
        struct buf b;

        buf_init(&b, 4096);
        if (buf_printf(&b, "%ld: %s", long_member(e, "code"),
                       json_is_string(msg) ? json_string_value(msg) : "?")) {
            r = ERR_NOMEM;
        } else {
            c->errors[i] = buf_detach(&b);
            if (!c->errors[i])
                r = ERR_NOMEM;
            else
                c->n_errors++;
        }
        buf_free(&b);
    }
    if (r == 0 && result)
        r = dup_member(&c->certificate, result, "certificate");
    if (r == 0 && result)
        r = dup_member(&c->bundle, result, "bundle");
    if (r) {
        dcos_ca_response_free(c);
        return r;
    }
    c->success = json_is_boolean(success) ? json_is_true(success)
                                          : c->n_errors == 0;
    *out = c;
    return 0;
}

int dcos_parse_secret_value(struct secret **out, const char *body,
                            size_t len)
{
    int r = jsonscan_secret_member(out, body, len, "value");

    return r == ERR_NOTFOUND ? ERR_INVALID : r;
}
