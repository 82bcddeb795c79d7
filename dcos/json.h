#ifndef ETLS_DCOS_JSON_H
#define ETLS_DCOS_JSON_H

#include <stddef.h>

#include <jansson.h>

/*
 * Response bodies as jansson values.  Secret-bearing JSON (login bodies and
 * answers, secret values, the create-sa-secret document) never goes through
 * jansson, whose freed memory is not wiped: it is written and read with
 * common/jsonscan.h into wiped buffers.
 */

/*
 * Parse @len bytes of @data as one JSON value (duplicate keys rejected).
 * Returns a new reference or NULL when @data is not JSON.  Never use it for
 * a body that holds a secret.
 */
json_t *dcos_json_parse(const char *data, size_t len);

/*
 * One member an answer's reader needs (dcos_json_parse_projected): @key,
 * and either nothing below it (@members NULL: the whole value is kept) or,
 * when the value is an object, only its members listed in @members.
 */
struct dcos_json_keep {
    const char *key;
    const struct dcos_json_keep *members;
    size_t n_members;
};

/*
 * Parse @len bytes of @data, a JSON object, keeping only the members
 * @keep (@n of them) names, nested as they say.  The whole text is still
 * checked (valid JSON, nesting at most 64 deep, nothing after the value)
 * but only the kept values are built: a /cosmos/service/describe answer is
 * ~75 KB, almost all of it the package definition no reader looks at.  A
 * kept key that appears twice in one object is refused, as
 * dcos_json_parse refuses any duplicate.  Kept values are copied verbatim,
 * so numbers keep their spelling.
 * @return a new reference, or NULL when @data is not such a JSON object
 */
json_t *dcos_json_parse_projected(const char *data, size_t len,
                                  const struct dcos_json_keep *keep,
                                  size_t n);

#endif
