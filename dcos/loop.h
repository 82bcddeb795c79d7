#ifndef ETLS_DCOS_LOOP_H
#define ETLS_DCOS_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/secret.h"

/*
 * The libcurl multi <-> libev bridge (style.md section 1, "Event loop and
 * libcurl multi").  One struct http_loop owns a CURLM, one ev_timer for
 * libcurl's timeout and one ev_io per socket.  Requests are built with a
 * small builder, submitted, and completed through a callback that runs on
 * the loop.  At most `max_transfers` transfers run at once; the rest wait in
 * a FIFO queue.
 *
 * The loop also runs short CPU-bound jobs (RSA key generation) on worker
 * threads and hands their completion back to the loop with an ev_async.
 *
 * Nothing in this module logs.  Tracing (http_loop_set_trace) is opt-in and
 * redacts Authorization, Proxy-Authorization, Cookie and Set-Cookie values
 * and every body of a request marked sensitive.
 */

struct ev_loop;
struct http_loop;
struct http_request;

/* Defaults used when a request does not set its own. */
#define HTTP_DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define HTTP_DEFAULT_TIMEOUT_MS 60000L
#define HTTP_DEFAULT_MAX_RESPONSE (16u * 1024u * 1024u)
#define HTTP_DEFAULT_MAX_TRANSFERS 8u

/* The peer certificate of a TLS transfer (leaf only). */
struct http_cert {
    char *subject;   /* RFC 2253 one-line form, e.g. "CN=a,O=b" */
    char *issuer;
    char *not_after; /* "YYYY-MM-DDTHH:MM:SSZ" */
    char **sans;     /* "DNS:name" or "IP:addr" */
    size_t n_sans;
};

/*
 * What came back.  Borrowed by the completion callback; the loop frees it
 * when the callback returns (the callback may take the body with
 * buf_detach(&resp->body)).
 */
struct http_response {
    const char *method;     /* borrowed from the request */
    const char *url;
    long status;            /* HTTP status, 0 when none was received */
    char *content_type;     /* NULL when absent */
    char *www_authenticate; /* NULL when absent */
    struct buf body;        /* capped at the request's max response */
    /*
     * Transport outcome only: code 0 means an HTTP response arrived (of any
     * status).  Otherwise the CURLcode mapped by http_err_from_curl().
     */
    struct err_info err;
    int curl_code;
    bool have_cert;         /* cert is filled (http_request_want_cert) */
    struct http_cert cert;
    bool sensitive;         /* body is wiped when freed */
};

/* Completion callback; runs on the loop, may submit new requests. */
typedef void (*http_done_fn)(struct http_response *resp, void *payload);

/* Worker-thread job and its completion on the loop.  @status is 0 when
 * @work ran, ERR_INTERNAL when the job was cancelled (loop freed) or no
 * thread could be started. */
typedef void (*http_work_fn)(void *arg);
typedef void (*http_work_done_fn)(void *arg, int status);

/*
 * Call once at program start, before any other thread exists
 * (curl_global_init).  Returns 0 or ERR_INTERNAL.
 */
int http_global_init(void);

/* Counterpart of http_global_init(), at exit. */
void http_global_cleanup(void);

/*
 * New loop.  @ev is borrowed (NULL: the loop creates and owns its own
 * ev_loop).  @max_transfers bounds concurrent transfers (0 = default); it is
 * also the libcurl connection limit.
 * @param[out] out the new loop (free with http_loop_free)
 * @return 0, ERR_NOMEM or ERR_INTERNAL
 */
int http_loop_new(struct http_loop **out, struct ev_loop *ev,
                  unsigned max_transfers);

/*
 * Cancel every pending request (callbacks run with ERR_INTERNAL "request
 * cancelled"), wait for worker threads, then clean up libcurl while the
 * event loop is still alive and destroy the ev_loop when owned.  Accepts
 * NULL.  Must not be called from a completion callback.
 */
void http_loop_free(struct http_loop *loop);

/*
 * Write a redacted trace of every later transfer to @out (borrowed; NULL
 * turns tracing off).
 */
void http_loop_set_trace(struct http_loop *loop, FILE *out);

/* Number of requests queued or running plus jobs not yet completed. */
unsigned http_loop_pending(const struct http_loop *loop);

/* Highest number of transfers that ran at the same time so far. */
unsigned http_loop_peak_transfers(const struct http_loop *loop);

/*
 * Run the event loop until nothing is pending or the monotonic time
 * util_now_mono() reaches @deadline (<= 0: no deadline).  Requests still
 * pending at the deadline stay pending.  Not reentrant: never call it from
 * a completion callback.
 * @return 0, or ERR_TIMEOUT when the deadline passed first
 */
int http_loop_run(struct http_loop *loop, double deadline);

/*
 * Complete every queued and running request now with @code (e.g.
 * ERR_TIMEOUT) and the text "request cancelled".
 */
void http_loop_cancel_all(struct http_loop *loop, int code);

/*
 * Run @work(@arg) on a worker thread (at most two at once; the rest queue)
 * and then @done(@arg, status) on the loop.  @done is called exactly once
 * when this returns 0.
 * @return 0, ERR_NOMEM, or ERR_INVALID when the loop is shutting down
 */
int http_loop_job(struct http_loop *loop, http_work_fn work,
                  http_work_done_fn done, void *arg);

/* --- request builder --- */

/*
 * New request for @method ("GET", "HEAD", "POST", "PUT", "PATCH",
 * "DELETE") and @url.  Defaults: HTTPS only, peer and host verification on
 * with the system trust store, default timeouts and response cap.
 * @param[out] out the new request (submit it, or free it)
 * @return 0, ERR_NOMEM or ERR_INVALID (unknown method)
 */
int http_request_new(struct http_request **out, const char *method,
                     const char *url);

/* Free a request that was never submitted; accepts NULL. */
void http_request_free(struct http_request *req);

/* Add the header "@name: @value".  Returns 0 or ERR_NOMEM. */
int http_request_add_header(struct http_request *req, const char *name,
                            const char *value);

/*
 * Add the header "@name: @prefix<secret>", e.g. ("Authorization",
 * "token=", token).  The header line is wiped when the request is freed and
 * its value is masked in traces.  Returns 0 or ERR_NOMEM.
 */
int http_request_add_secret_header(struct http_request *req,
                                   const char *name, const char *prefix,
                                   const struct secret *value);

/*
 * Basic authentication for @user with @password (borrowed; copied into a
 * wiped Authorization header).  Returns 0, ERR_NOMEM or ERR_INVALID (a ':'
 * in @user).
 */
int http_request_basic_auth(struct http_request *req, const char *user,
                            const struct secret *password);

/*
 * Request body (copied).  With @secret the copy is wiped after the
 * transfer and the request is marked sensitive (see below).
 * Returns 0 or ERR_NOMEM.
 */
int http_request_set_body(struct http_request *req, const void *data,
                          size_t len, bool secret);

/*
 * Mark the request sensitive: no body (request or response) is traced and
 * the response body is wiped when freed.
 */
void http_request_set_sensitive(struct http_request *req);

/* Trust: a CA bundle file, or a PEM blob (copied).  0 or ERR_NOMEM. */
int http_request_set_ca_file(struct http_request *req, const char *path);
int http_request_set_ca_pem(struct http_request *req, const char *pem);

/*
 * Disable peer and host verification.  Only for an explicit user choice
 * (DCOS_SSL_VERIFY=false); the caller warns.
 */
void http_request_set_insecure(struct http_request *req);

/* Timeouts in milliseconds (<= 0 keeps the default). */
void http_request_set_timeouts(struct http_request *req, long connect_ms,
                               long total_ms);

/* Cap on the response body (0 keeps the default). */
void http_request_set_max_response(struct http_request *req, size_t max);

/*
 * One CURLOPT_CONNECT_TO entry "HOST:PORT:CONNECT-HOST:CONNECT-PORT"
 * (copied).  Returns 0 or ERR_NOMEM.
 */
int http_request_set_connect_to(struct http_request *req, const char *entry);

/* Fill resp->cert with the peer certificate (forces a fresh connection). */
void http_request_want_cert(struct http_request *req);

/* Allow http:// as well as https:// (data-plane probes only). */
void http_request_allow_plain_http(struct http_request *req);

/* Use a new connection and do not keep it afterwards. */
void http_request_fresh_connection(struct http_request *req);

/*
 * Queue @req (stolen in every case).  @done(resp, @payload) is called
 * exactly once, on the loop, when this returns 0; never when it fails.
 * @return 0, ERR_NOMEM, ERR_INTERNAL, or ERR_INVALID when the loop is
 * shutting down
 */
int http_loop_submit(struct http_loop *loop, struct http_request *req,
                     http_done_fn done, void *payload);

/*
 * The one mapping from a CURLcode to enum err: sets @e (code, curl's error
 * text, what was asked) and returns the code.  @curl_code 0 returns 0.
 * Connection failures are ERR_TRANSIENT, timeouts ERR_TIMEOUT, TLS trust
 * failures ERR_INVALID, an over-long body ERR_INVALID.
 */
int http_err_from_curl(struct err_info *e, int curl_code,
                       const char *errbuf, const char *method,
                       const char *url, bool too_big, size_t max);

/* Free the members of @cert (not @cert itself). */
void http_cert_clear(struct http_cert *cert);

#endif
