#ifndef ETLS_COMMON_SECRET_H
#define ETLS_COMMON_SECRET_H

#include <stddef.h>

#include "common/err.h"

/*
 * The only place a secret (token, private-key PEM, JWT, password) lives.
 * There is deliberately no print or format helper for this type.  `buf` is
 * NUL-terminated so it can be handed to APIs that want a C string; it is
 * cleansed before it is freed.
 */
struct secret {
    unsigned char *buf;
    size_t len;
};

/* New secret holding a copy of @len bytes at @data; NULL on ENOMEM. */
struct secret *secret_new(const void *data, size_t len);

/* New secret holding a copy of the C string @s. */
struct secret *secret_new_str(const char *s);

/*
 * Read a secret from a regular file (at most @max bytes; trailing newlines
 * are dropped; file_open_regular's checks, common/file.h).  Returns 0 and
 * sets *@out (new), or a negative enum err with @e (may be NULL) saying
 * why (not found, permission, not a regular file, too large).
 */
int secret_from_file(struct secret **out, const char *path, size_t max,
                     struct err_info *e);

/* The secret as a C string (borrowed). */
const char *secret_str(const struct secret *s);

/* Constant-time equality of two secrets (1 = equal). */
int secret_equal(const struct secret *a, const struct secret *b);

/* Cleanse and free; accepts NULL. */
void secret_free(struct secret *s);

/* Cleanse and free a heap C string that held a secret; accepts NULL. */
void secret_wipe_str(char *s);

#endif
