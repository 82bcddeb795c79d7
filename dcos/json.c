#include "json.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

#define JSON_MAX_DEPTH 64

int dcos_json_put_string(struct buf *b, const char *s, size_t len)
{
    size_t i, start = 0;
    int r;

    r = buf_append(b, "\"", 1);
    for (i = 0; r == 0 && i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        char esc[8];
        const char *rep = NULL;

        switch (ch) {
        case '"': rep = "\\\""; break;
        case '\\': rep = "\\\\"; break;
        case '\n': rep = "\\n"; break;
        case '\r': rep = "\\r"; break;
        case '\t': rep = "\\t"; break;
        case '\b': rep = "\\b"; break;
        case '\f': rep = "\\f"; break;
        default:
            if (ch < 0x20 || ch == 0x7f) {
                snprintf(esc, sizeof(esc), "\\u%04x", ch);
                rep = esc;
            }
            break;
        }
        if (!rep)
            continue;
        r = buf_append(b, s + start, i - start);
        if (r == 0)
            r = buf_puts(b, rep);
        start = i + 1;
    }
    if (r == 0)
        r = buf_append(b, s + start, len - start);
    if (r == 0)
        r = buf_append(b, "\"", 1);
    return r;
}

/* ------------------------------------------------------------------ */
/* strict scanner                                                      */

struct scan {
    const char *p;
    const char *end;
};

static void skip_ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
                             *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    int i;

    for (i = 0; i < 4; i++) {
        char c = p[i];

        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return ERR_INVALID;
    }
    *out = v;
    return 0;
}

static int put_utf8(struct buf *b, unsigned cp)
{
    unsigned char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xc0 | cp >> 6);
        u[1] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xe0 | cp >> 12);
        u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        u[2] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (unsigned char)(0xf0 | cp >> 18);
        u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
        u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        u[3] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    return b ? buf_append(b, u, n) : 0;
}

/* A string at s->p (the opening quote); decoded into @out when non-NULL. */
static int scan_string(struct scan *s, struct buf *out)
{
    int r = 0;

    if (s->p >= s->end || *s->p != '"')
        return ERR_INVALID;
    s->p++;
    while (s->p < s->end) {
        unsigned char ch = (unsigned char)*s->p;
        const char *run = s->p;

        if (ch == '"') {
            s->p++;
            return 0;
        }
        if (ch < 0x20)
            return ERR_INVALID;
        if (ch != '\\') {
            while (s->p < s->end && *s->p != '"' && *s->p != '\\' &&
                   (unsigned char)*s->p >= 0x20)
                s->p++;
            if (out)
                r = buf_append(out, run, (size_t)(s->p - run));
            if (r)
                return r;
            continue;
        }
        if (s->end - s->p < 2)
            return ERR_INVALID;
        s->p++;
        switch (*s->p) {
        case '"': r = out ? buf_append(out, "\"", 1) : 0; break;
        case '\\': r = out ? buf_append(out, "\\", 1) : 0; break;
        case '/': r = out ? buf_append(out, "/", 1) : 0; break;
        case 'b': r = out ? buf_append(out, "\b", 1) : 0; break;
        case 'f': r = out ? buf_append(out, "\f", 1) : 0; break;
        case 'n': r = out ? buf_append(out, "\n", 1) : 0; break;
        case 'r': r = out ? buf_append(out, "\r", 1) : 0; break;
        case 't': r = out ? buf_append(out, "\t", 1) : 0; break;
        case 'u': {
            unsigned cp, lo;

            if (s->end - s->p < 5 || hex4(s->p + 1, &cp))
                return ERR_INVALID;
            s->p += 4;
            if (cp >= 0xdc00 && cp <= 0xdfff)
                return ERR_INVALID;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (s->end - s->p < 7 || s->p[1] != '\\' || s->p[2] != 'u' ||
                    hex4(s->p + 3, &lo) || lo < 0xdc00 || lo > 0xdfff)
                    return ERR_INVALID;
                s->p += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            if (cp == 0)
                return ERR_INVALID; /* no NUL inside C strings */
            r = put_utf8(out, cp);
            break;
        }
        default:
            return ERR_INVALID;
        }
        if (r)
            return r;
        s->p++;
    }
    return ERR_INVALID;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int scan_number(struct scan *s)
{
    if (s->p < s->end && *s->p == '-')
        s->p++;
    if (s->p >= s->end)
        return ERR_INVALID;
    if (*s->p == '0') {
        s->p++;
    } else if (is_digit(*s->p)) {
        while (s->p < s->end && is_digit(*s->p))
            s->p++;
    } else {
        return ERR_INVALID;
    }
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (s->p >= s->end || !is_digit(*s->p))
            return ERR_INVALID;
        while (s->p < s->end && is_digit(*s->p))
            s->p++;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (s->p >= s->end || !is_digit(*s->p))
            return ERR_INVALID;
        while (s->p < s->end && is_digit(*s->p))
            s->p++;
    }
    return 0;
}

static int scan_literal(struct scan *s, const char *lit)
{
    size_t n = strlen(lit);

    if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
        return ERR_INVALID;
    s->p += n;
    return 0;
}

static int scan_value(struct scan *s, int depth);

static int scan_container(struct scan *s, int depth, char close)
{
    bool first = true;
    int r;

    if (depth >= JSON_MAX_DEPTH)
        return ERR_INVALID;
    s->p++;
    for (;;) {
        skip_ws(s);
        if (s->p < s->end && *s->p == close && first) {
            s->p++;
            return 0;
        }
        if (close == '}') {
            r = scan_string(s, NULL);
            if (r)
                return r;
            skip_ws(s);
            if (s->p >= s->end || *s->p != ':')
                return ERR_INVALID;
            s->p++;
        }
        r = scan_value(s, depth + 1);
        if (r)
            return r;
        skip_ws(s);
        if (s->p >= s->end)
            return ERR_INVALID;
        if (*s->p == close) {
            s->p++;
            return 0;
        }
        if (*s->p != ',')
            return ERR_INVALID;
        s->p++;
        first = false;
    }
}

static int scan_value(struct scan *s, int depth)
{
    skip_ws(s);
    if (s->p >= s->end)
        return ERR_INVALID;
    switch (*s->p) {
    case '{': return scan_container(s, depth, '}');
    case '[': return scan_container(s, depth, ']');
    case '"': return scan_string(s, NULL);
    case 't': return scan_literal(s, "true");
    case 'f': return scan_literal(s, "false");
    case 'n': return scan_literal(s, "null");
    default: return scan_number(s);
    }
}

int dcos_json_secret_member(struct secret **out, const char *text,
                            size_t len, const char *key)
{
    struct scan s;
    struct buf name, val;
    bool seen = false, is_string = false, first = true;
    int r = 0;

    if (!text)
        return ERR_INVALID;
    s.p = text;
    s.end = text + len;
    buf_init(&name, 64 * 1024);
    buf_init(&val, len + 1);
    skip_ws(&s);
    if (s.p >= s.end || *s.p != '{')
        return ERR_INVALID;
    s.p++;
    for (;;) {
        skip_ws(&s);
        if (first && s.p < s.end && *s.p == '}') {
            s.p++;
            break;
        }
        buf_reset(&name);
        r = scan_string(&s, &name);
        if (r)
            goto out;
        skip_ws(&s);
        if (s.p >= s.end || *s.p != ':') {
            r = ERR_INVALID;
            goto out;
        }
        s.p++;
        skip_ws(&s);
        if (name.len == strlen(key) && memcmp(name.data, key, name.len) == 0) {
            if (seen) {
                r = ERR_INVALID; /* duplicate key */
                goto out;
            }
            seen = true;
            if (s.p < s.end && *s.p == '"') {
                is_string = true;
                r = scan_string(&s, &val);
            } else {
                r = scan_value(&s, 1);
            }
        } else {
            r = scan_value(&s, 1);
        }
        if (r)
            goto out;
        skip_ws(&s);
        if (s.p >= s.end) {
            r = ERR_INVALID;
            goto out;
        }
        if (*s.p == '}') {
            s.p++;
            break;
        }
        if (*s.p != ',') {
            r = ERR_INVALID;
            goto out;
        }
        s.p++;
        first = false;
    }
    skip_ws(&s);
    if (s.p != s.end) {
        r = ERR_INVALID;
        goto out;
    }
    if (!seen || !is_string) {
        r = ERR_NOTFOUND;
        goto out;
    }
    {
        struct secret *v = secret_new(val.data ? val.data : "", val.len);

        if (!v)
            r = ERR_NOMEM;
        else
            *out = v;
    }
out:
    buf_wipe_free(&name);
    buf_wipe_free(&val);
    return r;
}

json_t *dcos_json_parse(const char *data, size_t len)
{
    json_error_t jerr;

    if (!data)
        return NULL;
    return json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                      &jerr);
}
