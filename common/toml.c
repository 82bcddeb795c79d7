/* The TOML subset reader (toml.h). */
#include "common/toml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"

/* Longest table or key name, and most keys per file. */
#define TOML_NAME_MAX 256u
#define TOML_MAX_KEYS 4096u
#define TOML_VALUE_MAX (1024u * 1024u)

struct rd {
    const char *p, *end;
    int line;
    char table[TOML_NAME_MAX];
    char **seen; /* "table\nkey" of every key read */
    size_t n_seen;
    struct err_info *e;
};

static int fail(struct rd *r, const char *why)
{
    return err_set(r->e, ERR_INVALID, "line %d: %s", r->line, why);
}

static void skip_blank(struct rd *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t'))
        r->p++;
}

/* After a value or header: blanks, an optional comment, the line end. */
static int end_of_line(struct rd *r)
{
    skip_blank(r);
    if (r->p < r->end && *r->p == '#')
        while (r->p < r->end && *r->p != '\n')
            r->p++;
    if (r->p < r->end && *r->p == '\r')
        r->p++;
    if (r->p < r->end && *r->p != '\n')
        return fail(r, "unexpected text after the value");
    if (r->p < r->end) {
        r->p++;
        r->line++;
    }
    return 0;
}

static int is_bare(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
           (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

/* Append code point @cp to @b as UTF-8. */
static int put_utf8(struct buf *b, unsigned long cp)
{
    char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return buf_append(b, u, n);
}

/* \uXXXX or \UXXXXXXXX (@n hex digits) at r->p. */
static int unicode_escape(struct rd *r, struct buf *b, size_t n)
{
    unsigned long cp = 0;
    size_t i;

    if ((size_t)(r->end - r->p) < n)
        return fail(r, "a \\u escape is cut short");
    for (i = 0; i < n; i++) {
        char ch = r->p[i];
        int d = ch >= '0' && ch <= '9'   ? ch - '0'
                : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                         : -1;

        if (d < 0)
            return fail(r, "a \\u escape needs hexadecimal digits");
        cp = cp * 16 + (unsigned long)d;
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0)
        return fail(r, "a \\u escape names no valid character");
    r->p += n;
    return put_utf8(b, cp);
}

/* A string starting at r->p ('"' or '\''), decoded into @b. */
static int string(struct rd *r, struct buf *b)
{
    char q = *r->p++;

    if (r->end - r->p >= 2 && r->p[0] == q && r->p[1] == q)
        return fail(r, "multi-line strings are not supported");
    while (r->p < r->end && *r->p != q) {
        char ch = *r->p++;
        int rc = 0;

        if (ch == '\n' || ch == '\0')
            return fail(r, "a string is not closed on its line");
        if (ch != '\\' || q == '\'') {
            rc = buf_append(b, &ch, 1);
        } else if (r->p >= r->end) {
            break;
        } else {
            ch = *r->p++;
            switch (ch) {
            case '"': case '\\': rc = buf_append(b, &ch, 1); break;
            case 'n': rc = buf_append(b, "\n", 1); break;
            case 't': rc = buf_append(b, "\t", 1); break;
            case 'r': rc = buf_append(b, "\r", 1); break;
            case 'b': rc = buf_append(b, "\b", 1); break;
            case 'f': rc = buf_append(b, "\f", 1); break;
            case 'u': rc = unicode_escape(r, b, 4); break;
            case 'U': rc = unicode_escape(r, b, 8); break;
            default: return fail(r, "unknown escape in a string");
            }
        }
        if (rc)
            return rc == ERR_INVALID && r->e->code ? rc
                   : rc == ERR_NOMEM               ? rc
                                       : fail(r, "value too long");
    }
    if (r->p >= r->end)
        return fail(r, "a string is not closed");
    r->p++;
    return 0;
}

/* A table name or key: bare, or a quoted string; into @out. */
static int name(struct rd *r, char *out, size_t n)
{
    struct buf b;
    int rc = 0;

    buf_init(&b, TOML_NAME_MAX - 1);
    if (r->p < r->end && (*r->p == '"' || *r->p == '\'')) {
        rc = string(r, &b);
    } else {
        const char *s = r->p;

        while (r->p < r->end && is_bare(*r->p))
            r->p++;
        if (r->p == s)
            rc = fail(r, "expected a key");
        else
            rc = buf_append(&b, s, (size_t)(r->p - s));
    }
    if (rc == ERR_INVALID && !r->e->code)
        rc = fail(r, "a key is too long");
    if (rc == 0 && strlen(buf_str(&b)) != b.len)
        rc = fail(r, "a key holds a NUL character");
    if (rc == 0)
        snprintf(out, n, "%s", buf_str(&b));
    buf_free(&b);
    return rc;
}

/* [table] or [a.b]; [[arrays of tables]] are refused. */
static int header(struct rd *r)
{
    char part[TOML_NAME_MAX], full[TOML_NAME_MAX] = "";
    size_t len = 0;
    int rc;

    r->p++;
    if (r->p < r->end && *r->p == '[')
        return fail(r, "arrays of tables are not supported");
    for (;;) {
        skip_blank(r);
        if ((rc = name(r, part, sizeof(part))))
            return rc;
        if (len + strlen(part) + 2 > sizeof(full))
            return fail(r, "table name too long");
        len += (size_t)snprintf(full + len, sizeof(full) - len, "%s%s",
                                len ? "." : "", part);
        skip_blank(r);
        if (r->p < r->end && *r->p == '.') {
            r->p++;
            continue;
        }
        break;
    }
    if (r->p >= r->end || *r->p != ']')
        return fail(r, "expected ']' after the table name");
    r->p++;
    memcpy(r->table, full, len + 1);
    return end_of_line(r);
}

/* A scalar other than a string (or an array's text) into @b. */
static int bare_value(struct rd *r, struct buf *b, enum toml_kind *kind)
{
    const char *s = r->p;
    int depth = 0;

    if (*r->p == '{')
        return fail(r, "inline tables are not supported");
    if (*r->p == '[') {
        *kind = TOML_ARRAY;
        for (; r->p < r->end; r->p++) {
            if (*r->p == '"' || *r->p == '\'') {
                struct buf skip;
                int rc;

                buf_init(&skip, TOML_VALUE_MAX);
                rc = string(r, &skip);
                buf_wipe_free(&skip);
                if (rc)
                    return rc;
                r->p--;
            } else if (*r->p == '[') {
                depth++;
            } else if (*r->p == ']' && --depth == 0) {
                r->p++;
                break;
            } else if (*r->p == '\n') {
                return fail(r, "multi-line arrays are not supported");
            }
        }
        if (depth)
            return fail(r, "an array is not closed");
        return buf_append(b, s, (size_t)(r->p - s));
    }
    while (r->p < r->end && *r->p != ' ' && *r->p != '\t' &&
           *r->p != '#' && *r->p != '\n' && *r->p != '\r')
        r->p++;
    if (buf_append(b, s, (size_t)(r->p - s)))
        return ERR_NOMEM;
    if (strcmp(buf_str(b), "true") == 0 || strcmp(buf_str(b), "false") == 0)
        *kind = TOML_BOOL;
    else if (b->len && strspn(buf_str(b), "+-0123456789_xobabcdefABCDEF") ==
                           b->len &&
             strspn(buf_str(b) + (*buf_str(b) == '+' || *buf_str(b) == '-'),
                    "0123456789") > 0)
        *kind = TOML_INTEGER;
    else if (b->len &&
             (strspn(buf_str(b), "+-0123456789_.eE") == b->len ||
              strcmp(buf_str(b) + (*buf_str(b) == '+' || *buf_str(b) == '-'),
                     "inf") == 0 ||
              strcmp(buf_str(b) + (*buf_str(b) == '+' || *buf_str(b) == '-'),
                     "nan") == 0))
        *kind = TOML_FLOAT;
    else
        return fail(r, "expected a string, number, boolean or array");
    return 0;
}

/* Has "table\nkey" been read before?  Remembers it otherwise. */
static int seen_before(struct rd *r, const char *key)
{
    char *k = util_format("%s\n%s", r->table, key), **n;
    size_t i;

    if (!k)
        return ERR_NOMEM;
    for (i = 0; i < r->n_seen; i++)
        if (strcmp(r->seen[i], k) == 0) {
            free(k);
            return fail(r, "a key is defined twice");
        }
    if (r->n_seen >= TOML_MAX_KEYS) {
        free(k);
        return fail(r, "too many keys");
    }
    n = realloc(r->seen, (r->n_seen + 1) * sizeof(*n));
    if (!n) {
        free(k);
        return ERR_NOMEM;
    }
    r->seen = n;
    r->seen[r->n_seen++] = k;
    return 0;
}

static int key_value(struct rd *r, toml_value_fn fn, void *payload)
{
    char key[TOML_NAME_MAX];
    enum toml_kind kind = TOML_STRING;
    struct buf b;
    int rc, line = r->line;

    if ((rc = name(r, key, sizeof(key))))
        return rc;
    skip_blank(r);
    if (r->p < r->end && *r->p == '.')
        return fail(r, "dotted keys are not supported");
    if (r->p >= r->end || *r->p != '=')
        return fail(r, "expected '=' after the key");
    r->p++;
    skip_blank(r);
    if (r->p >= r->end || *r->p == '\n' || *r->p == '\r' || *r->p == '#')
        return fail(r, "a key has no value");
    if ((rc = seen_before(r, key)))
        return rc;
    buf_init(&b, TOML_VALUE_MAX);
    rc = *r->p == '"' || *r->p == '\'' ? string(r, &b)
                                       : bare_value(r, &b, &kind);
    if (rc == 0)
        rc = end_of_line(r);
    if (rc == 0)
        rc = fn(r->table, key, b.len ? buf_str(&b) : "", b.len, kind, line,
                payload);
    buf_wipe_free(&b);
    return rc;
}

int toml_read(const char *text, size_t len, toml_value_fn fn, void *payload,
              struct err_info *e)
{
    struct rd r;
    size_t i;
    int rc = 0;

    memset(&r, 0, sizeof(r));
    r.p = text;
    r.end = text + len;
    r.line = 1;
    r.e = e;
    err_clear(e);
    /* A UTF-8 byte order mark. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        r.p += 3;
    while (rc == 0 && r.p < r.end) {
        skip_blank(&r);
        if (r.p >= r.end)
            break;
        if (*r.p == '#' || *r.p == '\n' || *r.p == '\r')
            rc = end_of_line(&r);
        else if (*r.p == '[')
            rc = header(&r);
        else
            rc = key_value(&r, fn, payload);
    }
    for (i = 0; i < r.n_seen; i++)
        free(r.seen[i]);
    free(r.seen);
    return rc;
}
