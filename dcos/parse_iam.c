/*
 * Parsers of IAM answers (dcos-api.md 3 and 4): users, group members,
 * permissions and IAM errors.  See parse.h.
 */
#include "parse.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "dcos/jfield.h"

static const struct jfield user_fields[] = {
    JFIELD(struct dcos_user, uid, "uid", true),
    JFIELD(struct dcos_user, description, "description", false),
    JFIELD(struct dcos_user, public_key, "public_key", false),
};

static const struct jfield iam_error_fields[] = {
    JFIELD(struct dcos_iam_error, title, "title", false),
    JFIELD(struct dcos_iam_error, description, "description", false),
    JFIELD(struct dcos_iam_error, code, "code", true),
};

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
    r = jfield_copy(u, j, user_fields, JFIELD_N(user_fields));
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
    int r = jfield_list_alloc(&items, arr, sizeof(*l.items));

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

int dcos_parse_user_groups(char ***gids, size_t *n, const json_t *j)
{
    const json_t *arr = json_object_get(j, "array");
    char **v = NULL;
    size_t i, k = 0;
    void *items;
    int r = jfield_list_alloc(&items, arr, sizeof(*v));

    if (r)
        return r;
    v = items;
    for (i = 0; i < json_array_size(arr); i++) {
        const json_t *g = json_object_get(json_array_get(arr, i), "group");
        const char *gid = json_string_value(json_object_get(g, "gid"));

        if (!gid) {
            r = ERR_INVALID;
            break;
        }
        v[k] = strdup(gid);
        if (!v[k]) {
            r = ERR_NOMEM;
            break;
        }
        k++;
    }
    if (r) {
        dcos_string_array_free(v, k);
        return r;
    }
    *gids = v;
    *n = k;
    return 0;
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
        if (p->n >= JFIELD_LIST_MAX)
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
    r = jfield_copy(&e, j, iam_error_fields, JFIELD_N(iam_error_fields));
    if (r) {
        dcos_iam_error_clear(&e);
        return r;
    }
    *out = e;
    return 0;
}
