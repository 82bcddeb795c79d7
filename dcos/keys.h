#ifndef ETLS_DCOS_KEYS_H
#define ETLS_DCOS_KEYS_H

#include <stddef.h>

#include "common/secret.h"

/*
 * Service-account keys, the create-sa-secret value and the service-login
 * JWT (dcos-api.md sections 2, 5.2 and 6.1).  OpenSSL 3 EVP only; every
 * private key lives in a struct secret and is never written anywhere.
 */

struct http_loop;

/* Length of a fingerprint buffer: 64 lowercase hex digits and a NUL. */
#define DCOS_KEY_FP_LEN 65

/* The login endpoint written into new service-account secrets. */
#define DCOS_SA_LOGIN_ENDPOINT "https://leader.mesos/acs/api/v1/auth/login"

/*
 * Verdict on a service-account secret value.  Same members, same order and
 * same meaning as enum model_secret_verdict (model/observed.h), so the
 * engine can convert with a cast-free switch.
 */
enum dcos_sa_verdict {
    DCOS_SA_OK = 0,
    DCOS_SA_NOT_JSON,     /* not a JSON object */
    DCOS_SA_WRONG_UID,    /* "uid" missing or not the expected account */
    DCOS_SA_WRONG_SCHEME, /* "scheme" is not "RS256" */
    DCOS_SA_BAD_KEY,      /* private_key missing, not unencrypted PKCS#8
                             PEM, or not an RSA key */
    DCOS_SA_BAD_ENDPOINT  /* login_endpoint missing (key usable) */
};

/* Static lower-case description of @v ("ok", "not JSON", ...). */
const char *dcos_sa_verdict_name(enum dcos_sa_verdict v);

/*
 * Generate an RSA-2048 key pair, e = 65537, in memory.  CPU-bound (tens to
 * hundreds of ms): call it off the event loop (dcos_keygen_async).
 * @param[out] priv_pem new PKCS#8 PEM ("BEGIN PRIVATE KEY", unencrypted)
 * @param[out] pub_pem new SPKI PEM ("BEGIN PUBLIC KEY"); free()
 * @return 0, ERR_NOMEM or ERR_INTERNAL
 */
int dcos_key_generate(struct secret **priv_pem, char **pub_pem);

/*
 * Completion of dcos_keygen_async: @status 0 with @priv_pem and @pub_pem
 * (both new: the callback owns them), or a negative err with both NULL.
 */
typedef void (*dcos_keygen_fn)(int status, struct secret *priv_pem,
                               char *pub_pem, void *payload);

/*
 * Generate a key pair on a worker thread of @loop; @done runs on the loop.
 * @return 0 (then @done runs exactly once) or a negative err
 */
int dcos_keygen_async(struct http_loop *loop, dcos_keygen_fn done,
                      void *payload);

/*
 * The SPKI PEM public key of the private key @priv_pem (PKCS#8 PEM).
 * @param[out] pub_pem new string (free)
 * @return 0, ERR_INVALID (not an unencrypted PKCS#8 RSA key) or ERR_NOMEM
 */
int dcos_key_public_from_private(char **pub_pem,
                                 const struct secret *priv_pem);

/*
 * Compare two SPKI PEM public keys by their DER encoding.
 * @return 1 equal, 0 different, ERR_INVALID when either does not parse
 */
int dcos_key_public_equal(const char *a_pem, const char *b_pem);

/*
 * SHA-256 of the DER SubjectPublicKeyInfo of @pub_pem, as lowercase hex.
 * @return 0 or ERR_INVALID
 */
int dcos_key_fingerprint(const char *pub_pem, char out[DCOS_KEY_FP_LEN]);

/*
 * The create-sa-secret value for account @uid:
 *   {"scheme":"RS256","uid":...,"private_key":...,"login_endpoint":...}
 * (a JSON text; dcos_secret_put wraps it as {"value": "<this text>"}).
 * @login_endpoint NULL means DCOS_SA_LOGIN_ENDPOINT.
 * @param[out] value new secret
 * @return 0, ERR_INVALID (empty uid or unusable key) or ERR_NOMEM
 */
int dcos_sa_secret_build(struct secret **value, const char *uid,
                         const struct secret *priv_pem,
                         const char *login_endpoint);

/*
 * Inspect a service-account secret value.  Checks, in this order: JSON
 * object, a usable "private_key" (else BAD_KEY), "uid" equal to
 * @expected_uid (skipped when NULL), "scheme" "RS256", a non-empty
 * "login_endpoint".  The first failing check gives the verdict.  The private
 * key is never returned.
 * @param[out] verdict the verdict
 * @param[out] uid_out the "uid" member when it is a string (new) or NULL;
 *             may be NULL when not wanted
 * @param[out] pub_pem SPKI PEM derived from the private key (new) whenever
 *             the key is usable (every verdict but NOT_JSON and BAD_KEY),
 *             else NULL; may be NULL
 * @return 0 (see @verdict) or ERR_NOMEM
 */
int dcos_sa_secret_inspect(enum dcos_sa_verdict *verdict, char **uid_out,
                           char **pub_pem, const struct secret *value,
                           const char *expected_uid);

/*
 * Service-login token (dcos-api.md 5.2): header {"alg":"RS256","typ":"JWT"},
 * claims {"uid":@uid,"exp":@exp}, RSASSA-PKCS1-v1_5 SHA-256 with @priv_pem.
 * @param[out] jwt new secret
 * @return 0, ERR_INVALID (unusable key) or ERR_NOMEM
 */
/*
 * Rewrite a service-account secret value around the private key it already
 * holds, with @uid, scheme RS256 and @login_endpoint (NULL: the default):
 * repairs a wrong uid, scheme or endpoint without rotating the key.  The
 * key never leaves wiped memory.
 * @param[out] value new secret
 * @return 0, ERR_INVALID (not JSON, no private_key, unusable key) or
 *         ERR_NOMEM
 */
int dcos_sa_secret_rewrite(struct secret **value, const struct secret *old,
                           const char *uid, const char *login_endpoint);

int dcos_jwt_rs256(struct secret **jwt, const char *uid,
                   const struct secret *priv_pem, long exp);

#endif
