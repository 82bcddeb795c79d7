#ifndef ETLS_MODEL_PLAN_JSON_H
#define ETLS_MODEL_PLAN_JSON_H

#include <jansson.h>

#include "common/err.h"
#include "model/plan.h"

/*
 * The whole of a plan as JSON and back (docs/plan.md, "Saved plans"):
 * every field of every action, its typed parameters in the form of
 * model_action_params_json(), its dependencies as indexes.  The reverse is
 * strict, so that a plan read back is exactly the plan written, or an
 * error.  Pure: no I/O.
 */

/*
 * @p as {"service", "actions": [...]}.  Holds the package options as
 * written (they may hold passwords): never for display; a saved plan file
 * replaces them (controller/saved.c).  New reference, NULL on ENOMEM.
 */
json_t *model_plan_to_json(const struct model_plan *p);

/*
 * Rebuild a plan from the form of model_plan_to_json().  Unknown members,
 * ops, change kinds, key sources or outputs, a missing or mistyped member,
 * an address that is not "<type>.<name>" or is used twice, a dependency
 * that does not point at an earlier action, and a key_from naming no
 * earlier action are ERR_INVALID with @e naming the place
 * ("actions[2].params.uid: ...").
 * @param[out] out the plan (zeroed by the caller; free with
 *             model_plan_clear); untouched on failure
 * @return 0, ERR_INVALID or ERR_NOMEM
 */
int model_plan_from_json(struct model_plan *out, const json_t *j,
                         struct err_info *e);

/* The op named @name (model_op_name()), or 0 when none is. */
enum model_op model_op_parse(const char *name);

#endif
