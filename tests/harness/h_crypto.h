#ifndef ETLS_TESTS_HARNESS_H_CRYPTO_H
#define ETLS_TESTS_HARNESS_H_CRYPTO_H

#include <stddef.h>

#include <openssl/evp.h>

#include "harness/harness.h"

/*
 * Keys, service-account secrets and JWTs for the tests, made the way a
 * person or a DC/OS client makes them, with OpenSSL alone (nothing of the
 * code under test: base64url included), so that a bug in etls or dcos-sim
 * cannot cancel itself out in a test.  Every function fails the running
 * test (cmocka fail_msg) on an internal error.  Strings are new (free with
 * free()); a caller that cares wipes a private key with OPENSSL_cleanse
 * before freeing it.
 */

/* The login endpoint every create-sa-secret value names. */
#define H_LOGIN_ENDPOINT "https://leader.mesos/acs/api/v1/auth/login"

/* A new RSA-2048 key pair (free with EVP_PKEY_free). */
EVP_PKEY *h_rsa_new(void);

/* A new P-256 EC key pair (free with EVP_PKEY_free). */
EVP_PKEY *h_ec_new(void);

/* PKCS#8 private key PEM ("BEGIN PRIVATE KEY") of @k (new). */
char *h_priv_pem(EVP_PKEY *k);

/* Traditional PKCS#1 private key PEM ("BEGIN RSA PRIVATE KEY") of the RSA
 * key @k (new). */
char *h_priv_pem_pkcs1(EVP_PKEY *k);

/* SPKI public key PEM ("BEGIN PUBLIC KEY") of @k (new). */
char *h_pub_pem(EVP_PKEY *k);

/* PKCS#1 public key PEM ("BEGIN RSA PUBLIC KEY") of the RSA key @k
 * (new). */
char *h_pub_pem_pkcs1(EVP_PKEY *k);

/* SPKI PEM of the public half of the private key PEM @priv (new), or NULL
 * when @priv is not a usable private key. */
char *h_pub_of_priv(const char *priv);

/*
 * The create-sa-secret value: the compact JSON text {"scheme": @scheme,
 * "uid": @uid, "private_key": @priv, "login_endpoint": H_LOGIN_ENDPOINT}
 * (new).
 */
char *h_sa_secret_value(const char *uid, const char *scheme,
                        const char *priv);

/* The create-sa-secret value of @uid with scheme RS256 and @k's PKCS#8
 * private key (new). */
char *h_sa_secret_of(const char *uid, EVP_PKEY *k);

/* base64url without padding (RFC 4648 section 5) of @n bytes at @p
 * (new). */
char *h_b64url(const void *p, size_t n);

/*
 * A JWT: base64url(@header) "." base64url(@claims) "." base64url(RS256
 * signature with @k over the first two parts) (new).
 */
char *h_jwt(EVP_PKEY *k, const char *header, const char *claims);

/* A service-login JWT {"alg":"RS256","typ":"JWT"} {"uid": @uid, "exp":
 * now + @ttl} signed with @k (new). */
char *h_service_jwt(EVP_PKEY *k, const char *uid, long ttl);

/* Log in as service account @uid with a 300 s service-login JWT signed
 * with @k; the DC/OS token (new), or NULL unless the answer was 200 with
 * a token. */
char *h_login_service(struct h_sim *s, const char *uid, EVP_PKEY *k);

/* PUT /acs/api/v1/users/@uid: service account @uid with @k's public key
 * and @description, as the bootstrap user (asserts 201). */
void h_account_put(struct h_sim *s, const char *uid, EVP_PKEY *k,
                   const char *description);

/*
 * Steps 2 to 4 of the runbook, by hand: service account @uid with @k's
 * public key, its create-sa-secret (RS256, @k) stored as secret @path, and
 * @uid in group superusers.
 */
void h_account_full(struct h_sim *s, const char *uid, const char *path,
                    EVP_PKEY *k);

#endif
