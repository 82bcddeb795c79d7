#ifndef ETLS_CONTROLLER_ENGINE_H
#define ETLS_CONTROLLER_ENGINE_H

#include <stdio.h>

#include "common/err.h"
#include "controller/cli.h"
#include "model/desired.h"
#include "model/plan.h"

/*
 * The engine: observe -> plan -> apply -> wait -> verify, per service.  It
 * performs every HTTP call through dcos/ and feeds the answers to the pure
 * reconcilers.
 */
struct engine;

/*
 * Connect to the cluster described by @cli (URL, trust, credentials) and
 * log in when needed.  Returns 0 and sets *@out (new), or a negative enum
 * err with @e set to one clear line.
 */
int engine_new(struct engine **out, const struct cli *cli,
               struct err_info *e);

/* Free; accepts NULL. */
void engine_free(struct engine *eng);

/* The cluster URL (borrowed). */
const char *engine_cluster_url(const struct engine *eng);

/*
 * Observe every service of @d (concurrently, with bounded connections) and
 * plan.  Makes no write request.  On success returns 0 and sets *@plans_out
 * to a new array of d->n_services plans (free each with model_plan_clear,
 * then the array).  On failure returns a negative enum err with @e set.
 */
int engine_plan(struct engine *eng, const struct model_desired *d,
                struct model_plan **plans_out, struct err_info *e);

/*
 * Execute @plans (as made by engine_plan for @d) in dependency order,
 * independent actions concurrently, report each action on @out as it runs,
 * then verify.  Returns 0 only when every service converged and verified;
 * otherwise ERR_* with @e saying what is left.
 */
int engine_apply(struct engine *eng, const struct model_desired *d,
                 struct model_plan *plans, FILE *out, struct err_info *e);

#endif
