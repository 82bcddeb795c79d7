#ifndef ETLS_DCOS_TLS_H
#define ETLS_DCOS_TLS_H

#include <stdbool.h>

#include <curl/curl.h>

#include "dcos/x509.h"

/*
 * The TLS details of a request (dcos/request.c) that depend on libcurl's
 * TLS library: with OpenSSL the peer certificate is read from the live
 * connection's SSL object, instead of CURLOPT_CERTINFO, which has libcurl
 * print every certificate of the chain as text, the public key included,
 * on every handshake.  Another TLS library gets the portable option.
 */

/* Whether libcurl speaks TLS through OpenSSL. */
bool http_tls_is_openssl(void);

/*
 * Fill @cert (zeroed) from the peer certificate of @easy's connection,
 * while the transfer owns it (OpenSSL: CURLINFO_TLS_SSL_PTR; else
 * CURLINFO_CERTINFO, which then must have been asked for).
 * @return true when @cert was filled
 */
bool http_tls_peer_cert(CURL *easy, struct http_cert *cert);

#endif
