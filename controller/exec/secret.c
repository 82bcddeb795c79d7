/*
 * Executor of the service-account secret: SECRET_CREATE and SECRET_UPDATE
 * (docs/plan.md, "secret_create").  The value is the create-sa-secret JSON
 * around either a new key pair this action makes (key NEW: its output, for
 * the account action) or the private key a stored secret already holds
 * (FROM_SECRET: params.source_path, or the secret itself, read again and
 * rewritten).  When the scheduler must restart to read the value, the
 * pending-restart record params.restart_marker is written first.  Private
 * keys only ever live in wiped buffers.
 */
#include "controller/exec/secret.h"

#include "common/sa_secret.h"
#include "dcos/client.h"

/* How the value is sent; a PUT that meets a 409 becomes a PATCH, a PATCH
 * that meets a 404 a PUT (someone else created or deleted it). */
enum secret_method {
    SECRET_PUT = 0,
    SECRET_PATCH
};

/* PUT <-> PATCH switches per attempt: someone racing us is bounded. */
#define SECRET_MAX_FLIPS 2u

struct secret_state {
    enum secret_method method;
    unsigned flips;
};

static void begin(struct exec_ctx *x, enum secret_method m);

static const struct model_secret_params *params(const struct exec_ctx *x)
{
    return &exec_action(x)->params.secret;
}

static void on_write(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;
    struct secret_state *st = exec_state(x);

    if (((st->method == SECRET_PUT && r->err.code == ERR_CONFLICT) ||
         (st->method == SECRET_PATCH && r->err.code == ERR_NOTFOUND)) &&
        st->flips++ < SECRET_MAX_FLIPS) {
        begin(x, st->method == SECRET_PUT ? SECRET_PATCH : SECRET_PUT);
        return;
    }
    if (r->err.code) {
        exec_retry(x, &r->err, NULL);
        return;
    }
    exec_done(x);
}

static void send_value(struct exec_ctx *x, const struct secret *value)
{
    struct secret_state *st = exec_state(x);

    if (st->method == SECRET_PUT)
        exec_check(x,
                   dcos_secret_put(exec_client(x), params(x)->path, value,
                                   on_write, x),
                   "PUT secret");
    else
        exec_check(x,
                   dcos_secret_patch(exec_client(x), params(x)->path, value,
                                     on_write, x),
                   "PATCH secret");
}

static void on_reread(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;
    struct secret *value = NULL;

    if (r->err.code || !r->secret) {
        exec_retry(x, &r->err, "reading the secret again");
        return;
    }
    /* Keep the private key; rewrite uid, scheme and login_endpoint. */
    if (sa_secret_rewrite(&value, r->secret, params(x)->uid,
                               params(x)->login_endpoint)) {
        exec_fail(x, "the secret changed since it was observed: it holds "
                     "no usable private key any more");
        return;
    }
    send_value(x, value);
    secret_free(value);
}

/* Build the value and send it with method @m. */
static void begin(struct exec_ctx *x, enum secret_method m)
{
    const struct model_secret_params *sp = params(x);
    struct secret_state *st = exec_state(x);
    const struct secret *priv;
    struct secret *value = NULL;
    int r;

    st->method = m;
    if (exec_action(x)->key_source != MODEL_KEY_NEW) {
        exec_check(x,
                   dcos_secret_get(exec_client(x),
                                   sp->source_path ? sp->source_path
                                                   : sp->path,
                                   on_reread, x),
                   "GET secret");
        return;
    }
    priv = exec_key_pair_private(x, exec_index(x));
    if (!priv) {
        exec_fail(x, "no key pair was made for the secret");
        return;
    }
    r = sa_secret_build(&value, sp->uid, priv, sp->login_endpoint);
    if (r) {
        exec_fail(x, "cannot build the secret value: %s", err_name(r));
        return;
    }
    send_value(x, value);
    secret_free(value);
}

static void write_value(struct exec_ctx *x)
{
    begin(x, exec_action(x)->op == MODEL_OP_SECRET_CREATE ? SECRET_PUT
                                                          : SECRET_PATCH);
}

static void on_marker(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;

    /* 409: a record an earlier run left is as good as a new one. */
    if (r->err.code && r->err.code != ERR_CONFLICT) {
        exec_retry(x, &r->err, "writing the pending-restart record");
        return;
    }
    write_value(x);
}

/*
 * The pending-restart record goes first: a crash after the value is
 * written leaves it, and the next run restarts the scheduler.
 */
static void write_marker(struct exec_ctx *x)
{
    const struct model_secret_params *sp = params(x);
    struct secret *rec;
    int r;

    if (!sp->restart_marker) {
        write_value(x);
        return;
    }
    rec = secret_new_str("{\"etls\":\"the scheduler must restart to read "
                         "its service-account secret\"}");
    if (!rec) {
        exec_fail(x, "out of memory");
        return;
    }
    r = dcos_secret_put(exec_client(x), sp->restart_marker, rec, on_marker,
                        x);
    secret_free(rec);
    exec_check(x, r, "PUT pending-restart record");
}

static void secret_start(struct exec_ctx *x)
{
    if (exec_action(x)->output == MODEL_OUTPUT_KEY_PAIR)
        exec_key_pair_make(x, write_marker);
    else
        write_marker(x);
}

const struct executor_ops executor_secret_create = {
    .version = EXECUTOR_OPS_VERSION,
    .op = MODEL_OP_SECRET_CREATE,
    .state_size = sizeof(struct secret_state),
    .start = secret_start,
};

const struct executor_ops executor_secret_update = {
    .version = EXECUTOR_OPS_VERSION,
    .op = MODEL_OP_SECRET_UPDATE,
    .state_size = sizeof(struct secret_state),
    .start = secret_start,
};
