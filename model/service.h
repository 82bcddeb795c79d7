#ifndef ETLS_MODEL_SERVICE_H
#define ETLS_MODEL_SERVICE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct jsonpos;

/*
 * The types of the desired state (docs/manifest.md), declared apart from
 * the functions of model/desired.h so that the modules that parse a
 * document (doc.c, envelope.c, syntax.c) can fill them without including
 * desired.h, which desired.c includes: no include cycle.  Types only: there
 * is no service.c; include model/desired.h for the functions.
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

struct model_permission {
    char *rid;    /* e.g. "dcos:adminrouter:ops:ca:rw" */
    char *action; /* create, read, update, delete, full */
};

struct model_service {
    char *source;          /* file the document came from (for messages) */
    char *name;            /* service.name (default "elastic"), without
                              the leading '/' Marathon tolerates */
    bool envelope;         /* written as an etls/v1 envelope */
    bool suspend;          /* envelope `suspend`: etls run reports drift
                              and never writes */
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

    /*
     * The document's position index (model/jsonpos.h; owned), kept so that
     * later checks (the options against the schema Cosmos returns at plan
     * time, rules between documents) report file:line:col.
     */
    struct jsonpos *pos;
    /* Warnings of the document (no error; line 0 when not positioned),
     * printed with model_warning_format(). */
    struct model_diags warnings;
};

/* A set of services (one per file of a directory), names unique. */
struct model_desired {
    struct model_service **services;
    size_t n_services;
};

#endif
