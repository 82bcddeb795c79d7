#ifndef ETLS_MODEL_DESIRED_H
#define ETLS_MODEL_DESIRED_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/err.h"

/*
 * Desired state of one Elastic service, parsed and validated from a
 * desired-state document (docs/manifest.md).  Pure: no I/O happens here; the
 * caller reads files and hands the text in.
 */

/* Where the HTTPS check gets the password of its basic-auth user. */
enum model_password_source {
    MODEL_PW_HEALTH_OPTIONS = 0, /* elasticsearch.health_user_password of
                                    the service's resolved options */
    MODEL_PW_ENV,                /* environment variable named by `ref` */
    MODEL_PW_FILE,               /* file named by `ref` */
    MODEL_PW_SECRET              /* DC/OS secret path named by `ref` */
};

/* What to do when a service account's private key is lost. */
enum model_key_lost_policy {
    MODEL_KEY_LOST_ROTATE = 0,
    MODEL_KEY_LOST_FAIL
};

struct model_permission {
    char *rid;    /* e.g. "dcos:adminrouter:ops:ca:rw" */
    char *action; /* create, read, update, delete, full */
};

struct model_service {
    char *source;          /* file the document came from (for messages) */
    char *name;            /* service.name (default "elastic"), without
                              the leading '/' Marathon tolerates */
    bool envelope;         /* written as an etls/v1 envelope */
    int name_line;         /* where service.name is (or, when absent, the */
    int name_column;       /* nearest enclosing object), for messages */
    char *package_name;    /* default "beta-elastic" */
    char *package_version; /* pinned version or NULL */
    json_t *options;       /* the user-specified package options, exactly
                              as written (object; owned) */
    char *account;         /* service.service_account ("" when unset) */
    char *secret_path;     /* service.service_account_secret ("" unset) */
    bool tls;              /* service.security.transport_encryption.enabled */
    bool xpack;            /* elasticsearch.xpack_enabled */
    char *update_strategy; /* what update_strategy should be at rest:
                              options' value, else "serial" */

    /* Account access: groups, or explicit permissions. */
    char **groups;
    size_t n_groups;
    struct model_permission *permissions;
    size_t n_permissions;

    /* HTTPS verification. */
    bool verify;                 /* false: skip the HTTPS check */
    char *verify_endpoint;       /* default "coordinator-http" */
    char *verify_user;           /* NULL: elasticsearch.health_user */
    enum model_password_source verify_password_source;
    char *verify_password_ref;   /* env var name, file path or secret path */
    char *verify_health;         /* minimum health: green|yellow|red */

    /* Policies. */
    enum model_key_lost_policy key_lost;
    bool restore_update_strategy; /* after a TLS toggle (default true) */
};

/* A set of services (one per file of a directory), names unique. */
struct model_desired {
    struct model_service **services;
    size_t n_services;
};

/*
 * One validation problem, positioned in the source document.  `line` and
 * `column` are 1-based (0 when unknown); `field` is the dotted path of the
 * offending member ("service.name", "options.service.name", "(root)").
 */
struct model_diag {
    char *file;
    int line;
    int column;
    char *field;
    char *message; /* what was expected, one line */
};

struct model_diags {
    struct model_diag *items;
    size_t n;
};

/*
 * Parse and validate one document (either form, docs/manifest.md).  @text is
 * the file content (@len bytes, at most 1 MiB, need not be NUL-terminated);
 * @file is the name used in diagnostics.  On success returns 0 and sets
 * *@out (new, free with model_service_free).  On invalid input returns
 * ERR_INVALID, leaves *@out untouched and appends every problem found (at
 * most 100, sorted by position) to @diags; ERR_NOMEM likewise.
 */
int model_service_parse(struct model_service **out, const char *text,
                        size_t len, const char *file,
                        struct model_diags *diags);

/* Free a service; accepts NULL. */
void model_service_free(struct model_service *svc);

/*
 * Take ownership of @svc into @d (steals @svc: on failure it is freed).
 * Fails with ERR_CONFLICT (and a diag on @svc's file naming the first one)
 * when a service of the same name is already in @d; ERR_NOMEM.
 */
int model_desired_add(struct model_desired *d, struct model_service *svc,
                      struct model_diags *diags);

/* Free everything held by @d (not @d itself). */
void model_desired_clear(struct model_desired *d);

/* Format "file:line:col: field: message" into @out (new string). */
char *model_diag_format(const struct model_diag *dg);

/* Free every diag (not @d itself). */
void model_diags_clear(struct model_diags *d);

/*
 * Marathon app id of service @name: "/<name>" (a leading '/' is kept, not
 * doubled).  New string, NULL on ENOMEM.
 */
char *model_app_id(const char *name);

/*
 * The least-privilege permission set for transport encryption of service
 * @name (elastic-sdk.md section 7).  Returns a new array of @n_out entries;
 * free each rid/action and the array.
 */
int model_tls_permissions(struct model_permission **out, size_t *n_out,
                          const char *name);

#endif
