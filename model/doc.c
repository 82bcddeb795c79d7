#include "model/doc.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/util.h"
#include "model/jsonpos.h"
#include "model/suggest.h"
#include "model/validate.h"

/*
 * The validation context of a desired-state document (model/doc.h): the
 * path being validated, positions through model/jsonpos.c, and diagnostics
 * in the words of docs/manifest.md ("expected ..., got ...").
 */

#define MODEL_SHOW_MAX 64u            /* bytes of a value or key shown */

int doc_buf_add(struct doc_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        char *p;

        while (cap < b->len + n + 1)
            cap *= 2;
        p = realloc(b->p, cap);
        if (!p)
            return ERR_NOMEM;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int doc_buf_puts(struct doc_buf *b, const char *s)
{
    return doc_buf_add(b, s, strlen(s));
}

void doc_buf_truncate(struct doc_buf *b, size_t len)
{
    b->len = len;
    if (b->p)
        b->p[len] = '\0';
}

int doc_field_add_key(struct doc_buf *f, const char *key)
{
    size_t i, shown = 0;
    char esc[8];

    for (i = 0; key[i]; i++) {
        unsigned char ch = (unsigned char)key[i];

        /* Stop on a character boundary once enough has been shown. */
        if (shown >= MODEL_SHOW_MAX && (ch & 0xC0) != 0x80)
            return doc_buf_puts(f, "...");
        if (ch < 0x20 || ch == 0x7F) {
            snprintf(esc, sizeof(esc), "\\u%04x", ch);
            if (doc_buf_puts(f, esc))
                return ERR_NOMEM;
        } else if (doc_buf_add(f, key + i, 1)) {
            return ERR_NOMEM;
        }
        shown++;
    }
    return 0;
}

static int path_push_raw(struct doc_ctx *c, const char *key, size_t index,
                         int is_index)
{
    struct doc_path *p = &c->path;
    char num[32];
    const char *k;

    /* Validation never goes deeper than a few levels. */
    assert(p->depth < MODEL_MAX_DEPTH);
    p->ptr_len[p->depth] = p->ptr.len;
    p->field_len[p->depth] = p->field.len;
    p->depth++;
    if (c->nomem)
        return -1;
    if (doc_buf_puts(&p->ptr, "/"))
        goto nomem;
    if (is_index) {
        snprintf(num, sizeof(num), "%zu", index);
        if (doc_buf_puts(&p->ptr, num))
            goto nomem;
        snprintf(num, sizeof(num), "[%zu]", index);
        if (doc_buf_puts(&p->field, num))
            goto nomem;
        return 0;
    }
    for (k = key; *k; k++) {
        const char *e = *k == '~' ? "~0" : *k == '/' ? "~1" : NULL;

        if (e ? doc_buf_puts(&p->ptr, e) : doc_buf_add(&p->ptr, k, 1))
            goto nomem;
    }
    if (p->field.len && doc_buf_puts(&p->field, "."))
        goto nomem;
    if (doc_field_add_key(&p->field, key))
        goto nomem;
    return 0;
nomem:
    c->nomem = 1;
    return -1;
}

void doc_push(struct doc_ctx *c, const char *key)
{
    path_push_raw(c, key, 0, 0);
}

void doc_push_index(struct doc_ctx *c, size_t i)
{
    path_push_raw(c, NULL, i, 1);
}

void doc_pop(struct doc_ctx *c)
{
    struct doc_path *p = &c->path;

    p->depth--;
    doc_buf_truncate(&p->ptr, p->ptr_len[p->depth]);
    doc_buf_truncate(&p->field, p->field_len[p->depth]);
}

void doc_locate(const struct doc_ctx *c, const char *ptr, enum doc_where w,
                int *line, int *column)
{
    struct jsonpos_loc v, k;
    char *tmp;
    size_t n;

    *line = 0;
    *column = 0;
    if (!c->ix)
        return;
    if (jsonpos_find(c->ix, ptr, &v, &k, NULL) == 0) {
        if (w == DOC_AT_KEY && k.line) {
            *line = k.line;
            *column = k.column;
        } else {
            *line = v.line;
            *column = v.column;
        }
        return;
    }
    tmp = strdup(ptr);
    if (!tmp)
        return;
    for (n = strlen(tmp); n > 0;) {
        while (n > 0 && tmp[n - 1] != '/')
            n--;
        if (n == 0)
            break;
        tmp[--n] = '\0';
        if (jsonpos_find(c->ix, tmp, &v, NULL, NULL) == 0) {
            *line = v.line;
            *column = v.column;
            free(tmp);
            return;
        }
    }
    free(tmp);
    if (jsonpos_find(c->ix, "", &v, NULL, NULL) == 0) {
        *line = v.line;
        *column = v.column;
    }
}

int doc_diags_push(struct model_diags *d, const char *file, int line,
                   int column, const char *field, const char *message)
{
    struct model_diag *items, *dg;

    items = realloc(d->items, (d->n + 1) * sizeof(*items));
    if (!items)
        return ERR_NOMEM;
    d->items = items;
    dg = &items[d->n];
    dg->file = strdup(file);
    dg->field = strdup(field);
    dg->message = strdup(message);
    dg->line = line;
    dg->column = column;
    if (!dg->file || !dg->field || !dg->message) {
        free(dg->file);
        free(dg->field);
        free(dg->message);
        return ERR_NOMEM;
    }
    d->n++;
    return 0;
}

static void vdiag_at(struct doc_ctx *c, int line, int column, const char *field,
                     const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

static void vdiag_at(struct doc_ctx *c, int line, int column, const char *field,
                     const char *fmt, va_list ap)
{
    char *msg;

    if (c->nomem || c->count > MODEL_MAX_DIAGS)
        return;
    if (c->count == MODEL_MAX_DIAGS) {
        c->count++;
        if (doc_diags_push(c->diags, c->file, line, column, "(root)",
                           "too many problems; stopped reporting after 100"))
            c->nomem = 1;
        return;
    }
    msg = util_vformat(fmt, ap);
    if (!msg) {
        c->nomem = 1;
        return;
    }
    if (doc_diags_push(c->diags, c->file, line, column, field, msg))
        c->nomem = 1;
    else
        c->count++;
    free(msg);
}

void doc_diag_at(struct doc_ctx *c, int line, int column, const char *field,
                 const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vdiag_at(c, line, column, field, fmt, ap);
    va_end(ap);
}

void doc_diag(struct doc_ctx *c, enum doc_where w, const char *fmt, ...)
{
    int line, column;
    va_list ap;

    /* Past the cap nothing is recorded: skip the position lookup. */
    if (c->nomem || c->count > MODEL_MAX_DIAGS)
        return;
    doc_locate(c, c->path.ptr.p ? c->path.ptr.p : "", w, &line, &column);
    va_start(ap, fmt);
    vdiag_at(c, line, column, c->path.field.len ? c->path.field.p : "(root)",
             fmt, ap);
    va_end(ap);
}

const char *doc_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

/*
 * The value as shown after "got": compact JSON, at most MODEL_SHOW_MAX
 * bytes (cut on a character boundary).  Never used on password fields.
 * New string, or NULL on ENOMEM.
 */
static char *show(const json_t *v)
{
    char *s;
    size_t n;

    if (json_is_object(v) || json_is_array(v))
        return strdup(doc_type_name(v));
    s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!s)
        return NULL;
    n = strlen(s);
    if (n > MODEL_SHOW_MAX) {
        char *t;

        n = MODEL_SHOW_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        t = realloc(s, n + 4);
        if (!t) {
            free(s);
            return NULL;
        }
        s = t;
        memcpy(s + n, "...", 4);
    }
    return s;
}

void doc_diag_value(struct doc_ctx *c, const char *expected, const json_t *v)
{
    char *got = show(v);

    if (!got) {
        c->nomem = 1;
        return;
    }
    doc_diag(c, DOC_AT_VALUE, "%s, got %s", expected, got);
    free(got);
}

void doc_diag_type(struct doc_ctx *c, const char *expected, const json_t *v)
{
    doc_diag(c, DOC_AT_VALUE, "expected %s, got %s", expected,
             doc_type_name(v));
}

void doc_diag_enum(struct doc_ctx *c, const char *const *allowed,
                   const json_t *v)
{
    struct doc_buf b = {0};
    size_t i;
    int bad = 0;

    bad |= doc_buf_puts(&b, "expected one of ");
    for (i = 0; allowed[i]; i++) {
        bad |= doc_buf_puts(&b, i ? ", \"" : "\"");
        bad |= doc_buf_puts(&b, allowed[i]);
        bad |= doc_buf_puts(&b, "\"");
    }
    if (bad)
        c->nomem = 1;
    else
        doc_diag_value(c, b.p, v);
    free(b.p);
}

void doc_diag_unknown_keys(struct doc_ctx *c, json_t *obj,
                           const char *const *keys)
{
    const char *key;
    json_t *v;

    json_object_foreach(obj, key, v) {
        struct doc_buf b = {0};
        size_t i;
        int bad = 0;

        (void)v;
        const char *near;

        if (model_key_in(keys, key))
            continue;
        near = suggest_word(keys, key);
        bad |= doc_buf_puts(&b, "unknown key; ");
        if (near) {
            bad |= doc_buf_puts(&b, "did you mean \"");
            bad |= doc_buf_puts(&b, near);
            bad |= doc_buf_puts(&b, "\"? ");
        }
        bad |= doc_buf_puts(&b, "expected one of ");
        for (i = 0; keys[i]; i++) {
            bad |= doc_buf_puts(&b, i ? ", " : "");
            bad |= doc_buf_puts(&b, keys[i]);
        }
        doc_push(c, key);
        if (bad)
            c->nomem = 1;
        else
            doc_diag(c, DOC_AT_KEY, "%s", b.p);
        doc_pop(c);
        free(b.p);
    }
}

int doc_get_string(struct doc_ctx *c, json_t *obj, const char *key,
                   doc_check_fn check, int empty_ok, const char **out)
{
    json_t *v = json_object_get(obj, key);
    const char *s, *why;
    int r = 1;

    if (!v)
        return 0;
    doc_push(c, key);
    if (!json_is_string(v)) {
        doc_diag_type(c, "a string", v);
        r = -1;
        goto out;
    }
    s = json_string_value(v);
    if (!*s && empty_ok) {
        *out = s;
        goto out;
    }
    why = !*s ? "expected a non-empty string" : check ? check(s) : NULL;
    if (why) {
        doc_diag_value(c, why, v);
        r = -1;
        goto out;
    }
    *out = s;
out:
    doc_pop(c);
    return r;
}

int doc_get_enum(struct doc_ctx *c, json_t *obj, const char *key,
                 const char *const *allowed, const char **out)
{
    json_t *v = json_object_get(obj, key);
    int r = -1;

    if (!v)
        return 0;
    doc_push(c, key);
    if (!json_is_string(v)) {
        doc_diag_type(c, "a string", v);
    } else if (!model_key_in(allowed, json_string_value(v))) {
        doc_diag_enum(c, allowed, v);
    } else {
        *out = json_string_value(v);
        r = 1;
    }
    doc_pop(c);
    return r;
}

int doc_get_bool(struct doc_ctx *c, json_t *obj, const char *key, bool *out)
{
    json_t *v = json_object_get(obj, key);

    if (!v)
        return 0;
    if (!json_is_boolean(v)) {
        doc_push(c, key);
        doc_diag_type(c, "a boolean", v);
        doc_pop(c);
        return -1;
    }
    *out = json_is_true(v);
    return 1;
}

int doc_get_object(struct doc_ctx *c, json_t *obj, const char *key,
                   json_t **out)
{
    json_t *v = json_object_get(obj, key);

    if (!v)
        return 0;
    if (!json_is_object(v)) {
        doc_push(c, key);
        doc_diag_type(c, "an object", v);
        doc_pop(c);
        return -1;
    }
    *out = v;
    return 1;
}

int doc_set_str(struct doc_ctx *c, char **dst, const char *s)
{
    char *d = strdup(s);

    if (!d) {
        c->nomem = 1;
        return ERR_NOMEM;
    }
    free(*dst);
    *dst = d;
    return 0;
}

int doc_line_of(struct doc_ctx *c, const char *key)
{
    int line = 0, column;

    doc_push(c, key);
    if (!c->nomem)
        doc_locate(c, c->path.ptr.p, DOC_AT_VALUE, &line, &column);
    doc_pop(c);
    return line;
}

int doc_unset(json_t *obj, const char *key)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;

    return !v || (json_is_string(v) && !*json_string_value(v));
}

void doc_diag_required(struct doc_ctx *c, json_t *obj, const char *key,
                       const char *what, const char *why)
{
    doc_push(c, key);
    doc_diag(c, DOC_AT_VALUE, "%sexpected %s (%s)",
             obj && json_object_get(obj, key) ? "" : "missing: ", what, why);
    doc_pop(c);
}

void doc_diags_sort(struct model_diags *d, size_t first)
{
    size_t i, j;

    for (i = first + 1; i < d->n; i++) {
        struct model_diag t = d->items[i];

        for (j = i; j > first; j--) {
            const struct model_diag *p = &d->items[j - 1];

            if (p->line < t.line ||
                (p->line == t.line && p->column <= t.column))
                break;
            d->items[j] = d->items[j - 1];
        }
        d->items[j] = t;
    }
}
