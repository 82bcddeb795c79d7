/*
 * Executor of the service account: ACCOUNT_CREATE and ACCOUNT_REPLACE
 * (docs/plan.md, "account_create").  The public key written is
 * params.public_key (FROM_SECRET), the public half of the key pair made by
 * the action params.key_from (the secret that stores its private key), or,
 * for an account without a secret, of the key pair this action makes.
 */
#include "controller/exec/account.h"

#include <stdlib.h>

#include "common/key.h"
#include "dcos/client.h"
#include "dcos/parse.h"

static const struct model_account_params *params(const struct exec_ctx *x)
{
    return &exec_action(x)->params.account;
}

/* The public key this action writes (borrowed), or NULL. */
static const char *public_key(const struct exec_ctx *x)
{
    if (exec_action(x)->key_source != MODEL_KEY_NEW)
        return params(x)->public_key;
    if (params(x)->key_from != MODEL_NO_ACTION)
        return exec_key_pair_public(x, params(x)->key_from);
    return exec_key_pair_public(x, exec_index(x));
}

static void on_existing(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;
    struct dcos_user *u = NULL;
    const char *want = public_key(x);

    if (r->err.code) {
        exec_retry(x, &r->err, "reading the existing account");
        return;
    }
    if (dcos_parse_user(&u, r->json) || !u->public_key || !want ||
        key_public_equal(u->public_key, want) != 1) {
        dcos_user_free(u);
        exec_fail(x, "the account was created concurrently with another "
                     "public key; run etls again");
        return;
    }
    dcos_user_free(u);
    exec_note(x, "Adopted the existing account (same public key)");
    exec_done(x);
}

static void on_put(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;

    if (r->err.code == ERR_CONFLICT) {
        exec_check(x,
                   dcos_iam_user_get(exec_client(x), params(x)->uid,
                                     on_existing, x),
                   "GET user");
        return;
    }
    if (r->err.code) {
        exec_retry(x, &r->err, NULL);
        return;
    }
    exec_done(x);
}

static void put(struct exec_ctx *x)
{
    const char *pub = public_key(x);

    if (!pub) {
        exec_fail(x, "no public key to create the account with");
        return;
    }
    exec_check(x,
               dcos_iam_user_put(exec_client(x), params(x)->uid,
                                 params(x)->description, pub, on_put, x),
               "PUT user");
}

static void on_delete(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;

    if (r->err.code && r->err.code != ERR_NOTFOUND) {
        exec_retry(x, &r->err, "deleting the old account");
        return;
    }
    put(x);
}

/* Write the account: delete the old one first when replacing. */
static void write_account(struct exec_ctx *x)
{
    if (exec_action(x)->op == MODEL_OP_ACCOUNT_REPLACE)
        exec_check(x,
                   dcos_iam_user_delete(exec_client(x), params(x)->uid,
                                        on_delete, x),
                   "DELETE user");
    else
        put(x);
}

static void account_start(struct exec_ctx *x)
{
    if (exec_action(x)->output == MODEL_OUTPUT_KEY_PAIR)
        exec_key_pair_make(x, write_account);
    else
        write_account(x);
}

const struct executor_ops executor_account_create = {
    .version = EXECUTOR_OPS_VERSION,
    .op = MODEL_OP_ACCOUNT_CREATE,
    .start = account_start,
};

const struct executor_ops executor_account_replace = {
    .version = EXECUTOR_OPS_VERSION,
    .op = MODEL_OP_ACCOUNT_REPLACE,
    .start = account_start,
};
