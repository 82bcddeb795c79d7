#ifndef ETLS_DCOS_PROBE_H
#define ETLS_DCOS_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/err.h"
#include "common/secret.h"
#include "dcos/loop.h"

/*
 * Data-plane probes for the HTTPS verification (issue 4 "Verify"): an
 * HTTPS GET with the cluster CA, hostname verification and basic auth that
 * reports the peer certificate, and a plain-HTTP request that tells whether
 * the node still answers HTTP.  Both use a fresh connection.
 */

#define DCOS_PROBE_CONNECT_TIMEOUT_MS 5000L
#define DCOS_PROBE_TIMEOUT_MS 15000L

/* What the HTTPS probe saw.  Borrowed for the callback only. */
struct dcos_probe_result {
    long status;               /* 0 when no HTTP answer */
    json_t *json;              /* parsed body when JSON, else NULL */
    const char *body;
    size_t body_len;
    const char *content_type;
    const struct http_cert *cert; /* NULL when no TLS session was made */
    /*
     * 0 for a 2xx answer; the loop's transport mapping otherwise (a name
     * the certificate does not cover, an unknown CA: ERR_INVALID; refused:
     * ERR_TRANSIENT), or for an HTTP error 401/403 ERR_AUTH, 5xx
     * ERR_TRANSIENT, other ERR_INVALID.
     */
    struct err_info err;
};

typedef void (*dcos_probe_fn)(const struct dcos_probe_result *r,
                              void *payload);

/*
 * GET @url (https://) verifying the server with the PEM bundle @ca_pem and
 * its host name, connecting to @connect_to ("HOST:PORT:ADDR:PORT", may be
 * NULL) instead of resolving, with basic auth @user / @password (both may be
 * NULL: no auth).  @password is copied into a wiped header.
 * @return 0 (@done runs exactly once) or a negative err
 */
int dcos_probe_https(struct http_loop *loop, const char *url,
                     const char *connect_to, const char *ca_pem,
                     const char *user, const struct secret *password,
                     dcos_probe_fn done, void *payload);

/*
 * The same GET over plain HTTP (@url http://), for a service whose
 * transport encryption is off: basic auth (the password then travels in
 * clear, as the service's own readiness check sends it), no certificate.
 * @return 0 (@done runs exactly once) or a negative err
 */
int dcos_probe_http(struct http_loop *loop, const char *url,
                    const char *connect_to, const char *user,
                    const struct secret *password, dcos_probe_fn done,
                    void *payload);

/* What the plain-HTTP probe saw. */
struct dcos_plain_result {
    bool answered;        /* an HTTP response arrived (any status) */
    long status;
    struct err_info err;  /* the transport failure when !answered */
};

typedef void (*dcos_plain_fn)(const struct dcos_plain_result *r,
                              void *payload);

/*
 * GET @url (http://), connecting to @connect_to when given.  "Refused"
 * means no HTTP answer: connection refused or reset, an empty reply, a TLS
 * record instead of HTTP.
 * @return 0 (@done runs exactly once) or a negative err
 */
int dcos_probe_plain(struct http_loop *loop, const char *url,
                     const char *connect_to, dcos_plain_fn done,
                     void *payload);

#endif
