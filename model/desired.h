#ifndef ETLS_MODEL_DESIRED_H
#define ETLS_MODEL_DESIRED_H

#include <stddef.h>

#include "common/err.h"
#include "model/service.h"

/*
 * Desired state of one Elastic service, parsed and validated from a
 * desired-state document (docs/manifest.md).  Pure: no I/O happens here; the
 * caller reads files and hands the text in.
 */

/*
 * Parse and validate one document (either form, docs/manifest.md).  @text is
 * the file content (@len bytes, at most 1 MiB, need not be NUL-terminated);
 * @file is the name used in diagnostics.  On success returns 0 and sets
 * *@out (new, free with model_service_free).  On invalid input returns
 * ERR_INVALID, leaves *@out untouched and appends every problem found (at
 * most 100, sorted by position) to @diags; ERR_NOMEM likewise.  The package
 * options are also checked against the vendored options schema of the
 * pinned (or newest) package version (model/options_schema.h); warnings
 * (transport encryption off, a version that is not vendored) go to
 * (*@out)->warnings.
 */
int model_service_parse(struct model_service **out, const char *text,
                        size_t len, const char *file,
                        struct model_diags *diags);

/*
 * model_service_parse() of a text converted from another format (YAML,
 * model/yaml.h): every position is moved through @map (jsonpos_remap) as
 * soon as the text is indexed, so diagnostics, messages and the kept
 * index name the original text's line:col.  @map NULL: none.
 */
struct jsonpos_loc;
int model_service_parse_mapped(struct model_service **out, const char *text,
                               size_t len, const char *file,
                               struct model_diags *diags,
                               const struct jsonpos_loc *map, size_t n_map);

/* Free a service; accepts NULL. */
void model_service_free(struct model_service *svc);

/*
 * Take ownership of @svc into @d (steals @svc: on failure it is freed).
 * Fails with ERR_CONFLICT (and one diag on @svc's file per conflict, naming
 * the other document's file:line:col) when a service of @d has the same
 * name, service account or service account secret path (model/crossdoc.h);
 * ERR_NOMEM.
 */
int model_desired_add(struct model_desired *d, struct model_service *svc,
                      struct model_diags *diags);

/* Free everything held by @d (not @d itself). */
void model_desired_clear(struct model_desired *d);

/* Format "file:line:col: field: message" into @out (new string). */
char *model_diag_format(const struct model_diag *dg);

/*
 * Format a warning of model_service.warnings: "file:line:col: warning:
 * field: message", or "file: warning: message" when it has no position
 * and no field.  New string, NULL on ENOMEM.
 */
char *model_warning_format(const struct model_diag *w);

/* Free every diag (not @d itself). */
void model_diags_clear(struct model_diags *d);

/*
 * The least-privilege permission set for transport encryption of service
 * @name (elastic-sdk.md section 7).  Returns a new array of @n_out entries;
 * free each rid/action and the array.
 */
int model_tls_permissions(struct model_permission **out, size_t *n_out,
                          const char *name);

#endif
