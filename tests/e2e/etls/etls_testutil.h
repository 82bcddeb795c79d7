#ifndef ETLS_TESTS_E2E_ETLS_TESTUTIL_H
#define ETLS_TESTS_E2E_ETLS_TESTUTIL_H

#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "harness/h_cluster.h"
#include "harness/h_crypto.h"
#include "harness/h_json.h"
#include "harness/harness.h"

/*
 * Helpers for the end-to-end tests of the etls binary (plan, validate,
 * apply) against a private dcos-sim, beyond the shared ones of
 * harness/h_*.h (strings and JSON, keys and create-sa-secret values, the
 * sim at a speed, accounts, secrets, plans and waits).  Cluster state is
 * made the way a person makes it: through the DC/OS API as the bootstrap
 * user.  Every helper fails the running test (cmocka fail_msg) on an
 * unexpected harness or cluster failure, so the tests assert only on what
 * etls did.
 */

/* Simulated seconds per real second for every sim of these tests
 * (h_sim_up(s, NULL, E_SPEED), h_group_up(state, s, E_SPEED)). */
#define E_SPEED "40"
/* Bound of every wait on the cluster, and of every etls run (real ms). */
#define E_WAIT_MS 30000
#define E_RUN_MS 120000
#define E_POLL_MS 20

/* Runbook flags: which steps e_runbook() leaves out. */
#define E_NO_INSTALL 0x1u   /* make account, secret, membership only */
#define E_PLAIN 0x2u        /* install with transport encryption off */

/* One finished etls run. */
struct e_run {
    int rc;      /* exit status (128 + signal when killed) */
    char *out;   /* stdout, NUL-terminated (new) */
    char *err;   /* stderr, NUL-terminated (new) */
};

/* One etls run in progress (e_spawn). */
struct e_proc {
    int pid;
    int out_fd;
    int err_fd;
};

/* ---- strings, JSON, files ---- */

/* Absolute path of @rel below tests/data/e2e (new). */
char *e_data(const char *rel);

/* Absolute path of the runbook's options file manifests/elastic-tls.json
 * (new). */
char *e_runbook_file(void);

/*
 * Write @dir/<@svc>.json (TLS on) or @dir/<@svc>-off.json (@tls 0): the
 * options document of service @svc with service account @svc and secret
 * <@svc>/secret, X-Pack on.  Returns its path (new).
 */
char *e_service_doc(const char *dir, const char *svc, int tls);

/* Contents of file @path (new); fails the test when unreadable. */
char *e_read(const char *path);

/* Number of occurrences of @needle in @hay. */
size_t e_count(const char *hay, const char *needle);

/* ---- the simulator ---- */

/* Add a fault rule (the JSON text @rule) with the control API; asserts
 * 201. */
void e_fault(struct h_sim *s, const char *rule);
/* Number of fault rules left. */
size_t e_faults_left(struct h_sim *s);

/* A TCP port of 127.0.0.1 on which nothing listens (just closed). */
int e_closed_port(void);

/* ---- keys ---- */

/* "sha256:<first 16 hex digits of SHA-256 over the SPKI DER>" of @k
 * (new): how etls shows a public key. */
char *e_fingerprint(EVP_PKEY *k);

/* ---- state made by hand, as the bootstrap user ---- */

/* DELETE /acs/api/v1/users/@uid (asserts 204). */
void e_account_delete(struct h_sim *s, const char *uid);
/* DELETE secret @path (asserts 204). */
void e_secret_delete(struct h_sim *s, const char *path);
/* DELETE @uid from group @gid (asserts 204). */
void e_group_remove(struct h_sim *s, const char *gid, const char *uid);

/* Wait until Marathon runs no deployment of @svc, then POST
 * /cosmos/service/update {appId, options: @opts, replace: false}; returns
 * the HTTP status. */
long e_update(struct h_sim *s, const char *svc, const char *opts);

/* Wait until Marathon shows no deployment for @svc (1, or 0 on timeout). */
int e_wait_deployed(struct h_sim *s, const char *svc);
/* Wait until Marathon's deployment of @svc is over and the deploy plan
 * is COMPLETE.  Returns 1, or 0 on timeout. */
int e_wait_complete(struct h_sim *s, const char *svc);

/*
 * The install by hand that forgot the secret: beta-elastic as "elastic"
 * with TLS on and service_account "elastic" but service_account_secret
 * "", then the wait (bounded by E_WAIT_MS) for the deploy plan to answer
 * 417.  Returns that plan (new), or NULL when it never did.
 */
json_t *e_install_without_secret(struct h_sim *s);

/*
 * The runbook done by hand with the options document @opts_text (options
 * form): an RSA-2048 key pair, the service account with its public key,
 * the create-sa-secret secret, membership of superusers, the install with
 * exactly @opts_text (E_PLAIN: with transport encryption forced off) and
 * the wait for the deploy plan COMPLETE (unless E_NO_INSTALL).  Returns
 * the key pair (new).
 */
EVP_PKEY *e_runbook(struct h_sim *s, const char *opts_text, unsigned flags);

/* The runbook of manifests/elastic-tls.json (service, account and secret
 * "elastic", "elastic", "elastic/secret"). */
EVP_PKEY *e_runbook_default(struct h_sim *s, unsigned flags);

/*
 * Make a serial TLS toggle stick, as a person would: @svc runs plain with
 * update_strategy serial; update TLS on (nothing else), wait until
 * master-0 is STARTED in master-update, then check that the plan stays
 * IN_PROGRESS (master-0 STARTED, master-1 PENDING) for 15 simulated
 * seconds.
 */
void e_make_stuck_toggle(struct h_sim *s, const char *svc);

/* ---- what the cluster holds ---- */

/* SPKI PEM of account @uid (new), NULL when it does not exist. */
char *e_account_pub(struct h_sim *s, const char *uid);
/* The secret's value (new string), NULL when the secret does not exist. */
char *e_secret_value(struct h_sim *s, const char *path);
/* 1 when service account @uid is listed in group @gid (?type=service). */
int e_in_group(struct h_sim *s, const char *gid, const char *uid);
/* 1 when @uid is allowed @action on @rid (the IAM's own answer). */
int e_allowed(struct h_sim *s, const char *uid, const char *rid,
              const char *action);
/* /cosmos/service/describe of @svc (new), NULL unless 200. */
json_t *e_describe(struct h_sim *s, const char *svc);
/* {task name: task id} of every task of @svc (new). */
json_t *e_task_ids(struct h_sim *s, const char *svc);

/*
 * Assert that service account @uid holds exactly the public key of the
 * private key in the create-sa-secret secret @path, and that the secret is
 * a well-formed create-sa-secret for @uid.
 */
void e_assert_key_matches(struct h_sim *s, const char *uid,
                          const char *path);

/* Assert, independently of etls, that @svc answers only over HTTPS with a
 * certificate of the cluster CA under its DNS name (health green, ES
 * 5.6.5), and that plain HTTP is refused. */
void e_assert_https(struct h_sim *s, const char *svc);
/* Assert that @svc answers over plain HTTP. */
void e_assert_plain(struct h_sim *s, const char *svc);

/*
 * Assert the service is converged: deploy plan COMPLETE, resolved options
 * with transport encryption @tls, update_strategy "serial", the account's
 * key matching the secret, the account in superusers (when @superusers),
 * and HTTPS only (or plain when !@tls).
 */
void e_assert_converged(struct h_sim *s, const char *svc, const char *uid,
                        const char *path, int tls, int superusers);

/* ---- the request log ---- */

/* DELETE /sim/v1/requests. */
void e_log_clear(struct h_sim *s);
/* The logged requests (new JSON array). */
json_t *e_log(struct h_sim *s);
/* Number of logged write requests; a description of them in *@desc (new)
 * when @desc is not NULL. */
size_t e_log_writes(struct h_sim *s, char **desc);
/* Number of logged requests with @method whose path starts with
 * @prefix. */
size_t e_log_count(struct h_sim *s, const char *method, const char *prefix);
/* Index in the log of the first request with @method whose path starts
 * with @prefix, or -1. */
long e_log_first(struct h_sim *s, const char *method, const char *prefix);
/* Index of the last such request, or -1. */
long e_log_last(struct h_sim *s, const char *method, const char *prefix);
/* Fail the test, listing them, when the log holds any write request. */
void e_assert_no_writes(struct h_sim *s, const char *what);

/* ---- running etls ---- */

/*
 * Run ETLS_BIN_DIR/etls @cmd [-f @file] [--sim s->dir] --no-color, then
 * the NULL-terminated extra arguments.  @file and @s may be NULL.
 * Bounded by E_RUN_MS.  The runs leave out --no-color while
 * e_color_auto is set (tests of the terminal's colours).
 */
extern int e_color_auto;
struct e_run e_etls(struct h_sim *s, const char *cmd, const char *file, ...)
    __attribute__((sentinel));
/*
 * `etls @cmd -f @file --sim` on a cleared request log (plan: with
 * --detailed-exitcode), its output checked with e_assert_clean() for the
 * secret elastic/secret.
 */
struct e_run e_run_logged(struct h_sim *s, const char *cmd,
                          const char *file);
/* Same, in the background; collect with e_wait(). */
struct e_proc e_spawn(struct h_sim *s, const char *cmd, const char *file,
                      ...) __attribute__((sentinel));
struct e_run e_wait(struct e_proc *p);
void e_run_free(struct e_run *r);

/* What the running etls @p printed on stdout so far (new). */
char *e_proc_out(const struct e_proc *p);
/* Wait (at most @timeout_ms) until @p's stdout holds @needle: 1, or 0. */
int e_wait_out(const struct e_proc *p, const char *needle, int timeout_ms);
/* Wait at most @timeout_ms for @p to end: 1 and *@r set, or 0 when it
 * still runs. */
int e_try_wait(struct e_proc *p, int timeout_ms, struct e_run *r);

/* The confirmation question of a disruptive apply. */
#define E_PROMPT "Only 'yes' will be accepted:"

/*
 * e_etls() on a new pseudo-terminal (stdin, stdout and stderr of etls):
 * when the confirmation question (E_PROMPT) shows, types @answer and a
 * newline (@answer NULL: never).  Everything etls showed is in out (err
 * is empty).  Bounded by E_RUN_MS.
 */
struct e_run e_etls_tty(struct h_sim *s, const char *answer, const char *cmd,
                        const char *file, ...) __attribute__((sentinel));

/*
 * `etls apply -f @file` (e_etls), then e_assert_clean() of its output with
 * the secret elastic/secret.  e_apply_runbook() applies the runbook's
 * options file, e_apply_data() tests/data/e2e/@rel.
 */
struct e_run e_apply(struct h_sim *s, const char *file);
struct e_run e_apply_runbook(struct h_sim *s);
struct e_run e_apply_data(struct h_sim *s, const char *rel);

/*
 * A second apply (of tests/data/e2e/@rel, or of the runbook's options file
 * when @rel is NULL) on a cleared request log is idle: exit 0, "No
 * changes.", "Resources: 0 added, 0 changed, 0 destroyed." and no write
 * request.
 */
void e_expect_apply_idle(struct h_sim *s, const char *rel);

/* Fail (printing the run) unless stdout contains @needle. */
void e_expect_out(const struct e_run *r, const char *needle);
/* Fail (printing the run) if stdout contains @needle. */
void e_expect_not_out(const struct e_run *r, const char *needle);
/* Fail (printing the run) unless stderr contains @needle. */
void e_expect_err(const struct e_run *r, const char *needle);
/* Fail (printing the run) unless the exit status is @rc. */
void e_expect_rc(const struct e_run *r, int rc);

/*
 * Fail when stdout or stderr holds secret material: any PEM private key
 * marker, the bootstrap and health-check passwords, a JWT, or a line of
 * the private key now stored in secret @path (when @s and @path are set
 * and the secret exists).
 */
void e_assert_clean(const struct e_run *r, struct h_sim *s,
                    const char *path);

/* Fail unless an apply run converged and printed its verification for
 * service @svc over HTTPS. */
void e_expect_apply_ok(const struct e_run *r, const char *svc);

/* resource_changes[] entry with @address of a JSON plan (borrowed), or
 * NULL. */
json_t *e_change(const json_t *plan, const char *address);

#endif
