#ifndef ETLS_TESTS_E2E_SIM_SDK_TESTUTIL_H
#define ETLS_TESTS_E2E_SIM_SDK_TESTUTIL_H

#include <jansson.h>

#include "harness/h_cluster.h"
#include "harness/h_crypto.h"
#include "harness/h_json.h"
#include "harness/harness.h"

/*
 * Helpers for the dcos-sim SDK scheduler / Marathon end-to-end tests,
 * beyond the shared ones of harness/h_*.h (keys, accounts, secrets, JSON,
 * plans and waits).  Every helper fails the test (cmocka) on an unexpected
 * harness failure.
 */

/* Bounds of every wait, in real milliseconds. */
#define T_WAIT_MS 20000
#define T_POLL_MS 20

/* GET @path as the bootstrap user; the parsed body (new, or NULL when not
 * JSON) and the status in *@status.  A transport error fails the test. */
json_t *t_get_json(struct h_sim *s, const char *path, long *status);

/* Install beta-elastic as @name with the extra options @opts (a JSON object
 * text merged under the service name, may be "{}").  Asserts 200. */
void t_install(struct h_sim *s, const char *name, const char *opts);

/* Wait (bounded by @timeout_ms) until the deploy plan of @name has status
 * @want (e.g. "COMPLETE").  Returns 1, or 0 on timeout. */
int t_wait_plan(struct h_sim *s, const char *name, const char *want,
                int timeout_ms);

/*
 * Wait until the restarted scheduler of @name serves: its API answers 200
 * after a 502 was seen, or after Marathon's deployment ended (the window
 * may be missed on a slow machine).  Returns 1 in time, else 0; sets
 * *@seen_502 (may be NULL) when the Admin Router 502 window was seen.
 */
int t_wait_restart(struct h_sim *s, const char *name, int *seen_502);

/* Wait (bounded by T_WAIT_MS) until Marathon shows no deployment for app
 * @name.  Returns 1, or 0 on timeout. */
int t_wait_deployed(struct h_sim *s, const char *name);

/* Task id of @task ("master-0-node") from pod/status (new) or NULL. */
char *t_task_id(struct h_sim *s, const char *name, const char *task);
/* Mesos status ("RUNNING") of @task (new) or NULL. */
char *t_task_status(struct h_sim *s, const char *name, const char *task);

/* Wait (bounded by T_WAIT_MS) until @task of @name has an id other than
 * @before (and, when @running, Mesos status RUNNING).  Returns the new id
 * (new), or NULL on timeout. */
char *t_wait_task_replaced(struct h_sim *s, const char *name,
                           const char *task, const char *before,
                           int running);

/* "127.0.0.1:PORT" of endpoint @ep (new). */
char *t_endpoint_address(struct h_sim *s, const char *name, const char *ep);

/*
 * GET @path on the first node of endpoint @ep of @name under its autoip
 * name (the endpoint's "dns", resolved to 127.0.0.1, as a client inside
 * the cluster reaches it): HTTPS verified with the sim's CA when @tls,
 * else plain HTTP; @userpwd NULL or "user:pass".
 */
struct h_resp t_node_get(struct h_sim *s, const char *name, const char *ep,
                         const char *path, int tls, const char *userpwd);

/* The target configuration id (new). */
char *t_target_id(struct h_sim *s, const char *name);

/* Grant @uid @action on @rid, creating the ACL (asserts success). */
void t_grant(struct h_sim *s, const char *uid, const char *rid,
             const char *action);

/* Marathon restart of app @name; returns the status. */
long t_marathon_restart(struct h_sim *s, const char *name, int force);

#endif
