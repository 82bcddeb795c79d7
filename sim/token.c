/*
 * dcos-sim login tokens: issue and verify the RS256 JWTs of DC/OS logins.
 * See token.h.
 */
#include "sim/token.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "common/buf.h"
#include "common/util.h"
#include "sim/state.h"

#define TOKEN_MAX 8192

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

/* See token.h. */
char *sim_token_verify(struct sim *s, const char *token)
{
    const char *d1, *d2;
    json_t *hdr = NULL, *pl = NULL, *exp;
    unsigned char *sig = NULL;
    size_t siglen = 0;
    EVP_MD_CTX *md = NULL;
    char *uid = NULL;
    const char *alg, *u;

    if (!s->token_key || !token || strlen(token) > TOKEN_MAX)
        return NULL;
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
out:
    EVP_MD_CTX_free(md);
    free(sig);
    json_decref(hdr);
    json_decref(pl);
    return uid;
}
