/*
 * dcos-sim IAM users and service accounts (/acs/api/v1/users): create,
 * update, delete, and their groups and permissions.  See iam_users.h.
 */
#include "sim/iam_users.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sim/http.h"
#include "sim/iam_authz.h"
#include "sim/iam_http.h"
#include "sim/iam_login.h"
#include "sim/state.h"

#define IAM_PW_MIN 5           /* bouncer crypt.validate_password */

static int user_elem(json_t *arr, const char *uid, json_t *u,
                     const struct iam_list_ctx *c)
{
    if (json_is_true(json_object_get(u, "is_service")) != c->svc)
        return 0;
    return json_array_append_new(arr, iam_user_json(uid, u));
}

/* GET /users[?type=service] */
static void users_list(struct sim *s, const struct sim_req *req,
                       struct sim_resp *resp)
{
    struct iam_list_ctx c = { s, NULL, iam_want_services(req), NULL };

    iam_list(resp, iam_table(s, "users"), user_elem, &c);
}

/* PUT /users/{uid} (bouncer users.py UserItem.on_put). */
static void user_put(struct sim *s, const struct sim_req *req,
                     struct sim_resp *resp, const char *uid)
{
    static const struct iam_prop props[] = {
        {"description", IAM_PROP_STRING, false},
        {"public_key", IAM_PROP_STRING, false},
        {"password", IAM_PROP_STRING, false},
        {"provider_type", IAM_PROP_STRING, false},
        {"provider_id", IAM_PROP_STRING, false},
        {"cluster_url", IAM_PROP_STRING, false},
        {"creator_uid", IAM_PROP_STRING, false},
    };
    json_t *body, *users, *u = NULL;
    const char *pw, *key, *desc, *ptype, *pid, *why = NULL;

    body = iam_body(req, resp);
    if (!body)
        return;
    if (iam_check_props(body, props, 7, false, resp))
        goto out;
    pw = iam_str(body, "password");
    key = iam_str(body, "public_key");
    desc = iam_str(body, "description");
    ptype = iam_str(body, "provider_type");
    pid = iam_str(body, "provider_id");
    if (pw && pw[0] == '\0') {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "`password` must not be empty when provided");
        goto out;
    }
    if (key && key[0] == '\0') {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "`public_key` must not be empty when provided");
        goto out;
    }
    if (ptype && strcmp(ptype, "internal") != 0) {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "Invalid provider_type: %s (dcos-sim models internal "
                "accounts only)", ptype);
        goto out;
    }
    if ((pw != NULL) == (key != NULL)) {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "One of `password` or `public_key` must be provided");
        goto out;
    }
    if (pw && strlen(pw) < IAM_PW_MIN) {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "Password does not match rules: Must be at least %d "
                "characters long.", IAM_PW_MIN);
        goto out;
    }
    if (key && iam_pubkey_check(key, &why)) {
        iam_err(resp, 400, "ERR_INVALID_PUBLIC_KEY", "Invalid public key: %s",
                why);
        goto out;
    }
    if (pid && pid[0] != '\0') {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "Invalid provider_id: provider_id must not be provided "
                "unless provider_type is saml or oidc");
        goto out;
    }
    if (!iam_id_valid(uid)) {
        iam_err(resp, 400, "ERR_INVALID_USER_ID", "Invalid user ID: %s", uid);
        goto out;
    }
    users = iam_vacant(s, resp, "users", uid, "ERR_USER_EXISTS",
                       "User with id");
    if (!users)
        goto out;
    u = json_pack("{s:s, s:b, s:s, s:s}", "description", desc ? desc : "",
                  "is_service", key != NULL, "provider_type", "internal",
                  "provider_id", "");
    if (u && (key ? json_object_set_new(u, "public_key", json_string(key))
                  : json_object_set_new(u, "password",
                                        iam_password_record(pw)))) {
        json_decref(u);
        u = NULL;
    }
    iam_created(s, resp, "users", users, uid, u);
out:
    iam_json_wipe(json_object_get(body, "password"));
    json_decref(body);
}

/* PATCH /users/{uid}: description, and password for regular users. */
static void user_patch(struct sim *s, const struct sim_req *req,
                       struct sim_resp *resp, const char *uid)
{
    static const struct iam_prop props[] = {
        {"description", IAM_PROP_STRING, false},
        {"password", IAM_PROP_STRING, false},
    };
    json_t *body, *u, *rec = NULL;
    const char *pw, *desc;

    body = iam_body(req, resp);
    if (!body)
        return;
    if (iam_check_props(body, props, 2, false, resp))
        goto out;
    pw = iam_str(body, "password");
    desc = iam_str(body, "description");
    if (!pw && !desc) {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "One of `description` and `password` must be provided.");
        goto out;
    }
    u = json_object_get(iam_table(s, "users"), uid);
    if (!u) {
        iam_unknown_user(resp, uid);
        goto out;
    }
    if (pw) {
        if (json_is_true(json_object_get(u, "is_service"))) {
            iam_err(resp, 400, "ERR_INVALID_DATA",
                    "Password update is not available for service user "
                    "accounts.");
            goto out;
        }
        if (strlen(pw) < IAM_PW_MIN) {
            iam_err(resp, 400, "ERR_INVALID_DATA",
                    "Password does not match rules: Must be at least %d "
                    "characters long.", IAM_PW_MIN);
            goto out;
        }
        rec = iam_password_record(pw);
        if (!rec || json_object_set_new(u, "password", rec)) {
            iam_nomem(resp);
            goto out;
        }
    }
    if (desc && json_object_set_new(u, "description", json_string(desc))) {
        iam_nomem(resp);
        goto out;
    }
    sim_state_touch(s, "iam", "users", uid);
    sim_resp_empty(resp, 204);
out:
    iam_json_wipe(json_object_get(body, "password"));
    json_decref(body);
}

/* DELETE /users/{uid} */
static void user_delete(struct sim *s, struct sim_resp *resp,
                        const char *uid)
{
    json_t *users = iam_table(s, "users");
    json_t *u = json_object_get(users, uid);

    if (!u) {
        iam_unknown_user(resp, uid);
        return;
    }
    if (!json_is_true(json_object_get(u, "is_service")) &&
        iam_is_superuser(s, uid) && iam_regular_superusers(s, uid) == 0) {
        iam_err(resp, 400, "ERR_NO_MORE_SUPERUSERS",
                "Last member from `superusers` group cannot be removed");
        return;
    }
    iam_forget_subject(s, "users", uid);
    json_object_del(users, uid);
    sim_state_touch(s, "iam", "users", uid);
    sim_resp_empty(resp, 204);
}

static int group_of_elem(json_t *arr, const char *gid, json_t *g,
                         const struct iam_list_ctx *c)
{
    if (!json_object_get(json_object_get(g, "members"), c->id))
        return 0;
    return json_array_append_new(arr, json_pack("{s:o*, s:o*}",
                                                "membershipurl",
                                                iam_membership_url(gid, c->id),
                                                "group",
                                                iam_group_json(gid, g)));
}

/* GET /users/{uid}/groups */
static void user_groups(struct sim *s, struct sim_resp *resp,
                        const char *uid)
{
    struct iam_list_ctx c = { s, uid, 0, NULL };

    if (!json_object_get(iam_table(s, "users"), uid)) {
        iam_unknown_user(resp, uid);
        return;
    }
    iam_list(resp, iam_table(s, "groups"), group_of_elem, &c);
}

/* GET /users/{uid}/permissions */
static void user_permissions(struct sim *s, struct sim_resp *resp,
                             const char *uid)
{
    json_t *acls = iam_table(s, "acls"), *direct, *via;
    const char **rids = NULL, **gids = NULL;
    size_t i, j, nr, ng;
    int bad = 0;

    if (!json_object_get(iam_table(s, "users"), uid)) {
        iam_unknown_user(resp, uid);
        return;
    }
    direct = json_array();
    via = json_array();
    rids = iam_sorted_keys(acls, &nr);
    if (!direct || !via || !rids)
        bad = 1;
    for (i = 0; !bad && i < nr; i++) {
        json_t *acl = json_object_get(acls, rids[i]);
        json_t *acts = json_object_get(json_object_get(acl, "users"), uid);
        json_t *gr = json_object_get(acl, "groups");
        const char *d = iam_str(acl, "description");

        if (json_object_size(acts) > 0 &&
            json_array_append_new(direct,
                                  json_pack("{s:s, s:s, s:o*, s:o*}", "rid",
                                            rids[i], "description",
                                            d ? d : "", "aclurl",
                                            iam_acl_url(rids[i]), "actions",
                                            iam_actions_json(rids[i], "users",
                                                             uid, acts))))
            bad = 1;
        gids = iam_sorted_keys(gr, &ng);
        if (!gids)
            bad = 1;
        for (j = 0; !bad && j < ng; j++) {
            json_t *ga = json_object_get(gr, gids[j]);

            if (!iam_is_member(s, gids[j], uid) || json_object_size(ga) == 0)
                continue;
            if (json_array_append_new(
                    via, json_pack("{s:s, s:s, s:s, s:o*, s:o*, s:o*}", "rid",
                                   rids[i], "gid", gids[j], "description",
                                   d ? d : "", "aclurl", iam_acl_url(rids[i]),
                                   "membershipurl",
                                   iam_membership_url(gids[j], uid), "actions",
                                   iam_actions_json(rids[i], "groups", gids[j],
                                                    ga))))
                bad = 1;
        }
        free(gids);
        gids = NULL;
    }
    free(rids);
    if (bad) {
        json_decref(direct);
        json_decref(via);
        iam_nomem(resp);
        return;
    }
    iam_ok(resp, json_pack("{s:o, s:o}", "direct", direct, "groups", via));
}

/* See iam_users.h. */
void iam_users_route(struct sim *s, const struct sim_req *req,
                     struct sim_resp *resp, char **seg, size_t n)
{
    if (n == 0) {
        if (iam_only_get(req, resp))
            users_list(s, req, resp);
    } else if (n == 1) {
        if (iam_is_method(req, "GET")) {
            json_t *u = json_object_get(iam_table(s, "users"), seg[0]);

            if (u)
                iam_ok(resp, iam_user_json(seg[0], u));
            else
                iam_unknown_user(resp, seg[0]);
        } else if (iam_is_method(req, "PUT")) {
            user_put(s, req, resp, seg[0]);
        } else if (iam_is_method(req, "PATCH")) {
            user_patch(s, req, resp, seg[0]);
        } else if (iam_is_method(req, "DELETE")) {
            user_delete(s, resp, seg[0]);
        } else {
            iam_method_not_allowed(resp, "GET, PUT, PATCH, DELETE");
        }
    } else if (n == 2 && strcmp(seg[1], "groups") == 0) {
        if (iam_only_get(req, resp))
            user_groups(s, resp, seg[0]);
    } else if (n == 2 && strcmp(seg[1], "permissions") == 0) {
        if (iam_only_get(req, resp))
            user_permissions(s, resp, seg[0]);
    } else {
        iam_not_found(resp);
    }
}
