/*
 * dcos-sim connectivity endpoints: the cluster as a client sees it before
 * it asks for anything else (dcos-cli-and-cluster.md 3).
 *
 *   GET /                                   Admin Router's UI index
 *   GET /mesos/master/state-summary         Mesos master (readonly_handler
 *   GET /mesos/state-summary                stateSummary): one agent, the
 *                                           Marathon and Metronome
 *                                           frameworks and one per SDK
 *                                           scheduler
 *   GET /mesos_dns/v1/hosts/<name>          Mesos-DNS RestHost
 *   GET /system/health/v1/nodes             dcos-diagnostics node list
 *
 * The last three need a token and, as in DC/OS Enterprise's permission
 * reference, dcos:adminrouter:ops:mesos, :mesos-dns or :system-health
 * (superusers hold them).  The one simulated machine is the master and
 * the agent at 127.0.0.1.  See docs/sim.md "Connectivity endpoints".
 */
#include "sim/mesos.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "common/util.h"
#include "sim/core.h"
#include "sim/http.h"
#include "sim/iam_authz.h"
#include "sim/sdk.h"
#include "sim/server.h"
#include "sim/state.h"

#define HOST_IP "127.0.0.1"
#define CLUSTER_NAME "dcos-sim"
#define AGENT_ID "sim-agent-0"
#define MESOS_VERSION "1.10.1"
#define DNS_PREFIX "/mesos_dns/v1/hosts/"
/* The agent: what DC/OS offers by default on a large agent. */
#define AGENT_CPUS 64.0
#define AGENT_MEM 262144.0
#define AGENT_DISK 1048576.0
#define AGENT_PORTS "[1025-2180, 2182-3887, 3889-5049, 5052-8079, " \
                    "8082-8180, 8182-32000]"
/* A scheduler app: cpus and mem of the beta-elastic template. */
#define SCHED_CPUS 1.0
#define SCHED_MEM 1024.0

static const char *const COUNTERS[] = {
    "TASK_STAGING", "TASK_STARTING", "TASK_RUNNING",  "TASK_KILLING",
    "TASK_FINISHED", "TASK_KILLED",  "TASK_FAILED",   "TASK_LOST",
    "TASK_ERROR",    "TASK_UNREACHABLE"};

static double g_registered; /* when the agent registered (wall clock) */

/* 403 unless the caller holds full on @rid. */
static int allowed_or_403(struct sim *s, const struct sim_req *req,
                          struct sim_resp *resp, const char *rid)
{
    if (req->uid && sim_iam_allowed(s, req->uid, rid, "full"))
        return 1;
    sim_resp_403(resp);
    return 0;
}

static void json_ok(struct sim_resp *resp, json_t *o)
{
    if (!o) {
        sim_resp_raw(resp, 500, "text/plain", "out of memory\n", 14);
        return;
    }
    sim_resp_json(resp, 200, o, "application/json");
}

static void h_index(struct sim *s, const struct sim_req *req,
                    struct sim_resp *resp)
{
    static const char page[] =
        "<!DOCTYPE html>\n<html><head><title>DC/OS</title></head>"
        "<body></body></html>\n";

    (void)s;
    (void)req;
    sim_resp_raw(resp, 200, "text/html; charset=UTF-8", page,
                 sizeof(page) - 1);
}

/* Ten zero counters plus @n tasks counted as @state. */
static json_t *counters(const char *state, json_int_t n)
{
    json_t *o = json_object();
    size_t i;

    for (i = 0; o && i < sizeof(COUNTERS) / sizeof(COUNTERS[0]); i++)
        if (json_object_set_new(o, COUNTERS[i],
                                json_integer(strcmp(COUNTERS[i], state) == 0
                                                 ? n
                                                 : 0)) != 0) {
            json_decref(o);
            return NULL;
        }
    return o;
}

static json_t *resources(double cpus, double mem, double disk)
{
    return json_pack("{s:f,s:f,s:f,s:f}", "cpus", cpus, "gpus", 0.0, "mem",
                     mem, "disk", disk);
}

/* A framework run by DC/OS itself (Marathon, Metronome). */
static json_t *system_framework(const char *id, const char *name,
                                json_int_t running, json_int_t staging)
{
    double n = (double)(running + staging);
    json_t *fw, *c = counters("TASK_RUNNING", running);
    char pid[96];

    snprintf(pid, sizeof(pid), "scheduler-%s@" HOST_IP ":15101", id);
    if (c)
        json_object_set_new(c, "TASK_STAGING", json_integer(staging));
    fw = c ? json_pack("{s:s,s:s,s:s,s:o,s:o,s:[s],s:s,s:s,s:b,s:b,s:b,"
                       "s:o}",
                       "id", id, "name", name, "pid", pid, "used_resources",
                       resources(SCHED_CPUS * n, SCHED_MEM * n, 0.0),
                       "offered_resources", resources(0, 0, 0),
                       "capabilities", "PARTITION_AWARE", "hostname",
                       HOST_IP, "webui_url", "", "active", 1, "connected", 1,
                       "recovered", 0, "slave_ids",
                       running + staging ? json_pack("[s]", AGENT_ID)
                                         : json_array())
           : NULL;
    if (fw && json_object_update(fw, c) != 0) {
        json_decref(fw);
        fw = NULL;
    }
    json_decref(c);
    return fw;
}

static json_t *agent_json(const json_t *view, const json_t *fw_ids)
{
    const json_t *used = json_object_get(view, "used"),
                 *reserved = json_object_get(view, "reserved"),
                 *sch = json_object_get(view, "schedulers"), *r;
    double rc = 0, rm = 0, rd = 0, n;
    json_t *a, *tasks;
    const char *role;

    n = (double)(json_integer_value(json_object_get(sch, "running")) +
                 json_integer_value(json_object_get(sch, "staging")));
    json_object_foreach((json_t *)reserved, role, r) {
        rc += json_number_value(json_object_get(r, "cpus"));
        rm += json_number_value(json_object_get(r, "mem"));
        rd += json_number_value(json_object_get(r, "disk"));
    }
    a = json_pack(
        "{s:s,s:s,s:i,s:{},s:s,s:f,s:{s:f,s:f,s:f,s:f,s:s},s:o,s:o,s:O,"
        "s:o,s:b,s:b,s:s,s:[sss],s:O}",
        "id", AGENT_ID, "hostname", HOST_IP, "port", 5051, "attributes",
        "pid", "slave(1)@" HOST_IP ":5051", "registered_time", g_registered,
        "resources", "cpus", AGENT_CPUS, "gpus", 0.0, "mem", AGENT_MEM,
        "disk", AGENT_DISK, "ports", AGENT_PORTS, "used_resources",
        resources(json_number_value(json_object_get(used, "cpus")) +
                      SCHED_CPUS * n,
                  json_number_value(json_object_get(used, "mem")) +
                      SCHED_MEM * n,
                  json_number_value(json_object_get(used, "disk"))),
        "offered_resources", resources(0, 0, 0), "reserved_resources",
        reserved, "unreserved_resources",
        resources(AGENT_CPUS - rc, AGENT_MEM - rm, AGENT_DISK - rd),
        "active", 1, "deactivated", 0, "version", MESOS_VERSION,
        "capabilities", "MULTI_ROLE", "HIERARCHICAL_ROLE",
        "RESERVATION_REFINEMENT", "framework_ids", fw_ids);
    tasks = json_deep_copy(json_object_get(view, "tasks"));
    /* the Marathon tasks of the schedulers run on the agent too */
    if (tasks) {
        json_object_set_new(
            tasks, "TASK_RUNNING",
            json_integer(
                json_integer_value(json_object_get(tasks, "TASK_RUNNING")) +
                json_integer_value(json_object_get(sch, "running"))));
        json_object_set_new(
            tasks, "TASK_STAGING",
            json_integer(
                json_integer_value(json_object_get(tasks, "TASK_STAGING")) +
                json_integer_value(json_object_get(sch, "staging"))));
    }
    if (!a || !tasks || json_object_update(a, tasks) != 0) {
        json_decref(a);
        a = NULL;
    }
    json_decref(tasks);
    return a;
}

/* GET /mesos/master/state-summary and /mesos/state-summary. */
static void h_state_summary(struct sim *s, const struct sim_req *req,
                            struct sim_resp *resp)
{
    const char *cluster_id = json_string_value(
        json_object_get(sim_state_section(s, "core"), "cluster_id"));
    json_t *view = NULL, *fws = NULL, *ids = NULL, *out = NULL, *fw, *sch;
    char marathon_id[64], metronome_id[64];
    size_t i;

    if (!allowed_or_403(s, req, resp, "dcos:adminrouter:ops:mesos"))
        return;
    snprintf(marathon_id, sizeof(marathon_id), "%s-0000",
             cluster_id ? cluster_id : "");
    snprintf(metronome_id, sizeof(metronome_id), "%s-0002",
             cluster_id ? cluster_id : "");
    view = sim_sdk_mesos_state(s);
    sch = json_object_get(view, "schedulers");
    fws = json_array();
    ids = json_array();
    if (!view || !fws || !ids)
        goto out;
    json_array_append_new(
        fws, system_framework(
                 marathon_id, "marathon",
                 json_integer_value(json_object_get(sch, "running")),
                 json_integer_value(json_object_get(sch, "staging"))));
    json_array_append_new(fws,
                          system_framework(metronome_id, "metronome", 0, 0));
    json_array_extend(fws, json_object_get(view, "frameworks"));
    json_array_foreach(fws, i, fw) {
        if (json_array_size(json_object_get(fw, "slave_ids")))
            json_array_append(ids, json_object_get(fw, "id"));
    }
    out = json_pack("{s:s,s:s,s:[o],s:O}", "hostname", HOST_IP, "cluster",
                    CLUSTER_NAME, "slaves", agent_json(view, ids),
                    "frameworks", fws);
out:
    json_decref(view);
    json_decref(fws);
    json_decref(ids);
    json_ok(resp, out);
}

/* GET /mesos_dns/v1/hosts/<name>: A records, lower-cased FQDN; an unknown
 * name still answers 200 with one empty record. */
static void h_dns_hosts(struct sim *s, const struct sim_req *req,
                        struct sim_resp *resp)
{
    char *segs[2], name[256];
    size_t n, i;
    json_t *out;

    if (!allowed_or_403(s, req, resp, "dcos:adminrouter:ops:mesos-dns"))
        return;
    n = sim_path_segments(req, DNS_PREFIX, segs, 2);
    name[0] = '\0';
    if (n == 1 && strlen(segs[0]) + 2 < sizeof(name)) {
        for (i = 0; segs[0][i]; i++)
            name[i] = (char)((segs[0][i] >= 'A' && segs[0][i] <= 'Z')
                                 ? segs[0][i] - 'A' + 'a'
                                 : segs[0][i]);
        name[i] = '\0';
        if (i && name[i - 1] == '.')
            name[i - 1] = '\0';
    }
    sim_segments_free(segs, n);
    if (strcmp(name, "master.mesos") == 0 ||
        strcmp(name, "leader.mesos") == 0) {
        strcat(name, ".");
        out = json_pack("[{s:s,s:s}]", "host", name, "ip", HOST_IP);
    } else {
        out = json_pack("[{s:s,s:s}]", "host", "", "ip", "");
    }
    json_ok(resp, out);
}

/* GET /system/health/v1/nodes: every node, health 0 (healthy). */
static void h_health_nodes(struct sim *s, const struct sim_req *req,
                           struct sim_resp *resp)
{
    if (!allowed_or_403(s, req, resp, "dcos:adminrouter:ops:system-health"))
        return;
    json_ok(resp, json_pack("{s:[{s:s,s:i,s:s},{s:s,s:i,s:s}]}", "nodes",
                            "host_ip", HOST_IP, "health", 0, "role",
                            "master", "host_ip", HOST_IP, "health", 0,
                            "role", "agent"));
}

static int mesos_start(struct sim *s)
{
    (void)s;
    g_registered = util_now_wall();
    return 0;
}

static const struct sim_route mesos_routes[] = {
    {"GET", "/", true, SIM_AUTH_PUBLIC, h_index},
    {"GET", "/mesos/master/state-summary", true, SIM_AUTH_TOKEN,
     h_state_summary},
    {"GET", "/mesos/state-summary", true, SIM_AUTH_TOKEN, h_state_summary},
    {"GET", DNS_PREFIX, false, SIM_AUTH_TOKEN, h_dns_hosts},
    {"GET", "/system/health/v1/nodes", true, SIM_AUTH_TOKEN,
     h_health_nodes},
};

const struct sim_module sim_mesos_module = {
    .name = "mesos",
    .routes = mesos_routes,
    .n_routes = sizeof(mesos_routes) / sizeof(mesos_routes[0]),
    .start = mesos_start,
};
