#ifndef ETLS_CONTROLLER_CMD_RUN_H
#define ETLS_CONTROLLER_CMD_RUN_H

struct cli;

/*
 * etls run, the controller, with the options cli_parse() stored in @c
 * (cli_run.c; docs/cli.md, "etls run").  Returns the exit status.
 */
int cmd_run(struct cli *c);

/*
 * etls status: the /status of a running etls run as a table, or as JSON
 * with -o json.  Returns the exit status.
 */
int cmd_status(struct cli *c);

#endif
