#include "jfield.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"

int jfield_string(char **out, const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (!json_is_string(v))
        return 0;
    *out = strdup(json_string_value(v));
    return *out ? 0 : ERR_NOMEM;
}

int jfield_check(const json_t *j, const struct jfield *f, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (f[i].required && !json_is_string(json_object_get(j, f[i].key)))
            return ERR_INVALID;
    return 0;
}

int jfield_copy(void *obj, const json_t *j, const struct jfield *f, size_t n)
{
    size_t i;
    int r = jfield_check(j, f, n);

    for (i = 0; r == 0 && i < n; i++)
        r = jfield_string((char **)(void *)((char *)obj + f[i].off), j,
                          f[i].key);
    return r;
}

int jfield_list_alloc(void **out, const json_t *arr, size_t size)
{
    size_t n = json_array_size(arr);

    *out = NULL;
    if (!json_is_array(arr) || n > JFIELD_LIST_MAX)
        return ERR_INVALID;
    if (n && !(*out = calloc(n, size)))
        return ERR_NOMEM;
    return 0;
}

int jfield_strings(char ***out, size_t *n_out, const json_t *arr)
{
    char **v;
    void *items;
    size_t i, n = json_array_size(arr);
    int r;

    *out = NULL;
    *n_out = 0;
    if (!arr)
        return 0;
    r = jfield_list_alloc(&items, arr, sizeof(*v));
    if (r)
        return r;
    v = items;
    for (i = 0; i < n; i++) {
        const json_t *s = json_array_get(arr, i);

        if (!json_is_string(s)) {
            jfield_strings_free(v, i);
            return ERR_INVALID;
        }
        v[i] = strdup(json_string_value(s));
        if (!v[i]) {
            jfield_strings_free(v, i);
            return ERR_NOMEM;
        }
    }
    *out = v;
    *n_out = n;
    return 0;
}

long jfield_long(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);

    return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

json_t *jfield_object_ref(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);

    return json_is_object(v) ? json_incref((json_t *)v) : NULL;
}

void jfield_strings_free(char **v, size_t n)
{
    size_t i;

    if (!v)
        return;
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}
