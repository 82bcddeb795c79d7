#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "file.h"

int util_parse_long(long *out, const char *s, long min, long max)
{
    char *end;
    long v;

    if (!s || !*s)
        return ERR_INVALID;
    if (!(s[0] >= '0' && s[0] <= '9') && s[0] != '-' && s[0] != '+')
        return ERR_INVALID;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return ERR_INVALID;
    *out = v;
    return 0;
}

int util_parse_double(double *out, const char *s, double min, double max)
{
    const char *c;
    char *end;
    double v;

    if (!s || !*s)
        return ERR_INVALID;
    /* Plain decimal only: no sign, exponent, hex, inf or nan. */
    for (c = s; *c; c++)
        if (!(*c == '.' || (*c >= '0' && *c <= '9')))
            return ERR_INVALID;
    errno = 0;
    v = strtod(s, &end);
    if (errno || *end || !isfinite(v) || v < min || v > max)
        return ERR_INVALID;
    *out = v;
    return 0;
}

char *util_vformat(const char *fmt, va_list ap)
{
    va_list aq;
    char *s;
    int n;

    va_copy(aq, ap);
    n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0)
        return NULL;
    s = malloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *util_format(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = util_vformat(fmt, ap);
    va_end(ap);
    return s;
}

char *util_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

int util_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int util_has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);

    return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

static const char b64std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *b64_enc(const void *data, size_t len, const char *alpha, int pad)
{
    const unsigned char *p = data;
    size_t i, o = 0;
    char *out = malloc(4 * ((len + 2) / 3) + 1);

    if (!out)
        return NULL;
    for (i = 0; i + 2 < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];

        out[o++] = alpha[v >> 18 & 63];
        out[o++] = alpha[v >> 12 & 63];
        out[o++] = alpha[v >> 6 & 63];
        out[o++] = alpha[v & 63];
    }
    if (i < len) {
        unsigned v = (unsigned)p[i] << 16;

        if (i + 1 < len)
            v |= (unsigned)p[i + 1] << 8;
        out[o++] = alpha[v >> 18 & 63];
        out[o++] = alpha[v >> 12 & 63];
        if (i + 1 < len)
            out[o++] = alpha[v >> 6 & 63];
        else if (pad)
            out[o++] = '=';
        if (pad)
            out[o++] = '=';
    }
    out[o] = '\0';
    return out;
}

char *util_b64_encode(const void *data, size_t len)
{
    return b64_enc(data, len, b64std, 1);
}

char *util_b64url_encode(const void *data, size_t len)
{
    return b64_enc(data, len, b64url, 0);
}

static int b64_val(char c, const char *alpha)
{
    const char *p = c ? strchr(alpha, c) : NULL;

    return p ? (int)(p - alpha) : -1;
}

static unsigned char *b64_dec(const char *s, size_t *len_out,
                              const char *alpha, int url)
{
    size_t n = strlen(s), i, o = 0;
    unsigned acc = 0;
    int bits = 0;
    unsigned char *out;

    if (!url) {
        /* Standard base64: ignore line breaks, accept trailing padding. */
        while (n > 0 && s[n - 1] == '=')
            n--;
    }
    out = malloc(n * 3 / 4 + 2);
    if (!out)
        return NULL;
    for (i = 0; i < n; i++) {
        int v;

        if (!url && (s[i] == '\n' || s[i] == '\r'))
            continue;
        v = b64_val(s[i], alpha);
        if (v < 0) {
            free(out);
            return NULL;
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits & 0xff);
        }
    }
    if (bits >= 6) {
        free(out);
        return NULL;
    }
    out[o] = '\0';
    *len_out = o;
    return out;
}

unsigned char *util_b64_decode(const char *s, size_t *len_out)
{
    return b64_dec(s, len_out, b64std, 0);
}

unsigned char *util_b64url_decode(const char *s, size_t *len_out)
{
    return b64_dec(s, len_out, b64url, 1);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *util_percent_decode(const char *s)
{
    char *out = malloc(strlen(s) + 1);
    size_t o = 0;

    if (!out)
        return NULL;
    while (*s) {
        if (*s == '%') {
            int hi = hexval(s[1]), lo = hi >= 0 ? hexval(s[2]) : -1;

            if (hi < 0 || lo < 0) {
                free(out);
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            s += 3;
        } else {
            out[o++] = *s++;
        }
    }
    out[o] = '\0';
    return out;
}

double util_now_mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double util_now_wall(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int util_write_file_atomic(const char *path, const void *data, size_t len,
                           unsigned mode)
{
    char tmp[PATH_MAX];
    const char *p = data;
    size_t off = 0;
    int fd, r = 0;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >=
        (int)sizeof(tmp))
        return ERR_INVALID;
    /*
     * A fresh file of our own: a leftover of an earlier run (or a link
     * someone put there) is removed, never written through, and the file
     * is created with @mode, not whatever a leftover had.
     */
    unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              (mode_t)mode);
    if (fd < 0)
        return ERR_INVALID;
    while (off < len) {
        ssize_t n = write(fd, p + off, len - off);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            r = ERR_INVALID;
            break;
        }
        off += (size_t)n;
    }
    if (r == 0 && fsync(fd) != 0)
        r = ERR_INVALID;
    if (close(fd) != 0 && r == 0)
        r = ERR_INVALID;
    if (r == 0 && rename(tmp, path) != 0)
        r = ERR_INVALID;
    if (r)
        unlink(tmp);
    return r;
}

int util_read_file(char **out, size_t *len_out, const char *path, size_t max)
{
    return file_read(out, len_out, path, max, NULL);
}
