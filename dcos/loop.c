/*
 * libcurl multi driven by libev.  See loop.h and style.md section 1 ("Event
 * loop and libcurl multi"): the timer callback never calls libcurl, the io
 * callback copies what it needs before curl_multi_socket_action, every
 * socket action is followed by draining curl_multi_info_read, and
 * curl_multi_cleanup runs while the ev_loop is alive.
 */
#include "loop.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <ev.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/util.h"

#define HTTP_MAX_WORKERS 2u
#define TRACE_BODY_MAX 2048u

struct http_request {
    struct http_loop *loop;
    CURL *easy;
    char *method;
    char *url;
    struct curl_slist *headers;
    bool has_ctype;
    unsigned char *body;
    size_t body_len;
    bool body_secret;
    bool sensitive;
    char *ca_file;
    char *ca_pem;
    bool insecure;
    bool allow_http;
    bool want_cert;
    bool fresh;
    long connect_timeout_ms;
    long timeout_ms;
    size_t max_response;
    struct curl_slist *connect_to;
    http_done_fn done;
    void *payload;
    struct http_response resp;
    bool too_big;
    bool nomem;
    char errbuf[CURL_ERROR_SIZE];
    /* Queue (singly linked) or active list (doubly linked). */
    struct http_request *next;
    struct http_request *prev;
};

struct http_sock {
    ev_io io;
    struct http_loop *loop;
    curl_socket_t fd;
};

struct http_job {
    http_work_fn work;
    http_work_done_fn done;
    void *arg;
    pthread_t thread;
    bool started;
    bool finished;
    struct http_loop *loop;
    struct http_job *next;
};

struct http_loop {
    struct ev_loop *ev;
    bool own_ev;
    CURLM *multi;
    ev_timer timer;
    unsigned max_transfers;
    unsigned running;
    unsigned peak;
    unsigned queued;
    struct http_request *queue_head;
    struct http_request *queue_tail;
    struct http_request *active;
    bool refuse;          /* submit fails (cancel_all or free running) */
    bool in_run;
    FILE *trace;

    /* Worker jobs. */
    ev_async async;
    bool async_ref;       /* the async watcher holds a loop reference */
    pthread_mutex_t jobs_lock;
    struct http_job *jobs_waiting;   /* not started, FIFO */
    struct http_job *jobs_running;   /* started (finished or not) */
    unsigned n_jobs;                 /* waiting + running */
    unsigned n_threads;              /* started, not yet joined */
};

static void check_multi_info(struct http_loop *loop);
static void start_queued(struct http_loop *loop);

/* ------------------------------------------------------------------ */
/* global                                                              */

int http_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0
                                                             : ERR_INTERNAL;
}

void http_global_cleanup(void)
{
    curl_global_cleanup();
}

/* ------------------------------------------------------------------ */
/* error mapping                                                       */

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
    case CURLE_SSL_CONNECT_ERROR:
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
/* certificates                                                        */

void http_cert_clear(struct http_cert *cert)
{
    size_t i;

    if (!cert)
        return;
    free(cert->subject);
    free(cert->issuer);
    free(cert->not_after);
    for (i = 0; i < cert->n_sans; i++)
        free(cert->sans[i]);
    free(cert->sans);
    memset(cert, 0, sizeof(*cert));
}

static char *x509_name_str(const X509_NAME *name)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *p = NULL, *s = NULL;
    long n;

    if (!b)
        return NULL;
    if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
        n = BIO_get_mem_data(b, &p);
        if (n >= 0) {
            s = malloc((size_t)n + 1);
            if (s) {
                memcpy(s, p, (size_t)n);
                s[n] = '\0';
            }
        }
    }
    BIO_free(b);
    return s;
}

static int cert_add_san(struct http_cert *c, const char *kind,
                        const char *val)
{
    char **v;
    size_t n = strlen(kind) + strlen(val) + 1;

    v = realloc(c->sans, (c->n_sans + 1) * sizeof(*v));
    if (!v)
        return ERR_NOMEM;
    c->sans = v;
    v[c->n_sans] = malloc(n);
    if (!v[c->n_sans])
        return ERR_NOMEM;
    snprintf(v[c->n_sans], n, "%s%s", kind, val);
    c->n_sans++;
    return 0;
}

/* Fill @c from the leaf certificate PEM @pem.  0 or a negative err. */
static int cert_from_pem(struct http_cert *c, const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = NULL;
    GENERAL_NAMES *gens = NULL;
    struct tm tm;
    char when[32];
    int i, r = ERR_INVALID;

    if (!b)
        return ERR_NOMEM;
    x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    if (!x)
        goto out;
    c->subject = x509_name_str(X509_get_subject_name(x));
    c->issuer = x509_name_str(X509_get_issuer_name(x));
    if (!c->subject || !c->issuer) {
        r = ERR_NOMEM;
        goto out;
    }
    if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) <= 0)
        goto out;
    if (strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        goto out;
    c->not_after = strdup(when);
    if (!c->not_after) {
        r = ERR_NOMEM;
        goto out;
    }
    gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    for (i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        char tmp[INET6_ADDRSTRLEN];

        if (g->type == GEN_DNS) {
            const unsigned char *d = ASN1_STRING_get0_data(g->d.dNSName);
            int len = ASN1_STRING_length(g->d.dNSName);
            char *s = malloc((size_t)len + 1);

            if (!s) {
                r = ERR_NOMEM;
                goto out;
            }
            memcpy(s, d, (size_t)len);
            s[len] = '\0';
            r = cert_add_san(c, "DNS:", s);
            free(s);
            if (r)
                goto out;
        } else if (g->type == GEN_IPADD) {
            const unsigned char *d = ASN1_STRING_get0_data(g->d.iPAddress);
            int len = ASN1_STRING_length(g->d.iPAddress);
            int af = len == 4 ? AF_INET : len == 16 ? AF_INET6 : -1;

            if (af < 0 || !inet_ntop(af, d, tmp, sizeof(tmp)))
                continue;
            if (cert_add_san(c, "IP:", tmp)) {
                r = ERR_NOMEM;
                goto out;
            }
        }
    }
    r = 0;
out:
    GENERAL_NAMES_free(gens);
    X509_free(x);
    BIO_free(b);
    if (r)
        http_cert_clear(c);
    return r;
}

static void capture_cert(struct http_request *req)
{
    struct curl_certinfo *ci = NULL;
    struct curl_slist *sl;

    if (curl_easy_getinfo(req->easy, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
        !ci || ci->num_of_certs < 1)
        return;
    for (sl = ci->certinfo[0]; sl; sl = sl->next) {
        if (util_has_prefix(sl->data, "Cert:")) {
            if (cert_from_pem(&req->resp.cert, sl->data + 5) == 0)
                req->resp.have_cert = true;
            return;
        }
    }
}

/* ------------------------------------------------------------------ */
/* tracing                                                             */

static void trace_escaped(FILE *out, const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];

        if (ch == '\\')
            fputs("\\\\", out);
        else if (ch < 0x20 || ch == 0x7f)
            fprintf(out, "\\x%02x", ch);
        else
            fputc(ch, out);
    }
}

static bool header_is_secret(const char *line, size_t n)
{
    static const char *const names[] = {
        "authorization", "proxy-authorization", "cookie", "set-cookie"
    };
    const char *colon = memchr(line, ':', n);
    size_t i, len;

    if (!colon)
        return false;
    len = (size_t)(colon - line);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strlen(names[i]) == len && strncasecmp(line, names[i], len) == 0)
            return true;
    return false;
}

static bool text_mentions_secret(const char *p, size_t n)
{
    static const char *const words[] = { "authorization", "cookie",
                                         "token=" };
    size_t i, j, w;

    for (w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
        size_t len = strlen(words[w]);

        for (i = 0; i + len <= n; i++) {
            for (j = 0; j < len; j++)
                if (tolower((unsigned char)p[i + j]) != words[w][j])
                    break;
            if (j == len)
                return true;
        }
    }
    return false;
}

/* One block of header lines (request headers come as one block). */
static void trace_header_block(FILE *out, const char *tag, const char *p,
                               size_t n)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t len = nl ? (size_t)(nl - p) : n;
        size_t adv = nl ? len + 1 : len;

        if (len > 0 && p[len - 1] == '\r')
            len--;
        if (len > 0) {
            fputs(tag, out);
            if (header_is_secret(p, len)) {
                const char *colon = memchr(p, ':', len);

                trace_escaped(out, p, (size_t)(colon - p));
                fputs(": <redacted>", out);
            } else if (!memchr(p, ':', len) && !util_has_prefix(p, "HTTP/") &&
                       !memchr(p, ' ', len)) {
                /* Not a header, not a status/request line: be safe. */
                fputs("<redacted line>", out);
            } else {
                trace_escaped(out, p, len);
            }
            fputc('\n', out);
        }
        p += adv;
        n -= adv;
    }
}

static int debug_cb(CURL *e, curl_infotype type, char *data, size_t size,
                    void *userp)
{
    struct http_request *req = userp;
    FILE *out = req->loop->trace;

    (void)e;
    if (!out)
        return 0;
    switch (type) {
    case CURLINFO_TEXT:
        fputs("* ", out);
        if (text_mentions_secret(data, size))
            fputs("<redacted text>", out);
        else
            trace_escaped(out, data,
                          size && data[size - 1] == '\n' ? size - 1 : size);
        fputc('\n', out);
        break;
    case CURLINFO_HEADER_OUT:
        trace_header_block(out, "> ", data, size);
        break;
    case CURLINFO_HEADER_IN:
        trace_header_block(out, "< ", data, size);
        break;
    case CURLINFO_DATA_OUT:
    case CURLINFO_DATA_IN: {
        const char *tag = type == CURLINFO_DATA_OUT ? "}" : "{";

        if (req->sensitive) {
            fprintf(out, "%s [%zu bytes redacted]\n", tag, size);
        } else {
            fprintf(out, "%s ", tag);
            trace_escaped(out, data,
                          size > TRACE_BODY_MAX ? TRACE_BODY_MAX : size);
            if (size > TRACE_BODY_MAX)
                fprintf(out, "...[%zu bytes]", size);
            fputc('\n', out);
        }
        break;
    }
    default:
        break;
    }
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
    free(req->ca_pem);
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
    char *p = strdup(pem);

    if (!p)
        return ERR_NOMEM;
    free(req->ca_pem);
    req->ca_pem = p;
    return 0;
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

/* ------------------------------------------------------------------ */
/* libcurl callbacks                                                   */

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

static void io_cb(struct ev_loop *ev, ev_io *w, int revents)
{
    struct http_sock *hs = w->data;
    /* Copy before socket_action: it may free @hs (CURL_POLL_REMOVE). */
    struct http_loop *loop = hs->loop;
    curl_socket_t fd = hs->fd;
    int action = 0, still = 0;

    (void)ev;
    if (revents & EV_READ)
        action |= CURL_CSELECT_IN;
    if (revents & EV_WRITE)
        action |= CURL_CSELECT_OUT;
    curl_multi_socket_action(loop->multi, fd, action, &still);
    check_multi_info(loop);
}

static int sock_cb(CURL *e, curl_socket_t s, int what, void *userp,
                   void *socketp)
{
    struct http_loop *loop = userp;
    struct http_sock *hs = socketp;
    int events = 0;

    (void)e;
    if (what == CURL_POLL_REMOVE) {
        if (hs) {
            ev_io_stop(loop->ev, &hs->io);
            free(hs);
        }
        return 0;
    }
    if (what & CURL_POLL_IN)
        events |= EV_READ;
    if (what & CURL_POLL_OUT)
        events |= EV_WRITE;
    if (!hs) {
        hs = calloc(1, sizeof(*hs));
        if (!hs)
            return -1;
        hs->loop = loop;
        hs->fd = s;
        ev_io_init(&hs->io, io_cb, s, events);
        hs->io.data = hs;
        if (curl_multi_assign(loop->multi, s, hs) != CURLM_OK) {
            free(hs);
            return -1;
        }
    } else {
        ev_io_stop(loop->ev, &hs->io);
        ev_io_modify(&hs->io, events);
    }
    if (events)
        ev_io_start(loop->ev, &hs->io);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: only (re)arms the ev_timer, never calls curl. */
static int curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    struct http_loop *loop = userp;

    (void)multi;
    ev_timer_stop(loop->ev, &loop->timer);
    if (timeout_ms < 0)
        return 0;
    ev_timer_set(&loop->timer, (double)timeout_ms / 1000.0, 0.);
    ev_timer_start(loop->ev, &loop->timer);
    return 0;
}

static void ev_timer_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
    struct http_loop *loop = w->data;
    int still = 0;

    (void)ev;
    (void)revents;
    curl_multi_socket_action(loop->multi, CURL_SOCKET_TIMEOUT, 0, &still);
    check_multi_info(loop);
}

/* ------------------------------------------------------------------ */
/* transfers                                                           */

static void active_add(struct http_loop *loop, struct http_request *req)
{
    req->prev = NULL;
    req->next = loop->active;
    if (loop->active)
        loop->active->prev = req;
    loop->active = req;
}

static void active_remove(struct http_loop *loop, struct http_request *req)
{
    if (req->prev)
        req->prev->next = req->next;
    else
        loop->active = req->next;
    if (req->next)
        req->next->prev = req->prev;
    req->next = req->prev = NULL;
}

#define SETOPT(e, opt, val)                                                   \
    do {                                                                      \
        if (curl_easy_setopt((e), (opt), (val)) != CURLE_OK)                  \
            goto fail;                                                        \
    } while (0)

/* Build the easy handle and add it to the multi.  0 or a negative err. */
static int req_start(struct http_loop *loop, struct http_request *req)
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

    if (req->ca_pem) {
        struct curl_blob blob;

        blob.data = req->ca_pem;
        blob.len = strlen(req->ca_pem);
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
    if (req->want_cert)
        SETOPT(e, CURLOPT_CERTINFO, 1L);
    if (req->fresh) {
        SETOPT(e, CURLOPT_FRESH_CONNECT, 1L);
        SETOPT(e, CURLOPT_FORBID_REUSE, 1L);
    }
    if (loop->trace) {
        SETOPT(e, CURLOPT_DEBUGFUNCTION, debug_cb);
        SETOPT(e, CURLOPT_DEBUGDATA, req);
        /* Needed for the debug callback; it decides what is written. */
        SETOPT(e, CURLOPT_VERBOSE, 1L);
    }
    if (curl_multi_add_handle(loop->multi, e) != CURLM_OK)
        goto fail;
    active_add(loop, req);
    loop->running++;
    if (loop->running > loop->peak)
        loop->peak = loop->running;
    return 0;
fail:
    curl_easy_cleanup(e);
    req->easy = NULL;
    return ERR_INTERNAL;
}

#undef SETOPT

/* Fill the response, run the callback, free the request. */
static void req_finish(struct http_request *req, int curl_code, int forced,
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
        if (req->want_cert)
            capture_cert(req);
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

static void check_multi_info(struct http_loop *loop)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(loop->multi, &left))) {
        struct http_request *req = NULL;
        CURL *e;
        CURLcode result;

        if (msg->msg != CURLMSG_DONE)
            continue;
        e = msg->easy_handle;
        result = msg->data.result;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&req);
        curl_multi_remove_handle(loop->multi, e);
        loop->running--;
        active_remove(loop, req);
        req_finish(req, (int)result, 0, NULL);
        start_queued(loop);
    }
}

static void start_queued(struct http_loop *loop)
{
    while (loop->queue_head && loop->running < loop->max_transfers) {
        struct http_request *req = loop->queue_head;

        loop->queue_head = req->next;
        if (!loop->queue_head)
            loop->queue_tail = NULL;
        req->next = NULL;
        loop->queued--;
        if (req_start(loop, req))
            req_finish(req, 0, ERR_INTERNAL, "could not start the transfer");
    }
}

int http_loop_submit(struct http_loop *loop, struct http_request *req,
                     http_done_fn done, void *payload)
{
    int r;

    if (loop->refuse) {
        http_request_free(req);
        return ERR_INVALID;
    }
    req->loop = loop;
    req->done = done;
    req->payload = payload;
    if (loop->running < loop->max_transfers && !loop->queue_head) {
        r = req_start(loop, req);
        if (r) {
            req->done = NULL;
            http_request_free(req);
        }
        return r;
    }
    req->next = NULL;
    if (loop->queue_tail)
        loop->queue_tail->next = req;
    else
        loop->queue_head = req;
    loop->queue_tail = req;
    loop->queued++;
    return 0;
}

void http_loop_cancel_all(struct http_loop *loop, int code)
{
    bool was = loop->refuse;

    loop->refuse = true;
    while (loop->active) {
        struct http_request *req = loop->active;

        active_remove(loop, req);
        curl_multi_remove_handle(loop->multi, req->easy);
        loop->running--;
        req_finish(req, 0, code, "request cancelled");
    }
    while (loop->queue_head) {
        struct http_request *req = loop->queue_head;

        loop->queue_head = req->next;
        if (!loop->queue_head)
            loop->queue_tail = NULL;
        loop->queued--;
        req->next = NULL;
        req_finish(req, 0, code, "request cancelled");
    }
    loop->refuse = was;
}

/* ------------------------------------------------------------------ */
/* worker jobs                                                         */

static void *job_thread(void *arg)
{
    struct http_job *job = arg;
    struct http_loop *loop = job->loop;

    job->work(job->arg);
    pthread_mutex_lock(&loop->jobs_lock);
    job->finished = true;
    pthread_mutex_unlock(&loop->jobs_lock);
    ev_async_send(loop->ev, &loop->async);
    return NULL;
}

static void jobs_ref_update(struct http_loop *loop)
{
    /* The async watcher keeps ev_run alive only while jobs exist. */
    if (loop->n_jobs > 0 && !loop->async_ref) {
        ev_ref(loop->ev);
        loop->async_ref = true;
    } else if (loop->n_jobs == 0 && loop->async_ref) {
        ev_unref(loop->ev);
        loop->async_ref = false;
    }
}

/* Start waiting jobs while fewer than HTTP_MAX_WORKERS threads run. */
static void jobs_start(struct http_loop *loop)
{
    while (loop->jobs_waiting && loop->n_threads < HTTP_MAX_WORKERS) {
        struct http_job *job = loop->jobs_waiting;

        loop->jobs_waiting = job->next;
        pthread_mutex_lock(&loop->jobs_lock);
        job->next = loop->jobs_running;
        loop->jobs_running = job;
        pthread_mutex_unlock(&loop->jobs_lock);
        if (pthread_create(&job->thread, NULL, job_thread, job) != 0) {
            /* Complete it as failed on the next async pass. */
            pthread_mutex_lock(&loop->jobs_lock);
            job->finished = true;
            pthread_mutex_unlock(&loop->jobs_lock);
            ev_async_send(loop->ev, &loop->async);
            continue;
        }
        job->started = true;
        loop->n_threads++;
    }
}

static void async_cb(struct ev_loop *ev, ev_async *w, int revents)
{
    struct http_loop *loop = w->data;
    struct http_job *done_list = NULL, **pp, *job;

    (void)ev;
    (void)revents;
    pthread_mutex_lock(&loop->jobs_lock);
    pp = &loop->jobs_running;
    while ((job = *pp)) {
        if (job->finished) {
            *pp = job->next;
            job->next = done_list;
            done_list = job;
        } else {
            pp = &job->next;
        }
    }
    pthread_mutex_unlock(&loop->jobs_lock);
    while ((job = done_list)) {
        done_list = job->next;
        if (job->started) {
            pthread_join(job->thread, NULL);
            loop->n_threads--;
        }
        loop->n_jobs--;
        jobs_ref_update(loop);
        job->done(job->arg, job->started ? 0 : ERR_INTERNAL);
        free(job);
    }
    jobs_start(loop);
}

int http_loop_job(struct http_loop *loop, http_work_fn work,
                  http_work_done_fn done, void *arg)
{
    struct http_job *job, **pp;

    if (loop->refuse)
        return ERR_INVALID;
    job = calloc(1, sizeof(*job));
    if (!job)
        return ERR_NOMEM;
    job->work = work;
    job->done = done;
    job->arg = arg;
    job->loop = loop;
    for (pp = &loop->jobs_waiting; *pp; pp = &(*pp)->next)
        ;
    *pp = job;
    loop->n_jobs++;
    jobs_ref_update(loop);
    jobs_start(loop);
    return 0;
}

/* ------------------------------------------------------------------ */
/* the loop                                                            */

int http_loop_new(struct http_loop **out, struct ev_loop *ev,
                  unsigned max_transfers)
{
    struct http_loop *loop = calloc(1, sizeof(*loop));

    if (!loop)
        return ERR_NOMEM;
    loop->max_transfers = max_transfers ? max_transfers
                                        : HTTP_DEFAULT_MAX_TRANSFERS;
    if (ev) {
        loop->ev = ev;
    } else {
        loop->ev = ev_loop_new(EVFLAG_AUTO);
        loop->own_ev = true;
        if (!loop->ev) {
            free(loop);
            return ERR_INTERNAL;
        }
    }
    if (pthread_mutex_init(&loop->jobs_lock, NULL) != 0) {
        if (loop->own_ev)
            ev_loop_destroy(loop->ev);
        free(loop);
        return ERR_INTERNAL;
    }
    loop->multi = curl_multi_init();
    if (!loop->multi)
        goto fail;
    if (curl_multi_setopt(loop->multi, CURLMOPT_SOCKETFUNCTION, sock_cb) ||
        curl_multi_setopt(loop->multi, CURLMOPT_SOCKETDATA, loop) ||
        curl_multi_setopt(loop->multi, CURLMOPT_TIMERFUNCTION,
                          curl_timer_cb) ||
        curl_multi_setopt(loop->multi, CURLMOPT_TIMERDATA, loop) ||
        curl_multi_setopt(loop->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                          (long)loop->max_transfers) ||
        curl_multi_setopt(loop->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                          (long)loop->max_transfers))
        goto fail;
    ev_timer_init(&loop->timer, ev_timer_cb, 0., 0.);
    loop->timer.data = loop;
    ev_async_init(&loop->async, async_cb);
    loop->async.data = loop;
    ev_async_start(loop->ev, &loop->async);
    /* Idle async watcher must not keep ev_run() alive. */
    ev_unref(loop->ev);
    *out = loop;
    return 0;
fail:
    if (loop->multi)
        curl_multi_cleanup(loop->multi);
    pthread_mutex_destroy(&loop->jobs_lock);
    if (loop->own_ev)
        ev_loop_destroy(loop->ev);
    free(loop);
    return ERR_INTERNAL;
}

void http_loop_free(struct http_loop *loop)
{
    struct http_job *job;

    if (!loop)
        return;
    http_loop_cancel_all(loop, ERR_INTERNAL);
    loop->refuse = true;
    /* Jobs: never started ones are cancelled, running ones joined. */
    while ((job = loop->jobs_waiting)) {
        loop->jobs_waiting = job->next;
        loop->n_jobs--;
        job->done(job->arg, ERR_INTERNAL);
        free(job);
    }
    while ((job = loop->jobs_running)) {
        loop->jobs_running = job->next;
        if (job->started)
            pthread_join(job->thread, NULL);
        loop->n_jobs--;
        job->done(job->arg, ERR_INTERNAL);
        free(job);
    }
    jobs_ref_update(loop);
    /* libcurl may call the socket callback here: the loop is alive. */
    curl_multi_cleanup(loop->multi);
    ev_timer_stop(loop->ev, &loop->timer);
    ev_ref(loop->ev);
    ev_async_stop(loop->ev, &loop->async);
    pthread_mutex_destroy(&loop->jobs_lock);
    if (loop->own_ev)
        ev_loop_destroy(loop->ev);
    free(loop);
}

void http_loop_set_trace(struct http_loop *loop, FILE *out)
{
    loop->trace = out;
}

unsigned http_loop_pending(const struct http_loop *loop)
{
    return loop->running + loop->queued + loop->n_jobs;
}

unsigned http_loop_peak_transfers(const struct http_loop *loop)
{
    return loop->peak;
}

static void deadline_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
    (void)w;
    (void)revents;
    ev_break(ev, EVBREAK_ONE);
}

int http_loop_run(struct http_loop *loop, double deadline)
{
    ev_timer dl;
    int r = 0;

    if (loop->in_run)
        return ERR_INTERNAL;
    loop->in_run = true;
    ev_timer_init(&dl, deadline_cb, 0., 0.);
    while (http_loop_pending(loop) > 0) {
        if (deadline > 0) {
            double left = deadline - util_now_mono();

            if (left <= 0) {
                r = ERR_TIMEOUT;
                break;
            }
            ev_timer_stop(loop->ev, &dl);
            ev_timer_set(&dl, left, 0.);
            ev_timer_start(loop->ev, &dl);
        }
        ev_run(loop->ev, EVRUN_ONCE);
    }
    ev_timer_stop(loop->ev, &dl);
    loop->in_run = false;
    return r;
}
