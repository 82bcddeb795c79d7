/*
 * dcos-sim PKI: the cluster CA (persisted in the state directory), the
 * master API server certificate and leaf certificates for other modules.
 *
 * The CA is RSA 2048 like the DC/OS CA.  Leaf keys are EC P-256: they are
 * issued while the sim lock is held (SDK node restarts), and an EC key takes
 * microseconds where an RSA 2048 key can take a hundred milliseconds.
 */
#include "sim/pki.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/secret.h"
#include "common/util.h"
#include "sim/state.h"

#define PKI_VALID_DAYS 3650
#define PKI_PEM_MAX (64 * 1024)

/* New malloc'ed copy of the contents of a memory BIO. */
static char *bio_to_str(BIO *bio)
{
    char *data = NULL, *out;
    long n = BIO_get_mem_data(bio, &data);

    if (n < 0 || !data)
        return NULL;
    out = malloc((size_t)n + 1);
    if (!out)
        return NULL;
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    return out;
}

/* PKCS#8 PEM of @key (new; the caller wipes it). */
static char *key_to_pem(EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_secmem());
    char *out = NULL;

    if (!bio)
        return NULL;
    if (PEM_write_bio_PKCS8PrivateKey(bio, key, NULL, NULL, 0, NULL,
                                      NULL) > 0)
        out = bio_to_str(bio);
    BIO_free(bio);
    return out;
}

/* PEM of @cert (new). */
static char *x509_to_pem(X509 *cert)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *out = NULL;

    if (!bio)
        return NULL;
    if (PEM_write_bio_X509(bio, cert) > 0)
        out = bio_to_str(bio);
    BIO_free(bio);
    return out;
}

static int set_random_serial(X509 *cert)
{
    BIGNUM *bn = BN_new();
    int ok = 0;

    if (bn && BN_rand(bn, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) > 0 &&
        BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)))
        ok = 1;
    BN_free(bn);
    return ok;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext)
        return 0;
    ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

static int add_name(X509_NAME *name, const char *field, const char *value)
{
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      (const unsigned char *)value, -1, -1,
                                      0) == 1;
}

/* Validity from one hour ago (clock skew) to @days days from now. */
static int set_validity(X509 *cert, long days)
{
    return X509_gmtime_adj(X509_getm_notBefore(cert), -3600) &&
           X509_time_adj_ex(X509_getm_notAfter(cert), (int)days, 0, NULL);
}

static EVP_PKEY *gen_rsa2048(void)
{
    return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
}

static EVP_PKEY *gen_p256(void)
{
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static int path_join(char *out, size_t n, const char *dir, const char *name)
{
    return snprintf(out, n, "%s/%s", dir, name) < (int)n;
}

/*
 * The private key (@key) or else the certificate in the PEM file @path
 * (new), or NULL with @e set.  The file's text is cleansed after use.
 */
static void *read_pem_file(const char *path, bool key, struct err_info *e)
{
    char *pem = NULL;
    size_t len = 0;
    void *obj = NULL;
    BIO *bio;
    int r;

    r = util_read_file(&pem, &len, path, PKI_PEM_MAX);
    if (r) {
        err_set(e, r, "cannot read %s", path);
        return NULL;
    }
    bio = BIO_new_mem_buf(pem, (int)len);
    if (bio && key)
        obj = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    else if (bio)
        obj = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    OPENSSL_cleanse(pem, len);
    free(pem);
    if (!obj)
        err_set(e, ERR_INVALID,
                key ? "%s holds no usable private key"
                    : "%s holds no certificate",
                path);
    return obj;
}

static int write_key_file(EVP_PKEY *key, const char *path,
                          struct err_info *e)
{
    char *pem = key_to_pem(key);
    int r;

    if (!pem)
        return err_set(e, ERR_NOMEM, "cannot encode private key");
    r = util_write_file_atomic(path, pem, strlen(pem), 0600);
    secret_wipe_str(pem);
    if (r)
        return err_set(e, r, "cannot write %s", path);
    return 0;
}

/* See pki.h. */
int sim_pki_load_or_create_key(void **out, const char *path,
                               struct err_info *e)
{
    struct stat st;
    EVP_PKEY *key;

    if (stat(path, &st) == 0) {
        key = read_pem_file(path, true, e);
        if (!key)
            return e ? e->code : ERR_INVALID;
        if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
            EVP_PKEY_free(key);
            return err_set(e, ERR_INVALID, "%s is not an RSA key", path);
        }
        *out = key;
        return 0;
    }
    key = gen_rsa2048();
    if (!key)
        return err_set(e, ERR_INTERNAL, "RSA key generation failed");
    if (write_key_file(key, path, e)) {
        EVP_PKEY_free(key);
        return e ? e->code : ERR_INTERNAL;
    }
    *out = key;
    return 0;
}

/* See pki.h. */
void sim_pki_key_free(void *key)
{
    EVP_PKEY_free(key);
}

static X509 *ca_create(EVP_PKEY *key)
{
    X509 *x = X509_new();
    X509_NAME *name;
    char *uuid = sim_uuid();
    char cn[96];
    int ok = 0;

    if (!x || !uuid)
        goto out;
    snprintf(cn, sizeof(cn), "DC/OS Root CA %s", uuid);
    name = X509_get_subject_name(x);
    if (X509_set_version(x, 2) != 1 || !set_random_serial(x) ||
        !set_validity(x, PKI_VALID_DAYS) || X509_set_pubkey(x, key) != 1 ||
        !add_name(name, "C", "US") || !add_name(name, "ST", "CA") ||
        !add_name(name, "L", "San Francisco") ||
        !add_name(name, "O", "Mesosphere, Inc.") ||
        !add_name(name, "CN", cn) || X509_set_issuer_name(x, name) != 1)
        goto out;
    if (!add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") ||
        !add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !add_ext(x, x, NID_subject_key_identifier, "hash") ||
        !add_ext(x, x, NID_authority_key_identifier, "keyid:always"))
        goto out;
    if (X509_sign(x, key, EVP_sha256()) <= 0)
        goto out;
    ok = 1;
out:
    free(uuid);
    if (!ok) {
        X509_free(x);
        x = NULL;
    }
    return x;
}

/* See pki.h. */
int sim_pki_init(struct sim *s, struct err_info *e)
{
    char key_path[PATH_MAX], crt_path[PATH_MAX];
    struct stat st;
    int have_key, have_crt, r = 0;
    EVP_PKEY *key = NULL;
    X509 *x = NULL;
    char *pem = NULL, *crt_abs = NULL;

    if (!path_join(key_path, sizeof(key_path), s->opt.state_dir,
                   "ca.key") ||
        !path_join(crt_path, sizeof(crt_path), s->opt.state_dir, "ca.crt"))
        return err_set(e, ERR_INVALID, "state directory path too long");
    have_key = stat(key_path, &st) == 0;
    have_crt = stat(crt_path, &st) == 0;
    if (have_key != have_crt)
        return err_set(e, ERR_INVALID, "%s exists without %s",
                       have_key ? key_path : crt_path,
                       have_key ? crt_path : key_path);
    if (have_key) {
        key = read_pem_file(key_path, true, e);
        if (!key) {
            r = e ? e->code : ERR_INVALID;
            goto out;
        }
        x = read_pem_file(crt_path, false, e);
        if (!x) {
            r = e ? e->code : ERR_INVALID;
            goto out;
        }
        if (X509_check_private_key(x, key) != 1) {
            r = err_set(e, ERR_INVALID, "%s does not match %s", crt_path,
                        key_path);
            goto out;
        }
    } else {
        key = gen_rsa2048();
        if (!key) {
            r = err_set(e, ERR_INTERNAL, "CA key generation failed");
            goto out;
        }
        x = ca_create(key);
        if (!x) {
            r = err_set(e, ERR_INTERNAL, "CA certificate creation failed");
            goto out;
        }
    }
    pem = x509_to_pem(x);
    if (!pem) {
        r = err_set(e, ERR_NOMEM, "cannot encode CA certificate");
        goto out;
    }
    if (!have_key) {
        r = write_key_file(key, key_path, e);
        if (r)
            goto out;
        r = util_write_file_atomic(crt_path, pem, strlen(pem), 0644);
        if (r) {
            err_set(e, r, "cannot write %s", crt_path);
            goto out;
        }
    }
    crt_abs = strdup(crt_path);
    if (!crt_abs) {
        r = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    s->ca_key = key;
    s->ca_x509 = x;
    s->ca_cert_pem = pem;
    s->ca_cert_path = crt_abs;
    return 0;
out:
    EVP_PKEY_free(key);
    X509_free(x);
    free(pem);
    return r;
}

/* See pki.h. */
void sim_pki_free(struct sim *s)
{
    EVP_PKEY_free(s->ca_key);
    X509_free(s->ca_x509);
    free(s->ca_cert_pem);
    free(s->ca_cert_path);
    s->ca_key = NULL;
    s->ca_x509 = NULL;
    s->ca_cert_pem = NULL;
    s->ca_cert_path = NULL;
}

static int add_sans(X509 *x, const char *const *dns, size_t n_dns,
                    const char *const *ips, size_t n_ips)
{
    GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
    size_t i;
    int ok = 0;

    if (!gens)
        return 0;
    for (i = 0; i < n_dns; i++) {
        GENERAL_NAME *g = GENERAL_NAME_new();
        ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();

        if (!g || !ia5 || !dns[i] || !*dns[i] ||
            ASN1_STRING_set(ia5, dns[i], -1) != 1) {
            GENERAL_NAME_free(g);
            ASN1_IA5STRING_free(ia5);
            goto out;
        }
        GENERAL_NAME_set0_value(g, GEN_DNS, ia5);
        if (!sk_GENERAL_NAME_push(gens, g)) {
            GENERAL_NAME_free(g);
            goto out;
        }
    }
    for (i = 0; i < n_ips; i++) {
        ASN1_OCTET_STRING *ip = ips[i] ? a2i_IPADDRESS(ips[i]) : NULL;
        GENERAL_NAME *g;

        if (!ip)
            goto out;
        g = GENERAL_NAME_new();
        if (!g) {
            ASN1_OCTET_STRING_free(ip);
            goto out;
        }
        GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
        if (!sk_GENERAL_NAME_push(gens, g)) {
            GENERAL_NAME_free(g);
            goto out;
        }
    }
    ok = X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
                           X509V3_ADD_DEFAULT) == 1;
out:
    GENERAL_NAMES_free(gens);
    return ok;
}

/* notAfter = min(now + 10 years, CA notAfter). */
static int leaf_validity(X509 *x, X509 *ca)
{
    if (!set_validity(x, PKI_VALID_DAYS))
        return 0;
    if (ASN1_TIME_compare(X509_get0_notAfter(x), X509_get0_notAfter(ca)) >
        0)
        return X509_set1_notAfter(x, X509_get0_notAfter(ca)) == 1;
    return 1;
}

/* See pki.h. */
int sim_pki_issue(struct sim *s, const char *cn, const char *const *dns,
                  size_t n_dns, const char *const *ips, size_t n_ips,
                  char **cert_pem, char **key_pem)
{
    EVP_PKEY *key = NULL;
    X509 *x = NULL, *ca = s->ca_x509;
    X509_NAME *name;
    char *cpem = NULL, *kpem = NULL;
    int r = ERR_INTERNAL;

    if (!cn || !*cn || !ca || !s->ca_key)
        return ERR_INVALID;
    key = gen_p256();
    x = X509_new();
    if (!key || !x)
        goto out;
    name = X509_get_subject_name(x);
    if (X509_set_version(x, 2) != 1 || !set_random_serial(x) ||
        !leaf_validity(x, ca) || X509_set_pubkey(x, key) != 1 ||
        !add_name(name, "O", "Mesosphere, Inc") || !add_name(name, "CN", cn) ||
        X509_set_issuer_name(x, X509_get_subject_name(ca)) != 1)
        goto out;
    if (!add_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE") ||
        !add_ext(x, ca, NID_key_usage,
                 "critical,digitalSignature,keyEncipherment") ||
        !add_ext(x, ca, NID_ext_key_usage, "serverAuth,clientAuth") ||
        !add_ext(x, ca, NID_subject_key_identifier, "hash") ||
        !add_ext(x, ca, NID_authority_key_identifier, "keyid:always"))
        goto out;
    if (!add_sans(x, dns, n_dns, ips, n_ips)) {
        r = ERR_INVALID;
        goto out;
    }
    if (X509_sign(x, s->ca_key, EVP_sha256()) <= 0)
        goto out;
    cpem = x509_to_pem(x);
    kpem = key_to_pem(key);
    if (!cpem || !kpem) {
        r = ERR_NOMEM;
        goto out;
    }
    *cert_pem = cpem;
    *key_pem = kpem;
    cpem = kpem = NULL;
    r = 0;
out:
    free(cpem);
    secret_wipe_str(kpem);
    X509_free(x);
    EVP_PKEY_free(key);
    return r;
}

/* See pki.h. */
int sim_pki_server_cert(struct sim *s, const char *listen_ip,
                        char **chain_pem, char **key_pem,
                        struct err_info *e)
{
    static const char *const dns[] = {"localhost", "master.mesos",
                                      "leader.mesos"};
    const char *ips[2] = {"127.0.0.1", NULL};
    size_t n_ips = 1, leaf_len, ca_len;
    char *leaf = NULL, *key = NULL, *chain;
    int r;

    if (listen_ip && strcmp(listen_ip, "127.0.0.1") != 0)
        ips[n_ips++] = listen_ip;
    r = sim_pki_issue(s, "master.mesos", dns, 3, ips, n_ips, &leaf, &key);
    if (r)
        return err_set(e, r, "cannot issue the server certificate");
    leaf_len = strlen(leaf);
    ca_len = strlen(s->ca_cert_pem);
    chain = malloc(leaf_len + ca_len + 1);
    if (!chain) {
        free(leaf);
        secret_wipe_str(key);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    memcpy(chain, leaf, leaf_len);
    memcpy(chain + leaf_len, s->ca_cert_pem, ca_len + 1);
    free(leaf);
    *chain_pem = chain;
    *key_pem = key;
    return 0;
}
