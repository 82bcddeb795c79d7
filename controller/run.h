#ifndef ETLS_CONTROLLER_RUN_H
#define ETLS_CONTROLLER_RUN_H

#include <stdbool.h>

#include "common/err.h"
#include "controller/engine.h"
#include "controller/run_log.h"
#include "controller/run_types.h"

/*
 * etls run: the controller (docs/cli.md, "run").  Watches the desired
 * state at a path (a file or a directory of *.json, inotify through
 * libev, debounced), and keeps every service there: one work queue of
 * services, each reconciled (reconcile.h) on its own lane of the engine
 * when its document changes, at every resync (with jitter) and after a
 * failure (exponential backoff); at most max_concurrent at once.  Serves
 * its status on an HTTP address (run_http.h).
 */

/*
 * Run the controller on @eng (connected; its report sink is set by the
 * caller or empty) until SIGTERM or SIGINT: then no new write starts,
 * what is in flight finishes within o->grace, and 0 is returned.  A
 * negative err (with @e) when it cannot start (the status address is
 * taken, the path cannot be watched).
 */
int run_daemon(struct engine *eng, const struct run_options *o,
               struct err_info *e);

#endif
