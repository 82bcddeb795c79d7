#ifndef ETLS_CONTROLLER_OBSERVE_GROUPS_H
#define ETLS_CONTROLLER_OBSERVE_GROUPS_H

#include "common/err.h"
#include "model/desired.h"
#include "model/observed.h"

/*
 * Existence of the groups the services name, read once per run: GET
 * /acs/api/v1/groups/<gid> per distinct gid, however many services name
 * it.  Membership itself is read per account (controller/observe.c), so
 * the bytes observation reads per service stay constant.
 */
struct dcos_client;
struct observe_groups;

/* Submit one read per distinct gid of the services of @d that have an
 * account.  Returns 0 (*@out new, collect it) or a negative enum err. */
int observe_groups_submit(struct observe_groups **out,
                          struct dcos_client *c,
                          const struct model_desired *d);

/*
 * After the reads (the loop idle): set out[i].group_exists[j] of every
 * group service i is not a member of (out[i].in_group[j] false; a member's
 * group is PRESENT already) from the read of its gid.  Returns 0, or the
 * first failed read's error in @e.  Frees @g (NULL is a no-op).
 */
int observe_groups_collect(struct observe_groups *g,
                           const struct model_desired *d,
                           struct model_observed *out, struct err_info *e);

#endif
