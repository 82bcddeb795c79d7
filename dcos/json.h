#ifndef ETLS_DCOS_JSON_H
#define ETLS_DCOS_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/secret.h"

/*
 * JSON helpers of the DC/OS client.  Secret-bearing JSON (login bodies and
 * answers, secret values, the create-sa-secret document) never goes through
 * jansson, whose freed memory is not wiped: bodies are written with
 * dcos_json_put_string into wipeable buffers and members are read with
 * dcos_json_secret_member, a strict scanner that decodes one string member
 * straight into a struct secret.
 */

/*
 * Append @s (@len bytes, UTF-8) to @b as a quoted JSON string, escaping
 * '"', '\\' and control characters.  Returns 0, ERR_NOMEM or ERR_INVALID
 * (over the buffer's cap).
 */
int dcos_json_put_string(struct buf *b, const char *s, size_t len);

/*
 * Read the top-level member @key of the JSON object in @text (@len bytes).
 * The whole text must be valid JSON (RFC 8259; nesting up to 64 levels)
 * whose top level is an object, and @key must not appear twice.
 * @param[out] out the decoded string value (new secret)
 * @return 0; ERR_NOTFOUND when @key is absent or its value is not a
 *         string; ERR_INVALID when @text is not such an object; ERR_NOMEM
 */
int dcos_json_secret_member(struct secret **out, const char *text,
                            size_t len, const char *key);

/*
 * Parse @len bytes of @data as one JSON value (duplicate keys rejected).
 * Returns a new reference or NULL when @data is not JSON.  Never use it for
 * a body that holds a secret.
 */
json_t *dcos_json_parse(const char *data, size_t len);

#endif
