#ifndef ETLS_COMMON_JSONSCHEMA_H
#define ETLS_COMMON_JSONSCHEMA_H

#include <jansson.h>

/*
 * The JSON Schema (draft-04) subset that DC/OS package option schemas use,
 * validated the way Cosmos validates them: with the error objects, messages
 * and traversal order of java-json-tools json-schema-validator 2.2 (what
 * Cosmos calls); Cosmos's rules for defaults and merging are in
 * common/jsonschema_defaults.h.  Pure: no I/O, no global state.  dcos-sim
 * validates with it as Cosmos; etls checks package options with it
 * (model/options_schema.h).  See docs/sim.md.
 *
 * Keywords: type (string or array), properties, additionalProperties
 * (boolean or schema), required, enum, minimum, maximum, exclusiveMinimum,
 * exclusiveMaximum, minLength, maxLength, pattern (POSIX extended regex,
 * unanchored search), items (schema or array of schemas).  Every other
 * keyword (default, description, media, ...) is ignored, as validators do.
 */

/* Deepest schema nesting followed (the package schemas use 5). */
#define JSONSCHEMA_MAX_DEPTH 64

/* Flags of jsonschema_validate(). */
enum jsonschema_flags {
    /*
     * Keep descending into children after the first failure.  Without it,
     * as in json-schema-validator's default (no "deep check"), once any
     * error has been reported no further child is entered: nodes still
     * being iterated get their own keywords checked, but not their children.
     */
    JSONSCHEMA_DEEP = 1
};

/*
 * Validate @instance against @schema (both borrowed) and append one error
 * object per failure to @errors (a JSON array, borrowed), each shaped like
 *   {"level":"error","schema":{"loadingURI":"#","pointer":"/properties/x"},
 *    "instance":{"pointer":"/x"},"domain":"validation","keyword":"type",
 *    "message":"...", <keyword arguments such as "found","expected">}
 * Numbers with an integral value count as integers (Cosmos converts them).
 *
 * @return 0 when valid, 1 when errors were appended, ERR_INVALID when the
 * schema itself is unusable (e.g. a pattern that does not compile), or
 * ERR_NOMEM.
 */
int jsonschema_validate(const json_t *schema, const json_t *instance,
                        json_t *errors, unsigned flags);

#endif
