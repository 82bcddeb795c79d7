/*
 * Executors of account access (docs/plan.md, "group_add",
 * "permission_grant"): membership of a group, and an explicit permission
 * (the ACL is created first when it does not exist).
 */
#include "controller/exec/access.h"

#include <stdio.h>
#include <string.h>

#include "dcos/client.h"
#include "dcos/parse.h"

/*
 * After a 409: is the account really a member now?  Read the account's
 * groups (as small as its memberships), not the group's members (as large
 * as the group).
 */
static void on_groups(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;
    const struct model_member_params *m = &exec_action(x)->params.member;
    char **gids = NULL;
    size_t i, n = 0;
    bool has = false;

    if (r->err.code) {
        exec_retry(x, &r->err, "reading the account's groups");
        return;
    }
    if (dcos_parse_user_groups(&gids, &n, r->json)) {
        exec_fail(x, "reading the account's groups: unexpected answer");
        return;
    }
    for (i = 0; i < n && !has; i++)
        has = strcmp(gids[i], m->gid) == 0;
    dcos_string_array_free(gids, n);
    if (!has) {
        exec_fail(x, "IAM answered 409 (already a member) but %s is not a "
                     "member of group %s", m->uid, m->gid);
        return;
    }
    exec_done(x);
}

static void on_member(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;
    const struct model_member_params *m = &exec_action(x)->params.member;

    /* 409 says "already a member": check it, do not trust it. */
    if (r->err.code == ERR_CONFLICT) {
        exec_check(x,
                   dcos_iam_user_groups_get(exec_client(x), m->uid,
                                            on_groups, x),
                   "GET account groups");
        return;
    }
    if (r->err.code) {
        exec_retry(x, &r->err, NULL);
        return;
    }
    exec_done(x);
}

static void group_add_start(struct exec_ctx *x)
{
    const struct model_member_params *m = &exec_action(x)->params.member;

    exec_check(x,
               dcos_iam_group_user_put(exec_client(x), m->gid, m->uid,
                                       on_member, x),
               "PUT group member");
}

/* After the grant: does IAM now allow it? (A 409 is not trusted.) */
static void on_allowed(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;
    const struct model_grant_params *g = &exec_action(x)->params.grant;
    bool allowed = false;

    if (r->err.code) {
        exec_retry(x, &r->err, "checking the grant");
        return;
    }
    if (dcos_parse_allowed(&allowed, r->json) || !allowed) {
        exec_fail(x, "IAM accepted the grant but does not allow %s %s on "
                     "%s", g->uid, g->action, g->rid);
        return;
    }
    exec_done(x);
}

static void on_grant(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;
    const struct model_grant_params *g = &exec_action(x)->params.grant;

    /* The client counts a 409 (already granted) as success: check it. */
    if (r->err.code == ERR_CONFLICT || (!r->err.code && r->status == 409)) {
        exec_check(x,
                   dcos_iam_acl_user_allowed(exec_client(x), g->rid, g->uid,
                                             g->action, on_allowed, x),
                   "GET permission");
        return;
    }
    if (r->err.code) {
        exec_retry(x, &r->err, NULL);
        return;
    }
    exec_done(x);
}

static void on_acl(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;
    const struct model_grant_params *g = &exec_action(x)->params.grant;

    /* The ACL exists now (201) or did already (409, success here). */
    if (r->err.code) {
        exec_retry(x, &r->err, "creating the ACL");
        return;
    }
    exec_check(x,
               dcos_iam_acl_user_grant(exec_client(x), g->rid, g->uid,
                                       g->action, on_grant, x),
               "PUT grant");
}

static void grant_start(struct exec_ctx *x)
{
    const struct model_grant_params *g = &exec_action(x)->params.grant;
    char desc[200];

    snprintf(desc, sizeof(desc), "Created by etls for service %.150s",
             exec_plan(x)->service);
    exec_check(x, dcos_iam_acl_put(exec_client(x), g->rid, desc, on_acl, x),
               "PUT ACL");
}

const struct executor_ops executor_group_add = {
    .version = EXECUTOR_OPS_VERSION,
    .op = MODEL_OP_GROUP_ADD,
    .start = group_add_start,
};

const struct executor_ops executor_permission_grant = {
    .version = EXECUTOR_OPS_VERSION,
    .op = MODEL_OP_PERMISSION_GRANT,
    .start = grant_start,
};
