/*
 * HTTPS check: a read that proves the service answers the way the desired
 * state says (HTTPS only with a certificate from the cluster CA, or plain
 * HTTP when TLS is off).  Decisions: docs/plan.md, "https".
 */
#include <stdlib.h>
#include <string.h>

#include "rc.h"

static int https_plan(const struct model_service *d,
                      const struct model_observed *o, struct model_plan *p,
                      struct err_info *e)
{
    const char *endpoint = d->verify_endpoint ? d->verify_endpoint
                                              : "coordinator-http";
    const char *health = d->verify_health ? d->verify_health : "green";
    struct model_action *a;
    size_t idx, last;
    int r;

    (void)o;
    if (!d->verify)
        return 0;
    if (d->tls)
        r = rc_add(p, &idx, MODEL_OP_HTTPS_VERIFY, MODEL_CHANGE_READ,
                   RC_TYPE_HTTPS, d->name, e,
                   "verify that %s answers only over HTTPS on %s with a "
                   "certificate of the cluster CA, health at least %s",
                   d->name, endpoint, health);
    else
        r = rc_add(p, &idx, MODEL_OP_HTTPS_VERIFY, MODEL_CHANGE_READ,
                   RC_TYPE_HTTPS, d->name, e,
                   "verify that %s answers over plain HTTP on %s (TLS is "
                   "off), health at least %s", d->name, endpoint, health);
    if (r < 0)
        return r;
    a = &p->actions[idx];
    a->params.verify.tls = d->tls;
    a->params.verify.password_source = d->verify_password_source;
    r = rc_strdups(e, 4, &a->params.verify.endpoint, endpoint,
                   &a->params.verify.user, d->verify_user,
                   &a->params.verify.health, health,
                   &a->params.verify.password_ref,
                   d->verify_password_ref);
    if (r < 0)
        return r;

    /*
     * After the last stage: the update_strategy restore if any (it
     * restarts the scheduler, which serves the endpoint list), else the
     * rollout wait, else every change of this plan.
     */
    last = rc_find_op(p, MODEL_OP_STRATEGY_RESTORE);
    if (last == MODEL_NO_ACTION)
        last = rc_find_op(p, MODEL_OP_ROLLOUT_WAIT);
    if (last != MODEL_NO_ACTION) {
        r = rc_depend(p, idx, last, e);
        return r < 0 ? r : 1;
    }
    for (last = 0; last < idx; last++) {
        r = rc_depend(p, idx, last, e);
        if (r < 0)
            return r;
    }
    return 1;
}

const struct reconciler_ops reconciler_https = {
    .version = RECONCILER_OPS_VERSION,
    .name = "https",
    .plan = https_plan,
};
