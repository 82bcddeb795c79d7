#ifndef ETLS_RECONCILERS_RC_H
#define ETLS_RECONCILERS_RC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/err.h"
#include "common/sa_secret.h"
#include "model/desired.h"
#include "model/observed.h"
#include "model/plan.h"
#include "reconcilers/reconciler.h"

/*
 * Private helpers shared by the reconcilers (not part of the library's
 * contract).  Everything here is pure.
 */

/* The seven reconcilers, in registry order (one per .c file). */
extern const struct reconciler_ops reconciler_account;
extern const struct reconciler_ops reconciler_secret;
extern const struct reconciler_ops reconciler_membership;
extern const struct reconciler_ops reconciler_package;
extern const struct reconciler_ops reconciler_rollout;
extern const struct reconciler_ops reconciler_https;
extern const struct reconciler_ops reconciler_preflight;

/* The paths of the resolved options package.c reads besides the managed
 * ones and the document's (the node counts), NULL-terminated; see
 * reconcilers_options_needed. */
extern const char *const *const rc_package_read_paths[];

/* Resource types (the part of an address before the first '.'). */
#define RC_TYPE_ACCOUNT "dcos_service_account"
#define RC_TYPE_SECRET "dcos_secret"
#define RC_TYPE_MEMBERSHIP "dcos_group_membership"
#define RC_TYPE_PERMISSION "dcos_permission"
#define RC_TYPE_PACKAGE "dcos_package"
#define RC_TYPE_ROLLOUT "dcos_rollout"
#define RC_TYPE_STRATEGY "dcos_update_strategy"
#define RC_TYPE_HTTPS "dcos_https_check"

#define RC_UNKNOWN_AFTER "(known after apply)"
#define RC_SENSITIVE "(sensitive)"
#define RC_NOT_A_KEY "(not a public key)"



/*
 * Append an action whose reason is formatted from @fmt; the action's name
 * is formatted by the caller.  On success stores its index in *@idx_out and
 * returns 0; ERR_NOMEM otherwise (with @e set).
 */
int rc_add(struct model_plan *p, size_t *idx_out, enum model_op op,
           enum model_change change, const char *type, const char *name,
           struct err_info *e, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/*
 * Append a MODEL_OP_FAIL action (change NOOP) for resource @type.@name with
 * the formatted reason.  0 or ERR_NOMEM.
 */
int rc_fail(struct model_plan *p, const char *type, const char *name,
            struct err_info *e, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Make action @idx wait for @dep (no-op when @dep is MODEL_NO_ACTION). */
int rc_depend(struct model_plan *p, size_t idx, size_t dep,
              struct err_info *e);

/*
 * Make action @idx wait for every earlier action whose op is one of the
 * @n_ops in @ops.
 */
int rc_depend_ops(struct model_plan *p, size_t idx, const enum model_op *ops,
                  size_t n_ops, struct err_info *e);

/* Index of the first action with op @op, or MODEL_NO_ACTION. */
size_t rc_find_op(const struct model_plan *p, enum model_op op);

/* Index of the first action of the package kind, or MODEL_NO_ACTION. */
size_t rc_find_package(const struct model_plan *p);

/*
 * Set a JSON member of an action field, stealing @value (NULL means the
 * allocation that produced it failed).  0 or ERR_NOMEM.
 */
int rc_set(json_t **field, json_t *value, struct err_info *e);

/* strdup into *@field; 0 or ERR_NOMEM. */
int rc_strdup(char **field, const char *s, struct err_info *e);

/*
 * @n pairs of (char **field, const char *value): rc_strdup each value that
 * is not NULL, in order, stopping at the first failure.  0 or ERR_NOMEM.
 */
int rc_strdups(struct err_info *e, size_t n, ...);

/* ERR_NOMEM with a one-line message. */
int rc_nomem(struct err_info *e);

/*
 * 1 when the two SPKI PEM public keys are the same key (common/key.h
 * key_public_equal: the DER is compared); 0 when they differ, either is
 * NULL or either does not parse.
 */
bool rc_key_equal(const char *a, const char *b);

/* 1 when the secret's private key can be used (a public key was derived). */
bool rc_secret_usable(const struct model_observed *o);

/*
 * What is wrong with an unusable secret, for messages: "missing",
 * "not JSON" or "holds no usable key".
 */
const char *rc_secret_problem(const struct model_observed *o);

/*
 * Set *@field to the Marathon app id of service @d (model_app_id), freeing
 * what it held.  0 or ERR_NOMEM.
 */
int rc_app_param(char **field, const struct model_service *d,
                 struct err_info *e);

/*
 * true when the desired secret holds no usable key but the secret the
 * running service uses (observed old_secret_*) does, and that key is the
 * account's (or there is no account yet): copy it instead of rotating.
 */
bool rc_copy_possible(const struct model_service *d,
                      const struct model_observed *o);

/*
 * Index of the action that makes this plan's new key pair (output
 * KEY_PAIR), or MODEL_NO_ACTION.
 */
size_t rc_find_key_producer(const struct model_plan *p);

/* true when the service needs an account (service_account non-empty). */
bool rc_has_account(const struct model_service *d);

/* true when the service's account key lives in a secret. */
bool rc_has_secret(const struct model_service *d);

#endif
