/*
 * dcos-sim control API (/sim/v1, not part of DC/OS): fault rules and the
 * request log of the server, node operations on SDK tasks, and a dump of
 * the state.  See docs/sim.md "The control API".
 */
#include "sim/control.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
#include "common/util.h"
#include "sim/core.h"
#include "sim/http.h"
#include "sim/sdk.h"
#include "sim/server.h"
#include "sim/state.h"

/* Control API error: {"error": "..."} */
static void ctl_error(struct sim_resp *resp, int status, const char *fmt,
                      ...) __attribute__((format(printf, 3, 4)));

static void ctl_error(struct sim_resp *resp, int status, const char *fmt,
                      ...)
{
    char msg[256];
    va_list ap;
    json_t *o;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    o = json_pack("{s:s}", "error", msg);
    sim_resp_json(resp, o ? status : 500, o, "application/json");
}

static void h_requests(struct sim *s, const struct sim_req *req,
                       struct sim_resp *resp)
{
    (void)s;
    if (strcmp(req->method, "DELETE") == 0) {
        sim_server_requests_clear();
        sim_resp_empty(resp, 204);
        return;
    }
    sim_resp_json(resp, 200, sim_server_requests_json(), "application/json");
}

static int valid_method(const char *m)
{
    size_t i, n = strlen(m);

    if (strcmp(m, "*") == 0)
        return 1;
    if (n == 0 || n >= sizeof(((struct sim_fault *)0)->method))
        return 0;
    for (i = 0; i < n; i++)
        if (m[i] < 'A' || m[i] > 'Z')
            return 0;
    return 1;
}

/* Parse a fault rule from the control API; 0 or -1 with @msg set. */
static int fault_parse(struct sim_fault *f, const json_t *o, char *msg,
                       size_t msg_len)
{
    const char *key, *m;
    json_t *v;
    int actions = 0;

    memset(f, 0, sizeof(*f));
    strcpy(f->method, "*");
    f->probability = 1.0;
    if (!json_is_object(o)) {
        snprintf(msg, msg_len, "body: expected a JSON object");
        return -1;
    }
    json_object_foreach((json_t *)o, key, v) {
        if (strcmp(key, "method") == 0) {
            m = json_string_value(v);
            if (!m || !valid_method(m)) {
                snprintf(msg, msg_len,
                         "method: expected an HTTP method or \"*\"");
                return -1;
            }
            strcpy(f->method, m);
        } else if (strcmp(key, "path") == 0) {
            m = json_string_value(v);
            if (!m || m[0] != '/') {
                snprintf(msg, msg_len,
                         "path: expected a path prefix starting with '/'");
                return -1;
            }
            if (util_has_prefix(m, "/sim/v1")) {
                snprintf(msg, msg_len,
                         "path: the control API cannot be faulted");
                return -1;
            }
            f->path = (char *)m; /* borrowed until the rule is copied */
        } else if (strcmp(key, "status") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 100 ||
                json_integer_value(v) > 599) {
                snprintf(msg, msg_len, "status: expected an integer "
                                       "HTTP status (100-599)");
                return -1;
            }
            f->status = (int)json_integer_value(v);
            actions++;
        } else if (strcmp(key, "delay_ms") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 0 ||
                json_integer_value(v) > 600000) {
                snprintf(msg, msg_len,
                         "delay_ms: expected an integer (0-600000)");
                return -1;
            }
            f->delay_ms = (long)json_integer_value(v);
            actions++;
        } else if (strcmp(key, "reset") == 0) {
            if (!json_is_true(v)) {
                snprintf(msg, msg_len, "reset: expected true");
                return -1;
            }
            f->reset = true;
            actions++;
        } else if (strcmp(key, "count") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 1 ||
                json_integer_value(v) > 1000000000) {
                snprintf(msg, msg_len, "count: expected an integer >= 1");
                return -1;
            }
            f->count = (long)json_integer_value(v);
        } else if (strcmp(key, "probability") == 0) {
            if (!json_is_number(v) || json_number_value(v) < 0.0 ||
                json_number_value(v) > 1.0) {
                snprintf(msg, msg_len,
                         "probability: expected a number from 0 to 1");
                return -1;
            }
            f->probability = json_number_value(v);
        } else {
            snprintf(msg, msg_len, "%.64s: unknown field", key);
            return -1;
        }
    }
    if (!f->path) {
        snprintf(msg, msg_len, "path: required");
        return -1;
    }
    if (actions != 1) {
        snprintf(msg, msg_len,
                 "status, delay_ms, reset: exactly one is required");
        return -1;
    }
    return 0;
}

static void h_faults(struct sim *s, const struct sim_req *req,
                     struct sim_resp *resp)
{
    char *seg[2] = {NULL, NULL};
    size_t n;

    (void)s;
    if (strcmp(req->method, "GET") == 0) {
        sim_resp_json(resp, 200, sim_server_faults_json(),
                      "application/json");
        return;
    }
    if (strcmp(req->method, "POST") == 0) {
        struct sim_fault f;
        char msg[160];
        json_t *in;
        long id;

        in = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES,
                        NULL);
        if (!in) {
            ctl_error(resp, 400, "body: invalid JSON");
            return;
        }
        if (fault_parse(&f, in, msg, sizeof(msg))) {
            json_decref(in);
            ctl_error(resp, 400, "%s", msg);
            return;
        }
        id = sim_server_fault_add(&f);
        json_decref(in);
        if (id < 0) {
            ctl_error(resp, 500, "cannot store the fault rule");
            return;
        }
        sim_resp_json(resp, 201, json_pack("{s:I}", "id", (json_int_t)id),
                      "application/json");
        return;
    }
    /* DELETE /sim/v1/faults[/<id>] */
    n = sim_path_segments(req, "/sim/v1/faults", seg, 2);
    if (n == 0) {
        sim_server_faults_clear();
        sim_resp_empty(resp, 204);
    } else if (n == 1) {
        long id;

        if (util_parse_long(&id, seg[0], 1, LONG_MAX) ||
            sim_server_fault_delete(id))
            ctl_error(resp, 404, "no fault rule %.32s", seg[0]);
        else
            sim_resp_empty(resp, 204);
    } else {
        ctl_error(resp, 404, "unknown control path");
    }
    sim_segments_free(seg, n);
}

static void h_node_op(struct sim *s, const struct sim_req *req,
                      struct sim_resp *resp)
{
    char *seg[5] = {NULL};
    size_t n = sim_path_segments(req, "/sim/v1/services", seg, 5);
    int r;

    if (n != 4 || strcmp(seg[1], "nodes") != 0) {
        ctl_error(resp, 404, "expected /sim/v1/services/<service>/nodes/"
                             "<task>/<kill|restart>");
    } else if (strcmp(seg[3], "kill") != 0 &&
               strcmp(seg[3], "restart") != 0) {
        ctl_error(resp, 400, "op: expected kill or restart");
    } else {
        r = sim_sdk_node_op(s, seg[0], seg[2], seg[3]);
        if (r == 0)
            sim_resp_json(resp, 200,
                          json_pack("{s:s,s:s,s:s}", "service", seg[0],
                                    "task", seg[2], "op", seg[3]),
                          "application/json");
        else if (r == ERR_NOTFOUND)
            ctl_error(resp, 404, "unknown service or task");
        else
            ctl_error(resp, 400, "%s is not possible now", seg[3]);
    }
    sim_segments_free(seg, n);
}

/* GET /sim/v1/services/<service>/scheduler: what the scheduler holds. */
static void h_scheduler(struct sim *s, const struct sim_req *req,
                        struct sim_resp *resp)
{
    char *seg[3] = {NULL};
    size_t n = sim_path_segments(req, "/sim/v1/services", seg, 3);
    json_t *info = NULL;

    (void)s;
    if (n == 2 && strcmp(seg[1], "scheduler") == 0)
        info = sim_sdk_scheduler_info(seg[0]);
    if (info)
        sim_resp_json(resp, 200, info, "application/json");
    else
        ctl_error(resp, 404, "expected /sim/v1/services/<installed "
                             "service>/scheduler");
    sim_segments_free(seg, n);
}

static void h_state(struct sim *s, const struct sim_req *req,
                    struct sim_resp *resp)
{
    json_t *core = sim_state_section(s, "core");

    (void)req;
    /* show the live simulated clock */
    if (core)
        json_object_set_new(core, "clock", json_real(sim_now(s)));
    sim_resp_json(resp, 200, json_deep_copy(s->state), "application/json");
}

static const struct sim_route control_routes[] = {
    {"GET", "/sim/v1/requests", true, SIM_AUTH_CONTROL, h_requests},
    {"DELETE", "/sim/v1/requests", true, SIM_AUTH_CONTROL, h_requests},
    {"GET", "/sim/v1/faults", true, SIM_AUTH_CONTROL, h_faults},
    {"POST", "/sim/v1/faults", true, SIM_AUTH_CONTROL, h_faults},
    {"DELETE", "/sim/v1/faults", false, SIM_AUTH_CONTROL, h_faults},
    {"POST", "/sim/v1/services/", false, SIM_AUTH_CONTROL, h_node_op},
    {"GET", "/sim/v1/services/", false, SIM_AUTH_CONTROL, h_scheduler},
    {"GET", "/sim/v1/state", true, SIM_AUTH_CONTROL, h_state},
};

const struct sim_module sim_control_module = {
    "control", control_routes,
    sizeof(control_routes) / sizeof(control_routes[0]), NULL, NULL, NULL};
