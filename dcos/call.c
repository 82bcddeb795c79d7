#include "call.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "dcos/json.h"
#include "dcos/parse.h"
#include "dcos/redact.h"

#define BODY_MAX (4u * 1024u * 1024u)

/* ------------------------------------------------------------------ */
/* status mapping                                                      */

static bool is_html(const char *ctype)
{
    return ctype && strncasecmp(ctype, "text/html", 9) == 0;
}

/*
 * Make @text, a summary of a server's answer to @k, safe to print: the
 * client's password, token and private key and a secret write's body are
 * known secrets (redact.h).
 */
static void call_redact(const struct dcos_call *k, char *text, size_t cap)
{
    struct secret body = { (unsigned char *)k->body.data, k->body.len };
    const struct secret *known[4] = { k->c->password, k->c->token,
                                      k->c->private_key, NULL };

    /* A secret write's body (a key); a login body holds the uid too. */
    if (k->body_secret && k->kind != DCOS_CALL_LOGIN && k->body.data)
        known[3] = &body;
    dcos_redact_text(text, cap, known, 4);
}

int dcos_call_map_status(struct err_info *e, const struct dcos_call *k,
                         long status, const char *ctype, const json_t *json,
                         const char *body, size_t len)
{
    struct dcos_cosmos_error *ce = NULL;
    struct dcos_iam_error ie;
    char summary[128];
    int code;
    size_t i;

    for (i = 0; i < k->n_ok; i++)
        if (status == k->ok_status[i])
            return 0;
    if (status >= 200 && status < 300)
        return 0;

    summary[0] = '\0';
    memset(&ie, 0, sizeof(ie));
    if (json && dcos_parse_iam_error(&ie, json) == 0) {
        snprintf(summary, sizeof(summary), "%s (%s)",
                 ie.description ? ie.description
                                : ie.title ? ie.title : "IAM error",
                 ie.code);
    } else if (json && dcos_parse_cosmos_error(&ce, json) == 0) {
        dcos_cosmos_error_format(ce, summary, sizeof(summary));
    } else if (json && json_is_string(json_object_get(json, "message"))) {
        snprintf(summary, sizeof(summary), "%s",
                 json_string_value(json_object_get(json, "message")));
    } else if (!json) {
        dcos_text_summary(summary, sizeof(summary), body, len);
    }
    for (i = 0; summary[i]; i++)
        if ((unsigned char)summary[i] < 0x20)
            summary[i] = ' ';
    call_redact(k, summary, sizeof(summary));

    if (status == 401 || status == 403) {
        code = ERR_AUTH;
    } else if (status == 404 && k->hint_404) {
        code = ERR_INVALID;
    } else if (status == 404) {
        /* Admin Router answers for an SDK scheduler that is restarting. */
        code = k->kind == DCOS_CALL_SDK && is_html(ctype) ? ERR_TRANSIENT
                                                  : ERR_NOTFOUND;
    } else if (status == 409) {
        code = ERR_CONFLICT;
    } else if (status == 429 || (status >= 500 && status <= 599)) {
        code = ERR_TRANSIENT;
    } else if (status == 400 && ie.code &&
               util_has_prefix(ie.code, "ERR_UNKNOWN_")) {
        code = ERR_NOTFOUND;
    } else if (status == 400 && ce &&
               (strcmp(ce->type, "MarathonAppNotFound") == 0 ||
                strcmp(ce->type, "PackageNotFound") == 0 ||
                strcmp(ce->type, "VersionNotFound") == 0)) {
        code = ERR_NOTFOUND;
    } else {
        code = ERR_INVALID;
    }
    if (k->kind == DCOS_CALL_LOGIN)
        err_set(e, code, "login as %s failed: %s%sHTTP %ld", k->c->uid,
                summary, *summary ? " - " : "", status);
    else if (status == 404 && k->hint_404)
        err_set(e, code, "%s%sHTTP 404 on %s %s: %s", summary,
                *summary ? " - " : "", k->method, k->path, k->hint_404);
    else
        err_set(e, code, "%s%sHTTP %ld on %s %s", summary,
                *summary ? " - " : "", status, k->method, k->path);
    e->status = (int)status;
    dcos_iam_error_clear(&ie);
    dcos_cosmos_error_free(ce);
    return code;
}

bool dcos_call_looks_json(const char *ctype, const char *body, size_t len)
{
    size_t i;

    if (ctype)
        return strstr(ctype, "json") != NULL;
    for (i = 0; i < len; i++) {
        if (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' ||
            body[i] == '\t')
            continue;
        return body[i] == '{' || body[i] == '[';
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* calls                                                               */

void dcos_call_note_attempts(struct err_info *e, const struct dcos_call *k)
{
    char head[160], rest[sizeof(e->text)];
    double took = util_now_mono() - k->started;
    size_t n = strlen(e->text), len;
    int h;

    if (k->attempts < 2 || !err_is_retryable(e->code))
        return;
    if (k->kind != DCOS_CALL_LOGIN) {
        snprintf(e->text + n, sizeof(e->text) - n,
                 " (%u attempts in %.1f s)", k->attempts, took);
        return;
    }
    /* "login as U failed after N attempts in S s: <last outcome>" */
    h = snprintf(head, sizeof(head), "login as %s failed: ", k->c->uid);
    if (h <= 0 || (size_t)h >= sizeof(head) ||
        strncmp(e->text, head, (size_t)h) != 0)
        return;
    memcpy(rest, e->text + h, n - (size_t)h + 1);
    h = snprintf(e->text, sizeof(e->text),
                 "login as %s failed after %u attempts in %.1f s: ",
                 k->c->uid, k->attempts, took);
    if (h <= 0 || (size_t)h >= sizeof(e->text))
        return;
    len = strlen(rest);
    if (len > sizeof(e->text) - (size_t)h - 1)
        len = sizeof(e->text) - (size_t)h - 1;
    memcpy(e->text + h, rest, len);
    e->text[(size_t)h + len] = '\0';
}

static void call_complete(struct dcos_call *k, struct dcos_result *res)
{
    res->attempts = k->attempts;
    dcos_call_note_attempts(&res->err, k);
    k->done(res, k->payload);
    dcos_call_free(k);
}

static const char *call_api(const struct dcos_call *k)
{
    switch (k->kind) {
    case DCOS_CALL_IAM:
    case DCOS_CALL_LOGIN: return "iam";
    case DCOS_CALL_SECRETS: return "secrets";
    case DCOS_CALL_COSMOS: return "cosmos";
    case DCOS_CALL_SDK: return "sdk";
    case DCOS_CALL_MARATHON: return "marathon";
    default: break;
    }
    return k->path && strncmp(k->path, "/ca/", 4) == 0 ? "ca" : "metadata";
}

void dcos_call_observe(const struct dcos_call *k, long status)
{
    struct dcos_request_event ev;

    if (!k->c->observer)
        return;
    ev.api = call_api(k);
    ev.method = k->method;
    ev.status = status;
    k->c->observer(&ev, k->c->observer_payload);
}

void dcos_call_attempt_begin(struct dcos_call *k)
{
    if (k->attempts++ == 0) {
        k->started = util_now_mono();
        k->deadline = k->started + dcos_retry_bound(&k->c->retry);
    }
}

bool dcos_call_retry_later(struct dcos_call *k,
                           const struct http_response *resp,
                           http_defer_fn fire)
{
    struct dcos_client *c = k->c;
    double delay;

    /*
     * A 502/503 of an SDK scheduler means it is (re)starting: its callers
     * watch for that and wait it out themselves (observation: the plan is
     * unknown; the rollout wait: progress, cancel and its own timeout).
     */
    if (!k->retry_safe || k->kind == DCOS_CALL_SDK ||
        !dcos_retry_transient(resp->err.code, resp->status))
        return false;
    delay = dcos_retry_delay(&c->retry, k->attempts, util_now_mono(),
                             k->deadline);
    if (delay < 0)
        return false;
    if (resp->err.code)
        k->last_err = resp->err;
    else
        err_set(&k->last_err, ERR_TRANSIENT, "HTTP %ld on %s %s",
                resp->status, k->method, k->path);
    return http_loop_defer(c->loop, delay, fire, k) == 0;
}

void dcos_call_retry_cancelled(struct err_info *e, const struct dcos_call *k,
                               int code)
{
    memset(e, 0, sizeof(*e));
    err_set(e, code, "cancelled before a retry; last attempt: %s",
            k->last_err.text);
    e->status = k->last_err.status;
}

static void call_retry_fire(void *arg, int cancel_code)
{
    struct dcos_call *k = arg;
    struct err_info e;

    if (cancel_code) {
        dcos_call_retry_cancelled(&e, k, cancel_code);
        dcos_call_fail(k, &e);
        return;
    }
    dcos_call_start_or_fail(k);
}

void dcos_call_fail(struct dcos_call *k, const struct err_info *err)
{
    struct dcos_result res;

    memset(&res, 0, sizeof(res));
    res.err = *err;
    call_complete(k, &res);
}

void dcos_call_start_or_fail(struct dcos_call *k)
{
    struct err_info e;
    int r = dcos_call_start(k);

    if (r) {
        memset(&e, 0, sizeof(e));
        err_set(&e, r, "cannot submit %s %s", k->method, k->path);
        dcos_call_fail(k, &e);
    }
}

struct dcos_call *dcos_call_new(struct dcos_client *c, enum dcos_call_kind kind,
                                const char *method, dcos_done_fn done,
                                void *payload)
{
    struct dcos_call *k = calloc(1, sizeof(*k));

    if (!k)
        return NULL;
    k->c = c;
    k->kind = kind;
    k->method = method;
    k->done = done;
    k->payload = payload;
    k->retry_safe = strcmp(method, "GET") == 0;
    buf_init(&k->body, BODY_MAX);
    return k;
}

void dcos_call_free(struct dcos_call *k)
{
    if (!k)
        return;
    free(k->path);
    if (k->body_secret)
        buf_wipe_free(&k->body);
    else
        buf_free(&k->body);
    free(k);
}

int dcos_call_request(struct http_request **out, const struct dcos_call *k)
{
    struct dcos_client *c = k->c;
    struct http_request *req = NULL;
    struct buf url;
    int r;

    buf_init(&url, DCOS_PATH_MAX * 2);
    r = buf_printf(&url, "%s%s", c->url, k->path);
    if (r == 0)
        r = http_request_new(&req, k->method, buf_str(&url));
    buf_free(&url);
    if (r)
        return r;
    if (k->ctype)
        r = http_request_add_header(req, "Content-Type", k->ctype);
    if (r == 0 && k->accept)
        r = http_request_add_header(req, "Accept", k->accept);
    if (r == 0 && !k->no_auth && c->token)
        r = http_request_add_secret_header(req, "Authorization", "token=",
                                           c->token);
    if (r == 0 && k->has_body)
        r = http_request_set_body(req, k->body.data, k->body.len,
                                  k->body_secret);
    if (r == 0 && c->ca)
        http_request_set_ca_blob(req, c->ca);
    else if (r == 0 && c->ca_file)
        r = http_request_set_ca_file(req, c->ca_file);
    if (r) {
        http_request_free(req);
        return r;
    }
    if (c->insecure)
        http_request_set_insecure(req);
    if (k->resp_secret || k->body_secret || k->sensitive)
        http_request_set_sensitive(req);
    /* libcurl replays a request once when a reused connection dies before
     * any answer byte, even after the request went out: a write takes a
     * fresh connection so that it reaches the cluster at most once. */
    if (!k->retry_safe)
        http_request_fresh_connection(req);
    http_request_set_timeouts(req, c->connect_timeout_ms, c->timeout_ms);
    http_request_set_max_response(req, c->max_response);
    *out = req;
    return 0;
}

static void call_http_done(struct http_response *resp, void *payload)
{
    struct dcos_call *k = payload;
    struct dcos_client *c = k->c;
    struct dcos_result res;
    struct secret *value = NULL;
    json_t *j = NULL;
    const char *body = buf_str(&resp->body);
    size_t len = resp->body.len;

    dcos_call_observe(k, resp->status);
    if (dcos_call_retry_later(k, resp, call_retry_fire))
        return;
    /* 401 with credentials at hand: log in again once and replay. */
    if (!resp->err.code && resp->status == 401 && !k->no_auth &&
        !k->replayed && dcos_login_possible(c)) {
        k->replayed = true;
        if (k->token_gen != c->token_gen) {
            dcos_call_start_or_fail(k);
            return;
        }
        k->next = c->waiting;
        c->waiting = k;
        if (dcos_login_start(c)) {
            struct err_info e;

            memset(&e, 0, sizeof(e));
            err_set(&e, ERR_AUTH, "cannot start a login as %s", c->uid);
            dcos_login_finish(c, &e, 0);
        }
        return;
    }

    memset(&res, 0, sizeof(res));
    res.status = resp->status;
    res.content_type = resp->content_type;
    if (resp->err.code) {
        res.err = resp->err;
        call_complete(k, &res);
        return;
    }
    if (len > 0 && dcos_call_looks_json(resp->content_type, body, len) &&
        !(k->resp_secret && resp->status == 200))
        j = k->keep && resp->status >= 200 && resp->status < 300
                ? dcos_json_parse_projected(body, len, k->keep, k->n_keep)
                : dcos_json_parse(body, len);
    if (dcos_call_map_status(&res.err, k, resp->status, resp->content_type, j,
                             body, len) == 0) {
        if (k->resp_secret) {
            int r = dcos_parse_secret_value(&value, body, len);

            if (r)
                err_set(&res.err, r, "secret at %s is not a text secret",
                        k->path);
            res.secret = value;
        } else if (k->check_pem) {
            size_t n;

            if (dcos_parse_ca_pem(&n, body, len))
                err_set(&res.err, ERR_INVALID,
                        "%s did not return a PEM certificate bundle",
                        k->path);
        }
    }
    if (!k->resp_secret) {
        res.json = j;
        res.body = body;
        res.body_len = len;
    }
    call_complete(k, &res);
    secret_free(value);
    json_decref(j);
}

int dcos_call_start(struct dcos_call *k)
{
    struct http_request *req;
    int r;

    dcos_call_attempt_begin(k);
    r = dcos_call_request(&req, k);
    if (r)
        return r;
    k->token_gen = k->c->token_gen;
    return http_loop_submit(k->c->loop, req, call_http_done, k);
}

int dcos_call_go(struct dcos_call *k)
{
    struct dcos_client *c = k->c;
    int r;

    if (!k->no_auth && !c->token && dcos_login_possible(c)) {
        r = dcos_login_start(c);
        if (r) {
            dcos_call_free(k);
            return r;
        }
        k->next = c->waiting;
        c->waiting = k;
        return 0;
    }
    r = dcos_call_start(k);
    if (r)
        dcos_call_free(k);
    return r;
}

int dcos_call_simple(struct dcos_client *c, enum dcos_call_kind kind,
                     const char *method, const char *accept,
                     const struct dcos_path_seg *segs, size_t nsegs,
                     dcos_done_fn done, void *payload, struct dcos_call **out)
{
    struct dcos_call *k = dcos_call_new(c, kind, method, done, payload);
    int r;

    if (!k)
        return ERR_NOMEM;
    r = dcos_path_build(&k->path, segs, nsegs);
    if (r) {
        dcos_call_free(k);
        return r;
    }
    k->accept = accept;
    k->sensitive = kind == DCOS_CALL_MARATHON; /* app env: passwords */
    if (!out)
        return dcos_call_go(k);
    *out = k;
    return 0;
}

void dcos_call_ok_also(struct dcos_call *k, long status)
{
    if (k->n_ok < sizeof(k->ok_status) / sizeof(k->ok_status[0]))
        k->ok_status[k->n_ok++] = status;
}

int dcos_call_go_json(struct dcos_call *k, const char *ctype, json_t *body)
{
    char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
    int r = s ? buf_puts(&k->body, s) : ERR_NOMEM;

    json_decref(body);
    free(s);
    if (r) {
        dcos_call_free(k);
        return r;
    }
    k->ctype = ctype;
    k->has_body = true;
    return dcos_call_go(k);
}
