/*
 * dcos-sim IAM ACLs (/acs/api/v1/acls): resources, their grants to users
 * and groups, and the permission queries.  See iam_acls.h.
 */
#include "sim/iam_acls.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/util.h"
#include "sim/http.h"
#include "sim/iam_authz.h"
#include "sim/iam_http.h"
#include "sim/state.h"

/* PUT /acls/{rid} */
static void acl_put(struct sim *s, const struct sim_req *req,
                    struct sim_resp *resp, const char *rid)
{
    static const struct iam_prop props[] = {
        {"description", IAM_PROP_STRING, true},
    };
    json_t *body, *acls;

    body = iam_body(req, resp);
    if (!body)
        return;
    if (iam_check_props(body, props, 1, false, resp))
        goto out;
    if (!iam_rid_valid(rid)) {
        iam_err(resp, 400, "ERR_INVALID_RESOURCE_ID",
                "Invalid resource ID: %s", rid);
        goto out;
    }
    acls = iam_vacant(s, resp, "acls", rid, "ERR_ACL_EXISTS",
                      "ACL for resource");
    if (acls)
        iam_created(s, resp, "acls", acls, rid,
                    json_pack("{s:s, s:{}, s:{}}", "description",
                              iam_str(body, "description"), "users",
                              "groups"));
out:
    json_decref(body);
}

/* DELETE /acls/{rid} */
static void acl_delete(struct sim *s, struct sim_resp *resp, const char *rid)
{
    json_t *acls = iam_table(s, "acls");

    if (!json_object_get(acls, rid)) {
        iam_unknown_rid(resp, rid);
        return;
    }
    if (strcmp(rid, IAM_SUPERUSER_RID) == 0) {
        iam_err(resp, 400, "ERR_IS_SUPERUSER_ACL",
                "The `dcos:superuser` ACL cannot be deleted.");
        return;
    }
    json_object_del(acls, rid);
    sim_state_touch(s, "iam", "acls", rid);
    sim_resp_empty(resp, 204);
}

/* GET /acls/{rid}/permissions */
static void acl_permissions(struct sim_resp *resp, const char *rid,
                            json_t *acl)
{
    static const char *const kinds[] = {"users", "groups"};
    static const char *const idkey[] = {"uid", "gid"};
    static const char *const urlkey[] = {"userurl", "groupurl"};
    json_t *out = json_object();
    size_t kk, i, n;
    int bad = !out;

    for (kk = 0; !bad && kk < 2; kk++) {
        json_t *subj = json_object_get(acl, kinds[kk]);
        json_t *arr = json_array();
        const char **k = iam_sorted_keys(subj, &n);

        if (!arr || !k || json_object_set_new(out, kinds[kk], arr))
            bad = 1;
        for (i = 0; !bad && i < n; i++) {
            json_t *acts = json_object_get(subj, k[i]);

            if (json_object_size(acts) == 0)
                continue;
            if (json_array_append_new(
                    arr, json_pack("{s:s, s:o*, s:o*}", idkey[kk], k[i],
                                   urlkey[kk],
                                   iam_url_json(IAM_BASE "/%s/%s", kinds[kk],
                                                k[i]),
                                   "actions",
                                   iam_actions_json(rid, kinds[kk], k[i],
                                                    acts))))
                bad = 1;
        }
        free(k);
    }
    if (bad) {
        json_decref(out);
        iam_nomem(resp);
        return;
    }
    iam_ok(resp, out);
}

/*
 * /acls/{rid}/{users|groups}/{id}[/{action}]: @kind is "users" or
 * "groups", @action NULL for the two-segment form.
 */
static void acl_subject(struct sim *s, const struct sim_req *req,
                        struct sim_resp *resp, const char *rid, json_t *acl,
                        const char *kind, const char *id, const char *action)
{
    int user = strcmp(kind, "users") == 0;
    json_t *subjects, *acts;
    size_t before = 0;

    if (!json_object_get(iam_table(s, kind), id)) {
        if (user)
            iam_unknown_user(resp, id);
        else
            iam_unknown_group(resp, id);
        return;
    }
    if (action && !iam_action_valid(action)) {
        iam_err(resp, 400, "ERR_INVALID_ACTION",
                "Invalid action `%s`: expected one of create, read, update, "
                "delete, full.", action);
        return;
    }
    subjects = iam_obj_child(acl, kind);
    if (!subjects) {
        iam_nomem(resp);
        return;
    }
    acts = json_object_get(subjects, id);
    if (!action) {
        if (iam_is_method(req, "GET")) {
            iam_ok(resp, json_pack("{s:o*}", "array",
                                   iam_actions_json(rid, kind, id, acts)));
            return;
        }
        if (!iam_is_method(req, "DELETE")) {
            iam_method_not_allowed(resp, "GET, DELETE");
            return;
        }
    } else if (iam_is_method(req, "GET")) {
        int ok = user ? sim_iam_allowed(s, id, rid, action)
                      : iam_group_allowed(s, id, rid, action);

        iam_ok(resp, json_pack("{s:b}", "allowed", ok));
        return;
    } else if (iam_is_method(req, "PUT")) {
        if (json_object_get(acts, action)) {
            iam_err(resp, 409, "ERR_PERMISSION_EXISTS",
                    "%s `%s` already holds action `%s` on resource `%s`.",
                    user ? "User" : "Group", id, action, rid);
            return;
        }
        if (!acts) {
            acts = json_object();
            if (!acts || json_object_set_new(subjects, id, acts)) {
                iam_nomem(resp);
                return;
            }
        }
        if (json_object_set_new(acts, action, json_true())) {
            iam_nomem(resp);
            return;
        }
        sim_state_touch(s, "iam", "acls", rid);
        sim_resp_empty(resp, 204);
        return;
    } else if (!iam_is_method(req, "DELETE")) {
        iam_method_not_allowed(resp, "GET, PUT, DELETE");
        return;
    }

    /* DELETE of one action or of all actions of the subject. */
    if (json_object_size(acts) == 0) {
        iam_err(resp, 400, user ? "ERR_USER_NOT_IN_ACL"
                : "ERR_GROUP_NOT_IN_ACL",
                "%s `%s` is not part of ACL for resource `%s`",
                user ? "User" : "Group", id, rid);
        return;
    }
    if (action && !json_object_get(acts, action)) {
        iam_err(resp, 400, "ERR_ACTION_NOT_YET_STORED",
                "Action `%s` unknown for %s `%s` in ACL for resource `%s`",
                action, user ? "user" : "group", id, rid);
        return;
    }
    if (!user && strcmp(id, IAM_SUPERUSER_GID) == 0 &&
        strcmp(rid, IAM_SUPERUSER_RID) == 0 &&
        (!action || strcmp(action, "full") == 0)) {
        iam_err(resp, 400, "ERR_IS_SUPERUSER_GROUP",
                "The `superusers` group must have `full` permission on the "
                "`dcos:superuser` resource.");
        return;
    }
    json_incref(acts);
    before = iam_regular_superusers(s, NULL);
    if (action) {
        json_object_del(acts, action);
        if (json_object_size(acts) == 0)
            json_object_del(subjects, id);
    } else {
        json_object_del(subjects, id);
    }
    if (before > 0 && iam_regular_superusers(s, NULL) == 0) {
        /* Never revoke the last regular superuser: restore. */
        if (action)
            json_object_set_new(acts, action, json_true());
        json_object_set(subjects, id, acts);
        json_decref(acts);
        iam_err(resp, 400, "ERR_NO_MORE_SUPERUSERS",
                "The last superuser cannot lose the `dcos:superuser` "
                "permission");
        return;
    }
    json_decref(acts);
    sim_state_touch(s, "iam", "acls", rid);
    sim_resp_empty(resp, 204);
}

/* See iam_acls.h. */
void iam_acls_route(struct sim *s, const struct sim_req *req,
                    struct sim_resp *resp, char **seg, size_t n)
{
    json_t *acl;
    char *rid;

    if (n == 0) {
        if (iam_only_get(req, resp))
            iam_table_list(s, resp, "acls", iam_acl_json);
        return;
    }
    /* The rid arrives double-encoded ("%252F" for '/'): the core decoded
     * the segment once, decode it once more. */
    rid = util_percent_decode(seg[0]);
    if (!rid) {
        iam_err(resp, 400, "ERR_INVALID_RESOURCE_ID",
                "Invalid resource ID: %s", seg[0]);
        return;
    }
    acl = json_object_get(iam_table(s, "acls"), rid);
    if (n == 1 && iam_is_method(req, "PUT")) {
        acl_put(s, req, resp, rid);
    } else if (n == 1 && !iam_is_method(req, "GET") &&
               !iam_is_method(req, "PATCH") &&
               !iam_is_method(req, "DELETE")) {
        iam_method_not_allowed(resp, "GET, PUT, PATCH, DELETE");
    } else if (n > 4 || (n == 2 && strcmp(seg[1], "permissions") != 0) ||
               (n >= 3 && strcmp(seg[1], "users") != 0 &&
                strcmp(seg[1], "groups") != 0)) {
        iam_not_found(resp);
    } else if (!acl) {
        iam_unknown_rid(resp, rid);
    } else if (n == 1 && iam_is_method(req, "GET")) {
        iam_ok(resp, iam_acl_json(rid, acl));
    } else if (n == 1 && iam_is_method(req, "PATCH")) {
        iam_describe_patch(s, req, resp, "acls", rid, acl);
    } else if (n == 1) {
        acl_delete(s, resp, rid);
    } else if (n == 2) {
        if (iam_only_get(req, resp))
            acl_permissions(resp, rid, acl);
    } else {
        acl_subject(s, req, resp, rid, acl, seg[1], seg[2],
                    n == 4 ? seg[3] : NULL);
    }
    free(rid);
}
