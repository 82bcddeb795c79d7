#ifndef ETLS_CONTROLLER_RUN_INT_H
#define ETLS_CONTROLLER_RUN_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <ev.h>

#include "controller/engine.h"
#include "controller/fingerprint.h"
#include "controller/reconcile.h"
#include "controller/run_types.h"

/*
 * What the files of etls run share (run.c: the queue and the lifecycle;
 * run_source.c: reading and watching the documents; run_state.c: status
 * and metrics; run_http.c: the status server).
 */

/* Reconcile duration histogram buckets, seconds. */
#define RUN_N_BUCKETS 9
extern const double run_buckets[RUN_N_BUCKETS];

/* Counted per resource type (dcos_service_account, ...). */
struct run_count {
    char *key;
    unsigned long n;
};

struct run_counts {
    struct run_count *items;
    size_t n;
};

enum run_phase {
    RUN_IDLE = 0, /* a timer (resync or backoff) is set */
    RUN_QUEUED,
    RUN_RUNNING
};

struct run_daemon;

/* One document of the source and the service it describes. */
struct run_service {
    struct run_daemon *d;
    char *path;                 /* the document */
    char *name;                 /* service name (last good), or NULL */
    struct model_desired *good; /* last good desired state, or NULL */
    struct model_desired *next; /* newer good one, taken at the next start */
    struct model_desired *busy; /* what the running reconcile reads */
    char sha[FINGERPRINT_LEN];  /* of the good document ("" none) */
    char next_sha[FINGERPRINT_LEN];
    char applied[FINGERPRINT_LEN]; /* of the last reconcile that left the
                                      service converged ("" none) */
    char *commit;               /* git commit of the good document, or NULL */
    char *next_commit;          /* of @next */
    char *doc_error;            /* the document is invalid now: why */
    bool removed;               /* gone from the source */
    bool suspend;               /* the good document says suspend */
    enum run_phase phase;
    bool again;                 /* triggered while running */
    struct run_service *qnext;
    struct engine_lane *lane;
    struct reconcile *rc;
    ev_timer timer;
    double next_at;             /* wall clock of the timer, 0 none */
    double started;             /* monotonic, of the running reconcile */
    unsigned failures;          /* consecutive */
    double backoff;             /* current delay after a failure */
    /* What the status says. */
    bool reconciled;            /* at least one reconcile ended */
    enum reconcile_outcome last; /* of the last one that ended */
    double last_end;            /* wall clock */
    double last_success;
    double last_apply;
    char *last_error;
    /* Metrics. */
    unsigned long outcomes[RECONCILE_CANCELLED + 1];
    unsigned long hist[RUN_N_BUCKETS + 1];
    double hist_sum;
    unsigned long hist_n;
    struct run_counts corrections; /* per resource type */
    struct run_counts drift;       /* detected, not written */
};

struct run_api_count {
    const char *api;
    const char *method;
    long code;
    unsigned long n;
};

struct run_http;

struct run_daemon {
    struct run_options o;
    struct engine *eng;
    struct ev_loop *ev;
    struct run_service **svcs;
    size_t n;
    struct run_service *qhead, *qtail;
    unsigned queued;
    unsigned running;
    bool stopping;
    bool aborted;
    double started;             /* wall clock */
    ev_signal sig_int, sig_term, sig_hup;
    ev_timer grace, beat;
    /* The source (run_source.c). */
    int ino_fd;
    ev_io ino;
    ev_timer debounce;
    /* Metrics. */
    struct run_api_count *api;
    size_t n_api;
    unsigned long reloads, reload_errors;
    struct run_http *http;
    struct run_git *git;        /* the git source, or NULL */
    char *commit;               /* the commit the documents come from */
    unsigned long git_errors;
};

/* Wall clock, seconds. */
double run_now(void);

/* Count @key once more in @c (0 or ERR_NOMEM). */
int run_count_add(struct run_counts *c, const char *key);

/* Free @c's contents. */
void run_counts_clear(struct run_counts *c);

/* ---- run_source.c ---- */

/* "@dir/@name" (new), or NULL on ENOMEM. */
char *run_path_join(const char *dir, const char *name);

/* Start watching o->path (inotify on its folder); 0 or err with @e. */
int run_source_watch(struct run_daemon *d, struct err_info *e);

/* Start the git source (o.git_url): o.path becomes its folder. */
int run_source_git_start(struct run_daemon *d, struct err_info *e);

/* Stop watching. */
void run_source_unwatch(struct run_daemon *d);

/* Read the source now and update the services (run_service_*). */
void run_source_reload(struct run_daemon *d, const char *why);

/* ---- run.c, for run_source.c ---- */

/* The service of document @path, or NULL. */
struct run_service *run_service_find(struct run_daemon *d, const char *path);

/* A new service for document @path (added to @d), or NULL on ENOMEM. */
struct run_service *run_service_add(struct run_daemon *d, const char *path);

/* Hand the current status and metrics to the status server. */
void run_publish(struct run_daemon *d);

/* Reconcile @s as soon as a slot is free. */
void run_service_trigger(struct run_service *s);

/* @s's document is gone: stop managing it (nothing is deleted). */
void run_service_remove(struct run_service *s);

/* ---- run_state.c ---- */

/* Count an HTTP attempt of the engine (dcos_observer_fn; @payload the
 * daemon). */
void run_state_on_request(const struct dcos_request_event *ev,
                          void *payload);

/* The /status document (new JSON text), or NULL on ENOMEM. */
char *run_state_status(const struct run_daemon *d);

/* The /metrics text (new), or NULL on ENOMEM. */
char *run_state_metrics(const struct run_daemon *d);

/* @s is in the desired state of its newest good document. */
bool run_state_converged(const struct run_service *s);

/* Every service with a good document reconciled at least once. */
bool run_state_ready(const struct run_daemon *d);

/* ---- run_http.c ---- */

/*
 * Serve /healthz, /readyz, /metrics and /status on @listen ("HOST:PORT",
 * an IP address; port 0: any) from a thread of libmicrohttpd; what it
 * serves is what run_http_publish handed over last.  Sets *@port_out.
 */
int run_http_start(struct run_http **out, const char *listen,
                   unsigned *port_out, struct err_info *e);

/* Hand over the current status, metrics, readiness; mark the loop alive. */
void run_http_publish(struct run_http *h, char *status, char *metrics,
                      bool ready);

/* Stop serving and free; accepts NULL. */
void run_http_stop(struct run_http *h);

/* The loop is alive (for /healthz), with nothing new to publish. */
void run_http_alive(struct run_http *h);

#endif
