#ifndef ETLS_SIM_CATALOG_H
#define ETLS_SIM_CATALOG_H

#include <stddef.h>

#include <jansson.h>

/*
 * dcos-sim package catalog (sim/catalog.c): every
 * <catalog>/<package>/<revision>/ directory of --catalog, read when Cosmos
 * starts and read-only until it stops, and the package definitions Cosmos
 * answers with (universe v4 PackageDefinition, rpc v2 DescribeResponse,
 * InstalledPackageInformation).
 */

/* One package version of the catalog (a Universe revision directory). */
struct catalog_pkg {
    char *name;
    char *version;
    json_int_t release;   /* revision directory number = releaseVersion */
    json_t *package;      /* package.json */
    json_t *config;       /* config.json or NULL */
    json_t *resource;     /* resource.json or NULL */
    char *template_b64;   /* base64 of marathon.json.mustache or NULL */
    json_t *defaults;     /* jsonschema_defaults(config) */
    char *definition_text; /* catalog_package_definition_text's answer */
};

/*
 * Read every <catalog>/<package>/<revision>/ directory under @root (the
 * catalog must be empty).  Returns 0, ERR_NOTFOUND (no catalog or no
 * package), ERR_INVALID (a bad definition, reported on stderr) or
 * ERR_NOMEM; on failure the catalog stays empty.
 */
int catalog_load(const char *root);

/*
 * catalog_package_definition(@p) as compact JSON text, made once and kept
 * with @p (a service describe answers it for every call: ~70 KB).
 * Returns NULL when out of memory.
 */
const char *catalog_package_definition_text(const struct catalog_pkg *p);

/* Empty the catalog. */
void catalog_free(void);

/* Every package version (borrowed), sorted by name then release; *@n gets
 * the count. */
const struct catalog_pkg *catalog_all(size_t *n);

/* 1 when the catalog has a package @name. */
int catalog_has_name(const char *name);

/* Version @version of @name (borrowed), or its latest when @version is
 * NULL; NULL when there is none. */
const struct catalog_pkg *catalog_find(const char *name,
                                       const char *version);

/* Versions @pkg can be updated to: "upgradesTo" (catalog versions whose
 * upgradesFrom matches) or "downgradesTo" (catalog versions matched by
 * @pkg's downgradesTo).  Newest first.  New array or NULL. */
json_t *catalog_versions_to(const struct catalog_pkg *pkg, int upgrades);

/* Copy member @key of @src into @dst when present.  0 or -1. */
int catalog_copy_member(json_t *dst, const json_t *src, const char *key);

/*
 * The universe v4 PackageDefinition Cosmos returns (describe v3, service
 * describe, update): package.json members in the encoder's order plus
 * releaseVersion, marathon, resource and config.  New or NULL.
 */
json_t *catalog_package_definition(const struct catalog_pkg *p);

/* The rpc.v2 DescribeResponse (describe-response v2), which only packages
 * without update metadata can be converted to.  New or NULL. */
json_t *catalog_describe_v2(const struct catalog_pkg *p);

/* rpc.v1 InstalledPackageInformation ({packageDefinition,
 * resourceDefinition}) of /package/list.  New or NULL. */
json_t *catalog_installed_information(const struct catalog_pkg *p);

#endif
