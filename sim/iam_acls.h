#ifndef ETLS_SIM_IAM_ACLS_H
#define ETLS_SIM_IAM_ACLS_H

#include <stddef.h>

/*
 * dcos-sim IAM acls (sim/iam_acls.c):
 * /acs/api/v1/acls: ACLs, grants to users and groups, and the
 * permission queries.
 */

struct sim;
struct sim_req;
struct sim_resp;

/* Answer @req, whose path below /acs/api/v1/acls/ is the @n segments @seg
 * (percent-decoded once). */
void iam_acls_route(struct sim *s, const struct sim_req *req,
                    struct sim_resp *resp, char **seg, size_t n);

#endif
