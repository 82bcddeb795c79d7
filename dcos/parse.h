#ifndef ETLS_DCOS_PARSE_H
#define ETLS_DCOS_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/err.h"
#include "common/secret.h"
#include "dcos/json.h"

/*
 * Pure parsers of DC/OS response bodies into small typed structs.  No I/O.
 * Every parser takes the parsed body (borrowed), returns 0 and fills its
 * out-parameter, or returns ERR_INVALID when the body does not have the
 * expected shape (out untouched) or ERR_NOMEM.  Unknown members are
 * ignored, as the real clients do.  Strings in the structs are new and are
 * released by the matching _free/_clear function.  The parsers of each API
 * live in parse_<api>.c; the shared ones and those of the cluster itself
 * in parse.c.
 */

/* --- IAM --- */

/* GET /acs/api/v1/users/<uid> (dcos-api.md 3.2). */
struct dcos_user {
    char *uid;
    char *description;  /* NULL when absent */
    bool is_service;    /* "is_service", else true when a key is present */
    char *public_key;   /* as stored (SPKI PEM), NULL when absent */
};

struct dcos_user_list {
    struct dcos_user *items;
    size_t n;
};

int dcos_parse_user(struct dcos_user **out, const json_t *j);
void dcos_user_free(struct dcos_user *u);

/* GET /acs/api/v1/users[?type=service]: {"array":[<user>...]} */
int dcos_parse_users(struct dcos_user_list *out, const json_t *j);

/* GET /acs/api/v1/groups/<gid>/users: {"array":[{"membershipurl",
 * "user":<user>}...]} */
int dcos_parse_group_users(struct dcos_user_list *out, const json_t *j);

void dcos_user_list_clear(struct dcos_user_list *l);

/* GET /acs/api/v1/users/<uid>/groups: {"array":[{"membershipurl",
 * "group":{"gid",...}}...]}.  *@gids gets the gids of the groups the
 * account is a member of (*@n of them; free with dcos_string_array_free);
 * ERR_INVALID when an element has no string "group"."gid". */
int dcos_parse_user_groups(char ***gids, size_t *n, const json_t *j);

/* 1 when @l holds a user whose uid equals @uid exactly. */
int dcos_user_list_has(const struct dcos_user_list *l, const char *uid);

/* One action held on one rid, directly (gid NULL) or through group gid. */
struct dcos_grant {
    char *rid;
    char *action;
    char *gid;
};

struct dcos_permissions {
    struct dcos_grant *items;
    size_t n;
};

/* GET /acs/api/v1/users/<uid>/permissions: {"direct":[...],
 * "groups":[...]} with actions [{"name","url"}]. */
int dcos_parse_user_permissions(struct dcos_permissions *out,
                                const json_t *j);
void dcos_permissions_clear(struct dcos_permissions *p);

/*
 * 1 when @p grants @action (or "full") on @rid, or "full" on
 * "dcos:superuser"; 0 otherwise.
 */
int dcos_permissions_allow(const struct dcos_permissions *p,
                           const char *rid, const char *action);

/* GET /acs/api/v1/acls/<rid>/users/<uid>/<action>: {"allowed": bool} */
int dcos_parse_allowed(bool *out, const json_t *j);

/* IAM error body {"title","description","code"}. */
struct dcos_iam_error {
    char *title;
    char *description;
    char *code;
};

int dcos_parse_iam_error(struct dcos_iam_error *out, const json_t *j);
void dcos_iam_error_clear(struct dcos_iam_error *e);

/* --- Cosmos --- */

/* Cosmos error envelope {"type","message","data"}; data may be absent. */
struct dcos_cosmos_error {
    char *type;
    char *message;
    json_t *data;  /* new reference or NULL */
};

int dcos_parse_cosmos_error(struct dcos_cosmos_error **out, const json_t *j);
void dcos_cosmos_error_free(struct dcos_cosmos_error *e);

/*
 * One line: "<type>: <message>" and, for JsonSchemaMismatch, each
 * "<instance pointer>: <message>"; for BadVersionUpdate the valid
 * versions; for AppIdChanged the two ids.  Always NUL-terminates @out.
 */
void dcos_cosmos_error_format(const struct dcos_cosmos_error *e, char *out,
                              size_t n);

/* POST /cosmos/service/describe (dcos-api.md 8.5). */
struct dcos_service_desc {
    char *package_name;
    char *package_version;
    json_t *resolved_options;  /* new reference, NULL on open DC/OS */
    json_t *user_options;      /* userProvidedOptions, NULL when absent */
    char **upgrades_to;
    size_t n_upgrades_to;
    char **downgrades_to;
    size_t n_downgrades_to;
};

int dcos_parse_service_describe(struct dcos_service_desc **out,
                                const json_t *j);

/*
 * The members dcos_parse_service_describe reads (package name and version,
 * upgradesTo, downgradesTo, resolvedOptions, userProvidedOptions): the
 * describe call parses its answer with dcos_json_parse_projected and these,
 * so the rest (the package's config schema, resources and Marathon
 * template: ~75 KB for beta-elastic) is checked but never built.
 */
#define DCOS_SERVICE_DESCRIBE_N_KEEP 5
extern const struct dcos_json_keep
    dcos_service_describe_keep[DCOS_SERVICE_DESCRIBE_N_KEEP];
void dcos_service_desc_free(struct dcos_service_desc *d);

/*
 * POST /package/describe (describe-response v3, dcos-api.md 8):
 * {"package": {"name", "version", "config", ...}}.
 */
struct dcos_package_desc {
    char *name;
    char *version;
    json_t *config;  /* the options schema (new reference), NULL when the
                        package has none */
};

int dcos_parse_package_describe(struct dcos_package_desc **out,
                                const json_t *j);
void dcos_package_desc_free(struct dcos_package_desc *d);

/* POST /package/list: {"packages":[{"appId","packageInformation":
 * {"packageDefinition":{"name","version"}}}]} */
struct dcos_installed {
    char *app_id;
    char *name;
    char *version;
};

struct dcos_package_list {
    struct dcos_installed *items;
    size_t n;
};

int dcos_parse_package_list(struct dcos_package_list *out, const json_t *j);
void dcos_package_list_clear(struct dcos_package_list *l);

/* The entry with app id @app_id ("/elastic" or "elastic"), or NULL. */
const struct dcos_installed *
dcos_package_list_find(const struct dcos_package_list *l,
                       const char *app_id);

/* POST /cosmos/service/update response (dcos-api.md 8.6). */
struct dcos_update_result {
    char *deployment_id;    /* marathonDeploymentId, NULL when absent */
    char *package_name;
    char *package_version;
    json_t *resolved_options;
};

int dcos_parse_update_response(struct dcos_update_result **out,
                               const json_t *j);
void dcos_update_result_free(struct dcos_update_result *u);

/* POST /package/install response (v1 and v2; only appId is certain). */
struct dcos_install_result {
    char *package_name;
    char *package_version;
    char *app_id;
};

int dcos_parse_install_response(struct dcos_install_result **out,
                                const json_t *j);
void dcos_install_result_free(struct dcos_install_result *i);

/* --- SDK scheduler --- */

/* GET /service/<svc>/v1/endpoints/<name> (elastic-sdk.md 4.1). */
struct dcos_endpoint {
    char **address;  /* "10.0.1.23:1027" */
    size_t n;        /* entries in address */
    char **dns;      /* "coordinator-0-node.<svc>.autoip...:1027" */
    size_t n_dns;
    char *vip;       /* NULL when absent */
};

int dcos_parse_endpoint(struct dcos_endpoint **out, const json_t *j);
void dcos_endpoint_free(struct dcos_endpoint *e);

/*
 * Split "host:port" (IPv6 "[addr]:port") into a new host string and a
 * port.  Returns 0 or ERR_INVALID.
 */
int dcos_split_host_port(char **host, long *port, const char *hostport);

/* One task of GET /service/<svc>/v1/pod/<pod>/info. */
struct dcos_pod_task {
    char *name;           /* "master-0-node" */
    char *task_id;        /* NULL when absent */
    char *state;          /* "TASK_RUNNING", NULL without a status */
    char *target_config;  /* label "target_configuration", NULL absent */
};

struct dcos_pod_info {
    struct dcos_pod_task *tasks;
    size_t n;
};

/* [{"info":TaskInfo,"status":TaskStatus}...] */
int dcos_parse_pod_info(struct dcos_pod_info *out, const json_t *j);
void dcos_pod_info_clear(struct dcos_pod_info *p);

/*
 * Transport encryption in a ServiceSpec (GET .../configurations/<id>):
 * counts the task specs (@n_tasks) and those with a non-empty
 * "transport-encryption" list (@n_tls).
 */
int dcos_parse_config_tls(size_t *n_tls, size_t *n_tasks, const json_t *j);

/* GET .../configurations/targetId: ["<uuid>"] (a bare string is
 * accepted). */
int dcos_parse_target_id(char **out, const json_t *j);

/* A JSON array of strings (plans, pods, endpoint names). */
int dcos_parse_string_array(char ***out, size_t *n_out, const json_t *j);
void dcos_string_array_free(char **v, size_t n);

/*
 * One line from a plain-text or HTML body (SDK 404 "Element not found",
 * 208 "Command has already been reported or completed", Admin Router
 * pages: the <title> when present).  Control characters become spaces.
 */
void dcos_text_summary(char *out, size_t n, const char *body, size_t len);

/* --- Marathon --- */

struct dcos_marathon_app {
    char *id;
    long instances;       /* -1 when absent */
    long tasks_running;
    long tasks_healthy;
    long tasks_staged;
    long tasks_unhealthy;
    size_t n_deployments;
    char *package_name;     /* labels DCOS_PACKAGE_NAME */
    char *package_version;  /* labels DCOS_PACKAGE_VERSION */
    char *service_name;     /* labels DCOS_SERVICE_NAME */
};

/* GET /marathon/v2/apps/<id>: {"app":{...}} (a bare app is accepted). */
int dcos_parse_marathon_app(struct dcos_marathon_app **out, const json_t *j);
void dcos_marathon_app_free(struct dcos_marathon_app *a);

/* --- metadata, CA, secrets --- */

/* GET /dcos-metadata/dcos-version.json */
struct dcos_version {
    char *version;
    char *variant;       /* "enterprise", "open", NULL when absent */
    char *image_commit;
};

int dcos_parse_version(struct dcos_version **out, const json_t *j);
void dcos_version_free(struct dcos_version *v);

/*
 * GET /ca/dcos-ca.crt: a PEM bundle.  Counts the X.509 certificates; fails
 * with ERR_INVALID when there is none or one does not parse.
 */
int dcos_parse_ca_pem(size_t *n_certs, const char *pem, size_t len);

/* CA API v2 (cfssl) envelope {"success","result":{...},"errors":[...]}. */
struct dcos_ca_response {
    bool success;        /* "success", else true when errors is empty */
    char *certificate;   /* result.certificate, NULL when absent */
    char *bundle;        /* result.bundle, NULL when absent */
    char **errors;       /* "<code>: <message>" */
    size_t n_errors;
};

int dcos_parse_ca_response(struct dcos_ca_response **out, const json_t *j);
void dcos_ca_response_free(struct dcos_ca_response *c);

/*
 * The "value" of a secret GET body ({"value": "..."}) as a new secret.
 * Scans @body with jsonscan_secret_member, so no unwiped copy is left.
 * ERR_INVALID when not a text secret.
 */
int dcos_parse_secret_value(struct secret **out, const char *body,
                            size_t len);

#endif
