/*
 * HTTP requests: the builder, the libcurl easy handle made from a request,
 * the response it fills and the mapping of transport failures.  See
 * request.h; the multi and the event loop are loop.c.
 */
#include "request.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "common/util.h"
#include "dcos/redact.h"
#include "dcos/tls.h"
#include "dcos/trace.h"

/* ------------------------------------------------------------------ */
/* error mapping                                                       */

/*
 * 1 when curl's text of a failed TLS handshake (curl 35) says the peer
 * went away (a reset or an early close, as a load balancer or a
 * restarting Admin Router does) rather than refused the handshake (an
 * alert, a protocol mismatch, plain HTTP on the port).
 */
static bool tls_handshake_cut(const char *why)
{
    static const char *const cut[] = {
        "reset by peer", "ssl_error_syscall", "unexpected eof",
        "broken pipe", "connection was reset",
    };
    char low[CURL_ERROR_SIZE];
    size_t i;

    for (i = 0; why[i] && i + 1 < sizeof(low); i++)
        low[i] = (char)(why[i] >= 'A' && why[i] <= 'Z' ? why[i] - 'A' + 'a'
                                                      : why[i]);
    low[i] = '\0';
    for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++)
        if (strstr(low, cut[i]))
            return true;
    return false;
}

int http_err_from_curl(struct err_info *e, int curl_code,
                       const char *errbuf, const char *method,
                       const char *url, bool too_big, size_t max)
{
    const char *why;
    int code;

    if (curl_code == CURLE_OK)
        return 0;
    why = errbuf && *errbuf ? errbuf
                            : curl_easy_strerror((CURLcode)curl_code);
    switch (curl_code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_AGAIN:
        code = ERR_TRANSIENT;
        break;
    case CURLE_OPERATION_TIMEDOUT:
        code = ERR_TIMEOUT;
        break;
    case CURLE_SSL_CONNECT_ERROR:
        /* Nothing was sent yet: a cut handshake is a connection failure. */
        code = tls_handshake_cut(why) ? ERR_TRANSIENT : ERR_INVALID;
        break;
    case CURLE_OUT_OF_MEMORY:
        code = ERR_NOMEM;
        break;
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
        if (too_big || curl_code == CURLE_FILESIZE_EXCEEDED) {
            err_set(e, ERR_INVALID,
                    "response body larger than %zu bytes on %s %s", max,
                    method, url);
            return ERR_INVALID;
        }
        code = ERR_INTERNAL;
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_WEIRD_SERVER_REPLY:
        code = ERR_INVALID;
        break;
    default:
        code = ERR_INTERNAL;
        break;
    }
    err_set(e, code, "%s (curl %d) on %s %s", why, curl_code, method, url);
    return code;
}

/* ------------------------------------------------------------------ */
/* certificate and trace                                               */

static int debug_cb(CURL *e, curl_infotype type, char *data, size_t size,
                    void *userp)
{
    struct http_request *req = userp;
    FILE *out = *req->trace;

    (void)e;
    if (out)
        http_trace_write(out, req->sensitive, type, data, size);
    return 0;
}

/* ------------------------------------------------------------------ */
/* request builder                                                     */

int http_request_new(struct http_request **out, const char *method,
                     const char *url)
{
    static const char *const methods[] = { "GET", "HEAD", "POST", "PUT",
                                           "PATCH", "DELETE" };
    struct http_request *req;
    size_t i;

    for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcmp(method, methods[i]) == 0)
            break;
    if (i == sizeof(methods) / sizeof(methods[0]) || !url)
        return ERR_INVALID;
    req = calloc(1, sizeof(*req));
    if (!req)
        return ERR_NOMEM;
    req->method = strdup(method);
    req->url = strdup(url);
    if (!req->method || !req->url) {
        http_request_free(req);
        return ERR_NOMEM;
    }
    req->connect_timeout_ms = HTTP_DEFAULT_CONNECT_TIMEOUT_MS;
    req->timeout_ms = HTTP_DEFAULT_TIMEOUT_MS;
    req->max_response = HTTP_DEFAULT_MAX_RESPONSE;
    *out = req;
    return 0;
}

static void slist_wipe_free(struct curl_slist *l)
{
    struct curl_slist *p;

    for (p = l; p; p = p->next)
        if (p->data)
            OPENSSL_cleanse(p->data, strlen(p->data));
    curl_slist_free_all(l);
}

void http_request_free(struct http_request *req)
{
    if (!req)
        return;
    if (req->easy)
        curl_easy_cleanup(req->easy);
    slist_wipe_free(req->headers);
    curl_slist_free_all(req->connect_to);
    if (req->body) {
        if (req->body_secret)
            OPENSSL_cleanse(req->body, req->body_len);
        free(req->body);
    }
    free(req->ca_file);
    http_blob_unref(req->ca);
    free(req->method);
    free(req->url);
    free(req->resp.content_type);
    free(req->resp.www_authenticate);
    if (req->sensitive)
        buf_wipe_free(&req->resp.body);
    else
        buf_free(&req->resp.body);
    http_cert_clear(&req->resp.cert);
    free(req);
}

static int add_header_line(struct http_request *req, const char *line)
{
    struct curl_slist *l = curl_slist_append(req->headers, line);

    if (!l)
        return ERR_NOMEM;
    req->headers = l;
    return 0;
}

int http_request_add_header(struct http_request *req, const char *name,
                            const char *value)
{
    struct buf b;
    int r;

    buf_init(&b, 64 * 1024);
    r = buf_printf(&b, "%s: %s", name, value);
    if (r == 0)
        r = add_header_line(req, buf_str(&b));
    if (r == 0 && strcasecmp(name, "Content-Type") == 0)
        req->has_ctype = true;
    buf_free(&b);
    return r;
}

int http_request_add_secret_header(struct http_request *req,
                                   const char *name, const char *prefix,
                                   const struct secret *value)
{
    struct buf b;
    int r;

    /* A CR or LF would end the header and inject others: never sent. */
    if (!dcos_token_header_safe(value))
        return ERR_INVALID;
    buf_init(&b, 64 * 1024);
    r = buf_printf(&b, "%s: %s", name, prefix);
    if (r == 0)
        r = buf_append(&b, value->buf, value->len);
    if (r == 0)
        r = add_header_line(req, buf_str(&b));
    buf_wipe_free(&b);
    return r;
}

int http_request_basic_auth(struct http_request *req, const char *user,
                            const struct secret *password)
{
    struct buf b;
    struct secret *enc = NULL;
    char *p;
    int r;

    if (strchr(user, ':'))
        return ERR_INVALID;
    buf_init(&b, 64 * 1024);
    r = buf_printf(&b, "%s:", user);
    if (r == 0)
        r = buf_append(&b, password->buf, password->len);
    if (r == 0) {
        p = util_b64_encode(b.data, b.len);
        if (!p) {
            r = ERR_NOMEM;
        } else {
            enc = secret_new_str(p);
            secret_wipe_str(p);
            r = enc ? http_request_add_secret_header(req, "Authorization",
                                                     "Basic ", enc)
                    : ERR_NOMEM;
        }
    }
    secret_free(enc);
    buf_wipe_free(&b);
    return r;
}

int http_request_set_body(struct http_request *req, const void *data,
                          size_t len, bool secret)
{
    unsigned char *p = malloc(len ? len : 1);

    if (!p)
        return ERR_NOMEM;
    if (len)
        memcpy(p, data, len);
    if (req->body) {
        if (req->body_secret)
            OPENSSL_cleanse(req->body, req->body_len);
        free(req->body);
    }
    req->body = p;
    req->body_len = len;
    req->body_secret = secret;
    if (secret)
        req->sensitive = true;
    return 0;
}

void http_request_set_sensitive(struct http_request *req)
{
    req->sensitive = true;
}

int http_request_set_ca_file(struct http_request *req, const char *path)
{
    char *p = strdup(path);

    if (!p)
        return ERR_NOMEM;
    free(req->ca_file);
    req->ca_file = p;
    return 0;
}

int http_request_set_ca_pem(struct http_request *req, const char *pem)
{
    struct http_blob *b = http_blob_new(pem);

    if (!b)
        return ERR_NOMEM;
    http_blob_unref(req->ca);
    req->ca = b;
    return 0;
}

void http_request_set_ca_blob(struct http_request *req, struct http_blob *ca)
{
    http_blob_ref(ca);
    http_blob_unref(req->ca);
    req->ca = ca;
}

void http_request_set_insecure(struct http_request *req)
{
    req->insecure = true;
}

void http_request_set_timeouts(struct http_request *req, long connect_ms,
                               long total_ms)
{
    if (connect_ms > 0)
        req->connect_timeout_ms = connect_ms;
    if (total_ms > 0)
        req->timeout_ms = total_ms;
}

void http_request_set_max_response(struct http_request *req, size_t max)
{
    if (max > 0)
        req->max_response = max;
}

int http_request_set_connect_to(struct http_request *req, const char *entry)
{
    struct curl_slist *l = curl_slist_append(req->connect_to, entry);

    if (!l)
        return ERR_NOMEM;
    req->connect_to = l;
    return 0;
}

void http_request_want_cert(struct http_request *req)
{
    req->want_cert = true;
    req->fresh = true;
}

void http_request_allow_plain_http(struct http_request *req)
{
    req->allow_http = true;
}

void http_request_fresh_connection(struct http_request *req)
{
    req->fresh = true;
}

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct http_request *req = userdata;
    size_t n = size * nmemb;
    int r = buf_append(&req->resp.body, ptr, n);

    if (r == ERR_INVALID) {
        req->too_big = true;
        return 0;
    }
    if (r) {
        req->nomem = true;
        return 0;
    }
    return n;
}

static char *trimmed_dup(const char *p, size_t n)
{
    char *s;

    while (n > 0 && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n' ||
                     p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    s = malloc(n + 1);
    if (!s)
        return NULL;
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static size_t header_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct http_request *req = userdata;
    size_t n = size * nmemb;
    const char *colon;
    char **slot = NULL;
    size_t nl;

    if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0) {
        /* A new response (e.g. after 100 Continue): start over. */
        free(req->resp.content_type);
        free(req->resp.www_authenticate);
        req->resp.content_type = NULL;
        req->resp.www_authenticate = NULL;
        if (req->want_cert && !req->resp.have_cert)
            req->resp.have_cert =
                http_tls_peer_cert(req->easy, &req->resp.cert);
        return n;
    }
    colon = memchr(ptr, ':', n);
    if (!colon)
        return n;
    nl = (size_t)(colon - ptr);
    if (nl == strlen("Content-Type") &&
        strncasecmp(ptr, "Content-Type", nl) == 0)
        slot = &req->resp.content_type;
    else if (nl == strlen("WWW-Authenticate") &&
             strncasecmp(ptr, "WWW-Authenticate", nl) == 0)
        slot = &req->resp.www_authenticate;
    if (slot) {
        char *v = trimmed_dup(colon + 1, n - nl - 1);

        if (!v) {
            req->nomem = true;
            return 0;
        }
        free(*slot);
        *slot = v;
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* easy handle and completion                                          */

#define SETOPT(e, opt, val)                                                   \
    do {                                                                      \
        if (curl_easy_setopt((e), (opt), (val)) != CURLE_OK)                  \
            goto fail;                                                        \
    } while (0)

int http_request_easy_init(struct http_request *req)
{
    CURL *e;
    bool with_body;

    e = curl_easy_init();
    if (!e)
        return ERR_NOMEM;
    req->easy = e;
    buf_init(&req->resp.body, req->max_response);
    req->resp.method = req->method;
    req->resp.url = req->url;
    req->resp.sensitive = req->sensitive;

    SETOPT(e, CURLOPT_PRIVATE, req);
    SETOPT(e, CURLOPT_URL, req->url);
    SETOPT(e, CURLOPT_ERRORBUFFER, req->errbuf);
    SETOPT(e, CURLOPT_NOSIGNAL, 1L);
    SETOPT(e, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms);
    SETOPT(e, CURLOPT_TIMEOUT_MS, req->timeout_ms);
    SETOPT(e, CURLOPT_PROTOCOLS_STR, req->allow_http ? "http,https"
                                                     : "https");
    SETOPT(e, CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    SETOPT(e, CURLOPT_USERAGENT, "etls/0.1");
    SETOPT(e, CURLOPT_WRITEFUNCTION, write_cb);
    SETOPT(e, CURLOPT_WRITEDATA, req);
    SETOPT(e, CURLOPT_HEADERFUNCTION, header_cb);
    SETOPT(e, CURLOPT_HEADERDATA, req);
    SETOPT(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max_response);

    with_body = req->body || strcmp(req->method, "PUT") == 0 ||
                strcmp(req->method, "PATCH") == 0 ||
                strcmp(req->method, "POST") == 0;
    if (with_body) {
        if (add_header_line(req, "Expect:"))
            goto fail;
        /* No body and no type: keep curl from inventing a form type. */
        if (!req->has_ctype && add_header_line(req, "Content-Type:"))
            goto fail;
    }
    if (strcmp(req->method, "GET") == 0) {
        SETOPT(e, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(req->method, "HEAD") == 0) {
        SETOPT(e, CURLOPT_NOBODY, 1L);
    } else if (strcmp(req->method, "POST") == 0) {
        SETOPT(e, CURLOPT_POST, 1L);
    } else {
        SETOPT(e, CURLOPT_CUSTOMREQUEST, req->method);
    }
    if (with_body) {
        SETOPT(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        SETOPT(e, CURLOPT_POSTFIELDS, req->body ? (char *)req->body : "");
    }
    if (req->headers)
        SETOPT(e, CURLOPT_HTTPHEADER, req->headers);

    if (req->ca) {
        struct curl_blob blob;

        blob.data = (char *)http_blob_str(req->ca);
        blob.len = http_blob_len(req->ca);
        blob.flags = CURL_BLOB_COPY;
        SETOPT(e, CURLOPT_CAINFO_BLOB, &blob);
        SETOPT(e, CURLOPT_CAPATH, (char *)NULL);
    } else if (req->ca_file) {
        SETOPT(e, CURLOPT_CAINFO, req->ca_file);
        SETOPT(e, CURLOPT_CAPATH, (char *)NULL);
    }
    if (req->insecure) {
        SETOPT(e, CURLOPT_SSL_VERIFYPEER, 0L);
        SETOPT(e, CURLOPT_SSL_VERIFYHOST, 0L);
    } else {
        SETOPT(e, CURLOPT_SSL_VERIFYPEER, 1L);
        SETOPT(e, CURLOPT_SSL_VERIFYHOST, 2L);
    }
    if (req->connect_to)
        SETOPT(e, CURLOPT_CONNECT_TO, req->connect_to);
    if (req->want_cert && !http_tls_is_openssl())
        SETOPT(e, CURLOPT_CERTINFO, 1L);
    if (req->fresh) {
        SETOPT(e, CURLOPT_FRESH_CONNECT, 1L);
        SETOPT(e, CURLOPT_FORBID_REUSE, 1L);
    }
    if (req->trace && *req->trace) {
        SETOPT(e, CURLOPT_DEBUGFUNCTION, debug_cb);
        SETOPT(e, CURLOPT_DEBUGDATA, req);
        /* Needed for the debug callback; it decides what is written. */
        SETOPT(e, CURLOPT_VERBOSE, 1L);
    }
    return 0;
fail:
    curl_easy_cleanup(e);
    req->easy = NULL;
    return ERR_INTERNAL;
}

#undef SETOPT

void http_request_complete(struct http_request *req, int curl_code, int forced,
                           const char *forced_text)
{
    struct http_response *resp = &req->resp;

    resp->method = req->method;
    resp->url = req->url;
    resp->sensitive = req->sensitive;
    if (req->easy) {
        long status = 0;

        if (curl_easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &status) ==
            CURLE_OK)
            resp->status = status;
        if (req->want_cert && !req->resp.have_cert)
            req->resp.have_cert =
                http_tls_peer_cert(req->easy, &req->resp.cert);
    }
    resp->curl_code = curl_code;
    if (forced) {
        err_set(&resp->err, forced, "%s on %s %s", forced_text,
                req->method, req->url);
        resp->status = 0;
    } else if (req->nomem) {
        err_set(&resp->err, ERR_NOMEM, "out of memory receiving %s %s",
                req->method, req->url);
    } else if (curl_code != CURLE_OK) {
        http_err_from_curl(&resp->err, curl_code, req->errbuf, req->method,
                           req->url, req->too_big, req->max_response);
    }
    if (resp->err.code)
        resp->err.status = (int)resp->status;
    if (req->done)
        req->done(resp, req->payload);
    http_request_free(req);
}
