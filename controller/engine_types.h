#ifndef ETLS_CONTROLLER_ENGINE_TYPES_H
#define ETLS_CONTROLLER_ENGINE_TYPES_H

#include <stdbool.h>
#include <stdio.h>

#include "common/secret.h"
#include "controller/report.h"
#include "dcos/client.h"
#include "model/observed.h"
#include "model/plan.h"

/*
 * The settings and callback types of the engine (controller/engine.h),
 * apart from its functions so that the files of the engine can share its
 * internals (engine_int.h) without an include cycle.
 */

struct engine;

/*
 * Called on the engine's loop with SIGINT or SIGTERM (@signum) when one
 * arrives while engine_plan* or engine_apply runs; it may call
 * engine_cancel().  Outside those calls the signals keep their default
 * effect.
 */
typedef void (*engine_signal_fn)(struct engine *eng, int signum,
                                 void *payload);

/* Defaults of the fields left 0. */
#define ENGINE_REQUEST_TIMEOUT 30.0
#define ENGINE_ROLLOUT_TIMEOUT 900.0
#define ENGINE_VERIFY_WINDOW 90.0
#define ENGINE_MAX_CONNECTIONS 32u /* per lane; opened as the work needs */

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
    unsigned max_connections;         /* concurrent transfers (0: 32) */
    FILE *trace;                      /* redacted HTTP trace, or NULL */

    /* Leases (docs/plan.md, "Leases"). */
    double lock_timeout;              /* wait for a held lease, seconds */
    double lock_ttl;                  /* lease lifetime (0: 60 s) */
    const char *command;              /* shown to other etls: "apply" */

    /* Apply. */
    double rollout_timeout;           /* per rollout wait, seconds */
    double verify_window;             /* HTTPS check retries, seconds */
    /* Start a service's new key pair as soon as observation sees its
     * account missing (engine_keys.c); only for engines that apply. */
    bool speculate_keys;
    struct report_sink report;        /* where people read what happens */

    /* Every HTTP attempt to the cluster (metrics), or NULL: called on the
     * loop with the API, the method and the status; nothing secret. */
    dcos_observer_fn on_request;
    void *on_request_payload;
};

/* ---- callbacks of the asynchronous API (engine.h) ---- */

struct report_summary;

/*
 * The end of a plan (engine_plan_start): @r 0 with @plans (new: n plans,
 * free each with model_plan_clear, then the array) and, when asked for,
 * @observed (new, likewise with model_observed_clear; else NULL); or a
 * negative err with @e set (then both are NULL).
 */
typedef void (*engine_plan_fn)(int r, struct model_plan *plans,
                               struct model_observed *observed,
                               const struct err_info *e, void *payload);

/*
 * The end of a lock (engine_lock_start): @r 0 (the leases of every plan
 * that writes are held by @lane until engine_unlock_start), ERR_CONFLICT
 * when a service is locked by another etls (@e names the holder), or
 * another negative err.
 */
typedef void (*engine_lock_fn)(int r, const struct err_info *e,
                               void *payload);

/*
 * The end of an apply (engine_apply_start): as engine_apply's result;
 * @sum (borrowed for the callback, NULL after a timeout) says how each
 * action ended.
 */
typedef void (*engine_apply_fn)(int r, const struct err_info *e,
                                const struct report_summary *sum,
                                void *payload);

#endif
