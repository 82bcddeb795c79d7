/*
 * dcos-sim IAM module (/acs/api/v1): regular users and service accounts,
 * groups and memberships, ACLs and grants, and login with a password or a
 * service-login JWT.  Status codes, error codes and bodies follow
 * dcos-api.md sections 3 to 5 and the open-source IAM (dcos/bouncer); see
 * docs/sim.md for what is modelled and what is not.
 *
 * State (sim_state_section(s, "iam")):
 *   users:  uid -> {description, is_service, provider_type, provider_id,
 *                   public_key (service accounts) |
 *                   password {alg, iter, salt, hash} (regular users)}
 *   groups: gid -> {description, provider_type, members {uid: true}}
 *   acls:   rid -> {description, users {uid: {action: true}},
 *                   groups {gid: {action: true}}}
 */
#include "sim/iam.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <jansson.h>

#include "sim/core.h"
#include "sim/http.h"
#include "sim/iam_acls.h"
#include "sim/iam_authz.h"
#include "sim/iam_groups.h"
#include "sim/iam_http.h"
#include "sim/iam_login.h"
#include "sim/iam_users.h"
#include "sim/server.h"
#include "sim/state.h"

#define IAM_ACS_RID "dcos:adminrouter:acs"

/* Token-protected routes below /acs/api/v1/. */
static void iam_handle(struct sim *s, const struct sim_req *req,
                       struct sim_resp *resp)
{
    char *seg[IAM_MAX_SEGS];
    size_t n;

    /* Admin Router authorizes the IAM API: superuser or
     * dcos:adminrouter:acs full. */
    if (!req->uid || !(sim_iam_allowed(s, req->uid, IAM_ACS_RID, "full"))) {
        sim_resp_403(resp);
        return;
    }
    if (!sim_accept_ok(req->accept, "application/json")) {
        iam_err(resp, 406, NULL,
                "The user agent must support application/json responses.");
        return;
    }
    n = sim_path_segments(req, IAM_BASE "/", seg, IAM_MAX_SEGS);
    if (n == 0 || n == IAM_MAX_SEGS)
        iam_not_found(resp);
    else if (strcmp(seg[0], "users") == 0)
        iam_users_route(s, req, resp, seg + 1, n - 1);
    else if (strcmp(seg[0], "groups") == 0)
        iam_groups_route(s, req, resp, seg + 1, n - 1);
    else if (strcmp(seg[0], "acls") == 0)
        iam_acls_route(s, req, resp, seg + 1, n - 1);
    else
        iam_not_found(resp);
    sim_segments_free(seg, n);
}

/* Create what a new cluster has, leaving whatever exists alone. */
static int iam_start(struct sim *s)
{
    json_t *users = iam_table(s, "users");
    json_t *groups = iam_table(s, "groups");
    json_t *acls = iam_table(s, "acls");
    json_t *g, *acl, *gs, *acts, *members;
    int changed = 0;

    if (!users || !groups || !acls)
        return ERR_NOMEM;
    g = json_object_get(groups, IAM_SUPERUSER_GID);
    if (!g) {
        g = json_pack("{s:s, s:s, s:{}}", "description", "Superuser group",
                      "provider_type", "internal", "members");
        if (!g || json_object_set_new(groups, IAM_SUPERUSER_GID, g))
            return ERR_NOMEM;
        changed = 1;
    }
    acl = json_object_get(acls, IAM_SUPERUSER_RID);
    if (!acl) {
        acl = json_pack("{s:s, s:{}, s:{}}", "description", "Superuser ACL",
                        "users", "groups");
        if (!acl || json_object_set_new(acls, IAM_SUPERUSER_RID, acl))
            return ERR_NOMEM;
        changed = 1;
    }
    gs = iam_obj_child(acl, "groups");
    acts = gs ? iam_obj_child(gs, IAM_SUPERUSER_GID) : NULL;
    if (!acts)
        return ERR_NOMEM;
    if (!json_object_get(acts, "full")) {
        if (json_object_set_new(acts, "full", json_true()))
            return ERR_NOMEM;
        changed = 1;
    }
    if (!json_object_get(users, "bootstrapuser")) {
        json_t *u = json_pack("{s:s, s:b, s:s, s:s, s:o*}", "description",
                              "Bootstrap superuser", "is_service", 0,
                              "provider_type", "internal", "provider_id", "",
                              "password", iam_password_record("deleteme"));

        if (!u || json_object_set_new(users, "bootstrapuser", u))
            return ERR_NOMEM;
        members = iam_obj_child(g, "members");
        if (!members ||
            json_object_set_new(members, "bootstrapuser", json_true()))
            return ERR_NOMEM;
        changed = 1;
    }
    if (changed)
        sim_state_dirty(s);
    return 0;
}

static const struct sim_route iam_routes[] = {
    {"*", IAM_BASE "/auth/", false, SIM_AUTH_PUBLIC, iam_auth_handle},
    {"*", IAM_BASE "/", false, SIM_AUTH_TOKEN, iam_handle},
};

const struct sim_module sim_iam_module = {
    .name = "iam",
    .routes = iam_routes,
    .n_routes = sizeof(iam_routes) / sizeof(iam_routes[0]),
    .start = iam_start,
};
