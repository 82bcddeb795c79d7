/*
 * dcos-sim IAM tables and authorization: the "iam" section of the state
 * and the rules that decide who holds which action on which rid.  See
 * iam_authz.h.
 */
#include "sim/iam_authz.h"

#include <string.h>

#include <jansson.h>

#include "sim/state.h"

/* ------------------------------------------------------------------ */
/* Tables                                                             */
/* ------------------------------------------------------------------ */

/* See iam_authz.h. */
json_t *iam_obj_child(json_t *o, const char *name)
{
    json_t *c = json_object_get(o, name);

    if (!json_is_object(c)) {
        c = json_object();
        if (!c || json_object_set_new(o, name, c))
            return NULL;
    }
    return c;
}

/* See iam_authz.h. */
const char *iam_str(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

/* See iam_authz.h. */
json_t *iam_table(struct sim *s, const char *name)
{
    return iam_obj_child(sim_state_section(s, "iam"), name);
}

/* See iam_authz.h. */
void iam_forget_subject(struct sim *s, const char *kind, const char *id)
{
    json_t *acls = iam_table(s, "acls"), *acl, *groups, *g;
    const char *rid, *gid;

    json_object_foreach(acls, rid, acl)
        if (json_object_del(json_object_get(acl, kind), id) == 0)
            sim_state_touch(s, "iam", "acls", rid);
    if (strcmp(kind, "users") != 0)
        return;
    groups = iam_table(s, "groups");
    json_object_foreach(groups, gid, g)
        if (json_object_del(json_object_get(g, "members"), id) == 0)
            sim_state_touch(s, "iam", "groups", gid);
}

/* ------------------------------------------------------------------ */
/* Authorization                                                      */
/* ------------------------------------------------------------------ */

static int grants_action(json_t *acts, const char *action)
{
    return json_object_get(acts, action) || json_object_get(acts, "full");
}

/* 1 when a grant on @grant applies to @rid: equal, or @grant ends in "/" "*"
 * and @rid lies below it. */
static int rid_covers(const char *grant, const char *rid)
{
    size_t n = strlen(grant);

    if (strcmp(grant, rid) == 0)
        return 1;
    return n >= 2 && grant[n - 2] == '/' && grant[n - 1] == '*' &&
           strncmp(grant, rid, n - 1) == 0 && rid[n - 1] != '\0';
}

/* 1 when subject @id of @kind holds @action on @rid (directly). */
static int subject_holds(struct sim *s, const char *kind, const char *id,
                         const char *rid, const char *action)
{
    json_t *acls = iam_table(s, "acls"), *acl;
    const char *grid;

    json_object_foreach(acls, grid, acl) {
        if (!rid_covers(grid, rid))
            continue;
        if (grants_action(json_object_get(json_object_get(acl, kind), id),
                          action))
            return 1;
    }
    return 0;
}

/* See iam_authz.h. */
int iam_is_member(struct sim *s, const char *gid, const char *uid)
{
    json_t *g = json_object_get(iam_table(s, "groups"), gid);

    return json_object_get(json_object_get(g, "members"), uid) != NULL;
}

/* 1 when @uid holds @action on @rid directly or through a group. */
static int user_holds(struct sim *s, const char *uid, const char *rid,
                      const char *action)
{
    json_t *groups = iam_table(s, "groups"), *g;
    const char *gid;

    if (subject_holds(s, "users", uid, rid, action))
        return 1;
    json_object_foreach(groups, gid, g) {
        if (json_object_get(json_object_get(g, "members"), uid) &&
            subject_holds(s, "groups", gid, rid, action))
            return 1;
    }
    return 0;
}

/* See iam_authz.h. */
int iam_is_superuser(struct sim *s, const char *uid)
{
    return user_holds(s, uid, IAM_SUPERUSER_RID, "full");
}

/* See iam_authz.h. */
int iam_group_allowed(struct sim *s, const char *gid, const char *rid,
                      const char *action)
{
    return subject_holds(s, "groups", gid, IAM_SUPERUSER_RID, "full") ||
           subject_holds(s, "groups", gid, rid, action);
}

/* See iam_authz.h. */
size_t iam_regular_superusers(struct sim *s, const char *except)
{
    json_t *users = iam_table(s, "users"), *u;
    const char *uid;
    size_t n = 0;

    json_object_foreach(users, uid, u) {
        if (json_is_true(json_object_get(u, "is_service")))
            continue;
        if (except && strcmp(uid, except) == 0)
            continue;
        n += (size_t)iam_is_superuser(s, uid);
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* Queries of other modules                                           */
/* ------------------------------------------------------------------ */

/* See iam_authz.h. */
int sim_iam_user_exists(struct sim *s, const char *uid)
{
    return uid && json_object_get(iam_table(s, "users"), uid) ? 1 : 0;
}

/* See iam_authz.h. */
const char *sim_iam_public_key(struct sim *s, const char *uid)
{
    json_t *u = uid ? json_object_get(iam_table(s, "users"), uid) : NULL;

    if (!json_is_true(json_object_get(u, "is_service")))
        return NULL;
    return iam_str(u, "public_key");
}

/* See iam_authz.h. */
int sim_iam_allowed(struct sim *s, const char *uid, const char *rid,
                    const char *action)
{
    if (!uid || !rid || !action || !sim_iam_user_exists(s, uid))
        return 0;
    return iam_is_superuser(s, uid) || user_holds(s, uid, rid, action);
}
