#ifndef ETLS_SIM_SEED_H
#define ETLS_SIM_SEED_H

#include "common/err.h"

/*
 * dcos-sim bulk seed (sim/seed.c, `--seed-converged N`): N copies of the
 * one service a state holds, for benchmarks that need many services in
 * the state that service is in (typically converged by etls).  See
 * docs/sim.md "Seeding many services".
 */

struct sim;

/*
 * Before the modules start: the state must hold exactly one SDK service,
 * the template, whose name ends in digits ("svc-000").  Copy everything of
 * it to the services named by that name with the digits replaced by 0 to
 * @n - 1 (at least as many digits): its Cosmos app, its service account
 * with its group memberships and grants, the secrets under "<name>/"
 * (not the nodes' TLS artifacts, issued again for the new names when the
 * nodes start) and the SDK service itself (its tasks' ids renamed).  A
 * name already present is left as it is.  Returns 0 or a negative enum err
 * with @e set.
 */
int sim_seed_converged(struct sim *s, long n, struct err_info *e);

#endif
