/*
 * The Elasticsearch 5.6.5 REST behaviour of a data-plane node (with X-Pack
 * security when it has a user): basic authentication, the root document,
 * cluster health and ES's answers to everything else.  See node_http.h and
 * docs/sim.md "Data-plane nodes".
 */
#include "sim/node_http.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/util.h"
#include "sim/node_reg.h"

#define CT_JSON "application/json; charset=UTF-8"
#define CT_TEXT "text/plain; charset=UTF-8"
#define WWW_AUTH "Basic realm=\"security\" charset=\"UTF-8\""

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

/* See node_http.h. */
enum MHD_Result node_http_reply(struct MHD_Connection *c, unsigned status,
                                const char *ctype, const char *body)
{
    return reply_static(c, status, ctype, body, strlen(body));
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

    node_health_read(n, status, &nodes, &data_nodes);
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

    node_health_read(n, status, &nodes, &data_nodes);
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

/* See node_http.h. */
enum MHD_Result node_http_answer(struct sim_node *n,
                                 struct MHD_Connection *c, const char *uri,
                                 const char *url, const char *method)
{
    bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
               strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;

    if (!uri)
        uri = url;

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
