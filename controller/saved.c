/* Saved plans (saved.h). */
#include "controller/saved.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/util.h"
#include "model/plan_json.h"

/* Bounds of what a saved plan file may hold. */
#define SAVED_MAX_FILE (64u * 1024u * 1024u)
#define SAVED_MAX_DOCS 1000u

/* The package options of @a (borrowed), or NULL for other ops. */
static const json_t *action_options(const struct model_action *a)
{
    if (a->op == MODEL_OP_PACKAGE_INSTALL)
        return a->params.install.options;
    if (a->op == MODEL_OP_PACKAGE_UPDATE)
        return a->params.update.options;
    return NULL;
}

/* The "params" object of action @j of the plan JSON @pj (borrowed). */
static json_t *params_of(json_t *pj, size_t j)
{
    return json_object_get(json_array_get(json_object_get(pj, "actions"), j),
                           "params");
}

json_t *saved_plans_json(const struct model_plan *plans, size_t n)
{
    char fp[FINGERPRINT_LEN];
    json_t *arr = json_array();
    size_t i, j;

    for (i = 0; arr && i < n; i++) {
        json_t *pj = model_plan_to_json(&plans[i]);

        if (!pj || json_array_append_new(arr, pj))
            goto fail;
        for (j = 0; j < plans[i].n_actions; j++) {
            const json_t *opts = action_options(&plans[i].actions[j]);
            json_t *params = params_of(pj, j);

            if (!opts)
                continue;
            if (!params || fingerprint_json(fp, opts) ||
                json_object_del(params, "options") ||
                json_object_set_new(params, "options_sha256",
                                    json_string(fp)))
                goto fail;
        }
    }
    return arr;
fail:
    json_decref(arr);
    return NULL;
}

int saved_write(const char *file, const struct saved *s, struct err_info *e)
{
    json_t *docs = json_array(), *root;
    char *text = NULL;
    size_t i;
    int r;

    for (i = 0; docs && i < s->docs.n; i++)
        if (json_array_append_new(docs, json_pack("{s:s, s:s}", "path",
                                                  s->docs.items[i].path,
                                                  "sha256",
                                                  s->docs.items[i].sha256))) {
            json_decref(docs);
            docs = NULL;
        }
    root = docs ? json_pack("{s:s, s:i, s:s, s:s, s:{s:s, s:o}, "
                            "s:{s:s, s:O}, s:O}",
                            "format", SAVED_FORMAT, "format_version",
                            SAVED_FORMAT_VERSION, "etls_version",
                            s->etls_version, "cluster", s->cluster,
                            "desired", "path", s->desired_path, "documents",
                            docs, "observed", "fingerprint", s->fingerprint,
                            "services", s->services, "plans", s->plans)
                : NULL;
    if (root)
        text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(root);
    if (!text)
        return err_set(e, ERR_NOMEM, "out of memory");
    r = util_write_file_atomic(file, text, strlen(text), 0600);
    free(text);
    if (r)
        return err_set(e, ERR_INVALID, "cannot write the plan file %s",
                       file);
    return 0;
}

/* 1 when @s is "sha256:" and 64 lowercase hex digits. */
static int is_digest(const char *s)
{
    size_t i;

    if (!s || strncmp(s, "sha256:", 7) != 0 || strlen(s) != 71)
        return 0;
    for (i = 7; i < 71; i++)
        if (!strchr("0123456789abcdef", s[i]))
            return 0;
    return 1;
}

static int read_docs(struct saved *out, json_t *docs, struct err_info *e)
{
    json_t *d;
    size_t i;

    if (json_array_size(docs) > SAVED_MAX_DOCS)
        return err_set(e, ERR_INVALID, "desired.documents: more than %u",
                       SAVED_MAX_DOCS);
    out->docs.items = calloc(json_array_size(docs) + 1,
                             sizeof(*out->docs.items));
    if (!out->docs.items)
        return err_set(e, ERR_NOMEM, "out of memory");
    json_array_foreach(docs, i, d) {
        const char *path = NULL, *sha = NULL;
        struct load_doc *ld = &out->docs.items[i];

        if (json_unpack(d, "{s:s, s:s}", "path", &path, "sha256", &sha) ||
            json_object_size(d) != 2 || !is_digest(sha))
            return err_set(e, ERR_INVALID, "desired.documents[%zu]: "
                           "expected {\"path\", \"sha256\"}", i);
        ld->path = strdup(path);
        if (!ld->path)
            return err_set(e, ERR_NOMEM, "out of memory");
        memcpy(ld->sha256, sha, strlen(sha) + 1);
        out->docs.n++;
    }
    return 0;
}

/* Check and take what @root holds into @out. */
static int read_root(struct saved *out, json_t *root, struct err_info *e)
{
    const char *fmt, *ev, *cl, *dp, *fp, *key;
    json_t *docs, *svcs, *plans, *v;
    json_int_t ver;
    json_error_t je;
    size_t i;

    if (json_unpack_ex(root, &je, JSON_STRICT,
                       "{s:s, s:I, s:s, s:s, s:{s:s, s:o}, s:{s:s, s:o}, "
                       "s:o}",
                       "format", &fmt, "format_version", &ver,
                       "etls_version", &ev, "cluster", &cl, "desired",
                       "path", &dp, "documents", &docs, "observed",
                       "fingerprint", &fp, "services", &svcs, "plans",
                       &plans))
        return err_set(e, ERR_INVALID, "not a saved plan: %s", je.text);
    if (strcmp(fmt, SAVED_FORMAT) != 0)
        return err_set(e, ERR_INVALID, "not a saved plan (format is not "
                       "\"%s\")", SAVED_FORMAT);
    if (ver != SAVED_FORMAT_VERSION)
        return err_set(e, ERR_INVALID, "format_version %lld is not %d",
                       (long long)ver, SAVED_FORMAT_VERSION);
    if (!json_is_array(docs) || !json_is_object(svcs) ||
        !json_is_array(plans) || !is_digest(fp))
        return err_set(e, ERR_INVALID, "not a saved plan: desired.documents, "
                       "observed or plans malformed");
    json_object_foreach(svcs, key, v)
        if (!is_digest(json_string_value(v)))
            return err_set(e, ERR_INVALID, "observed.services: expected "
                           "\"sha256:...\" values");
    json_array_foreach(plans, i, v)
        if (!json_is_object(v))
            return err_set(e, ERR_INVALID, "plans[%zu]: expected an object",
                           i);
    out->etls_version = strdup(ev);
    out->cluster = strdup(cl);
    out->desired_path = strdup(dp);
    if (!out->etls_version || !out->cluster || !out->desired_path)
        return err_set(e, ERR_NOMEM, "out of memory");
    memcpy(out->fingerprint, fp, strlen(fp) + 1);
    out->services = json_incref(svcs);
    out->plans = json_incref(plans);
    return read_docs(out, docs, e);
}

int saved_read(struct saved *out, const char *file, struct err_info *e)
{
    json_error_t je;
    json_t *root;
    char *text = NULL;
    size_t len = 0;
    int r;

    r = file_read(&text, &len, file, SAVED_MAX_FILE, e);
    if (r)
        return r;
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    free(text);
    if (!root)
        return err_set(e, ERR_INVALID, "not a saved plan (not JSON: line "
                       "%d)", je.line);
    r = read_root(out, root, e);
    json_decref(root);
    return r;
}

void saved_clear(struct saved *s)
{
    free(s->etls_version);
    free(s->cluster);
    free(s->desired_path);
    load_docs_clear(&s->docs);
    json_decref(s->services);
    json_decref(s->plans);
    memset(s, 0, sizeof(*s));
}

/* The document of @docs at @path, or NULL. */
static const struct load_doc *doc_find(const struct load_docs *docs,
                                       const char *path)
{
    size_t i;

    for (i = 0; i < docs->n; i++)
        if (strcmp(docs->items[i].path, path) == 0)
            return &docs->items[i];
    return NULL;
}

int saved_check_docs(const struct saved *s, const struct load_docs *now,
                     struct err_info *e)
{
    const struct load_doc *d;
    size_t i;

    for (i = 0; i < s->docs.n; i++) {
        d = doc_find(now, s->docs.items[i].path);
        if (!d)
            return err_set(e, ERR_CONFLICT, "%s is gone",
                           s->docs.items[i].path);
        if (strcmp(d->sha256, s->docs.items[i].sha256) != 0)
            return err_set(e, ERR_CONFLICT, "%s changed", d->path);
    }
    for (i = 0; i < now->n; i++)
        if (!doc_find(&s->docs, now->items[i].path))
            return err_set(e, ERR_CONFLICT, "%s is new", now->items[i].path);
    return 0;
}

int saved_check_observed(const struct saved *s, const char *fp,
                         const json_t *services, struct err_info *e)
{
    char names[200] = "";
    const char *key;
    json_t *v;
    size_t used = 0, n = 0;

    if (strcmp(s->fingerprint, fp) == 0)
        return 0;
    json_object_foreach((json_t *)(uintptr_t)services, key, v) {
        const char *was = json_string_value(json_object_get(s->services,
                                                            key));

        if (was && strcmp(was, json_string_value(v)) == 0)
            continue;
        if (used < sizeof(names))
            used += (size_t)snprintf(names + used, sizeof(names) - used,
                                     "%s%s", n ? ", " : "", key);
        n++;
    }
    if (n == 0)
        return err_set(e, ERR_CONFLICT, "the cluster CA changed");
    return err_set(e, ERR_CONFLICT, "what etls observes of service%s %s "
                   "changed", n > 1 ? "s" : "", names);
}

int saved_restore(struct model_plan **out, const struct saved *s,
                  const struct model_plan *now, size_t n,
                  struct err_info *e)
{
    struct model_plan *plans;
    json_t *now_j = saved_plans_json(now, n);
    size_t i, j;
    int r = 0;

    if (!now_j)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (!json_equal(now_j, s->plans))
        r = err_set(e, ERR_CONFLICT, "the plan etls makes now from the same "
                    "documents and cluster differs from the saved one");
    json_decref(now_j);
    if (r)
        return r;
    plans = calloc(n + 1, sizeof(*plans));
    if (!plans)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; r == 0 && i < n; i++) {
        json_t *pj = json_deep_copy(json_array_get(s->plans, i));

        r = pj ? 0 : err_set(e, ERR_NOMEM, "out of memory");
        for (j = 0; r == 0 && j < now[i].n_actions; j++) {
            const json_t *opts = action_options(&now[i].actions[j]);
            json_t *params = params_of(pj, j);

            if (opts && (!params ||
                         json_object_del(params, "options_sha256") ||
                         json_object_set_new(params, "options",
                                             json_deep_copy(opts))))
                r = err_set(e, ERR_NOMEM, "out of memory");
        }
        if (r == 0)
            r = model_plan_from_json(&plans[i], pj, e);
        json_decref(pj);
    }
    if (r) {
        for (i = 0; i < n; i++)
            model_plan_clear(&plans[i]);
        free(plans);
        return r;
    }
    *out = plans;
    return 0;
}
