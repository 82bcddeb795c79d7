/*
 * What of a service's resolved options the reconcilers read
 * (reconciler.h, reconcilers_options_needed).  A resolved options object
 * of beta-elastic has about 150 values, ~20 KB once parsed; a plan of
 * 2,000 services keeps 2,000 of them until it is printed.  The
 * reconcilers read few: options_diff walks the document's options (and
 * the managed ones) and compares whole values where they stop; the rest
 * are looked up by fixed paths.  So the part kept is: every path of the
 * document, each managed path and each node count, with the whole value
 * found at its end (or where the document's object meets a non-object).
 */
#include "managed.h"
#include "rc.h"

/* Deeper than any package option: compared (and so kept) whole. */
#define NEEDED_MAX_DEPTH 16

/*
 * The object of @out at @key, made for the walk (not a value shared with
 * @have): NULL when @out already holds the whole value (nothing to add)
 * or on ENOMEM (*@nomem set).
 */
static json_t *child(json_t *out, const char *key, const json_t *have,
                     int *nomem)
{
    json_t *c = json_object_get(out, key);

    if (c)
        return c == have ? NULL : c;
    c = json_object();
    if (!c || json_object_set_new(out, key, c)) {
        *nomem = 1;
        return NULL;
    }
    return c;
}

/* Keep, from @have, the whole value at @key of @out. */
static void keep_whole(json_t *out, const char *key, json_t *have,
                       int *nomem)
{
    if (json_object_get(out, key) != have &&
        json_object_set(out, key, have))
        *nomem = 1;
}

/* Keep what walking @want (the document's options) over @have reads. */
static void keep_tree(json_t *out, const json_t *want, json_t *have,
                      size_t depth, int *nomem)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)want, key, v) {
        json_t *h = json_object_get(have, key), *c;

        if (*nomem)
            return;
        if (!h)
            continue;
        if (json_is_object(v) && json_is_object(h) &&
            depth < NEEDED_MAX_DEPTH) {
            c = child(out, key, h, nomem);
            if (c)
                keep_tree(c, v, h, depth + 1, nomem);
        } else {
            keep_whole(out, key, h, nomem);
        }
    }
}

/* Keep the value at @path (NULL-terminated keys) of @have. */
static void keep_path(json_t *out, const char *const *path, json_t *have,
                      int *nomem)
{
    size_t i;

    for (i = 0; path[i] && out && !*nomem; i++) {
        json_t *h = json_object_get(have, path[i]);

        if (!h)
            return;
        if (!path[i + 1] || !json_is_object(h)) {
            keep_whole(out, path[i], h, nomem);
            return;
        }
        out = child(out, path[i], h, nomem);
        have = h;
    }
}

json_t *reconcilers_options_needed(const struct model_service *d,
                                   const json_t *resolved)
{
    json_t *out, *res = (json_t *)resolved;
    int nomem = 0, m;
    size_t i;

    if (!json_is_object(resolved))
        return json_incref(res);
    out = json_object();
    if (!out)
        return NULL;
    if (json_is_object(d->options))
        keep_tree(out, d->options, res, 0, &nomem);
    for (m = 0; m < MANAGED_COUNT; m++)
        keep_path(out, managed_path((enum managed_field)m), res, &nomem);
    for (i = 0; rc_package_read_paths[i]; i++)
        keep_path(out, rc_package_read_paths[i], res, &nomem);
    if (nomem) {
        json_decref(out);
        return NULL;
    }
    return out;
}
