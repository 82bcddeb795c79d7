#ifndef ETLS_TESTS_E2E_RUN_TESTUTIL_H
#define ETLS_TESTS_E2E_RUN_TESTUTIL_H

#include <stdbool.h>

#include <jansson.h>

#include "e2e/etls/etls_testutil.h"
#include "harness/harness.h"

/*
 * Helpers for the end-to-end tests of `etls run` (the daemon) against a
 * private dcos-sim: start it on an ephemeral status port, read /status and
 * /metrics, wait (bounded) for a condition, stop it.  The /metrics parser
 * here is written from the Prometheus text format 0.0.4, independently
 * of the exporter (controller/run_state.c).
 */

/* Bound of a wait for the daemon (real ms). */
#define R_WAIT_MS 60000

struct r_daemon {
    struct e_proc p;
    char addr[64];  /* "127.0.0.1:PORT" of its status server */
    bool stopped;
};

/* One test: its private sim, up to two daemons, a folder of documents,
 * and the test's cmocka prestate (@arg). */
struct r_case {
    struct h_sim sim;
    struct r_daemon d, d2;
    char *dir;
    const void *arg;
};

/* cmocka setup and teardown of a struct r_case (the sim at E_SPEED). */
int r_case_setup(void **state);
int r_case_teardown(void **state);

/* The runbook's document (manifests/elastic-tls.json, options form) with
 * transport encryption @tls (new). */
char *r_runbook(int tls);

/* A new empty folder for documents (new path). */
char *r_tmpdir(void);

/* Write @text to @dir/@name atomically (rename), as an editor would. */
void r_write(const char *dir, const char *name, const char *text);

/*
 * Start `etls run -f @path --sim s->dir --listen 127.0.0.1:0 --resync
 * @resync` plus up to 6 more arguments (NULL-terminated), and wait for its
 * "event=started" line.
 */
void r_start(struct r_daemon *d, struct h_sim *s, const char *path,
             const char *resync, ...) __attribute__((sentinel));

/* GET http://<addr>@path: the response (free with h_resp_free). */
struct h_resp r_get(const struct r_daemon *d, const char *path);

/* /status as JSON (new); fails the test when unreadable. */
json_t *r_status(const struct r_daemon *d);

/* The entry of service @name in @status (borrowed), or NULL. */
json_t *r_service(json_t *status, const char *name);

/* Status ("True"/"False") of condition @type of @svc; *@reason too. */
const char *r_cond(const json_t *svc, const char *type, const char **reason);

/*
 * Poll /status until @pred(status, @arg) holds: 1, or 0 after
 * @timeout_ms.
 */
int r_wait(const struct r_daemon *d, int (*pred)(json_t *st, void *arg),
           void *arg, int timeout_ms);

/* Wait until condition @type of service @svc has status @want (and
 * reason @reason unless NULL). 1 or 0 after @timeout_ms. */
int r_wait_cond(const struct r_daemon *d, const char *svc, const char *type,
                const char *want, const char *reason, int timeout_ms);

/* /metrics text (new); fails the test unless it parses (r_prom_check). */
char *r_metrics(const struct r_daemon *d);

/*
 * Check @text against the Prometheus text format 0.0.4: comments (# HELP,
 * # TYPE with a known type, before its samples, once per family), sample
 * lines `name{label="value",...} value [timestamp]` with valid names,
 * escapes and float values, histogram families with _bucket (le, rising,
 * +Inf last), _sum and _count.  0, or -1 with @why set.
 */
int r_prom_check(const char *text, char *why, size_t len);

/*
 * The value of the sample of @name whose labels include every
 * "k=v" pair of @labels (comma-separated, may be ""), summed over the
 * matching samples; -1 when none matches.
 */
double r_metric(const char *text, const char *name, const char *labels);

/* r_metric on a fresh /metrics. */
double r_metric_now(const struct r_daemon *d, const char *name,
                    const char *labels);

/* Wait until r_metric_now(...) >= @min: 1, or 0 after @timeout_ms. */
int r_wait_metric(const struct r_daemon *d, const char *name,
                  const char *labels, double min, int timeout_ms);

/* Send @sig and wait (at most @timeout_ms) for the exit: its run (free
 * with e_run_free); fails the test when it did not exit. */
struct e_run r_stop(struct r_daemon *d, int sig, int timeout_ms);

/* Kill @d if still running (teardown). */
void r_kill(struct r_daemon *d);

/* Everything the daemon logged so far (new). */
char *r_log(const struct r_daemon *d);

#endif
