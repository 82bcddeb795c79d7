#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "err.h"
#include "file.h"

struct secret *secret_new(const void *data, size_t len)
{
    struct secret *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    s->buf = malloc(len + 1);
    if (!s->buf) {
        free(s);
        return NULL;
    }
    if (len)
        memcpy(s->buf, data, len);
    s->buf[len] = '\0';
    s->len = len;
    return s;
}

struct secret *secret_new_str(const char *str)
{
    return secret_new(str, strlen(str));
}

int secret_from_file(struct secret **out, const char *path, size_t max,
                     struct err_info *e)
{
    unsigned char *p;
    long n;
    size_t len;
    int fd, r = 0;

    fd = file_open_regular(path, max, e);
    if (fd < 0)
        return fd;
    p = malloc(max + 1);
    if (!p) {
        close(fd);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    n = file_read_fd(fd, p, max);
    close(fd);
    if (n < 0)
        r = err_set(e, ERR_INVALID, "cannot read the file");
    else if ((size_t)n > max)
        r = file_too_large(e, max);
    if (r == 0) {
        len = (size_t)n;
        while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
            len--;
        p[len] = '\0';
        *out = calloc(1, sizeof(**out));
        if (!*out) {
            r = err_set(e, ERR_NOMEM, "out of memory");
        } else {
            (*out)->buf = p;
            (*out)->len = len;
            return 0;
        }
    }
    OPENSSL_cleanse(p, max + 1);
    free(p);
    return r;
}

const char *secret_str(const struct secret *s)
{
    return s ? (const char *)s->buf : "";
}

int secret_equal(const struct secret *a, const struct secret *b)
{
    if (!a || !b || a->len != b->len)
        return 0;
    return CRYPTO_memcmp(a->buf, b->buf, a->len) == 0;
}

void secret_free(struct secret *s)
{
    if (!s)
        return;
    if (s->buf) {
        OPENSSL_cleanse(s->buf, s->len + 1);
        free(s->buf);
    }
    free(s);
}

void secret_wipe_str(char *s)
{
    if (!s)
        return;
    OPENSSL_cleanse(s, strlen(s));
    free(s);
}
