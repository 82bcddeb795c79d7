#ifndef ETLS_SIM_SDK_SPEC_H
#define ETLS_SIM_SDK_SPEC_H

#include <jansson.h>

/*
 * dcos-sim SDK configurations and ServiceSpecs (sim/sdk_spec.c): the pod
 * specs rendered from the scheduler's Marathon app environment, as the SDK
 * builds them from svc.yml, and the configurations a service stores.
 * Lock held.
 */

struct sim;
struct sdk_service;

/*
 * ServiceSpec JSON (GET /v1/configurations/<id>) of configuration @id of
 * @svc.  New reference or NULL.
 */
json_t *sdk_service_spec(struct sim *s, const struct sdk_service *svc,
                         const char *id);

/* ServiceSpec of options @o at package version @ver (new) or NULL. */
json_t *sdk_spec_of_options(struct sim *s, const struct sdk_service *svc,
                            const json_t *o, const char *ver);

/* 1 when pod @pod has the same spec (count aside) in configs @a and @b. */
int sdk_pod_spec_equal(struct sim *s, const struct sdk_service *svc,
                       const char *a, const char *b, int pod);

/* Store a new configuration; returns its id (new) or NULL. */
char *sdk_config_add(struct sdk_service *svc, const json_t *options,
                     const char *version);

/* Drop configurations no task runs and that are not the target. */
void sdk_config_prune(struct sdk_service *svc);

#endif
