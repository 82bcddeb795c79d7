/*
 * dcos-sim SDK TLS prerequisites (TLSEvaluationStage): whether the
 * scheduler can log in with its service account, use the CA and write the
 * TLS secrets of a task.  See sdk_tls.h.
 */
#include "sim/sdk_tls.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/secret.h"
#include "sim/iam_authz.h"
#include "sim/sdk_model.h"
#include "sim/sdk_task.h"

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return 0;
}

/* 1 when the two keys have the same SubjectPublicKeyInfo. */
static int same_spki(EVP_PKEY *a, EVP_PKEY *b)
{
    unsigned char *da = NULL, *db = NULL;
    int la = i2d_PUBKEY(a, &da), lb = i2d_PUBKEY(b, &db), same;

    same = la > 0 && la == lb && memcmp(da, db, (size_t)la) == 0;
    OPENSSL_free(da);
    OPENSSL_free(db);
    return same;
}

/* See sdk_tls.h. */
const char *sdk_tls_login_reason(struct sim *s, struct sdk_service *svc)
{
    const char *account = sdk_opt_str(svc->options, "service.service_account",
                                      "");
    const char *reason = NULL, *uid, *pk, *pub_pem;
    json_t *cred = NULL, *pkj;
    EVP_PKEY *priv = NULL, *pub = NULL;
    BIO *bio = NULL;

    svc->tls_uid[0] = '\0';
    if (!svc->credential)
        return "service account secret not found";
    cred = json_loads(secret_str(svc->credential), 0, NULL);
    uid = json_string_value(json_object_get(cred, "uid"));
    pkj = json_object_get(cred, "private_key");
    pk = json_string_value(pkj);
    if (!json_is_object(cred) || !uid || !pk) {
        reason = "service account secret is not a service account "
                 "credential";
        goto out;
    }
    if (strcmp(uid, account) != 0 || strlen(uid) >= sizeof(svc->tls_uid)) {
        reason = "service account secret is for another account";
        goto out;
    }
    /* The SDK reads the key with PKCS8EncodedKeySpec. */
    if (!strstr(pk, "-----BEGIN PRIVATE KEY-----")) {
        reason = "service account private key is not PKCS#8 PEM";
        goto out;
    }
    bio = BIO_new_mem_buf(pk, -1);
    if (bio)
        priv = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    if (!priv || EVP_PKEY_base_id(priv) != EVP_PKEY_RSA) {
        reason = "service account private key is unusable";
        goto out;
    }
    pub_pem = sim_iam_public_key(s, uid);
    if (!pub_pem) {
        reason = "service account does not exist";
        goto out;
    }
    BIO_free(bio);
    bio = BIO_new_mem_buf(pub_pem, -1);
    if (bio)
        pub = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
    if (!pub || !same_spki(priv, pub)) {
        reason = "service account login fails: the key does not match";
        goto out;
    }
    memcpy(svc->tls_uid, uid, strlen(uid) + 1);
out:
    if (pk)
        OPENSSL_cleanse((void *)pk, strlen(pk));
    json_decref(cred);
    EVP_PKEY_free(priv);
    EVP_PKEY_free(pub);
    BIO_free(bio);
    return reason;
}

/*
 * Why the scheduler cannot log in with its service-account secret (read at
 * scheduler start) or use the CA: a static string, or NULL when it can;
 * on success the account is in svc->tls_uid.
 */
static const char *tls_account_reason(struct sim *s,
                                      struct sdk_service *svc)
{
    const char *reason = sdk_tls_login_reason(s, svc);

    if (!reason &&
        !sim_iam_allowed(s, svc->tls_uid, "dcos:adminrouter:ops:ca:rw",
                         "full"))
        reason = "service account may not use the CA "
                 "(dcos:adminrouter:ops:ca:rw)";
    return reason;
}

/* See sdk_tls.h. */
const char *sdk_tls_block_reason(struct sim *s, struct sdk_service *svc,
                                 const struct sdk_task *t, double now)
{
    char *base, *rid;
    const char *reason = NULL;

    if (!svc->tls_checked || svc->tls_checked_at != now) {
        svc->tls_reason = tls_account_reason(s, svc);
        svc->tls_checked_at = now;
        svc->tls_checked = 1;
    }
    if (svc->tls_reason)
        return svc->tls_reason;
    base = sdk_task_artifact_base(svc, t);
    rid = base ? sdk_printf("dcos:secrets:default:/%s__certificate", base)
               : NULL;
    if (!rid)
        reason = "out of memory";
    else if (!sim_iam_allowed(s, svc->tls_uid, rid, "full"))
        reason = "service account may not write the TLS secrets "
                 "(dcos:secrets:default:/<service>/*)";
    free(base);
    free(rid);
    return reason;
}
