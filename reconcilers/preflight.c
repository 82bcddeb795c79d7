/*
 * Preflight: permission to make each write of the plan (docs/plan.md,
 * "Preflight").  Last in the registry, so it sees every action.  What the
 * identity etls runs as may do was observed once per run
 * (controller/preflight.c): whether it holds dcos:superuser full (then
 * every write is permitted), and whether the IAM API refused it.  Where the
 * reference names no rid for a write (secrets, Cosmos, Marathon), nothing
 * is checked: a valid run is never refused on a guess.
 */
#include <stdlib.h>
#include <string.h>

#include "rc.h"

/* Writes through the IAM API (dcos-api.md 3 and 4: superuser only). */
static bool iam_write(enum model_op op)
{
    return op == MODEL_OP_ACCOUNT_CREATE || op == MODEL_OP_ACCOUNT_REPLACE ||
           op == MODEL_OP_GROUP_ADD || op == MODEL_OP_PERMISSION_GRANT;
}

static int preflight_plan(const struct model_service *d,
                          const struct model_observed *o,
                          struct model_plan *p, struct err_info *e)
{
    const char *uid = o->caller_uid ? o->caller_uid : "the user";
    size_t i, n = p->n_actions;
    char *type, *name;
    int r = 0, any = 0;

    (void)d;
    if (o->caller_superuser != MODEL_ABSENT || !o->caller_iam_denied)
        return 0;
    for (i = 0; r == 0 && i < n; i++) {
        enum model_op op = p->actions[i].op;

        if (!iam_write(op))
            continue;
        /* rc_fail may move the actions: copy what it formats. */
        type = strdup(p->actions[i].type);
        name = strdup(p->actions[i].name);
        if (!type || !name)
            r = rc_nomem(e);
        else
            r = rc_fail(p, type, name, e,
                        "%s.%s (%s) needs the IAM API, which %s may not use "
                        "(HTTP 403 on GET /acs/api/v1/acls/dcos:superuser/"
                        "users/%s/full): run etls as a superuser (a member "
                        "of superusers, or holding dcos:superuser full)",
                        type, name, model_op_name(op), uid, uid);
        free(type);
        free(name);
        any = 1;
    }
    if (r < 0)
        return r;
    return any;
}

const struct reconciler_ops reconciler_preflight = {
    .version = RECONCILER_OPS_VERSION,
    .name = "preflight",
    .plan = preflight_plan,
};
