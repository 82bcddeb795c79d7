/*
 * dcos-sim Cosmos package operations: /package/install, list, describe,
 * list-versions, search, repository/list and uninstall.  See
 * cosmos_package.h.
 */
#include "sim/cosmos_package.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
#include "sim/catalog.h"
#include "sim/cosmos_apps.h"
#include "sim/cosmos_labels.h"
#include "sim/cosmos_request.h"
#include "sim/http.h"
#include "sim/sdk.h"
#include "sim/state.h"

#define PKG_MT(kind, v)                                                       \
    "application/vnd.dcos.package." kind "+json;charset=utf-8;version=" v

/* A Marathon path segment ("must fully match" Marathon's id pattern). */
static int marathon_segment_ok(const char *b, size_t n)
{
    size_t i = 0;

    if (n == 0)
        return 0;
    if ((n == 1 && b[0] == '.') || (n == 2 && b[0] == '.' && b[1] == '.'))
        return 1;
    /* ((label)\.)*(label), label = [a-z0-9]([a-z0-9-]*[a-z0-9])? */
    while (i < n) {
        size_t start = i;

        while (i < n && b[i] != '.')
            i++;
        if (i == start)
            return 0;
        for (size_t k = start; k < i; k++) {
            char c = b[k];

            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-'))
                return 0;
        }
        if (b[start] == '-' || b[i - 1] == '-')
            return 0;
        if (i < n)
            i++; /* the dot */
        if (i == n && b[n - 1] == '.')
            return 0;
    }
    return 1;
}

static int marathon_id_ok(const char *app_id)
{
    const char *p = app_id + 1;

    if (app_id[0] != '/' || !*p)
        return 0;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);

        if (!marathon_segment_ok(p, n))
            return 0;
        if (!slash)
            return 1;
        p = slash + 1;
    }
}

/* ------------------------------------------------------------------ */
/* /package/install                                                   */
/* ------------------------------------------------------------------ */

static const struct cosmos_field install_fields[] = {
    { "packageName", COSMOS_F_STRING, 1 },
    { "packageVersion", COSMOS_F_STRING, 0 },
    { "options", COSMOS_F_OBJECT, 0 },
    { "appId", COSMOS_F_STRING, 0 },
    { "managerId", COSMOS_F_STRING, 0 },
    { NULL, COSMOS_F_STRING, 0 }
};

static void op_install(struct sim *s, const json_t *body, int version,
                       const char *rtype, struct sim_resp *r)
{
    const char *name = json_string_value(json_object_get(body,
                                                         "packageName"));
    const char *ver = json_string_value(json_object_get(body,
                                                        "packageVersion"));
    const char *req_app = json_string_value(json_object_get(body, "appId"));
    const json_t *opts = json_object_get(body, "options");
    const struct catalog_pkg *p;
    json_t *user = NULL, *resolved = NULL, *apps, *rec = NULL, *out = NULL,
           *labels = NULL;
    const char *svc;
    char *app_id = NULL, *want = NULL;
    int rc;

    p = cosmos_find_or_answer(r, name, ver);
    if (!p)
        return;
    user = json_is_object(opts) ? json_deep_copy(opts) : json_object();
    if (!user) {
        cosmos_resp_nomem(r);
        goto out;
    }
    resolved = cosmos_resolve_or_answer(r, p, user);
    if (!resolved)
        goto out;
    svc = json_string_value(json_object_get(
        json_object_get(resolved, "service"), "name"));
    if (!svc || !p->template_b64) {
        sim_resp_cosmos_error(r, 400, "ServiceMarathonTemplateNotFound",
                              json_pack("{s:s, s:s}", "packageName", p->name,
                                        "packageVersion", p->version),
                              "Package: [%s] version: [%s] does not have a "
                              "Marathon template defined and can not be "
                              "rendered", p->name, p->version);
        goto out;
    }
    want = cosmos_app_id_norm(svc);
    app_id = cosmos_app_id_norm(req_app ? req_app : svc);
    apps = cosmos_apps(s);
    if (!want || !app_id || !apps) {
        cosmos_resp_nomem(r);
        goto out;
    }
    if (!marathon_id_ok(app_id)) {
        sim_resp_cosmos_error(
            r, 400, "MarathonBadResponse",
            json_pack("{s:[{s:s, s:[s]}]}", "errors", "path", "/id",
                      "errors",
                      "must fully match regular expression '^(([a-z0-9]|"
                      "[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9]"
                      "[a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$'"),
            "Object is not valid");
        goto out;
    }
    if (strcmp(app_id, want) != 0) {
        sim_resp_cosmos_error(r, 400, "NotImplemented", NULL,
                              "dcos-sim runs an SDK service only under the "
                              "app id of its service.name (%s), not %s",
                              want, app_id);
        goto out;
    }
    if (json_object_get(apps, app_id) || sim_sdk_exists(s, svc)) {
        sim_resp_cosmos_error(r, 409, "PackageAlreadyInstalled", NULL,
                              "Package is already installed");
        goto out;
    }
    labels = cosmos_labels(p, user);
    if (!labels) {
        cosmos_resp_nomem(r);
        goto out;
    }
    rc = sim_sdk_install(s, svc, p->name, p->version, resolved, labels);
    if (rc == ERR_CONFLICT) {
        sim_resp_cosmos_error(r, 409, "PackageAlreadyInstalled", NULL,
                              "Package is already installed");
        goto out;
    }
    if (rc != 0) {
        sim_resp_cosmos_error(r, 500, "unhandled_exception", NULL,
                              "the scheduler of %s could not be started "
                              "(%s)", app_id, err_name(rc));
        goto out;
    }
    rec = json_pack("{s:s, s:s, s:s, s:s, s:I, s:O, s:O, s:b}",
                    "appId", app_id, "name", svc, "packageName", p->name,
                    "packageVersion", p->version, "releaseVersion",
                    p->release, "userProvidedOptions", user,
                    "resolvedOptions", resolved, "uninstalling", 0);
    if (!rec || json_object_set_new(apps, app_id, rec) != 0) {
        cosmos_resp_nomem(r);
        goto out;
    }
    sim_state_touch(s, "cosmos", "apps", app_id);
    out = json_pack("{s:s, s:s, s:s}", "packageName", p->name,
                    "packageVersion", p->version, "appId", app_id);
    if (out && version == 2) {
        if (catalog_copy_member(out, p->package, "postInstallNotes") != 0 ||
            catalog_copy_member(out, p->resource, "cli") != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    if (!out) {
        cosmos_resp_nomem(r);
        goto out;
    }
    sim_resp_json(r, 200, out, rtype);
out:
    json_decref(user);
    json_decref(resolved);
    json_decref(labels);
    free(app_id);
    free(want);
}

/* ------------------------------------------------------------------ */
/* /package/list, describe, list-versions, search, repository/list    */
/* ------------------------------------------------------------------ */

static const struct cosmos_field list_fields[] = {
    { "packageName", COSMOS_F_STRING, 0 },
    { "appId", COSMOS_F_STRING, 0 },
    { NULL, COSMOS_F_STRING, 0 }
};

static int cmp_install(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int c = strcmp(json_string_value(json_object_get(x, "packageName")),
                   json_string_value(json_object_get(y, "packageName")));

    return c ? c : strcmp(json_string_value(json_object_get(x, "appId")),
                          json_string_value(json_object_get(y, "appId")));
}

static void op_list(struct sim *s, const json_t *body, int version,
                    const char *rtype, struct sim_resp *r)
{
    const char *name = json_string_value(json_object_get(body,
                                                         "packageName"));
    const char *want_app = json_string_value(json_object_get(body, "appId"));
    char *norm = want_app ? cosmos_app_id_norm(want_app) : NULL;
    json_t *apps = cosmos_apps(s), *out = json_array(), *app;
    json_t **sel = NULL;
    size_t n = 0, i;
    const char *id;

    (void)version;
    if ((want_app && !norm) || !apps || !out)
        goto nomem;
    sel = calloc(json_object_size(apps) + 1, sizeof(*sel));
    if (!sel)
        goto nomem;
    json_object_foreach(apps, id, app) {
        if (name && strcmp(name, json_string_value(json_object_get(
                                     app, "packageName"))) != 0)
            continue;
        if (norm && strcmp(norm, id) != 0)
            continue;
        if (cosmos_app_pkg(app))
            sel[n++] = app;
    }
    qsort(sel, n, sizeof(*sel), cmp_install);
    for (i = 0; i < n; i++) {
        json_t *info = catalog_installed_information(cosmos_app_pkg(sel[i]));

        if (!info || json_array_append_new(
                         out, json_pack("{s:O, s:o}", "appId",
                                        json_object_get(sel[i], "appId"),
                                        "packageInformation", info)) != 0)
            goto nomem;
    }
    sim_resp_json(r, 200, json_pack("{s:o}", "packages", out), rtype);
    free(sel);
    free(norm);
    return;
nomem:
    json_decref(out);
    free(sel);
    free(norm);
    cosmos_resp_nomem(r);
}

static const struct cosmos_field describe_fields[] = {
    { "packageName", COSMOS_F_STRING, 1 },
    { "packageVersion", COSMOS_F_STRING, 0 },
    { NULL, COSMOS_F_STRING, 0 }
};

static void op_describe(struct sim *s, const json_t *body, int version,
                        const char *rtype, struct sim_resp *r)
{
    const struct catalog_pkg *p;
    json_t *d;

    (void)s;
    p = cosmos_find_or_answer(
        r, json_string_value(json_object_get(body, "packageName")),
        json_string_value(json_object_get(body, "packageVersion")));
    if (!p)
        return;
    if (version == 2) {
        if (json_array_size(json_object_get(p->package, "upgradesFrom")) ||
            json_array_size(json_object_get(p->package, "downgradesTo"))) {
            sim_resp_cosmos_error(r, 400,
                                  "ConversionFromPackageToV2DescribeResponse",
                                  NULL, "A v4 package cannot be converted "
                                        "into a v2 DescribeResponse");
            return;
        }
        d = catalog_describe_v2(p);
        if (!d) {
            cosmos_resp_nomem(r);
            return;
        }
        sim_resp_json(r, 200, d, rtype);
        return;
    }
    d = catalog_package_definition(p);
    if (!d) {
        cosmos_resp_nomem(r);
        return;
    }
    sim_resp_json(r, 200, json_pack("{s:o}", "package", d), rtype);
}

static const struct cosmos_field list_versions_fields[] = {
    { "packageName", COSMOS_F_STRING, 1 },
    { "includePackageVersions", COSMOS_F_BOOL, 1 },
    { NULL, COSMOS_F_STRING, 0 }
};

static void op_list_versions(struct sim *s, const json_t *body, int version,
                             const char *rtype, struct sim_resp *r)
{
    const char *name = json_string_value(json_object_get(body,
                                                         "packageName"));
    size_t ncat;
    const struct catalog_pkg *cat = catalog_all(&ncat);
    json_t *res;

    (void)s;
    (void)version;
    if (!catalog_has_name(name)) {
        sim_resp_cosmos_error(r, 400, "PackageNotFound",
                              json_pack("{s:s}", "packageName", name),
                              "Package [%s] not found", name);
        return;
    }
    res = json_object();
    for (size_t i = ncat; res && i-- > 0;) {
        if (strcmp(cat[i].name, name) == 0 &&
            json_object_set_new(res, cat[i].version,
                                json_integer(cat[i].release)) != 0) {
            json_decref(res);
            res = NULL;
        }
    }
    if (!res) {
        cosmos_resp_nomem(r);
        return;
    }
    sim_resp_json(r, 200, json_pack("{s:o}", "results", res), rtype);
}

static const struct cosmos_field search_fields[] = {
    { "query", COSMOS_F_STRING, 0 },
    { NULL, COSMOS_F_STRING, 0 }
};

/* Case-insensitive substring search of @q (with '*' ignored) in @s. */
static int matches_query(const char *s, const char *q)
{
    char needle[256];
    size_t n = 0;

    if (!s)
        return 0;
    for (; *q && n + 1 < sizeof(needle); q++) {
        if (*q != '*')
            needle[n++] = (char)tolower((unsigned char)*q);
    }
    needle[n] = '\0';
    if (!n)
        return 1;
    for (; *s; s++) {
        size_t k = 0;

        while (needle[k] && s[k] &&
               tolower((unsigned char)s[k]) == needle[k])
            k++;
        if (!needle[k])
            return 1;
    }
    return 0;
}

static void op_search(struct sim *s, const json_t *body, int version,
                      const char *rtype, struct sim_resp *r)
{
    const char *q = json_string_value(json_object_get(body, "query"));
    size_t ncat;
    const struct catalog_pkg *cat = catalog_all(&ncat);
    json_t *out = json_array();

    (void)s;
    (void)version;
    for (size_t i = 0; out && i < ncat; i++) {
        const struct catalog_pkg *latest = catalog_find(cat[i].name, NULL);
        const json_t *tags = json_object_get(latest->package, "tags");
        json_t *res, *vers, *tag;
        int hit = !q;
        size_t k;

        if (i > 0 && strcmp(cat[i - 1].name, cat[i].name) == 0)
            continue; /* one result per package */
        if (q) {
            hit = matches_query(latest->name, q) ||
                  matches_query(json_string_value(json_object_get(
                                    latest->package, "description")),
                                q);
            json_array_foreach(tags, k, tag) {
                hit |= matches_query(json_string_value(tag), q);
            }
        }
        if (!hit)
            continue;
        vers = json_object();
        for (size_t j = i; vers && j < ncat &&
                           strcmp(cat[j].name, cat[i].name) == 0;
             j++) {
            if (json_object_set_new(vers, cat[j].version,
                                    json_integer(cat[j].release)) != 0) {
                json_decref(vers);
                vers = NULL;
            }
        }
        res = vers ? json_pack("{s:s, s:s, s:o, s:O, s:O, s:o}", "name",
                               latest->name, "currentVersion",
                               latest->version, "versions", vers,
                               "description",
                               json_object_get(latest->package,
                                               "description"),
                               "framework",
                               json_object_get(latest->package, "framework")
                                   ? json_object_get(latest->package,
                                                     "framework")
                                   : json_false(),
                               "tags",
                               tags ? json_incref((json_t *)tags)
                                    : json_array())
                   : NULL;
        if (res &&
            (catalog_copy_member(res, latest->package, "selected") != 0 ||
             catalog_copy_member(res, latest->resource, "images") != 0)) {
            json_decref(res);
            res = NULL;
        }
        if (!res || json_array_append_new(out, res) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    if (!out) {
        cosmos_resp_nomem(r);
        return;
    }
    sim_resp_json(r, 200, json_pack("{s:o}", "packages", out), rtype);
}

static void op_repo_list(struct sim *s, const json_t *body, int version,
                         const char *rtype, struct sim_resp *r)
{
    (void)s;
    (void)body;
    (void)version;
    sim_resp_json(r, 200,
                  json_pack("{s:[{s:s, s:s}]}", "repositories", "name",
                            "Universe", "uri",
                            "https://universe.mesosphere.com/repo"),
                  rtype);
}

/* ------------------------------------------------------------------ */
/* /package/uninstall                                                 */
/* ------------------------------------------------------------------ */

static const struct cosmos_field uninstall_fields[] = {
    { "packageName", COSMOS_F_STRING, 1 },
    { "appId", COSMOS_F_STRING, 0 },
    { "all", COSMOS_F_BOOL, 0 },
    { "managerId", COSMOS_F_STRING, 0 },
    { "packageVersion", COSMOS_F_STRING, 0 },
    { NULL, COSMOS_F_STRING, 0 }
};

static void op_uninstall(struct sim *s, const json_t *body, int version,
                         const char *rtype, struct sim_resp *r)
{
    const char *name = json_string_value(json_object_get(body,
                                                         "packageName"));
    const char *want = json_string_value(json_object_get(body, "appId"));
    int all = json_is_true(json_object_get(body, "all"));
    json_t *apps = cosmos_apps(s), *ids = json_array(), *results = json_array();
    char *norm = want ? cosmos_app_id_norm(want) : NULL;
    const char *id;
    json_t *app;
    size_t i;

    (void)version;
    if (!apps || !ids || !results || (want && !norm))
        goto nomem;
    if (norm && !json_object_get(apps, norm)) {
        sim_resp_cosmos_error(r, 400, "UninstallNonExistentAppForPackage",
                              json_pack("{s:s, s:s}", "packageName", name,
                                        "appId", norm),
                              "Package [%s] with id [%s] is not installed",
                              name, norm);
        goto out;
    }
    json_object_foreach(apps, id, app) {
        if ((norm && strcmp(id, norm) != 0) ||
            strcmp(name, json_string_value(json_object_get(
                             app, "packageName"))) != 0)
            continue;
        if (json_array_append_new(ids, json_string(id)) != 0)
            goto nomem;
    }
    if (json_array_size(ids) == 0) {
        sim_resp_cosmos_error(r, 400, "PackageNotInstalled",
                              json_pack("{s:s}", "packageName", name),
                              "Package [%s] is not installed", name);
        goto out;
    }
    if (json_array_size(ids) > 1 && !all) {
        char list[1024] = "";
        size_t l = 0;
        json_t *v;

        json_array_foreach(ids, i, v) {
            const char *sid = json_string_value(v);

            if (l + strlen(sid) + 3 < sizeof(list))
                l += (size_t)sprintf(list + l, "%s%s", i ? ", " : "", sid);
        }
        sim_resp_cosmos_error(r, 400, "AmbiguousAppId",
                              json_pack("{s:s, s:O}", "packageName", name,
                                        "appIds", ids),
                              "Multiple apps named [%s] are installed: [%s]",
                              name, list);
        goto out;
    }
    for (i = 0; i < json_array_size(ids); i++) {
        const char *sid = json_string_value(json_array_get(ids, i));
        const struct catalog_pkg *p;
        json_t *res;
        int rc;

        app = json_object_get(apps, sid);
        p = cosmos_app_pkg(app);
        res = json_pack("{s:s, s:s, s:O}", "packageName", name, "appId", sid,
                        "packageVersion",
                        json_object_get(app, "packageVersion"));
        if (!res || (p && catalog_copy_member(res, p->package,
                                              "postUninstallNotes") != 0) ||
            json_array_append_new(results, res) != 0)
            goto nomem;
        /* UninstallHandler: the app gets SDK_UNINSTALL (again, when
         * asked again), and a janitor waits for the uninstall plan */
        rc = sim_sdk_uninstall(s,
                               json_string_value(json_object_get(app,
                                                                 "name")));
        if (rc != 0 && rc != ERR_NOTFOUND) {
            sim_resp_cosmos_error(r, 400, "FailedToStartUninstall",
                                  json_pack("{s:s, s:s}", "appId", sid,
                                            "reason", err_name(rc)),
                                  "Failed to start an uninstall for the "
                                  "service '%s': %s",
                                  sid, err_name(rc));
            goto out;
        }
        if (cosmos_janitor_start(s, app) != 0)
            goto nomem;
    }
    /* Services already gone leave Cosmos at once. */
    cosmos_reap(s);
    sim_resp_json(r, 200, json_pack("{s:O}", "results", results), rtype);
    goto out;
nomem:
    cosmos_resp_nomem(r);
out:
    json_decref(ids);
    json_decref(results);
    free(norm);
}

/* ------------------------------------------------------------------ */
/* Operations                                                         */
/* ------------------------------------------------------------------ */

const struct cosmos_op cosmos_op_install = {
    PKG_MT("install-request", "v1"),
    { PKG_MT("install-response", "v2"), PKG_MT("install-response", "v1"),
      NULL },
    { 2, 1 }, install_fields, op_install
};

const struct cosmos_op cosmos_op_list = {
    PKG_MT("list-request", "v1"),
    { PKG_MT("list-response", "v1"), NULL, NULL },
    { 1, 0 }, list_fields, op_list
};

const struct cosmos_op cosmos_op_describe = {
    PKG_MT("describe-request", "v1"),
    { PKG_MT("describe-response", "v3"), PKG_MT("describe-response", "v2"),
      NULL },
    { 3, 2 }, describe_fields, op_describe
};

const struct cosmos_op cosmos_op_uninstall = {
    PKG_MT("uninstall-request", "v1"),
    { PKG_MT("uninstall-response", "v1"), NULL, NULL },
    { 1, 0 }, uninstall_fields, op_uninstall
};

const struct cosmos_op cosmos_op_list_versions = {
    PKG_MT("list-versions-request", "v1"),
    { PKG_MT("list-versions-response", "v1"), NULL, NULL },
    { 1, 0 }, list_versions_fields, op_list_versions
};

const struct cosmos_op cosmos_op_search = {
    PKG_MT("search-request", "v1"),
    { PKG_MT("search-response", "v1"), NULL, NULL },
    { 1, 0 }, search_fields, op_search
};

const struct cosmos_op cosmos_op_repo_list = {
    PKG_MT("repository.list-request", "v1"),
    { PKG_MT("repository.list-response", "v1"), NULL, NULL },
    { 1, 0 }, NULL, op_repo_list
};
