/*
 * Retries of the DC/OS client (docs/dcos-client.md, "Retries") against a
 * loopback fake with injected faults: a TLS handshake cut short, 502/503/
 * 504 on reads, on the login and on Cosmos describes, a cluster that stays
 * down (the bound, measured), writes that are never replayed, a retry the
 * loop cancels, secrets kept out of the trace of retried requests; and the
 * group-members 404 that is no "group missing".
 */
#define _DEFAULT_SOURCE /* SOCK_CLOEXEC */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/util.h"
#include "dcos/client.h"
#include "dcos/loop.h"
#include "fakesrv.h"
#include "tpki.h"

#define PASSWORD "pw-RETRY-CANARY-71c2"
#define TOKEN "tok-RETRY-CANARY-9d04"
#define SECRET_VALUE "secret-RETRY-CANARY-3a5e"

static struct tpki pki;
static struct fake_srv *srv;
static char srv_url[128];

/* ------------------------------------------------------------------ */
/* the fake: rules first (as a failing load balancer would), then a    */
/* minimal DC/OS                                                       */

struct rule {
    const char *method;  /* NULL: any */
    const char *path;    /* raw path prefix */
    int status;          /* answer this ... */
    const char *ctype;   /* ... with this body (NULL: an HTML page) */
    const char *body;
    bool reset;          /* or close without an answer */
    int delay_ms;        /* or wait, then answer as usual */
    int count;           /* applications left; < 0: forever */
};

static struct {
    pthread_mutex_t lock;
    struct rule rules[4];
    size_t n_rules;
} G;

static void rule_add(const struct rule *r)
{
    pthread_mutex_lock(&G.lock);
    assert_true(G.n_rules < sizeof(G.rules) / sizeof(G.rules[0]));
    G.rules[G.n_rules++] = *r;
    pthread_mutex_unlock(&G.lock);
}

static void rules_clear(void)
{
    pthread_mutex_lock(&G.lock);
    G.n_rules = 0;
    pthread_mutex_unlock(&G.lock);
}

/* Apply the first live rule for @req; true when it answered. */
static bool apply_rule(const struct fake_req *req, struct fake_reply *out)
{
    char page[160];
    size_t i;

    for (i = 0; i < G.n_rules; i++) {
        struct rule *r = &G.rules[i];

        if (r->count == 0 || (r->method && strcmp(r->method, req->method)) ||
            !util_has_prefix(req->path, r->path))
            continue;
        if (r->count > 0)
            r->count--;
        if (r->delay_ms) {
            out->delay_ms = r->delay_ms;
            return false;
        }
        if (r->reset) {
            out->reset = true;
            return true;
        }
        snprintf(page, sizeof(page),
                 "<html><head><title>%d Admin Router</title></head></html>",
                 r->status);
        fake_reply_set(out, r->status, r->ctype ? r->ctype : "text/html",
                       r->body ? r->body : page);
        return true;
    }
    return false;
}

static void handler(const struct fake_req *req, struct fake_reply *out,
                    void *arg)
{
    char body[1200];

    (void)arg;
    pthread_mutex_lock(&G.lock);
    if (apply_rule(req, out))
        goto done;
    if (strcmp(req->path, "/acs/api/v1/auth/login") == 0) {
        if (strstr(req->body, "\"password\":\"" PASSWORD "\""))
            fake_reply_set(out, 200, "application/json",
                           "{\"token\":\"" TOKEN "\"}");
        else
            fake_reply_set(out, 401, "application/json",
                           "{\"code\":\"ERR_INVALID_CREDENTIALS\"}");
        goto done;
    }
    if (strcmp(req->path, "/dcos-metadata/dcos-version.json") != 0 &&
        strcmp(req->auth, "token=" TOKEN) != 0) {
        fake_reply_set(out, 401, "text/html", "<html>401</html>");
        goto done;
    }
    if (util_has_prefix(req->path, "/secrets/v1/secret/default/") &&
        strcmp(req->method, "GET") == 0) {
        fake_reply_set(out, 200, "application/json",
                       "{\"value\":\"" SECRET_VALUE "\"}");
        goto done;
    }
    snprintf(body, sizeof(body), "{\"method\":\"%s\",\"path\":\"%.1024s\"}",
             req->method, req->path);
    fake_reply_set(out, 200, "application/json", body);
done:
    pthread_mutex_unlock(&G.lock);
}

/* Requests the fake received with @method on exactly @path. */
static size_t hits(const char *method, const char *path)
{
    size_t i, n = 0, total = fake_count(srv);

    for (i = 0; i < total; i++) {
        const struct fake_req *q = fake_get(srv, i);

        if (strcmp(q->method, method) == 0 && strcmp(q->path, path) == 0)
            n++;
    }
    return n;
}

/* Occurrences of @needle in @hay. */
static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;

    while ((hay = strstr(hay, needle))) {
        n++;
        hay += strlen(needle);
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* client helpers                                                      */

struct res {
    int done;
    long status;
    int code;
    unsigned attempts;
    char text[320];
};

static void on_res(const struct dcos_result *r, void *payload)
{
    struct res *x = payload;

    x->done++;
    x->status = r->status;
    x->code = r->err.code;
    x->attempts = r->attempts;
    snprintf(x->text, sizeof(x->text), "%s", r->err.text);
}

/* A client of @url (NULL: the fake) logging in with the password, with
 * @timeout_ms per attempt and a first backoff of @backoff_ms (0:
 * defaults). */
static struct dcos_client *client_at(const char *url, long timeout_ms,
                                     long backoff_ms)
{
    struct dcos_client_options o;
    struct dcos_client *c = NULL;
    struct secret *pw = secret_new_str(PASSWORD);
    struct err_info e;

    memset(&o, 0, sizeof(o));
    o.url = url ? url : srv_url;
    o.ca_pem = pki.ca_pem;
    o.uid = "bootstrapuser";
    o.password = pw;
    o.timeout_ms = timeout_ms;
    o.retry_backoff_ms = backoff_ms;
    assert_int_equal(dcos_client_new(&c, &o, NULL, &e), 0);
    secret_free(pw);
    return c;
}

/* A client of the fake with fast retries. */
static struct dcos_client *client(void)
{
    return client_at(NULL, 5000, 20);
}

static void run_one(struct dcos_client *c, struct res *r)
{
    assert_int_equal(dcos_client_run(c, 30), 0);
    assert_int_equal(r->done, 1);
}

static void fresh(void)
{
    rules_clear();
    fake_clear(srv);
}

/* ------------------------------------------------------------------ */
/* tests                                                               */

/* curl 35 after a cut handshake is transient: retried, then success. */
static void test_tls_handshake_cut_then_success(void **state)
{
    struct dcos_client *c = client();
    struct res r;
    int before;

    (void)state;
    fresh();
    before = fake_accepts(srv);
    fake_cut_accepts(srv, 1);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_version_get(c, on_res, &r), 0);
    run_one(c, &r);
    assert_int_equal(r.code, 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.attempts, 2);
    assert_int_equal(fake_accepts(srv) - before, 2);
    assert_int_equal(hits("GET", "/dcos-metadata/dcos-version.json"), 1);
    dcos_client_free(c);

    /* Cut every time: curl 35, retried up to the bound, then transient. */
    c = client();
    fake_cut_accepts(srv, 100);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_version_get(c, on_res, &r), 0);
    run_one(c, &r);
    fake_cut_accepts(srv, 0);
    assert_int_equal(r.code, ERR_TRANSIENT);
    assert_int_equal(r.attempts, 4);
    assert_non_null(strstr(r.text, "(curl 35)"));
    assert_non_null(strstr(r.text, "(4 attempts in "));
    dcos_client_free(c);
}

/*
 * A TLS peer that refuses every handshake: it reads the ClientHello,
 * answers a fatal handshake_failure alert and waits for the client to
 * close (so the client reads the alert, never a reset).
 */
struct refuser {
    int fd;
    int port;
    int accepted;
    pthread_t thread;
};

static void *refuser_run(void *arg)
{
    static const unsigned char alert[] = { 0x15, 0x03, 0x03, 0x00, 0x02,
                                           0x02, 0x28 };
    struct refuser *rf = arg;
    struct timeval tv = { 5, 0 };
    char buf[4096];
    int i;

    /* Bounded: a handful of connections, each at most 5 s. */
    for (i = 0; i < 8; i++) {
        int c = accept(rf->fd, NULL, NULL);

        if (c < 0)
            break;
        rf->accepted++;
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (read(c, buf, sizeof(buf)) > 0 &&
            write(c, alert, sizeof(alert)) == (ssize_t)sizeof(alert))
            while (read(c, buf, sizeof(buf)) > 0)
                ;
        close(c);
    }
    return NULL;
}

static void refuser_start(struct refuser *rf)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);

    memset(rf, 0, sizeof(*rf));
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rf->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(rf->fd >= 0);
    assert_int_equal(bind(rf->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(rf->fd, 8), 0);
    assert_int_equal(getsockname(rf->fd, (struct sockaddr *)&sa, &len), 0);
    rf->port = ntohs(sa.sin_port);
    assert_int_equal(pthread_create(&rf->thread, NULL, refuser_run, rf), 0);
}

static void refuser_stop(struct refuser *rf)
{
    shutdown(rf->fd, SHUT_RDWR);
    pthread_join(rf->thread, NULL);
    close(rf->fd);
}

/* A handshake the server refuses (a TLS alert) is no cut handshake: one
 * attempt, ERR_INVALID. */
static void test_tls_refused_not_retried(void **state)
{
    struct refuser rf;
    struct dcos_client *c;
    struct res r;
    char url[64];

    (void)state;
    refuser_start(&rf);
    snprintf(url, sizeof(url), "https://127.0.0.1:%d", rf.port);
    c = client_at(url, 5000, 20);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_version_get(c, on_res, &r), 0);
    run_one(c, &r);
    dcos_client_free(c);
    refuser_stop(&rf);
    if (r.code != ERR_INVALID || r.attempts != 1 || rf.accepted != 1)
        fail_msg("code %d, %u attempts, %d connections: %s", r.code,
                 r.attempts, rf.accepted, r.text);
    assert_non_null(strstr(r.text, "(curl 35)"));
    assert_non_null(strstr(r.text, "alert handshake failure"));
}

/*
 * 502, 503 and 504 on an IAM read: ridden out.  On a read of an SDK
 * scheduler they mean it is (re)starting, which its callers wait out
 * themselves: one attempt, ERR_TRANSIENT.
 */
static void test_5xx_on_reads_then_success(void **state)
{
    static const int statuses[] = { 502, 503, 504 };
    size_t i;

    (void)state;
    for (i = 0; i < 3; i++) {
        struct rule ru = { "GET", "/acs/api/v1/users/elastic", statuses[i],
                           NULL, NULL, false, 0, 2 };
        struct rule rs = { "GET", "/service/elastic/v1/plans/deploy",
                           statuses[i], NULL, NULL, false, 0, 1 };
        struct dcos_client *c = client();
        struct res r[2];

        fresh();
        rule_add(&ru);
        rule_add(&rs);
        memset(r, 0, sizeof(r));
        assert_int_equal(dcos_iam_user_get(c, "elastic", on_res, &r[0]), 0);
        assert_int_equal(
            dcos_sdk_plan_get(c, "elastic", "deploy", on_res, &r[1]), 0);
        assert_int_equal(dcos_client_run(c, 30), 0);
        if (r[0].code)
            fail_msg("HTTP %d: %s", statuses[i], r[0].text);
        assert_int_equal(r[0].status, 200);
        assert_int_equal(r[0].attempts, 3);
        assert_int_equal(r[1].code, ERR_TRANSIENT);
        assert_int_equal(r[1].attempts, 1);
        assert_int_equal(hits("GET", "/acs/api/v1/users/elastic"), 3);
        assert_int_equal(hits("GET", "/service/elastic/v1/plans/deploy"), 1);
        dcos_client_free(c);
    }
}

/* 503 and 502 on the login: the login is tried again with the password
 * rebuilt each time; the waiting call goes out once. */
static void test_5xx_on_login_then_success(void **state)
{
    struct rule rl = { "POST", "/acs/api/v1/auth/login", 503, NULL, NULL,
                       false, 0, 2 };
    struct rule r2 = { "POST", "/acs/api/v1/auth/login", 502, NULL, NULL,
                       false, 0, 1 };
    struct dcos_client *c = client();
    struct res r;
    size_t i;

    (void)state;
    fresh();
    rule_add(&rl);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_iam_user_get(c, "elastic", on_res, &r), 0);
    run_one(c, &r);
    assert_int_equal(r.code, 0);
    assert_int_equal(r.attempts, 1);
    assert_int_equal(dcos_client_logins(c), 1);
    assert_int_equal(hits("POST", "/acs/api/v1/auth/login"), 3);
    assert_int_equal(hits("GET", "/acs/api/v1/users/elastic"), 1);
    for (i = 0; i < 3; i++)
        assert_non_null(strstr(fake_get(srv, i)->body, PASSWORD));
    dcos_client_free(c);

    /* The explicit login (what etls does first) too. */
    c = client();
    fresh();
    rule_add(&r2);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_client_login(c, on_res, &r), 0);
    run_one(c, &r);
    assert_int_equal(r.code, 0);
    assert_int_equal(r.status, 200);
    assert_true(dcos_client_has_token(c));
    assert_int_equal(hits("POST", "/acs/api/v1/auth/login"), 2);
    dcos_client_free(c);
}

/* The Cosmos POSTs that only read are retried like GETs. */
static void test_5xx_on_describe_then_success(void **state)
{
    struct rule rd = { "POST", "/cosmos/service/describe", 504, NULL, NULL,
                       false, 0, 1 };
    struct rule rp = { "POST", "/package/describe", 503, NULL, NULL, false,
                       0, 1 };
    struct rule rl = { "POST", "/package/list", 502, NULL, NULL, false, 0,
                       1 };
    struct dcos_client *c = client();
    struct res r[3];
    int i;

    (void)state;
    fresh();
    rule_add(&rd);
    rule_add(&rp);
    rule_add(&rl);
    memset(r, 0, sizeof(r));
    assert_int_equal(dcos_cosmos_service_describe(c, "/elastic", on_res,
                                                  &r[0]),
                     0);
    assert_int_equal(dcos_cosmos_package_describe(c, "beta-elastic", NULL,
                                                  on_res, &r[1]),
                     0);
    assert_int_equal(dcos_cosmos_package_list(c, "beta-elastic", NULL,
                                              on_res, &r[2]),
                     0);
    assert_int_equal(dcos_client_run(c, 30), 0);
    for (i = 0; i < 3; i++) {
        if (r[i].done != 1 || r[i].code)
            fail_msg("call %d: %s", i, r[i].text);
        assert_int_equal(r[i].attempts, 2);
    }
    assert_int_equal(hits("POST", "/cosmos/service/describe"), 2);
    dcos_client_free(c);
}

/*
 * A cluster that stays down fails within attempts x request timeout:
 * refused connections (default backoff 1, 2, 4 s), and a cluster that
 * accepts but never answers (every attempt times out).
 */
static void test_down_cluster_bounded(void **state)
{
    struct rule hang = { "GET", "/dcos-metadata/", 0, NULL, NULL, false,
                         1500, -1 };
    struct dcos_client *c;
    struct res r;
    char url[64];
    double t0, took;

    (void)state;
    fresh();
    snprintf(url, sizeof(url), "https://127.0.0.1:%d", fake_closed_port());
    c = client_at(url, 3000, 0);
    assert_true(dcos_client_call_bound(c) > 11.99 &&
                dcos_client_call_bound(c) < 12.01);
    memset(&r, 0, sizeof(r));
    t0 = util_now_mono();
    assert_int_equal(dcos_version_get(c, on_res, &r), 0);
    run_one(c, &r);
    took = util_now_mono() - t0;
    assert_int_equal(r.code, ERR_TRANSIENT);
    assert_int_equal(r.attempts, 4);
    /* 1 + 2 + 4 s of backoff, never beyond 4 x 3 s (+ a margin for a
     * loaded machine). */
    if (took < 6.5 || took > 12.0 + 3.0)
        fail_msg("refused 4 times in %.2f s", took);
    assert_non_null(strstr(r.text, "(curl 7)"));
    dcos_client_free(c);

    /* Login against it: the waiting call fails with the login's error. */
    c = client_at(url, 3000, 20);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_iam_user_get(c, "elastic", on_res, &r), 0);
    run_one(c, &r);
    assert_int_equal(r.code, ERR_TRANSIENT);
    assert_int_equal(r.attempts, 0);
    assert_true(util_has_prefix(r.text, "login as bootstrapuser failed "
                                        "after 4 attempts in "));
    assert_non_null(strstr(r.text, "(curl 7) on POST https://"));
    /* The request it names is named in full, at the end. */
    assert_true(strlen(r.text) > strlen("/acs/api/v1/auth/login") &&
                strcmp(r.text + strlen(r.text) -
                           strlen("/acs/api/v1/auth/login"),
                       "/acs/api/v1/auth/login") == 0);
    dcos_client_free(c);

    /* Accepts, never answers in time: 400 ms attempts, bound 1.6 s. */
    rule_add(&hang);
    c = client_at(NULL, 400, 50);
    memset(&r, 0, sizeof(r));
    t0 = util_now_mono();
    assert_int_equal(dcos_version_get(c, on_res, &r), 0);
    run_one(c, &r);
    took = util_now_mono() - t0;
    assert_int_equal(r.code, ERR_TIMEOUT);
    /* 0.4 + 0.05 + 0.4 + 0.1 + 0.4 s; a 4th could not end by 1.6 s. */
    assert_int_equal(r.attempts, 3);
    if (took < 1.1 || took > 1.6 + 1.5)
        fail_msg("timed out 3 times in %.2f s", took);
    dcos_client_free(c);
    rules_clear();
}

typedef int (*write_fn)(struct dcos_client *c, struct res *r);

static int w_user_put(struct dcos_client *c, struct res *r)
{
    return dcos_iam_user_put(c, "elastic", NULL, "k", on_res, r);
}
static int w_secret_put(struct dcos_client *c, struct res *r)
{
    struct secret *v = secret_new_str(SECRET_VALUE);
    int x = dcos_secret_put(c, "elastic/secret", v, on_res, r);

    secret_free(v);
    return x;
}
static int w_install(struct dcos_client *c, struct res *r)
{
    return dcos_cosmos_package_install(c, "beta-elastic", NULL, NULL, on_res,
                                       r);
}
static int w_update(struct dcos_client *c, struct res *r)
{
    return dcos_cosmos_service_update(c, "/elastic", NULL, NULL, false,
                                      on_res, r);
}
static int w_member_put(struct dcos_client *c, struct res *r)
{
    return dcos_iam_group_user_put(c, "superusers", "elastic", on_res, r);
}
static int w_user_delete(struct dcos_client *c, struct res *r)
{
    return dcos_iam_user_delete(c, "elastic", on_res, r);
}
static int w_restart(struct dcos_client *c, struct res *r)
{
    return dcos_marathon_app_restart(c, "/elastic", false, on_res, r);
}

/*
 * A write is never replayed by the client, whatever the failure: an
 * empty reply after the request went out (ambiguous: it may have been
 * done), 502, 503 or 504.  Exactly one request reaches the cluster and the
 * caller gets the transient error to decide.
 */
static void test_write_not_replayed(void **state)
{
    static const struct {
        write_fn call;
        const char *method;
        const char *path;
    } writes[] = {
        { w_user_put, "PUT", "/acs/api/v1/users/elastic" },
        { w_secret_put, "PUT", "/secrets/v1/secret/default/elastic/secret" },
        { w_install, "POST", "/package/install" },
        { w_update, "POST", "/cosmos/service/update" },
        { w_member_put, "PUT",
          "/acs/api/v1/groups/superusers/users/elastic" },
        { w_user_delete, "DELETE", "/acs/api/v1/users/elastic" },
        { w_restart, "POST", "/service/marathon/v2/apps/elastic/restart" },
    };
    static const int statuses[] = { 0 /* reset */, 502, 503, 504 };
    struct dcos_client *c = client();
    struct res r;
    size_t i, j;

    (void)state;
    /* Log in first so that only the write is counted. */
    fresh();
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_client_login(c, on_res, &r), 0);
    run_one(c, &r);
    assert_int_equal(r.code, 0);
    for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
        for (j = 0; j < 4; j++) {
            struct rule f = { writes[i].method, writes[i].path, statuses[j],
                              NULL, NULL, statuses[j] == 0, 0, 1 };

            fresh();
            rule_add(&f);
            memset(&r, 0, sizeof(r));
            assert_int_equal(writes[i].call(c, &r), 0);
            run_one(c, &r);
            if (r.code != ERR_TRANSIENT || r.attempts != 1 ||
                hits(writes[i].method, writes[i].path) != 1)
                fail_msg("%s %s after %d: code %d, %u attempts, %zu "
                         "requests: %s",
                         writes[i].method, writes[i].path, statuses[j],
                         r.code, r.attempts,
                         hits(writes[i].method, writes[i].path), r.text);
            assert_int_equal(r.status, statuses[j]);
            if (statuses[j] == 0)
                assert_non_null(strstr(r.text, "(curl 52)"));
        }
    }
    dcos_client_free(c);
}

/* A 404 on the group-members read is no "group missing": IAM answers an
 * unknown group with 400 ERR_UNKNOWN_GROUP_ID. */
static void test_group_members_404_vs_400(void **state)
{
    static const char path[] = "/acs/api/v1/groups/superusers/users";
    struct rule unknown = { "GET", path, 400, "application/json",
                            "{\"title\":\"Bad Request\",\"description\":"
                            "\"Group with ID `superusers` not known.\","
                            "\"code\":\"ERR_UNKNOWN_GROUP_ID\"}",
                            false, 0, 1 };
    struct rule json404 = { "GET", path, 404, "application/json",
                            "{\"title\":\"Not Found\",\"description\":"
                            "\"The requested resource could not be found."
                            "\"}",
                            false, 0, 1 };
    struct rule html404 = { "GET", path, 404, NULL, NULL, false, 0, 1 };
    struct rule user404 = { "GET", "/acs/api/v1/users/elastic", 404,
                            "application/json", "{}", false, 0, 1 };
    struct dcos_client *c = client();
    struct res r;

    (void)state;
    fresh();
    rule_add(&unknown);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_iam_group_users_get(c, "superusers", true, on_res,
                                              &r),
                     0);
    run_one(c, &r);
    assert_int_equal(r.code, ERR_NOTFOUND);
    assert_non_null(strstr(r.text, "ERR_UNKNOWN_GROUP_ID"));

    fresh();
    rule_add(&json404);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_iam_group_users_get(c, "superusers", true, on_res,
                                              &r),
                     0);
    run_one(c, &r);
    assert_int_equal(r.code, ERR_INVALID);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.text, "HTTP 404 on GET /acs/api/v1/groups/"
                                   "superusers/users?type=service: not an "
                                   "IAM answer"));
    assert_non_null(strstr(r.text, "ERR_UNKNOWN_GROUP_ID"));
    assert_null(strstr(r.text, "does not exist"));

    fresh();
    rule_add(&html404);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_iam_group_users_get(c, "superusers", false,
                                              on_res, &r),
                     0);
    run_one(c, &r);
    assert_int_equal(r.code, ERR_INVALID);
    assert_non_null(strstr(r.text, "not an IAM answer"));

    /* Other reads keep their rule: a user 404 is "not found". */
    fresh();
    rule_add(&user404);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_iam_user_get(c, "elastic", on_res, &r), 0);
    run_one(c, &r);
    assert_int_equal(r.code, ERR_NOTFOUND);
    dcos_client_free(c);
}

/* A retry waiting for its backoff is completed, exactly once, when the
 * loop is cancelled or the client freed. */
static void test_cancel_during_backoff(void **state)
{
    struct rule down = { "GET", "/acs/api/v1/users/", 503, NULL, NULL,
                         false, 0, -1 };
    struct rule login = { "POST", "/acs/api/v1/auth/login", 503, NULL, NULL,
                          false, 0, -1 };
    struct dcos_client *c = client_at(NULL, 5000, 5000);
    struct res r, w;

    (void)state;
    fresh();
    rule_add(&down);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_client_login(c, on_res, &r), 0);
    run_one(c, &r);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_iam_user_get(c, "elastic", on_res, &r), 0);
    assert_int_equal(dcos_client_run(c, 0.5), ERR_TIMEOUT);
    assert_int_equal(r.done, 0);
    assert_true(http_loop_pending(dcos_client_loop(c)) == 1);
    http_loop_cancel_all(dcos_client_loop(c), ERR_TIMEOUT);
    assert_int_equal(r.done, 1);
    assert_int_equal(r.code, ERR_TIMEOUT);
    assert_non_null(strstr(r.text, "cancelled before a retry; last "
                                   "attempt: HTTP 503 on GET"));
    assert_int_equal(http_loop_pending(dcos_client_loop(c)), 0);
    dcos_client_free(c);

    /* A login in its backoff when the client is freed. */
    c = client_at(NULL, 5000, 5000);
    fresh();
    rule_add(&login);
    memset(&r, 0, sizeof(r));
    memset(&w, 0, sizeof(w));
    assert_int_equal(dcos_client_login(c, on_res, &w), 0);
    assert_int_equal(dcos_iam_user_get(c, "elastic", on_res, &r), 0);
    assert_int_equal(dcos_client_run(c, 0.5), ERR_TIMEOUT);
    dcos_client_free(c);
    assert_int_equal(w.done, 1);
    assert_int_equal(r.done, 1);
    assert_int_equal(w.code, ERR_INTERNAL);
    assert_int_equal(r.code, ERR_INTERNAL);
    rules_clear();
}

/* Retried requests that carry secrets (the login's password, the token,
 * a secret read) leave nothing in the trace. */
static void test_retries_keep_secrets_out(void **state)
{
    struct rule rl = { "POST", "/acs/api/v1/auth/login", 503, NULL, NULL,
                       false, 0, 2 };
    struct rule rs = { "GET", "/secrets/v1/secret/default/elastic/secret",
                       502, NULL, NULL, false, 0, 1 };
    struct dcos_client *c = client();
    char *trace = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&trace, &len);
    struct res r;

    (void)state;
    assert_non_null(f);
    fresh();
    rule_add(&rl);
    rule_add(&rs);
    dcos_client_set_trace(c, f);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_secret_get(c, "elastic/secret", on_res, &r), 0);
    run_one(c, &r);
    assert_int_equal(r.code, 0);
    assert_int_equal(r.attempts, 2);
    dcos_client_free(c);
    fclose(f);
    /* The trace ran for every attempt... */
    assert_int_equal(
        count_of(trace, "> POST /acs/api/v1/auth/login HTTP/1.1"), 3);
    assert_int_equal(count_of(trace, "> GET /secrets/v1/secret/default/"
                                          "elastic/secret HTTP/1.1"),
                     2);
    /* ... and shows no secret. */
    assert_null(strstr(trace, PASSWORD));
    assert_null(strstr(trace, TOKEN));
    assert_null(strstr(trace, SECRET_VALUE));
    free(trace);
}

static int setup(void **state)
{
    (void)state;
    pthread_mutex_init(&G.lock, NULL);
    if (dcos_global_init() || tpki_loopback(&pki, "retry CA") ||
        fake_start(&srv, pki.cert_pem, pki.key_pem, handler, NULL))
        return -1;
    snprintf(srv_url, sizeof(srv_url), "https://127.0.0.1:%d",
             fake_port(srv));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fake_stop(srv);
    tpki_free(&pki);
    dcos_global_cleanup();
    pthread_mutex_destroy(&G.lock);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls_handshake_cut_then_success),
        cmocka_unit_test(test_tls_refused_not_retried),
        cmocka_unit_test(test_5xx_on_reads_then_success),
        cmocka_unit_test(test_5xx_on_login_then_success),
        cmocka_unit_test(test_5xx_on_describe_then_success),
        cmocka_unit_test(test_down_cluster_bounded),
        cmocka_unit_test(test_write_not_replayed),
        cmocka_unit_test(test_group_members_404_vs_400),
        cmocka_unit_test(test_cancel_during_backoff),
        cmocka_unit_test(test_retries_keep_secrets_out),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
