/*
 * Typed calls of the IAM API (dcos-api.md 3 and 4): users, groups, ACLs
 * and permissions.  See client.h.
 */
#include "client.h"

#include "dcos/call.h"

int dcos_iam_user_get(struct dcos_client *c, const char *uid,
                      dcos_done_fn done, void *payload)
{
    if (!dcos_path_valid_name(uid))
        return ERR_INVALID;
    return CALL(c, DCOS_CALL_IAM, "GET", MT_JSON, done, payload, NULL,
                { 'l', "/acs/api/v1/users/" }, { 'u', uid });
}

int dcos_iam_user_put(struct dcos_client *c, const char *uid,
                      const char *description, const char *public_key_pem,
                      dcos_done_fn done, void *payload)
{
    struct dcos_call *k;
    json_t *body;
    int r;

    if (!dcos_path_valid_name(uid) || !public_key_pem)
        return ERR_INVALID;
    r = CALL(c, DCOS_CALL_IAM, "PUT", MT_JSON, done, payload, &k,
             { 'l', "/acs/api/v1/users/" }, { 'u', uid });
    if (r)
        return r;
    body = json_pack("{s:s}", "public_key", public_key_pem);
    if (body && description &&
        json_object_set_new(body, "description", json_string(description))) {
        json_decref(body);
        body = NULL;
    }
    return dcos_call_go_json(k, MT_JSON, body);
}

int dcos_iam_user_delete(struct dcos_client *c, const char *uid,
                         dcos_done_fn done, void *payload)
{
    if (!dcos_path_valid_name(uid))
        return ERR_INVALID;
    return CALL(c, DCOS_CALL_IAM, "DELETE", NULL, done, payload, NULL,
                { 'l', "/acs/api/v1/users/" }, { 'u', uid });
}

int dcos_iam_user_groups_get(struct dcos_client *c, const char *uid,
                             dcos_done_fn done, void *payload)
{
    if (!dcos_path_valid_name(uid))
        return ERR_INVALID;
    return CALL(c, DCOS_CALL_IAM, "GET", MT_JSON, done, payload, NULL,
                { 'l', "/acs/api/v1/users/" }, { 'u', uid },
                { 'l', "/groups" });
}

/* Sends @k, a read of a group: IAM answers an unknown group with 400
 * ERR_UNKNOWN_GROUP_ID (dcos-api.md 4.1, 4.2), so a 404 comes from
 * something else. */
static int group_read_go(struct dcos_call *k)
{
    k->hint_404 = "not an IAM answer (IAM reports an unknown group as 400 "
                  "ERR_UNKNOWN_GROUP_ID); check the cluster URL and Admin "
                  "Router";
    return dcos_call_go(k);
}

int dcos_iam_group_get(struct dcos_client *c, const char *gid,
                       dcos_done_fn done, void *payload)
{
    struct dcos_call *k;
    int r;

    if (!dcos_path_valid_name(gid))
        return ERR_INVALID;
    r = CALL(c, DCOS_CALL_IAM, "GET", MT_JSON, done, payload, &k,
             { 'l', "/acs/api/v1/groups/" }, { 'u', gid });
    return r ? r : group_read_go(k);
}

int dcos_iam_group_users_get(struct dcos_client *c, const char *gid,
                             bool service_only, dcos_done_fn done,
                             void *payload)
{
    struct dcos_call *k;
    int r;

    if (!dcos_path_valid_name(gid))
        return ERR_INVALID;
    r = CALL(c, DCOS_CALL_IAM, "GET", MT_JSON, done, payload, &k,
             { 'l', "/acs/api/v1/groups/" }, { 'u', gid },
             { 'l', service_only ? "/users?type=service" : "/users" });
    return r ? r : group_read_go(k);
}

int dcos_iam_group_user_put(struct dcos_client *c, const char *gid,
                            const char *uid, dcos_done_fn done,
                            void *payload)
{
    if (!dcos_path_valid_name(gid) || !dcos_path_valid_name(uid))
        return ERR_INVALID;
    return CALL(c, DCOS_CALL_IAM, "PUT", NULL, done, payload, NULL,
                { 'l', "/acs/api/v1/groups/" }, { 'u', gid },
                { 'l', "/users/" }, { 'u', uid });
}

int dcos_iam_group_user_delete(struct dcos_client *c, const char *gid,
                               const char *uid, dcos_done_fn done,
                               void *payload)
{
    if (!dcos_path_valid_name(gid) || !dcos_path_valid_name(uid))
        return ERR_INVALID;
    return CALL(c, DCOS_CALL_IAM, "DELETE", NULL, done, payload, NULL,
                { 'l', "/acs/api/v1/groups/" }, { 'u', gid },
                { 'l', "/users/" }, { 'u', uid });
}

int dcos_iam_acl_put(struct dcos_client *c, const char *rid,
                     const char *description, dcos_done_fn done,
                     void *payload)
{
    struct dcos_call *k;
    int r;

    if (!dcos_path_valid_name(rid))
        return ERR_INVALID;
    r = CALL(c, DCOS_CALL_IAM, "PUT", MT_JSON, done, payload, &k,
             { 'l', "/acs/api/v1/acls/" }, { 'r', rid });
    if (r)
        return r;
    dcos_call_ok_also(k, 409);
    return dcos_call_go_json(
        k, MT_JSON,
        json_pack("{s:s}", "description",
                  description ? description : "Created by etls"));
}

int dcos_iam_acl_user_grant(struct dcos_client *c, const char *rid,
                            const char *uid, const char *action,
                            dcos_done_fn done, void *payload)
{
    struct dcos_call *k;
    int r;

    if (!dcos_path_valid_name(rid) || !dcos_path_valid_name(uid) ||
        !dcos_path_valid_name(action))
        return ERR_INVALID;
    r = CALL(c, DCOS_CALL_IAM, "PUT", NULL, done, payload, &k,
             { 'l', "/acs/api/v1/acls/" }, { 'r', rid }, { 'l', "/users/" },
             { 'u', uid }, { 'l', "/" }, { 'u', action });
    if (r)
        return r;
    dcos_call_ok_also(k, 409);
    return dcos_call_go(k);
}

int dcos_iam_acl_user_allowed(struct dcos_client *c, const char *rid,
                              const char *uid, const char *action,
                              dcos_done_fn done, void *payload)
{
    if (!dcos_path_valid_name(rid) || !dcos_path_valid_name(uid) ||
        !dcos_path_valid_name(action))
        return ERR_INVALID;
    return CALL(c, DCOS_CALL_IAM, "GET", MT_JSON, done, payload, NULL,
                { 'l', "/acs/api/v1/acls/" }, { 'r', rid }, { 'l', "/users/" },
                { 'u', uid }, { 'l', "/" }, { 'u', action });
}

int dcos_iam_user_permissions_get(struct dcos_client *c, const char *uid,
                                  dcos_done_fn done, void *payload)
{
    if (!dcos_path_valid_name(uid))
        return ERR_INVALID;
    return CALL(c, DCOS_CALL_IAM, "GET", MT_JSON, done, payload, NULL,
                { 'l', "/acs/api/v1/users/" }, { 'u', uid },
                { 'l', "/permissions" });
}
