#ifndef ETLS_MODEL_ENVELOPE_H
#define ETLS_MODEL_ENVELOPE_H

#include <jansson.h>

#include "model/doc.h"
#include "model/service.h"

/*
 * The sections of an etls/v1 envelope besides its package options
 * (docs/manifest.md "The envelope form").  Each parser validates the
 * section object given (borrowed) at the current path of @c plus the
 * section's key, reports every problem through @c and fills what the
 * section says into @svc.  The envelope's top level (apiVersion, kind,
 * package, options) is parsed by desired.c.
 */

/* Add group @g (copied) to @svc's groups.  0, or ERR_NOMEM (c->nomem set). */
int envelope_group_add(struct doc_ctx *c, struct model_service *svc,
                       const char *g);

/*
 * The `access` object: either `groups` (gids, no duplicates) or
 * `permissions` (an array of {rid, action}, no duplicates, or the string
 * "transport-encryption", which sets *@builtin to 1 for the caller to
 * expand).  Sets *@explicit_access to 1 when either is given; that needs a
 * service account, so svc->account must have been parsed before.
 */
void envelope_access_parse(struct doc_ctx *c, json_t *access,
                           struct model_service *svc, int *builtin,
                           int *explicit_access);

/*
 * The `verify` object: enabled, endpoint, user, health and the password
 * reference ({env}, {file} or {secret}, never inline, never shown).
 */
void envelope_verify_parse(struct doc_ctx *c, json_t *verify,
                           struct model_service *svc);

/* The `policies` object: keyLost and restoreUpdateStrategy. */
void envelope_policies_parse(struct doc_ctx *c, json_t *pol,
                             struct model_service *svc);

#endif
