/*
 * Typed calls of Cosmos (dcos-api.md 8): package install, list and
 * describe, service describe and update.  See client.h.
 */
#include "client.h"

#include "dcos/call.h"
#include "dcos/parse.h"

/* POST @body (stolen) to @path; @reads: the request changes nothing on
 * the cluster, so a transient failure is retried (retry.h). */
static int cosmos_call(struct dcos_client *c, const char *path,
                       const char *ctype, const char *accept, json_t *body,
                       bool reads, dcos_done_fn done, void *payload)
{
    struct dcos_call *k;
    int r;

    if (!body)
        return ERR_NOMEM;
    r = CALL(c, DCOS_CALL_COSMOS, "POST", accept, done, payload, &k,
             { 'l', path });
    if (r) {
        json_decref(body);
        return r;
    }
    /* Package options (requests, resolvedOptions and userProvidedOptions
     * in answers) can hold passwords such as
     * elasticsearch.health_user_password: never trace Cosmos bodies. */
    k->sensitive = true;
    k->retry_safe = reads;
    return dcos_call_go_json(k, ctype, body);
}

/* Set @key to a string when @val is non-NULL.  0 or ERR_NOMEM. */
static int set_opt_str(json_t *o, const char *key, const char *val)
{
    if (!o)
        return ERR_NOMEM;
    if (!val)
        return 0;
    return json_object_set_new(o, key, json_string(val)) ? ERR_NOMEM : 0;
}

int dcos_cosmos_package_install(struct dcos_client *c, const char *package,
                                const char *version, const json_t *options,
                                dcos_done_fn done, void *payload)
{
    json_t *b;

    if (!dcos_path_valid_name(package) || (options && !json_is_object(options)))
        return ERR_INVALID;
    b = json_pack("{s:s}", "packageName", package);
    if (set_opt_str(b, "packageVersion", version) ||
        (options && json_object_set(b, "options", (json_t *)options))) {
        json_decref(b);
        return ERR_NOMEM;
    }
    return cosmos_call(
        c, "/package/install", MT("package.install-request", "v1"),
        MT("package.install-response", "v2") "," MT_COSMOS_ERROR, b, false,
        done, payload);
}

int dcos_cosmos_package_list(struct dcos_client *c, const char *package,
                             const char *app_id, dcos_done_fn done,
                             void *payload)
{
    json_t *b = json_object();

    if (set_opt_str(b, "packageName", package) ||
        set_opt_str(b, "appId", app_id)) {
        json_decref(b);
        return ERR_NOMEM;
    }
    return cosmos_call(c, "/package/list", MT("package.list-request", "v1"),
                       MT("package.list-response", "v1") "," MT_COSMOS_ERROR,
                       b, true, done, payload);
}

int dcos_cosmos_package_describe(struct dcos_client *c, const char *package,
                                 const char *version, dcos_done_fn done,
                                 void *payload)
{
    json_t *b;

    if (!dcos_path_valid_name(package))
        return ERR_INVALID;
    b = json_pack("{s:s}", "packageName", package);
    if (set_opt_str(b, "packageVersion", version)) {
        json_decref(b);
        return ERR_NOMEM;
    }
    return cosmos_call(
        c, "/package/describe", MT("package.describe-request", "v1"),
        MT("package.describe-response", "v3") "," MT_COSMOS_ERROR, b, true,
        done, payload);
}

int dcos_cosmos_service_describe(struct dcos_client *c, const char *app_id,
                                 dcos_done_fn done, void *payload)
{
    struct dcos_call *k;
    json_t *body;
    int r;

    if (!dcos_path_valid_name(app_id))
        return ERR_INVALID;
    body = json_pack("{s:s}", "appId", app_id);
    if (!body)
        return ERR_NOMEM;
    r = CALL(c, DCOS_CALL_COSMOS, "POST",
             MT("service.describe-response", "v1") "," MT_COSMOS_ERROR, done,
             payload, &k, {'l', "/cosmos/service/describe"});
    if (r) {
        json_decref(body);
        return r;
    }
    k->sensitive = true; /* see cosmos_call */
    k->retry_safe = true;
    k->keep = dcos_service_describe_keep;
    k->n_keep = DCOS_SERVICE_DESCRIBE_N_KEEP;
    return dcos_call_go_json(k, MT("service.describe-request", "v1"), body);
}

int dcos_cosmos_service_update(struct dcos_client *c, const char *app_id,
                               const json_t *options, const char *version,
                               bool replace, dcos_done_fn done,
                               void *payload)
{
    json_t *b;

    if (!dcos_path_valid_name(app_id) || (options && !json_is_object(options)))
        return ERR_INVALID;
    b = json_pack("{s:s,s:b}", "appId", app_id, "replace", replace);
    if (set_opt_str(b, "packageVersion", version) ||
        (options && json_object_set(b, "options", (json_t *)options))) {
        json_decref(b);
        return ERR_NOMEM;
    }
    return cosmos_call(
        c, "/cosmos/service/update", MT("service.update-request", "v1"),
        MT("service.update-response", "v1") "," MT_COSMOS_ERROR, b, false,
        done, payload);
}
