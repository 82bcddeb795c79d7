#ifndef ETLS_CONTROLLER_LEASE_H
#define ETLS_CONTROLLER_LEASE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "controller/lease_machine.h"

/*
 * The per-service lease (docs/plan.md, "Leases"; record format and names
 * in model/lease.h): taken before the first write, renewed on the engine's
 * loop while etls works, released at the end; an expired lease may be
 * taken over.  A holder that could not renew in time stops writing
 * (lease_held turns false) before anyone may take the lease over.  The
 * state machine of each lease is lease_machine.h; this is the set of
 * leases one run takes together.
 */
struct ev_loop;
struct dcos_client;

/*
 * Start taking the leases of the @n services @names (concurrently) on
 * @ev, waiting up to o->wait for leases other etls hold; @done(set, r, e,
 * @payload) runs once on the loop (never from here): r 0 with the set
 * held (release it with lease_release_start), or ERR_CONFLICT when a lease
 * stayed held by another (@e names the holder and when it expires), or
 * another negative err; every lease taken is released again before a
 * failure is reported.  Returns 0, or ERR_NOMEM (@done is then not
 * called).
 */
int lease_acquire_start(struct ev_loop *ev, struct dcos_client *c,
                        const char *const *names, size_t n,
                        const struct lease_options *o, lease_acquired_fn done,
                        void *payload, struct err_info *e);

/*
 * Release every lease of @ls (bounded by twice the request timeout) and
 * free the set, then call @done(@payload) (may be NULL) on the loop.  No
 * renewal starts any more.  Accepts NULL (then nothing is called).
 */
void lease_release_start(struct lease_set *ls, lease_released_fn done,
                         void *payload);

/*
 * lease_acquire_start, running the loop until it ended: returns 0 and
 * sets *@out, or the error (@e set).
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
 * Renew every lease with less than half its lifetime left now and wait for
 * the answers (bounded, running the loop): after a pause in which the loop
 * did not run (a confirmation prompt), a lease that lapsed but was not
 * taken over is valid again.  A lease just taken or renewed is left alone.
 * Returns 0, or ERR_CONFLICT when one was lost (@e says which).
 */
int lease_refresh(struct lease_set *ls, struct err_info *e);

/* lease_release_start, running the loop until it ended; accepts NULL. */
void lease_release(struct lease_set *ls);

/*
 * "etls <command> by <user>@<host> pid <pid>" (new string, NULL on
 * ENOMEM): how this process describes itself in its leases.
 */
char *lease_holder_describe(const char *command);

#endif
