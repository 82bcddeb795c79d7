#include "tpki.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "dcos/client.h"

static char *bio_str(BIO *b)
{
    BUF_MEM *bm = NULL;
    char *s;

    if (BIO_get_mem_ptr(b, &bm) <= 0 || !bm)
        return NULL;
    s = malloc(bm->length + 1);
    if (!s)
        return NULL;
    memcpy(s, bm->data, bm->length);
    s[bm->length] = '\0';
    return s;
}

static long g_not_before = -3600, g_not_after = 3600L * 24 * 30;

void tpki_set_leaf_validity(long not_before_s, long not_after_s)
{
    g_not_before = not_before_s;
    g_not_after = not_after_s;
}

static EVP_PKEY *ec_key(void)
{
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;

    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!e)
        return -1;
    if (X509_add_ext(x, e, -1) != 1) {
        X509_EXTENSION_free(e);
        return -1;
    }
    X509_EXTENSION_free(e);
    return 0;
}

static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer,
                       EVP_PKEY *issuer_key, long serial)
{
    X509 *x = X509_new();
    X509_NAME *n;

    if (!x)
        return NULL;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_gmtime_adj(X509_getm_notBefore(x), issuer ? g_not_before : -3600);
    X509_gmtime_adj(X509_getm_notAfter(x),
                    issuer ? g_not_after : 3600L * 24 * 30);
    X509_set_pubkey(x, key);
    n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                               (const unsigned char *)cn, -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
                               (const unsigned char *)"etls tests", -1, -1,
                               0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
    (void)issuer_key;
    return x;
}

int tpki_make(struct tpki *p, const char *ca_cn, const char *cn,
              const char *const *dns, size_t n_dns,
              const char *const *ips, size_t n_ips)
{
    EVP_PKEY *cak = NULL, *k = NULL;
    X509 *ca = NULL, *x = NULL;
    BIO *b1 = NULL, *b2 = NULL, *b3 = NULL, *b4 = NULL;
    char san[2048] = "";
    size_t i, pos = 0;
    int r = -1;

    memset(p, 0, sizeof(*p));
    cak = ec_key();
    k = ec_key();
    if (!cak || !k)
        goto out;
    ca = make_cert(cak, ca_cn, NULL, NULL, 1);
    if (!ca || add_ext(ca, ca, NID_basic_constraints, "critical,CA:TRUE") ||
        add_ext(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign") ||
        add_ext(ca, ca, NID_subject_key_identifier, "hash") ||
        X509_sign(ca, cak, EVP_sha256()) <= 0)
        goto out;
    x = make_cert(k, cn, ca, cak, 2);
    for (i = 0; i < n_dns; i++)
        pos += (size_t)snprintf(san + pos, sizeof(san) - pos, "%sDNS:%s",
                                pos ? "," : "", dns[i]);
    for (i = 0; i < n_ips; i++)
        pos += (size_t)snprintf(san + pos, sizeof(san) - pos, "%sIP:%s",
                                pos ? "," : "", ips[i]);
    if (!x || (pos && add_ext(x, ca, NID_subject_alt_name, san)) ||
        add_ext(x, ca, NID_basic_constraints, "CA:FALSE") ||
        add_ext(x, ca, NID_ext_key_usage, "serverAuth") ||
        X509_sign(x, cak, EVP_sha256()) <= 0)
        goto out;
    b1 = BIO_new(BIO_s_mem());
    b2 = BIO_new(BIO_s_mem());
    b3 = BIO_new(BIO_s_mem());
    b4 = BIO_new(BIO_s_mem());
    if (!b1 || !b2 || !b3 || !b4 || PEM_write_bio_X509(b1, ca) != 1 ||
        PEM_write_bio_X509(b2, x) != 1 ||
        PEM_write_bio_PrivateKey(b3, k, NULL, NULL, 0, NULL, NULL) != 1 ||
        PEM_write_bio_PrivateKey(b4, cak, NULL, NULL, 0, NULL, NULL) != 1)
        goto out;
    p->ca_pem = bio_str(b1);
    p->cert_pem = bio_str(b2);
    p->key_pem = bio_str(b3);
    p->ca_key_pem = bio_str(b4);
    if (p->ca_pem && p->cert_pem && p->key_pem && p->ca_key_pem)
        r = 0;
out:
    BIO_free(b4);
    BIO_free(b1);
    BIO_free(b2);
    BIO_free(b3);
    X509_free(ca);
    X509_free(x);
    EVP_PKEY_free(cak);
    EVP_PKEY_free(k);
    if (r)
        tpki_free(p);
    return r;
}

int tpki_loopback(struct tpki *p, const char *ca_cn)
{
    static const char *const dns[] = { "localhost" };
    static const char *const ips[] = { "127.0.0.1" };

    return tpki_make(p, ca_cn, "master.mesos", dns, 1, ips, 1);
}

void tpki_free(struct tpki *p)
{
    free(p->ca_pem);
    free(p->cert_pem);
    free(p->key_pem);
    free(p->ca_key_pem);
    memset(p, 0, sizeof(*p));
}

int tpki_server_up(struct tpki_server *t, const char *ca_cn,
                   fake_handler_fn h, void *arg)
{
    memset(t, 0, sizeof(*t));
    if (dcos_global_init() || tpki_loopback(&t->pki, ca_cn) ||
        fake_start(&t->srv, t->pki.cert_pem, t->pki.key_pem, h, arg))
        return -1;
    snprintf(t->url, sizeof(t->url), "https://127.0.0.1:%d",
             fake_port(t->srv));
    return 0;
}

int tpki_server_down(struct tpki_server *t)
{
    fake_stop(t->srv);
    tpki_free(&t->pki);
    dcos_global_cleanup();
    return 0;
}
