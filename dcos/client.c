#include "client.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/buf.h"
#include "common/util.h"
#include "common/jsonscan.h"
#include "dcos/json.h"
#include "dcos/keys.h"
#include "dcos/loop.h"
#include "dcos/parse.h"

#define MT_COSMOS_ERROR                                                       \
    "application/vnd.dcos.package.error+json;charset=utf-8;version=v1"
#define MT_JSON "application/json"
#define MT(kind, v)                                                           \
    "application/vnd.dcos." kind "+json;charset=utf-8;version=" v

#define PATH_MAX_LEN 4096u
#define BODY_MAX (4u * 1024u * 1024u)
#define JWT_LIFETIME_S 300

/* Which API a call talks to: decides the error-body summary and 404s. */
enum call_kind {
    K_PLAIN = 0,
    K_IAM,
    K_SECRETS,
    K_COSMOS,
    K_SDK,
    K_MARATHON,
    K_LOGIN
};

struct call {
    struct dcos_client *c;
    enum call_kind kind;
    const char *method;        /* static */
    char *path;                /* with query, already encoded */
    const char *ctype;         /* static or NULL */
    const char *accept;        /* static or NULL */
    struct buf body;
    bool has_body;
    bool body_secret;
    bool resp_secret;          /* secret GET */
    bool sensitive;            /* bodies may hold passwords: not traced,
                                  response wiped (Cosmos options) */
    bool no_auth;
    bool check_pem;            /* CA bundle */
    long ok_status[3];
    size_t n_ok;
    dcos_done_fn done;
    void *payload;
    bool replayed;
    unsigned token_gen;
    struct call *next;
};

struct login_waiter {
    dcos_done_fn done;
    void *payload;
    struct login_waiter *next;
};

struct dcos_client {
    char *url;
    char *ca_file;
    char *ca_pem;
    bool insecure;
    struct secret *token;
    char *uid;
    struct secret *password;
    struct secret *private_key;
    long connect_timeout_ms;
    long timeout_ms;
    size_t max_response;
    struct http_loop *loop;
    bool own_loop;
    bool login_inflight;
    unsigned token_gen;
    unsigned logins;
    struct call *waiting;             /* calls waiting for a token */
    struct login_waiter *login_waiters;
};

static int call_start(struct call *k);

/* ------------------------------------------------------------------ */
/* set-up                                                              */

int dcos_global_init(void)
{
    return http_global_init();
}

void dcos_global_cleanup(void)
{
    http_global_cleanup();
}

static int copy_secret(struct secret **out, const struct secret *s)
{
    *out = NULL;
    if (!s)
        return 0;
    *out = secret_new(s->buf, s->len);
    return *out ? 0 : ERR_NOMEM;
}

int dcos_client_new(struct dcos_client **out,
                    const struct dcos_client_options *o,
                    struct http_loop *loop, struct err_info *err)
{
    struct dcos_client *c;
    size_t n;
    int r;

    if (!o->url || !(util_has_prefix(o->url, "https://") ||
                     (o->insecure && util_has_prefix(o->url, "http://"))))
        return err_set(err, ERR_INVALID,
                       "cluster URL must start with https://");
    if (!o->insecure && !o->ca_file && !o->ca_pem)
        return err_set(err, ERR_INVALID,
                       "no trust configured: give a CA certificate file");
    if ((o->password || o->private_key) && (!o->uid || !*o->uid))
        return err_set(err, ERR_INVALID, "login credentials need a uid");
    if (o->password && o->private_key)
        return err_set(err, ERR_INVALID,
                       "give either a password or a private key, not both");
    c = calloc(1, sizeof(*c));
    if (!c)
        return err_set(err, ERR_NOMEM, "out of memory");
    c->url = strdup(o->url);
    if (!c->url)
        goto nomem;
    n = strlen(c->url);
    while (n > 0 && c->url[n - 1] == '/')
        c->url[--n] = '\0';
    if ((o->ca_file && !(c->ca_file = strdup(o->ca_file))) ||
        (o->ca_pem && !(c->ca_pem = strdup(o->ca_pem))) ||
        (o->uid && !(c->uid = strdup(o->uid))))
        goto nomem;
    c->insecure = o->insecure;
    if (copy_secret(&c->token, o->token) ||
        copy_secret(&c->password, o->password) ||
        copy_secret(&c->private_key, o->private_key))
        goto nomem;
    c->connect_timeout_ms = o->connect_timeout_ms;
    c->timeout_ms = o->timeout_ms;
    c->max_response = o->max_response;
    if (loop) {
        c->loop = loop;
    } else {
        r = http_loop_new(&c->loop, NULL, o->max_connections);
        if (r) {
            dcos_client_free(c);
            return err_set(err, r, "cannot create the HTTP loop");
        }
        c->own_loop = true;
    }
    *out = c;
    return 0;
nomem:
    dcos_client_free(c);
    return err_set(err, ERR_NOMEM, "out of memory");
}

static void call_free(struct call *k)
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

void dcos_client_free(struct dcos_client *c)
{
    struct call *k;
    struct login_waiter *w;

    if (!c)
        return;
    if (c->own_loop)
        http_loop_free(c->loop);
    /* Calls still waiting for a login never reached the loop. */
    while ((k = c->waiting)) {
        struct dcos_result res;

        c->waiting = k->next;
        memset(&res, 0, sizeof(res));
        err_set(&res.err, ERR_INTERNAL, "client freed before the call ran");
        k->done(&res, k->payload);
        call_free(k);
    }
    while ((w = c->login_waiters)) {
        struct dcos_result res;

        c->login_waiters = w->next;
        memset(&res, 0, sizeof(res));
        err_set(&res.err, ERR_INTERNAL, "client freed before the login");
        w->done(&res, w->payload);
        free(w);
    }
    free(c->url);
    free(c->ca_file);
    free(c->ca_pem);
    free(c->uid);
    secret_free(c->token);
    secret_free(c->password);
    secret_free(c->private_key);
    free(c);
}

struct http_loop *dcos_client_loop(struct dcos_client *c)
{
    return c->loop;
}

const char *dcos_client_url(const struct dcos_client *c)
{
    return c->url;
}

int dcos_client_set_ca_pem(struct dcos_client *c, const char *pem)
{
    char *p = strdup(pem);

    if (!p)
        return ERR_NOMEM;
    free(c->ca_pem);
    c->ca_pem = p;
    free(c->ca_file);
    c->ca_file = NULL;
    c->insecure = false;
    return 0;
}

void dcos_client_set_trace(struct dcos_client *c, FILE *out)
{
    http_loop_set_trace(c->loop, out);
}

int dcos_client_has_token(const struct dcos_client *c)
{
    return c->token != NULL;
}

unsigned dcos_client_logins(const struct dcos_client *c)
{
    return c->logins;
}

int dcos_client_run(struct dcos_client *c, double timeout_s)
{
    return http_loop_run(c->loop, timeout_s > 0
                                      ? util_now_mono() + timeout_s
                                      : 0);
}

static bool can_login(const struct dcos_client *c)
{
    return c->uid && (c->password || c->private_key);
}

/* ------------------------------------------------------------------ */
/* status mapping                                                      */

static bool is_html(const char *ctype)
{
    return ctype && strncasecmp(ctype, "text/html", 9) == 0;
}

/*
 * The one mapping from an HTTP status (and the error body) to enum err.
 * Returns the code and fills @e; 0 means the status is a success for this
 * call.
 */
static int map_status(struct err_info *e, const struct call *k, long status,
                      const char *ctype, const json_t *json,
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

    if (status == 401 || status == 403) {
        code = ERR_AUTH;
    } else if (status == 404) {
        /* Admin Router answers for an SDK scheduler that is restarting. */
        code = k->kind == K_SDK && is_html(ctype) ? ERR_TRANSIENT
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
    if (k->kind == K_LOGIN)
        err_set(e, code, "login as %s failed: %s%sHTTP %ld", k->c->uid,
                summary, *summary ? " - " : "", status);
    else
        err_set(e, code, "%s%sHTTP %ld on %s %s", summary,
                *summary ? " - " : "", status, k->method, k->path);
    e->status = (int)status;
    dcos_iam_error_clear(&ie);
    dcos_cosmos_error_free(ce);
    return code;
}

static bool looks_json(const char *ctype, const char *body, size_t len)
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

static void call_complete(struct call *k, struct dcos_result *res)
{
    k->done(res, k->payload);
    call_free(k);
}

static void call_fail(struct call *k, const struct err_info *err)
{
    struct dcos_result res;

    memset(&res, 0, sizeof(res));
    res.err = *err;
    call_complete(k, &res);
}

/* Start @k; on failure complete it with the error (async context). */
static void call_start_or_fail(struct call *k)
{
    struct err_info e;
    int r = call_start(k);

    if (r) {
        memset(&e, 0, sizeof(e));
        err_set(&e, r, "cannot submit %s %s", k->method, k->path);
        call_fail(k, &e);
    }
}

static void login_finish(struct dcos_client *c, const struct err_info *err,
                         long status)
{
    struct call *list = c->waiting, *k;
    struct login_waiter *w = c->login_waiters;

    c->waiting = NULL;
    c->login_waiters = NULL;
    while (w) {
        struct login_waiter *next = w->next;
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
        struct call *rev = NULL;

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
            call_fail(k, err);
        else
            call_start_or_fail(k);
    }
}

static void login_done(struct http_response *resp, void *payload)
{
    struct call *k = payload;
    struct dcos_client *c = k->c;
    struct err_info e;
    struct secret *tok = NULL;
    json_t *j = NULL;

    memset(&e, 0, sizeof(e));
    c->login_inflight = false;
    if (resp->err.code) {
        e = resp->err;
        err_set(&e, resp->err.code, "login as %s failed: %s", c->uid,
                resp->err.text);
    } else {
        const char *body = buf_str(&resp->body);

        if (resp->status != 200 &&
            looks_json(resp->content_type, body, resp->body.len))
            j = dcos_json_parse(body, resp->body.len);
        if (map_status(&e, k, resp->status, resp->content_type, j, body,
                       resp->body.len) == 0) {
            if (jsonscan_secret_member(&tok, body, resp->body.len,
                                        "token") == 0 &&
                tok->len == 0) {
                secret_free(tok);
                tok = NULL;
            }
            if (!tok)
                err_set(&e, ERR_INVALID,
                        "login as %s failed: no token in the answer",
                        c->uid);
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
    call_free(k);
    login_finish(c, &e, resp->status);
}

static struct call *call_new(struct dcos_client *c, enum call_kind kind,
                             const char *method, dcos_done_fn done,
                             void *payload)
{
    struct call *k = calloc(1, sizeof(*k));

    if (!k)
        return NULL;
    k->c = c;
    k->kind = kind;
    k->method = method;
    k->done = done;
    k->payload = payload;
    buf_init(&k->body, BODY_MAX);
    return k;
}

/*
 * The HTTP request of @k (new): URL, media types, the token unless
 * k->no_auth, the body, the cluster trust, redaction, timeouts and the
 * response cap.  0 or a negative err.
 */
static int call_request(struct http_request **out, const struct call *k)
{
    struct dcos_client *c = k->c;
    struct http_request *req = NULL;
    struct buf url;
    int r;

    buf_init(&url, PATH_MAX_LEN * 2);
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
    if (r == 0 && c->ca_pem)
        r = http_request_set_ca_pem(req, c->ca_pem);
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
    http_request_set_timeouts(req, c->connect_timeout_ms, c->timeout_ms);
    http_request_set_max_response(req, c->max_response);
    *out = req;
    return 0;
}

/* Start a login unless one is running.  0 or a negative err. */
static int login_start(struct dcos_client *c)
{
    struct call *k;
    struct secret *jwt = NULL;
    struct http_request *req = NULL;
    int r;

    if (c->login_inflight)
        return 0;
    if (!can_login(c))
        return ERR_INVALID;
    k = call_new(c, K_LOGIN, "POST", NULL, NULL);
    if (!k)
        return ERR_NOMEM;
    k->ctype = MT_JSON;
    k->accept = MT_JSON;
    k->no_auth = true;
    k->has_body = true;
    k->body_secret = true;
    k->path = strdup("/acs/api/v1/auth/login");
    r = k->path ? buf_puts(&k->body, "{\"uid\":") : ERR_NOMEM;
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
            r = jsonscan_put_string(&k->body, (const char *)jwt->buf,
                                     jwt->len);
        secret_free(jwt);
    }
    if (r == 0)
        r = buf_puts(&k->body, "}");
    if (r == 0)
        r = call_request(&req, k);
    if (r) {
        call_free(k);
        return r;
    }
    /* The body now lives in the request only. */
    buf_wipe_free(&k->body);
    r = http_loop_submit(c->loop, req, login_done, k);
    if (r) {
        call_free(k);
        return r;
    }
    c->login_inflight = true;
    return 0;
}

int dcos_client_login(struct dcos_client *c, dcos_done_fn done,
                      void *payload)
{
    struct login_waiter *w;
    int r;

    if (!can_login(c))
        return ERR_INVALID;
    w = calloc(1, sizeof(*w));
    if (!w)
        return ERR_NOMEM;
    w->done = done;
    w->payload = payload;
    r = login_start(c);
    if (r) {
        free(w);
        return r;
    }
    w->next = c->login_waiters;
    c->login_waiters = w;
    return 0;
}

static void call_http_done(struct http_response *resp, void *payload)
{
    struct call *k = payload;
    struct dcos_client *c = k->c;
    struct dcos_result res;
    struct secret *value = NULL;
    json_t *j = NULL;
    const char *body = buf_str(&resp->body);
    size_t len = resp->body.len;

    /* 401 with credentials at hand: log in again once and replay. */
    if (!resp->err.code && resp->status == 401 && !k->no_auth &&
        !k->replayed && can_login(c)) {
        k->replayed = true;
        if (k->token_gen != c->token_gen) {
            call_start_or_fail(k);
            return;
        }
        k->next = c->waiting;
        c->waiting = k;
        if (login_start(c)) {
            struct err_info e;

            memset(&e, 0, sizeof(e));
            err_set(&e, ERR_AUTH, "cannot start a login as %s", c->uid);
            login_finish(c, &e, 0);
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
    if (len > 0 && looks_json(resp->content_type, body, len) &&
        !(k->resp_secret && resp->status == 200))
        j = dcos_json_parse(body, len);
    if (map_status(&res.err, k, resp->status, resp->content_type, j, body,
                   len) == 0) {
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

static int call_start(struct call *k)
{
    struct http_request *req;
    int r = call_request(&req, k);

    if (r)
        return r;
    k->token_gen = k->c->token_gen;
    return http_loop_submit(k->c->loop, req, call_http_done, k);
}

/* Submit a new call (synchronous errors free it; done is not called). */
static int call_go(struct call *k)
{
    struct dcos_client *c = k->c;
    int r;

    if (!k->no_auth && !c->token && can_login(c)) {
        r = login_start(c);
        if (r) {
            call_free(k);
            return r;
        }
        k->next = c->waiting;
        c->waiting = k;
        return 0;
    }
    r = call_start(k);
    if (r)
        call_free(k);
    return r;
}

/* ------------------------------------------------------------------ */
/* paths                                                               */

static bool unreserved(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
           (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
           ch == '_' || ch == '~';
}

/* Append @s percent-encoded; '/' kept when @keep_slash. */
static int put_encoded(struct buf *b, const char *s, bool keep_slash)
{
    int r = 0;

    for (; r == 0 && *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (unreserved(ch) || ch == ':' || ch == '@' ||
            (keep_slash && ch == '/'))
            r = buf_append(b, s, 1);
        else
            r = buf_printf(b, "%%%02X", ch);
    }
    return r;
}

char *dcos_rid_encode(const char *rid)
{
    struct buf b;
    const char *s;
    int r = 0;

    buf_init(&b, PATH_MAX_LEN);
    for (s = rid; r == 0 && *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (unreserved(ch) || ch == ':' || ch == '*' || ch == '@')
            r = buf_append(&b, s, 1);
        else
            r = buf_printf(&b, "%%25%02X", ch);
    }
    if (r) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

static bool valid_name(const char *s)
{
    return s && *s && strlen(s) < 1024;
}

/* A '/'-separated path: no empty, "." or ".." segment. */
static bool valid_slash_path(const char *p)
{
    const char *s = p;

    if (!valid_name(p))
        return false;
    for (;;) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);

        if (n == 0 || (n == 1 && s[0] == '.') ||
            (n == 2 && s[0] == '.' && s[1] == '.'))
            return false;
        if (!e)
            return true;
        s = e + 1;
    }
}

static const char *strip_slash(const char *s)
{
    return s && *s == '/' ? s + 1 : s;
}

/*
 * Build k->path from a format where "%s" is a literal piece and each
 * segment is given encoded: segs[i] with mode 'u' (segment), 'p' (slash
 * path), 'r' (rid), 'l' (literal).
 */
struct seg {
    char mode;
    const char *s;
};

static int build_path(struct call *k, const struct seg *segs, size_t n)
{
    struct buf b;
    size_t i;
    int r = 0;

    buf_init(&b, PATH_MAX_LEN);
    for (i = 0; r == 0 && i < n; i++) {
        switch (segs[i].mode) {
        case 'l':
            r = buf_puts(&b, segs[i].s);
            break;
        case 'u':
            r = put_encoded(&b, segs[i].s, false);
            break;
        case 'p':
            r = put_encoded(&b, segs[i].s, true);
            break;
        case 'r': {
            char *e = dcos_rid_encode(segs[i].s);

            r = e ? buf_puts(&b, e) : ERR_NOMEM;
            free(e);
            break;
        }
        default:
            r = ERR_INTERNAL;
        }
    }
    if (r) {
        buf_free(&b);
        return r;
    }
    k->path = buf_detach(&b);
    return k->path ? 0 : ERR_NOMEM;
}

#define SEGS(...) ((const struct seg[]){ __VA_ARGS__ })
#define NSEGS(...) (sizeof((const struct seg[]){ __VA_ARGS__ }) /             \
                    sizeof(struct seg))
#define PATH(k, ...) build_path((k), SEGS(__VA_ARGS__), NSEGS(__VA_ARGS__))

/*
 * Common head of every typed call: a new call of @kind to the path built
 * from @segs, accepting @accept (may be NULL).  With @out the call is
 * returned for more set-up and call_go(); without, it is submitted now.
 */
static int simple_call(struct dcos_client *c, enum call_kind kind,
                       const char *method, const char *accept,
                       const struct seg *segs, size_t nsegs,
                       dcos_done_fn done, void *payload, struct call **out)
{
    struct call *k = call_new(c, kind, method, done, payload);
    int r;

    if (!k)
        return ERR_NOMEM;
    r = build_path(k, segs, nsegs);
    if (r) {
        call_free(k);
        return r;
    }
    k->accept = accept;
    if (!out)
        return call_go(k);
    *out = k;
    return 0;
}

static void ok_also(struct call *k, long status)
{
    if (k->n_ok < sizeof(k->ok_status) / sizeof(k->ok_status[0]))
        k->ok_status[k->n_ok++] = status;
}

/* Submit @k with the JSON body @body (stolen) of media type @ctype; @k is
 * freed when that fails. */
static int call_go_json(struct call *k, const char *ctype, json_t *body)
{
    char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
    int r = s ? buf_puts(&k->body, s) : ERR_NOMEM;

    json_decref(body);
    free(s);
    if (r) {
        call_free(k);
        return r;
    }
    k->ctype = ctype;
    k->has_body = true;
    return call_go(k);
}

#define CALL(c, kind, method, accept, done, payload, kout, ...)               \
    simple_call((c), (kind), (method), (accept), SEGS(__VA_ARGS__),           \
                NSEGS(__VA_ARGS__), (done), (payload), (kout))


/* ------------------------------------------------------------------ */
/* metadata and CA                                                     */

int dcos_version_get(struct dcos_client *c, dcos_done_fn done,
                     void *payload)
{
    struct call *k;
    int r = CALL(c, K_PLAIN, "GET", MT_JSON, done, payload, &k,
                 { 'l', "/dcos-metadata/dcos-version.json" });

    if (r)
        return r;
    k->no_auth = true;
    return call_go(k);
}

int dcos_ca_cert_get(struct dcos_client *c, dcos_done_fn done,
                     void *payload)
{
    struct call *k;
    int r = CALL(c, K_PLAIN, "GET", NULL, done, payload, &k,
                 { 'l', "/ca/dcos-ca.crt" });

    if (r)
        return r;
    k->no_auth = true;
    k->check_pem = true;
    return call_go(k);
}

/* ------------------------------------------------------------------ */
/* IAM                                                                 */

int dcos_iam_user_get(struct dcos_client *c, const char *uid,
                      dcos_done_fn done, void *payload)
{
    if (!valid_name(uid))
        return ERR_INVALID;
    return CALL(c, K_IAM, "GET", MT_JSON, done, payload, NULL,
                { 'l', "/acs/api/v1/users/" }, { 'u', uid });
}

int dcos_iam_user_put(struct dcos_client *c, const char *uid,
                      const char *description, const char *public_key_pem,
                      dcos_done_fn done, void *payload)
{
    struct call *k;
    json_t *body;
    int r;

    if (!valid_name(uid) || !public_key_pem)
        return ERR_INVALID;
    r = CALL(c, K_IAM, "PUT", MT_JSON, done, payload, &k,
             { 'l', "/acs/api/v1/users/" }, { 'u', uid });
    if (r)
        return r;
    body = json_pack("{s:s}", "public_key", public_key_pem);
    if (body && description &&
        json_object_set_new(body, "description", json_string(description))) {
        json_decref(body);
        body = NULL;
    }
    return call_go_json(k, MT_JSON, body);
}

int dcos_iam_user_delete(struct dcos_client *c, const char *uid,
                         dcos_done_fn done, void *payload)
{
    if (!valid_name(uid))
        return ERR_INVALID;
    return CALL(c, K_IAM, "DELETE", NULL, done, payload, NULL,
                { 'l', "/acs/api/v1/users/" }, { 'u', uid });
}

int dcos_iam_group_users_get(struct dcos_client *c, const char *gid,
                             bool service_only, dcos_done_fn done,
                             void *payload)
{
    if (!valid_name(gid))
        return ERR_INVALID;
    return CALL(c, K_IAM, "GET", MT_JSON, done, payload, NULL,
                { 'l', "/acs/api/v1/groups/" }, { 'u', gid },
                { 'l', service_only ? "/users?type=service" : "/users" });
}

int dcos_iam_group_user_put(struct dcos_client *c, const char *gid,
                            const char *uid, dcos_done_fn done,
                            void *payload)
{
    if (!valid_name(gid) || !valid_name(uid))
        return ERR_INVALID;
    return CALL(c, K_IAM, "PUT", NULL, done, payload, NULL,
                { 'l', "/acs/api/v1/groups/" }, { 'u', gid },
                { 'l', "/users/" }, { 'u', uid });
}

int dcos_iam_group_user_delete(struct dcos_client *c, const char *gid,
                               const char *uid, dcos_done_fn done,
                               void *payload)
{
    if (!valid_name(gid) || !valid_name(uid))
        return ERR_INVALID;
    return CALL(c, K_IAM, "DELETE", NULL, done, payload, NULL,
                { 'l', "/acs/api/v1/groups/" }, { 'u', gid },
                { 'l', "/users/" }, { 'u', uid });
}

int dcos_iam_acl_put(struct dcos_client *c, const char *rid,
                     const char *description, dcos_done_fn done,
                     void *payload)
{
    struct call *k;
    int r;

    if (!valid_name(rid))
        return ERR_INVALID;
    r = CALL(c, K_IAM, "PUT", MT_JSON, done, payload, &k,
             { 'l', "/acs/api/v1/acls/" }, { 'r', rid });
    if (r)
        return r;
    ok_also(k, 409);
    return call_go_json(k, MT_JSON,
                        json_pack("{s:s}", "description",
                                  description ? description
                                              : "Created by etls"));
}

int dcos_iam_acl_user_grant(struct dcos_client *c, const char *rid,
                            const char *uid, const char *action,
                            dcos_done_fn done, void *payload)
{
    struct call *k;
    int r;

    if (!valid_name(rid) || !valid_name(uid) || !valid_name(action))
        return ERR_INVALID;
    r = CALL(c, K_IAM, "PUT", NULL, done, payload, &k,
             { 'l', "/acs/api/v1/acls/" }, { 'r', rid },
             { 'l', "/users/" }, { 'u', uid }, { 'l', "/" },
             { 'u', action });
    if (r)
        return r;
    ok_also(k, 409);
    return call_go(k);
}

int dcos_iam_acl_user_allowed(struct dcos_client *c, const char *rid,
                              const char *uid, const char *action,
                              dcos_done_fn done, void *payload)
{
    if (!valid_name(rid) || !valid_name(uid) || !valid_name(action))
        return ERR_INVALID;
    return CALL(c, K_IAM, "GET", MT_JSON, done, payload, NULL,
                { 'l', "/acs/api/v1/acls/" }, { 'r', rid },
                { 'l', "/users/" }, { 'u', uid }, { 'l', "/" },
                { 'u', action });
}

int dcos_iam_user_permissions_get(struct dcos_client *c, const char *uid,
                                  dcos_done_fn done, void *payload)
{
    if (!valid_name(uid))
        return ERR_INVALID;
    return CALL(c, K_IAM, "GET", MT_JSON, done, payload, NULL,
                { 'l', "/acs/api/v1/users/" }, { 'u', uid },
                { 'l', "/permissions" });
}

/* ------------------------------------------------------------------ */
/* secrets                                                             */

static int secret_call(struct dcos_client *c, const char *method,
                       const char *path, const struct secret *value,
                       dcos_done_fn done, void *payload)
{
    struct call *k;
    int r;

    path = strip_slash(path);
    if (!valid_slash_path(path))
        return ERR_INVALID;
    r = CALL(c, K_SECRETS, method, MT_JSON, done, payload, &k,
             { 'l', "/secrets/v1/secret/default/" }, { 'p', path });
    if (r)
        return r;
    if (value) {
        k->ctype = MT_JSON;
        k->body_secret = true;
        k->has_body = true;
        r = buf_puts(&k->body, "{\"value\":");
        if (r == 0)
            r = jsonscan_put_string(&k->body, (const char *)value->buf,
                                     value->len);
        if (r == 0)
            r = buf_puts(&k->body, "}");
        if (r) {
            call_free(k);
            return r;
        }
    }
    if (strcmp(method, "GET") == 0)
        k->resp_secret = true;
    return call_go(k);
}

int dcos_secret_get(struct dcos_client *c, const char *path,
                    dcos_done_fn done, void *payload)
{
    return secret_call(c, "GET", path, NULL, done, payload);
}

int dcos_secret_put(struct dcos_client *c, const char *path,
                    const struct secret *value, dcos_done_fn done,
                    void *payload)
{
    if (!value)
        return ERR_INVALID;
    return secret_call(c, "PUT", path, value, done, payload);
}

int dcos_secret_patch(struct dcos_client *c, const char *path,
                      const struct secret *value, dcos_done_fn done,
                      void *payload)
{
    if (!value)
        return ERR_INVALID;
    return secret_call(c, "PATCH", path, value, done, payload);
}

int dcos_secret_delete(struct dcos_client *c, const char *path,
                       dcos_done_fn done, void *payload)
{
    return secret_call(c, "DELETE", path, NULL, done, payload);
}

/* ------------------------------------------------------------------ */
/* Cosmos                                                              */

static int cosmos_call(struct dcos_client *c, const char *path,
                       const char *ctype, const char *accept, json_t *body,
                       dcos_done_fn done, void *payload)
{
    struct call *k;
    int r;

    if (!body)
        return ERR_NOMEM;
    r = CALL(c, K_COSMOS, "POST", accept, done, payload, &k, { 'l', path });
    if (r) {
        json_decref(body);
        return r;
    }
    /* Package options (requests, resolvedOptions and userProvidedOptions
     * in answers) can hold passwords such as
     * elasticsearch.health_user_password: never trace Cosmos bodies. */
    k->sensitive = true;
    return call_go_json(k, ctype, body);
}

/* Set @key to a string when @val is non-NULL.  0 or ERR_NOMEM. */
static int set_opt_str(json_t *o, const char *key, const char *val)
{
    if (!o)
        return ERR_NOMEM;
    if (!val)
        return 0;
    return json_object_set_new(o, key, json_string(val)) ? ERR_NOMEM : 0;
}

int dcos_cosmos_package_install(struct dcos_client *c, const char *package,
                                const char *version, const json_t *options,
                                dcos_done_fn done, void *payload)
{
    json_t *b;

    if (!valid_name(package) || (options && !json_is_object(options)))
        return ERR_INVALID;
    b = json_pack("{s:s}", "packageName", package);
    if (set_opt_str(b, "packageVersion", version) ||
        (options && json_object_set(b, "options", (json_t *)options))) {
        json_decref(b);
        return ERR_NOMEM;
    }
    return cosmos_call(
        c, "/package/install", MT("package.install-request", "v1"),
        MT("package.install-response", "v2") "," MT_COSMOS_ERROR, b, done,
        payload);
}

int dcos_cosmos_package_list(struct dcos_client *c, const char *package,
                             const char *app_id, dcos_done_fn done,
                             void *payload)
{
    json_t *b = json_object();

    if (set_opt_str(b, "packageName", package) ||
        set_opt_str(b, "appId", app_id)) {
        json_decref(b);
        return ERR_NOMEM;
    }
    return cosmos_call(c, "/package/list", MT("package.list-request", "v1"),
                       MT("package.list-response", "v1") "," MT_COSMOS_ERROR,
                       b, done, payload);
}

int dcos_cosmos_package_describe(struct dcos_client *c, const char *package,
                                 const char *version, dcos_done_fn done,
                                 void *payload)
{
    json_t *b;

    if (!valid_name(package))
        return ERR_INVALID;
    b = json_pack("{s:s}", "packageName", package);
    if (set_opt_str(b, "packageVersion", version)) {
        json_decref(b);
        return ERR_NOMEM;
    }
    return cosmos_call(
        c, "/package/describe", MT("package.describe-request", "v1"),
        MT("package.describe-response", "v3") "," MT_COSMOS_ERROR, b, done,
        payload);
}

int dcos_cosmos_service_describe(struct dcos_client *c, const char *app_id,
                                 dcos_done_fn done, void *payload)
{
    if (!valid_name(app_id))
        return ERR_INVALID;
    return cosmos_call(
        c, "/cosmos/service/describe", MT("service.describe-request", "v1"),
        MT("service.describe-response", "v1") "," MT_COSMOS_ERROR,
        json_pack("{s:s}", "appId", app_id), done, payload);
}

int dcos_cosmos_service_update(struct dcos_client *c, const char *app_id,
                               const json_t *options, const char *version,
                               bool replace, dcos_done_fn done,
                               void *payload)
{
    json_t *b;

    if (!valid_name(app_id) || (options && !json_is_object(options)))
        return ERR_INVALID;
    b = json_pack("{s:s,s:b}", "appId", app_id, "replace", replace);
    if (set_opt_str(b, "packageVersion", version) ||
        (options && json_object_set(b, "options", (json_t *)options))) {
        json_decref(b);
        return ERR_NOMEM;
    }
    return cosmos_call(
        c, "/cosmos/service/update", MT("service.update-request", "v1"),
        MT("service.update-response", "v1") "," MT_COSMOS_ERROR, b, done,
        payload);
}

/* ------------------------------------------------------------------ */
/* SDK scheduler                                                       */

/* GET /service/<service>/v1/<tail> accepting JSON (see simple_call). */
static int sdk_call(struct dcos_client *c, const char *service,
                    const struct seg *tail, size_t ntail, dcos_done_fn done,
                    void *payload, struct call **out)
{
    struct seg segs[8];
    size_t i;

    service = strip_slash(service);
    if (!valid_slash_path(service) || ntail + 3 > 8)
        return ERR_INVALID;
    segs[0] = (struct seg){ 'l', "/service/" };
    segs[1] = (struct seg){ 'p', service };
    segs[2] = (struct seg){ 'l', "/v1/" };
    for (i = 0; i < ntail; i++)
        segs[3 + i] = tail[i];
    return simple_call(c, K_SDK, "GET", MT_JSON, segs, ntail + 3, done,
                       payload, out);
}

#define SDK(c, service, done, payload, kout, ...)                             \
    sdk_call((c), (service), SEGS(__VA_ARGS__), NSEGS(__VA_ARGS__), (done),   \
             (payload), (kout))

int dcos_sdk_plan_get(struct dcos_client *c, const char *service,
                      const char *plan, dcos_done_fn done, void *payload)
{
    struct call *k;
    int r;

    if (!valid_name(plan))
        return ERR_INVALID;
    r = SDK(c, service, done, payload, &k, { 'l', "plans/" },
            { 'u', plan });
    if (r)
        return r;
    ok_also(k, 202);
    ok_also(k, 417);
    return call_go(k);
}

int dcos_sdk_endpoint_get(struct dcos_client *c, const char *service,
                          const char *name, dcos_done_fn done,
                          void *payload)
{
    if (!valid_name(name))
        return ERR_INVALID;
    return SDK(c, service, done, payload, NULL, { 'l', "endpoints/" },
               { 'u', name });
}

int dcos_sdk_pod_list(struct dcos_client *c, const char *service,
                      dcos_done_fn done, void *payload)
{
    return SDK(c, service, done, payload, NULL, { 'l', "pod" });
}

int dcos_sdk_pod_info(struct dcos_client *c, const char *service,
                      const char *pod, dcos_done_fn done, void *payload)
{
    if (!valid_name(pod))
        return ERR_INVALID;
    return SDK(c, service, done, payload, NULL, { 'l', "pod/" },
               { 'u', pod }, { 'l', "/info" });
}

int dcos_sdk_configuration_get(struct dcos_client *c, const char *service,
                               const char *id, dcos_done_fn done,
                               void *payload)
{
    if (!valid_name(id))
        return ERR_INVALID;
    return SDK(c, service, done, payload, NULL, { 'l', "configurations/" },
               { 'u', id });
}

int dcos_sdk_target_id_get(struct dcos_client *c, const char *service,
                           dcos_done_fn done, void *payload)
{
    return SDK(c, service, done, payload, NULL,
               { 'l', "configurations/targetId" });
}

/* ------------------------------------------------------------------ */
/* Marathon                                                            */

int dcos_marathon_app_get(struct dcos_client *c, const char *app_id,
                          dcos_done_fn done, void *payload)
{
    app_id = strip_slash(app_id);
    if (!valid_slash_path(app_id))
        return ERR_INVALID;
    return CALL(c, K_MARATHON, "GET", MT_JSON, done, payload, NULL,
                { 'l', "/marathon/v2/apps/" }, { 'p', app_id },
                { 'l', "?embed=app.counts" });
}

int dcos_marathon_app_restart(struct dcos_client *c, const char *app_id,
                              bool force, dcos_done_fn done, void *payload)
{
    app_id = strip_slash(app_id);
    if (!valid_slash_path(app_id))
        return ERR_INVALID;
    return CALL(c, K_MARATHON, "POST", MT_JSON, done, payload, NULL,
                { 'l', "/marathon/v2/apps/" }, { 'p', app_id },
                { 'l', force ? "/restart?force=true" : "/restart" });
}

/* ------------------------------------------------------------------ */
/* dcos-sim                                                            */

int dcos_client_from_sim_dir(struct dcos_client **out, const char *dir,
                             struct http_loop *loop, struct err_info *err)
{
    static const char *const keys[] = { "url", "ca_cert", "uid",
                                        "password" };
    struct dcos_client_options o;
    struct secret *v[4] = { NULL, NULL, NULL, NULL };
    struct buf path;
    char *text = NULL;
    size_t len = 0, i;
    int r;

    buf_init(&path, PATH_MAX_LEN);
    r = buf_printf(&path, "%s/cluster.json", dir);
    if (r)
        return err_set(err, ERR_INVALID, "state directory path too long");
    r = util_read_file(&text, &len, buf_str(&path), 64 * 1024);
    if (r) {
        err_set(err, r, "cannot read %s", buf_str(&path));
        goto out;
    }
    /* The scanner, not jansson: the file holds the password. */
    for (i = 0; i < 4; i++) {
        r = jsonscan_secret_member(&v[i], text, len, keys[i]);
        if (r == ERR_NOMEM) {
            err_set(err, r, "out of memory");
            goto out;
        }
        if (r) {
            r = err_set(err, ERR_INVALID, "%s: no string member \"%s\"",
                        buf_str(&path), keys[i]);
            goto out;
        }
    }
    memset(&o, 0, sizeof(o));
    o.url = secret_str(v[0]);
    o.ca_file = secret_str(v[1]);
    o.uid = secret_str(v[2]);
    o.password = v[3];
    r = dcos_client_new(out, &o, loop, err);
out:
    for (i = 0; i < 4; i++)
        secret_free(v[i]);
    if (text)
        secret_wipe_str(text);
    buf_free(&path);
    return r;
}
