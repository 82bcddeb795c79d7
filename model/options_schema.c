/*
 * Package options against the package's options schema (options_schema.h,
 * docs/manifest.md "Package options schema").  The schema's keywords are
 * checked by the validator dcos-sim's Cosmos uses (common/jsonschema.h);
 * its error objects are turned into etls diagnostics here.  Unknown keys
 * are found by a walk of the options along the schema's `properties`.
 */
#include "model/options_schema.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonschema.h"
#include "common/jsonschema_defaults.h"
#include "common/jsonschema_node.h"
#include "model/catalog.h"
#include "model/doc.h"
#include "model/suggest.h"
#include "model/validate.h"

/* Bytes of a message listing enum values or a pattern. */
#define EXPECT_MAX 512u

/* One check: the document's context, and what the parser had found. */
struct os_run {
    struct doc_ctx *c;
    size_t before;       /* diags of the document before this check */
    const char *what;    /* the schema, for messages */
};

/* ---- diagnostics ---- */

/*
 * 1 when the parser's own checks (types, names), which come first, have
 * diagnosed this document at the current path's position (@w) under the
 * same field: that problem is not repeated.
 */
static int reported_here(const struct os_run *o, enum doc_where w)
{
    struct doc_ctx *c = o->c;
    const char *field = c->path.field.len ? c->path.field.p : "(root)";
    int line, column;
    size_t i;

    if (c->nomem)
        return 1;
    doc_locate(c, c->path.ptr.p ? c->path.ptr.p : "", w, &line, &column);
    for (i = c->first; line > 0 && i < o->before; i++) {
        const struct model_diag *d = &c->diags->items[i];

        if (d->line == line && d->column == column &&
            strcmp(d->field, field) == 0)
            return 1;
    }
    return 0;
}

/* 1 when the current path names a password: its value is never shown. */
static int path_sensitive(const struct doc_ctx *c)
{
    const char *f = c->path.field.p;
    char *seg;
    size_t n;
    int hit = 0;

    /* Any key of the path (model_key_sensitive). */
    while (f && *f && !hit) {
        n = strcspn(f, ".[");
        seg = strndup(f, n);
        hit = !seg || model_key_sensitive(seg);
        free(seg);
        f += n;
        f += strspn(f, ".[]0123456789");
    }
    return hit;
}

/* "@expected, got <value>", the value left out on password fields. */
static void diag_value(const struct os_run *o, const char *expected,
                       const json_t *v)
{
    struct doc_ctx *c = o->c;

    if (reported_here(o, DOC_AT_VALUE))
        return;
    if (path_sensitive(c) || !v)
        doc_diag(c, DOC_AT_VALUE, "%s", expected);
    else
        doc_diag_value(c, expected, v);
}

/* ---- unknown keys ---- */

/* The sub-schema of a key matching a patternProperties regex, or NULL. */
static const json_t *pattern_schema(const json_t *schema, const char *key)
{
    const json_t *pp = json_object_get(schema, "patternProperties");
    const char *re;
    json_t *sub;

    json_object_foreach((json_t *)pp, re, sub) {
        if (jsonschema_regex_search(re, key) == 1)
            return sub;
    }
    return NULL;
}

static void unknown_key(const struct os_run *o, const json_t *props,
                        const json_t *siblings, const char *key)
{
    const char *near = props ? suggest_member(props, siblings, key) : NULL;

    if (reported_here(o, DOC_AT_KEY))
        return;
    if (near)
        doc_diag(o->c, DOC_AT_KEY,
                 "unknown option; did you mean \"%.64s\"?", near);
    else
        doc_diag(o->c, DOC_AT_KEY,
                 "unknown option: not in the options schema of %s", o->what);
}

/*
 * Diagnose every member of @inst, at any depth, that @schema does not
 * declare.  Objects without `properties` whose additional properties are
 * a schema (maps) are walked with that schema; objects the schema leaves
 * free (no `properties`, no `additionalProperties: false`) are not.
 */
static void walk(const struct os_run *o, const json_t *schema,
                 const json_t *inst)
{
    struct doc_ctx *c = o->c;
    const json_t *props = json_object_get(schema, "properties");
    const json_t *more = json_object_get(schema, "additionalProperties");
    const json_t *items = json_object_get(schema, "items");
    const char *key;
    json_t *v;
    size_t i;

    if (!json_is_object(schema) || c->nomem ||
        c->path.depth + 1 >= MODEL_MAX_DEPTH)
        return;
    if (!json_is_object(props))
        props = NULL;
    if (json_is_array(inst) && json_is_object(items)) {
        json_array_foreach(inst, i, v) {
            doc_push_index(c, i);
            walk(o, items, v);
            doc_pop(c);
        }
        return;
    }
    json_object_foreach((json_t *)inst, key, v) {
        const json_t *sub = props ? json_object_get(props, key) : NULL;

        if (!sub)
            sub = pattern_schema(schema, key);
        doc_push(c, key);
        if (sub)
            walk(o, sub, v);
        else if (props || json_is_false(more))
            unknown_key(o, props, inst, key);
        else if (json_is_object(more))
            walk(o, more, v);
        doc_pop(c);
    }
}

/* ---- the validator's errors ---- */

/*
 * Enter JSON pointer @ptr of @root (RFC 6901): one doc_push per token,
 * doc_push_index inside arrays, at most to the depth validation allows.
 * Returns the value there (borrowed; NULL when the pointer leaves @root or
 * was cut short) and the number of levels entered in *@levels.
 */
static const json_t *enter(struct doc_ctx *c, const json_t *root,
                           const char *ptr, size_t *levels)
{
    const json_t *node = root;
    struct buf tok;

    *levels = 0;
    buf_init(&tok, 4096);
    while (*ptr == '/') {
        const char *end = strchr(ptr + 1, '/');
        size_t n = end ? (size_t)(end - ptr - 1) : strlen(ptr + 1), i;
        int r = 0;

        buf_reset(&tok);
        for (i = 0; r == 0 && i < n; i++) {
            char ch = ptr[1 + i];

            if (ch == '~' && i + 1 < n &&
                (ptr[2 + i] == '0' || ptr[2 + i] == '1')) {
                ch = ptr[2 + i] == '0' ? '~' : '/';
                i++;
            }
            r = buf_append(&tok, &ch, 1);
        }
        if (r || c->path.depth + 1 >= MODEL_MAX_DEPTH) {
            c->nomem |= r == ERR_NOMEM;
            node = NULL;
            break;
        }
        if (json_is_array(node)) {
            size_t idx = (size_t)strtoul(buf_str(&tok), NULL, 10);

            doc_push_index(c, idx);
            node = json_array_get(node, idx);
        } else {
            doc_push(c, buf_str(&tok));
            node = json_object_get(node, buf_str(&tok));
        }
        ++*levels;
        ptr += 1 + n;
    }
    buf_free(&tok);
    return node;
}

/* "an integer", "a string or null", ... of an array of type names. */
static int type_phrase(struct buf *b, const json_t *types)
{
    static const char *const names[] = {"array", "boolean", "integer",
                                        "null", "number", "object",
                                        "string"};
    static const char *const phrases[] = {"an array", "a boolean",
                                          "an integer", "null", "a number",
                                          "an object", "a string"};
    size_t i, k, shown = 0;
    int r = 0, number = 0;
    json_t *t;

    json_array_foreach(types, i, t)
        number |= json_is_string(t) &&
                  strcmp(json_string_value(t), "number") == 0;
    json_array_foreach(types, i, t) {
        const char *p = json_string_value(t);

        /* The validator lists "integer" with "number": say it once. */
        if (number && p && strcmp(p, "integer") == 0)
            continue;
        for (k = 0; p && k < sizeof(names) / sizeof(names[0]); k++)
            if (strcmp(p, names[k]) == 0)
                p = phrases[k];
        if (r == 0 && shown++ > 0)
            r = buf_puts(b, " or ");
        if (r == 0)
            r = buf_puts(b, p ? p : "?");
    }
    return r;
}

/* "expected one of "a", "b", ...": JSON values, cut after a few hundred
 * bytes. */
static int enum_phrase(struct buf *b, const json_t *values)
{
    size_t i;
    json_t *v;
    int r = buf_puts(b, "expected one of ");

    json_array_foreach(values, i, v) {
        char *s;

        if (r)
            break;
        if (b->len > EXPECT_MAX / 2) {
            r = buf_puts(b, ", ...");
            break;
        }
        s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        r = s ? buf_printf(b, "%s%.64s", i ? ", " : "", s) : ERR_NOMEM;
        free(s);
    }
    return r;
}

/* The value at JSON pointer @p (RFC 6901) of @root, or NULL. */
static const json_t *at_pointer(const json_t *root, const char *p)
{
    const json_t *node = root;

    while (p && *p == '/' && node) {
        size_t n = strcspn(p + 1, "/"), i, k = 0;
        char *tok = malloc(n + 1); /* a fixed buffer would cut a long key */

        if (!tok)
            return NULL;
        for (i = 0; i < n; i++) {
            if (p[1 + i] == '~' && i + 1 < n) {
                tok[k++] = p[2 + i] == '0' ? '~' : '/';
                i++;
            } else {
                tok[k++] = p[1 + i];
            }
        }
        tok[k] = '\0';
        node = json_is_array(node)
                   ? json_array_get(node, (size_t)strtoul(tok, NULL, 10))
                   : json_object_get(node, tok);
        free(tok);
        p += 1 + n;
    }
    return p && !*p ? node : NULL;
}

/* The pointer member @member of error @err ("schema" or "instance"). */
static const char *err_pointer(const json_t *err, const char *member)
{
    return json_string_value(
        json_object_get(json_object_get(err, member), "pointer"));
}

/* The expectation of a failed bound or length keyword, into @b. */
static int limit_phrase(struct buf *b, const char *kw, const json_t *sub)
{
    const json_t *lim = json_object_get(sub, kw);
    char *s = json_dumps(lim, JSON_COMPACT | JSON_ENCODE_ANY);
    int r;

    if (!s)
        return ERR_NOMEM;
    if (strcmp(kw, "minimum") == 0)
        r = buf_printf(b, "expected a number %s %.32s",
                       json_is_true(json_object_get(sub, "exclusiveMinimum"))
                           ? ">" : ">=", s);
    else if (strcmp(kw, "maximum") == 0)
        r = buf_printf(b, "expected a number %s %.32s",
                       json_is_true(json_object_get(sub, "exclusiveMaximum"))
                           ? "<" : "<=", s);
    else
        r = buf_printf(b, "expected a string of at %s %.32s characters",
                       strcmp(kw, "minLength") == 0 ? "least" : "most", s);
    free(s);
    return r;
}

/*
 * One error object of the validator on @options, diagnosed at its
 * instance.  Cosmos validates the options merged over the schema's
 * @defaults: a required member the defaults provide is no error.
 */
static void diag_error(const struct os_run *o, const json_t *schema,
                       const json_t *options, const json_t *defaults,
                       const json_t *err)
{
    struct doc_ctx *c = o->c;
    const char *what = o->what;
    const char *kw = json_string_value(json_object_get(err, "keyword"));
    const char *iptr = err_pointer(err, "instance");
    const json_t *sub = at_pointer(schema, err_pointer(err, "schema")), *v;
    struct buf b;
    size_t levels, i;
    json_t *m;
    int r = 0;

    /* Unknown keys are the walk's. */
    if (!kw || !iptr || strcmp(kw, "additionalProperties") == 0)
        return;
    v = enter(c, options, iptr, &levels);
    buf_init(&b, EXPECT_MAX + 128);
    if (strcmp(kw, "required") == 0) {
        const json_t *filled = at_pointer(defaults, iptr);

        json_array_foreach(json_object_get(err, "missing"), i, m) {
            if (!json_is_string(m) || c->path.depth + 1 >= MODEL_MAX_DEPTH ||
                json_object_get(filled, json_string_value(m)))
                continue;
            doc_push(c, json_string_value(m));
            if (!reported_here(o, DOC_AT_VALUE))
                doc_diag(c, DOC_AT_VALUE, "missing: expected a value "
                         "(required by the options schema of %s)", what);
            doc_pop(c);
        }
        goto out;
    }
    if (strcmp(kw, "type") == 0) {
        r = buf_puts(&b, "expected ");
        if (r == 0)
            r = type_phrase(&b, json_object_get(err, "expected"));
    } else if (strcmp(kw, "enum") == 0) {
        r = enum_phrase(&b, json_object_get(err, "enum"));
    } else if (strcmp(kw, "minimum") == 0 || strcmp(kw, "maximum") == 0 ||
               strcmp(kw, "minLength") == 0 ||
               strcmp(kw, "maxLength") == 0) {
        r = limit_phrase(&b, kw, sub);
    } else if (strcmp(kw, "pattern") == 0) {
        r = buf_printf(&b, "expected a string matching %.200s",
                       json_string_value(json_object_get(err, "regex")));
    } else {
        r = buf_printf(&b, "does not match the options schema of %s "
                       "(keyword %.32s)", what, kw);
    }
    if (r == ERR_NOMEM)
        c->nomem = 1;
    else
        diag_value(o, buf_str(&b), v);
out:
    buf_free(&b);
    for (i = 0; i < levels; i++)
        doc_pop(c);
}

void options_schema_check(struct doc_ctx *c, const json_t *options,
                          const json_t *schema, const char *what)
{
    struct os_run o = {c, c->diags->n, what};
    json_t *defaults = NULL, *errors = NULL, *err;
    size_t i;
    int r;

    if (c->nomem || !json_is_object(options) || !json_is_object(schema))
        return;
    walk(&o, schema, options);
    /*
     * Cosmos validates the options merged over the schema's defaults.  The
     * options alone give the same errors (a member's value is the user's
     * wherever the user set it, the defaults are valid), except that a
     * required member may come from the defaults: those are filtered.
     * Much cheaper than validating every default of every document.
     */
    errors = json_array();
    if (!errors) {
        c->nomem = 1;
        return;
    }
    r = jsonschema_validate(schema, options, errors, JSONSCHEMA_DEEP);
    json_array_foreach(errors, i, err) {
        const char *kw = json_string_value(json_object_get(err, "keyword"));

        if (r >= 0 && !defaults && kw && strcmp(kw, "required") == 0 &&
            !(defaults = jsonschema_defaults(schema)))
            r = ERR_NOMEM;
    }
    if (r == ERR_NOMEM) {
        c->nomem = 1;
    } else if (r < 0) {
        doc_diag(c, DOC_AT_VALUE, "the options schema of %s cannot be "
                 "used (%s); expected a valid JSON Schema", what,
                 err_name(r));
    } else {
        for (i = 0; i < json_array_size(errors) && !c->nomem; i++)
            diag_error(&o, schema, options, defaults,
                       json_array_get(errors, i));
    }
    json_decref(defaults);
    json_decref(errors);
}

/* Warn that the options of @svc cannot be checked offline. */
static void warn_not_vendored(struct doc_ctx *c, struct model_service *svc)
{
    char versions[256], msg[512];
    int line = 0, column = 0;
    const char *member = svc->package_version ? "version" : "name";

    model_catalog_versions(versions, sizeof(versions), svc->package_name);
    if (*versions)
        snprintf(msg, sizeof(msg), "%s %s is not among the vendored "
                 "package definitions (%s); its options are checked at "
                 "plan time against the schema of the cluster's catalog",
                 svc->package_name, svc->package_version, versions);
    else
        snprintf(msg, sizeof(msg), "package %s has no vendored definition; "
                 "its options are checked at plan time against the schema "
                 "of the cluster's catalog", svc->package_name);
    doc_push(c, "package");
    doc_push(c, member);
    if (!c->nomem)
        doc_locate(c, c->path.ptr.p, DOC_AT_VALUE, &line, &column);
    if (!c->nomem && doc_diags_push(&svc->warnings, c->file, line, column,
                                    c->path.field.p, msg))
        c->nomem = 1;
    doc_pop(c);
    doc_pop(c);
}

void options_schema_check_vendored(struct doc_ctx *c,
                                   struct model_service *svc)
{
    const struct model_catalog_pkg *p;
    const json_t *schema = NULL;
    char what[160];
    int r;

    if (c->nomem || !json_is_object(svc->options))
        return;
    p = model_catalog_find(svc->package_name, svc->package_version);
    if (!p) {
        warn_not_vendored(c, svc);
        return;
    }
    r = model_catalog_schema(&schema, p);
    /* The vendored schemas are JSON objects (test_model_options). */
    assert(r != ERR_INVALID);
    if (r) {
        c->nomem = 1;
        return;
    }
    snprintf(what, sizeof(what), "%s %s", p->name, p->version);
    if (svc->envelope)
        doc_push(c, "options");
    options_schema_check(c, svc->options, schema, what);
    if (svc->envelope)
        doc_pop(c);
}

int model_options_check(struct model_diags *out,
                        const struct model_service *svc,
                        const json_t *schema, const char *what)
{
    struct doc_ctx c;

    memset(&c, 0, sizeof(c));
    c.file = svc->source;
    c.ix = svc->pos;
    c.diags = out;
    c.first = out->n;
    if (svc->envelope)
        doc_push(&c, "options");
    options_schema_check(&c, svc->options, schema, what);
    if (svc->envelope)
        doc_pop(&c);
    free(c.path.ptr.p);
    free(c.path.field.p);
    doc_diags_sort(out, c.first);
    return c.nomem ? ERR_NOMEM : (int)c.count;
}
