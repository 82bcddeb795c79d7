/*
 * Parsers shared by every API (string arrays, one-line summaries of text
 * bodies) and those of the cluster itself: the version metadata, the CA
 * bundle and CA API answers, secret values.  See parse.h; the per-API
 * parsers are parse_<api>.c.
 */
#include "parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonscan.h"
#include "dcos/jfield.h"

static const struct jfield version_fields[] = {
    JFIELD(struct dcos_version, version, "version", true),
    JFIELD(struct dcos_version, variant, "dcos-variant", false),
    JFIELD(struct dcos_version, image_commit, "dcos-image-commit", false),
};

static const struct jfield ca_fields[] = {
    JFIELD(struct dcos_ca_response, certificate, "certificate", false),
    JFIELD(struct dcos_ca_response, bundle, "bundle", false),
};

/* ------------------------------------------------------------------ */
/* shared                                                              */

void dcos_string_array_free(char **v, size_t n)
{
    jfield_strings_free(v, n);
}

int dcos_parse_string_array(char ***out, size_t *n_out, const json_t *j)
{
    if (!json_is_array(j))
        return ERR_INVALID;
    return jfield_strings(out, n_out, j);
}

void dcos_text_summary(char *out, size_t n, const char *body, size_t len)
{
    const char *p = body, *end = body + len;
    const char *t, *te;
    size_t k = 0;
    bool space = false;

    if (n == 0)
        return;
    out[0] = '\0';
    if (!body)
        return;
    /* An HTML page: use its <title>. */
    for (t = body; t + 7 <= end; t++) {
        if (strncasecmp(t, "<title>", 7) == 0) {
            for (te = t + 7; te + 8 <= end; te++)
                if (strncasecmp(te, "</title>", 8) == 0)
                    break;
            if (te + 8 <= end) {
                p = t + 7;
                end = te;
            }
            break;
        }
    }
    for (; p < end && k + 1 < n; p++) {
        unsigned char ch = (unsigned char)*p;

        if (ch < 0x20 || ch == 0x7f || ch == ' ') {
            space = k > 0;
            continue;
        }
        if (space && k + 2 < n)
            out[k++] = ' ';
        space = false;
        out[k++] = (char)ch;
    }
    out[k] = '\0';
}

/* ------------------------------------------------------------------ */
/* metadata, CA, secrets                                               */

void dcos_version_free(struct dcos_version *v)
{
    if (!v)
        return;
    free(v->version);
    free(v->variant);
    free(v->image_commit);
    free(v);
}

int dcos_parse_version(struct dcos_version **out, const json_t *j)
{
    struct dcos_version *v;
    int r;

    if (jfield_check(j, version_fields, JFIELD_N(version_fields)))
        return ERR_INVALID;
    v = calloc(1, sizeof(*v));
    if (!v)
        return ERR_NOMEM;
    r = jfield_copy(v, j, version_fields, JFIELD_N(version_fields));
    if (r) {
        dcos_version_free(v);
        return r;
    }
    *out = v;
    return 0;
}

int dcos_parse_ca_pem(size_t *n_certs, const char *pem, size_t len)
{
    static const char begin[] = "-----BEGIN CERTIFICATE-----";
    const char *p = pem, *end = pem + len;
    size_t n = 0;

    if (!pem || len == 0 || len > 4u * 1024u * 1024u)
        return ERR_INVALID;
    for (;;) {
        const char *b = NULL, *q;
        BIO *bio;
        X509 *x;

        for (q = p; q + sizeof(begin) - 1 <= end; q++)
            if (memcmp(q, begin, sizeof(begin) - 1) == 0) {
                b = q;
                break;
            }
        if (!b)
            break;
        bio = BIO_new_mem_buf(b, (int)(end - b));
        if (!bio)
            return ERR_NOMEM;
        x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        BIO_free(bio);
        if (!x)
            return ERR_INVALID;
        X509_free(x);
        n++;
        p = b + sizeof(begin) - 1;
    }
    if (n == 0)
        return ERR_INVALID;
    *n_certs = n;
    return 0;
}

void dcos_ca_response_free(struct dcos_ca_response *c)
{
    if (!c)
        return;
    free(c->certificate);
    free(c->bundle);
    dcos_string_array_free(c->errors, c->n_errors);
    free(c);
}

int dcos_parse_ca_response(struct dcos_ca_response **out, const json_t *j)
{
    const json_t *result = json_object_get(j, "result");
    const json_t *errors = json_object_get(j, "errors");
    const json_t *success = json_object_get(j, "success");
    struct dcos_ca_response *c;
    void *items = NULL;
    size_t i;
    int r = 0;

    if (!json_is_object(j) || (errors && !json_is_array(errors)) ||
        (result && !json_is_object(result)) || (!result && !errors))
        return ERR_INVALID;
    c = calloc(1, sizeof(*c));
    if (!c)
        return ERR_NOMEM;
    if (errors)
        r = jfield_list_alloc(&items, errors, sizeof(*c->errors));
    c->errors = items;
    for (i = 0; r == 0 && i < json_array_size(errors); i++) {
        const json_t *e = json_array_get(errors, i);
        const json_t *msg = json_object_get(e, "message");
        struct buf b;

        buf_init(&b, 4096);
        if (buf_printf(&b, "%ld: %s", jfield_long(e, "code"),
                       json_is_string(msg) ? json_string_value(msg) : "?")) {
            r = ERR_NOMEM;
        } else {
            c->errors[i] = buf_detach(&b);
            if (!c->errors[i])
                r = ERR_NOMEM;
            else
                c->n_errors++;
        }
        buf_free(&b);
    }
    if (r == 0 && result)
        r = jfield_copy(c, result, ca_fields, JFIELD_N(ca_fields));
    if (r) {
        dcos_ca_response_free(c);
        return r;
    }
    c->success = json_is_boolean(success) ? json_is_true(success)
                                          : c->n_errors == 0;
    *out = c;
    return 0;
}

int dcos_parse_secret_value(struct secret **out, const char *body,
                            size_t len)
{
    int r = jsonscan_secret_member(out, body, len, "value");

    return r == ERR_NOTFOUND ? ERR_INVALID : r;
}
