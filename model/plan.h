#ifndef ETLS_MODEL_PLAN_H
#define ETLS_MODEL_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "model/desired.h"

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

/* Where the key of a created/replaced account or written secret comes
 * from. */
enum model_key_source {
    MODEL_KEY_NONE = 0,
    MODEL_KEY_NEW,        /* a new RSA-2048 key pair (see key_from) */
    MODEL_KEY_FROM_SECRET /* the key already held by the stored secret */
};

/* "no such action": an unset action index (key_from). */
#define MODEL_NO_ACTION ((size_t)-1)

/*
 * Typed parameters, one struct per op family.  Everything an executor
 * needs is here or in the plan itself (the service name); execution reads
 * nothing from desired or observed state.  Strings and JSON are owned by
 * the action.  docs/plan.md documents each field and its JSON form
 * (model_action_params_json).
 */

/* ACCOUNT_CREATE, ACCOUNT_REPLACE. */
struct model_account_params {
    char *uid;
    char *description;
    char *public_key;  /* FROM_SECRET: the SPKI PEM to write (public
                          material derived from the stored private key);
                          NULL with NEW */
    size_t key_from;   /* NEW: the action whose key pair's public key is
                          written (the secret action that stores the
                          private key; always a dependency), or
                          MODEL_NO_ACTION when this action makes the key
                          pair itself (output KEY_PAIR: no secret) */
};

/* SECRET_CREATE, SECRET_UPDATE: the create-sa-secret value. */
struct model_secret_params {
    char *path;
    char *uid;
    char *scheme;          /* "RS256" */
    char *login_endpoint;
    char *source_path;     /* FROM_SECRET: the secret whose private key is
                              kept, when not @path itself (a copy from the
                              path the running service used); NULL */
    char *restart_marker;  /* written before the value when the scheduler
                              must restart to read it (survives a crash;
                              the restart deletes it); NULL */
};

/* GROUP_ADD. */
struct model_member_params {
    char *gid;
    char *uid;
};

/* PERMISSION_GRANT: create the ACL if needed, then grant. */
struct model_grant_params {
    char *rid;
    char *action;
    char *uid;
};

/* PACKAGE_INSTALL. */
struct model_install_params {
    char *package;
    char *version;     /* NULL: the catalog's latest */
    json_t *options;   /* the user's options, complete, as written; may
                          hold passwords: never displayed */
};

/* PACKAGE_UPDATE (Cosmos merges @options over the stored ones). */
struct model_update_params {
    char *app_id;
    json_t *options;   /* may hold passwords: never displayed */
    char *version;     /* NULL: keep the running version */
    bool replace;      /* always false today */
    bool toggle_tls;   /* transport encryption turns on or off */
    bool full_restart; /* every node restarts together */
    bool stuck_toggle; /* rescues a stuck serial TLS toggle */
    char *marker;      /* the pending-restart record to delete once Cosmos
                          took the update (it restarts the scheduler), or
                          NULL */
};

/* ROLLOUT_WAIT: the scheduler's Marathon app. */
struct model_app_params {
    char *app_id;
};

/* SCHEDULER_RESTART. */
struct model_restart_params {
    char *app_id;
    char *marker;          /* the pending-restart record to delete once
                              Marathon took the restart, or NULL */
};

/* STRATEGY_RESTORE. */
struct model_restore_params {
    char *app_id;
    char *update_strategy;
};

/* HTTPS_VERIFY. */
struct model_verify_params {
    char *endpoint;    /* SDK endpoint name, e.g. "coordinator-http" */
    bool tls;          /* HTTPS only (true) or plain HTTP only (false) */
    char *user;        /* NULL: elasticsearch.health_user of the service */
    char *health;      /* minimum cluster health: green, yellow or red */
    enum model_password_source password_source;
    char *password_ref; /* env var, file or secret path; NULL with
                           MODEL_PW_HEALTH_OPTIONS */
};

union model_params {
    struct model_account_params account;
    struct model_secret_params secret;
    struct model_member_params member;
    struct model_grant_params grant;
    struct model_install_params install;
    struct model_update_params update;
    struct model_app_params app;
    struct model_restart_params restart;
    struct model_restore_params restore;
    struct model_verify_params verify;
};

/* What an action hands to the actions that depend on it. */
enum model_output {
    MODEL_OUTPUT_NONE = 0,
    MODEL_OUTPUT_KEY_PAIR /* the RSA-2048 key pair it generated (a secret
                             action with key_source NEW, or an account
                             action without a secret); consumed by the
                             account action whose key_from names it */
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

    /* Input of the executor: the member of @params that @op names. */
    enum model_key_source key_source;
    union model_params params;
    enum model_output output;
    size_t *deps;      /* indexes of actions this one waits for */
    size_t n_deps;
};

struct model_plan {
    char *service;     /* service name */
    struct model_action *actions;
    size_t n_actions;
    /* Shown, not executed: the lease another etls holds on the service
     * when it was planned (docs/plan.md, "Leases"), or NULL. */
    char *lease_holder;
    long long lease_expires; /* Unix time */
};

/* Printable symbol ("+", "~", "-/+", "-", "<=", "") for a change. */
const char *model_change_symbol(enum model_change c);

/* Terraform JSON action list for a change (new array). */
json_t *model_change_actions_json(enum model_change c);

/* Name of an op, for logs and JSON ("account_create"). */
const char *model_op_name(enum model_op op);

/* JSON name of a password source of the HTTPS check: "env", "file",
 * "secret" or "health_options". */
const char *model_password_source_name(enum model_password_source s);

/*
 * Append a zeroed action to @p and return it (borrowed), or NULL on ENOMEM.
 * The caller fills the fields with heap copies (the plan frees them).
 */
struct model_action *model_plan_add(struct model_plan *p, enum model_op op,
                                     enum model_change change,
                                     const char *type, const char *name,
                                     const char *reason);

/*
 * The parameters of @a in their documented JSON form (docs/plan.md), for
 * tests and saved plans; NULL for FAIL, which has none, and on ENOMEM
 * (tell them apart by @a->op).  Holds the package options as written, so
 * it is never for display.  New reference.
 */
json_t *model_action_params_json(const struct model_plan *p,
                                 const struct model_action *a);

/*
 * true when @a and @b would do the same: the same actions (address, op,
 * change, key source, output, dependencies) with equal parameters.
 * Reasons and displayed states are not compared.
 */
bool model_plan_equal(const struct model_plan *a, const struct model_plan *b);

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
