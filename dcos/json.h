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

#endif
