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

/*
 * Write @svc to its member of the "services" section, mark it changed
 * (persisted before the lock is released) and clear sdk_dirty_get() (the
 * change a request or a tick made is the one of @svc).  @svc NULL: every
 * service, the members of services no longer registered removed.
 */
void sdk_touch(struct sim *s, struct sdk_service *svc);

#endif
