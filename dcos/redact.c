#include "redact.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RUN_MIN 8u     /* bytes of a known secret that give it away */
#define SHORT_MIN 4u   /* a shorter secret is matched whole from here */
#define JWT_MIN 16u    /* "eyJ" + 13 */

static const char *const words[] = {
    "authorization", "bearer", "cookie", "password", "passwd", "secret",
    "token", "private_key", "private key"
};

static bool has_run_of(const char *p, size_t n, const struct secret *s)
{
    size_t w, i, j;

    if (!s || s->len < SHORT_MIN)
        return false;
    w = s->len < RUN_MIN ? s->len : RUN_MIN;
    if (n < w)
        return false;
    for (i = 0; i + w <= n; i++)
        for (j = 0; j + w <= s->len; j++)
            if (p[i] == (char)s->buf[j] &&
                memcmp(p + i, s->buf + j, w) == 0)
                return true;
    return false;
}

static bool is_b64url(unsigned char ch)
{
    return isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '+' ||
           ch == '/' || ch == '=';
}

/* Length of a JWT-like run at @p (0 when none). */
static size_t jwt_at(const char *p, size_t n)
{
    size_t i;

    if (n < JWT_MIN || memcmp(p, "eyJ", 3) != 0)
        return 0;
    for (i = 3; i < n && is_b64url((unsigned char)p[i]); i++)
        ;
    return i >= JWT_MIN ? i : 0;
}

static bool is_value_end(unsigned char ch)
{
    return ch <= 0x20 || ch == '"' || ch == '\'' || ch == ',' || ch == ';' ||
           ch == '}' || ch == '&' || ch == '<' || ch == ')' || ch == ']';
}

/*
 * At @p a credential word followed by a separator holding ':' or '=':
 * the offset of the value and its length in *@vlen; 0 when none.
 */
static size_t word_value_at(const char *p, size_t n, size_t *vlen)
{
    size_t w, k, i;
    bool sep;

    for (w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
        k = strlen(words[w]);
        if (k > n || strncasecmp(p, words[w], k) != 0)
            continue;
        if (k < n && isalnum((unsigned char)p[k]))
            continue; /* part of a longer word */
        sep = strcmp(words[w], "bearer") == 0;
        for (i = k; i < n && i < k + 6 &&
                    strchr(" \t:=\"'", p[i]) && p[i]; i++)
            if (p[i] == ':' || p[i] == '=')
                sep = true;
        if (!sep || i >= n)
            continue;
        for (*vlen = 0; i + *vlen < n &&
                        !is_value_end((unsigned char)p[i + *vlen]);
             (*vlen)++)
            ;
        if (*vlen)
            return i;
    }
    return 0;
}

static bool has_pem(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i + 10 <= n; i++)
        if (strncasecmp(p + i, "-----BEGIN", 10) == 0)
            return true;
    return false;
}

bool dcos_redact_found(const char *p, size_t n,
                       const struct secret *const *known, size_t n_known)
{
    size_t i, vlen;

    for (i = 0; i < n_known; i++)
        if (has_run_of(p, n, known[i]))
            return true;
    if (has_pem(p, n))
        return true;
    for (i = 0; i < n; i++)
        if (jwt_at(p + i, n - i) || word_value_at(p + i, n - i, &vlen))
            return true;
    return false;
}

void dcos_redact_text(char *text, size_t cap,
                      const struct secret *const *known, size_t n_known)
{
    size_t n = strlen(text), i, o = 0, k, vlen;
    char *out;

    for (i = 0; i < n_known; i++)
        if (has_run_of(text, n, known[i]))
            goto withhold;
    if (has_pem(text, n))
        goto withhold;
    out = malloc(cap);
    if (!out)
        goto withhold;
    for (i = 0; i < n && o + 1 < cap;) {
        if ((k = jwt_at(text + i, n - i))) {
            o += (size_t)snprintf(out + o, cap - o, "<redacted>");
            i += k;
        } else if ((k = word_value_at(text + i, n - i, &vlen))) {
            o += (size_t)snprintf(out + o, cap - o, "%.*s<redacted>",
                                  (int)k, text + i);
            i += k + vlen;
        } else {
            out[o++] = text[i++];
        }
        if (o >= cap)
            o = cap - 1;
    }
    out[o] = '\0';
    memcpy(text, out, o + 1);
    free(out);
    return;
withhold:
    snprintf(text, cap, "%s", DCOS_REDACT_WITHHELD);
}

bool dcos_token_header_safe(const struct secret *t)
{
    size_t i;

    if (!t || t->len == 0)
        return false;
    for (i = 0; i < t->len; i++)
        if (t->buf[i] <= 0x20 || t->buf[i] == 0x7f)
            return false;
    return true;
}
