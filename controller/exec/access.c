/*
 * Executors of account access (docs/plan.md, "group_add",
 * "permission_grant"): membership of a group, and an explicit permission
 * (the ACL is created first when it does not exist).
 */
#include "controller/exec/access.h"

#include <stdio.h>

#include "dcos/client.h"

static void on_member(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;

    /* 409: already a member. */
    if (r->err.code && r->err.code != ERR_CONFLICT) {
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

static void on_grant(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;

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
