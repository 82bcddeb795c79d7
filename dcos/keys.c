#include "keys.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonscan.h"
#include "common/key.h"
#include "common/util.h"
#include "dcos/loop.h"

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
    r = key_public_pem(&pub, k);
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
    r = key_private_load(&k, priv_pem);
    if (r)
        return r;
    r = buf_puts(&claims, "{\"uid\":");
    if (r == 0)
        r = jsonscan_put_string(&claims, uid, strlen(uid));
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
