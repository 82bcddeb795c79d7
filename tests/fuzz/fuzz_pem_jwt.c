/*
 * Fuzz target for PEM and JWT handling: private keys (common/key.c),
 * create-sa-secret values (common/sa_secret.c), server certificates
 * (dcos/x509.c), CA bundles, base64url segments of a JWT, and the check
 * of a token before it goes into a header.  The first byte picks the
 * entry point, the rest is the input.  Seeds: tests/data/fuzz/pem/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/key.h"
#include "common/sa_secret.h"
#include "common/util.h"
#include "dcos/parse.h"
#include "dcos/redact.h"
#include "dcos/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void jwt_segments(const char *s)
{
    const char *p = s;

    /* header.claims.signature: each segment base64url-decoded. */
    while (p) {
        const char *dot = strchr(p, '.');
        char *seg = dot ? strndup(p, (size_t)(dot - p)) : strdup(p);
        unsigned char *raw;
        size_t n = 0;

        if (!seg)
            return;
        raw = util_b64url_decode(seg, &n);
        free(raw);
        free(seg);
        p = dot ? dot + 1 : NULL;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct secret *in;
    char *pub = NULL, fp[KEY_FP_LEN], *uid = NULL;
    enum sa_verdict verdict;
    struct http_cert cert;
    EVP_PKEY *k = NULL;
    size_t n;

    if (size < 1)
        return 0;
    in = secret_new(data + 1, size - 1);
    if (!in)
        return 0;
    switch (data[0] % 5) {
    case 0:
        if (key_private_load(&k, in) == 0)
            EVP_PKEY_free(k);
        if (key_public_from_private(&pub, in) == 0) {
            (void)key_fingerprint(pub, fp);
            (void)key_public_equal(pub, secret_str(in));
            free(pub);
        }
        break;
    case 1:
        if (sa_secret_inspect(&verdict, &uid, &pub, in, "elastic") == 0) {
            free(uid);
            free(pub);
        }
        break;
    case 2:
        memset(&cert, 0, sizeof(cert));
        if (http_cert_from_pem(&cert, secret_str(in)) == 0)
            http_cert_clear(&cert);
        (void)dcos_parse_ca_pem(&n, secret_str(in), in->len);
        break;
    case 3:
        jwt_segments(secret_str(in));
        (void)dcos_token_header_safe(in);
        break;
    default:
        (void)key_fingerprint(secret_str(in), fp);
        (void)key_public_equal(secret_str(in), secret_str(in));
        break;
    }
    secret_free(in);
    return 0;
}
