#include "common/jsonscan.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"

#define KEY_MAX (64u * 1024u)

void jsonscan_init(struct jsonscan *s, const char *text, size_t len,
                   unsigned flags)
{
    memset(s, 0, sizeof(*s));
    s->text = text;
    s->len = text ? len : 0;
    s->line = 1;
    s->flags = flags;
}

int jsonscan_peek(const struct jsonscan *s)
{
    return s->pos < s->len ? (unsigned char)s->text[s->pos] : -1;
}

void jsonscan_advance(struct jsonscan *s)
{
    unsigned char c = (unsigned char)s->text[s->pos++];

    if (c == '\n') {
        s->line++;
        s->lead = 0;
    } else if ((c & 0xC0) != 0x80) {
        s->lead++;
    }
}

int jsonscan_column(const struct jsonscan *s)
{
    return s->lead + 1;
}

void jsonscan_skip_ws(struct jsonscan *s)
{
    int c;

    while ((c = jsonscan_peek(s)) == ' ' || c == '\t' || c == '\n' ||
           c == '\r')
        jsonscan_advance(s);
}

enum jsonscan_type jsonscan_type_next(const struct jsonscan *s)
{
    int c = jsonscan_peek(s);

    switch (c) {
    case '{': return JSONSCAN_OBJECT;
    case '[': return JSONSCAN_ARRAY;
    case '"': return JSONSCAN_STRING;
    case 't': return JSONSCAN_TRUE;
    case 'f': return JSONSCAN_FALSE;
    case 'n': return JSONSCAN_NULL;
    default:
        return c == '-' || (c >= '0' && c <= '9') ? JSONSCAN_NUMBER
                                                   : JSONSCAN_NONE;
    }
}

static int put_utf8(uint32_t cp, jsonscan_put_fn put, void *payload)
{
    char b[4];
    size_t n;

    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return put(b, n, payload);
}

static int hex4(struct jsonscan *s, uint32_t *out)
{
    uint32_t v = 0;
    int i;

    for (i = 0; i < 4; i++) {
        int c = jsonscan_peek(s);

        if (c >= '0' && c <= '9')
            v = v * 16 + (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v * 16 + (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v = v * 16 + (uint32_t)(c - 'A' + 10);
        else
            return ERR_INVALID;
        jsonscan_advance(s);
    }
    *out = v;
    return 0;
}

/* The code point of a \u escape (the scanner is past the 'u'). */
static int unicode_escape(struct jsonscan *s, uint32_t *out)
{
    uint32_t cp, lo;

    if (hex4(s, &cp))
        return ERR_INVALID;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return ERR_INVALID;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (jsonscan_peek(s) != '\\')
            return ERR_INVALID;
        jsonscan_advance(s);
        if (jsonscan_peek(s) != 'u')
            return ERR_INVALID;
        jsonscan_advance(s);
        if (hex4(s, &lo))
            return ERR_INVALID;
        if (lo < 0xDC00 || lo > 0xDFFF)
            return ERR_INVALID;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    if (cp == 0 && (s->flags & JSONSCAN_NO_NUL))
        return ERR_INVALID;
    *out = cp;
    return 0;
}

int jsonscan_string(struct jsonscan *s, jsonscan_put_fn put, void *payload)
{
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    int r;

    if (jsonscan_peek(s) != '"')
        return ERR_INVALID;
    jsonscan_advance(s);
    for (;;) {
        size_t start = s->pos;
        const char *p;
        int c;

        /* A run of plain bytes at once. */
        while ((c = jsonscan_peek(s)) >= 0x20 && c != '"' && c != '\\')
            jsonscan_advance(s);
        if (put && s->pos > start) {
            r = put(s->text + start, s->pos - start, payload);
            if (r)
                return r;
        }
        if (c == '"') {
            jsonscan_advance(s);
            return 0;
        }
        if (c != '\\')
            return ERR_INVALID; /* control character or end of text */
        jsonscan_advance(s);
        c = jsonscan_peek(s);
        if (c == 'u') {
            uint32_t cp;

            jsonscan_advance(s);
            if (unicode_escape(s, &cp))
                return ERR_INVALID;
            r = put ? put_utf8(cp, put, payload) : 0;
            if (r)
                return r;
            continue;
        }
        p = c > 0 ? strchr(from, c) : NULL;
        if (!p || !*p)
            return ERR_INVALID;
        jsonscan_advance(s);
        r = put ? put(&to[p - from], 1, payload) : 0;
        if (r)
            return r;
    }
}

static int digits(struct jsonscan *s)
{
    int c = jsonscan_peek(s);

    if (c < '0' || c > '9')
        return ERR_INVALID;
    while ((c = jsonscan_peek(s)) >= '0' && c <= '9')
        jsonscan_advance(s);
    return 0;
}

static int number(struct jsonscan *s)
{
    int c;

    if (jsonscan_peek(s) == '-')
        jsonscan_advance(s);
    if (jsonscan_peek(s) == '0')
        jsonscan_advance(s);
    else if (digits(s))
        return ERR_INVALID;
    if (jsonscan_peek(s) == '.') {
        jsonscan_advance(s);
        if (digits(s))
            return ERR_INVALID;
    }
    c = jsonscan_peek(s);
    if (c == 'e' || c == 'E') {
        jsonscan_advance(s);
        c = jsonscan_peek(s);
        if (c == '+' || c == '-')
            jsonscan_advance(s);
        if (digits(s))
            return ERR_INVALID;
    }
    return 0;
}

static int literal(struct jsonscan *s, const char *word)
{
    for (; *word; word++) {
        if (jsonscan_peek(s) != (unsigned char)*word)
            return ERR_INVALID;
        jsonscan_advance(s);
    }
    return 0;
}

int jsonscan_scalar(struct jsonscan *s)
{
    switch (jsonscan_type_next(s)) {
    case JSONSCAN_STRING: return jsonscan_string(s, NULL, NULL);
    case JSONSCAN_NUMBER: return number(s);
    case JSONSCAN_TRUE: return literal(s, "true");
    case JSONSCAN_FALSE: return literal(s, "false");
    case JSONSCAN_NULL: return literal(s, "null");
    default: return ERR_INVALID;
    }
}

/*
 * The members of an object or the elements of an array: @close is '}' or
 * ']'.  Keys exist for objects only.
 */
static int container(struct jsonscan *s, char close, jsonscan_put_fn put_key,
                     jsonscan_value_fn value, void *payload)
{
    int r;

    jsonscan_advance(s); /* { or [ */
    jsonscan_skip_ws(s);
    if (jsonscan_peek(s) == close) {
        jsonscan_advance(s);
        return 0;
    }
    for (;;) {
        struct jsonscan_key k, *kp = NULL;

        jsonscan_skip_ws(s);
        if (close == '}') {
            if (jsonscan_peek(s) != '"')
                return ERR_INVALID;
            k.pos = s->pos;
            k.line = s->line;
            k.column = jsonscan_column(s);
            r = jsonscan_string(s, put_key, payload);
            if (r)
                return r;
            k.end = s->pos;
            jsonscan_skip_ws(s);
            if (jsonscan_peek(s) != ':')
                return ERR_INVALID;
            jsonscan_advance(s);
            jsonscan_skip_ws(s);
            kp = &k;
        }
        r = value(s, kp, payload);
        if (r)
            return r;
        jsonscan_skip_ws(s);
        if (jsonscan_peek(s) == ',') {
            jsonscan_advance(s);
            continue;
        }
        if (jsonscan_peek(s) == close) {
            jsonscan_advance(s);
            return 0;
        }
        return ERR_INVALID;
    }
}

int jsonscan_object(struct jsonscan *s, jsonscan_put_fn put_key,
                    jsonscan_value_fn value, void *payload)
{
    if (jsonscan_peek(s) != '{')
        return ERR_INVALID;
    return container(s, '}', put_key, value, payload);
}

int jsonscan_array(struct jsonscan *s, jsonscan_value_fn value,
                   void *payload)
{
    if (jsonscan_peek(s) != '[')
        return ERR_INVALID;
    return container(s, ']', NULL, value, payload);
}

/* jsonscan_value_fn of jsonscan_value: @payload is the depth left. */
static int skip_nested(struct jsonscan *s, const struct jsonscan_key *key,
                       void *payload)
{
    (void)key;
    return jsonscan_value(s, *(const unsigned *)payload);
}

int jsonscan_value(struct jsonscan *s, unsigned depth)
{
    enum jsonscan_type t = jsonscan_type_next(s);
    unsigned below = depth ? depth - 1 : 0;

    if (t != JSONSCAN_OBJECT && t != JSONSCAN_ARRAY)
        return jsonscan_scalar(s);
    if (depth == 0)
        return ERR_INVALID;
    return container(s, t == JSONSCAN_OBJECT ? '}' : ']', NULL, skip_nested,
                     &below);
}

int jsonscan_put_buf(const char *p, size_t n, void *payload)
{
    return buf_append(payload, p, n);
}

int jsonscan_put_string(struct buf *b, const char *s, size_t len)
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

struct fields_ctx {
    struct buf key;
    struct jsonscan_field *fields;
    size_t n;
};

static int key_put(const char *p, size_t n, void *payload)
{
    struct fields_ctx *x = payload;

    return buf_append(&x->key, p, n);
}

/* jsonscan_value_fn of jsonscan_fields, for each top-level member. */
static int field_value(struct jsonscan *s, const struct jsonscan_key *key,
                       void *payload)
{
    struct fields_ctx *x = payload;
    struct jsonscan_field *f = NULL;
    size_t i;
    int r;

    (void)key;
    for (i = 0; i < x->n && !f; i++)
        if (strlen(x->fields[i].key) == x->key.len &&
            memcmp(x->fields[i].key, x->key.data, x->key.len) == 0)
            f = &x->fields[i];
    buf_reset(&x->key);
    if (!f)
        return jsonscan_value(s, JSONSCAN_MAX_DEPTH - 1);
    if (f->found)
        return ERR_CONFLICT;
    if (jsonscan_peek(s) != '"') {
        f->found = -1;
        return jsonscan_value(s, JSONSCAN_MAX_DEPTH - 1);
    }
    r = jsonscan_string(s, jsonscan_put_buf, f->value);
    f->found = 1;
    return r;
}

int jsonscan_fields(const char *text, size_t len,
                    struct jsonscan_field *fields, size_t n)
{
    struct fields_ctx x;
    struct jsonscan s;
    size_t i;
    int r;

    for (i = 0; i < n; i++)
        fields[i].found = 0;
    jsonscan_init(&s, text, len, JSONSCAN_NO_NUL);
    buf_init(&x.key, KEY_MAX);
    x.fields = fields;
    x.n = n;
    jsonscan_skip_ws(&s);
    r = jsonscan_object(&s, key_put, field_value, &x);
    if (r == 0) {
        jsonscan_skip_ws(&s);
        if (s.pos != s.len)
            r = ERR_INVALID;
    }
    buf_wipe_free(&x.key);
    return r;
}

int jsonscan_secret_member(struct secret **out, const char *text, size_t len,
                           const char *key)
{
    struct jsonscan_field f;
    struct buf val;
    struct secret *v;
    int r;

    buf_init(&val, len + 1);
    f.key = key;
    f.value = &val;
    r = jsonscan_fields(text, len, &f, 1);
    if (r == ERR_CONFLICT)
        r = ERR_INVALID;
    if (r == 0 && f.found != 1)
        r = ERR_NOTFOUND;
    if (r == 0) {
        v = secret_new(val.data ? val.data : "", val.len);
        if (v)
            *out = v;
        else
            r = ERR_NOMEM;
    }
    buf_wipe_free(&val);
    return r;
}
