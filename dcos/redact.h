#ifndef ETLS_DCOS_REDACT_H
#define ETLS_DCOS_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/secret.h"

/*
 * Redaction of what a server sends back before any of it reaches a
 * message or the trace.  A hostile or broken server (or a proxy) may echo
 * the request: the login body (password, service-login JWT) or its
 * headers (the token).  Two defences:
 *
 * - known secrets: any 8-byte run (the whole secret when shorter, from 4
 *   bytes) of a secret the client holds (password, token, private key)
 *   found in the text withholds the whole text;
 * - shapes: a PEM "-----BEGIN", a JWT-like run ("eyJ" then 13 or more
 *   base64url or '.' characters), or a value after a credential word and
 *   ':' or '=' ("token=...", "\"password\":\"...\"", "Authorization: ...";
 *   the words are authorization, bearer, cookie, password, passwd,
 *   secret, token, private_key, private key).
 */

/* Text that replaces a withheld server message. */
#define DCOS_REDACT_WITHHELD                                                  \
    "(server message withheld: it repeats a credential)"

/*
 * 1 when @p (@n bytes) holds one of the shapes above, or a run of one of
 * the @n_known secrets @known (entries may be NULL).
 */
bool dcos_redact_found(const char *p, size_t n,
                       const struct secret *const *known, size_t n_known);

/*
 * Make the NUL-terminated one-line @text (capacity @cap) safe to print:
 * withheld entirely (DCOS_REDACT_WITHHELD) when it holds a known secret
 * or a PEM block, else every JWT-like run and every value after a
 * credential word replaced by "<redacted>" (cut to @cap).
 */
void dcos_redact_text(char *text, size_t cap,
                      const struct secret *const *known, size_t n_known);

/*
 * 1 when the token @t can go into an HTTP header: not empty, and no
 * control character (a CR or LF would end the header and inject others)
 * and no space.
 */
bool dcos_token_header_safe(const struct secret *t);

#endif
