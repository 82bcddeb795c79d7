#include "options_diff.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/validate.h"

/*
 * Nesting bound of the comparison.  Package options are a few levels deep;
 * anything deeper is compared as a whole value, which keeps the recursion
 * bounded whatever the input.
 */
#define OD_MAX_DEPTH 32

#define OD_SENSITIVE "(sensitive)"

bool options_value_equal(const json_t *a, const json_t *b)
{
    size_t i;
    const char *key;
    json_t *va;

    if (!a || !b)
        return a == b;
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    if (json_typeof(a) != json_typeof(b))
        return false;
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (i = 0; i < json_array_size(a); i++)
            if (!options_value_equal(json_array_get(a, i),
                                     json_array_get(b, i)))
                return false;
        return true;
    }
    if (json_is_object(a)) {
        if (json_object_size(a) != json_object_size(b))
            return false;
        json_object_foreach((json_t *)a, key, va)
            if (!options_value_equal(va, json_object_get(b, key)))
                return false;
        return true;
    }
    return json_equal(a, b) != 0;
}

const json_t *options_lookup(const json_t *root, const char *const *keys)
{
    const json_t *v = root;
    size_t i;

    for (i = 0; keys[i]; i++) {
        if (!json_is_object(v))
            return NULL;
        v = json_object_get(v, keys[i]);
        if (!v)
            return NULL;
    }
    return v;
}

int options_put(json_t *root, const char *const *keys, json_t *value)
{
    json_t *o = root, *next;
    size_t i;

    if (!value)
        return ERR_NOMEM;
    if (!json_is_object(root) || !keys[0]) {
        json_decref(value);
        return ERR_NOMEM;
    }
    for (i = 0; keys[i + 1]; i++) {
        next = json_object_get(o, keys[i]);
        if (!json_is_object(next)) {
            next = json_object();
            if (!next || json_object_set_new(o, keys[i], next) < 0) {
                json_decref(value);
                return ERR_NOMEM;
            }
        }
        o = next;
    }
    if (json_object_set_new(o, keys[i], value) < 0)
        return ERR_NOMEM;
    return 0;
}

/* State of one comparison: the path of the member being looked at. */
struct od_walk {
    struct options_diff *out;
    const char *keys[OD_MAX_DEPTH + 1];
    size_t depth;
};

static char *join_path(const char *const *keys, size_t n)
{
    size_t i, len = 0, o = 0;
    char *s;

    for (i = 0; i < n; i++)
        len += strlen(keys[i]) + 1;
    s = malloc(len + 1);
    if (!s)
        return NULL;
    for (i = 0; i < n; i++) {
        size_t k = strlen(keys[i]);

        if (i)
            s[o++] = '.';
        memcpy(s + o, keys[i], k);
        o += k;
    }
    s[o] = '\0';
    return s;
}

static int record(struct od_walk *w, const json_t *want, const json_t *have)
{
    struct options_diff *d = w->out;
    char **paths, *path;

    w->keys[w->depth] = NULL;
    path = join_path(w->keys, w->depth);
    if (!path)
        return ERR_NOMEM;
    paths = realloc(d->paths, (d->n_paths + 1) * sizeof(*paths));
    if (!paths) {
        free(path);
        return ERR_NOMEM;
    }
    d->paths = paths;
    d->paths[d->n_paths++] = path;
    if (options_put(d->after, w->keys, json_deep_copy(want)) < 0)
        return ERR_NOMEM;
    if (have && options_put(d->before, w->keys, json_deep_copy(have)) < 0)
        return ERR_NOMEM;
    return 0;
}

static int walk(struct od_walk *w, const json_t *want, const json_t *have)
{
    const char *key;
    json_t *v;
    int r;

    json_object_foreach((json_t *)want, key, v) {
        const json_t *h = json_is_object(have) ? json_object_get(have, key)
                                               : NULL;

        w->keys[w->depth++] = key;
        if (json_is_object(v) && json_is_object(h) &&
            w->depth < OD_MAX_DEPTH) {
            r = walk(w, v, h);
        } else if (!h || !options_value_equal(v, h)) {
            r = record(w, v, h);
        } else {
            r = 0;
        }
        w->depth--;
        if (r < 0)
            return r;
    }
    return 0;
}

int options_diff_compute(struct options_diff *out, const json_t *desired,
                         const json_t *resolved, struct err_info *e)
{
    struct od_walk w;
    int r;

    memset(out, 0, sizeof(*out));
    out->before = json_object();
    out->after = json_object();
    if (!out->before || !out->after) {
        options_diff_clear(out);
        return err_set(e, ERR_NOMEM, "out of memory comparing options");
    }
    if (!json_is_object(desired))
        return 0;
    memset(&w, 0, sizeof(w));
    w.out = out;
    r = walk(&w, desired, json_is_object(resolved) ? resolved : NULL);
    if (r < 0) {
        options_diff_clear(out);
        return err_set(e, ERR_NOMEM, "out of memory comparing options");
    }
    return (int)out->n_paths;
}

void options_diff_clear(struct options_diff *d)
{
    size_t i;

    if (!d)
        return;
    json_decref(d->before);
    json_decref(d->after);
    for (i = 0; i < d->n_paths; i++)
        free(d->paths[i]);
    free(d->paths);
    memset(d, 0, sizeof(*d));
}

/* Booleans and null reveal nothing; other values of such keys are masked. */
static bool is_sensitive(const char *key, const json_t *v)
{
    return model_key_sensitive(key) && !json_is_boolean(v) &&
           !json_is_null(v);
}

/* Mask in place; returns the mask of @o (new), json_null() when none. */
static json_t *mask_walk(json_t *o, size_t depth, int *nomem)
{
    const char *key;
    json_t *v, *mask = NULL, *sub;

    json_object_foreach(o, key, v) {
        sub = NULL;
        if (is_sensitive(key, v)) {
            if (json_object_set_new(o, key, json_string(OD_SENSITIVE)) < 0) {
                *nomem = 1;
                break;
            }
            sub = json_true();
        } else if (json_is_object(v) && depth < OD_MAX_DEPTH) {
            sub = mask_walk(v, depth + 1, nomem);
            if (*nomem)
                break;
        }
        if (!sub)
            continue;
        if (!mask)
            mask = json_object();
        if (!mask || json_object_set_new(mask, key, sub) < 0) {
            if (!mask)
                json_decref(sub);
            *nomem = 1;
            break;
        }
    }
    if (*nomem) {
        json_decref(mask);
        return NULL;
    }
    return mask;
}

json_t *options_mask_sensitive(const json_t *display, json_t **mask_out)
{
    json_t *copy, *mask;
    int nomem = 0;

    if (mask_out)
        *mask_out = NULL;
    if (!display)
        return NULL;
    copy = json_deep_copy(display);
    if (!copy)
        return NULL;
    if (!json_is_object(copy))
        return copy;
    mask = mask_walk(copy, 0, &nomem);
    if (nomem) {
        json_decref(copy);
        return NULL;
    }
    if (mask_out)
        *mask_out = mask;
    else
        json_decref(mask);
    return copy;
}

char *options_diff_paths(const struct options_diff *d)
{
    size_t i, len = 1, o = 0;
    char *s;

    for (i = 0; i < d->n_paths; i++)
        len += strlen(d->paths[i]) + 2;
    s = malloc(len);
    if (!s)
        return NULL;
    for (i = 0; i < d->n_paths; i++) {
        size_t k = strlen(d->paths[i]);

        if (i) {
            memcpy(s + o, ", ", 2);
            o += 2;
        }
        memcpy(s + o, d->paths[i], k);
        o += k;
    }
    s[o] = '\0';
    return s;
}
