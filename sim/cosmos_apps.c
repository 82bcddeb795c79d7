/*
 * dcos-sim Cosmos installed packages: the "cosmos" section of the state,
 * and the answers the Cosmos operations share.  See cosmos_apps.h.
 */
#include "sim/cosmos_apps.h"

#include <float.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
#include "common/jsonschema.h"
#include "common/jsonschema_defaults.h"
#include "sim/catalog.h"
#include "sim/http.h"
#include "sim/marathon.h"
#include "sim/sdk.h"
#include "sim/state.h"

#define COSMOS_JANITOR_S 10.0     /* ServiceUninstaller: between checks */
#define COSMOS_JANITOR_TRIES 10000 /* then it gives up */

/* The earliest janitorAt of an uninstalling app (0: not known, scan at
 * the next tick), so that the janitor does not scan every app at every
 * tick. */
static double g_janitor_next;

/* See cosmos_apps.h. */
json_t *cosmos_apps(struct sim *s)
{
    json_t *sec = sim_state_section(s, "cosmos");
    json_t *apps = json_object_get(sec, "apps");

    if (!json_is_object(apps)) {
        apps = json_object();
        if (!apps || json_object_set_new(sec, "apps", apps) != 0)
            return NULL;
    }
    return apps;
}

/* See cosmos_apps.h. */
char *cosmos_app_id_norm(const char *id)
{
    size_t n = strlen(id) + 2;
    char *out = malloc(n);

    if (out)
        snprintf(out, n, "%s%s", id[0] == '/' ? "" : "/", id);
    return out;
}

/* See cosmos_apps.h. */
void cosmos_reap(struct sim *s)
{
    static bool reaped;
    static unsigned long removals;
    json_t *apps = cosmos_apps(s);
    const char *id;
    json_t *app, *tmp;

    /* an app loses its service only when a service is removed */
    if (!apps || (reaped && removals == sim_sdk_removals()))
        return;
    reaped = true;
    removals = sim_sdk_removals();
    json_object_foreach_safe(apps, tmp, id, app) {
        const char *name = json_string_value(json_object_get(app, "name"));

        if (!name || !sim_sdk_exists(s, name)) {
            sim_state_touch(s, "cosmos", "apps", id);
            json_object_del(apps, id);
        }
    }
}

/* See cosmos_apps.h. */
int cosmos_janitor_start(struct sim *s, json_t *app)
{
    if (json_object_set_new(app, "uninstalling", json_true()) != 0 ||
        json_object_set_new(app, "janitorAt",
                            json_real(sim_now(s) + COSMOS_JANITOR_S)) != 0 ||
        json_object_set_new(app, "janitorTries", json_integer(0)) != 0)
        return ERR_NOMEM;
    g_janitor_next = 0;
    sim_state_touch(s, "cosmos", "apps",
                    json_string_value(json_object_get(app, "appId")));
    return 0;
}

/* See cosmos_apps.h. */
void cosmos_janitor_tick(struct sim *s, double now)
{
    json_t *apps = cosmos_apps(s), *app, *tmp;
    const char *id;
    double next = DBL_MAX;

    if (!apps || (g_janitor_next > 0 && now < g_janitor_next))
        return;
    json_object_foreach_safe(apps, tmp, id, app) {
        const char *name = json_string_value(json_object_get(app, "name"));
        json_t *at = json_object_get(app, "janitorAt");
        json_int_t tries =
            json_integer_value(json_object_get(app, "janitorTries"));

        if (!json_is_true(json_object_get(app, "uninstalling")) ||
            !json_is_number(at))
            continue;
        if (now < json_number_value(at)) {
            if (json_number_value(at) < next)
                next = json_number_value(at);
            continue;
        }
        if (now + COSMOS_JANITOR_S < next)
            next = now + COSMOS_JANITOR_S; /* checked again, or gone */
        sim_state_touch(s, "cosmos", "apps", id);
        if (name && sim_sdk_uninstalled(s, name)) {
            /* DELETE /v2/apps/<id>: the package leaves /package/list */
            marathon_app_delete(s, id);
            json_object_del(apps, id);
        } else if (tries + 1 >= COSMOS_JANITOR_TRIES) {
            /* given up: the app stays as it is */
            json_object_set_new(app, "janitorAt", json_null());
        } else {
            json_object_set_new(app, "janitorTries",
                                json_integer(tries + 1));
            json_object_set_new(app, "janitorAt",
                                json_real(now + COSMOS_JANITOR_S));
        }
    }
    g_janitor_next = next;
}

/* See cosmos_apps.h. */
const struct catalog_pkg *cosmos_app_pkg(const json_t *app)
{
    return catalog_find(json_string_value(json_object_get(app, "packageName")),
                        json_string_value(json_object_get(app,
                                                          "packageVersion")));
}

/* See cosmos_apps.h. */
void cosmos_resp_nomem(struct sim_resp *r)
{
    sim_resp_cosmos_error(r, 500, "unhandled_exception", NULL,
                          "java.lang.OutOfMemoryError");
}

/* See cosmos_apps.h. */
void cosmos_resp_app_not_found(struct sim_resp *r, const char *app_id)
{
    sim_resp_cosmos_error(r, 400, "MarathonAppNotFound",
                          json_pack("{s:s}", "appId", app_id),
                          "Unable to locate service with marathon appId: "
                          "'%s'", app_id);
}

/* 400 PackageNotFound or VersionNotFound; returns the package or NULL
 * after answering. */
const struct catalog_pkg *cosmos_find_or_answer(struct sim_resp *r,
                                                const char *name,
                                                const char *version)
{
    const struct catalog_pkg *p = catalog_find(name, version);

    if (p)
        return p;
    if (!catalog_has_name(name) || !version)
        sim_resp_cosmos_error(r, 400, "PackageNotFound",
                              json_pack("{s:s}", "packageName", name),
                              "Package [%s] not found", name);
    else
        sim_resp_cosmos_error(r, 400, "VersionNotFound",
                              json_pack("{s:s, s:s}", "packageName", name,
                                        "packageVersion", version),
                              "Version [%s] of package [%s] not found",
                              version, name);
    return NULL;
}

/* See cosmos_apps.h. */
json_t *cosmos_resolve_or_answer(struct sim_resp *r,
                                 const struct catalog_pkg *p,
                                 const json_t *user)
{
    json_t *resolved = jsonschema_merge(p->defaults, user);
    json_t *errors;
    int rc;

    if (!resolved) {
        cosmos_resp_nomem(r);
        return NULL;
    }
    if (!p->config) {
        if (json_object_size(resolved) > 0) {
            sim_resp_cosmos_error(r, 400, "OptionsNotAllowed", NULL,
                                  "No schema available to validate the "
                                  "provided options");
            json_decref(resolved);
            return NULL;
        }
        return resolved;
    }
    errors = json_array();
    rc = errors ? jsonschema_validate(p->config, resolved, errors, 0)
                : ERR_NOMEM;
    if (rc == 0) {
        json_decref(errors);
        return resolved;
    }
    json_decref(resolved);
    if (rc == 1)
        sim_resp_cosmos_error(r, 400, "JsonSchemaMismatch",
                              json_pack("{s:o}", "errors", errors),
                              "Options JSON failed validation");
    else {
        json_decref(errors);
        sim_resp_cosmos_error(r, 500, "unhandled_exception", NULL,
                              "the package options schema of %s %s cannot "
                              "be used (%s)", p->name, p->version,
                              err_name(rc));
    }
    return NULL;
}
