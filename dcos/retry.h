#ifndef ETLS_DCOS_RETRY_H
#define ETLS_DCOS_RETRY_H

#include <stdbool.h>

/*
 * The client's retry policy (docs/dcos-client.md, "Retries"): pure
 * decisions, no I/O and no clock of its own.  dcos/call.c applies it to
 * the requests that change nothing on the cluster (reads, the POSTs that
 * only read, logins); writes are never retried by the client.
 *
 * Every such request gets one deadline when its first attempt starts:
 * attempts x the request timeout.  Another attempt is made after a
 * transient outcome only when it can still end before that deadline (the
 * backoff included), so a request never outlives its deadline and a
 * cluster that stays down fails within attempts x the request timeout.
 */

/* Attempts of one request, the first one included. */
#define DCOS_RETRY_ATTEMPTS 4u
/* Backoff before the second attempt; it doubles for each later one. */
#define DCOS_RETRY_BACKOFF_MS 1000L

struct dcos_retry_policy {
    unsigned attempts;  /* >= 1 */
    double backoff;     /* seconds before the second attempt */
    double timeout;     /* seconds, one attempt (the request timeout) */
};

/*
 * 1 when an attempt that ended with the transport outcome @transport_code
 * (0: an HTTP answer arrived, else the enum err of http_err_from_curl) and
 * the HTTP status @status is worth another attempt of a request that
 * changes nothing: a transient transport failure (refused, reset, reset
 * during the TLS handshake, empty reply), a timeout, or 502/503/504.
 */
bool dcos_retry_transient(int transport_code, long status);

/* The deadline of a request, in seconds after its first attempt started:
 * attempts x timeout. */
double dcos_retry_bound(const struct dcos_retry_policy *p);

/*
 * The backoff before attempt @done + 1 of a request whose @done attempts
 * all failed transiently, at monotonic time @now, for a request that must
 * end by @deadline: backoff x 2^(done - 1) seconds, or a negative value
 * when no attempt is left or the next one could not end by @deadline.
 */
double dcos_retry_delay(const struct dcos_retry_policy *p, unsigned done,
                        double now, double deadline);

#endif
