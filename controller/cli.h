#ifndef ETLS_CONTROLLER_CLI_H
#define ETLS_CONTROLLER_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/secret.h"
#include "controller/engine.h"
#include "controller/run_types.h"

/*
 * Command-line and environment settings for one etls invocation.  Secrets
 * (token, password, private key) are never taken from argv: only from files
 * or the environment, and they live in struct secret.
 *
 * The command line is table-driven (cli_table.c): a command is one entry of
 * cli_commands[] (struct cli_command) listing the option groups it accepts
 * (struct cli_option_group: a table of struct cli_option and the function
 * that stores a value).  cli_parse() builds the getopt_long() table of the
 * command from its groups, so `--flag=value`, `--flag value`, unique
 * prefixes of long names and `--` work for every command alike, and
 * usage errors suggest the closest command or option ("did you mean").
 * The help of `etls help COMMAND` / `etls COMMAND --help` is printed from
 * the same entry (help.c).
 *
 * Adding a command (the daemon's `run`, `status`):
 *   1. a value in enum cli_cmd;
 *   2. its entry in cli_commands[] (cli_table.c): name, synopsis, summary,
 *      description, examples, the groups it accepts (reuse CLI_GROUP_*
 *      tables, add your own group for its own options), its positional
 *      argument if any, and whether it needs a cluster;
 *   3. its own options, if any: a struct cli_option_group (in the file of
 *      the command is fine) whose set() stores values in fields of struct
 *      cli added for them; option ids of a new group start at the next
 *      free CLI_OPT_* value;
 *   4. the case in main.c that runs it.
 */
enum cli_output {
    CLI_OUTPUT_TEXT = 0,
    CLI_OUTPUT_JSON,
    CLI_OUTPUT_MARKDOWN
};

/* The commands (cli_commands[] in cli_table.c). */
enum cli_cmd {
    CLI_CMD_HELP = 0,
    CLI_CMD_VERSION,
    CLI_CMD_VALIDATE,
    CLI_CMD_PLAN,
    CLI_CMD_APPLY,
    CLI_CMD_FORCE_UNLOCK,
    CLI_CMD_CONFIG,
    CLI_CMD_RUN,
    CLI_CMD_STATUS
};

/* Option ids (getopt_long values of long-only options start at 256). */
enum cli_opt {
    CLI_OPT_HELP = 256,
    CLI_OPT_FILE,
    CLI_OPT_OUTPUT,
    CLI_OPT_DETAILED_EXITCODE,
    CLI_OPT_OUT,
    CLI_OPT_AUTO_APPROVE,
    CLI_OPT_CLUSTER,
    CLI_OPT_CA_CERT,
    CLI_OPT_INSECURE,
    CLI_OPT_SIM,
    CLI_OPT_TOKEN_FILE,
    CLI_OPT_UID,
    CLI_OPT_PASSWORD_FILE,
    CLI_OPT_PRIVATE_KEY,
    CLI_OPT_TIMEOUT,
    CLI_OPT_LOCK_TIMEOUT,
    CLI_OPT_LOCK_TTL,
    CLI_OPT_REQUEST_TIMEOUT,
    CLI_OPT_MAX_CONNECTIONS,
    CLI_OPT_NO_COLOR,
    CLI_OPT_LOG_LEVEL,
    CLI_OPT_TRACE,
    CLI_OPT_NEXT /* the first id free for options of new groups */
};

struct cli;

/* One option. */
struct cli_option {
    const char *name;  /* long name without "--"; NULL ends a table */
    char short_name;   /* 0: none */
    const char *arg;   /* the value's name ("PATH"); NULL: takes none */
    int id;            /* enum cli_opt (or a new group's own id) */
    const char *help;  /* one line of help */
};

/*
 * Store the value @value (NULL for an option that takes none) of option
 * @o into @c.  Returns 0, or ERR_INVALID after printing a usage error
 * (cli_usage_error), or ERR_NOMEM.
 */
typedef int (*cli_option_set_fn)(struct cli *c, const struct cli_option *o,
                                 const char *value);

/* The set() of the built-in groups (cli.c). */
int cli_set_common(struct cli *c, const struct cli_option *o,
                   const char *value);

/* A group of options, shown under one title in the help. */
struct cli_option_group {
    const char *title;
    const struct cli_option *options; /* ends with a NULL name */
    cli_option_set_fn set;
};

/* One command. */
struct cli_command {
    const char *name;
    enum cli_cmd id;
    const char *synopsis;    /* "plan -f PATH [options]" lines */
    const char *summary;     /* one line: what it does */
    const char *description; /* paragraphs, wrapped at 78 columns */
    const char *examples;    /* indented example lines, or NULL */
    const char *positional;  /* its one bare argument ("FILE"), or NULL */
    bool needs_cluster;      /* connection settings are used */
    const struct cli_option_group *const *groups; /* NULL-terminated */
};

/* Every command, in the order of the help; ends with a NULL name. */
extern const struct cli_command cli_commands[];

/* The command called @name (exact), or NULL. */
const struct cli_command *cli_command_find(const char *name);

/* Where a connection setting came from (etls config). */
struct cli_origin {
    char *url;        /* "--cluster", "DCOS_URL", ".../dcos.toml", ... */
    char *trust;
    char *credentials;
    char *dcos_config;  /* the dcos CLI configuration found, and its use */
};

struct cli {
    const char *command;       /* the command's name */
    const struct cli_command *cmd;
    const char *help_topic;    /* help: the command asked about, or NULL */
    bool want_help;            /* COMMAND --help */
    const char *file;          /* -f PATH ("-": stdin) */
    const char *service;       /* force-unlock SERVICE */
    const char *plan_file;     /* apply FILE: a saved plan */
    const char *out_file;      /* plan -out FILE */
    bool auto_approve;         /* apply: no confirmation */
    enum cli_output output;
    bool detailed_exitcode;
    bool color;                /* --no-color not given */

    /* Cluster connection. */
    char *cluster_url;         /* --cluster, DCOS_URL or dcos.toml */
    char *ca_cert;             /* --ca-cert, DCOS_SSL_VERIFY, ssl_verify */
    bool insecure;             /* --insecure or ssl_verify false */
    bool system_trust;         /* ssl_verify true: the system's CAs */
    char *sim_dir;             /* --sim DIR */
    char *uid;                 /* --uid, or of a credential JSON */
    struct secret *token;      /* DCOS_ACS_TOKEN, --token-file, dcos.toml */
    struct secret *password;   /* --password-file */
    struct secret *private_key;/* PEM: --private-key, credential JSON */
    struct cli_origin origin;  /* where url, trust, credentials came from */
    bool creds_from_flags;     /* a credential flag was given */
    bool trust_from_flags;     /* --ca-cert or --insecure was given */
    char *ssl_verify_env;      /* DCOS_SSL_VERIFY as read (new), or NULL */

    double timeout;            /* apply: rollout wait, seconds */
    double lock_timeout;       /* apply: wait for a held lease, seconds */
    double lock_ttl;           /* lease lifetime, seconds */
    double request_timeout;    /* per HTTP request, seconds */
    int max_connections;       /* concurrent transfers */
    int log_level;
    bool log_level_given;      /* --log-level was given */
    bool trace;                /* redacted HTTP trace on stderr */

    /* run and status (cli_run.c). */
    struct run_options run;    /* path and defaults set by cmd_run.c */
    int run_log_format;        /* enum run_log_format */
    struct secret *git_credentials; /* --git-credentials; run.git_... */
    const char *status_server; /* status --server URL */
};

/* The option groups of run and status (cli_run.c). */
extern const struct cli_option_group cli_group_run;
extern const struct cli_option_group cli_group_git;
extern const struct cli_option_group cli_group_status;

/*
 * Parse @argv and the environment into @out (flags win over the
 * environment; dcos.toml is read later, by cli_resolve).  On a usage
 * error prints it (with a suggestion when a command or option is close)
 * and "Run 'etls help' for usage." to stderr and returns ERR_INVALID.
 * cli_free() releases @out in every case.
 */
int cli_parse(struct cli *out, int argc, char **argv);

/*
 * Part of cli_parse() (settings.c, like cli_resolve): after the flags,
 * DCOS_URL, DCOS_SSL_VERIFY, DCOS_SERVICE_ACCOUNT_CREDENTIAL and
 * DCOS_ACS_TOKEN for what the flags left unset (none with --sim).  0,
 * ERR_INVALID (printed as a usage error) or ERR_NOMEM.
 */
int cli_read_env(struct cli *c);

/*
 * Part of cli_parse() (settings.c): the rules of the credential flags: a
 * --private-key holding the service-account credential JSON gives uid and
 * key; a PEM key or a password file needs --uid, and --uid needs one of
 * them.  0, or ERR_INVALID (printed as a usage error naming the fix), or
 * ERR_NOMEM.
 */
int cli_check_credentials(struct cli *c);

/*
 * Complete the connection settings of a command that needs a cluster:
 * `--sim DIR` (DIR/cluster.json), or else the current cluster of the dcos
 * CLI configuration for what flags and environment left unset (settings.c,
 * docs/cli.md "Connecting to a cluster"), then check that a URL, trust and
 * credentials are there.  Reads files only, makes no request.  Returns 0,
 * or ERR_INVALID with one line in @errbuf saying what is missing, where it
 * was looked for and how to fix it, or ERR_NOMEM.
 */
int cli_resolve(struct cli *c, char *errbuf, size_t errlen);

/*
 * Fill the connection settings from `--sim DIR` (DIR/cluster.json of a
 * dcos-sim): url, CA and bootstrap credentials, unless set explicitly.
 */
int cli_apply_sim(struct cli *c, char *errbuf, size_t errlen);

/*
 * The engine settings of @c: cluster connection, timeouts, connections,
 * trace (stderr with --trace) and @report (copied).  What @out points to
 * is borrowed from @c.
 */
void cli_engine_options(struct engine_options *out, const struct cli *c,
                        const struct report_sink *report);

/* Free everything (secrets wiped). */
void cli_free(struct cli *c);

/* Parse a duration such as "900", "90s", "15m", "1h" into seconds. */
int cli_parse_duration(double *out, const char *s);

/*
 * Print "etls: <message>" and "Run 'etls help' for usage." (or 'etls help
 * COMMAND' when @cmd is set) on stderr; returns ERR_INVALID.
 */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Set *@dst to a copy of @v (the old value freed).  0 or ERR_NOMEM. */
int cli_set_str(char **dst, const char *v);

/* Print the general usage (every command, the common options). */
void cli_usage(FILE *f);

/* Print the help of @cmd: synopsis, description, options, examples. */
void cli_help(FILE *f, const struct cli_command *cmd);

#endif
