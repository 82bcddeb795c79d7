/*
 * dcos-sim core endpoints of the master: the DC/OS version, the cluster CA
 * (certificate and the CA API's info) and the cluster metadata.  See
 * docs/sim.md "Core endpoints".
 */
#include "sim/metadata.h"

#include <string.h>

#include <jansson.h>

#include "sim/core.h"
#include "sim/http.h"
#include "sim/server.h"
#include "sim/state.h"

#define DCOS_VERSION "2.2.0"

static const char *core_str(struct sim *s, const char *key)
{
    const char *v =
        json_string_value(json_object_get(sim_state_section(s, "core"), key));

    return v ? v : "";
}

static void h_version(struct sim *s, const struct sim_req *req,
                      struct sim_resp *resp)
{
    json_t *o;

    (void)req;
    o = json_pack("{s:s,s:s,s:s,s:s}", "version", DCOS_VERSION,
                  "dcos-image-commit", core_str(s, "dcos_image_commit"),
                  "bootstrap-id", core_str(s, "bootstrap_id"), "dcos-variant",
                  "enterprise");
    sim_resp_json(resp, o ? 200 : 500, o, "application/json");
    sim_resp_header(resp, "Cache-Control", "no-cache");
}

static void h_ca_crt(struct sim *s, const struct sim_req *req,
                     struct sim_resp *resp)
{
    (void)req;
    sim_resp_raw(resp, 200, "application/x-x509-ca-cert", s->ca_cert_pem,
                 strlen(s->ca_cert_pem));
}

static void h_ca_info(struct sim *s, const struct sim_req *req,
                      struct sim_resp *resp)
{
    json_t *o;

    if (req->body_len) {
        json_t *in = json_loadb(req->body, req->body_len,
                                JSON_REJECT_DUPLICATES, NULL);
        int ok = json_is_object(in);

        json_decref(in);
        if (!ok) {
            o = json_pack("{s:b,s:{},s:[{s:i,s:s}],s:[]}", "success", 0,
                          "result", "errors", "code", 400, "message",
                          "Unable to parse request", "messages");
            sim_resp_json(resp, o ? 400 : 500, o, "application/json");
            return;
        }
    }
    o = json_pack("{s:b,s:[],s:[],s:{s:s,s:[ssss],s:s}}", "success", 1,
                  "errors", "messages", "result", "certificate",
                  s->ca_cert_pem, "usages", "signing", "key encipherment",
                  "server auth", "client auth", "expiry", "87600h");
    sim_resp_json(resp, o ? 200 : 500, o, "application/json");
}

static void h_metadata(struct sim *s, const struct sim_req *req,
                       struct sim_resp *resp)
{
    json_t *o;

    (void)req;
    o = json_pack("{s:s,s:s}", "PUBLIC_IPV4", "127.0.0.1", "CLUSTER_ID",
                  core_str(s, "cluster_id"));
    sim_resp_json(resp, o ? 200 : 500, o, "application/json");
}

static const struct sim_route metadata_routes[] = {
    {"GET", "/dcos-metadata/dcos-version.json", true, SIM_AUTH_PUBLIC,
     h_version},
    {"GET", "/ca/dcos-ca.crt", true, SIM_AUTH_PUBLIC, h_ca_crt},
    {"POST", "/ca/api/v2/info", true, SIM_AUTH_PUBLIC, h_ca_info},
    {"GET", "/metadata", true, SIM_AUTH_TOKEN, h_metadata},
};

const struct sim_module sim_metadata_module = {
    "metadata", metadata_routes,
    sizeof(metadata_routes) / sizeof(metadata_routes[0]), NULL, NULL, NULL};
