/*
 * The login flow of the client (call.h): password and service login, the
 * calls waiting for a token, and retries of a login that failed
 * transiently (retry.h).  The body of a login carries a secret: it is
 * built per attempt in a wiped buffer and never kept.
 */
#include "call.h"

#include <stdlib.h>
#include <string.h>

#include "common/jsonscan.h"
#include "common/util.h"
#include "dcos/json.h"
#include "dcos/keys.h"
#include "dcos/redact.h"

#define JWT_LIFETIME_S 300

bool dcos_login_possible(const struct dcos_client *c)
{
    return c->uid && (c->password || c->private_key);
}

void dcos_login_finish(struct dcos_client *c, const struct err_info *err,
                       long status)
{
    struct dcos_call *list = c->waiting, *k;
    struct dcos_login_waiter *w = c->login_waiters;

    c->waiting = NULL;
    c->login_waiters = NULL;
    while (w) {
        struct dcos_login_waiter *next = w->next;
        struct dcos_result res;

        memset(&res, 0, sizeof(res));
        res.status = status;
        res.err = *err;
        w->done(&res, w->payload);
        free(w);
        w = next;
    }
    /* Waiting calls are in reverse order of arrival: restore it. */
    {
        struct dcos_call *rev = NULL;

        while (list) {
            k = list;
            list = k->next;
            k->next = rev;
            rev = k;
        }
        list = rev;
    }
    while ((k = list)) {
        list = k->next;
        k->next = NULL;
        if (err->code)
            dcos_call_fail(k, err);
        else
            dcos_call_start_or_fail(k);
    }
}

static int login_submit(struct dcos_call *k);

static void login_fail(struct dcos_call *k, const struct err_info *e)
{
    struct dcos_client *c = k->c;

    c->login_inflight = false;
    dcos_call_free(k);
    dcos_login_finish(c, e, e->status);
}

static void login_retry_fire(void *arg, int cancel_code)
{
    struct dcos_call *k = arg;
    struct err_info e;
    int r;

    if (cancel_code) {
        dcos_call_retry_cancelled(&e, k, cancel_code);
        login_fail(k, &e);
        return;
    }
    r = login_submit(k);
    if (r) {
        memset(&e, 0, sizeof(e));
        err_set(&e, r, "login as %s failed: cannot submit a retry",
                k->c->uid);
        login_fail(k, &e);
    }
}

static void login_done(struct http_response *resp, void *payload)
{
    struct dcos_call *k = payload;
    struct dcos_client *c = k->c;
    struct err_info e;
    struct secret *tok = NULL;
    json_t *j = NULL;

    memset(&e, 0, sizeof(e));
    dcos_call_observe(k, resp->status);
    if (dcos_call_retry_later(k, resp, login_retry_fire))
        return;
    c->login_inflight = false;
    if (resp->err.code) {
        e = resp->err;
        err_set(&e, resp->err.code, "login as %s failed: %s", c->uid,
                resp->err.text);
    } else {
        const char *body = buf_str(&resp->body);

        if (resp->status != 200 &&
            dcos_call_looks_json(resp->content_type, body, resp->body.len))
            j = dcos_json_parse(body, resp->body.len);
        if (dcos_call_map_status(&e, k, resp->status, resp->content_type, j,
                                 body, resp->body.len) == 0) {
            if (jsonscan_secret_member(&tok, body, resp->body.len, "token") ==
                    0 &&
                tok->len == 0) {
                secret_free(tok);
                tok = NULL;
            }
            if (tok && !dcos_token_header_safe(tok)) {
                secret_free(tok);
                tok = NULL;
                err_set(&e, ERR_INVALID,
                        "login as %s failed: the token in the answer holds "
                        "a space or a control character", c->uid);
            } else if (!tok) {
                err_set(&e, ERR_INVALID,
                        "login as %s failed: no token in the answer",
                        c->uid);
            }
        }
    }
    json_decref(j);
    if (tok) {
        secret_free(c->token);
        c->token = tok;
        c->token_gen++;
        c->logins++;
    }
    e.status = (int)resp->status;
    dcos_call_note_attempts(&e, k);
    dcos_call_free(k);
    dcos_login_finish(c, &e, resp->status);
}

/*
 * One attempt of the login @k: the body is built from the client's
 * password or a new service-login JWT in a wiped buffer, copied into the
 * request (wiped after the transfer) and wiped at once, so a retry builds
 * it again and no copy outlives an attempt.
 */
static int login_submit(struct dcos_call *k)
{
    struct dcos_client *c = k->c;
    struct secret *jwt = NULL;
    struct http_request *req = NULL;
    int r;

    dcos_call_attempt_begin(k);
    buf_wipe_free(&k->body);
    r = buf_puts(&k->body, "{\"uid\":");
    if (r == 0)
        r = jsonscan_put_string(&k->body, c->uid, strlen(c->uid));
    if (r == 0 && c->password) {
        r = buf_puts(&k->body, ",\"password\":");
        if (r == 0)
            r = jsonscan_put_string(&k->body, (const char *)c->password->buf,
                                    c->password->len);
    } else if (r == 0) {
        r = dcos_jwt_rs256(&jwt, c->uid, c->private_key,
                           (long)util_now_wall() + JWT_LIFETIME_S);
        if (r == 0)
            r = buf_puts(&k->body, ",\"token\":");
        if (r == 0)
            r = jsonscan_put_string(&k->body, (const char *)jwt->buf, jwt->len);
        secret_free(jwt);
    }
    if (r == 0)
        r = buf_puts(&k->body, "}");
    if (r == 0)
        r = dcos_call_request(&req, k);
    buf_wipe_free(&k->body);
    if (r)
        return r;
    return http_loop_submit(c->loop, req, login_done, k);
}

int dcos_login_start(struct dcos_client *c)
{
    struct dcos_call *k;
    int r;

    if (c->login_inflight)
        return 0;
    if (!dcos_login_possible(c))
        return ERR_INVALID;
    k = dcos_call_new(c, DCOS_CALL_LOGIN, "POST", NULL, NULL);
    if (!k)
        return ERR_NOMEM;
    k->ctype = MT_JSON;
    k->accept = MT_JSON;
    k->no_auth = true;
    k->has_body = true;
    k->body_secret = true;
    k->retry_safe = true;
    k->path = strdup("/acs/api/v1/auth/login");
    r = k->path ? login_submit(k) : ERR_NOMEM;
    if (r) {
        dcos_call_free(k);
        return r;
    }
    c->login_inflight = true;
    return 0;
}
