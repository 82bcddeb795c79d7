#ifndef ETLS_MODEL_SYNTAX_H
#define ETLS_MODEL_SYNTAX_H

#include <stddef.h>

#include <jansson.h>

#include "model/doc.h"

/*
 * Diagnostics for a desired-state text that jansson does not decode
 * (docs/manifest.md "Error format").  Both report through @c, at most one
 * diagnostic each; ENOMEM sets c->nomem.
 */

/*
 * Diagnose jansson's error @je at its position, field "(root)", as
 * "invalid JSON: <jansson text>" without the token jansson quotes (it may
 * be part of a password) and with control characters blanked.
 */
void syntax_diag_error(struct doc_ctx *c, const json_error_t *je);

/*
 * Diagnose jansson's "duplicate object key" error @je on the @len bytes of
 * @text: at the repeated key, with its dotted field and the position of the
 * first occurrence.  Indexes the text (partially) for that and leaves c->ix
 * NULL afterwards; falls back to syntax_diag_error() when the key cannot be
 * found.
 */
void syntax_diag_duplicate(struct doc_ctx *c, const char *text, size_t len,
                           const json_error_t *je);

#endif
