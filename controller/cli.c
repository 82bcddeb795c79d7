#include "controller/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/util.h"
#include "dcos/simdir.h"

#define SECRET_FILE_MAX (64u * 1024u)

void cli_usage(FILE *f)
{
    fputs(
        "Usage: etls <command> [options]\n"
        "\n"
        "Keeps DC/OS Enterprise Elastic services TLS-encrypted.\n"
        "\n"
        "Commands:\n"
        "  validate -f PATH     check desired-state files offline\n"
        "  plan -f PATH         show what apply would change (read-only)\n"
        "  plan -f PATH -out FILE  ... and save that plan to FILE\n"
        "  apply -f PATH        converge the cluster and verify HTTPS\n"
        "  apply FILE           apply exactly the plan saved in FILE\n"
        "                       (refused when the documents or the cluster\n"
        "                       changed since)\n"
        "  force-unlock SERVICE remove the lease another etls holds on "
        "SERVICE\n"
        "  version              print the version\n"
        "\n"
        "Desired state:\n"
        "  -f, --file PATH      a JSON file, or a directory of *.json files\n"
        "\n"
        "Cluster connection:\n"
        "  --cluster URL        cluster URL (default: $DCOS_URL)\n"
        "  --ca-cert FILE       trust this CA bundle (default: "
        "$DCOS_SSL_VERIFY if a path)\n"
        "  --insecure           DO NOT verify the cluster's TLS certificate\n"
        "                       (also DCOS_SSL_VERIFY=false); loud warning\n"
        "  --sim DIR            use the dcos-sim cluster described by "
        "DIR/cluster.json\n"
        "  --token-file FILE    DC/OS auth token (default: "
        "$DCOS_ACS_TOKEN)\n"
        "  --uid UID            log in as UID, with one of:\n"
        "  --password-file FILE   the user's password\n"
        "  --private-key FILE     a service account's private key (RS256 "
        "JWT login)\n"
        "\n"
        "Output and behaviour:\n"
        "  -o, --output text|json   plan output format (default text)\n"
        "  --detailed-exitcode  plan: exit 0 = no changes, 2 = changes "
        "pending\n"
        "  -out, --out FILE     plan: save the plan to FILE (mode 0600, no "
        "secret)\n"
        "  --auto-approve       apply: no confirmation of disruptive "
        "actions\n"
        "                       (needed without a terminal)\n"
        "  --timeout DURATION   apply: rollout wait (default 15m)\n"
        "  --lock-timeout DURATION  apply: wait this long for a service "
        "another etls\n"
        "                       has locked (default 0: fail at once)\n"
        "  --lock-ttl DURATION  lifetime of this etls's leases between "
        "renewals\n"
        "                       (default 60s, at least 5s)\n"
        "  --request-timeout DURATION  per HTTP attempt (default 30s); reads\n"
        "                       are tried at most 4 times within 4x this\n"
        "  --max-connections N  concurrent requests (default 8)\n"
        "  --no-color           plain text output\n"
        "  --log-level LEVEL    debug|info|warn|error (default warn)\n"
        "  --trace              log HTTP requests (secrets redacted)\n"
        "\n"
        "Exit status: 0 success; 1 error; 2 (plan --detailed-exitcode) "
        "changes pending;\n"
        "130 / 143 interrupted by SIGINT / SIGTERM.\n",
        f);
}

int cli_parse_duration(double *out, const char *s)
{
    char num[32];
    size_t n = strlen(s);
    double mult = 1, v;

    if (n == 0 || n >= sizeof(num))
        return ERR_INVALID;
    memcpy(num, s, n + 1);
    switch (num[n - 1]) {
    case 's': mult = 1; num[n - 1] = '\0'; break;
    case 'm': mult = 60; num[n - 1] = '\0'; break;
    case 'h': mult = 3600; num[n - 1] = '\0'; break;
    default: break;
    }
    if (util_parse_double(&v, num, 0.001, 1e7) != 0)
        return ERR_INVALID;
    *out = v * mult;
    return 0;
}

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "etls: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun 'etls help' for usage.\n");
    return ERR_INVALID;
}

static int set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = strdup(v);
    return *dst ? 0 : ERR_NOMEM;
}

static int read_secret(struct secret **dst, const char *path,
                       const char *what)
{
    struct err_info e;
    int r;

    secret_free(*dst);
    *dst = NULL;
    r = secret_from_file(dst, path, SECRET_FILE_MAX, &e);
    if (r == ERR_NOTFOUND)
        return usage_error("no such file for %s", what);
    if (r)
        return usage_error("cannot read the %s file %s: %s", what, path,
                           e.text);
    return 0;
}

int cli_parse(struct cli *out, int argc, char **argv)
{
    const char *env;
    int i, r;

    memset(out, 0, sizeof(*out));
    out->color = 1;
    out->timeout = 900;
    out->lock_ttl = 60;
    out->request_timeout = 30;
    out->max_connections = 8;
    out->log_level = LOG_WARN;

    if (argc < 2) {
        out->command = "help";
        return 0;
    }
    out->command = argv[1];
    if (strcmp(out->command, "-h") == 0 || strcmp(out->command, "--help") == 0)
        out->command = "help";
    if (strcmp(out->command, "--version") == 0)
        out->command = "version";

    for (i = 2; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        char name[64];
        const char *eq;

        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            out->command = "help";
            return 0;
        }
        if (a[0] != '-' && strcmp(out->command, "force-unlock") == 0 &&
            !out->service) {
            out->service = a;
            continue;
        }
        if (a[0] != '-' && strcmp(out->command, "apply") == 0 &&
            !out->plan_file) {
            out->plan_file = a;
            continue;
        }
        if (a[0] != '-')
            /* Not echoed: a stray argument may be a misplaced secret. */
            return usage_error("unexpected argument at position %d (options "
                               "start with '-')",
                               i);
        eq = strchr(a, '=');
        if (eq && (size_t)(eq - a) >= sizeof(name))
            return usage_error("unknown option (name longer than %zu "
                               "characters)",
                               sizeof(name) - 1);
        if (eq) {
            memcpy(name, a, (size_t)(eq - a));
            name[eq - a] = '\0';
            v = eq + 1;
            a = name;
        }
#define FLAG(n) (strcmp(a, n) == 0)
#define NEEDV()                                                               \
    do {                                                                      \
        if (!v) {                                                             \
            if (i + 1 >= argc)                                                \
                return usage_error("option %s needs a value", a);             \
            v = argv[++i];                                                    \
        }                                                                     \
    } while (0)
        if (v && (FLAG("--detailed-exitcode") || FLAG("--no-color") ||
                  FLAG("--insecure") || FLAG("--trace") ||
                  FLAG("--auto-approve")))
            return usage_error("option %s takes no value", a);
        if (FLAG("--detailed-exitcode")) {
            out->detailed_exitcode = 1;
        } else if (FLAG("--auto-approve")) {
            out->auto_approve = 1;
        } else if (FLAG("-out") || FLAG("--out")) {
            NEEDV();
            out->out_file = v;
        } else if (FLAG("--no-color")) {
            out->color = 0;
        } else if (FLAG("--insecure")) {
            out->insecure = 1;
        } else if (FLAG("--trace")) {
            out->trace = 1;
        } else if (FLAG("-f") || FLAG("--file")) {
            NEEDV();
            out->file = v;
        } else if (FLAG("-o") || FLAG("--output")) {
            NEEDV();
            if (strcmp(v, "text") == 0)
                out->output = CLI_OUTPUT_TEXT;
            else if (strcmp(v, "json") == 0)
                out->output = CLI_OUTPUT_JSON;
            else
                return usage_error("--output must be text or json, not '%s'",
                                   v);
        } else if (FLAG("--cluster")) {
            NEEDV();
            if ((r = set_str(&out->cluster_url, v)))
                return r;
        } else if (FLAG("--ca-cert")) {
            NEEDV();
            if ((r = set_str(&out->ca_cert, v)))
                return r;
        } else if (FLAG("--sim")) {
            NEEDV();
            if ((r = set_str(&out->sim_dir, v)))
                return r;
        } else if (FLAG("--uid")) {
            NEEDV();
            if ((r = set_str(&out->uid, v)))
                return r;
        } else if (FLAG("--token-file")) {
            NEEDV();
            if ((r = read_secret(&out->token, v, "--token-file")))
                return r;
        } else if (FLAG("--password-file")) {
            NEEDV();
            if ((r = read_secret(&out->password, v, "--password-file")))
                return r;
        } else if (FLAG("--private-key")) {
            NEEDV();
            if ((r = read_secret(&out->private_key, v, "--private-key")))
                return r;
        } else if (FLAG("--timeout")) {
            NEEDV();
            if (cli_parse_duration(&out->timeout, v))
                return usage_error("--timeout: expected a duration such as "
                                   "900, 90s, 15m or 1h, got '%s'",
                                   v);
        } else if (FLAG("--lock-timeout")) {
            NEEDV();
            if (strcmp(v, "0") == 0)
                out->lock_timeout = 0;
            else if (cli_parse_duration(&out->lock_timeout, v))
                return usage_error("--lock-timeout: expected a duration "
                                   "such as 0, 30s or 5m, got '%s'",
                                   v);
        } else if (FLAG("--lock-ttl")) {
            NEEDV();
            if (cli_parse_duration(&out->lock_ttl, v) || out->lock_ttl < 5)
                return usage_error("--lock-ttl: expected a duration of at "
                                   "least 5s, got '%s'",
                                   v);
        } else if (FLAG("--request-timeout")) {
            NEEDV();
            if (cli_parse_duration(&out->request_timeout, v))
                return usage_error("--request-timeout: expected a duration "
                                   "such as 30s, got '%s'",
                                   v);
        } else if (FLAG("--max-connections")) {
            long n;

            NEEDV();
            if (util_parse_long(&n, v, 1, 64))
                return usage_error("--max-connections: expected 1..64, got "
                                   "'%s'",
                                   v);
            out->max_connections = (int)n;
        } else if (FLAG("--log-level")) {
            NEEDV();
            out->log_level = log_level_parse(v);
            if (out->log_level < 0)
                return usage_error("--log-level: expected debug, info, warn "
                                   "or error, got '%s'",
                                   v);
        } else {
            return usage_error("unknown option '%s'", a);
        }
#undef FLAG
#undef NEEDV
    }

    /*
     * Environment, after flags (flags win).  --sim describes a whole
     * cluster (URL, CA, credentials), so the DCOS_* variables of another
     * cluster must not mix into it: they are ignored with --sim.
     */
    if (out->sim_dir)
        goto checks;
    env = getenv("DCOS_URL");
    if (!out->cluster_url && env && *env && (r = set_str(&out->cluster_url,
                                                         env)))
        return r;
    env = getenv("DCOS_SSL_VERIFY");
    if (env && *env && !out->ca_cert && !out->insecure) {
        if (strcmp(env, "false") == 0)
            out->insecure = 1;
        else if (strcmp(env, "true") != 0 && (r = set_str(&out->ca_cert, env)))
            return r;
    }
    env = getenv("DCOS_ACS_TOKEN");
    if (!out->token && env && *env) {
        out->token = secret_new_str(env);
        if (!out->token)
            return ERR_NOMEM;
    }
checks:
    if (out->plan_file && out->file)
        return usage_error("give either -f PATH or a saved plan FILE, not "
                           "both");
    if (out->out_file && strcmp(out->command, "plan") != 0)
        return usage_error("-out is an option of plan");
    if (out->auto_approve && strcmp(out->command, "apply") != 0)
        return usage_error("--auto-approve is an option of apply");
    if (out->password && out->private_key)
        return usage_error("give either --password-file or "
                                 "--private-key, not both");
    if ((out->password || out->private_key) && !out->uid)
        return usage_error("--password-file and --private-key need "
                                 "--uid");
    return 0;
}

int cli_apply_sim(struct cli *c, char *errbuf, size_t errlen)
{
    struct dcos_sim_cluster sc;
    struct err_info e;
    int r;

    memset(&e, 0, sizeof(e));
    r = dcos_sim_cluster_read(&sc, c->sim_dir, &e);
    if (r) {
        snprintf(errbuf, errlen, "%s", e.text);
        return r == ERR_NOMEM ? r : ERR_INVALID;
    }
    if ((!c->cluster_url && set_str(&c->cluster_url, sc.url)) ||
        (!c->ca_cert && !c->insecure && set_str(&c->ca_cert, sc.ca_cert)))
        r = ERR_NOMEM;
    if (r == 0 && !c->token && !c->uid) {
        if (set_str(&c->uid, sc.uid)) {
            r = ERR_NOMEM;
        } else {
            c->password = sc.password;
            sc.password = NULL;
        }
    }
    dcos_sim_cluster_clear(&sc);
    return r;
}

void cli_engine_options(struct engine_options *out, const struct cli *c,
                        const struct report_sink *report)
{
    memset(out, 0, sizeof(*out));
    out->cluster_url = c->cluster_url;
    out->ca_file = c->ca_cert;
    out->insecure = c->insecure;
    out->token = c->token;
    out->uid = c->uid;
    out->password = c->password;
    out->private_key = c->private_key;
    out->request_timeout = c->request_timeout;
    out->max_connections = (unsigned)c->max_connections;
    out->trace = c->trace ? stderr : NULL;
    out->rollout_timeout = c->timeout;
    out->lock_timeout = c->lock_timeout;
    out->lock_ttl = c->lock_ttl;
    out->command = c->command;
    if (report)
        out->report = *report;
}

void cli_free(struct cli *c)
{
    free(c->cluster_url);
    free(c->ca_cert);
    free(c->sim_dir);
    free(c->uid);
    secret_free(c->token);
    secret_free(c->password);
    secret_free(c->private_key);
    memset(c, 0, sizeof(*c));
}
