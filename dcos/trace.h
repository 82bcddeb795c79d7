#ifndef ETLS_DCOS_TRACE_H
#define ETLS_DCOS_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <curl/curl.h>

/*
 * The redacting HTTP trace written for http_loop_set_trace: what libcurl
 * hands its debug callback, with the values of Authorization,
 * Proxy-Authorization, Cookie and Set-Cookie headers replaced by
 * "<redacted>", informational text that mentions a credential dropped, and
 * bodies cut at 2 KiB, or not written at all for a sensitive request.
 * Control characters are escaped, so every event stays on its lines.
 */

/*
 * Write one libcurl debug event (@type, @size bytes at @data) to @out.
 * @sensitive: the request carries secrets in its bodies (only their sizes
 * are written).
 */
void http_trace_write(FILE *out, bool sensitive, curl_infotype type,
                      const char *data, size_t size);

#endif
