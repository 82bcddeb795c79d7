/*
 * dcos-sim HTTP layer: what a handler reads from a request (query strings,
 * path segments, media types) and the helpers that build DC/OS-shaped
 * responses.  It knows nothing of the cluster.
 */
#include "sim/http.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"

/* ------------------------------------------------------------------ */
/* requests                                                             */

/* Form-decode @s[0..len) ('+' is a space, then %XX); new or NULL. */
static char *form_decode(const char *s, size_t len)
{
    char *tmp = malloc(len + 1), *out;
    size_t i;

    if (!tmp)
        return NULL;
    for (i = 0; i < len; i++)
        tmp[i] = s[i] == '+' ? ' ' : s[i];
    tmp[len] = '\0';
    out = util_percent_decode(tmp);
    free(tmp);
    return out;
}

/* See http.h. */
char *sim_query_get(const struct sim_req *req, const char *name)
{
    const char *p = req->query ? req->query : "";

    while (*p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;
        char *key = form_decode(p, klen);
        int match = key && strcmp(key, name) == 0;

        free(key);
        if (match)
            return eq ? form_decode(eq + 1, len - klen - 1) : strdup("");
        if (!amp)
            break;
        p = amp + 1;
    }
    return NULL;
}

/* See http.h. */
void sim_segments_free(char **segs, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(segs[i]);
        segs[i] = NULL;
    }
}

/* See http.h. */
size_t sim_path_segments(const struct sim_req *req, const char *prefix,
                         char **out, size_t max)
{
    const char *p = req->path;
    size_t plen = strlen(prefix), n = 0;

    if (strncmp(p, prefix, plen) != 0)
        return 0;
    p += plen;
    if (*p == '/')
        p++;
    while (*p && n < max) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        char *raw = strndup(p, len), *dec;

        if (!raw) {
            sim_segments_free(out, n);
            return 0;
        }
        dec = util_percent_decode(raw);
        if (dec)
            free(raw);
        else
            dec = raw; /* not a valid escape: keep the raw text */
        out[n++] = dec;
        if (!slash)
            break;
        p = slash + 1;
    }
    return n;
}

/* See http.h. */
int sim_path_has_control(const char *path)
{
    const unsigned char *p = (const unsigned char *)path;

    for (; *p; p++) {
        long v = *p;

        if (*p == '%' && isxdigit(p[1]) && isxdigit(p[2])) {
            char hex[3] = {(char)p[1], (char)p[2], '\0'};

            v = strtol(hex, NULL, 16);
        }
        if (v < 0x20 || v == 0x7f)
            return 1;
    }
    return 0;
}

/* See http.h. */
int sim_length_over(const char *cl, size_t cap)
{
    long n;

    if (!cl)
        return 0;
    if (util_parse_long(&n, cl, 0, LONG_MAX) == 0)
        return (size_t)n > cap;
    /* digits beyond LONG_MAX are over too; anything else is not a length
     * (libmicrohttpd refuses it) */
    return cl[0] && strspn(cl, "0123456789") == strlen(cl);
}

/* ------------------------------------------------------------------ */
/* media types                                                          */

#define MT_MAX_PARAMS 16

struct mt_span {
    const char *p;
    size_t n;
};

struct media_type {
    struct mt_span type, sub;
    struct mt_span key[MT_MAX_PARAMS], val[MT_MAX_PARAMS];
    size_t n;
};

static struct mt_span span_trim(const char *p, size_t n)
{
    struct mt_span sp;

    while (n && isspace((unsigned char)*p)) {
        p++;
        n--;
    }
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    sp.p = p;
    sp.n = n;
    return sp;
}

static int span_eq(struct mt_span a, struct mt_span b)
{
    size_t i;

    if (a.n != b.n)
        return 0;
    for (i = 0; i < a.n; i++)
        if (tolower((unsigned char)a.p[i]) != tolower((unsigned char)b.p[i]))
            return 0;
    return 1;
}

static int span_is(struct mt_span a, const char *s)
{
    struct mt_span b = {s, strlen(s)};

    return span_eq(a, b);
}

/* Parse "type/subtype; k=v; ..." in @s[0..len).  Returns 0 or -1. */
static int mt_parse(struct media_type *mt, const char *s, size_t len)
{
    const char *end = s + len, *semi, *slash;
    struct mt_span full;

    semi = memchr(s, ';', len);
    full = span_trim(s, (size_t)((semi ? semi : end) - s));
    slash = memchr(full.p, '/', full.n);
    if (!slash)
        return -1;
    mt->type = span_trim(full.p, (size_t)(slash - full.p));
    mt->sub = span_trim(slash + 1, (size_t)(full.p + full.n - slash - 1));
    if (!mt->type.n || !mt->sub.n)
        return -1;
    mt->n = 0;
    while (semi) {
        const char *p = semi + 1, *eq;
        struct mt_span param;

        semi = memchr(p, ';', (size_t)(end - p));
        param = span_trim(p, (size_t)((semi ? semi : end) - p));
        if (!param.n)
            continue; /* tolerate "a/b;" and ";;" */
        eq = memchr(param.p, '=', param.n);
        if (!eq || mt->n == MT_MAX_PARAMS)
            return -1;
        mt->key[mt->n] = span_trim(param.p, (size_t)(eq - param.p));
        mt->val[mt->n] =
            span_trim(eq + 1, (size_t)(param.p + param.n - eq - 1));
        if (mt->val[mt->n].n >= 2 && mt->val[mt->n].p[0] == '"' &&
            mt->val[mt->n].p[mt->val[mt->n].n - 1] == '"') {
            mt->val[mt->n].p++;
            mt->val[mt->n].n -= 2;
        }
        if (!mt->key[mt->n].n)
            return -1;
        mt->n++;
    }
    return 0;
}

/* 1 when every parameter of @want except q is in @got with that value. */
static int mt_params_ok(const struct media_type *want,
                        const struct media_type *got)
{
    size_t i, j;

    for (i = 0; i < want->n; i++) {
        int found = 0;

        if (span_is(want->key[i], "q"))
            continue;
        for (j = 0; j < got->n && !found; j++)
            found = span_eq(want->key[i], got->key[j]) &&
                    span_eq(want->val[i], got->val[j]);
        if (!found)
            return 0;
    }
    return 1;
}

/* See http.h. */
int sim_media_type_ok(const char *want, const char *got)
{
    struct media_type w, g;

    if (!want || !got || mt_parse(&w, want, strlen(want)) ||
        mt_parse(&g, got, strlen(got)))
        return 0;
    return span_eq(w.type, g.type) && span_eq(w.sub, g.sub) &&
           mt_params_ok(&w, &g);
}

/* The q value of an Accept entry (1 when absent or unparsable). */
static double mt_quality(const struct media_type *mt)
{
    size_t i;

    for (i = 0; i < mt->n; i++) {
        char tmp[16];
        double q;

        if (!span_is(mt->key[i], "q") || mt->val[i].n >= sizeof(tmp))
            continue;
        memcpy(tmp, mt->val[i].p, mt->val[i].n);
        tmp[mt->val[i].n] = '\0';
        if (util_parse_double(&q, tmp, 0.0, 1.0) == 0)
            return q;
    }
    return 1.0;
}

/* See http.h. */
int sim_accept_ok(const char *accept, const char *want)
{
    struct media_type w;
    const char *p = accept;

    if (!accept)
        return 1;
    if (!want || mt_parse(&w, want, strlen(want)))
        return 0;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        struct media_type a;

        if (mt_parse(&a, p, len) == 0 && mt_quality(&a) > 0.0) {
            if (span_is(a.type, "*") && span_is(a.sub, "*"))
                return 1;
            if (span_eq(a.type, w.type) &&
                (span_is(a.sub, "*") ||
                 (span_eq(a.sub, w.sub) && mt_params_ok(&w, &a))))
                return 1;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* responses                                                            */

static const char *status_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 208: return "Already Reported";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status >= 500 ? "Server Error"
                    : status >= 400 ? "Client Error" : "OK";
    }
}

static void resp_clear_body(struct sim_resp *r)
{
    free(r->body);
    free(r->content_type);
    r->body = NULL;
    r->content_type = NULL;
    r->body_len = 0;
}

/* Out of memory while building a response: a bare 500. */
static void resp_oom(struct sim_resp *r)
{
    resp_clear_body(r);
    r->status = 500;
}

/* See http.h. */
void sim_resp_raw(struct sim_resp *r, int status, const char *ctype,
                  const char *body, size_t len)
{
    resp_clear_body(r);
    r->status = status;
    if (ctype) {
        r->content_type = strdup(ctype);
        if (!r->content_type) {
            resp_oom(r);
            return;
        }
    }
    r->body = malloc(len + 1);
    if (!r->body) {
        resp_oom(r);
        return;
    }
    if (len)
        memcpy(r->body, body, len);
    r->body[len] = '\0';
    r->body_len = len;
}

/* See http.h. */
void sim_resp_empty(struct sim_resp *r, int status)
{
    resp_clear_body(r);
    r->status = status;
}

/* See http.h. */
void sim_resp_json(struct sim_resp *r, int status, json_t *body,
                   const char *ctype)
{
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY)
                      : NULL;

    json_decref(body);
    if (!text) {
        resp_oom(r);
        return;
    }
    sim_resp_raw(r, status, ctype ? ctype : "application/json", text,
                 strlen(text));
    free(text);
}

/* See http.h. */
void sim_resp_header(struct sim_resp *r, const char *name,
                     const char *value)
{
    struct sim_header *h;
    size_t cap = sizeof(r->headers) / sizeof(r->headers[0]);

    if (r->n_headers == cap) {
        LOG(LOG_WARN, "sim", "response header dropped name=%s", name);
        return;
    }
    h = &r->headers[r->n_headers];
    h->name = strdup(name);
    h->value = strdup(value);
    if (!h->name || !h->value) {
        free(h->name);
        free(h->value);
        h->name = h->value = NULL;
        resp_oom(r);
        return;
    }
    r->n_headers++;
}

/* See http.h. */
void sim_resp_iam_error(struct sim_resp *r, int status, const char *code,
                        const char *fmt, ...)
{
    char desc[512], title[64];
    va_list ap;
    json_t *o;

    va_start(ap, fmt);
    vsnprintf(desc, sizeof(desc), fmt, ap);
    va_end(ap);
    snprintf(title, sizeof(title), "%d %s", status, status_reason(status));
    o = json_pack("{s:s,s:s}", "title", title, "description", desc);
    if (o && code && json_object_set_new(o, "code", json_string(code))) {
        json_decref(o);
        o = NULL;
    }
    if (!o) {
        resp_oom(r);
        return;
    }
    sim_resp_json(r, status, o, "application/json");
}

/* See http.h. */
void sim_resp_cosmos_error(struct sim_resp *r, int status, const char *type,
                           json_t *data, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    json_t *o;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    o = json_pack("{s:s,s:s}", "type", type, "message", msg);
    if (o && data && json_object_set(o, "data", data)) {
        json_decref(o);
        o = NULL;
    }
    json_decref(data);
    if (!o) {
        resp_oom(r);
        return;
    }
    sim_resp_json(r, status, o,
                  "application/vnd.dcos.package.error+json;charset=utf-8;"
                  "version=v1");
}

/* An nginx-style HTML error page, as Admin Router serves them. */
static void resp_html(struct sim_resp *r, int status, const char *title)
{
    char page[512];
    int n;

    n = snprintf(page, sizeof(page),
                 "<html>\r\n<head><title>%d %s</title></head>\r\n"
                 "<body>\r\n<center><h1>%d %s</h1></center>\r\n"
                 "<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n",
                 status, title, status, title);
    sim_resp_raw(r, status, "text/html; charset=UTF-8", page, (size_t)n);
}

/* See http.h. */
void sim_resp_401(struct sim_resp *r)
{
    resp_html(r, 401, "Authorization Required");
    sim_resp_header(r, "WWW-Authenticate", "acsjwt");
}

/* See http.h. */
void sim_resp_403(struct sim_resp *r)
{
    resp_html(r, 403, "Forbidden");
}

/* See http.h. */
void sim_resp_upstream_down(struct sim_resp *r, int status)
{
    switch (status) {
    case 502: resp_html(r, 502, "Bad Gateway"); break;
    case 503: resp_html(r, 503, "Service Temporarily Unavailable"); break;
    case 504: resp_html(r, 504, "Gateway Time-out"); break;
    default: resp_html(r, status, status_reason(status)); break;
    }
}

/* ------------------------------------------------------------------ */
/* time                                                                 */

/* See http.h. */
void sim_iso8601(char *out, size_t n, double t)
{
    time_t sec = (time_t)t;
    int ms = (int)((t - (double)sec) * 1000.0);
    struct tm tm;
    char base[32];

    if (ms < 0)
        ms = 0;
    if (ms > 999)
        ms = 999;
    if (!gmtime_r(&sec, &tm)) {
        snprintf(out, n, "1970-01-01T00:00:00.000Z");
        return;
    }
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, n, "%s.%03dZ", base, ms);
}

/* See http.h. */
void sim_resp_free(struct sim_resp *r)
{
    size_t i;

    free(r->body);
    free(r->content_type);
    for (i = 0; i < r->n_headers; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    memset(r, 0, sizeof(*r));
}
