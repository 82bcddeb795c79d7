#ifndef ETLS_DCOS_BLOB_H
#define ETLS_DCOS_BLOB_H

#include <stddef.h>

/*
 * A shared, immutable string: the CA bundle every request of a client
 * trusts.  A plan of 2,000 services queues some 16,000 requests at once;
 * each holding its own copy of a ~1.5 KB bundle was a quarter of the
 * peak memory.  Counted, not locked: used on the loop's thread only.
 */
struct http_blob;

/* A new blob holding a copy of @s (one reference), or NULL on ENOMEM. */
struct http_blob *http_blob_new(const char *s);

/* One more reference to @b (accepts NULL); returns @b. */
struct http_blob *http_blob_ref(struct http_blob *b);

/* Drop a reference; the last frees @b.  Accepts NULL. */
void http_blob_unref(struct http_blob *b);

/* The string of @b and its length (without the NUL). */
const char *http_blob_str(const struct http_blob *b);
size_t http_blob_len(const struct http_blob *b);

#endif
