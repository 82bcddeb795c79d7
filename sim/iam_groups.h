#ifndef ETLS_SIM_IAM_GROUPS_H
#define ETLS_SIM_IAM_GROUPS_H

#include <stddef.h>

/*
 * dcos-sim IAM groups (sim/iam_groups.c):
 * /acs/api/v1/groups: list, create, describe, delete groups, their
 * members and permissions.
 */

struct sim;
struct sim_req;
struct sim_resp;

/* Answer @req, whose path below /acs/api/v1/groups/ is the @n segments @seg
 * (percent-decoded once). */
void iam_groups_route(struct sim *s, const struct sim_req *req,
                      struct sim_resp *resp, char **seg, size_t n);

#endif
