/*
 * dcos-sim Cosmos request validation, as finch's RequestValidators.standard
 * does it: the Accept header negotiated and the Content-Type matched as
 * com.mesosphere.http.MediaType does, and the body decoded as circe does,
 * every failure collected as an item error.  See cosmos_request.h.
 */
#include "sim/cosmos_request.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/util.h"
#include "sim/http.h"

/* ------------------------------------------------------------------ */
/* Media types (com.mesosphere.http.MediaType)                        */
/* ------------------------------------------------------------------ */

#define MT_MAX_PARAMS 8

struct mt {
    char type[64];
    char subtype[160];       /* with the "+suffix" */
    size_t np;
    char key[MT_MAX_PARAMS][32];
    char val[MT_MAX_PARAMS][160];
    double q;                /* 1.0 unless a q parameter says otherwise */
};

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* Copy [@b, @e) trimmed into @dst (@n bytes).  -1 when too long. */
static int copy_trim(char *dst, size_t n, const char *b, const char *e)
{
    while (b < e && isspace((unsigned char)*b))
        b++;
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    if ((size_t)(e - b) >= n)
        return -1;
    memcpy(dst, b, (size_t)(e - b));
    dst[e - b] = '\0';
    return 0;
}

static int has_space(const char *s)
{
    for (; *s; s++) {
        if (isspace((unsigned char)*s))
            return 1;
    }
    return 0;
}

/* Parse one media type from [@b, @e).  0 or -1. */
static int mt_parse(struct mt *m, const char *b, const char *e)
{
    char first[240];
    const char *semi = memchr(b, ';', (size_t)(e - b));
    const char *end1 = semi ? semi : e;
    char *slash;

    memset(m, 0, sizeof(*m));
    m->q = 1.0;
    if (copy_trim(first, sizeof(first), b, end1) != 0)
        return -1;
    slash = strchr(first, '/');
    if (!slash || slash == first || !slash[1] || strchr(slash + 1, '/') ||
        has_space(first))
        return -1;
    *slash = '\0';
    if (strlen(first) >= sizeof(m->type) ||
        strlen(slash + 1) >= sizeof(m->subtype))
        return -1;
    strcpy(m->type, first);
    strcpy(m->subtype, slash + 1);
    lower(m->type);
    lower(m->subtype);
    while (semi) {
        const char *pb = semi + 1;
        const char *pe, *eq;
        char *v;

        semi = memchr(pb, ';', (size_t)(e - pb));
        pe = semi ? semi : e;
        eq = memchr(pb, '=', (size_t)(pe - pb));
        if (!eq || m->np == MT_MAX_PARAMS)
            return -1;
        if (copy_trim(m->key[m->np], sizeof(m->key[0]), pb, eq) != 0 ||
            copy_trim(m->val[m->np], sizeof(m->val[0]), eq + 1, pe) != 0 ||
            !m->key[m->np][0] || has_space(m->key[m->np]))
            return -1;
        lower(m->key[m->np]);
        v = m->val[m->np];
        if (v[0] == '"' && strlen(v) >= 2 && v[strlen(v) - 1] == '"') {
            memmove(v, v + 1, strlen(v) - 2);
            v[strlen(v) - 2] = '\0';
        }
        if (strcmp(m->key[m->np], "charset") == 0)
            lower(v);
        if (strcmp(m->key[m->np], "q") == 0 &&
            util_parse_double(&m->q, v, 0.0, 1.0) != 0)
            return -1;
        m->np++;
    }
    return 0;
}

static int mt_parse_str(struct mt *m, const char *s)
{
    return mt_parse(m, s, s + strlen(s));
}

/* MediaType.show: "type/subtype;k=v;..." (new string or NULL). */
static char *mt_show(const struct mt *m)
{
    size_t n = strlen(m->type) + strlen(m->subtype) + 2;
    char *s, *p;

    for (size_t i = 0; i < m->np; i++)
        n += strlen(m->key[i]) + strlen(m->val[i]) + 2;
    s = malloc(n);
    if (!s)
        return NULL;
    p = s + sprintf(s, "%s/%s", m->type, m->subtype);
    for (size_t i = 0; i < m->np; i++)
        p += sprintf(p, ";%s=%s", m->key[i], m->val[i]);
    return s;
}

static const char *mt_param(const struct mt *m, const char *key)
{
    for (size_t i = 0; i < m->np; i++) {
        if (strcmp(m->key[i], key) == 0)
            return m->val[i];
    }
    return NULL;
}

static size_t mt_nparams(const struct mt *m)
{
    return m->np - (mt_param(m, "q") ? 1 : 0);
}

/* MediaType.compatible(expected, actual): same type and subtype, and every
 * parameter of @expected but q present in @actual with the same value. */
static int mt_compatible(const struct mt *expected, const struct mt *actual)
{
    if (strcmp(expected->type, actual->type) != 0 ||
        strcmp(expected->subtype, actual->subtype) != 0)
        return 0;
    for (size_t i = 0; i < expected->np; i++) {
        const char *v;

        if (strcmp(expected->key[i], "q") == 0)
            continue;
        v = mt_param(actual, expected->key[i]);
        if (!v || strcmp(v, expected->val[i]) != 0)
            return 0;
    }
    return 1;
}

/* Equal as map keys (q ignored). */
static int mt_equal(const struct mt *a, const struct mt *b)
{
    return mt_compatible(a, b) && mt_compatible(b, a);
}

/* MediaType ordering: q descending, type, subtype value, suffix, then more
 * parameters first. */
static int mt_order(const struct mt *x, const struct mt *y)
{
    char xs[160], ys[160];
    const char *xsuf, *ysuf;
    int c;

    if (x->q != y->q)
        return x->q > y->q ? -1 : 1;
    c = strcmp(x->type, y->type);
    if (c)
        return c;
    strcpy(xs, x->subtype);
    strcpy(ys, y->subtype);
    xsuf = strchr(xs, '+');
    ysuf = strchr(ys, '+');
    if (xsuf)
        xs[xsuf - xs] = '\0';
    if (ysuf)
        ys[ysuf - ys] = '\0';
    c = strcmp(xs, ys);
    if (c)
        return c;
    if (!xsuf != !ysuf)
        return xsuf ? 1 : -1;
    if (xsuf && (c = strcmp(xsuf, ysuf)) != 0)
        return c;
    if (mt_nparams(x) != mt_nparams(y))
        return mt_nparams(x) > mt_nparams(y) ? -1 : 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Request validation (finch RequestValidators.standard)              */
/* ------------------------------------------------------------------ */

/* Append {"type","message"} to @errs.  0 or -1. */
static int add_item_error(json_t *errs, const char *type, const char *fmt,
                          ...) __attribute__((format(printf, 3, 4)));
static int add_item_error(json_t *errs, const char *type, const char *fmt,
                          ...)
{
    char msg[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return json_array_append_new(errs, json_pack("{s:s, s:s}", "type", type,
                                                 "message", msg));
}

#define ACCEPT_MAX 16

/*
 * Accept: pick the response media type as
 * DispatchingMediaTypedEncoder(CompoundMediaType) does.  Returns the index
 * in @offers, or -1 after appending the error to @errs.
 */
int cosmos_negotiate_accept(const char *accept, const char *const *offers,
                            json_t *errs)
{
    struct mt *given = NULL, *list = NULL, *offer = NULL;
    size_t n = 0, noffers = 0;
    int chosen = -1;
    const char *p;

    if (!accept) {
        add_item_error(errs, "not_present",
                       "Item header 'Accept' not present but required");
        return -1;
    }
    while (offers[noffers])
        noffers++;
    given = calloc(ACCEPT_MAX, sizeof(*given));
    list = calloc(ACCEPT_MAX, sizeof(*list));
    offer = calloc(noffers, sizeof(*offer));
    if (!given || !list || !offer)
        goto out;
    for (size_t i = 0; i < noffers; i++) {
        if (mt_parse_str(&offer[i], offers[i]) != 0)
            goto out;
    }
    p = accept;
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *e = comma ? comma : p + strlen(p);

        if (n == ACCEPT_MAX || mt_parse(&given[n], p, e) != 0) {
            char bad[256];

            if (n == ACCEPT_MAX || copy_trim(bad, sizeof(bad), p, e) != 0)
                snprintf(bad, sizeof(bad), "%.200s", accept);
            add_item_error(errs, "not_parsed",
                           "Item header 'Accept' unable to be parsed: "
                           "Unable to parse MediaType for input: '%s'", bad);
            goto out;
        }
        n++;
        if (!comma)
            break;
        p = comma + 1;
    }
    /* Stable insertion sort by the MediaType ordering. */
    memcpy(list, given, n * sizeof(*list));
    for (size_t i = 1; i < n; i++) {
        struct mt tmp = list[i];
        size_t j = i;

        while (j > 0 && mt_order(&list[j - 1], &tmp) > 0) {
            list[j] = list[j - 1];
            j--;
        }
        list[j] = tmp;
    }
    /* The most appropriate type (first one compatible with an offer) must
     * be one of the offers exactly. */
    for (size_t i = 0; i < n && chosen < 0; i++) {
        int compatible = 0;

        if (list[i].q == 0.0)
            continue;
        for (size_t k = 0; k < noffers; k++)
            compatible |= mt_compatible(&list[i], &offer[k]);
        if (!compatible)
            continue;
        for (size_t k = 0; k < noffers; k++) {
            if (mt_equal(&list[i], &offer[k])) {
                chosen = (int)k;
                break;
            }
        }
        break;
    }
    if (chosen < 0) {
        char shown[2048] = "", avail[1024] = "";
        size_t gl = 0, al = 0;

        for (size_t i = 0; i < n; i++) {
            char *show = mt_show(&given[i]);

            if (show && gl + strlen(show) + 3 < sizeof(shown))
                gl += (size_t)sprintf(shown + gl, "%s%s", i ? ", " : "",
                                      show);
            free(show);
        }
        for (size_t k = 0; k < noffers; k++) {
            if (al + strlen(offers[k]) + 3 < sizeof(avail))
                al += (size_t)sprintf(avail + al, "%s%s", k ? ", " : "",
                                      offers[k]);
        }
        add_item_error(errs, "not_valid",
                       "Item header 'Accept' deemed invalid by rule: Media "
                       "type was [%s] but should be one of [%s]",
                       shown, avail);
    }
out:
    free(given);
    free(list);
    free(offer);
    return chosen;
}

/* See cosmos_request.h. */
int cosmos_check_content_type(const char *ctype, const char *want,
                              json_t *errs)
{
    struct mt got, exp;

    if (!ctype) {
        add_item_error(errs, "not_present",
                       "Item header 'Content-Type' not present but "
                       "required");
        return -1;
    }
    if (mt_parse_str(&got, ctype) != 0) {
        add_item_error(errs, "not_parsed",
                       "Item header 'Content-Type' unable to be parsed: "
                       "Unable to parse MediaType for input: '%s'", ctype);
        return -1;
    }
    if (mt_parse_str(&exp, want) != 0 || !mt_compatible(&exp, &got)) {
        add_item_error(errs, "not_valid",
                       "Item header 'Content-Type' deemed invalid by rule: "
                       "should match one of %s", want);
        return -1;
    }
    return 0;
}

/* See cosmos_request.h. */
json_t *cosmos_decode_body(const struct sim_req *req,
                           const struct cosmos_field *fields, json_t *errs)
{
    static const char *const kind_names[] = { "String", "JsonObject",
                                              "Boolean" };
    json_error_t jerr;
    json_t *body;

    if (!req->body || req->body_len == 0) {
        add_item_error(errs, "not_present",
                       "Item body not present but required");
        return NULL;
    }
    body = json_loadb(req->body, req->body_len,
                      JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (!body) {
        add_item_error(errs, "not_parsed",
                       "Item 'body' unable to be parsed: %s (line %d, "
                       "column %d)", jerr.text, jerr.line, jerr.column);
        return NULL;
    }
    for (const struct cosmos_field *f = fields; f && f->name; f++) {
        json_t *v = json_is_object(body) ? json_object_get(body, f->name)
                                         : NULL;
        int ok;

        if (!v || (json_is_null(v) && !f->required)) {
            if (!f->required)
                continue;
            add_item_error(errs, "not_parsed",
                           "Item 'body' unable to be parsed: Attempt to "
                           "decode value on failed cursor: DownField(%s)",
                           f->name);
            json_decref(body);
            return NULL;
        }
        ok = f->kind == COSMOS_F_STRING   ? json_is_string(v)
             : f->kind == COSMOS_F_OBJECT ? json_is_object(v)
                                   : json_is_boolean(v);
        if (!ok) {
            add_item_error(errs, "not_parsed",
                           "Item 'body' unable to be parsed: %s: "
                           "DownField(%s)", kind_names[f->kind], f->name);
            json_decref(body);
            return NULL;
        }
    }
    if (!json_is_object(body)) {
        /* Only decoders without required members get here. */
        json_decref(body);
        body = json_object();
    }
    return body;
}
