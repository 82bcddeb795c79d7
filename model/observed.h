#ifndef ETLS_MODEL_OBSERVED_H
#define ETLS_MODEL_OBSERVED_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/sa_secret.h"

/*
 * What the engine saw on the cluster for one service.  Filled by the engine
 * from dcos/ responses; read by the pure reconcilers.  No secret value is
 * ever stored here: the engine inspects the service-account secret and
 * records only the verdict and the public key derived from it.
 */

enum model_presence {
    MODEL_UNKNOWN = 0, /* not observed (read failed or not attempted) */
    MODEL_ABSENT,
    MODEL_PRESENT
};

/* One step/phase of an SDK deploy plan, as reported by the scheduler. */
struct model_plan_step {
    char *name;   /* "master-0:[node]" */
    char *status; /* PENDING, PREPARED, STARTING, STARTED, COMPLETE, ERROR */
};

struct model_plan_phase {
    char *name;     /* "master-update" */
    char *strategy; /* serial | parallel */
    char *status;
    struct model_plan_step *steps;
    size_t n_steps;
};

struct model_plan_status {
    bool known;        /* the scheduler answered */
    int http_status;   /* 200, 202, 417, or 0 when unreachable */
    char *status;      /* COMPLETE, IN_PROGRESS, ERROR, ... */
    char *strategy;
    struct model_plan_phase *phases;
    size_t n_phases;
    char **errors;
    size_t n_errors;
};

/*
 * What the read-only HTTPS probe of the plan saw on the node behind the
 * verification endpoint (controller/https_probe.c).
 */
enum model_node_https {
    MODEL_HTTPS_NO_ANSWER = 0, /* no TLS session: refused, reset, timeout */
    MODEL_HTTPS_VERIFIED,      /* an HTTP answer (any status) over TLS with a
                                  certificate that chains to the cluster CA
                                  and names the endpoint's DNS name */
    MODEL_HTTPS_REJECTED       /* the TLS session failed: the certificate
                                  does not verify, or the handshake failed */
};

/*
 * Whether the HTTPS check can get its password (preflight,
 * controller/preflight.c; never the value).  docs/plan.md, "Preflight".
 */
/* Longest verification password file etls reads, bytes. */
#define MODEL_PASSWORD_MAX 4096u

enum model_password_check {
    MODEL_PWC_UNCHECKED = 0,   /* verify off, or source health_options */
    MODEL_PWC_OK,
    MODEL_PWC_ENV_UNSET,
    MODEL_PWC_ENV_EMPTY,
    MODEL_PWC_FILE_MISSING,
    MODEL_PWC_FILE_NOT_REGULAR,
    MODEL_PWC_FILE_UNREADABLE, /* detail: the system's reason */
    MODEL_PWC_FILE_EMPTY,
    MODEL_PWC_FILE_TOO_LONG,
    MODEL_PWC_SECRET_MISSING,
    MODEL_PWC_SECRET_DENIED,   /* 401/403 */
    MODEL_PWC_SECRET_NOT_TEXT,
    MODEL_PWC_SECRET_EMPTY
};

struct model_observed {
    /* Cluster-wide. */
    char *dcos_version;  /* "2.2.0" etc., NULL when unknown */

    /* Service account. */
    enum model_presence account;
    bool account_is_service;   /* is_service: true */
    char *account_public_key;  /* SPKI PEM as stored, NULL when absent */

    /* Service-account secret. */
    enum model_presence secret;
    enum sa_verdict secret_verdict; /* common/sa_secret.h */
    char *secret_uid;          /* "uid" field when present */
    char *secret_public_key;   /* SPKI PEM derived from the private key
                                  whenever that key is usable, i.e. for
                                  OK, WRONG_UID, WRONG_SCHEME and
                                  BAD_ENDPOINT; NULL for NOT_JSON and
                                  BAD_KEY (the reconcilers treat NULL as
                                  "key lost", docs/plan.md) */

    /*
     * The secret the running service uses when it is not the desired one
     * (resolved option service.service_account_secret): a key a changed
     * secret path can be copied from instead of rotating.  UNKNOWN when
     * there is none to look at.
     */
    char *old_secret_path;
    enum model_presence old_secret;
    char *old_secret_public_key; /* as secret_public_key; NULL unusable */

    /*
     * etls's own records (model/names.h): a pending scheduler restart left
     * by a run that wrote the secret but did not get to restart the
     * scheduler, and the lease another etls may hold on the service.
     */
    enum model_presence restart_marker;
    char *lease_holder;        /* NULL when no lease is held */
    long long lease_expires;   /* Unix time */

    /* Group membership: one flag per desired group, same order. */
    bool *in_group;            /* n = desired->n_groups */
    enum model_presence *group_exists;

    /* Explicit permissions: one flag per desired permission, same order. */
    bool *permission_allowed;  /* n = desired->n_permissions */

    /* Package (Cosmos). */
    enum model_presence package;
    char *package_name;
    char *package_version;
    json_t *user_options;      /* userProvidedOptions (owned) */
    json_t *resolved_options;  /* resolvedOptions (owned) */

    /*
     * Package catalog: `POST /package/describe` of the version that will
     * run (the pinned one; else the running one; else the catalog's
     * latest, for an install).  UNKNOWN when not observed.
     */
    enum model_presence catalog;   /* ABSENT: the catalog lacks it */
    char *catalog_version;         /* the version described */
    json_t *catalog_schema;        /* its options schema (owned), or NULL */

    /* SDK scheduler. */
    struct model_plan_status plan;
    char *target_config_id;

    /*
     * TLS setting of the running tasks, from `GET /v1/pod/<pod>/info`
     * (each task's target_configuration label) and the configurations it
     * names (`transport-encryption` of its task spec).  Only observed while
     * the deploy plan is not COMPLETE; a serial update with both counts
     * non-zero is a stuck TLS toggle (elastic-sdk.md section 2.5).
     */
    bool tasks_tls_known;
    size_t tasks_tls_on;
    size_t tasks_tls_off;

    /* ---- plan-time HTTPS check (docs/plan.md, "https") ---- */
    /*
     * Read only while the package is installed, its deploy plan COMPLETE
     * and verification on: the endpoint from the scheduler, then an HTTPS
     * GET / without credentials (cluster CA, host name verification) and a
     * plain-HTTP GET / on the node's address.
     */
    json_t *node_endpoint;     /* the verification endpoint as the
                                  scheduler answered it with the other
                                  reads (new reference), NULL when not
                                  read: the probe then reads it itself */
    bool node_probed;          /* the endpoint was read, both probes ran */
    char *node_dns;            /* "<host>:<port>" the certificate must name */
    char *node_address;        /* "<ip>:<port>" */
    enum model_node_https node_https;
    char *node_https_error;    /* the TLS failure (one line) when REJECTED */
    bool node_plain_answered;  /* plain HTTP got an HTTP answer */
    long node_plain_status;

    /* ---- preflight (docs/plan.md, "Preflight") ---- */
    enum model_password_check verify_password;
    char *verify_password_detail; /* why, for FILE_UNREADABLE (no value) */
    /*
     * The identity etls runs as (cluster-wide, the same in every service):
     * `caller_superuser` from `GET /acs/api/v1/acls/dcos:superuser/users/
     * <uid>/full`; UNKNOWN when no uid is known (a token alone) or the
     * query failed.  `caller_iam_denied`: the IAM API refused that query
     * (HTTP 403), so the caller cannot use the IAM API at all.
     */
    char *caller_uid;
    enum model_presence caller_superuser;
    bool caller_iam_denied;
};

/* Initialise an empty observation. */
void model_observed_init(struct model_observed *o);

/* Free everything held by @o (not @o itself); accepts a zeroed struct. */
void model_observed_clear(struct model_observed *o);

/*
 * Fill @out from an SDK PlanInfo JSON body (`GET /v1/plans/deploy`) and the
 * HTTP status it came with.  Unknown members are ignored.  Returns 0 or
 * ERR_INVALID when the body is not a plan (phases array and status string
 * required; each phase needs name and status, each step name and status),
 * ERR_NOMEM.  @out must be initialised (zeroed or filled before): on success
 * its old contents are freed and replaced, on failure it is left untouched.
 */
int model_plan_status_from_json(struct model_plan_status *out,
                                const json_t *plan, int http_status);

/* Free everything held by @p and zero it (not @p itself). */
void model_plan_status_clear(struct model_plan_status *p);

/*
 * What is wrong with the verification password (@c, not OK or UNCHECKED)
 * and how to fix it, one line into @buf (@len bytes, truncated), e.g.
 * "environment variable ES_PW is not set; set it before running etls, or
 * change verify.password".  @ref is the variable name, file path or secret
 * path of the document; @detail the system's reason (may be NULL).  Shared
 * by the plan's FAIL reason and the HTTPS check executor.
 */
void model_password_problem(char *buf, size_t len,
                            enum model_password_check c, const char *ref,
                            const char *detail);

#endif
