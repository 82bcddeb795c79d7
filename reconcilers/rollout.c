/*
 * Rollout: wait for the SDK deploy plan after a package action (or while
 * one is in progress), restore update_strategy after a full-cluster
 * restart, and stop on a deploy plan in ERROR.  Decisions: docs/plan.md,
 * "rollout".
 */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "options_diff.h"
#include "rc.h"

#define ERRORS_MAX 3000

static const char *const PATH_UPDATE_STRATEGY[] = {
    "service", "update_strategy", NULL
};

/* Everything a bare wait must come after: the fixes of this plan. */
static const enum model_op FIX_OPS[] = {
    MODEL_OP_ACCOUNT_CREATE, MODEL_OP_ACCOUNT_REPLACE,
    MODEL_OP_SECRET_CREATE, MODEL_OP_SECRET_UPDATE,
    MODEL_OP_GROUP_ADD, MODEL_OP_PERMISSION_GRANT
};
#define N_FIX_OPS (sizeof(FIX_OPS) / sizeof(FIX_OPS[0]))

static bool plan_in_error(const struct model_plan_status *ps)
{
    return ps->known && (ps->http_status == 417 ||
                         (ps->status && strcmp(ps->status, "ERROR") == 0));
}

static bool plan_complete(const struct model_plan_status *ps)
{
    return ps->known && ps->status && strcmp(ps->status, "COMPLETE") == 0;
}

static int plan_fail_error(const struct model_service *d,
                           const struct model_observed *o,
                           struct model_plan *p, struct err_info *e)
{
    const struct model_plan_status *ps = &o->plan;
    struct buf b;
    size_t i;
    int r = 0;

    buf_init(&b, ERRORS_MAX);
    for (i = 0; i < ps->n_errors && r == 0; i++)
        r = buf_printf(&b, "%s%s", i ? "; " : "",
                       ps->errors[i] ? ps->errors[i] : "");
    if (r == ERR_NOMEM) {
        buf_free(&b);
        return rc_nomem(e);
    }
    /* Over the cap: the errors already joined are shown, the rest cut. */
    r = rc_fail(p, RC_TYPE_ROLLOUT, d->name, e,
                "deploy plan is in ERROR: %s%s",
                b.len ? buf_str(&b) : "(the scheduler gave no message)",
                r == ERR_INVALID ? "; ..." : "");
    buf_free(&b);
    return r;
}

static int add_wait(const struct model_service *d,
                    const struct model_observed *o, struct model_plan *p,
                    size_t pkg, size_t *wait_out, struct err_info *e)
{
    const struct model_plan_status *ps = &o->plan;
    struct model_action *a;
    size_t idx;
    int r;

    if (pkg != MODEL_NO_ACTION)
        r = rc_add(p, &idx, MODEL_OP_ROLLOUT_WAIT, MODEL_CHANGE_READ,
                   RC_TYPE_ROLLOUT, d->name, e,
                   "wait for the deploy plan of %s to complete after the %s",
                   d->name,
                   p->actions[pkg].op == MODEL_OP_PACKAGE_INSTALL ? "install"
                   : p->actions[pkg].op == MODEL_OP_PACKAGE_UPDATE
                       ? "update" : "scheduler restart");
    else if (!ps->known)
        r = rc_add(p, &idx, MODEL_OP_ROLLOUT_WAIT, MODEL_CHANGE_READ,
                   RC_TYPE_ROLLOUT, d->name, e,
                   "the scheduler of %s did not answer; wait for its deploy "
                   "plan to complete", d->name);
    else
        r = rc_add(p, &idx, MODEL_OP_ROLLOUT_WAIT, MODEL_CHANGE_READ,
                   RC_TYPE_ROLLOUT, d->name, e,
                   "deploy plan of %s is %s; wait for it to complete",
                   d->name, ps->status ? ps->status : "not complete");
    if (r < 0)
        return r;
    a = &p->actions[idx];
    r = rc_app_param(&a->params.app.app_id, d, e);
    if (r == 0 && pkg != MODEL_NO_ACTION)
        r = rc_depend(p, idx, pkg, e);
    else if (r == 0)
        r = rc_depend_ops(p, idx, FIX_OPS, N_FIX_OPS, e);
    if (r == 0)
        *wait_out = idx;
    return r;
}

/*
 * update_strategy the service has once the package action of this plan
 * (if any) is done; NULL when not known.
 */
static const char *strategy_after(const struct model_observed *o,
                                  const struct model_plan *p, size_t pkg)
{
    const json_t *v = NULL;

    if (pkg != MODEL_NO_ACTION && p->actions[pkg].op == MODEL_OP_PACKAGE_UPDATE)
        v = options_lookup(p->actions[pkg].params.update.options,
                           PATH_UPDATE_STRATEGY);
    if (!json_is_string(v))
        v = options_lookup(o->resolved_options, PATH_UPDATE_STRATEGY);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int add_restore(const struct model_service *d, struct model_plan *p,
                       const char *from, size_t wait, struct err_info *e)
{
    struct model_action *a;
    size_t idx;
    int r;

    r = rc_add(p, &idx, MODEL_OP_STRATEGY_RESTORE, MODEL_CHANGE_UPDATE,
               RC_TYPE_STRATEGY, d->name, e,
               "restores update_strategy %s; restarts no node",
               d->update_strategy);
    if (r < 0)
        return r;
    a = &p->actions[idx];
    r = rc_app_param(&a->params.restore.app_id, d, e);
    if (r == 0)
        r = rc_strdup(&a->params.restore.update_strategy,
                      d->update_strategy, e);
    if (r == 0)
        r = rc_set(&a->before,
                   json_pack("{s:{s:{s:s}}}", "options", "service",
                             "update_strategy", from), e);
    if (r == 0)
        r = rc_set(&a->after,
                   json_pack("{s:{s:{s:s}}}", "options", "service",
                             "update_strategy", d->update_strategy), e);
    if (r == 0)
        r = rc_depend(p, idx, wait, e);
    return r;
}

static int rollout_plan(const struct model_service *d,
                        const struct model_observed *o,
                        struct model_plan *p, struct err_info *e)
{
    size_t before = p->n_actions, pkg, wait = MODEL_NO_ACTION;
    const char *strategy;
    int r = 0;

    pkg = rc_find_package(p);
    if (o->package == MODEL_PRESENT && plan_in_error(&o->plan) &&
        (pkg == MODEL_NO_ACTION ||
         p->actions[pkg].op != MODEL_OP_PACKAGE_UPDATE)) {
        r = plan_fail_error(d, o, p, e);
        return r < 0 ? r : 1;
    }

    if (pkg != MODEL_NO_ACTION ||
        (o->package == MODEL_PRESENT && !plan_complete(&o->plan)))
        r = add_wait(d, o, p, pkg, &wait, e);
    if (r < 0)
        return r;

    /* Installs start with the user's strategy: nothing to restore. */
    if (d->restore_update_strategy && d->update_strategy &&
        o->package == MODEL_PRESENT) {
        strategy = strategy_after(o, p, pkg);
        if (strategy && strcmp(strategy, d->update_strategy) != 0)
            r = add_restore(d, p, strategy, wait, e);
    }
    if (r < 0)
        return r;
    return p->n_actions > before;
}

const struct reconciler_ops reconciler_rollout = {
    .version = RECONCILER_OPS_VERSION,
    .name = "rollout",
    .plan = rollout_plan,
};
