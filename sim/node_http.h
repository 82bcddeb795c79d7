#ifndef ETLS_SIM_NODE_HTTP_H
#define ETLS_SIM_NODE_HTTP_H

#include <microhttpd.h>

/*
 * The Elasticsearch 5.6.5 REST behaviour of one data-plane node
 * (sim/node_http.c): X-Pack basic authentication, `GET /`,
 * `GET /_cluster/health`, ES's 404 and 400 for everything else.  Internal
 * to sim/node*.c; see sim/node.h and docs/sim.md "Data-plane nodes".
 */

struct sim_node;

/*
 * Answer a complete request for node @n on connection @c: authenticate
 * (when @n has a user), then route.  @uri is the raw request target (query
 * included; NULL = @url), @url its path.  Returns what the access handler
 * returns.
 */
enum MHD_Result node_http_answer(struct sim_node *n,
                                 struct MHD_Connection *c, const char *uri,
                                 const char *url, const char *method);

/* Queue @status with the static @body (may be "") and @ctype (NULL =
 * none). */
enum MHD_Result node_http_reply(struct MHD_Connection *c, unsigned status,
                                const char *ctype, const char *body);

#endif
