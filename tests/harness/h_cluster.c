/* Common end-to-end steps on a dcos-sim.  See h_cluster.h. */
#include "harness/h_cluster.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>

#include "common/buf.h"
#include "common/util.h"
#include "harness/h_json.h"

void h_sim_start_speed(struct h_sim *s, const char *dir, const char *speed)
{
    const char *args[] = {"--speed", speed, NULL};
    double v = 1.0;

    if (speed && util_parse_double(&v, speed, 0.001, 1e6) != 0)
        fail_msg("h_sim_start_speed: bad speed %s", speed);
    h_sim_start(s, dir, speed ? args : NULL);
    s->speed = v;
}

void h_sim_up(struct h_sim *s, const char *dir, const char *speed)
{
    h_sim_start_speed(s, dir, speed);
    h_login(s);
}

int h_group_up(void **state, struct h_sim *s, const char *speed)
{
    (void)state;
    h_sim_up(s, NULL, speed);
    return 0;
}

int h_group_down(void **state, struct h_sim *s)
{
    (void)state;
    h_sim_destroy(s);
    return 0;
}

void h_expect_status(const struct h_resp *r, long want, const char *what)
{
    if (r->status != want)
        fail_msg("%s: HTTP %ld (curl %d), expected %ld: %s", what, r->status,
                 r->curl_code, want, r->body ? r->body : "");
}

char *h_rid_path(const char *rid)
{
    struct buf b;
    const char *c;

    buf_init(&b, 4096);
    for (c = rid; *c; c++)
        if ((*c == '/' ? buf_puts(&b, "%252F") : buf_append(&b, c, 1)) != 0)
            fail_msg("h_rid_path: out of memory");
    return buf_detach(&b);
}

char *h_secret_body(const char *value)
{
    return h_json_text("{s:s}", "value", value);
}

/* PUT or PATCH {"value": @value} to secret @path; asserts @want. */
static void secret_write(struct h_sim *s, const char *method,
                         const char *path, const char *value, long want)
{
    char *p = h_fmt("/secrets/v1/secret/default/%s", path);
    char *body = h_secret_body(value);
    struct h_resp r = h_req(s, method, p, s->token, "application/json",
                            NULL, body, NULL);

    h_expect_status(&r, want, p);
    h_resp_free(&r);
    OPENSSL_cleanse(body, strlen(body));
    free(body);
    free(p);
}

void h_secret_put(struct h_sim *s, const char *path, const char *value)
{
    secret_write(s, "PUT", path, value, 201);
}

void h_secret_patch(struct h_sim *s, const char *path, const char *value)
{
    secret_write(s, "PATCH", path, value, 204);
}

void h_group_add(struct h_sim *s, const char *gid, const char *uid)
{
    char *p = h_fmt("/acs/api/v1/groups/%s/users/%s", gid, uid);
    struct h_resp r = h_put(s, p, NULL);

    h_expect_status(&r, 204, p);
    h_resp_free(&r);
    free(p);
}

void h_install(struct h_sim *s, const char *opts)
{
    char *body = h_fmt("{\"packageName\":\"beta-elastic\",\"options\":%s}",
                       opts);
    struct h_resp r = h_cosmos(s, "package/install", body);

    h_expect_status(&r, 200, "package/install");
    h_resp_free(&r);
    free(body);
}

long h_update(struct h_sim *s, const char *svc, const char *opts)
{
    char *body = h_fmt("{\"appId\":\"%s\",\"options\":%s,"
                       "\"replace\":false}", svc, opts);
    struct h_resp r = h_cosmos(s, "service/update", body);
    long st = r.status;

    h_resp_free(&r);
    free(body);
    return st;
}

void h_sleep_sim(const struct h_sim *s, double sim_seconds)
{
    double speed = s->speed > 0 ? s->speed : 1.0;

    h_sleep_ms((int)(sim_seconds / speed * 1000.0) + 1);
}

json_t *h_plan(struct h_sim *s, const char *svc, const char *plan,
               long *status)
{
    char *path = h_fmt("/service/%s/v1/plans/%s", svc, plan);
    struct h_resp r = h_get(s, path);
    json_t *j = NULL;

    if (r.curl_code != 0)
        fail_msg("GET %s: transport error %d", path, r.curl_code);
    if (status)
        *status = r.status;
    if ((r.status == 200 || r.status == 202 || r.status == 417) && r.json)
        j = json_incref(r.json);
    h_resp_free(&r);
    free(path);
    return j;
}

const char *h_phase_status(const json_t *plan, const char *phase)
{
    return h_jstr(h_jnamed(h_jget(plan, "phases"), phase), "status");
}

const char *h_step_status(const json_t *plan, const char *phase,
                          const char *step)
{
    json_t *ph = h_jnamed(h_jget(plan, "phases"), phase);

    return h_jstr(h_jnamed(h_jget(ph, "steps"), step), "status");
}

/*
 * Poll @pred(@s, @arg) every @poll_ms until it returns 1; give up once
 * both @timeout_ms of real time and @timeout_ms / @poll_ms polls have
 * passed.  Returns 1 when the predicate held, else 0.
 */
static int poll_until(struct h_sim *s, int (*pred)(struct h_sim *, void *),
                      void *arg, int timeout_ms, int poll_ms)
{
    double deadline = util_now_mono() + timeout_ms / 1000.0;
    int polls = poll_ms > 0 ? timeout_ms / poll_ms : timeout_ms, i;

    for (i = 0;; i++) {
        if (pred(s, arg))
            return 1;
        if (i >= polls && util_now_mono() >= deadline)
            return 0;
        h_sleep_ms(poll_ms);
    }
}

struct plan_want {
    const char *svc;
    const char *plan;
    const char *want;
};

static int plan_has(struct h_sim *s, void *arg)
{
    const struct plan_want *w = arg;
    long st = 0;
    json_t *p = h_plan(s, w->svc, w->plan, &st);
    const char *got = h_jstr(p, "status");
    int ok = got && strcmp(got, w->want) == 0 &&
             (strcmp(w->want, "COMPLETE") != 0 || st == 200);

    json_decref(p);
    return ok;
}

int h_wait_plan(struct h_sim *s, const char *svc, const char *plan,
                const char *want, int timeout_ms, int poll_ms)
{
    struct plan_want w = {svc, plan, want};

    return poll_until(s, plan_has, &w, timeout_ms, poll_ms);
}

static int no_deployment(struct h_sim *s, void *arg)
{
    const char *path = arg;
    struct h_resp r = h_get(s, path);
    int ok;

    if (r.curl_code != 0)
        fail_msg("GET %s: transport error %d", path, r.curl_code);
    ok = r.status == 200 && r.json &&
         json_array_size(h_jget(r.json, "app.deployments")) == 0;
    h_resp_free(&r);
    return ok;
}

int h_wait_deployed(struct h_sim *s, const char *app, int timeout_ms,
                    int poll_ms)
{
    char *path = h_fmt("/marathon/v2/apps/%s", app);
    int ok = poll_until(s, no_deployment, path, timeout_ms, poll_ms);

    free(path);
    return ok;
}
