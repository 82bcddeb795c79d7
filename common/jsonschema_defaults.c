/*
 * The defaults of a package options schema and the merge of options, with
 * Cosmos's rules (JsonSchema.extractDefaultsFromSchema, circe's
 * Json.deepMerge).  See jsonschema_defaults.h and docs/sim.md.
 */
#include "common/jsonschema_defaults.h"

#include <jansson.h>

#include "common/err.h"
#include "common/jsonschema.h"

/* Defaults of the "properties" object @props (new object or NULL). */
static json_t *defaults_of(const json_t *props, int depth)
{
    json_t *out = json_object();
    const char *k;
    json_t *sub;

    if (!out)
        return NULL;
    if (!json_is_object(props) || depth > JSONSCHEMA_MAX_DEPTH)
        return out;
    json_object_foreach((json_t *)props, k, sub) {
        const json_t *def, *sp;
        json_t *v = NULL;

        if (!json_is_object(sub))
            continue;
        def = json_object_get(sub, "default");
        sp = json_object_get(sub, "properties");
        if (def)
            v = json_deep_copy(def);
        else if (sp)
            v = defaults_of(sp, depth + 1);
        else
            continue;
        if (!v || json_object_set_new(out, k, v) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* See jsonschema_defaults.h. */
json_t *jsonschema_defaults(const json_t *schema)
{
    return defaults_of(json_object_get(schema, "properties"), 0);
}

/* Merge @over into @dst in place (both objects). 0 or ERR_NOMEM. */
static int merge_into(json_t *dst, const json_t *over)
{
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)over, k, v) {
        json_t *cur = json_object_get(dst, k);

        if (json_is_object(cur) && json_is_object(v)) {
            json_t *copy = json_deep_copy(cur);

            if (!copy || merge_into(copy, v) != 0) {
                json_decref(copy);
                return ERR_NOMEM;
            }
            /* json_object_set_new() steals @copy even when it fails. */
            if (json_object_set_new(dst, k, copy) != 0)
                return ERR_NOMEM;
        } else if (json_object_set_new(dst, k, json_deep_copy(v)) != 0) {
            return ERR_NOMEM;
        }
    }
    return 0;
}

/* See jsonschema_defaults.h. */
json_t *jsonschema_merge(const json_t *base, const json_t *over)
{
    json_t *out;

    if ((base && !json_is_object(base)) || (over && !json_is_object(over)))
        return NULL;
    out = base ? json_deep_copy(base) : json_object();
    if (!out)
        return NULL;
    if (over && merge_into(out, over) != 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}
