/*
 * dcos-sim HTTP server: libmicrohttpd over TLS, a small pool of epoll
 * threads with a bounded number of connections (the front door's worker
 * connections).  Requests are checked as nginx checks them (control
 * characters in the path, the declared body size), then dispatched to the
 * modules' route tables (longest prefix wins) after Admin Router style
 * authentication and the fault rules of the control API; every request
 * outside /sim/v1/ goes to a bounded request log.  Delays (fault rules,
 * --latency-ms) suspend the connection instead of holding a thread
 * (sim/server_delay.h).  Tokens are checked and handlers run through the
 * ops of the configuration (sim/server.h).
 */
#include "sim/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/secret.h"
#include "common/util.h"
#include "sim/http.h"
#include "sim/server_delay.h"

#define BODY_MAX ((size_t)4 * 1024 * 1024)
#define LOG_CAP 10000
#define CONN_TIMEOUT_S 120
#define CONN_LIMIT 512u  /* open connections, idle ones included */
#define POOL_THREADS 4u  /* epoll threads serving them */

/* Where a request is (the access handler is called again after a
 * suspended connection resumes). */
enum conn_phase {
    PH_BODY = 0,    /* headers and body arriving */
    PH_FAULT_WAIT,  /* a delay fault rule holds it; then it is handled */
    PH_DROP_WAIT,   /* dropped without an answer once the latency is over */
    PH_ANSWERED     /* a response is queued */
};

/* Per-request context, created by the URI callback. */
struct conn {
    char *uri;     /* raw request target (path and query) */
    char *path;    /* its path, still percent-encoded */
    bool control;  /* a control API request (no faults, latency, log) */
    struct buf body;
    bool started;
    int phase;     /* enum conn_phase */
    double t_wall; /* when the request line arrived */
};

struct log_entry {
    char method[16];
    char *path;
    int status;
    double t_wall;
    bool write;
};

static struct {
    struct sim_server_config cfg; /* without certificate and key */
    struct MHD_Daemon *daemon;
    char *cert_pem;
    char *key_pem;
    volatile int stopping; /* resumed requests are dropped */
    pthread_mutex_t mu; /* guards faults and the request log */
    struct sim_fault *faults;
    size_t n_faults, cap_faults;
    long next_fault_id;
    struct log_entry *log; /* ring of LOG_CAP */
    size_t log_head, log_len;
} g = {.mu = PTHREAD_MUTEX_INITIALIZER, .next_fault_id = 1};

/* ------------------------------------------------------------------ */
/* helpers                                                              */

/* A uniform random number in [0, 1). */
static double random_unit(void)
{
    uint64_t v = 0;

    if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
        return 0.0;
    return (double)(v >> 11) * (1.0 / 9007199254740992.0);
}

/* 1 when @path equals @p (len @plen) give or take one trailing '/'. */
static int path_equal_loose(const char *path, const char *p, size_t plen)
{
    size_t n = strlen(path);

    if (n && path[n - 1] == '/')
        n--;
    if (plen && p[plen - 1] == '/')
        plen--;
    return n == plen && strncmp(path, p, n) == 0;
}

static int is_control(const char *path)
{
    return util_has_prefix(path, "/sim/v1/") || strcmp(path, "/sim/v1") == 0;
}

/* See server.h. */
bool sim_server_is_write(const char *method, const char *path)
{
    static const char *const readonly_posts[] = {
        "/acs/api/v1/auth/login",  "/package/list",
        "/package/describe",       "/package/list-versions",
        "/package/search",         "/package/render",
        "/package/repository/list", "/cosmos/service/describe",
        "/ca/api/v2/info"};
    size_t i;

    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
        strcmp(method, "OPTIONS") == 0)
        return false;
    if (strcmp(method, "POST") == 0)
        for (i = 0; i < sizeof(readonly_posts) / sizeof(readonly_posts[0]);
             i++)
            if (path_equal_loose(path, readonly_posts[i],
                                 strlen(readonly_posts[i])))
                return false;
    return true;
}

/* ------------------------------------------------------------------ */
/* request log                                                          */

static void log_request(const char *method, const char *uri,
                        const char *path, int status, double t_wall)
{
    struct log_entry *e;
    char *copy = strdup(uri);

    if (!copy)
        return;
    pthread_mutex_lock(&g.mu);
    if (!g.log) {
        g.log = calloc(LOG_CAP, sizeof(*g.log));
        if (!g.log) {
            pthread_mutex_unlock(&g.mu);
            free(copy);
            return;
        }
    }
    if (g.log_len == LOG_CAP) {
        e = &g.log[g.log_head];
        free(e->path);
        g.log_head = (g.log_head + 1) % LOG_CAP;
        g.log_len--;
    }
    e = &g.log[(g.log_head + g.log_len) % LOG_CAP];
    snprintf(e->method, sizeof(e->method), "%s", method);
    e->path = copy;
    e->status = status;
    e->t_wall = t_wall;
    e->write = sim_server_is_write(method, path);
    g.log_len++;
    pthread_mutex_unlock(&g.mu);
}

/* See server.h. */
json_t *sim_server_requests_json(void)
{
    json_t *arr = json_array(), *o;
    size_t i;

    if (!arr)
        return NULL;
    pthread_mutex_lock(&g.mu);
    for (i = 0; i < g.log_len; i++) {
        const struct log_entry *e = &g.log[(g.log_head + i) % LOG_CAP];
        char ts[40];

        sim_iso8601(ts, sizeof(ts), e->t_wall);
        o = json_pack("{s:s,s:s,s:i,s:s,s:b}", "method", e->method, "path",
                      e->path, "status", e->status, "time", ts, "write",
                      (int)e->write);
        if (!o || json_array_append_new(arr, o)) {
            pthread_mutex_unlock(&g.mu);
            json_decref(arr);
            return NULL;
        }
    }
    pthread_mutex_unlock(&g.mu);
    return json_pack("{s:o}", "requests", arr);
}

static void log_clear_locked(void)
{
    size_t i;

    for (i = 0; i < g.log_len; i++) {
        struct log_entry *e = &g.log[(g.log_head + i) % LOG_CAP];

        free(e->path);
        e->path = NULL;
    }
    g.log_head = g.log_len = 0;
}

/* See server.h. */
void sim_server_requests_clear(void)
{
    pthread_mutex_lock(&g.mu);
    log_clear_locked();
    pthread_mutex_unlock(&g.mu);
}

/* ------------------------------------------------------------------ */
/* fault rules                                                          */

/* See server.h. */
long sim_server_fault_add(const struct sim_fault *f)
{
    struct sim_fault *slot;
    char *path = strdup(f->path);
    long id;

    if (!path)
        return ERR_NOMEM;
    pthread_mutex_lock(&g.mu);
    if (g.n_faults == g.cap_faults) {
        size_t cap = g.cap_faults ? g.cap_faults * 2 : 8;
        struct sim_fault *n = realloc(g.faults, cap * sizeof(*n));

        if (!n) {
            pthread_mutex_unlock(&g.mu);
            free(path);
            return ERR_NOMEM;
        }
        g.faults = n;
        g.cap_faults = cap;
    }
    slot = &g.faults[g.n_faults++];
    *slot = *f;
    slot->path = path;
    slot->id = id = g.next_fault_id++;
    pthread_mutex_unlock(&g.mu);
    return id;
}

static void fault_remove_locked(size_t i)
{
    free(g.faults[i].path);
    memmove(&g.faults[i], &g.faults[i + 1],
            (g.n_faults - i - 1) * sizeof(g.faults[0]));
    g.n_faults--;
}

/* See server.h. */
int sim_server_fault_delete(long id)
{
    size_t i;
    int r = ERR_NOTFOUND;

    pthread_mutex_lock(&g.mu);
    for (i = 0; i < g.n_faults; i++) {
        if (g.faults[i].id == id) {
            fault_remove_locked(i);
            r = 0;
            break;
        }
    }
    pthread_mutex_unlock(&g.mu);
    return r;
}

/* See server.h. */
void sim_server_faults_clear(void)
{
    pthread_mutex_lock(&g.mu);
    while (g.n_faults)
        fault_remove_locked(g.n_faults - 1);
    pthread_mutex_unlock(&g.mu);
}

/* See server.h. */
json_t *sim_server_faults_json(void)
{
    json_t *arr = json_array(), *o;
    size_t i;

    if (!arr)
        return NULL;
    pthread_mutex_lock(&g.mu);
    for (i = 0; i < g.n_faults; i++) {
        const struct sim_fault *f = &g.faults[i];
        int bad;

        o = json_pack("{s:I,s:s,s:s,s:f}", "id", (json_int_t)f->id,
                      "method", f->method, "path", f->path, "probability",
                      f->probability);
        bad = !o;
        if (!bad && f->status)
            bad = json_object_set_new(o, "status", json_integer(f->status));
        else if (!bad && f->reset)
            bad = json_object_set_new(o, "reset", json_true());
        else if (!bad)
            bad = json_object_set_new(o, "delay_ms",
                                      json_integer(f->delay_ms));
        if (!bad && f->count)
            bad = json_object_set_new(o, "count", json_integer(f->count));
        if (bad || json_array_append_new(arr, o)) {
            if (bad)
                json_decref(o);
            pthread_mutex_unlock(&g.mu);
            json_decref(arr);
            return NULL;
        }
    }
    pthread_mutex_unlock(&g.mu);
    return json_pack("{s:o}", "faults", arr);
}

/* Find the first rule for @method @path; copy its action to @hit.  Uses up
 * one application of a counted rule.  Returns 1 when a rule applies. */
static int fault_match(const char *method, const char *path,
                       struct sim_fault *hit)
{
    size_t i;
    int found = 0;

    pthread_mutex_lock(&g.mu);
    for (i = 0; i < g.n_faults && !found; i++) {
        struct sim_fault *f = &g.faults[i];

        if (strcmp(f->method, "*") != 0 && strcmp(f->method, method) != 0)
            continue;
        if (!util_has_prefix(path, f->path))
            continue;
        if (f->probability < 1.0 && random_unit() >= f->probability)
            continue;
        *hit = *f;
        hit->path = NULL;
        found = 1;
        if (f->count > 0 && --f->count == 0)
            fault_remove_locked(i);
    }
    pthread_mutex_unlock(&g.mu);
    return found;
}

/* ------------------------------------------------------------------ */
/* dispatch                                                             */

static int route_matches(const struct sim_route *rt, const char *path)
{
    size_t plen = strlen(rt->prefix);

    if (rt->exact)
        return path_equal_loose(path, rt->prefix, plen);
    return strncmp(path, rt->prefix, plen) == 0;
}

static const struct sim_route *
route_find_for(const struct sim_route_table *tables, size_t n_tables,
               const char *method, const char *path, bool *other_method)
{
    const struct sim_route *best = NULL;
    size_t best_len = 0, i, j;

    for (i = 0; i < n_tables; i++) {
        const struct sim_route_table *m = &tables[i];

        for (j = 0; j < m->n_routes; j++) {
            const struct sim_route *rt = &m->routes[j];
            size_t plen = strlen(rt->prefix);

            if (!route_matches(rt, path))
                continue;
            if (strcmp(rt->method, "*") != 0 &&
                strcmp(rt->method, method) != 0) {
                *other_method = true;
                continue;
            }
            if (!best || plen > best_len) {
                best = rt;
                best_len = plen;
            }
        }
    }
    return best;
}

/* See server.h. */
const struct sim_route *sim_route_select(const struct sim_route_table *tables,
                                         size_t n_tables, const char *method,
                                         const char *path, bool *other_method)
{
    const struct sim_route *rt;

    *other_method = false;
    rt = route_find_for(tables, n_tables, method, path, other_method);
    if (!rt && strcmp(method, "HEAD") == 0)
        rt = route_find_for(tables, n_tables, "GET", path, other_method);
    return rt;
}

static const char *token_from_header(const char *h)
{
    if (!h)
        return NULL;
    if (strncmp(h, "token=", 6) == 0 && h[6])
        return h + 6;
    if (strncmp(h, "Bearer ", 7) == 0 && h[7])
        return h + 7;
    return NULL;
}

static int control_token_ok(const char *h)
{
    const char *t = token_from_header(h);
    const char *want = g.cfg.control_token;
    size_t n;

    if (!t || !want)
        return 0;
    n = strlen(want);
    return strlen(t) == n && CRYPTO_memcmp(t, want, n) == 0;
}


static void resp_fault(struct sim_resp *resp, int status, long id)
{
    char idbuf[32];

    if (status == 401)
        sim_resp_401(resp);
    else if (status == 403)
        sim_resp_403(resp);
    else
        sim_resp_upstream_down(resp, status);
    snprintf(idbuf, sizeof(idbuf), "%ld", id);
    sim_resp_header(resp, "X-Sim-Fault", idbuf);
}

static enum MHD_Result send_resp(struct MHD_Connection *c,
                                 const struct sim_resp *r)
{
    struct MHD_Response *mr;
    enum MHD_Result ret;
    size_t i;

    mr = MHD_create_response_from_buffer(r->body_len,
                                         r->body ? r->body : (char *)"",
                                         MHD_RESPMEM_MUST_COPY);
    if (!mr)
        return MHD_NO;
    if (r->content_type &&
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
                                r->content_type) != MHD_YES) {
        MHD_destroy_response(mr);
        return MHD_NO;
    }
    for (i = 0; i < r->n_headers; i++) {
        if (MHD_add_response_header(mr, r->headers[i].name,
                                    r->headers[i].value) != MHD_YES) {
            MHD_destroy_response(mr);
            return MHD_NO;
        }
    }
    ret = MHD_queue_response(c, (unsigned)r->status, mr);
    MHD_destroy_response(mr);
    return ret;
}

/* Run the matched route's handler through the ops. */
static void run_handler(const struct sim_route *rt, struct sim_req *req,
                        struct sim_resp *resp)
{
    g.cfg.ops->handle(rt, req, resp, g.cfg.payload);
    if (resp->status < 100 || resp->status > 599) {
        LOG(LOG_ERROR, "sim", "handler set no status path=%s", req->path);
        sim_resp_free(resp);
        sim_resp_raw(resp, 500, "text/plain", "internal error\n", 15);
    }
}

/*
 * Answer @k: log it, then queue @resp (NULL with @drop: close the
 * connection without an answer).  Outside the control API the answer
 * waits --latency-ms first, on a suspended connection.  Frees @resp.
 */
static enum MHD_Result answer(struct conn *k, struct MHD_Connection *c,
                              const char *method, struct sim_resp *resp,
                              bool drop)
{
    long latency = k->control ? 0 : g.cfg.latency_ms;
    enum MHD_Result ret;

    if (!k->control)
        log_request(method, k->uri, k->path, drop ? 0 : resp->status,
                    k->t_wall);
    if (drop) {
        if (resp)
            sim_resp_free(resp);
        k->phase = PH_DROP_WAIT;
        if (latency > 0 && sim_server_delay_suspend(c, latency) == 0)
            return MHD_YES;
        return MHD_NO;
    }
    ret = send_resp(c, resp);
    sim_resp_free(resp);
    k->phase = PH_ANSWERED;
    /* the queued answer leaves when the connection is resumed */
    if (ret == MHD_YES && latency > 0)
        (void)sim_server_delay_suspend(c, latency);
    return ret;
}

/* Route, authenticate and run a complete request. */
static enum MHD_Result dispatch(struct conn *k, struct MHD_Connection *c,
                                const char *method)
{
    struct sim_resp resp;
    struct sim_req req;
    const struct sim_route *rt;
    const char *q = strchr(k->uri, '?');
    char *uid = NULL;
    bool other_method;
    enum MHD_Result ret;

    memset(&resp, 0, sizeof(resp));
    memset(&req, 0, sizeof(req));
    rt = sim_route_select(g.cfg.tables, g.cfg.n_tables, method, k->path,
                          &other_method);
    if (!rt) {
        sim_resp_upstream_down(&resp, other_method ? 405 : 404);
        return answer(k, c, method, &resp, false);
    }
    req.method = method;
    req.path = k->path;
    req.query = q ? q + 1 : "";
    req.body = buf_str(&k->body);
    req.body_len = k->body.len;
    req.content_type = MHD_lookup_connection_value(
        c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    req.accept =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    req.authorization = MHD_lookup_connection_value(
        c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    req.conn = c;
    if (rt->auth == SIM_AUTH_TOKEN) {
        uid = g.cfg.ops->token_uid(token_from_header(req.authorization),
                                   g.cfg.payload);
        if (!uid) {
            sim_resp_401(&resp);
            return answer(k, c, method, &resp, false);
        }
        req.uid = uid;
    } else if (rt->auth == SIM_AUTH_CONTROL &&
               !control_token_ok(req.authorization)) {
        sim_resp_401(&resp);
        return answer(k, c, method, &resp, false);
    }
    run_handler(rt, &req, &resp);
    ret = answer(k, c, method, &resp, resp.reset);
    free(uid);
    return ret;
}

/* A complete request: the front door's checks, fault rules, dispatch. */
static enum MHD_Result process(struct conn *k, struct MHD_Connection *c,
                               const char *method)
{
    struct sim_resp resp;
    struct sim_fault hit;

    memset(&resp, 0, sizeof(resp));
    if (sim_path_has_control(k->path)) {
        sim_resp_upstream_down(&resp, 400);
        return answer(k, c, method, &resp, false);
    }
    if (!k->control && fault_match(method, k->path, &hit)) {
        if (hit.reset)
            return answer(k, c, method, NULL, true);
        if (hit.status) {
            resp_fault(&resp, hit.status, hit.id);
            return answer(k, c, method, &resp, false);
        }
        k->phase = PH_FAULT_WAIT;
        if (hit.delay_ms > 0 &&
            sim_server_delay_suspend(c, hit.delay_ms) == 0)
            return MHD_YES;
    }
    return dispatch(k, c, method);
}

/* ------------------------------------------------------------------ */
/* libmicrohttpd callbacks                                              */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct conn *k = calloc(1, sizeof(*k));
    const char *q;

    (void)cls;
    (void)c;
    if (!k)
        return NULL;
    k->uri = strdup(uri);
    q = k->uri ? strchr(k->uri, '?') : NULL;
    k->path = k->uri ? strndup(k->uri, q ? (size_t)(q - k->uri)
                                         : strlen(k->uri))
                     : NULL;
    if (!k->uri || !k->path) {
        free(k->uri);
        free(k->path);
        free(k);
        return NULL;
    }
    k->control = is_control(k->path);
    buf_init(&k->body, BODY_MAX);
    k->t_wall = util_now_wall();
    return k;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct conn *k = *con_cls;

    (void)cls;
    (void)c;
    (void)toe;
    if (!k)
        return;
    free(k->uri);
    free(k->path);
    buf_wipe_free(&k->body);
    free(k);
    *con_cls = NULL;
}

static size_t unescape_noop(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

__attribute__((format(printf, 2, 0))) static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[256];
    size_t n;

    (void)cls;
    if (!log_enabled(LOG_DEBUG))
        return;
    vsnprintf(line, sizeof(line), fmt, ap);
    n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    log_msg(LOG_DEBUG, "mhd", "%s", line);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct conn *k = *con_cls;
    struct sim_resp resp;

    (void)cls;
    (void)url;
    (void)version;
    if (!k)
        return MHD_NO;
    if (k->phase != PH_BODY && g.stopping)
        return MHD_NO; /* resumed by the shutdown */
    switch (k->phase) {
    case PH_FAULT_WAIT:
        return dispatch(k, c, method);
    case PH_DROP_WAIT:
        return MHD_NO;
    case PH_ANSWERED:
        *upload_data_size = 0;
        return MHD_YES;
    default:
        break;
    }
    if (!k->started) {
        k->started = true;
        /* A declared body over the cap is refused before it is read
         * (nginx's client_max_body_size): no 100 Continue, 413, and the
         * connection closes. */
        if (sim_length_over(MHD_lookup_connection_value(
                                c, MHD_HEADER_KIND,
                                MHD_HTTP_HEADER_CONTENT_LENGTH),
                            BODY_MAX)) {
            memset(&resp, 0, sizeof(resp));
            sim_resp_upstream_down(&resp, 413);
            return answer(k, c, method, &resp, false);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        /* a chunked body growing past the cap: the connection closes */
        if (buf_append(&k->body, upload_data, *upload_data_size) != 0)
            return answer(k, c, method, NULL, true);
        *upload_data_size = 0;
        return MHD_YES;
    }
    return process(k, c, method);
}

/* ------------------------------------------------------------------ */
/* start / stop                                                         */

/* See server.h. */
int sim_server_start(char **url_out, const struct sim_server_config *cfg,
                     struct err_info *e)
{
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    struct sockaddr *sa;
    const union MHD_DaemonInfo *info;
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                         MHD_USE_TLS | MHD_ALLOW_SUSPEND_RESUME |
                         MHD_USE_ERROR_LOG;
    const char *host = cfg->listen_host;
    char url[128], *u;
    int port;

    memset(&sin, 0, sizeof(sin));
    memset(&sin6, 0, sizeof(sin6));
    if (inet_pton(AF_INET, host, &sin.sin_addr) == 1) {
        sin.sin_family = AF_INET;
        sin.sin_port = htons((uint16_t)cfg->listen_port);
        sa = (struct sockaddr *)&sin;
    } else if (inet_pton(AF_INET6, host, &sin6.sin6_addr) == 1) {
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons((uint16_t)cfg->listen_port);
        sa = (struct sockaddr *)&sin6;
        flags |= MHD_USE_IPv6;
    } else {
        return err_set(e, ERR_INVALID, "listen host %s is not an address",
                       host);
    }
    g.cfg = *cfg;
    g.cert_pem = strdup(cfg->cert_pem);
    g.key_pem = strdup(cfg->key_pem);
    if (!g.cert_pem || !g.key_pem) {
        free(g.cert_pem);
        secret_wipe_str(g.key_pem);
        g.cert_pem = g.key_pem = NULL;
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    g.cfg.cert_pem = g.cfg.key_pem = NULL; /* the copies are used */
    g.stopping = 0;
    if (sim_server_delay_start() != 0) {
        free(g.cert_pem);
        secret_wipe_str(g.key_pem);
        g.cert_pem = g.key_pem = NULL;
        return err_set(e, ERR_INTERNAL, "cannot start the delay timer");
    }
    /* the logger first, so that option errors reach it too */
    g.daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->listen_port, NULL, NULL, on_request, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_HTTPS_MEM_KEY, g.key_pem,
        MHD_OPTION_HTTPS_MEM_CERT, g.cert_pem, MHD_OPTION_URI_LOG_CALLBACK,
        on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape_noop, NULL,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT_S,
        MHD_OPTION_CONNECTION_LIMIT, CONN_LIMIT,
        MHD_OPTION_THREAD_POOL_SIZE, POOL_THREADS, MHD_OPTION_END);
    if (!g.daemon) {
        sim_server_delay_stop();
        free(g.cert_pem);
        secret_wipe_str(g.key_pem);
        g.cert_pem = g.key_pem = NULL;
        return err_set(e, ERR_INVALID, "cannot listen on %s port %d", host,
                       cfg->listen_port);
    }
    info = MHD_get_daemon_info(g.daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (!info || !info->port) {
        sim_server_stop();
        return err_set(e, ERR_INTERNAL, "cannot read the listening port");
    }
    port = info->port;
    if (sa->sa_family == AF_INET6)
        snprintf(url, sizeof(url), "https://[%s]:%d", host, port);
    else
        snprintf(url, sizeof(url), "https://%s:%d", host, port);
    u = strdup(url);
    if (!u) {
        sim_server_stop();
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    *url_out = u;
    return 0;
}

/* See server.h. */
void sim_server_stop(void)
{
    /* Delayed requests are resumed (and dropped) before the daemon
     * stops: it must not find suspended connections. */
    g.stopping = 1;
    sim_server_delay_stop();
    if (g.daemon) {
        MHD_stop_daemon(g.daemon);
        g.daemon = NULL;
    }
    free(g.cert_pem);
    secret_wipe_str(g.key_pem);
    g.cert_pem = g.key_pem = NULL;
    pthread_mutex_lock(&g.mu);
    while (g.n_faults)
        fault_remove_locked(g.n_faults - 1);
    free(g.faults);
    g.faults = NULL;
    g.cap_faults = 0;
    if (g.log) {
        log_clear_locked();
        free(g.log);
        g.log = NULL;
    }
    pthread_mutex_unlock(&g.mu);
}
