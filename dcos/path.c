#include "path.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"

static bool unreserved(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
           (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
           ch == '_' || ch == '~';
}

/* Append @s percent-encoded; '/' kept when @keep_slash. */
static int put_encoded(struct buf *b, const char *s, bool keep_slash)
{
    int r = 0;

    for (; r == 0 && *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (unreserved(ch) || ch == ':' || ch == '@' ||
            (keep_slash && ch == '/'))
            r = buf_append(b, s, 1);
        else
            r = buf_printf(b, "%%%02X", ch);
    }
    return r;
}

char *dcos_rid_encode(const char *rid)
{
    struct buf b;
    const char *s;
    int r = 0;

    buf_init(&b, DCOS_PATH_MAX);
    for (s = rid; r == 0 && *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (unreserved(ch) || ch == ':' || ch == '*' || ch == '@')
            r = buf_append(&b, s, 1);
        else
            r = buf_printf(&b, "%%25%02X", ch);
    }
    if (r) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

bool dcos_path_valid_name(const char *s)
{
    return s && *s && strlen(s) < 1024;
}

bool dcos_path_valid(const char *p)
{
    const char *s = p;

    if (!dcos_path_valid_name(p))
        return false;
    for (;;) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);

        if (n == 0 || (n == 1 && s[0] == '.') ||
            (n == 2 && s[0] == '.' && s[1] == '.'))
            return false;
        if (!e)
            return true;
        s = e + 1;
    }
}

const char *dcos_path_strip_slash(const char *s)
{
    return s && *s == '/' ? s + 1 : s;
}

int dcos_path_build(char **out, const struct dcos_path_seg *segs, size_t n)
{
    struct buf b;
    size_t i;
    int r = 0;

    buf_init(&b, DCOS_PATH_MAX);
    for (i = 0; r == 0 && i < n; i++) {
        switch (segs[i].mode) {
        case 'l':
            r = buf_puts(&b, segs[i].s);
            break;
        case 'u':
            r = put_encoded(&b, segs[i].s, false);
            break;
        case 'p':
            r = put_encoded(&b, segs[i].s, true);
            break;
        case 'r': {
            char *e = dcos_rid_encode(segs[i].s);

            r = e ? buf_puts(&b, e) : ERR_NOMEM;
            free(e);
            break;
        }
        default:
            r = ERR_INTERNAL;
        }
    }
    if (r) {
        buf_free(&b);
        return r;
    }
    *out = buf_detach(&b);
    return *out ? 0 : ERR_NOMEM;
}
