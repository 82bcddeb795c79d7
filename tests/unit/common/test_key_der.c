/*
 * The strict key reader (common/key_der.c) and the fast paths of
 * common/key.c against OpenSSL's own decoders and encoders, which are the
 * oracle here: for RSA keys the fast path must give the same bytes, and
 * for anything it does not read strictly (truncated or corrupted DER, odd
 * armour, EC and RSA-PSS keys, multi-prime keys, PKCS#1, encrypted keys)
 * the public functions must still answer exactly what OpenSSL answers.
 * Run under ASan (ETLS_SANITIZE) this also checks that no input makes the
 * reader go out of bounds: every DER is copied to a buffer of its exact
 * size first.
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
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "common/err.h"
#include "common/key.h"
#include "common/key_der.h"

/* 20 RSA-2048 keys, then the odd ones. */
#define N_2048 20
#define K_1024 (N_2048)
#define K_3072 (N_2048 + 1)
#define K_4096 (N_2048 + 2)
#define K_E3 (N_2048 + 3)
#define K_3PRIME (N_2048 + 4)
#define N_KEYS (N_2048 + 5)
#define PEM_MAX (64u * 1024u)

struct key {
    struct secret *priv; /* PKCS#8 PEM */
    char *pub;           /* PEM_write_bio_PUBKEY */
    unsigned char *p8;   /* PKCS#8 DER */
    size_t p8_len;
    unsigned char *spki; /* i2d_PUBKEY */
    size_t spki_len;
};

static struct key keys[N_KEYS];

/* The passphrase given to OpenSSL's readers: never a prompt. */
static char no_password[] = "";

/* The text in a memory BIO (new, NUL-terminated), then free the BIO. */
static char *bio_text(BIO *b, size_t *len)
{
    BUF_MEM *bm = NULL;
    char *s;

    assert_true(BIO_get_mem_ptr(b, &bm) > 0);
    s = malloc(bm->length + 1);
    assert_non_null(s);
    memcpy(s, bm->data, bm->length);
    s[bm->length] = '\0';
    if (len)
        *len = bm->length;
    BIO_free(b);
    return s;
}

static EVP_PKEY *rsa_keygen_type(const char *type, unsigned bits,
                                 unsigned long e, size_t primes)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    BIGNUM *bn = BN_new();
    EVP_PKEY *k = NULL;

    assert_non_null(c);
    assert_non_null(bn);
    assert_true(BN_set_word(bn, e) == 1);
    assert_true(EVP_PKEY_keygen_init(c) > 0);
    assert_true(EVP_PKEY_CTX_set_rsa_keygen_bits(c, (int)bits) > 0);
    assert_true(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(c, bn) > 0);
    if (primes > 2)
        assert_true(EVP_PKEY_CTX_set_rsa_keygen_primes(c, (int)primes) > 0);
    assert_true(EVP_PKEY_generate(c, &k) > 0);
    BN_free(bn);
    EVP_PKEY_CTX_free(c);
    return k;
}

static EVP_PKEY *rsa_keygen(unsigned bits, unsigned long e, size_t primes)
{
    return rsa_keygen_type("RSA", bits, e, primes);
}

/* PKCS#8 DER of @k (new, OPENSSL_free), with @attrs attributes added. */
static unsigned char *pkcs8_der(EVP_PKEY *k, int attrs, size_t *len)
{
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k);
    unsigned char *der = NULL;
    int n;

    assert_non_null(p8);
    if (attrs) {
        assert_true(PKCS8_pkey_add1_attr_by_NID(
                        p8, NID_friendlyName, MBSTRING_ASC,
                        (const unsigned char *)"elastic", -1) == 1);
        assert_true(PKCS8_pkey_add1_attr_by_NID(
                        p8, NID_localKeyID, V_ASN1_OCTET_STRING,
                        (const unsigned char *)"\x01\x02\x03", 3) == 1);
    }
    if (attrs > 1)
        assert_true(PKCS8_pkey_add1_attr_by_NID(
                        p8, NID_pkcs9_unstructuredName, V_ASN1_INTEGER,
                        (const unsigned char *)"\x05", 1) == 1);
    n = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
    PKCS8_PRIV_KEY_INFO_free(p8);
    assert_true(n > 0);
    *len = (size_t)n;
    return der;
}

/* OpenSSL's PEM armour around @der (new). */
static char *armour(const char *label, const unsigned char *der, size_t len)
{
    BIO *b = BIO_new(BIO_s_mem());

    assert_non_null(b);
    assert_true(PEM_write_bio(b, label, "", der, (long)len) > 0);
    return bio_text(b, NULL);
}

static void key_fill(struct key *x, EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *pem;
    size_t len = 0;
    int n;

    assert_true(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) >
                0);
    pem = bio_text(b, &len);
    x->priv = secret_new(pem, len);
    free(pem);
    b = BIO_new(BIO_s_mem());
    assert_true(PEM_write_bio_PUBKEY(b, k) > 0);
    x->pub = bio_text(b, NULL);
    x->p8 = pkcs8_der(k, 0, &x->p8_len);
    x->spki = NULL;
    n = i2d_PUBKEY(k, &x->spki);
    assert_true(n > 0);
    x->spki_len = (size_t)n;
}

static int setup(void **state)
{
    EVP_PKEY *k;
    int i;

    (void)state;
    for (i = 0; i < N_KEYS; i++) {
        if (i < N_2048)
            k = rsa_keygen(2048, RSA_F4, 2);
        else if (i == K_1024)
            k = rsa_keygen(1024, RSA_F4, 2);
        else if (i == K_3072)
            k = rsa_keygen(3072, RSA_F4, 2);
        else if (i == K_4096)
            k = rsa_keygen(4096, RSA_F4, 2);
        else if (i == K_E3)
            k = rsa_keygen(2048, 3, 2);
        else
            k = rsa_keygen(2048, RSA_F4, 3);
        key_fill(&keys[i], k);
        EVP_PKEY_free(k);
    }
    return 0;
}

static int teardown(void **state)
{
    int i;

    (void)state;
    for (i = 0; i < N_KEYS; i++) {
        secret_free(keys[i].priv);
        free(keys[i].pub);
        OPENSSL_free(keys[i].p8);
        OPENSSL_free(keys[i].spki);
    }
    return 0;
}

/*
 * The oracle for private keys: what key_private_load's rules and
 * OpenSSL's decoder make of @pem (@len bytes, NUL after them): the SPKI
 * PEM PEM_write_bio_PUBKEY writes (new), or NULL for "not usable".
 */
static char *oracle_pub_of_priv(const char *pem, size_t len)
{
    const char *p = pem;
    EVP_PKEY *k;
    BIO *b;

    if (len == 0 || len > PEM_MAX)
        return NULL;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    if (strncmp(p, "-----BEGIN PRIVATE KEY-----", 27) != 0)
        return NULL;
    b = BIO_new_mem_buf(pem, (int)len);
    k = PEM_read_bio_PrivateKey(b, NULL, NULL, no_password);
    BIO_free(b);
    if (!k || !EVP_PKEY_is_a(k, "RSA")) {
        EVP_PKEY_free(k);
        return NULL;
    }
    b = BIO_new(BIO_s_mem());
    assert_true(PEM_write_bio_PUBKEY(b, k) > 0);
    EVP_PKEY_free(k);
    return bio_text(b, NULL);
}

/* The oracle for public keys: the DER OpenSSL reads from @pem (new,
 * OPENSSL_free) or NULL. */
static unsigned char *oracle_spki(const char *pem, size_t *len)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = PEM_read_bio_PUBKEY(b, NULL, NULL, no_password);
    unsigned char *der = NULL;
    int n;

    BIO_free(b);
    if (!k)
        return NULL;
    n = i2d_PUBKEY(k, &der);
    EVP_PKEY_free(k);
    assert_true(n > 0);
    *len = (size_t)n;
    return der;
}

static void hex_sha256(char out[KEY_FP_LEN], const unsigned char *d,
                       size_t n)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    int i;

    assert_non_null(SHA256(d, n, md));
    for (i = 0; i < SHA256_DIGEST_LENGTH; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* key_public_from_private and key_private_check on @pem (@len bytes)
 * answer what OpenSSL answers. */
static void check_priv(const char *pem, size_t len)
{
    struct secret *s = secret_new(pem, len);
    char *want, *got = NULL;
    int r;

    assert_non_null(s);
    want = oracle_pub_of_priv(secret_str(s), len);
    r = key_public_from_private(&got, s);
    if (want) {
        assert_int_equal(r, 0);
        assert_string_equal(got, want);
        assert_int_equal(key_private_check(s), 0);
    } else {
        assert_int_equal(r, ERR_INVALID);
        assert_null(got);
        assert_int_equal(key_private_check(s), ERR_INVALID);
    }
    free(want);
    free(got);
    secret_free(s);
}

/* key_fingerprint, and key_public_equal with @ref's SPKI PEM, on @pem
 * answer what OpenSSL answers. */
static void check_pub(const char *pem, const struct key *ref)
{
    char fp[KEY_FP_LEN], want_fp[KEY_FP_LEN];
    size_t n = 0;
    unsigned char *want = oracle_spki(pem, &n);

    if (!want) {
        assert_int_equal(key_fingerprint(pem, fp), ERR_INVALID);
        assert_int_equal(key_public_equal(pem, ref->pub), ERR_INVALID);
        assert_int_equal(key_public_equal(ref->pub, pem), ERR_INVALID);
        return;
    }
    hex_sha256(want_fp, want, n);
    assert_int_equal(key_fingerprint(pem, fp), 0);
    assert_string_equal(fp, want_fp);
    assert_int_equal(key_public_equal(pem, ref->pub),
                     n == ref->spki_len && !memcmp(want, ref->spki, n));
    assert_int_equal(key_public_equal(pem, pem), 1);
    OPENSSL_free(want);
}

/* The bytes the strict reader decodes from @pem, compared with @want. */
static void assert_fast_decode(const char *pem, const char *label,
                               const unsigned char *want, size_t want_len)
{
    unsigned char *der = NULL;
    size_t n = 0;

    assert_int_equal(key_der_pem_decode(&der, &n, pem, strlen(pem), label),
                     0);
    assert_int_equal(n, want_len);
    assert_memory_equal(der, want, n);
    key_der_free(der, n);
}

static void assert_fast_refuses(const char *pem, const char *label)
{
    unsigned char *der = NULL;
    size_t n = 0;

    assert_int_equal(key_der_pem_decode(&der, &n, pem, strlen(pem), label),
                     ERR_INVALID);
    assert_null(der);
}

static void test_same_bytes_as_openssl(void **state)
{
    char fp[KEY_FP_LEN], want_fp[KEY_FP_LEN], *pub, *pem;
    unsigned char *spki;
    size_t n;
    int i, j;

    (void)state;
    for (i = 0; i < N_KEYS; i++) {
        const struct key *x = &keys[i];

        pub = NULL;
        assert_int_equal(key_public_from_private(&pub, x->priv), 0);
        assert_string_equal(pub, x->pub);
        free(pub);
        assert_int_equal(key_private_check(x->priv), 0);
        spki = NULL;
        n = 0;
        if (i == K_3PRIME) {
            /* Version 1 keys are OpenSSL's; the answer above is too. */
            assert_int_equal(key_der_spki_from_pkcs8(&spki, &n, x->p8,
                                                     x->p8_len),
                             ERR_INVALID);
        } else {
            assert_int_equal(key_der_spki_from_pkcs8(&spki, &n, x->p8,
                                                     x->p8_len),
                             0);
            assert_int_equal(n, x->spki_len);
            assert_memory_equal(spki, x->spki, n);
        }
        key_der_free(spki, n);
        assert_fast_decode(x->pub, "PUBLIC KEY", x->spki, x->spki_len);
        assert_int_equal(key_der_spki_check(x->spki, x->spki_len), 0);
        pem = NULL;
        assert_int_equal(key_der_pem_encode(&pem, x->spki, x->spki_len,
                                            "PUBLIC KEY"),
                         0);
        assert_string_equal(pem, x->pub);
        free(pem);
        hex_sha256(want_fp, x->spki, x->spki_len);
        assert_int_equal(key_fingerprint(x->pub, fp), 0);
        assert_string_equal(fp, want_fp);
        for (j = 0; j < N_KEYS; j++)
            assert_int_equal(key_public_equal(x->pub, keys[j].pub), i == j);
    }
}

/*
 * @pem re-armoured (new): @pre, the BEGIN line, the base64 in lines of
 * @cols characters, the END line, every line ending in @eol, then @post.
 */
static char *rewrap(const char *pem, size_t cols, const char *eol,
                    const char *pre, const char *post)
{
    const char *body = strchr(pem, '\n') + 1, *end = strstr(pem, "-----END");
    size_t cap = 2 * strlen(pem) + strlen(pre) + strlen(post) + 64;
    size_t o = 0, col = 0, el = strlen(eol);
    char *s = malloc(cap);
    const char *p;

    assert_non_null(s);
    o += (size_t)snprintf(s, cap, "%s%.*s%s", pre, (int)(body - pem - 1),
                          pem, eol);
    for (p = body; p < end; p++) {
        if (*p == '\n' || *p == '\r')
            continue;
        s[o++] = *p;
        if (++col == cols) {
            memcpy(s + o, eol, el);
            o += el;
            col = 0;
        }
    }
    if (col) {
        memcpy(s + o, eol, el);
        o += el;
    }
    snprintf(s + o, cap - o, "%.*s%s%s", (int)(strchr(end, '\n') - end), end,
             eol, post);
    return s;
}

static void test_pem_layouts(void **state)
{
    static const int which[] = { 0, K_1024, K_4096, K_E3 };
    const struct key *x, *other = &keys[1];
    char *v;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
        x = &keys[which[i]];
        /* CRLF, 76 columns, both: the fast path still reads them. */
        v = rewrap(x->pub, 64, "\r\n", "", "");
        assert_fast_decode(v, "PUBLIC KEY", x->spki, x->spki_len);
        assert_int_equal(key_public_equal(v, x->pub), 1);
        assert_int_equal(key_public_equal(v, other->pub), 0);
        check_pub(v, x);
        free(v);
        v = rewrap(x->pub, 76, "\n", "", "");
        assert_fast_decode(v, "PUBLIC KEY", x->spki, x->spki_len);
        assert_int_equal(key_public_equal(x->pub, v), 1);
        check_pub(v, other);
        free(v);
        v = rewrap(x->pub, 76, "\r\n", "\n \n", "\n\t\n");
        assert_fast_decode(v, "PUBLIC KEY", x->spki, x->spki_len);
        assert_int_equal(key_public_equal(x->pub, v), 1);
        free(v);
        v = rewrap(secret_str(x->priv), 76, "\r\n", "", "");
        assert_fast_decode(v, "PRIVATE KEY", x->p8, x->p8_len);
        check_priv(v, strlen(v));
        free(v);
        /* No line feed after END: fast, and what OpenSSL says. */
        v = strdup(x->pub);
        v[strlen(v) - 1] = '\0';
        assert_fast_decode(v, "PUBLIC KEY", x->spki, x->spki_len);
        check_pub(v, x);
        check_priv(secret_str(x->priv), x->priv->len - 1);
        free(v);
    }
}

/* Armour the fast path leaves to OpenSSL; whatever OpenSSL says stands. */
static void test_odd_armour(void **state)
{
    static const struct {
        const char *pre, *post;
        size_t cols;
    } wraps[] = {
        { "  ", "", 64 },             /* BEGIN not at a line start */
        { "junk\n", "", 64 },         /* a line before BEGIN */
        { "", "junk\n", 64 },         /* text after END */
        { "", "", 80 },               /* lines longer than 76 */
        { "\r", "", 64 },             /* a lone CR before BEGIN */
    };
    const struct key *x = &keys[0];
    const char *priv = secret_str(x->priv);
    char *v, *w;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(wraps) / sizeof(wraps[0]); i++) {
        v = rewrap(x->pub, wraps[i].cols, "\n", wraps[i].pre, wraps[i].post);
        assert_fast_refuses(v, "PUBLIC KEY");
        check_pub(v, x);
        free(v);
        v = rewrap(priv, wraps[i].cols, "\n", wraps[i].pre, wraps[i].post);
        assert_fast_refuses(v, "PRIVATE KEY");
        check_priv(v, strlen(v));
        free(v);
    }
    /* A header line, an empty line, '=' inside, a wrong END label. */
    v = rewrap(x->pub, 64, "\n", "", "");
    w = malloc(strlen(v) + 64);
    assert_non_null(w);
    snprintf(w, strlen(v) + 64, "-----BEGIN PUBLIC KEY-----\nX: y\n\n%s",
             strchr(v, '\n') + 1);
    assert_fast_refuses(w, "PUBLIC KEY");
    check_pub(w, x);
    snprintf(w, strlen(v) + 64, "-----BEGIN PUBLIC KEY-----\n\n%s",
             strchr(v, '\n') + 1);
    assert_fast_refuses(w, "PUBLIC KEY");
    check_pub(w, x);
    strcpy(w, v);
    w[40] = '=';
    assert_fast_refuses(w, "PUBLIC KEY");
    check_pub(w, x);
    strcpy(w, v);
    memcpy(strstr(w, "-----END PUBLIC") + 9, "PUBLIK", 6);
    assert_fast_refuses(w, "PUBLIC KEY");
    check_pub(w, x);
    /* A NUL inside the secret: the text ends there for nobody. */
    free(w);
    w = strdup(priv);
    w[100] = '\0';
    check_priv(w, x->priv->len);
    free(w);
    free(v);
}

/* Every proper prefix of a valid DER is refused by the strict reader and
 * answered as OpenSSL answers it by the public functions. */
static void test_truncations(void **state)
{
    const struct key *x = &keys[0];
    unsigned char *cut, *spki;
    size_t len, n;
    char *pem;

    (void)state;
    for (len = 0; len < x->p8_len; len++) {
        cut = malloc(len ? len : 1);
        assert_non_null(cut);
        memcpy(cut, x->p8, len);
        spki = NULL;
        n = 0;
        assert_int_equal(key_der_spki_from_pkcs8(&spki, &n, cut, len),
                         ERR_INVALID);
        assert_null(spki);
        if (len) {
            pem = armour("PRIVATE KEY", cut, len);
            check_priv(pem, strlen(pem));
            free(pem);
        }
        free(cut);
    }
    for (len = 0; len < x->spki_len; len++) {
        cut = malloc(len ? len : 1);
        assert_non_null(cut);
        memcpy(cut, x->spki, len);
        assert_int_equal(key_der_spki_check(cut, len), ERR_INVALID);
        if (len) {
            pem = armour("PUBLIC KEY", cut, len);
            check_pub(pem, x);
            free(pem);
        }
        free(cut);
    }
}

/* Byte @i of @der (@len) changed in each of five ways: the strict reader
 * does not crash, and the public functions on its PEM (@label, @priv for
 * a private key) answer what OpenSSL answers. */
static void corrupt_at(const unsigned char *der, size_t len, size_t i,
                       const char *label, int priv)
{
    static const unsigned char flips[] = { 0x01, 0x80, 0xff };
    unsigned char *d = malloc(len);
    char *pem;
    size_t f;

    assert_non_null(d);
    for (f = 0; f < sizeof(flips) + 2; f++) {
        memcpy(d, der, len);
        if (f < sizeof(flips))
            d[i] ^= flips[f];
        else if (f == sizeof(flips))
            d[i] = 0;
        else
            d[i] = (unsigned char)(d[i] + 1);
        if (d[i] == der[i])
            continue;
        if (priv) {
            unsigned char *spki = NULL;
            size_t n = 0;

            if (key_der_spki_from_pkcs8(&spki, &n, d, len) == 0)
                key_der_free(spki, n);
        } else {
            (void)key_der_spki_check(d, len);
        }
        pem = armour(label, d, len);
        if (priv)
            check_priv(pem, strlen(pem));
        else
            check_pub(pem, &keys[0]);
        free(pem);
    }
    free(d);
}

/* Offset of e = 65537 (02 03 01 00 01) in @der, after the modulus. */
static size_t find_e(const unsigned char *der, size_t len)
{
    static const unsigned char e[] = { 0x02, 0x03, 0x01, 0x00, 0x01 };
    size_t i;

    for (i = 0; i + sizeof(e) <= len; i++)
        if (memcmp(der + i, e, sizeof(e)) == 0)
            return i;
    fail_msg("no e in the DER");
    return 0;
}

/* Single-byte corruptions across the DER headers: the outer structures
 * up to the modulus, and the end of n, e and the header of d. */
static void test_corruptions(void **state)
{
    const struct key *x = &keys[0];
    size_t i, e;

    (void)state;
    e = find_e(x->p8, x->p8_len);
    for (i = 0; i < x->p8_len; i++)
        if (i < 48 || (i + 4 >= e && i < e + 12))
            corrupt_at(x->p8, x->p8_len, i, "PRIVATE KEY", 1);
    e = find_e(x->spki, x->spki_len);
    for (i = 0; i < x->spki_len; i++)
        if (i < 40 || i + 4 >= e)
            corrupt_at(x->spki, x->spki_len, i, "PUBLIC KEY", 0);
}

/* PKCS#8 attributes: read and skipped when they are what OpenSSL keeps
 * as they are; every corruption of them still answered as OpenSSL does. */
static void test_attributes(void **state)
{
    const struct key *x = &keys[0];
    unsigned char *spki = NULL, *der;
    EVP_PKEY *k;
    size_t len, n = 0, i;
    char *pem;
    BIO *b;

    (void)state;
    b = BIO_new_mem_buf(secret_str(x->priv), -1);
    k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    assert_non_null(k);
    der = pkcs8_der(k, 1, &len);
    assert_true(len > x->p8_len);
    assert_int_equal(key_der_spki_from_pkcs8(&spki, &n, der, len), 0);
    assert_int_equal(n, x->spki_len);
    assert_memory_equal(spki, x->spki, n);
    key_der_free(spki, n);
    pem = armour("PRIVATE KEY", der, len);
    check_priv(pem, strlen(pem));
    free(pem);
    for (i = x->p8_len - 1; i < len; i++)
        corrupt_at(der, len, i, "PRIVATE KEY", 1);
    OPENSSL_free(der);
    /* An INTEGER value is not one the fast path skips. */
    der = pkcs8_der(k, 2, &len);
    spki = NULL;
    assert_int_equal(key_der_spki_from_pkcs8(&spki, &n, der, len),
                     ERR_INVALID);
    pem = armour("PRIVATE KEY", der, len);
    check_priv(pem, strlen(pem));
    free(pem);
    OPENSSL_free(der);
    EVP_PKEY_free(k);
}

static char *pem_of(EVP_PKEY *k, int private_key)
{
    BIO *b = BIO_new(BIO_s_mem());

    if (private_key)
        assert_true(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL,
                                             NULL) > 0);
    else
        assert_true(PEM_write_bio_PUBKEY(b, k) > 0);
    return bio_text(b, NULL);
}

/* Keys that are not RSA SPKI or plain PKCS#8 RSA: OpenSSL's path. */
static void test_other_keys(void **state)
{
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY *pss = rsa_keygen_type("RSA-PSS", 2048, RSA_F4, 2);
    EVP_PKEY *rsa;
    char *pub, *v, fp[KEY_FP_LEN];
    unsigned char *der = NULL;
    size_t n = 0;
    BIO *b;

    (void)state;
    assert_non_null(ec);
    assert_non_null(pss);
    pub = pem_of(ec, 0);
    assert_int_equal(key_der_pem_decode(&der, &n, pub, strlen(pub),
                                        "PUBLIC KEY"),
                     0);
    assert_int_equal(key_der_spki_check(der, n), ERR_INVALID);
    key_der_free(der, n);
    v = rewrap(pub, 64, "\r\n", "", "");
    assert_int_equal(key_public_equal(pub, pub), 1);
    assert_int_equal(key_public_equal(v, pub), 1);
    assert_int_equal(key_public_equal(pub, keys[0].pub), 0);
    assert_int_equal(key_public_equal(keys[0].pub, v), 0);
    assert_int_equal(key_fingerprint(pub, fp), 0);
    check_pub(pub, &keys[0]);
    check_pub(v, &keys[0]);
    free(v);
    free(pub);
    v = pem_of(ec, 1);
    check_priv(v, strlen(v));
    free(v);
    pub = pem_of(pss, 0);
    check_pub(pub, &keys[0]);
    free(pub);
    v = pem_of(pss, 1);
    check_priv(v, strlen(v));
    free(v);
    EVP_PKEY_free(ec);
    EVP_PKEY_free(pss);

    /* PKCS#1 and encrypted PKCS#8: refused as before. */
    b = BIO_new_mem_buf(secret_str(keys[0].priv), -1);
    rsa = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    assert_non_null(rsa);
    b = BIO_new(BIO_s_mem());
    assert_true(PEM_write_bio_PrivateKey_traditional(b, rsa, NULL, NULL, 0,
                                                     NULL, NULL) > 0);
    v = bio_text(b, NULL);
    assert_non_null(strstr(v, "BEGIN RSA PRIVATE KEY"));
    check_priv(v, strlen(v));
    free(v);
    b = BIO_new(BIO_s_mem());
    assert_true(PEM_write_bio_PKCS8PrivateKey(b, rsa, EVP_aes_128_cbc(),
                                              "pass", 4, NULL, NULL) > 0);
    v = bio_text(b, NULL);
    check_priv(v, strlen(v));
    free(v);
    EVP_PKEY_free(rsa);
}

/* The 64 KiB limit holds on the fast path too. */
static void test_size_limit(void **state)
{
    const struct key *x = &keys[0];
    size_t len = PEM_MAX + 1;
    struct secret *s;
    char *big = malloc(len + 1), *pub = NULL;

    (void)state;
    assert_non_null(big);
    memset(big, '\n', len);
    memcpy(big, x->priv->buf, x->priv->len);
    big[len] = '\0';
    assert_fast_decode(big, "PRIVATE KEY", x->p8, x->p8_len);
    s = secret_new(big, len);
    assert_int_equal(key_public_from_private(&pub, s), ERR_INVALID);
    assert_null(pub);
    assert_int_equal(key_private_check(s), ERR_INVALID);
    secret_free(s);
    check_priv(big, PEM_MAX);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_bytes_as_openssl),
        cmocka_unit_test(test_pem_layouts),
        cmocka_unit_test(test_odd_armour),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_corruptions),
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_other_keys),
        cmocka_unit_test(test_size_limit),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
