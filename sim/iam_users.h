#ifndef ETLS_SIM_IAM_USERS_H
#define ETLS_SIM_IAM_USERS_H

#include <stddef.h>

/*
 * dcos-sim IAM users (sim/iam_users.c):
 * /acs/api/v1/users: list, create, update, delete users and service
 * accounts, their groups and permissions.
 */

struct sim;
struct sim_req;
struct sim_resp;

/* Answer @req, whose path below /acs/api/v1/users/ is the @n segments @seg
 * (percent-decoded once). */
void iam_users_route(struct sim *s, const struct sim_req *req,
                     struct sim_resp *resp, char **seg, size_t n);

#endif
