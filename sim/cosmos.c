/*
 * dcos-sim Cosmos: the DC/OS package manager (/package/...,
 * /cosmos/service/...) serving the vendored beta-elastic catalog.
 *
 * Request handling follows Cosmos (dcos/cosmos @ 86487c56): finch request
 * validators (Accept, Content-Type, body; every failure collected, several
 * become "multiple_errors"; sim/cosmos_request.c), media types matched as
 * com.mesosphere.http.MediaType does, options merged with the schema
 * defaults and validated (sim/jsonschema*.c), Cosmos error types and
 * messages.  Installed packages live in the "cosmos" state section
 * (sim/cosmos_apps.h); the operations are in sim/cosmos_package.c and
 * sim/cosmos_service.c, the catalog in sim/catalog.c.  This file checks
 * the permission, validates each request against its operation and runs
 * it.  The SDK scheduler of each service is driven through sim_sdk_*().
 * See docs/sim.md.
 */
#include "sim/cosmos.h"

#include <stdio.h>

#include <jansson.h>

#include "common/err.h"
#include "sim/catalog.h"
#include "sim/core.h"
#include "sim/cosmos_apps.h"
#include "sim/cosmos_package.h"
#include "sim/cosmos_request.h"
#include "sim/cosmos_service.h"
#include "sim/http.h"
#include "sim/iam_authz.h"
#include "sim/server.h"
#include "sim/state.h"

#define COSMOS_RID "dcos:adminrouter:package"

static void dispatch(struct sim *s, const struct sim_req *req,
                     struct sim_resp *r, const struct cosmos_op *op)
{
    json_t *errs, *body;
    int chosen;

    if (!req->uid || !sim_iam_allowed(s, req->uid, COSMOS_RID, "full")) {
        sim_resp_403(r);
        return;
    }
    errs = json_array();
    if (!errs) {
        cosmos_resp_nomem(r);
        return;
    }
    chosen = cosmos_negotiate_accept(req->accept, op->resp_types, errs);
    cosmos_check_content_type(req->content_type, op->req_type, errs);
    body = cosmos_decode_body(req, op->fields, errs);
    if (json_array_size(errs) == 1) {
        json_t *e = json_array_get(errs, 0);

        sim_resp_cosmos_error(r, 400,
                              json_string_value(json_object_get(e, "type")),
                              NULL, "%s",
                              json_string_value(json_object_get(e,
                                                                "message")));
    } else if (json_array_size(errs) > 1) {
        json_incref(errs);
        sim_resp_cosmos_error(r, 400, "multiple_errors",
                              json_pack("{s:o}", "errors", errs),
                              "Multiple errors while processing request");
    } else if (chosen < 0 || !body) {
        cosmos_resp_nomem(r);
    } else {
        cosmos_reap(s);
        op->fn(s, body, op->resp_versions[chosen],
               op->resp_types[chosen], r);
    }
    json_decref(body);
    json_decref(errs);
}


#define COSMOS_HANDLER(fname, op)                                             \
    static void fname(struct sim *s, const struct sim_req *req,              \
                      struct sim_resp *r)                                     \
    {                                                                         \
        dispatch(s, req, r, &(op));                                           \
    }

COSMOS_HANDLER(h_install, cosmos_op_install)
COSMOS_HANDLER(h_list, cosmos_op_list)
COSMOS_HANDLER(h_describe, cosmos_op_describe)
COSMOS_HANDLER(h_uninstall, cosmos_op_uninstall)
COSMOS_HANDLER(h_list_versions, cosmos_op_list_versions)
COSMOS_HANDLER(h_search, cosmos_op_search)
COSMOS_HANDLER(h_repo_list, cosmos_op_repo_list)
COSMOS_HANDLER(h_svc_describe, cosmos_op_svc_describe)
COSMOS_HANDLER(h_svc_update, cosmos_op_svc_update)


static const struct sim_route cosmos_routes[] = {
    { "POST", "/package/install", true, SIM_AUTH_TOKEN, h_install },
    { "POST", "/package/list", true, SIM_AUTH_TOKEN, h_list },
    { "POST", "/package/describe", true, SIM_AUTH_TOKEN, h_describe },
    { "POST", "/package/uninstall", true, SIM_AUTH_TOKEN, h_uninstall },
    { "POST", "/package/list-versions", true, SIM_AUTH_TOKEN,
      h_list_versions },
    { "POST", "/package/search", true, SIM_AUTH_TOKEN, h_search },
    { "POST", "/package/repository/list", true, SIM_AUTH_TOKEN,
      h_repo_list },
    { "POST", "/cosmos/service/describe", true, SIM_AUTH_TOKEN,
      h_svc_describe },
    { "POST", "/cosmos/service/update", true, SIM_AUTH_TOKEN,
      h_svc_update },
};

static int cosmos_start(struct sim *s)
{
    const char *dir = s->opt.catalog_dir;

#ifdef SIM_DEFAULT_CATALOG
    if (!dir)
        dir = SIM_DEFAULT_CATALOG;
#endif
    if (!dir) {
        fprintf(stderr, "dcos-sim: cosmos: no catalog directory\n");
        return ERR_INVALID;
    }
    catalog_free();
    if (!cosmos_apps(s))
        return ERR_NOMEM;
    return catalog_load(dir);
}

static void cosmos_tick(struct sim *s, double now)
{
    cosmos_janitor_tick(s, now);
    cosmos_reap(s);
}

static void cosmos_stop(struct sim *s)
{
    (void)s;
    catalog_free();
}

/* The Cosmos module (see cosmos.h): its routes, and the catalog loaded at start
 * and freed at stop. */
const struct sim_module sim_cosmos_module = {
    .name = "cosmos",
    .routes = cosmos_routes,
    .n_routes = sizeof(cosmos_routes) / sizeof(cosmos_routes[0]),
    .start = cosmos_start,
    .tick = cosmos_tick,
    .stop = cosmos_stop,
};
