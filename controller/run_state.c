/*
 * What etls run shows (run_int.h): the /status document (conditions per
 * service) and the /metrics text in the Prometheus text format 0.0.4.
 * Nothing here is secret: names, outcomes, digests, times, counts and
 * error lines (which carry no secret values).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "common/buf.h"
#include "controller/run_int.h"

const double run_buckets[RUN_N_BUCKETS] = {0.1, 0.5, 1, 2.5, 5, 15, 60,
                                            300, 900};

bool run_state_converged(const struct run_service *s)
{
    return s->reconciled && !s->failures && !s->next &&
           (s->last == RECONCILE_IN_SYNC || s->last == RECONCILE_APPLIED) &&
           strcmp(s->applied, s->sha) == 0;
}

double run_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int run_count_add(struct run_counts *c, const char *key)
{
    struct run_count *items;
    size_t i;

    for (i = 0; i < c->n; i++)
        if (strcmp(c->items[i].key, key) == 0) {
            c->items[i].n++;
            return 0;
        }
    items = realloc(c->items, (c->n + 1) * sizeof(*items));
    if (!items)
        return ERR_NOMEM;
    c->items = items;
    items[c->n].key = strdup(key);
    if (!items[c->n].key)
        return ERR_NOMEM;
    items[c->n++].n = 1;
    return 0;
}

void run_counts_clear(struct run_counts *c)
{
    size_t i;

    for (i = 0; i < c->n; i++)
        free(c->items[i].key);
    free(c->items);
    memset(c, 0, sizeof(*c));
}

/* Every HTTP attempt of the engine (engine_options.on_request). */
void run_state_on_request(const struct dcos_request_event *ev, void *payload)
{
    struct run_daemon *d = payload;
    struct run_api_count *v;
    size_t i;

    for (i = 0; i < d->n_api; i++) {
        v = &d->api[i];
        if (v->code == ev->status && strcmp(v->api, ev->api) == 0 &&
            strcmp(v->method, ev->method) == 0) {
            v->n++;
            return;
        }
    }
    v = realloc(d->api, (d->n_api + 1) * sizeof(*v));
    if (!v)
        return;
    d->api = v;
    v[d->n_api].api = ev->api;
    v[d->n_api].method = ev->method;
    v[d->n_api].code = ev->status;
    v[d->n_api++].n = 1;
}

static json_t *time_json(double t)
{
    char s[32];
    time_t secs = (time_t)t;
    struct tm tm;

    if (t <= 0)
        return json_null();
    gmtime_r(&secs, &tm);
    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(s);
}

static json_t *cond(const char *type, bool status, const char *reason,
                    const char *message)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "type", type, "status",
                     status ? "True" : "False", "reason", reason, "message",
                     message ? message : "");
}

/* The conditions of @s (Kubernetes style). */
static json_t *conditions(const struct run_service *s)
{
    const struct run_daemon *d = s->d;
    json_t *a = json_array();
    char msg[600];
    bool drift = s->reconciled && s->last == RECONCILE_DRIFT;
    bool ready = run_state_converged(s);

    if (!a)
        return NULL;
    json_array_append_new(
        a, cond("Ready", ready,
                ready         ? "Converged"
                : drift       ? "DriftDetected"
                : s->failures ? "ReconcileFailed"
                : !s->good    ? "NoValidDocument"
                              : "NotReconciled",
                ready   ? "the service is in its desired state"
                : drift ? (d->o.detect_only ? "changes found; --detect-only: "
                                              "nothing written"
                                            : "changes found; suspend: "
                                              "nothing written")
                        : s->last_error));
    json_array_append_new(
        a, cond("Reconciling", s->phase != RUN_IDLE || s->next,
                s->phase == RUN_RUNNING  ? "Running"
                : s->phase == RUN_QUEUED ? "Queued"
                : s->next                ? "NewRevision"
                                         : "Idle",
                NULL));
    if (s->doc_error)
        json_array_append_new(a, cond("Degraded", true, "InvalidDocument",
                                      s->doc_error));
    else if (s->failures) {
        snprintf(msg, sizeof(msg), "%u failure(s) in a row, retry in %.0f "
                 "s: %s", s->failures, s->backoff,
                 s->last_error ? s->last_error : "");
        json_array_append_new(a, cond("Degraded", true, "Backoff", msg));
    } else
        json_array_append_new(a, cond("Degraded", false, "AsExpected", NULL));
    if (!s->good)
        json_array_append_new(a, cond("Stalled", true, "NoValidDocument",
                                      s->doc_error));
    else if (s->reconciled && s->last == RECONCILE_REFUSED)
        json_array_append_new(a, cond("Stalled", true, "PlanRefused",
                                      s->last_error));
    else if (s->reconciled && s->last == RECONCILE_LOCKED)
        json_array_append_new(a, cond("Stalled", true, "Locked",
                                      s->last_error));
    else
        json_array_append_new(a, cond("Stalled", false, "AsExpected", NULL));
    return a;
}

static json_t *service_json(const struct run_service *s)
{
    const struct run_daemon *d = s->d;
    bool lease = s->lane && s->name && engine_lane_holds(s->lane, s->name);

    return json_pack(
        "{s:s?, s:s, s:{s:s?, s:s?}, s:s?, s:o, s:s?, s:b, s:b, s:b, s:o, "
        "s:o, s:o, s:s?, s:i, s:f, s:o}",
        "service", s->name, "document", s->path, "revision", "sha256",
        s->applied[0] ? s->applied : NULL, "commit",
        s->applied[0] ? s->commit : NULL, "desired_revision",
        s->next ? s->next_sha : s->sha[0] ? s->sha : NULL, "conditions",
        conditions(s), "last_outcome",
        s->reconciled ? reconcile_outcome_name(s->last) : NULL, "suspended",
        s->suspend, "detect_only", d->o.detect_only || s->suspend,
        "lease_held", lease, "last_reconcile", time_json(s->last_end),
        "last_apply", time_json(s->last_apply), "last_success",
        time_json(s->last_success), "last_error", s->last_error,
        "consecutive_failures", (int)s->failures, "backoff_seconds",
        s->backoff, "next_reconcile", time_json(s->next_at));
}

char *run_state_status(const struct run_daemon *d)
{
    json_t *root, *arr;
    char *out;
    size_t i;

    arr = json_array();
    root = json_pack("{s:b, s:b, s:o, s:s?, s:i, s:o}", "ready",
                     run_state_ready(d), "stopping", d->stopping, "started",
                     time_json(d->started), "commit", d->commit,
                     "queue_depth", (int)d->queued, "services",
                     arr ? arr : json_array());
    if (!root)
        return NULL;
    for (i = 0; arr && i < d->n; i++)
        if (!d->svcs[i]->removed)
            json_array_append_new(arr, service_json(d->svcs[i]));
    out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return out;
}

bool run_state_ready(const struct run_daemon *d)
{
    size_t i;

    for (i = 0; i < d->n; i++)
        if (!d->svcs[i]->removed && d->svcs[i]->good &&
            !d->svcs[i]->reconciled)
            return false;
    return d->reloads > 0;
}

/* ---- metrics ---- */

/* The text being made; the first failure sticks. */
struct out {
    struct buf b;
    int err;
};

__attribute__((format(printf, 2, 3)))
static void out_printf(struct out *o, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (!o->err)
        o->err = buf_vprintf(&o->b, fmt, ap);
    va_end(ap);
}

static void head(struct out *b, const char *name, const char *type,
                 const char *help)
{
    out_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value, escaped (\\, \", \n). */
static void label(struct out *b, const char *v)
{
    for (; v && *v; v++) {
        if (*v == '\\' || *v == '"')
            out_printf(b, "\\%c", *v);
        else if (*v == '\n')
            out_printf(b, "\\n");
        else
            out_printf(b, "%c", *v);
    }
}

/* `name{service="<s>"` (no closing brace). */
static void svc_series(struct out *b, const char *name,
                       const struct run_service *s)
{
    out_printf(b, "%s{service=\"", name);
    label(b, s->name ? s->name : s->path);
    out_printf(b, "\"");
}

static void counts(struct out *b, const struct run_daemon *d,
                   const char *name, bool drift)
{
    size_t i, j;

    for (i = 0; i < d->n; i++) {
        const struct run_service *s = d->svcs[i];
        const struct run_counts *c = drift ? &s->drift : &s->corrections;

        for (j = 0; j < c->n; j++) {
            svc_series(b, name, s);
            out_printf(b, ",resource=\"");
            label(b, c->items[j].key);
            out_printf(b, "\"} %lu\n", c->items[j].n);
        }
    }
}

static void histogram(struct out *b, const struct run_service *s)
{
    const char *n = "etls_reconcile_duration_seconds";
    unsigned long cum = 0;
    size_t k;

    for (k = 0; k < RUN_N_BUCKETS; k++) {
        cum += s->hist[k];
        svc_series(b, "etls_reconcile_duration_seconds_bucket", s);
        out_printf(b, ",le=\"%g\"} %lu\n", run_buckets[k], cum);
    }
    svc_series(b, "etls_reconcile_duration_seconds_bucket", s);
    out_printf(b, ",le=\"+Inf\"} %lu\n", s->hist_n);
    out_printf(b, "%s_sum{service=\"", n);
    label(b, s->name ? s->name : s->path);
    out_printf(b, "\"} %.6f\n%s_count{service=\"", s->hist_sum, n);
    label(b, s->name ? s->name : s->path);
    out_printf(b, "\"} %lu\n", s->hist_n);
}

char *run_state_metrics(const struct run_daemon *d)
{
    struct out b;
    size_t i;
    int o;

    memset(&b, 0, sizeof(b));
    buf_init(&b.b, 8u << 20);
    head(&b, "etls_reconciles_total", "counter",
         "Reconciles that ended, by service and result.");
    for (i = 0; i < d->n; i++)
        for (o = 0; o <= RECONCILE_CANCELLED; o++) {
            svc_series(&b, "etls_reconciles_total", d->svcs[i]);
            out_printf(&b, ",result=\"%s\"} %lu\n",
                       reconcile_outcome_name((enum reconcile_outcome)o),
                       d->svcs[i]->outcomes[o]);
        }
    head(&b, "etls_reconcile_duration_seconds", "histogram",
         "How long reconciles took, seconds.");
    for (i = 0; i < d->n; i++)
        histogram(&b, d->svcs[i]);
    head(&b, "etls_drift_corrections_total", "counter",
         "Changes written to bring a resource back to its desired state.");
    counts(&b, d, "etls_drift_corrections_total", false);
    head(&b, "etls_drift_detected_total", "counter",
         "Changes found and not written (--detect-only or suspend).");
    counts(&b, d, "etls_drift_detected_total", true);
    head(&b, "etls_converged", "gauge",
         "1 when the last reconcile found or left the service converged.");
    for (i = 0; i < d->n; i++) {
        const struct run_service *s = d->svcs[i];

        svc_series(&b, "etls_converged", s);
        out_printf(&b, "} %d\n", run_state_converged(s));
    }
    head(&b, "etls_last_success_timestamp_seconds", "gauge",
         "When a reconcile of the service last succeeded (Unix time).");
    for (i = 0; i < d->n; i++) {
        svc_series(&b, "etls_last_success_timestamp_seconds", d->svcs[i]);
        out_printf(&b, "} %.3f\n", d->svcs[i]->last_success);
    }
    head(&b, "etls_consecutive_failures", "gauge",
         "Reconciles of the service that failed in a row (backoff).");
    for (i = 0; i < d->n; i++) {
        svc_series(&b, "etls_consecutive_failures", d->svcs[i]);
        out_printf(&b, "} %u\n", d->svcs[i]->failures);
    }
    head(&b, "etls_document_valid", "gauge",
         "0 while the service's document is invalid (last good kept).");
    for (i = 0; i < d->n; i++) {
        svc_series(&b, "etls_document_valid", d->svcs[i]);
        out_printf(&b, "} %d\n", d->svcs[i]->doc_error == NULL);
    }
    head(&b, "etls_lease_held", "gauge",
         "1 while this etls holds the service's lease.");
    for (i = 0; i < d->n; i++) {
        const struct run_service *s = d->svcs[i];

        svc_series(&b, "etls_lease_held", s);
        out_printf(&b, "} %d\n", s->lane && s->name &&
                                     engine_lane_holds(s->lane, s->name));
    }
    head(&b, "etls_api_requests_total", "counter",
         "HTTP requests to the cluster, by API, method and status code "
         "(0: no answer).");
    for (i = 0; i < d->n_api; i++)
        out_printf(&b, "etls_api_requests_total{api=\"%s\",method=\"%s\","
                   "code=\"%ld\"} %lu\n", d->api[i].api, d->api[i].method,
                   d->api[i].code, d->api[i].n);
    head(&b, "etls_queue_depth", "gauge", "Services waiting for a slot.");
    out_printf(&b, "etls_queue_depth %u\n", d->queued);
    head(&b, "etls_reconciles_running", "gauge", "Reconciles running now.");
    out_printf(&b, "etls_reconciles_running %u\n", d->running);
    head(&b, "etls_git_fetch_errors_total", "counter",
         "Fetches of the git source that failed (last good kept).");
    out_printf(&b, "etls_git_fetch_errors_total %lu\n", d->git_errors);
    head(&b, "etls_source_reloads_total", "counter",
         "Reads of the desired-state source.");
    out_printf(&b, "etls_source_reloads_total %lu\n", d->reloads);
    if (b.err) {
        buf_free(&b.b);
        return NULL;
    }
    return buf_detach(&b.b);
}
