#ifndef ETLS_COMMON_UTIL_H
#define ETLS_COMMON_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* Small, pure helpers shared by every library. */

/*
 * Checked decimal parse of the whole of @s into a long within [@min, @max].
 * Returns 0 and sets *@out, or ERR_INVALID.
 */
int util_parse_long(long *out, const char *s, long min, long max);

/* Checked parse of a non-negative decimal or fractional number. */
int util_parse_double(double *out, const char *s, double min, double max);

/* strdup that returns NULL for a NULL argument. */
char *util_strdup(const char *s);

/*
 * The text printf would print for @fmt (new string), or NULL on ENOMEM or
 * an encoding error.  util_vformat leaves @ap usable by the caller.
 */
char *util_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *util_vformat(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

/* 1 when @s starts with @prefix. */
int util_has_prefix(const char *s, const char *prefix);

/* 1 when @s ends with @suffix. */
int util_has_suffix(const char *s, const char *suffix);

/*
 * Base64 (RFC 4648 section 4) and base64url without padding (section 5).
 * Encoders return a new NUL-terminated string (free with free()) or NULL.
 * Decoders return a new buffer (NUL-terminated for convenience) and its
 * length in *@len_out, or NULL on invalid input or ENOMEM.
 */
char *util_b64_encode(const void *data, size_t len);
char *util_b64url_encode(const void *data, size_t len);
unsigned char *util_b64_decode(const char *s, size_t *len_out);
unsigned char *util_b64url_decode(const char *s, size_t *len_out);

/* Percent-decode @s (RFC 3986); new string or NULL on a bad escape. */
char *util_percent_decode(const char *s);

/* Monotonic clock in seconds. */
double util_now_mono(void);

/* Wall clock in seconds since the epoch. */
double util_now_wall(void);

/*
 * Write @len bytes to @path atomically (temp file in the same directory,
 * fsync, rename) with file mode @mode.  Returns 0 or a negative enum err.
 */
int util_write_file_atomic(const char *path, const void *data, size_t len,
                           unsigned mode);

/*
 * Read a whole regular file of at most @max bytes; new NUL-terminated
 * buffer.  file_read() without the reason (common/file.h).
 */
int util_read_file(char **out, size_t *len_out, const char *path, size_t max);

#endif
