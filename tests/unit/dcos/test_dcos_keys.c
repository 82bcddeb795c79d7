/* Unit tests of dcos/keys: key pairs, fingerprints, JWT, sa-secret codec. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "common/jsonscan.h"
#include "common/key.h"
#include "common/sa_secret.h"
#include "common/util.h"
#include "dcos/keys.h"
#include "dcos/loop.h"

static struct secret *priv_a, *priv_b;
static char *pub_a, *pub_b;

static EVP_PKEY *read_pub(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);

    BIO_free(b);
    return k;
}

static EVP_PKEY *read_priv(const struct secret *pem)
{
    BIO *b = BIO_new_mem_buf(pem->buf, (int)pem->len);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);

    BIO_free(b);
    return k;
}

static void test_generate(void **state)
{
    EVP_PKEY *k;
    BIGNUM *e = NULL;

    (void)state;
    assert_true(util_has_prefix((const char *)priv_a->buf,
                                "-----BEGIN PRIVATE KEY-----\n"));
    assert_non_null(strstr((const char *)priv_a->buf,
                           "-----END PRIVATE KEY-----"));
    assert_null(strstr((const char *)priv_a->buf, "RSA PRIVATE KEY"));
    assert_true(util_has_prefix(pub_a, "-----BEGIN PUBLIC KEY-----\n"));
    assert_null(strstr(pub_a, "RSA PUBLIC KEY"));
    k = read_priv(priv_a);
    assert_non_null(k);
    assert_true(EVP_PKEY_is_a(k, "RSA"));
    assert_int_equal(EVP_PKEY_get_bits(k), 2048);
    assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e), 1);
    assert_true(BN_is_word(e, 65537));
    BN_free(e);
    EVP_PKEY_free(k);
    /* Two generations give two different keys. */
    assert_string_not_equal(pub_a, pub_b);
}

static void test_derive_and_equal(void **state)
{
    char *pub = NULL;

    (void)state;
    assert_int_equal(key_public_from_private(&pub, priv_a), 0);
    assert_string_equal(pub, pub_a);
    assert_int_equal(key_public_equal(pub, pub_a), 1);
    assert_int_equal(key_public_equal(pub_a, pub_b), 0);
    assert_int_equal(key_public_equal(pub_a, "not a key"), ERR_INVALID);
    free(pub);
}

static void test_equal_ignores_pem_layout(void **state)
{
    /* Same key, different PEM line wrapping: equal by DER. */
    char *copy = malloc(strlen(pub_a) + 64);
    const char *body = pub_a + strlen("-----BEGIN PUBLIC KEY-----\n");
    size_t i, o = 0;

    (void)state;
    o += (size_t)sprintf(copy, "-----BEGIN PUBLIC KEY-----\n");
    for (i = 0; body[i] && body[i] != '-'; i++)
        if (body[i] != '\n')
            copy[o++] = body[i];
    /* one long line is still valid PEM for OpenSSL up to 64 per line?
       keep lines of 32 instead */
    copy[o] = '\0';
    {
        char *b64 = strdup(copy + strlen("-----BEGIN PUBLIC KEY-----\n"));
        size_t n = strlen(b64), p = 0;

        o = (size_t)sprintf(copy, "-----BEGIN PUBLIC KEY-----\n");
        while (p < n) {
            size_t chunk = n - p > 32 ? 32 : n - p;

            memcpy(copy + o, b64 + p, chunk);
            o += chunk;
            copy[o++] = '\n';
            p += chunk;
        }
        o += (size_t)sprintf(copy + o, "-----END PUBLIC KEY-----\n");
        free(b64);
    }
    assert_string_not_equal(copy, pub_a);
    assert_int_equal(key_public_equal(copy, pub_a), 1);
    free(copy);
}

static void test_fingerprint(void **state)
{
    char fa[KEY_FP_LEN], fb[KEY_FP_LEN], want[KEY_FP_LEN];
    unsigned char md[SHA256_DIGEST_LENGTH], *der = NULL;
    EVP_PKEY *k = read_pub(pub_a);
    int n, i;

    (void)state;
    assert_int_equal(key_fingerprint(pub_a, fa), 0);
    assert_int_equal(key_fingerprint(pub_b, fb), 0);
    assert_int_equal(strlen(fa), 64);
    assert_string_not_equal(fa, fb);
    n = i2d_PUBKEY(k, &der);
    assert_true(n > 0);
    SHA256(der, (size_t)n, md);
    for (i = 0; i < SHA256_DIGEST_LENGTH; i++)
        sprintf(want + 2 * i, "%02x", md[i]);
    assert_string_equal(fa, want);
    OPENSSL_free(der);
    EVP_PKEY_free(k);
    assert_int_equal(key_fingerprint("garbage", fa), ERR_INVALID);
}

/* The same key in PKCS#1 ("BEGIN RSA PRIVATE KEY") form. */
static struct secret *as_pkcs1(const struct secret *pkcs8)
{
    EVP_PKEY *k = read_priv(pkcs8);
    BIO *b = BIO_new(BIO_s_mem());
    BUF_MEM *bm;
    struct secret *s;

    assert_int_equal(PEM_write_bio_PrivateKey_traditional(b, k, NULL, NULL,
                                                          0, NULL, NULL),
                     1);
    BIO_get_mem_ptr(b, &bm);
    s = secret_new(bm->data, bm->length);
    BIO_free(b);
    EVP_PKEY_free(k);
    assert_true(util_has_prefix((const char *)s->buf,
                                "-----BEGIN RSA PRIVATE KEY-----"));
    return s;
}

static struct secret *as_encrypted(const struct secret *pkcs8)
{
    EVP_PKEY *k = read_priv(pkcs8);
    BIO *b = BIO_new(BIO_s_mem());
    BUF_MEM *bm;
    struct secret *s;

    assert_int_equal(PEM_write_bio_PKCS8PrivateKey(b, k, EVP_aes_128_cbc(),
                                                   "pass", 4, NULL, NULL),
                     1);
    BIO_get_mem_ptr(b, &bm);
    s = secret_new(bm->data, bm->length);
    BIO_free(b);
    EVP_PKEY_free(k);
    return s;
}

static void test_unusable_private_keys(void **state)
{
    struct secret *p1 = as_pkcs1(priv_a), *enc = as_encrypted(priv_a);
    struct secret *junk = secret_new_str("-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                         "-----END PRIVATE KEY-----\n");
    char *pub = NULL;

    (void)state;
    assert_int_equal(key_public_from_private(&pub, p1), ERR_INVALID);
    assert_int_equal(key_public_from_private(&pub, enc), ERR_INVALID);
    assert_int_equal(key_public_from_private(&pub, junk), ERR_INVALID);
    assert_null(pub);
    secret_free(p1);
    secret_free(enc);
    secret_free(junk);
}

static unsigned char *b64url_dec(const char *s, size_t n, size_t *len)
{
    char *tmp = strndup(s, n);
    unsigned char *out = util_b64url_decode(tmp, len);

    free(tmp);
    return out;
}

static void test_jwt(void **state)
{
    struct secret *jwt = NULL;
    const char *t, *d1, *d2;
    unsigned char *h, *c, *sig;
    size_t hl, cl, sl;
    json_t *hj, *cj;
    EVP_PKEY *k = read_pub(pub_a);
    EVP_MD_CTX *md;

    (void)state;
    assert_int_equal(dcos_jwt_rs256(&jwt, "elastic", priv_a, 1700000300L), 0);
    t = (const char *)jwt->buf;
    d1 = strchr(t, '.');
    assert_non_null(d1);
    d2 = strchr(d1 + 1, '.');
    assert_non_null(d2);
    assert_null(strchr(d2 + 1, '.'));
    assert_null(strchr(t, '='));
    h = b64url_dec(t, (size_t)(d1 - t), &hl);
    c = b64url_dec(d1 + 1, (size_t)(d2 - d1 - 1), &cl);
    sig = b64url_dec(d2 + 1, strlen(d2 + 1), &sl);
    assert_non_null(h);
    assert_non_null(c);
    assert_non_null(sig);
    hj = json_loadb((const char *)h, hl, 0, NULL);
    cj = json_loadb((const char *)c, cl, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(hj, "alg")),
                        "RS256");
    assert_string_equal(json_string_value(json_object_get(hj, "typ")), "JWT");
    assert_string_equal(json_string_value(json_object_get(cj, "uid")),
                        "elastic");
    assert_int_equal(json_integer_value(json_object_get(cj, "exp")),
                     1700000300);
    assert_int_equal(json_object_size(cj), 2);
    assert_int_equal(sl, 256);

    /* Verify the RS256 signature independently. */
    md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k), 1);
    assert_int_equal(EVP_DigestVerify(md, sig, sl, (const unsigned char *)t,
                                      (size_t)(d2 - t)),
                     1);
    EVP_MD_CTX_free(md);
    /* ... and that it fails for other content or another key. */
    md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k), 1);
    assert_int_not_equal(EVP_DigestVerify(md, sig, sl,
                                          (const unsigned char *)t,
                                          (size_t)(d2 - t) - 1),
                         1);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(k);
    k = read_pub(pub_b);
    md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k), 1);
    assert_int_not_equal(EVP_DigestVerify(md, sig, sl,
                                          (const unsigned char *)t,
                                          (size_t)(d2 - t)),
                         1);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(k);
    json_decref(hj);
    json_decref(cj);
    free(h);
    free(c);
    free(sig);
    secret_free(jwt);
    {
        struct secret *p1 = as_pkcs1(priv_a);

        jwt = NULL;
        assert_int_equal(dcos_jwt_rs256(&jwt, "elastic", p1, 1), ERR_INVALID);
        assert_null(jwt);
        secret_free(p1);
    }
}

static void test_sa_secret_build(void **state)
{
    struct secret *v = NULL;
    json_t *j;

    (void)state;
    assert_int_equal(sa_secret_build(&v, "elastic", priv_a, NULL), 0);
    j = json_loadb((const char *)v->buf, v->len, JSON_REJECT_DUPLICATES,
                   NULL);
    assert_non_null(j);
    assert_int_equal(json_object_size(j), 4);
    assert_string_equal(json_string_value(json_object_get(j, "scheme")),
                        "RS256");
    assert_string_equal(json_string_value(json_object_get(j, "uid")),
                        "elastic");
    assert_string_equal(json_string_value(json_object_get(j, "private_key")),
                        (const char *)priv_a->buf);
    assert_string_equal(
        json_string_value(json_object_get(j, "login_endpoint")),
        "https://leader.mesos/acs/api/v1/auth/login");
    /* The key's newlines are escaped, not raw. */
    assert_non_null(strstr((const char *)v->buf, "KEY-----\\n"));
    json_decref(j);
    secret_free(v);
    v = NULL;
    assert_int_equal(
        sa_secret_build(&v, "elastic", priv_a, "https://master.mesos/x"), 0);
    assert_non_null(strstr((const char *)v->buf, "https://master.mesos/x"));
    secret_free(v);
    v = NULL;
    assert_int_equal(sa_secret_build(&v, "", priv_a, NULL), ERR_INVALID);
    {
        struct secret *p1 = as_pkcs1(priv_a);

        assert_int_equal(sa_secret_build(&v, "elastic", p1, NULL), ERR_INVALID);
        secret_free(p1);
    }
    assert_null(v);
}

/* Build a secret value from a JSON object with @key replaced. */
static struct secret *variant(const char *key, json_t *val)
{
    struct secret *v = NULL;
    json_t *j;
    char *s;
    struct secret *out;

    assert_int_equal(sa_secret_build(&v, "elastic", priv_a, NULL), 0);
    j = json_loadb((const char *)v->buf, v->len, 0, NULL);
    if (val)
        json_object_set_new(j, key, val);
    else
        json_object_del(j, key);
    s = json_dumps(j, JSON_COMPACT);
    out = secret_new_str(s);
    free(s);
    json_decref(j);
    secret_free(v);
    return out;
}

static void inspect(struct secret *v, const char *expect_uid,
                    enum sa_verdict want, const char *want_uid,
                    bool want_pub)
{
    enum sa_verdict verdict = SA_OK;
    char *uid = NULL, *pub = NULL;

    assert_int_equal(sa_secret_inspect(&verdict, &uid, &pub, v, expect_uid), 0);
    assert_int_equal(verdict, want);
    if (want_uid)
        assert_string_equal(uid, want_uid);
    else
        assert_null(uid);
    if (want_pub) {
        assert_non_null(pub);
        assert_string_equal(pub, pub_a);
        assert_null(strstr(pub, "PRIVATE"));
    } else {
        assert_null(pub);
    }
    free(uid);
    free(pub);
    secret_free(v);
}

static void test_sa_secret_inspect(void **state)
{
    struct secret *v = NULL;
    struct secret *p1 = as_pkcs1(priv_a), *enc = as_encrypted(priv_a);

    (void)state;
    assert_int_equal(sa_secret_build(&v, "elastic", priv_a, NULL), 0);
    inspect(v, "elastic", SA_OK, "elastic", true);
    assert_int_equal(sa_secret_build(&v, "elastic", priv_a, NULL), 0);
    inspect(v, NULL, SA_OK, "elastic", true);

    inspect(secret_new_str("just text"), "elastic", SA_NOT_JSON, NULL, false);
    inspect(secret_new_str("[1,2]"), "elastic", SA_NOT_JSON, NULL, false);
    inspect(secret_new_str(""), "elastic", SA_NOT_JSON, NULL, false);

    /* A usable key with a wrong uid or scheme: the public key is given,
     * so the secret can be rewritten around the same key. */
    assert_int_equal(sa_secret_build(&v, "kibana", priv_a, NULL), 0);
    inspect(v, "elastic", SA_WRONG_UID, "kibana", true);
    inspect(variant("uid", NULL), "elastic", SA_WRONG_UID, NULL, true);
    inspect(variant("uid", json_integer(3)), "elastic", SA_WRONG_UID, NULL,
            true);

    inspect(variant("scheme", json_string("HS256")), "elastic",
            SA_WRONG_SCHEME, "elastic", true);
    inspect(variant("scheme", NULL), "elastic", SA_WRONG_SCHEME, "elastic",
            true);

    /* The key decides first: a bad key with a wrong uid is a lost key. */
    {
        struct secret *bad = variant("private_key", json_string("x"));
        json_t *j = json_loadb((const char *)bad->buf, bad->len, 0, NULL);
        char *txt;

        json_object_set_new(j, "uid", json_string("kibana"));
        txt = json_dumps(j, JSON_COMPACT);
        inspect(secret_new_str(txt), "elastic", SA_BAD_KEY, "kibana", false);
        free(txt);
        json_decref(j);
        secret_free(bad);
    }

    inspect(variant("private_key", NULL), "elastic", SA_BAD_KEY, "elastic",
            false);
    inspect(variant("private_key", json_string("nonsense")), "elastic",
            SA_BAD_KEY, "elastic", false);
    inspect(variant("private_key", json_string((const char *)p1->buf)),
            "elastic", SA_BAD_KEY, "elastic", false);
    inspect(variant("private_key", json_string((const char *)enc->buf)),
            "elastic", SA_BAD_KEY, "elastic", false);

    inspect(variant("login_endpoint", NULL), "elastic", SA_BAD_ENDPOINT,
            "elastic", true);
    inspect(variant("login_endpoint", json_string("")), "elastic",
            SA_BAD_ENDPOINT, "elastic", true);

    assert_string_equal(sa_verdict_name(SA_BAD_KEY), "unusable private key");
    secret_free(p1);
    secret_free(enc);
}

struct kg {
    int done;
    int status;
    struct secret *priv;
    char *pub;
    pthread_t loop_thread;
    int on_loop_thread;
};

static void kg_done(int status, struct secret *priv, char *pub, void *p)
{
    struct kg *k = p;

    k->done++;
    k->status = status;
    k->priv = priv;
    k->pub = pub;
    k->on_loop_thread = pthread_equal(pthread_self(), k->loop_thread);
}

static void test_sa_secret_rewrite(void **state)
{
    struct secret *old = NULL, *out = NULL;
    enum sa_verdict verdict = SA_BAD_KEY;
    char *uid = NULL, *pub = NULL;

    (void)state;
    /* Wrong uid and scheme, no endpoint: rewritten around the same key. */
    old = variant("scheme", json_string("HS256"));
    assert_int_equal(sa_secret_rewrite(&out, old, "elastic", NULL), 0);
    assert_int_equal(sa_secret_inspect(&verdict, &uid, &pub, out, "elastic"),
                     0);
    assert_int_equal(verdict, SA_OK);
    assert_string_equal(uid, "elastic");
    assert_string_equal(pub, pub_a);
    free(uid);
    free(pub);
    secret_free(out);
    secret_free(old);

    /* Nothing to keep: no private key, or not JSON. */
    out = NULL;
    old = variant("private_key", NULL);
    assert_int_equal(sa_secret_rewrite(&out, old, "elastic", NULL),
                     ERR_INVALID);
    assert_null(out);
    secret_free(old);
    old = secret_new_str("not json");
    assert_int_equal(sa_secret_rewrite(&out, old, "elastic", NULL),
                     ERR_INVALID);
    assert_null(out);
    secret_free(old);
}

static void test_keygen_async(void **state)
{
    struct http_loop *loop = NULL;
    struct kg k[2];
    char *pub = NULL;
    int i;

    (void)state;
    memset(k, 0, sizeof(k));
    assert_int_equal(http_loop_new(&loop, NULL, 0), 0);
    for (i = 0; i < 2; i++) {
        k[i].loop_thread = pthread_self();
        assert_int_equal(dcos_keygen_async(loop, kg_done, &k[i]), 0);
    }
    /* Submitted, not yet done: generation is off the calling thread. */
    assert_int_equal(k[0].done + k[1].done, 0);
    assert_int_equal(http_loop_pending(loop), 2);
    assert_int_equal(http_loop_run(loop, util_now_mono() + 60), 0);
    for (i = 0; i < 2; i++) {
        assert_int_equal(k[i].done, 1);
        assert_int_equal(k[i].status, 0);
        assert_true(k[i].on_loop_thread);
        assert_int_equal(key_public_from_private(&pub, k[i].priv), 0);
        assert_string_equal(pub, k[i].pub);
        free(pub);
        pub = NULL;
    }
    assert_string_not_equal(k[0].pub, k[1].pub);
    for (i = 0; i < 2; i++) {
        secret_free(k[i].priv);
        free(k[i].pub);
    }
    http_loop_free(loop);
}

static void test_json_escape(void **state)
{
    struct buf b;
    json_t *j;
    static const char raw[] = "a\"b\\c\n\t\x01z/\xc3\xa9";

    (void)state;
    buf_init(&b, 1024);
    assert_int_equal(jsonscan_put_string(&b, raw, sizeof(raw) - 1), 0);
    assert_string_equal(buf_str(&b), "\"a\\\"b\\\\c\\n\\t\\u0001z/\xc3\xa9\"");
    j = json_loads(buf_str(&b), JSON_DECODE_ANY, NULL);
    assert_string_equal(json_string_value(j), raw);
    json_decref(j);
    buf_free(&b);
    buf_init(&b, 4);
    assert_int_equal(jsonscan_put_string(&b, "abcdef", 6), ERR_INVALID);
    buf_free(&b);
}

static int setup(void **state)
{
    (void)state;
    if (dcos_key_generate(&priv_a, &pub_a) ||
        dcos_key_generate(&priv_b, &pub_b))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    secret_free(priv_a);
    secret_free(priv_b);
    free(pub_a);
    free(pub_b);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate),
        cmocka_unit_test(test_derive_and_equal),
        cmocka_unit_test(test_equal_ignores_pem_layout),
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_unusable_private_keys),
        cmocka_unit_test(test_jwt),
        cmocka_unit_test(test_sa_secret_build),
        cmocka_unit_test(test_sa_secret_inspect),
        cmocka_unit_test(test_sa_secret_rewrite),
        cmocka_unit_test(test_keygen_async),
        cmocka_unit_test(test_json_escape),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
