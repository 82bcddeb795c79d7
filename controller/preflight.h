#ifndef ETLS_CONTROLLER_PREFLIGHT_H
#define ETLS_CONTROLLER_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "common/secret.h"
#include "dcos/result.h"
#include "model/desired.h"
#include "model/observed.h"

/*
 * Preflight (docs/plan.md, "Preflight"): every input a run needs is
 * resolved read-only before planning, so that a plan that cannot be
 * applied fails at plan time (the reconcilers turn what is recorded here
 * into FAIL actions) and apply, which plans first, fails before its first
 * write.  Recorded in struct model_observed: whether the HTTPS check can
 * get its password, and whether the identity etls runs as is a
 * superuser.  The password checks are the very functions the HTTPS check
 * executor uses when it reads the password.
 */
struct dcos_client;

/*
 * Check (and, when @out is not NULL and the result is MODEL_PWC_OK, hand
 * over as a new secret) the verification password of source @src
 * (MODEL_PW_ENV: the environment variable @ref, set and non-empty;
 * MODEL_PW_FILE: @ref a readable regular file of at most
 * MODEL_PASSWORD_MAX bytes, not empty; a trailing newline is dropped).
 * On MODEL_PWC_FILE_UNREADABLE the system's reason goes into @detail
 * (@detail_len bytes).  Other sources: MODEL_PWC_UNCHECKED.  The value is
 * never copied anywhere else and is wiped when not handed over.
 */
enum model_password_check preflight_password_local(
    enum model_password_source src, const char *ref, struct secret **out,
    char *detail, size_t detail_len);

/*
 * The verdict on the answer @r to `GET /secrets/v1/secret/default/<ref>`
 * (dcos_secret_get): OK, SECRET_MISSING (404), SECRET_DENIED (401/403),
 * SECRET_NOT_TEXT, SECRET_EMPTY, or UNCHECKED for any other failure (then
 * r->err says why).
 */
enum model_password_check preflight_password_secret(
    const struct dcos_result *r);

/* The preflight reads in flight. */
struct preflight;

/*
 * Submit the preflight reads of every service of @d into @out (observed
 * already): the verification password of each service whose HTTPS check
 * is on (environment, file, or `GET` of the DC/OS secret; the source
 * health_options needs nothing: the package's defaults always supply
 * one), and, once, whether @uid (the logged-in user; NULL for a token
 * alone: not checked) holds `dcos:superuser` `full` (`GET
 * /acs/api/v1/acls/dcos:superuser/users/<uid>/full`).  Makes no write.
 * @uid, @d and @out must outlive the reads.  Then let the loop run dry
 * (or a deadline) and call preflight_collect.  Returns 0 and sets *@p
 * (new), or ERR_NOMEM before anything was submitted.
 */
int preflight_submit(struct preflight **p, struct dcos_client *client,
                     const char *uid, const struct model_desired *d,
                     struct model_observed *out, struct err_info *e);

/*
 * End @p (freed; @timed_out: reads still out are cancelled) and record
 * the results.  Returns 0, or a negative enum err with @e naming the
 * service and the input when a read failed in a way that says nothing
 * about the input (unreachable, timeout).
 */
int preflight_collect(struct preflight *p, bool timed_out,
                      struct err_info *e);

#endif
