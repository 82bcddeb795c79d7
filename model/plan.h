#ifndef ETLS_MODEL_PLAN_H
#define ETLS_MODEL_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * A plan is the ordered list of actions the reconcilers decided on for one
 * service.  Pure data: the engine in controller/ executes it, the printers in
 * controller/ render it.  Nothing in a plan holds a secret value; secret
 * changes are described by flags (`before_sensitive`/`after_sensitive`).
 */

/* Terraform-style change kinds (symbols: + ~ -/+ - and none). */
enum model_change {
    MODEL_CHANGE_NOOP = 0,
    MODEL_CHANGE_CREATE,  /* "+"   ["create"] */
    MODEL_CHANGE_UPDATE,  /* "~"   ["update"] */
    MODEL_CHANGE_REPLACE, /* "-/+" ["delete","create"] */
    MODEL_CHANGE_DELETE,  /* "-"   ["delete"] */
    MODEL_CHANGE_READ     /* "<="  ["read"]: waits and checks */
};

/* What the engine must do for an action. */
enum model_op {
    MODEL_OP_ACCOUNT_CREATE = 1, /* PUT /acs/api/v1/users/<uid> */
    MODEL_OP_ACCOUNT_REPLACE,    /* DELETE then PUT (public key changes) */
    MODEL_OP_SECRET_CREATE,      /* PUT /secrets/v1/secret/default/<p> */
    MODEL_OP_SECRET_UPDATE,      /* PATCH the secret value */
    MODEL_OP_GROUP_ADD,          /* PUT /acs/api/v1/groups/<g>/users/<u> */
    MODEL_OP_PERMISSION_GRANT,   /* PUT acls/<rid> (201/409), then
                                    PUT acls/<rid>/users/<u>/<action> */
    MODEL_OP_PACKAGE_INSTALL,    /* POST /package/install */
    MODEL_OP_PACKAGE_UPDATE,     /* POST /cosmos/service/update */
    MODEL_OP_SCHEDULER_RESTART,  /* restart the scheduler's Marathon app
                                    so it reads its new key */
    MODEL_OP_ROLLOUT_WAIT,       /* wait for deploy plan COMPLETE */
    MODEL_OP_STRATEGY_RESTORE,   /* update_strategy back after a toggle */
    MODEL_OP_HTTPS_VERIFY,       /* HTTPS GET / + health, plain refused */
    MODEL_OP_FAIL                /* cannot proceed: `reason` says why */
};

/* Where the key of a created/replaced account comes from. */
enum model_key_source {
    MODEL_KEY_NONE = 0,
    MODEL_KEY_NEW,        /* generate a new RSA-2048 key pair */
    MODEL_KEY_FROM_SECRET /* public key derived from the stored secret */
};

struct model_action {
    enum model_op op;
    enum model_change change;
    char *address;     /* "dcos_service_account.elastic" (unique/plan) */
    char *type;        /* "dcos_service_account" */
    char *name;        /* "elastic" */
    char *reason;      /* one line: why this action is needed */
    bool disruptive;   /* restarts nodes or the scheduler */
    char *disruption;  /* loud note shown when disruptive, or NULL */

    /* Displayable state, never secret values (owned, may be NULL). */
    json_t *before;
    json_t *after;
    json_t *before_sensitive; /* true or object of true flags */
    json_t *after_sensitive;

    /* Parameters for the engine. */
    enum model_key_source key_source;
    json_t *params;    /* op-specific (owned), documented per op in
                          docs/plan.md: e.g. {"options": {...}} for
                          PACKAGE_UPDATE, {"gid": ..} for GROUP_ADD */
    size_t *deps;      /* indexes of actions this one waits for */
    size_t n_deps;
};

struct model_plan {
    char *service;     /* service name */
    struct model_action *actions;
    size_t n_actions;
};

/* Printable symbol ("+", "~", "-/+", "-", "<=", "") for a change. */
const char *model_change_symbol(enum model_change c);

/* Terraform JSON action list for a change (new array). */
json_t *model_change_actions_json(enum model_change c);

/* Name of an op, for logs and JSON ("account_create"). */
const char *model_op_name(enum model_op op);

/*
 * Append a zeroed action to @p and return it (borrowed), or NULL on ENOMEM.
 * The caller fills the fields with heap copies (the plan frees them).
 */
struct model_action *model_plan_add(struct model_plan *p, enum model_op op,
                                     enum model_change change,
                                     const char *type, const char *name,
                                     const char *reason);

/* Add a dependency of action @idx on action @dep.  0 or ERR_NOMEM. */
int model_action_depend(struct model_plan *p, size_t idx, size_t dep);

/* Count: 1 when the plan changes the cluster (any non-READ, non-NOOP). */
bool model_plan_has_changes(const struct model_plan *p);

/*
 * Terraform-style counters: replacements count as one add and one destroy.
 */
void model_plan_counts(const struct model_plan *p, size_t *add,
                       size_t *change, size_t *destroy);

/* Free everything held by @p (not @p itself). */
void model_plan_clear(struct model_plan *p);

#endif
