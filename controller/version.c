/* etls version (version.h). */
#include "controller/version.h"

#include <curl/curl.h>
#include <ev.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <yaml.h>

#include "version_git.h" /* generated: cmake/GitCommit.cmake */

#ifndef ETLS_VERSION
#define ETLS_VERSION "0.0.0"
#endif

int version_print(FILE *f)
{
    const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);

    fprintf(f, "etls %s\n", ETLS_VERSION);
    fprintf(f, "commit:       %s\n", ETLS_GIT_COMMIT);
    fprintf(f, "libcurl:      %s (%s)\n", cv->version,
            cv->ssl_version ? cv->ssl_version : "no TLS");
    fprintf(f, "OpenSSL:      %s\n", OpenSSL_version(OPENSSL_VERSION));
    fprintf(f, "jansson:      %s\n", jansson_version_str());
    fprintf(f, "libev:        %d.%d\n", ev_version_major(),
            ev_version_minor());
    fprintf(f, "libyaml:      %s\n", yaml_get_version_string());
    return 0;
}
