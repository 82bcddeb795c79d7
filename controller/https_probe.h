#ifndef ETLS_CONTROLLER_HTTPS_PROBE_H
#define ETLS_CONTROLLER_HTTPS_PROBE_H

#include <stdbool.h>

#include <jansson.h>

#include "common/err.h"
#include "model/desired.h"
#include "model/observed.h"

/*
 * What the HTTPS check of apply (exec/verify.c) and the read-only HTTPS
 * check of plan (observe.c) share: the node behind a scheduler endpoint,
 * and the probes that tell which scheme it answers (docs/plan.md,
 * "https_verify" and "https").  The probes send no credentials.
 */
struct dcos_client;
struct http_loop;

/* The node behind an endpoint (strings new, NULL when unset). */
struct https_node {
    char *dns;        /* "<dnshost>:<port>": the name its certificate must
                         carry */
    char *url;        /* "https://<dns>/" */
    char *connect_to; /* "<dnshost>:<port>:<addrhost>:<port>" (the DNS
                         name need not resolve where etls runs) */
    char *address;    /* "<addrhost>:<port>" */
};

/*
 * Fill @n (zeroed or cleared) from the body of `GET
 * /service/<svc>/v1/endpoints/<name>`: its first address and DNS name.
 * Returns 0, ERR_INVALID (not an endpoint, or no address or DNS name yet:
 * the scheduler has not launched the task) or ERR_NOMEM; on failure @n is
 * left cleared.
 */
int https_node_from_endpoint(struct https_node *n, const json_t *endpoint);

/* Free the members of @n and zero it; accepts a zeroed struct. */
void https_node_clear(struct https_node *n);

/*
 * "https://<dns><path>" when @tls, else "http://<dns><path>" (new; the
 * request connects with @n->connect_to), or NULL on ENOMEM.
 */
char *https_node_url(const struct https_node *n, bool tls, const char *path);

/* Which probes https_scheme_probe runs. */
#define HTTPS_PROBE_TLS 0x1u   /* GET <url> over HTTPS, cluster CA */
#define HTTPS_PROBE_PLAIN 0x2u /* GET http://<address>/ */

/* Bound of the plan-time wave beyond the request timeout, seconds: a
 * probe's own timeout plus a margin. */
#define HTTPS_PROBE_MARGIN 20.0

/* What the probes saw (borrowed for the callback only). */
struct https_scheme {
    int incomplete;         /* non-zero (an enum err) when a probe could
                               not be submitted: ignore the rest */
    /* HTTPS_PROBE_TLS */
    enum model_node_https https;
    long https_status;      /* the HTTP status over TLS, 0 when none */
    struct err_info https_err; /* the transport failure when not
                                  VERIFIED */
    /* HTTPS_PROBE_PLAIN */
    bool plain_answered;    /* any HTTP answer over plain HTTP */
    long plain_status;
    struct err_info plain_err; /* the transport failure when
                                  !plain_answered */
};

typedef void (*https_scheme_fn)(const struct https_scheme *s,
                                void *payload);

/*
 * Probe node @n without credentials, every probe in @what (HTTPS_PROBE_*)
 * at once on a fresh connection.  HTTPS_PROBE_TLS: `GET` @n->url with the
 * PEM bundle @ca_pem as the only trust and host-name verification,
 * connecting to @n->address; any HTTP answer (401 included) means a
 * certificate that chains to the CA and names @n->dns (VERIFIED), a TLS
 * failure without answer REJECTED (why in https_err), no
 * connection NO_ANSWER.  HTTPS_PROBE_PLAIN: `GET http://<address>/`;
 * "answered" means any HTTP response.
 * @return 0 (@done then runs exactly once, after the last probe) or a
 *         negative err (ERR_INVALID: @n or @ca_pem missing, ERR_NOMEM)
 */
int https_scheme_probe(struct http_loop *loop, const struct https_node *n,
                       const char *ca_pem, unsigned what,
                       https_scheme_fn done, void *payload);

/* One plan-time HTTPS check in flight. */
struct https_probe_wave;

/*
 * The read-only HTTPS check of plan (after observation and the catalog):
 * for every service of @d whose package is installed (@out[i].package),
 * whose deploy plan is COMPLETE and whose verification is on, read the
 * endpoint `GET /service/<svc>/v1/endpoints/<endpoint>` and run both
 * scheme probes against the cluster CA @ca_pem, filling the node_* fields
 * of @out[i] (model/observed.h).  A TLS session that fails is probed once
 * more, so that one reset connection gives no verdict.  Not fatal: a read
 * or probe that fails leaves node_probed false.  Does nothing without
 * @ca_pem.  @ca_pem, @d and @out must outlive the wave.  Then let the
 * loop run dry (bound: the request timeout plus HTTPS_PROBE_MARGIN) and
 * call https_probe_observe_collect.  Returns 0 and sets *@w (new), or
 * ERR_NOMEM before anything was submitted.
 */
int https_probe_observe_submit(struct https_probe_wave **w,
                               struct dcos_client *client,
                               const char *ca_pem,
                               const struct model_desired *d,
                               struct model_observed *out);

/* End the wave @w (freed); @timed_out: probes still out are cancelled and
 * no service counts as probed. */
void https_probe_observe_collect(struct https_probe_wave *w, bool timed_out);

#endif
