#ifndef ETLS_TESTS_E2E_SIM_FIDELITY_TESTUTIL_H
#define ETLS_TESTS_E2E_SIM_FIDELITY_TESTUTIL_H

#include <stddef.h>

#include <jansson.h>

#include "harness/harness.h"

/*
 * Helpers of the dcos-sim fidelity tests (the endpoints clients call
 * first, the SDK uninstall, Cosmos's app labels, request hygiene) beyond
 * the shared ones of harness/h_*.h: in-tree upstream fixtures, raw TCP and
 * TLS connections (requests curl would not send), the sim process's
 * threads and sockets, and a TLS service installed as the runbook does.
 * Every helper fails the running test (cmocka fail_msg) on an unexpected
 * harness failure.
 */

/* Simulated seconds per real second of the sims of these tests. */
#define FID_SPEED "20"
/* Bound of every wait (real ms) and the poll interval. */
#define FID_WAIT_MS 30000
#define FID_POLL_MS 20

/* The in-tree copy of upstream fixture @rel (tests/fixtures/upstream),
 * parsed (new). */
json_t *fid_fixture_json(const char *rel);

/* TCP port of the sim's master API. */
int fid_port(const struct h_sim *s);

/* A new TCP connection to the sim's master API (blocking fd). */
int fid_tcp_connect(const struct h_sim *s);

/*
 * Send the @len raw bytes @req over a new TLS connection to the sim
 * (verified against its CA) and read until the server closes or
 * @timeout_ms pass; returns what arrived (new, NUL-terminated, maybe
 * empty).  When @stop is not NULL, reading stops as soon as the data holds
 * it.
 */
char *fid_tls_exchange(const struct h_sim *s, const char *req, size_t len,
                       int timeout_ms, const char *stop);

/* Threads of process @pid (from /proc), and its open sockets. */
long fid_threads(int pid);
long fid_sockets(int pid);

/*
 * The runbook by hand for service @svc with TLS and X-Pack: a key pair,
 * service account @svc, its secret "@svc/secret", membership of
 * superusers, the install, and the wait for the deploy plan COMPLETE.
 */
void fid_install_tls(struct h_sim *s, const char *svc);

/* A new regular user @uid with password @password; returns its login
 * token (new). */
char *fid_user_token(struct h_sim *s, const char *uid, const char *password);

/* The TLS artifact paths below @svc/ in the secret store (new array). */
json_t *fid_tls_secrets(struct h_sim *s, const char *svc);

#endif
