/*
 * Service account: exists, is a service account, and holds the public key
 * that matches the private key in the service-account secret.  Public keys
 * cannot be patched (dcos-api.md section 3.4), so a key change is a
 * replacement.  Decisions: docs/plan.md, "account".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/key.h"
#include "rc.h"

/* Hex digits of the key fingerprint (key_fingerprint) shown in plans. */
#define FP_DIGITS 16

/*
 * Set *@out to {"uid", "public_key": "sha256:..."} (new); without a key the
 * public key is "(known after apply)" in an after state and null in a
 * before state; text that is no public key shows as "(not a public key)".
 * 0 or a negative enum err.
 */
static int key_state(json_t **out, const char *uid, const char *pem,
                     bool after, struct err_info *e)
{
    char fp[sizeof("sha256:") + KEY_FP_LEN];
    char hex[KEY_FP_LEN];
    json_t *j;

    if (!pem && after)
        j = json_pack("{s:s, s:s}", "uid", uid, "public_key",
                      RC_UNKNOWN_AFTER);
    else if (!pem)
        j = json_pack("{s:s, s:n}", "uid", uid, "public_key");
    else {
        /* What the account holds may be no key at all: say so. */
        if (key_fingerprint(pem, hex) == 0)
            snprintf(fp, sizeof(fp), "sha256:%.*s", FP_DIGITS, hex);
        else
            snprintf(fp, sizeof(fp), "%s", RC_NOT_A_KEY);
        j = json_pack("{s:s, s:s}", "uid", uid, "public_key", fp);
    }
    return rc_set(out, j, e);
}

/*
 * Fill the common parts of an account action: params, before/after.  A key
 * derived from the secret travels in params.public_key (public material)
 * so that the engine writes exactly the key that was planned; a new key
 * pair is the action's output.
 */
static int fill(struct model_plan *p, size_t idx,
                const struct model_service *d, const char *before_pem,
                bool before_present, const char *after_pem,
                struct err_info *e)
{
    struct model_action *a = &p->actions[idx];
    struct model_account_params *ap = &a->params.account;
    char *desc;
    size_t n = strlen(d->name) + sizeof("Service account for ");
    int r;

    desc = malloc(n);
    if (!desc)
        return rc_nomem(e);
    snprintf(desc, n, "Service account for %s", d->name);
    ap->description = desc;
    r = rc_strdups(e, 2, &ap->uid, d->account, &ap->public_key, after_pem);
    if (r < 0)
        return r;
    if (a->key_source == MODEL_KEY_NEW)
        a->output = MODEL_OUTPUT_KEY_PAIR;
    if (before_present) {
        r = key_state(&a->before, d->account, before_pem, false, e);
        if (r < 0)
            return r;
    }
    return key_state(&a->after, d->account, after_pem, true, e);
}

static int plan_absent(const struct model_service *d,
                       const struct model_observed *o, struct model_plan *p,
                       struct err_info *e)
{
    size_t idx;
    int r;

    if (rc_has_secret(d) && rc_secret_usable(o)) {
        r = rc_add(p, &idx, MODEL_OP_ACCOUNT_CREATE, MODEL_CHANGE_CREATE,
                   RC_TYPE_ACCOUNT, d->account, e,
                   "service account %s does not exist; recreate it with the "
                   "public key derived from the private key in secret %s",
                   d->account, d->secret_path);
        if (r < 0)
            return r;
        p->actions[idx].key_source = MODEL_KEY_FROM_SECRET;
        return fill(p, idx, d, NULL, false, o->secret_public_key, e);
    }
    r = rc_add(p, &idx, MODEL_OP_ACCOUNT_CREATE, MODEL_CHANGE_CREATE,
               RC_TYPE_ACCOUNT, d->account, e,
               "service account %s does not exist; create it with a new "
               "RSA-2048 key pair", d->account);
    if (r < 0)
        return r;
    p->actions[idx].key_source = MODEL_KEY_NEW;
    return fill(p, idx, d, NULL, false, NULL, e);
}

static int plan_key_lost(const struct model_service *d,
                         const struct model_observed *o,
                         struct model_plan *p, struct err_info *e)
{
    struct model_action *a;
    size_t idx;
    int r;

    if (d->key_lost == MODEL_KEY_LOST_FAIL)
        return rc_fail(p, RC_TYPE_ACCOUNT, d->account, e,
                       "private key of service account %s is lost (secret "
                       "%s %s) and policy keyLost is fail",
                       d->account, d->secret_path, rc_secret_problem(o));

    r = rc_add(p, &idx, MODEL_OP_ACCOUNT_REPLACE, MODEL_CHANGE_REPLACE,
               RC_TYPE_ACCOUNT, d->account, e,
               "private key of service account %s is lost (secret %s %s) "
               "and policy keyLost is rotate; replace the account with a "
               "new key pair", d->account, d->secret_path,
               rc_secret_problem(o));
    if (r < 0)
        return r;
    a = &p->actions[idx];
    a->key_source = MODEL_KEY_NEW;
    if (o->package == MODEL_PRESENT) {
        a->disruptive = true;
        r = rc_strdup(&a->disruption,
                      "the running scheduler cannot log in with the old key; "
                      "it restarts to read the new one", e);
        if (r < 0)
            return r;
    }
    return fill(p, idx, d, o->account_public_key, true, NULL, e);
}

static int account_plan(const struct model_service *d,
                        const struct model_observed *o,
                        struct model_plan *p, struct err_info *e)
{
    size_t idx, before = p->n_actions;
    int r;

    if (!rc_has_account(d))
        return 0;
    if (o->account == MODEL_UNKNOWN)
        return err_set(e, ERR_INVALID, "service account %s was not observed",
                       d->account);
    if (rc_has_secret(d) && o->secret == MODEL_UNKNOWN)
        return err_set(e, ERR_INVALID, "secret %s was not observed",
                       d->secret_path);

    if (o->account == MODEL_ABSENT) {
        r = plan_absent(d, o, p, e);
    } else if (!o->account_is_service) {
        r = rc_fail(p, RC_TYPE_ACCOUNT, d->account, e,
                    "%s is a user account, not a service account",
                    d->account);
    } else if (!rc_has_secret(d)) {
        /* No secret to hold a private key: presence is all we manage. */
        r = 0;
    } else if (!rc_secret_usable(o)) {
        r = plan_key_lost(d, o, p, e);
    } else if (!rc_key_equal(o->account_public_key, o->secret_public_key)) {
        r = rc_add(p, &idx, MODEL_OP_ACCOUNT_REPLACE, MODEL_CHANGE_REPLACE,
                   RC_TYPE_ACCOUNT, d->account, e,
                   "public key does not match the private key in secret %s; "
                   "the public key cannot be patched", d->secret_path);
        if (r == 0) {
            p->actions[idx].key_source = MODEL_KEY_FROM_SECRET;
            r = fill(p, idx, d, o->account_public_key, true,
                     o->secret_public_key, e);
        }
    } else {
        r = 0;
    }
    if (r < 0)
        return r;
    return p->n_actions > before;
}

const struct reconciler_ops reconciler_account = {
    .version = RECONCILER_OPS_VERSION,
    .name = "account",
    .plan = account_plan,
};
