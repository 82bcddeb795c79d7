#ifndef ETLS_COMMON_JSONSCAN_H
#define ETLS_COMMON_JSONSCAN_H

#include <stddef.h>

#include "common/buf.h"
#include "common/secret.h"

/*
 * The one JSON (RFC 8259) scanner of the tree.  It reads text in place and
 * allocates nothing itself: decoded strings go through a caller's sink, so
 * secret-bearing JSON (login bodies, secret values, the create-sa-secret
 * document, the dcos-sim cluster.json) can be read into wiped memory, and
 * model/jsonpos.c builds its position index on the same primitives.  Pure,
 * no I/O.
 *
 * Positions follow jansson: lines are 1-based and only LF ends one; a column
 * counts Unicode code points (UTF-8 lead bytes).  Every scan function starts
 * at the first byte of its token and returns 0 with the scanner just past
 * it, or ERR_INVALID with the scanner at the offending byte (the end of the
 * text when it is cut short), or the error of a sink or callback.
 */

/* Flags of struct jsonscan. */
#define JSONSCAN_NO_NUL 1u /* refuse "\u0000" (values end up in C strings) */

/* Nesting limit of the readers below (jsonscan_fields and friends). */
#define JSONSCAN_MAX_DEPTH 64u

struct jsonscan {
    const char *text;
    size_t len;
    size_t pos;     /* byte offset of the next byte */
    int line;       /* 1-based line of `pos` */
    int lead;       /* code points on this line before `pos` */
    unsigned flags; /* JSONSCAN_* */
};

/* Kind of a value, told by its first byte (also model/jsonpos.h's). */
enum jsonscan_type {
    JSONSCAN_NONE = 0, /* not the start of a value */
    JSONSCAN_OBJECT = 'o',
    JSONSCAN_ARRAY = 'a',
    JSONSCAN_STRING = 's',
    JSONSCAN_NUMBER = 'n',
    JSONSCAN_TRUE = 't',
    JSONSCAN_FALSE = 'f',
    JSONSCAN_NULL = 'z'
};

/* Where an object member's key stands. */
struct jsonscan_key {
    size_t pos; /* byte offset of the opening quote */
    size_t end; /* byte offset just past the closing quote */
    int line;
    int column;
};

/*
 * Sink of decoded string bytes: append @n bytes at @p.  Returns 0 or a
 * negative enum err, which stops the scan and is returned by it.
 */
typedef int (*jsonscan_put_fn)(const char *p, size_t n, void *payload);

/*
 * Called with the scanner at the first byte of an object member's value
 * (@key says where its key stands; its decoded bytes went to the key sink)
 * or of an array element (@key NULL).  It must scan exactly that value.
 * Returns 0 or a negative enum err, which stops the scan.
 */
typedef int (*jsonscan_value_fn)(struct jsonscan *s,
                                 const struct jsonscan_key *key,
                                 void *payload);

/* Start scanning @len bytes at @text with @flags (JSONSCAN_*). */
void jsonscan_init(struct jsonscan *s, const char *text, size_t len,
                   unsigned flags);

/* The next byte (0..255), or -1 at the end of the text. */
int jsonscan_peek(const struct jsonscan *s);

/* Step over the next byte (there must be one), keeping line and column. */
void jsonscan_advance(struct jsonscan *s);

/* The 1-based column of the next byte. */
int jsonscan_column(const struct jsonscan *s);

/* Step over JSON whitespace (space, tab, LF, CR). */
void jsonscan_skip_ws(struct jsonscan *s);

/* The kind of value that starts at the next byte. */
enum jsonscan_type jsonscan_type_next(const struct jsonscan *s);

/*
 * Scan a string.  With @put non-NULL the decoded bytes (escapes resolved,
 * surrogate pairs joined, UTF-8) are handed to @put(…, @payload).
 */
int jsonscan_string(struct jsonscan *s, jsonscan_put_fn put, void *payload);

/* Scan a string, a number, true, false or null (nothing is decoded). */
int jsonscan_scalar(struct jsonscan *s);

/*
 * Scan an object: each key is decoded into @put_key (may be NULL), then
 * @value(s, key, @payload) scans its value.
 */
int jsonscan_object(struct jsonscan *s, jsonscan_put_fn put_key,
                    jsonscan_value_fn value, void *payload);

/* Scan an array: @value(s, NULL, @payload) scans each element. */
int jsonscan_array(struct jsonscan *s, jsonscan_value_fn value,
                   void *payload);

/*
 * Scan any value, containers nested at most @depth levels deep (0: no
 * container at all).
 */
int jsonscan_value(struct jsonscan *s, unsigned depth);

/* A jsonscan_put_fn that appends to the struct buf @payload. */
int jsonscan_put_buf(const char *p, size_t n, void *payload);

/*
 * Append @s (@len bytes, UTF-8) to @b as a quoted JSON string, escaping
 * '"', '\\' and control characters.  Returns 0, ERR_NOMEM or ERR_INVALID
 * (over the buffer's cap).
 */
int jsonscan_put_string(struct buf *b, const char *s, size_t len);

/* One wanted top-level string member (see jsonscan_fields). */
struct jsonscan_field {
    const char *key;   /* in: the member's name */
    struct buf *value; /* in: receives the decoded string (caller's cap) */
    int found;         /* out: 0 absent, 1 a string, -1 another type */
};

/*
 * Read the top-level string members @fields (@n of them) of the JSON text
 * @text (@len bytes).  The whole text must be valid JSON whose top level
 * is an object, nested at most JSONSCAN_MAX_DEPTH levels, without "\u0000"
 * escapes.  Other members are checked and skipped.  Only the wanted values
 * are decoded, each straight into its caller's buffer (wipe it).
 * @return 0; ERR_INVALID when @text is not such an object; ERR_CONFLICT
 *         when a wanted key appears twice; ERR_NOMEM
 */
int jsonscan_fields(const char *text, size_t len,
                    struct jsonscan_field *fields, size_t n);

/*
 * The top-level string member @key of the JSON object @text (@len bytes),
 * read as jsonscan_fields() does.
 * @param[out] out the decoded value (new secret)
 * @return 0; ERR_NOTFOUND when @key is absent or its value is not a
 *         string; ERR_INVALID when @text is not such an object or @key
 *         appears twice; ERR_NOMEM
 */
int jsonscan_secret_member(struct secret **out, const char *text,
                           size_t len, const char *key);

#endif
