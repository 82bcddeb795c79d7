/*
 * Node helpers of the JSON Schema validator: types, numbers, equality,
 * pointers, regexes.  See jsonschema_node.h.
 */
#include "common/jsonschema_node.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

const char *const jsonschema_type_names[JSONSCHEMA_T_COUNT] = {
    "array", "boolean", "integer", "null", "number", "object", "string"
};

/* 1 when the real @d holds an integral value an int64 can represent. */
static int real_is_integral(double d)
{
    if (!(d >= -9.2e18 && d <= 9.2e18))
        return 0;
    return (double)(json_int_t)d == d;
}

/* See jsonschema_node.h. */
enum jsonschema_type jsonschema_type_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return JSONSCHEMA_T_OBJECT;
    case JSON_ARRAY:
        return JSONSCHEMA_T_ARRAY;
    case JSON_STRING:
        return JSONSCHEMA_T_STRING;
    case JSON_INTEGER:
        return JSONSCHEMA_T_INTEGER;
    case JSON_REAL:
        return real_is_integral(json_real_value(v)) ? JSONSCHEMA_T_INTEGER
                                                    : JSONSCHEMA_T_NUMBER;
    case JSON_TRUE:
    case JSON_FALSE:
        return JSONSCHEMA_T_BOOLEAN;
    case JSON_NULL:
    default:
        return JSONSCHEMA_T_NULL;
    }
}

/* See jsonschema_node.h. */
int jsonschema_type_from_name(const char *name)
{
    for (int i = 0; i < JSONSCHEMA_T_COUNT; i++) {
        if (strcmp(name, jsonschema_type_names[i]) == 0)
            return i;
    }
    return -1;
}

/*
 * Deep copy of @v where reals with an integral value become integers, as
 * Cosmos's conversion to Jackson nodes does (new, NULL on ENOMEM).
 */
json_t *jsonschema_normalize(const json_t *v)
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
            if (json_object_set_new(out, k, jsonschema_normalize(m)) != 0) {
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
            if (json_array_append_new(out, jsonschema_normalize(m)) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    }
    return json_deep_copy(v);
}

/* Numeric value of a number node. */
double jsonschema_num_value(const json_t *v)
{
    return json_is_integer(v) ? (double)json_integer_value(v)
                              : json_real_value(v);
}

/* Equality where numbers compare by value (JsonNumEquals). */
int jsonschema_equal(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        if (json_is_integer(a) && json_is_integer(b))
            return json_integer_value(a) == json_integer_value(b);
        return jsonschema_num_value(a) == jsonschema_num_value(b);
    }
    if (json_typeof(a) != json_typeof(b))
        return 0;
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (size_t i = 0; i < json_array_size(a); i++) {
            if (!jsonschema_equal(json_array_get(a, i), json_array_get(b, i)))
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

            if (!o || !jsonschema_equal(m, o))
                return 0;
        }
        return 1;
    }
    return json_equal(a, b);
}

char *jsonschema_dump(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* @base + "/" + escaped @token (RFC 6901), new string. */
char *jsonschema_ptr_append(const char *base, const char *token)
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

/* See jsonschema_node.h. */
char *jsonschema_ptr_append_index(const char *base, size_t i)
{
    char tok[32];

    snprintf(tok, sizeof(tok), "%zu", i);
    return jsonschema_ptr_append(base, tok);
}

/* Does @re (POSIX extended) match somewhere in @s?  1, 0, or -1 when the
 * regex does not compile. */
int jsonschema_regex_search(const char *re, const char *s)
{
    regex_t rx;
    int r;

    if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
        return -1;
    r = regexec(&rx, s, 0, NULL, 0) == 0;
    regfree(&rx);
    return r;
}

/* A schema number as a JSON node printed the way the validator does. */
json_t *jsonschema_num_node(const json_t *v)
{
    if (json_is_real(v) && real_is_integral(json_real_value(v)))
        return json_integer((json_int_t)json_real_value(v));
    return json_deep_copy(v);
}

/* Number of code points of the UTF-8 string @s. */
size_t jsonschema_utf8_len(const char *s)
{
    size_t n = 0;

    for (; *s; s++) {
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    }
    return n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The member names of @obj sorted (new array of borrowed strings, or NULL
 * on ENOMEM; *@n_out = count). */
const char **jsonschema_sorted_keys(const json_t *obj, size_t *n_out)
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
