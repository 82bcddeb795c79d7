#ifndef ETLS_TESTS_HARNESS_H_CLUSTER_H
#define ETLS_TESTS_HARNESS_H_CLUSTER_H

#include <jansson.h>

#include "harness/harness.h"

/*
 * What the end-to-end tests of every area do with a dcos-sim beyond the
 * raw requests of harness.h: start it at a speed, cmocka fixtures, status
 * checks, the IAM's resource-id encoding, state made by hand (secrets,
 * group members, install, update) and the common waits on Marathon and
 * the SDK plans.  Every function fails the running test (cmocka fail_msg)
 * on an unexpected harness failure.  Accounts with keys: h_crypto.h.
 */

/*
 * Start dcos-sim in @dir (NULL = a new temporary directory; s->dir =
 * restart with the same state) with "--speed @speed" (@speed NULL = the
 * sim's default speed, 1), and keep the speed in s->speed for
 * h_sleep_sim().  h_sim_up() also logs in as the bootstrap user.
 */
void h_sim_start_speed(struct h_sim *s, const char *dir, const char *speed);
void h_sim_up(struct h_sim *s, const char *dir, const char *speed);

/*
 * cmocka fixtures, for one-line setup and teardown functions:
 * h_group_up() = h_sim_up(@s, NULL, @speed); h_group_down() destroys @s.
 * Both return 0; @state is not touched.
 */
int h_group_up(void **state, struct h_sim *s, const char *speed);
int h_group_down(void **state, struct h_sim *s);

/* Fail the test (naming @what, the status, the curl code and the body)
 * unless @r has HTTP status @want.  @r is not freed. */
void h_expect_status(const struct h_resp *r, long want, const char *what);

/* @rid with every '/' written %252F, the IAM's double encoding in ACL
 * paths (new). */
char *h_rid_path(const char *rid);

/* The body {"value": @value} of a secrets API PUT or PATCH (new). */
char *h_secret_body(const char *value);

/*
 * State made by hand as the bootstrap user: PUT (create) / PATCH secret
 * @path (below /secrets/v1/secret/default/) with the raw value @value
 * (asserts 201 / 204), and PUT @uid into group @gid (asserts 204).
 */
void h_secret_put(struct h_sim *s, const char *path, const char *value);
void h_secret_patch(struct h_sim *s, const char *path, const char *value);
void h_group_add(struct h_sim *s, const char *gid, const char *uid);

/* POST /package/install of beta-elastic with the options text @opts
 * (asserts 200). */
void h_install(struct h_sim *s, const char *opts);

/* POST /cosmos/service/update {"appId": @svc, "options": @opts (JSON
 * text), "replace": false}; returns the HTTP status. */
long h_update(struct h_sim *s, const char *svc, const char *opts);

/* Sleep @sim_seconds of the simulated time of @s (at s->speed). */
void h_sleep_sim(const struct h_sim *s, double sim_seconds);

/*
 * GET /service/@svc/v1/plans/@plan: the plan (new) and the HTTP status in
 * *@status (may be NULL); NULL unless the scheduler answered 200, 202 or
 * 417 with JSON.  A transport error fails the test.
 */
json_t *h_plan(struct h_sim *s, const char *svc, const char *plan,
               long *status);

/* Status of phase @phase, and of step @step of it, in the plan @plan
 * (borrowed), or NULL when missing. */
const char *h_phase_status(const json_t *plan, const char *phase);
const char *h_step_status(const json_t *plan, const char *phase,
                          const char *step);

/*
 * Wait until plan @plan of @svc has status @want with the HTTP status the
 * SDK gives it (200 for COMPLETE; 200, 202 or 417 otherwise).  Polls every
 * @poll_ms for at least @timeout_ms and at least @timeout_ms / @poll_ms
 * times (so a slow machine gets no fewer polls).  Returns 1, or 0 on
 * timeout.  A transport error fails the test.
 */
int h_wait_plan(struct h_sim *s, const char *svc, const char *plan,
                const char *want, int timeout_ms, int poll_ms);

/* Wait, in the same way, until Marathon shows app @app with no
 * deployment.  Returns 1, or 0 on timeout. */
int h_wait_deployed(struct h_sim *s, const char *app, int timeout_ms,
                    int poll_ms);

#endif
