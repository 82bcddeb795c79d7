/* Helpers for the dcos-sim IAM and secrets end-to-end tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "common/util.h"
#include "e2e/sim_iam/iam_testutil.h"

EVP_PKEY *t_rsa_new(void)
{
    EVP_PKEY *k = EVP_RSA_gen(2048);

    if (!k)
        fail_msg("EVP_RSA_gen failed");
    return k;
}

EVP_PKEY *t_ec_new(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");

    if (!k)
        fail_msg("EVP_EC_gen failed");
    return k;
}

static char *bio_string(BIO *b)
{
    char *data = NULL, *out;
    long n = BIO_get_mem_data(b, &data);

    if (n <= 0)
        fail_msg("empty BIO");
    out = malloc((size_t)n + 1);
    if (!out)
        fail_msg("out of memory");
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    return out;
}

char *t_pubkey_pem(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *s;

    if (!b || PEM_write_bio_PUBKEY(b, k) != 1)
        fail_msg("PEM_write_bio_PUBKEY failed");
    s = bio_string(b);
    BIO_free(b);
    return s;
}

char *t_pubkey_pkcs1_pem(EVP_PKEY *k)
{
    OSSL_ENCODER_CTX *ctx;
    BIO *b = BIO_new(BIO_s_mem());
    char *s;

    ctx = OSSL_ENCODER_CTX_new_for_pkey(k, EVP_PKEY_PUBLIC_KEY, "PEM",
                                        "type-specific", NULL);
    if (!b || !ctx || OSSL_ENCODER_to_bio(ctx, b) != 1)
        fail_msg("PKCS#1 public key encoding failed");
    OSSL_ENCODER_CTX_free(ctx);
    s = bio_string(b);
    BIO_free(b);
    if (!strstr(s, "BEGIN RSA PUBLIC KEY"))
        fail_msg("expected a PKCS#1 PEM, got %s", s);
    return s;
}

char *t_jwt(EVP_PKEY *k, const char *header, const char *claims)
{
    char *h = util_b64url_encode(header, strlen(header));
    char *c = util_b64url_encode(claims, strlen(claims));
    char *signing, *sig64, *out;
    unsigned char sig[1024];
    size_t siglen = sizeof(sig), n;
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    if (!h || !c || !md)
        fail_msg("out of memory");
    n = strlen(h) + strlen(c) + 2;
    signing = malloc(n);
    if (!signing)
        fail_msg("out of memory");
    snprintf(signing, n, "%s.%s", h, c);
    if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) != 1 ||
        EVP_DigestSign(md, sig, &siglen, (unsigned char *)signing,
                       strlen(signing)) != 1)
        fail_msg("EVP_DigestSign failed");
    sig64 = util_b64url_encode(sig, siglen);
    if (!sig64)
        fail_msg("out of memory");
    n = strlen(signing) + strlen(sig64) + 2;
    out = malloc(n);
    if (!out)
        fail_msg("out of memory");
    snprintf(out, n, "%s.%s", signing, sig64);
    EVP_MD_CTX_free(md);
    free(h);
    free(c);
    free(signing);
    free(sig64);
    return out;
}

char *t_service_jwt(EVP_PKEY *k, const char *uid, long ttl)
{
    char *claims = t_json("{s:s, s:I}", "uid", uid, "exp",
                          (json_int_t)(time(NULL) + ttl));
    char *jwt = t_jwt(k, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", claims);

    free(claims);
    return jwt;
}

char *t_login_service(struct h_sim *s, const char *uid, EVP_PKEY *k)
{
    char *jwt = t_service_jwt(k, uid, 300);
    char *body = t_json("{s:s, s:s}", "uid", uid, "token", jwt);
    struct h_resp r;
    char *tok = NULL;

    r = h_req(s, "POST", "/acs/api/v1/auth/login", NULL, "application/json",
              NULL, body, NULL);
    if (r.status == 200 && r.json) {
        const char *t = json_string_value(json_object_get(r.json, "token"));

        tok = t ? strdup(t) : NULL;
    }
    h_resp_free(&r);
    free(body);
    free(jwt);
    return tok;
}

char *t_json(const char *fmt, ...)
{
    json_error_t jerr;
    va_list ap;
    json_t *j;
    char *s;

    va_start(ap, fmt);
    j = json_vpack_ex(&jerr, 0, fmt, ap);
    va_end(ap);
    if (!j)
        fail_msg("json_pack: %s", jerr.text);
    s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s)
        fail_msg("json_dumps failed");
    return s;
}

void t_create_service(struct h_sim *s, const char *uid, EVP_PKEY *k)
{
    char *pem = t_pubkey_pem(k);
    char *body = t_json("{s:s, s:s}", "description", "test service account",
                        "public_key", pem);
    char path[256];
    struct h_resp r;

    snprintf(path, sizeof(path), "/acs/api/v1/users/%s", uid);
    r = h_put(s, path, body);
    if (r.status != 201)
        fail_msg("PUT %s: HTTP %ld %s", path, r.status, r.body);
    h_resp_free(&r);
    free(body);
    free(pem);
}

void t_create_user(struct h_sim *s, const char *uid, const char *pw)
{
    char *body = t_json("{s:s, s:s}", "description", "test user", "password",
                        pw);
    char path[256];
    struct h_resp r;

    snprintf(path, sizeof(path), "/acs/api/v1/users/%s", uid);
    r = h_put(s, path, body);
    if (r.status != 201)
        fail_msg("PUT %s: HTTP %ld %s", path, r.status, r.body);
    h_resp_free(&r);
    free(body);
}

int t_keys_subset(json_t *sub, json_t *super)
{
    const char *key;
    json_t *v;

    if (!json_is_object(sub) || !json_is_object(super))
        return 0;
    json_object_foreach(sub, key, v) {
        if (!json_object_get(super, key)) {
            print_message("key `%s` missing\n", key);
            return 0;
        }
    }
    return 1;
}

int t_same_keys(json_t *a, json_t *b)
{
    return t_keys_subset(a, b) && t_keys_subset(b, a);
}

json_t *t_fixture_json(const char *relpath)
{
    char *text = h_fixture(relpath);
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);

    if (!j)
        fail_msg("fixture %s: %s", relpath, jerr.text);
    free(text);
    return j;
}

int t_has_header(const struct h_resp *r, const char *needle)
{
    return r->headers && strstr(r->headers, needle) != NULL;
}

const char *t_code(const struct h_resp *r)
{
    const char *c = json_string_value(json_object_get(r->json, "code"));

    return c ? c : "";
}

const char *t_desc(const struct h_resp *r)
{
    const char *c =
        json_string_value(json_object_get(r->json, "description"));

    return c ? c : "";
}
