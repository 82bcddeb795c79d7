#ifndef ETLS_MODEL_DOC_H
#define ETLS_MODEL_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "model/service.h"

/*
 * The validation context of one desired-state document: where validation
 * is (a JSON pointer to find positions, and the dotted field shown to
 * people), the document's position index, and the diagnostics it has
 * reported.  Used by the parsers of desired.c, envelope.c and syntax.c.
 * Validation goes on after a problem: nothing here stops on the first one.
 *
 * Allocation failures are not returned one by one: they set the context's
 * `nomem`, after which nothing more is recorded and the caller of the
 * parse returns ERR_NOMEM.
 */

#define MODEL_MAX_DIAGS 100u          /* diagnostics per document */
#define MODEL_MAX_DEPTH 16u           /* of the path being validated */

struct jsonpos;

/* A growable C string. */
struct doc_buf {
    char *p;
    size_t len;
    size_t cap;
};

/*
 * Where validation is: the JSON pointer (to find positions) and the dotted
 * field shown to people ("options.service.name", "access.groups[1]").
 */
struct doc_path {
    struct doc_buf ptr;
    struct doc_buf field;
    size_t ptr_len[MODEL_MAX_DEPTH];
    size_t field_len[MODEL_MAX_DEPTH];
    size_t depth;
};

struct doc_ctx {
    const char *file;
    struct jsonpos *ix; /* NULL when the text could not be indexed */
    struct model_diags *diags;
    size_t first;       /* index of this document's first diag */
    size_t count;       /* diags added for this document */
    int nomem;
    struct doc_path path;
};

enum doc_where {
    DOC_AT_VALUE, /* the value at the path (or its nearest enclosing value) */
    DOC_AT_KEY    /* the member's key (falls back to DOC_AT_VALUE) */
};

/* Checks a string: NULL when acceptable, else "expected ..." (static). */
typedef const char *(*doc_check_fn)(const char *s);

/*
 * Append @n bytes of @s to @b, keeping it NUL-terminated (b->p is new, the
 * caller frees it).  0, or ERR_NOMEM (then @b is unchanged).
 */
int doc_buf_add(struct doc_buf *b, const char *s, size_t n);

/* doc_buf_add() of the C string @s. */
int doc_buf_puts(struct doc_buf *b, const char *s);

/* Cut @b back to its first @len bytes (@len <= b->len). */
void doc_buf_truncate(struct doc_buf *b, size_t len);

/*
 * Append @key to the field shown to people: controls escaped, truncated.
 * 0, or ERR_NOMEM.
 */
int doc_field_add_key(struct doc_buf *f, const char *key);

/*
 * Enter member @key (doc_push) or element @i (doc_push_index) of the value
 * at the current path.  Every push is undone by one doc_pop(), even when it
 * failed (ENOMEM sets c->nomem).  At most MODEL_MAX_DEPTH levels (assert).
 */
void doc_push(struct doc_ctx *c, const char *key);
void doc_push_index(struct doc_ctx *c, size_t i);
void doc_pop(struct doc_ctx *c);

/*
 * Position of JSON pointer @ptr: the value (or key) there, else the nearest
 * enclosing value that exists.  Sets *@line and *@column (1-based); line 0
 * when the text has no index.
 */
void doc_locate(const struct doc_ctx *c, const char *ptr, enum doc_where w,
                int *line, int *column);

/* Append one diag to @d (all strings copied).  0 or ERR_NOMEM. */
int doc_diags_push(struct model_diags *d, const char *file, int line,
                   int column, const char *field, const char *message);

/* Sort the diags of @d from index @first on by position (stable). */
void doc_diags_sort(struct model_diags *d, size_t first);

/*
 * Diagnose @field at @line:@column with a printf message.  After
 * MODEL_MAX_DIAGS diagnostics one "too many problems" diagnostic is added
 * and the rest are dropped.
 */
void doc_diag_at(struct doc_ctx *c, int line, int column, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Diagnose the current path, at its value or its key (@w). */
void doc_diag(struct doc_ctx *c, enum doc_where w, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "a string", "an object", ... (static string). */
const char *doc_type_name(const json_t *v);

/*
 * Diagnose the current path: a value that has the right type but not an
 * accepted form, "@expected, got <value>" (the value cut short).  Never
 * used on password fields.
 */
void doc_diag_value(struct doc_ctx *c, const char *expected, const json_t *v);

/* Diagnose the current path: "expected @expected, got <type of @v>". */
void doc_diag_type(struct doc_ctx *c, const char *expected, const json_t *v);

/*
 * Diagnose the current path: a string not in the NULL-terminated list
 * @allowed ("expected one of "a", "b", got ...").
 */
void doc_diag_enum(struct doc_ctx *c, const char *const *allowed,
                   const json_t *v);

/* Diagnose, at its key, each member of @obj not in the list @keys. */
void doc_diag_unknown_keys(struct doc_ctx *c, json_t *obj,
                           const char *const *keys);

/*
 * Member @key of @obj as a string.  Returns 1 and sets *@out (borrowed)
 * when present and acceptable to @check (may be NULL), 0 when absent, -1
 * after a diagnostic.  Empty strings are accepted only with @empty_ok.
 */
int doc_get_string(struct doc_ctx *c, json_t *obj, const char *key,
                   doc_check_fn check, int empty_ok, const char **out);

/*
 * Member @key as one of the strings of the NULL-terminated list @allowed:
 * 1 (and *@out, borrowed), 0 absent, -1 after a diagnostic.
 */
int doc_get_enum(struct doc_ctx *c, json_t *obj, const char *key,
                 const char *const *allowed, const char **out);

/* Member @key as a boolean: 1 (and *@out), 0 absent, -1 after a diag. */
int doc_get_bool(struct doc_ctx *c, json_t *obj, const char *key, bool *out);

/* Member @key as an object: 1 (and *@out, borrowed), 0 absent, -1. */
int doc_get_object(struct doc_ctx *c, json_t *obj, const char *key,
                   json_t **out);

/*
 * Replace the string *@dst (owned, freed) with a copy of @s.  0, or
 * ERR_NOMEM (c->nomem set, *@dst unchanged).
 */
int doc_set_str(struct doc_ctx *c, char **dst, const char *s);

/* Line of the value at the current path + @key (0 when unknown). */
int doc_line_of(struct doc_ctx *c, const char *key);

/* 1 when member @key of @obj (may be NULL) is absent or "". */
int doc_unset(json_t *obj, const char *key);

/*
 * Diagnose member @key of @obj (may be NULL) as required:
 * "[missing: ]expected @what (@why)".
 */
void doc_diag_required(struct doc_ctx *c, json_t *obj, const char *key,
                       const char *what, const char *why);

#endif
