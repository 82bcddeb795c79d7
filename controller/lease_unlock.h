#ifndef ETLS_CONTROLLER_LEASE_UNLOCK_H
#define ETLS_CONTROLLER_LEASE_UNLOCK_H

#include "common/err.h"

/*
 * etls force-unlock: remove a service's lease (model/lease.h) whoever
 * holds it, for when the etls that took it is gone and its lease has not
 * expired yet, or a lease record is damaged.
 */
struct ev_loop;
struct dcos_client;

/*
 * Delete every generation of the lease of service @name, whoever holds it
 * (etls force-unlock).  Sets *@holder_out to the holder's description of
 * the top generation (new string) or NULL when there was no lease.
 * 0 or a negative err.
 */
int lease_force_unlock(struct ev_loop *ev, struct dcos_client *c,
                       const char *name, double request_timeout,
                       char **holder_out, struct err_info *e);

#endif
