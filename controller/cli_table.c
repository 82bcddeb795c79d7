/*
 * The commands of etls and the options each accepts (cli.h): the data
 * behind cli_parse() and the help.  A value is stored by the set()
 * function of its group (cli.c).
 */
#include "controller/cli.h"

#include <string.h>

static const struct cli_option general_opts[] = {
    {"help", 'h', NULL, CLI_OPT_HELP, "show the help of the command"},
    {"no-color", 0, NULL, CLI_OPT_NO_COLOR,
     "no colour (also NO_COLOR=1 or TERM=dumb; never when not a terminal)"},
    {"log-level", 0, "LEVEL", CLI_OPT_LOG_LEVEL,
     "debug, info, warn or error (default warn); logs go to stderr"},
    {NULL, 0, NULL, 0, NULL},
};

static const struct cli_option doc_opts[] = {
    {"file", 'f', "PATH", CLI_OPT_FILE,
     "desired state: a .json/.yaml/.yml file, a directory of them, or - "
     "(stdin)"},
    {NULL, 0, NULL, 0, NULL},
};

static const struct cli_option plan_opts[] = {
    {"output", 'o', "FORMAT", CLI_OPT_OUTPUT,
     "text (default), json, or markdown (for a pull-request comment)"},
    {"detailed-exitcode", 0, NULL, CLI_OPT_DETAILED_EXITCODE,
     "exit 0 = no changes, 2 = changes pending, 1 = error"},
    {"out", 0, "FILE", CLI_OPT_OUT,
     "also save the plan to FILE for 'etls apply FILE' (also -out)"},
    {NULL, 0, NULL, 0, NULL},
};

static const struct cli_option apply_opts[] = {
    {"auto-approve", 0, NULL, CLI_OPT_AUTO_APPROVE,
     "apply a disruptive plan without asking (needed without a terminal)"},
    {NULL, 0, NULL, 0, NULL},
};

/* The options of apply that hold for each reconcile of etls run too. */
static const struct cli_option reconcile_opts[] = {
    {"timeout", 0, "DURATION", CLI_OPT_TIMEOUT,
     "how long one rollout may take (default 15m)"},
    {"lock-timeout", 0, "DURATION", CLI_OPT_LOCK_TIMEOUT,
     "wait this long for a service another etls holds (default 0)"},
    {"lock-ttl", 0, "DURATION", CLI_OPT_LOCK_TTL,
     "lifetime of this etls's leases between renewals (default 60s)"},
    {NULL, 0, NULL, 0, NULL},
};

static const struct cli_option status_out_opts[] = {
    {"output", 'o', "FORMAT", CLI_OPT_OUTPUT,
     "text (default: a table) or json (the /status document)"},
    {"request-timeout", 0, "DURATION", CLI_OPT_REQUEST_TIMEOUT,
     "for the request to the status server (default 30s)"},
    {NULL, 0, NULL, 0, NULL},
};

static const struct cli_option conn_opts[] = {
    {"cluster", 0, "URL", CLI_OPT_CLUSTER,
     "cluster URL (default: DCOS_URL, then the dcos CLI's cluster)"},
    {"ca-cert", 0, "FILE", CLI_OPT_CA_CERT,
     "trust this CA bundle (default: DCOS_SSL_VERIFY, core.ssl_verify)"},
    {"insecure", 0, NULL, CLI_OPT_INSECURE,
     "DO NOT verify the cluster's TLS certificate (loud warning)"},
    {"sim", 0, "DIR", CLI_OPT_SIM,
     "use the dcos-sim cluster described by DIR/cluster.json"},
    {"token-file", 0, "FILE", CLI_OPT_TOKEN_FILE,
     "a DC/OS token (default: DCOS_ACS_TOKEN, core.dcos_acs_token)"},
    {"uid", 0, "UID", CLI_OPT_UID,
     "log in as UID, with --password-file or --private-key"},
    {"password-file", 0, "FILE", CLI_OPT_PASSWORD_FILE,
     "the password of UID"},
    {"private-key", 0, "FILE", CLI_OPT_PRIVATE_KEY,
     "a service account's PEM key, or its credential JSON (uid included)"},
    {"request-timeout", 0, "DURATION", CLI_OPT_REQUEST_TIMEOUT,
     "per HTTP attempt (default 30s); reads are tried 4 times"},
    {"max-connections", 0, "N", CLI_OPT_MAX_CONNECTIONS,
     "concurrent requests, 1 to 64 (default 32)"},
    {"trace", 0, NULL, CLI_OPT_TRACE,
     "log every HTTP request and response on stderr, secrets redacted"},
    {NULL, 0, NULL, 0, NULL},
};

static const struct cli_option_group g_general = {
    "General", general_opts, cli_set_common};
static const struct cli_option_group g_doc = {
    "Desired state", doc_opts, cli_set_common};
static const struct cli_option_group g_plan = {
    "Plan output", plan_opts, cli_set_common};
static const struct cli_option_group g_apply = {
    "Apply", apply_opts, cli_set_common};
static const struct cli_option_group g_reconcile = {
    "Rollout and lease", reconcile_opts, cli_set_common};
static const struct cli_option_group g_status_out = {
    "Output", status_out_opts, cli_set_common};
static const struct cli_option_group g_conn = {
    "Cluster connection", conn_opts, cli_set_common};

static const struct cli_option_group *const groups_general[] = {
    &g_general, NULL};
static const struct cli_option_group *const groups_validate[] = {
    &g_doc, &g_conn, &g_general, NULL};
static const struct cli_option_group *const groups_plan[] = {
    &g_doc, &g_plan, &g_conn, &g_general, NULL};
static const struct cli_option_group *const groups_apply[] = {
    &g_doc, &g_apply, &g_reconcile, &g_conn, &g_general, NULL};
static const struct cli_option_group *const groups_run[] = {
    &g_doc, &cli_group_run, &cli_group_git, &g_reconcile, &g_conn,
    &g_general, NULL};
static const struct cli_option_group *const groups_status[] = {
    &cli_group_status, &g_status_out, &g_general, NULL};
static const struct cli_option_group *const groups_conn[] = {
    &g_conn, &g_general, NULL};

const struct cli_command cli_commands[] = {
    {"validate", CLI_CMD_VALIDATE, "validate -f PATH",
     "check desired-state documents offline",
     "Parses and validates every document (JSON or YAML), its package\n"
     "options against the options schema of the package version, and the\n"
     "rules between the documents of a directory.  Prints one line per\n"
     "valid service on stdout, or one FILE:LINE:COL: FIELD: MESSAGE line\n"
     "per problem on stderr.  Needs no cluster; connection options are\n"
     "accepted and ignored.  Exit 0 (valid) or 1.\n",
     "  etls validate -f manifests/elastic-tls.json\n"
     "  etls validate -f desired/            # every .json/.yaml/.yml in it\n"
     "  cat elastic.yaml | etls validate -f -\n",
     NULL, false, groups_validate},
    {"plan", CLI_CMD_PLAN, "plan -f PATH [-o FORMAT] "
                           "[--detailed-exitcode] [-out FILE]",
     "show what apply would change (read-only)",
     "Validates the documents, observes the cluster (reads only; never a\n"
     "write) and prints the plan: one block per resource with the reason\n"
     "and a field-level diff, disruptive actions flagged, the order of\n"
     "execution.  A plan is a promise: exit 0 means apply writes nothing\n"
     "else and succeeds; a plan that cannot be applied exits 1.  With\n"
     "-out FILE the plan is also saved, to be applied exactly by\n"
     "'etls apply FILE'.\n",
     "  etls plan -f manifests/elastic-tls.json\n"
     "  etls plan -f desired/ --detailed-exitcode   # 2 = changes pending\n"
     "  etls plan -f desired/ -o markdown > plan.md # a PR comment\n"
     "  etls plan -f desired/ -out plan.etls        # review, then apply\n",
     NULL, true, groups_plan},
    {"apply", CLI_CMD_APPLY, "apply -f PATH [--auto-approve]\n"
                             "apply FILE [--auto-approve]",
     "converge the cluster, wait for the rollout, verify HTTPS",
     "Plans like 'etls plan', asks for 'yes' when the plan is disruptive\n"
     "(a TLS toggle restarts every node; without a terminal pass\n"
     "--auto-approve), takes a lease per service, then executes: key pair\n"
     "and secret, service account, membership, package install or update,\n"
     "rollout wait, update_strategy restore, HTTPS verification.  'apply\n"
     "FILE' applies exactly the plan saved by 'plan -out FILE', refused\n"
     "when the documents or the cluster changed since.\n",
     "  etls apply -f manifests/elastic-tls.json\n"
     "  etls apply -f desired/ --auto-approve --timeout 30m\n"
     "  etls apply plan.etls --auto-approve\n",
     "FILE", true, groups_apply},
    {"force-unlock", CLI_CMD_FORCE_UNLOCK, "force-unlock SERVICE",
     "remove the lease another etls holds on SERVICE",
     "Removes the lease of SERVICE whoever holds it (an etls that was\n"
     "killed or lost its host before its lease expired) and prints who\n"
     "held it.\n",
     "  etls force-unlock elastic\n",
     "SERVICE", true, groups_conn},
    {"run", CLI_CMD_RUN, "run -f PATH [--resync DURATION] [--listen ADDR] "
                         "[--detect-only]\n"
                         "run --git URL [--ref REF] [--path DIR] [options]",
     "the controller: keep every document's service converged",
     "Watches the documents (a file or a directory, through inotify, or a\n"
     "git repository fetched every --git-interval) and reconciles each\n"
     "service on a change and every --resync: observe, plan, apply under\n"
     "the service's lease, wait, verify.  Drift made by hand is repaired\n"
     "within one resync; an invalid edit keeps the last good state and\n"
     "reports it; failures back off per service (1s to 5m).  With\n"
     "--detect-only, or 'suspend: true' in a document, drift is reported\n"
     "and nothing is written.  Serves /healthz, /readyz, /metrics and\n"
     "/status on --listen.  SIGTERM or SIGINT: no new write, in-flight\n"
     "ones finish (--grace), exit 0; SIGHUP: read the source again.\n"
     "Disruptive changes (a TLS toggle) are applied without asking.\n",
     "  etls run -f /etc/etls/manifests/ --listen 127.0.0.1:9102\n"
     "  etls run -f desired/ --detect-only --resync 5m\n"
     "  etls run --git https://git.example/ops.git --ref main "
     "--path manifests/ \\\n"
     "      --git-credentials /etc/etls/git-credentials\n",
     NULL, true, groups_run},
    {"status", CLI_CMD_STATUS, "status [--server URL] [-o json]",
     "print the status of a running 'etls run' as a table",
     "Reads /status from the status server of a running 'etls run' and\n"
     "prints one line per service: Ready and its reason, the applied\n"
     "revision and git commit, the last and the next reconcile, other\n"
     "conditions (Reconciling, Degraded, Stalled) and the last error.\n",
     "  etls status\n"
     "  etls status --server http://127.0.0.1:9102 -o json\n",
     NULL, false, groups_status},
    {"config", CLI_CMD_CONFIG, "config [connection options]",
     "show the cluster connection and where each setting comes from",
     "Prints the cluster URL, the trust and the credentials etls would\n"
     "use, and where each comes from: a flag, the environment (DCOS_URL,\n"
     "DCOS_SSL_VERIFY, DCOS_ACS_TOKEN, DCOS_SERVICE_ACCOUNT_CREDENTIAL) or\n"
     "the current cluster of the dcos CLI (DCOS_DIR, DCOS_CLUSTER,\n"
     "clusters/<id>/dcos.toml).  Never prints a secret; makes no request.\n"
     "Exit 1 when something is missing, saying how to fix it.\n",
     "  etls config\n"
     "  DCOS_CLUSTER=prod etls config\n",
     NULL, true, groups_conn},
    {"version", CLI_CMD_VERSION, "version",
     "print the version, the git commit and the library versions", NULL,
     "  etls version\n", NULL, false, groups_general},
    {"help", CLI_CMD_HELP, "help [COMMAND]",
     "print the usage, or the help of COMMAND", NULL,
     "  etls help plan\n"
     "  etls plan --help\n",
     "COMMAND", false, groups_general},
    {NULL, CLI_CMD_HELP, NULL, NULL, NULL, NULL, NULL, false, NULL},
};

const struct cli_command *cli_command_find(const char *name)
{
    size_t i;

    for (i = 0; cli_commands[i].name; i++)
        if (strcmp(cli_commands[i].name, name) == 0)
            return &cli_commands[i];
    return NULL;
}
