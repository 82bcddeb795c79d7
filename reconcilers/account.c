/*
 * Service account: exists, is a service account, and holds the public key
 * that matches the private key in the service-account secret.  Public keys
 * cannot be patched (dcos-api.md section 3.4), so a key change is a
 * replacement.  Runs after the secret reconciler: a new key pair is made
 * by the secret action (which stores its private key first) and the
 * account takes its public key.  Decisions: docs/plan.md, "account".
 */
#include <stdarg.h>
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
 * derived from a stored secret travels in params.public_key (public
 * material) so that the engine writes exactly the key that was planned;
 * a new key pair comes from action @key_from (the secret that stores it,
 * a dependency), or, without a secret, is this action's own output.
 */
static int fill(struct model_plan *p, size_t idx,
                const struct model_service *d, const char *before_pem,
                bool before_present, const char *after_pem, size_t key_from,
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
    ap->key_from = key_from;
    r = rc_strdups(e, 2, &ap->uid, d->account, &ap->public_key, after_pem);
    if (r < 0)
        return r;
    if (a->key_source == MODEL_KEY_NEW && key_from == MODEL_NO_ACTION)
        a->output = MODEL_OUTPUT_KEY_PAIR;
    if (before_present) {
        r = key_state(&a->before, d->account, before_pem, false, e);
        if (r < 0)
            return r;
    }
    r = key_state(&a->after, d->account, after_pem, true, e);
    if (r == 0)
        r = rc_depend(p, idx, key_from, e);
    return r;
}

/* Append an account action of @op with the formatted reason. */
static int add(struct model_plan *p, size_t *idx, enum model_op op,
               enum model_key_source src, const struct model_service *d,
               struct err_info *e, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static int add(struct model_plan *p, size_t *idx, enum model_op op,
               enum model_key_source src, const struct model_service *d,
               struct err_info *e, const char *fmt, ...)
{
    char reason[1024];
    va_list ap;
    int r;

    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    r = rc_add(p, idx, op, op == MODEL_OP_ACCOUNT_CREATE
                               ? MODEL_CHANGE_CREATE : MODEL_CHANGE_REPLACE,
               RC_TYPE_ACCOUNT, d->account, e, "%s", reason);
    if (r == 0)
        p->actions[*idx].key_source = src;
    return r;
}

/* The secret action this plan copies the key with, or MODEL_NO_ACTION. */
static size_t find_copy(const struct model_plan *p)
{
    size_t i;

    for (i = 0; i < p->n_actions; i++)
        if ((p->actions[i].op == MODEL_OP_SECRET_CREATE ||
             p->actions[i].op == MODEL_OP_SECRET_UPDATE) &&
            p->actions[i].params.secret.source_path)
            return i;
    return MODEL_NO_ACTION;
}

static int plan_absent(const struct model_service *d,
                       const struct model_observed *o, struct model_plan *p,
                       struct err_info *e)
{
    size_t idx, prod = rc_find_key_producer(p), copy = find_copy(p);
    int r;

    if (prod != MODEL_NO_ACTION) {
        r = add(p, &idx, MODEL_OP_ACCOUNT_CREATE, MODEL_KEY_NEW, d, e,
                "service account %s does not exist; create it with the "
                "public key of the new key pair stored in secret %s",
                d->account, d->secret_path);
        return r < 0 ? r : fill(p, idx, d, NULL, false, NULL, prod, e);
    }
    if (copy != MODEL_NO_ACTION) {
        r = add(p, &idx, MODEL_OP_ACCOUNT_CREATE, MODEL_KEY_FROM_SECRET, d,
                e, "service account %s does not exist; recreate it with the "
                "public key derived from the private key in secret %s "
                "(copied to %s)", d->account, o->old_secret_path,
                d->secret_path);
        return r < 0 ? r : fill(p, idx, d, NULL, false,
                                o->old_secret_public_key, copy, e);
    }
    if (rc_has_secret(d) && rc_secret_usable(o)) {
        r = add(p, &idx, MODEL_OP_ACCOUNT_CREATE, MODEL_KEY_FROM_SECRET, d,
                e, "service account %s does not exist; recreate it with the "
                "public key derived from the private key in secret %s",
                d->account, d->secret_path);
        return r < 0 ? r : fill(p, idx, d, NULL, false,
                                o->secret_public_key, MODEL_NO_ACTION, e);
    }
    r = add(p, &idx, MODEL_OP_ACCOUNT_CREATE, MODEL_KEY_NEW, d, e,
            "service account %s does not exist; create it with a new "
            "RSA-2048 key pair", d->account);
    return r < 0 ? r : fill(p, idx, d, NULL, false, NULL, MODEL_NO_ACTION,
                            e);
}

/* The key is lost and the secret reconciler planned a new key pair. */
static int plan_rotate(const struct model_service *d,
                       const struct model_observed *o, struct model_plan *p,
                       size_t prod, struct err_info *e)
{
    struct model_action *a;
    size_t idx;
    int r;

    r = add(p, &idx, MODEL_OP_ACCOUNT_REPLACE, MODEL_KEY_NEW, d, e,
            "private key of service account %s is lost (secret %s %s) and "
            "policy keyLost is rotate; replace the account with the public "
            "key of the new key pair stored in secret %s", d->account,
            d->secret_path, rc_secret_problem(o), d->secret_path);
    if (r < 0)
        return r;
    a = &p->actions[idx];
    if (o->package == MODEL_PRESENT) {
        a->disruptive = true;
        r = rc_strdup(&a->disruption,
                      "the running scheduler cannot log in with the old key; "
                      "it restarts to read the new one", e);
        if (r < 0)
            return r;
    }
    return fill(p, idx, d, o->account_public_key, true, NULL, prod, e);
}

/* The key is lost and policy keyLost is fail: say how to get out. */
static int plan_key_lost(const struct model_service *d,
                         const struct model_observed *o,
                         struct model_plan *p, struct err_info *e)
{
    return rc_fail(p, RC_TYPE_ACCOUNT, d->account, e,
                   "private key of service account %s is lost (secret %s "
                   "%s) and policy keyLost is fail, so etls will not rotate "
                   "it. To proceed, either restore secret %s with the "
                   "account's private key (create-sa-secret format), or "
                   "set policies.keyLost to \"rotate\" in %s and run etls "
                   "apply again (a new key pair; the scheduler restarts to "
                   "read it)", d->account, d->secret_path,
                   rc_secret_problem(o), d->secret_path,
                   d->source ? d->source : "the desired-state document");
}

static int account_plan(const struct model_service *d,
                        const struct model_observed *o,
                        struct model_plan *p, struct err_info *e)
{
    size_t idx, before = p->n_actions, prod;
    int r;

    if (!rc_has_account(d))
        return 0;
    if (o->account == MODEL_UNKNOWN)
        return err_set(e, ERR_INVALID, "service account %s was not observed",
                       d->account);
    if (rc_has_secret(d) && o->secret == MODEL_UNKNOWN)
        return err_set(e, ERR_INVALID, "secret %s was not observed",
                       d->secret_path);

    prod = rc_find_key_producer(p);
    if (o->account == MODEL_ABSENT) {
        r = plan_absent(d, o, p, e);
    } else if (!o->account_is_service) {
        r = rc_fail(p, RC_TYPE_ACCOUNT, d->account, e,
                    "%s is a user account, not a service account",
                    d->account);
    } else if (!rc_has_secret(d)) {
        /* No secret to hold a private key: presence is all we manage. */
        r = 0;
    } else if (prod != MODEL_NO_ACTION) {
        r = plan_rotate(d, o, p, prod, e);
    } else if (rc_copy_possible(d, o)) {
        r = 0; /* the copied key is the account's */
    } else if (!rc_secret_usable(o)) {
        r = plan_key_lost(d, o, p, e);
    } else if (!rc_key_equal(o->account_public_key, o->secret_public_key)) {
        r = add(p, &idx, MODEL_OP_ACCOUNT_REPLACE, MODEL_KEY_FROM_SECRET, d,
                e, "public key does not match the private key in secret %s; "
                "the public key cannot be patched", d->secret_path);
        if (r == 0)
            r = fill(p, idx, d, o->account_public_key, true,
                     o->secret_public_key, MODEL_NO_ACTION, e);
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
