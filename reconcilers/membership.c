/*
 * Account access: membership in the desired groups, or the desired
 * explicit permissions.  Memberships and grants do not survive the
 * deletion of an account (dcos-api.md section 3.4, assumed), so a created
 * or replaced account gets all of them again.  Decisions: docs/plan.md,
 * "membership".
 */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "rc.h"

/* Address names are bounded by uid (96) + gid/rid + action lengths. */
#define NAME_MAX_LEN 2048

/* One desired grant: a group membership or an explicit permission. */
struct grant {
    enum model_op op;      /* GROUP_ADD or PERMISSION_GRANT */
    const char *type;      /* resource type of the address */
    const char *gid;       /* group, for GROUP_ADD */
    const char *rid;       /* ACL and action, for PERMISSION_GRANT */
    const char *action;
    bool held;             /* observed as already in place */
};

/* The address name of @g: "<gid>/<uid>" or "<uid>/<rid>/<action>". */
static int grant_name(struct buf *name, const struct grant *g,
                      const char *uid, struct err_info *e)
{
    int r;

    buf_reset(name);
    if (g->op == MODEL_OP_GROUP_ADD)
        r = buf_printf(name, "%s/%s", g->gid, uid);
    else
        r = buf_printf(name, "%s/%s/%s", uid, g->rid, g->action);
    if (r == ERR_NOMEM)
        return rc_nomem(e);
    if (r < 0)
        return err_set(e, ERR_INVALID, "%s %.64s is too long",
                       g->op == MODEL_OP_GROUP_ADD ? "group name"
                                                   : "permission",
                       g->op == MODEL_OP_GROUP_ADD ? g->gid : g->rid);
    return 0;
}

/* Append the action that puts @g in place, unless it is held already. */
static int plan_grant(const struct model_service *d, struct model_plan *p,
                      const struct grant *g, const char *name, size_t acct,
                      struct err_info *e)
{
    const bool group = g->op == MODEL_OP_GROUP_ADD;
    const char *what = group ? "memberships" : "grants";
    struct model_action *a;
    size_t idx;
    int r;

    if (acct != MODEL_NO_ACTION)
        r = rc_add(p, &idx, g->op, MODEL_CHANGE_CREATE, g->type, name, e,
                   "service account %s is %s this plan and %s do not "
                   "survive deletion; %s %s%s%s", d->account,
                   p->actions[acct].op == MODEL_OP_ACCOUNT_CREATE
                       ? "created" : "replaced", what,
                   group ? "add it to group" : "grant",
                   group ? g->gid : g->action, group ? "" : " on ",
                   group ? "" : g->rid);
    else if (g->held)
        return 0;
    else if (group)
        r = rc_add(p, &idx, g->op, MODEL_CHANGE_CREATE, g->type, name, e,
                   "%s is not a member of group %s", d->account, g->gid);
    else
        r = rc_add(p, &idx, g->op, MODEL_CHANGE_CREATE, g->type, name, e,
                   "%s lacks %s on %s", d->account, g->action, g->rid);
    if (r < 0)
        return r;
    a = &p->actions[idx];
    if (group) {
        r = rc_strdups(e, 2, &a->params.member.gid, g->gid,
                       &a->params.member.uid, d->account);
        if (r == 0)
            r = rc_set(&a->after,
                       json_pack("{s:s, s:s}", "gid", g->gid, "uid",
                                 d->account), e);
    } else {
        r = rc_strdups(e, 3, &a->params.grant.rid, g->rid,
                       &a->params.grant.action, g->action,
                       &a->params.grant.uid, d->account);
        if (r == 0)
            r = rc_set(&a->after,
                       json_pack("{s:s, s:s, s:s}", "rid", g->rid,
                                 "action", g->action, "uid", d->account),
                       e);
    }
    if (r == 0)
        r = rc_depend(p, idx, acct, e);
    return r;
}

static int membership_plan(const struct model_service *d,
                           const struct model_observed *o,
                           struct model_plan *p, struct err_info *e)
{
    size_t before = p->n_actions, acct, i;
    struct buf name;
    int r = 0;

    if (!rc_has_account(d))
        return 0;
    if (d->n_groups > 0 && !o->in_group)
        return err_set(e, ERR_INVALID,
                       "group membership of %s was not observed",
                       d->account);
    if (d->n_permissions > 0 && !o->permission_allowed)
        return err_set(e, ERR_INVALID, "permissions of %s were not observed",
                       d->account);

    acct = rc_find_op(p, MODEL_OP_ACCOUNT_CREATE);
    if (acct == MODEL_NO_ACTION)
        acct = rc_find_op(p, MODEL_OP_ACCOUNT_REPLACE);

    buf_init(&name, NAME_MAX_LEN);
    for (i = 0; i < d->n_groups && r == 0; i++) {
        struct grant g = {MODEL_OP_GROUP_ADD, RC_TYPE_MEMBERSHIP,
                          d->groups[i], NULL, NULL, o->in_group[i]};

        r = grant_name(&name, &g, d->account, e);
        if (r < 0)
            break;
        if (o->group_exists && o->group_exists[i] == MODEL_ABSENT)
            r = rc_fail(p, RC_TYPE_MEMBERSHIP, buf_str(&name), e,
                        "group %s does not exist", g.gid);
        else
            r = plan_grant(d, p, &g, buf_str(&name), acct, e);
    }
    for (i = 0; i < d->n_permissions && r == 0; i++) {
        struct grant g = {MODEL_OP_PERMISSION_GRANT, RC_TYPE_PERMISSION,
                          NULL, d->permissions[i].rid,
                          d->permissions[i].action,
                          o->permission_allowed[i]};

        r = grant_name(&name, &g, d->account, e);
        if (r == 0)
            r = plan_grant(d, p, &g, buf_str(&name), acct, e);
    }
    buf_free(&name);
    if (r < 0)
        return r;
    return p->n_actions > before;
}

const struct reconciler_ops reconciler_membership = {
    .version = RECONCILER_OPS_VERSION,
    .name = "membership",
    .plan = membership_plan,
};
