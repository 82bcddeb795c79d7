#ifndef ETLS_CONTROLLER_SAVED_H
#define ETLS_CONTROLLER_SAVED_H

#include <stddef.h>

#include <jansson.h>

#include "common/err.h"
#include "controller/fingerprint.h"
#include "controller/load.h"
#include "model/plan.h"

/*
 * Saved plans (docs/plan.md, "Saved plans"): the file `etls plan -out
 * FILE` writes and `etls apply FILE` applies.  It holds the plans with
 * their typed parameters, the identity of the desired documents (path and
 * SHA-256 of each), the cluster URL and the fingerprint of the observed
 * state (controller/fingerprint.h), and no secret: the package options,
 * which may hold passwords, are stored only as their SHA-256; apply takes
 * them from the documents, verified by their SHA-256, through the plan it
 * makes again (saved_restore).
 */

#define SAVED_FORMAT "etls-plan"
#define SAVED_FORMAT_VERSION 1

/* Everything a saved plan file holds. */
struct saved {
    char *etls_version;
    char *cluster;          /* the cluster URL */
    char *desired_path;     /* `-f PATH`, absolute */
    struct load_docs docs;  /* each document read, with its SHA-256 */
    char fingerprint[FINGERPRINT_LEN]; /* of the observed state */
    json_t *services;       /* {"<service>": "sha256:..."} */
    json_t *plans;          /* the plans in their saved form */
};

/*
 * The saved form of @n @plans: model_plan_to_json() of each, with the
 * `options` of package_install and package_update parameters replaced by
 * `options_sha256`.  New reference, NULL on ENOMEM.
 */
json_t *saved_plans_json(const struct model_plan *plans, size_t n);

/*
 * Write @s (plans in their saved form) to @file: atomically (a temporary
 * file in the same directory, then rename) with mode 0600.
 * @return 0, ERR_NOMEM or ERR_INVALID (cannot write; @e says so)
 */
int saved_write(const char *file, const struct saved *s,
                struct err_info *e);

/*
 * Read and check the saved plan @file into @out (zeroed by the caller; free
 * with saved_clear, also on failure).
 * @return 0, ERR_NOTFOUND, ERR_INVALID (not a saved plan of this format;
 *         @e says why) or ERR_NOMEM
 */
int saved_read(struct saved *out, const char *file, struct err_info *e);

/* Free what @s holds and zero it. */
void saved_clear(struct saved *s);

/*
 * Are the documents read now (@now) those the plan was made from?
 * @return 0, or ERR_CONFLICT with @e naming the first difference
 *         ("/x/elastic.json changed", "... is new", "... is gone")
 */
int saved_check_docs(const struct saved *s, const struct load_docs *now,
                     struct err_info *e);

/*
 * Is the observed state the plan was made from still the same: the
 * fingerprint @fp and the per-service fingerprints @services computed now
 * (fingerprint_run)?
 * @return 0, or ERR_CONFLICT with @e naming the services that changed
 *         (or the cluster CA)
 */
int saved_check_observed(const struct saved *s, const char *fp,
                         const json_t *services, struct err_info *e);

/*
 * The saved plans, exactly, ready to apply.  @now are the @n plans made
 * again from the same documents and observed state: they must equal the
 * saved ones in their saved form, and their package options (whose
 * SHA-256 is saved) complete the saved parameters.
 * @param[out] out a new array of @n plans (free each with
 *             model_plan_clear, then the array)
 * @return 0, ERR_CONFLICT (the plans differ), ERR_INVALID (a saved plan
 *         does not read back) or ERR_NOMEM
 */
int saved_restore(struct model_plan **out, const struct saved *s,
                  const struct model_plan *now, size_t n,
                  struct err_info *e);

#endif
