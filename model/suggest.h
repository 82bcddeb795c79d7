#ifndef ETLS_MODEL_SUGGEST_H
#define ETLS_MODEL_SUGGEST_H

#include <jansson.h>

/*
 * "Did you mean" for an unknown option (docs/manifest.md, "Package options
 * schema").  Pure.
 */

/*
 * The member of @props (a schema's `properties`, borrowed) closest to the
 * unknown @key, when it is close enough: a Damerau-Levenshtein distance
 * (optimal string alignment, ASCII case ignored) of at most 2, or of a
 * third of the key's length for long keys, and of 1 for keys of 3
 * characters or fewer; the first of the closest in @props's order.
 * Members @siblings (the object holding @key, may be NULL) already has are
 * not suggested, nor keys longer than 64 bytes.
 *
 * @return the member name (borrowed from @props), or NULL.
 */
const char *suggest_member(const json_t *props, const json_t *siblings,
                           const char *key);

#endif
