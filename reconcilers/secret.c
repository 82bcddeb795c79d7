/*
 * Service-account secret: holds the create-sa-secret JSON with the private
 * key of the account.  No value ever enters a plan: states show
 * "(sensitive)" and the *_sensitive flags.  Decisions: docs/plan.md,
 * "secret".
 */
#include <stdlib.h>
#include <string.h>

#include "rc.h"

static json_t *sensitive_state(const char *path)
{
    return json_pack("{s:s, s:s}", "path", path, "value", RC_SENSITIVE);
}

static int fill(struct model_plan *p, size_t idx,
                const struct model_service *d, enum model_key_source src,
                size_t key_from, struct err_info *e)
{
    struct model_action *a = &p->actions[idx];
    struct model_secret_params *sp = &a->params.secret;
    int r;

    a->key_source = src;
    sp->key_from = key_from;
    r = rc_strdups(e, 4, &sp->path, d->secret_path, &sp->uid, d->account,
                   &sp->scheme, SA_SCHEME, &sp->login_endpoint,
                   SA_LOGIN_ENDPOINT);
    if (r == 0 && a->op == MODEL_OP_SECRET_UPDATE) {
        r = rc_set(&a->before, sensitive_state(d->secret_path), e);
        if (r == 0)
            r = rc_set(&a->before_sensitive,
                       json_pack("{s:b}", "value", 1), e);
    }
    if (r == 0)
        r = rc_set(&a->after, sensitive_state(d->secret_path), e);
    if (r == 0)
        r = rc_set(&a->after_sensitive, json_pack("{s:b}", "value", 1), e);
    if (r == 0)
        r = rc_depend(p, idx, key_from, e);
    return r;
}

/* The secret receives the new key pair made for account action @acct. */
static int plan_new_key(const struct model_service *d,
                        const struct model_observed *o,
                        struct model_plan *p, size_t acct,
                        struct err_info *e)
{
    size_t idx;
    int r;

    if (o->secret == MODEL_ABSENT)
        r = rc_add(p, &idx, MODEL_OP_SECRET_CREATE, MODEL_CHANGE_CREATE,
                   RC_TYPE_SECRET, d->secret_path, e,
                   "secret %s does not exist; it receives the new private "
                   "key of service account %s", d->secret_path, d->account);
    else
        r = rc_add(p, &idx, MODEL_OP_SECRET_UPDATE, MODEL_CHANGE_UPDATE,
                   RC_TYPE_SECRET, d->secret_path, e,
                   "secret %s %s; it receives the new private key of "
                   "service account %s", d->secret_path,
                   rc_secret_usable(o) ? "holds the old key"
                   : o->secret_verdict == SA_NOT_JSON
                       ? "is not JSON" : "holds no usable key",
                   d->account);
    if (r < 0)
        return r;
    return fill(p, idx, d, MODEL_KEY_NEW, acct, e);
}

/* Same private key, wrong JSON around it: rewrite the JSON. */
static int plan_rewrite(const struct model_service *d,
                        const struct model_observed *o,
                        struct model_plan *p, struct err_info *e)
{
    size_t idx;
    int r;

    switch (o->secret_verdict) {
    case SA_WRONG_UID:
        r = rc_add(p, &idx, MODEL_OP_SECRET_UPDATE, MODEL_CHANGE_UPDATE,
                   RC_TYPE_SECRET, d->secret_path, e,
                   "secret %s names uid \"%s\", not \"%s\"; rewrite it "
                   "around the same private key", d->secret_path,
                   o->secret_uid ? o->secret_uid : "", d->account);
        break;
    case SA_WRONG_SCHEME:
        r = rc_add(p, &idx, MODEL_OP_SECRET_UPDATE, MODEL_CHANGE_UPDATE,
                   RC_TYPE_SECRET, d->secret_path, e,
                   "secret %s has a scheme other than " SA_SCHEME "; "
                   "rewrite it around the same private key", d->secret_path);
        break;
    case SA_BAD_ENDPOINT:
        r = rc_add(p, &idx, MODEL_OP_SECRET_UPDATE, MODEL_CHANGE_UPDATE,
                   RC_TYPE_SECRET, d->secret_path, e,
                   "secret %s has no login_endpoint; rewrite it around the "
                   "same private key", d->secret_path);
        break;
    default:
        return 0;
    }
    if (r < 0)
        return r;
    return fill(p, idx, d, MODEL_KEY_FROM_SECRET, MODEL_NO_ACTION, e);
}

static int secret_plan(const struct model_service *d,
                       const struct model_observed *o,
                       struct model_plan *p, struct err_info *e)
{
    size_t before = p->n_actions, acct;
    int r = 0;

    if (!rc_has_secret(d))
        return 0;
    if (o->secret == MODEL_UNKNOWN)
        return err_set(e, ERR_INVALID, "secret %s was not observed",
                       d->secret_path);

    acct = rc_find_op(p, MODEL_OP_ACCOUNT_CREATE);
    if (acct == MODEL_NO_ACTION)
        acct = rc_find_op(p, MODEL_OP_ACCOUNT_REPLACE);

    if (acct != MODEL_NO_ACTION && p->actions[acct].key_source == MODEL_KEY_NEW)
        r = plan_new_key(d, o, p, acct, e);
    else if (o->secret == MODEL_PRESENT && rc_secret_usable(o))
        r = plan_rewrite(d, o, p, e);
    /*
     * Otherwise the secret is missing or unusable while the account exists
     * and no new key is planned: the account reconciler failed the plan
     * (policy fail, or a user account) and there is nothing to write.
     */
    if (r < 0)
        return r;
    return p->n_actions > before;
}

const struct reconciler_ops reconciler_secret = {
    .version = RECONCILER_OPS_VERSION,
    .name = "secret",
    .plan = secret_plan,
};
