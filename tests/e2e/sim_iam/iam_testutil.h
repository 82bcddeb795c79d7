#ifndef ETLS_TESTS_E2E_SIM_IAM_TESTUTIL_H
#define ETLS_TESTS_E2E_SIM_IAM_TESTUTIL_H

#include <jansson.h>

#include "harness/h_cluster.h"
#include "harness/h_crypto.h"
#include "harness/h_json.h"
#include "harness/harness.h"

/*
 * Helpers of the IAM and secrets end-to-end tests beyond the shared ones
 * (harness/h_*.h: keys, JWTs, JSON, response shapes): accounts, headers
 * and IAM error bodies.  Every helper fails the running test (cmocka
 * fail_msg) on an internal error.
 */

/* Fail the test, naming the caller's line, unless response @r has HTTP
 * status @st. */
#define ASSERT_STATUS(r, st)                                                  \
    do {                                                                      \
        if ((r).status != (st))                                               \
            fail_msg("%s:%d: HTTP %ld, want %d: %s", __FILE__, __LINE__,      \
                     (r).status, (st), (r).body ? (r).body : "");             \
    } while (0)

/* Create service account @uid with the public key of @k (asserts 201). */
void t_create_service(struct h_sim *s, const char *uid, EVP_PKEY *k);

/* Create regular user @uid with password @pw (asserts 201). */
void t_create_user(struct h_sim *s, const char *uid, const char *pw);

/* 1 when the raw response headers of @r contain @needle (case-sensitive
 * substring of one header line). */
int t_has_header(const struct h_resp *r, const char *needle);

/* The "code" member of an IAM error body ("" when absent). */
const char *t_code(const struct h_resp *r);

/* The "description" member of an IAM error body ("" when absent). */
const char *t_desc(const struct h_resp *r);

#endif
