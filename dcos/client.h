#ifndef ETLS_DCOS_CLIENT_H
#define ETLS_DCOS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "common/err.h"
#include "common/secret.h"
#include "dcos/result.h"

/*
 * The asynchronous DC/OS Enterprise API client (docs/dcos-client.md).
 * Typed calls for metadata, the CA, IAM, secrets, Cosmos, the SDK scheduler
 * and Marathon, with the exact media types and status rules of dcos-api.md.
 * Every call is submitted to the client's http_loop and completes through
 * a dcos_done_fn on the loop.  The calls of each API are in client_<api>.c;
 * what they share is dcos/call.h.
 *
 * Authentication: "Authorization: token=<t>" is built per request from the
 * token secret.  With credentials at hand (uid + password, or uid + private
 * key for a service login with an RS256 JWT) the client logs in before the
 * first authenticated call and, on a 401, logs in again once and replays
 * the request transparently.  A token given directly without credentials is
 * used as is; a 401 is then final.
 *
 * Status mapping (one function, dcos_call_map_status in call.c): 2xx and the
 * call's extra success statuses give err.code 0; 401/403 ERR_AUTH; 404 and
 * IAM 400 ERR_UNKNOWN_* and Cosmos MarathonAppNotFound/PackageNotFound/
 * VersionNotFound ERR_NOTFOUND; 409 ERR_CONFLICT; 429 and 5xx ERR_TRANSIENT
 * (an Admin Router HTML 404 on an SDK scheduler path too: the scheduler is
 * restarting); anything else ERR_INVALID.  Transport failures carry the
 * loop's mapping (connection failures ERR_TRANSIENT, timeouts ERR_TIMEOUT,
 * TLS trust failures ERR_INVALID).  err.text is one line naming the cause
 * and the request; err.status the HTTP status.
 *
 * Retries (retry.h): a call that changes nothing (every GET, the Cosmos
 * package list and describe and the service describe, a login) is tried
 * again after a transient outcome (a refused or reset connection, a TLS
 * handshake cut short, an empty reply, a timeout, HTTP 502/503/504) with
 * a backoff of 1, 2, 4 s, at most max_attempts times, as long as the next
 * attempt can end within max_attempts x timeout of the first one
 * (dcos_client_call_bound).  Writes are never replayed by the client: the
 * caller (the executors' exec_retry) owns their retries.  r->attempts
 * says how many attempts a call made.
 *
 * Nothing here prints or logs anything.
 */

struct http_loop;
struct dcos_client;

struct dcos_client_options {
    const char *url;          /* cluster URL, https://... */
    const char *ca_file;      /* trust: a CA bundle file ... */
    const char *ca_pem;       /* ... or a PEM blob (copied) ... */
    bool insecure;            /* ... or no verification (explicit only) */
    const struct secret *token;       /* copied; may be NULL */
    const char *uid;                  /* for password or key login */
    const struct secret *password;    /* copied; may be NULL */
    const struct secret *private_key; /* copied; PKCS#8 PEM; may be NULL */
    unsigned max_connections; /* 0 = HTTP_DEFAULT_MAX_TRANSFERS */
    long connect_timeout_ms;  /* 0 = default */
    long timeout_ms;          /* one attempt; 0 = default */
    size_t max_response;      /* 0 = default */
    unsigned max_attempts;    /* of a read or login; 0 = DCOS_RETRY_ATTEMPTS
                                 (4), 1 = no retry */
    long retry_backoff_ms;    /* first backoff; 0 = DCOS_RETRY_BACKOFF_MS */
};

/*
 * Process-wide set-up, first thing in main() before any other thread
 * exists: initialises libcurl.  Returns 0 or ERR_INTERNAL.
 */
int dcos_global_init(void);

/* At exit, after every client and loop is freed. */
void dcos_global_cleanup(void);

/*
 * New client.  @loop is borrowed (NULL: the client creates and owns one with
 * @o->max_connections transfers).  The URL must be https:// (http:// only
 * with @o->insecure); exactly one trust source unless insecure.
 * @param[out] out the new client (dcos_client_free)
 * @return 0, ERR_INVALID (with @err set), ERR_NOMEM or ERR_INTERNAL
 */
int dcos_client_new(struct dcos_client **out,
                    const struct dcos_client_options *o,
                    struct http_loop *loop, struct err_info *err);

/*
 * Free the client; frees its loop when owned (pending calls complete with
 * ERR_INTERNAL first).  With a borrowed loop, free the loop's pending calls
 * first (http_loop_cancel_all or run it dry).  Accepts NULL.
 */
void dcos_client_free(struct dcos_client *c);

/* The loop the client submits to (borrowed). */
struct http_loop *dcos_client_loop(struct dcos_client *c);

/* The cluster URL without a trailing slash (borrowed). */
const char *dcos_client_url(const struct dcos_client *c);

/* Replace the trust with the PEM bundle @pem (copied), e.g. the cluster CA
 * fetched with dcos_ca_cert_get.  Later requests use it.  0 or ERR_NOMEM. */
int dcos_client_set_ca_pem(struct dcos_client *c, const char *pem);

/* Trace every later request of the loop to @out (NULL: off), redacted. */
void dcos_client_set_trace(struct dcos_client *c, FILE *out);

/*
 * Call @fn(event, @payload) (dcos/result.h) on the loop as every HTTP
 * attempt of a call of @c ends (retries, replays and logins each count), before the call's
 * own callback.  @fn NULL: none.
 */
void dcos_client_set_observer(struct dcos_client *c, dcos_observer_fn fn,
                              void *payload);

/* 1 when the client holds a token. */
int dcos_client_has_token(const struct dcos_client *c);

/* Number of successful logins so far (initial and re-logins). */
unsigned dcos_client_logins(const struct dcos_client *c);

/*
 * Log in now (POST /acs/api/v1/auth/login) with the password or a service
 * login JWT (exp = now + 300 s).  The result carries status and err only
 * (the token is never exposed).  ERR_INVALID when there are no
 * credentials.
 */
int dcos_client_login(struct dcos_client *c, dcos_done_fn done,
                      void *payload);

/*
 * The longest a call of @c that changes nothing (a read or a login) takes
 * from its first attempt to its completion, retries and backoff included:
 * max_attempts x timeout, in seconds (docs/dcos-client.md, "Retries").
 * A call waiting for a login is bounded by the login's bound plus its own.
 */
double dcos_client_call_bound(const struct dcos_client *c);

/*
 * Run the loop until no call is pending or @timeout_s seconds pass.
 * @return 0 or ERR_TIMEOUT
 */
int dcos_client_run(struct dcos_client *c, double timeout_s);

/*
 * Typed calls.  Each returns 0 when submitted (then @done runs exactly
 * once), or a negative err when it could not be (invalid argument,
 * ERR_NOMEM); @done is then not called.  Unless stated, success is 2xx.
 */

/* GET /dcos-metadata/dcos-version.json (no token). */
int dcos_version_get(struct dcos_client *c, dcos_done_fn done,
                     void *payload);

/* GET /ca/dcos-ca.crt (no token): body is the PEM bundle; a 200 that is
 * not a PEM certificate bundle gives ERR_INVALID. */
int dcos_ca_cert_get(struct dcos_client *c, dcos_done_fn done,
                     void *payload);

/* GET /acs/api/v1/users/<uid>: 200; unknown uid ERR_NOTFOUND. */
int dcos_iam_user_get(struct dcos_client *c, const char *uid,
                      dcos_done_fn done, void *payload);

/* PUT /acs/api/v1/users/<uid> {"description","public_key"}: 201;
 * 409 ERR_CONFLICT.  @description may be NULL (omitted). */
int dcos_iam_user_put(struct dcos_client *c, const char *uid,
                      const char *description, const char *public_key_pem,
                      dcos_done_fn done, void *payload);

/* DELETE /acs/api/v1/users/<uid>: 204; unknown ERR_NOTFOUND. */
int dcos_iam_user_delete(struct dcos_client *c, const char *uid,
                         dcos_done_fn done, void *payload);

/* GET /acs/api/v1/users/<uid>/groups: 200 (parse with
 * dcos_parse_user_groups; the answer is as small as the account's
 * memberships); unknown uid (IAM's 400 ERR_UNKNOWN_USER_ID, or a 404)
 * ERR_NOTFOUND. */
int dcos_iam_user_groups_get(struct dcos_client *c, const char *uid,
                             dcos_done_fn done, void *payload);

/* GET /acs/api/v1/groups/<gid>: 200 {"gid","url","description",...};
 * unknown group (IAM's 400 ERR_UNKNOWN_GROUP_ID) ERR_NOTFOUND.  A 404 is
 * no IAM answer: ERR_INVALID. */
int dcos_iam_group_get(struct dcos_client *c, const char *gid,
                       dcos_done_fn done, void *payload);

/* GET /acs/api/v1/groups/<gid>/users[?type=service]: 200; unknown group
 * (IAM's 400 ERR_UNKNOWN_GROUP_ID) ERR_NOTFOUND.  A 404 is no IAM answer
 * (an Admin Router route or a proxy in the way): ERR_INVALID. */
int dcos_iam_group_users_get(struct dcos_client *c, const char *gid,
                             bool service_only, dcos_done_fn done,
                             void *payload);

/* PUT /acs/api/v1/groups/<gid>/users/<uid> (no body): 204; 409 (already a
 * member) ERR_CONFLICT; unknown group or user ERR_NOTFOUND. */
int dcos_iam_group_user_put(struct dcos_client *c, const char *gid,
                            const char *uid, dcos_done_fn done,
                            void *payload);

/* DELETE /acs/api/v1/groups/<gid>/users/<uid>: 204; ERR_NOTFOUND. */
int dcos_iam_group_user_delete(struct dcos_client *c, const char *gid,
                               const char *uid, dcos_done_fn done,
                               void *payload);

/* PUT /acs/api/v1/acls/<rid> {"description"}: 201 and 409 are success. */
int dcos_iam_acl_put(struct dcos_client *c, const char *rid,
                     const char *description, dcos_done_fn done,
                     void *payload);

/* PUT /acs/api/v1/acls/<rid>/users/<uid>/<action>: 204 and 409 are
 * success; unknown ACL or user ERR_NOTFOUND. */
int dcos_iam_acl_user_grant(struct dcos_client *c, const char *rid,
                            const char *uid, const char *action,
                            dcos_done_fn done, void *payload);

/* GET /acs/api/v1/acls/<rid>/users/<uid>/<action>: 200 {"allowed":b}. */
int dcos_iam_acl_user_allowed(struct dcos_client *c, const char *rid,
                              const char *uid, const char *action,
                              dcos_done_fn done, void *payload);

/* GET /acs/api/v1/users/<uid>/permissions: 200. */
int dcos_iam_user_permissions_get(struct dcos_client *c, const char *uid,
                                  dcos_done_fn done, void *payload);

/*
 * Secrets in store "default" at @path (literal slashes; no "..").  Values
 * are secrets: request bodies are wiped after sending, the GET body is
 * parsed into r->secret and wiped, nothing is traced.
 *   get:    200 (r->secret); 404 ERR_NOTFOUND; a non-text secret
 *           ERR_INVALID
 *   put:    201; 409 ERR_CONFLICT
 *   patch:  204; 404 ERR_NOTFOUND
 *   delete: 204; 404 ERR_NOTFOUND
 */
int dcos_secret_get(struct dcos_client *c, const char *path,
                    dcos_done_fn done, void *payload);
int dcos_secret_put(struct dcos_client *c, const char *path,
                    const struct secret *value, dcos_done_fn done,
                    void *payload);
int dcos_secret_patch(struct dcos_client *c, const char *path,
                      const struct secret *value, dcos_done_fn done,
                      void *payload);
int dcos_secret_delete(struct dcos_client *c, const char *path,
                       dcos_done_fn done, void *payload);

/*
 * GET /secrets/v1/secret/default/<path>?list=true: the secret paths below
 * @path, relative to it, as r->json {"array":[...]} (read them with
 * dcos_parse_secret_list); nothing below: 404 ERR_NOTFOUND.
 */
int dcos_secret_list(struct dcos_client *c, const char *path,
                     dcos_done_fn done, void *payload);

/*
 * Cosmos (versioned media types of dcos-api.md 8.1; error bodies are the
 * Cosmos envelope, summarised in err.text with dcos_cosmos_error_format).
 *   package_install: 200; 409 PackageAlreadyInstalled ERR_CONFLICT.
 *     @version and @options (borrowed) may be NULL.
 *   package_list: 200; @package and @app_id may be NULL.
 *   package_describe: 200 (describe-response v3).
 *   service_describe: 200; unknown app ERR_NOTFOUND.
 *   service_update: 200; unknown app ERR_NOTFOUND; a locked app (500)
 *     ERR_TRANSIENT.  @options and @version may be NULL.
 */
int dcos_cosmos_package_install(struct dcos_client *c, const char *package,
                                const char *version, const json_t *options,
                                dcos_done_fn done, void *payload);
int dcos_cosmos_package_list(struct dcos_client *c, const char *package,
                             const char *app_id, dcos_done_fn done,
                             void *payload);
int dcos_cosmos_package_describe(struct dcos_client *c, const char *package,
                                 const char *version, dcos_done_fn done,
                                 void *payload);
int dcos_cosmos_service_describe(struct dcos_client *c, const char *app_id,
                                 dcos_done_fn done, void *payload);
int dcos_cosmos_service_update(struct dcos_client *c, const char *app_id,
                               const json_t *options, const char *version,
                               bool replace, dcos_done_fn done,
                               void *payload);

/*
 * SDK scheduler at /service/<service>/v1/...  A 502/503/504, or an Admin
 * Router HTML 404, is ERR_TRANSIENT (scheduler restarting); a plain 404
 * from the scheduler ("Element not found", empty) is ERR_NOTFOUND.
 *   plan_get: 200, 202 and 417 are all success (the plan body).
 */
int dcos_sdk_plan_get(struct dcos_client *c, const char *service,
                      const char *plan, dcos_done_fn done, void *payload);
int dcos_sdk_endpoint_get(struct dcos_client *c, const char *service,
                          const char *name, dcos_done_fn done,
                          void *payload);
int dcos_sdk_pod_list(struct dcos_client *c, const char *service,
                      dcos_done_fn done, void *payload);
int dcos_sdk_pod_info(struct dcos_client *c, const char *service,
                      const char *pod, dcos_done_fn done, void *payload);
int dcos_sdk_configuration_get(struct dcos_client *c, const char *service,
                               const char *id, dcos_done_fn done,
                               void *payload);
int dcos_sdk_target_id_get(struct dcos_client *c, const char *service,
                           dcos_done_fn done, void *payload);

/*
 * Marathon, through Admin Router's /service/marathon/ (the older
 * /marathon/ route is deprecated).
 *   app_get: GET /service/marathon/v2/apps/<id>?embed=app.counts; 404
 *     ERR_NOTFOUND.
 *   app_restart: POST /service/marathon/v2/apps/<id>/restart
 *     [?force=true]; 409 (locked by a deployment) ERR_CONFLICT.
 */
int dcos_marathon_app_get(struct dcos_client *c, const char *app_id,
                          dcos_done_fn done, void *payload);
int dcos_marathon_app_restart(struct dcos_client *c, const char *app_id,
                              bool force, dcos_done_fn done, void *payload);

#endif
