#ifndef ETLS_CONTROLLER_LEASE_H
#define ETLS_CONTROLLER_LEASE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

/*
 * The per-service lease (docs/plan.md, "Leases"; record format and names
 * in model/lease.h): taken before the first write, renewed on the engine's
 * loop while etls works, released at the end; an expired lease may be
 * taken over.  A holder that could not renew in time stops writing
 * (lease_held turns false) before anyone may take the lease over.
 */
struct ev_loop;
struct dcos_client;
struct lease_set;

/* Defaults and bounds, seconds. */
#define LEASE_TTL_DEFAULT 60.0
#define LEASE_TTL_MIN 5.0
/* Clock difference between hosts tolerated around an expiry. */
#define LEASE_SKEW 2.0

struct lease_options {
    double ttl;          /* lifetime of a record between renewals */
    double wait;         /* how long to wait for a lease held by another */
    double request_timeout; /* bound of one request */
    const char *holder;  /* who we are, shown to others */
};

/*
 * Take the leases of the @n services @names (concurrently), waiting up to
 * o->wait for leases other etls hold.  Returns 0 and sets *@out (release
 * with lease_release), ERR_CONFLICT when a lease stayed held by another
 * (@e names the holder and when it expires), or another negative err; on
 * failure every lease taken is released again.
 */
int lease_acquire(struct lease_set **out, struct ev_loop *ev,
                  struct dcos_client *c, const char *const *names, size_t n,
                  const struct lease_options *o, struct err_info *e);

/*
 * true while the lease of service @name is ours: taken, renewed in time
 * and not lost (deleted by force-unlock, or taken over after it lapsed).
 * false for a service the set does not hold.
 */
bool lease_held(const struct lease_set *ls, const char *name);

/*
 * Renew every lease now and wait for the answers (bounded): after a pause
 * in which the loop did not run (a confirmation prompt), a lease that
 * lapsed but was not taken over is valid again.  Returns 0, or ERR_CONFLICT
 * when one was lost (@e says which).
 */
int lease_refresh(struct lease_set *ls, struct err_info *e);

/* Release every lease (bounded) and free the set; accepts NULL. */
void lease_release(struct lease_set *ls);

/*
 * "etls <command> by <user>@<host> pid <pid>" (new string, NULL on
 * ENOMEM): how this process describes itself in its leases.
 */
char *lease_holder_describe(const char *command);

#endif
