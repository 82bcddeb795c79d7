#include "rc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/key.h"
#include "model/names.h"



/* Upper bound of a reason line; reasons are one line, never a document. */
#define RC_REASON_MAX 4096

int rc_nomem(struct err_info *e)
{
    return err_set(e, ERR_NOMEM, "out of memory while planning");
}

static int vadd(struct model_plan *p, size_t *idx_out, enum model_op op,
                enum model_change change, const char *type, const char *name,
                struct err_info *e, const char *fmt, va_list ap)
    __attribute__((format(printf, 8, 0)));

static int vadd(struct model_plan *p, size_t *idx_out, enum model_op op,
                enum model_change change, const char *type, const char *name,
                struct err_info *e, const char *fmt, va_list ap)
{
    char *reason = malloc(RC_REASON_MAX);
    int n;

    if (!reason)
        return rc_nomem(e);
    /* Longer reasons are cut: the start says what matters. */
    n = vsnprintf(reason, RC_REASON_MAX, fmt, ap);
    if (n < 0) {
        free(reason);
        return err_set(e, ERR_INTERNAL, "cannot format a reason");
    }
    if (!model_plan_add(p, op, change, type, name, reason)) {
        free(reason);
        return rc_nomem(e);
    }
    free(reason);
    if (idx_out)
        *idx_out = p->n_actions - 1;
    return 0;
}

int rc_add(struct model_plan *p, size_t *idx_out, enum model_op op,
           enum model_change change, const char *type, const char *name,
           struct err_info *e, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = vadd(p, idx_out, op, change, type, name, e, fmt, ap);
    va_end(ap);
    return r;
}

int rc_fail(struct model_plan *p, const char *type, const char *name,
            struct err_info *e, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = vadd(p, NULL, MODEL_OP_FAIL, MODEL_CHANGE_NOOP, type, name, e, fmt,
             ap);
    va_end(ap);
    return r;
}

int rc_depend(struct model_plan *p, size_t idx, size_t dep,
              struct err_info *e)
{
    int r;

    if (dep == MODEL_NO_ACTION)
        return 0;
    r = model_action_depend(p, idx, dep);
    if (r == ERR_NOMEM)
        return rc_nomem(e);
    if (r < 0)
        return err_set(e, ERR_INTERNAL, "bad dependency %zu -> %zu", idx,
                       dep);
    return 0;
}

int rc_depend_ops(struct model_plan *p, size_t idx, const enum model_op *ops,
                  size_t n_ops, struct err_info *e)
{
    size_t i, k;
    int r;

    for (i = 0; i < idx && i < p->n_actions; i++) {
        for (k = 0; k < n_ops; k++) {
            if (p->actions[i].op != ops[k])
                continue;
            r = rc_depend(p, idx, i, e);
            if (r < 0)
                return r;
            break;
        }
    }
    return 0;
}

size_t rc_find_op(const struct model_plan *p, enum model_op op)
{
    size_t i;

    for (i = 0; i < p->n_actions; i++)
        if (p->actions[i].op == op)
            return i;
    return MODEL_NO_ACTION;
}

size_t rc_find_package(const struct model_plan *p)
{
    size_t i;

    for (i = 0; i < p->n_actions; i++) {
        switch (p->actions[i].op) {
        case MODEL_OP_PACKAGE_INSTALL:
        case MODEL_OP_PACKAGE_UPDATE:
        case MODEL_OP_SCHEDULER_RESTART:
            return i;
        default:
            break;
        }
    }
    return MODEL_NO_ACTION;
}

int rc_strdups(struct err_info *e, size_t n, ...)
{
    va_list ap;
    size_t i;
    int r = 0;

    va_start(ap, n);
    for (i = 0; i < n; i++) {
        char **field = va_arg(ap, char **);
        const char *s = va_arg(ap, const char *);

        if (r == 0 && s)
            r = rc_strdup(field, s, e);
    }
    va_end(ap);
    return r;
}

int rc_app_param(char **field, const struct model_service *d,
                 struct err_info *e)
{
    char *id = model_app_id(d->name);

    if (!id)
        return rc_nomem(e);
    free(*field);
    *field = id;
    return 0;
}

int rc_set(json_t **field, json_t *value, struct err_info *e)
{
    if (!value)
        return rc_nomem(e);
    json_decref(*field);
    *field = value;
    return 0;
}

int rc_strdup(char **field, const char *s, struct err_info *e)
{
    char *c = strdup(s);

    if (!c)
        return rc_nomem(e);
    free(*field);
    *field = c;
    return 0;
}

bool rc_key_equal(const char *a, const char *b)
{
    return a && b && key_public_equal(a, b) == 1;
}

bool rc_secret_usable(const struct model_observed *o)
{
    return o->secret == MODEL_PRESENT && o->secret_public_key &&
           *o->secret_public_key;
}

const char *rc_secret_problem(const struct model_observed *o)
{
    if (o->secret != MODEL_PRESENT)
        return "missing";
    if (o->secret_verdict == SA_NOT_JSON)
        return "not JSON";
    return "holds no usable key";
}

bool rc_copy_possible(const struct model_service *d,
                      const struct model_observed *o)
{
    if (!rc_has_secret(d) || rc_secret_usable(o) ||
        o->old_secret != MODEL_PRESENT || !o->old_secret_public_key ||
        !o->old_secret_path)
        return false;
    if (o->account == MODEL_ABSENT)
        return true;
    return o->account == MODEL_PRESENT && o->account_is_service &&
           rc_key_equal(o->account_public_key, o->old_secret_public_key);
}

size_t rc_find_key_producer(const struct model_plan *p)
{
    size_t i;

    for (i = 0; i < p->n_actions; i++)
        if (p->actions[i].output == MODEL_OUTPUT_KEY_PAIR)
            return i;
    return MODEL_NO_ACTION;
}

bool rc_has_account(const struct model_service *d)
{
    return d->account && *d->account;
}

bool rc_has_secret(const struct model_service *d)
{
    return rc_has_account(d) && d->secret_path && *d->secret_path;
}
