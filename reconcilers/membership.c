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

static int plan_groups(const struct model_service *d,
                       const struct model_observed *o, struct model_plan *p,
                       size_t acct, struct err_info *e)
{
    struct buf name;
    size_t i, idx;
    int r = 0;

    buf_init(&name, NAME_MAX_LEN);
    for (i = 0; i < d->n_groups && r == 0; i++) {
        const char *gid = d->groups[i];
        struct model_action *a;

        buf_reset(&name);
        r = buf_printf(&name, "%s/%s", gid, d->account);
        if (r < 0) {
            r = r == ERR_NOMEM ? rc_nomem(e)
                               : err_set(e, ERR_INVALID,
                                         "group name %.64s is too long", gid);
            break;
        }
        if (o->group_exists && o->group_exists[i] == MODEL_ABSENT) {
            r = rc_fail(p, RC_TYPE_MEMBERSHIP, buf_str(&name), e,
                        "group %s does not exist", gid);
            continue;
        }
        if (acct != RC_NONE)
            r = rc_add(p, &idx, MODEL_OP_GROUP_ADD, MODEL_CHANGE_CREATE,
                       RC_TYPE_MEMBERSHIP, buf_str(&name), e,
                       "service account %s is %s this plan and memberships "
                       "do not survive deletion; add it to group %s",
                       d->account,
                       p->actions[acct].op == MODEL_OP_ACCOUNT_CREATE
                           ? "created" : "replaced", gid);
        else if (!o->in_group[i])
            r = rc_add(p, &idx, MODEL_OP_GROUP_ADD, MODEL_CHANGE_CREATE,
                       RC_TYPE_MEMBERSHIP, buf_str(&name), e,
                       "%s is not a member of group %s", d->account, gid);
        else
            continue;
        if (r < 0)
            break;
        a = &p->actions[idx];
        r = rc_set(&a->params,
                   json_pack("{s:s, s:s}", "gid", gid, "uid", d->account), e);
        if (r == 0)
            r = rc_set(&a->after,
                       json_pack("{s:s, s:s}", "gid", gid, "uid",
                                 d->account), e);
        if (r == 0)
            r = rc_depend(p, idx, acct, e);
    }
    buf_free(&name);
    return r;
}

static int plan_permissions(const struct model_service *d,
                            const struct model_observed *o,
                            struct model_plan *p, size_t acct,
                            struct err_info *e)
{
    struct buf name;
    size_t i, idx;
    int r = 0;

    buf_init(&name, NAME_MAX_LEN);
    for (i = 0; i < d->n_permissions && r == 0; i++) {
        const struct model_permission *pm = &d->permissions[i];
        struct model_action *a;

        buf_reset(&name);
        r = buf_printf(&name, "%s/%s/%s", d->account, pm->rid, pm->action);
        if (r < 0) {
            r = r == ERR_NOMEM ? rc_nomem(e)
                               : err_set(e, ERR_INVALID,
                                         "permission %.64s is too long",
                                         pm->rid);
            break;
        }
        if (acct != RC_NONE)
            r = rc_add(p, &idx, MODEL_OP_PERMISSION_GRANT,
                       MODEL_CHANGE_CREATE, RC_TYPE_PERMISSION,
                       buf_str(&name), e,
                       "service account %s is %s this plan and grants do "
                       "not survive deletion; grant %s on %s",
                       d->account,
                       p->actions[acct].op == MODEL_OP_ACCOUNT_CREATE
                           ? "created" : "replaced", pm->action, pm->rid);
        else if (!o->permission_allowed[i])
            r = rc_add(p, &idx, MODEL_OP_PERMISSION_GRANT,
                       MODEL_CHANGE_CREATE, RC_TYPE_PERMISSION,
                       buf_str(&name), e, "%s lacks %s on %s", d->account,
                       pm->action, pm->rid);
        else
            continue;
        if (r < 0)
            break;
        a = &p->actions[idx];
        r = rc_set(&a->params,
                   json_pack("{s:s, s:s, s:s}", "rid", pm->rid, "action",
                             pm->action, "uid", d->account), e);
        if (r == 0)
            r = rc_set(&a->after,
                       json_pack("{s:s, s:s, s:s}", "rid", pm->rid,
                                 "action", pm->action, "uid", d->account),
                       e);
        if (r == 0)
            r = rc_depend(p, idx, acct, e);
    }
    buf_free(&name);
    return r;
}

static int membership_plan(const struct model_service *d,
                           const struct model_observed *o,
                           struct model_plan *p, struct err_info *e)
{
    size_t before = p->n_actions, acct;
    int r;

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
    if (acct == RC_NONE)
        acct = rc_find_op(p, MODEL_OP_ACCOUNT_REPLACE);

    r = plan_groups(d, o, p, acct, e);
    if (r == 0)
        r = plan_permissions(d, o, p, acct, e);
    if (r < 0)
        return r;
    return p->n_actions > before;
}

const struct reconciler_ops reconciler_membership = {
    .version = RECONCILER_OPS_VERSION,
    .name = "membership",
    .plan = membership_plan,
};
