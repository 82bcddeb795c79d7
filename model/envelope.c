#include "model/envelope.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "model/validate.h"

/*
 * The sections of an etls/v1 envelope besides its package options: access
 * (groups or permissions), verify (with its password reference) and
 * policies (docs/manifest.md "The envelope form").
 */

#define MODEL_MAX_LIST 100u           /* groups or permissions */

static const char *const actions[] = {"create", "read",   "update",
                                      "delete", "full",   NULL};
static const char *const healths[] = {"green", "yellow", "red", NULL};
static const char *const key_lost[] = {"rotate", "fail", NULL};

int envelope_group_add(struct doc_ctx *c, struct model_service *svc,
                       const char *g)
{
    char **n = realloc(svc->groups, (svc->n_groups + 1) * sizeof(*n));

    if (!n) {
        c->nomem = 1;
        return ERR_NOMEM;
    }
    svc->groups = n;
    n[svc->n_groups] = strdup(g);
    if (!n[svc->n_groups]) {
        c->nomem = 1;
        return ERR_NOMEM;
    }
    svc->n_groups++;
    return 0;
}

static int add_permission(struct doc_ctx *c, struct model_service *svc,
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

static void parse_groups(struct doc_ctx *c, json_t *arr,
                         struct model_service *svc)
{
    size_t i, j;
    json_t *v;

    doc_push(c, "groups");
    if (!json_is_array(arr)) {
        doc_diag_type(c, "an array of group ids", arr);
        goto out;
    }
    if (json_array_size(arr) == 0) {
        doc_diag(c, DOC_AT_VALUE,
                 "expected at least one group id (omit `access` for the "
                 "default [\"superusers\"])");
        goto out;
    }
    if (json_array_size(arr) > MODEL_MAX_LIST) {
        doc_diag(c, DOC_AT_VALUE, "expected at most %u groups, got %zu",
                 MODEL_MAX_LIST, json_array_size(arr));
        goto out;
    }
    json_array_foreach(arr, i, v) {
        const char *why;

        doc_push_index(c, i);
        if (!json_is_string(v)) {
            doc_diag_type(c, "a string", v);
        } else if ((why = model_check_gid(json_string_value(v)))) {
            doc_diag_value(c, why, v);
        } else {
            for (j = 0; j < i; j++) {
                if (json_equal(json_array_get(arr, j), v))
                    break;
            }
            if (j < i)
                doc_diag(c, DOC_AT_VALUE, "duplicate group \"%s\" (also at "
                         "index %zu); expected each group once",
                         json_string_value(v), j);
            else
                envelope_group_add(c, svc, json_string_value(v));
        }
        doc_pop(c);
    }
out:
    doc_pop(c);
}

static void parse_permissions(struct doc_ctx *c, json_t *perms,
                              struct model_service *svc, int *builtin)
{
    size_t i, j;
    json_t *v;

    doc_push(c, "permissions");
    if (json_is_string(perms)) {
        if (strcmp(json_string_value(perms), "transport-encryption") == 0)
            *builtin = 1;
        else
            doc_diag_value(c,
                           "expected \"transport-encryption\" or an array of "
                           "{\"rid\", \"action\"} objects",
                           perms);
        goto out;
    }
    if (!json_is_array(perms)) {
        doc_diag_type(c,
                      "\"transport-encryption\" or an array of "
                      "{\"rid\", \"action\"} objects",
                      perms);
        goto out;
    }
    if (json_array_size(perms) == 0) {
        doc_diag(c, DOC_AT_VALUE,
                 "expected at least one permission (omit `access` for the "
                 "default [\"superusers\"])");
        goto out;
    }
    if (json_array_size(perms) > MODEL_MAX_LIST) {
        doc_diag(c, DOC_AT_VALUE, "expected at most %u permissions, got %zu",
                 MODEL_MAX_LIST, json_array_size(perms));
        goto out;
    }
    json_array_foreach(perms, i, v) {
        const char *rid = NULL, *action = NULL;
        int ok = 1;

        doc_push_index(c, i);
        if (!json_is_object(v)) {
            doc_diag_type(c, "an object {\"rid\", \"action\"}", v);
            doc_pop(c);
            continue;
        }
        doc_diag_unknown_keys(c, v, model_envelope_keys("permission"));
        if (doc_get_string(c, v, "rid", model_check_rid, 0, &rid) == 0) {
            doc_push(c, "rid");
            doc_diag(c, DOC_AT_VALUE, "missing: expected a resource id such as "
                     "\"dcos:adminrouter:ops:ca:rw\"");
            doc_pop(c);
        }
        if (doc_get_enum(c, v, "action", actions, &action) == 0) {
            doc_push(c, "action");
            doc_diag(c, DOC_AT_VALUE, "missing: expected one of \"create\", "
                     "\"read\", \"update\", \"delete\", \"full\"");
            doc_pop(c);
        }
        ok = rid && action;
        for (j = 0; ok && j < svc->n_permissions; j++) {
            if (strcmp(svc->permissions[j].rid, rid) == 0 &&
                strcmp(svc->permissions[j].action, action) == 0) {
                doc_diag(c, DOC_AT_VALUE, "duplicate permission %s %s; "
                         "expected each rid/action pair once", rid, action);
                ok = 0;
            }
        }
        if (ok)
            add_permission(c, svc, rid, action);
        doc_pop(c);
    }
out:
    doc_pop(c);
}

void envelope_access_parse(struct doc_ctx *c, json_t *access,
                           struct model_service *svc, int *builtin,
                           int *explicit_access)
{
    json_t *groups, *perms;

    doc_push(c, "access");
    doc_diag_unknown_keys(c, access, model_envelope_keys("access"));
    groups = json_object_get(access, "groups");
    perms = json_object_get(access, "permissions");
    if (groups && perms) {
        doc_push(c, "permissions");
        doc_diag(c, DOC_AT_KEY,
                 "expected either groups or permissions, not both");
        doc_pop(c);
    } else if (groups) {
        parse_groups(c, groups, svc);
        *explicit_access = 1;
    } else if (perms) {
        parse_permissions(c, perms, svc, builtin);
        *explicit_access = 1;
    }
    if (*explicit_access && !*svc->account)
        doc_diag(c, DOC_AT_VALUE, "expected no access section while "
                 "options.service.service_account is empty (access is granted "
                 "to that account)");
    doc_pop(c);
}

static void parse_password(struct doc_ctx *c, json_t *pw,
                           struct model_service *svc)
{
    static const struct {
        const char *key;
        enum model_password_source src;
        doc_check_fn check;
    } kinds[] = {{"env", MODEL_PW_ENV, model_check_env_name},
                 {"file", MODEL_PW_FILE, model_check_file_path},
                 {"secret", MODEL_PW_SECRET, model_check_secret_path}};
    size_t i, n = 0;

    doc_push(c, "password");
    if (json_is_string(pw)) {
        /* Never echo the value. */
        doc_diag(c, DOC_AT_VALUE,
                 "a password is never accepted inline; expected "
                 "{\"env\": \"VARIABLE\"}, {\"file\": \"/absolute/path\"} or "
                 "{\"secret\": \"secret/path\"}");
        goto out;
    }
    if (!json_is_object(pw)) {
        doc_diag_type(c,
                      "an object {\"env\": ...}, {\"file\": ...} or "
                      "{\"secret\": ...}",
                      pw);
        goto out;
    }
    doc_diag_unknown_keys(c, pw, model_envelope_keys("password"));
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        const char *s = NULL;

        if (!json_object_get(pw, kinds[i].key))
            continue;
        n++;
        if (doc_get_string(c, pw, kinds[i].key, kinds[i].check, 0, &s) != 1)
            continue;
        svc->verify_password_source = kinds[i].src;
        doc_set_str(c, &svc->verify_password_ref, s);
    }
    if (n != 1)
        doc_diag(c, DOC_AT_VALUE, "expected exactly one of env, file, "
                 "secret; got %zu", n);
out:
    doc_pop(c);
}

void envelope_verify_parse(struct doc_ctx *c, json_t *verify,
                           struct model_service *svc)
{
    const char *s;
    json_t *pw;

    doc_push(c, "verify");
    doc_diag_unknown_keys(c, verify, model_envelope_keys("verify"));
    doc_get_bool(c, verify, "enabled", &svc->verify);
    if (doc_get_string(c, verify, "endpoint", model_check_endpoint, 0, &s) == 1)
        doc_set_str(c, &svc->verify_endpoint, s);
    if (doc_get_string(c, verify, "user", model_check_basic_user, 0, &s) == 1)
        doc_set_str(c, &svc->verify_user, s);
    if ((pw = json_object_get(verify, "password")))
        parse_password(c, pw, svc);
    if (doc_get_enum(c, verify, "health", healths, &s) == 1)
        doc_set_str(c, &svc->verify_health, s);
    doc_pop(c);
}

void envelope_policies_parse(struct doc_ctx *c, json_t *pol,
                             struct model_service *svc)
{
    const char *s;

    doc_push(c, "policies");
    doc_diag_unknown_keys(c, pol, model_envelope_keys("policies"));
    if (doc_get_enum(c, pol, "keyLost", key_lost, &s) == 1)
        svc->key_lost = strcmp(s, "fail") == 0 ? MODEL_KEY_LOST_FAIL
                                               : MODEL_KEY_LOST_ROTATE;
    doc_get_bool(c, pol, "restoreUpdateStrategy",
                 &svc->restore_update_strategy);
    doc_pop(c);
}
