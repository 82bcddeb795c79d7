#include "controller/render.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

#define ETLS_VERSION_STRING ETLS_VERSION
#define PLAN_FORMAT_VERSION "1.0"

struct colors {
    const char *add, *chg, *del, *read, *bold, *warn, *off;
};

static const struct colors c_on = {"\033[32m", "\033[33m", "\033[31m",
                                   "\033[36m", "\033[1m",  "\033[1;31m",
                                   "\033[0m"};
static const struct colors c_off = {"", "", "", "", "", "", ""};

static const char *change_color(const struct colors *c, enum model_change k)
{
    switch (k) {
    case MODEL_CHANGE_CREATE: return c->add;
    case MODEL_CHANGE_UPDATE: return c->chg;
    case MODEL_CHANGE_REPLACE: return c->del;
    case MODEL_CHANGE_DELETE: return c->del;
    case MODEL_CHANGE_READ: return c->read;
    default: return c->off;
    }
}

static const char *change_verb(enum model_change k)
{
    switch (k) {
    case MODEL_CHANGE_CREATE: return "will be created";
    case MODEL_CHANGE_UPDATE: return "will be updated in-place";
    case MODEL_CHANGE_REPLACE: return "must be replaced";
    case MODEL_CHANGE_DELETE: return "will be destroyed";
    case MODEL_CHANGE_READ: return "will be read and checked";
    default: return "is unchanged";
    }
}

void render_flatten(const json_t *v, const char *prefix,
                    void (*fn)(const char *path, const json_t *leaf,
                               void *payload),
                    void *payload)
{
    const char *key;
    json_t *child;

    if (json_is_object(v) && json_object_size(v) > 0) {
        json_object_foreach((json_t *)v, key, child) {
            size_t n = strlen(prefix) + strlen(key) + 2;
            char *p = malloc(n);

            if (!p)
                return;
            snprintf(p, n, "%s%s%s", prefix, *prefix ? "." : "", key);
            render_flatten(child, p, fn, payload);
            free(p);
        }
        return;
    }
    fn(prefix, v, payload);
}

/* Look up a dotted path in @root (NULL when absent). */
static const json_t *path_get(const json_t *root, const char *path)
{
    char *copy, *save = NULL, *tok;
    const json_t *cur = root;

    if (!root)
        return NULL;
    if (!*path)
        return root;
    copy = strdup(path);
    if (!copy)
        return NULL;
    for (tok = strtok_r(copy, ".", &save); tok && cur;
         tok = strtok_r(NULL, ".", &save))
        cur = json_is_object(cur) ? json_object_get(cur, tok) : NULL;
    free(copy);
    return cur;
}

/* 1 when @path (or an ancestor, or the whole value) is flagged sensitive. */
static int is_sensitive(const json_t *flags, const char *path)
{
    char *copy, *save = NULL, *tok;
    const json_t *cur = flags;
    int r = 0;

    if (json_is_true(flags))
        return 1;
    if (!json_is_object(flags))
        return 0;
    copy = strdup(path);
    if (!copy)
        return 1; /* fail closed */
    for (tok = strtok_r(copy, ".", &save); tok;
         tok = strtok_r(NULL, ".", &save)) {
        cur = json_object_get(cur, tok);
        if (json_is_true(cur)) {
            r = 1;
            break;
        }
        if (!json_is_object(cur))
            break;
    }
    free(copy);
    return r;
}

static char *value_text(const json_t *v)
{
    if (!v)
        return strdup("null");
    if (json_is_string(v)) {
        const char *s = json_string_value(v);

        /* Placeholders such as "(known after apply)" print bare. */
        if (s[0] == '(' && s[strlen(s) - 1] == ')')
            return strdup(s);
    }
    return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
}

struct diff_ctx {
    FILE *out;
    const struct model_action *a;
    const struct colors *c;
    int pass; /* 0: paths of `after`; 1: paths only in `before` */
};

static void diff_leaf(const char *path, const json_t *leaf, void *payload)
{
    struct diff_ctx *d = payload;
    const struct model_action *a = d->a;
    const json_t *before, *after;
    int sb, sa;
    char *tb = NULL, *ta = NULL;
    const char *label = *path ? path : "value";

    if (d->pass == 0) {
        after = leaf;
        before = path_get(a->before, path);
    } else {
        if (path_get(a->after, path))
            return; /* printed in pass 0 */
        before = leaf;
        after = NULL;
    }
    sb = is_sensitive(a->before_sensitive, path);
    sa = is_sensitive(a->after_sensitive, path);

    if (before && after) {
        if (json_equal((json_t *)before, (json_t *)after) && !sa && !sb)
            return;
        if (sa || sb) {
            if (a->change == MODEL_CHANGE_UPDATE ||
                a->change == MODEL_CHANGE_REPLACE)
                fprintf(d->out, "      %s~%s %s = (sensitive value changed)\n",
                        d->c->chg, d->c->off, label);
            return;
        }
        tb = value_text(before);
        ta = value_text(after);
        fprintf(d->out, "      %s~%s %s = %s -> %s\n", d->c->chg, d->c->off,
                label, tb ? tb : "?", ta ? ta : "?");
    } else if (after) {
        ta = sa ? strdup("(sensitive value)") : value_text(after);
        fprintf(d->out, "      %s+%s %s = %s\n", d->c->add, d->c->off, label,
                ta ? ta : "?");
    } else if (before) {
        tb = sb ? strdup("(sensitive value)") : value_text(before);
        fprintf(d->out, "      %s-%s %s = %s\n", d->c->del, d->c->off, label,
                tb ? tb : "?");
    }
    free(tb);
    free(ta);
}

static void print_action(FILE *out, const struct model_action *a,
                         const struct colors *c)
{
    struct diff_ctx d = {out, a, c, 0};
    const char *sym = model_change_symbol(a->change);

    if (a->op == MODEL_OP_FAIL) {
        fprintf(out, "  %s!! %s cannot be converged%s\n", c->warn,
                a->address, c->off);
        fprintf(out, "      error: %s\n\n", a->reason ? a->reason : "");
        return;
    }
    fprintf(out, "  %s# %s %s%s\n", c->bold, a->address,
            change_verb(a->change), c->off);
    fprintf(out, "  %s%s%s %s\n", change_color(c, a->change), sym, c->off,
            a->address);
    if (a->reason)
        fprintf(out, "      reason: %s\n", a->reason);
    if (a->after)
        render_flatten(a->after, "", diff_leaf, &d);
    if (a->before) {
        d.pass = 1;
        render_flatten(a->before, "", diff_leaf, &d);
    }
    if (a->disruptive)
        fprintf(out, "\n      %s!! DISRUPTIVE: %s%s\n", c->warn,
                a->disruption ? a->disruption : "restarts the service",
                c->off);
    fputc('\n', out);
}

void render_plan_text(FILE *out, const struct model_plan *plans, size_t n,
                      int color)
{
    const struct colors *c = color ? &c_on : &c_off;
    size_t add = 0, chg = 0, del = 0, i, j, k;
    int any = 0, fail = 0;

    for (i = 0; i < n; i++) {
        size_t a1, c1, d1;

        model_plan_counts(&plans[i], &a1, &c1, &d1);
        add += a1;
        chg += c1;
        del += d1;
        if (model_plan_has_changes(&plans[i]))
            any = 1;
        for (j = 0; j < plans[i].n_actions; j++)
            if (plans[i].actions[j].op == MODEL_OP_FAIL)
                fail = 1;
    }
    if (!any) {
        for (i = 0; i < n; i++)
            fprintf(out, "%sService %s:%s up to date.\n", c->bold,
                    plans[i].service, c->off);
        fprintf(out, "\n%sNo changes.%s The cluster matches the desired "
                     "state.\n",
                c->bold, c->off);
        return;
    }
    fprintf(out, "etls will perform the following actions:\n\n");
    for (i = 0; i < n; i++) {
        const struct model_plan *p = &plans[i];

        if (!model_plan_has_changes(p)) {
            fprintf(out, "%sService %s:%s up to date.\n\n", c->bold,
                    p->service, c->off);
            continue;
        }
        fprintf(out, "%sService %s:%s\n\n", c->bold, p->service, c->off);
        for (j = 0; j < p->n_actions; j++)
            print_action(out, &p->actions[j], c);
        fprintf(out, "  Order of execution:\n");
        for (j = 0; j < p->n_actions; j++) {
            const struct model_action *a = &p->actions[j];

            if (a->op == MODEL_OP_FAIL)
                continue;
            fprintf(out, "    %zu. %s %s", j + 1,
                    model_change_symbol(a->change), a->address);
            if (a->n_deps) {
                fprintf(out, " (after ");
                for (k = 0; k < a->n_deps; k++)
                    fprintf(out, "%s%zu", k ? ", " : "", a->deps[k] + 1);
                fputc(')', out);
            }
            fputc('\n', out);
        }
        fputc('\n', out);
    }
    if (fail)
        fprintf(out, "%sSome services cannot be converged; see the errors "
                     "above.%s\n",
                c->warn, c->off);
    fprintf(out, "%sPlan:%s %zu to add, %zu to change, %zu to destroy.\n",
            c->bold, c->off, add, chg, del);
}

static json_t *sensitive_or_false(const json_t *v)
{
    return v ? json_deep_copy(v) : json_false();
}

json_t *render_plan_json(const struct model_plan *plans, size_t n,
                         const char *cluster_url)
{
    json_t *root = json_object(), *changes = json_array(),
           *order = json_object(), *errors = json_array();
    size_t add = 0, chg = 0, del = 0, i, j;
    int any = 0;

    if (!root || !changes || !order || !errors)
        goto nomem;
    for (i = 0; i < n; i++) {
        const struct model_plan *p = &plans[i];
        json_t *ord = json_array();
        size_t a1, c1, d1;

        if (!ord)
            goto nomem;
        model_plan_counts(p, &a1, &c1, &d1);
        add += a1;
        chg += c1;
        del += d1;
        if (model_plan_has_changes(p))
            any = 1;
        for (j = 0; j < p->n_actions; j++) {
            const struct model_action *a = &p->actions[j];
            json_t *rc, *change, *deps = json_array();
            size_t k;

            if (!deps)
                goto nomem;
            for (k = 0; k < a->n_deps; k++)
                json_array_append_new(
                    deps, json_string(p->actions[a->deps[k]].address));
            if (a->op == MODEL_OP_FAIL)
                json_array_append_new(
                    errors, json_pack("{s:s, s:s, s:s}", "service",
                                      p->service, "address", a->address,
                                      "message",
                                      a->reason ? a->reason : ""));
            change = json_pack(
                "{s:o, s:o, s:o, s:o, s:o}", "actions",
                model_change_actions_json(a->change), "before",
                a->before ? json_deep_copy(a->before) : json_null(), "after",
                a->after ? json_deep_copy(a->after) : json_null(),
                "before_sensitive", sensitive_or_false(a->before_sensitive),
                "after_sensitive", sensitive_or_false(a->after_sensitive));
            rc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s?, s:b, s:s?, "
                           "s:o}",
                           "address", a->address, "service", p->service,
                           "type", a->type, "name", a->name, "operation",
                           model_op_name(a->op), "change", change, "reason",
                           a->reason, "disruptive", a->disruptive,
                           "disruption", a->disruption, "depends_on", deps);
            if (!rc || json_array_append_new(changes, rc))
                goto nomem;
            if (a->op != MODEL_OP_FAIL)
                json_array_append_new(ord, json_string(a->address));
        }
        json_object_set_new(order, p->service, ord);
    }
    json_object_set_new(root, "format_version",
                        json_string(PLAN_FORMAT_VERSION));
    json_object_set_new(root, "etls_version", json_string(ETLS_VERSION_STRING));
    json_object_set_new(root, "cluster",
                        cluster_url ? json_string(cluster_url) : json_null());
    json_object_set_new(root, "resource_changes", changes);
    json_object_set_new(root, "order", order);
    json_object_set_new(root, "errors", errors);
    json_object_set_new(root, "summary",
                        json_pack("{s:I, s:I, s:I}", "add", (json_int_t)add,
                                  "change", (json_int_t)chg, "destroy",
                                  (json_int_t)del));
    json_object_set_new(root, "changes_pending", json_boolean(any));
    return root;
nomem:
    json_decref(root);
    json_decref(changes);
    json_decref(order);
    json_decref(errors);
    return NULL;
}
