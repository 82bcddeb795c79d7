#ifndef ETLS_TESTS_E2E_SIM_CORE_TESTUTIL_H
#define ETLS_TESTS_E2E_SIM_CORE_TESTUTIL_H

/*
 * Small helpers shared by the dcos-sim core end-to-end tests (header-only
 * so each test binary stays one source file).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "common/util.h"
#include "harness/harness.h"

/* Value of response header @name (case-insensitive) as a new string, or
 * NULL when absent. */
static inline char *tu_header(const struct h_resp *r, const char *name)
{
    const char *p = r->headers;
    size_t n = strlen(name);

    while (p && *p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);

        if (len > n && p[n] == ':' && strncasecmp(p, name, n) == 0) {
            const char *v = p + n + 1;
            size_t vlen = len - n - 1;

            while (vlen && (*v == ' ' || *v == '\t')) {
                v++;
                vlen--;
            }
            while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == ' '))
                vlen--;
            return strndup(v, vlen);
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return NULL;
}

/* 1 when header @name equals @value. */
static inline int tu_header_is(const struct h_resp *r, const char *name,
                               const char *value)
{
    char *v = tu_header(r, name);
    int ok = v && strcmp(v, value) == 0;

    free(v);
    return ok;
}

/* Decode the base64url JSON part @idx (0 header, 1 payload) of a JWT. */
static inline json_t *tu_jwt_part(const char *jwt, int idx)
{
    const char *p = jwt, *end;
    char *part;
    unsigned char *raw;
    size_t len = 0;
    json_t *o;
    int i;

    for (i = 0; i < idx && p; i++) {
        p = strchr(p, '.');
        if (p)
            p++;
    }
    if (!p)
        return NULL;
    end = strchr(p, '.');
    part = strndup(p, end ? (size_t)(end - p) : strlen(p));
    raw = part ? util_b64url_decode(part, &len) : NULL;
    free(part);
    o = raw ? json_loadb((const char *)raw, len, 0, NULL) : NULL;
    free(raw);
    return o;
}

/* 1 when @s is @n lowercase hex digits. */
static inline int tu_is_hex(const char *s, size_t n)
{
    size_t i;

    if (!s || strlen(s) != n)
        return 0;
    for (i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
            return 0;
    return 1;
}

#endif
