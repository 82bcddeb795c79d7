/*
 * dcos-sim package catalog: the Universe revision directories of
 * --catalog read at Cosmos start (read-only afterwards), and the package
 * definitions Cosmos shows.  See catalog.h.
 */
#include "sim/catalog.h"

#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "common/err.h"
#include "common/jsonschema_defaults.h"
#include "common/util.h"

/* Limits on what the catalog loader reads. */
#define CAT_MAX_VERSIONS 64
#define CAT_MAX_FILE (1u << 20)

/*
 * The catalog is read-only after sim_cosmos_module.start (which runs with
 * the lock held, like every handler), so one copy per process suffices.
 */
static struct catalog_pkg g_cat[CAT_MAX_VERSIONS];
static size_t g_ncat;

static void cat_pkg_clear(struct catalog_pkg *p)
{
    free(p->definition_text);
    free(p->name);
    free(p->version);
    json_decref(p->package);
    json_decref(p->config);
    json_decref(p->resource);
    free(p->template_b64);
    json_decref(p->defaults);
    memset(p, 0, sizeof(*p));
}

/* See catalog.h. */
void catalog_free(void)
{
    for (size_t i = 0; i < g_ncat; i++)
        cat_pkg_clear(&g_cat[i]);
    g_ncat = 0;
}

static char *path_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);

    if (p)
        snprintf(p, n, "%s/%s", a, b);
    return p;
}

static int is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Load @dir/@file as JSON into *@out; a missing file leaves NULL when
 * @optional.  0 or a negative enum err. */
static int load_json_file(json_t **out, const char *dir, const char *file,
                          int optional)
{
    char *path = path_join(dir, file);
    json_error_t jerr;
    json_t *v;

    *out = NULL;
    if (!path)
        return ERR_NOMEM;
    if (optional && access(path, R_OK) != 0) {
        free(path);
        return 0;
    }
    v = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!v || !json_is_object(v)) {
        fprintf(stderr, "dcos-sim: cosmos: %s: %s\n", path,
                v ? "not a JSON object" : jerr.text);
        json_decref(v);
        free(path);
        return ERR_INVALID;
    }
    free(path);
    *out = v;
    return 0;
}

static int load_revision(struct catalog_pkg *p, const char *dir, long release)
{
    char *path = NULL, *text = NULL;
    size_t len = 0;
    const char *name, *version;
    int r;

    p->release = release;
    r = load_json_file(&p->package, dir, "package.json", 0);
    if (r == 0)
        r = load_json_file(&p->config, dir, "config.json", 1);
    if (r == 0)
        r = load_json_file(&p->resource, dir, "resource.json", 1);
    if (r)
        return r;
    name = json_string_value(json_object_get(p->package, "name"));
    version = json_string_value(json_object_get(p->package, "version"));
    if (!name || !version) {
        fprintf(stderr, "dcos-sim: cosmos: %s/package.json: no name or "
                        "version\n", dir);
        return ERR_INVALID;
    }
    p->name = strdup(name);
    p->version = strdup(version);
    p->defaults = p->config ? jsonschema_defaults(p->config) : json_object();
    path = path_join(dir, "marathon.json.mustache");
    if (!p->name || !p->version || !p->defaults || !path) {
        free(path);
        return ERR_NOMEM;
    }
    if (access(path, R_OK) == 0) {
        r = util_read_file(&text, &len, path, CAT_MAX_FILE);
        if (r == 0) {
            p->template_b64 = util_b64_encode(text, len);
            if (!p->template_b64)
                r = ERR_NOMEM;
        }
        free(text);
    }
    free(path);
    return r;
}

static int cat_cmp(const void *a, const void *b)
{
    const struct catalog_pkg *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c)
        return c;
    return x->release < y->release ? -1 : x->release > y->release;
}

/* See catalog.h. */
int catalog_load(const char *root)
{
    DIR *d = opendir(root);
    struct dirent *e;
    int r = 0;

    if (!d) {
        fprintf(stderr, "dcos-sim: cosmos: cannot open catalog %s\n", root);
        return ERR_NOTFOUND;
    }
    while (r == 0 && (e = readdir(d)) != NULL) {
        char *pdir;
        DIR *pd;
        struct dirent *re;

        if (e->d_name[0] == '.')
            continue;
        pdir = path_join(root, e->d_name);
        if (!pdir) {
            r = ERR_NOMEM;
            break;
        }
        pd = is_dir(pdir) ? opendir(pdir) : NULL;
        if (!pd) {
            free(pdir);
            continue;
        }
        while (r == 0 && (re = readdir(pd)) != NULL) {
            long rev;
            char *rdir;

            if (util_parse_long(&rev, re->d_name, 0, 1000000) != 0)
                continue;
            rdir = path_join(pdir, re->d_name);
            if (!rdir) {
                r = ERR_NOMEM;
                break;
            }
            if (is_dir(rdir)) {
                if (g_ncat == CAT_MAX_VERSIONS) {
                    fprintf(stderr, "dcos-sim: cosmos: catalog has more "
                                    "than %d versions\n", CAT_MAX_VERSIONS);
                    r = ERR_INVALID;
                } else {
                    r = load_revision(&g_cat[g_ncat], rdir, rev);
                    g_ncat++;
                }
            }
            free(rdir);
        }
        closedir(pd);
        free(pdir);
    }
    closedir(d);
    if (r == 0 && g_ncat == 0) {
        fprintf(stderr, "dcos-sim: cosmos: no package in catalog %s\n",
                root);
        r = ERR_NOTFOUND;
    }
    if (r) {
        catalog_free();
        return r;
    }
    qsort(g_cat, g_ncat, sizeof(g_cat[0]), cat_cmp);
    return 0;
}

/* See catalog.h. */
const struct catalog_pkg *catalog_all(size_t *n)
{
    *n = g_ncat;
    return g_cat;
}

/* See catalog.h. */
int catalog_has_name(const char *name)
{
    for (size_t i = 0; i < g_ncat; i++) {
        if (strcmp(g_cat[i].name, name) == 0)
            return 1;
    }
    return 0;
}

/* Version @version of @name, or its latest when @version is NULL. */
const struct catalog_pkg *catalog_find(const char *name, const char *version)
{
    const struct catalog_pkg *best = NULL;

    for (size_t i = 0; i < g_ncat; i++) {
        if (strcmp(g_cat[i].name, name) != 0)
            continue;
        if (version ? strcmp(g_cat[i].version, version) == 0
                    : (!best || g_cat[i].release > best->release))
            best = &g_cat[i];
    }
    return best;
}

/* A universe VersionSpecification ("*" or an exact version) list of
 * @pkg's member @member contains @version. */
static int spec_matches(const struct catalog_pkg *pkg, const char *member,
                        const char *version)
{
    const json_t *list = json_object_get(pkg->package, member);
    size_t i;
    json_t *v;

    json_array_foreach(list, i, v) {
        const char *spec = json_string_value(v);

        if (spec && (strcmp(spec, "*") == 0 || strcmp(spec, version) == 0))
            return 1;
    }
    return 0;
}

/* See catalog.h. */
json_t *catalog_versions_to(const struct catalog_pkg *pkg, int upgrades)
{
    json_t *out = json_array();

    if (!out)
        return NULL;
    for (size_t i = g_ncat; i-- > 0;) {
        const struct catalog_pkg *c = &g_cat[i];
        int ok;

        if (strcmp(c->name, pkg->name) != 0)
            continue;
        ok = upgrades ? spec_matches(c, "upgradesFrom", pkg->version)
                      : spec_matches(pkg, "downgradesTo", c->version);
        if (ok && json_array_append_new(out, json_string(c->version)) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* See catalog.h. */
int catalog_copy_member(json_t *dst, const json_t *src, const char *key)
{
    json_t *v = json_object_get(src, key);

    if (!v || json_is_null(v))
        return 0;
    return json_object_set(dst, key, v);
}

/*
 * The members both describe versions give after the version: package.json's
 * (tags at least [] and, for @v2, selected and framework at least false),
 * then marathon, resource and config.  0 or -1.
 */
static int describe_common(json_t *d, const struct catalog_pkg *p, bool v2)
{
    static const char *const keys[] = {
        "maintainer", "description", "tags", "selected", "scm", "website",
        "framework", "preInstallNotes", "postInstallNotes",
        "postUninstallNotes", "licenses", "minDcosReleaseVersion"
    };
    int r = 0;

    for (size_t i = 0; r == 0 && i < sizeof(keys) / sizeof(keys[0]); i++)
        r = catalog_copy_member(d, p->package, keys[i]);
    if (r == 0 && !json_object_get(d, "tags"))
        r = json_object_set_new(d, "tags", json_array());
    if (r == 0 && v2 && !json_object_get(d, "selected"))
        r = json_object_set_new(d, "selected", json_false());
    if (r == 0 && v2 && !json_object_get(d, "framework"))
        r = json_object_set_new(d, "framework", json_false());
    if (r == 0 && p->template_b64)
        r = json_object_set_new(d, "marathon",
                                json_pack("{s:s}", "v2AppMustacheTemplate",
                                          p->template_b64));
    if (r == 0 && p->resource)
        r = json_object_set(d, "resource", p->resource);
    if (r == 0 && p->config)
        r = json_object_set(d, "config", p->config);
    return r;
}

/* See catalog.h. */
json_t *catalog_package_definition(const struct catalog_pkg *p)
{
    static const char *const head[] = {
        "packagingVersion", "name", "version"
    };
    static const char *const tail[] = {
        "lastUpdated", "hasKnownIssues", "upgradesFrom", "downgradesTo"
    };
    json_t *d = json_object();
    int r = d ? 0 : -1;

    for (size_t i = 0; r == 0 && i < 3; i++)
        r = catalog_copy_member(d, p->package, head[i]);
    if (r == 0)
        r = json_object_set_new(d, "releaseVersion",
                                json_integer(p->release));
    if (r == 0)
        r = describe_common(d, p, false);
    for (size_t i = 0; r == 0 && i < sizeof(tail) / sizeof(tail[0]); i++)
        r = catalog_copy_member(d, p->package, tail[i]);
    if (r) {
        json_decref(d);
        return NULL;
    }
    return d;
}

/* See catalog.h. */
json_t *catalog_describe_v2(const struct catalog_pkg *p)
{
    json_t *d = json_pack("{s:s}", "packagingVersion", "3.0");
    int r = d ? 0 : -1;

    if (r == 0)
        r = catalog_copy_member(d, p->package, "name");
    if (r == 0)
        r = catalog_copy_member(d, p->package, "version");
    if (r == 0)
        r = describe_common(d, p, true);
    if (r) {
        json_decref(d);
        return NULL;
    }
    return d;
}

/* See catalog.h. */
json_t *catalog_installed_information(const struct catalog_pkg *p)
{
    static const char *const keys[] = {
        "packagingVersion", "name", "version", "maintainer", "description",
        "tags", "selected", "scm", "website", "framework", "preInstallNotes",
        "postInstallNotes", "postUninstallNotes", "licenses"
    };
    json_t *def = json_object();
    json_t *res = json_object();
    int r = def && res ? 0 : -1;

    for (size_t i = 0; r == 0 && i < sizeof(keys) / sizeof(keys[0]); i++)
        r = catalog_copy_member(def, p->package, keys[i]);
    if (r == 0 && !json_object_get(def, "tags"))
        r = json_object_set_new(def, "tags", json_array());
    if (r == 0)
        r = catalog_copy_member(res, p->resource, "assets");
    if (r == 0)
        r = catalog_copy_member(res, p->resource, "images");
    if (r) {
        json_decref(def);
        json_decref(res);
        return NULL;
    }
    return json_pack("{s:o, s:o}", "packageDefinition", def,
                     "resourceDefinition", res);
}

/* See catalog.h. */
const char *catalog_package_definition_text(const struct catalog_pkg *p)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    struct catalog_pkg *mp = (struct catalog_pkg *)p; /* the catalog's */
    const char *text;

    pthread_mutex_lock(&lock);
    if (!mp->definition_text) {
        json_t *d = catalog_package_definition(p);

        mp->definition_text = d ? json_dumps(d, JSON_COMPACT) : NULL;
        json_decref(d);
    }
    text = mp->definition_text;
    pthread_mutex_unlock(&lock);
    return text;
}
