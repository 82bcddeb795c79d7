#ifndef ETLS_COMMON_ERR_H
#define ETLS_COMMON_ERR_H

#include <stdarg.h>

/*
 * Error codes shared by every etls library.  Fallible functions return 0 on
 * success or one of these (negative) values.  ERR_TRANSIENT and ERR_TIMEOUT
 * are the only codes that callers retry.
 */
enum err {
    ERR_OK = 0,
    ERR_INTERNAL = -1,
    ERR_NOMEM = -2,
    ERR_INVALID = -3,
    ERR_NOTFOUND = -4,
    ERR_CONFLICT = -5,
    ERR_TRANSIENT = -6,
    ERR_AUTH = -7,
    ERR_TIMEOUT = -8
};

/*
 * Caller-owned error detail.  `code` is an enum err value; `status` is the
 * HTTP status that caused it (0 when none); `text` is one impersonal line.
 * 320 bytes: a transport failure names curl's reason (up to 256 bytes in
 * CURLOPT_ERRORBUFFER) and the request, and must not be cut short.
 */
struct err_info {
    int code;
    int status;
    char text[320];
};

/*
 * Set @e (may be NULL) to @code and a formatted message, and return @code so
 * that callers can write `return err_set(e, ERR_INVALID, "...")`.
 */
int err_set(struct err_info *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* va_list variant of err_set(). */
int err_vset(struct err_info *e, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Reset @e to "no error". */
void err_clear(struct err_info *e);

/* Static, lower-case name of @code ("invalid", "not found", ...). */
const char *err_name(int code);

/* 1 when @code is worth retrying (ERR_TRANSIENT, ERR_TIMEOUT). */
int err_is_retryable(int code);

#endif
