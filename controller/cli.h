#ifndef ETLS_CONTROLLER_CLI_H
#define ETLS_CONTROLLER_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/secret.h"
#include "controller/engine.h"

/*
 * Command-line and environment settings for one etls invocation.  Secrets
 * (token, password, private key) are never taken from argv: only from files
 * or the environment, and they live in struct secret.
 */
enum cli_output {
    CLI_OUTPUT_TEXT = 0,
    CLI_OUTPUT_JSON
};

struct cli {
    const char *command;       /* validate | plan | apply | force-unlock |
                                  version | help */
    const char *file;          /* -f PATH */
    const char *service;       /* force-unlock SERVICE */
    const char *plan_file;     /* apply FILE: a saved plan */
    const char *out_file;      /* plan -out FILE */
    bool auto_approve;         /* apply: no confirmation */
    enum cli_output output;
    bool detailed_exitcode;
    bool color;

    /* Cluster connection. */
    char *cluster_url;         /* --cluster or DCOS_URL */
    char *ca_cert;             /* --ca-cert or DCOS_SSL_VERIFY=<path> */
    bool insecure;             /* --insecure or DCOS_SSL_VERIFY=false */
    char *sim_dir;             /* --sim DIR */
    char *uid;                 /* --uid */
    struct secret *token;      /* DCOS_ACS_TOKEN or --token-file */
    struct secret *password;   /* --password-file */
    struct secret *private_key;/* --private-key FILE */

    double timeout;            /* apply: rollout wait, seconds */
    double lock_timeout;       /* apply: wait for a held lease, seconds */
    double lock_ttl;           /* lease lifetime, seconds */
    double request_timeout;    /* per HTTP request, seconds */
    int max_connections;       /* concurrent transfers */
    int log_level;
    bool trace;                /* redacted HTTP trace on stderr */
};

/*
 * Parse @argv and the environment into @out.  On a usage error prints one
 * line to stderr and returns ERR_INVALID.
 */
int cli_parse(struct cli *out, int argc, char **argv);

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

/* Print the usage text. */
void cli_usage(FILE *f);

#endif
