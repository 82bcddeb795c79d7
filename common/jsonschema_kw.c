/*
 * The keywords of the JSON Schema validator, with the error objects and
 * messages of json-schema-validator 2.2.  See jsonschema_kw.h.
 */
#include "common/jsonschema_kw.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
#include "common/jsonschema_node.h"
#include "common/util.h"

/* See jsonschema_kw.h. */
void jsonschema_ctx_fail(struct jsonschema_ctx *c, int code)
{
    if (!c->err)
        c->err = code;
}

/*
 * Append one error report.  Steals @message and @args (an object whose
 * members follow "message", or NULL).
 */
static void report(struct jsonschema_ctx *c, const char *sptr,
                   const char *iptr, const char *keyword, char *message,
                   json_t *args)
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
    jsonschema_ctx_fail(c, ERR_NOMEM);
}

/* The set of declared types of @type (a bit per enum jsonschema_type), with
 * "integer" added when "number" is present (draft-04 digester).  -1 when
 * malformed. */
static int declared_types(const json_t *type)
{
    int set = 0, t;

    if (json_is_string(type)) {
        t = jsonschema_type_from_name(json_string_value(type));
        if (t < 0)
            return -1;
        set = 1 << t;
    } else if (json_is_array(type)) {
        size_t i;
        json_t *m;

        json_array_foreach(type, i, m) {
            if (!json_is_string(m))
                return -1;
            t = jsonschema_type_from_name(json_string_value(m));
            if (t < 0)
                return -1;
            set |= 1 << t;
        }
    } else {
        return -1;
    }
    if (set & (1 << JSONSCHEMA_T_NUMBER))
        set |= 1 << JSONSCHEMA_T_INTEGER;
    return set;
}

/* See jsonschema_kw.h. */
void jsonschema_kw_type(struct jsonschema_ctx *c, const json_t *schema,
                        const json_t *inst, const char *sptr,
                        const char *iptr)
{
    const json_t *type = json_object_get(schema, "type");
    enum jsonschema_type found = jsonschema_type_of(inst);
    json_t *expected;
    char *exp_text;
    int set;

    if (!type)
        return;
    set = declared_types(type);
    if (set < 0) {
        jsonschema_ctx_fail(c, ERR_INVALID);
        return;
    }
    if (set & (1 << found))
        return;
    expected = json_array();
    if (!expected) {
        jsonschema_ctx_fail(c, ERR_NOMEM);
        return;
    }
    for (int t = 0; t < JSONSCHEMA_T_COUNT; t++) {
        if ((set & (1 << t)) &&
            json_array_append_new(expected,
                                  json_string(jsonschema_type_names[t])) != 0) {
            json_decref(expected);
            jsonschema_ctx_fail(c, ERR_NOMEM);
            return;
        }
    }
    exp_text = jsonschema_dump(expected);
    report(c, sptr, iptr, "type",
           exp_text ? util_format("instance type (%s) does not match any "
                                     "allowed primitive type (allowed: %s)",
                                     jsonschema_type_names[found], exp_text)
                    : NULL,
           json_pack("{s:s, s:o}", "found", jsonschema_type_names[found],
                     "expected", expected));
    free(exp_text);
}

/* See jsonschema_kw.h. */
void jsonschema_kw_enum(struct jsonschema_ctx *c, const json_t *schema,
                        const json_t *inst, const char *sptr,
                        const char *iptr)
{
    const json_t *values = json_object_get(schema, "enum");
    size_t i;
    json_t *m;
    char *vtext, *etext;

    if (!values)
        return;
    if (!json_is_array(values)) {
        jsonschema_ctx_fail(c, ERR_INVALID);
        return;
    }
    json_array_foreach(values, i, m) {
        if (jsonschema_equal(m, inst))
            return;
    }
    vtext = jsonschema_dump(inst);
    etext = jsonschema_dump(values);
    report(c, sptr, iptr, "enum",
           vtext && etext ? util_format("instance value (%s) not found in "
                                           "enum (possible values: %s)",
                                           vtext, etext)
                          : NULL,
           json_pack("{s:O, s:O}", "value", inst, "enum", values));
    free(vtext);
    free(etext);
}

/* See jsonschema_kw.h. */
void jsonschema_kw_bound(struct jsonschema_ctx *c, const json_t *schema,
                         const json_t *inst, const char *sptr,
                         const char *iptr, int is_min)
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
        jsonschema_ctx_fail(c, ERR_INVALID);
        return;
    }
    a = jsonschema_num_value(inst);
    b = jsonschema_num_value(limit);
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
    lim = jsonschema_num_node(limit);
    if (!lim) {
        jsonschema_ctx_fail(c, ERR_NOMEM);
        return;
    }
    ltext = jsonschema_dump(lim);
    itext = jsonschema_dump(inst);
    if (a == b) {
        report(c, sptr, iptr, kw,
               !ltext ? NULL
               : is_min ? util_format("numeric instance is not strictly "
                                         "greater than the required minimum "
                                         "%s", ltext)
                        : util_format("numeric instance is not strictly "
                                         "lower than the required maximum "
                                         "%s", ltext),
               json_pack("{s:o, s:b}", kw, lim,
                         is_min ? "exclusiveMinimum" : "exclusiveMaximum",
                         1));
    } else {
        report(c, sptr, iptr, kw,
               !ltext || !itext ? NULL
               : is_min ? util_format("numeric instance is lower than the "
                                         "required minimum (minimum: %s, "
                                         "found: %s)", ltext, itext)
                        : util_format("numeric instance is greater than "
                                         "the required maximum (maximum: %s, "
                                         "found: %s)", ltext, itext),
               json_pack("{s:o, s:O}", kw, lim, "found", inst));
    }
    free(ltext);
    free(itext);
}

/* See jsonschema_kw.h. */
void jsonschema_kw_length(struct jsonschema_ctx *c, const json_t *schema,
                          const json_t *inst, const char *sptr,
                          const char *iptr, int is_min)
{
    const char *kw = is_min ? "minLength" : "maxLength";
    const json_t *limit = json_object_get(schema, kw);
    json_int_t want, len;

    if (!limit)
        return;
    if (!json_is_integer(limit) || json_integer_value(limit) < 0) {
        jsonschema_ctx_fail(c, ERR_INVALID);
        return;
    }
    want = json_integer_value(limit);
    len = (json_int_t)jsonschema_utf8_len(json_string_value(inst));
    if (is_min ? len >= want : len <= want)
        return;
    report(c, sptr, iptr, kw,
           util_format(is_min ? "string \"%s\" is too short (length: %lld, "
                                   "required minimum: %lld)"
                                 : "string \"%s\" is too long (length: %lld, "
                                   "maximum allowed: %lld)",
                          json_string_value(inst), (long long)len,
                          (long long)want),
           json_pack("{s:O, s:I, s:I}", "value", inst, "found", len, kw,
                     want));
}

/* See jsonschema_kw.h. */
void jsonschema_kw_pattern(struct jsonschema_ctx *c, const json_t *schema,
                           const json_t *inst, const char *sptr,
                           const char *iptr)
{
    const json_t *pat = json_object_get(schema, "pattern");
    int r;

    if (!pat)
        return;
    if (!json_is_string(pat)) {
        jsonschema_ctx_fail(c, ERR_INVALID);
        return;
    }
    r = jsonschema_regex_search(json_string_value(pat),
                                json_string_value(inst));
    if (r < 0) {
        jsonschema_ctx_fail(c, ERR_INVALID);
        return;
    }
    if (r)
        return;
    report(c, sptr, iptr, "pattern",
           util_format("ECMA 262 regex \"%s\" does not match input string "
                          "\"%s\"", json_string_value(pat),
                          json_string_value(inst)),
           json_pack("{s:O, s:O}", "regex", pat, "string", inst));
}

/* See jsonschema_kw.h. */
void jsonschema_kw_required(struct jsonschema_ctx *c, const json_t *schema,
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
        jsonschema_ctx_fail(c, ERR_INVALID);
        return;
    }
    missing = json_array();
    if (!missing) {
        jsonschema_ctx_fail(c, ERR_NOMEM);
        return;
    }
    json_array_foreach(req, i, m) {
        if (!json_is_string(m)) {
            json_decref(missing);
            jsonschema_ctx_fail(c, ERR_INVALID);
            return;
        }
        if (!json_object_get(inst, json_string_value(m)) &&
            json_array_append(missing, m) != 0) {
            json_decref(missing);
            jsonschema_ctx_fail(c, ERR_NOMEM);
            return;
        }
    }
    if (json_array_size(missing) == 0) {
        json_decref(missing);
        return;
    }
    text = jsonschema_dump(missing);
    report(c, sptr, iptr, "required",
           text ? util_format("object has missing required properties (%s)",
                                 text)
                : NULL,
           json_pack("{s:O, s:o}", "required", req, "missing", missing));
    free(text);
}

/* 1 when @field matches a regex of the schema's patternProperties. */
static int matches_pattern_props(struct jsonschema_ctx *c, const json_t *schema,
                                 const char *field)
{
    json_t *pp = json_object_get(schema, "patternProperties");
    const char *re;
    json_t *m;

    if (!json_is_object(pp))
        return 0;
    json_object_foreach(pp, re, m) {
        int r = jsonschema_regex_search(re, field);

        if (r < 0) {
            jsonschema_ctx_fail(c, ERR_INVALID);
            return 0;
        }
        if (r)
            return 1;
    }
    return 0;
}

/* See jsonschema_kw.h. */
void jsonschema_kw_additional(struct jsonschema_ctx *c, const json_t *schema,
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
    keys = jsonschema_sorted_keys(inst, &n);
    unwanted = json_array();
    if (!keys || !unwanted) {
        free(keys);
        json_decref(unwanted);
        jsonschema_ctx_fail(c, ERR_NOMEM);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (json_object_get(props, keys[i]) ||
            matches_pattern_props(c, schema, keys[i]))
            continue;
        if (json_array_append_new(unwanted, json_string(keys[i])) != 0) {
            jsonschema_ctx_fail(c, ERR_NOMEM);
            break;
        }
    }
    free(keys);
    if (json_array_size(unwanted) == 0) {
        json_decref(unwanted);
        return;
    }
    text = jsonschema_dump(unwanted);
    report(c, sptr, iptr, "additionalProperties",
           text ? util_format("object instance has properties which are not "
                                 "allowed by the schema: %s", text)
                : NULL,
           json_pack("{s:o}", "unwanted", unwanted));
    free(text);
}
