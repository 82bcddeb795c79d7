#include "rc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>


/* Upper bound of a reason line; reasons are one line, never a document. */
#define RC_REASON_MAX 4096

int rc_nomem(struct err_info *e)
{
    return err_set(e, ERR_NOMEM, "out of memory while planning");
}

static int vadd(struct model_plan *p, size_t *idx_out, enum model_op op,
                enum model_change change, const char *type, const char *name,
                struct err_info *e, const char *fmt, va_list ap)
    __attribute__((format(printf, 8, 0)));

static int vadd(struct model_plan *p, size_t *idx_out, enum model_op op,
                enum model_change change, const char *type, const char *name,
                struct err_info *e, const char *fmt, va_list ap)
{
    char *reason = malloc(RC_REASON_MAX);
    int n;

    if (!reason)
        return rc_nomem(e);
    /* Longer reasons are cut: the start says what matters. */
    n = vsnprintf(reason, RC_REASON_MAX, fmt, ap);
    if (n < 0) {
        free(reason);
        return err_set(e, ERR_INTERNAL, "cannot format a reason");
    }
    if (!model_plan_add(p, op, change, type, name, reason)) {
        free(reason);
        return rc_nomem(e);
    }
    free(reason);
    if (idx_out)
        *idx_out = p->n_actions - 1;
    return 0;
}

int rc_add(struct model_plan *p, size_t *idx_out, enum model_op op,
           enum model_change change, const char *type, const char *name,
           struct err_info *e, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = vadd(p, idx_out, op, change, type, name, e, fmt, ap);
    va_end(ap);
    return r;
}

int rc_fail(struct model_plan *p, const char *type, const char *name,
            struct err_info *e, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = vadd(p, NULL, MODEL_OP_FAIL, MODEL_CHANGE_NOOP, type, name, e, fmt,
             ap);
    va_end(ap);
    return r;
}

int rc_depend(struct model_plan *p, size_t idx, size_t dep,
              struct err_info *e)
{
    int r;

    if (dep == MODEL_NO_ACTION)
        return 0;
    r = model_action_depend(p, idx, dep);
    if (r == ERR_NOMEM)
        return rc_nomem(e);
    if (r < 0)
        return err_set(e, ERR_INTERNAL, "bad dependency %zu -> %zu", idx,
                       dep);
    return 0;
}

int rc_depend_ops(struct model_plan *p, size_t idx, const enum model_op *ops,
                  size_t n_ops, struct err_info *e)
{
    size_t i, k;
    int r;

    for (i = 0; i < idx && i < p->n_actions; i++) {
        for (k = 0; k < n_ops; k++) {
            if (p->actions[i].op != ops[k])
                continue;
            r = rc_depend(p, idx, i, e);
            if (r < 0)
                return r;
            break;
        }
    }
    return 0;
}

size_t rc_find_op(const struct model_plan *p, enum model_op op)
{
    size_t i;

    for (i = 0; i < p->n_actions; i++)
        if (p->actions[i].op == op)
            return i;
    return MODEL_NO_ACTION;
}

size_t rc_find_package(const struct model_plan *p)
{
    size_t i;

    for (i = 0; i < p->n_actions; i++) {
        switch (p->actions[i].op) {
        case MODEL_OP_PACKAGE_INSTALL:
        case MODEL_OP_PACKAGE_UPDATE:
        case MODEL_OP_SCHEDULER_RESTART:
            return i;
        default:
            break;
        }
    }
    return MODEL_NO_ACTION;
}

int rc_strdups(struct err_info *e, size_t n, ...)
{
    va_list ap;
    size_t i;
    int r = 0;

    va_start(ap, n);
    for (i = 0; i < n; i++) {
        char **field = va_arg(ap, char **);
        const char *s = va_arg(ap, const char *);

        if (r == 0 && s)
            r = rc_strdup(field, s, e);
    }
    va_end(ap);
    return r;
}

int rc_app_param(char **field, const struct model_service *d,
                 struct err_info *e)
{
    char *id = model_app_id(d->name);

    if (!id)
        return rc_nomem(e);
    free(*field);
    *field = id;
    return 0;
}

int rc_set(json_t **field, json_t *value, struct err_info *e)
{
    if (!value)
        return rc_nomem(e);
    json_decref(*field);
    *field = value;
    return 0;
}

int rc_strdup(char **field, const char *s, struct err_info *e)
{
    char *c = strdup(s);

    if (!c)
        return rc_nomem(e);
    free(*field);
    *field = c;
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

bool rc_pem_equal(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    for (;;) {
        while (is_space(*a))
            a++;
        while (is_space(*b))
            b++;
        if (*a != *b)
            return false;
        if (!*a)
            return true;
        a++;
        b++;
    }
}

/* Copy @len bytes of @s without whitespace; new string or NULL. */
static char *strip_space(const char *s, size_t len)
{
    char *out = malloc(len + 1);
    size_t i, o = 0;

    if (!out)
        return NULL;
    for (i = 0; i < len; i++)
        if (!is_space(s[i]))
            out[o++] = s[i];
    out[o] = '\0';
    return out;
}

/*
 * Decode the base64 body of the first PEM block of @pem into *@der_out
 * (new) and its length.  Returns 1 when decoded, 0 when there is no
 * complete armour or the body is not base64, ERR_NOMEM.
 */
static int pem_der(unsigned char **der_out, size_t *len_out, const char *pem)
{
    const char *begin = strstr(pem, "-----BEGIN ");
    const char *body, *end;
    unsigned char *der;
    size_t blen, pad = 0;
    char *b64;
    int n;

    if (!begin)
        return 0;
    body = strstr(begin + 11, "-----");
    if (!body)
        return 0;
    body += 5;
    end = strstr(body, "-----END ");
    if (!end)
        return 0;
    b64 = strip_space(body, (size_t)(end - body));
    if (!b64)
        return ERR_NOMEM;
    blen = strlen(b64);
    if (blen == 0 || blen % 4 != 0 || blen > 1 << 20) {
        free(b64);
        return 0;
    }
    der = malloc(blen / 4 * 3 + 1);
    if (!der) {
        free(b64);
        return ERR_NOMEM;
    }
    /* EVP_DecodeBlock keeps the padding as zero bytes: drop them. */
    n = EVP_DecodeBlock(der, (const unsigned char *)b64, (int)blen);
    if (b64[blen - 1] == '=')
        pad++;
    if (b64[blen - 2] == '=')
        pad++;
    free(b64);
    if (n < 0 || (size_t)n < pad) {
        free(der);
        return 0;
    }
    *der_out = der;
    *len_out = (size_t)n - pad;
    return 1;
}

int rc_key_fingerprint(char **out, const char *pem)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    unsigned char *der = NULL;
    size_t der_len = 0, i;
    char *text = NULL, *fp;
    int r, ok;

    r = pem_der(&der, &der_len, pem);
    if (r < 0)
        return r;
    if (r == 1) {
        ok = EVP_Digest(der, der_len, md, &mdlen, EVP_sha256(), NULL);
    } else {
        text = strip_space(pem, strlen(pem));
        if (!text)
            return ERR_NOMEM;
        ok = EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL);
    }
    free(der);
    free(text);
    if (ok != 1 || mdlen < 8)
        return ERR_INTERNAL;
    fp = malloc(7 + 16 + 1);
    if (!fp)
        return ERR_NOMEM;
    memcpy(fp, "sha256:", 7);
    for (i = 0; i < 8; i++) {
        fp[7 + 2 * i] = hex[md[i] >> 4];
        fp[7 + 2 * i + 1] = hex[md[i] & 0x0f];
    }
    fp[7 + 16] = '\0';
    *out = fp;
    return 0;
}

bool rc_secret_usable(const struct model_observed *o)
{
    return o->secret == MODEL_PRESENT && o->secret_public_key &&
           *o->secret_public_key;
}

const char *rc_secret_problem(const struct model_observed *o)
{
    if (o->secret != MODEL_PRESENT)
        return "missing";
    if (o->secret_verdict == MODEL_SECRET_NOT_JSON)
        return "not JSON";
    return "holds no usable key";
}

bool rc_has_account(const struct model_service *d)
{
    return d->account && *d->account;
}

bool rc_has_secret(const struct model_service *d)
{
    return rc_has_account(d) && d->secret_path && *d->secret_path;
}
