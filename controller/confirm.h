#ifndef ETLS_CONTROLLER_CONFIRM_H
#define ETLS_CONTROLLER_CONFIRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/plan.h"

/*
 * Confirmation of a disruptive apply (docs/cli.md, "Confirmation"): an
 * apply whose plans hold a disruptive action (a service outage or a
 * scheduler restart) goes on only when approved, by --auto-approve or by
 * the answer "yes" on a terminal.
 */

/* Number of disruptive actions in @n @plans. */
size_t confirm_disruptive_count(const struct model_plan *plans, size_t n);

/*
 * May an apply of @plans go on?  Yes when no action is disruptive or with
 * @auto_approve.  Otherwise, on a terminal (@tty), writes the question to
 * @out and reads one line from @in: only "yes" approves; without a
 * terminal the apply is refused.  A refusal is explained on @err in one
 * "etls: ..." line (naming --auto-approve without a terminal).
 * @return 0 approved, ERR_INVALID refused
 */
int confirm_apply(const struct model_plan *plans, size_t n,
                  bool auto_approve, bool tty, FILE *in, FILE *out,
                  FILE *err);

#endif
