/*
 * dcos-sim IAM groups (/acs/api/v1/groups): create, describe, delete,
 * memberships and permissions.  See iam_groups.h.
 */
#include "sim/iam_groups.h"

#include <stdbool.h>
#include <string.h>

#include <jansson.h>

#include "sim/http.h"
#include "sim/iam_authz.h"
#include "sim/iam_http.h"
#include "sim/state.h"

/* PUT /groups/{gid} */
static void group_put(struct sim *s, const struct sim_req *req,
                      struct sim_resp *resp, const char *gid)
{
    static const struct iam_prop props[] = {
        {"description", IAM_PROP_STRING, true},
        {"provider_type", IAM_PROP_STRING, false},
    };
    json_t *body, *groups;
    const char *pt;

    body = iam_body(req, resp);
    if (!body)
        return;
    if (iam_check_props(body, props, 2, false, resp))
        goto out;
    pt = iam_str(body, "provider_type");
    if (pt && strcmp(pt, "internal") != 0) {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "Invalid provider_type: %s (dcos-sim models internal "
                "groups only)", pt);
        goto out;
    }
    if (!iam_id_valid(gid)) {
        iam_err(resp, 400, "ERR_INVALID_GROUP_ID", "Invalid group ID: %s",
                gid);
        goto out;
    }
    groups = iam_vacant(s, resp, "groups", gid, "ERR_GROUP_EXISTS",
                        "Group with id");
    if (groups)
        iam_created(s, resp, "groups", groups, gid,
                    json_pack("{s:s, s:s, s:{}}", "description",
                              iam_str(body, "description"),
                              "provider_type", "internal", "members"));
out:
    json_decref(body);
}

/* DELETE /groups/{gid} */
static void group_delete(struct sim *s, struct sim_resp *resp,
                         const char *gid)
{
    json_t *groups = iam_table(s, "groups");

    if (!json_object_get(groups, gid)) {
        iam_unknown_group(resp, gid);
        return;
    }
    if (strcmp(gid, IAM_SUPERUSER_GID) == 0) {
        iam_err(resp, 400, "ERR_IS_SUPERUSER_GROUP",
                "The `superusers` group must have `full` permission on the "
                "`dcos:superuser` resource.");
        return;
    }
    iam_forget_subject(s, "groups", gid);
    json_object_del(groups, gid);
    sim_state_touch(s, "iam", "groups", gid);
    sim_resp_empty(resp, 204);
}

static int member_elem(json_t *arr, const char *uid, json_t *v,
                       const struct iam_list_ctx *c)
{
    json_t *u = json_object_get(iam_table(c->s, "users"), uid);

    (void)v;
    if (!u || json_is_true(json_object_get(u, "is_service")) != c->svc)
        return 0;
    return json_array_append_new(arr, json_pack("{s:o*, s:o*}",
                                                "membershipurl",
                                                iam_membership_url(c->id, uid),
                                                "user", iam_user_json(uid, u)));
}

/* GET /groups/{gid}/users[?type=service] */
static void group_users(struct sim *s, const struct sim_req *req,
                        struct sim_resp *resp, const char *gid)
{
    json_t *g = json_object_get(iam_table(s, "groups"), gid);
    struct iam_list_ctx c = { s, gid, iam_want_services(req), NULL };

    if (!g) {
        iam_unknown_group(resp, gid);
        return;
    }
    iam_list(resp, json_object_get(g, "members"), member_elem, &c);
}

/* PUT and DELETE /groups/{gid}/users/{uid} */
static void group_member(struct sim *s, const struct sim_req *req,
                         struct sim_resp *resp, const char *gid,
                         const char *uid)
{
    json_t *g = json_object_get(iam_table(s, "groups"), gid);
    json_t *u = json_object_get(iam_table(s, "users"), uid);
    json_t *members;
    size_t before;

    if (!iam_is_method(req, "PUT") && !iam_is_method(req, "DELETE")) {
        iam_method_not_allowed(resp, "PUT, DELETE");
        return;
    }
    if (!g) {
        iam_unknown_group(resp, gid);
        return;
    }
    if (!u) {
        iam_unknown_user(resp, uid);
        return;
    }
    members = iam_obj_child(g, "members");
    if (!members) {
        iam_nomem(resp);
        return;
    }
    if (iam_is_method(req, "PUT")) {
        if (json_object_get(members, uid)) {
            iam_err(resp, 409, "ERR_USER_ALREADY_IN_GROUP",
                    "User `%s` is already member of group `%s`.", uid, gid);
            return;
        }
        if (json_object_set_new(members, uid, json_true())) {
            iam_nomem(resp);
            return;
        }
    } else {
        if (!json_object_get(members, uid)) {
            iam_err(resp, 400, "ERR_USER_NOT_IN_GROUP",
                    "User `%s` is not member of group `%s`.", uid, gid);
            return;
        }
        /* Never remove the last regular superuser. */
        before = iam_regular_superusers(s, NULL);
        json_object_del(members, uid);
        if (before > 0 && iam_regular_superusers(s, NULL) == 0) {
            if (json_object_set_new(members, uid, json_true())) {
                iam_nomem(resp);
                return;
            }
            iam_err(resp, 400, "ERR_NO_MORE_SUPERUSERS",
                    "Last member from `superusers` group cannot be removed");
            return;
        }
    }
    sim_state_touch(s, "iam", "groups", gid);
    sim_resp_empty(resp, 204);
}

static int group_grant_elem(json_t *arr, const char *rid, json_t *acl,
                            const struct iam_list_ctx *c)
{
    json_t *acts = json_object_get(json_object_get(acl, "groups"), c->id);
    const char *d = iam_str(acl, "description");

    if (json_object_size(acts) == 0)
        return 0;
    return json_array_append_new(
        arr, json_pack("{s:s, s:s, s:o*, s:o*}", "rid", rid, "description",
                       d ? d : "", "aclurl", iam_acl_url(rid), "actions",
                       iam_actions_json(rid, "groups", c->id, acts)));
}

/* GET /groups/{gid}/permissions */
static void group_permissions(struct sim *s, struct sim_resp *resp,
                              const char *gid)
{
    struct iam_list_ctx c = { s, gid, 0, NULL };

    if (!json_object_get(iam_table(s, "groups"), gid)) {
        iam_unknown_group(resp, gid);
        return;
    }
    iam_list(resp, iam_table(s, "acls"), group_grant_elem, &c);
}

/* See iam_groups.h. */
void iam_groups_route(struct sim *s, const struct sim_req *req,
                      struct sim_resp *resp, char **seg, size_t n)
{
    if (n == 0) {
        if (iam_only_get(req, resp))
            iam_table_list(s, resp, "groups", iam_group_json);
    } else if (n == 1) {
        json_t *g = json_object_get(iam_table(s, "groups"), seg[0]);

        if (iam_is_method(req, "GET")) {
            if (g)
                iam_ok(resp, iam_group_json(seg[0], g));
            else
                iam_unknown_group(resp, seg[0]);
        } else if (iam_is_method(req, "PUT")) {
            group_put(s, req, resp, seg[0]);
        } else if (iam_is_method(req, "PATCH")) {
            if (g)
                iam_describe_patch(s, req, resp, "groups", seg[0], g);
            else
                iam_unknown_group(resp, seg[0]);
        } else if (iam_is_method(req, "DELETE")) {
            group_delete(s, resp, seg[0]);
        } else {
            iam_method_not_allowed(resp, "GET, PUT, PATCH, DELETE");
        }
    } else if (n == 2 && strcmp(seg[1], "users") == 0) {
        if (iam_only_get(req, resp))
            group_users(s, req, resp, seg[0]);
    } else if (n == 2 && strcmp(seg[1], "permissions") == 0) {
        if (iam_only_get(req, resp))
            group_permissions(s, resp, seg[0]);
    } else if (n == 3 && strcmp(seg[1], "users") == 0) {
        group_member(s, req, resp, seg[0], seg[2]);
    } else {
        iam_not_found(resp);
    }
}
