#ifndef ETLS_SIM_IAM_H
#define ETLS_SIM_IAM_H

/*
 * dcos-sim IAM (sim/iam.c): /acs/api/v1 users, groups, ACLs and login, and
 * the authorization queries other modules ask it.
 */

struct sim;
struct sim_module;

/* 1 when @uid exists. */
int sim_iam_user_exists(struct sim *s, const char *uid);

/* Public key PEM of service account @uid (borrowed) or NULL. */
const char *sim_iam_public_key(struct sim *s, const char *uid);

/* 1 when @uid (directly or through a group) holds @action (or "full") on
 * @rid, or holds "full" on "dcos:superuser".  A grant on a rid ending in
 * slash-star covers every rid below it (secrets paths). */
int sim_iam_allowed(struct sim *s, const char *uid, const char *rid,
                    const char *action);

/* The module: routes and the start hook that creates a new cluster's
 * bootstrap user, superusers group and ACL. */
extern const struct sim_module sim_iam_module;

#endif
