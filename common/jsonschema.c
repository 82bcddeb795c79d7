/*
 * JSON Schema (draft-04 subset) validation with the behaviour of Cosmos and
 * of the validator it uses (java-json-tools json-schema-validator 2.2): the
 * traversal.  The keywords are in jsonschema_kw.c, the node helpers in
 * jsonschema_node.c, defaults and merging in jsonschema_defaults.c.  See
 * jsonschema.h and docs/sim.md.
 */
#include "common/jsonschema.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "common/err.h"
#include "common/jsonschema_kw.h"
#include "common/jsonschema_node.h"

static void process(struct jsonschema_ctx *c, const json_t *schema,
                    const json_t *inst, const char *sptr, const char *iptr,
                    int depth);

/* Validate child @child (instance pointer @iptr) against the sub-schema at
 * @sub, whose pointer is @sptr_base + "/" + @tok1 [+ "/" + @tok2]. */
static void process_child(struct jsonschema_ctx *c, const json_t *sub,
                          const json_t *child, const char *sptr_base,
                          const char *tok1, const char *tok2,
                          const char *iptr, int depth)
{
    char *p1 = jsonschema_ptr_append(sptr_base, tok1);
    char *p2 = p1 && tok2 ? jsonschema_ptr_append(p1, tok2) : NULL;

    if (!p1 || (tok2 && !p2)) {
        jsonschema_ctx_fail(c, ERR_NOMEM);
    } else if (!json_is_object(sub)) {
        jsonschema_ctx_fail(c, ERR_INVALID);
    } else {
        process(c, sub, child, tok2 ? p2 : p1, iptr, depth + 1);
    }
    free(p1);
    free(p2);
}

static void process_object(struct jsonschema_ctx *c, const json_t *schema,
                           const json_t *inst, const char *sptr,
                           const char *iptr, int depth)
{
    const json_t *props = json_object_get(schema, "properties");
    json_t *pp = json_object_get(schema, "patternProperties");
    const json_t *ap = json_object_get(schema, "additionalProperties");
    const char **keys;
    size_t n;

    keys = jsonschema_sorted_keys(inst, &n);
    if (!keys) {
        jsonschema_ctx_fail(c, ERR_NOMEM);
        return;
    }
    for (size_t i = 0; i < n && !c->err; i++) {
        const json_t *child = json_object_get(inst, keys[i]);
        const json_t *sub = json_object_get(props, keys[i]);
        char *cptr = jsonschema_ptr_append(iptr, keys[i]);
        int selected = 0;

        if (!cptr) {
            jsonschema_ctx_fail(c, ERR_NOMEM);
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
                int r = jsonschema_regex_search(re, keys[i]);

                if (r < 0) {
                    jsonschema_ctx_fail(c, ERR_INVALID);
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

static void process_array(struct jsonschema_ctx *c, const json_t *schema,
                          const json_t *inst, const char *sptr,
                          const char *iptr, int depth)
{
    const json_t *items = json_object_get(schema, "items");
    const json_t *more = json_object_get(schema, "additionalItems");
    size_t i;
    json_t *child;

    json_array_foreach(inst, i, child) {
        char *cptr = jsonschema_ptr_append_index(iptr, i);

        if (!cptr) {
            jsonschema_ctx_fail(c, ERR_NOMEM);
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
static void process(struct jsonschema_ctx *c, const json_t *schema,
                    const json_t *inst, const char *sptr, const char *iptr,
                    int depth)
{
    enum jsonschema_type t = jsonschema_type_of(inst);

    if (depth > JSONSCHEMA_MAX_DEPTH) {
        jsonschema_ctx_fail(c, ERR_INVALID);
        return;
    }
    if (t == JSONSCHEMA_T_OBJECT)
        jsonschema_kw_additional(c, schema, inst, sptr, iptr);
    jsonschema_kw_enum(c, schema, inst, sptr, iptr);
    if (t == JSONSCHEMA_T_STRING)
        jsonschema_kw_length(c, schema, inst, sptr, iptr, 0);
    if (t == JSONSCHEMA_T_INTEGER || t == JSONSCHEMA_T_NUMBER)
        jsonschema_kw_bound(c, schema, inst, sptr, iptr, 0);
    if (t == JSONSCHEMA_T_STRING)
        jsonschema_kw_length(c, schema, inst, sptr, iptr, 1);
    if (t == JSONSCHEMA_T_INTEGER || t == JSONSCHEMA_T_NUMBER)
        jsonschema_kw_bound(c, schema, inst, sptr, iptr, 1);
    if (t == JSONSCHEMA_T_STRING)
        jsonschema_kw_pattern(c, schema, inst, sptr, iptr);
    if (t == JSONSCHEMA_T_OBJECT)
        jsonschema_kw_required(c, schema, inst, sptr, iptr);
    jsonschema_kw_type(c, schema, inst, sptr, iptr);
    if (c->err)
        return;
    if (c->failed && !(c->flags & JSONSCHEMA_DEEP))
        return;
    if (t == JSONSCHEMA_T_OBJECT && json_object_size(inst) > 0)
        process_object(c, schema, inst, sptr, iptr, depth);
    else if (t == JSONSCHEMA_T_ARRAY && json_array_size(inst) > 0)
        process_array(c, schema, inst, sptr, iptr, depth);
}

/* See jsonschema.h. */
int jsonschema_validate(const json_t *schema, const json_t *instance,
                        json_t *errors, unsigned flags)
{
    struct jsonschema_ctx c = { .errors = errors, .flags = flags };
    json_t *norm;

    if (!json_is_object(schema) || !instance || !json_is_array(errors))
        return ERR_INVALID;
    norm = jsonschema_normalize(instance);
    if (!norm)
        return ERR_NOMEM;
    process(&c, schema, norm, "", "", 0);
    json_decref(norm);
    if (c.err)
        return c.err;
    return c.failed ? 1 : 0;
}
