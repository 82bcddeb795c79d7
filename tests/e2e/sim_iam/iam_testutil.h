#ifndef ETLS_TESTS_E2E_SIM_IAM_TESTUTIL_H
#define ETLS_TESTS_E2E_SIM_IAM_TESTUTIL_H

#include <openssl/evp.h>

#include <jansson.h>

#include "harness/harness.h"

/*
 * Helpers shared by the IAM and secrets end-to-end tests: RSA keys, signed
 * service-login JWTs, JSON building and response-shape comparison.  Every
 * helper fails the running test (cmocka fail_msg) on an internal error.
 */

/* A new RSA-2048 key (free with EVP_PKEY_free). */
EVP_PKEY *t_rsa_new(void);

/* A new P-256 EC key (free with EVP_PKEY_free). */
EVP_PKEY *t_ec_new(void);

/* SPKI PEM ("BEGIN PUBLIC KEY") of @k (new string). */
char *t_pubkey_pem(EVP_PKEY *k);

/* PKCS#1 PEM ("BEGIN RSA PUBLIC KEY") of RSA key @k (new string). */
char *t_pubkey_pkcs1_pem(EVP_PKEY *k);

/*
 * A JWT: base64url(@header) "." base64url(@claims) "." base64url(RS256
 * signature with @k over the first two parts).  New string.
 */
char *t_jwt(EVP_PKEY *k, const char *header, const char *claims);

/* A well-formed service-login JWT for @uid expiring in @ttl seconds. */
char *t_service_jwt(EVP_PKEY *k, const char *uid, long ttl);

/* Log in as service account @uid with key @k; returns the DC/OS token
 * (new) or NULL when the answer was not 200. */
char *t_login_service(struct h_sim *s, const char *uid, EVP_PKEY *k);

/* The JSON text of json_pack(@fmt, ...) (new string). */
char *t_json(const char *fmt, ...);

/* Create service account @uid with the public key of @k (asserts 201). */
void t_create_service(struct h_sim *s, const char *uid, EVP_PKEY *k);

/* Create regular user @uid with password @pw (asserts 201). */
void t_create_user(struct h_sim *s, const char *uid, const char *pw);

/* 1 when objects @a and @b have exactly the same key sets. */
int t_same_keys(json_t *a, json_t *b);

/* 1 when every key of object @sub is a key of object @super. */
int t_keys_subset(json_t *sub, json_t *super);

/* Load an upstream fixture as JSON (new reference). */
json_t *t_fixture_json(const char *relpath);

/* 1 when the raw response headers of @r contain @needle (case-sensitive
 * substring of one header line). */
int t_has_header(const struct h_resp *r, const char *needle);

/* The "code" member of an IAM error body ("" when absent). */
const char *t_code(const struct h_resp *r);

/* The "description" member of an IAM error body ("" when absent). */
const char *t_desc(const struct h_resp *r);


#endif
