#ifndef ETLS_CONTROLLER_REPORT_H
#define ETLS_CONTROLLER_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/plan.h"

/*
 * The one interface through which the engine tells people what it does.
 * The engine calls these hooks; a renderer turns them into text
 * (report_text.c for a terminal) or, later, log lines and status.  Nothing
 * passed here holds a secret: every text is built by the engine from
 * plan data, API error lines (which never carry secret values) and facts
 * observed on the cluster.  Every hook may be NULL.
 */

/* What the HTTPS check established about one service. */
struct report_verified {
    const char *service;
    bool tls;                /* HTTPS only (true) or plain HTTP only */
    const char *url;         /* https://<dns>/ (tls) */
    const char *dns;         /* "<dnshost>:<port>" of the endpoint */
    const char *address;     /* "<addrhost>:<port>" connected to */
    const char *es_version;  /* may be NULL (shown as "?") */
    const char *cluster_name;
    const char *health;
    const char *required_health;
    const char *subject;     /* certificate (tls), may be NULL */
    const char *issuer;
    const char *not_after;
    const char *sans;        /* "DNS:a, DNS:b" or NULL */
    const char *plain;       /* what plain HTTP did (tls) */
};

/*
 * A wait that has shown nothing for a while (the heartbeat: docs/cli.md,
 * "Colour and progress"): what is awaited, for how long so far, and the
 * progress known.
 */
struct report_wait {
    const char *awaited;     /* "the deploy plan of elastic to complete" */
    double elapsed;          /* seconds since the wait began */
    double timeout;          /* its bound, seconds (0: none) */
    size_t steps_done;       /* steps COMPLETE, when steps_total > 0 */
    size_t steps_total;      /* 0: no progress known yet */
    const char *state;       /* what the awaited thing says now, or NULL */
};

/* How one action ended, for the summary. */
enum report_outcome {
    REPORT_DONE = 0,
    REPORT_FAILED,
    REPORT_CANCELLED,    /* stopped by a cancel (a wait or a backoff) */
    REPORT_NOT_STARTED
};

/* The end of an apply of one service. */
struct report_service {
    const struct model_plan *plan;
    bool failed;
    const char *error;              /* first failure, one line */
    const enum report_outcome *outcomes; /* one per plan action */
};

/* The end of an apply of every service. */
struct report_summary {
    size_t added, changed, destroyed;
    const struct report_service *services;
    size_t n_services;
    size_t n_failed;
    bool cancelled;                 /* engine_cancel stopped the apply */
};

struct report_ops {
    /* @a of @p is refused: the plan cannot be applied (a FAIL action). */
    void (*refused)(void *payload, const struct model_plan *p,
                    const struct model_action *a);
    /* @a starts. */
    void (*action_start)(void *payload, const struct model_plan *p,
                         const struct model_action *a);
    /* A progress line of @a (one line, no trailing newline). */
    void (*action_note)(void *payload, const struct model_plan *p,
                        const struct model_action *a, const char *text);
    /* @a is done after @seconds. */
    void (*action_done)(void *payload, const struct model_plan *p,
                        const struct model_action *a, double seconds);
    /* @a failed: @text says why (one line). */
    void (*action_failed)(void *payload, const struct model_plan *p,
                          const struct model_action *a, const char *text);
    /* @a still waits, silent for a while (at most every 10 s). */
    void (*action_waiting)(void *payload, const struct model_plan *p,
                           const struct model_action *a,
                           const struct report_wait *w);
    /* The HTTPS check of a service passed. */
    void (*verified)(void *payload, const struct report_verified *v);
    /* Every service of an apply has ended. */
    void (*summary)(void *payload, const struct report_summary *s);
};

/* A renderer: its hooks and their payload. */
struct report_sink {
    const struct report_ops *ops;
    void *payload;
};

#endif
