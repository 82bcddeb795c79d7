#ifndef ETLS_CONTROLLER_ENGINE_H
#define ETLS_CONTROLLER_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/err.h"
#include "common/secret.h"
#include "controller/report.h"
#include "model/desired.h"
#include "model/observed.h"
#include "model/plan.h"

/*
 * The engine: observe -> plan -> apply -> wait -> verify, per service.  It
 * performs every HTTP call through dcos/ (on one libev loop it owns), feeds
 * the answers to the pure reconcilers, and executes plans through the
 * executors of controller/exec/.  It takes its settings from struct
 * engine_options, built by the CLI (cli_engine_options) and later by the
 * daemon; it prints nothing itself: everything people should see goes
 * through the report sink.
 */
struct engine;

/* Defaults of the fields left 0. */
#define ENGINE_REQUEST_TIMEOUT 30.0
#define ENGINE_ROLLOUT_TIMEOUT 900.0
#define ENGINE_VERIFY_WINDOW 90.0

struct engine_options {
    /* Cluster connection (strings and secrets borrowed: they must outlive
     * the engine). */
    const char *cluster_url;
    const char *ca_file;              /* trust; NULL with insecure */
    bool insecure;                    /* no TLS verification (explicit) */
    const struct secret *token;       /* or NULL */
    const char *uid;                  /* log in as uid with ... */
    const struct secret *password;    /* ... a password or ... */
    const struct secret *private_key; /* ... a service account's key */
    double request_timeout;           /* per HTTP request, seconds */
    unsigned max_connections;         /* concurrent transfers (0: 8) */
    FILE *trace;                      /* redacted HTTP trace, or NULL */

    /* Leases (docs/plan.md, "Leases"). */
    double lock_timeout;              /* wait for a held lease, seconds */
    double lock_ttl;                  /* lease lifetime (0: 60 s) */
    const char *command;              /* shown to other etls: "apply" */

    /* Apply. */
    double rollout_timeout;           /* per rollout wait, seconds */
    double verify_window;             /* HTTPS check retries, seconds */
    struct report_sink report;        /* where people read what happens */
};

/*
 * Connect to the cluster described by @o and log in when credentials are
 * given.  @o is copied (what it points to is borrowed).  Returns 0 and
 * sets *@out (new), or a negative enum err with @e set to one clear line.
 */
int engine_new(struct engine **out, const struct engine_options *o,
               struct err_info *e);

/* Free; accepts NULL.  Must not be called while engine_apply runs. */
void engine_free(struct engine *eng);

/* The cluster URL (borrowed). */
const char *engine_cluster_url(const struct engine *eng);

/*
 * Observe every service of @d (concurrently, with bounded connections) and
 * plan.  Makes no write request.  On success returns 0 and sets *@plans_out
 * to a new array of d->n_services plans (free each with model_plan_clear,
 * then the array).  On failure returns a negative enum err with @e set.
 */
int engine_plan(struct engine *eng, const struct model_desired *d,
                struct model_plan **plans_out, struct err_info *e);

/*
 * engine_plan(), also handing out what observation saw (the input of the
 * plans, e.g. for a fingerprint of a saved plan): on success
 * *@observed_out is a new array of d->n_services observations, in the
 * order of @d (free each with model_observed_clear, then the array).
 */
int engine_plan_observed(struct engine *eng, const struct model_desired *d,
                         struct model_plan **plans_out,
                         struct model_observed **observed_out,
                         struct err_info *e);

/* The cluster CA bundle read by the last observation (borrowed), or NULL
 * before the first. */
const char *engine_cluster_ca(const struct engine *eng);

/*
 * Called on the engine's loop with SIGINT or SIGTERM (@signum) when one
 * arrives while engine_plan* or engine_apply runs; it may call
 * engine_cancel().  Outside those calls the signals keep their default
 * effect.
 */
typedef void (*engine_signal_fn)(struct engine *eng, int signum,
                                 void *payload);

/* Install @fn (NULL: none) with @payload as the signal hook of @eng. */
void engine_on_signal(struct engine *eng, engine_signal_fn fn,
                      void *payload);

/*
 * Execute the @n @plans in dependency order, independent actions and
 * services concurrently, reporting each action as it runs, then the
 * summary.  Each plan is the whole contract: nothing else is read.  A plan
 * with a FAIL action is refused before anything is written.  Writes happen
 * only under the service's lease: taken here when engine_lock did not
 * (then released at the end), refreshed first, and checked before every
 * action that writes.  Returns 0
 * only when every service converged and verified; otherwise ERR_* with @e
 * saying what is left (ERR_TIMEOUT when the whole apply ran out of time).
 */
int engine_apply(struct engine *eng, struct model_plan *plans, size_t n,
                 struct err_info *e);

/*
 * Take the leases of every service whose plan changes the cluster (plans
 * made by engine_plan), waiting up to lock_timeout for leases others hold;
 * they are renewed on the engine's loop until engine_unlock.  Plan again
 * after this: what was planned before may have changed.  Returns 0,
 * ERR_CONFLICT when a service stayed locked by another etls (@e names the
 * holder and how to proceed), or another negative err; nothing is held
 * after a failure.
 */
int engine_lock(struct engine *eng, const struct model_plan *plans,
                size_t n, struct err_info *e);

/* Release the leases taken by engine_lock (bounded); a no-op without. */
void engine_unlock(struct engine *eng);

/*
 * Delete the lease of service @name whoever holds it (etls force-unlock).
 * Sets *@holder_out to who held it (new string) or NULL when nobody did.
 */
int engine_force_unlock(struct engine *eng, const char *name,
                        char **holder_out, struct err_info *e);

/*
 * Stop the running apply (callable from a callback of its loop, e.g. a
 * signal watcher): no action starts any more, waits and polls end, and the
 * requests in flight finish.  engine_apply then returns ERR_INVALID with
 * the actions left reported.  A no-op when nothing runs.
 */
void engine_cancel(struct engine *eng);

#endif
