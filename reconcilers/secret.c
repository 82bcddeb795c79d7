/*
 * Service-account secret: holds the create-sa-secret JSON with the private
 * key of the account.  It runs before the account reconciler: when a new
 * key pair is needed, the secret stores its private key first and the
 * account then takes its public key (crash-safe order: every crash point
 * leaves a secret whose key the next run puts on the account, never a lost
 * private key).  No value ever enters a plan: states show "(sensitive)"
 * and the *_sensitive flags.  Decisions: docs/plan.md, "secret".
 */
#include <stdlib.h>
#include <string.h>

#include "rc.h"

static json_t *sensitive_state(const char *path)
{
    return json_pack("{s:s, s:s}", "path", path, "value", RC_SENSITIVE);
}

/* Fill a secret action: params and states. */
static int fill(struct model_plan *p, size_t idx,
                const struct model_service *d, enum model_key_source src,
                const char *source_path, struct err_info *e)
{
    struct model_action *a = &p->actions[idx];
    struct model_secret_params *sp = &a->params.secret;
    int r;

    a->key_source = src;
    if (src == MODEL_KEY_NEW)
        a->output = MODEL_OUTPUT_KEY_PAIR;
    r = rc_strdups(e, 5, &sp->path, d->secret_path, &sp->uid, d->account,
                   &sp->scheme, SA_SCHEME, &sp->login_endpoint,
                   SA_LOGIN_ENDPOINT, &sp->source_path, source_path);
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
    return r;
}

/* CREATE when the secret is absent, else UPDATE. */
static enum model_op write_op(const struct model_observed *o)
{
    return o->secret == MODEL_ABSENT ? MODEL_OP_SECRET_CREATE
                                     : MODEL_OP_SECRET_UPDATE;
}

static enum model_change write_change(const struct model_observed *o)
{
    return o->secret == MODEL_ABSENT ? MODEL_CHANGE_CREATE
                                     : MODEL_CHANGE_UPDATE;
}

/* The secret receives the private key of a new key pair (its output). */
static int plan_new_key(const struct model_service *d,
                        const struct model_observed *o,
                        struct model_plan *p, struct err_info *e)
{
    size_t idx;
    int r;

    if (o->account == MODEL_PRESENT)
        r = rc_add(p, &idx, write_op(o), write_change(o), RC_TYPE_SECRET,
                   d->secret_path, e,
                   "private key of service account %s is lost (secret %s "
                   "%s) and policy keyLost is rotate; the secret receives "
                   "a new RSA-2048 key pair before the account takes its "
                   "public key", d->account, d->secret_path,
                   rc_secret_problem(o));
    else if (o->secret == MODEL_ABSENT)
        r = rc_add(p, &idx, write_op(o), write_change(o), RC_TYPE_SECRET,
                   d->secret_path, e,
                   "secret %s does not exist; it receives the private key "
                   "of a new RSA-2048 key pair for service account %s",
                   d->secret_path, d->account);
    else
        r = rc_add(p, &idx, write_op(o), write_change(o), RC_TYPE_SECRET,
                   d->secret_path, e,
                   "secret %s %s; it receives the private key of a new "
                   "RSA-2048 key pair for service account %s",
                   d->secret_path, rc_secret_problem(o), d->account);
    if (r < 0)
        return r;
    return fill(p, idx, d, MODEL_KEY_NEW, NULL, e);
}

/*
 * The secret path changed and the secret the running service used still
 * holds the account's key: copy it instead of rotating.
 */
static int plan_copy(const struct model_service *d,
                     const struct model_observed *o, struct model_plan *p,
                     struct err_info *e)
{
    size_t idx;
    int r;

    r = rc_add(p, &idx, write_op(o), write_change(o), RC_TYPE_SECRET,
               d->secret_path, e,
               "secret %s %s; copy the private key of service account %s "
               "from secret %s, which the running service uses, instead of "
               "rotating the key", d->secret_path, rc_secret_problem(o),
               d->account, o->old_secret_path);
    if (r < 0)
        return r;
    return fill(p, idx, d, MODEL_KEY_FROM_SECRET, o->old_secret_path, e);
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
    return fill(p, idx, d, MODEL_KEY_FROM_SECRET, NULL, e);
}

static int secret_plan(const struct model_service *d,
                       const struct model_observed *o,
                       struct model_plan *p, struct err_info *e)
{
    size_t before = p->n_actions;
    int r;

    if (!rc_has_secret(d))
        return 0;
    if (o->secret == MODEL_UNKNOWN)
        return err_set(e, ERR_INVALID, "secret %s was not observed",
                       d->secret_path);
    if (o->account == MODEL_UNKNOWN)
        return err_set(e, ERR_INVALID, "service account %s was not observed",
                       d->account);

    if (rc_secret_usable(o))
        r = plan_rewrite(d, o, p, e);
    else if (o->account == MODEL_PRESENT && !o->account_is_service)
        r = 0; /* a user account: the account reconciler fails the plan */
    else if (rc_copy_possible(d, o))
        r = plan_copy(d, o, p, e);
    else if (o->account == MODEL_PRESENT &&
             d->key_lost == MODEL_KEY_LOST_FAIL)
        r = 0; /* key lost, no rotation: the account reconciler fails */
    else
        r = plan_new_key(d, o, p, e);
    if (r < 0)
        return r;
    return p->n_actions > before;
}

const struct reconciler_ops reconciler_secret = {
    .version = RECONCILER_OPS_VERSION,
    .name = "secret",
    .plan = secret_plan,
};
