#ifndef ETLS_SIM_IAM_H
#define ETLS_SIM_IAM_H

/*
 * dcos-sim IAM (sim/iam.c and sim/iam_*.c): /acs/api/v1 users, groups,
 * ACLs and login.  The queries other modules ask the IAM are in
 * sim/iam_authz.h.
 */

struct sim_module;

/* The module: routes and the start hook that creates a new cluster's
 * bootstrap user, superusers group and ACL. */
extern const struct sim_module sim_iam_module;

#endif
