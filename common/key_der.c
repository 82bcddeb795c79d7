#include "common/key_der.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/err.h"

/* Longest PEM text and base64 line read; longer goes to OpenSSL. */
#define PEM_TEXT_MAX (1024u * 1024u)
#define PEM_LINE_MAX 76u
/* Base64 characters of one written line, as OpenSSL writes, and the
 * bytes they hold. */
#define PEM_COLUMNS 64u
#define PEM_CHUNK (PEM_COLUMNS / 4u * 3u)
/* Longest "-----BEGIN <label>-----" line. */
#define PEM_MARK_MAX 64u

/* Modulus: 512 to 8192 bits (a leading 0 byte keeps it positive). */
#define RSA_N_MIN 64u
#define RSA_N_MAX 1025u
#define RSA_E_MAX 8u

#define TAG_INTEGER 0x02u
#define TAG_BIT_STRING 0x03u
#define TAG_OCTET_STRING 0x04u
#define TAG_OID 0x06u
#define TAG_SEQUENCE 0x30u
#define TAG_SET 0x31u
#define TAG_CONTEXT_0 0xa0u

/* AlgorithmIdentifier { rsaEncryption 1.2.840.113549.1.1.1, NULL }. */
static const unsigned char rsa_alg[] = {
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
    0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
};
/* INTEGER 0: the version of PKCS#8 v1 and of a two-prime RSA key. */
static const unsigned char version_0[] = { 0x02, 0x01, 0x00 };

/* Unread rest of a DER buffer. */
struct der {
    const unsigned char *p;
    size_t n;
};

/*
 * Take the TLV at the head of @d if its tag is @tag: definite length,
 * minimal, at most 3 length octets, within @d.  @val gets the contents.
 */
static int der_take(struct der *d, unsigned tag, struct der *val)
{
    size_t len, hdr = 2, k, i;

    if (d->n < 2 || d->p[0] != tag)
        return ERR_INVALID;
    len = d->p[1];
    if (len & 0x80u) {
        k = len & 0x7fu;
        /* 0x80 is BER's indefinite length; a 0 octet is not minimal. */
        if (k == 0 || k > 3 || d->n - 2 < k || d->p[2] == 0)
            return ERR_INVALID;
        for (len = 0, i = 0; i < k; i++)
            len = len << 8 | d->p[2 + i];
        if (len < 0x80u)
            return ERR_INVALID;
        hdr += k;
    }
    if (len > d->n - hdr)
        return ERR_INVALID;
    val->p = d->p + hdr;
    val->n = len;
    d->p += hdr + len;
    d->n -= hdr + len;
    return 0;
}

/* Take the exact bytes @want (@n) from the head of @d. */
static int der_expect(struct der *d, const unsigned char *want, size_t n)
{
    if (d->n < n || memcmp(d->p, want, n) != 0)
        return ERR_INVALID;
    d->p += n;
    d->n -= n;
    return 0;
}

/* Take a positive, non-zero, minimally encoded INTEGER. */
static int der_uint(struct der *d, struct der *val)
{
    if (der_take(d, TAG_INTEGER, val) || val->n == 0 || val->p[0] & 0x80u)
        return ERR_INVALID;
    if (val->p[0] == 0 && (val->n == 1 || !(val->p[1] & 0x80u)))
        return ERR_INVALID;
    return 0;
}

/* n and e within the bounds of the fast path. */
static int rsa_pub_check(const struct der *n, const struct der *e)
{
    return n->n >= RSA_N_MIN && n->n <= RSA_N_MAX && e->n <= RSA_E_MAX
               ? 0
               : ERR_INVALID;
}

/* Contents of an OBJECT IDENTIFIER as OpenSSL accepts them. */
static int oid_check(const struct der *oid)
{
    size_t i;

    if (oid->n == 0 || oid->p[oid->n - 1] & 0x80u)
        return ERR_INVALID;
    /* A sub-identifier may not start with 0x80 (padding). */
    for (i = 0; i < oid->n; i++)
        if (oid->p[i] == 0x80u && (i == 0 || !(oid->p[i - 1] & 0x80u)))
            return ERR_INVALID;
    return 0;
}

/*
 * One attribute value: a string type OpenSSL keeps as it is, or a
 * SEQUENCE or SET, which it keeps without reading inside.
 */
static int attr_value_check(struct der *vals)
{
    static const unsigned char kept[] = {
        TAG_OCTET_STRING, 0x0c, 0x13, 0x16, 0x1e, TAG_SEQUENCE, TAG_SET
    };
    struct der v;
    unsigned tag;

    if (vals->n == 0 || !memchr(kept, vals->p[0], sizeof(kept)))
        return ERR_INVALID;
    tag = vals->p[0];
    if (der_take(vals, tag, &v))
        return ERR_INVALID;
    /* BMPString: two bytes a character. */
    return tag == 0x1eu && v.n % 2 ? ERR_INVALID : 0;
}

/* [0] IMPLICIT SET OF SEQUENCE { OID, SET OF value } (@attrs contents). */
static int attrs_check(struct der *attrs)
{
    struct der attr, oid, vals;

    while (attrs->n) {
        if (der_take(attrs, TAG_SEQUENCE, &attr) ||
            der_take(&attr, TAG_OID, &oid) || oid_check(&oid) ||
            der_take(&attr, TAG_SET, &vals) || attr.n || vals.n == 0)
            return ERR_INVALID;
        while (vals.n)
            if (attr_value_check(&vals))
                return ERR_INVALID;
    }
    return 0;
}

/* Octets of a DER header with tag @tag and length @len at @out (or just
 * counted when @out is NULL). */
static size_t der_put_hdr(unsigned char *out, unsigned tag, size_t len)
{
    size_t k = len < 0x80u ? 0 : len < 0x100u ? 1 : len < 0x10000u ? 2 : 3;
    size_t i;

    if (out) {
        out[0] = (unsigned char)tag;
        if (k == 0) {
            out[1] = (unsigned char)len;
        } else {
            out[1] = (unsigned char)(0x80u | k);
            for (i = 0; i < k; i++)
                out[2 + i] = (unsigned char)(len >> (8 * (k - 1 - i)));
        }
    }
    return 2 + k;
}

/* Append a TLV (@tag, contents @val) at *@w. */
static void der_put(unsigned char **w, unsigned tag, const struct der *val)
{
    *w += der_put_hdr(*w, tag, val->n);
    memcpy(*w, val->p, val->n);
    *w += val->n;
}

/* SubjectPublicKeyInfo of RSA modulus @n and exponent @e (contents of
 * checked INTEGERs). */
static int spki_build(unsigned char **spki, size_t *spki_len,
                      const struct der *n, const struct der *e)
{
    size_t key, bits, top, total;
    unsigned char *out, *w;

    key = der_put_hdr(NULL, TAG_INTEGER, n->n) + n->n +
          der_put_hdr(NULL, TAG_INTEGER, e->n) + e->n;
    bits = 1 + der_put_hdr(NULL, TAG_SEQUENCE, key) + key;
    top = sizeof(rsa_alg) + der_put_hdr(NULL, TAG_BIT_STRING, bits) + bits;
    total = der_put_hdr(NULL, TAG_SEQUENCE, top) + top;
    out = OPENSSL_malloc(total);
    if (!out)
        return ERR_NOMEM;
    w = out + der_put_hdr(out, TAG_SEQUENCE, top);
    memcpy(w, rsa_alg, sizeof(rsa_alg));
    w += sizeof(rsa_alg);
    w += der_put_hdr(w, TAG_BIT_STRING, bits);
    *w++ = 0;
    w += der_put_hdr(w, TAG_SEQUENCE, key);
    der_put(&w, TAG_INTEGER, n);
    der_put(&w, TAG_INTEGER, e);
    *spki = out;
    *spki_len = total;
    return 0;
}

int key_der_spki_check(const unsigned char *der, size_t len)
{
    struct der d = { der, len }, top, bits, key, n, e;

    if (!der || der_take(&d, TAG_SEQUENCE, &top) || d.n ||
        der_expect(&top, rsa_alg, sizeof(rsa_alg)) ||
        der_take(&top, TAG_BIT_STRING, &bits) || top.n || bits.n < 1 ||
        bits.p[0] != 0)
        return ERR_INVALID;
    bits.p++;
    bits.n--;
    if (der_take(&bits, TAG_SEQUENCE, &key) || bits.n ||
        der_uint(&key, &n) || der_uint(&key, &e) || key.n)
        return ERR_INVALID;
    return rsa_pub_check(&n, &e);
}

int key_der_spki_from_pkcs8(unsigned char **spki, size_t *spki_len,
                            const unsigned char *der, size_t len)
{
    struct der d = { der, len }, top, octets, key, n, e, x, attrs;
    int i;

    if (!der || der_take(&d, TAG_SEQUENCE, &top) || d.n ||
        der_expect(&top, version_0, sizeof(version_0)) ||
        der_expect(&top, rsa_alg, sizeof(rsa_alg)) ||
        der_take(&top, TAG_OCTET_STRING, &octets))
        return ERR_INVALID;
    if (top.n && (der_take(&top, TAG_CONTEXT_0, &attrs) ||
                  attrs_check(&attrs) || top.n))
        return ERR_INVALID;
    /* Version 1 (more than two primes) is left to OpenSSL. */
    if (der_take(&octets, TAG_SEQUENCE, &key) || octets.n ||
        der_expect(&key, version_0, sizeof(version_0)) ||
        der_uint(&key, &n) || der_uint(&key, &e) || rsa_pub_check(&n, &e))
        return ERR_INVALID;
    /* d, p, q, dp, dq, qinv */
    for (i = 0; i < 6; i++)
        if (der_uint(&key, &x))
            return ERR_INVALID;
    if (key.n)
        return ERR_INVALID;
    return spki_build(spki, spki_len, &n, &e);
}

static int is_b64(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The line at @p (before @end): *@n characters without its LF or CRLF;
 * returns the start of the next line, or NULL when the input ends without
 * a line feed (then *@n counts up to @end).
 */
static const char *line_next(const char *p, const char *end, size_t *n)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));

    if (!nl) {
        *n = (size_t)(end - p);
        return NULL;
    }
    *n = (size_t)(nl - p);
    if (*n && p[*n - 1] == '\r')
        (*n)--;
    return nl + 1;
}

/*
 * Walk the body lines from @p to the END line @mark (@mark_len): count
 * the base64 characters and '=' (*@pad) and copy them to @b64 when it is
 * not NULL.  Returns what follows the END line, NULL when not strict.
 */
static const char *pem_body(char *b64, size_t *nb64, size_t *pad,
                            const char *p, const char *end, const char *mark,
                            size_t mark_len)
{
    const char *next;
    size_t n, i;

    *nb64 = 0;
    *pad = 0;
    for (;;) {
        next = line_next(p, end, &n);
        if (n == mark_len && memcmp(p, mark, n) == 0)
            return next ? next : end;
        /* Padding ends the body; empty, long or cut lines are not ours. */
        if (!next || *pad || n == 0 || n > PEM_LINE_MAX)
            return NULL;
        for (i = 0; i < n; i++) {
            if (p[i] == '=') {
                (*pad)++;
            } else if (*pad || !is_b64(p[i])) {
                return NULL;
            }
        }
        if (b64)
            memcpy(b64 + *nb64, p, n);
        *nb64 += n;
        p = next;
    }
}

int key_der_pem_decode(unsigned char **der, size_t *der_len, const char *pem,
                       size_t len, const char *label)
{
    char begin[PEM_MARK_MAX], mark[PEM_MARK_MAX];
    const char *p = pem, *end = pem + len, *body, *after;
    unsigned char *out = NULL;
    size_t nb64, pad, n, i;
    char *b64 = NULL;
    int nb, ne, dec;

    if (!pem || !label || len > PEM_TEXT_MAX)
        return ERR_INVALID;
    nb = snprintf(begin, sizeof(begin), "-----BEGIN %s-----", label);
    ne = snprintf(mark, sizeof(mark), "-----END %s-----", label);
    if (nb < 0 || ne < 0 || (size_t)nb >= sizeof(begin) ||
        (size_t)ne >= sizeof(mark))
        return ERR_INVALID;
    while (p < end && is_space(*p))
        p++;
    /* The BEGIN line starts a line: OpenSSL skips only whole lines. */
    if (p > pem && p[-1] != '\n')
        return ERR_INVALID;
    body = line_next(p, end, &n);
    if (!body || n != (size_t)nb || memcmp(p, begin, n) != 0)
        return ERR_INVALID;
    after = pem_body(NULL, &nb64, &pad, body, end, mark, (size_t)ne);
    if (!after || nb64 == 0 || nb64 % 4 || pad > 2)
        return ERR_INVALID;
    for (; after < end; after++)
        if (!is_space(*after))
            return ERR_INVALID;
    /* OpenSSL's allocator, as for the keys its own decoders read. */
    b64 = OPENSSL_malloc(nb64 + 1);
    out = OPENSSL_malloc(nb64 / 4 * 3);
    if (!b64 || !out) {
        OPENSSL_free(b64);
        OPENSSL_free(out);
        return ERR_NOMEM;
    }
    (void)pem_body(b64, &nb64, &pad, body, end, mark, (size_t)ne);
    /* '=' and 'A' are both 6 zero bits; the padding bytes are dropped. */
    for (i = nb64 - pad; i < nb64; i++)
        b64[i] = 'A';
    b64[nb64] = '\0';
    dec = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)nb64);
    OPENSSL_clear_free(b64, nb64);
    if (dec < 0 || (size_t)dec != nb64 / 4 * 3) {
        key_der_free(out, nb64 / 4 * 3);
        return ERR_INVALID;
    }
    *der = out;
    *der_len = (size_t)dec - pad;
    return 0;
}

int key_der_pem_encode(char **pem, const unsigned char *der, size_t len,
                       const char *label)
{
    size_t lines, size, chunk, o;
    char *s;

    if (!der || len == 0 || !label || strlen(label) > PEM_MARK_MAX ||
        len > PEM_TEXT_MAX)
        return ERR_INVALID;
    lines = (len + PEM_CHUNK - 1) / PEM_CHUNK;
    size = 2 * (sizeof("-----BEGIN -----\n") + strlen(label)) +
           (len + 2) / 3 * 4 + lines + 1;
    s = malloc(size);
    if (!s)
        return ERR_NOMEM;
    o = (size_t)snprintf(s, size, "-----BEGIN %s-----\n", label);
    for (; len; der += chunk, len -= chunk) {
        chunk = len < PEM_CHUNK ? len : PEM_CHUNK;
        o += (size_t)EVP_EncodeBlock((unsigned char *)s + o, der, (int)chunk);
        s[o++] = '\n';
    }
    snprintf(s + o, size - o, "-----END %s-----\n", label);
    *pem = s;
    return 0;
}

void key_der_free(unsigned char *der, size_t len)
{
    if (der)
        OPENSSL_clear_free(der, len);
}
