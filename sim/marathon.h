#ifndef ETLS_SIM_MARATHON_H
#define ETLS_SIM_MARATHON_H

#include <stdbool.h>

#include <jansson.h>

/*
 * dcos-sim Marathon (sim/marathon.c): the app of each SDK scheduler,
 * rendered from the package's marathon.json.mustache, its deployments and
 * restarts, and the /marathon/v2 API.  The SDK scheduler (sim/sdk.c) runs
 * on top of it.
 */

struct sim;
struct sim_module;
struct sdk_service;

/*
 * Render the package's Marathon app template (marathon.json.mustache of
 * @pkg_name @pkg_version in the catalog) with @options.  Returns 0 and
 * sets *@out (new), or ERR_NOTFOUND (no such package version) or
 * ERR_INVALID (the template does not render to JSON).
 */
int marathon_render_app(struct sim *s, const char *pkg_name,
                        const char *pkg_version, const json_t *options,
                        json_t **out);

/*
 * Restart the scheduler app of @svc as Marathon does (a new deployment,
 * app version and task): the scheduler API is unreachable for a while,
 * then a new scheduler re-reads its secret and regenerates its plans.
 * @install selects the deployment's actions (StartApplication).
 */
void marathon_app_restart(struct sim *s, struct sdk_service *svc,
                          bool install);

/*
 * DELETE /v2/apps/@app_id as Cosmos's uninstall janitor sends it: the
 * scheduler app and what it ran (its tasks and their listeners) are gone;
 * the SDK state is saved on the next tick.  Returns 0 or ERR_NOTFOUND.
 */
int marathon_app_delete(struct sim *s, const char *app_id);

/* The module: the /marathon/ and /service/marathon/ routes, and the
 * template cache freed at stop. */
extern const struct sim_module sim_marathon_module;

#endif
