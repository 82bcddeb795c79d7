#ifndef ETLS_COMMON_BUF_H
#define ETLS_COMMON_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable byte buffer with a hard size cap (curl's dynbuf idea).  The
 * contents are always NUL-terminated.  An append that would exceed the cap
 * fails with ERR_INVALID and leaves the buffer unchanged.
 */
struct buf {
    char *data;
    size_t len;
    size_t alloc;
    size_t max;
};

/* Initialise an empty buffer that never grows beyond @max bytes. */
void buf_init(struct buf *b, size_t max);

/* Append @len bytes.  Returns 0, ERR_NOMEM or ERR_INVALID (over the cap). */
int buf_append(struct buf *b, const void *data, size_t len);

/* Append a NUL-terminated string. */
int buf_puts(struct buf *b, const char *s);

/* Append formatted text. */
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* The contents ("" when empty); borrowed, valid until the next change. */
const char *buf_str(const struct buf *b);

/* Empty the buffer but keep its memory and cap. */
void buf_reset(struct buf *b);

/* Hand the contents to the caller (new; free with free()) and reset. */
char *buf_detach(struct buf *b);

/* Free the memory and leave @b empty (the cap is kept). */
void buf_free(struct buf *b);

/* Cleanse every allocated byte, then free as buf_free(). */
void buf_wipe_free(struct buf *b);

#endif
