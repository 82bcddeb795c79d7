/*
 * common/key.c and common/sa_secret.c on their own (etls_common only):
 * loading private keys, SPKI equality and fingerprints, and the
 * create-sa-secret value built, inspected and rewritten around its key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "common/err.h"
#include "common/key.h"
#include "common/sa_secret.h"

static struct secret *priv_a, *priv_b;
static char *pub_a;

/* PEM text of what @write puts in a memory BIO (new secret). */
static struct secret *pem_of(EVP_PKEY *k, int private_key)
{
    BIO *b = BIO_new(BIO_s_mem());
    BUF_MEM *bm = NULL;
    struct secret *s;

    assert_non_null(b);
    if (private_key)
        assert_true(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL,
                                             NULL) > 0);
    else
        assert_true(PEM_write_bio_PUBKEY(b, k) > 0);
    BIO_get_mem_ptr(b, &bm);
    s = secret_new(bm->data, bm->length);
    BIO_free(b);
    return s;
}

static struct secret *new_rsa(void)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    struct secret *s;

    assert_non_null(k);
    s = pem_of(k, 1);
    EVP_PKEY_free(k);
    return s;
}

static int setup(void **state)
{
    (void)state;
    priv_a = new_rsa();
    priv_b = new_rsa();
    return key_public_from_private(&pub_a, priv_a);
}

static int teardown(void **state)
{
    (void)state;
    secret_free(priv_a);
    secret_free(priv_b);
    free(pub_a);
    return 0;
}

static void test_private_load(void **state)
{
    EVP_PKEY *k = NULL, *ec;
    struct secret *s;
    char *txt;

    (void)state;
    assert_int_equal(key_private_load(&k, priv_a), 0);
    assert_true(EVP_PKEY_is_a(k, "RSA"));
    EVP_PKEY_free(k);
    /* Leading whitespace is fine; PKCS#1 armour, EC keys and junk not. */
    txt = malloc(priv_a->len + 3);
    memcpy(txt, " \n", 2);
    memcpy(txt + 2, priv_a->buf, priv_a->len + 1);
    s = secret_new_str(txt);
    k = NULL;
    assert_int_equal(key_private_load(&k, s), 0);
    EVP_PKEY_free(k);
    secret_free(s);
    free(txt);
    s = secret_new_str("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"
                       "-----END RSA PRIVATE KEY-----\n");
    assert_int_equal(key_private_load(&k, s), ERR_INVALID);
    secret_free(s);
    ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(ec);
    s = pem_of(ec, 1);
    EVP_PKEY_free(ec);
    assert_int_equal(key_private_load(&k, s), ERR_INVALID);
    secret_free(s);
    s = secret_new_str("");
    assert_int_equal(key_private_load(&k, s), ERR_INVALID);
    secret_free(s);
    assert_int_equal(key_private_load(&k, NULL), ERR_INVALID);
}

static void test_public_equal(void **state)
{
    char *pub_b = NULL, *copy;
    size_t i, o = 0;

    (void)state;
    assert_int_equal(key_public_from_private(&pub_b, priv_b), 0);
    assert_int_equal(key_public_equal(pub_a, pub_a), 1);
    assert_int_equal(key_public_equal(pub_a, pub_b), 0);
    assert_int_equal(key_public_equal(pub_a, "junk"), ERR_INVALID);
    assert_int_equal(key_public_equal(NULL, pub_a), ERR_INVALID);
    /* Same key, other PEM layout (CRLF line ends): still equal. */
    copy = malloc(2 * strlen(pub_a) + 1);
    for (i = 0; pub_a[i]; i++) {
        if (pub_a[i] == '\n')
            copy[o++] = '\r';
        copy[o++] = pub_a[i];
    }
    copy[o] = '\0';
    assert_string_not_equal(copy, pub_a);
    assert_int_equal(key_public_equal(copy, pub_a), 1);
    free(copy);
    free(pub_b);
}

static void test_fingerprint(void **state)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[SHA256_DIGEST_LENGTH], *der = NULL;
    char fp[KEY_FP_LEN], want[KEY_FP_LEN];
    BIO *b = BIO_new_mem_buf(pub_a, -1);
    EVP_PKEY *k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
    int n, i;

    (void)state;
    n = i2d_PUBKEY(k, &der);
    assert_true(n > 0);
    SHA256(der, (size_t)n, md);
    for (i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        want[2 * i] = hex[md[i] >> 4];
        want[2 * i + 1] = hex[md[i] & 15];
    }
    want[64] = '\0';
    assert_int_equal(key_fingerprint(pub_a, fp), 0);
    assert_string_equal(fp, want);
    assert_int_equal(key_fingerprint("garbage", fp), ERR_INVALID);
    OPENSSL_free(der);
    EVP_PKEY_free(k);
    BIO_free(b);
}

static void inspect(const char *text, const char *expected_uid,
                    enum sa_verdict want, const char *want_uid, int want_pub)
{
    struct secret *v = secret_new_str(text);
    enum sa_verdict verdict = SA_OK;
    char *uid = NULL, *pub = NULL;

    assert_int_equal(sa_secret_inspect(&verdict, &uid, &pub, v,
                                       expected_uid),
                     0);
    if (verdict != want)
        fail_msg("%s: verdict %s, want %s", text, sa_verdict_name(verdict),
                 sa_verdict_name(want));
    if (want_uid)
        assert_string_equal(uid, want_uid);
    else
        assert_null(uid);
    if (want_pub)
        assert_int_equal(key_public_equal(pub, pub_a), 1);
    else
        assert_null(pub);
    free(uid);
    free(pub);
    secret_free(v);
}

static void test_sa_secret(void **state)
{
    struct secret *v = NULL, *w = NULL;
    char *text;

    (void)state;
    assert_int_equal(sa_secret_build(&v, "elastic", priv_a, NULL), 0);
    assert_non_null(strstr(secret_str(v), "\"login_endpoint\":\""
                                          SA_LOGIN_ENDPOINT "\""));
    assert_non_null(strstr(secret_str(v), "\"scheme\":\"RS256\""));
    inspect(secret_str(v), "elastic", SA_OK, "elastic", 1);
    inspect(secret_str(v), "kibana", SA_WRONG_UID, "elastic", 1);
    inspect(secret_str(v), NULL, SA_OK, "elastic", 1);

    /* Rewritten around the same key: new uid and endpoint. */
    assert_int_equal(sa_secret_rewrite(&w, v, "kibana", "https://x/login"),
                     0);
    inspect(secret_str(w), "kibana", SA_OK, "kibana", 1);
    assert_non_null(strstr(secret_str(w), "https://x/login"));
    secret_free(w);
    w = NULL;

    /* A repeated uid is not a JSON object the SDK could read. */
    text = malloc(v->len + 32);
    snprintf(text, v->len + 32, "{\"uid\":\"a\",%s", secret_str(v) + 1);
    inspect(text, "elastic", SA_NOT_JSON, NULL, 0);
    free(text);

    inspect("{\"uid\":\"elastic\",\"scheme\":\"RS256\"}", "elastic",
            SA_BAD_KEY, "elastic", 0);
    inspect("[]", "elastic", SA_NOT_JSON, NULL, 0);
    assert_int_equal(sa_secret_rewrite(&w, v, "", NULL), ERR_INVALID);
    assert_null(w);
    {
        struct secret *no_key = secret_new_str("{\"uid\":\"u\"}");

        assert_int_equal(sa_secret_rewrite(&w, no_key, "u", NULL),
                         ERR_INVALID);
        secret_free(no_key);
    }
    assert_int_equal(sa_secret_build(&w, NULL, priv_a, NULL), ERR_INVALID);
    secret_free(v);
}

static void test_verdict_names(void **state)
{
    static const char *const want[] = {
        "ok", "not a JSON object", "wrong uid", "wrong scheme",
        "unusable private key", "missing login_endpoint"
    };
    int v;

    (void)state;
    for (v = SA_OK; v <= SA_BAD_ENDPOINT; v++)
        assert_string_equal(sa_verdict_name((enum sa_verdict)v), want[v]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_private_load),
        cmocka_unit_test(test_public_equal),
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_sa_secret),
        cmocka_unit_test(test_verdict_names),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
