/* etls run and etls status (cmd_run.h). */
#include "controller/cmd_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/util.h"
#include "controller/cli.h"
#include "controller/cmd_common.h"
#include "controller/run.h"
#include "controller/run_log.h"
#include "dcos/client.h"
#include "dcos/local_get.h"

/* A usage error of run, after cli_parse(): printed, exit status. */
#define RUN_USAGE(c, msg) (cli_usage_error((c)->cmd, "%s", (msg)), EXIT_ERROR)

/* ---- the report sink: action events as log lines ---- */

static void on_action_done(void *payload, const struct model_plan *p,
                           const struct model_action *a, double seconds)
{
    char s[32];

    (void)payload;
    snprintf(s, sizeof(s), "%.3f", seconds);
    run_log(a->change == MODEL_CHANGE_READ ? LOG_DEBUG : LOG_INFO,
            "action-done", "service", p->service, "action",
            a->address, "change", model_change_symbol(a->change), "seconds",
            s, NULL);
}

static void on_action_failed(void *payload, const struct model_plan *p,
                             const struct model_action *a, const char *text)
{
    (void)payload;
    run_log(LOG_WARN, "action-failed", "service", p->service, "action",
            a->address, "error", text, NULL);
}

static void on_action_start(void *payload, const struct model_plan *p,
                            const struct model_action *a)
{
    (void)payload;
    run_log(a->change == MODEL_CHANGE_READ ? LOG_DEBUG : LOG_INFO,
            "action-start", "service", p->service, "action",
            a->address, "reason", a->reason, NULL);
}

static void on_refused(void *payload, const struct model_plan *p,
                       const struct model_action *a)
{
    (void)payload;
    run_log(LOG_WARN, "refused", "service", p->service, "action",
            a->address, "reason", a->reason, NULL);
}

static void on_verified(void *payload, const struct report_verified *v)
{
    (void)payload;
    run_log(LOG_DEBUG, "verified", "service", v->service, "scheme",
            v->tls ? "https" : "http", "address", v->address, "health",
            v->health, NULL);
}

static const struct report_ops log_ops = {
    .refused = on_refused,
    .action_start = on_action_start,
    .action_done = on_action_done,
    .action_failed = on_action_failed,
    .verified = on_verified,
};

int cmd_run(struct cli *c)
{
    struct run_options *o = &c->run;
    struct report_sink sink = {&log_ops, NULL};
    struct engine *eng = NULL;
    struct err_info e;
    int r;

    if (!c->file && !o->git_url)
        return RUN_USAGE(c, "run needs -f PATH (a file or a directory) or "
                            "--git URL");
    if (c->file && o->git_url)
        return RUN_USAGE(c, "give either -f PATH or --git URL, not both");
    if (!o->git_url && (o->git_ref || o->git_path || o->git_interval > 0 ||
                        o->git_credentials))
        return RUN_USAGE(c, "--ref, --path, --git-interval and "
                            "--git-credentials go with --git");
    o->path = c->file;
    if (!o->listen)
        o->listen = "127.0.0.1:9102";
    else if (strcmp(o->listen, "off") == 0)
        o->listen = NULL;
    run_log_setup(stdout, (enum run_log_format)c->run_log_format,
                  c->log_level_given ? (enum log_level)c->log_level
                                     : LOG_INFO);
    if (cmd_connect(c, &eng, &sink))
        return EXIT_ERROR;
    memset(&e, 0, sizeof(e));
    r = run_daemon(eng, o, &e);
    engine_free(eng);
    if (r) {
        fprintf(stderr, "etls: %s\n", e.text);
        return EXIT_ERROR;
    }
    return EXIT_OK;
}

/* The condition @type of service @svc of a /status document. */
static const json_t *condition(const json_t *svc, const char *type)
{
    const json_t *c;
    size_t i;

    json_array_foreach(json_object_get(svc, "conditions"), i, c)
        if (json_is_string(json_object_get(c, "type")) &&
            strcmp(json_string_value(json_object_get(c, "type")), type) == 0)
            return c;
    return NULL;
}

static const char *str(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));

    return v ? v : "-";
}

/* "True" conditions other than Ready, as "Degraded(InvalidDocument)". */
static void troubles(char *out, size_t len, const json_t *svc)
{
    static const char *const types[] = {"Reconciling", "Degraded",
                                        "Stalled"};
    size_t i, k = 0;

    out[0] = '\0';
    for (i = 0; i < sizeof(types) / sizeof(*types); i++) {
        const json_t *c = condition(svc, types[i]);

        if (c && strcmp(str(c, "status"), "True") == 0)
            k += (size_t)snprintf(out + k, k < len ? len - k : 0, "%s%s(%s)",
                                  k ? "," : "", types[i], str(c, "reason"));
    }
    if (!out[0])
        snprintf(out, len, "-");
}

static void status_print(const json_t *root)
{
    const json_t *svc, *rev;
    size_t i;
    char more[256], sha[20];

    printf("%-20s %-6s %-16s %-19s %-12s %-20s %-20s %s\n", "SERVICE",
           "READY", "REASON", "REVISION", "COMMIT", "LAST RECONCILE",
           "NEXT RECONCILE", "CONDITIONS / LAST ERROR");
    json_array_foreach(json_object_get(root, "services"), i, svc)
    {
        const json_t *ready = condition(svc, "Ready");

        rev = json_object_get(svc, "revision");
        snprintf(sha, sizeof(sha), "%.19s", str(rev, "sha256"));
        troubles(more, sizeof(more), svc);
        printf("%-20s %-6s %-16s %-19s %-12.12s %-20s %-20s %s%s%s\n",
               str(svc, "service"), ready ? str(ready, "status") : "-",
               ready ? str(ready, "reason") : "-", sha, str(rev, "commit"),
               str(svc, "last_reconcile"), str(svc, "next_reconcile"), more,
               json_is_string(json_object_get(svc, "last_error")) ? ": " : "",
               json_is_string(json_object_get(svc, "last_error"))
                   ? str(svc, "last_error")
                   : "");
    }
    printf("ready: %s, queue depth: %lld\n",
           json_is_true(json_object_get(root, "ready")) ? "yes" : "no",
           (long long)json_integer_value(json_object_get(root,
                                                         "queue_depth")));
}

int cmd_status(struct cli *c)
{
    char url[512];
    char *body = NULL;
    long code = 0;
    struct err_info e;
    json_t *root;
    int r;

    snprintf(url, sizeof(url), "%s/status",
             c->status_server ? c->status_server : "http://127.0.0.1:9102");
    memset(&e, 0, sizeof(e));
    r = dcos_local_get(url, c->request_timeout, &body, &code, &e);
    if (r) {
        fprintf(stderr, "etls: %s\n", e.text);
        return EXIT_ERROR;
    }
    if (code != 200) {
        fprintf(stderr, "etls: GET %s: HTTP %ld\n", url, code);
        free(body);
        return EXIT_ERROR;
    }
    if (c->output == CLI_OUTPUT_JSON) {
        fputs(body, stdout);
        free(body);
        return EXIT_OK;
    }
    root = json_loads(body, 0, NULL);
    free(body);
    if (!root) {
        fprintf(stderr, "etls: %s: not a status document\n", url);
        return EXIT_ERROR;
    }
    status_print(root);
    json_decref(root);
    return EXIT_OK;
}
