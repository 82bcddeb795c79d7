#include "common/key.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "common/err.h"
#include "common/key_der.h"
#include "common/util.h"

#define PKCS8_HEADER "-----BEGIN PRIVATE KEY-----"
#define PEM_MAX (64u * 1024u)

/* Never prompt for a passphrase: an encrypted key is simply unusable. */
static int no_password_cb(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

int key_private_load(EVP_PKEY **out, const struct secret *priv_pem)
{
    const char *p;
    BIO *b;
    EVP_PKEY *k;

    if (!priv_pem || priv_pem->len == 0 || priv_pem->len > PEM_MAX)
        return ERR_INVALID;
    p = (const char *)priv_pem->buf;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    /* The SDK reads PKCS8EncodedKeySpec: PKCS#1 would not work there. */
    if (!util_has_prefix(p, PKCS8_HEADER))
        return ERR_INVALID;
    b = BIO_new_mem_buf(priv_pem->buf, (int)priv_pem->len);
    if (!b)
        return ERR_NOMEM;
    k = PEM_read_bio_PrivateKey(b, NULL, no_password_cb, NULL);
    BIO_free(b);
    if (!k)
        return ERR_INVALID;
    if (!EVP_PKEY_is_a(k, "RSA")) {
        EVP_PKEY_free(k);
        return ERR_INVALID;
    }
    *out = k;
    return 0;
}

static int load_public(EVP_PKEY **out, const char *pem)
{
    BIO *b;
    EVP_PKEY *k;

    if (!pem)
        return ERR_INVALID;
    b = BIO_new_mem_buf(pem, -1);
    if (!b)
        return ERR_NOMEM;
    k = PEM_read_bio_PUBKEY(b, NULL, no_password_cb, NULL);
    BIO_free(b);
    if (!k)
        return ERR_INVALID;
    *out = k;
    return 0;
}

int key_public_pem(char **pub_pem, EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    BUF_MEM *bm = NULL;
    char *s;
    int r = ERR_INTERNAL;

    if (!b)
        return ERR_NOMEM;
    if (PEM_write_bio_PUBKEY(b, k) <= 0)
        goto out;
    if (BIO_get_mem_ptr(b, &bm) <= 0 || !bm)
        goto out;
    s = malloc(bm->length + 1);
    if (!s) {
        r = ERR_NOMEM;
        goto out;
    }
    memcpy(s, bm->data, bm->length);
    s[bm->length] = '\0';
    *pub_pem = s;
    r = 0;
out:
    BIO_free(b);
    return r;
}

/*
 * SPKI DER (new, key_der_free) of the PKCS#8 PEM @priv_pem by the strict
 * reader (common/key_der.h): ERR_INVALID when it is not in that form.
 */
static int private_spki(unsigned char **spki, size_t *spki_len,
                        const struct secret *priv_pem)
{
    unsigned char *der = NULL;
    size_t n = 0;
    int r;

    if (!priv_pem || priv_pem->len == 0 || priv_pem->len > PEM_MAX)
        return ERR_INVALID;
    r = key_der_pem_decode(&der, &n, (const char *)priv_pem->buf,
                           priv_pem->len, "PRIVATE KEY");
    if (r)
        return r;
    r = key_der_spki_from_pkcs8(spki, spki_len, der, n);
    key_der_free(der, n);
    return r;
}

int key_private_check(const struct secret *priv_pem)
{
    unsigned char *spki = NULL;
    size_t n = 0;
    EVP_PKEY *k = NULL;
    int r;

    r = private_spki(&spki, &n, priv_pem);
    key_der_free(spki, n);
    if (r != ERR_INVALID)
        return r;
    /* Not the fast form: OpenSSL decides. */
    r = key_private_load(&k, priv_pem);
    EVP_PKEY_free(k);
    return r;
}

int key_public_from_private(char **pub_pem, const struct secret *priv_pem)
{
    unsigned char *spki = NULL;
    size_t n = 0;
    EVP_PKEY *k = NULL;
    int r;

    r = private_spki(&spki, &n, priv_pem);
    if (r == 0) {
        r = key_der_pem_encode(pub_pem, spki, n, "PUBLIC KEY");
        key_der_free(spki, n);
        return r;
    }
    if (r != ERR_INVALID)
        return r;
    /* Not the fast form (PKCS#1, encrypted, odd armour, other keys). */
    r = key_private_load(&k, priv_pem);
    if (r)
        return r;
    r = key_public_pem(pub_pem, k);
    EVP_PKEY_free(k);
    return r;
}

/*
 * DER SubjectPublicKeyInfo of a PEM public key (new, key_der_free): the
 * strict RSA reader first, OpenSSL for anything else.  Both give the same
 * bytes for a key the strict reader accepts (DER is canonical).
 */
static int pub_der(unsigned char **der, size_t *len, const char *pem)
{
    EVP_PKEY *k = NULL;
    unsigned char *p = NULL;
    size_t dn = 0;
    int n, r;

    if (!pem)
        return ERR_INVALID;
    r = key_der_pem_decode(&p, &dn, pem, strlen(pem), "PUBLIC KEY");
    if (r == 0 && key_der_spki_check(p, dn) == 0) {
        *der = p;
        *len = dn;
        return 0;
    }
    key_der_free(p, dn);
    p = NULL;
    if (r == ERR_NOMEM)
        return r;
    r = load_public(&k, pem);
    if (r)
        return r;
    n = i2d_PUBKEY(k, &p);
    EVP_PKEY_free(k);
    if (n <= 0 || !p)
        return ERR_INVALID;
    *der = p;
    *len = (size_t)n;
    return 0;
}

int key_public_equal(const char *a_pem, const char *b_pem)
{
    unsigned char *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    int r;

    r = pub_der(&a, &na, a_pem);
    if (r == 0)
        r = pub_der(&b, &nb, b_pem);
    if (r == 0)
        r = na == nb && memcmp(a, b, na) == 0;
    key_der_free(a, na);
    key_der_free(b, nb);
    return r;
}

int key_fingerprint(const char *pub_pem, char out[KEY_FP_LEN])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[SHA256_DIGEST_LENGTH];
    unsigned char *der = NULL;
    size_t n = 0;
    int r, i;

    r = pub_der(&der, &n, pub_pem);
    if (r)
        return r;
    if (!SHA256(der, n, md)) {
        key_der_free(der, n);
        return ERR_INTERNAL;
    }
    key_der_free(der, n);
    for (i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[2 * SHA256_DIGEST_LENGTH] = '\0';
    return 0;
}
