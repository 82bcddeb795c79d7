/*
 * A plan as JSON and back (plan_json.h).  The writer reuses the
 * parameters' documented form (model_action_params_json); the reader is
 * its strict inverse: every member is checked, none is ignored.
 */
#include "model/plan_json.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bounds of what a plan read back may hold. */
#define PJ_MAX_ACTIONS 10000u
#define PJ_MAX_MEMBERS 24u

static const char *const change_names[] = {
    [MODEL_CHANGE_NOOP] = "noop",     [MODEL_CHANGE_CREATE] = "create",
    [MODEL_CHANGE_UPDATE] = "update", [MODEL_CHANGE_REPLACE] = "replace",
    [MODEL_CHANGE_DELETE] = "delete", [MODEL_CHANGE_READ] = "read",
};

static const char *const key_source_names[] = {
    [MODEL_KEY_NONE] = "none",
    [MODEL_KEY_NEW] = "new",
    [MODEL_KEY_FROM_SECRET] = "from_secret",
};

static const char *const output_names[] = {
    [MODEL_OUTPUT_NONE] = "none",
    [MODEL_OUTPUT_KEY_PAIR] = "key_pair",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

enum model_op model_op_parse(const char *name)
{
    int op;

    for (op = MODEL_OP_ACCOUNT_CREATE; op <= MODEL_OP_FAIL; op++)
        if (strcmp(model_op_name((enum model_op)op), name) == 0)
            return (enum model_op)op;
    return (enum model_op)0;
}

/* ------------------------------------------------------------------ */
/* writing                                                              */

/* Set @key to a copy of @v when @v is not NULL; 0 or -1. */
static int put_opt(json_t *o, const char *key, const json_t *v)
{
    json_t *c;

    if (!v)
        return 0;
    c = json_deep_copy(v);
    return c ? json_object_set_new(o, key, c) : -1;
}

static int put_str(json_t *o, const char *key, const char *s)
{
    return s ? json_object_set_new(o, key, json_string(s)) : 0;
}

static json_t *action_json(const struct model_plan *p,
                           const struct model_action *a)
{
    json_t *o, *deps, *params;
    size_t k;

    o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:[]}", "op",
                  model_op_name(a->op), "change", change_names[a->change],
                  "type", a->type, "name", a->name, "disruptive",
                  a->disruptive, "key_source",
                  key_source_names[a->key_source], "output",
                  output_names[a->output], "deps");
    deps = json_object_get(o, "deps");
    for (k = 0; deps && k < a->n_deps; k++)
        if (json_array_append_new(deps, json_integer((json_int_t)a->deps[k])))
            goto fail;
    if (!o || put_str(o, "address", a->address) ||
        put_str(o, "reason", a->reason) ||
        put_str(o, "disruption", a->disruption) ||
        put_opt(o, "before", a->before) || put_opt(o, "after", a->after) ||
        put_opt(o, "before_sensitive", a->before_sensitive) ||
        put_opt(o, "after_sensitive", a->after_sensitive))
        goto fail;
    if (a->op != MODEL_OP_FAIL) {
        params = model_action_params_json(p, a);
        if (!params || json_object_set_new(o, "params", params))
            goto fail;
    }
    return o;
fail:
    json_decref(o);
    return NULL;
}

json_t *model_plan_to_json(const struct model_plan *p)
{
    json_t *o = json_pack("{s:s, s:[]}", "service",
                          p->service ? p->service : "", "actions");
    json_t *arr = json_object_get(o, "actions");
    size_t i;

    if (!o)
        return NULL;
    for (i = 0; i < p->n_actions; i++)
        if (json_array_append_new(arr, action_json(p, &p->actions[i]))) {
            json_decref(o);
            return NULL;
        }
    return o;
}

/* ------------------------------------------------------------------ */
/* reading                                                              */

/*
 * A strict reader of one JSON object: every member taken is remembered,
 * and rd_end() rejects the others.  The first error wins; later calls are
 * no-ops.
 */
struct rd {
    const json_t *o;
    char where[80];
    const char *taken[PJ_MAX_MEMBERS];
    size_t n_taken;
    struct err_info *e;
    int r;
};

#define RD_REQ 0x1u  /* the member must be there */
#define RD_NULL 0x2u /* JSON null is allowed (and read as NULL) */

static int rd_fail(struct rd *d, const char *key, const char *what)
{
    if (d->r)
        return d->r;
    d->r = err_set(d->e, ERR_INVALID, "%s%s%s: %s", d->where, key ? "." : "",
                   key ? key : "", what);
    return d->r;
}

/* Start reading @o, named @where in errors ("actions[2].params"). */
static void rd_begin(struct rd *d, const json_t *o, struct err_info *e,
                     const char *where)
{
    memset(d, 0, sizeof(*d));
    d->o = o;
    d->e = e;
    snprintf(d->where, sizeof(d->where), "%s", where);
    if (!json_is_object(o))
        rd_fail(d, NULL, "expected an object");
}

/* The member @key (borrowed), or NULL when absent (an error if RD_REQ). */
static const json_t *rd_take(struct rd *d, const char *key, unsigned flags)
{
    const json_t *v;

    if (d->r)
        return NULL;
    v = json_object_get(d->o, key);
    if (!v) {
        if (flags & RD_REQ)
            rd_fail(d, key, "missing");
        return NULL;
    }
    if (d->n_taken < PJ_MAX_MEMBERS)
        d->taken[d->n_taken++] = key;
    return v;
}

static void rd_str(struct rd *d, char **dst, const char *key, unsigned flags)
{
    const json_t *v = rd_take(d, key, flags);

    if (!v || ((flags & RD_NULL) && json_is_null(v)))
        return;
    if (!json_is_string(v)) {
        rd_fail(d, key, (flags & RD_NULL) ? "expected a string or null"
                                          : "expected a string");
        return;
    }
    *dst = strdup(json_string_value(v));
    if (!*dst && !d->r)
        d->r = err_set(d->e, ERR_NOMEM, "out of memory");
}

static void rd_bool(struct rd *d, bool *dst, const char *key, unsigned flags)
{
    const json_t *v = rd_take(d, key, flags);

    if (!v)
        return;
    if (!json_is_boolean(v)) {
        rd_fail(d, key, "expected true or false");
        return;
    }
    *dst = json_is_true(v);
}

/* A copy of the member @key (any JSON), or nothing when absent. */
static void rd_json(struct rd *d, json_t **dst, const char *key,
                    unsigned flags)
{
    const json_t *v = rd_take(d, key, flags);

    if (!v)
        return;
    *dst = json_deep_copy(v);
    if (!*dst && !d->r)
        d->r = err_set(d->e, ERR_NOMEM, "out of memory");
}

/* The index of the string member @key in @names (-1 when absent). */
static int rd_enum(struct rd *d, const char *key, const char *const *names,
                   size_t n)
{
    const json_t *v = rd_take(d, key, RD_REQ);
    size_t i;

    if (!v)
        return -1;
    for (i = 0; json_is_string(v) && i < n; i++)
        if (names[i] && strcmp(names[i], json_string_value(v)) == 0)
            return (int)i;
    rd_fail(d, key, "unknown value");
    return -1;
}

/* Reject the members nobody took; returns the reader's result. */
static int rd_end(struct rd *d)
{
    const char *key;
    json_t *v;
    size_t i;

    if (d->r)
        return d->r;
    json_object_foreach((json_t *)(uintptr_t)d->o, key, v) {
        bool known = false;

        for (i = 0; i < d->n_taken && !known; i++)
            known = strcmp(d->taken[i], key) == 0;
        if (!known) {
            char msg[96];

            snprintf(msg, sizeof(msg), "unknown member \"%.40s\"", key);
            return rd_fail(d, NULL, msg);
        }
    }
    return 0;
}

/* Index of the action with @address among the first @n of @p. */
static size_t find_address(const struct model_plan *p, size_t n,
                           const char *address)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(p->actions[i].address, address) == 0)
            return i;
    return MODEL_NO_ACTION;
}

static void read_account_params(struct rd *d, struct model_plan *p,
                                size_t i)
{
    struct model_account_params *a = &p->actions[i].params.account;
    char *from = NULL;

    rd_str(d, &a->uid, "uid", RD_REQ);
    rd_str(d, &a->description, "description", RD_REQ);
    rd_str(d, &a->public_key, "public_key", 0);
    rd_str(d, &from, "key_from", 0);
    if (from) {
        a->key_from = find_address(p, i, from);
        if (a->key_from == MODEL_NO_ACTION)
            rd_fail(d, "key_from", "names no earlier action");
        free(from);
    }
}

static void read_secret_params(struct rd *d, struct model_secret_params *s)
{
    rd_str(d, &s->path, "path", RD_REQ);
    rd_str(d, &s->uid, "uid", RD_REQ);
    rd_str(d, &s->scheme, "scheme", RD_REQ);
    rd_str(d, &s->login_endpoint, "login_endpoint", RD_REQ);
    rd_str(d, &s->source_path, "source_path", 0);
    rd_str(d, &s->restart_marker, "restart_marker", 0);
}

static void read_update_params(struct rd *d, struct model_update_params *u)
{
    rd_str(d, &u->app_id, "app_id", RD_REQ);
    rd_json(d, &u->options, "options", RD_REQ);
    rd_bool(d, &u->replace, "replace", RD_REQ);
    rd_str(d, &u->version, "version", 0);
    rd_bool(d, &u->toggle_tls, "toggle_tls", 0);
    rd_bool(d, &u->full_restart, "full_restart", 0);
    rd_bool(d, &u->stuck_toggle, "stuck_toggle", 0);
    rd_str(d, &u->marker, "marker", 0);
    if (!d->r && !json_is_object(u->options))
        rd_fail(d, "options", "expected an object");
}

static void read_verify_params(struct rd *d, struct model_verify_params *v,
                               size_t i)
{
    static const char *const sources[] = {
        [MODEL_PW_HEALTH_OPTIONS] = "health_options",
        [MODEL_PW_ENV] = "env",
        [MODEL_PW_FILE] = "file",
        [MODEL_PW_SECRET] = "secret",
    };
    char where[64];
    struct rd pw;
    int src;

    rd_str(d, &v->endpoint, "endpoint", RD_REQ);
    rd_bool(d, &v->tls, "tls", RD_REQ);
    rd_str(d, &v->user, "user", RD_REQ | RD_NULL);
    rd_str(d, &v->health, "health", RD_REQ);
    if (d->r)
        return;
    snprintf(where, sizeof(where), "actions[%zu].params.password", i);
    rd_begin(&pw, rd_take(d, "password", RD_REQ), d->e, where);
    if (d->r)
        return;
    src = rd_enum(&pw, "source", sources, N_OF(sources));
    if (src >= 0)
        v->password_source = (enum model_password_source)src;
    rd_str(&pw, &v->password_ref, "ref", RD_REQ | RD_NULL);
    d->r = rd_end(&pw);
}

static int read_params(struct model_plan *p, size_t i, const json_t *j,
                       struct err_info *e)
{
    struct model_action *a = &p->actions[i];
    union model_params *u = &a->params;
    char where[64];
    struct rd d;

    if (a->op == MODEL_OP_FAIL) {
        if (j)
            return err_set(e, ERR_INVALID, "actions[%zu].params: a fail "
                           "action has none", i);
        return 0;
    }
    if (!j)
        return err_set(e, ERR_INVALID, "actions[%zu].params: missing", i);
    snprintf(where, sizeof(where), "actions[%zu].params", i);
    rd_begin(&d, j, e, where);
    switch (a->op) {
    case MODEL_OP_ACCOUNT_CREATE:
    case MODEL_OP_ACCOUNT_REPLACE:
        read_account_params(&d, p, i);
        break;
    case MODEL_OP_SECRET_CREATE:
    case MODEL_OP_SECRET_UPDATE:
        read_secret_params(&d, &u->secret);
        break;
    case MODEL_OP_GROUP_ADD:
        rd_str(&d, &u->member.gid, "gid", RD_REQ);
        rd_str(&d, &u->member.uid, "uid", RD_REQ);
        break;
    case MODEL_OP_PERMISSION_GRANT:
        rd_str(&d, &u->grant.rid, "rid", RD_REQ);
        rd_str(&d, &u->grant.action, "action", RD_REQ);
        rd_str(&d, &u->grant.uid, "uid", RD_REQ);
        break;
    case MODEL_OP_PACKAGE_INSTALL:
        rd_str(&d, &u->install.package, "package", RD_REQ);
        rd_str(&d, &u->install.version, "version", RD_REQ | RD_NULL);
        rd_json(&d, &u->install.options, "options", RD_REQ);
        if (!d.r && !json_is_object(u->install.options))
            rd_fail(&d, "options", "expected an object");
        break;
    case MODEL_OP_PACKAGE_UPDATE:
        read_update_params(&d, &u->update);
        break;
    case MODEL_OP_SCHEDULER_RESTART:
        rd_str(&d, &u->restart.app_id, "app_id", RD_REQ);
        rd_str(&d, &u->restart.marker, "marker", 0);
        break;
    case MODEL_OP_ROLLOUT_WAIT:
        rd_str(&d, &u->app.app_id, "app_id", RD_REQ);
        break;
    case MODEL_OP_STRATEGY_RESTORE:
        rd_str(&d, &u->restore.app_id, "app_id", RD_REQ);
        rd_str(&d, &u->restore.update_strategy, "update_strategy", RD_REQ);
        break;
    case MODEL_OP_HTTPS_VERIFY:
        read_verify_params(&d, &u->verify, i);
        break;
    case MODEL_OP_FAIL:
        break;
    }
    return rd_end(&d);
}

static int read_deps(struct model_plan *p, size_t i, const json_t *deps,
                     struct err_info *e)
{
    const json_t *v;
    size_t k;
    int r;

    if (!json_is_array(deps))
        return err_set(e, ERR_INVALID, "actions[%zu].deps: expected an "
                       "array", i);
    json_array_foreach(deps, k, v) {
        json_int_t dep = json_is_integer(v) ? json_integer_value(v) : -1;

        if (dep < 0 || (size_t)dep >= i)
            return err_set(e, ERR_INVALID, "actions[%zu].deps[%zu]: "
                           "expected the index of an earlier action", i, k);
        r = model_action_depend(p, i, (size_t)dep);
        if (r)
            return err_set(e, r, "out of memory");
    }
    return 0;
}

/* Append action @i read from @j to @p. */
static int read_action(struct model_plan *p, size_t i, const json_t *j,
                       struct err_info *e)
{
    struct model_action *a;
    char *type = NULL, *name = NULL, *address = NULL, *reason = NULL;
    const json_t *params, *deps;
    const char *opname = NULL;
    int change, ks, out, r;
    char where[64];
    struct rd d;

    snprintf(where, sizeof(where), "actions[%zu]", i);
    rd_begin(&d, j, e, where);
    if (!d.r)
        opname = json_string_value(rd_take(&d, "op", RD_REQ));
    if (!d.r && (!opname || !model_op_parse(opname)))
        rd_fail(&d, "op", "unknown operation");
    change = rd_enum(&d, "change", change_names, N_OF(change_names));
    ks = rd_enum(&d, "key_source", key_source_names, N_OF(key_source_names));
    out = rd_enum(&d, "output", output_names, N_OF(output_names));
    rd_str(&d, &type, "type", RD_REQ);
    rd_str(&d, &name, "name", RD_REQ);
    rd_str(&d, &address, "address", 0);
    rd_str(&d, &reason, "reason", 0);
    deps = rd_take(&d, "deps", RD_REQ);
    params = rd_take(&d, "params", 0);
    if (!d.r) {
        a = model_plan_add(p, model_op_parse(opname),
                           (enum model_change)change, type, name, reason);
        if (!a)
            d.r = err_set(e, ERR_NOMEM, "out of memory");
        else if (address && strcmp(address, a->address) != 0)
            rd_fail(&d, "address", "is not <type>.<name>");
        else if (find_address(p, i, a->address) != MODEL_NO_ACTION)
            rd_fail(&d, "address", "used by an earlier action");
    }
    free(type);
    free(name);
    free(address);
    free(reason);
    if (d.r)
        return d.r;
    a = &p->actions[i];
    a->key_source = (enum model_key_source)ks;
    a->output = (enum model_output)out;
    rd_bool(&d, &a->disruptive, "disruptive", RD_REQ);
    rd_str(&d, &a->disruption, "disruption", 0);
    rd_json(&d, &a->before, "before", 0);
    rd_json(&d, &a->after, "after", 0);
    rd_json(&d, &a->before_sensitive, "before_sensitive", 0);
    rd_json(&d, &a->after_sensitive, "after_sensitive", 0);
    if (rd_end(&d))
        return d.r;
    r = read_deps(p, i, deps, e);
    return r ? r : read_params(p, i, params, e);
}

int model_plan_from_json(struct model_plan *out, const json_t *j,
                         struct err_info *e)
{
    struct model_plan p;
    const json_t *actions;
    char *service = NULL;
    struct rd d;
    size_t i;
    int r;

    memset(&p, 0, sizeof(p));
    rd_begin(&d, j, e, "plan");
    rd_str(&d, &service, "service", RD_REQ);
    actions = rd_take(&d, "actions", RD_REQ);
    r = rd_end(&d);
    p.service = service;
    if (r == 0 && !json_is_array(actions))
        r = err_set(e, ERR_INVALID, "plan.actions: expected an array");
    if (r == 0 && json_array_size(actions) > PJ_MAX_ACTIONS)
        r = err_set(e, ERR_INVALID, "plan.actions: more than %u actions",
                    PJ_MAX_ACTIONS);
    for (i = 0; r == 0 && i < json_array_size(actions); i++)
        r = read_action(&p, i, json_array_get(actions, i), e);
    if (r) {
        model_plan_clear(&p);
        return r;
    }
    *out = p;
    return 0;
}
