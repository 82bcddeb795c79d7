#ifndef ETLS_SIM_SERVER_H
#define ETLS_SIM_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/err.h"

/*
 * dcos-sim HTTP server (sim/server.c): the libmicrohttpd daemon of the
 * master API over TLS, the route tables and their dispatch, Admin Router
 * authentication, simulated latency, fault rules and the request log.  One
 * server per process.
 *
 * The server knows nothing of the cluster: it checks login tokens and runs
 * handlers through the ops it is started with (sim_core_server_ops), and
 * hands each handler the context pointer of its configuration.
 */

struct sim;
struct sim_req;
struct sim_resp;

/* A route handler.  Runs with the lock held.  Must always set @resp. */
typedef void (*sim_handler_fn)(struct sim *s, const struct sim_req *req,
                               struct sim_resp *resp);

/* Who may call a route. */
enum sim_auth {
    SIM_AUTH_PUBLIC = 0, /* no token needed (metadata, CA cert, login) */
    SIM_AUTH_TOKEN,      /* valid DC/OS token required (401 otherwise) */
    SIM_AUTH_CONTROL     /* Authorization: token=<control_token> */
};

/*
 * A route: @method ("*" = any) and a path prefix.  When @exact is true the
 * path must equal @prefix (a trailing '/' is tolerated).  The longest
 * matching prefix wins.  The handler checks permissions itself (403).
 */
struct sim_route {
    const char *method;
    const char *prefix;
    bool exact;
    enum sim_auth auth;
    sim_handler_fn handler;
};

/* The routes of one module (borrowed). */
struct sim_route_table {
    const struct sim_route *routes;
    size_t n_routes;
};

/* What the server asks of the cluster.  Both members are required. */
struct sim_server_ops {
    /*
     * The uid that login token @token (NULL when the request has none)
     * authenticates: a new string, or NULL when the token is missing,
     * invalid or expired (the request gets 401).
     */
    char *(*token_uid)(const char *token, void *payload);
    /*
     * Run @rt's handler for @req into @resp.  Called from connection
     * threads; the ops serialise handlers themselves.
     */
    void (*handle)(const struct sim_route *rt, const struct sim_req *req,
                   struct sim_resp *resp, void *payload);
};

struct sim_server_config {
    const char *listen_host;  /* an IPv4 or IPv6 address */
    int listen_port;          /* 0 = ephemeral */
    const char *cert_pem;     /* chain, leaf first (copied) */
    const char *key_pem;      /* key of the leaf (copied; wipe after) */
    int latency_ms;           /* added to every answer outside /sim/v1 */
    const char *control_token; /* opens SIM_AUTH_CONTROL routes */
    const struct sim_route_table *tables; /* routes of every module */
    size_t n_tables;
    const struct sim_server_ops *ops;
    void *payload;            /* handed to the ops */
};

/* A fault rule of the control API (see docs/sim.md). */
struct sim_fault {
    long id;
    char method[16];   /* "*" = any */
    char *path;        /* path prefix (raw) */
    int status;        /* answer this status, or 0 */
    long delay_ms;     /* delay then proceed, or 0 */
    bool reset;        /* drop the connection */
    long count;        /* applications left; 0 = unlimited */
    double probability; /* 0..1; applies with this probability */
};

/*
 * The route of @tables (@n_tables of them) serving @method on @path (raw,
 * still percent-encoded): the longest matching prefix, a HEAD served by
 * a GET route.  NULL when none matches; *@other_method then tells whether
 * a route of another method does (405, else 404).
 */
const struct sim_route *sim_route_select(const struct sim_route_table *tables,
                                         size_t n_tables, const char *method,
                                         const char *path, bool *other_method);

/*
 * Start serving @cfg on cfg->listen_host:listen_port with HTTPS.  @cfg's
 * strings other than the certificate and key, its tables, ops and payload
 * are borrowed and must outlive the server.  Sets *@url_out to
 * "https://HOST:PORT" with the port bound (new).  Returns 0 or a negative
 * enum err with @e set.
 */
int sim_server_start(char **url_out, const struct sim_server_config *cfg,
                     struct err_info *e);

/* Stop accepting, wait for running requests and free the server, its
 * fault rules and its request log. */
void sim_server_stop(void);

/* The request log as {"requests":[...]} (new). */
json_t *sim_server_requests_json(void);

/* Empty the request log. */
void sim_server_requests_clear(void);

/*
 * Add a fault rule (copied; @f->id is ignored).  Returns the new id (> 0)
 * or a negative enum err.
 */
long sim_server_fault_add(const struct sim_fault *f);

/* The fault rules as {"faults":[...]} (new). */
json_t *sim_server_faults_json(void);

/* Remove rule @id (0 or ERR_NOTFOUND); sim_server_faults_clear removes
 * all. */
int sim_server_fault_delete(long id);
void sim_server_faults_clear(void);

/*
 * Whether a request changes state, for the request log: false for GET, HEAD
 * and OPTIONS and for the read-only POST endpoints of DC/OS.
 */
bool sim_server_is_write(const char *method, const char *path);

#endif
