#ifndef ETLS_DCOS_JFIELD_H
#define ETLS_DCOS_JFIELD_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * Reading the members of parsed response bodies into the typed structs of
 * dcos/parse.h (internal to dcos/): a table-driven reader of string
 * members and helpers for lists.  Pure, no I/O.
 */

/* Bound on lists taken from the network. */
#define JFIELD_LIST_MAX 100000u

/* One string member of an object, copied into a `char *` of a struct. */
struct jfield {
    const char *key; /* member name */
    size_t off;      /* offsetof() the char * member in the struct */
    bool required;   /* must be present and a string */
};

/* A table entry for @member of @type, read from @key. */
#define JFIELD(type, member, key, required)                                   \
    { (key), offsetof(type, member), (required) }
#define JFIELD_N(table) (sizeof(table) / sizeof((table)[0]))

/*
 * Set *@out to a new copy of the string member @key of @obj, or to NULL
 * when @obj has no such string member.  Returns 0 or ERR_NOMEM.
 */
int jfield_string(char **out, const json_t *obj, const char *key);

/*
 * 0 when every required member of the @n in @f is a string in @j, else
 * ERR_INVALID.  A @j that is not an object has no members: it passes when
 * nothing is required.
 */
int jfield_check(const json_t *j, const struct jfield *f, size_t n);

/*
 * Check @j as jfield_check() does, then set every member of @obj named in
 * @f to a new copy of its string (NULL when absent or not a string).
 * @return 0, ERR_INVALID (nothing is copied) or ERR_NOMEM (the copies made
 *         stay in @obj for its free function)
 */
int jfield_copy(void *obj, const json_t *j, const struct jfield *f,
                size_t n);

/*
 * Zeroed items for the JSON array @arr, @size bytes each (new; NULL when
 * the array is empty).
 * @return 0, ERR_INVALID (not an array, or longer than JFIELD_LIST_MAX)
 *         or ERR_NOMEM
 */
int jfield_list_alloc(void **out, const json_t *arr, size_t size);

/*
 * Copies of the strings of the array @arr (NULL: an empty list), freed
 * with dcos_string_array_free.
 * @return 0, ERR_INVALID (not an array of strings, or too long) or
 *         ERR_NOMEM; *@out and *@n_out are set in every case (NULL, 0 on
 *         failure)
 */
int jfield_strings(char ***out, size_t *n_out, const json_t *arr);

/* Free @n strings of @v and @v; accepts NULL. */
void jfield_strings_free(char **v, size_t n);

/* The integer member @key of @obj, or -1 when absent or not an integer. */
long jfield_long(const json_t *obj, const char *key);

/* A new reference to the object member @key of @obj, or NULL. */
json_t *jfield_object_ref(const json_t *obj, const char *key);

#endif
