#ifndef ETLS_CONTROLLER_RUN_H
#define ETLS_CONTROLLER_RUN_H

#include <stdbool.h>

#include "common/err.h"
#include "common/secret.h"
#include "controller/engine.h"
#include "controller/run_log.h"

/*
 * etls run: the controller (docs/cli.md, "run").  Watches the desired
 * state at a path (a file or a directory of *.json, inotify through
 * libev, debounced), and keeps every service there: one work queue of
 * services, each reconciled (reconcile.h) on its own lane of the engine
 * when its document changes, at every resync (with jitter) and after a
 * failure (exponential backoff); at most max_concurrent at once.  Serves
 * its status on an HTTP address (run_http.h).
 */

/* Defaults, seconds. */
#define RUN_RESYNC_DEFAULT 60.0
#define RUN_GRACE 30.0
#define RUN_DEBOUNCE 0.3
#define RUN_BACKOFF_MIN 1.0
#define RUN_BACKOFF_MAX 300.0

struct run_options {
    const char *path;          /* -f PATH */
    double resync;             /* seconds between reconciles of a service */
    const char *listen;        /* "HOST:PORT" of the status server, or NULL */
    bool detect_only;          /* report drift, never write */
    unsigned max_concurrent;   /* reconciles at once (0: 4) */
    double grace;              /* SIGTERM: in-flight work, seconds */
    double backoff_max;        /* 0: RUN_BACKOFF_MAX */
    /* A git repository instead of a path (run_git.h), or url NULL. */
    const char *git_url;
    const char *git_ref;       /* default "main" */
    const char *git_path;      /* in the repository, default the root */
    double git_interval;       /* default 60 s */
    const struct secret *git_credentials; /* "user:password" or NULL */
};

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
