#ifndef ETLS_SIM_CORE_H
#define ETLS_SIM_CORE_H

#include <stddef.h>

#include "common/err.h"

/*
 * dcos-sim core internals (sim/core.c): lifecycle of `struct sim` (state
 * load and persistence, token key, control token, ticker thread).  The
 * services every module uses are declared in sim/sim.h.
 */

struct sim;
struct sim_module;
struct sim_options;

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
 * Write DIR/state.json atomically (compact, sorted keys, mode 0600) with
 * the simulated clock, and clear s->dirty.  Lock held.  Returns 0 or a
 * negative enum err (the state stays dirty).
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
