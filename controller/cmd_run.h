#ifndef ETLS_CONTROLLER_CMD_RUN_H
#define ETLS_CONTROLLER_CMD_RUN_H

/*
 * etls run (the controller) and etls status (its status as a table):
 * their own options are taken out of @argv here, the rest is the common
 * command line of cli.c (docs/cli.md, "run" and "status").  Returns the
 * exit status.
 */
int cmd_run_main(int argc, char **argv);

#endif
