/* Credential files and the service-account credential JSON (credentials.h). */
#include "controller/credentials.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonscan.h"
#include "common/key.h"
#include "common/sa_secret.h"
#include "common/util.h"

/*
 * Can @path be named in an error?  Only a value that looks like a file
 * name: a secret given in its place (a PEM key, a token) must not be
 * echoed.
 */
static bool is_path_like(const char *path)
{
    size_t n = strlen(path), i;

    if (n == 0 || n > 255 || strstr(path, "-----") ||
        util_has_prefix(path, "eyJ"))
        return false;
    for (i = 0; i < n; i++)
        if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
            return false;
    return true;
}

int cred_file_read(struct secret **out, const char *path, const char *flag,
                   char *why, size_t whylen)
{
    struct err_info e;
    struct stat st;
    int r;

    if (stat(path, &st) != 0) {
        if (!is_path_like(path))
            snprintf(why, whylen, "%s: no such file, and the value does "
                                  "not look like a file name (is it the "
                                  "secret itself?); give the path of a file "
                                  "that holds it",
                     flag);
        else
            snprintf(why, whylen, "%s %s: no such file; give the path of "
                                  "an existing file",
                     flag, path);
        return ERR_INVALID;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(why, whylen, "%s %s: is a directory, not a file", flag,
                 path);
        return ERR_INVALID;
    }
    if (st.st_size > (off_t)CRED_FILE_MAX) {
        snprintf(why, whylen, "%s %s: larger than 64 KiB; is it the right "
                              "file?",
                 flag, path);
        return ERR_INVALID;
    }
    r = secret_from_file(out, path, CRED_FILE_MAX, &e);
    if (r == ERR_NOMEM)
        return r;
    if (r) {
        snprintf(why, whylen, "%s %s: %s", flag, path, e.text);
        return ERR_INVALID;
    }
    if ((*out)->len == 0) {
        secret_free(*out);
        *out = NULL;
        snprintf(why, whylen, "%s %s: the file is empty", flag, path);
        return ERR_INVALID;
    }
    return 0;
}

/* Does the PEM private key @pem decode (without a passphrase) to a key
 * that is not RSA? */
static bool is_other_key(const struct secret *pem)
{
    BIO *b = BIO_new_mem_buf(pem->buf, (int)pem->len);
    EVP_PKEY *k;
    bool other;

    if (!b)
        return false;
    k = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)"");
    BIO_free(b);
    other = k && !EVP_PKEY_is_a(k, "RSA");
    EVP_PKEY_free(k);
    return other;
}

int cred_key_check(const struct secret *pem, const char *where, char *why,
                   size_t whylen)
{
    static const char convert[] =
        "openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem";
    EVP_PKEY *k = NULL;
    const char *text;
    int r;

    r = key_private_load(&k, pem);
    EVP_PKEY_free(k);
    if (r != ERR_INVALID)
        return r;
    text = pem->len < CRED_FILE_MAX ? secret_str(pem) : "";
    if (strstr(text, "ENCRYPTED"))
        snprintf(why, whylen, "%s: the private key is encrypted; etls "
                              "needs it unencrypted, as DC/OS stores it "
                              "(decrypt it: %s)",
                 where, convert);
    else if (strstr(text, "-----BEGIN RSA PRIVATE KEY-----"))
        snprintf(why, whylen, "%s: a PKCS#1 RSA key; DC/OS service logins "
                              "read PKCS#8: convert it with %s",
                 where, convert);
    else if (strstr(text, "-----BEGIN EC PRIVATE KEY-----") ||
             is_other_key(pem))
        snprintf(why, whylen, "%s: not an RSA key; DC/OS service accounts "
                              "log in with RS256 and need an RSA key (make "
                              "one with 'dcos security org service-accounts "
                              "keypair priv.pem pub.pem')",
                 where);
    else
        snprintf(why, whylen, "%s: holds no PEM private key (PKCS#8); "
                              "give the service "
                              "account's private key file or its credential "
                              "JSON",
                 where);
    return ERR_INVALID;
}

bool cred_is_json(const struct secret *s)
{
    size_t i;

    for (i = 0; s && i < s->len; i++) {
        unsigned char ch = s->buf[i];

        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
            return ch == '{';
    }
    return false;
}

int cred_sa_parse(char **uid_out, struct secret **key_out,
                  const struct secret *text, const char *where, char *why,
                  size_t whylen)
{
    struct buf uid, scheme;
    struct jsonscan_field f[2];
    struct secret *key = NULL;
    int r;

    buf_init(&uid, 1024);
    buf_init(&scheme, 64);
    memset(f, 0, sizeof(f));
    f[0].key = "uid";
    f[0].value = &uid;
    f[1].key = "scheme";
    f[1].value = &scheme;
    r = jsonscan_fields((const char *)text->buf, text->len, f, 2);
    if (r == ERR_NOMEM)
        goto out;
    if (r) {
        snprintf(why, whylen, "%s: not a service-account credential: %s",
                 where,
                 r == ERR_CONFLICT ? "a member appears twice"
                                   : "not a JSON object");
        r = ERR_INVALID;
        goto out;
    }
    if (f[0].found != 1 || !buf_str(&uid)[0]) {
        snprintf(why, whylen, "%s: the service-account credential has no "
                              "\"uid\" string; it should look like "
                              "{\"uid\":\"...\",\"private_key\":\"PEM "
                              "PKCS#8 key\",\"scheme\":\"RS256\"}",
                 where);
        r = ERR_INVALID;
        goto out;
    }
    if (f[1].found == -1 ||
        (f[1].found == 1 && strcmp(buf_str(&scheme), SA_SCHEME) != 0)) {
        snprintf(why, whylen, "%s: the service-account credential's "
                              "\"scheme\" is not \"RS256\", the only one "
                              "DC/OS supports",
                 where);
        r = ERR_INVALID;
        goto out;
    }
    r = jsonscan_secret_member(&key, (const char *)text->buf, text->len,
                               "private_key");
    if (r == ERR_NOMEM)
        goto out;
    if (r || !key || key->len == 0 ||
        !strstr(secret_str(key), "-----BEGIN ")) {
        snprintf(why, whylen, "%s: the service-account credential has no "
                              "\"private_key\" PEM string",
                 where);
        r = ERR_INVALID;
        goto out;
    }
    r = cred_key_check(key, where, why, whylen);
    if (r)
        goto out;
    *uid_out = buf_detach(&uid);
    if (!*uid_out) {
        r = ERR_NOMEM;
        goto out;
    }
    *key_out = key;
    key = NULL;
    r = 0;
out:
    secret_free(key);
    buf_free(&uid);
    buf_free(&scheme);
    return r;
}

int cred_sa_env(char **uid_out, struct secret **key_out, const char *value,
                char *why, size_t whylen)
{
    static const char var[] = "DCOS_SERVICE_ACCOUNT_CREDENTIAL";
    const char *path = value;
    struct secret *text = NULL;
    struct stat st;
    char where[300];
    int r;

    if (util_has_prefix(path, "file://"))
        path += strlen("file://");
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        r = cred_file_read(&text, path, var, why, whylen);
        if (r)
            return r;
        snprintf(where, sizeof(where), "%s (file %s)", var, path);
    } else {
        text = secret_new_str(value);
        if (!text)
            return ERR_NOMEM;
        if (!cred_is_json(text)) {
            secret_free(text);
            snprintf(why, whylen, "%s: neither a file nor a JSON "
                                  "credential; give the path of the "
                                  "service account's credential file or "
                                  "its JSON",
                     var);
            return ERR_INVALID;
        }
        snprintf(where, sizeof(where), "%s", var);
    }
    r = cred_sa_parse(uid_out, key_out, text, where, why, whylen);
    secret_free(text);
    return r;
}
