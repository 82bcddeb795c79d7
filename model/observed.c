#include "model/observed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

/*
 * Observed state: life cycle of struct model_observed and the parser of the
 * SDK scheduler's PlanInfo (elastic-sdk.md section 3.2).  Pure, no I/O.
 */

/* Plans are small; these bound what a misbehaving scheduler can make us
 * allocate. */
#define PLAN_MAX_PHASES 256u
#define PLAN_MAX_STEPS 4096u
#define PLAN_MAX_ERRORS 256u

void model_observed_init(struct model_observed *o)
{
    memset(o, 0, sizeof(*o));
    o->account = MODEL_UNKNOWN;
    o->secret = MODEL_UNKNOWN;
    o->package = MODEL_UNKNOWN;
    o->secret_verdict = SA_OK;
    o->old_secret = MODEL_UNKNOWN;
    o->restart_marker = MODEL_UNKNOWN;
}

void model_observed_clear(struct model_observed *o)
{
    free(o->dcos_version);
    free(o->account_public_key);
    free(o->secret_uid);
    free(o->secret_public_key);
    free(o->old_secret_path);
    free(o->old_secret_public_key);
    free(o->lease_holder);
    free(o->in_group);
    free(o->group_exists);
    free(o->permission_allowed);
    free(o->package_name);
    free(o->package_version);
    json_decref(o->user_options);
    json_decref(o->resolved_options);
    free(o->catalog_version);
    json_decref(o->catalog_schema);
    json_decref(o->node_endpoint);
    model_plan_status_clear(&o->plan);
    free(o->target_config_id);
    free(o->node_dns);
    free(o->node_address);
    free(o->node_https_error);
    free(o->verify_password_detail);
    free(o->caller_uid);
    model_observed_init(o);
}

void model_password_problem(char *buf, size_t len,
                            enum model_password_check c, const char *ref,
                            const char *detail)
{
    const char *r = ref ? ref : "?";
    const char *fix = "; or change verify.password";

    switch (c) {
    case MODEL_PWC_ENV_UNSET:
        snprintf(buf, len, "environment variable %s is not set; set it "
                 "before running etls%s", r, fix);
        break;
    case MODEL_PWC_ENV_EMPTY:
        snprintf(buf, len, "environment variable %s is empty; set it to "
                 "the password%s", r, fix);
        break;
    case MODEL_PWC_FILE_MISSING:
        snprintf(buf, len, "file %s does not exist; create it holding only "
                 "the password%s", r, fix);
        break;
    case MODEL_PWC_FILE_NOT_REGULAR:
        snprintf(buf, len, "%s is not a regular file; point verify.password "
                 "at a file holding only the password", r);
        break;
    case MODEL_PWC_FILE_UNREADABLE:
        snprintf(buf, len, "file %s cannot be read (%s); make it readable "
                 "by the user running etls%s", r,
                 detail ? detail : "read error", fix);
        break;
    case MODEL_PWC_FILE_EMPTY:
        snprintf(buf, len, "file %s is empty; write the password into "
                 "it%s", r, fix);
        break;
    case MODEL_PWC_FILE_TOO_LONG:
        snprintf(buf, len, "file %s is longer than %u bytes; it must hold "
                 "only the password", r, MODEL_PASSWORD_MAX);
        break;
    case MODEL_PWC_SECRET_MISSING:
        snprintf(buf, len, "DC/OS secret %s does not exist; create it "
                 "holding the password%s", r, fix);
        break;
    case MODEL_PWC_SECRET_DENIED:
        snprintf(buf, len, "DC/OS secret %s may not be read by the user "
                 "etls runs as (HTTP 403); grant it read access to that "
                 "secret%s", r, fix);
        break;
    case MODEL_PWC_SECRET_NOT_TEXT:
        snprintf(buf, len, "DC/OS secret %s is a binary secret; store the "
                 "password as a text secret", r);
        break;
    case MODEL_PWC_SECRET_EMPTY:
        snprintf(buf, len, "DC/OS secret %s is empty; store the password "
                 "in it%s", r, fix);
        break;
    default:
        snprintf(buf, len, "the password of %s is not usable", r);
        break;
    }
}

static void phase_clear(struct model_plan_phase *ph)
{
    size_t i;

    free(ph->name);
    free(ph->strategy);
    free(ph->status);
    for (i = 0; i < ph->n_steps; i++) {
        free(ph->steps[i].name);
        free(ph->steps[i].status);
    }
    free(ph->steps);
}

void model_plan_status_clear(struct model_plan_status *p)
{
    size_t i;

    free(p->status);
    free(p->strategy);
    for (i = 0; i < p->n_phases; i++)
        phase_clear(&p->phases[i]);
    free(p->phases);
    for (i = 0; i < p->n_errors; i++)
        free(p->errors[i]);
    free(p->errors);
    memset(p, 0, sizeof(*p));
}

/*
 * Copy the string member @key of @obj into *@out (new).  With @required a
 * missing or non-string member is ERR_INVALID; otherwise it leaves *@out
 * NULL.  0, ERR_INVALID or ERR_NOMEM.
 */
static int dup_member(char **out, const json_t *obj, const char *key,
                      int required)
{
    const json_t *v = json_object_get(obj, key);

    if (!json_is_string(v))
        return required ? ERR_INVALID : 0;
    *out = strdup(json_string_value(v));
    return *out ? 0 : ERR_NOMEM;
}

static int parse_step(struct model_plan_step *st, const json_t *js)
{
    int r;

    if (!json_is_object(js))
        return ERR_INVALID;
    r = dup_member(&st->name, js, "name", 1);
    if (!r)
        r = dup_member(&st->status, js, "status", 1);
    return r;
}

static int parse_phase(struct model_plan_phase *ph, const json_t *js)
{
    const json_t *steps, *st;
    size_t i;
    int r;

    if (!json_is_object(js))
        return ERR_INVALID;
    r = dup_member(&ph->name, js, "name", 1);
    if (!r)
        r = dup_member(&ph->status, js, "status", 1);
    if (!r)
        r = dup_member(&ph->strategy, js, "strategy", 0);
    if (r)
        return r;
    steps = json_object_get(js, "steps");
    if (!steps)
        return 0;
    if (!json_is_array(steps) || json_array_size(steps) > PLAN_MAX_STEPS)
        return ERR_INVALID;
    if (json_array_size(steps) == 0)
        return 0;
    ph->steps = calloc(json_array_size(steps), sizeof(*ph->steps));
    if (!ph->steps)
        return ERR_NOMEM;
    json_array_foreach(steps, i, st) {
        /* Count first so that phase_clear() frees a partial step. */
        ph->n_steps++;
        r = parse_step(&ph->steps[i], st);
        if (r)
            return r;
    }
    return 0;
}

int model_plan_status_from_json(struct model_plan_status *out,
                                const json_t *plan, int http_status)
{
    struct model_plan_status p;
    const json_t *phases, *errors, *v;
    size_t i;
    int r;

    memset(&p, 0, sizeof(p));
    if (!json_is_object(plan))
        return ERR_INVALID;
    phases = json_object_get(plan, "phases");
    errors = json_object_get(plan, "errors");
    if (!json_is_array(phases) || json_array_size(phases) > PLAN_MAX_PHASES)
        return ERR_INVALID;
    if (errors && (!json_is_array(errors) ||
                   json_array_size(errors) > PLAN_MAX_ERRORS))
        return ERR_INVALID;
    r = dup_member(&p.status, plan, "status", 1);
    if (!r)
        r = dup_member(&p.strategy, plan, "strategy", 0);
    if (r)
        goto fail;
    if (json_array_size(phases)) {
        p.phases = calloc(json_array_size(phases), sizeof(*p.phases));
        if (!p.phases) {
            r = ERR_NOMEM;
            goto fail;
        }
    }
    json_array_foreach(phases, i, v) {
        p.n_phases++;
        r = parse_phase(&p.phases[i], v);
        if (r)
            goto fail;
    }
    if (errors && json_array_size(errors)) {
        p.errors = calloc(json_array_size(errors), sizeof(*p.errors));
        if (!p.errors) {
            r = ERR_NOMEM;
            goto fail;
        }
        json_array_foreach(errors, i, v) {
            if (!json_is_string(v)) {
                r = ERR_INVALID;
                goto fail;
            }
            p.errors[p.n_errors] = strdup(json_string_value(v));
            if (!p.errors[p.n_errors]) {
                r = ERR_NOMEM;
                goto fail;
            }
            p.n_errors++;
        }
    }
    p.known = true;
    p.http_status = http_status;
    model_plan_status_clear(out);
    *out = p;
    return 0;
fail:
    model_plan_status_clear(&p);
    return r;
}
