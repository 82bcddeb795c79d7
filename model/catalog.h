#ifndef ETLS_MODEL_CATALOG_H
#define ETLS_MODEL_CATALOG_H

#include <stddef.h>

#include <jansson.h>

/*
 * The package definitions etls carries (docs/manifest.md, "Package options
 * schema"): the published beta-elastic revisions vendored in sim/catalog,
 * whose config.json option schemas are embedded at build time by
 * cmake/GenCatalog.cmake (the generated model_catalog_data.c in the build
 * tree).  `etls validate` checks options against them without a cluster.
 * Pure: no I/O.
 */

struct model_catalog_pkg {
    const char *name;             /* "beta-elastic" */
    const char *version;          /* "2.1.2-5.6.5-beta" */
    unsigned release;             /* Universe revision: highest is newest */
    const unsigned char *config;  /* config.json, NUL-terminated */
    size_t config_len;            /* bytes, without the NUL */
};

/* Every vendored package version, in no particular order (generated). */
extern const struct model_catalog_pkg model_catalog_pkgs[];
extern const size_t model_catalog_count;

/*
 * Version @version of package @name, or its newest (highest revision) when
 * @version is NULL.  @return borrowed (static), NULL when not vendored.
 */
const struct model_catalog_pkg *model_catalog_find(const char *name,
                                                   const char *version);

/*
 * The options schema (config.json) of @p, parsed.  Every vendored schema
 * is parsed once per process, on the first call (pthread_once), and never
 * changes after: *@out is borrowed for the life of the process and must
 * not be modified (json_incref it to keep it in a structure).  This cache
 * of compile-time data is the only state of model/; parsing 40 KiB of
 * schema per document made the parser 30 times slower.
 *
 * @return 0 and *@out, ERR_NOMEM (also on every later call when the first
 * parse ran out of memory), or ERR_INVALID when the schema is not a JSON
 * object (a broken build).
 */
int model_catalog_schema(const json_t **out,
                         const struct model_catalog_pkg *p);

/*
 * The vendored versions of package @name, oldest first, separated by ", ",
 * into @buf (@size bytes, always NUL-terminated; cut when too small); ""
 * when there is none.
 */
void model_catalog_versions(char *buf, size_t size, const char *name);

#endif
