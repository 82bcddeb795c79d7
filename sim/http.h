#ifndef ETLS_SIM_HTTP_H
#define ETLS_SIM_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * dcos-sim HTTP layer (sim/http.c): requests and responses as handlers see
 * them, the helpers that read a request (query string, path segments,
 * media types) and the ones that build DC/OS-shaped answers.  Nothing here
 * knows the cluster; the server (sim/server.h) fills requests and sends the
 * responses.  See docs/sim.md.
 */

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

/* A response under construction (owned by the server). */
struct sim_resp {
    int status;
    char *content_type;       /* NULL = none */
    char *body;               /* malloc'ed, may be NULL */
    size_t body_len;
    struct sim_header headers[8];
    size_t n_headers;
    bool reset;               /* drop the connection without answering */
};

/* --- requests --- */

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

/* Free the @n segments of sim_path_segments() and NULL them. */
void sim_segments_free(char **segs, size_t n);

/*
 * 1 when the raw path @path holds a control character (U+0000 to U+001F or
 * U+007F), literally or percent-encoded: nginx refuses such a request line
 * before anything else sees it.
 */
int sim_path_has_control(const char *path);

/* 1 when the Content-Length value @cl (NULL = none) declares more than
 * @cap bytes. */
int sim_length_over(const char *cl, size_t cap);

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

/* Free what @r holds (body, content type, headers) and empty it. */
void sim_resp_free(struct sim_resp *r);

/* --- time --- */

/*
 * Write the UTC time @t (seconds since the epoch) as the APIs show it,
 * "2026-11-28T12:00:00.123Z", into @out (@n bytes, 25 are enough).
 */
void sim_iso8601(char *out, size_t n, double t);

#endif
