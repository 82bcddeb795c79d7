#include "model/desired.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/jsonpos.h"
#include "model/validate.h"

/*
 * Desired-state documents: parsing, defaults and offline validation
 * (docs/manifest.md).  jansson decodes the text; model/jsonpos.c indexes the
 * same text so that every problem carries file:line:col.  Validation goes
 * on after a problem so that one run reports them all (up to
 * MODEL_MAX_DIAGS per document).
 */

#define MODEL_MAX_DOC 1048576u        /* bytes per document (1 MiB) */
#define MODEL_MAX_DIAGS 100u          /* diagnostics per document */
#define MODEL_MAX_LIST 100u           /* groups or permissions */
#define MODEL_MAX_DEPTH 16u           /* of the path being validated */
#define MODEL_SHOW_MAX 64u            /* bytes of a value or key shown */

static const char *const strategies[] = {"serial", "parallel", NULL};
static const char *const actions[] = {"create", "read",   "update",
                                      "delete", "full",   NULL};
static const char *const healths[] = {"green", "yellow", "red", NULL};
static const char *const key_lost[] = {"rotate", "fail", NULL};

/* Top-level keys that only an envelope has (see looks_like_envelope). */
static const char *const envelope_only[] = {"kind",   "package", "options",
                                            "access", "verify",  "policies",
                                            NULL};

/* A growable C string. */
struct sbuf {
    char *p;
    size_t len;
    size_t cap;
};

static int sbuf_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        char *p;

        while (cap < b->len + n + 1)
            cap *= 2;
        p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static int sbuf_puts(struct sbuf *b, const char *s)
{
    return sbuf_add(b, s, strlen(s));
}

static void sbuf_truncate(struct sbuf *b, size_t len)
{
    b->len = len;
    if (b->p)
        b->p[len] = '\0';
}

/*
 * Where validation is: the JSON pointer (to find positions) and the dotted
 * field shown to people ("options.service.name", "access.groups[1]").
 */
struct path {
    struct sbuf ptr;
    struct sbuf field;
    size_t ptr_len[MODEL_MAX_DEPTH];
    size_t field_len[MODEL_MAX_DEPTH];
    size_t depth;
};

struct ctx {
    const char *file;
    struct jsonpos *ix; /* NULL when the text could not be indexed */
    struct model_diags *diags;
    size_t first;       /* index of this document's first diag */
    size_t count;       /* diags added for this document */
    int nomem;
    struct path path;
};

enum where {
    AT_VALUE, /* the value at the path (or its nearest enclosing value) */
    AT_KEY    /* the member's key (falls back to AT_VALUE) */
};

/* Append @key to the field shown to people: controls escaped, truncated. */
static int field_add_key(struct sbuf *f, const char *key)
{
    size_t i, shown = 0;
    char esc[8];

    for (i = 0; key[i]; i++) {
        unsigned char ch = (unsigned char)key[i];

        /* Stop on a character boundary once enough has been shown. */
        if (shown >= MODEL_SHOW_MAX && (ch & 0xC0) != 0x80)
            return sbuf_puts(f, "...");
        if (ch < 0x20 || ch == 0x7F) {
            snprintf(esc, sizeof(esc), "\\u%04x", ch);
            if (sbuf_puts(f, esc))
                return -1;
        } else if (sbuf_add(f, key + i, 1)) {
            return -1;
        }
        shown++;
    }
    return 0;
}

static int path_push_raw(struct ctx *c, const char *key, size_t index,
                         int is_index)
{
    struct path *p = &c->path;
    char num[32];
    const char *k;

    /* Validation never goes deeper than a few levels. */
    assert(p->depth < MODEL_MAX_DEPTH);
    p->ptr_len[p->depth] = p->ptr.len;
    p->field_len[p->depth] = p->field.len;
    p->depth++;
    if (c->nomem)
        return -1;
    if (sbuf_puts(&p->ptr, "/"))
        goto nomem;
    if (is_index) {
        snprintf(num, sizeof(num), "%zu", index);
        if (sbuf_puts(&p->ptr, num))
            goto nomem;
        snprintf(num, sizeof(num), "[%zu]", index);
        if (sbuf_puts(&p->field, num))
            goto nomem;
        return 0;
    }
    for (k = key; *k; k++) {
        const char *e = *k == '~' ? "~0" : *k == '/' ? "~1" : NULL;

        if (e ? sbuf_puts(&p->ptr, e) : sbuf_add(&p->ptr, k, 1))
            goto nomem;
    }
    if (p->field.len && sbuf_puts(&p->field, "."))
        goto nomem;
    if (field_add_key(&p->field, key))
        goto nomem;
    return 0;
nomem:
    c->nomem = 1;
    return -1;
}

static void push(struct ctx *c, const char *key)
{
    path_push_raw(c, key, 0, 0);
}

static void push_index(struct ctx *c, size_t i)
{
    path_push_raw(c, NULL, i, 1);
}

static void pop(struct ctx *c)
{
    struct path *p = &c->path;

    p->depth--;
    sbuf_truncate(&p->ptr, p->ptr_len[p->depth]);
    sbuf_truncate(&p->field, p->field_len[p->depth]);
}

/*
 * Position of @ptr: the value (or key) there, else the nearest enclosing
 * value that exists.  Line 0 when the text has no index.
 */
static void locate(const struct ctx *c, const char *ptr, enum where w,
                   int *line, int *column)
{
    struct jsonpos_loc v, k;
    char *tmp;
    size_t n;

    *line = 0;
    *column = 0;
    if (!c->ix)
        return;
    if (jsonpos_find(c->ix, ptr, &v, &k, NULL) == 0) {
        if (w == AT_KEY && k.line) {
            *line = k.line;
            *column = k.column;
        } else {
            *line = v.line;
            *column = v.column;
        }
        return;
    }
    tmp = strdup(ptr);
    if (!tmp)
        return;
    for (n = strlen(tmp); n > 0;) {
        while (n > 0 && tmp[n - 1] != '/')
            n--;
        if (n == 0)
            break;
        tmp[--n] = '\0';
        if (jsonpos_find(c->ix, tmp, &v, NULL, NULL) == 0) {
            *line = v.line;
            *column = v.column;
            free(tmp);
            return;
        }
    }
    free(tmp);
    if (jsonpos_find(c->ix, "", &v, NULL, NULL) == 0) {
        *line = v.line;
        *column = v.column;
    }
}

static char *vformat(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

static char *vformat(const char *fmt, va_list ap)
{
    va_list aq;
    char *s;
    int n;

    va_copy(aq, ap);
    n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0)
        return NULL;
    s = malloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

/* Append one diag (all strings copied).  0 or ERR_NOMEM. */
static int diags_push(struct model_diags *d, const char *file, int line,
                      int column, const char *field, const char *message)
{
    struct model_diag *items, *dg;

    items = realloc(d->items, (d->n + 1) * sizeof(*items));
    if (!items)
        return ERR_NOMEM;
    d->items = items;
    dg = &items[d->n];
    dg->file = strdup(file);
    dg->field = strdup(field);
    dg->message = strdup(message);
    dg->line = line;
    dg->column = column;
    if (!dg->file || !dg->field || !dg->message) {
        free(dg->file);
        free(dg->field);
        free(dg->message);
        return ERR_NOMEM;
    }
    d->n++;
    return 0;
}

static void vdiag_at(struct ctx *c, int line, int column, const char *field,
                     const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

static void vdiag_at(struct ctx *c, int line, int column, const char *field,
                     const char *fmt, va_list ap)
{
    char *msg;

    if (c->nomem || c->count > MODEL_MAX_DIAGS)
        return;
    if (c->count == MODEL_MAX_DIAGS) {
        c->count++;
        if (diags_push(c->diags, c->file, line, column, "(root)",
                       "too many problems; stopped reporting after 100"))
            c->nomem = 1;
        return;
    }
    msg = vformat(fmt, ap);
    if (!msg) {
        c->nomem = 1;
        return;
    }
    if (diags_push(c->diags, c->file, line, column, field, msg))
        c->nomem = 1;
    else
        c->count++;
    free(msg);
}

static void diag_at(struct ctx *c, int line, int column, const char *field,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void diag_at(struct ctx *c, int line, int column, const char *field,
                    const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vdiag_at(c, line, column, field, fmt, ap);
    va_end(ap);
}

/* Diagnose the current path. */
static void diag(struct ctx *c, enum where w, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void diag(struct ctx *c, enum where w, const char *fmt, ...)
{
    int line, column;
    va_list ap;

    /* Past the cap nothing is recorded: skip the position lookup. */
    if (c->nomem || c->count > MODEL_MAX_DIAGS)
        return;
    locate(c, c->path.ptr.p ? c->path.ptr.p : "", w, &line, &column);
    va_start(ap, fmt);
    vdiag_at(c, line, column, c->path.field.len ? c->path.field.p : "(root)",
             fmt, ap);
    va_end(ap);
}

/* "a string", "an object", ... */
static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

/*
 * The value as shown after "got": compact JSON, at most MODEL_SHOW_MAX
 * bytes (cut on a character boundary).  Never used on password fields.
 * New string, or NULL on ENOMEM.
 */
static char *show(const json_t *v)
{
    char *s;
    size_t n;

    if (json_is_object(v) || json_is_array(v))
        return strdup(type_name(v));
    s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!s)
        return NULL;
    n = strlen(s);
    if (n > MODEL_SHOW_MAX) {
        char *t;

        n = MODEL_SHOW_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        t = realloc(s, n + 4);
        if (!t) {
            free(s);
            return NULL;
        }
        s = t;
        memcpy(s + n, "...", 4);
    }
    return s;
}

/* Diagnose a value that has the right type but not an accepted form. */
static void diag_value(struct ctx *c, const char *expected, const json_t *v)
{
    char *got = show(v);

    if (!got) {
        c->nomem = 1;
        return;
    }
    diag(c, AT_VALUE, "%s, got %s", expected, got);
    free(got);
}

static void diag_type(struct ctx *c, const char *expected, const json_t *v)
{
    diag(c, AT_VALUE, "expected %s, got %s", expected, type_name(v));
}

/* "one of "a", "b"" for an enum list (static buffer-free, new string). */
static void diag_enum(struct ctx *c, const char *const *allowed,
                      const json_t *v)
{
    struct sbuf b = {0};
    size_t i;
    int bad = 0;

    bad |= sbuf_puts(&b, "expected one of ");
    for (i = 0; allowed[i]; i++) {
        bad |= sbuf_puts(&b, i ? ", \"" : "\"");
        bad |= sbuf_puts(&b, allowed[i]);
        bad |= sbuf_puts(&b, "\"");
    }
    if (bad)
        c->nomem = 1;
    else
        diag_value(c, b.p, v);
    free(b.p);
}

static void diag_unknown_keys(struct ctx *c, json_t *obj,
                              const char *const *keys)
{
    const char *key;
    json_t *v;

    json_object_foreach(obj, key, v) {
        struct sbuf b = {0};
        size_t i;
        int bad = 0;

        (void)v;
        if (model_key_in(keys, key))
            continue;
        bad |= sbuf_puts(&b, "unknown key; expected one of ");
        for (i = 0; keys[i]; i++) {
            bad |= sbuf_puts(&b, i ? ", " : "");
            bad |= sbuf_puts(&b, keys[i]);
        }
        push(c, key);
        if (bad)
            c->nomem = 1;
        else
            diag(c, AT_KEY, "%s", b.p);
        pop(c);
        free(b.p);
    }
}

typedef const char *(*check_fn)(const char *s);

/*
 * Member @key of @obj as a string.  Returns 1 and sets *@out (borrowed)
 * when present and acceptable to @check (may be NULL), 0 when absent, -1
 * after a diagnostic.  Empty strings are accepted only with @empty_ok.
 */
static int get_string(struct ctx *c, json_t *obj, const char *key,
                      check_fn check, int empty_ok, const char **out)
{
    json_t *v = json_object_get(obj, key);
    const char *s, *why;
    int r = 1;

    if (!v)
        return 0;
    push(c, key);
    if (!json_is_string(v)) {
        diag_type(c, "a string", v);
        r = -1;
        goto out;
    }
    s = json_string_value(v);
    if (!*s && empty_ok) {
        *out = s;
        goto out;
    }
    why = !*s ? "expected a non-empty string" : check ? check(s) : NULL;
    if (why) {
        diag_value(c, why, v);
        r = -1;
        goto out;
    }
    *out = s;
out:
    pop(c);
    return r;
}

static int get_enum(struct ctx *c, json_t *obj, const char *key,
                    const char *const *allowed, const char **out)
{
    json_t *v = json_object_get(obj, key);
    int r = -1;

    if (!v)
        return 0;
    push(c, key);
    if (!json_is_string(v)) {
        diag_type(c, "a string", v);
    } else if (!model_key_in(allowed, json_string_value(v))) {
        diag_enum(c, allowed, v);
    } else {
        *out = json_string_value(v);
        r = 1;
    }
    pop(c);
    return r;
}

static int get_bool(struct ctx *c, json_t *obj, const char *key, bool *out)
{
    json_t *v = json_object_get(obj, key);

    if (!v)
        return 0;
    if (!json_is_boolean(v)) {
        push(c, key);
        diag_type(c, "a boolean", v);
        pop(c);
        return -1;
    }
    *out = json_is_true(v);
    return 1;
}

/* Member @key as an object: 1 (and *@out, borrowed), 0 absent, -1. */
static int get_object(struct ctx *c, json_t *obj, const char *key,
                      json_t **out)
{
    json_t *v = json_object_get(obj, key);

    if (!v)
        return 0;
    if (!json_is_object(v)) {
        push(c, key);
        diag_type(c, "an object", v);
        pop(c);
        return -1;
    }
    *out = v;
    return 1;
}

static int set_str(struct ctx *c, char **dst, const char *s)
{
    char *d = strdup(s);

    if (!d) {
        c->nomem = 1;
        return -1;
    }
    free(*dst);
    *dst = d;
    return 0;
}

/* Line of the value at the current path + @key (0 when unknown). */
static int line_of(struct ctx *c, const char *key)
{
    int line = 0, column;

    push(c, key);
    if (!c->nomem)
        locate(c, c->path.ptr.p, AT_VALUE, &line, &column);
    pop(c);
    return line;
}

/* 1 when member @key of @obj (may be NULL) is absent or "". */
static int unset(json_t *obj, const char *key)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;

    return !v || (json_is_string(v) && !*json_string_value(v));
}

/*
 * Diagnose member @key of @obj (may be NULL) as required:
 * "[missing: ]expected @what (@why)".
 */
static void diag_required(struct ctx *c, json_t *obj, const char *key,
                          const char *what, const char *why)
{
    push(c, key);
    diag(c, AT_VALUE, "%sexpected %s (%s)",
         obj && json_object_get(obj, key) ? "" : "missing: ", what, why);
    pop(c);
}

/*
 * The package options (the whole options form, or the envelope's
 * `options`), at the current path.  Fills what they say into @svc.
 */
static void parse_options(struct ctx *c, json_t *opts,
                          struct model_service *svc)
{
    json_t *service = NULL, *es = NULL, *sec = NULL, *te = NULL;
    const char *s;
    char tls_why[96];
    int tls_line = 0, has_service;

    has_service = get_object(c, opts, "service", &service) == 1;
    if (has_service) {
        push(c, "service");
        if (get_string(c, service, "name", model_check_service_name, 0,
                       &s) == 1)
            set_str(c, &svc->name, s[0] == '/' ? s + 1 : s);
        if (!c->nomem) {
            push(c, "name");
            if (!c->nomem)
                locate(c, c->path.ptr.p, AT_VALUE, &svc->name_line,
                       &svc->name_column);
            pop(c);
        }
        if (get_string(c, service, "service_account", model_check_uid,
                       1, &s) == 1)
            set_str(c, &svc->account, s);
        if (get_string(c, service, "service_account_secret",
                       model_check_secret_path, 1, &s) == 1)
            set_str(c, &svc->secret_path, s);
        if (get_enum(c, service, "update_strategy", strategies, &s) == 1)
            set_str(c, &svc->update_strategy, s);
        get_enum(c, service, "deploy_strategy", strategies, &s);
        if (get_object(c, service, "security", &sec) == 1) {
            push(c, "security");
            if (get_object(c, sec, "transport_encryption", &te) == 1) {
                push(c, "transport_encryption");
                if (get_bool(c, te, "enabled", &svc->tls) == 1 && svc->tls)
                    tls_line = line_of(c, "enabled");
                pop(c);
            }
            pop(c);
        }
        pop(c);
    } else if (!c->nomem) {
        locate(c, c->path.ptr.p ? c->path.ptr.p : "", AT_VALUE,
               &svc->name_line, &svc->name_column);
    }
    if (get_object(c, opts, "elasticsearch", &es) == 1) {
        push(c, "elasticsearch");
        get_bool(c, es, "xpack_enabled", &svc->xpack);
        get_string(c, es, "health_user", model_check_basic_user, 0, &s);
        /* A password: type-checked only, never shown. */
        if (json_object_get(es, "health_user_password") &&
            !json_is_string(json_object_get(es, "health_user_password"))) {
            push(c, "health_user_password");
            diag_type(c, "a string",
                      json_object_get(es, "health_user_password"));
            pop(c);
        }
        pop(c);
    }

    /*
     * Semantic rules (docs/manifest.md "Validation").  A member that is
     * present but invalid counts as set: it has its own diagnostic.
     */
    snprintf(tls_why, sizeof(tls_why),
             "required because transport encryption is enabled at line %d",
             tls_line);
    push(c, "service");
    if (svc->tls) {
        if (unset(service, "service_account"))
            diag_required(c, service, "service_account",
                          "a non-empty service account uid", tls_why);
        if (unset(service, "service_account_secret"))
            diag_required(c, service, "service_account_secret",
                          "a non-empty secret path", tls_why);
    } else if (unset(service, "service_account") &&
               !unset(service, "service_account_secret")) {
        diag_required(c, service, "service_account",
                      "a non-empty service account uid",
                      "required because service_account_secret is set");
    } else if (!unset(service, "service_account") &&
               unset(service, "service_account_secret")) {
        diag_required(c, service, "service_account_secret",
                      "a non-empty secret path",
                      "etls keeps the service account's private key there");
    }
    pop(c);
    if (svc->tls && !svc->xpack) {
        json_t *x = es ? json_object_get(es, "xpack_enabled") : NULL;

        /* A wrong type has been reported already. */
        if (!x || json_is_boolean(x)) {
            snprintf(tls_why, sizeof(tls_why),
                     "X-Pack is required because transport encryption is "
                     "enabled at line %d",
                     tls_line);
            push(c, "elasticsearch");
            diag_required(c, es, "xpack_enabled", "true", tls_why);
            pop(c);
        }
    }
}

static int add_group(struct ctx *c, struct model_service *svc, const char *g)
{
    char **n = realloc(svc->groups, (svc->n_groups + 1) * sizeof(*n));

    if (!n) {
        c->nomem = 1;
        return -1;
    }
    svc->groups = n;
    n[svc->n_groups] = strdup(g);
    if (!n[svc->n_groups]) {
        c->nomem = 1;
        return -1;
    }
    svc->n_groups++;
    return 0;
}

static int add_permission(struct ctx *c, struct model_service *svc,
                          const char *rid, const char *action)
{
    struct model_permission *n;

    n = realloc(svc->permissions, (svc->n_permissions + 1) * sizeof(*n));
    if (!n) {
        c->nomem = 1;
        return -1;
    }
    svc->permissions = n;
    n[svc->n_permissions].rid = strdup(rid);
    n[svc->n_permissions].action = strdup(action);
    if (!n[svc->n_permissions].rid || !n[svc->n_permissions].action) {
        free(n[svc->n_permissions].rid);
        free(n[svc->n_permissions].action);
        c->nomem = 1;
        return -1;
    }
    svc->n_permissions++;
    return 0;
}

static void parse_groups(struct ctx *c, json_t *arr,
                         struct model_service *svc)
{
    size_t i, j;
    json_t *v;

    push(c, "groups");
    if (!json_is_array(arr)) {
        diag_type(c, "an array of group ids", arr);
        goto out;
    }
    if (json_array_size(arr) == 0) {
        diag(c, AT_VALUE,
             "expected at least one group id (omit `access` for the "
             "default [\"superusers\"])");
        goto out;
    }
    if (json_array_size(arr) > MODEL_MAX_LIST) {
        diag(c, AT_VALUE, "expected at most %u groups, got %zu",
             MODEL_MAX_LIST, json_array_size(arr));
        goto out;
    }
    json_array_foreach(arr, i, v) {
        const char *why;

        push_index(c, i);
        if (!json_is_string(v)) {
            diag_type(c, "a string", v);
        } else if ((why = model_check_gid(json_string_value(v)))) {
            diag_value(c, why, v);
        } else {
            for (j = 0; j < i; j++) {
                if (json_equal(json_array_get(arr, j), v))
                    break;
            }
            if (j < i)
                diag(c, AT_VALUE, "duplicate group \"%s\" (also at "
                     "index %zu); expected each group once",
                     json_string_value(v), j);
            else
                add_group(c, svc, json_string_value(v));
        }
        pop(c);
    }
out:
    pop(c);
}

static void parse_permissions(struct ctx *c, json_t *perms,
                              struct model_service *svc, int *builtin)
{
    size_t i, j;
    json_t *v;

    push(c, "permissions");
    if (json_is_string(perms)) {
        if (strcmp(json_string_value(perms), "transport-encryption") == 0)
            *builtin = 1;
        else
            diag_value(c,
                       "expected \"transport-encryption\" or an array of "
                       "{\"rid\", \"action\"} objects",
                       perms);
        goto out;
    }
    if (!json_is_array(perms)) {
        diag_type(c,
                  "\"transport-encryption\" or an array of "
                  "{\"rid\", \"action\"} objects",
                  perms);
        goto out;
    }
    if (json_array_size(perms) == 0) {
        diag(c, AT_VALUE,
             "expected at least one permission (omit `access` for the "
             "default [\"superusers\"])");
        goto out;
    }
    if (json_array_size(perms) > MODEL_MAX_LIST) {
        diag(c, AT_VALUE, "expected at most %u permissions, got %zu",
             MODEL_MAX_LIST, json_array_size(perms));
        goto out;
    }
    json_array_foreach(perms, i, v) {
        const char *rid = NULL, *action = NULL;
        int ok = 1;

        push_index(c, i);
        if (!json_is_object(v)) {
            diag_type(c, "an object {\"rid\", \"action\"}", v);
            pop(c);
            continue;
        }
        diag_unknown_keys(c, v, model_envelope_keys("permission"));
        if (get_string(c, v, "rid", model_check_rid, 0, &rid) == 0) {
            push(c, "rid");
            diag(c, AT_VALUE, "missing: expected a resource id such as "
                 "\"dcos:adminrouter:ops:ca:rw\"");
            pop(c);
        }
        if (get_enum(c, v, "action", actions, &action) == 0) {
            push(c, "action");
            diag(c, AT_VALUE, "missing: expected one of \"create\", "
                 "\"read\", \"update\", \"delete\", \"full\"");
            pop(c);
        }
        ok = rid && action;
        for (j = 0; ok && j < svc->n_permissions; j++) {
            if (strcmp(svc->permissions[j].rid, rid) == 0 &&
                strcmp(svc->permissions[j].action, action) == 0) {
                diag(c, AT_VALUE, "duplicate permission %s %s; expected "
                     "each rid/action pair once", rid, action);
                ok = 0;
            }
        }
        if (ok)
            add_permission(c, svc, rid, action);
        pop(c);
    }
out:
    pop(c);
}

static void parse_access(struct ctx *c, json_t *access,
                         struct model_service *svc, int *builtin,
                         int *explicit_access)
{
    json_t *groups, *perms;

    push(c, "access");
    diag_unknown_keys(c, access, model_envelope_keys("access"));
    groups = json_object_get(access, "groups");
    perms = json_object_get(access, "permissions");
    if (groups && perms) {
        push(c, "permissions");
        diag(c, AT_KEY, "expected either groups or permissions, not both");
        pop(c);
    } else if (groups) {
        parse_groups(c, groups, svc);
        *explicit_access = 1;
    } else if (perms) {
        parse_permissions(c, perms, svc, builtin);
        *explicit_access = 1;
    }
    if (*explicit_access && !*svc->account)
        diag(c, AT_VALUE, "expected no access section while "
             "options.service.service_account is empty (access is granted "
             "to that account)");
    pop(c);
}

static void parse_password(struct ctx *c, json_t *pw,
                           struct model_service *svc)
{
    static const struct {
        const char *key;
        enum model_password_source src;
        check_fn check;
    } kinds[] = {{"env", MODEL_PW_ENV, model_check_env_name},
                 {"file", MODEL_PW_FILE, NULL},
                 {"secret", MODEL_PW_SECRET, model_check_secret_path}};
    size_t i, n = 0;

    push(c, "password");
    if (json_is_string(pw)) {
        /* Never echo the value. */
        diag(c, AT_VALUE,
             "a password is never accepted inline; expected "
             "{\"env\": \"VARIABLE\"}, {\"file\": \"/absolute/path\"} or "
             "{\"secret\": \"secret/path\"}");
        goto out;
    }
    if (!json_is_object(pw)) {
        diag_type(c,
                  "an object {\"env\": ...}, {\"file\": ...} or "
                  "{\"secret\": ...}",
                  pw);
        goto out;
    }
    diag_unknown_keys(c, pw, model_envelope_keys("password"));
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        const char *s = NULL;

        if (!json_object_get(pw, kinds[i].key))
            continue;
        n++;
        if (get_string(c, pw, kinds[i].key, kinds[i].check, 0, &s) != 1)
            continue;
        if (kinds[i].src == MODEL_PW_FILE && s[0] != '/') {
            push(c, "file");
            diag_value(c, "expected an absolute file path",
                       json_object_get(pw, "file"));
            pop(c);
            continue;
        }
        svc->verify_password_source = kinds[i].src;
        set_str(c, &svc->verify_password_ref, s);
    }
    if (n != 1)
        diag(c, AT_VALUE, "expected exactly one of env, file, secret; got "
             "%zu", n);
out:
    pop(c);
}

static void parse_verify(struct ctx *c, json_t *verify,
                         struct model_service *svc)
{
    const char *s;
    json_t *pw;

    push(c, "verify");
    diag_unknown_keys(c, verify, model_envelope_keys("verify"));
    get_bool(c, verify, "enabled", &svc->verify);
    if (get_string(c, verify, "endpoint", model_check_endpoint, 0, &s) == 1)
        set_str(c, &svc->verify_endpoint, s);
    if (get_string(c, verify, "user", model_check_basic_user, 0, &s) == 1)
        set_str(c, &svc->verify_user, s);
    if ((pw = json_object_get(verify, "password")))
        parse_password(c, pw, svc);
    if (get_enum(c, verify, "health", healths, &s) == 1)
        set_str(c, &svc->verify_health, s);
    pop(c);
}

static void parse_policies(struct ctx *c, json_t *pol,
                           struct model_service *svc)
{
    const char *s;

    push(c, "policies");
    diag_unknown_keys(c, pol, model_envelope_keys("policies"));
    if (get_enum(c, pol, "keyLost", key_lost, &s) == 1)
        svc->key_lost = strcmp(s, "fail") == 0 ? MODEL_KEY_LOST_FAIL
                                               : MODEL_KEY_LOST_ROTATE;
    get_bool(c, pol, "restoreUpdateStrategy", &svc->restore_update_strategy);
    pop(c);
}

/* The etls/v1 envelope. */
static void parse_envelope(struct ctx *c, json_t *root,
                           struct model_service *svc)
{
    json_t *options = NULL, *obj = NULL;
    int builtin = 0, explicit_access = 0, r;
    const char *s;

    svc->envelope = true;
    diag_unknown_keys(c, root, model_envelope_keys(""));
    push(c, "apiVersion");
    {
        json_t *v = json_object_get(root, "apiVersion");

        /* Present: that is how the envelope was recognised. */
        if (!json_is_string(v))
            diag_type(c, "the string \"etls/v1\"", v);
        else if (strcmp(json_string_value(v), "etls/v1") != 0)
            diag_value(c, "expected \"etls/v1\"", v);
    }
    pop(c);
    if (json_object_get(root, "kind")) {
        json_t *v = json_object_get(root, "kind");

        push(c, "kind");
        if (!json_is_string(v))
            diag_type(c, "the string \"ElasticTLS\"", v);
        else if (strcmp(json_string_value(v), "ElasticTLS") != 0)
            diag_value(c, "expected \"ElasticTLS\"", v);
        pop(c);
    }
    if (get_object(c, root, "package", &obj) == 1) {
        push(c, "package");
        diag_unknown_keys(c, obj, model_envelope_keys("package"));
        if (get_string(c, obj, "name", model_check_package_name, 0, &s) == 1)
            set_str(c, &svc->package_name, s);
        if (get_string(c, obj, "version", model_check_package_version, 0,
                       &s) == 1)
            set_str(c, &svc->package_version, s);
        pop(c);
    }
    r = get_object(c, root, "options", &options);
    if (r == 0) {
        push(c, "options");
        diag(c, AT_VALUE, "missing: expected the package options object "
             "(as given to `dcos package install --options`)");
        pop(c);
    } else if (r == 1) {
        json_incref(options);
        svc->options = options;
        push(c, "options");
        parse_options(c, options, svc);
        pop(c);
    }
    if (get_object(c, root, "access", &obj) == 1)
        parse_access(c, obj, svc, &builtin, &explicit_access);
    if (builtin && !c->count && !c->nomem) {
        struct model_permission *p = NULL;
        size_t n = 0;

        if (model_tls_permissions(&p, &n, svc->name)) {
            c->nomem = 1;
        } else {
            svc->permissions = p;
            svc->n_permissions = n;
        }
    }
    if (get_object(c, root, "verify", &obj) == 1)
        parse_verify(c, obj, svc);
    if (get_object(c, root, "policies", &obj) == 1)
        parse_policies(c, obj, svc);
}

/* An options form holding envelope members is a forgotten apiVersion. */
static void looks_like_envelope(struct ctx *c, json_t *root)
{
    size_t i;

    for (i = 0; envelope_only[i]; i++) {
        if (!json_object_get(root, envelope_only[i]))
            continue;
        push(c, envelope_only[i]);
        diag(c, AT_KEY,
             "not a beta-elastic package option; expected \"apiVersion\": "
             "\"etls/v1\" at the top level for an etls/v1 envelope");
        pop(c);
    }
}

static struct model_service *service_new(const char *file)
{
    struct model_service *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    s->source = strdup(file);
    s->name = strdup("elastic");
    s->package_name = strdup("beta-elastic");
    s->account = strdup("");
    s->secret_path = strdup("");
    s->update_strategy = strdup("serial");
    s->verify_endpoint = strdup("coordinator-http");
    s->verify_health = strdup("green");
    s->verify = true;
    s->verify_password_source = MODEL_PW_HEALTH_OPTIONS;
    s->key_lost = MODEL_KEY_LOST_ROTATE;
    s->restore_update_strategy = true;
    if (!s->source || !s->name || !s->package_name || !s->account ||
        !s->secret_path || !s->update_strategy || !s->verify_endpoint ||
        !s->verify_health) {
        model_service_free(s);
        return NULL;
    }
    return s;
}

/* Sort this document's diags by position (stable: insertion sort). */
static void sort_diags(struct model_diags *d, size_t first)
{
    size_t i, j;

    for (i = first + 1; i < d->n; i++) {
        struct model_diag t = d->items[i];

        for (j = i; j > first; j--) {
            const struct model_diag *p = &d->items[j - 1];

            if (p->line < t.line ||
                (p->line == t.line && p->column <= t.column))
                break;
            d->items[j] = d->items[j - 1];
        }
        d->items[j] = t;
    }
}

/* "invalid JSON: <jansson text>" without the echoed token. */
static void syntax_diag(struct ctx *c, const json_error_t *je)
{
    char text[sizeof(je->text)];
    char *near;
    size_t i;

    snprintf(text, sizeof(text), "%s", je->text);
    /* The token jansson quotes may be part of a password: drop it. */
    near = strstr(text, " near '");
    if (near)
        *near = '\0';
    for (i = 0; text[i]; i++) {
        if ((unsigned char)text[i] < 0x20)
            text[i] = ' ';
    }
    diag_at(c, je->line > 0 ? je->line : 1, je->column > 0 ? je->column : 1,
            "(root)", "invalid JSON: %s", text);
}

/* Dotted field for a JSON pointer of the (partial) index.  New string. */
static char *field_of_pointer(struct ctx *c, const char *ptr)
{
    struct sbuf f = {0}, prefix = {0};
    const char *p = ptr;
    char *seg;
    int bad = 0;

    seg = malloc(strlen(ptr) + 1);
    if (!seg)
        return NULL;
    bad |= sbuf_puts(&prefix, "");
    while (!bad && *p == '/') {
        enum jsonpos_type t = JSONPOS_OBJECT;
        const char *start = ++p;
        size_t n = 0;

        jsonpos_find(c->ix, prefix.p, NULL, NULL, &t);
        while (*p && *p != '/') {
            if (*p == '~' && (p[1] == '0' || p[1] == '1')) {
                seg[n++] = p[1] == '0' ? '~' : '/';
                p += 2;
            } else {
                seg[n++] = *p++;
            }
        }
        seg[n] = '\0';
        bad |= sbuf_puts(&prefix, "/");
        bad |= sbuf_add(&prefix, start, (size_t)(p - start));
        if (t == JSONPOS_ARRAY) {
            bad |= sbuf_puts(&f, "[");
            bad |= sbuf_puts(&f, seg);
            bad |= sbuf_puts(&f, "]");
        } else {
            if (f.len)
                bad |= sbuf_puts(&f, ".");
            bad |= field_add_key(&f, seg);
        }
    }
    free(seg);
    free(prefix.p);
    if (bad) {
        free(f.p);
        return NULL;
    }
    if (!f.p)
        return strdup("(root)");
    return f.p;
}

/* The last segment of @ptr, unescaped and shown as in fields. */
static int last_segment(struct sbuf *out, const char *ptr)
{
    const char *p = strrchr(ptr, '/') + 1;
    struct sbuf raw = {0};
    int r = sbuf_puts(&raw, "");

    for (; !r && *p; p++) {
        if (*p == '~' && (p[1] == '0' || p[1] == '1')) {
            r = sbuf_add(&raw, p[1] == '0' ? "~" : "/", 1);
            p++;
        } else {
            r = sbuf_add(&raw, p, 1);
        }
    }
    if (!r)
        r = sbuf_puts(out, "") || field_add_key(out, raw.p);
    free(raw.p);
    return r;
}

static void duplicate_diag(struct ctx *c, const char *text, size_t len,
                           const json_error_t *je)
{
    struct jsonpos_loc key, first;
    struct jsonpos *ix = NULL;
    char *ptr = NULL, *field = NULL;
    int r;

    r = jsonpos_index(&ix, text, len, JSONPOS_PARTIAL, NULL);
    if (r == ERR_NOMEM) {
        c->nomem = 1;
        return;
    }
    c->ix = ix;
    r = ix ? jsonpos_duplicate_at(ix, (size_t)je->position, &ptr, &key,
                                  &first)
           : ERR_NOTFOUND;
    if (r == ERR_NOMEM) {
        c->nomem = 1;
    } else if (r) {
        syntax_diag(c, je);
    } else {
        struct sbuf name = {0};

        field = field_of_pointer(c, ptr);
        if (!field || last_segment(&name, ptr)) {
            c->nomem = 1;
        } else {
            diag_at(c, key.line, key.column, field,
                    "duplicate key \"%s\" (first at line %d, column %d); "
                    "expected each key at most once",
                    name.p, first.line, first.column);
        }
        free(name.p);
    }
    free(field);
    free(ptr);
    jsonpos_free(ix);
    c->ix = NULL;
}

int model_service_parse(struct model_service **out, const char *text,
                        size_t len, const char *file,
                        struct model_diags *diags)
{
    struct model_service *svc = NULL;
    struct ctx c;
    json_error_t je;
    json_t *root = NULL;
    size_t i;
    int r;

    assert(out && file && diags && (text || len == 0));
    memset(&c, 0, sizeof(c));
    c.file = file;
    c.diags = diags;
    c.first = diags->n;
    if (len > MODEL_MAX_DOC) {
        diag_at(&c, 1, 1, "(root)",
                "expected a document of at most %u bytes, got %zu bytes",
                MODEL_MAX_DOC, len);
        goto out;
    }
    /* A UTF-8 byte order mark is tolerated (RFC 8259 section 8.1). */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    for (i = 0; i < len; i++) {
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' &&
            text[i] != '\r')
            break;
    }
    if (i == len) {
        diag_at(&c, 1, 1, "(root)",
                "invalid JSON: empty document; expected a JSON object");
        goto out;
    }
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                      &je);
    if (!root) {
        if (json_error_code(&je) == json_error_duplicate_key)
            duplicate_diag(&c, text, len, &je);
        else if (json_error_code(&je) == json_error_out_of_memory)
            c.nomem = 1;
        else
            syntax_diag(&c, &je);
        goto out;
    }
    r = jsonpos_index(&c.ix, text, len, 0, NULL);
    if (r == ERR_NOMEM) {
        c.nomem = 1;
        goto out;
    }
    if (!json_is_object(root)) {
        diag(&c, AT_VALUE, "expected a JSON object at the top level, got %s",
             type_name(root));
        goto out;
    }
    svc = service_new(file);
    if (!svc) {
        c.nomem = 1;
        goto out;
    }
    if (json_object_get(root, "apiVersion")) {
        parse_envelope(&c, root, svc);
    } else {
        looks_like_envelope(&c, root);
        json_incref(root);
        svc->options = root;
        parse_options(&c, root, svc);
    }
    /* Access: the default is group superusers, for an account only. */
    if (!c.count && !c.nomem && *svc->account && !svc->n_groups &&
        !svc->n_permissions)
        add_group(&c, svc, "superusers");
out:
    json_decref(root);
    jsonpos_free(c.ix);
    free(c.path.ptr.p);
    free(c.path.field.p);
    if (c.nomem || c.count) {
        model_service_free(svc);
        sort_diags(diags, c.first);
        return c.nomem ? ERR_NOMEM : ERR_INVALID;
    }
    *out = svc;
    return 0;
}

void model_service_free(struct model_service *svc)
{
    size_t i;

    if (!svc)
        return;
    free(svc->source);
    free(svc->name);
    free(svc->package_name);
    free(svc->package_version);
    json_decref(svc->options);
    free(svc->account);
    free(svc->secret_path);
    free(svc->update_strategy);
    for (i = 0; i < svc->n_groups; i++)
        free(svc->groups[i]);
    free(svc->groups);
    for (i = 0; i < svc->n_permissions; i++) {
        free(svc->permissions[i].rid);
        free(svc->permissions[i].action);
    }
    free(svc->permissions);
    free(svc->verify_endpoint);
    free(svc->verify_user);
    free(svc->verify_password_ref);
    free(svc->verify_health);
    free(svc);
}

int model_desired_add(struct model_desired *d, struct model_service *svc,
                      struct model_diags *diags)
{
    struct model_service **n;
    size_t i;

    for (i = 0; i < d->n_services; i++) {
        const struct model_service *first = d->services[i];
        char *msg;
        int r, len;

        if (strcmp(first->name, svc->name) != 0)
            continue;
        len = snprintf(NULL, 0,
                       "duplicate service name \"%s\": already used by %s; "
                       "expected one file per service",
                       svc->name, first->source);
        msg = len < 0 ? NULL : malloc((size_t)len + 1);
        if (!msg) {
            model_service_free(svc);
            return ERR_NOMEM;
        }
        snprintf(msg, (size_t)len + 1,
                 "duplicate service name \"%s\": already used by %s; "
                 "expected one file per service",
                 svc->name, first->source);
        r = diags_push(diags, svc->source, svc->name_line, svc->name_column,
                       svc->envelope ? "options.service.name"
                                     : "service.name",
                       msg);
        free(msg);
        model_service_free(svc);
        return r ? r : ERR_CONFLICT;
    }
    n = realloc(d->services, (d->n_services + 1) * sizeof(*n));
    if (!n) {
        model_service_free(svc);
        return ERR_NOMEM;
    }
    d->services = n;
    n[d->n_services++] = svc;
    return 0;
}

void model_desired_clear(struct model_desired *d)
{
    size_t i;

    for (i = 0; i < d->n_services; i++)
        model_service_free(d->services[i]);
    free(d->services);
    d->services = NULL;
    d->n_services = 0;
}

char *model_diag_format(const struct model_diag *dg)
{
    char *s;
    int n;

    if (dg->line > 0)
        n = snprintf(NULL, 0, "%s:%d:%d: %s: %s", dg->file, dg->line,
                     dg->column, dg->field, dg->message);
    else
        n = snprintf(NULL, 0, "%s: %s: %s", dg->file, dg->field,
                     dg->message);
    if (n < 0)
        return NULL;
    s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    if (dg->line > 0)
        snprintf(s, (size_t)n + 1, "%s:%d:%d: %s: %s", dg->file, dg->line,
                 dg->column, dg->field, dg->message);
    else
        snprintf(s, (size_t)n + 1, "%s: %s: %s", dg->file, dg->field,
                 dg->message);
    return s;
}

void model_diags_clear(struct model_diags *d)
{
    size_t i;

    for (i = 0; i < d->n; i++) {
        free(d->items[i].file);
        free(d->items[i].field);
        free(d->items[i].message);
    }
    free(d->items);
    d->items = NULL;
    d->n = 0;
}

int model_tls_permissions(struct model_permission **out, size_t *n_out,
                          const char *name)
{
    /* rid = prefix [+ service name + suffix], elastic-sdk.md section 7 */
    static const struct {
        const char *prefix;
        int with_name;
        const char *suffix;
        const char *action;
    } set[] = {{"dcos:secrets:default:/", 1, "/*", "full"},
               {"dcos:secrets:list:default:/", 1, "", "read"},
               {"dcos:adminrouter:ops:ca:rw", 0, "", "full"},
               {"dcos:adminrouter:ops:ca:ro", 0, "", "full"}};
    const size_t n = sizeof(set) / sizeof(set[0]);
    struct model_permission *p;
    size_t i;

    if (!name || !*name)
        return ERR_INVALID;
    if (*name == '/')
        name++;
    p = calloc(n, sizeof(*p));
    if (!p)
        return ERR_NOMEM;
    for (i = 0; i < n; i++) {
        size_t len = strlen(set[i].prefix) + strlen(name) +
                     strlen(set[i].suffix) + 1;

        p[i].rid = malloc(len);
        p[i].action = strdup(set[i].action);
        if (!p[i].rid || !p[i].action)
            goto nomem;
        snprintf(p[i].rid, len, "%s%s%s", set[i].prefix,
                 set[i].with_name ? name : "", set[i].suffix);
    }
    *out = p;
    *n_out = n;
    return 0;
nomem:
    for (i = 0; i < n; i++) {
        free(p[i].rid);
        free(p[i].action);
    }
    free(p);
    return ERR_NOMEM;
}

char *model_app_id(const char *name)
{
    size_t n = strlen(name);
    char *s;

    if (name[0] == '/')
        return strdup(name);
    s = malloc(n + 2);
    if (!s)
        return NULL;
    s[0] = '/';
    memcpy(s + 1, name, n + 1);
    return s;
}
