/*
 * TLS details of a request; see tls.h.
 */
#include "tls.h"

#include <string.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "common/util.h"

bool http_tls_is_openssl(void)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

    return v && v->ssl_version &&
           strncmp(v->ssl_version, "OpenSSL", strlen("OpenSSL")) == 0;
}

bool http_tls_peer_cert(CURL *easy, struct http_cert *cert)
{
    struct curl_tlssessioninfo *ti = NULL;
    struct curl_certinfo *ci = NULL;
    struct curl_slist *sl;
    X509 *x;

    if (curl_easy_getinfo(easy, CURLINFO_TLS_SSL_PTR, &ti) == CURLE_OK &&
        ti && ti->backend == CURLSSLBACKEND_OPENSSL && ti->internals) {
        x = SSL_get0_peer_certificate((SSL *)ti->internals);
        return x && http_cert_from_x509(cert, x) == 0;
    }
    if (curl_easy_getinfo(easy, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci ||
        ci->num_of_certs < 1)
        return false;
    for (sl = ci->certinfo[0]; sl; sl = sl->next)
        if (util_has_prefix(sl->data, "Cert:"))
            return http_cert_from_pem(cert, sl->data + 5) == 0;
    return false;
}
