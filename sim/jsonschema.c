/*
 * JSON Schema (draft-04 subset) validation with the behaviour of Cosmos and
 * of the validator it uses (java-json-tools json-schema-validator 2.2).
 * Defaults and merging are in jsonschema_defaults.c.  See jsonschema.h and
 * docs/sim.md.
 */
#include "sim/jsonschema.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"

/* Primitive types in json-schema-validator's NodeType order, which is the
 * order of the "expected" arrays in its error reports. */
enum js_type {
    JS_ARRAY = 0,
    JS_BOOLEAN,
    JS_INTEGER,
    JS_NULL,
    JS_NUMBER,
    JS_OBJECT,
    JS_STRING,
    JS_NTYPES
};

static const char *const js_type_names[JS_NTYPES] = {
    "array", "boolean", "integer", "null", "number", "object", "string"
};

struct js_ctx {
    json_t *errors; /* borrowed */
    unsigned flags;
    int failed;     /* an error was reported */
    int err;        /* first internal failure (ERR_NOMEM, ERR_INVALID) */
};

/* 1 when the real @d holds an integral value an int64 can represent. */
static int real_is_integral(double d)
{
    if (!(d >= -9.2e18 && d <= 9.2e18))
        return 0;
    return (double)(json_int_t)d == d;
}

static enum js_type type_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return JS_OBJECT;
    case JSON_ARRAY:
        return JS_ARRAY;
    case JSON_STRING:
        return JS_STRING;
    case JSON_INTEGER:
        return JS_INTEGER;
    case JSON_REAL:
        return real_is_integral(json_real_value(v)) ? JS_INTEGER
                                                    : JS_NUMBER;
    case JSON_TRUE:
    case JSON_FALSE:
        return JS_BOOLEAN;
    case JSON_NULL:
    default:
        return JS_NULL;
    }
}

static int type_from_name(const char *name)
{
    for (int i = 0; i < JS_NTYPES; i++) {
        if (strcmp(name, js_type_names[i]) == 0)
            return i;
    }
    return -1;
}

/*
 * Deep copy of @v where reals with an integral value become integers, as
 * Cosmos's conversion to Jackson nodes does (new, NULL on ENOMEM).
 */
static json_t *normalize(const json_t *v)
{
    json_t *out;

    if (json_is_real(v) && real_is_integral(json_real_value(v)))
        return json_integer((json_int_t)json_real_value(v));
    if (json_is_object(v)) {
        const char *k;
        json_t *m;

        out = json_object();
        if (!out)
            return NULL;
        json_object_foreach((json_t *)v, k, m) {
            if (json_object_set_new(out, k, normalize(m)) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *m;

        out = json_array();
        if (!out)
            return NULL;
        json_array_foreach(v, i, m) {
            if (json_array_append_new(out, normalize(m)) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    }
    return json_deep_copy(v);
}

/* Numeric value of a number node. */
static double num_value(const json_t *v)
{
    return json_is_integer(v) ? (double)json_integer_value(v)
                              : json_real_value(v);
}

/* Equality where numbers compare by value (JsonNumEquals). */
static int js_equal(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        if (json_is_integer(a) && json_is_integer(b))
            return json_integer_value(a) == json_integer_value(b);
        return num_value(a) == num_value(b);
    }
    if (json_typeof(a) != json_typeof(b))
        return 0;
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (size_t i = 0; i < json_array_size(a); i++) {
            if (!js_equal(json_array_get(a, i), json_array_get(b, i)))
                return 0;
        }
        return 1;
    }
    if (json_is_object(a)) {
        const char *k;
        json_t *m;

        if (json_object_size(a) != json_object_size(b))
            return 0;
        json_object_foreach((json_t *)a, k, m) {
            const json_t *o = json_object_get(b, k);

            if (!o || !js_equal(m, o))
                return 0;
        }
        return 1;
    }
    return json_equal(a, b);
}

/* printf into a new string (NULL on ENOMEM). */
static char *fmt_new(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static char *fmt_new(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *s;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* Compact JSON text of @v (new, NULL on ENOMEM). */
static char *dump(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* @base + "/" + escaped @token (RFC 6901), new string. */
static char *ptr_append(const char *base, const char *token)
{
    size_t n = strlen(base) + 2;
    char *out, *p;

    for (const char *t = token; *t; t++)
        n += (*t == '~' || *t == '/') ? 2 : 1;
    out = malloc(n);
    if (!out)
        return NULL;
    p = out;
    memcpy(p, base, strlen(base));
    p += strlen(base);
    *p++ = '/';
    for (const char *t = token; *t; t++) {
        if (*t == '~' || *t == '/') {
            *p++ = '~';
            *p++ = *t == '~' ? '0' : '1';
        } else {
            *p++ = *t;
        }
    }
    *p = '\0';
    return out;
}

static char *ptr_append_index(const char *base, size_t i)
{
    char tok[32];

    snprintf(tok, sizeof(tok), "%zu", i);
    return ptr_append(base, tok);
}

static void ctx_fail(struct js_ctx *c, int code)
{
    if (!c->err)
        c->err = code;
}

/*
 * Append one error report.  Steals @message and @args (an object whose
 * members follow "message", or NULL).
 */
static void report(struct js_ctx *c, const char *sptr, const char *iptr,
                   const char *keyword, char *message, json_t *args)
{
    json_t *e = NULL;
    const char *k;
    json_t *v;

    c->failed = 1;
    if (!message)
        goto nomem;
    e = json_pack("{s:s, s:{s:s, s:s}, s:{s:s}, s:s, s:s, s:s}",
                  "level", "error",
                  "schema", "loadingURI", "#", "pointer", sptr,
                  "instance", "pointer", iptr,
                  "domain", "validation",
                  "keyword", keyword,
                  "message", message);
    if (!e)
        goto nomem;
    if (args) {
        json_object_foreach(args, k, v) {
            if (json_object_set(e, k, v) != 0)
                goto nomem;
        }
    }
    if (json_array_append_new(c->errors, e) != 0) {
        e = NULL;
        goto nomem;
    }
    free(message);
    json_decref(args);
    return;
nomem:
    json_decref(e);
    free(message);
    json_decref(args);
    ctx_fail(c, ERR_NOMEM);
}

/* Does @re (POSIX extended) match somewhere in @s?  1, 0, or -1 when the
 * regex does not compile. */
static int regex_search(const char *re, const char *s)
{
    regex_t rx;
    int r;

    if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
        return -1;
    r = regexec(&rx, s, 0, NULL, 0) == 0;
    regfree(&rx);
    return r;
}

/* The set of declared types of @type (a bit per enum js_type), with
 * "integer" added when "number" is present (draft-04 digester).  -1 when
 * malformed. */
static int declared_types(const json_t *type)
{
    int set = 0, t;

    if (json_is_string(type)) {
        t = type_from_name(json_string_value(type));
        if (t < 0)
            return -1;
        set = 1 << t;
    } else if (json_is_array(type)) {
        size_t i;
        json_t *m;

        json_array_foreach(type, i, m) {
            if (!json_is_string(m))
                return -1;
            t = type_from_name(json_string_value(m));
            if (t < 0)
                return -1;
            set |= 1 << t;
        }
    } else {
        return -1;
    }
    if (set & (1 << JS_NUMBER))
        set |= 1 << JS_INTEGER;
    return set;
}

static void kw_type(struct js_ctx *c, const json_t *schema,
                    const json_t *inst, const char *sptr, const char *iptr)
{
    const json_t *type = json_object_get(schema, "type");
    enum js_type found = type_of(inst);
    json_t *expected;
    char *exp_text;
    int set;

    if (!type)
        return;
    set = declared_types(type);
    if (set < 0) {
        ctx_fail(c, ERR_INVALID);
        return;
    }
    if (set & (1 << found))
        return;
    expected = json_array();
    if (!expected) {
        ctx_fail(c, ERR_NOMEM);
        return;
    }
    for (int t = 0; t < JS_NTYPES; t++) {
        if ((set & (1 << t)) &&
            json_array_append_new(expected,
                                  json_string(js_type_names[t])) != 0) {
            json_decref(expected);
            ctx_fail(c, ERR_NOMEM);
            return;
        }
    }
    exp_text = dump(expected);
    report(c, sptr, iptr, "type",
           exp_text ? fmt_new("instance type (%s) does not match any "
                              "allowed primitive type (allowed: %s)",
                              js_type_names[found], exp_text)
                    : NULL,
           json_pack("{s:s, s:o}", "found", js_type_names[found],
                     "expected", expected));
    free(exp_text);
}

static void kw_enum(struct js_ctx *c, const json_t *schema,
                    const json_t *inst, const char *sptr, const char *iptr)
{
    const json_t *values = json_object_get(schema, "enum");
    size_t i;
    json_t *m;
    char *vtext, *etext;

    if (!values)
        return;
    if (!json_is_array(values)) {
        ctx_fail(c, ERR_INVALID);
        return;
    }
    json_array_foreach(values, i, m) {
        if (js_equal(m, inst))
            return;
    }
    vtext = dump(inst);
    etext = dump(values);
    report(c, sptr, iptr, "enum",
           vtext && etext ? fmt_new("instance value (%s) not found in enum "
                                    "(possible values: %s)", vtext, etext)
                          : NULL,
           json_pack("{s:O, s:O}", "value", inst, "enum", values));
    free(vtext);
    free(etext);
}

/* A schema number as a JSON node printed the way the validator does. */
static json_t *num_node(const json_t *v)
{
    if (json_is_real(v) && real_is_integral(json_real_value(v)))
        return json_integer((json_int_t)json_real_value(v));
    return json_deep_copy(v);
}

static void kw_bound(struct js_ctx *c, const json_t *schema,
                     const json_t *inst, const char *sptr, const char *iptr,
                     int is_min)
{
    const char *kw = is_min ? "minimum" : "maximum";
    const json_t *limit = json_object_get(schema, kw);
    int exclusive = json_is_true(json_object_get(
        schema, is_min ? "exclusiveMinimum" : "exclusiveMaximum"));
    double a, b;
    json_t *lim;
    char *ltext, *itext;

    if (!limit)
        return;
    if (!json_is_number(limit)) {
        ctx_fail(c, ERR_INVALID);
        return;
    }
    a = num_value(inst);
    b = num_value(limit);
    if (json_is_integer(inst) && json_is_integer(limit)) {
        json_int_t x = json_integer_value(inst);
        json_int_t y = json_integer_value(limit);

        a = x < y ? -1 : x > y ? 1 : 0;
        b = 0;
    }
    if (is_min ? a > b : a < b)
        return;
    if (a == b && !exclusive)
        return;
    lim = num_node(limit);
    if (!lim) {
        ctx_fail(c, ERR_NOMEM);
        return;
    }
    ltext = dump(lim);
    itext = dump(inst);
    if (a == b) {
        report(c, sptr, iptr, kw,
               ltext ? fmt_new(is_min ? "numeric instance is not strictly "
                                        "greater than the required minimum "
                                        "%s"
                                      : "numeric instance is not strictly "
                                        "lower than the required maximum %s",
                               ltext)
                     : NULL,
               json_pack("{s:o, s:b}", kw, lim,
                         is_min ? "exclusiveMinimum" : "exclusiveMaximum",
                         1));
    } else {
        report(c, sptr, iptr, kw,
               ltext && itext
                   ? fmt_new(is_min ? "numeric instance is lower than the "
                                      "required minimum (minimum: %s, "
                                      "found: %s)"
                                    : "numeric instance is greater than the "
                                      "required maximum (maximum: %s, "
                                      "found: %s)",
                             ltext, itext)
                   : NULL,
               json_pack("{s:o, s:O}", kw, lim, "found", inst));
    }
    free(ltext);
    free(itext);
}

/* Number of code points of the UTF-8 string @s. */
static size_t utf8_len(const char *s)
{
    size_t n = 0;

    for (; *s; s++) {
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    }
    return n;
}

static void kw_length(struct js_ctx *c, const json_t *schema,
                      const json_t *inst, const char *sptr, const char *iptr,
                      int is_min)
{
    const char *kw = is_min ? "minLength" : "maxLength";
    const json_t *limit = json_object_get(schema, kw);
    json_int_t want, len;

    if (!limit)
        return;
    if (!json_is_integer(limit) || json_integer_value(limit) < 0) {
        ctx_fail(c, ERR_INVALID);
        return;
    }
    want = json_integer_value(limit);
    len = (json_int_t)utf8_len(json_string_value(inst));
    if (is_min ? len >= want : len <= want)
        return;
    report(c, sptr, iptr, kw,
           fmt_new(is_min ? "string \"%s\" is too short (length: %lld, "
                            "required minimum: %lld)"
                          : "string \"%s\" is too long (length: %lld, "
                            "maximum allowed: %lld)",
                   json_string_value(inst), (long long)len,
                   (long long)want),
           json_pack("{s:O, s:I, s:I}", "value", inst, "found", len, kw,
                     want));
}

static void kw_pattern(struct js_ctx *c, const json_t *schema,
                       const json_t *inst, const char *sptr,
                       const char *iptr)
{
    const json_t *pat = json_object_get(schema, "pattern");
    int r;

    if (!pat)
        return;
    if (!json_is_string(pat)) {
        ctx_fail(c, ERR_INVALID);
        return;
    }
    r = regex_search(json_string_value(pat), json_string_value(inst));
    if (r < 0) {
        ctx_fail(c, ERR_INVALID);
        return;
    }
    if (r)
        return;
    report(c, sptr, iptr, "pattern",
           fmt_new("ECMA 262 regex \"%s\" does not match input string "
                   "\"%s\"", json_string_value(pat),
                   json_string_value(inst)),
           json_pack("{s:O, s:O}", "regex", pat, "string", inst));
}

static void kw_required(struct js_ctx *c, const json_t *schema,
                        const json_t *inst, const char *sptr,
                        const char *iptr)
{
    const json_t *req = json_object_get(schema, "required");
    json_t *missing;
    size_t i;
    json_t *m;
    char *text;

    if (!req)
        return;
    if (!json_is_array(req)) {
        ctx_fail(c, ERR_INVALID);
        return;
    }
    missing = json_array();
    if (!missing) {
        ctx_fail(c, ERR_NOMEM);
        return;
    }
    json_array_foreach(req, i, m) {
        if (!json_is_string(m)) {
            json_decref(missing);
            ctx_fail(c, ERR_INVALID);
            return;
        }
        if (!json_object_get(inst, json_string_value(m)) &&
            json_array_append(missing, m) != 0) {
            json_decref(missing);
            ctx_fail(c, ERR_NOMEM);
            return;
        }
    }
    if (json_array_size(missing) == 0) {
        json_decref(missing);
        return;
    }
    text = dump(missing);
    report(c, sptr, iptr, "required",
           text ? fmt_new("object has missing required properties (%s)",
                          text)
                : NULL,
           json_pack("{s:O, s:o}", "required", req, "missing", missing));
    free(text);
}

/* 1 when @field matches a regex of the schema's patternProperties. */
static int matches_pattern_props(struct js_ctx *c, const json_t *schema,
                                 const char *field)
{
    json_t *pp = json_object_get(schema, "patternProperties");
    const char *re;
    json_t *m;

    if (!json_is_object(pp))
        return 0;
    json_object_foreach(pp, re, m) {
        int r = regex_search(re, field);

        if (r < 0) {
            ctx_fail(c, ERR_INVALID);
            return 0;
        }
        if (r)
            return 1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The member names of @obj sorted (new array of borrowed strings, or NULL
 * on ENOMEM; *@n_out = count). */
static const char **sorted_keys(const json_t *obj, size_t *n_out)
{
    size_t n = json_object_size(obj), i = 0;
    const char **keys = malloc((n ? n : 1) * sizeof(*keys));
    const char *k;
    json_t *m;

    if (!keys)
        return NULL;
    json_object_foreach((json_t *)obj, k, m) {
        keys[i++] = k;
    }
    qsort(keys, n, sizeof(*keys), cmp_str);
    *n_out = n;
    return keys;
}

static void kw_additional(struct js_ctx *c, const json_t *schema,
                          const json_t *inst, const char *sptr,
                          const char *iptr)
{
    const json_t *ap = json_object_get(schema, "additionalProperties");
    const json_t *props = json_object_get(schema, "properties");
    json_t *unwanted;
    const char **keys;
    size_t n;
    char *text;

    if (!json_is_false(ap))
        return;
    keys = sorted_keys(inst, &n);
    unwanted = json_array();
    if (!keys || !unwanted) {
        free(keys);
        json_decref(unwanted);
        ctx_fail(c, ERR_NOMEM);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (json_object_get(props, keys[i]) ||
            matches_pattern_props(c, schema, keys[i]))
            continue;
        if (json_array_append_new(unwanted, json_string(keys[i])) != 0) {
            ctx_fail(c, ERR_NOMEM);
            break;
        }
    }
    free(keys);
    if (json_array_size(unwanted) == 0) {
        json_decref(unwanted);
        return;
    }
    text = dump(unwanted);
    report(c, sptr, iptr, "additionalProperties",
           text ? fmt_new("object instance has properties which are not "
                          "allowed by the schema: %s", text)
                : NULL,
           json_pack("{s:o}", "unwanted", unwanted));
    free(text);
}

static void process(struct js_ctx *c, const json_t *schema,
                    const json_t *inst, const char *sptr, const char *iptr,
                    int depth);

/* Validate child @child (instance pointer @iptr) against the sub-schema at
 * @sub, whose pointer is @sptr_base + "/" + @tok1 [+ "/" + @tok2]. */
static void process_child(struct js_ctx *c, const json_t *sub,
                          const json_t *child, const char *sptr_base,
                          const char *tok1, const char *tok2,
                          const char *iptr, int depth)
{
    char *p1 = ptr_append(sptr_base, tok1);
    char *p2 = p1 && tok2 ? ptr_append(p1, tok2) : NULL;

    if (!p1 || (tok2 && !p2)) {
        ctx_fail(c, ERR_NOMEM);
    } else if (!json_is_object(sub)) {
        ctx_fail(c, ERR_INVALID);
    } else {
        process(c, sub, child, tok2 ? p2 : p1, iptr, depth + 1);
    }
    free(p1);
    free(p2);
}

static void process_object(struct js_ctx *c, const json_t *schema,
                           const json_t *inst, const char *sptr,
                           const char *iptr, int depth)
{
    const json_t *props = json_object_get(schema, "properties");
    json_t *pp = json_object_get(schema, "patternProperties");
    const json_t *ap = json_object_get(schema, "additionalProperties");
    const char **keys;
    size_t n;

    keys = sorted_keys(inst, &n);
    if (!keys) {
        ctx_fail(c, ERR_NOMEM);
        return;
    }
    for (size_t i = 0; i < n && !c->err; i++) {
        const json_t *child = json_object_get(inst, keys[i]);
        const json_t *sub = json_object_get(props, keys[i]);
        char *cptr = ptr_append(iptr, keys[i]);
        int selected = 0;

        if (!cptr) {
            ctx_fail(c, ERR_NOMEM);
            break;
        }
        if (sub) {
            selected = 1;
            process_child(c, sub, child, sptr, "properties", keys[i], cptr,
                          depth);
        }
        if (json_is_object(pp)) {
            const char *re;
            json_t *psub;

            json_object_foreach(pp, re, psub) {
                int r = regex_search(re, keys[i]);

                if (r < 0) {
                    ctx_fail(c, ERR_INVALID);
                    break;
                }
                if (r) {
                    selected = 1;
                    process_child(c, psub, child, sptr, "patternProperties",
                                  re, cptr, depth);
                }
            }
        }
        if (!selected && json_is_object(ap))
            process_child(c, ap, child, sptr, "additionalProperties", NULL,
                          cptr, depth);
        free(cptr);
    }
    free(keys);
}

static void process_array(struct js_ctx *c, const json_t *schema,
                          const json_t *inst, const char *sptr,
                          const char *iptr, int depth)
{
    const json_t *items = json_object_get(schema, "items");
    const json_t *more = json_object_get(schema, "additionalItems");
    size_t i;
    json_t *child;

    json_array_foreach(inst, i, child) {
        char *cptr = ptr_append_index(iptr, i);

        if (!cptr) {
            ctx_fail(c, ERR_NOMEM);
            return;
        }
        if (json_is_object(items)) {
            process_child(c, items, child, sptr, "items", NULL, cptr,
                          depth);
        } else if (json_is_array(items) && i < json_array_size(items)) {
            char tok[32];

            snprintf(tok, sizeof(tok), "%zu", i);
            process_child(c, json_array_get(items, i), child, sptr, "items",
                          tok, cptr, depth);
        } else if (json_is_array(items) && json_is_object(more)) {
            process_child(c, more, child, sptr, "additionalItems", NULL,
                          cptr, depth);
        }
        free(cptr);
        if (c->err)
            return;
    }
}

/*
 * One node: every keyword (alphabetical, as the validator's keyword map
 * is), then the children unless an error has already been reported.
 */
static void process(struct js_ctx *c, const json_t *schema,
                    const json_t *inst, const char *sptr, const char *iptr,
                    int depth)
{
    enum js_type t = type_of(inst);

    if (depth > JSONSCHEMA_MAX_DEPTH) {
        ctx_fail(c, ERR_INVALID);
        return;
    }
    if (t == JS_OBJECT)
        kw_additional(c, schema, inst, sptr, iptr);
    kw_enum(c, schema, inst, sptr, iptr);
    if (t == JS_STRING)
        kw_length(c, schema, inst, sptr, iptr, 0);
    if (t == JS_INTEGER || t == JS_NUMBER)
        kw_bound(c, schema, inst, sptr, iptr, 0);
    if (t == JS_STRING)
        kw_length(c, schema, inst, sptr, iptr, 1);
    if (t == JS_INTEGER || t == JS_NUMBER)
        kw_bound(c, schema, inst, sptr, iptr, 1);
    if (t == JS_STRING)
        kw_pattern(c, schema, inst, sptr, iptr);
    if (t == JS_OBJECT)
        kw_required(c, schema, inst, sptr, iptr);
    kw_type(c, schema, inst, sptr, iptr);
    if (c->err)
        return;
    if (c->failed && !(c->flags & JSONSCHEMA_DEEP))
        return;
    if (t == JS_OBJECT && json_object_size(inst) > 0)
        process_object(c, schema, inst, sptr, iptr, depth);
    else if (t == JS_ARRAY && json_array_size(inst) > 0)
        process_array(c, schema, inst, sptr, iptr, depth);
}

/* See jsonschema.h. */
int jsonschema_validate(const json_t *schema, const json_t *instance,
                        json_t *errors, unsigned flags)
{
    struct js_ctx c = { .errors = errors, .flags = flags };
    json_t *norm;

    if (!json_is_object(schema) || !instance || !json_is_array(errors))
        return ERR_INVALID;
    norm = normalize(instance);
    if (!norm)
        return ERR_NOMEM;
    process(&c, schema, norm, "", "", 0);
    json_decref(norm);
    if (c.err)
        return c.err;
    return c.failed ? 1 : 0;
}
