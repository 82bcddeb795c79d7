#ifndef ETLS_CONTROLLER_RUN_LOG_H
#define ETLS_CONTROLLER_RUN_LOG_H

#include <stdio.h>

#include "common/log.h"

/*
 * The event log of etls run: one line per event on @out (stdout), as
 * logfmt
 *   ts=2026-12-03T16:00:00.123Z level=info event=reconciled service=elastic
 * or as one JSON object per line.  Fields are string pairs given by the
 * caller, never a secret (only names, outcomes, digests and error lines,
 * which carry no secret values).
 */
enum run_log_format {
    RUN_LOG_LOGFMT = 0,
    RUN_LOG_JSON
};

/* Where and how events go, and the lowest level written. */
void run_log_setup(FILE *out, enum run_log_format f, enum log_level level);

/* Parse "logfmt" or "json": 0 and *@out, or -1. */
int run_log_format_parse(enum run_log_format *out, const char *s);

/*
 * Write event @event at @level with the NULL-terminated key, value pairs
 * that follow (a NULL value drops the pair).
 */
void run_log(enum log_level level, const char *event, ...)
    __attribute__((sentinel));

#endif
