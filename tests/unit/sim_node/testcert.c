/* Throw-away CA and leaf certificates for the sim node tests and bench. */
#include "testcert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Keys in the pool tests/data/pki/rsa-<1..N>.pem. */
#define TEST_KEY_POOL 6

/*
 * A new RSA-2048 key (free with EVP_PKEY_free) or NULL.  The first
 * TEST_KEY_POOL calls of a process read the throw-away keys of
 * tests/data/pki/ in turn, later ones generate: generating the keys was
 * most of test_sim_node's time under valgrind, and no test is about key
 * generation.  Every key is handed out once, so no two certificates of a
 * process share a key.  Not thread-safe (the tests build their PKI on one
 * thread).
 */
static EVP_PKEY *key_new(void)
{
#ifdef ETLS_TEST_DATA
    static int next = 1;
    char path[512];
    EVP_PKEY *k;
    FILE *f;

    while (next <= TEST_KEY_POOL) {
        snprintf(path, sizeof(path), "%s/pki/rsa-%d.pem", ETLS_TEST_DATA,
                 next++);
        f = fopen(path, "r");
        if (!f)
            break;
        k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
        if (k)
            return k;
    }
#endif
    return EVP_RSA_gen(2048);
}

/* PEM of @x (new string) or NULL. */
static char *cert_pem(X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data, *out = NULL;
    long len;

    if (!b)
        return NULL;
    if (PEM_write_bio_X509(b, x) == 1) {
        len = BIO_get_mem_data(b, &data);
        out = len > 0 ? malloc((size_t)len + 1) : NULL;
        if (out) {
            memcpy(out, data, (size_t)len);
            out[len] = '\0';
        }
    }
    BIO_free(b);
    return out;
}

/* PKCS#8 PEM of @k (new string) or NULL; the BIO is cleansed. */
static char *key_pem(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_secmem());
    char *data, *out = NULL;
    long len;

    if (!b)
        return NULL;
    if (PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1) {
        len = BIO_get_mem_data(b, &data);
        out = len > 0 ? malloc((size_t)len + 1) : NULL;
        if (out) {
            memcpy(out, data, (size_t)len);
            out[len] = '\0';
        }
    }
    BIO_free(b);
    return out;
}

/* Add extension @nid = @value to @x, issued by @issuer. */
static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;
    int ok;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!e)
        return -1;
    ok = X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok == 1 ? 0 : -1;
}

/* Fill the fields every certificate has: version, serial, validity,
 * public key, subject "O=etls tests, CN=@cn" and issuer. */
static int cert_base(X509 *x, EVP_PKEY *key, const char *cn, X509 *issuer,
                     long serial)
{
    X509_NAME *name = X509_get_subject_name(x);

    if (X509_set_version(x, 2) != 1 ||
        ASN1_INTEGER_set(X509_get_serialNumber(x), serial) != 1 ||
        !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 30) ||
        X509_set_pubkey(x, key) != 1 ||
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                   (const unsigned char *)"etls tests", -1,
                                   -1, 0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   (const unsigned char *)cn, -1, -1,
                                   0) != 1 ||
        X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer)
                                       : name) != 1)
        return -1;
    return 0;
}

/* Self-signed CA certificate for @key (new) or NULL. */
static X509 *make_ca(EVP_PKEY *key, const char *cn)
{
    X509 *x = X509_new();

    if (!x)
        return NULL;
    if (cert_base(x, key, cn, NULL, 1) ||
        add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") ||
        add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") ||
        add_ext(x, x, NID_subject_key_identifier, "hash") ||
        X509_sign(x, key, EVP_sha256()) <= 0) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* Server certificate for @key issued by @ca (key @cakey) with the SAN
 * extension value @san ("" = none); new or NULL. */
static X509 *make_leaf(EVP_PKEY *key, const char *cn, const char *san,
                       X509 *ca, EVP_PKEY *cakey)
{
    X509 *x = X509_new();

    if (!x)
        return NULL;
    if (cert_base(x, key, cn, ca, 2) ||
        add_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE") ||
        add_ext(x, ca, NID_key_usage,
                "critical,digitalSignature,keyEncipherment") ||
        add_ext(x, ca, NID_ext_key_usage, "serverAuth") ||
        (san[0] && add_ext(x, ca, NID_subject_alt_name, san)) ||
        add_ext(x, ca, NID_authority_key_identifier, "keyid:always") ||
        X509_sign(x, cakey, EVP_sha256()) <= 0) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* "DNS:a,DNS:b" of @sans into @san (@n bytes).  Returns 0 or -1. */
static int san_value(char *san, size_t n, const char *const *sans,
                     size_t nsans)
{
    size_t i, o = 0;

    san[0] = '\0';
    for (i = 0; i < nsans; i++) {
        int w = snprintf(san + o, n - o, "%sDNS:%s", i ? "," : "", sans[i]);

        if (w < 0 || (size_t)w >= n - o)
            return -1;
        o += (size_t)w;
    }
    return 0;
}

int test_pki_new(struct test_pki *out, const char *ca_cn, const char *cn,
                 const char *const *sans, size_t nsans)
{
    EVP_PKEY *cakey = NULL, *key = NULL;
    X509 *ca = NULL, *leaf = NULL;
    char san[2048];
    int r = -1;

    memset(out, 0, sizeof(*out));
    if (san_value(san, sizeof(san), sans, nsans) != 0)
        return -1;
    cakey = key_new();
    key = key_new();
    if (!cakey || !key)
        goto out;
    ca = make_ca(cakey, ca_cn);
    if (!ca)
        goto out;
    leaf = make_leaf(key, cn, san, ca, cakey);
    if (!leaf)
        goto out;
    out->ca_pem = cert_pem(ca);
    out->leaf_pem = cert_pem(leaf);
    out->key_pem = key_pem(key);
    out->ca_key_pem = key_pem(cakey);
    if (!out->ca_pem || !out->leaf_pem || !out->key_pem || !out->ca_key_pem)
        goto out;
    out->chain_pem = malloc(strlen(out->leaf_pem) + strlen(out->ca_pem) + 1);
    if (!out->chain_pem)
        goto out;
    strcpy(out->chain_pem, out->leaf_pem);
    strcat(out->chain_pem, out->ca_pem);
    r = 0;
out:
    if (r)
        test_pki_free(out);
    X509_free(leaf);
    X509_free(ca);
    EVP_PKEY_free(key);
    EVP_PKEY_free(cakey);
    return r;
}

int test_pki_leaf(const struct test_pki *pki, const char *cn,
                  const char *const *sans, size_t nsans, char **leaf_pem,
                  char **key_pem_out)
{
    BIO *cb = BIO_new_mem_buf(pki->ca_pem, -1);
    BIO *kb = BIO_new_mem_buf(pki->ca_key_pem, -1);
    X509 *ca = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
    EVP_PKEY *cakey = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL)
                         : NULL;
    EVP_PKEY *key = NULL;
    X509 *leaf = NULL;
    char san[2048];
    int r = -1;

    *leaf_pem = *key_pem_out = NULL;
    if (!ca || !cakey || san_value(san, sizeof(san), sans, nsans) != 0)
        goto out;
    key = key_new();
    leaf = key ? make_leaf(key, cn, san, ca, cakey) : NULL;
    if (!leaf)
        goto out;
    *leaf_pem = cert_pem(leaf);
    *key_pem_out = key_pem(key);
    if (*leaf_pem && *key_pem_out)
        r = 0;
out:
    if (r) {
        free(*leaf_pem);
        free(*key_pem_out);
        *leaf_pem = *key_pem_out = NULL;
    }
    X509_free(leaf);
    EVP_PKEY_free(key);
    EVP_PKEY_free(cakey);
    X509_free(ca);
    BIO_free(kb);
    BIO_free(cb);
    return r;
}

void test_pki_free(struct test_pki *p)
{
    if (!p)
        return;
    free(p->ca_pem);
    free(p->chain_pem);
    free(p->leaf_pem);
    if (p->key_pem) {
        OPENSSL_cleanse(p->key_pem, strlen(p->key_pem));
        free(p->key_pem);
    }
    if (p->ca_key_pem) {
        OPENSSL_cleanse(p->ca_key_pem, strlen(p->ca_key_pem));
        free(p->ca_key_pem);
    }
    memset(p, 0, sizeof(*p));
}

char *test_write_pem(const char *dir, const char *name, const char *pem)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    FILE *f;
    size_t n;

    if (!path)
        return NULL;
    snprintf(path, len, "%s/%s", dir, name);
    f = fopen(path, "w");
    if (!f) {
        free(path);
        return NULL;
    }
    n = fwrite(pem, 1, strlen(pem), f);
    if (fclose(f) != 0 || n != strlen(pem)) {
        free(path);
        return NULL;
    }
    return path;
}
