/*
 * YAML desired-state documents (yaml.h): libyaml events -> JSON with one
 * token per line and a line map back to the YAML positions.
 */
#include "model/yaml.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonscan.h"
#include "model/desired.h"
#include "model/doc.h"
#include "model/jsonpos.h"

/* Nesting bound (the JSON path's is larger; no document needs this). */
#define YAML_MAX_DEPTH 256u
/* The JSON text: the YAML text is at most 1 MiB, JSON a few times that. */
#define YAML_MAX_JSON (16u * 1024u * 1024u)

/* One open mapping or sequence. */
struct frame {
    bool map;
    bool want_key;     /* map: the next scalar is a key */
    size_t n;          /* members or elements so far */
    char **keys;       /* map: the keys seen, for duplicates */
    int *key_line;
    int *key_col;
    size_t field_len;  /* length of the field before this level */
};

struct conv {
    yaml_parser_t p;
    struct buf json;
    struct jsonpos_loc *map;
    size_t n_map, alloc_map;
    struct frame stack[YAML_MAX_DEPTH];
    size_t depth;
    struct doc_buf field;   /* dotted field of the current position */
    const char *file;
    struct model_diags *diags;
    int err;                /* ERR_INVALID (diag added) or ERR_NOMEM */
    int docs;
};

static void fail_at(struct conv *c, const yaml_mark_t *m, const char *fmt,
                    ...) __attribute__((format(printf, 3, 4)));

static void fail_at(struct conv *c, const yaml_mark_t *m, const char *fmt,
                    ...)
{
    char msg[300];
    va_list ap;

    if (c->err)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    c->err = doc_diags_push(c->diags, c->file, (int)m->line + 1,
                            (int)m->column + 1,
                            c->field.len ? c->field.p : "(root)", msg)
                 ? ERR_NOMEM
                 : ERR_INVALID;
}

/* Start a new JSON line for a token that stands at YAML mark @m. */
static int new_line(struct conv *c, const yaml_mark_t *m)
{
    if (c->n_map == c->alloc_map) {
        size_t na = c->alloc_map ? 2 * c->alloc_map : 64;
        struct jsonpos_loc *n = realloc(c->map, na * sizeof(*n));

        if (!n)
            return ERR_NOMEM;
        c->map = n;
        c->alloc_map = na;
    }
    c->map[c->n_map].line = (int)m->line + 1;
    c->map[c->n_map].column = (int)m->column + 1;
    c->map[c->n_map].offset = m->index;
    c->n_map++;
    return c->n_map > 1 ? buf_append(&c->json, "\n", 1) : 0;
}

/* Before a value of the current container: the separator, and the field. */
static int before_value(struct conv *c)
{
    struct frame *f = c->depth ? &c->stack[c->depth - 1] : NULL;
    char num[32];

    if (!f || f->map)
        return 0;
    if (f->n && buf_append(&c->json, ",", 1))
        return ERR_NOMEM;
    doc_buf_truncate(&c->field, f->field_len);
    snprintf(num, sizeof(num), "[%zu]", f->n);
    f->n++;
    return doc_buf_puts(&c->field, num);
}

/* After a member's value: the next scalar of the mapping is a key. */
static void after_value(struct conv *c)
{
    if (c->depth && c->stack[c->depth - 1].map)
        c->stack[c->depth - 1].want_key = true;
}

static bool is_digits(const char *s, const char *set)
{
    return *s && strspn(s, set) == strlen(s);
}

/* Does @s match the YAML 1.2 core schema float [-+]?(.d+|d+(.d*)?)(e[-+]?d+)? */
static bool is_float(const char *s)
{
    size_t i = *s == '-' || *s == '+', d1, d2 = 0;

    d1 = strspn(s + i, "0123456789");
    i += d1;
    if (s[i] == '.') {
        i++;
        d2 = strspn(s + i, "0123456789");
        i += d2;
    }
    if (d1 == 0 && d2 == 0)
        return false;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t de;

        i++;
        i += s[i] == '-' || s[i] == '+';
        de = strspn(s + i, "0123456789");
        if (!de)
            return false;
        i += de;
    }
    return s[i] == '\0';
}

/* The JSON number of the core-schema float @s (into @b). */
static int put_float(struct buf *b, const char *s)
{
    const char *p = s;

    if (*p == '+')
        p++;
    if (*p == '-') {
        if (buf_append(b, "-", 1))
            return ERR_NOMEM;
        p++;
    }
    if (*p == '.' && buf_append(b, "0", 1))
        return ERR_NOMEM;
    for (; *p; p++) {
        if (buf_append(b, p, 1))
            return ERR_NOMEM;
        if (*p == '.' && !(p[1] >= '0' && p[1] <= '9') &&
            buf_append(b, "0", 1))
            return ERR_NOMEM;
    }
    return 0;
}

/* The JSON of a plain scalar @s, typed by the YAML 1.2 core schema. */
static int put_plain(struct conv *c, const char *s, size_t len,
                     const yaml_mark_t *m)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    static const char *const trues[] = {"true", "True", "TRUE"};
    static const char *const falses[] = {"false", "False", "FALSE"};
    const char *digits = s + (*s == '-' || *s == '+');
    size_t i;

    for (i = 0; i < 5; i++)
        if (strcmp(s, nulls[i]) == 0)
            return buf_puts(&c->json, "null");
    for (i = 0; i < 3; i++) {
        if (strcmp(s, trues[i]) == 0)
            return buf_puts(&c->json, "true");
        if (strcmp(s, falses[i]) == 0)
            return buf_puts(&c->json, "false");
    }
    if (is_digits(digits, "0123456789")) {
        /* JSON has no leading zeros and no '+'. */
        if (*s == '-' && buf_append(&c->json, "-", 1))
            return ERR_NOMEM;
        while (digits[0] == '0' && digits[1])
            digits++;
        return buf_puts(&c->json, digits);
    }
    if ((strncmp(s, "0o", 2) == 0 && is_digits(s + 2, "01234567")) ||
        (strncmp(s, "0x", 2) == 0 &&
         is_digits(s + 2, "0123456789abcdefABCDEF"))) {
        uintmax_t v;

        errno = 0;
        v = strtoumax(s + 2, NULL, s[1] == 'o' ? 8 : 16);
        if (errno || v > (uintmax_t)INT64_MAX) {
            fail_at(c, m, "integer %s is out of range", s);
            return ERR_INVALID;
        }
        return buf_printf(&c->json, "%" PRIuMAX, v);
    }
    if (is_float(s))
        return put_float(&c->json, s);
    for (i = 0; i < 9; i++) {
        static const char *const special[] = {
            ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", ".nan",
            ".NaN", ".NAN"};

        if (strcmp(s, special[i]) == 0) {
            fail_at(c, m, "%s is not a number JSON can hold; expected a "
                          "finite number or a quoted string",
                    s);
            return ERR_INVALID;
        }
    }
    return jsonscan_put_string(&c->json, s, len);
}

/* A scalar's tag: NULL or "!" (none), !!str, or one of the core schema. */
static int check_tag(struct conv *c, const yaml_event_t *e,
                     const char *tag, bool *force_string)
{
    static const char core[] = "tag:yaml.org,2002:";

    *force_string = false;
    if (!tag || strcmp(tag, "!") == 0) {
        *force_string = tag != NULL;
        return 0;
    }
    if (strcmp(tag, "tag:yaml.org,2002:str") == 0) {
        *force_string = true;
        return 0;
    }
    if (strncmp(tag, core, sizeof(core) - 1) == 0) {
        const char *t = tag + sizeof(core) - 1;

        if (strcmp(t, "map") == 0 || strcmp(t, "seq") == 0 ||
            strcmp(t, "int") == 0 || strcmp(t, "float") == 0 ||
            strcmp(t, "bool") == 0 || strcmp(t, "null") == 0)
            return 0;
    }
    fail_at(c, &e->start_mark, "the tag %.60s is not supported; "
                               "desired-state documents use plain YAML",
            tag);
    return ERR_INVALID;
}

/* A key of the mapping on top: remembered for duplicates, then emitted. */
static int put_key(struct conv *c, const yaml_event_t *e)
{
    struct frame *f = &c->stack[c->depth - 1];
    const char *k = (const char *)e->data.scalar.value;
    size_t i, len = e->data.scalar.length;
    char **nk;
    int *nl, *nc;

    doc_buf_truncate(&c->field, f->field_len);
    if ((f->field_len && doc_buf_puts(&c->field, ".")) ||
        doc_field_add_key(&c->field, k))
        return ERR_NOMEM;
    if (strlen(k) != len) {
        fail_at(c, &e->start_mark, "a key holds a NUL character");
        return ERR_INVALID;
    }
    for (i = 0; i < f->n; i++)
        if (strcmp(f->keys[i], k) == 0) {
            fail_at(c, &e->start_mark, "duplicate key \"%.40s\" (first at "
                                       "line %d, column %d); expected each "
                                       "key at most once",
                    k, f->key_line[i], f->key_col[i]);
            return ERR_INVALID;
        }
    nk = realloc(f->keys, (f->n + 1) * sizeof(*nk));
    if (nk)
        f->keys = nk;
    nl = realloc(f->key_line, (f->n + 1) * sizeof(*nl));
    if (nl)
        f->key_line = nl;
    nc = realloc(f->key_col, (f->n + 1) * sizeof(*nc));
    if (nc)
        f->key_col = nc;
    if (!nk || !nl || !nc || !(f->keys[f->n] = strdup(k)))
        return ERR_NOMEM;
    f->key_line[f->n] = (int)e->start_mark.line + 1;
    f->key_col[f->n] = (int)e->start_mark.column + 1;
    if ((f->n && buf_append(&c->json, ",", 1)) ||
        new_line(c, &e->start_mark) ||
        jsonscan_put_string(&c->json, k, len) ||
        buf_append(&c->json, ":", 1))
        return ERR_NOMEM;
    f->n++;
    f->want_key = false;
    return 0;
}

static int on_scalar(struct conv *c, const yaml_event_t *e)
{
    const char *v = (const char *)e->data.scalar.value;
    size_t len = e->data.scalar.length;
    bool str;
    int r;

    if (c->depth && c->stack[c->depth - 1].map &&
        c->stack[c->depth - 1].want_key) {
        if (e->data.scalar.tag &&
            (r = check_tag(c, e, (const char *)e->data.scalar.tag, &str)))
            return r;
        return put_key(c, e);
    }
    if ((r = check_tag(c, e, (const char *)e->data.scalar.tag, &str)) ||
        (r = before_value(c)) || (r = new_line(c, &e->start_mark)))
        return r;
    if (str || e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        r = jsonscan_put_string(&c->json, v, len);
    else if (strlen(v) != len)
        r = jsonscan_put_string(&c->json, v, len);
    else
        r = put_plain(c, v, len, &e->start_mark);
    if (r == ERR_INVALID && !c->err)
        fail_at(c, &e->start_mark, "value too large");
    after_value(c);
    return r;
}

static int on_start(struct conv *c, const yaml_event_t *e, bool map)
{
    const char *tag = (const char *)(map ? e->data.mapping_start.tag
                                         : e->data.sequence_start.tag);
    struct frame *f;
    bool str;
    int r;

    if (c->depth && c->stack[c->depth - 1].map &&
        c->stack[c->depth - 1].want_key) {
        fail_at(c, &e->start_mark, "a mapping key must be a scalar");
        return ERR_INVALID;
    }
    if (tag && (r = check_tag(c, e, tag, &str)))
        return r;
    if (c->depth == YAML_MAX_DEPTH) {
        fail_at(c, &e->start_mark, "nested more than %u levels deep",
                YAML_MAX_DEPTH);
        return ERR_INVALID;
    }
    if ((r = before_value(c)) || (r = new_line(c, &e->start_mark)) ||
        (r = buf_append(&c->json, map ? "{" : "[", 1)))
        return r;
    f = &c->stack[c->depth++];
    memset(f, 0, sizeof(*f));
    f->map = map;
    f->want_key = map;
    f->field_len = c->field.len;
    return 0;
}

static void frame_clear(struct frame *f)
{
    size_t i;

    for (i = 0; f->map && i < f->n; i++)
        free(f->keys[i]);
    free(f->keys);
    free(f->key_line);
    free(f->key_col);
    memset(f, 0, sizeof(*f));
}

static int on_end(struct conv *c, const yaml_event_t *e)
{
    struct frame *f = &c->stack[--c->depth];
    bool map = f->map;

    doc_buf_truncate(&c->field, f->field_len);
    frame_clear(f);
    if (new_line(c, &e->start_mark) ||
        buf_append(&c->json, map ? "}" : "]", 1))
        return ERR_NOMEM;
    after_value(c);
    return 0;
}

static int on_event(struct conv *c, const yaml_event_t *e)
{
    switch (e->type) {
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
    case YAML_DOCUMENT_END_EVENT:
        return 0;
    case YAML_DOCUMENT_START_EVENT:
        if (++c->docs > 1) {
            fail_at(c, &e->start_mark, "a second YAML document; give one "
                                       "document per file");
            return ERR_INVALID;
        }
        return 0;
    case YAML_ALIAS_EVENT:
        fail_at(c, &e->start_mark, "aliases (*%.40s) are not supported; "
                                   "write the value out",
                (const char *)e->data.alias.anchor);
        return ERR_INVALID;
    case YAML_SCALAR_EVENT:
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT: {
        const yaml_char_t *anchor =
            e->type == YAML_SCALAR_EVENT ? e->data.scalar.anchor
            : e->type == YAML_MAPPING_START_EVENT
                ? e->data.mapping_start.anchor
                : e->data.sequence_start.anchor;

        if (anchor) {
            fail_at(c, &e->start_mark, "anchors (&%.40s) are not "
                                       "supported; write the value out",
                    (const char *)anchor);
            return ERR_INVALID;
        }
        if (e->type == YAML_SCALAR_EVENT)
            return on_scalar(c, e);
        return on_start(c, e, e->type == YAML_MAPPING_START_EVENT);
    }
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        return on_end(c, e);
    default:
        return 0;
    }
}

/* libyaml's own error, at its position, never quoting the text. */
static void parser_error(struct conv *c)
{
    const yaml_parser_t *p = &c->p;
    yaml_mark_t m = p->problem_mark;

    if (p->error == YAML_MEMORY_ERROR) {
        c->err = ERR_NOMEM;
        return;
    }
    if (p->error == YAML_READER_ERROR) {
        m.line = 0;
        m.column = 0;
    }
    doc_buf_truncate(&c->field, 0);
    fail_at(c, &m, "invalid YAML: %s%s%s",
            p->problem ? p->problem : "syntax error",
            p->context ? " " : "", p->context ? p->context : "");
}

int model_yaml_to_json(char **json_out, size_t *json_len,
                       struct jsonpos_loc **map_out, size_t *n_map,
                       const char *text, size_t len, const char *file,
                       struct model_diags *diags)
{
    struct conv c;
    yaml_event_t e;
    bool done = false;
    int r = 0;

    memset(&c, 0, sizeof(c));
    c.file = file;
    c.diags = diags;
    buf_init(&c.json, YAML_MAX_JSON);
    if (!yaml_parser_initialize(&c.p))
        return ERR_NOMEM;
    yaml_parser_set_input_string(&c.p, (const unsigned char *)text, len);
    while (!done && r == 0) {
        if (!yaml_parser_parse(&c.p, &e)) {
            parser_error(&c);
            r = c.err;
            break;
        }
        done = e.type == YAML_STREAM_END_EVENT;
        r = on_event(&c, &e);
        if (r && !c.err)
            c.err = r;
        r = c.err;
        yaml_event_delete(&e);
    }
    if (r == 0 && c.n_map == 0) {
        yaml_mark_t m = {0, 0, 0};

        fail_at(&c, &m, "the document is empty; expected a YAML mapping");
        r = c.err;
    }
    while (c.depth)
        frame_clear(&c.stack[--c.depth]);
    yaml_parser_delete(&c.p);
    free(c.field.p);
    if (r) {
        buf_free(&c.json);
        free(c.map);
        return r == ERR_NOMEM ? r : ERR_INVALID;
    }
    *json_len = c.json.len;
    *json_out = buf_detach(&c.json);
    *map_out = c.map;
    *n_map = c.n_map;
    return *json_out ? 0 : ERR_NOMEM;
}

int model_service_parse_yaml(struct model_service **out, const char *text,
                             size_t len, const char *file,
                             struct model_diags *diags)
{
    struct jsonpos_loc *map = NULL;
    char *json = NULL;
    size_t json_len = 0, n = 0;
    int r;

    r = model_yaml_to_json(&json, &json_len, &map, &n, text, len, file,
                           diags);
    if (r)
        return r;
    r = model_service_parse_mapped(out, json, json_len, file, diags, map, n);
    free(json);
    free(map);
    return r;
}
