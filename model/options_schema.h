#ifndef ETLS_MODEL_OPTIONS_SCHEMA_H
#define ETLS_MODEL_OPTIONS_SCHEMA_H

#include <jansson.h>

#include "model/service.h"

/*
 * Package options against a package's options schema (docs/manifest.md,
 * "Package options schema"): the schema's own rules, checked as Cosmos
 * checks them (common/jsonschema.h on the options merged over the schema's
 * defaults), plus etls's rule that a member missing from its object's
 * `properties` is an error ("unknown option", with a "did you mean"
 * suggestion) even where the schema admits additional properties.  Every
 * problem is a diagnostic at file:line:col of the offending key or value.
 * Pure: no I/O.
 *
 * `etls validate` (model_service_parse) checks against the vendored
 * schemas of model/catalog.h; `etls plan` checks against the schema Cosmos
 * returns for the version that will run (model_options_check).
 */

struct doc_ctx;

/*
 * Check @options (the package options, borrowed) against @schema
 * (borrowed), diagnosing in @c, whose path is at the options object.
 * @what names the schema in messages ("beta-elastic 2.1.2-5.6.5-beta").
 * A problem already diagnosed at the same place and field is not repeated.
 */
void options_schema_check(struct doc_ctx *c, const json_t *options,
                          const json_t *schema, const char *what);

/*
 * The validate-time check of @svc (parsed from the document of @c, path
 * at the root): against the vendored schema of its pinned version, or of
 * the newest vendored version when not pinned.  A version (or package)
 * that is not vendored is not checked: a warning on @svc says so, and the
 * plan-time check covers it.
 */
void options_schema_check_vendored(struct doc_ctx *c,
                                   struct model_service *svc);

/*
 * Check the package options of @svc against @schema (borrowed; the
 * schema of @what, e.g. the `config` of `POST /package/describe`),
 * positioned with the document's index (svc->pos).  Appends one diag per
 * problem to @out (sorted by position).
 *
 * @return the number of problems (0: the options are valid), or
 * ERR_NOMEM.
 */
int model_options_check(struct model_diags *out,
                        const struct model_service *svc,
                        const json_t *schema, const char *what);

#endif
