#define _DEFAULT_SOURCE /* usleep */
#include "fakesrv.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#define FAKE_MAX_REQ 1024

struct fake_srv {
    struct MHD_Daemon *d;
    fake_handler_fn h;
    void *arg;
    pthread_mutex_t lock;
    struct fake_req reqs[FAKE_MAX_REQ];
    size_t n;
    int active;
    int peak;
    int port;
    int cut;        /* accepted connections still to close at once */
    int accepts;
};

struct conn_ctx {
    char *body;
    size_t len;
};

static void copy_hdr(char *dst, size_t n, struct MHD_Connection *c,
                     const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);

    snprintf(dst, n, "%s", v ? v : "");
}

struct qctx {
    char *q;
    size_t n;
};

static enum MHD_Result arg_cb(void *cls, enum MHD_ValueKind kind,
                              const char *key, const char *value)
{
    struct qctx *q = cls;
    size_t len = strlen(q->q);

    (void)kind;
    snprintf(q->q + len, q->n - len, "%s%s%s%s", len ? "&" : "", key,
             value ? "=" : "", value ? value : "");
    return MHD_YES;
}

static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn,
                               const char *url, const char *method,
                               const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    struct fake_srv *s = cls;
    struct conn_ctx *cc = *con_cls;
    struct fake_req req;
    struct fake_reply rep;
    struct MHD_Response *resp;
    struct qctx q;
    enum MHD_Result ret;

    (void)version;
    if (!cc) {
        cc = calloc(1, sizeof(*cc));
        if (!cc)
            return MHD_NO;
        *con_cls = cc;
        return MHD_YES;
    }
    if (*upload_size) {
        char *p = realloc(cc->body, cc->len + *upload_size + 1);

        if (!p)
            return MHD_NO;
        memcpy(p + cc->len, upload, *upload_size);
        cc->len += *upload_size;
        p[cc->len] = '\0';
        cc->body = p;
        *upload_size = 0;
        return MHD_YES;
    }
    memset(&req, 0, sizeof(req));
    snprintf(req.method, sizeof(req.method), "%s", method);
    snprintf(req.path, sizeof(req.path), "%s", url);
    q.q = req.query;
    q.n = sizeof(req.query);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, arg_cb, &q);
    copy_hdr(req.ctype, sizeof(req.ctype), conn, "Content-Type");
    copy_hdr(req.accept, sizeof(req.accept), conn, "Accept");
    copy_hdr(req.auth, sizeof(req.auth), conn, "Authorization");
    req.body = cc->body ? cc->body : (char *)"";
    req.body_len = cc->len;

    pthread_mutex_lock(&s->lock);
    s->active++;
    if (s->active > s->peak)
        s->peak = s->active;
    if (s->n < FAKE_MAX_REQ) {
        s->reqs[s->n] = req;
        s->reqs[s->n].body = strdup(req.body);
        s->n++;
    }
    pthread_mutex_unlock(&s->lock);

    memset(&rep, 0, sizeof(rep));
    rep.status = 404;
    s->h(&req, &rep, s->arg);
    if (rep.delay_ms > 0)
        usleep((useconds_t)rep.delay_ms * 1000u);

    pthread_mutex_lock(&s->lock);
    s->active--;
    pthread_mutex_unlock(&s->lock);

    if (rep.reset) {
        free(rep.body);
        return MHD_NO;
    }
    resp = MHD_create_response_from_buffer(rep.len, rep.body ? rep.body
                                                             : (void *)"",
                                           MHD_RESPMEM_MUST_COPY);
    free(rep.body);
    if (!resp)
        return MHD_NO;
    if (rep.ctype)
        MHD_add_response_header(resp, "Content-Type", rep.ctype);
    if (rep.hdr_name)
        MHD_add_response_header(resp, rep.hdr_name, rep.hdr_value);
    ret = MHD_queue_response(conn, (unsigned)rep.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result accept_cb(void *cls, const struct sockaddr *addr,
                                 socklen_t addrlen)
{
    struct fake_srv *s = cls;
    enum MHD_Result ok = MHD_YES;

    (void)addr;
    (void)addrlen;
    pthread_mutex_lock(&s->lock);
    s->accepts++;
    if (s->cut > 0) {
        s->cut--;
        ok = MHD_NO;
    }
    pthread_mutex_unlock(&s->lock);
    return ok;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    struct conn_ctx *cc = *con_cls;

    (void)cls;
    (void)c;
    (void)toe;
    if (cc) {
        free(cc->body);
        free(cc);
        *con_cls = NULL;
    }
}

int fake_start(struct fake_srv **out, const char *cert_pem,
               const char *key_pem, fake_handler_fn h, void *arg)
{
    struct fake_srv *s = calloc(1, sizeof(*s));
    struct sockaddr_in sa;
    const union MHD_DaemonInfo *info;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_THREAD_PER_CONNECTION;

    if (!s)
        return -1;
    s->h = h;
    s->arg = arg;
    pthread_mutex_init(&s->lock, NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = 0;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (cert_pem)
        s->d = MHD_start_daemon(
            flags | MHD_USE_TLS, 0, accept_cb, s, handler, s,
            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
            MHD_OPTION_HTTPS_MEM_CERT, cert_pem, MHD_OPTION_HTTPS_MEM_KEY,
            key_pem, MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
            MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
    else
        s->d = MHD_start_daemon(
            flags, 0, accept_cb, s, handler, s, MHD_OPTION_SOCK_ADDR,
            (struct sockaddr *)&sa, MHD_OPTION_UNESCAPE_CALLBACK,
            no_unescape, NULL, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
            MHD_OPTION_END);
    if (!s->d) {
        pthread_mutex_destroy(&s->lock);
        free(s);
        return -1;
    }
    info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    *out = s;
    return s->port > 0 ? 0 : -1;
}

int fake_port(const struct fake_srv *s)
{
    return s->port;
}

void fake_clear(struct fake_srv *s)
{
    size_t i;

    pthread_mutex_lock(&s->lock);
    for (i = 0; i < s->n; i++)
        free(s->reqs[i].body);
    s->n = 0;
    s->peak = 0;
    pthread_mutex_unlock(&s->lock);
}

void fake_stop(struct fake_srv *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->d);
    fake_clear(s);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

size_t fake_count(struct fake_srv *s)
{
    size_t n;

    pthread_mutex_lock(&s->lock);
    n = s->n;
    pthread_mutex_unlock(&s->lock);
    return n;
}

const struct fake_req *fake_get(struct fake_srv *s, size_t i)
{
    const struct fake_req *r;

    pthread_mutex_lock(&s->lock);
    r = i < s->n ? &s->reqs[i] : NULL;
    pthread_mutex_unlock(&s->lock);
    return r;
}

void fake_cut_accepts(struct fake_srv *s, int n)
{
    pthread_mutex_lock(&s->lock);
    s->cut = n;
    pthread_mutex_unlock(&s->lock);
}

int fake_accepts(struct fake_srv *s)
{
    int n;

    pthread_mutex_lock(&s->lock);
    n = s->accepts;
    pthread_mutex_unlock(&s->lock);
    return n;
}

int fake_peak(struct fake_srv *s)
{
    int p;

    pthread_mutex_lock(&s->lock);
    p = s->peak;
    pthread_mutex_unlock(&s->lock);
    return p;
}

void fake_reply_set(struct fake_reply *r, int status, const char *ctype,
                    const char *body)
{
    r->status = status;
    r->ctype = ctype;
    free(r->body);
    r->body = body ? strdup(body) : NULL;
    r->len = body ? strlen(body) : 0;
}

int fake_closed_port(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

    if (fd < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}
