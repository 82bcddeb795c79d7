/* A shared, immutable string (blob.h). */
#include "blob.h"

#include <stdlib.h>
#include <string.h>

struct http_blob {
    unsigned long refs;
    size_t len;
    char s[];
};

struct http_blob *http_blob_new(const char *s)
{
    size_t len = strlen(s);
    struct http_blob *b = malloc(sizeof(*b) + len + 1);

    if (!b)
        return NULL;
    b->refs = 1;
    b->len = len;
    memcpy(b->s, s, len + 1);
    return b;
}

struct http_blob *http_blob_ref(struct http_blob *b)
{
    if (b)
        b->refs++;
    return b;
}

void http_blob_unref(struct http_blob *b)
{
    if (b && --b->refs == 0)
        free(b);
}

const char *http_blob_str(const struct http_blob *b)
{
    return b->s;
}

size_t http_blob_len(const struct http_blob *b)
{
    return b->len;
}
