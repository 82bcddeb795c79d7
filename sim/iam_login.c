/*
 * dcos-sim IAM credentials and login (/acs/api/v1/auth): password
 * records, service-account keys, service-login JWTs, and the public auth
 * routes (login, logout, jwks, providers).  See iam_login.h.
 */
#include "sim/iam_login.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "common/secret.h"
#include "common/util.h"
#include "sim/http.h"
#include "sim/iam_authz.h"
#include "sim/iam_http.h"
#include "sim/state.h"
#include "sim/token.h"

#define IAM_PBKDF2_ITER 10000
#define IAM_SALT_LEN 16
#define IAM_HASH_LEN 32

/* ------------------------------------------------------------------ */
/* Credentials                                                        */
/* ------------------------------------------------------------------ */

/* See iam_login.h. */
int iam_pubkey_check(const char *pem, const char **why)
{
    static const char begin[] = "-----BEGIN PUBLIC KEY-----";
    const char *p = pem;
    EVP_PKEY *pk = NULL;
    BIO *b = NULL;
    char rest[64];
    int r = -1, k;
    size_t i;

    for (i = 0; pem[i]; i++) {
        if ((unsigned char)pem[i] >= 0x80) {
            *why = "the key must be ASCII text";
            return -1;
        }
    }
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    if (strncmp(p, begin, sizeof(begin) - 1) != 0) {
        *why = "expected an X.509 SubjectPublicKeyInfo PEM block "
               "(-----BEGIN PUBLIC KEY-----)";
        return -1;
    }
    b = BIO_new_mem_buf(p, -1);
    if (!b) {
        *why = "out of memory";
        return -1;
    }
    pk = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
    if (!pk) {
        *why = "Could not deserialize key data.";
        goto out;
    }
    if (!EVP_PKEY_is_a(pk, "RSA")) {
        *why = "Key must be of type RSA";
        goto out;
    }
    while ((k = BIO_read(b, rest, (int)sizeof(rest))) > 0) {
        for (i = 0; i < (size_t)k; i++) {
            if (rest[i] != ' ' && rest[i] != '\n' && rest[i] != '\r' &&
                rest[i] != '\t') {
                *why = "unexpected data after the PEM block";
                goto out;
            }
        }
    }
    r = 0;
out:
    EVP_PKEY_free(pk);
    BIO_free(b);
    ERR_clear_error();
    return r;
}

/* See iam_login.h. */
json_t *iam_password_record(const char *pw)
{
    unsigned char salt[IAM_SALT_LEN], hash[IAM_HASH_LEN];
    char *s64 = NULL, *h64 = NULL;
    json_t *o = NULL;

    if (RAND_bytes(salt, sizeof(salt)) != 1)
        goto out;
    if (PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, sizeof(salt),
                          IAM_PBKDF2_ITER, EVP_sha256(), sizeof(hash),
                          hash) != 1)
        goto out;
    s64 = util_b64_encode(salt, sizeof(salt));
    h64 = util_b64_encode(hash, sizeof(hash));
    if (!s64 || !h64)
        goto out;
    o = json_pack("{s:s, s:i, s:s, s:s}", "alg", "pbkdf2-sha256", "iter",
                  IAM_PBKDF2_ITER, "salt", s64, "hash", h64);
out:
    OPENSSL_cleanse(hash, sizeof(hash));
    free(s64);
    free(h64);
    ERR_clear_error();
    return o;
}

/* 1 when @pw matches the stored record @rec. */
static int password_verify(json_t *rec, const char *pw)
{
    unsigned char *salt = NULL, *want = NULL;
    unsigned char got[IAM_HASH_LEN];
    size_t slen = 0, wlen = 0;
    json_int_t iter = json_integer_value(json_object_get(rec, "iter"));
    int ok = 0;

    if (!json_is_object(rec) || iter <= 0 || iter > 10000000)
        return 0;
    salt = util_b64_decode(iam_str(rec, "salt") ? iam_str(rec, "salt")
                           : "",
                           &slen);
    want = util_b64_decode(iam_str(rec, "hash") ? iam_str(rec, "hash")
                           : "",
                           &wlen);
    if (!salt || !want || wlen != sizeof(got))
        goto out;
    if (PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, (int)slen, (int)iter,
                          EVP_sha256(), sizeof(got), got) != 1)
        goto out;
    ok = CRYPTO_memcmp(got, want, sizeof(got)) == 0;
out:
    OPENSSL_cleanse(got, sizeof(got));
    free(salt);
    free(want);
    ERR_clear_error();
    return ok;
}

/* Decode the base64url JWT part [@p, @p + @n) into a new buffer. */
static unsigned char *jwt_part(const char *p, size_t n, size_t *len)
{
    char *c = malloc(n + 1);
    unsigned char *d;

    if (!c)
        return NULL;
    memcpy(c, p, n);
    c[n] = '\0';
    d = util_b64url_decode(c, len);
    free(c);
    return d;
}

/* Parse a base64url JWT part as a JSON object (new) or NULL. */
static json_t *jwt_json(const char *p, size_t n)
{
    unsigned char *d;
    size_t len = 0;
    json_t *j;

    d = jwt_part(p, n, &len);
    if (!d)
        return NULL;
    j = json_loadb((const char *)d, len, JSON_REJECT_DUPLICATES, NULL);
    free(d);
    if (j && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/*
 * Verify the service-login JWT @jwt: RS256 (RSASSA-PKCS1-v1_5 over SHA-256)
 * with the public key @pem, a "uid" claim equal to @uid, a numeric "exp"
 * claim not in the past, and a "nbf" (when present) not in the future.
 * Returns 1 when valid.
 */
static int jwt_valid(const char *jwt, const char *pem, const char *uid)
{
    const char *d1 = strchr(jwt, '.'), *d2;
    json_t *hdr = NULL, *claims = NULL, *exp, *nbf;
    unsigned char *sig = NULL;
    size_t siglen = 0;
    EVP_PKEY *pk = NULL;
    EVP_MD_CTX *ctx = NULL;
    BIO *b = NULL;
    double now = util_now_wall();
    int ok = 0;

    if (!d1 || !pem)
        return 0;
    d2 = strchr(d1 + 1, '.');
    if (!d2 || strchr(d2 + 1, '.'))
        return 0;
    hdr = jwt_json(jwt, (size_t)(d1 - jwt));
    claims = jwt_json(d1 + 1, (size_t)(d2 - d1 - 1));
    sig = jwt_part(d2 + 1, strlen(d2 + 1), &siglen);
    if (!hdr || !claims || !sig || siglen == 0)
        goto out;
    if (!iam_str(hdr, "alg") || strcmp(iam_str(hdr, "alg"), "RS256"))
        goto out;
    b = BIO_new_mem_buf(pem, -1);
    if (!b)
        goto out;
    pk = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
    ctx = EVP_MD_CTX_new();
    if (!pk || !ctx || !EVP_PKEY_is_a(pk, "RSA"))
        goto out;
    if (EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pk) != 1)
        goto out;
    if (EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)jwt,
                         (size_t)(d2 - jwt)) != 1)
        goto out;
    if (!iam_str(claims, "uid") || strcmp(iam_str(claims, "uid"), uid))
        goto out;
    exp = json_object_get(claims, "exp");
    if (!json_is_number(exp) || json_number_value(exp) < now)
        goto out;
    nbf = json_object_get(claims, "nbf");
    if (nbf && (!json_is_number(nbf) || json_number_value(nbf) > now))
        goto out;
    ok = 1;
out:
    json_decref(hdr);
    json_decref(claims);
    free(sig);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pk);
    BIO_free(b);
    ERR_clear_error();
    return ok;
}

/* ------------------------------------------------------------------ */
/* /auth                                                              */
/* ------------------------------------------------------------------ */

static void login_denied(struct sim_resp *resp)
{
    iam_err(resp, 401, "ERR_INVALID_CREDENTIALS", "Invalid credentials.");
    sim_resp_header(resp, "WWW-Authenticate", "acsjwt");
}

/* 200 {"token"} with the auth and info cookies. */
static void login_ok(struct sim *s, struct sim_resp *resp, const char *uid,
                     json_t *u)
{
    char *tok = sim_token_issue(s, uid);
    char *info = NULL, *info64 = NULL, *cookie = NULL;
    json_t *body = NULL, *ij;
    size_t clen;

    if (!tok)
        goto fail;
    ij = json_pack("{s:s, s:s, s:b}", "uid", uid, "description",
                   iam_str(u, "description") ? iam_str(u, "description")
                                                : "",
                   "is_remote", 0);
    info = ij ? json_dumps(ij, JSON_COMPACT) : NULL;
    json_decref(ij);
    info64 = info ? util_b64_encode(info, strlen(info)) : NULL;
    body = json_pack("{s:s}", "token", tok);
    clen = strlen(tok) + 128;
    cookie = malloc(clen);
    if (!info64 || !body || !cookie)
        goto fail;
    sim_resp_json(resp, 200, body, IAM_CTYPE);
    body = NULL;
    snprintf(cookie, clen,
             "dcos-acs-auth-cookie=%s; Max-Age=%d; Path=/; HttpOnly", tok,
             s->opt.token_ttl > 0 ? s->opt.token_ttl : 432000);
    sim_resp_header(resp, "Set-Cookie", cookie);
    OPENSSL_cleanse(cookie, strlen(cookie));
    free(cookie);
    cookie = malloc(strlen(info64) + 96);
    if (cookie) {
        sprintf(cookie, "dcos-acs-info-cookie=%s; Max-Age=%d; Path=/",
                info64, s->opt.token_ttl > 0 ? s->opt.token_ttl : 432000);
        sim_resp_header(resp, "Set-Cookie", cookie);
        free(cookie);
    }
    free(info);
    free(info64);
    secret_wipe_str(tok);
    return;
fail:
    json_decref(body);
    free(cookie);
    free(info);
    free(info64);
    secret_wipe_str(tok);
    iam_nomem(resp);
}

/* POST /auth/login (bouncer auth.py Login.on_post). */
static void iam_login(struct sim *s, const struct sim_req *req,
                      struct sim_resp *resp)
{
    static const struct iam_prop props[] = {
        {"uid", IAM_PROP_STRING, false},
        {"password", IAM_PROP_STRING, false},
        {"token", IAM_PROP_STRING, false},
    };
    json_t *body, *u;
    const char *uid, *pw, *tok;

    body = iam_body(req, resp);
    if (!body)
        return;
    if (iam_check_props(body, props, 3, true, resp))
        goto out;
    uid = iam_str(body, "uid");
    pw = iam_str(body, "password");
    tok = iam_str(body, "token");
    if ((pw != NULL) == (tok != NULL)) {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "Exactly one of `token` and `password` must be provided in "
                "the request body");
        goto out;
    }
    if (pw && !uid) {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "`uid` missing in the request body");
        goto out;
    }
    if ((pw && pw[0] == '\0') || (uid && uid[0] == '\0')) {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "`uid` and `password` must not be empty strings");
        goto out;
    }
    /* A token without uid is an OIDC ID token: not modelled. */
    u = uid ? json_object_get(iam_table(s, "users"), uid) : NULL;
    if (!u) {
        login_denied(resp);
        goto out;
    }
    if (json_is_true(json_object_get(u, "is_service"))) {
        if (!tok || !jwt_valid(tok, iam_str(u, "public_key"), uid)) {
            login_denied(resp);
            goto out;
        }
    } else if (!pw || !password_verify(json_object_get(u, "password"), pw)) {
        login_denied(resp);
        goto out;
    }
    login_ok(s, resp, uid, u);
out:
    iam_json_wipe(json_object_get(body, "password"));
    iam_json_wipe(json_object_get(body, "token"));
    json_decref(body);
}

/* base64url of the big-endian bytes of @bn (new string) or NULL. */
static char *bn_b64url(const BIGNUM *bn)
{
    int n = BN_num_bytes(bn);
    unsigned char *b = malloc((size_t)(n > 0 ? n : 1));
    char *out = NULL;

    if (!b)
        return NULL;
    if (BN_bn2bin(bn, b) == n)
        out = util_b64url_encode(b, (size_t)n);
    free(b);
    return out;
}

/* GET /auth/jwks: the token signing key as an RFC 7517 key set, with the
 * kid computed as bouncer's crypt.gen_jwks does. */
static void iam_jwks(struct sim *s, struct sim_resp *resp)
{
    EVP_PKEY *pk = s->token_key;
    BIGNUM *n = NULL, *e = NULL;
    char *nd = NULL, *ed = NULL, *n64 = NULL, *e64 = NULL, *fp = NULL;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;
    char kid[2 * EVP_MAX_MD_SIZE + 1];
    json_t *o = NULL;

    if (!pk || EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
        EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) != 1)
        goto out;
    nd = BN_bn2dec(n);
    ed = BN_bn2dec(e);
    n64 = bn_b64url(n);
    e64 = bn_b64url(e);
    if (!nd || !ed || !n64 || !e64)
        goto out;
    fp = malloc(strlen(nd) + strlen(ed) + 4);
    if (!fp)
        goto out;
    sprintf(fp, "%s%sRSA", ed, nd);
    if (EVP_Digest(fp, strlen(fp), md, &mdlen, EVP_sha256(), NULL) != 1)
        goto out;
    for (i = 0; i < mdlen; i++)
        sprintf(kid + 2 * i, "%02x", md[i]);
    kid[2 * mdlen] = '\0';
    o = json_pack("{s:[{s:s, s:s, s:s, s:s, s:s, s:s}]}", "keys", "kid", kid,
                  "kty", "RSA", "n", n64, "e", e64, "alg", "RS256", "use",
                  "sig");
out:
    BN_free(n);
    BN_free(e);
    OPENSSL_free(nd);
    OPENSSL_free(ed);
    free(n64);
    free(e64);
    free(fp);
    ERR_clear_error();
    if (!o) {
        iam_err(resp, 500, NULL, "The token signing key is not available.");
        return;
    }
    iam_ok(resp, o);
}

/* GET /auth/providers: the two built-in login providers. */
static void iam_providers(struct sim_resp *resp)
{
    iam_ok(resp,
           json_pack("{s:{s:s, s:s, s:s, s:{s:s}}, s:{s:s, s:s, s:s, s:{s:s}}}",
                     "dcos-users", "authentication-type", "dcos-uid-password",
                     "description", "Default DC/OS login provider",
                     "client-method",
                     "dcos-usercredential-post-receive-authtoken", "config",
                     "start_flow_url", IAM_BASE "/auth/login",
                     "dcos-services", "authentication-type",
                     "dcos-uid-servicekey", "description",
                     "Default DC/OS login provider", "client-method",
                     "dcos-servicecredential-post-receive-authtoken",
                     "config", "start_flow_url", IAM_BASE "/auth/login"));
}

/* See iam_login.h. */
void iam_auth_handle(struct sim *s, const struct sim_req *req,
                     struct sim_resp *resp)
{
    char *seg[IAM_MAX_SEGS];
    size_t n;

    if (!sim_accept_ok(req->accept, "application/json")) {
        iam_err(resp, 406, NULL,
                "The user agent must support application/json responses.");
        return;
    }
    n = sim_path_segments(req, IAM_BASE "/auth/", seg, IAM_MAX_SEGS);
    if (n != 1) {
        iam_not_found(resp);
    } else if (strcmp(seg[0], "login") == 0) {
        if (iam_is_method(req, "POST"))
            iam_login(s, req, resp);
        else if (iam_is_method(req, "GET"))
            iam_err(resp, 400, "ERR_MISSING_QUERY_PARAMETERS",
                    "Expected query parameter `oidc-provider` or "
                    "`saml-provider`.");
        else
            iam_method_not_allowed(resp, "GET, POST");
    } else if (strcmp(seg[0], "logout") == 0) {
        if (iam_is_method(req, "GET")) {
            sim_resp_empty(resp, 200);
            sim_resp_header(resp, "Set-Cookie",
                            "dcos-acs-auth-cookie=; Expires=Sat, 01 Jan 2000 "
                            "00:00:00 GMT; Path=/; HttpOnly");
        } else {
            iam_method_not_allowed(resp, "GET");
        }
    } else if (strcmp(seg[0], "jwks") == 0) {
        if (iam_only_get(req, resp))
            iam_jwks(s, resp);
    } else if (strcmp(seg[0], "providers") == 0) {
        if (iam_only_get(req, resp))
            iam_providers(resp);
    } else {
        iam_not_found(resp);
    }
    sim_segments_free(seg, n);
}
