#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"

const char *model_change_symbol(enum model_change c)
{
    switch (c) {
    case MODEL_CHANGE_CREATE: return "+";
    case MODEL_CHANGE_UPDATE: return "~";
    case MODEL_CHANGE_REPLACE: return "-/+";
    case MODEL_CHANGE_DELETE: return "-";
    case MODEL_CHANGE_READ: return "<=";
    case MODEL_CHANGE_NOOP: break;
    }
    return "";
}

/* Terraform JSON action words, e.g. ["delete","create"] for a replace. */
json_t *model_change_actions_json(enum model_change c)
{
    switch (c) {
    case MODEL_CHANGE_CREATE: return json_pack("[s]", "create");
    case MODEL_CHANGE_UPDATE: return json_pack("[s]", "update");
    case MODEL_CHANGE_REPLACE: return json_pack("[ss]", "delete", "create");
    case MODEL_CHANGE_DELETE: return json_pack("[s]", "delete");
    case MODEL_CHANGE_READ: return json_pack("[s]", "read");
    case MODEL_CHANGE_NOOP: break;
    }
    return json_pack("[s]", "no-op");
}

const char *model_op_name(enum model_op op)
{
    switch (op) {
    case MODEL_OP_ACCOUNT_CREATE: return "account_create";
    case MODEL_OP_ACCOUNT_REPLACE: return "account_replace";
    case MODEL_OP_SECRET_CREATE: return "secret_create";
    case MODEL_OP_SECRET_UPDATE: return "secret_update";
    case MODEL_OP_GROUP_ADD: return "group_add";
    case MODEL_OP_PERMISSION_GRANT: return "permission_grant";
    case MODEL_OP_PACKAGE_INSTALL: return "package_install";
    case MODEL_OP_PACKAGE_UPDATE: return "package_update";
    case MODEL_OP_SCHEDULER_RESTART: return "scheduler_restart";
    case MODEL_OP_ROLLOUT_WAIT: return "rollout_wait";
    case MODEL_OP_STRATEGY_RESTORE: return "strategy_restore";
    case MODEL_OP_HTTPS_VERIFY: return "https_verify";
    case MODEL_OP_FAIL: return "fail";
    }
    return "unknown";
}

static void params_clear(struct model_action *a)
{
    union model_params *u = &a->params;

    switch (a->op) {
    case MODEL_OP_ACCOUNT_CREATE:
    case MODEL_OP_ACCOUNT_REPLACE:
        free(u->account.uid);
        free(u->account.description);
        free(u->account.public_key);
        break;
    case MODEL_OP_SECRET_CREATE:
    case MODEL_OP_SECRET_UPDATE:
        free(u->secret.path);
        free(u->secret.uid);
        free(u->secret.scheme);
        free(u->secret.login_endpoint);
        free(u->secret.source_path);
        free(u->secret.restart_marker);
        break;
    case MODEL_OP_GROUP_ADD:
        free(u->member.gid);
        free(u->member.uid);
        break;
    case MODEL_OP_PERMISSION_GRANT:
        free(u->grant.rid);
        free(u->grant.action);
        free(u->grant.uid);
        break;
    case MODEL_OP_PACKAGE_INSTALL:
        free(u->install.package);
        free(u->install.version);
        json_decref(u->install.options);
        break;
    case MODEL_OP_PACKAGE_UPDATE:
        free(u->update.app_id);
        free(u->update.version);
        free(u->update.marker);
        json_decref(u->update.options);
        break;
    case MODEL_OP_SCHEDULER_RESTART:
        free(u->restart.app_id);
        free(u->restart.marker);
        break;
    case MODEL_OP_ROLLOUT_WAIT:
        free(u->app.app_id);
        break;
    case MODEL_OP_STRATEGY_RESTORE:
        free(u->restore.app_id);
        free(u->restore.update_strategy);
        break;
    case MODEL_OP_HTTPS_VERIFY:
        free(u->verify.endpoint);
        free(u->verify.user);
        free(u->verify.health);
        free(u->verify.password_ref);
        break;
    case MODEL_OP_FAIL:
        break;
    }
}

static void action_clear(struct model_action *a)
{
    free(a->address);
    free(a->type);
    free(a->name);
    free(a->reason);
    free(a->disruption);
    json_decref(a->before);
    json_decref(a->after);
    json_decref(a->before_sensitive);
    json_decref(a->after_sensitive);
    params_clear(a);
    free(a->deps);
    memset(a, 0, sizeof(*a));
}

const char *model_password_source_name(enum model_password_source s)
{
    switch (s) {
    case MODEL_PW_ENV: return "env";
    case MODEL_PW_FILE: return "file";
    case MODEL_PW_SECRET: return "secret";
    case MODEL_PW_HEALTH_OPTIONS: break;
    }
    return "health_options";
}

/* Set @key to true in @o when @flag; 0 or -1 (ENOMEM). */
static int put_flag(json_t *o, const char *key, bool flag)
{
    return flag ? json_object_set_new(o, key, json_true()) : 0;
}

/* Set @key to string @v in @o when @v is not NULL; 0 or -1 (ENOMEM). */
static int put_str(json_t *o, const char *key, const char *v)
{
    return v ? json_object_set_new(o, key, json_string(v)) : 0;
}

static json_t *update_json(const struct model_update_params *u)
{
    json_t *j = json_pack("{s:s, s:O, s:b}", "app_id", u->app_id, "options",
                          u->options, "replace", u->replace);

    if (j && (put_str(j, "version", u->version) ||
              put_flag(j, "toggle_tls", u->toggle_tls) ||
              put_flag(j, "full_restart", u->full_restart) ||
              put_flag(j, "stuck_toggle", u->stuck_toggle) ||
              put_str(j, "marker", u->marker))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* The address of action @idx of @p, or NULL when @idx names none. */
static const char *address_of(const struct model_plan *p, size_t idx)
{
    return idx < p->n_actions ? p->actions[idx].address : NULL;
}

static json_t *account_json(const struct model_plan *p,
                            const struct model_account_params *ap)
{
    json_t *j = json_pack("{s:s, s:s}", "uid", ap->uid, "description",
                          ap->description);

    if (j && (put_str(j, "public_key", ap->public_key) ||
              put_str(j, "key_from", address_of(p, ap->key_from)))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static json_t *secret_json(const struct model_secret_params *sp)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "path", sp->path, "uid",
                          sp->uid, "scheme", sp->scheme, "login_endpoint",
                          sp->login_endpoint);

    if (j && (put_str(j, "source_path", sp->source_path) ||
              put_str(j, "restart_marker", sp->restart_marker))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static json_t *restart_json(const struct model_restart_params *rp)
{
    json_t *j = json_pack("{s:s}", "app_id", rp->app_id);

    if (j && put_str(j, "marker", rp->marker)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

json_t *model_action_params_json(const struct model_plan *p,
                                 const struct model_action *a)
{
    const union model_params *u = &a->params;

    switch (a->op) {
    case MODEL_OP_ACCOUNT_CREATE:
    case MODEL_OP_ACCOUNT_REPLACE:
        return account_json(p, &u->account);
    case MODEL_OP_SECRET_CREATE:
    case MODEL_OP_SECRET_UPDATE:
        return secret_json(&u->secret);
    case MODEL_OP_GROUP_ADD:
        return json_pack("{s:s, s:s}", "gid", u->member.gid, "uid",
                         u->member.uid);
    case MODEL_OP_PERMISSION_GRANT:
        return json_pack("{s:s, s:s, s:s}", "rid", u->grant.rid, "action",
                         u->grant.action, "uid", u->grant.uid);
    case MODEL_OP_PACKAGE_INSTALL:
        return json_pack("{s:s, s:s?, s:O}", "package", u->install.package,
                         "version", u->install.version, "options",
                         u->install.options);
    case MODEL_OP_PACKAGE_UPDATE:
        return update_json(&u->update);
    case MODEL_OP_SCHEDULER_RESTART:
        return restart_json(&u->restart);
    case MODEL_OP_ROLLOUT_WAIT:
        return json_pack("{s:s}", "app_id", u->app.app_id);
    case MODEL_OP_STRATEGY_RESTORE:
        return json_pack("{s:s, s:s}", "app_id", u->restore.app_id,
                         "update_strategy", u->restore.update_strategy);
    case MODEL_OP_HTTPS_VERIFY:
        return json_pack(
            "{s:s, s:b, s:s?, s:s, s:{s:s, s:s?}}", "endpoint",
            u->verify.endpoint, "tls", u->verify.tls, "user", u->verify.user,
            "health", u->verify.health, "password", "source",
            model_password_source_name(u->verify.password_source), "ref",
            u->verify.password_ref);
    case MODEL_OP_FAIL:
        break;
    }
    return NULL;
}

/*
 * The returned action is borrowed: it stays valid until the next
 * model_plan_add() on @p (the array may move) or model_plan_clear().
 */
struct model_action *model_plan_add(struct model_plan *p, enum model_op op,
                                     enum model_change change,
                                     const char *type, const char *name,
                                     const char *reason)
{
    struct model_action *arr, *a;
    size_t tlen, nlen;

    if (!p || !type || !name)
        return NULL;
    if (p->n_actions >= ((size_t)-1) / sizeof(*arr) - 1)
        return NULL;
    arr = realloc(p->actions, (p->n_actions + 1) * sizeof(*arr));
    if (!arr)
        return NULL;
    p->actions = arr;
    a = &arr[p->n_actions];
    memset(a, 0, sizeof(*a));
    a->op = op;
    a->change = change;
    if (op == MODEL_OP_ACCOUNT_CREATE || op == MODEL_OP_ACCOUNT_REPLACE)
        a->params.account.key_from = MODEL_NO_ACTION;

    tlen = strlen(type);
    nlen = strlen(name);
    a->address = malloc(tlen + 1 + nlen + 1);
    a->type = strdup(type);
    a->name = strdup(name);
    a->reason = reason ? strdup(reason) : NULL;
    if (!a->address || !a->type || !a->name || (reason && !a->reason)) {
        action_clear(a);
        return NULL;
    }
    memcpy(a->address, type, tlen);
    a->address[tlen] = '.';
    memcpy(a->address + tlen + 1, name, nlen + 1);
    p->n_actions++;
    return a;
}

/*
 * Dependencies always point backwards (@dep < @idx), which keeps every plan
 * acyclic; anything else is rejected with ERR_INVALID.  Adding the same
 * dependency twice is a no-op.
 */
int model_action_depend(struct model_plan *p, size_t idx, size_t dep)
{
    struct model_action *a;
    size_t *deps, i;

    if (!p || idx >= p->n_actions || dep >= idx)
        return ERR_INVALID;
    a = &p->actions[idx];
    for (i = 0; i < a->n_deps; i++)
        if (a->deps[i] == dep)
            return 0;
    deps = realloc(a->deps, (a->n_deps + 1) * sizeof(*deps));
    if (!deps)
        return ERR_NOMEM;
    deps[a->n_deps++] = dep;
    a->deps = deps;
    return 0;
}

static bool action_equal(const struct model_plan *pa,
                         const struct model_action *a,
                         const struct model_plan *pb,
                         const struct model_action *b)
{
    json_t *ja, *jb;
    bool eq;

    if (a->op != b->op || a->change != b->change ||
        a->key_source != b->key_source || a->output != b->output ||
        a->n_deps != b->n_deps || strcmp(a->address, b->address) != 0 ||
        (a->n_deps && memcmp(a->deps, b->deps,
                             a->n_deps * sizeof(*a->deps)) != 0))
        return false;
    ja = model_action_params_json(pa, a);
    jb = model_action_params_json(pb, b);
    eq = (!ja && !jb) || (ja && jb && json_equal(ja, jb));
    json_decref(ja);
    json_decref(jb);
    return eq;
}

bool model_plan_equal(const struct model_plan *a, const struct model_plan *b)
{
    size_t i;

    if (a->n_actions != b->n_actions ||
        strcmp(a->service ? a->service : "", b->service ? b->service : ""))
        return false;
    for (i = 0; i < a->n_actions; i++)
        if (!action_equal(a, &a->actions[i], b, &b->actions[i]))
            return false;
    return true;
}

bool model_plan_has_changes(const struct model_plan *p)
{
    size_t i;

    if (!p)
        return false;
    for (i = 0; i < p->n_actions; i++) {
        const struct model_action *a = &p->actions[i];

        if (a->op == MODEL_OP_FAIL)
            return true;
        switch (a->change) {
        case MODEL_CHANGE_CREATE:
        case MODEL_CHANGE_UPDATE:
        case MODEL_CHANGE_REPLACE:
        case MODEL_CHANGE_DELETE:
            return true;
        case MODEL_CHANGE_NOOP:
        case MODEL_CHANGE_READ:
            break;
        }
    }
    return false;
}

void model_plan_counts(const struct model_plan *p, size_t *add,
                       size_t *change, size_t *destroy)
{
    size_t i, a = 0, c = 0, d = 0;

    for (i = 0; p && i < p->n_actions; i++) {
        switch (p->actions[i].change) {
        case MODEL_CHANGE_CREATE: a++; break;
        case MODEL_CHANGE_UPDATE: c++; break;
        case MODEL_CHANGE_REPLACE: a++; d++; break;
        case MODEL_CHANGE_DELETE: d++; break;
        case MODEL_CHANGE_NOOP:
        case MODEL_CHANGE_READ:
            break;
        }
    }
    if (add)
        *add = a;
    if (change)
        *change = c;
    if (destroy)
        *destroy = d;
}

void model_plan_clear(struct model_plan *p)
{
    size_t i;

    if (!p)
        return;
    for (i = 0; i < p->n_actions; i++)
        action_clear(&p->actions[i]);
    free(p->actions);
    free(p->service);
    free(p->lease_holder);
    memset(p, 0, sizeof(*p));
}
