/*
 * A simulated Elasticsearch 5.6.5 node's HTTP endpoint (sim/node.h).
 *
 * Each node is one libmicrohttpd daemon with a single internal polling
 * thread (epoll on Linux) on a listening socket this file opens itself, so
 * that it sets SO_REUSEADDR only (see listen_on()).  The daemon's thread
 * reads the node's own state under the node's own mutex and never touches
 * the sim lock.  Behaviour that mirrors Elasticsearch 5.6 with X-Pack
 * security is described in docs/sim.md.
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
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

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

#define NODE_COMP "sim-node"
#define NODE_CONN_LIMIT 256u
#define NODE_CONN_TIMEOUT_S 60u
#define NODE_MAX_BODY (1024u * 1024u) /* bytes of request body accepted */
#define NODE_MAX_CERT (256u * 1024u)  /* bytes of PEM accepted */
#define CT_JSON "application/json; charset=UTF-8"
#define CT_TEXT "text/plain; charset=UTF-8"
#define WWW_AUTH "Basic realm=\"security\" charset=\"UTF-8\""

struct sim_node {
    struct MHD_Daemon *daemon;
    int port;
    bool tls;
    char *cluster_name;
    char *node_name;
    char cluster_uuid[23];
    /* Basic auth: when @user is NULL the node does not authenticate. */
    char *user;
    unsigned char cred_digest[32]; /* SHA-256 of "user:password" */
    /* TLS material handed to MHD; kept until the daemon is stopped. */
    char *cert_pem;
    struct secret *key_pem;
    /* Root document, pre-rendered pretty (the default) and compact. */
    char *root_pretty;
    size_t root_pretty_len;
    char *root_compact;
    size_t root_compact_len;
    /* Health, under @lock. */
    pthread_mutex_t lock;
    char status[8];
    int nodes;
    int data_nodes;
};

/* Per-request state, created by the URI log callback. */
struct node_req {
    char *uri;   /* raw request target, query included */
    size_t body; /* body bytes received and discarded */
    int seen;    /* the access handler has been called once */
};

/* ---------------------------------------------------------------- */
/* Responses                                                        */
/* ---------------------------------------------------------------- */

/* Queue @body (new; MHD frees it) with @status and @ctype. */
static enum MHD_Result reply_owned(struct MHD_Connection *c,
                                   unsigned status, const char *ctype,
                                   char *body, size_t len, bool challenge)
{
    struct MHD_Response *r;
    enum MHD_Result ret;

    r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    if (ctype && MHD_add_response_header(r, "content-type", ctype) != MHD_YES)
        goto fail;
    if (challenge &&
        MHD_add_response_header(r, "WWW-Authenticate", WWW_AUTH) != MHD_YES)
        goto fail;
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
fail:
    MHD_destroy_response(r);
    return MHD_NO;
}

/* Queue the static or node-owned @body (borrowed, outlives the daemon). */
static enum MHD_Result reply_static(struct MHD_Connection *c,
                                    unsigned status, const char *ctype,
                                    const char *body, size_t len)
{
    struct MHD_Response *r;
    enum MHD_Result ret;

    r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
                                        MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    if (ctype &&
        MHD_add_response_header(r, "content-type", ctype) != MHD_YES) {
        MHD_destroy_response(r);
        return MHD_NO;
    }
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Queue the compact (or, with @pretty, indented) JSON of @doc (steals). */
static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned status,
                                  json_t *doc, bool pretty, bool challenge)
{
    size_t flags = JSON_PRESERVE_ORDER |
                   (pretty ? JSON_INDENT(2) : JSON_COMPACT);
    char *s, *body;
    size_t len;

    if (!doc)
        return MHD_NO;
    s = json_dumps(doc, flags);
    json_decref(doc);
    if (!s)
        return MHD_NO;
    len = strlen(s);
    if (pretty) {
        /* Elasticsearch ends pretty output with a line feed. */
        body = realloc(s, len + 2);
        if (!body) {
            free(s);
            return MHD_NO;
        }
        body[len++] = '\n';
        body[len] = '\0';
    } else {
        body = s;
    }
    return reply_owned(c, status, CT_JSON, body, len, challenge);
}

/* 1 when the query has `pretty` (or `pretty=<anything but false>`). */
static int want_pretty(struct MHD_Connection *c, int dflt)
{
    const char *v = NULL;
    size_t vlen = 0;

    if (MHD_lookup_connection_value_n(c, MHD_GET_ARGUMENT_KIND, "pretty",
                                      strlen("pretty"), &v,
                                      &vlen) != MHD_YES)
        return dflt;
    if (v && strcmp(v, "false") == 0)
        return 0;
    return 1;
}

/*
 * The ES 5.x X-Pack security_exception for @reason, with the Basic
 * challenge in both the root cause and the error (new JSON).
 */
static json_t *security_error(const char *reason)
{
    return json_pack("{s:{s:[{s:s,s:s,s:{s:s}}],s:s,s:s,s:{s:s}},s:i}",
                     "error", "root_cause", "type", "security_exception",
                     "reason", reason, "header", "WWW-Authenticate",
                     WWW_AUTH, "type", "security_exception", "reason",
                     reason, "header", "WWW-Authenticate", WWW_AUTH,
                     "status", 401);
}

/* ---------------------------------------------------------------- */
/* Authentication                                                   */
/* ---------------------------------------------------------------- */

enum auth_result {
    AUTH_OK,
    AUTH_MISSING,      /* no header, or not the Basic scheme */
    AUTH_BAD_ENCODING, /* not base64 */
    AUTH_BAD_VALUE,    /* no ':' in the decoded value */
    AUTH_FAILED,       /* wrong user or password */
    AUTH_NOMEM
};

/* SHA-256 of @len bytes at @data into @md.  Returns 0 or -1. */
static int sha256(unsigned char md[32], const void *data, size_t len)
{
    unsigned int mdlen = 0;

    if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
        mdlen != 32)
        return -1;
    return 0;
}

/*
 * Check the Authorization header of @c.  On AUTH_FAILED *@user_out is set
 * to the user name that was tried (new; free()).  The decoded credentials
 * are compared through their SHA-256 digests with CRYPTO_memcmp, so the
 * comparison time depends on neither the password nor its length.
 */
static enum auth_result check_auth(const struct sim_node *n,
                                   struct MHD_Connection *c,
                                   char **user_out)
{
    const char *h, *p;
    unsigned char *dec;
    unsigned char md[32];
    size_t len;
    char *colon;
    enum auth_result r;

    *user_out = NULL;
    h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                    MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h)
        return AUTH_MISSING;
    while (*h == ' ' || *h == '\t')
        h++;
    if (strncasecmp(h, "Basic", 5) != 0 || (h[5] != ' ' && h[5] != '\t'))
        return AUTH_MISSING;
    p = h + 5;
    while (*p == ' ' || *p == '\t')
        p++;
    dec = util_b64_decode(p, &len);
    if (!dec)
        return AUTH_BAD_ENCODING;
    colon = memchr(dec, ':', len);
    if (!colon) {
        r = AUTH_BAD_VALUE;
        goto out;
    }
    if (sha256(md, dec, len) != 0) {
        r = AUTH_NOMEM;
        goto out;
    }
    if (CRYPTO_memcmp(md, n->cred_digest, sizeof(md)) == 0) {
        r = AUTH_OK;
        goto out;
    }
    r = AUTH_FAILED;
    *user_out = strndup((const char *)dec, (size_t)(colon - (char *)dec));
    if (!*user_out)
        r = AUTH_NOMEM;
out:
    OPENSSL_cleanse(md, sizeof(md));
    OPENSSL_cleanse(dec, len);
    free(dec);
    return r;
}

/* Answer 401 for @r (not AUTH_OK) on request @uri. */
static enum MHD_Result reply_unauthorized(struct MHD_Connection *c,
                                          enum auth_result r,
                                          const char *uri, const char *user)
{
    char reason[512];

    switch (r) {
    case AUTH_BAD_ENCODING:
        snprintf(reason, sizeof(reason),
                 "invalid basic authentication header encoding");
        break;
    case AUTH_BAD_VALUE:
        snprintf(reason, sizeof(reason),
                 "invalid basic authentication header value");
        break;
    case AUTH_FAILED:
        snprintf(reason, sizeof(reason),
                 "unable to authenticate user [%.128s] for REST request "
                 "[%.256s]", user ? user : "", uri);
        break;
    default:
        snprintf(reason, sizeof(reason),
                 "missing authentication token for REST request [%.256s]",
                 uri);
        break;
    }
    return reply_json(c, MHD_HTTP_UNAUTHORIZED, security_error(reason),
                      want_pretty(c, 0), true);
}

/* ---------------------------------------------------------------- */
/* Routes                                                           */
/* ---------------------------------------------------------------- */

/* Copy the health under the node's lock. */
static void read_health(struct sim_node *n, char status[8], int *nodes,
                        int *data_nodes)
{
    pthread_mutex_lock(&n->lock);
    memcpy(status, n->status, 8);
    *nodes = n->nodes;
    *data_nodes = n->data_nodes;
    pthread_mutex_unlock(&n->lock);
}

/*
 * GET / : the root document; 503 with the same document while the
 * cluster is red (ES 5 answers 503 when a global block such as "no master"
 * is in place).  Pretty unless ?pretty=false, as in ES 5's RestMainAction.
 */
static enum MHD_Result route_root(struct sim_node *n,
                                  struct MHD_Connection *c)
{
    char status[8];
    int nodes, data_nodes;
    unsigned code;

    read_health(n, status, &nodes, &data_nodes);
    code = strcmp(status, "red") == 0 ? MHD_HTTP_SERVICE_UNAVAILABLE
                                      : MHD_HTTP_OK;
    if (want_pretty(c, 1))
        return reply_static(c, code, CT_JSON, n->root_pretty,
                            n->root_pretty_len);
    return reply_static(c, code, CT_JSON, n->root_compact,
                        n->root_compact_len);
}

/*
 * GET /_cluster/health.  The sim holds one index of one primary shard and
 * one replica: green = both active, yellow = replica unassigned, red = none
 * active.  Always HTTP 200 (ES answers 200 unless a wait_for_* times out).
 */
static enum MHD_Result route_health(struct sim_node *n,
                                    struct MHD_Connection *c)
{
    char status[8];
    int nodes, data_nodes, primaries, active, unassigned;
    double pct;
    json_t *doc;

    read_health(n, status, &nodes, &data_nodes);
    if (strcmp(status, "green") == 0) {
        primaries = 1, active = 2, unassigned = 0, pct = 100.0;
    } else if (strcmp(status, "yellow") == 0) {
        primaries = 1, active = 1, unassigned = 1, pct = 50.0;
    } else {
        primaries = 0, active = 0, unassigned = 2, pct = 0.0;
    }
    doc = json_pack("{s:s,s:s,s:b,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,"
                    "s:i,s:i,s:f}",
                    "cluster_name", n->cluster_name, "status", status,
                    "timed_out", 0, "number_of_nodes", nodes,
                    "number_of_data_nodes", data_nodes,
                    "active_primary_shards", primaries, "active_shards",
                    active, "relocating_shards", 0, "initializing_shards",
                    0, "unassigned_shards", unassigned,
                    "delayed_unassigned_shards", 0,
                    "number_of_pending_tasks", 0,
                    "number_of_in_flight_fetch", 0,
                    "task_max_waiting_in_queue_millis", 0,
                    "active_shards_percent_as_number", pct);
    return reply_json(c, MHD_HTTP_OK, doc, want_pretty(c, 0), false);
}

/* GET /<index> : the sim holds no user index, so ES's 404. */
static enum MHD_Result route_no_index(struct MHD_Connection *c,
                                      const char *index)
{
    json_t *cause, *doc;

    cause = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "type",
                      "index_not_found_exception", "reason",
                      "no such index", "resource.type", "index_or_alias",
                      "resource.id", index, "index_uuid", "_na_", "index",
                      index);
    if (!cause)
        return MHD_NO;
    doc = json_pack("{s:{s:[O],s:s,s:s,s:s,s:s,s:s,s:s},s:i}", "error",
                    "root_cause", cause, "type",
                    "index_not_found_exception", "reason", "no such index",
                    "resource.type", "index_or_alias", "resource.id", index,
                    "index_uuid", "_na_", "index", index, "status", 404);
    json_decref(cause);
    return reply_json(c, MHD_HTTP_NOT_FOUND, doc, want_pretty(c, 0), false);
}

/* ES 5's answer to a path and method nobody handles: 400, plain text. */
static enum MHD_Result route_none(struct MHD_Connection *c, const char *uri,
                                  const char *method)
{
    char *body;
    int len;

    len = snprintf(NULL, 0, "No handler found for uri [%s] and method [%s]",
                   uri, method);
    if (len < 0)
        return MHD_NO;
    body = malloc((size_t)len + 1);
    if (!body)
        return MHD_NO;
    snprintf(body, (size_t)len + 1,
             "No handler found for uri [%s] and method [%s]", uri, method);
    return reply_owned(c, MHD_HTTP_BAD_REQUEST, CT_TEXT, body, (size_t)len,
                       false);
}

/* 1 when @path (no query) is @want, ignoring one trailing slash. */
static int path_is(const char *path, const char *want)
{
    size_t n = strlen(want);

    return strncmp(path, want, n) == 0 &&
           (path[n] == '\0' || (path[n] == '/' && path[n + 1] == '\0'));
}

/* Authenticate, then dispatch a complete request. */
static enum MHD_Result route(struct sim_node *n, struct MHD_Connection *c,
                             const struct node_req *rq, const char *url,
                             const char *method)
{
    bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
               strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    const char *uri = rq->uri ? rq->uri : url;

    if (n->user) {
        char *tried = NULL;
        enum auth_result r = check_auth(n, c, &tried);
        enum MHD_Result ret;

        if (r == AUTH_NOMEM)
            return MHD_NO;
        if (r != AUTH_OK) {
            ret = reply_unauthorized(c, r, uri, tried);
            free(tried);
            return ret;
        }
    }
    if (get && strcmp(url, "/") == 0)
        return route_root(n, c);
    if (get && path_is(url, "/_cluster/health"))
        return route_health(n, c);
    if (get && url[0] == '/' && url[1] != '_' && url[1] != '\0' &&
        !strchr(url + 1, '/'))
        return route_no_index(c, url + 1);
    return route_none(c, uri, method);
}

/* ---------------------------------------------------------------- */
/* MHD callbacks                                                    */
/* ---------------------------------------------------------------- */

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
        free(rq->uri);
        free(rq);
        *con_cls = NULL;
    }
}

/*
 * The access handler: called once after the headers (checks the declared
 * body size), then per body piece (dropped), then once more to answer.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct sim_node *n = cls;
    struct node_req *rq = *con_cls;

    (void)version;
    (void)upload_data;
    if (!rq)
        return MHD_NO; /* the URI callback ran out of memory */
    if (!rq->seen) {
        const char *cl;
        long v;

        rq->seen = 1;
        cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                         MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && util_parse_long(&v, cl, 0, 0x7fffffffL) == 0 &&
            (unsigned long)v > NODE_MAX_BODY)
            return reply_static(c, MHD_HTTP_CONTENT_TOO_LARGE, NULL, "", 0);
        return MHD_YES;
    }
    if (*upload_data_size) {
        rq->body += *upload_data_size;
        *upload_data_size = 0;
        return rq->body > NODE_MAX_BODY ? MHD_NO : MHD_YES;
    }
    return route(n, c, rq, url, method);
}

/* MHD_OPTION_EXTERNAL_LOGGER: libmicrohttpd's messages at debug level. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    const struct sim_node *n = cls;
    char line[256];
    size_t len;

    if (!log_enabled(LOG_DEBUG))
        return;
    vsnprintf(line, sizeof(line), fmt, ap);
    len = strlen(line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    LOG(LOG_DEBUG, NODE_COMP, "mhd: %s node=%s port=%d", line,
        n->node_name, n->port);
}

/* ---------------------------------------------------------------- */
/* Start and stop                                                   */
/* ---------------------------------------------------------------- */

/*
 * Open a listening TCP socket on 127.0.0.1:@port (0 = ephemeral) with
 * SO_REUSEADDR only.  MHD_OPTION_LISTENING_ADDRESS_REUSE is not used: with
 * a true value MHD also sets SO_REUSEPORT, which would let two live nodes
 * bind the same port and share its connections.  Returns the fd and sets
 * *@port_out, or -1 with errno set.
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
        listen(fd, 128) != 0 ||
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

/* Stable cluster UUID: 16 bytes of SHA-256 over the cluster name. */
static int make_uuid(char out[23], const char *cluster_name)
{
    static const char salt[] = "dcos-sim cluster_uuid\n";
    unsigned char md[32];
    char *in, *enc;
    size_t slen = strlen(salt), clen = strlen(cluster_name);

    in = malloc(slen + clen);
    if (!in)
        return ERR_NOMEM;
    memcpy(in, salt, slen);
    memcpy(in + slen, cluster_name, clen);
    if (sha256(md, in, slen + clen) != 0) {
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

/* Free everything but the (already stopped) daemon. */
static void node_free(struct sim_node *n)
{
    free(n->cluster_name);
    free(n->node_name);
    free(n->user);
    OPENSSL_cleanse(n->cred_digest, sizeof(n->cred_digest));
    free(n->cert_pem);
    secret_free(n->key_pem);
    free(n->root_pretty);
    free(n->root_compact);
    pthread_mutex_destroy(&n->lock);
    free(n);
}

/* Contract in sim/node.h: validate, copy @cfg, listen, start the server. */
int sim_node_start(struct sim_node **out, const struct sim_node_config *cfg)
{
    struct sim_node *n;
    unsigned flags;
    int r, fd = -1;

    if (!out || !cfg || !cfg->cluster_name || !cfg->node_name ||
        cfg->port < 0 || cfg->port > 65535 ||
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
    strcpy(n->status, "green");
    n->nodes = 1;
    n->data_nodes = 1;
    n->tls = cfg->tls;
    n->cluster_name = strdup(cfg->cluster_name);
    n->node_name = strdup(cfg->node_name);
    if (!n->cluster_name || !n->node_name) {
        r = ERR_NOMEM;
        goto fail;
    }
    if (cfg->user) {
        r = make_cred(n, cfg->user, cfg->password);
        if (r)
            goto fail;
    }
    r = make_uuid(n->cluster_uuid, n->cluster_name);
    if (r)
        goto fail;
    r = make_root(n);
    if (r)
        goto fail;
    if (cfg->tls) {
        n->cert_pem = strdup(cfg->cert_pem);
        n->key_pem = secret_new_str(cfg->key_pem);
        if (!n->cert_pem || !n->key_pem) {
            r = ERR_NOMEM;
            goto fail;
        }
    }

    if (cfg->port) {
        fd = listen_on(cfg->port, &n->port);
        if (fd < 0)
            LOG(LOG_INFO, NODE_COMP,
                "port unavailable, using an ephemeral port node=%s "
                "port=%d error=\"%s\"", cfg->node_name, cfg->port,
                strerror(errno));
    }
    if (fd < 0)
        fd = listen_on(0, &n->port);
    if (fd < 0) {
        LOG(LOG_WARN, NODE_COMP, "cannot listen on 127.0.0.1 node=%s: %s",
            cfg->node_name, strerror(errno));
        r = ERR_TRANSIENT;
        goto fail;
    }

    flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    if (cfg->tls)
        flags |= MHD_USE_TLS;
    /* Without TLS the option list ends before the certificate. */
    n->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, n, MHD_OPTION_EXTERNAL_LOGGER,
        on_mhd_log, n, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, n,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, n,
        MHD_OPTION_CONNECTION_LIMIT, NODE_CONN_LIMIT,
        MHD_OPTION_CONNECTION_TIMEOUT, NODE_CONN_TIMEOUT_S,
        cfg->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, n->cert_pem,
        MHD_OPTION_HTTPS_MEM_KEY, secret_str(n->key_pem), MHD_OPTION_END);
    if (!n->daemon) {
        /*
         * Not closing @fd: libmicrohttpd 0.9.75 closes a listen socket it
         * was given on most of its failure paths (TLS set-up among them),
         * so closing it here could close a descriptor another thread has
         * meanwhile been handed.  The remaining paths (out of memory or
         * descriptors) leak it.
         */
        LOG(LOG_WARN, NODE_COMP, "cannot start the HTTP%s server node=%s",
            cfg->tls ? "S" : "", cfg->node_name);
        r = cfg->tls ? ERR_INVALID : ERR_INTERNAL;
        goto fail;
    }
    *out = n;
    return 0;
fail:
    node_free(n);
    return r;
}

/* Contract in sim/node.h: the bound port, 0 for NULL. */
int sim_node_port(const struct sim_node *n)
{
    return n ? n->port : 0;
}

/* Contract in sim/node.h: thread-safe health update; bad status ignored. */
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

/* Contract in sim/node.h: stop the server, then free and cleanse. */
void sim_node_stop(struct sim_node *n)
{
    if (!n)
        return;
    if (n->daemon)
        MHD_stop_daemon(n->daemon);
    node_free(n);
}
