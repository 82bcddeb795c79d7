#ifndef ETLS_SIM_SIM_H
#define ETLS_SIM_SIM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * dcos-sim core: the shared state of the simulated DC/OS Enterprise cluster,
 * the request/response types handlers work with, and the helpers that build
 * DC/OS-shaped responses.  See docs/sim.md.
 *
 * Concurrency: the HTTP server runs one thread per connection.  Every
 * handler and every tick runs with `sim->lock` held (the core takes it), so
 * handlers never lock.  Simulated latency and faults are applied by the core
 * outside the lock.
 *
 * State: `sim->state` is one JSON object persisted to DIR/state.json after
 * every change (call sim_state_dirty()).  Each module owns one member:
 *   "iam"      (sim/iam.c)      users, groups, acls
 *   "secrets"  (sim/secrets.c)  store "default": path -> {value, ...}
 *   "cosmos"   (sim/cosmos.c)   installed packages and their options
 *   "services" (sim/sdk.c)      SDK schedulers, plans, pods, marathon apps
 *   "core"     (sim/core.c)     clock offset, token signing key id, ...
 */

struct sim;
struct MHD_Daemon;

struct sim_options {
    const char *listen_host; /* "127.0.0.1" */
    int listen_port;         /* 0 = ephemeral */
    const char *state_dir;
    double speed;            /* simulated seconds per real second (>0) */
    int latency_ms;          /* added before every response */
    int token_ttl;           /* seconds a login token stays valid */
    const char *catalog_dir; /* beta-elastic package definitions */
};

struct sim_header {
    char *name;
    char *value;
};

/* An HTTP request as handlers see it (all fields borrowed). */
struct sim_req {
    const char *method;       /* "GET", "PUT", ... */
    const char *path;         /* raw path, still percent-encoded, no query */
    const char *query;        /* raw query string without '?', or "" */
    const char *body;         /* NUL-terminated request body ("" if none) */
    size_t body_len;
    const char *content_type; /* header value or NULL */
    const char *accept;       /* header value or NULL */
    const char *authorization;/* header value or NULL */
    const char *uid;          /* authenticated uid, NULL when the route is
                                 public or the token was absent */
    void *conn;               /* server private */
};

/* A response under construction (owned by the core). */
struct sim_resp {
    int status;
    char *content_type;       /* NULL = none */
    char *body;               /* malloc'ed, may be NULL */
    size_t body_len;
    struct sim_header headers[8];
    size_t n_headers;
    bool reset;               /* drop the connection without answering */
};

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

/* Module hooks.  Every member may be NULL. */
struct sim_module {
    const char *name;
    const struct sim_route *routes;
    size_t n_routes;
    /* Called once at start (lock held) after the state was loaded. */
    int (*start)(struct sim *s);
    /* Called every tick with the simulated time (lock held). */
    void (*tick)(struct sim *s, double now);
    /* Called once at shutdown (lock held). */
    void (*stop)(struct sim *s);
};

struct sim {
    struct sim_options opt;
    pthread_mutex_t lock;
    json_t *state;           /* the persisted cluster state */
    bool dirty;

    char *url;               /* "https://127.0.0.1:PORT" */
    int port;
    char *ca_cert_path;      /* absolute path of DIR/ca.crt */
    char *ca_cert_pem;       /* cluster CA certificate (PEM) */
    void *ca_key;            /* EVP_PKEY * of the cluster CA */
    void *ca_x509;           /* X509 * of the cluster CA */
    void *token_key;         /* EVP_PKEY * signing login tokens */
    char *control_token;

    struct MHD_Daemon *daemon;
    double real_start;       /* monotonic seconds at start */
    double sim_offset;       /* simulated seconds elapsed before start */
    volatile int stopping;
};

/* --- core services, implemented in sim/core.c and friends --- */

/* Simulated time in seconds (monotonic, scaled by --speed, persisted). */
double sim_now(struct sim *s);

/* Mark the state changed; the core persists it before the lock is freed. */
void sim_state_dirty(struct sim *s);

/* The member object @name of the state, created empty when missing. */
json_t *sim_state_section(struct sim *s, const char *name);

/* A random lowercase UUIDv4 string (new). */
char *sim_uuid(void);

/*
 * Query parameter @name of @req, percent-decoded (new string), or NULL when
 * absent.
 */
char *sim_query_get(const struct sim_req *req, const char *name);

/*
 * Split @req->path after @prefix into percent-decoded segments.  Returns the
 * number of segments (at most @max) and fills @out with new strings; the
 * caller frees them with sim_segments_free.  A trailing '/' adds no segment.
 */
size_t sim_path_segments(const struct sim_req *req, const char *prefix,
                         char **out, size_t max);
void sim_segments_free(char **segs, size_t n);

/* 1 when the media type @got satisfies @want (type/subtype equal and every
 * parameter of @want present with the same value; case-insensitive). */
int sim_media_type_ok(const char *want, const char *got);

/* 1 when the Accept header @accept lists a type that satisfies @want
 * (comma-separated list; wildcards allowed; NULL accept accepts all). */
int sim_accept_ok(const char *accept, const char *want);

/* --- responses --- */

/* JSON body (steals @body) with Content-Type @ctype
 * ("application/json" when NULL). */
void sim_resp_json(struct sim_resp *r, int status, json_t *body,
                   const char *ctype);

/* Raw body (copied). */
void sim_resp_raw(struct sim_resp *r, int status, const char *ctype,
                  const char *body, size_t len);

/* Empty body (201/204 ...). */
void sim_resp_empty(struct sim_resp *r, int status);

/* Add a response header (copied). */
void sim_resp_header(struct sim_resp *r, const char *name,
                     const char *value);

/* IAM error: {"title","description","code"} (application/json). */
void sim_resp_iam_error(struct sim_resp *r, int status, const char *code,
                        const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Cosmos error envelope {"type","message"[,"data"]} with the Cosmos error
 * media type.  Steals @data (may be NULL: member omitted). */
void sim_resp_cosmos_error(struct sim_resp *r, int status, const char *type,
                           json_t *data, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Admin Router 401 (HTML, WWW-Authenticate: acsjwt) and 403 (HTML). */
void sim_resp_401(struct sim_resp *r);
void sim_resp_403(struct sim_resp *r);

/* Admin Router 502/503/404 when an upstream (e.g. a restarting scheduler)
 * cannot be reached (HTML body). */
void sim_resp_upstream_down(struct sim_resp *r, int status);

/* --- tokens (sim/core.c) --- */

/*
 * Issue a DC/OS auth token (an RS256 JWT with "uid" and "exp", signed by the
 * sim's IAM key, valid --token-ttl seconds of real time).  New string.
 */
char *sim_token_issue(struct sim *s, const char *uid);

/* Verify a token; returns the uid (new) or NULL when bad or expired. */
char *sim_token_verify(struct sim *s, const char *token);

/* --- PKI (sim/pki.c) --- */

/*
 * Issue a certificate signed by the cluster CA for CN @cn with DNS SANs
 * @dns (n_dns entries) and IP SANs @ips (n_ips entries).  Returns 0 and
 * sets *@cert_pem and *@key_pem (new strings; key is PKCS#8 PEM).
 */
int sim_pki_issue(struct sim *s, const char *cn, const char *const *dns,
                  size_t n_dns, const char *const *ips, size_t n_ips,
                  char **cert_pem, char **key_pem);

/* --- cross-module queries (each implemented by its module) --- */

/* iam.c: 1 when @uid exists. */
int sim_iam_user_exists(struct sim *s, const char *uid);

/* iam.c: public key PEM of service account @uid (borrowed) or NULL. */
const char *sim_iam_public_key(struct sim *s, const char *uid);

/* iam.c: 1 when @uid (directly or through a group) holds @action (or
 * "full") on @rid, or holds "full" on "dcos:superuser".  A grant on a rid
 * ending in slash-star covers every rid below it (secrets paths). */
int sim_iam_allowed(struct sim *s, const char *uid, const char *rid,
                    const char *action);

/* secrets.c: value of secret @path in store "default" (borrowed) or NULL. */
const char *sim_secret_value(struct sim *s, const char *path);

/* secrets.c: store/overwrite a secret (used by the SDK for TLS artifacts). */
int sim_secret_put(struct sim *s, const char *path, const char *value);

/* sdk.c: create the scheduler of a newly installed service. */
int sim_sdk_install(struct sim *s, const char *name, const char *pkg_name,
                    const char *pkg_version, const json_t *resolved);

/* sdk.c: apply new resolved options to a running service (scheduler
 * restart, then the update plan). */
int sim_sdk_update(struct sim *s, const char *name, const char *pkg_version,
                   const json_t *resolved);

/* sdk.c: remove a service and its nodes. */
int sim_sdk_uninstall(struct sim *s, const char *name);

/* sdk.c: 1 when a service named @name exists. */
int sim_sdk_exists(struct sim *s, const char *name);

/*
 * sdk.c: node operation from the control API: @op is "kill" (the task dies;
 * the scheduler relaunches it after a while, as Mesos would) or "restart"
 * (in place).  @task is a task name such as "master-0-node".  Returns 0,
 * ERR_NOTFOUND or ERR_INVALID.
 */
int sim_sdk_node_op(struct sim *s, const char *service, const char *task,
                    const char *op);

/* --- modules (one per file) --- */
extern const struct sim_module sim_core_module;    /* core.c (metadata,
                                                      CA, /sim/v1) */
extern const struct sim_module sim_iam_module;     /* iam.c (+ login) */
extern const struct sim_module sim_secrets_module; /* secrets.c */
extern const struct sim_module sim_cosmos_module;  /* cosmos.c */
extern const struct sim_module sim_sdk_module;     /* sdk.c + marathon.c */

#endif
