#ifndef ETLS_DCOS_CALL_H
#define ETLS_DCOS_CALL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/buf.h"
#include "dcos/blob.h"
#include "common/err.h"
#include "common/secret.h"
#include "dcos/result.h"
#include "dcos/loop.h"
#include "dcos/json.h"
#include "dcos/path.h"
#include "dcos/retry.h"

/*
 * What the typed calls of client.h are made of (internal to dcos/): the
 * client's state, one struct dcos_call per typed call, the one status
 * mapping, submitting with the token, after a login when one is needed
 * (the login flow is login.c), and retrying what changes nothing
 * (retry.h).  The typed calls themselves live in client_<api>.c.
 */

/* Media types (dcos-api.md 8.1). */
#define MT_COSMOS_ERROR                                                       \
    "application/vnd.dcos.package.error+json;charset=utf-8;version=v1"
#define MT_JSON "application/json"
#define MT(kind, v)                                                           \
    "application/vnd.dcos." kind "+json;charset=utf-8;version=" v

/* Which API a call talks to: decides the error-body summary and 404s. */
enum dcos_call_kind {
    DCOS_CALL_PLAIN = 0,
    DCOS_CALL_IAM,
    DCOS_CALL_SECRETS,
    DCOS_CALL_COSMOS,
    DCOS_CALL_SDK,
    DCOS_CALL_MARATHON,
    DCOS_CALL_LOGIN
};

struct dcos_call {
    struct dcos_client *c;
    enum dcos_call_kind kind;
    const char *method;        /* static */
    char *path;                /* with query, already encoded */
    const char *ctype;         /* static or NULL */
    const char *accept;        /* static or NULL */
    struct buf body;
    bool has_body;
    bool body_secret;
    bool resp_secret;          /* secret GET */
    bool sensitive;            /* bodies may hold passwords: not traced,
                                  response wiped (Cosmos options) */
    bool no_auth;
    bool check_pem;            /* CA bundle */
    const struct dcos_json_keep *keep; /* static or NULL: a 2xx answer is
                                  parsed keeping only these members
                                  (dcos_json_parse_projected) */
    size_t n_keep;
    long ok_status[3];
    size_t n_ok;
    dcos_done_fn done;
    void *payload;
    bool replayed;
    unsigned token_gen;
    bool retry_safe;           /* changes nothing (a read, a POST that only
                                  reads, a login): transient failures are
                                  retried (retry.h) */
    const char *hint_404;      /* static or NULL: a 404 is ERR_INVALID with
                                  this hint, not "not found" */
    unsigned attempts;         /* HTTP attempts started so far */
    double started;            /* monotonic time of the first attempt */
    double deadline;           /* started + the retry bound */
    struct err_info last_err;  /* the last attempt's outcome, while a retry
                                  waits */
    struct dcos_call *next;
};

struct dcos_login_waiter {
    dcos_done_fn done;
    void *payload;
    struct dcos_login_waiter *next;
};

struct dcos_client {
    char *url;
    char *ca_file;
    struct http_blob *ca;     /* the PEM bundle trusted, or NULL */
    bool insecure;
    struct secret *token;
    char *uid;
    struct secret *password;
    struct secret *private_key;
    long connect_timeout_ms;
    long timeout_ms;
    size_t max_response;
    struct dcos_retry_policy retry;
    struct http_loop *loop;
    bool own_loop;
    bool login_inflight;
    unsigned token_gen;
    unsigned logins;
    struct dcos_call *waiting;             /* calls waiting for a token */
    struct dcos_login_waiter *login_waiters;
    dcos_observer_fn observer;             /* dcos_client_set_observer */
    void *observer_payload;
};

/*
 * New call of @kind (path, body and media types still to set); a GET is
 * retry_safe.  Returns NULL on ENOMEM.
 */
struct dcos_call *dcos_call_new(struct dcos_client *c, enum dcos_call_kind kind,
                                const char *method, dcos_done_fn done,
                                void *payload);

/* Free @k (its body wiped when secret); accepts NULL. */
void dcos_call_free(struct dcos_call *k);

/*
 * Submit a new call: now, or after a login when the client has no token
 * yet but credentials.  On failure @k is freed and its callback is not
 * called.  Returns 0 or a negative err.
 */
int dcos_call_go(struct dcos_call *k);

/* Submit @k with the JSON body @body (stolen) of media type @ctype; @k is
 * freed when that fails. */
int dcos_call_go_json(struct dcos_call *k, const char *ctype, json_t *body);

/* Submit @k now with the current token: its next attempt (the first one
 * sets its deadline).  0 or a negative err (then @k is neither freed nor
 * completed). */
int dcos_call_start(struct dcos_call *k);

/* Start @k; on failure complete it with the error (async context). */
void dcos_call_start_or_fail(struct dcos_call *k);

/* Complete @k with @err (its callback runs, then @k is freed). */
void dcos_call_fail(struct dcos_call *k, const struct err_info *err);

/*
 * The HTTP request of @k: URL, media types, the token unless k->no_auth,
 * the body, the cluster trust, redaction, timeouts and the response cap; a
 * request that is not retry_safe (a write) on a fresh connection.
 * @param[out] out new request
 * @return 0 or a negative err
 */
int dcos_call_request(struct http_request **out, const struct dcos_call *k);

/*
 * The one mapping from an HTTP status (and the error body @json, or the
 * raw @body of @len bytes) to enum err.  Returns the code and fills @e; 0
 * means the status is a success for this call.
 */
int dcos_call_map_status(struct err_info *e, const struct dcos_call *k,
                         long status, const char *ctype, const json_t *json,
                         const char *body, size_t len);

/* 1 when a body of type @ctype (may be NULL: sniffed) is JSON. */
bool dcos_call_looks_json(const char *ctype, const char *body, size_t len);

/*
 * Common head of every typed call: a new call of @kind to the path built
 * from @segs, accepting @accept (may be NULL).  With @out the call is
 * returned for more set-up and dcos_call_go(); without, it is submitted now.
 */
int dcos_call_simple(struct dcos_client *c, enum dcos_call_kind kind,
                     const char *method, const char *accept,
                     const struct dcos_path_seg *segs, size_t nsegs,
                     dcos_done_fn done, void *payload, struct dcos_call **out);

/* Count @status as a success of @k too (up to three extra statuses). */
void dcos_call_ok_also(struct dcos_call *k, long status);

/* Tell the client's observer (if any) that an attempt of @k ended with
 * HTTP @status (0: no answer). */
void dcos_call_observe(const struct dcos_call *k, long status);

/* Count one more attempt of @k; the first one sets started and deadline. */
void dcos_call_attempt_begin(struct dcos_call *k);

/*
 * Schedule @fire(@k) on the loop for another attempt after the outcome
 * @resp, when @k is retry_safe, the outcome is transient and the policy
 * has an attempt left that can end by @k's deadline (retry.h); the
 * outcome is kept in k->last_err.  True when it is scheduled (then @k
 * must not be completed now).
 */
bool dcos_call_retry_later(struct dcos_call *k,
                           const struct http_response *resp,
                           http_defer_fn fire);

/* Fill @e for a retry of @k that the loop cancelled with @code: the code
 * and k->last_err's text. */
void dcos_call_retry_cancelled(struct err_info *e, const struct dcos_call *k,
                               int code);

/* Say in @e how often @k tried and for how long, when it gave up on a
 * retryable failure after more than one attempt: appended, or for a
 * login after "login as U failed" (the request stays last). */
void dcos_call_note_attempts(struct err_info *e, const struct dcos_call *k);

/* --- the login flow (login.c) --- */

/* 1 when @c has credentials to log in with (uid + password or key). */
bool dcos_login_possible(const struct dcos_client *c);

/*
 * Start a login of @c unless one is in flight: POST the login with the
 * password or a service-login JWT; when it ends, the calls waiting for a
 * token run (or fail) and so do the login waiters.  0 or a negative err.
 */
int dcos_login_start(struct dcos_client *c);

/* End the login of @c with @err (code 0: success) and HTTP @status: the
 * login waiters complete, the waiting calls start (or fail with @err). */
void dcos_login_finish(struct dcos_client *c, const struct err_info *err,
                       long status);

#define CALL(c, kind, method, accept, done, payload, kout, ...)               \
    dcos_call_simple((c), (kind), (method), (accept), PATH_SEGS(__VA_ARGS__), \
                     PATH_NSEGS(__VA_ARGS__), (done), (payload), (kout))

#endif
