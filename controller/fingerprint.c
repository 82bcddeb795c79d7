/*
 * Fingerprints of observed state (fingerprint.h).  The serialisation names
 * every field of struct model_observed (model/observed.h); a field added
 * there must be added here too, or the fingerprint misses it (the saved
 * plan check then still compares the whole plan made now with the saved
 * one, controller/saved.c).
 */
#include "controller/fingerprint.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/err.h"
#include "common/sa_secret.h"

int fingerprint_sha256(char out[FINGERPRINT_LEN], const void *data,
                       size_t len)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0, i;

    if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) <= 0 || n != 32)
        return ERR_INTERNAL;
    memcpy(out, "sha256:", 7);
    for (i = 0; i < n; i++) {
        out[7 + 2 * i] = hex[md[i] >> 4];
        out[8 + 2 * i] = hex[md[i] & 0xf];
    }
    out[7 + 2 * n] = '\0';
    return 0;
}

int fingerprint_json(char out[FINGERPRINT_LEN], const json_t *j)
{
    char *text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT |
                                   JSON_ENCODE_ANY);
    int r;

    if (!text)
        return ERR_NOMEM;
    r = fingerprint_sha256(out, text, strlen(text));
    /* The text may hold package options, and options passwords. */
    memset(text, 0, strlen(text));
    free(text);
    return r;
}

static const char *presence(enum model_presence p)
{
    switch (p) {
    case MODEL_ABSENT: return "absent";
    case MODEL_PRESENT: return "present";
    case MODEL_UNKNOWN: break;
    }
    return "unknown";
}

/* Append @v (stolen) to @arr; false when either is NULL or on ENOMEM. */
static bool push(json_t *arr, json_t *v)
{
    return arr && json_array_append_new(arr, v) == 0;
}

static json_t *plan_status_json(const struct model_plan_status *ps)
{
    json_t *phases = json_array(), *errors = json_array();
    bool ok = phases && errors;
    size_t i, k;

    for (i = 0; ok && i < ps->n_phases; i++) {
        const struct model_plan_phase *ph = &ps->phases[i];
        json_t *steps = json_array();

        for (k = 0; steps && k < ph->n_steps; k++)
            if (!push(steps, json_pack("{s:s?, s:s?}", "name",
                                       ph->steps[k].name, "status",
                                       ph->steps[k].status))) {
                json_decref(steps);
                steps = NULL;
            }
        ok = steps && push(phases, json_pack("{s:s?, s:s?, s:s?, s:o}",
                                             "name", ph->name, "strategy",
                                             ph->strategy, "status",
                                             ph->status, "steps", steps));
    }
    for (i = 0; ok && i < ps->n_errors; i++)
        ok = push(errors, json_pack("s?", ps->errors[i]));
    if (!ok) {
        json_decref(phases);
        json_decref(errors);
        return NULL;
    }
    return json_pack("{s:b, s:i, s:s?, s:s?, s:o, s:o}", "known", ps->known,
                     "http_status", ps->http_status, "status", ps->status,
                     "strategy", ps->strategy, "phases", phases, "errors",
                     errors);
}

/* The per-group and per-permission flags of @o (n from @d). */
static json_t *access_json(const struct model_service *d,
                           const struct model_observed *o)
{
    json_t *groups = json_array(), *perms = json_array();
    bool ok = groups && perms;
    size_t i;

    for (i = 0; ok && i < d->n_groups; i++)
        ok = push(groups,
                  json_pack("{s:s, s:b, s:s}", "gid", d->groups[i],
                            "member", o->in_group ? o->in_group[i] : 0,
                            "group", presence(o->group_exists
                                                  ? o->group_exists[i]
                                                  : MODEL_UNKNOWN)));
    for (i = 0; ok && i < d->n_permissions; i++)
        ok = push(perms, json_pack("{s:s, s:s, s:b}", "rid",
                                   d->permissions[i].rid, "action",
                                   d->permissions[i].action, "allowed",
                                   o->permission_allowed
                                       ? o->permission_allowed[i]
                                       : 0));
    if (!ok) {
        json_decref(groups);
        json_decref(perms);
        return NULL;
    }
    return json_pack("{s:o, s:o}", "groups", groups, "permissions", perms);
}

json_t *fingerprint_observed_json(const struct model_service *d,
                                  const struct model_observed *o)
{
    json_t *plan = plan_status_json(&o->plan);
    json_t *access = access_json(d, o);
    json_t *j;

    if (!plan || !access) {
        json_decref(plan);
        json_decref(access);
        return NULL;
    }
    j = json_pack("{s:s, s:s?, s:s, s:b, s:s?, s:s, s:s, s:s?, s:s?, s:o}",
                  "service", d->name, "dcos_version", o->dcos_version,
                  "account", presence(o->account), "account_is_service",
                  o->account_is_service, "account_public_key",
                  o->account_public_key, "secret", presence(o->secret),
                  "secret_verdict", sa_verdict_name(o->secret_verdict),
                  "secret_uid", o->secret_uid, "secret_public_key",
                  o->secret_public_key, "access", access);
    if (!j || json_object_set_new(j, "plan", plan)) {
        json_decref(j);
        if (!j)
            json_decref(plan);
        return NULL;
    }
    if (json_object_set_new(
            j, "package",
            json_pack("{s:s, s:s?, s:s?, s:O?, s:O?}", "presence",
                      presence(o->package), "name", o->package_name,
                      "version", o->package_version, "user_options",
                      o->user_options, "resolved_options",
                      o->resolved_options)) ||
        json_object_set_new(
            j, "tasks",
            json_pack("{s:s?, s:b, s:I, s:I}", "target_config_id",
                      o->target_config_id, "tls_known", o->tasks_tls_known,
                      "tls_on", (json_int_t)o->tasks_tls_on, "tls_off",
                      (json_int_t)o->tasks_tls_off)) ||
        /*
         * etls's own records that change plans.  The lease is left out:
         * it is ours while a saved plan is checked again, with another
         * expiry than when the plan was made.
         */
        json_object_set_new(
            j, "records",
            json_pack("{s:s, s:s?, s:s, s:s?}", "restart_marker",
                      presence(o->restart_marker), "old_secret_path",
                      o->old_secret_path, "old_secret",
                      presence(o->old_secret), "old_secret_public_key",
                      o->old_secret_public_key))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

int fingerprint_run(char out[FINGERPRINT_LEN], json_t **per_out,
                    const struct model_desired *d,
                    const struct model_observed *obs, const char *ca_pem)
{
    char fp[FINGERPRINT_LEN], ca_fp[FINGERPRINT_LEN];
    json_t *per = json_object(), *all = NULL;
    size_t i;
    int r = per ? 0 : ERR_NOMEM;

    for (i = 0; r == 0 && i < d->n_services; i++) {
        json_t *o = fingerprint_observed_json(d->services[i], &obs[i]);

        r = o ? fingerprint_json(fp, o) : ERR_NOMEM;
        json_decref(o);
        if (r == 0 && json_object_set_new(per, d->services[i]->name,
                                          json_string(fp)))
            r = ERR_NOMEM;
    }
    if (r == 0)
        r = fingerprint_sha256(ca_fp, ca_pem ? ca_pem : "",
                               ca_pem ? strlen(ca_pem) : 0);
    if (r == 0) {
        all = json_pack("{s:s, s:O}", "ca", ca_fp, "services", per);
        r = all ? fingerprint_json(out, all) : ERR_NOMEM;
        json_decref(all);
    }
    if (r) {
        json_decref(per);
        return r;
    }
    *per_out = per;
    return 0;
}
