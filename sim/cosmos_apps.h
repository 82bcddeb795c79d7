#ifndef ETLS_SIM_COSMOS_APPS_H
#define ETLS_SIM_COSMOS_APPS_H

#include <jansson.h>

/*
 * dcos-sim Cosmos installed packages (sim/cosmos_apps.c): the "cosmos"
 * section of the state,
 *   {"apps": {"/<name>": {"appId","name","packageName","packageVersion",
 *     "releaseVersion","userProvidedOptions","resolvedOptions",
 *     "uninstalling","janitorAt","janitorTries"}}}
 * the uninstall janitor (ServiceUninstaller) and the answers the Cosmos
 * operations share.  Lock held.
 */

struct sim;
struct sim_resp;
struct catalog_pkg;

/* The "apps" object of the "cosmos" section (borrowed), created empty
 * when missing; NULL when out of memory. */
json_t *cosmos_apps(struct sim *s);

/* AppId(s): a leading '/' is added when missing.  New string or NULL. */
char *cosmos_app_id_norm(const char *id);

/*
 * Forget services whose scheduler no longer exists (an uninstall that
 * finished, or a scheduler app removed behind Cosmos's back): Cosmos lists
 * what Marathon runs.  Scans the apps only at the first call and after a
 * service was removed (sim_sdk_removals()).
 */
void cosmos_reap(struct sim *s);

/*
 * Start (or start over) the uninstall janitor of installed app @app (a
 * member of cosmos_apps()): @app is uninstalling, and is checked every 10
 * simulated seconds.  Returns 0 or ERR_NOMEM.
 */
int cosmos_janitor_start(struct sim *s, json_t *app);

/*
 * The janitor checks due at @now (ServiceUninstaller): an app whose
 * uninstall is over (sim_sdk_uninstalled) is deleted from Marathon and
 * leaves Cosmos; after 10000 checks a janitor gives up.
 */
void cosmos_janitor_tick(struct sim *s, double now);

/* The catalog package version installed app @app runs (borrowed) or
 * NULL. */
const struct catalog_pkg *cosmos_app_pkg(const json_t *app);

/* 500 unhandled_exception (java.lang.OutOfMemoryError). */
void cosmos_resp_nomem(struct sim_resp *r);

/* 400 MarathonAppNotFound for @app_id. */
void cosmos_resp_app_not_found(struct sim_resp *r, const char *app_id);

/* 400 PackageNotFound or VersionNotFound; returns the package (borrowed)
 * or NULL after answering. */
const struct catalog_pkg *cosmos_find_or_answer(struct sim_resp *r,
                                                const char *name,
                                                const char *version);

/*
 * Resolve options as PackageDefinitionRenderer does: defaults of @p merged
 * with @user, validated against @p's schema.  Returns the resolved options
 * (new) or NULL after answering (400 JsonSchemaMismatch, 500).
 */
json_t *cosmos_resolve_or_answer(struct sim_resp *r,
                                 const struct catalog_pkg *p,
                                 const json_t *user);

#endif
