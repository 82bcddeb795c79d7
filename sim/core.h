#ifndef ETLS_SIM_CORE_H
#define ETLS_SIM_CORE_H

#include <stddef.h>

#include "common/err.h"

/*
 * dcos-sim core (sim/core.c): lifecycle of `struct sim` (sim/state.h):
 * state load and persistence, the cluster CA and token key, the control
 * token, the API modules' hooks and the ticker thread, and how the server
 * runs a request against the cluster (sim_core_server_ops).
 */

struct sim;
struct sim_options;
struct sim_route;
struct sim_server_ops;

/*
 * An API module: its routes (served by sim/server.c) and its hooks (run
 * by the core).  Every member may be NULL.
 */
struct sim_module {
    const char *name;
    const struct sim_route *routes;
    size_t n_routes;
    /* Called once at start (lock held) after the state was loaded. */
    int (*start)(struct sim *s);
    /* Called every tick with the simulated time (lock held). */
    void (*tick)(struct sim *s, double now);
    /* Called once at shutdown (lock held). */
    void (*stop)(struct sim *s);
};

/*
 * The server ops (payload: the struct sim *): a DC/OS token is checked with
 * sim_token_verify(), and a handler runs under s->lock, the state it
 * changed written before the lock is released.
 */
extern const struct sim_server_ops sim_core_server_ops;

/*
 * Initialise @s for @opt (copied by value; the strings are borrowed and
 * must outlive @s): the lock, the clock, DIR/state.json (a new cluster when
 * absent), the cluster CA, the token signing key and a fresh control token.
 * Returns 0 or a negative enum err with @e set; on failure call
 * sim_core_free().
 */
int sim_core_init(struct sim *s, const struct sim_options *opt,
                  struct err_info *e);

/*
 * Run each module's start hook (lock held) and persist the state.  Returns
 * 0 or the first hook's error with @e set.
 */
int sim_core_start_modules(struct sim *s,
                           const struct sim_module *const *mods,
                           size_t n_mods, struct err_info *e);

/* Run each module's stop hook and persist the state (takes the lock). */
void sim_core_stop_modules(struct sim *s,
                           const struct sim_module *const *mods,
                           size_t n_mods);

/*
 * Persist what changed (sim/journal.h), with the simulated clock, flushed
 * to disk, and clear s->dirty.  Lock held.  Returns 0 or a negative enum
 * err (the state stays dirty).
 */
int sim_core_persist(struct sim *s);

/* Start / stop the thread calling the modules' tick hooks every 20 ms. */
int sim_core_ticker_start(struct sim *s,
                          const struct sim_module *const *mods,
                          size_t n_mods, struct err_info *e);
void sim_core_ticker_stop(struct sim *s);

/* Write DIR/cluster.json atomically (mode 0600); s->url must be set. */
int sim_core_write_cluster_json(struct sim *s, struct err_info *e);

/* Free everything sim_core_init() set up; accepts a partly set-up @s. */
void sim_core_free(struct sim *s);

#endif
