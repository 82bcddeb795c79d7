#include "controller/render.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static char *value_text(const json_t *v)
{
    if (!v)
        return strdup("null");
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = strlen(s);

        /* Placeholders such as "(known after apply)" print bare. */
        if (n > 1 && s[0] == '(' && s[n - 1] == ')')
            return strdup(s);
    }
    return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
}

/* The sensitivity mask below @key of @mask (true covers everything). */
static const json_t *mask_child(const json_t *mask, const char *key)
{
    if (json_is_true(mask))
        return mask;
    return json_is_object(mask) ? json_object_get(mask, key) : NULL;
}

struct diff_ctx {
    FILE *out;
    const struct model_action *a;
    const struct colors *c;
};

static void diff_line(struct diff_ctx *d, const char *path,
                      const json_t *before, const json_t *after,
                      const json_t *sb, const json_t *sa)
{
    const char *label = *path ? path : "value";
    bool secret_b = json_is_true(sb), secret_a = json_is_true(sa);
    char *tb = NULL, *ta = NULL;

    if (before && after) {
        if (secret_a || secret_b) {
            /* Values are placeholders: the flags say whether they moved. */
            if (d->a->change == MODEL_CHANGE_UPDATE ||
                d->a->change == MODEL_CHANGE_REPLACE)
                fprintf(d->out,
                        "      %s~%s %s = (sensitive value changed)\n",
                        d->c->chg, d->c->off, label);
            return;
        }
        if (json_equal((json_t *)before, (json_t *)after))
            return;
        tb = value_text(before);
        ta = value_text(after);
        fprintf(d->out, "      %s~%s %s = %s -> %s\n", d->c->chg, d->c->off,
                label, tb ? tb : "?", ta ? ta : "?");
    } else if (after) {
        ta = secret_a ? strdup("(sensitive value)") : value_text(after);
        fprintf(d->out, "      %s+%s %s = %s\n", d->c->add, d->c->off, label,
                ta ? ta : "?");
    } else if (before) {
        tb = secret_b ? strdup("(sensitive value)") : value_text(before);
        fprintf(d->out, "      %s-%s %s = %s\n", d->c->del, d->c->off, label,
                tb ? tb : "?");
    }
    free(tb);
    free(ta);
}

/*
 * Walk @before and @after together.  Objects on both sides (or on the only
 * side present) recurse; everything else is a leaf.  Keys are joined with
 * '.' for display only, so option names that contain dots are safe.
 */
static void diff_walk(struct diff_ctx *d, const char *path,
                      const json_t *before, const json_t *after,
                      const json_t *sb, const json_t *sa)
{
    const char *key;
    json_t *child;
    bool ob = json_is_object(before) && json_object_size(before) > 0;
    bool oa = json_is_object(after) && json_object_size(after) > 0;

    if ((ob && oa) || (ob && !after) || (oa && !before)) {
        const json_t *walk = oa ? after : before;

        json_object_foreach((json_t *)walk, key, child) {
            size_t n = strlen(path) + strlen(key) + 2;
            char *p = malloc(n);

            if (!p)
                return;
            snprintf(p, n, "%s%s%s", path, *path ? "." : "", key);
            diff_walk(d, p, ob ? json_object_get(before, key) : NULL,
                      oa ? json_object_get(after, key) : NULL,
                      mask_child(sb, key), mask_child(sa, key));
            free(p);
        }
        if (ob && oa) {
            /* Keys only in `before`. */
            json_object_foreach((json_t *)before, key, child) {
                size_t n;
                char *p;

                if (json_object_get(after, key))
                    continue;
                n = strlen(path) + strlen(key) + 2;
                p = malloc(n);
                if (!p)
                    return;
                snprintf(p, n, "%s%s%s", path, *path ? "." : "", key);
                diff_walk(d, p, child, NULL, mask_child(sb, key), NULL);
                free(p);
            }
        }
        return;
    }
    diff_line(d, path, before, after, sb, sa);
}

static void print_action(FILE *out, const struct model_action *a,
                         const struct colors *c)
{
    struct diff_ctx d = {out, a, c};
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
    if (a->before || a->after)
        diff_walk(&d, "", a->before, a->after, a->before_sensitive,
                  a->after_sensitive);
    if (a->disruptive)
        fprintf(out, "\n      %s!! DISRUPTIVE: %s%s\n", c->warn,
                a->disruption ? a->disruption : "restarts the service",
                c->off);
    fputc('\n', out);
}

/* A lease another etls holds on @p's service, as one indented line. */
static void print_lease(FILE *out, const struct model_plan *p,
                        const struct colors *c)
{
    char when[32] = "?";
    time_t t = (time_t)p->lease_expires;
    struct tm tm;

    if (!p->lease_holder)
        return;
    if (gmtime_r(&t, &tm))
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(out, "  %sLocked by %s until %s%s; apply waits for the lease "
                 "(--lock-timeout).\n",
            c->warn, p->lease_holder, when, c->off);
}

void render_totals(const struct model_plan *plans, size_t n,
                   struct render_totals *t)
{
    size_t i, j;

    memset(t, 0, sizeof(*t));
    for (i = 0; i < n; i++) {
        size_t a1, c1, d1;

        model_plan_counts(&plans[i], &a1, &c1, &d1);
        t->add += a1;
        t->change += c1;
        t->destroy += d1;
        t->any |= model_plan_has_changes(&plans[i]);
        for (j = 0; j < plans[i].n_actions; j++) {
            t->fails += plans[i].actions[j].op == MODEL_OP_FAIL;
            t->disruptive += plans[i].actions[j].disruptive;
        }
    }
}

void render_plan_text(FILE *out, const struct model_plan *plans, size_t n,
                      int color)
{
    const struct colors *c = color ? &c_on : &c_off;
    struct render_totals t;
    size_t i, j, k;

    render_totals(plans, n, &t);
    if (!t.any) {
        for (i = 0; i < n; i++) {
            fprintf(out, "%sService %s:%s up to date.\n", c->bold,
                    plans[i].service, c->off);
            print_lease(out, &plans[i], c);
        }
        fprintf(out, "\n%sNo changes.%s The cluster matches the desired "
                     "state.\n",
                c->bold, c->off);
        return;
    }
    fprintf(out, "etls will perform the following actions:\n\n");
    for (i = 0; i < n; i++) {
        const struct model_plan *p = &plans[i];

        if (!model_plan_has_changes(p)) {
            fprintf(out, "%sService %s:%s up to date.\n", c->bold,
                    p->service, c->off);
            print_lease(out, p, c);
            fputc('\n', out);
            continue;
        }
        fprintf(out, "%sService %s:%s\n", c->bold, p->service, c->off);
        print_lease(out, p, c);
        fputc('\n', out);
        for (j = 0; j < p->n_actions; j++)
            print_action(out, &p->actions[j], c);
        for (j = 0; j < p->n_actions; j++)
            if (p->actions[j].op != MODEL_OP_FAIL)
                break;
        if (j == p->n_actions)
            continue; /* only errors: nothing would be executed */
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
    if (t.fails) {
        /* apply refuses the whole plan: no summary that suggests
         * otherwise. */
        fprintf(out, "%sPlan cannot be applied:%s some services cannot be "
                     "converged; see the errors above. Nothing will be "
                     "changed.\n",
                c->warn, c->off);
        return;
    }
    fprintf(out, "%sPlan:%s %zu to add, %zu to change, %zu to destroy.\n",
            c->bold, c->off, t.add, t.change, t.destroy);
}

/*
 * Deep copy of @v with every value flagged by @mask replaced by the
 * placeholder "(sensitive)" (what reconcilers write).  Plans hold no secret
 * values, but the printers enforce the masks anyway (defence in depth).
 */
static json_t *masked_copy(const json_t *v, const json_t *mask)
{
    const char *key;
    json_t *child, *out;

    if (!v)
        return json_null();
    if (json_is_true(mask))
        return json_string("(sensitive)");
    if (!json_is_object(v) || !json_is_object(mask))
        return json_deep_copy(v);
    out = json_object();
    if (!out)
        return NULL;
    json_object_foreach((json_t *)v, key, child) {
        json_t *c = masked_copy(child, json_object_get(mask, key));

        if (!c || json_object_set_new(out, key, c)) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

static json_t *sensitive_or_false(const json_t *v)
{
    return v ? json_deep_copy(v) : json_false();
}

/* The resource_changes entry of action @a of plan @p (new or NULL). */
static json_t *change_json(const struct model_plan *p,
                           const struct model_action *a)
{
    json_t *change, *deps = json_array();
    size_t k;

    if (!deps)
        return NULL;
    for (k = 0; k < a->n_deps; k++)
        if (json_array_append_new(
                deps, json_string(p->actions[a->deps[k]].address))) {
            json_decref(deps);
            return NULL;
        }
    /* "o" steals each value even when packing fails. */
    change = json_pack("{s:o, s:o, s:o, s:o, s:o}", "actions",
                       model_change_actions_json(a->change), "before",
                       masked_copy(a->before, a->before_sensitive), "after",
                       masked_copy(a->after, a->after_sensitive),
                       "before_sensitive",
                       sensitive_or_false(a->before_sensitive),
                       "after_sensitive",
                       sensitive_or_false(a->after_sensitive));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s?, s:b, s:s?, s:o}",
                     "address", a->address, "service", p->service, "type",
                     a->type, "name", a->name, "operation",
                     model_op_name(a->op), "change", change, "reason",
                     a->reason, "disruptive", a->disruptive, "disruption",
                     a->disruption, "depends_on", deps);
}

json_t *render_plan_json(const struct model_plan *plans, size_t n,
                         const char *cluster_url)
{
    json_t *root = json_object(), *changes = json_array(),
           *order = json_object(), *errors = json_array(),
           *locks = json_array();
    size_t add = 0, chg = 0, del = 0, i, j;
    int any = 0;

    /*
     * The containers go into @root first (set_new steals them even when it
     * fails), so every failure below only has to free @root.
     */
    if (!root || json_object_set_new(root, "resource_changes", changes) ||
        json_object_set_new(root, "order", order) ||
        json_object_set_new(root, "errors", errors) ||
        json_object_set_new(root, "locks", locks) || !changes || !order ||
        !errors || !locks)
        goto nomem;
    for (i = 0; i < n; i++) {
        const struct model_plan *p = &plans[i];
        json_t *ord = json_array();
        size_t a1, c1, d1;

        if (!ord || json_object_set_new(order, p->service, ord))
            goto nomem;
        if (p->lease_holder &&
            json_array_append_new(locks,
                                  json_pack("{s:s, s:s, s:I}", "service",
                                            p->service, "holder",
                                            p->lease_holder, "expires",
                                            (json_int_t)p->lease_expires)))
            goto nomem;
        model_plan_counts(p, &a1, &c1, &d1);
        add += a1;
        chg += c1;
        del += d1;
        if (model_plan_has_changes(p))
            any = 1;
        for (j = 0; j < p->n_actions; j++) {
            const struct model_action *a = &p->actions[j];

            if (json_array_append_new(changes, change_json(p, a)))
                goto nomem;
            if (a->op == MODEL_OP_FAIL) {
                if (json_array_append_new(
                        errors, json_pack("{s:s, s:s, s:s}", "service",
                                          p->service, "address", a->address,
                                          "message",
                                          a->reason ? a->reason : "")))
                    goto nomem;
            } else if (json_array_append_new(ord,
                                             json_string(a->address))) {
                goto nomem;
            }
        }
    }
    if (json_object_set_new(root, "format_version",
                            json_string(PLAN_FORMAT_VERSION)) ||
        json_object_set_new(root, "etls_version",
                            json_string(ETLS_VERSION_STRING)) ||
        json_object_set_new(root, "cluster",
                            cluster_url ? json_string(cluster_url)
                                        : json_null()) ||
        json_object_set_new(root, "summary",
                            json_pack("{s:I, s:I, s:I}", "add",
                                      (json_int_t)add, "change",
                                      (json_int_t)chg, "destroy",
                                      (json_int_t)del)) ||
        json_object_set_new(root, "changes_pending", json_boolean(any)))
        goto nomem;
    return root;
nomem:
    if (!root) {
        json_decref(changes);
        json_decref(order);
        json_decref(errors);
        json_decref(locks);
    }
    json_decref(root);
    return NULL;
}
