#include "keys.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/util.h"
#include "dcos/json.h"
#include "dcos/loop.h"

#define PKCS8_HEADER "-----BEGIN PRIVATE KEY-----"
#define SECRET_MAX (64u * 1024u)

const char *dcos_sa_verdict_name(enum dcos_sa_verdict v)
{
    switch (v) {
    case DCOS_SA_OK: return "ok";
    case DCOS_SA_NOT_JSON: return "not a JSON object";
    case DCOS_SA_WRONG_UID: return "wrong uid";
    case DCOS_SA_WRONG_SCHEME: return "wrong scheme";
    case DCOS_SA_BAD_KEY: return "unusable private key";
    case DCOS_SA_BAD_ENDPOINT: return "missing login_endpoint";
    }
    return "unknown";
}

/* Never prompt for a passphrase: an encrypted key is simply unusable. */
static int no_password_cb(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

/* Load an unencrypted PKCS#8 PEM RSA private key. */
static int load_private(EVP_PKEY **out, const struct secret *pem)
{
    const char *p;
    BIO *b;
    EVP_PKEY *k;

    if (!pem || pem->len == 0 || pem->len > SECRET_MAX)
        return ERR_INVALID;
    p = (const char *)pem->buf;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    /* The SDK reads PKCS8EncodedKeySpec: PKCS#1 would not work there. */
    if (!util_has_prefix(p, PKCS8_HEADER))
        return ERR_INVALID;
    b = BIO_new_mem_buf(pem->buf, (int)pem->len);
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

static int pubkey_pem(char **out, EVP_PKEY *k)
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
    *out = s;
    r = 0;
out:
    BIO_free(b);
    return r;
}

static int privkey_pem(struct secret **out, EVP_PKEY *k)
{
    /* secmem BIO: its buffer is cleansed when freed. */
    BIO *b = BIO_new(BIO_s_secmem());
    BUF_MEM *bm = NULL;
    struct secret *s;
    int r = ERR_INTERNAL;

    if (!b)
        return ERR_NOMEM;
    if (PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) <= 0)
        goto out;
    if (BIO_get_mem_ptr(b, &bm) <= 0 || !bm)
        goto out;
    s = secret_new(bm->data, bm->length);
    if (!s) {
        r = ERR_NOMEM;
        goto out;
    }
    *out = s;
    r = 0;
out:
    BIO_free(b);
    return r;
}

int dcos_key_generate(struct secret **priv_pem, char **pub_pem)
{
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *k = NULL;
    BIGNUM *e = NULL;
    struct secret *priv = NULL;
    char *pub = NULL;
    int r = ERR_INTERNAL;

    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (!ctx)
        goto out;
    e = BN_new();
    if (!e || BN_set_word(e, RSA_F4) <= 0)
        goto out;
    if (EVP_PKEY_keygen_init(ctx) <= 0 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) <= 0 ||
        EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e) <= 0 ||
        EVP_PKEY_generate(ctx, &k) <= 0)
        goto out;
    r = privkey_pem(&priv, k);
    if (r)
        goto out;
    r = pubkey_pem(&pub, k);
    if (r)
        goto out;
    *priv_pem = priv;
    *pub_pem = pub;
    priv = NULL;
    pub = NULL;
out:
    secret_free(priv);
    free(pub);
    BN_free(e);
    EVP_PKEY_free(k);
    EVP_PKEY_CTX_free(ctx);
    return r;
}

struct keygen_job {
    dcos_keygen_fn done;
    void *payload;
    int status;
    struct secret *priv;
    char *pub;
};

static void keygen_work(void *arg)
{
    struct keygen_job *j = arg;

    j->status = dcos_key_generate(&j->priv, &j->pub);
}

static void keygen_done(void *arg, int status)
{
    struct keygen_job *j = arg;

    if (status == 0 && j->status == 0) {
        j->done(0, j->priv, j->pub, j->payload);
    } else {
        secret_free(j->priv);
        free(j->pub);
        j->done(status ? status : j->status, NULL, NULL, j->payload);
    }
    free(j);
}

int dcos_keygen_async(struct http_loop *loop, dcos_keygen_fn done,
                      void *payload)
{
    struct keygen_job *j = calloc(1, sizeof(*j));
    int r;

    if (!j)
        return ERR_NOMEM;
    j->done = done;
    j->payload = payload;
    r = http_loop_job(loop, keygen_work, keygen_done, j);
    if (r)
        free(j);
    return r;
}

int dcos_key_public_from_private(char **pub_pem,
                                 const struct secret *priv_pem)
{
    EVP_PKEY *k = NULL;
    int r;

    r = load_private(&k, priv_pem);
    if (r)
        return r;
    r = pubkey_pem(pub_pem, k);
    EVP_PKEY_free(k);
    return r;
}

/* DER SubjectPublicKeyInfo of a PEM public key (new, OPENSSL_free). */
static int pub_der(unsigned char **der, int *len, const char *pem)
{
    EVP_PKEY *k = NULL;
    unsigned char *p = NULL;
    int n, r;

    r = load_public(&k, pem);
    if (r)
        return r;
    n = i2d_PUBKEY(k, &p);
    EVP_PKEY_free(k);
    if (n <= 0 || !p)
        return ERR_INVALID;
    *der = p;
    *len = n;
    return 0;
}

int dcos_key_public_equal(const char *a_pem, const char *b_pem)
{
    unsigned char *a = NULL, *b = NULL;
    int na = 0, nb = 0, r;

    r = pub_der(&a, &na, a_pem);
    if (r == 0)
        r = pub_der(&b, &nb, b_pem);
    if (r == 0)
        r = na == nb && memcmp(a, b, (size_t)na) == 0;
    OPENSSL_free(a);
    OPENSSL_free(b);
    return r;
}

int dcos_key_fingerprint(const char *pub_pem, char out[DCOS_KEY_FP_LEN])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[SHA256_DIGEST_LENGTH];
    unsigned char *der = NULL;
    int n = 0, r, i;

    r = pub_der(&der, &n, pub_pem);
    if (r)
        return r;
    if (!SHA256(der, (size_t)n, md)) {
        OPENSSL_free(der);
        return ERR_INTERNAL;
    }
    OPENSSL_free(der);
    for (i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[2 * SHA256_DIGEST_LENGTH] = '\0';
    return 0;
}

int dcos_sa_secret_build(struct secret **value, const char *uid,
                         const struct secret *priv_pem,
                         const char *login_endpoint)
{
    EVP_PKEY *k = NULL;
    struct buf b;
    struct secret *s;
    int r;

    if (!uid || !*uid)
        return ERR_INVALID;
    r = load_private(&k, priv_pem);
    if (r)
        return r;
    EVP_PKEY_free(k);
    if (!login_endpoint)
        login_endpoint = DCOS_SA_LOGIN_ENDPOINT;
    buf_init(&b, 2 * SECRET_MAX);
    r = buf_puts(&b, "{\"scheme\":\"RS256\",\"uid\":");
    if (r == 0)
        r = dcos_json_put_string(&b, uid, strlen(uid));
    if (r == 0)
        r = buf_puts(&b, ",\"private_key\":");
    if (r == 0)
        r = dcos_json_put_string(&b, (const char *)priv_pem->buf,
                                 priv_pem->len);
    if (r == 0)
        r = buf_puts(&b, ",\"login_endpoint\":");
    if (r == 0)
        r = dcos_json_put_string(&b, login_endpoint, strlen(login_endpoint));
    if (r == 0)
        r = buf_puts(&b, "}");
    if (r == 0) {
        s = secret_new(b.data, b.len);
        if (!s)
            r = ERR_NOMEM;
        else
            *value = s;
    }
    buf_wipe_free(&b);
    return r;
}

/* A top-level string member as a secret; NULL when absent or not a
 * string.  ERR_INVALID when @v is not a JSON object. */
static int member(struct secret **out, const struct secret *v,
                  const char *key)
{
    int r = dcos_json_secret_member(out, (const char *)v->buf, v->len, key);

    if (r == ERR_NOTFOUND) {
        *out = NULL;
        return 0;
    }
    return r;
}

int dcos_sa_secret_inspect(enum dcos_sa_verdict *verdict, char **uid_out,
                           char **pub_pem, const struct secret *value,
                           const char *expected_uid)
{
    struct secret *uid = NULL, *scheme = NULL, *key = NULL, *end = NULL;
    EVP_PKEY *k = NULL;
    char *uid_s = NULL, *pub = NULL;
    enum dcos_sa_verdict v;
    int r = 0;

    if (!value || value->len > 2 * SECRET_MAX) {
        v = DCOS_SA_NOT_JSON;
        goto done;
    }
    r = member(&uid, value, "uid");
    if (r == ERR_INVALID) {
        r = 0;
        v = DCOS_SA_NOT_JSON;
        goto done;
    }
    if (r == 0)
        r = member(&scheme, value, "scheme");
    if (r == 0)
        r = member(&key, value, "private_key");
    if (r == 0)
        r = member(&end, value, "login_endpoint");
    if (r)
        goto out;
    if (uid) {
        uid_s = strdup(secret_str(uid));
        if (!uid_s) {
            r = ERR_NOMEM;
            goto out;
        }
    }
    /*
     * The key decides first: an unusable key is a lost key whatever else
     * is wrong.  A usable key with a wrong uid, scheme or endpoint can be
     * kept and the JSON rewritten around it, so its public key is returned
     * with those verdicts too.
     */
    if (!key) {
        v = DCOS_SA_BAD_KEY;
        goto done;
    }
    r = load_private(&k, key);
    if (r == ERR_NOMEM)
        goto out;
    if (r) {
        r = 0;
        v = DCOS_SA_BAD_KEY;
        goto done;
    }
    r = pubkey_pem(&pub, k);
    if (r)
        goto out;
    if (expected_uid && (!uid_s || strcmp(uid_s, expected_uid) != 0))
        v = DCOS_SA_WRONG_UID;
    else if (!scheme || strcmp(secret_str(scheme), "RS256") != 0)
        v = DCOS_SA_WRONG_SCHEME;
    else
        v = end && end->len > 0 ? DCOS_SA_OK : DCOS_SA_BAD_ENDPOINT;
done:
    *verdict = v;
    if (uid_out) {
        *uid_out = uid_s;
        uid_s = NULL;
    }
    if (pub_pem) {
        *pub_pem = pub;
        pub = NULL;
    }
out:
    free(uid_s);
    free(pub);
    EVP_PKEY_free(k);
    secret_free(uid);
    secret_free(scheme);
    secret_free(key);
    secret_free(end);
    return r;
}

int dcos_sa_secret_rewrite(struct secret **value, const struct secret *old,
                           const char *uid, const char *login_endpoint)
{
    struct secret *key = NULL;
    int r;

    if (!old || old->len > 2 * SECRET_MAX)
        return ERR_INVALID;
    r = member(&key, old, "private_key");
    if (r)
        return r;
    if (!key)
        return ERR_INVALID;
    r = dcos_sa_secret_build(value, uid, key, login_endpoint);
    secret_free(key);
    return r;
}

int dcos_jwt_rs256(struct secret **jwt, const char *uid,
                   const struct secret *priv_pem, long exp)
{
    static const char header[] = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
    EVP_PKEY *k = NULL;
    EVP_MD_CTX *md = NULL;
    struct buf claims, input;
    unsigned char *sig = NULL;
    size_t siglen = 0;
    char *h64 = NULL, *c64 = NULL, *s64 = NULL;
    struct secret *out = NULL;
    int r;

    buf_init(&claims, 4096);
    buf_init(&input, 16384);
    if (!uid || !*uid)
        return ERR_INVALID;
    r = load_private(&k, priv_pem);
    if (r)
        return r;
    r = buf_puts(&claims, "{\"uid\":");
    if (r == 0)
        r = dcos_json_put_string(&claims, uid, strlen(uid));
    if (r == 0)
        r = buf_printf(&claims, ",\"exp\":%ld}", exp);
    if (r)
        goto out;
    h64 = util_b64url_encode(header, strlen(header));
    c64 = util_b64url_encode(claims.data, claims.len);
    if (!h64 || !c64) {
        r = ERR_NOMEM;
        goto out;
    }
    r = buf_printf(&input, "%s.%s", h64, c64);
    if (r)
        goto out;
    r = ERR_INTERNAL;
    md = EVP_MD_CTX_new();
    if (!md)
        goto out;
    if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) <= 0)
        goto out;
    if (EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)input.data,
                       input.len) <= 0)
        goto out;
    sig = malloc(siglen);
    if (!sig) {
        r = ERR_NOMEM;
        goto out;
    }
    if (EVP_DigestSign(md, sig, &siglen, (const unsigned char *)input.data,
                       input.len) <= 0)
        goto out;
    s64 = util_b64url_encode(sig, siglen);
    if (!s64) {
        r = ERR_NOMEM;
        goto out;
    }
    r = buf_printf(&input, ".%s", s64);
    if (r)
        goto out;
    out = secret_new(input.data, input.len);
    if (!out) {
        r = ERR_NOMEM;
        goto out;
    }
    *jwt = out;
    r = 0;
out:
    free(h64);
    free(c64);
    /* The signature is what makes the token a credential. */
    secret_wipe_str(s64);
    if (sig)
        OPENSSL_cleanse(sig, siglen);
    free(sig);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(k);
    buf_free(&claims);
    buf_wipe_free(&input);
    return r;
}
