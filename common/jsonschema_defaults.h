#ifndef ETLS_COMMON_JSONSCHEMA_DEFAULTS_H
#define ETLS_COMMON_JSONSCHEMA_DEFAULTS_H

#include <jansson.h>

/*
 * Package options as Cosmos builds them (common/jsonschema_defaults.c): the
 * defaults of an options schema, and the merge of user options over them.
 * Pure: no I/O, no global state.  See docs/sim.md.
 */

/*
 * The default options document of @schema (borrowed), built as Cosmos's
 * JsonSchema.extractDefaultsFromSchema does: for every member of
 * "properties" that is an object, its "default" when present, else (when it
 * has "properties") the defaults of that sub-schema, recursively.
 *
 * @return a new object (empty when the schema has no properties), or NULL
 * on ENOMEM.
 */
json_t *jsonschema_defaults(const json_t *schema);

/*
 * Deep merge as circe's Json.deepMerge: a copy of @base (borrowed) where
 * every member of @over (borrowed) replaces the member of the same name,
 * except that two objects are merged recursively.  Member order: @base's,
 * then new members of @over.  Either argument may be NULL (= empty object).
 *
 * @return a new object, or NULL on ENOMEM or when an argument is not an
 * object.
 */
json_t *jsonschema_merge(const json_t *base, const json_t *over);

#endif
