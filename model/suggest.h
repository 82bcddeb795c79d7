#ifndef ETLS_MODEL_SUGGEST_H
#define ETLS_MODEL_SUGGEST_H

#include <jansson.h>

/*
 * "Did you mean" for an unknown option (docs/manifest.md, "Package options
 * schema"), document key, command or command-line flag.  Pure.
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

/*
 * The word of the NULL-terminated @words closest to @key by the same
 * measure (a mistyped command, option or document key), or NULL.
 * @return a member of @words (borrowed), or NULL.
 */
const char *suggest_word(const char *const *words, const char *key);

#endif
