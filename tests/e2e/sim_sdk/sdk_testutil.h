#ifndef ETLS_TESTS_E2E_SIM_SDK_TESTUTIL_H
#define ETLS_TESTS_E2E_SIM_SDK_TESTUTIL_H

#include <jansson.h>
#include <openssl/evp.h>

#include "harness/harness.h"

/*
 * Helpers for the dcos-sim SDK scheduler / Marathon end-to-end tests.
 * Every helper fails the test (cmocka) on an unexpected harness failure.
 */

/* Bounds of every wait, in real milliseconds. */
#define T_WAIT_MS 20000
#define T_POLL_MS 20

/* Member at a dotted path ("a.b.c") of @o (borrowed) or NULL. */
json_t *t_get(const json_t *o, const char *path);
const char *t_str(const json_t *o, const char *path);

/* printf into a new string. */
char *t_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* GET @path as the bootstrap user; the parsed body (new, or NULL when not
 * JSON) and the status in *@status. */
json_t *t_get_json(struct h_sim *s, const char *path, long *status);

/* Install beta-elastic as @name with the extra options @opts (a JSON object
 * text merged under the service name, may be "{}").  Asserts 200. */
void t_install(struct h_sim *s, const char *name, const char *opts);

/* /cosmos/service/update of @name with @opts (replace: false).  Returns
 * the HTTP status. */
long t_update(struct h_sim *s, const char *name, const char *opts);

/* The deploy plan of @name (new) and its status in *@status; NULL while
 * the scheduler is unreachable (then *@status is that HTTP status). */
json_t *t_plan(struct h_sim *s, const char *name, const char *plan,
               long *status);

/* Wait until GET plans/<plan> answers with plan status @want (e.g.
 * "COMPLETE").  Returns 1, or 0 after @timeout_ms. */
int t_wait_plan(struct h_sim *s, const char *name, const char *want,
                int timeout_ms);

/*
 * Wait until the restarted scheduler of @name serves: its API answers 200
 * after a 502 was seen, or after Marathon's deployment ended (the window
 * may be missed on a slow machine).  Returns 1 in time, else 0; sets
 * *@seen_502 (may be NULL) when the Admin Router 502 window was seen.
 */
int t_wait_restart(struct h_sim *s, const char *name, int *seen_502);

/* Wait until Marathon shows no deployment for app @name.  Returns 1, or 0
 * on timeout. */
int t_wait_deployed(struct h_sim *s, const char *name);

/* Status of step @step ("master-0:[node]") of phase @phase in @plan. */
const char *t_step_status(const json_t *plan, const char *phase,
                          const char *step);
const char *t_phase_status(const json_t *plan, const char *phase);

/* Task id of @task ("master-0-node") from pod/status (new) or NULL. */
char *t_task_id(struct h_sim *s, const char *name, const char *task);
/* Mesos status ("RUNNING") of @task (new) or NULL. */
char *t_task_status(struct h_sim *s, const char *name, const char *task);

/* "127.0.0.1:PORT" of endpoint @ep (new). */
char *t_endpoint_address(struct h_sim *s, const char *name, const char *ep);

/* The target configuration id (new). */
char *t_target_id(struct h_sim *s, const char *name);

/* RSA-2048 key; its PKCS#8 private and SPKI public PEM (new). */
EVP_PKEY *t_rsa(void);
char *t_priv_pem(EVP_PKEY *k);
char *t_pub_pem(EVP_PKEY *k);

/* Body {"value":"<create-sa-secret JSON>"} for account @uid (new). */
char *t_sa_secret_body(const char *uid, EVP_PKEY *k);

/* Create service account @uid with @k's public key (asserts 201). */
void t_create_account(struct h_sim *s, const char *uid, EVP_PKEY *k);

/* Store secret @path with the raw body @body (asserts 201). */
void t_put_secret(struct h_sim *s, const char *path, const char *body);

/* Put @uid into group superusers (asserts 204). */
void t_superuser(struct h_sim *s, const char *uid);

/* Grant @uid @action on @rid, creating the ACL (asserts success). */
void t_grant(struct h_sim *s, const char *uid, const char *rid,
             const char *action);

/* Account + create-sa-secret at @secret_path + superusers. */
void t_full_account(struct h_sim *s, const char *uid,
                    const char *secret_path, EVP_PKEY *k);

/* HTTP(S) GET of a data-plane node: @url, optional CA and resolve. */
struct h_resp t_node_get(const char *url, const char *cacert,
                         const char *resolve, const char *userpwd);

/* Marathon restart of app @name; returns the status. */
long t_marathon_restart(struct h_sim *s, const char *name, int force);

/* Sleep @sim_seconds of simulated time at speed @speed. */
void t_sleep_sim(double sim_seconds, double speed);

#endif
