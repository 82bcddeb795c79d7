#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "err.h"

void buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->max = max;
}

static int buf_grow(struct buf *b, size_t need)
{
    size_t want;
    char *p;

    if (need + 1 <= b->alloc)
        return 0;
    want = b->alloc ? b->alloc : 64;
    while (want < need + 1)
        want *= 2;
    if (want > b->max + 1)
        want = b->max + 1;
    p = malloc(want);
    if (!p)
        return ERR_NOMEM;
    if (b->data) {
        memcpy(p, b->data, b->len + 1);
        /* Buffers may hold secrets: never leave a stale copy behind. */
        OPENSSL_cleanse(b->data, b->alloc);
        free(b->data);
    }
    b->data = p;
    b->alloc = want;
    return 0;
}

int buf_append(struct buf *b, const void *data, size_t len)
{
    int r;

    if (len > b->max || b->len > b->max - len)
        return ERR_INVALID;
    r = buf_grow(b, b->len + len);
    if (r)
        return r;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int buf_puts(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n, r;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return ERR_INTERNAL;
    if ((size_t)n > b->max || b->len > b->max - (size_t)n)
        return ERR_INVALID;
    r = buf_grow(b, b->len + (size_t)n);
    if (r)
        return r;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

const char *buf_str(const struct buf *b)
{
    return b->data ? b->data : "";
}

void buf_reset(struct buf *b)
{
    if (b->data) {
        OPENSSL_cleanse(b->data, b->len);
        b->data[0] = '\0';
    }
    b->len = 0;
}

char *buf_detach(struct buf *b)
{
    char *p = b->data;

    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    return p;
}

void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

void buf_wipe_free(struct buf *b)
{
    if (b->data)
        OPENSSL_cleanse(b->data, b->alloc);
    buf_free(b);
}
