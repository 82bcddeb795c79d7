/*
 * The options of `etls run` and `etls status` (cli.h): their groups for
 * cli_commands[] (cli_table.c) and the set() that stores them in struct
 * cli's run fields.
 */
#include "controller/cli.h"

#include <string.h>

#include "common/err.h"
#include "common/file.h"
#include "common/util.h"
#include "controller/run_log.h"

/* A git credential file holds one "user:password" line. */
#define CLI_GIT_CRED_MAX 4096

enum cli_run_opt {
    CLI_OPT_DETECT_ONLY = CLI_OPT_NEXT,
    CLI_OPT_RESYNC,
    CLI_OPT_GRACE,
    CLI_OPT_BACKOFF_MAX,
    CLI_OPT_LISTEN,
    CLI_OPT_MAX_CONCURRENT,
    CLI_OPT_LOG_FORMAT,
    CLI_OPT_GIT,
    CLI_OPT_GIT_REF,
    CLI_OPT_GIT_PATH,
    CLI_OPT_GIT_INTERVAL,
    CLI_OPT_GIT_CREDENTIALS,
    CLI_OPT_SERVER
};

static const struct cli_option run_opts[] = {
    {"resync", 0, "DURATION", CLI_OPT_RESYNC,
     "reconcile every service this often, +-10 % jitter (default 60s)"},
    {"listen", 0, "HOST:PORT", CLI_OPT_LISTEN,
     "status server: /healthz /readyz /metrics /status (default "
     "127.0.0.1:9102; off: none)"},
    {"detect-only", 0, NULL, CLI_OPT_DETECT_ONLY,
     "report drift, never write"},
    {"max-concurrent", 0, "N", CLI_OPT_MAX_CONCURRENT,
     "services reconciled at once, 1 to 256 (default 4)"},
    {"grace", 0, "DURATION", CLI_OPT_GRACE,
     "on SIGTERM, how long in-flight writes may finish (default 30s)"},
    {"backoff-max", 0, "DURATION", CLI_OPT_BACKOFF_MAX,
     "longest pause after failures of a service (default 5m)"},
    {"log-format", 0, "FORMAT", CLI_OPT_LOG_FORMAT,
     "logfmt (default) or json, one line per event on stdout"},
    {NULL, 0, NULL, 0, NULL},
};

static const struct cli_option git_opts[] = {
    {"git", 0, "URL", CLI_OPT_GIT,
     "read the documents from this git repository instead of -f"},
    {"ref", 0, "REF", CLI_OPT_GIT_REF, "the branch or tag (default main)"},
    {"path", 0, "DIR", CLI_OPT_GIT_PATH,
     "the documents' folder in the repository (default its root)"},
    {"git-interval", 0, "DURATION", CLI_OPT_GIT_INTERVAL,
     "fetch this often (default 60s)"},
    {"git-credentials", 0, "FILE", CLI_OPT_GIT_CREDENTIALS,
     "a file holding user:password for an http(s) repository"},
    {NULL, 0, NULL, 0, NULL},
};

static const struct cli_option status_opts[] = {
    {"server", 0, "URL", CLI_OPT_SERVER,
     "the status server of etls run (default http://127.0.0.1:9102)"},
    {NULL, 0, NULL, 0, NULL},
};

/* Option @o's duration @v (at least 1 s) into *@dst. */
static int set_seconds(struct cli *c, double *dst,
                       const struct cli_option *o, const char *v)
{
    if (cli_parse_duration(dst, v) == 0 && *dst >= 1)
        return 0;
    return cli_usage_error(c->cmd, "--%s: expected a duration of at least "
                                   "1s such as 30s, 5m or 1h, got '%s'",
                           o->name, v);
}

static int set_git_credentials(struct cli *c, const char *path)
{
    struct err_info e;
    int r;

    secret_free(c->git_credentials);
    c->git_credentials = NULL;
    r = secret_from_file(&c->git_credentials, path, CLI_GIT_CRED_MAX, &e);
    if (r == ERR_NOMEM)
        return r;
    if (r)
        return cli_usage_error(c->cmd, "--git-credentials %s: %s", path,
                               r == ERR_NOTFOUND ? "no such file" : e.text);
    c->run.git_credentials = c->git_credentials;
    return 0;
}

/* The set() of the run, git and status groups. */
static int set_run(struct cli *c, const struct cli_option *o, const char *v)
{
    enum run_log_format f;
    long n;

    switch (o->id) {
    case CLI_OPT_DETECT_ONLY: c->run.detect_only = true; return 0;
    case CLI_OPT_RESYNC: return set_seconds(c, &c->run.resync, o, v);
    case CLI_OPT_GRACE: return set_seconds(c, &c->run.grace, o, v);
    case CLI_OPT_BACKOFF_MAX:
        return set_seconds(c, &c->run.backoff_max, o, v);
    case CLI_OPT_GIT_INTERVAL:
        return set_seconds(c, &c->run.git_interval, o, v);
    case CLI_OPT_LISTEN: c->run.listen = v; return 0;
    case CLI_OPT_MAX_CONCURRENT:
        if (util_parse_long(&n, v, 1, 256))
            return cli_usage_error(c->cmd, "--max-concurrent: expected "
                                           "1..256, got '%s'",
                                   v);
        c->run.max_concurrent = (unsigned)n;
        return 0;
    case CLI_OPT_LOG_FORMAT:
        if (run_log_format_parse(&f, v))
            return cli_usage_error(c->cmd, "--log-format: expected logfmt "
                                           "or json, got '%s'",
                                   v);
        c->run_log_format = (int)f;
        return 0;
    case CLI_OPT_GIT: c->run.git_url = v; return 0;
    case CLI_OPT_GIT_REF: c->run.git_ref = v; return 0;
    case CLI_OPT_GIT_PATH: c->run.git_path = v; return 0;
    case CLI_OPT_GIT_CREDENTIALS: return set_git_credentials(c, v);
    case CLI_OPT_SERVER: c->status_server = v; return 0;
    default: return ERR_INTERNAL;
    }
}

const struct cli_option_group cli_group_run = {
    "Controller", run_opts, set_run};
const struct cli_option_group cli_group_git = {
    "Git source (instead of -f)", git_opts, set_run};
const struct cli_option_group cli_group_status = {
    "Status", status_opts, set_run};
