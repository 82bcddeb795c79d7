#include "model/syntax.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "model/jsonpos.h"

/*
 * Diagnostics for a text that jansson does not decode.  jansson's own
 * message is shown without the token it quotes (it may be part of a
 * password); a duplicate key is positioned through a partial index of the
 * text and named by its dotted field.
 */

void syntax_diag_error(struct doc_ctx *c, const json_error_t *je)
{
    char text[sizeof(je->text)];
    char *near;
    size_t i;

    snprintf(text, sizeof(text), "%s", je->text);
    /* The token jansson quotes may be part of a password: drop it. */
    near = strstr(text, " near '");
    if (near)
        *near = '\0';
    for (i = 0; text[i]; i++) {
        if ((unsigned char)text[i] < 0x20)
            text[i] = ' ';
    }
    doc_diag_at(c, je->line > 0 ? je->line : 1, je->column > 0 ? je->column : 1,
                "(root)", "invalid JSON: %s", text);
}

/* Dotted field for a JSON pointer of the (partial) index.  New string. */
static char *field_of_pointer(struct doc_ctx *c, const char *ptr)
{
    struct doc_buf f = {0}, prefix = {0};
    const char *p = ptr;
    char *seg;
    int bad = 0;

    seg = malloc(strlen(ptr) + 1);
    if (!seg)
        return NULL;
    bad |= doc_buf_puts(&prefix, "");
    while (!bad && *p == '/') {
        enum jsonscan_type t = JSONSCAN_OBJECT;
        const char *start = ++p;
        size_t n = 0;

        jsonpos_find(c->ix, prefix.p, NULL, NULL, &t);
        while (*p && *p != '/') {
            if (*p == '~' && (p[1] == '0' || p[1] == '1')) {
                seg[n++] = p[1] == '0' ? '~' : '/';
                p += 2;
            } else {
                seg[n++] = *p++;
            }
        }
        seg[n] = '\0';
        bad |= doc_buf_puts(&prefix, "/");
        bad |= doc_buf_add(&prefix, start, (size_t)(p - start));
        if (t == JSONSCAN_ARRAY) {
            bad |= doc_buf_puts(&f, "[");
            bad |= doc_buf_puts(&f, seg);
            bad |= doc_buf_puts(&f, "]");
        } else {
            if (f.len)
                bad |= doc_buf_puts(&f, ".");
            bad |= doc_field_add_key(&f, seg);
        }
    }
    free(seg);
    free(prefix.p);
    if (bad) {
        free(f.p);
        return NULL;
    }
    if (!f.p)
        return strdup("(root)");
    return f.p;
}

/* The last segment of @ptr, unescaped and shown as in fields. */
static int last_segment(struct doc_buf *out, const char *ptr)
{
    const char *p = strrchr(ptr, '/') + 1;
    struct doc_buf raw = {0};
    int r = doc_buf_puts(&raw, "");

    for (; !r && *p; p++) {
        if (*p == '~' && (p[1] == '0' || p[1] == '1')) {
            r = doc_buf_add(&raw, p[1] == '0' ? "~" : "/", 1);
            p++;
        } else {
            r = doc_buf_add(&raw, p, 1);
        }
    }
    if (!r)
        r = doc_buf_puts(out, "") || doc_field_add_key(out, raw.p);
    free(raw.p);
    return r;
}

void syntax_diag_duplicate(struct doc_ctx *c, const char *text, size_t len,
                           const json_error_t *je)
{
    struct jsonpos_loc key, first;
    struct jsonpos *ix = NULL;
    char *ptr = NULL, *field = NULL;
    int r;

    r = jsonpos_index(&ix, text, len, JSONPOS_PARTIAL, NULL);
    if (r == ERR_NOMEM) {
        c->nomem = 1;
        return;
    }
    c->ix = ix;
    r = ix ? jsonpos_duplicate_at(ix, (size_t)je->position, &ptr, &key,
                                  &first)
           : ERR_NOTFOUND;
    if (r == ERR_NOMEM) {
        c->nomem = 1;
    } else if (r) {
        syntax_diag_error(c, je);
    } else {
        struct doc_buf name = {0};

        field = field_of_pointer(c, ptr);
        if (!field || last_segment(&name, ptr)) {
            c->nomem = 1;
        } else {
            doc_diag_at(c, key.line, key.column, field,
                        "duplicate key \"%s\" (first at line %d, column %d); "
                        "expected each key at most once",
                        name.p, first.line, first.column);
        }
        free(name.p);
    }
    free(field);
    free(ptr);
    jsonpos_free(ix);
    c->ix = NULL;
}
