/* Keys, service-account secrets and JWTs for the tests.  See h_crypto.h. */
#include "harness/h_crypto.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/encoder.h>
#include <openssl/pem.h>

#include "harness/h_cluster.h"
#include "harness/h_json.h"

EVP_PKEY *h_rsa_new(void)
{
    EVP_PKEY *k = EVP_RSA_gen(2048);

    if (!k)
        fail_msg("EVP_RSA_gen failed");
    return k;
}

EVP_PKEY *h_ec_new(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");

    if (!k)
        fail_msg("EVP_EC_gen failed");
    return k;
}

/* The contents of the memory BIO @b as a new string; frees @b (which may
 * hold a private key: its memory is wiped). */
static char *bio_take(BIO *b)
{
    char *data = NULL, *out;
    long n = BIO_get_mem_data(b, &data);

    if (n <= 0)
        fail_msg("empty PEM");
    out = malloc((size_t)n + 1);
    if (!out)
        fail_msg("out of memory");
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    OPENSSL_cleanse(data, (size_t)n);
    BIO_free(b);
    return out;
}

/* A new memory BIO. */
static BIO *mem_bio(void)
{
    BIO *b = BIO_new(BIO_s_mem());

    if (!b)
        fail_msg("BIO_new failed");
    return b;
}

char *h_priv_pem(EVP_PKEY *k)
{
    BIO *b = mem_bio();

    if (PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) != 1)
        fail_msg("PEM_write_bio_PrivateKey failed");
    return bio_take(b);
}

char *h_priv_pem_pkcs1(EVP_PKEY *k)
{
    BIO *b = mem_bio();
    char *pem;

    if (PEM_write_bio_PrivateKey_traditional(b, k, NULL, NULL, 0, NULL,
                                             NULL) != 1)
        fail_msg("PEM_write_bio_PrivateKey_traditional failed");
    pem = bio_take(b);
    if (!strstr(pem, "-----BEGIN RSA PRIVATE KEY-----"))
        fail_msg("expected a PKCS#1 private key PEM");
    return pem;
}

char *h_pub_pem(EVP_PKEY *k)
{
    BIO *b = mem_bio();

    if (PEM_write_bio_PUBKEY(b, k) != 1)
        fail_msg("PEM_write_bio_PUBKEY failed");
    return bio_take(b);
}

char *h_pub_pem_pkcs1(EVP_PKEY *k)
{
    OSSL_ENCODER_CTX *ctx;
    BIO *b = mem_bio();
    char *s;

    ctx = OSSL_ENCODER_CTX_new_for_pkey(k, EVP_PKEY_PUBLIC_KEY, "PEM",
                                        "type-specific", NULL);
    if (!ctx || OSSL_ENCODER_to_bio(ctx, b) != 1)
        fail_msg("PKCS#1 public key encoding failed");
    OSSL_ENCODER_CTX_free(ctx);
    s = bio_take(b);
    if (!strstr(s, "BEGIN RSA PUBLIC KEY"))
        fail_msg("expected a PKCS#1 PEM, got %s", s);
    return s;
}

char *h_pub_of_priv(const char *priv)
{
    BIO *b = BIO_new_mem_buf(priv, -1);
    EVP_PKEY *k;
    char *pub;

    if (!b)
        fail_msg("BIO_new_mem_buf failed");
    k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    if (!k)
        return NULL;
    pub = h_pub_pem(k);
    EVP_PKEY_free(k);
    return pub;
}

char *h_sa_secret_value(const char *uid, const char *scheme,
                        const char *priv)
{
    return h_json_text("{s:s, s:s, s:s, s:s}", "scheme", scheme, "uid", uid,
                       "private_key", priv, "login_endpoint",
                       H_LOGIN_ENDPOINT);
}

char *h_sa_secret_of(const char *uid, EVP_PKEY *k)
{
    char *pem = h_priv_pem(k);
    char *value = h_sa_secret_value(uid, "RS256", pem);

    OPENSSL_cleanse(pem, strlen(pem));
    free(pem);
    return value;
}

char *h_b64url(const void *p, size_t n)
{
    size_t cap = 4 * ((n + 2) / 3) + 1, len, i;
    char *s;
    int r;

    if (n > (size_t)INT32_MAX / 2)
        fail_msg("h_b64url: input too long");
    s = malloc(cap);
    if (!s)
        fail_msg("out of memory");
    r = EVP_EncodeBlock((unsigned char *)s, p, (int)n);
    if (r < 0 || (size_t)r >= cap)
        fail_msg("EVP_EncodeBlock failed");
    /* (fail_msg does not return; the clamp keeps the compiler sure) */
    len = r > 0 && (size_t)r < cap ? (size_t)r : 0;
    while (len > 0 && s[len - 1] == '=')
        len--;
    s[len] = '\0';
    for (i = 0; i < len; i++)
        s[i] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
    return s;
}

char *h_jwt(EVP_PKEY *k, const char *header, const char *claims)
{
    char *h = h_b64url(header, strlen(header));
    char *c = h_b64url(claims, strlen(claims));
    char *signing = h_fmt("%s.%s", h, c), *sig64, *out;
    unsigned char sig[1024];
    size_t siglen = sizeof(sig);
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    if (!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) != 1 ||
        EVP_DigestSign(md, sig, &siglen, (const unsigned char *)signing,
                       strlen(signing)) != 1)
        fail_msg("EVP_DigestSign failed");
    sig64 = h_b64url(sig, siglen);
    out = h_fmt("%s.%s", signing, sig64);
    EVP_MD_CTX_free(md);
    free(h);
    free(c);
    free(signing);
    free(sig64);
    return out;
}

char *h_service_jwt(EVP_PKEY *k, const char *uid, long ttl)
{
    char *claims = h_json_text("{s:s, s:I}", "uid", uid, "exp",
                               (json_int_t)(time(NULL) + ttl));
    char *jwt = h_jwt(k, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", claims);

    free(claims);
    return jwt;
}

char *h_login_service(struct h_sim *s, const char *uid, EVP_PKEY *k)
{
    char *jwt = h_service_jwt(k, uid, 300);
    char *body = h_json_text("{s:s, s:s}", "uid", uid, "token", jwt);
    struct h_resp r;
    char *tok = NULL;

    r = h_req(s, "POST", "/acs/api/v1/auth/login", NULL, "application/json",
              NULL, body, NULL);
    if (r.status == 200 && r.json) {
        const char *t = json_string_value(json_object_get(r.json, "token"));

        if (t) {
            tok = strdup(t);
            if (!tok)
                fail_msg("out of memory");
        }
    }
    h_resp_free(&r);
    free(body);
    free(jwt);
    return tok;
}

void h_account_put(struct h_sim *s, const char *uid, EVP_PKEY *k,
                   const char *description)
{
    char *pub = h_pub_pem(k), *path = h_fmt("/acs/api/v1/users/%s", uid);
    char *body = h_json_text("{s:s, s:s}", "description", description,
                             "public_key", pub);
    struct h_resp r = h_put(s, path, body);

    h_expect_status(&r, 201, path);
    h_resp_free(&r);
    free(body);
    free(path);
    free(pub);
}

void h_account_full(struct h_sim *s, const char *uid, const char *path,
                    EVP_PKEY *k)
{
    char *value = h_sa_secret_of(uid, k);

    h_account_put(s, uid, k, "made by hand");
    h_secret_put(s, path, value);
    h_group_add(s, "superusers", uid);
    OPENSSL_cleanse(value, strlen(value));
    free(value);
}
