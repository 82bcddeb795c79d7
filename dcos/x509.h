#ifndef ETLS_DCOS_X509_H
#define ETLS_DCOS_X509_H

#include <stddef.h>

#include <openssl/x509.h>

/*
 * The peer certificate of a TLS transfer as plain strings: what the HTTPS
 * checks of the engine compare (subject, issuer, expiry, SANs).  OpenSSL 3;
 * pure, no I/O.
 */

/* The peer certificate of a TLS transfer (leaf only). */
struct http_cert {
    char *subject;   /* RFC 2253 one-line form, e.g. "CN=a,O=b" */
    char *issuer;
    char *not_after; /* "YYYY-MM-DDTHH:MM:SSZ" */
    char **sans;     /* "DNS:name" or "IP:addr" */
    size_t n_sans;
};

/*
 * Fill @cert (zeroed by the caller) from @x.  On failure @cert is left
 * cleared.
 * @return 0, ERR_INVALID (a field cannot be read) or ERR_NOMEM
 */
int http_cert_from_x509(struct http_cert *cert, const X509 *x);

/*
 * Fill @cert (zeroed by the caller) from the first certificate of the PEM
 * text @pem.  On failure @cert is left cleared.
 * @return 0, ERR_INVALID (no parsable certificate) or ERR_NOMEM
 */
int http_cert_from_pem(struct http_cert *cert, const char *pem);

/* Free the members of @cert (not @cert itself) and zero it; accepts NULL. */
void http_cert_clear(struct http_cert *cert);

#endif
