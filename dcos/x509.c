/*
 * X.509 inspection of a peer certificate.  See x509.h.
 */
#include "x509.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/err.h"

void http_cert_clear(struct http_cert *cert)
{
    size_t i;

    if (!cert)
        return;
    free(cert->subject);
    free(cert->issuer);
    free(cert->not_after);
    for (i = 0; i < cert->n_sans; i++)
        free(cert->sans[i]);
    free(cert->sans);
    memset(cert, 0, sizeof(*cert));
}

static char *x509_name_str(const X509_NAME *name)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *p = NULL, *s = NULL;
    long n;

    if (!b)
        return NULL;
    if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
        n = BIO_get_mem_data(b, &p);
        if (n >= 0) {
            s = malloc((size_t)n + 1);
            if (s) {
                memcpy(s, p, (size_t)n);
                s[n] = '\0';
            }
        }
    }
    BIO_free(b);
    return s;
}

static int cert_add_san(struct http_cert *c, const char *kind,
                        const char *val)
{
    char **v;
    size_t n = strlen(kind) + strlen(val) + 1;

    v = realloc(c->sans, (c->n_sans + 1) * sizeof(*v));
    if (!v)
        return ERR_NOMEM;
    c->sans = v;
    v[c->n_sans] = malloc(n);
    if (!v[c->n_sans])
        return ERR_NOMEM;
    snprintf(v[c->n_sans], n, "%s%s", kind, val);
    c->n_sans++;
    return 0;
}

int http_cert_from_x509(struct http_cert *c, const X509 *x)
{
    GENERAL_NAMES *gens = NULL;
    struct tm tm;
    char when[32];
    int i, r = ERR_INVALID;

    c->subject = x509_name_str(X509_get_subject_name(x));
    c->issuer = x509_name_str(X509_get_issuer_name(x));
    if (!c->subject || !c->issuer) {
        r = ERR_NOMEM;
        goto out;
    }
    if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) <= 0)
        goto out;
    if (strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        goto out;
    c->not_after = strdup(when);
    if (!c->not_after) {
        r = ERR_NOMEM;
        goto out;
    }
    gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    for (i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        char tmp[INET6_ADDRSTRLEN];

        if (g->type == GEN_DNS) {
            const unsigned char *d = ASN1_STRING_get0_data(g->d.dNSName);
            int len = ASN1_STRING_length(g->d.dNSName);
            char *s = malloc((size_t)len + 1);

            if (!s) {
                r = ERR_NOMEM;
                goto out;
            }
            memcpy(s, d, (size_t)len);
            s[len] = '\0';
            r = cert_add_san(c, "DNS:", s);
            free(s);
            if (r)
                goto out;
        } else if (g->type == GEN_IPADD) {
            const unsigned char *d = ASN1_STRING_get0_data(g->d.iPAddress);
            int len = ASN1_STRING_length(g->d.iPAddress);
            int af = len == 4 ? AF_INET : len == 16 ? AF_INET6 : -1;

            if (af < 0 || !inet_ntop(af, d, tmp, sizeof(tmp)))
                continue;
            if (cert_add_san(c, "IP:", tmp)) {
                r = ERR_NOMEM;
                goto out;
            }
        }
    }
    r = 0;
out:
    GENERAL_NAMES_free(gens);
    if (r)
        http_cert_clear(c);
    return r;
}

int http_cert_from_pem(struct http_cert *c, const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x;
    int r;

    if (!b)
        return ERR_NOMEM;
    x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    if (!x)
        return ERR_INVALID;
    r = http_cert_from_x509(c, x);
    X509_free(x);
    return r;
}
