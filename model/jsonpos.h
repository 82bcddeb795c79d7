#ifndef ETLS_MODEL_JSONPOS_H
#define ETLS_MODEL_JSONPOS_H

#include <stddef.h>

#include "common/jsonscan.h"

/*
 * JSON position index: jansson keeps no positions for the values it
 * decodes, so validation messages need a second, independent view of the
 * text.  jsonpos_index() scans the text once and records, for every value,
 * where it starts and, for object members, where its key starts.  Values are
 * then found by JSON pointer (RFC 6901).  Pure: no I/O.
 *
 * Positions follow jansson's conventions so that both agree: lines and
 * columns are 1-based; only LF ends a line (a CR of a CRLF pair is the last
 * column of its line); a column is one Unicode code point (UTF-8 lead byte),
 * so a tab counts as one column and "é" as one.  `offset` is in bytes from
 * the start of the text.
 *
 * Bounds: at most JSONPOS_MAX_LEN bytes of text and JSONPOS_MAX_DEPTH levels
 * of nesting (jansson's own limit), so memory is O(len).
 */

#define JSONPOS_MAX_LEN ((size_t)64 * 1024 * 1024)
#define JSONPOS_MAX_DEPTH 2048u

/* Flags of jsonpos_index(). */
#define JSONPOS_PARTIAL 1u /* keep what was indexed before a syntax error */

struct jsonpos;

struct jsonpos_loc {
    int line;      /* 1-based; 0 when unknown */
    int column;    /* 1-based; 0 when unknown */
    size_t offset; /* bytes from the start of the text */
};

/* The kind of an indexed value is an enum jsonscan_type. */

/*
 * Index @len bytes of @text (one JSON value, surrounding whitespace
 * allowed).  On success returns 0 and sets *@out (new, free with
 * jsonpos_free).  On a syntax error returns ERR_INVALID, leaves *@out
 * untouched and sets *@err_out (may be NULL) to the offending position;
 * with JSONPOS_PARTIAL in @flags it instead returns 0 with an index of the
 * values that started before the error (jsonpos_complete() is then 0).
 * ERR_NOMEM on allocation failure; ERR_INVALID also when @len exceeds
 * JSONPOS_MAX_LEN or nesting exceeds JSONPOS_MAX_DEPTH.
 */
int jsonpos_index(struct jsonpos **out, const char *text, size_t len,
                  unsigned flags, struct jsonpos_loc *err_out);

/* 1 when the whole text was indexed without a syntax error. */
int jsonpos_complete(const struct jsonpos *ix);

/* Number of values indexed. */
size_t jsonpos_count(const struct jsonpos *ix);

/*
 * Find the value at JSON pointer @pointer ("" is the root, "/a/0/b~1c").
 * Returns 0 and sets *@value_out and, for an object member, *@key_out (its
 * key's opening quote; line 0 otherwise); either may be NULL.  When a key
 * occurs twice the first occurrence wins.  ERR_NOTFOUND when there is no
 * such value, ERR_INVALID for a malformed pointer.
 */
int jsonpos_find(const struct jsonpos *ix, const char *pointer,
                 struct jsonpos_loc *value_out, struct jsonpos_loc *key_out,
                 enum jsonscan_type *type_out);

/*
 * Locate a repeated key for a jansson "duplicate object key" error, whose
 * `position` is the byte offset just past the repeated key's closing quote.
 * Returns 0 and sets *@pointer_out (new string, free()) to the JSON pointer
 * of the repeated member, *@key_out to its key and *@first_out to the key of
 * the earlier member with the same name.  ERR_NOTFOUND when no key ends at
 * @key_end or none repeats it; ERR_NOMEM.
 */
int jsonpos_duplicate_at(const struct jsonpos *ix, size_t key_end,
                         char **pointer_out, struct jsonpos_loc *key_out,
                         struct jsonpos_loc *first_out);

/*
 * Move every position of @ix to the text it was converted from: a
 * position on line L (1-based) becomes @map[L - 1], its column shifted by
 * the column on line L minus 1.  Lines beyond @n are left alone.  Used for
 * YAML documents converted to JSON with one token per line
 * (model/yaml.h).
 */
void jsonpos_remap(struct jsonpos *ix, const struct jsonpos_loc *map,
                   size_t n);

/* Free an index; accepts NULL. */
void jsonpos_free(struct jsonpos *ix);

#endif
