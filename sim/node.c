/*
 * The data plane of dcos-sim (sim/node.h): one HTTPS and one HTTP
 * listener shared by every simulated Elasticsearch node, and the nodes'
 * lifecycle.
 *
 * Each listener is a libmicrohttpd daemon with one internal polling thread
 * (epoll) on a listening socket this file opens itself (SO_REUSEADDR only,
 * see listen_on()).  The HTTPS daemon picks the certificate of the node
 * named by the client's TLS server name (SNI) during the handshake
 * (on_cert()); each request is then routed by that server name, an HTTP
 * request by its Host header (plane_request()).  The node table is
 * sim/node_reg.c, the REST behaviour sim/node_http.c.  The listeners'
 * threads never touch the sim lock.  See docs/sim.md "Data-plane nodes".
 */
#include "sim/node.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <jansson.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/err.h"
#include "common/log.h"
#include "common/secret.h"
#include "common/util.h"
#include "sim/node_http.h"
#include "sim/node_reg.h"

#define NODE_COMP "sim-node"
#define PLANE_CONN_LIMIT 1024u  /* per listener, idle ones included */
#define PLANE_CONN_TIMEOUT_S 60u
#define PLANE_BACKLOG 1024
#define NODE_MAX_BODY (1024u * 1024u) /* bytes of request body accepted */
#define NODE_MAX_CERT (256u * 1024u)  /* bytes of PEM accepted */
#define NODE_MAX_HOSTS 8
#define NODE_MAX_CHAIN 8              /* certificates of a chain */
#define CT_TEXT "text/plain; charset=UTF-8"

struct sim_plane {
    struct node_reg reg;
    struct MHD_Daemon *https;
    struct MHD_Daemon *http;
    int https_port;
    int http_port;
    char *default_cert;        /* NULL: no default certificate */
    struct secret *default_key;
    struct sim_plane *next;    /* live planes (g_planes) */
};

/* The live planes, so that the handshake callback, which libmicrohttpd
 * gives only the TLS session, finds its plane by the local port. */
static pthread_mutex_t g_planes_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sim_plane *g_planes;

/* Per connection (MHD_OPTION_NOTIFY_CONNECTION). */
struct conn_ctx {
    unsigned long serial; /* the node its first request reached, or 0 */
};

/* Per request, created by the URI log callback. */
struct node_req {
    char *uri;             /* raw request target, query included */
    size_t body;           /* body bytes received and discarded */
    struct sim_node *node; /* referenced until the request completes */
    int seen;              /* the access handler has been called once */
};

/* ---------------------------------------------------------------- */
/* TLS: the certificate of the named node                           */
/* ---------------------------------------------------------------- */

/* The plane whose HTTPS listener has local port @port (g_planes_mu
 * held), or NULL. */
static struct sim_plane *plane_by_port(int port)
{
    struct sim_plane *p;

    for (p = g_planes; p; p = p->next)
        if (p->https_port == port)
            return p;
    return NULL;
}

/* The DNS server name the client sent on @session into @out, or -1. */
static int session_sni(gnutls_session_t session, char *out, size_t n)
{
    size_t len = n;
    unsigned int type = 0;

    if (gnutls_server_name_get(session, out, &len, &type, 0) != 0 ||
        type != GNUTLS_NAME_DNS || len == 0 || len >= n)
        return -1;
    out[len] = '\0';
    return 0;
}

/*
 * Import @cert_pem (a chain) and @key_pem for the handshake; gnutls frees
 * them after use (GNUTLS_CERT_RETR_DEINIT_ALL).  Returns 0 or -1.
 */
static int tls_import(const char *cert_pem, const struct secret *key_pem,
                      gnutls_pcert_st **certs, unsigned int *n_certs,
                      gnutls_privkey_t *key)
{
    gnutls_datum_t c = {(unsigned char *)(uintptr_t)cert_pem,
                        (unsigned int)strlen(cert_pem)};
    gnutls_datum_t k = {key_pem->buf, (unsigned int)key_pem->len};
    gnutls_pcert_st *pc = gnutls_malloc(NODE_MAX_CHAIN * sizeof(*pc));
    unsigned int n = NODE_MAX_CHAIN, i;
    gnutls_privkey_t pk = NULL;

    if (!pc)
        return -1;
    if (gnutls_pcert_list_import_x509_raw(pc, &n, &c, GNUTLS_X509_FMT_PEM,
                                          0) < 0) {
        gnutls_free(pc);
        return -1;
    }
    if (gnutls_privkey_init(&pk) < 0 ||
        gnutls_privkey_import_x509_raw(pk, &k, GNUTLS_X509_FMT_PEM, NULL,
                                       0) < 0) {
        if (pk)
            gnutls_privkey_deinit(pk);
        for (i = 0; i < n; i++)
            gnutls_pcert_deinit(&pc[i]);
        gnutls_free(pc);
        return -1;
    }
    *certs = pc;
    *n_certs = n;
    *key = pk;
    return 0;
}

/*
 * MHD_OPTION_HTTPS_CERT_CALLBACK2: the certificate of the TLS node the
 * client names; the plane's default one when the name (or the lack of one)
 * names no node; a failed handshake for a node without TLS.
 */
static int on_cert(gnutls_session_t session,
                   const struct gnutls_cert_retr_st *info,
                   gnutls_pcert_st **certs, unsigned int *n_certs,
                   gnutls_ocsp_data_st **ocsp, unsigned int *n_ocsp,
                   gnutls_privkey_t *key, unsigned int *flags)
{
    struct sockaddr_in sa;
    socklen_t salen = sizeof(sa);
    struct sim_plane *p;
    struct sim_node *n = NULL;
    char name[256];
    int fd = gnutls_transport_get_int(session), r = -1;

    (void)info;
    *ocsp = NULL;
    *n_ocsp = 0;
    *flags = GNUTLS_CERT_RETR_DEINIT_ALL;
    if (getsockname(fd, (struct sockaddr *)&sa, &salen) != 0 ||
        sa.sin_family != AF_INET)
        return -1;
    pthread_mutex_lock(&g_planes_mu);
    p = plane_by_port(ntohs(sa.sin_port));
    if (p && session_sni(session, name, sizeof(name)) == 0)
        n = node_reg_find(&p->reg, name);
    if (n && n->tls)
        r = tls_import(n->cert_pem, n->key_pem, certs, n_certs, key);
    else if (!n && p && p->default_cert)
        r = tls_import(p->default_cert, p->default_key, certs, n_certs,
                       key);
    pthread_mutex_unlock(&g_planes_mu);
    node_put(n);
    return r;
}

/* ---------------------------------------------------------------- */
/* Requests                                                         */
/* ---------------------------------------------------------------- */

/*
 * The node a request on @c is for: by the TLS server name on the HTTPS
 * listener, by the Host header on the HTTP one.  A new reference, or NULL.
 */
static struct sim_node *request_node(struct sim_plane *p,
                                     struct MHD_Connection *c, bool tls)
{
    const union MHD_ConnectionInfo *ci;
    char name[256];

    if (!tls)
        return node_reg_find(&p->reg,
                             MHD_lookup_connection_value(
                                 c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST));
    ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (!ci || !ci->tls_session ||
        session_sni((gnutls_session_t)ci->tls_session, name,
                    sizeof(name)) != 0)
        return NULL;
    return node_reg_find(&p->reg, name);
}

/*
 * The first call of a request: find its node.  A Host (or server name)
 * that names no node gets 421; a node of the other scheme gets no answer
 * (the connection closes), as does a connection whose node was stopped or
 * replaced since its last request.  Then the declared body size.
 */
static enum MHD_Result request_start(struct sim_plane *p,
                                     struct MHD_Connection *c, bool tls,
                                     struct node_req *rq)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn_ctx *ctx = ci ? ci->socket_context : NULL;
    struct sim_node *n = request_node(p, c, tls);
    const char *cl;
    long v;

    if (!n) {
        if (ctx && ctx->serial)
            return MHD_NO; /* its node is gone */
        return node_http_reply(c, 421, CT_TEXT,
                               "Misdirected Request: no node answers to "
                               "this host name");
    }
    if (n->tls != tls || (ctx && ctx->serial && ctx->serial != n->serial)) {
        node_put(n);
        return MHD_NO;
    }
    if (ctx)
        ctx->serial = n->serial;
    rq->node = n;
    cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && util_parse_long(&v, cl, 0, 0x7fffffffL) == 0 &&
        (unsigned long)v > NODE_MAX_BODY)
        return node_http_reply(c, MHD_HTTP_CONTENT_TOO_LARGE, NULL, "");
    return MHD_YES;
}

/*
 * The access handler of both listeners: called once after the headers
 * (routing, the declared body size), then per body piece (dropped), then
 * once more to answer.
 */
static enum MHD_Result plane_request(struct sim_plane *p, bool tls,
                                     struct MHD_Connection *c,
                                     const char *url, const char *method,
                                     size_t *upload_data_size,
                                     void **con_cls)
{
    struct node_req *rq = *con_cls;

    if (!rq)
        return MHD_NO; /* the URI callback ran out of memory */
    if (!rq->seen) {
        rq->seen = 1;
        return request_start(p, c, tls, rq);
    }
    if (*upload_data_size) {
        rq->body += *upload_data_size;
        *upload_data_size = 0;
        return rq->body > NODE_MAX_BODY ? MHD_NO : MHD_YES;
    }
    if (!rq->node)
        return MHD_YES; /* answered at the first call */
    return node_http_answer(rq->node, c, rq->uri, url, method);
}

/* The access handler of both listeners: a connection with a TLS session
 * came through the HTTPS one. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);

    (void)version;
    (void)upload_data;
    return plane_request(cls, ci && ci->tls_session, c, url, method,
                         upload_data_size, con_cls);
}

/* MHD_OPTION_URI_LOG_CALLBACK: new per-request state with the raw URI. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct node_req *rq = calloc(1, sizeof(*rq));

    (void)cls;
    (void)c;
    if (!rq)
        return NULL;
    rq->uri = strdup(uri);
    if (!rq->uri) {
        free(rq);
        return NULL;
    }
    return rq;
}

/* MHD_OPTION_NOTIFY_COMPLETED: free the per-request state. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct node_req *rq = *con_cls;

    (void)cls;
    (void)c;
    (void)toe;
    if (rq) {
        node_put(rq->node);
        free(rq->uri);
        free(rq);
        *con_cls = NULL;
    }
}

/* MHD_OPTION_NOTIFY_CONNECTION: the per-connection state. */
static void on_connection(void *cls, struct MHD_Connection *c,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    (void)c;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        *socket_context = calloc(1, sizeof(struct conn_ctx));
    } else {
        free(*socket_context);
        *socket_context = NULL;
    }
}

/* MHD_OPTION_EXTERNAL_LOGGER: libmicrohttpd's messages at debug level. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[256];
    size_t len;

    (void)cls;
    if (!log_enabled(LOG_DEBUG))
        return;
    vsnprintf(line, sizeof(line), fmt, ap);
    len = strlen(line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    LOG(LOG_DEBUG, NODE_COMP, "mhd: %s", line);
}

/* ---------------------------------------------------------------- */
/* The plane                                                        */
/* ---------------------------------------------------------------- */


/*
 * Open a listening TCP socket on 127.0.0.1:@port (0 = ephemeral) with
 * SO_REUSEADDR only.  MHD_OPTION_LISTENING_ADDRESS_REUSE is not used: with
 * a true value MHD also sets SO_REUSEPORT, which would let two live
 * listeners bind the same port and share its connections.  Returns the fd
 * and sets *@port_out, or -1 with errno set.
 */
static int listen_on(int port, int *port_out)
{
    struct sockaddr_in sa;
    socklen_t salen = sizeof(sa);
    int fd, one = 1, saved;

    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        listen(fd, PLANE_BACKLOG) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &salen) != 0)
        goto fail;
    *port_out = ntohs(sa.sin_port);
    return fd;
fail:
    saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

/*
 * Check that @cert_pem holds at least one certificate and @key_pem a
 * private key that matches the first (leaf) certificate.  Returns 0 or
 * ERR_INVALID / ERR_NOMEM.
 */
static int check_tls_material(const char *cert_pem, const char *key_pem)
{
    BIO *cb = NULL, *kb = NULL;
    X509 *leaf = NULL;
    EVP_PKEY *key = NULL;
    int r = ERR_INVALID;

    if (strlen(cert_pem) > NODE_MAX_CERT || strlen(key_pem) > NODE_MAX_CERT) {
        LOG(LOG_WARN, NODE_COMP, "TLS certificate or key is too large");
        return ERR_INVALID;
    }
    cb = BIO_new_mem_buf(cert_pem, -1);
    kb = BIO_new_mem_buf(key_pem, -1);
    if (!cb || !kb) {
        r = ERR_NOMEM;
        goto out;
    }
    leaf = PEM_read_bio_X509(cb, NULL, NULL, NULL);
    if (!leaf) {
        LOG(LOG_WARN, NODE_COMP, "TLS certificate is not a PEM certificate");
        goto out;
    }
    key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
    if (!key) {
        LOG(LOG_WARN, NODE_COMP, "TLS key is not a PEM private key");
        goto out;
    }
    if (X509_check_private_key(leaf, key) != 1) {
        LOG(LOG_WARN, NODE_COMP,
            "TLS key does not match the leaf certificate");
        goto out;
    }
    r = 0;
out:
    ERR_clear_error();
    EVP_PKEY_free(key);
    X509_free(leaf);
    BIO_free(kb);
    BIO_free(cb);
    return r;
}


/*
 * Listen on 127.0.0.1:@want (0 = ephemeral), falling back to an ephemeral
 * port when @want cannot be bound.  Returns the fd (port in *@port) or -1.
 */
static int listen_fallback(int want, int *port, const char *what)
{
    int fd = -1;

    if (want) {
        fd = listen_on(want, port);
        if (fd < 0)
            LOG(LOG_INFO, NODE_COMP,
                "port unavailable, using an ephemeral port listener=%s "
                "port=%d error=\"%s\"", what, want, strerror(errno));
    }
    if (fd < 0)
        fd = listen_on(0, port);
    if (fd < 0)
        LOG(LOG_WARN, NODE_COMP, "cannot listen on 127.0.0.1 listener=%s: %s",
            what, strerror(errno));
    return fd;
}

/* Start the daemon of one listener on @fd (taken). */
static struct MHD_Daemon *daemon_start(struct sim_plane *p, bool tls, int fd)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_USE_ERROR_LOG;
    struct MHD_Daemon *d;

    /*
     * On failure @fd is not closed: libmicrohttpd 0.9.75 closes a listen
     * socket it was given on most of its failure paths (TLS set-up among
     * them), so closing it here could close a descriptor another thread
     * has meanwhile been handed.
     */
    if (tls)
        d = MHD_start_daemon(
            flags | MHD_USE_TLS, 0, NULL, NULL, on_request, p,
            MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, p,
            MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_HTTPS_CERT_CALLBACK2,
            on_cert, MHD_OPTION_URI_LOG_CALLBACK, on_uri, p,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, p,
            MHD_OPTION_NOTIFY_CONNECTION, on_connection, p,
            MHD_OPTION_CONNECTION_LIMIT, PLANE_CONN_LIMIT,
            MHD_OPTION_CONNECTION_TIMEOUT, PLANE_CONN_TIMEOUT_S,
            MHD_OPTION_END);
    else
        d = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, p,
            MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, p,
            MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_URI_LOG_CALLBACK,
            on_uri, p, MHD_OPTION_NOTIFY_COMPLETED, on_completed, p,
            MHD_OPTION_NOTIFY_CONNECTION, on_connection, p,
            MHD_OPTION_CONNECTION_LIMIT, PLANE_CONN_LIMIT,
            MHD_OPTION_CONNECTION_TIMEOUT, PLANE_CONN_TIMEOUT_S,
            MHD_OPTION_END);
    if (!d)
        LOG(LOG_WARN, NODE_COMP, "cannot start the HTTP%s listener",
            tls ? "S" : "");
    return d;
}

/* Free a plane whose daemons are stopped. */
static void plane_free(struct sim_plane *p)
{
    node_reg_destroy(&p->reg);
    free(p->default_cert);
    secret_free(p->default_key);
    free(p);
}

/* See node.h. */
int sim_plane_start(struct sim_plane **out,
                    const struct sim_plane_config *cfg)
{
    struct sim_plane *p;
    int fd, r;

    if (!out || !cfg || cfg->https_port < 0 || cfg->https_port > 65535 ||
        cfg->http_port < 0 || cfg->http_port > 65535 ||
        !cfg->default_cert_pem != !cfg->default_key_pem)
        return ERR_INVALID;
    if (MHD_is_feature_supported(MHD_FEATURE_HTTPS_CERT_CALLBACK2) !=
        MHD_YES) {
        LOG(LOG_ERROR, NODE_COMP, "libmicrohttpd cannot pick a certificate "
            "per server name (MHD_FEATURE_HTTPS_CERT_CALLBACK2)");
        return ERR_INTERNAL;
    }
    if (cfg->default_cert_pem) {
        r = check_tls_material(cfg->default_cert_pem, cfg->default_key_pem);
        if (r)
            return r;
    }
    p = calloc(1, sizeof(*p));
    if (!p)
        return ERR_NOMEM;
    if (node_reg_init(&p->reg) != 0) {
        free(p);
        return ERR_INTERNAL;
    }
    if (cfg->default_cert_pem) {
        p->default_cert = strdup(cfg->default_cert_pem);
        p->default_key = secret_new_str(cfg->default_key_pem);
        if (!p->default_cert || !p->default_key) {
            plane_free(p);
            return ERR_NOMEM;
        }
    }
    r = 0;
    fd = listen_fallback(cfg->https_port, &p->https_port, "https");
    if (fd < 0) {
        r = ERR_TRANSIENT;
    } else {
        /* listed before its daemon runs: its handshakes look it up */
        pthread_mutex_lock(&g_planes_mu);
        p->next = g_planes;
        g_planes = p;
        pthread_mutex_unlock(&g_planes_mu);
        p->https = daemon_start(p, true, fd);
        r = p->https ? 0 : ERR_INTERNAL;
    }
    if (r == 0) {
        fd = listen_fallback(cfg->http_port, &p->http_port, "http");
        if (fd < 0)
            r = ERR_TRANSIENT;
        else if (!(p->http = daemon_start(p, false, fd)))
            r = ERR_INTERNAL;
    }
    if (r) {
        sim_plane_stop(p);
        return r;
    }
    LOG(LOG_DEBUG, NODE_COMP, "data plane https_port=%d http_port=%d",
        p->https_port, p->http_port);
    *out = p;
    return 0;
}

/* See node.h. */
int sim_plane_port(const struct sim_plane *p, bool tls)
{
    if (!p)
        return 0;
    return tls ? p->https_port : p->http_port;
}

/* See node.h. */
void sim_plane_stop(struct sim_plane *p)
{
    struct sim_plane **pp;

    if (!p)
        return;
    if (p->http)
        MHD_stop_daemon(p->http);
    if (p->https)
        MHD_stop_daemon(p->https);
    pthread_mutex_lock(&g_planes_mu);
    for (pp = &g_planes; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    }
    pthread_mutex_unlock(&g_planes_mu);
    plane_free(p);
}

/* ---------------------------------------------------------------- */
/* Nodes                                                            */
/* ---------------------------------------------------------------- */

/* Stable cluster UUID: 16 bytes of SHA-256 over the cluster name. */
static int make_uuid(char out[23], const char *cluster_name)
{
    static const char salt[] = "dcos-sim cluster_uuid\n";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char *in, *enc;
    size_t slen = strlen(salt), clen = strlen(cluster_name);

    in = malloc(slen + clen);
    if (!in)
        return ERR_NOMEM;
    memcpy(in, salt, slen);
    memcpy(in + slen, cluster_name, clen);
    if (EVP_Digest(in, slen + clen, md, &mdlen, EVP_sha256(), NULL) != 1 ||
        mdlen != 32) {
        free(in);
        return ERR_INTERNAL;
    }
    free(in);
    enc = util_b64url_encode(md, 16);
    if (!enc)
        return ERR_NOMEM;
    memcpy(out, enc, 22);
    out[22] = '\0';
    free(enc);
    return 0;
}


/* Render the root document (pretty and compact) into @n. */
static int make_root(struct sim_node *n)
{
    json_t *doc;
    char *s;

    doc = json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:b,s:s},s:s}", "name",
                    n->node_name, "cluster_name", n->cluster_name,
                    "cluster_uuid", n->cluster_uuid, "version", "number",
                    "5.6.5", "build_hash", "6a37571", "build_date",
                    "2017-12-04T07:50:10.466Z", "build_snapshot", 0,
                    "lucene_version", "6.6.1", "tagline",
                    "You Know, for Search");
    if (!doc)
        return ERR_NOMEM;
    s = json_dumps(doc, JSON_PRESERVE_ORDER | JSON_INDENT(2));
    n->root_compact = json_dumps(doc, JSON_PRESERVE_ORDER | JSON_COMPACT);
    json_decref(doc);
    if (!s || !n->root_compact) {
        free(s);
        return ERR_NOMEM;
    }
    n->root_pretty_len = strlen(s) + 1;
    n->root_pretty = malloc(n->root_pretty_len + 1);
    if (!n->root_pretty) {
        free(s);
        return ERR_NOMEM;
    }
    memcpy(n->root_pretty, s, n->root_pretty_len - 1);
    n->root_pretty[n->root_pretty_len - 1] = '\n';
    n->root_pretty[n->root_pretty_len] = '\0';
    free(s);
    n->root_compact_len = strlen(n->root_compact);
    return 0;
}


/* Set the credentials digest of @n: SHA-256 of "@user:@password". */
static int make_cred(struct sim_node *n, const char *user,
                     const char *password)
{
    EVP_MD_CTX *md;
    unsigned int mdlen = 0;
    int ok;

    if (strchr(user, ':'))
        return ERR_INVALID; /* Basic auth cannot carry such a user */
    md = EVP_MD_CTX_new();
    if (!md)
        return ERR_NOMEM;
    ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
         EVP_DigestUpdate(md, user, strlen(user)) == 1 &&
         EVP_DigestUpdate(md, ":", 1) == 1 &&
         EVP_DigestUpdate(md, password, strlen(password)) == 1 &&
         EVP_DigestFinal_ex(md, n->cred_digest, &mdlen) == 1 &&
         mdlen == sizeof(n->cred_digest);
    EVP_MD_CTX_free(md); /* cleanses the digest state */
    if (!ok)
        return ERR_INTERNAL;
    n->user = strdup(user);
    return n->user ? 0 : ERR_NOMEM;
}


/* Copy and normalise the host names of @cfg into @n. */
static int copy_hosts(struct sim_node *n, const struct sim_node_config *cfg)
{
    char name[256];
    size_t i;

    n->hosts = calloc(cfg->n_hosts, sizeof(*n->hosts));
    if (!n->hosts)
        return ERR_NOMEM;
    for (i = 0; i < cfg->n_hosts; i++) {
        if (!cfg->hosts[i] ||
            node_host_norm(name, sizeof(name), cfg->hosts[i]) != 0)
            return ERR_INVALID;
        n->hosts[i] = strdup(name);
        if (!n->hosts[i])
            return ERR_NOMEM;
        n->n_hosts++;
    }
    return 0;
}

/* See node.h. */
int sim_node_start(struct sim_node **out, struct sim_plane *p,
                   const struct sim_node_config *cfg)
{
    struct sim_node *n;
    int r;

    if (!out || !p || !cfg || !cfg->cluster_name || !cfg->node_name ||
        !cfg->hosts || cfg->n_hosts == 0 || cfg->n_hosts > NODE_MAX_HOSTS ||
        (cfg->user && !cfg->password) ||
        (cfg->tls && (!cfg->cert_pem || !cfg->key_pem)))
        return ERR_INVALID;
    if (cfg->tls) {
        r = check_tls_material(cfg->cert_pem, cfg->key_pem);
        if (r)
            return r;
    }
    n = calloc(1, sizeof(*n));
    if (!n)
        return ERR_NOMEM;
    if (pthread_mutex_init(&n->lock, NULL) != 0) {
        free(n);
        return ERR_INTERNAL;
    }
    atomic_init(&n->refs, 1);
    strcpy(n->status, "green");
    n->nodes = 1;
    n->data_nodes = 1;
    n->tls = cfg->tls;
    n->port = cfg->tls ? p->https_port : p->http_port;
    n->cluster_name = strdup(cfg->cluster_name);
    n->node_name = strdup(cfg->node_name);
    r = !n->cluster_name || !n->node_name ? ERR_NOMEM : copy_hosts(n, cfg);
    if (r == 0 && cfg->user)
        r = make_cred(n, cfg->user, cfg->password);
    if (r == 0)
        r = make_uuid(n->cluster_uuid, n->cluster_name);
    if (r == 0)
        r = make_root(n);
    if (r == 0 && cfg->tls) {
        n->cert_pem = strdup(cfg->cert_pem);
        n->key_pem = secret_new_str(cfg->key_pem);
        if (!n->cert_pem || !n->key_pem)
            r = ERR_NOMEM;
    }
    if (r == 0)
        r = node_reg_add(&p->reg, n);
    if (r) {
        node_free(n);
        return r;
    }
    *out = n;
    return 0;
}

/* See node.h. */
int sim_node_port(const struct sim_node *n)
{
    return n ? n->port : 0;
}

/* See node.h. */
void sim_node_set_health(struct sim_node *n, const char *status, int nodes,
                         int data_nodes)
{
    if (!n || !status)
        return;
    if (strcmp(status, "green") != 0 && strcmp(status, "yellow") != 0 &&
        strcmp(status, "red") != 0)
        return;
    pthread_mutex_lock(&n->lock);
    snprintf(n->status, sizeof(n->status), "%s", status);
    n->nodes = nodes < 0 ? 0 : nodes;
    n->data_nodes = data_nodes < 0 ? 0 : data_nodes;
    pthread_mutex_unlock(&n->lock);
}

/* See node.h. */
void sim_node_stop(struct sim_node *n)
{
    if (!n)
        return;
    node_reg_remove(n);
    node_put(n);
}
