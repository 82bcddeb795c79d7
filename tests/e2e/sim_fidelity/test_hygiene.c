/*
 * dcos-sim, request hygiene like the real front door: a control character
 * in the path is 400 before any module sees it; a JSON body (or JWT) with
 * a duplicate key is refused by every API that reads JSON; a declared body
 * over the cap is 413 before a byte of it is read; and connections and
 * threads are bounded, delayed answers holding no thread.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "common/util.h"
#include "e2e/etls/etls_testutil.h"
#include "fid_testutil.h"
#include "harness/h_cluster.h"
#include "harness/h_crypto.h"
#include "harness/h_json.h"
#include "harness/harness.h"

static struct h_sim g_sim;

static int setup(void **state)
{
    return h_group_up(state, &g_sim, FID_SPEED);
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

static void expect_nginx_400(const struct h_resp *r, const char *what)
{
    h_expect_status(r, 400, what);
    assert_string_equal(r->content_type, "text/html; charset=UTF-8");
    assert_non_null(strstr(r->body, "400 Bad Request"));
}

/* ---- control characters ------------------------------------------- */

static void test_control_characters_in_path(void **state)
{
    static const char *const enc[] = {"%00", "%01", "%09", "%0a", "%0D",
                                      "%1f", "%1F", "%7f", "%7F"};
    struct h_resp r;
    char *p, *out;
    size_t i;

    (void)state;
    h_secret_put(&g_sim, "h/secret", "keep me");
    for (i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
        p = h_fmt("/secrets/v1/secret/default/h/secret%sjunk", enc[i]);
        r = h_delete(&g_sim, p);
        expect_nginx_400(&r, p);
        h_resp_free(&r);
        free(p);
    }
    /* the secret is still there: nothing reached the secrets service */
    out = e_secret_value(&g_sim, "h/secret");
    assert_non_null(out);
    assert_string_equal(out, "keep me");
    free(out);
    /* public routes, any method, and a control byte sent raw */
    r = h_req(&g_sim, "GET", "/dcos-metadata/dcos-version.json%00", NULL,
              NULL, NULL, NULL, NULL);
    expect_nginx_400(&r, "dcos-version.json%00");
    h_resp_free(&r);
    {
        static const char raw[] = "GET /dcos-metadata/\x01version HTTP/1.1\r\n"
                                  "Host: 127.0.0.1\r\n"
                                  "Connection: close\r\n\r\n";

        out = fid_tls_exchange(&g_sim, raw, sizeof(raw) - 1, 5000, "\r\n");
        if (strncmp(out, "HTTP/1.1 400 ", 13) != 0)
            fail_msg("raw control byte: %.60s", out);
        free(out);
    }
    /* an escaped slash is no control character */
    h_secret_put(&g_sim, "h%2Fother", "x");
    out = e_secret_value(&g_sim, "h/other");
    assert_non_null(out);
    free(out);
}

/* ---- duplicate keys --------------------------------------------------- */

/* A request whose JSON body has a duplicate key, and what it must get. */
struct dup_case {
    char kind;          /* 'j' JSON as the bootstrap user, 'a' anonymous
                           JSON, 'c' Cosmos operation, 'k' control API */
    const char *method;
    const char *path;   /* or the Cosmos operation */
    const char *body;
    long want;
    const char *member; /* of the error body, or NULL */
    const char *value;  /* its value */
};

static struct h_resp dup_send(const struct dup_case *c)
{
    switch (c->kind) {
    case 'c':
        return h_cosmos(&g_sim, c->path, c->body);
    case 'k':
        return h_control(&g_sim, c->method, c->path, c->body);
    default:
        return h_req(&g_sim, c->method, c->path,
                     c->kind == 'j' ? g_sim.token : NULL, "application/json",
                     NULL, c->body, NULL);
    }
}

static void test_duplicate_json_keys(void **state)
{
    static const struct dup_case cases[] = {
        {'j', "PUT", "/secrets/v1/secret/default/dup/a",
         "{\"value\":\"a\",\"value\":\"b\"}", 400, NULL, NULL},
        {'j', "PUT", "/acs/api/v1/users/dupuser",
         "{\"password\":\"one-password\",\"password\":\"two-password\"}",
         400, "code", "ERR_INVALID_DATA"},
        {'a', "POST", "/acs/api/v1/auth/login",
         "{\"uid\":\"nobody\",\"uid\":\"bootstrapuser\","
         "\"password\":\"deleteme\"}",
         400, "code", "ERR_INVALID_DATA"},
        {'c', "POST", "package/install",
         "{\"packageName\":\"beta-elastic\",\"packageName\":\"x\"}", 400,
         "type", "not_parsed"},
        {'c', "POST", "package/install",
         "{\"packageName\":\"beta-elastic\",\"options\":{\"service\":"
         "{\"name\":\"dup-a\",\"name\":\"dup-b\"}}}",
         400, "type", "not_parsed"},
        {'a', "POST", "/ca/api/v2/info",
         "{\"label\":\"a\",\"label\":\"b\"}", 400, NULL, NULL},
        {'k', "POST", "/sim/v1/faults",
         "{\"path\":\"/x\",\"path\":\"/y\",\"status\":503}", 400, NULL,
         NULL},
    };
    struct h_resp r;
    EVP_PKEY *k;
    char *jwt, *body, *v;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        r = dup_send(&cases[i]);
        h_expect_status(&r, cases[i].want, cases[i].body);
        if (cases[i].member &&
            (!h_jstr(r.json, cases[i].member) ||
             strcmp(h_jstr(r.json, cases[i].member), cases[i].value) != 0))
            fail_msg("%s: %s is not %s", cases[i].body, cases[i].member,
                     cases[i].value);
        h_resp_free(&r);
    }
    /* and nothing was made of them */
    v = e_secret_value(&g_sim, "dup/a");
    assert_null(v);
    r = h_get(&g_sim, "/acs/api/v1/users/dupuser");
    assert_string_equal(h_jstr(r.json, "code"), "ERR_UNKNOWN_USER_ID");
    h_resp_free(&r);
    r = h_cosmos(&g_sim, "package/list", "{}");
    assert_int_equal(json_array_size(h_jget(r.json, "packages")), 0);
    h_resp_free(&r);
    /* a service-login JWT with a duplicate claim; the same account logs in
     * with a clean one */
    k = h_rsa_new();
    h_account_put(&g_sim, "dupsa", k, "dup");
    jwt = h_jwt(k, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
                "{\"uid\":\"other\",\"uid\":\"dupsa\",\"exp\":4102444800}");
    body = h_json_text("{s:s,s:s}", "uid", "dupsa", "token", jwt);
    r = h_req(&g_sim, "POST", "/acs/api/v1/auth/login", NULL,
              "application/json", NULL, body, NULL);
    h_expect_status(&r, 401, "JWT with a duplicate claim");
    h_resp_free(&r);
    free(jwt);
    free(body);
    v = h_login_service(&g_sim, "dupsa", k);
    assert_non_null(v);
    free(v);
    EVP_PKEY_free(k);
}

/* ---- the body cap ---------------------------------------------------- */

/* The headers of a POST declaring @cl bytes, plus @extra (new). */
static char *big_post(const char *cl, const char *extra)
{
    return h_fmt("POST /ca/api/v2/info HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Content-Type: application/json\r\nContent-Length: %s\r\n"
                 "%s\r\n",
                 cl, extra);
}

/* The 413 arrives although no byte of the body is ever sent. */
static void test_body_cap_before_reading(void **state)
{
    static const char *const lengths[] = {"4194305", "104857600",
                                          "99999999999999999999999"};
    struct h_resp r;
    char *req, *out;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        req = big_post(lengths[i], "");
        out = fid_tls_exchange(&g_sim, req, strlen(req), 10000, "\r\n\r\n");
        if (strncmp(out, "HTTP/1.1 413 ", 13) != 0)
            fail_msg("Content-Length %s without a body: %.60s", lengths[i],
                     out[0] ? out : "(nothing within 10 s)");
        free(out);
        free(req);
    }
    /* a client waiting for 100 Continue gets the 413 instead */
    req = big_post("5242880", "Expect: 100-continue\r\n");
    out = fid_tls_exchange(&g_sim, req, strlen(req), 10000, "\r\n\r\n");
    if (strncmp(out, "HTTP/1.1 413 ", 13) != 0 || strstr(out, "100 Continue"))
        fail_msg("Expect: 100-continue: %.60s", out);
    free(out);
    free(req);
    /* at the cap is fine */
    req = big_post("2", "");
    out = h_fmt("%s{}", req);
    free(req);
    req = fid_tls_exchange(&g_sim, out, strlen(out), 10000, "\r\n\r\n");
    assert_true(strncmp(req, "HTTP/1.1 200 ", 13) == 0);
    free(req);
    free(out);
    r = h_get(&g_sim, "/metadata");
    h_expect_status(&r, 200, "after the refusals");
    h_resp_free(&r);
}

/* ---- connections and threads ------------------------------------------ */

#define IDLE_CONNS 600 /* more than the server's 512 */

/* Idle connections do not make threads; the server holds at most 512 of
 * them; once they are gone it answers again. */
static void test_idle_connections_bounded(void **state)
{
    static int fds[IDLE_CONNS];
    struct rlimit rl;
    long before, during, socks;
    struct h_resp r;
    int i;

    (void)state;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 2048 &&
        rl.rlim_max >= 2048) {
        rl.rlim_cur = 2048;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    before = fid_threads(g_sim.pid);
    for (i = 0; i < IDLE_CONNS; i++)
        fds[i] = fid_tcp_connect(&g_sim);
    h_sleep_ms(500); /* let the server accept what it will */
    during = fid_threads(g_sim.pid);
    socks = fid_sockets(g_sim.pid);
    if (during > before + 1 || during > 16)
        fail_msg("%d idle connections: %ld threads (before: %ld)",
                 IDLE_CONNS, during, before);
    /* 512 connections, the listening socket and a little slack */
    if (socks > 512 + 8)
        fail_msg("%d idle connections: the sim holds %ld sockets",
                 IDLE_CONNS, socks);
    for (i = 0; i < IDLE_CONNS; i++)
        close(fds[i]);
    for (i = 0; i < 100; i++) {
        r = h_req(&g_sim, "GET", "/dcos-metadata/dcos-version.json", NULL,
                  NULL, NULL, NULL, NULL);
        if (r.status == 200) {
            h_resp_free(&r);
            break;
        }
        h_resp_free(&r);
        h_sleep_ms(100);
    }
    assert_true(i < 100);
    assert_true(fid_threads(g_sim.pid) <= before + 1);
}

#define DELAYED 8 /* more than the server's 4 threads */

struct delayed_req {
    char *answer;
    double took;
};

static void *delayed_main(void *arg)
{
    static const char req[] = "GET /dcos-metadata/dcos-version.json "
                              "HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Connection: close\r\n\r\n";
    struct delayed_req *d = arg;
    double t0 = util_now_mono();

    d->answer = fid_tls_exchange(&g_sim, req, sizeof(req) - 1, 20000, NULL);
    d->took = util_now_mono() - t0;
    return NULL;
}

/* Requests a delay fault holds take no thread: others are answered at
 * once meanwhile, and the thread count stays. */
static void test_delays_hold_no_thread(void **state)
{
    struct delayed_req d[DELAYED];
    pthread_t th[DELAYED];
    struct h_resp r;
    long before;
    double t0;
    int i;

    (void)state;
    before = fid_threads(g_sim.pid);
    r = h_control(&g_sim, "POST", "/sim/v1/faults",
                  "{\"path\":\"/dcos-metadata/\",\"delay_ms\":2000,"
                  "\"count\":8}");
    h_expect_status(&r, 201, "delay fault");
    h_resp_free(&r);
    memset(d, 0, sizeof(d));
    for (i = 0; i < DELAYED; i++)
        assert_int_equal(pthread_create(&th[i], NULL, delayed_main, &d[i]),
                         0);
    /* wait (bounded) until the 8 are in, then ask something else */
    for (i = 0; i < 200; i++) {
        r = h_control(&g_sim, "GET", "/sim/v1/faults", NULL);
        if (json_array_size(h_jget(r.json, "faults")) == 0) {
            h_resp_free(&r);
            break;
        }
        h_resp_free(&r);
        h_sleep_ms(20);
    }
    t0 = util_now_mono();
    r = h_get(&g_sim, "/metadata");
    h_expect_status(&r, 200, "metadata while 8 requests are delayed");
    h_resp_free(&r);
    if (util_now_mono() - t0 > 1.0)
        fail_msg("a request waited %.2f s behind delayed ones",
                 util_now_mono() - t0);
    assert_true(fid_threads(g_sim.pid) <= before + 1);
    for (i = 0; i < DELAYED; i++) {
        pthread_join(th[i], NULL);
        if (strncmp(d[i].answer, "HTTP/1.1 200 ", 13) != 0 ||
            d[i].took < 1.9)
            fail_msg("delayed request %d: %.1f s, %.40s", i, d[i].took,
                     d[i].answer);
        free(d[i].answer);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control_characters_in_path),
        cmocka_unit_test(test_duplicate_json_keys),
        cmocka_unit_test(test_body_cap_before_reading),
        cmocka_unit_test(test_idle_connections_bounded),
        cmocka_unit_test(test_delays_hold_no_thread),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
