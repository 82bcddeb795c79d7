#ifndef ETLS_SIM_IAM_AUTHZ_H
#define ETLS_SIM_IAM_AUTHZ_H

#include <stddef.h>

#include <jansson.h>

/*
 * dcos-sim IAM tables and authorization (sim/iam_authz.c): the "iam"
 * section of the state (users, groups, acls; see sim/iam.c) and the
 * queries that decide who may do what, for the IAM routes and for every
 * other module.  Lock held.
 */

struct sim;

#define IAM_SUPERUSER_RID "dcos:superuser"
#define IAM_SUPERUSER_GID "superusers"

/* Member @name of @o as an object (borrowed), created empty when missing;
 * NULL when out of memory. */
json_t *iam_obj_child(json_t *o, const char *name);

/* The string member @name of @o (borrowed) or NULL. */
const char *iam_str(json_t *o, const char *name);

/* The member @name ("users", "groups", "acls") of the "iam" section
 * (borrowed), created empty when missing; NULL when out of memory. */
json_t *iam_table(struct sim *s, const char *name);

/* Remove every membership and grant of subject @id of @kind ("users" or
 * "groups"), marking what changed (sim_state_touch()). */
void iam_forget_subject(struct sim *s, const char *kind, const char *id);

/* 1 when @uid is a member of group @gid. */
int iam_is_member(struct sim *s, const char *gid, const char *uid);

/* 1 when @uid holds "full" on dcos:superuser, directly or through a
 * group. */
int iam_is_superuser(struct sim *s, const char *uid);

/* 1 when group @gid holds @action (or "full") on @rid, or "full" on
 * dcos:superuser. */
int iam_group_allowed(struct sim *s, const char *gid, const char *rid,
                      const char *action);

/* The number of regular (non-service) superusers other than @except
 * (NULL = none excepted). */
size_t iam_regular_superusers(struct sim *s, const char *except);

/* 1 when @uid exists. */
int sim_iam_user_exists(struct sim *s, const char *uid);

/* Public key PEM of service account @uid (borrowed) or NULL. */
const char *sim_iam_public_key(struct sim *s, const char *uid);

/* 1 when @uid (directly or through a group) holds @action (or "full") on
 * @rid, or holds "full" on "dcos:superuser".  A grant on a rid ending in
 * slash-star covers every rid below it (secrets paths). */
int sim_iam_allowed(struct sim *s, const char *uid, const char *rid,
                    const char *action);

#endif
