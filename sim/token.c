/*
 * dcos-sim login tokens: issue and verify the RS256 JWTs of DC/OS logins.
 * See token.h.
 */
#include "sim/token.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "common/buf.h"
#include "common/util.h"
#include "sim/state.h"

#define TOKEN_MAX 8192
/* Tokens whose signature was verified, remembered by their SHA-256: a
 * client sends the same token with every request, and the RS256 check
 * was 7 % of the sim's CPU in a plan of 1,000 services. */
#define VERIFIED_MAX 16

struct verified {
    unsigned char digest[32];
    char uid[256];
    double exp;
    const void *key; /* the signing key it was checked against */
};

static pthread_mutex_t verified_lock = PTHREAD_MUTEX_INITIALIZER;
static struct verified verified[VERIFIED_MAX];
static unsigned verified_next;

static char *b64url_json(json_t *o)
{
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS), *out;

    if (!text)
        return NULL;
    out = util_b64url_encode(text, strlen(text));
    free(text);
    return out;
}

/* See token.h. */
char *sim_token_issue(struct sim *s, const char *uid)
{
    json_t *hdr = NULL, *pl = NULL;
    char *h = NULL, *p = NULL, *sig64 = NULL, *out = NULL;
    unsigned char *sig = NULL;
    size_t siglen = 0;
    struct buf signing;
    EVP_MD_CTX *md = NULL;
    long long exp;

    buf_init(&signing, TOKEN_MAX);
    if (!s->token_key || !uid)
        return NULL;
    /* Round up: "exp" has whole seconds, and a token must live at least
     * --token-ttl seconds (with ttl 1 a truncated exp could expire at once). */
    exp = (long long)ceil(util_now_wall()) + s->opt.token_ttl;
    hdr = json_pack("{s:s,s:s}", "alg", "RS256", "typ", "JWT");
    pl = json_pack("{s:s,s:I}", "uid", uid, "exp", (json_int_t)exp);
    if (!hdr || !pl)
        goto out;
    h = b64url_json(hdr);
    p = b64url_json(pl);
    if (!h || !p || buf_printf(&signing, "%s.%s", h, p))
        goto out;
    md = EVP_MD_CTX_new();
    if (!md ||
        EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, s->token_key) <= 0 ||
        EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)signing.data,
                       signing.len) <= 0)
        goto out;
    sig = malloc(siglen);
    if (!sig ||
        EVP_DigestSign(md, sig, &siglen, (const unsigned char *)signing.data,
                       signing.len) <= 0)
        goto out;
    sig64 = util_b64url_encode(sig, siglen);
    if (!sig64 || buf_printf(&signing, ".%s", sig64))
        goto out;
    out = buf_detach(&signing);
out:
    EVP_MD_CTX_free(md);
    free(sig);
    free(sig64);
    free(h);
    free(p);
    json_decref(hdr);
    json_decref(pl);
    buf_wipe_free(&signing);
    return out;
}

/* Decode a base64url JSON object; new or NULL. */
static json_t *b64url_json_decode(const char *s, size_t len)
{
    char *part = strndup(s, len);
    unsigned char *raw;
    size_t raw_len = 0;
    json_t *o = NULL;

    if (!part)
        return NULL;
    raw = util_b64url_decode(part, &raw_len);
    free(part);
    if (raw)
        o = json_loadb((const char *)raw, raw_len, JSON_REJECT_DUPLICATES,
                       NULL);
    free(raw);
    if (o && !json_is_object(o)) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

static char *token_verify_full(struct sim *s, const char *token,
                               const unsigned char tmd[32]);

/* The uid of @token when it was verified against @key and has not expired
 * (new string), else NULL. */
static char *verified_uid(const unsigned char md[32], const void *key)
{
    char *uid = NULL;
    size_t i;

    pthread_mutex_lock(&verified_lock);
    for (i = 0; i < VERIFIED_MAX && !uid; i++)
        if (verified[i].key == key &&
            memcmp(verified[i].digest, md, 32) == 0 &&
            verified[i].exp > util_now_wall())
            uid = strdup(verified[i].uid);
    pthread_mutex_unlock(&verified_lock);
    return uid;
}

static void verified_add(const unsigned char md[32], const void *key,
                         const char *uid, double exp)
{
    struct verified *v;

    if (strlen(uid) >= sizeof(v->uid))
        return;
    pthread_mutex_lock(&verified_lock);
    v = &verified[verified_next++ % VERIFIED_MAX];
    memcpy(v->digest, md, 32);
    strcpy(v->uid, uid);
    v->exp = exp;
    v->key = key;
    pthread_mutex_unlock(&verified_lock);
}

/* See token.h. */
char *sim_token_verify(struct sim *s, const char *token)
{
    unsigned char tmd[32];
    char *hit;

    if (!s->token_key || !token || strlen(token) > TOKEN_MAX ||
        !EVP_Digest(token, strlen(token), tmd, NULL, EVP_sha256(), NULL))
        return NULL;
    hit = verified_uid(tmd, s->token_key);
    if (hit)
        return hit;
    return token_verify_full(s, token, tmd);
}

/* The whole check of @token (digest @tmd), remembered when it passes. */
static char *token_verify_full(struct sim *s, const char *token,
                               const unsigned char tmd[32])
{
    const char *d1, *d2;
    json_t *hdr = NULL, *pl = NULL, *exp;
    unsigned char *sig = NULL;
    size_t siglen = 0;
    EVP_MD_CTX *md = NULL;
    char *uid = NULL;
    const char *alg, *u;

    d1 = strchr(token, '.');
    d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d2 || strchr(d2 + 1, '.'))
        return NULL;
    hdr = b64url_json_decode(token, (size_t)(d1 - token));
    pl = b64url_json_decode(d1 + 1, (size_t)(d2 - d1 - 1));
    sig = util_b64url_decode(d2 + 1, &siglen);
    if (!hdr || !pl || !sig || !siglen)
        goto out;
    alg = json_string_value(json_object_get(hdr, "alg"));
    if (!alg || strcmp(alg, "RS256") != 0)
        goto out;
    md = EVP_MD_CTX_new();
    if (!md ||
        EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, s->token_key) <=
            0 ||
        EVP_DigestVerify(md, sig, siglen, (const unsigned char *)token,
                         (size_t)(d2 - token)) != 1)
        goto out;
    u = json_string_value(json_object_get(pl, "uid"));
    exp = json_object_get(pl, "exp");
    if (!u || !*u || !json_is_number(exp) ||
        json_number_value(exp) <= util_now_wall())
        goto out;
    uid = strdup(u);
    if (uid)
        verified_add(tmd, s->token_key, uid, json_number_value(exp));
out:
    EVP_MD_CTX_free(md);
    free(sig);
    json_decref(hdr);
    json_decref(pl);
    return uid;
}

/* See token.h. */
void sim_token_forget(void)
{
    pthread_mutex_lock(&verified_lock);
    memset(verified, 0, sizeof(verified));
    pthread_mutex_unlock(&verified_lock);
}
