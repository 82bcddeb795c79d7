#ifndef ETLS_CONTROLLER_CMD_COMMON_H
#define ETLS_CONTROLLER_CMD_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include "controller/cli.h"
#include "controller/engine.h"
#include "controller/load.h"
#include "model/desired.h"
#include "model/plan.h"

/*
 * What the commands of the etls binary share (main.c, cmd_apply.c):
 * exit codes, loading documents, connecting, and the signal hook.  Part
 * of the CLI, not of the engine library: everything here prints.
 */

#ifndef ETLS_VERSION
#define ETLS_VERSION "0.0.0"
#endif

enum {
    EXIT_OK = 0,
    EXIT_ERROR = 1,
    EXIT_CHANGES = 2
};

/* What the signal hook knows about the run. */
struct interrupt {
    int signum;      /* the first SIGINT or SIGTERM, 0 = none */
    bool applying;   /* engine_apply runs: the first signal cancels it */
};

/* Print every diagnostic of @d on stderr, one line each. */
void cmd_print_diags(const struct model_diags *d);

/*
 * Load and validate the documents at @path (-f, or the path of a saved
 * plan); prints diagnostics, and the documents' warnings (transport
 * encryption off, ...) when they are valid.  @docs (may be NULL) names each document
 * read with its SHA-256.  0 or EXIT_ERROR.
 */
int cmd_load(const struct cli *c, const char *path, struct model_desired *d,
             struct load_docs *docs);

/* Free @n plans and the array; accepts NULL. */
void cmd_plans_free(struct model_plan *plans, size_t n);

/*
 * Connect the engine *@eng (new) to the cluster of @c, reporting to
 * @report (may be NULL); prints why it cannot.  0 or EXIT_ERROR.
 */
int cmd_connect(struct cli *c, struct engine **eng,
                const struct report_sink *report);

/* "SIGINT" or "SIGTERM". */
const char *cmd_signal_name(int signum);

/*
 * The engine's signal hook (docs/cli.md, "Signals"), @payload a struct
 * interrupt.  The first signal of an apply cancels it: no action starts
 * any more, waits end, the requests in flight finish (each bounded by
 * --request-timeout), then the summary says what was done and what is
 * left and etls exits 128 + the signal.  While the cluster is only read
 * (plan, and the observation of apply) there is nothing to finish, and a
 * second signal during an apply means "now": etls then stops at once with
 * one line (this hook runs on the loop, not in a signal handler).
 */
void cmd_on_signal(struct engine *eng, int signum, void *payload);

/* 1 when any of @n @plans holds a FAIL action. */
int cmd_has_fail(const struct model_plan *plans, size_t n);

#endif
