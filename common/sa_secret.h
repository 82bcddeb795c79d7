#ifndef ETLS_COMMON_SA_SECRET_H
#define ETLS_COMMON_SA_SECRET_H

#include "common/secret.h"

/*
 * The service-account secret value that `dcos security secrets
 * create-sa-secret` writes and the Elastic SDK reads (dcos-api.md 6.1):
 *   {"scheme":"RS256","uid":...,"private_key":...,"login_endpoint":...}
 * Built, rewritten and inspected in wiped memory only (common/jsonscan.h,
 * never jansson); the private key is never returned.  Pure, no I/O.
 */

/* The one login endpoint written into new service-account secrets. */
#define SA_LOGIN_ENDPOINT "https://leader.mesos/acs/api/v1/auth/login"

/* The only signature scheme of service-account secrets. */
#define SA_SCHEME "RS256"

/*
 * Verdict on a service-account secret value (also the model's: see
 * model_observed.secret_verdict).
 */
enum sa_verdict {
    SA_OK = 0,
    SA_NOT_JSON,     /* not a JSON object */
    SA_WRONG_UID,    /* "uid" missing or not the expected account */
    SA_WRONG_SCHEME, /* "scheme" is not "RS256" */
    SA_BAD_KEY,      /* private_key missing, not unencrypted PKCS#8 PEM,
                        or not an RSA key */
    SA_BAD_ENDPOINT  /* login_endpoint missing (key usable) */
};

/* Static lower-case description of @v ("ok", "wrong uid", ...). */
const char *sa_verdict_name(enum sa_verdict v);

/*
 * The secret value for account @uid with the private key @priv_pem
 * (PKCS#8 PEM; a JSON text: dcos_secret_put wraps it as
 * {"value": "<this text>"}).  @login_endpoint NULL means SA_LOGIN_ENDPOINT.
 * @param[out] value new secret
 * @return 0, ERR_INVALID (empty uid or unusable key) or ERR_NOMEM
 */
int sa_secret_build(struct secret **value, const char *uid,
                    const struct secret *priv_pem,
                    const char *login_endpoint);

/*
 * Rewrite a secret value around the private key it already holds, with
 * @uid, scheme RS256 and @login_endpoint (NULL: SA_LOGIN_ENDPOINT):
 * repairs a wrong uid, scheme or endpoint without rotating the key.  The
 * key never leaves wiped memory.
 * @param[out] value new secret
 * @return 0, ERR_INVALID (not JSON, no private_key, unusable key) or
 *         ERR_NOMEM
 */
int sa_secret_rewrite(struct secret **value, const struct secret *old,
                      const char *uid, const char *login_endpoint);

/*
 * Inspect a secret value.  Checks, in this order: JSON object, a usable
 * "private_key" (else SA_BAD_KEY), "uid" equal to @expected_uid (skipped
 * when NULL), "scheme" "RS256", a non-empty "login_endpoint".  The first
 * failing check gives the verdict.
 * @param[out] verdict the verdict
 * @param[out] uid_out the "uid" member when it is a string (new) or NULL;
 *             may be NULL when not wanted
 * @param[out] pub_pem SPKI PEM derived from the private key (new) whenever
 *             the key is usable (every verdict but SA_NOT_JSON and
 *             SA_BAD_KEY), else NULL; may be NULL
 * @return 0 (see @verdict), ERR_NOMEM, or ERR_INVALID when a member other
 *         than "uid" appears twice
 */
int sa_secret_inspect(enum sa_verdict *verdict, char **uid_out,
                      char **pub_pem, const struct secret *value,
                      const char *expected_uid);

#endif
