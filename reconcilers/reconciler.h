#ifndef ETLS_RECONCILERS_RECONCILER_H
#define ETLS_RECONCILERS_RECONCILER_H

#include <stddef.h>

#include "model/desired.h"
#include "model/observed.h"
#include "model/plan.h"

/*
 * A reconciler looks at one resource kind.  `plan` is pure: it reads the
 * desired and observed state, reads the actions earlier reconcilers already
 * appended to @plan (to order itself after them and to see what will be
 * replaced), and appends its own actions.
 *
 * Return value of `plan`:
 *   0   converged, nothing appended
 *   1   actions appended
 *   <0  enum err (ERR_NOMEM, ERR_INVALID); @e says why
 */
#define RECONCILER_OPS_VERSION 1

struct reconciler_ops {
    unsigned version;
    const char *name; /* "account", "secret", "membership", "package",
                         "rollout", "https", "preflight" */
    int (*plan)(const struct model_service *desired,
                const struct model_observed *observed,
                struct model_plan *plan, struct err_info *e);
};

/* The registry, in dependency order (reconcilers/registry.c). */
extern const struct reconciler_ops *const reconcilers[];
extern const size_t reconcilers_count;

/*
 * Run every reconciler in order for one service and fill @out (zeroed by
 * the caller; free with model_plan_clear).  Returns 0 (no changes), 1
 * (changes planned) or a negative enum err.
 */
int reconcilers_plan(struct model_plan *out,
                     const struct model_service *desired,
                     const struct model_observed *observed,
                     struct err_info *e);

/*
 * The part of @resolved (a service's resolved package options) that
 * reconcilers_plan reads for @d: the value at every path of @d's options,
 * at the managed paths and at the node counts, each whole.  A plan made
 * with it equals one made with @resolved; it is what a run over many
 * services keeps of each.  Shares values with @resolved (read-only).
 * Returns a new reference (to @resolved itself when it is not an object),
 * NULL on ENOMEM or for a NULL @resolved.
 */
json_t *reconcilers_options_needed(const struct model_service *d,
                                   const json_t *resolved);

#endif
