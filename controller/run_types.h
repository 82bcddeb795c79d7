#ifndef ETLS_CONTROLLER_RUN_TYPES_H
#define ETLS_CONTROLLER_RUN_TYPES_H

#include <stdbool.h>

#include "common/secret.h"

/*
 * The settings of etls run (run.h), apart from its functions so that the
 * files of the daemon (run_int.h) share them without an include cycle.
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

#endif
