#include "probe.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "dcos/json.h"
#include "dcos/parse.h"

struct probe_ctx {
    dcos_probe_fn done;
    dcos_plain_fn plain_done;
    void *payload;
};

/* Status rule of the HTTPS probe (2xx is success). */
static void probe_status(struct err_info *e, const struct http_response *r)
{
    char summary[96];
    int code;

    if (r->status >= 200 && r->status < 300)
        return;
    if (r->status == 401 || r->status == 403)
        code = ERR_AUTH;
    else if (r->status == 429 || r->status >= 500)
        code = ERR_TRANSIENT;
    else
        code = ERR_INVALID;
    dcos_text_summary(summary, sizeof(summary), buf_str(&r->body),
                      r->body.len);
    err_set(e, code, "HTTP %ld on GET %s%s%s", r->status, r->url,
            *summary ? ": " : "", summary);
    e->status = (int)r->status;
}

static void https_done(struct http_response *resp, void *payload)
{
    struct probe_ctx *p = payload;
    struct dcos_probe_result res;
    json_t *j = NULL;

    memset(&res, 0, sizeof(res));
    res.status = resp->status;
    res.content_type = resp->content_type;
    res.cert = resp->have_cert ? &resp->cert : NULL;
    if (resp->err.code) {
        res.err = resp->err;
    } else {
        if (resp->body.len > 0)
            j = dcos_json_parse(buf_str(&resp->body), resp->body.len);
        res.json = j;
        res.body = buf_str(&resp->body);
        res.body_len = resp->body.len;
        probe_status(&res.err, resp);
    }
    p->done(&res, p->payload);
    json_decref(j);
    free(p);
}

/* GET @url with optional trust (https) and basic auth. */
static int probe_get(struct http_loop *loop, const char *url,
                     const char *connect_to, const char *ca_pem,
                     const char *user, const struct secret *password,
                     dcos_probe_fn done, void *payload)
{
    struct http_request *req = NULL;
    struct probe_ctx *p;
    int r;

    if (user && !password)
        return ERR_INVALID;
    p = calloc(1, sizeof(*p));
    if (!p)
        return ERR_NOMEM;
    p->done = done;
    p->payload = payload;
    r = http_request_new(&req, "GET", url);
    if (r == 0 && ca_pem)
        r = http_request_set_ca_pem(req, ca_pem);
    if (r == 0 && connect_to)
        r = http_request_set_connect_to(req, connect_to);
    if (r == 0 && user)
        r = http_request_basic_auth(req, user, password);
    if (r == 0)
        r = http_request_add_header(req, "Accept", "application/json");
    if (r) {
        http_request_free(req);
        free(p);
        return r;
    }
    if (ca_pem)
        http_request_want_cert(req);
    else
        http_request_allow_plain_http(req);
    http_request_fresh_connection(req);
    http_request_set_timeouts(req, DCOS_PROBE_CONNECT_TIMEOUT_MS,
                              DCOS_PROBE_TIMEOUT_MS);
    http_request_set_max_response(req, 1024 * 1024);
    r = http_loop_submit(loop, req, https_done, p);
    if (r)
        free(p);
    return r;
}

int dcos_probe_https(struct http_loop *loop, const char *url,
                     const char *connect_to, const char *ca_pem,
                     const char *user, const struct secret *password,
                     dcos_probe_fn done, void *payload)
{
    if (!url || !util_has_prefix(url, "https://") || !ca_pem)
        return ERR_INVALID;
    return probe_get(loop, url, connect_to, ca_pem, user, password, done,
                     payload);
}

int dcos_probe_http(struct http_loop *loop, const char *url,
                    const char *connect_to, const char *user,
                    const struct secret *password, dcos_probe_fn done,
                    void *payload)
{
    if (!url || !util_has_prefix(url, "http://"))
        return ERR_INVALID;
    return probe_get(loop, url, connect_to, NULL, user, password, done,
                     payload);
}

static void plain_done(struct http_response *resp, void *payload)
{
    struct probe_ctx *p = payload;
    struct dcos_plain_result res;

    memset(&res, 0, sizeof(res));
    res.status = resp->status;
    res.answered = resp->status > 0;
    if (!res.answered)
        res.err = resp->err;
    p->plain_done(&res, p->payload);
    free(p);
}

int dcos_probe_plain(struct http_loop *loop, const char *url,
                     const char *connect_to, dcos_plain_fn done,
                     void *payload)
{
    struct http_request *req = NULL;
    struct probe_ctx *p;
    int r;

    if (!url || !util_has_prefix(url, "http://"))
        return ERR_INVALID;
    p = calloc(1, sizeof(*p));
    if (!p)
        return ERR_NOMEM;
    p->plain_done = done;
    p->payload = payload;
    r = http_request_new(&req, "GET", url);
    if (r == 0 && connect_to)
        r = http_request_set_connect_to(req, connect_to);
    if (r) {
        http_request_free(req);
        free(p);
        return r;
    }
    http_request_allow_plain_http(req);
    http_request_fresh_connection(req);
    http_request_set_timeouts(req, DCOS_PROBE_CONNECT_TIMEOUT_MS,
                              DCOS_PROBE_TIMEOUT_MS);
    http_request_set_max_response(req, 64 * 1024);
    r = http_loop_submit(loop, req, plain_done, p);
    if (r)
        free(p);
    return r;
}
