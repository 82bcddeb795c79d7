#ifndef ETLS_CONTROLLER_CMD_APPLY_H
#define ETLS_CONTROLLER_CMD_APPLY_H

#include "controller/cli.h"

/*
 * etls apply -f PATH, and etls apply FILE (a saved plan): plan (or check
 * the saved plan), confirm a disruptive apply, take the leases, look
 * again under them, apply, release (docs/cli.md).  Returns the exit
 * status.
 */
int cmd_apply(struct cli *c);

#endif
