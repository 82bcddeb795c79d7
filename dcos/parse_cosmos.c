/*
 * Parsers of Cosmos answers (dcos-api.md 8): the error envelope and its
 * one-line summary, service and package describe, package list, update and
 * install responses.  See parse.h.
 */
#include "parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "dcos/jfield.h"

static const struct jfield cosmos_error_fields[] = {
    JFIELD(struct dcos_cosmos_error, type, "type", true),
    JFIELD(struct dcos_cosmos_error, message, "message", true),
};

static const struct jfield describe_fields[] = {
    JFIELD(struct dcos_service_desc, package_name, "name", true),
    JFIELD(struct dcos_service_desc, package_version, "version", true),
};

static const struct jfield package_desc_fields[] = {
    JFIELD(struct dcos_package_desc, name, "name", true),
    JFIELD(struct dcos_package_desc, version, "version", true),
};

static const struct jfield installed_fields[] = {
    JFIELD(struct dcos_installed, app_id, "appId", true),
};

static const struct jfield definition_fields[] = {
    JFIELD(struct dcos_installed, name, "name", false),
    JFIELD(struct dcos_installed, version, "version", false),
};

static const struct jfield update_fields[] = {
    JFIELD(struct dcos_update_result, package_name, "name", false),
    JFIELD(struct dcos_update_result, package_version, "version", false),
};

static const struct jfield install_fields[] = {
    JFIELD(struct dcos_install_result, package_name, "packageName", false),
    JFIELD(struct dcos_install_result, package_version, "packageVersion",
           false),
    JFIELD(struct dcos_install_result, app_id, "appId", false),
};

void dcos_cosmos_error_free(struct dcos_cosmos_error *e)
{
    if (!e)
        return;
    free(e->type);
    free(e->message);
    json_decref(e->data);
    free(e);
}

int dcos_parse_cosmos_error(struct dcos_cosmos_error **out, const json_t *j)
{
    struct dcos_cosmos_error *e;
    const json_t *data;
    int r;

    if (jfield_check(j, cosmos_error_fields, JFIELD_N(cosmos_error_fields)))
        return ERR_INVALID;
    e = calloc(1, sizeof(*e));
    if (!e)
        return ERR_NOMEM;
    r = jfield_copy(e, j, cosmos_error_fields, JFIELD_N(cosmos_error_fields));
    if (r) {
        dcos_cosmos_error_free(e);
        return r;
    }
    data = json_object_get(j, "data");
    if (data)
        e->data = json_incref((json_t *)data);
    *out = e;
    return 0;
}

/* Append printf output to a fixed buffer, truncating silently. */
static void out_append(char *out, size_t n, size_t *pos, const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));

static void out_append(char *out, size_t n, size_t *pos, const char *fmt,
                       ...)
{
    va_list ap;
    int w;

    if (*pos + 1 >= n)
        return;
    va_start(ap, fmt);
    w = vsnprintf(out + *pos, n - *pos, fmt, ap);
    va_end(ap);
    if (w < 0)
        return;
    *pos += (size_t)w;
    if (*pos >= n)
        *pos = n - 1;
}

/* Replace control characters so the text stays on one line. */
static void one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
}

void dcos_cosmos_error_format(const struct dcos_cosmos_error *e, char *out,
                              size_t n)
{
    size_t pos = 0, i;
    const json_t *v;

    if (n == 0)
        return;
    out[0] = '\0';
    out_append(out, n, &pos, "%s: %s", e->type, e->message);
    if (strcmp(e->type, "JsonSchemaMismatch") == 0) {
        v = json_object_get(e->data, "errors");
        for (i = 0; i < json_array_size(v); i++) {
            const json_t *er = json_array_get(v, i);
            const json_t *ptr = json_object_get(json_object_get(er,
                                                                "instance"),
                                                "pointer");
            const json_t *msg = json_object_get(er, "message");

            out_append(out, n, &pos, "; %s: %s",
                       json_is_string(ptr) && *json_string_value(ptr)
                           ? json_string_value(ptr)
                           : "/",
                       json_is_string(msg) ? json_string_value(msg) : "?");
        }
    } else if (strcmp(e->type, "BadVersionUpdate") == 0) {
        v = json_object_get(e->data, "validVersions");
        out_append(out, n, &pos, " (valid versions:");
        for (i = 0; i < json_array_size(v); i++)
            if (json_is_string(json_array_get(v, i)))
                out_append(out, n, &pos, " %s",
                           json_string_value(json_array_get(v, i)));
        out_append(out, n, &pos, "%s)",
                   json_array_size(v) == 0 ? " none" : "");
    } else if (strcmp(e->type, "AppIdChanged") == 0) {
        const json_t *a = json_object_get(e->data, "oldAppId");
        const json_t *b = json_object_get(e->data, "newAppId");

        if (json_is_string(a) && json_is_string(b))
            out_append(out, n, &pos, " (%s -> %s)", json_string_value(a),
                       json_string_value(b));
    }
    one_line(out);
}

void dcos_service_desc_free(struct dcos_service_desc *d)
{
    if (!d)
        return;
    free(d->package_name);
    free(d->package_version);
    json_decref(d->resolved_options);
    json_decref(d->user_options);
    dcos_string_array_free(d->upgrades_to, d->n_upgrades_to);
    dcos_string_array_free(d->downgrades_to, d->n_downgrades_to);
    free(d);
}

static const struct dcos_json_keep describe_package_keep[] = {
    {"name", NULL, 0},
    {"version", NULL, 0},
};

const struct dcos_json_keep
    dcos_service_describe_keep[DCOS_SERVICE_DESCRIBE_N_KEEP] = {
        {"package", describe_package_keep, 2},
        {"upgradesTo", NULL, 0},
        {"downgradesTo", NULL, 0},
        {"resolvedOptions", NULL, 0},
        {"userProvidedOptions", NULL, 0},
};

int dcos_parse_service_describe(struct dcos_service_desc **out,
                                const json_t *j)
{
    const json_t *pkg = json_object_get(j, "package");
    struct dcos_service_desc *d;
    int r;

    if (jfield_check(pkg, describe_fields, JFIELD_N(describe_fields)))
        return ERR_INVALID;
    d = calloc(1, sizeof(*d));
    if (!d)
        return ERR_NOMEM;
    r = jfield_copy(d, pkg, describe_fields, JFIELD_N(describe_fields));
    if (r == 0)
        r = jfield_strings(&d->upgrades_to, &d->n_upgrades_to,
                           json_object_get(j, "upgradesTo"));
    if (r == 0)
        r = jfield_strings(&d->downgrades_to, &d->n_downgrades_to,
                           json_object_get(j, "downgradesTo"));
    if (r) {
        dcos_service_desc_free(d);
        return r;
    }
    d->resolved_options = jfield_object_ref(j, "resolvedOptions");
    d->user_options = jfield_object_ref(j, "userProvidedOptions");
    *out = d;
    return 0;
}

void dcos_package_desc_free(struct dcos_package_desc *d)
{
    if (!d)
        return;
    free(d->name);
    free(d->version);
    json_decref(d->config);
    free(d);
}

int dcos_parse_package_describe(struct dcos_package_desc **out,
                                const json_t *j)
{
    const json_t *pkg = json_object_get(j, "package");
    struct dcos_package_desc *d;
    const json_t *config;
    int r;

    if (jfield_check(pkg, package_desc_fields,
                     JFIELD_N(package_desc_fields)))
        return ERR_INVALID;
    config = json_object_get(pkg, "config");
    if (config && !json_is_object(config))
        return ERR_INVALID;
    d = calloc(1, sizeof(*d));
    if (!d)
        return ERR_NOMEM;
    r = jfield_copy(d, pkg, package_desc_fields,
                    JFIELD_N(package_desc_fields));
    if (r) {
        dcos_package_desc_free(d);
        return r;
    }
    d->config = config ? json_incref((json_t *)config) : NULL;
    *out = d;
    return 0;
}

void dcos_package_list_clear(struct dcos_package_list *l)
{
    size_t i;

    if (!l)
        return;
    for (i = 0; i < l->n; i++) {
        free(l->items[i].app_id);
        free(l->items[i].name);
        free(l->items[i].version);
    }
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

int dcos_parse_package_list(struct dcos_package_list *out, const json_t *j)
{
    const json_t *pkgs = json_object_get(j, "packages");
    struct dcos_package_list l = { NULL, 0 };
    size_t i;
    void *items;
    int r = jfield_list_alloc(&items, pkgs, sizeof(*l.items));

    if (r)
        return r;
    l.items = items;
    for (i = 0; r == 0 && i < json_array_size(pkgs); i++) {
        const json_t *p = json_array_get(pkgs, i);
        const json_t *def = json_object_get(
            json_object_get(p, "packageInformation"), "packageDefinition");
        struct dcos_installed *e = &l.items[l.n];

        if (!json_is_string(json_object_get(p, "appId")) ||
            !json_is_object(def)) {
            r = ERR_INVALID;
            break;
        }
        l.n++;
        r = jfield_copy(e, p, installed_fields, JFIELD_N(installed_fields));
        if (r == 0)
            r = jfield_copy(e, def, definition_fields,
                            JFIELD_N(definition_fields));
        if (r == 0 && (!e->name || !e->version))
            r = ERR_INVALID;
    }
    if (r) {
        dcos_package_list_clear(&l);
        return r;
    }
    *out = l;
    return 0;
}

static const char *skip_slash(const char *s)
{
    return *s == '/' ? s + 1 : s;
}

const struct dcos_installed *
dcos_package_list_find(const struct dcos_package_list *l, const char *app_id)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (strcmp(skip_slash(l->items[i].app_id), skip_slash(app_id)) == 0)
            return &l->items[i];
    return NULL;
}

void dcos_update_result_free(struct dcos_update_result *u)
{
    if (!u)
        return;
    free(u->deployment_id);
    free(u->package_name);
    free(u->package_version);
    json_decref(u->resolved_options);
    free(u);
}

int dcos_parse_update_response(struct dcos_update_result **out,
                               const json_t *j)
{
    const json_t *pkg = json_object_get(j, "package");
    struct dcos_update_result *u;
    int r;

    if (!json_is_object(j) || !json_is_object(pkg))
        return ERR_INVALID;
    u = calloc(1, sizeof(*u));
    if (!u)
        return ERR_NOMEM;
    r = jfield_string(&u->deployment_id, j, "marathonDeploymentId");
    if (r == 0)
        r = jfield_copy(u, pkg, update_fields, JFIELD_N(update_fields));
    if (r) {
        dcos_update_result_free(u);
        return r;
    }
    u->resolved_options = jfield_object_ref(j, "resolvedOptions");
    *out = u;
    return 0;
}

void dcos_install_result_free(struct dcos_install_result *i)
{
    if (!i)
        return;
    free(i->package_name);
    free(i->package_version);
    free(i->app_id);
    free(i);
}

int dcos_parse_install_response(struct dcos_install_result **out,
                                const json_t *j)
{
    struct dcos_install_result *i;
    int r;

    if (!json_is_object(j) ||
        !(json_is_string(json_object_get(j, "appId")) ||
          json_is_string(json_object_get(j, "packageName"))))
        return ERR_INVALID;
    i = calloc(1, sizeof(*i));
    if (!i)
        return ERR_NOMEM;
    r = jfield_copy(i, j, install_fields, JFIELD_N(install_fields));
    if (r) {
        dcos_install_result_free(i);
        return r;
    }
    *out = i;
    return 0;
}
