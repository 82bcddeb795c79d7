/*
 * dcos-sim Cosmos: the DC/OS package manager (/package/...,
 * /cosmos/service/...) serving the vendored beta-elastic catalog.
 *
 * Request handling follows Cosmos (dcos/cosmos @ 86487c56): finch request
 * validators (Accept, Content-Type, body; every failure collected, several
 * become "multiple_errors"), media types matched as
 * com.mesosphere.http.MediaType does, options merged with the schema
 * defaults and validated (sim/jsonschema.c), Cosmos error types and
 * messages.  Installed packages live in the "cosmos" state section:
 *   {"apps": {"/<name>": {"appId","name","packageName","packageVersion",
 *     "releaseVersion","userProvidedOptions","resolvedOptions",
 *     "uninstalling"}}}
 * The SDK scheduler of each service is driven through sim_sdk_*().
 * See docs/sim.md.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "common/err.h"
#include "common/util.h"
#include "sim/core.h"
#include "sim/cosmos.h"
#include "sim/http.h"
#include "sim/iam_authz.h"
#include "sim/jsonschema.h"
#include "sim/sdk.h"
#include "sim/server.h"
#include "sim/state.h"

#define COSMOS_RID "dcos:adminrouter:package"
#define ERROR_TYPE "application/vnd.dcos.package.error+json;charset=utf-8;" \
                   "version=v1"
#define PKG_MT(kind, v)                                                       \
    "application/vnd.dcos.package." kind "+json;charset=utf-8;version=" v
#define SVC_MT(kind, v)                                                       \
    "application/vnd.dcos.service." kind "+json;charset=utf-8;version=" v

/* Limits on what the catalog loader reads. */
#define CAT_MAX_VERSIONS 64
#define CAT_MAX_FILE (1u << 20)

/* ------------------------------------------------------------------ */
/* Catalog                                                             */
/* ------------------------------------------------------------------ */

/* One package version of the catalog (a Universe revision directory). */
struct cat_pkg {
    char *name;
    char *version;
    json_int_t release;   /* revision directory number = releaseVersion */
    json_t *package;      /* package.json */
    json_t *config;       /* config.json or NULL */
    json_t *resource;     /* resource.json or NULL */
    char *template_b64;   /* base64 of marathon.json.mustache or NULL */
    json_t *defaults;     /* jsonschema_defaults(config) */
};

/*
 * The catalog is read-only after sim_cosmos_module.start (which runs with
 * the lock held, like every handler), so one copy per process suffices.
 */
static struct cat_pkg g_cat[CAT_MAX_VERSIONS];
static size_t g_ncat;

static void cat_pkg_clear(struct cat_pkg *p)
{
    free(p->name);
    free(p->version);
    json_decref(p->package);
    json_decref(p->config);
    json_decref(p->resource);
    free(p->template_b64);
    json_decref(p->defaults);
    memset(p, 0, sizeof(*p));
}

static void catalog_free(void)
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

static int load_revision(struct cat_pkg *p, const char *dir, long release)
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
    const struct cat_pkg *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c)
        return c;
    return x->release < y->release ? -1 : x->release > y->release;
}

/* Read every <catalog>/<package>/<revision>/ directory. */
static int catalog_load(const char *root)
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

static int cat_has_name(const char *name)
{
    for (size_t i = 0; i < g_ncat; i++) {
        if (strcmp(g_cat[i].name, name) == 0)
            return 1;
    }
    return 0;
}

/* Version @version of @name, or its latest when @version is NULL. */
static const struct cat_pkg *cat_find(const char *name, const char *version)
{
    const struct cat_pkg *best = NULL;

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
static int spec_matches(const struct cat_pkg *pkg, const char *member,
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

/* Versions @pkg can be updated to: "upgradesTo" (catalog versions whose
 * upgradesFrom matches) or "downgradesTo" (catalog versions matched by
 * @pkg's downgradesTo).  Newest first.  New array or NULL. */
static json_t *versions_to(const struct cat_pkg *pkg, int upgrades)
{
    json_t *out = json_array();

    if (!out)
        return NULL;
    for (size_t i = g_ncat; i-- > 0;) {
        const struct cat_pkg *c = &g_cat[i];
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

/* Copy member @key of @src into @dst when present.  0 or -1. */
static int copy_member(json_t *dst, const json_t *src, const char *key)
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
static int describe_common(json_t *d, const struct cat_pkg *p, bool v2)
{
    static const char *const keys[] = {
        "maintainer", "description", "tags", "selected", "scm", "website",
        "framework", "preInstallNotes", "postInstallNotes",
        "postUninstallNotes", "licenses", "minDcosReleaseVersion"
    };
    int r = 0;

    for (size_t i = 0; r == 0 && i < sizeof(keys) / sizeof(keys[0]); i++)
        r = copy_member(d, p->package, keys[i]);
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

/*
 * The universe v4 PackageDefinition Cosmos returns (describe v3, service
 * describe, update): package.json members in the encoder's order plus
 * releaseVersion, marathon, resource and config.  New or NULL.
 */
static json_t *package_definition(const struct cat_pkg *p)
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
        r = copy_member(d, p->package, head[i]);
    if (r == 0)
        r = json_object_set_new(d, "releaseVersion",
                                json_integer(p->release));
    if (r == 0)
        r = describe_common(d, p, false);
    for (size_t i = 0; r == 0 && i < sizeof(tail) / sizeof(tail[0]); i++)
        r = copy_member(d, p->package, tail[i]);
    if (r) {
        json_decref(d);
        return NULL;
    }
    return d;
}

/* The rpc.v2 DescribeResponse (describe-response v2), which only packages
 * without update metadata can be converted to.  New or NULL. */
static json_t *describe_v2(const struct cat_pkg *p)
{
    json_t *d = json_pack("{s:s}", "packagingVersion", "3.0");
    int r = d ? 0 : -1;

    if (r == 0)
        r = copy_member(d, p->package, "name");
    if (r == 0)
        r = copy_member(d, p->package, "version");
    if (r == 0)
        r = describe_common(d, p, true);
    if (r) {
        json_decref(d);
        return NULL;
    }
    return d;
}

/* rpc.v1 InstalledPackageInformation ({packageDefinition,
 * resourceDefinition}) of /package/list.  New or NULL. */
static json_t *installed_information(const struct cat_pkg *p)
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
        r = copy_member(def, p->package, keys[i]);
    if (r == 0 && !json_object_get(def, "tags"))
        r = json_object_set_new(def, "tags", json_array());
    if (r == 0)
        r = copy_member(res, p->resource, "assets");
    if (r == 0)
        r = copy_member(res, p->resource, "images");
    if (r) {
        json_decref(def);
        json_decref(res);
        return NULL;
    }
    return json_pack("{s:o, s:o}", "packageDefinition", def,
                     "resourceDefinition", res);
}

/* ------------------------------------------------------------------ */
/* Media types (com.mesosphere.http.MediaType)                         */
/* ------------------------------------------------------------------ */

#define MT_MAX_PARAMS 8

struct mt {
    char type[64];
    char subtype[160];       /* with the "+suffix" */
    size_t np;
    char key[MT_MAX_PARAMS][32];
    char val[MT_MAX_PARAMS][160];
    double q;                /* 1.0 unless a q parameter says otherwise */
};

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* Copy [@b, @e) trimmed into @dst (@n bytes).  -1 when too long. */
static int copy_trim(char *dst, size_t n, const char *b, const char *e)
{
    while (b < e && isspace((unsigned char)*b))
        b++;
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    if ((size_t)(e - b) >= n)
        return -1;
    memcpy(dst, b, (size_t)(e - b));
    dst[e - b] = '\0';
    return 0;
}

static int has_space(const char *s)
{
    for (; *s; s++) {
        if (isspace((unsigned char)*s))
            return 1;
    }
    return 0;
}

/* Parse one media type from [@b, @e).  0 or -1. */
static int mt_parse(struct mt *m, const char *b, const char *e)
{
    char first[240];
    const char *semi = memchr(b, ';', (size_t)(e - b));
    const char *end1 = semi ? semi : e;
    char *slash;

    memset(m, 0, sizeof(*m));
    m->q = 1.0;
    if (copy_trim(first, sizeof(first), b, end1) != 0)
        return -1;
    slash = strchr(first, '/');
    if (!slash || slash == first || !slash[1] || strchr(slash + 1, '/') ||
        has_space(first))
        return -1;
    *slash = '\0';
    if (strlen(first) >= sizeof(m->type) ||
        strlen(slash + 1) >= sizeof(m->subtype))
        return -1;
    strcpy(m->type, first);
    strcpy(m->subtype, slash + 1);
    lower(m->type);
    lower(m->subtype);
    while (semi) {
        const char *pb = semi + 1;
        const char *pe, *eq;
        char *v;

        semi = memchr(pb, ';', (size_t)(e - pb));
        pe = semi ? semi : e;
        eq = memchr(pb, '=', (size_t)(pe - pb));
        if (!eq || m->np == MT_MAX_PARAMS)
            return -1;
        if (copy_trim(m->key[m->np], sizeof(m->key[0]), pb, eq) != 0 ||
            copy_trim(m->val[m->np], sizeof(m->val[0]), eq + 1, pe) != 0 ||
            !m->key[m->np][0] || has_space(m->key[m->np]))
            return -1;
        lower(m->key[m->np]);
        v = m->val[m->np];
        if (v[0] == '"' && strlen(v) >= 2 && v[strlen(v) - 1] == '"') {
            memmove(v, v + 1, strlen(v) - 2);
            v[strlen(v) - 2] = '\0';
        }
        if (strcmp(m->key[m->np], "charset") == 0)
            lower(v);
        if (strcmp(m->key[m->np], "q") == 0 &&
            util_parse_double(&m->q, v, 0.0, 1.0) != 0)
            return -1;
        m->np++;
    }
    return 0;
}

static int mt_parse_str(struct mt *m, const char *s)
{
    return mt_parse(m, s, s + strlen(s));
}

/* MediaType.show: "type/subtype;k=v;..." (new string or NULL). */
static char *mt_show(const struct mt *m)
{
    size_t n = strlen(m->type) + strlen(m->subtype) + 2;
    char *s, *p;

    for (size_t i = 0; i < m->np; i++)
        n += strlen(m->key[i]) + strlen(m->val[i]) + 2;
    s = malloc(n);
    if (!s)
        return NULL;
    p = s + sprintf(s, "%s/%s", m->type, m->subtype);
    for (size_t i = 0; i < m->np; i++)
        p += sprintf(p, ";%s=%s", m->key[i], m->val[i]);
    return s;
}

static const char *mt_param(const struct mt *m, const char *key)
{
    for (size_t i = 0; i < m->np; i++) {
        if (strcmp(m->key[i], key) == 0)
            return m->val[i];
    }
    return NULL;
}

static size_t mt_nparams(const struct mt *m)
{
    return m->np - (mt_param(m, "q") ? 1 : 0);
}

/* MediaType.compatible(expected, actual): same type and subtype, and every
 * parameter of @expected but q present in @actual with the same value. */
static int mt_compatible(const struct mt *expected, const struct mt *actual)
{
    if (strcmp(expected->type, actual->type) != 0 ||
        strcmp(expected->subtype, actual->subtype) != 0)
        return 0;
    for (size_t i = 0; i < expected->np; i++) {
        const char *v;

        if (strcmp(expected->key[i], "q") == 0)
            continue;
        v = mt_param(actual, expected->key[i]);
        if (!v || strcmp(v, expected->val[i]) != 0)
            return 0;
    }
    return 1;
}

/* Equal as map keys (q ignored). */
static int mt_equal(const struct mt *a, const struct mt *b)
{
    return mt_compatible(a, b) && mt_compatible(b, a);
}

/* MediaType ordering: q descending, type, subtype value, suffix, then more
 * parameters first. */
static int mt_order(const struct mt *x, const struct mt *y)
{
    char xs[160], ys[160];
    const char *xsuf, *ysuf;
    int c;

    if (x->q != y->q)
        return x->q > y->q ? -1 : 1;
    c = strcmp(x->type, y->type);
    if (c)
        return c;
    strcpy(xs, x->subtype);
    strcpy(ys, y->subtype);
    xsuf = strchr(xs, '+');
    ysuf = strchr(ys, '+');
    if (xsuf)
        xs[xsuf - xs] = '\0';
    if (ysuf)
        ys[ysuf - ys] = '\0';
    c = strcmp(xs, ys);
    if (c)
        return c;
    if (!xsuf != !ysuf)
        return xsuf ? 1 : -1;
    if (xsuf && (c = strcmp(xsuf, ysuf)) != 0)
        return c;
    if (mt_nparams(x) != mt_nparams(y))
        return mt_nparams(x) > mt_nparams(y) ? -1 : 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Request validation (finch RequestValidators.standard)               */
/* ------------------------------------------------------------------ */

/* Append {"type","message"} to @errs.  0 or -1. */
static int add_item_error(json_t *errs, const char *type, const char *fmt,
                          ...) __attribute__((format(printf, 3, 4)));
static int add_item_error(json_t *errs, const char *type, const char *fmt,
                          ...)
{
    char msg[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return json_array_append_new(errs, json_pack("{s:s, s:s}", "type", type,
                                                 "message", msg));
}

#define ACCEPT_MAX 16

/*
 * Accept: pick the response media type as
 * DispatchingMediaTypedEncoder(CompoundMediaType) does.  Returns the index
 * in @offers, or -1 after appending the error to @errs.
 */
static int negotiate_accept(const char *accept, const char *const *offers,
                            json_t *errs)
{
    struct mt *given = NULL, *list = NULL, *offer = NULL;
    size_t n = 0, noffers = 0;
    int chosen = -1;
    const char *p;

    if (!accept) {
        add_item_error(errs, "not_present",
                       "Item header 'Accept' not present but required");
        return -1;
    }
    while (offers[noffers])
        noffers++;
    given = calloc(ACCEPT_MAX, sizeof(*given));
    list = calloc(ACCEPT_MAX, sizeof(*list));
    offer = calloc(noffers, sizeof(*offer));
    if (!given || !list || !offer)
        goto out;
    for (size_t i = 0; i < noffers; i++) {
        if (mt_parse_str(&offer[i], offers[i]) != 0)
            goto out;
    }
    p = accept;
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *e = comma ? comma : p + strlen(p);

        if (n == ACCEPT_MAX || mt_parse(&given[n], p, e) != 0) {
            char bad[256];

            if (n == ACCEPT_MAX || copy_trim(bad, sizeof(bad), p, e) != 0)
                snprintf(bad, sizeof(bad), "%.200s", accept);
            add_item_error(errs, "not_parsed",
                           "Item header 'Accept' unable to be parsed: "
                           "Unable to parse MediaType for input: '%s'", bad);
            goto out;
        }
        n++;
        if (!comma)
            break;
        p = comma + 1;
    }
    /* Stable insertion sort by the MediaType ordering. */
    memcpy(list, given, n * sizeof(*list));
    for (size_t i = 1; i < n; i++) {
        struct mt tmp = list[i];
        size_t j = i;

        while (j > 0 && mt_order(&list[j - 1], &tmp) > 0) {
            list[j] = list[j - 1];
            j--;
        }
        list[j] = tmp;
    }
    /* The most appropriate type (first one compatible with an offer) must
     * be one of the offers exactly. */
    for (size_t i = 0; i < n && chosen < 0; i++) {
        int compatible = 0;

        if (list[i].q == 0.0)
            continue;
        for (size_t k = 0; k < noffers; k++)
            compatible |= mt_compatible(&list[i], &offer[k]);
        if (!compatible)
            continue;
        for (size_t k = 0; k < noffers; k++) {
            if (mt_equal(&list[i], &offer[k])) {
                chosen = (int)k;
                break;
            }
        }
        break;
    }
    if (chosen < 0) {
        char shown[2048] = "", avail[1024] = "";
        size_t gl = 0, al = 0;

        for (size_t i = 0; i < n; i++) {
            char *show = mt_show(&given[i]);

            if (show && gl + strlen(show) + 3 < sizeof(shown))
                gl += (size_t)sprintf(shown + gl, "%s%s", i ? ", " : "",
                                      show);
            free(show);
        }
        for (size_t k = 0; k < noffers; k++) {
            if (al + strlen(offers[k]) + 3 < sizeof(avail))
                al += (size_t)sprintf(avail + al, "%s%s", k ? ", " : "",
                                      offers[k]);
        }
        add_item_error(errs, "not_valid",
                       "Item header 'Accept' deemed invalid by rule: Media "
                       "type was [%s] but should be one of [%s]",
                       shown, avail);
    }
out:
    free(given);
    free(list);
    free(offer);
    return chosen;
}

/* Content-Type: must be compatible with @want.  0, or -1 after appending
 * the error to @errs. */
static int check_content_type(const char *ctype, const char *want,
                              json_t *errs)
{
    struct mt got, exp;

    if (!ctype) {
        add_item_error(errs, "not_present",
                       "Item header 'Content-Type' not present but "
                       "required");
        return -1;
    }
    if (mt_parse_str(&got, ctype) != 0) {
        add_item_error(errs, "not_parsed",
                       "Item header 'Content-Type' unable to be parsed: "
                       "Unable to parse MediaType for input: '%s'", ctype);
        return -1;
    }
    if (mt_parse_str(&exp, want) != 0 || !mt_compatible(&exp, &got)) {
        add_item_error(errs, "not_valid",
                       "Item header 'Content-Type' deemed invalid by rule: "
                       "should match one of %s", want);
        return -1;
    }
    return 0;
}

/* A request body member as the circe decoder of the request reads it. */
enum field_kind { F_STRING, F_OBJECT, F_BOOL };

struct field {
    const char *name;
    enum field_kind kind;
    int required;
};

/*
 * Parse and decode the body.  Returns the object (new) or NULL after
 * appending the error to @errs.  Decoding stops at the first member that
 * fails, in declaration order, as circe does.
 */
static json_t *decode_body(const struct sim_req *req,
                           const struct field *fields, json_t *errs)
{
    static const char *const kind_names[] = { "String", "JsonObject",
                                              "Boolean" };
    json_error_t jerr;
    json_t *body;

    if (!req->body || req->body_len == 0) {
        add_item_error(errs, "not_present",
                       "Item body not present but required");
        return NULL;
    }
    body = json_loadb(req->body, req->body_len, JSON_DECODE_ANY, &jerr);
    if (!body) {
        add_item_error(errs, "not_parsed",
                       "Item 'body' unable to be parsed: %s (line %d, "
                       "column %d)", jerr.text, jerr.line, jerr.column);
        return NULL;
    }
    for (const struct field *f = fields; f && f->name; f++) {
        json_t *v = json_is_object(body) ? json_object_get(body, f->name)
                                         : NULL;
        int ok;

        if (!v || (json_is_null(v) && !f->required)) {
            if (!f->required)
                continue;
            add_item_error(errs, "not_parsed",
                           "Item 'body' unable to be parsed: Attempt to "
                           "decode value on failed cursor: DownField(%s)",
                           f->name);
            json_decref(body);
            return NULL;
        }
        ok = f->kind == F_STRING   ? json_is_string(v)
             : f->kind == F_OBJECT ? json_is_object(v)
                                   : json_is_boolean(v);
        if (!ok) {
            add_item_error(errs, "not_parsed",
                           "Item 'body' unable to be parsed: %s: "
                           "DownField(%s)", kind_names[f->kind], f->name);
            json_decref(body);
            return NULL;
        }
    }
    if (!json_is_object(body)) {
        /* Only decoders without required members get here. */
        json_decref(body);
        body = json_object();
    }
    return body;
}

/* ------------------------------------------------------------------ */
/* State                                                               */
/* ------------------------------------------------------------------ */

static json_t *apps_of(struct sim *s)
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

/* AppId(s): a leading '/' is added when missing.  New string or NULL. */
static char *app_id_norm(const char *id)
{
    size_t n = strlen(id) + 2;
    char *out = malloc(n);

    if (out)
        snprintf(out, n, "%s%s", id[0] == '/' ? "" : "/", id);
    return out;
}

/*
 * Forget services whose scheduler no longer exists (an uninstall that
 * finished, or a scheduler app removed behind Cosmos's back): Cosmos lists
 * what Marathon runs.
 */
static void reap(struct sim *s)
{
    json_t *apps = apps_of(s);
    const char *id;
    json_t *app, *tmp;

    if (!apps)
        return;
    json_object_foreach_safe(apps, tmp, id, app) {
        const char *name = json_string_value(json_object_get(app, "name"));

        if (!name || !sim_sdk_exists(s, name)) {
            json_object_del(apps, id);
            sim_state_dirty(s);
        }
    }
}

static const struct cat_pkg *app_pkg(const json_t *app)
{
    return cat_find(json_string_value(json_object_get(app, "packageName")),
                    json_string_value(json_object_get(app,
                                                      "packageVersion")));
}

/* ------------------------------------------------------------------ */
/* Shared answers                                                      */
/* ------------------------------------------------------------------ */

static void resp_nomem(struct sim_resp *r)
{
    sim_resp_cosmos_error(r, 500, "unhandled_exception", NULL,
                          "java.lang.OutOfMemoryError");
}

static void resp_app_not_found(struct sim_resp *r, const char *app_id)
{
    sim_resp_cosmos_error(r, 400, "MarathonAppNotFound",
                          json_pack("{s:s}", "appId", app_id),
                          "Unable to locate service with marathon appId: "
                          "'%s'", app_id);
}

/* 400 PackageNotFound or VersionNotFound; returns the package or NULL
 * after answering. */
static const struct cat_pkg *find_or_answer(struct sim_resp *r,
                                            const char *name,
                                            const char *version)
{
    const struct cat_pkg *p = cat_find(name, version);

    if (p)
        return p;
    if (!cat_has_name(name) || !version)
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

/*
 * Resolve options as PackageDefinitionRenderer does: defaults of @p merged
 * with @user, validated against @p's schema.  Returns the resolved options
 * (new) or NULL after answering (400 JsonSchemaMismatch, 500).
 */
static json_t *resolve_or_answer(struct sim_resp *r, const struct cat_pkg *p,
                                 const json_t *user)
{
    json_t *resolved = jsonschema_merge(p->defaults, user);
    json_t *errors;
    int rc;

    if (!resolved) {
        resp_nomem(r);
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
/* /package/install                                                    */
/* ------------------------------------------------------------------ */

static const struct field install_fields[] = {
    { "packageName", F_STRING, 1 },
    { "packageVersion", F_STRING, 0 },
    { "options", F_OBJECT, 0 },
    { "appId", F_STRING, 0 },
    { "managerId", F_STRING, 0 },
    { NULL, F_STRING, 0 }
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
    const struct cat_pkg *p;
    json_t *user = NULL, *resolved = NULL, *apps, *rec = NULL, *out = NULL;
    const char *svc;
    char *app_id = NULL, *want = NULL;
    int rc;

    p = find_or_answer(r, name, ver);
    if (!p)
        return;
    user = json_is_object(opts) ? json_deep_copy(opts) : json_object();
    if (!user) {
        resp_nomem(r);
        goto out;
    }
    resolved = resolve_or_answer(r, p, user);
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
    want = app_id_norm(svc);
    app_id = app_id_norm(req_app ? req_app : svc);
    apps = apps_of(s);
    if (!want || !app_id || !apps) {
        resp_nomem(r);
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
    rc = sim_sdk_install(s, svc, p->name, p->version, resolved);
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
        resp_nomem(r);
        goto out;
    }
    sim_state_dirty(s);
    out = json_pack("{s:s, s:s, s:s}", "packageName", p->name,
                    "packageVersion", p->version, "appId", app_id);
    if (out && version == 2) {
        if (copy_member(out, p->package, "postInstallNotes") != 0 ||
            copy_member(out, p->resource, "cli") != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    if (!out) {
        resp_nomem(r);
        goto out;
    }
    sim_resp_json(r, 200, out, rtype);
out:
    json_decref(user);
    json_decref(resolved);
    free(app_id);
    free(want);
}

/* ------------------------------------------------------------------ */
/* /package/list, describe, list-versions, search, repository/list     */
/* ------------------------------------------------------------------ */

static const struct field list_fields[] = {
    { "packageName", F_STRING, 0 },
    { "appId", F_STRING, 0 },
    { NULL, F_STRING, 0 }
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
    char *norm = want_app ? app_id_norm(want_app) : NULL;
    json_t *apps = apps_of(s), *out = json_array(), *app;
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
        if (app_pkg(app))
            sel[n++] = app;
    }
    qsort(sel, n, sizeof(*sel), cmp_install);
    for (i = 0; i < n; i++) {
        json_t *info = installed_information(app_pkg(sel[i]));

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
    resp_nomem(r);
}

static const struct field describe_fields[] = {
    { "packageName", F_STRING, 1 },
    { "packageVersion", F_STRING, 0 },
    { NULL, F_STRING, 0 }
};

static void op_describe(struct sim *s, const json_t *body, int version,
                        const char *rtype, struct sim_resp *r)
{
    const struct cat_pkg *p;
    json_t *d;

    (void)s;
    p = find_or_answer(r,
                       json_string_value(json_object_get(body,
                                                         "packageName")),
                       json_string_value(json_object_get(body,
                                                         "packageVersion")));
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
        d = describe_v2(p);
        if (!d) {
            resp_nomem(r);
            return;
        }
        sim_resp_json(r, 200, d, rtype);
        return;
    }
    d = package_definition(p);
    if (!d) {
        resp_nomem(r);
        return;
    }
    sim_resp_json(r, 200, json_pack("{s:o}", "package", d), rtype);
}

static const struct field list_versions_fields[] = {
    { "packageName", F_STRING, 1 },
    { "includePackageVersions", F_BOOL, 1 },
    { NULL, F_STRING, 0 }
};

static void op_list_versions(struct sim *s, const json_t *body, int version,
                             const char *rtype, struct sim_resp *r)
{
    const char *name = json_string_value(json_object_get(body,
                                                         "packageName"));
    json_t *res;

    (void)s;
    (void)version;
    if (!cat_has_name(name)) {
        sim_resp_cosmos_error(r, 400, "PackageNotFound",
                              json_pack("{s:s}", "packageName", name),
                              "Package [%s] not found", name);
        return;
    }
    res = json_object();
    for (size_t i = g_ncat; res && i-- > 0;) {
        if (strcmp(g_cat[i].name, name) == 0 &&
            json_object_set_new(res, g_cat[i].version,
                                json_integer(g_cat[i].release)) != 0) {
            json_decref(res);
            res = NULL;
        }
    }
    if (!res) {
        resp_nomem(r);
        return;
    }
    sim_resp_json(r, 200, json_pack("{s:o}", "results", res), rtype);
}

static const struct field search_fields[] = {
    { "query", F_STRING, 0 },
    { NULL, F_STRING, 0 }
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
    json_t *out = json_array();

    (void)s;
    (void)version;
    for (size_t i = 0; out && i < g_ncat; i++) {
        const struct cat_pkg *latest = cat_find(g_cat[i].name, NULL);
        const json_t *tags = json_object_get(latest->package, "tags");
        json_t *res, *vers, *tag;
        int hit = !q;
        size_t k;

        if (i > 0 && strcmp(g_cat[i - 1].name, g_cat[i].name) == 0)
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
        for (size_t j = i; vers && j < g_ncat &&
                           strcmp(g_cat[j].name, g_cat[i].name) == 0;
             j++) {
            if (json_object_set_new(vers, g_cat[j].version,
                                    json_integer(g_cat[j].release)) != 0) {
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
        if (res && (copy_member(res, latest->package, "selected") != 0 ||
                    copy_member(res, latest->resource, "images") != 0)) {
            json_decref(res);
            res = NULL;
        }
        if (!res || json_array_append_new(out, res) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    if (!out) {
        resp_nomem(r);
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
/* /package/uninstall                                                  */
/* ------------------------------------------------------------------ */

static const struct field uninstall_fields[] = {
    { "packageName", F_STRING, 1 },
    { "appId", F_STRING, 0 },
    { "all", F_BOOL, 0 },
    { "managerId", F_STRING, 0 },
    { "packageVersion", F_STRING, 0 },
    { NULL, F_STRING, 0 }
};

static void op_uninstall(struct sim *s, const json_t *body, int version,
                         const char *rtype, struct sim_resp *r)
{
    const char *name = json_string_value(json_object_get(body,
                                                         "packageName"));
    const char *want = json_string_value(json_object_get(body, "appId"));
    int all = json_is_true(json_object_get(body, "all"));
    json_t *apps = apps_of(s), *ids = json_array(), *results = json_array();
    char *norm = want ? app_id_norm(want) : NULL;
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
        const struct cat_pkg *p;
        json_t *res;

        app = json_object_get(apps, sid);
        p = app_pkg(app);
        res = json_pack("{s:s, s:s, s:O}", "packageName", name, "appId", sid,
                        "packageVersion",
                        json_object_get(app, "packageVersion"));
        if (!res || (p && copy_member(res, p->package,
                                      "postUninstallNotes") != 0) ||
            json_array_append_new(results, res) != 0)
            goto nomem;
        if (!json_is_true(json_object_get(app, "uninstalling"))) {
            int rc = sim_sdk_uninstall(
                s, json_string_value(json_object_get(app, "name")));

            if (rc != 0 && rc != ERR_NOTFOUND) {
                sim_resp_cosmos_error(r, 400, "FailedToStartUninstall",
                                      json_pack("{s:s, s:s}", "appId", sid,
                                                "reason", err_name(rc)),
                                      "Failed to start an uninstall for "
                                      "the service '%s': %s", sid,
                                      err_name(rc));
                goto out;
            }
            json_object_set_new(app, "uninstalling", json_true());
            sim_state_dirty(s);
        }
    }
    /* Services already gone leave Cosmos at once. */
    reap(s);
    sim_resp_json(r, 200, json_pack("{s:O}", "results", results), rtype);
    goto out;
nomem:
    resp_nomem(r);
out:
    json_decref(ids);
    json_decref(results);
    free(norm);
}

/* ------------------------------------------------------------------ */
/* /cosmos/service/describe and /cosmos/service/update                 */
/* ------------------------------------------------------------------ */

static const struct field svc_describe_fields[] = {
    { "appId", F_STRING, 1 },
    { "managerId", F_STRING, 0 },
    { "packageName", F_STRING, 0 },
    { "packageVersion", F_STRING, 0 },
    { NULL, F_STRING, 0 }
};

/* The installed app @app_id (normalized), or NULL after answering. */
static json_t *app_or_answer(struct sim *s, struct sim_resp *r,
                             const char *req_id, char **norm_out)
{
    char *norm = app_id_norm(req_id);
    json_t *apps = apps_of(s), *app;

    *norm_out = NULL;
    if (!norm || !apps) {
        free(norm);
        resp_nomem(r);
        return NULL;
    }
    app = json_object_get(apps, norm);
    if (!app || !app_pkg(app)) {
        resp_app_not_found(r, norm);
        free(norm);
        return NULL;
    }
    *norm_out = norm;
    return app;
}

static void op_svc_describe(struct sim *s, const json_t *body, int version,
                            const char *rtype, struct sim_resp *r)
{
    char *norm;
    json_t *app, *pkg, *up, *down, *resolved;
    const struct cat_pkg *p;
    const json_t *user;

    (void)version;
    app = app_or_answer(
        s, r, json_string_value(json_object_get(body, "appId")), &norm);
    if (!app)
        return;
    p = app_pkg(app);
    user = json_object_get(app, "userProvidedOptions");
    pkg = package_definition(p);
    up = versions_to(p, 1);
    down = versions_to(p, 0);
    resolved = jsonschema_merge(p->defaults, user);
    if (!pkg || !up || !down || !resolved) {
        json_decref(pkg);
        json_decref(up);
        json_decref(down);
        json_decref(resolved);
        resp_nomem(r);
    } else {
        sim_resp_json(r, 200,
                      json_pack("{s:o, s:o, s:o, s:o, s:O}", "package", pkg,
                                "upgradesTo", up, "downgradesTo", down,
                                "resolvedOptions", resolved,
                                "userProvidedOptions", user),
                      rtype);
    }
    free(norm);
}

static const struct field svc_update_fields[] = {
    { "appId", F_STRING, 1 },
    { "packageVersion", F_STRING, 0 },
    { "options", F_OBJECT, 0 },
    { "replace", F_BOOL, 1 },
    { "managerId", F_STRING, 0 },
    { "packageName", F_STRING, 0 },
    { "currentPackageVersion", F_STRING, 0 },
    { NULL, F_STRING, 0 }
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
    json_t *app, *valid = NULL, *user = NULL, *resolved = NULL;
    json_t *pkg = NULL;
    const struct cat_pkg *cur, *target;
    const char *svc, *name;
    int rc;

    (void)version;
    app = app_or_answer(
        s, r, json_string_value(json_object_get(body, "appId")), &norm);
    if (!app)
        return;
    cur = app_pkg(app);
    target = cur;
    if (want_ver && strcmp(want_ver, cur->version) != 0) {
        json_t *down = versions_to(cur, 0);

        valid = versions_to(cur, 1);
        if (!valid || !down || json_array_extend(valid, down) != 0) {
            json_decref(down);
            resp_nomem(r);
            goto out;
        }
        json_decref(down);
        target = in_list(valid, want_ver) ? cat_find(cur->name, want_ver)
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
        resp_nomem(r);
        goto out;
    }
    resolved = resolve_or_answer(r, target, user);
    if (!resolved)
        goto out;
    svc = json_string_value(json_object_get(
        json_object_get(resolved, "service"), "name"));
    new_id = app_id_norm(svc ? svc : "");
    if (!new_id) {
        resp_nomem(r);
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
    rc = sim_sdk_update(s, name, target->version, resolved);
    if (rc == ERR_CONFLICT) {
        sim_resp_cosmos_error(
            r, 500, "unhandled_exception", NULL,
            "java.lang.Error: {\"message\":\"App is locked by one or more "
            "deployments. Override with the option '?force=true'. View "
            "details at '/v2/deployments/<DEPLOYMENT_ID>'.\","
            "\"deployments\":[]}");
        goto out;
    }
    if (rc == ERR_NOTFOUND) {
        resp_app_not_found(r, norm);
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
        resp_nomem(r);
        goto out;
    }
    sim_state_dirty(s);
    pkg = package_definition(target);
    dep = sim_uuid();
    if (!pkg || !dep) {
        json_decref(pkg);
        resp_nomem(r);
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
    free(norm);
    free(new_id);
    free(dep);
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */
/* ------------------------------------------------------------------ */

typedef void (*cosmos_op_fn)(struct sim *s, const json_t *body,
                             int version, const char *rtype,
                             struct sim_resp *r);

struct cosmos_op {
    const char *req_type;
    const char *resp_types[3];   /* preferred first, NULL-terminated */
    int resp_versions[2];        /* the "version=vN" of each */
    const struct field *fields;
    cosmos_op_fn fn;
};

static const struct cosmos_op OP_INSTALL = {
    PKG_MT("install-request", "v1"),
    { PKG_MT("install-response", "v2"), PKG_MT("install-response", "v1"),
      NULL },
    { 2, 1 }, install_fields, op_install
};
static const struct cosmos_op OP_LIST = {
    PKG_MT("list-request", "v1"),
    { PKG_MT("list-response", "v1"), NULL, NULL },
    { 1, 0 }, list_fields, op_list
};
static const struct cosmos_op OP_DESCRIBE = {
    PKG_MT("describe-request", "v1"),
    { PKG_MT("describe-response", "v3"), PKG_MT("describe-response", "v2"),
      NULL },
    { 3, 2 }, describe_fields, op_describe
};
static const struct cosmos_op OP_UNINSTALL = {
    PKG_MT("uninstall-request", "v1"),
    { PKG_MT("uninstall-response", "v1"), NULL, NULL },
    { 1, 0 }, uninstall_fields, op_uninstall
};
static const struct cosmos_op OP_LIST_VERSIONS = {
    PKG_MT("list-versions-request", "v1"),
    { PKG_MT("list-versions-response", "v1"), NULL, NULL },
    { 1, 0 }, list_versions_fields, op_list_versions
};
static const struct cosmos_op OP_SEARCH = {
    PKG_MT("search-request", "v1"),
    { PKG_MT("search-response", "v1"), NULL, NULL },
    { 1, 0 }, search_fields, op_search
};
static const struct cosmos_op OP_REPO_LIST = {
    PKG_MT("repository.list-request", "v1"),
    { PKG_MT("repository.list-response", "v1"), NULL, NULL },
    { 1, 0 }, NULL, op_repo_list
};
static const struct cosmos_op OP_SVC_DESCRIBE = {
    SVC_MT("describe-request", "v1"),
    { SVC_MT("describe-response", "v1"), NULL, NULL },
    { 1, 0 }, svc_describe_fields, op_svc_describe
};
static const struct cosmos_op OP_SVC_UPDATE = {
    SVC_MT("update-request", "v1"),
    { SVC_MT("update-response", "v1"), NULL, NULL },
    { 1, 0 }, svc_update_fields, op_svc_update
};

static void dispatch(struct sim *s, const struct sim_req *req,
                     struct sim_resp *r, const struct cosmos_op *op)
{
    json_t *errs, *body;
    int chosen;

    if (!req->uid || !sim_iam_allowed(s, req->uid, COSMOS_RID, "full")) {
        sim_resp_403(r);
        return;
    }
    errs = json_array();
    if (!errs) {
        resp_nomem(r);
        return;
    }
    chosen = negotiate_accept(req->accept, op->resp_types, errs);
    check_content_type(req->content_type, op->req_type, errs);
    body = decode_body(req, op->fields, errs);
    if (json_array_size(errs) == 1) {
        json_t *e = json_array_get(errs, 0);

        sim_resp_cosmos_error(r, 400,
                              json_string_value(json_object_get(e, "type")),
                              NULL, "%s",
                              json_string_value(json_object_get(e,
                                                                "message")));
    } else if (json_array_size(errs) > 1) {
        json_incref(errs);
        sim_resp_cosmos_error(r, 400, "multiple_errors",
                              json_pack("{s:o}", "errors", errs),
                              "Multiple errors while processing request");
    } else if (chosen < 0 || !body) {
        resp_nomem(r);
    } else {
        reap(s);
        op->fn(s, body, op->resp_versions[chosen],
               op->resp_types[chosen], r);
    }
    json_decref(body);
    json_decref(errs);
}

#define COSMOS_HANDLER(fname, op)                                             \
    static void fname(struct sim *s, const struct sim_req *req,              \
                      struct sim_resp *r)                                     \
    {                                                                         \
        dispatch(s, req, r, &(op));                                           \
    }

COSMOS_HANDLER(h_install, OP_INSTALL)
COSMOS_HANDLER(h_list, OP_LIST)
COSMOS_HANDLER(h_describe, OP_DESCRIBE)
COSMOS_HANDLER(h_uninstall, OP_UNINSTALL)
COSMOS_HANDLER(h_list_versions, OP_LIST_VERSIONS)
COSMOS_HANDLER(h_search, OP_SEARCH)
COSMOS_HANDLER(h_repo_list, OP_REPO_LIST)
COSMOS_HANDLER(h_svc_describe, OP_SVC_DESCRIBE)
COSMOS_HANDLER(h_svc_update, OP_SVC_UPDATE)

static const struct sim_route cosmos_routes[] = {
    { "POST", "/package/install", true, SIM_AUTH_TOKEN, h_install },
    { "POST", "/package/list", true, SIM_AUTH_TOKEN, h_list },
    { "POST", "/package/describe", true, SIM_AUTH_TOKEN, h_describe },
    { "POST", "/package/uninstall", true, SIM_AUTH_TOKEN, h_uninstall },
    { "POST", "/package/list-versions", true, SIM_AUTH_TOKEN,
      h_list_versions },
    { "POST", "/package/search", true, SIM_AUTH_TOKEN, h_search },
    { "POST", "/package/repository/list", true, SIM_AUTH_TOKEN,
      h_repo_list },
    { "POST", "/cosmos/service/describe", true, SIM_AUTH_TOKEN,
      h_svc_describe },
    { "POST", "/cosmos/service/update", true, SIM_AUTH_TOKEN,
      h_svc_update },
};

static int cosmos_start(struct sim *s)
{
    const char *dir = s->opt.catalog_dir;

#ifdef SIM_DEFAULT_CATALOG
    if (!dir)
        dir = SIM_DEFAULT_CATALOG;
#endif
    if (!dir) {
        fprintf(stderr, "dcos-sim: cosmos: no catalog directory\n");
        return ERR_INVALID;
    }
    catalog_free();
    if (!apps_of(s))
        return ERR_NOMEM;
    return catalog_load(dir);
}

static void cosmos_tick(struct sim *s, double now)
{
    (void)now;
    reap(s);
}

static void cosmos_stop(struct sim *s)
{
    (void)s;
    catalog_free();
}

/* The Cosmos module (see sim.h): its routes, and the catalog loaded at start
 * and freed at stop. */
const struct sim_module sim_cosmos_module = {
    .name = "cosmos",
    .routes = cosmos_routes,
    .n_routes = sizeof(cosmos_routes) / sizeof(cosmos_routes[0]),
    .start = cosmos_start,
    .tick = cosmos_tick,
    .stop = cosmos_stop,
};
