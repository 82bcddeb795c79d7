#include "common/sa_secret.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonscan.h"
#include "common/key.h"

#define SECRET_MAX (64u * 1024u)

const char *sa_verdict_name(enum sa_verdict v)
{
    switch (v) {
    case SA_OK: return "ok";
    case SA_NOT_JSON: return "not a JSON object";
    case SA_WRONG_UID: return "wrong uid";
    case SA_WRONG_SCHEME: return "wrong scheme";
    case SA_BAD_KEY: return "unusable private key";
    case SA_BAD_ENDPOINT: return "missing login_endpoint";
    }
    return "unknown";
}

int sa_secret_build(struct secret **value, const char *uid,
                    const struct secret *priv_pem, const char *login_endpoint)
{
    struct buf b;
    struct secret *s;
    int r;

    if (!uid || !*uid)
        return ERR_INVALID;
    r = key_private_check(priv_pem);
    if (r)
        return r;
    if (!login_endpoint)
        login_endpoint = SA_LOGIN_ENDPOINT;
    buf_init(&b, 2 * SECRET_MAX);
    r = buf_puts(&b, "{\"scheme\":\"" SA_SCHEME "\",\"uid\":");
    if (r == 0)
        r = jsonscan_put_string(&b, uid, strlen(uid));
    if (r == 0)
        r = buf_puts(&b, ",\"private_key\":");
    if (r == 0)
        r = jsonscan_put_string(&b, (const char *)priv_pem->buf, priv_pem->len);
    if (r == 0)
        r = buf_puts(&b, ",\"login_endpoint\":");
    if (r == 0)
        r = jsonscan_put_string(&b, login_endpoint, strlen(login_endpoint));
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
    int r = jsonscan_secret_member(out, (const char *)v->buf, v->len, key);

    if (r == ERR_NOTFOUND) {
        *out = NULL;
        return 0;
    }
    return r;
}

int sa_secret_rewrite(struct secret **value, const struct secret *old,
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
    r = sa_secret_build(value, uid, key, login_endpoint);
    secret_free(key);
    return r;
}

int sa_secret_inspect(enum sa_verdict *verdict, char **uid_out, char **pub_pem,
                      const struct secret *value, const char *expected_uid)
{
    struct secret *uid = NULL, *scheme = NULL, *key = NULL, *end = NULL;
    char *uid_s = NULL, *pub = NULL;
    enum sa_verdict v;
    int r = 0;

    if (!value || value->len > 2 * SECRET_MAX) {
        v = SA_NOT_JSON;
        goto done;
    }
    r = member(&uid, value, "uid");
    if (r == ERR_INVALID) {
        r = 0;
        v = SA_NOT_JSON;
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
        v = SA_BAD_KEY;
        goto done;
    }
    r = key_public_from_private(&pub, key);
    if (r == ERR_INVALID) {
        r = 0;
        v = SA_BAD_KEY;
        goto done;
    }
    if (r)
        goto out;
    if (expected_uid && (!uid_s || strcmp(uid_s, expected_uid) != 0))
        v = SA_WRONG_UID;
    else if (!scheme || strcmp(secret_str(scheme), SA_SCHEME) != 0)
        v = SA_WRONG_SCHEME;
    else
        v = end && end->len > 0 ? SA_OK : SA_BAD_ENDPOINT;
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
    secret_free(uid);
    secret_free(scheme);
    secret_free(key);
    secret_free(end);
    return r;
}
