/*
 * HTTPS check: a read that proves the service answers the way the desired
 * state says (HTTPS only with a certificate from the cluster CA, or plain
 * HTTP when TLS is off), and what plan can tell of it beforehand: whether
 * the check will get its password (preflight) and how the node answers
 * now.  Decisions: docs/plan.md, "https" and "Preflight".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "managed.h"
#include "options_diff.h"
#include "rc.h"

#define PROBLEM_MAX 400

/* Preflight: the check must be able to get its password. */
static int password_fail(const struct model_service *d,
                         const struct model_observed *o,
                         struct model_plan *p, struct err_info *e)
{
    char why[PROBLEM_MAX], name[PROBLEM_MAX];
    int r;

    if (o->verify_password == MODEL_PWC_UNCHECKED ||
        o->verify_password == MODEL_PWC_OK)
        return 0;
    model_password_problem(why, sizeof(why), o->verify_password,
                           d->verify_password_ref,
                           o->verify_password_detail);
    snprintf(name, sizeof(name), "%s/password", d->name);
    r = rc_fail(p, RC_TYPE_HTTPS, name, e, "the HTTPS check of %s cannot "
                "get its password: %s", d->name, why);
    return r < 0 ? r : 1;
}

/*
 * The read-only part of the check: only when the node was probed (the
 * package is installed and its deploy plan COMPLETE) and this plan neither
 * installs nor updates the package.  Then the resolved options already
 * hold the desired TLS flag (the package reconciler always compares it;
 * checked again here), so a node that answers otherwise is a mismatch no
 * apply can fix, and apply's check would fail after its whole window.
 */
static int node_fail(const struct model_service *d,
                     const struct model_observed *o, struct model_plan *p,
                     const char *endpoint, struct err_info *e)
{
    size_t pkg = rc_find_package(p);
    const char *addr = o->node_address ? o->node_address : "?";
    const char *dns = o->node_dns ? o->node_dns : "?";
    const char *tls_err = o->node_https_error ? o->node_https_error : "";
    int r = 0;

    if (!o->node_probed ||
        (pkg != MODEL_NO_ACTION &&
         p->actions[pkg].op != MODEL_OP_SCHEDULER_RESTART) ||
        json_is_true(options_lookup(o->resolved_options,
                                    managed_path(MANAGED_TLS))) != d->tls)
        return 0;
    if (d->tls && o->node_plain_answered)
        r = rc_fail(p, RC_TYPE_HTTPS, d->name, e,
                    "transport encryption of %s is on in its options, but "
                    "%s at %s answers plain HTTP (HTTP %ld)%s%.150s; the "
                    "options already say TLS, so no update can fix it: "
                    "restart the pods that run without TLS, then plan "
                    "again", d->name, endpoint, addr, o->node_plain_status,
                    o->node_https == MODEL_HTTPS_VERIFIED
                        ? " besides HTTPS" : " and no verified HTTPS: ",
                    o->node_https == MODEL_HTTPS_VERIFIED ? "" : tls_err);
    else if (d->tls && o->node_https == MODEL_HTTPS_REJECTED)
        r = rc_fail(p, RC_TYPE_HTTPS, d->name, e,
                    "%s of %s answers at %s with a TLS session that does "
                    "not verify against the cluster CA for that name "
                    "(%.150s), so the HTTPS check would fail; no update "
                    "can fix it: restart the pod so that it gets a "
                    "certificate of the cluster CA, then plan again",
                    endpoint, d->name, dns, tls_err);
    else if (!d->tls && o->node_https == MODEL_HTTPS_VERIFIED)
        r = rc_fail(p, RC_TYPE_HTTPS, d->name, e,
                    "transport encryption of %s is off in its options, but "
                    "%s at %s still answers HTTPS; the options already say "
                    "TLS off, so no update can fix it: restart the pods "
                    "that still run with TLS, then plan again", d->name,
                    endpoint, dns);
    else if (!d->tls && !o->node_plain_answered &&
             o->node_https == MODEL_HTTPS_REJECTED)
        r = rc_fail(p, RC_TYPE_HTTPS, d->name, e,
                    "transport encryption of %s is off in its options, but "
                    "%s at %s does not answer plain HTTP and speaks TLS "
                    "(%.150s); no update can fix it: restart the pods that "
                    "still run with TLS, then plan again", d->name,
                    endpoint, addr, tls_err);
    else
        return 0;
    return r < 0 ? r : 1;
}

static int https_plan(const struct model_service *d,
                      const struct model_observed *o, struct model_plan *p,
                      struct err_info *e)
{
    const char *endpoint = d->verify_endpoint ? d->verify_endpoint
                                              : "coordinator-http";
    const char *health = d->verify_health ? d->verify_health : "green";
    struct model_action *a;
    size_t idx, last;
    int r, fails;

    if (!d->verify)
        return 0;
    /* Every blocking problem, each its own FAIL. */
    r = password_fail(d, o, p, e);
    fails = r;
    if (r >= 0)
        r = node_fail(d, o, p, endpoint, e);
    if (r < 0)
        return r;
    if (fails || r)
        return 1;
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
