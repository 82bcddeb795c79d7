/*
 * The registry of reconcilers, in dependency order, and the driver that
 * runs them for one service.
 */
#include <stdlib.h>
#include <string.h>

#include "rc.h"

const struct reconciler_ops *const reconcilers[] = {
    &reconciler_secret,
    &reconciler_account,
    &reconciler_membership,
    &reconciler_package,
    &reconciler_rollout,
    &reconciler_https,
    &reconciler_preflight,
};

const size_t reconcilers_count = sizeof(reconcilers) / sizeof(reconcilers[0]);

static bool has_fail(const struct model_plan *p)
{
    return rc_find_op(p, MODEL_OP_FAIL) != MODEL_NO_ACTION;
}

/*
 * A plan that cannot proceed holds only its FAIL actions (every blocking
 * problem found, in registry order) and nothing that would change the
 * cluster.
 */
static int keep_failures(struct model_plan *p, struct err_info *e)
{
    struct model_plan only;
    size_t i;

    memset(&only, 0, sizeof(only));
    only.service = p->service;
    for (i = 0; i < p->n_actions; i++) {
        const struct model_action *a = &p->actions[i];

        if (a->op != MODEL_OP_FAIL)
            continue;
        if (!model_plan_add(&only, MODEL_OP_FAIL, MODEL_CHANGE_NOOP, a->type,
                            a->name, a->reason)) {
            only.service = NULL;
            model_plan_clear(&only);
            return rc_nomem(e);
        }
    }
    p->service = NULL;
    model_plan_clear(p);
    *p = only;
    return 0;
}

int reconcilers_plan(struct model_plan *out,
                     const struct model_service *desired,
                     const struct model_observed *observed,
                     struct err_info *e)
{
    size_t i;
    int r;

    if (!out || !desired || !observed || !desired->name ||
        !desired->package_name)
        return err_set(e, ERR_INVALID, "incomplete desired state");
    memset(out, 0, sizeof(*out));
    out->service = strdup(desired->name);
    if (!out->service)
        return rc_nomem(e);
    for (i = 0; i < reconcilers_count; i++) {
        const struct reconciler_ops *ops = reconcilers[i];

        if (ops->version != RECONCILER_OPS_VERSION) {
            r = err_set(e, ERR_INTERNAL, "reconciler %s has version %u",
                        ops->name, ops->version);
            goto fail;
        }
        r = ops->plan(desired, observed, out, e);
        if (r < 0)
            goto fail;
    }
    if (has_fail(out)) {
        r = keep_failures(out, e);
        if (r < 0)
            goto fail;
    }
    return model_plan_has_changes(out) ? 1 : 0;

fail:
    model_plan_clear(out);
    return r;
}
