#ifndef ETLS_SIM_SDK_STORE_H
#define ETLS_SIM_SDK_STORE_H

#include <jansson.h>

/*
 * dcos-sim SDK persistence (sim/sdk_store.c): the services in the
 * "services" section of the state, and back.  Lock held.
 */

struct sim;
struct sdk_service;

/* A service read from its "services" member @j (new, free with
 * sdk_service_free), or NULL when @j is not a valid service. */
struct sdk_service *sdk_service_from_json(const json_t *j);

/* Write every service to the "services" section, mark the state changed
 * (persisted before the lock is released) and clear sdk_dirty_get(). */
void sdk_touch(struct sim *s);

#endif
