/*
 * The help of etls (cli.h): `etls help`, `etls help COMMAND` and `etls
 * COMMAND --help`, printed from the command table (cli_table.c), so a
 * command's help always lists exactly the options it accepts.
 */
#include "controller/cli.h"

#include <string.h>

/* Column of the option help texts. */
#define HELP_COL 28
/* Last column of the help. */
#define HELP_WIDTH 79

/* @text from column HELP_COL, wrapped at HELP_WIDTH, then a newline. */
static void print_wrapped(FILE *f, const char *text)
{
    size_t col = HELP_COL;

    while (*text) {
        size_t w = strcspn(text, " ");

        if (col > HELP_COL && col + 1 + w > HELP_WIDTH) {
            fprintf(f, "\n%*s", HELP_COL, "");
            col = HELP_COL;
        } else if (col > HELP_COL) {
            fputc(' ', f);
            col++;
        }
        fprintf(f, "%.*s", (int)w, text);
        col += w;
        text += w;
        while (*text == ' ')
            text++;
    }
    fputc('\n', f);
}

static void print_option(FILE *f, const struct cli_option *o)
{
    char left[80];
    int n;

    if (o->short_name)
        n = snprintf(left, sizeof(left), "  -%c, --%s%s%s", o->short_name,
                     o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    else
        n = snprintf(left, sizeof(left), "  --%s%s%s", o->name,
                     o->arg ? " " : "", o->arg ? o->arg : "");
    if (o->id == CLI_OPT_OUT)
        n = snprintf(left, sizeof(left), "  -out, --out %s", o->arg);
    if (n >= HELP_COL - 1)
        fprintf(f, "%s\n%*s", left, HELP_COL, "");
    else
        fprintf(f, "%-*s", HELP_COL, left);
    print_wrapped(f, o->help);
}

static const char exit_status[] =
    "Exit status: 0 success; 1 error; 2 (plan --detailed-exitcode) changes\n"
    "pending; 130 / 143 interrupted by SIGINT / SIGTERM.\n";

static const char environment[] =
    "Environment (flags win over it; it wins over the dcos CLI's cluster):\n"
    "  DCOS_URL, DCOS_SSL_VERIFY (true, false, 1, 0 or a CA file),\n"
    "  DCOS_ACS_TOKEN, DCOS_SERVICE_ACCOUNT_CREDENTIAL (JSON or a path),\n"
    "  DCOS_DIR, DCOS_CLUSTER (which dcos CLI cluster), NO_COLOR, TERM.\n";

void cli_usage(FILE *f)
{
    size_t i;

    fputs("Usage: etls COMMAND [options]\n"
          "\n"
          "Keeps DC/OS Enterprise Elastic services TLS-encrypted: reads\n"
          "desired-state documents (JSON or YAML), plans what must change,\n"
          "converges the cluster and verifies HTTPS.\n"
          "\n"
          "Commands:\n",
          f);
    for (i = 0; cli_commands[i].name; i++)
        fprintf(f, "  %-14s%s\n", cli_commands[i].name,
                cli_commands[i].summary);
    fputs("\n"
          "Getting started:\n"
          "  etls validate -f manifests/elastic-tls.json\n"
          "  etls plan -f manifests/elastic-tls.json   # uses 'dcos cluster "
          "setup'\n"
          "  etls apply -f manifests/elastic-tls.json\n"
          "\n",
          f);
    fputs(environment, f);
    fputs("\n", f);
    fputs(exit_status, f);
    fputs("\nRun 'etls help COMMAND' (or 'etls COMMAND --help') for the "
          "options and\nexamples of a command; 'man etls' for everything.\n",
          f);
}

void cli_help(FILE *f, const struct cli_command *cmd)
{
    const char *s = cmd->synopsis, *nl;
    size_t g, i;

    /* One "Usage:" line per synopsis line. */
    for (i = 0; s && *s; i++) {
        nl = strchr(s, '\n');
        fprintf(f, "%s etls %.*s\n", i ? "      " : "Usage:",
                (int)(nl ? (size_t)(nl - s) : strlen(s)), s);
        s = nl ? nl + 1 : NULL;
    }
    fprintf(f, "\n%c%s.\n", cmd->summary[0] - ('a' - 'A'),
            cmd->summary + 1);
    if (cmd->description)
        fprintf(f, "\n%s", cmd->description);
    for (g = 0; cmd->groups[g]; g++) {
        fprintf(f, "\n%s:\n", cmd->groups[g]->title);
        for (i = 0; cmd->groups[g]->options[i].name; i++)
            print_option(f, &cmd->groups[g]->options[i]);
    }
    if (cmd->examples)
        fprintf(f, "\nExamples:\n%s", cmd->examples);
    if (cmd->needs_cluster)
        fprintf(f, "\n%s", environment);
    if (cmd->id == CLI_CMD_PLAN || cmd->id == CLI_CMD_APPLY)
        fprintf(f, "\n%s", exit_status);
    fprintf(f, "\nMore: 'man etls', docs/cli.md.\n");
}
