/*
 * dcos-sim core: lifecycle of the cluster state, simulated clock, helpers
 * shared by every module (query strings, path segments, media types,
 * DC/OS-shaped responses), login tokens, and the core routes (cluster
 * metadata, CA, the /sim/v1 control API).
 */
#include "sim/core.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/secret.h"
#include "common/util.h"
#include "sim/pki.h"
#include "sim/server.h"
#include "sim/sim.h"

#define STATE_MAX ((size_t)256 * 1024 * 1024)
#define TOKEN_MAX 8192
#define TICK_NS 20000000L
#define TICK_PERSIST_MIN 0.1 /* seconds between tick-driven writes */
#define DCOS_VERSION "2.2.0"

/* ------------------------------------------------------------------ */
/* small helpers                                                        */

static int random_hex(char *out, size_t nbytes)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[64];
    size_t i;

    if (nbytes > sizeof(raw) || RAND_bytes(raw, (int)nbytes) != 1)
        return ERR_INTERNAL;
    for (i = 0; i < nbytes; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[2 * nbytes] = '\0';
    OPENSSL_cleanse(raw, sizeof(raw));
    return 0;
}

char *sim_uuid(void)
{
    unsigned char b[16];
    char *out = malloc(37);

    if (!out)
        return NULL;
    if (RAND_bytes(b, sizeof(b)) != 1) {
        free(out);
        return NULL;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
             b[10], b[11], b[12], b[13], b[14], b[15]);
    return out;
}

double sim_now(struct sim *s)
{
    return s->sim_offset + (util_now_mono() - s->real_start) * s->opt.speed;
}

void sim_state_dirty(struct sim *s)
{
    s->dirty = true;
}

json_t *sim_state_section(struct sim *s, const char *name)
{
    json_t *sec = json_object_get(s->state, name);

    if (json_is_object(sec))
        return sec;
    sec = json_object();
    if (!sec || json_object_set_new(s->state, name, sec) != 0)
        return NULL;
    s->dirty = true;
    return sec;
}

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

void sim_segments_free(char **segs, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(segs[i]);
        segs[i] = NULL;
    }
}

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

void sim_resp_empty(struct sim_resp *r, int status)
{
    resp_clear_body(r);
    r->status = status;
}

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

void sim_resp_401(struct sim_resp *r)
{
    resp_html(r, 401, "Authorization Required");
    sim_resp_header(r, "WWW-Authenticate", "acsjwt");
}

void sim_resp_403(struct sim_resp *r)
{
    resp_html(r, 403, "Forbidden");
}

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
/* tokens                                                               */

static char *b64url_json(json_t *o)
{
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS), *out;

    if (!text)
        return NULL;
    out = util_b64url_encode(text, strlen(text));
    free(text);
    return out;
}

char *sim_token_issue(struct sim *s, const char *uid)
{
    json_t *hdr = NULL, *pl = NULL;
    char *h = NULL, *p = NULL, *sig64 = NULL, *out = NULL;
    unsigned char *sig = NULL;
    size_t siglen = 0;
    struct buf signing;
    EVP_MD_CTX *md = NULL;
    long long exp;

    buf_init(&signing, TOKEN_MAX);
    if (!s->token_key || !uid)
        return NULL;
    /* Round up: "exp" has whole seconds, and a token must live at least
     * --token-ttl seconds (with ttl 1 a truncated exp could expire at once). */
    exp = (long long)ceil(util_now_wall()) + s->opt.token_ttl;
    hdr = json_pack("{s:s,s:s}", "alg", "RS256", "typ", "JWT");
    pl = json_pack("{s:s,s:I}", "uid", uid, "exp", (json_int_t)exp);
    if (!hdr || !pl)
        goto out;
    h = b64url_json(hdr);
    p = b64url_json(pl);
    if (!h || !p || buf_printf(&signing, "%s.%s", h, p))
        goto out;
    md = EVP_MD_CTX_new();
    if (!md ||
        EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, s->token_key) <= 0 ||
        EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)signing.data,
                       signing.len) <= 0)
        goto out;
    sig = malloc(siglen);
    if (!sig ||
        EVP_DigestSign(md, sig, &siglen, (const unsigned char *)signing.data,
                       signing.len) <= 0)
        goto out;
    sig64 = util_b64url_encode(sig, siglen);
    if (!sig64 || buf_printf(&signing, ".%s", sig64))
        goto out;
    out = buf_detach(&signing);
out:
    EVP_MD_CTX_free(md);
    free(sig);
    free(sig64);
    free(h);
    free(p);
    json_decref(hdr);
    json_decref(pl);
    buf_wipe_free(&signing);
    return out;
}

/* Decode a base64url JSON object; new or NULL. */
static json_t *b64url_json_decode(const char *s, size_t len)
{
    char *part = strndup(s, len);
    unsigned char *raw;
    size_t raw_len = 0;
    json_t *o = NULL;

    if (!part)
        return NULL;
    raw = util_b64url_decode(part, &raw_len);
    free(part);
    if (raw)
        o = json_loadb((const char *)raw, raw_len, JSON_REJECT_DUPLICATES,
                       NULL);
    free(raw);
    if (o && !json_is_object(o)) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

char *sim_token_verify(struct sim *s, const char *token)
{
    const char *d1, *d2;
    json_t *hdr = NULL, *pl = NULL, *exp;
    unsigned char *sig = NULL;
    size_t siglen = 0;
    EVP_MD_CTX *md = NULL;
    char *uid = NULL;
    const char *alg, *u;

    if (!s->token_key || !token || strlen(token) > TOKEN_MAX)
        return NULL;
    d1 = strchr(token, '.');
    d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d2 || strchr(d2 + 1, '.'))
        return NULL;
    hdr = b64url_json_decode(token, (size_t)(d1 - token));
    pl = b64url_json_decode(d1 + 1, (size_t)(d2 - d1 - 1));
    sig = util_b64url_decode(d2 + 1, &siglen);
    if (!hdr || !pl || !sig || !siglen)
        goto out;
    alg = json_string_value(json_object_get(hdr, "alg"));
    if (!alg || strcmp(alg, "RS256") != 0)
        goto out;
    md = EVP_MD_CTX_new();
    if (!md ||
        EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, s->token_key) <=
            0 ||
        EVP_DigestVerify(md, sig, siglen, (const unsigned char *)token,
                         (size_t)(d2 - token)) != 1)
        goto out;
    u = json_string_value(json_object_get(pl, "uid"));
    exp = json_object_get(pl, "exp");
    if (!u || !*u || !json_is_number(exp) ||
        json_number_value(exp) <= util_now_wall())
        goto out;
    uid = strdup(u);
out:
    EVP_MD_CTX_free(md);
    free(sig);
    json_decref(hdr);
    json_decref(pl);
    return uid;
}

/* ------------------------------------------------------------------ */
/* lifecycle                                                            */

static int dir_path(char *out, size_t n, const struct sim *s,
                    const char *name)
{
    return snprintf(out, n, "%s/%s", s->opt.state_dir, name) < (int)n
               ? 0
               : ERR_INVALID;
}

/* Fill the "core" section of a new (or older) cluster. */
static int core_section_init(struct sim *s, struct err_info *e)
{
    json_t *core = sim_state_section(s, "core");
    char hex[81];
    char *uuid;

    if (!core)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (!json_is_string(json_object_get(core, "cluster_id"))) {
        uuid = sim_uuid();
        if (!uuid || json_object_set_new(core, "cluster_id",
                                         json_string(uuid))) {
            free(uuid);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        free(uuid);
        s->dirty = true;
    }
    if (!json_is_string(json_object_get(core, "dcos_image_commit"))) {
        if (random_hex(hex, 20) ||
            json_object_set_new(core, "dcos_image_commit", json_string(hex)))
            return err_set(e, ERR_INTERNAL, "cannot make a commit id");
        s->dirty = true;
    }
    if (!json_is_string(json_object_get(core, "bootstrap_id"))) {
        if (random_hex(hex, 20) ||
            json_object_set_new(core, "bootstrap_id", json_string(hex)))
            return err_set(e, ERR_INTERNAL, "cannot make a bootstrap id");
        s->dirty = true;
    }
    if (json_is_number(json_object_get(core, "clock")))
        s->sim_offset = json_number_value(json_object_get(core, "clock"));
    if (s->sim_offset < 0)
        s->sim_offset = 0;
    return 0;
}

static int state_load(struct sim *s, struct err_info *e)
{
    char path[PATH_MAX];
    char *text = NULL;
    size_t len = 0;
    json_error_t jerr;
    int r;

    if (dir_path(path, sizeof(path), s, "state.json"))
        return err_set(e, ERR_INVALID, "state directory path too long");
    r = util_read_file(&text, &len, path, STATE_MAX);
    if (r == ERR_NOTFOUND) {
        s->state = json_object();
        if (!s->state)
            return err_set(e, ERR_NOMEM, "out of memory");
        s->dirty = true;
        return 0;
    }
    if (r)
        return err_set(e, r, "cannot read %s", path);
    s->state = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    OPENSSL_cleanse(text, len);
    free(text);
    if (!s->state)
        return err_set(e, ERR_INVALID, "%s:%d:%d: %s", path, jerr.line,
                       jerr.column, jerr.text);
    if (!json_is_object(s->state)) {
        json_decref(s->state);
        s->state = NULL;
        return err_set(e, ERR_INVALID, "%s: not a JSON object", path);
    }
    return 0;
}

int sim_core_init(struct sim *s, const struct sim_options *opt,
                  struct err_info *e)
{
    char path[PATH_MAX], tok[65];
    int r;

    memset(s, 0, sizeof(*s));
    s->opt = *opt;
    if (pthread_mutex_init(&s->lock, NULL) != 0)
        return err_set(e, ERR_INTERNAL, "cannot create the state lock");
    s->real_start = util_now_mono();
    r = state_load(s, e);
    if (r)
        return r;
    r = core_section_init(s, e);
    if (r)
        return r;
    r = sim_pki_init(s, e);
    if (r)
        return r;
    if (dir_path(path, sizeof(path), s, "token.key"))
        return err_set(e, ERR_INVALID, "state directory path too long");
    r = sim_pki_load_or_create_key(&s->token_key, path, e);
    if (r)
        return r;
    if (random_hex(tok, 32))
        return err_set(e, ERR_INTERNAL, "cannot make the control token");
    s->control_token = strdup(tok);
    OPENSSL_cleanse(tok, sizeof(tok));
    if (!s->control_token)
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

int sim_core_persist(struct sim *s)
{
    char path[PATH_MAX];
    json_t *core = sim_state_section(s, "core");
    char *text;
    size_t len;
    int r;

    if (!core || json_object_set_new(core, "clock", json_real(sim_now(s))))
        return ERR_NOMEM;
    if (dir_path(path, sizeof(path), s, "state.json"))
        return ERR_INVALID;
    text = json_dumps(s->state, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return ERR_NOMEM;
    len = strlen(text);
    r = util_write_file_atomic(path, text, len, 0600);
    OPENSSL_cleanse(text, len);
    free(text);
    if (r) {
        LOG(LOG_ERROR, "sim", "cannot write state path=%s", path);
        return r;
    }
    s->dirty = false;
    return 0;
}

int sim_core_start_modules(struct sim *s,
                           const struct sim_module *const *mods,
                           size_t n_mods, struct err_info *e)
{
    size_t i;
    int r = 0;

    pthread_mutex_lock(&s->lock);
    for (i = 0; i < n_mods && !r; i++) {
        if (!mods[i]->start)
            continue;
        r = mods[i]->start(s);
        if (r)
            err_set(e, r < 0 ? r : ERR_INTERNAL, "module %s failed to start",
                    mods[i]->name);
    }
    if (!r && sim_core_persist(s))
        r = err_set(e, ERR_INTERNAL, "cannot write the state file");
    pthread_mutex_unlock(&s->lock);
    return r < 0 ? r : (r ? ERR_INTERNAL : 0);
}

void sim_core_stop_modules(struct sim *s,
                           const struct sim_module *const *mods,
                           size_t n_mods)
{
    size_t i;

    pthread_mutex_lock(&s->lock);
    for (i = 0; i < n_mods; i++)
        if (mods[i]->stop)
            mods[i]->stop(s);
    sim_core_persist(s);
    pthread_mutex_unlock(&s->lock);
}

struct ticker {
    pthread_t thread;
    atomic_int stop;
    struct sim *sim;
    const struct sim_module *const *mods;
    size_t n_mods;
};

static struct ticker g_ticker;
static int g_ticker_running;

static void *ticker_main(void *arg)
{
    struct ticker *t = arg;
    struct sim *s = t->sim;
    double last_persist = 0;

    while (!atomic_load(&t->stop)) {
        struct timespec ts = {0, TICK_NS};
        double now;
        size_t i;

        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
        pthread_mutex_lock(&s->lock);
        now = sim_now(s);
        for (i = 0; i < t->n_mods; i++)
            if (t->mods[i]->tick)
                t->mods[i]->tick(s, now);
        if (s->dirty && util_now_mono() - last_persist >= TICK_PERSIST_MIN) {
            sim_core_persist(s);
            last_persist = util_now_mono();
        }
        pthread_mutex_unlock(&s->lock);
    }
    return NULL;
}

int sim_core_ticker_start(struct sim *s,
                          const struct sim_module *const *mods,
                          size_t n_mods, struct err_info *e)
{
    if (g_ticker_running)
        return err_set(e, ERR_INVALID, "ticker already running");
    g_ticker.sim = s;
    g_ticker.mods = mods;
    g_ticker.n_mods = n_mods;
    atomic_store(&g_ticker.stop, 0);
    if (pthread_create(&g_ticker.thread, NULL, ticker_main, &g_ticker) != 0)
        return err_set(e, ERR_INTERNAL, "cannot start the ticker thread");
    g_ticker_running = 1;
    return 0;
}

void sim_core_ticker_stop(struct sim *s)
{
    (void)s;
    if (!g_ticker_running)
        return;
    atomic_store(&g_ticker.stop, 1);
    pthread_join(g_ticker.thread, NULL);
    g_ticker_running = 0;
}

int sim_core_write_cluster_json(struct sim *s, struct err_info *e)
{
    char path[PATH_MAX];
    json_t *o;
    char *text;
    int r;

    if (dir_path(path, sizeof(path), s, "cluster.json"))
        return err_set(e, ERR_INVALID, "state directory path too long");
    o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "url", s->url, "ca_cert",
                  s->ca_cert_path, "uid", "bootstrapuser", "password",
                  "deleteme", "control_token", s->control_token);
    if (!o)
        return err_set(e, ERR_NOMEM, "out of memory");
    text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!text)
        return err_set(e, ERR_NOMEM, "out of memory");
    r = util_write_file_atomic(path, text, strlen(text), 0600);
    secret_wipe_str(text);
    if (r)
        return err_set(e, r, "cannot write %s", path);
    return 0;
}

void sim_core_free(struct sim *s)
{
    json_decref(s->state);
    s->state = NULL;
    sim_pki_free(s);
    sim_pki_key_free(s->token_key);
    s->token_key = NULL;
    secret_wipe_str(s->control_token);
    s->control_token = NULL;
    free(s->url);
    s->url = NULL;
    pthread_mutex_destroy(&s->lock);
}

/* ------------------------------------------------------------------ */
/* core routes                                                          */

static const char *core_str(struct sim *s, const char *key)
{
    const char *v =
        json_string_value(json_object_get(sim_state_section(s, "core"), key));

    return v ? v : "";
}

static void h_version(struct sim *s, const struct sim_req *req,
                      struct sim_resp *resp)
{
    json_t *o;

    (void)req;
    o = json_pack("{s:s,s:s,s:s,s:s}", "version", DCOS_VERSION,
                  "dcos-image-commit", core_str(s, "dcos_image_commit"),
                  "bootstrap-id", core_str(s, "bootstrap_id"), "dcos-variant",
                  "enterprise");
    sim_resp_json(resp, o ? 200 : 500, o, "application/json");
    sim_resp_header(resp, "Cache-Control", "no-cache");
}

static void h_ca_crt(struct sim *s, const struct sim_req *req,
                     struct sim_resp *resp)
{
    (void)req;
    sim_resp_raw(resp, 200, "application/x-x509-ca-cert", s->ca_cert_pem,
                 strlen(s->ca_cert_pem));
}

static void h_ca_info(struct sim *s, const struct sim_req *req,
                      struct sim_resp *resp)
{
    json_t *o;

    if (req->body_len) {
        json_t *in = json_loadb(req->body, req->body_len, 0, NULL);
        int ok = json_is_object(in);

        json_decref(in);
        if (!ok) {
            o = json_pack("{s:b,s:{},s:[{s:i,s:s}],s:[]}", "success", 0,
                          "result", "errors", "code", 400, "message",
                          "Unable to parse request", "messages");
            sim_resp_json(resp, o ? 400 : 500, o, "application/json");
            return;
        }
    }
    o = json_pack("{s:b,s:[],s:[],s:{s:s,s:[ssss],s:s}}", "success", 1,
                  "errors", "messages", "result", "certificate",
                  s->ca_cert_pem, "usages", "signing", "key encipherment",
                  "server auth", "client auth", "expiry", "87600h");
    sim_resp_json(resp, o ? 200 : 500, o, "application/json");
}

static void h_metadata(struct sim *s, const struct sim_req *req,
                       struct sim_resp *resp)
{
    json_t *o;

    (void)req;
    o = json_pack("{s:s,s:s}", "PUBLIC_IPV4", "127.0.0.1", "CLUSTER_ID",
                  core_str(s, "cluster_id"));
    sim_resp_json(resp, o ? 200 : 500, o, "application/json");
}

/* Control API error: {"error": "..."} */
static void ctl_error(struct sim_resp *resp, int status, const char *fmt,
                      ...) __attribute__((format(printf, 3, 4)));

static void ctl_error(struct sim_resp *resp, int status, const char *fmt,
                      ...)
{
    char msg[256];
    va_list ap;
    json_t *o;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    o = json_pack("{s:s}", "error", msg);
    sim_resp_json(resp, o ? status : 500, o, "application/json");
}

static void h_requests(struct sim *s, const struct sim_req *req,
                       struct sim_resp *resp)
{
    (void)s;
    if (strcmp(req->method, "DELETE") == 0) {
        sim_server_requests_clear();
        sim_resp_empty(resp, 204);
        return;
    }
    sim_resp_json(resp, 200, sim_server_requests_json(), "application/json");
}

static int valid_method(const char *m)
{
    size_t i, n = strlen(m);

    if (strcmp(m, "*") == 0)
        return 1;
    if (n == 0 || n >= sizeof(((struct sim_fault *)0)->method))
        return 0;
    for (i = 0; i < n; i++)
        if (m[i] < 'A' || m[i] > 'Z')
            return 0;
    return 1;
}

/* Parse a fault rule from the control API; 0 or -1 with @msg set. */
static int fault_parse(struct sim_fault *f, const json_t *o, char *msg,
                       size_t msg_len)
{
    const char *key, *m;
    json_t *v;
    int actions = 0;

    memset(f, 0, sizeof(*f));
    strcpy(f->method, "*");
    f->probability = 1.0;
    if (!json_is_object(o)) {
        snprintf(msg, msg_len, "body: expected a JSON object");
        return -1;
    }
    json_object_foreach((json_t *)o, key, v) {
        if (strcmp(key, "method") == 0) {
            m = json_string_value(v);
            if (!m || !valid_method(m)) {
                snprintf(msg, msg_len,
                         "method: expected an HTTP method or \"*\"");
                return -1;
            }
            strcpy(f->method, m);
        } else if (strcmp(key, "path") == 0) {
            m = json_string_value(v);
            if (!m || m[0] != '/') {
                snprintf(msg, msg_len,
                         "path: expected a path prefix starting with '/'");
                return -1;
            }
            if (util_has_prefix(m, "/sim/v1")) {
                snprintf(msg, msg_len,
                         "path: the control API cannot be faulted");
                return -1;
            }
            f->path = (char *)m; /* borrowed until the rule is copied */
        } else if (strcmp(key, "status") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 100 ||
                json_integer_value(v) > 599) {
                snprintf(msg, msg_len, "status: expected an integer "
                                       "HTTP status (100-599)");
                return -1;
            }
            f->status = (int)json_integer_value(v);
            actions++;
        } else if (strcmp(key, "delay_ms") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 0 ||
                json_integer_value(v) > 600000) {
                snprintf(msg, msg_len,
                         "delay_ms: expected an integer (0-600000)");
                return -1;
            }
            f->delay_ms = (long)json_integer_value(v);
            actions++;
        } else if (strcmp(key, "reset") == 0) {
            if (!json_is_true(v)) {
                snprintf(msg, msg_len, "reset: expected true");
                return -1;
            }
            f->reset = true;
            actions++;
        } else if (strcmp(key, "count") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 1 ||
                json_integer_value(v) > 1000000000) {
                snprintf(msg, msg_len, "count: expected an integer >= 1");
                return -1;
            }
            f->count = (long)json_integer_value(v);
        } else if (strcmp(key, "probability") == 0) {
            if (!json_is_number(v) || json_number_value(v) < 0.0 ||
                json_number_value(v) > 1.0) {
                snprintf(msg, msg_len,
                         "probability: expected a number from 0 to 1");
                return -1;
            }
            f->probability = json_number_value(v);
        } else {
            snprintf(msg, msg_len, "%.64s: unknown field", key);
            return -1;
        }
    }
    if (!f->path) {
        snprintf(msg, msg_len, "path: required");
        return -1;
    }
    if (actions != 1) {
        snprintf(msg, msg_len,
                 "status, delay_ms, reset: exactly one is required");
        return -1;
    }
    return 0;
}

static void h_faults(struct sim *s, const struct sim_req *req,
                     struct sim_resp *resp)
{
    char *seg[2] = {NULL, NULL};
    size_t n;

    (void)s;
    if (strcmp(req->method, "GET") == 0) {
        sim_resp_json(resp, 200, sim_server_faults_json(),
                      "application/json");
        return;
    }
    if (strcmp(req->method, "POST") == 0) {
        struct sim_fault f;
        char msg[160];
        json_t *in;
        long id;

        in = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES,
                        NULL);
        if (!in) {
            ctl_error(resp, 400, "body: invalid JSON");
            return;
        }
        if (fault_parse(&f, in, msg, sizeof(msg))) {
            json_decref(in);
            ctl_error(resp, 400, "%s", msg);
            return;
        }
        id = sim_server_fault_add(&f);
        json_decref(in);
        if (id < 0) {
            ctl_error(resp, 500, "cannot store the fault rule");
            return;
        }
        sim_resp_json(resp, 201, json_pack("{s:I}", "id", (json_int_t)id),
                      "application/json");
        return;
    }
    /* DELETE /sim/v1/faults[/<id>] */
    n = sim_path_segments(req, "/sim/v1/faults", seg, 2);
    if (n == 0) {
        sim_server_faults_clear();
        sim_resp_empty(resp, 204);
    } else if (n == 1) {
        long id;

        if (util_parse_long(&id, seg[0], 1, LONG_MAX) ||
            sim_server_fault_delete(id))
            ctl_error(resp, 404, "no fault rule %.32s", seg[0]);
        else
            sim_resp_empty(resp, 204);
    } else {
        ctl_error(resp, 404, "unknown control path");
    }
    sim_segments_free(seg, n);
}

static void h_node_op(struct sim *s, const struct sim_req *req,
                      struct sim_resp *resp)
{
    char *seg[5] = {NULL};
    size_t n = sim_path_segments(req, "/sim/v1/services", seg, 5);
    int r;

    if (n != 4 || strcmp(seg[1], "nodes") != 0) {
        ctl_error(resp, 404, "expected /sim/v1/services/<service>/nodes/"
                             "<task>/<kill|restart>");
    } else if (strcmp(seg[3], "kill") != 0 &&
               strcmp(seg[3], "restart") != 0) {
        ctl_error(resp, 400, "op: expected kill or restart");
    } else {
        r = sim_sdk_node_op(s, seg[0], seg[2], seg[3]);
        if (r == 0)
            sim_resp_json(resp, 200,
                          json_pack("{s:s,s:s,s:s}", "service", seg[0],
                                    "task", seg[2], "op", seg[3]),
                          "application/json");
        else if (r == ERR_NOTFOUND)
            ctl_error(resp, 404, "unknown service or task");
        else
            ctl_error(resp, 400, "%s is not possible now", seg[3]);
    }
    sim_segments_free(seg, n);
}

static void h_state(struct sim *s, const struct sim_req *req,
                    struct sim_resp *resp)
{
    json_t *core = sim_state_section(s, "core");

    (void)req;
    /* show the live simulated clock */
    if (core)
        json_object_set_new(core, "clock", json_real(sim_now(s)));
    sim_resp_json(resp, 200, json_deep_copy(s->state), "application/json");
}

static const struct sim_route core_routes[] = {
    {"GET", "/dcos-metadata/dcos-version.json", true, SIM_AUTH_PUBLIC,
     h_version},
    {"GET", "/ca/dcos-ca.crt", true, SIM_AUTH_PUBLIC, h_ca_crt},
    {"POST", "/ca/api/v2/info", true, SIM_AUTH_PUBLIC, h_ca_info},
    {"GET", "/metadata", true, SIM_AUTH_TOKEN, h_metadata},
    {"GET", "/sim/v1/requests", true, SIM_AUTH_CONTROL, h_requests},
    {"DELETE", "/sim/v1/requests", true, SIM_AUTH_CONTROL, h_requests},
    {"GET", "/sim/v1/faults", true, SIM_AUTH_CONTROL, h_faults},
    {"POST", "/sim/v1/faults", true, SIM_AUTH_CONTROL, h_faults},
    {"DELETE", "/sim/v1/faults", false, SIM_AUTH_CONTROL, h_faults},
    {"POST", "/sim/v1/services/", false, SIM_AUTH_CONTROL, h_node_op},
    {"GET", "/sim/v1/state", true, SIM_AUTH_CONTROL, h_state},
};

const struct sim_module sim_core_module = {
    "core", core_routes, sizeof(core_routes) / sizeof(core_routes[0]),
    NULL, NULL, NULL};
