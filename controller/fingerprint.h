#ifndef ETLS_CONTROLLER_FINGERPRINT_H
#define ETLS_CONTROLLER_FINGERPRINT_H

#include <stddef.h>

#include <jansson.h>

#include "model/desired.h"
#include "model/observed.h"

/*
 * Fingerprints of what observation saw, for saved plans (docs/cli.md,
 * "Saved plans"): SHA-256 over a canonical serialisation (keys sorted,
 * compact) of every field of struct model_observed, the desired service's
 * name and the cluster CA.  The reconcilers are pure functions of the
 * desired state and that observation, so the same documents and the same
 * fingerprint give the same plan.
 */

/* "sha256:" + 64 lowercase hex digits + NUL. */
#define FINGERPRINT_LEN 72

/*
 * "sha256:<hex>" of @len bytes at @data.
 * @param[out] out the digest (NUL-terminated)
 * @return 0 or ERR_INTERNAL
 */
int fingerprint_sha256(char out[FINGERPRINT_LEN], const void *data,
                       size_t len);

/*
 * "sha256:<hex>" of the canonical text (keys sorted, compact, any value)
 * of @j.
 * @return 0, ERR_NOMEM or ERR_INTERNAL
 */
int fingerprint_json(char out[FINGERPRINT_LEN], const json_t *j);

/*
 * Every field of @o, observed for the desired service @d (its group and
 * permission flags have one entry per desired group and permission), as
 * JSON.  New reference, NULL on ENOMEM.
 */
json_t *fingerprint_observed_json(const struct model_service *d,
                                  const struct model_observed *o);

/*
 * The fingerprint of one run: of each service of @d (observations @obs, in
 * the same order) and of the cluster CA @ca_pem (may be NULL).  *@per_out
 * (new) is {"<service>": "sha256:..."}; @out covers them all and the CA.
 * @return 0, ERR_NOMEM or ERR_INTERNAL
 */
int fingerprint_run(char out[FINGERPRINT_LEN], json_t **per_out,
                    const struct model_desired *d,
                    const struct model_observed *obs, const char *ca_pem);

#endif
