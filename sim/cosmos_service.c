/*
 * dcos-sim Cosmos service operations: /cosmos/service/describe and
 * /cosmos/service/update.  See cosmos_service.h.
 */
#include "sim/cosmos_service.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonschema_defaults.h"
#include "common/util.h"
#include "sim/catalog.h"
#include "sim/cosmos_apps.h"
#include "sim/cosmos_labels.h"
#include "sim/cosmos_request.h"
#include "sim/http.h"
#include "sim/sdk.h"
#include "sim/state.h"

#define SVC_MT(kind, v)                                                       \
    "application/vnd.dcos.service." kind "+json;charset=utf-8;version=" v

static const struct cosmos_field svc_describe_fields[] = {
    { "appId", COSMOS_F_STRING, 1 },
    { "managerId", COSMOS_F_STRING, 0 },
    { "packageName", COSMOS_F_STRING, 0 },
    { "packageVersion", COSMOS_F_STRING, 0 },
    { NULL, COSMOS_F_STRING, 0 }
};

/* The installed app @app_id (normalized), or NULL after answering. */
static json_t *app_or_answer(struct sim *s, struct sim_resp *r,
                             const char *req_id, char **norm_out)
{
    char *norm = cosmos_app_id_norm(req_id);
    json_t *apps = cosmos_apps(s), *app;

    *norm_out = NULL;
    if (!norm || !apps) {
        free(norm);
        cosmos_resp_nomem(r);
        return NULL;
    }
    app = json_object_get(apps, norm);
    if (!app || !cosmos_app_pkg(app)) {
        cosmos_resp_app_not_found(r, norm);
        free(norm);
        return NULL;
    }
    *norm_out = norm;
    return app;
}

/* Cap of a service describe answer (the definition is ~70 KB). */
#define SIM_DESCRIBE_MAX (16u * 1024u * 1024u)

/* Append the compact JSON of @v to @b (a member of a describe answer). */
static int put_json(struct buf *b, const char *name, const json_t *v)
{
    char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    int r = t ? buf_printf(b, ",\"%s\":%s", name, t) : ERR_NOMEM;

    free(t);
    return r;
}

static void op_svc_describe(struct sim *s, const json_t *body, int version,
                            const char *rtype, struct sim_resp *r)
{
    char *norm;
    json_t *app, *up, *down, *resolved;
    const struct catalog_pkg *p;
    const json_t *user;
    const char *pkg;
    struct buf b;
    int rc;

    (void)version;
    app = app_or_answer(
        s, r, json_string_value(json_object_get(body, "appId")), &norm);
    if (!app)
        return;
    p = cosmos_app_pkg(app);
    user = json_object_get(app, "userProvidedOptions");
    /* the package definition is the same for every service of a version:
     * its text is made once (catalog_package_definition_text) */
    pkg = catalog_package_definition_text(p);
    up = catalog_versions_to(p, 1);
    down = catalog_versions_to(p, 0);
    resolved = jsonschema_merge(p->defaults, user);
    buf_init(&b, SIM_DESCRIBE_MAX);
    rc = pkg && up && down && resolved ? 0 : ERR_NOMEM;
    if (rc == 0)
        rc = buf_printf(&b, "{\"package\":%s", pkg);
    if (rc == 0)
        rc = put_json(&b, "upgradesTo", up);
    if (rc == 0)
        rc = put_json(&b, "downgradesTo", down);
    if (rc == 0)
        rc = put_json(&b, "resolvedOptions", resolved);
    if (rc == 0 && user)
        rc = put_json(&b, "userProvidedOptions", user);
    if (rc == 0)
        rc = buf_puts(&b, "}");
    if (rc)
        cosmos_resp_nomem(r);
    else
        sim_resp_raw(r, 200, rtype ? rtype : "application/json", b.data,
                     b.len);
    buf_free(&b);
    json_decref(up);
    json_decref(down);
    json_decref(resolved);
    free(norm);
}

static const struct cosmos_field svc_update_fields[] = {
    { "appId", COSMOS_F_STRING, 1 },
    { "packageVersion", COSMOS_F_STRING, 0 },
    { "options", COSMOS_F_OBJECT, 0 },
    { "replace", COSMOS_F_BOOL, 1 },
    { "managerId", COSMOS_F_STRING, 0 },
    { "packageName", COSMOS_F_STRING, 0 },
    { "currentPackageVersion", COSMOS_F_STRING, 0 },
    { NULL, COSMOS_F_STRING, 0 }
};

/* 1 when @ver is in the JSON string array @list. */
static int in_list(const json_t *list, const char *ver)
{
    size_t i;
    json_t *v;

    json_array_foreach(list, i, v) {
        if (strcmp(json_string_value(v), ver) == 0)
            return 1;
    }
    return 0;
}

static void op_svc_update(struct sim *s, const json_t *body, int version,
                          const char *rtype, struct sim_resp *r)
{
    const char *want_ver = json_string_value(json_object_get(
        body, "packageVersion"));
    const json_t *provided = json_object_get(body, "options");
    int replace = json_is_true(json_object_get(body, "replace"));
    char *norm = NULL, *new_id = NULL, *dep = NULL;
    json_t *app, *valid = NULL, *user = NULL, *resolved = NULL,
           *labels = NULL;
    json_t *pkg = NULL;
    const struct catalog_pkg *cur, *target;
    const char *svc, *name;
    int rc;

    (void)version;
    app = app_or_answer(
        s, r, json_string_value(json_object_get(body, "appId")), &norm);
    if (!app)
        return;
    cur = cosmos_app_pkg(app);
    target = cur;
    if (want_ver && strcmp(want_ver, cur->version) != 0) {
        json_t *down = catalog_versions_to(cur, 0);

        valid = catalog_versions_to(cur, 1);
        if (!valid || !down || json_array_extend(valid, down) != 0) {
            json_decref(down);
            cosmos_resp_nomem(r);
            goto out;
        }
        json_decref(down);
        target = in_list(valid, want_ver) ? catalog_find(cur->name, want_ver)
                                          : NULL;
        if (!target) {
            sim_resp_cosmos_error(r, 400, "BadVersionUpdate",
                                  json_pack("{s:s, s:s, s:O}",
                                            "currentVersion", cur->version,
                                            "updateVersion", want_ver,
                                            "validVersions", valid),
                                  "The service of version %s cannot update "
                                  "to the requested version %s",
                                  cur->version, want_ver);
            goto out;
        }
    }
    /* ServiceUpdateHandler.mergeStoredAndProvided */
    if (replace)
        user = provided ? json_deep_copy(provided) : json_object();
    else
        user = jsonschema_merge(json_object_get(app, "userProvidedOptions"),
                                provided);
    if (!user) {
        cosmos_resp_nomem(r);
        goto out;
    }
    resolved = cosmos_resolve_or_answer(r, target, user);
    if (!resolved)
        goto out;
    svc = json_string_value(json_object_get(
        json_object_get(resolved, "service"), "name"));
    new_id = cosmos_app_id_norm(svc ? svc : "");
    if (!new_id) {
        cosmos_resp_nomem(r);
        goto out;
    }
    if (strcmp(new_id, norm) != 0) {
        sim_resp_cosmos_error(r, 400, "AppIdChanged",
                              json_pack("{s:s, s:s}", "newAppId", new_id,
                                        "oldAppId", norm),
                              "The new appId %s must be equal to the old "
                              "appId %s", new_id, norm);
        goto out;
    }
    name = json_string_value(json_object_get(app, "name"));
    labels = cosmos_labels(target, user);
    if (!labels) {
        cosmos_resp_nomem(r);
        goto out;
    }
    rc = sim_sdk_update(s, name, target->version, resolved, labels);
    if (rc == ERR_CONFLICT) {
        /* Marathon's 409, which Cosmos wraps (dcos-commons
         * marathon-error.json): the message keeps Marathon's placeholder,
         * the blocking deployment is listed */
        const char *blocking = sim_sdk_deployment(s, name);

        sim_resp_cosmos_error(
            r, 500, "unhandled_exception", NULL,
            "java.lang.Error: {\"message\":\"App is locked by one or more "
            "deployments. Override with the option '?force=true'. View "
            "details at '/v2/deployments/<DEPLOYMENT_ID>'.\","
            "\"deployments\":[{\"id\":\"%s\"}]}",
            blocking ? blocking : "");
        goto out;
    }
    if (rc == ERR_NOTFOUND) {
        cosmos_resp_app_not_found(r, norm);
        goto out;
    }
    if (rc != 0) {
        sim_resp_cosmos_error(r, 500, "unhandled_exception", NULL,
                              "the scheduler of %s could not be updated "
                              "(%s)", norm, err_name(rc));
        goto out;
    }
    if (json_object_set(app, "userProvidedOptions", user) != 0 ||
        json_object_set(app, "resolvedOptions", resolved) != 0 ||
        json_object_set_new(app, "packageVersion",
                            json_string(target->version)) != 0 ||
        json_object_set_new(app, "releaseVersion",
                            json_integer(target->release)) != 0) {
        cosmos_resp_nomem(r);
        goto out;
    }
    sim_state_touch(s, "cosmos", "apps", norm);
    pkg = catalog_package_definition(target);
    dep = util_strdup(sim_sdk_deployment(s, name));
    if (!pkg || !dep) {
        json_decref(pkg);
        cosmos_resp_nomem(r);
        goto out;
    }
    sim_resp_json(r, 200,
                  json_pack("{s:o, s:O, s:s}", "package", pkg,
                            "resolvedOptions", resolved,
                            "marathonDeploymentId", dep),
                  rtype);
out:
    json_decref(valid);
    json_decref(user);
    json_decref(resolved);
    json_decref(labels);
    free(norm);
    free(new_id);
    free(dep);
}

/* ------------------------------------------------------------------ */
/* Operations                                                         */
/* ------------------------------------------------------------------ */

const struct cosmos_op cosmos_op_svc_describe = {
    SVC_MT("describe-request", "v1"),
    { SVC_MT("describe-response", "v1"), NULL, NULL },
    { 1, 0 }, svc_describe_fields, op_svc_describe
};

const struct cosmos_op cosmos_op_svc_update = {
    SVC_MT("update-request", "v1"),
    { SVC_MT("update-response", "v1"), NULL, NULL },
    { 1, 0 }, svc_update_fields, op_svc_update
};
