#ifndef ETLS_COMMON_JSONSCHEMA_NODE_H
#define ETLS_COMMON_JSONSCHEMA_NODE_H

#include <stddef.h>

#include <jansson.h>

/*
 * Helpers of the JSON Schema validator (common/jsonschema.h) on instance and
 * schema nodes: types as the validator sees them, number and equality rules,
 * JSON pointers, regexes, formatting.  Internal to jsonschema*.c, except
 * that model/options_schema.c matches patternProperties with
 * jsonschema_regex_search() as the validator does; pure.
 */

/* Primitive types in json-schema-validator's NodeType order, which is the
 * order of the "expected" arrays in its error reports. */
enum jsonschema_type {
    JSONSCHEMA_T_ARRAY = 0,
    JSONSCHEMA_T_BOOLEAN,
    JSONSCHEMA_T_INTEGER,
    JSONSCHEMA_T_NULL,
    JSONSCHEMA_T_NUMBER,
    JSONSCHEMA_T_OBJECT,
    JSONSCHEMA_T_STRING,
    JSONSCHEMA_T_COUNT
};

/* Names of the types, indexed by enum jsonschema_type. */
extern const char *const jsonschema_type_names[JSONSCHEMA_T_COUNT];

/* The type of @v; reals with an integral value are integers. */
enum jsonschema_type jsonschema_type_of(const json_t *v);

/* The type named @name, or -1 when it is no type name. */
int jsonschema_type_from_name(const char *name);

/*
 * Deep copy of @v where reals with an integral value become integers, as
 * Cosmos's conversion to Jackson nodes does.  @return new, NULL on ENOMEM.
 */
json_t *jsonschema_normalize(const json_t *v);

/* Numeric value of a number node. */
double jsonschema_num_value(const json_t *v);

/* 1 when @a equals @b, numbers compared by value (JsonNumEquals). */
int jsonschema_equal(const json_t *a, const json_t *b);

/* Compact JSON text of @v.  @return new, NULL on ENOMEM. */
char *jsonschema_dump(const json_t *v);

/*
 * @base + "/" + @token escaped (RFC 6901), or + the decimal index @i.
 * @return new, NULL on ENOMEM.
 */
char *jsonschema_ptr_append(const char *base, const char *token);
char *jsonschema_ptr_append_index(const char *base, size_t i);

/* Does @re (POSIX extended) match somewhere in @s?  1, 0, or -1 when the
 * regex does not compile. */
int jsonschema_regex_search(const char *re, const char *s);

/* A schema number as a JSON node printed the way the validator does.
 * @return new, NULL on ENOMEM. */
json_t *jsonschema_num_node(const json_t *v);

/* Number of code points of the UTF-8 string @s. */
size_t jsonschema_utf8_len(const char *s);

/* The member names of @obj sorted.  @return a new array of borrowed
 * strings (free() it), NULL on ENOMEM; *@n_out = count. */
const char **jsonschema_sorted_keys(const json_t *obj, size_t *n_out);

#endif
