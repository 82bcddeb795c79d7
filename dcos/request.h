#ifndef ETLS_DCOS_REQUEST_H
#define ETLS_DCOS_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <curl/curl.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/secret.h"
#include "dcos/blob.h"
#include "dcos/x509.h"

/*
 * One HTTP request: a small builder, the libcurl easy handle made from it
 * and the response it fills.  Requests run on a struct http_loop
 * (dcos/loop.h), which owns the multi handle and the event loop.  Header
 * lines that carry a secret and secret bodies are wiped when the request
 * is freed.
 */

/* Defaults used when a request does not set its own. */
#define HTTP_DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define HTTP_DEFAULT_TIMEOUT_MS 60000L
#define HTTP_DEFAULT_MAX_RESPONSE (16u * 1024u * 1024u)

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

/* Completion callback; runs on the loop, may submit new requests. */
typedef void (*http_done_fn)(struct http_response *resp, void *payload);

/*
 * A request.  The members are private to dcos/request.c and dcos/loop.c:
 * everyone else goes through the functions below.
 */
struct http_request {
    FILE *const *trace; /* the loop's trace stream (set on submit) */
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
    struct http_blob *ca; /* a PEM bundle, shared (blob.h) */
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
    /* Queue (singly linked) or active list (doubly linked) of the loop. */
    struct http_request *next;
    struct http_request *prev;
};

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
 * its value is masked in traces.  Returns 0, ERR_INVALID when the secret
 * is empty or holds a space or control character (a CR or LF would inject
 * headers: dcos_token_header_safe) or ERR_NOMEM.
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

/* Trust the PEM bundle @ca (blob.h; one more reference taken). */
void http_request_set_ca_blob(struct http_request *req, struct http_blob *ca);

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
 * The one mapping from a CURLcode to enum err: sets @e (code, curl's error
 * text, what was asked) and returns the code.  @curl_code 0 returns 0.
 * Connection failures are ERR_TRANSIENT (a TLS handshake the peer cut
 * with a reset or an early close too), timeouts ERR_TIMEOUT, TLS trust
 * and handshake refusals ERR_INVALID, an over-long body ERR_INVALID.
 */
int http_err_from_curl(struct err_info *e, int curl_code,
                       const char *errbuf, const char *method,
                       const char *url, bool too_big, size_t max);

/*
 * Create @req's easy handle with every option the request asks for (for
 * dcos/loop.c, once the request is submitted).  Returns 0, ERR_NOMEM or
 * ERR_INTERNAL (then no easy handle is kept).
 */
int http_request_easy_init(struct http_request *req);

/*
 * Finish @req (for dcos/loop.c): fill its response from the easy handle
 * and @curl_code, or with the error @forced ("@forced_text on METHOD URL")
 * when @forced is non-zero, run the completion callback, free @req.
 */
void http_request_complete(struct http_request *req, int curl_code,
                           int forced, const char *forced_text);

#endif
