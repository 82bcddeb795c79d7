/* Unit tests of the libcurl-multi/libev bridge against a loopback server. */
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "dcos/loop.h"
#include "fakesrv.h"
#include "tpki.h"

static struct tpki pki, other_pki;

/* Server behaviour chosen by the request path. */
static void handler(const struct fake_req *req, struct fake_reply *out,
                    void *arg)
{
    char buf[2048];

    (void)arg;
    if (util_has_prefix(req->path, "/delay/")) {
        long ms = 0;

        util_parse_long(&ms, req->path + 7, 0, 100000);
        out->delay_ms = (int)ms;
        fake_reply_set(out, 200, "application/json", "{\"ok\":true}");
    } else if (strcmp(req->path, "/big") == 0) {
        out->status = 200;
        out->ctype = "text/plain";
        out->len = 100000;
        out->body = malloc(out->len);
        memset(out->body, 'x', out->len);
    } else if (strcmp(req->path, "/auth") == 0) {
        fake_reply_set(out, 401, "text/html; charset=UTF-8",
                       "<html><head><title>401 Authorization Required"
                       "</title></head></html>");
        out->hdr_name = "WWW-Authenticate";
        out->hdr_value = "acsjwt";
    } else if (strcmp(req->path, "/reset") == 0) {
        out->reset = true;
    } else {
        snprintf(buf, sizeof(buf),
                 "{\"method\":\"%s\",\"path\":\"%s\",\"len\":%zu}",
                 req->method, req->path, req->body_len);
        fake_reply_set(out, 200, "application/json", buf);
    }
}

struct got {
    int done;
    long status;
    int code;
    int curl;
    char text[320];
    char body[4096];
    char ctype[128];
    char www[64];
    int have_cert;
    char subject[256];
    char issuer[256];
    char not_after[32];
    char sans[512];
};

static void on_done(struct http_response *r, void *payload)
{
    struct got *g = payload;
    size_t i;

    g->done++;
    g->status = r->status;
    g->code = r->err.code;
    g->curl = r->curl_code;
    snprintf(g->text, sizeof(g->text), "%s", r->err.text);
    snprintf(g->body, sizeof(g->body), "%s", buf_str(&r->body));
    snprintf(g->ctype, sizeof(g->ctype), "%s",
             r->content_type ? r->content_type : "");
    snprintf(g->www, sizeof(g->www), "%s",
             r->www_authenticate ? r->www_authenticate : "");
    g->have_cert = r->have_cert;
    if (r->have_cert) {
        snprintf(g->subject, sizeof(g->subject), "%s", r->cert.subject);
        snprintf(g->issuer, sizeof(g->issuer), "%s", r->cert.issuer);
        snprintf(g->not_after, sizeof(g->not_after), "%s",
                 r->cert.not_after);
        for (i = 0; i < r->cert.n_sans; i++) {
            strncat(g->sans, r->cert.sans[i],
                    sizeof(g->sans) - strlen(g->sans) - 2);
            strcat(g->sans, " ");
        }
    }
}

static struct http_request *mkreq(const char *method, const char *url,
                                  const char *ca)
{
    struct http_request *req = NULL;

    assert_int_equal(http_request_new(&req, method, url), 0);
    if (ca)
        assert_int_equal(http_request_set_ca_pem(req, ca), 0);
    return req;
}

static void run_one(struct http_loop *loop, struct http_request *req,
                    struct got *g)
{
    memset(g, 0, sizeof(*g));
    assert_int_equal(http_loop_submit(loop, req, on_done, g), 0);
    assert_int_equal(http_loop_run(loop, util_now_mono() + 20), 0);
    assert_int_equal(g->done, 1);
}

static struct fake_srv *tls_srv(void)
{
    struct fake_srv *s = NULL;

    assert_int_equal(fake_start(&s, pki.cert_pem, pki.key_pem, handler,
                                NULL),
                     0);
    return s;
}

static void url_of(char *out, size_t n, struct fake_srv *s, const char *host,
                   const char *path)
{
    snprintf(out, n, "https://%s:%d%s", host, fake_port(s), path);
}

static void test_parallel_requests(void **state)
{
    struct fake_srv *s = tls_srv();
    struct http_loop *loop = NULL;
    struct got g[50];
    char url[256];
    int i;

    (void)state;
    assert_int_equal(http_loop_new(&loop, NULL, 8), 0);
    memset(g, 0, sizeof(g));
    for (i = 0; i < 50; i++) {
        char path[64];

        snprintf(path, sizeof(path), "/item/%d", i);
        url_of(url, sizeof(url), s, "127.0.0.1", path);
        assert_int_equal(http_loop_submit(loop, mkreq("GET", url, pki.ca_pem),
                                          on_done, &g[i]),
                         0);
    }
    assert_int_equal(http_loop_pending(loop), 50);
    assert_int_equal(http_loop_run(loop, util_now_mono() + 30), 0);
    for (i = 0; i < 50; i++) {
        char want[64];

        assert_int_equal(g[i].done, 1);
        assert_int_equal(g[i].code, 0);
        assert_int_equal(g[i].status, 200);
        snprintf(want, sizeof(want), "\"path\":\"/item/%d\"", i);
        assert_non_null(strstr(g[i].body, want));
        assert_string_equal(g[i].ctype, "application/json");
    }
    assert_int_equal(http_loop_pending(loop), 0);
    assert_true(http_loop_peak_transfers(loop) <= 8);
    assert_true(http_loop_peak_transfers(loop) >= 2);
    assert_int_equal(fake_count(s), 50);
    http_loop_free(loop);
    fake_stop(s);
}

static void test_bounded_concurrency(void **state)
{
    struct fake_srv *s = tls_srv();
    struct http_loop *loop = NULL;
    struct got g[12];
    char url[256];
    double t0;
    int i;

    (void)state;
    assert_int_equal(http_loop_new(&loop, NULL, 3), 0);
    memset(g, 0, sizeof(g));
    url_of(url, sizeof(url), s, "127.0.0.1", "/delay/200");
    t0 = util_now_mono();
    for (i = 0; i < 12; i++)
        assert_int_equal(http_loop_submit(loop, mkreq("GET", url, pki.ca_pem),
                                          on_done, &g[i]),
                         0);
    assert_int_equal(http_loop_run(loop, util_now_mono() + 30), 0);
    for (i = 0; i < 12; i++) {
        assert_int_equal(g[i].code, 0);
        assert_int_equal(g[i].status, 200);
    }
    /* Never more than 3 at once, and really 3 in parallel. */
    assert_int_equal(fake_peak(s), 3);
    assert_int_equal(http_loop_peak_transfers(loop), 3);
    /* 12 requests, 3 at a time, 200 ms each: at least 4 rounds. */
    assert_true(util_now_mono() - t0 >= 0.75);
    http_loop_free(loop);
    fake_stop(s);
}

static void test_refused(void **state)
{
    struct http_loop *loop = NULL;
    struct got g;
    char url[128];

    (void)state;
    assert_int_equal(http_loop_new(&loop, NULL, 0), 0);
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/x", fake_closed_port());
    run_one(loop, mkreq("GET", url, pki.ca_pem), &g);
    assert_int_equal(g.curl, 7);
    assert_int_equal(g.code, ERR_TRANSIENT);
    assert_int_equal(g.status, 0);
    assert_non_null(strstr(g.text, "(curl 7)"));
    assert_null(strchr(g.text, '\n'));
    http_loop_free(loop);
}

static void test_timeout(void **state)
{
    struct fake_srv *s = tls_srv();
    struct http_loop *loop = NULL;
    struct http_request *req;
    struct got g;
    char url[256];

    (void)state;
    assert_int_equal(http_loop_new(&loop, NULL, 0), 0);
    url_of(url, sizeof(url), s, "127.0.0.1", "/delay/2000");
    req = mkreq("GET", url, pki.ca_pem);
    http_request_set_timeouts(req, 1000, 300);
    run_one(loop, req, &g);
    assert_int_equal(g.curl, 28);
    assert_int_equal(g.code, ERR_TIMEOUT);
    http_loop_free(loop);
    fake_stop(s);
}

static void test_response_cap(void **state)
{
    struct fake_srv *s = tls_srv();
    struct http_loop *loop = NULL;
    struct http_request *req;
    struct got g;
    char url[256];

    (void)state;
    assert_int_equal(http_loop_new(&loop, NULL, 0), 0);
    url_of(url, sizeof(url), s, "127.0.0.1", "/big");
    req = mkreq("GET", url, pki.ca_pem);
    http_request_set_max_response(req, 1000);
    run_one(loop, req, &g);
    assert_int_equal(g.code, ERR_INVALID);
    assert_non_null(strstr(g.text, "larger than 1000 bytes"));
    /* Under the cap the same body arrives whole. */
    req = mkreq("GET", url, pki.ca_pem);
    http_request_set_max_response(req, 200000);
    run_one(loop, req, &g);
    assert_int_equal(g.code, 0);
    assert_int_equal(g.status, 200);
    http_loop_free(loop);
    fake_stop(s);
}

static void test_deadline(void **state)
{
    struct fake_srv *s = tls_srv();
    struct http_loop *loop = NULL;
    struct got g;
    char url[256];

    (void)state;
    memset(&g, 0, sizeof(g));
    assert_int_equal(http_loop_new(&loop, NULL, 0), 0);
    url_of(url, sizeof(url), s, "127.0.0.1", "/delay/800");
    assert_int_equal(http_loop_submit(loop, mkreq("GET", url, pki.ca_pem),
                                      on_done, &g),
                     0);
    assert_int_equal(http_loop_run(loop, util_now_mono() + 0.1),
                     ERR_TIMEOUT);
    assert_int_equal(g.done, 0);
    assert_int_equal(http_loop_pending(loop), 1);
    /* The request is still there and completes on the next run. */
    assert_int_equal(http_loop_run(loop, util_now_mono() + 10), 0);
    assert_int_equal(g.done, 1);
    assert_int_equal(g.status, 200);
    http_loop_free(loop);
    fake_stop(s);
}

static void test_wrong_ca(void **state)
{
    struct fake_srv *s = tls_srv();
    struct http_loop *loop = NULL;
    struct got g;
    char url[256];

    (void)state;
    assert_int_equal(http_loop_new(&loop, NULL, 0), 0);
    url_of(url, sizeof(url), s, "127.0.0.1", "/x");
    run_one(loop, mkreq("GET", url, other_pki.ca_pem), &g);
    assert_int_equal(g.curl, 60);
    assert_int_equal(g.code, ERR_INVALID);
    assert_non_null(strstr(g.text, "certificate"));
    assert_int_equal(fake_count(s), 0);
    http_loop_free(loop);
    fake_stop(s);
}

static void test_connect_to_and_cert(void **state)
{
    struct fake_srv *s = tls_srv();
    struct http_loop *loop = NULL;
    struct http_request *req;
    struct got g;
    char url[256], ct[256];

    (void)state;
    assert_int_equal(http_loop_new(&loop, NULL, 0), 0);
    snprintf(url, sizeof(url),
             "https://coordinator.elastic.l4lb.thisdcos.directory:9200/");
    snprintf(ct, sizeof(ct),
             "coordinator.elastic.l4lb.thisdcos.directory:9200:127.0.0.1:%d",
             fake_port(s));
    req = mkreq("GET", url, pki.ca_pem);
    assert_int_equal(http_request_set_connect_to(req, ct), 0);
    http_request_want_cert(req);
    run_one(loop, req, &g);
    assert_int_equal(g.code, 0);
    assert_int_equal(g.status, 200);
    assert_true(g.have_cert);
    assert_non_null(strstr(g.subject, "CN=coordinator-0-node.elastic"));
    assert_non_null(strstr(g.issuer, "CN=test cluster CA"));
    assert_non_null(
        strstr(g.sans, "DNS:coordinator.elastic.l4lb.thisdcos.directory"));
    assert_non_null(strstr(g.sans, "IP:127.0.0.2"));
    assert_int_equal(strlen(g.not_after), 20);
    assert_int_equal(g.not_after[19], 'Z');
    http_loop_free(loop);
    fake_stop(s);
}

static void test_hostname_mismatch(void **state)
{
    struct fake_srv *s = NULL;
    struct tpki p2;
    struct http_loop *loop = NULL;
    struct got g;
    char url[256];
    static const char *const dns[] = { "node.example.test" };

    (void)state;
    /* The certificate names only a DNS name: 127.0.0.1 must not verify. */
    assert_int_equal(tpki_make(&p2, "ca2", "node", dns, 1, NULL, 0), 0);
    assert_int_equal(fake_start(&s, p2.cert_pem, p2.key_pem, handler, NULL),
                     0);
    assert_int_equal(http_loop_new(&loop, NULL, 0), 0);
    url_of(url, sizeof(url), s, "127.0.0.1", "/");
    run_one(loop, mkreq("GET", url, p2.ca_pem), &g);
    assert_int_equal(g.code, ERR_INVALID);
    assert_int_equal(g.curl, 60);
    http_loop_free(loop);
    fake_stop(s);
    tpki_free(&p2);
}

static void test_https_only_by_default(void **state)
{
    struct fake_srv *s = NULL;
    struct http_loop *loop = NULL;
    struct http_request *req;
    struct got g;
    char url[256];

    (void)state;
    assert_int_equal(fake_start(&s, NULL, NULL, handler, NULL), 0);
    assert_int_equal(http_loop_new(&loop, NULL, 0), 0);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/plain", fake_port(s));
    run_one(loop, mkreq("GET", url, NULL), &g);
    assert_int_equal(g.curl, 1);
    assert_int_equal(g.code, ERR_INVALID);
    assert_int_equal(fake_count(s), 0);
    req = mkreq("GET", url, NULL);
    http_request_allow_plain_http(req);
    run_one(loop, req, &g);
    assert_int_equal(g.code, 0);
    assert_int_equal(g.status, 200);
    http_loop_free(loop);
    fake_stop(s);
}

static void test_methods_and_headers(void **state)
{
    struct fake_srv *s = tls_srv();
    struct http_loop *loop = NULL;
    struct http_request *req;
    const struct fake_req *fr;
    struct got g;
    char url[256];

    (void)state;
    assert_int_equal(http_loop_new(&loop, NULL, 0), 0);
    url_of(url, sizeof(url), s, "127.0.0.1", "/groups/g/users/u");
    /* PUT without a body: no invented form content type. */
    run_one(loop, mkreq("PUT", url, pki.ca_pem), &g);
    assert_int_equal(g.status, 200);
    fr = fake_get(s, 0);
    assert_string_equal(fr->method, "PUT");
    assert_string_equal(fr->ctype, "");
    assert_int_equal(fr->body_len, 0);

    req = mkreq("POST", url, pki.ca_pem);
    assert_int_equal(http_request_add_header(req, "Content-Type",
                                             "application/json"),
                     0);
    assert_int_equal(http_request_set_body(req, "{\"a\":1}", 7, false), 0);
    run_one(loop, req, &g);
    fr = fake_get(s, 1);
    assert_string_equal(fr->method, "POST");
    assert_string_equal(fr->ctype, "application/json");
    assert_string_equal(fr->body, "{\"a\":1}");

    req = mkreq("PATCH", url, pki.ca_pem);
    assert_int_equal(http_request_set_body(req, "{}", 2, true), 0);
    run_one(loop, req, &g);
    fr = fake_get(s, 2);
    assert_string_equal(fr->method, "PATCH");
    assert_string_equal(fr->body, "{}");

    run_one(loop, mkreq("DELETE", url, pki.ca_pem), &g);
    assert_string_equal(fake_get(s, 3)->method, "DELETE");
    run_one(loop, mkreq("HEAD", url, pki.ca_pem), &g);
    assert_string_equal(fake_get(s, 4)->method, "HEAD");
    assert_int_equal(g.status, 200);

    url_of(url, sizeof(url), s, "127.0.0.1", "/auth");
    run_one(loop, mkreq("GET", url, pki.ca_pem), &g);
    assert_int_equal(g.status, 401);
    assert_int_equal(g.code, 0); /* transport fine; status is the caller's */
    assert_string_equal(g.www, "acsjwt");
    assert_string_equal(g.ctype, "text/html; charset=UTF-8");

    url_of(url, sizeof(url), s, "127.0.0.1", "/reset");
    run_one(loop, mkreq("GET", url, pki.ca_pem), &g);
    assert_int_equal(g.code, ERR_TRANSIENT);
    assert_int_equal(g.curl, 52);

    assert_int_equal(http_request_new(&req, "FETCH", url), ERR_INVALID);
    http_loop_free(loop);
    fake_stop(s);
}

static void test_trace_redacts(void **state)
{
    static const char token[] = "tok-CANARY-3f9a1c";
    static const char pw[] = "pw-CANARY-77ee";
    struct fake_srv *s = tls_srv();
    struct http_loop *loop = NULL;
    struct http_request *req;
    struct secret *tok = secret_new_str(token), *pass = secret_new_str(pw);
    struct got g;
    char url[256], *text = NULL;
    size_t len = 0;
    char path[] = "/tmp/etls-trace-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w+");

    (void)state;
    assert_non_null(f);
    assert_int_equal(http_loop_new(&loop, NULL, 0), 0);
    http_loop_set_trace(loop, f);
    url_of(url, sizeof(url), s, "127.0.0.1", "/echo");
    req = mkreq("POST", url, pki.ca_pem);
    assert_int_equal(http_request_add_secret_header(req, "Authorization",
                                                    "token=", tok),
                     0);
    assert_int_equal(http_request_add_header(req, "Cookie",
                                             "dcos-acs-auth-cookie=c00kie"),
                     0);
    assert_int_equal(http_request_set_body(req, pw, strlen(pw), true), 0);
    run_one(loop, req, &g);
    assert_int_equal(g.status, 200);
    /* The server really got the token. */
    assert_non_null(strstr(fake_get(s, 0)->auth, token));

    req = mkreq("GET", url, pki.ca_pem);
    assert_int_equal(http_request_basic_auth(req, "elastic", pass), 0);
    run_one(loop, req, &g);
    assert_non_null(strstr(fake_get(s, 1)->auth, "Basic "));

    /* A normal body is traced. */
    req = mkreq("POST", url, pki.ca_pem);
    assert_int_equal(http_request_set_body(req, "visible-body", 12, false),
                     0);
    run_one(loop, req, &g);
    fflush(f);
    assert_int_equal(util_read_file(&text, &len, path, 1 << 20), 0);
    assert_null(strstr(text, token));
    assert_null(strstr(text, pw));
    assert_null(strstr(text, "c00kie"));
    assert_null(strstr(text, "ZWxhc3RpYzpwdy1DQU5BUlktNzdlZQ")); /* b64 */
    assert_non_null(strstr(text, "Authorization: <redacted>"));
    assert_non_null(strstr(text, "Cookie: <redacted>"));
    assert_non_null(strstr(text, "bytes redacted]"));
    assert_non_null(strstr(text, "visible-body"));
    assert_non_null(strstr(text, "> POST /echo HTTP/1.1"));
    free(text);
    fclose(f);
    unlink(path);
    secret_free(tok);
    secret_free(pass);
    http_loop_free(loop);
    fake_stop(s);
}

struct chain {
    struct http_loop *loop;
    char url[256];
    int left;
    int done;
};

static void chain_done(struct http_response *r, void *payload)
{
    struct chain *c = payload;
    struct http_request *req = NULL;

    assert_int_equal(r->status, 200);
    c->done++;
    if (--c->left > 0) {
        assert_int_equal(http_request_new(&req, "GET", c->url), 0);
        assert_int_equal(http_request_set_ca_pem(req, pki.ca_pem), 0);
        assert_int_equal(http_loop_submit(c->loop, req, chain_done, c), 0);
    }
}

static void test_submit_from_callback(void **state)
{
    struct fake_srv *s = tls_srv();
    struct chain c;

    (void)state;
    memset(&c, 0, sizeof(c));
    assert_int_equal(http_loop_new(&c.loop, NULL, 1), 0);
    url_of(c.url, sizeof(c.url), s, "127.0.0.1", "/chain");
    c.left = 5;
    assert_int_equal(http_loop_submit(c.loop, mkreq("GET", c.url, pki.ca_pem),
                                      chain_done, &c),
                     0);
    assert_int_equal(http_loop_run(c.loop, util_now_mono() + 20), 0);
    assert_int_equal(c.done, 5);
    http_loop_free(c.loop);
    fake_stop(s);
}

static void test_cancel_all(void **state)
{
    struct fake_srv *s = tls_srv();
    struct http_loop *loop = NULL;
    struct got g[4];
    char url[256];
    int i;

    (void)state;
    memset(g, 0, sizeof(g));
    assert_int_equal(http_loop_new(&loop, NULL, 2), 0);
    url_of(url, sizeof(url), s, "127.0.0.1", "/delay/3000");
    for (i = 0; i < 4; i++)
        assert_int_equal(http_loop_submit(loop, mkreq("GET", url, pki.ca_pem),
                                          on_done, &g[i]),
                         0);
    assert_int_equal(http_loop_run(loop, util_now_mono() + 0.2),
                     ERR_TIMEOUT);
    http_loop_cancel_all(loop, ERR_TIMEOUT);
    for (i = 0; i < 4; i++) {
        assert_int_equal(g[i].done, 1);
        assert_int_equal(g[i].code, ERR_TIMEOUT);
        assert_non_null(strstr(g[i].text, "request cancelled"));
    }
    assert_int_equal(http_loop_pending(loop), 0);
    http_loop_free(loop);
    fake_stop(s);
}

struct job {
    pthread_t loop_thread;
    pthread_t work_thread;
    int done;
    int status;
};

static void job_work(void *arg)
{
    struct job *j = arg;

    j->work_thread = pthread_self();
    usleep(50000);
}

static void job_done(void *arg, int status)
{
    struct job *j = arg;

    assert_true(pthread_equal(pthread_self(), j->loop_thread));
    j->done++;
    j->status = status;
}

static void test_jobs(void **state)
{
    struct http_loop *loop = NULL;
    struct job j[5];
    int i;

    (void)state;
    memset(j, 0, sizeof(j));
    assert_int_equal(http_loop_new(&loop, NULL, 0), 0);
    for (i = 0; i < 5; i++) {
        j[i].loop_thread = pthread_self();
        assert_int_equal(http_loop_job(loop, job_work, job_done, &j[i]), 0);
    }
    assert_int_equal(http_loop_pending(loop), 5);
    assert_int_equal(http_loop_run(loop, util_now_mono() + 10), 0);
    for (i = 0; i < 5; i++) {
        assert_int_equal(j[i].done, 1);
        assert_int_equal(j[i].status, 0);
        assert_false(pthread_equal(j[i].work_thread, pthread_self()));
    }
    /* Jobs pending at free are completed as cancelled. */
    memset(j, 0, sizeof(j));
    for (i = 0; i < 3; i++) {
        j[i].loop_thread = pthread_self();
        assert_int_equal(http_loop_job(loop, job_work, job_done, &j[i]), 0);
    }
    http_loop_free(loop);
    for (i = 0; i < 3; i++) {
        assert_int_equal(j[i].done, 1);
        assert_int_equal(j[i].status, ERR_INTERNAL);
    }
}

struct deferred {
    int calls;
    int code;
    double at;
    struct http_loop *loop;
    bool resubmit;         /* defer again from the callback */
};

static void on_deferred(void *arg, int cancel_code)
{
    struct deferred *d = arg;

    d->calls++;
    d->code = cancel_code;
    d->at = util_now_mono();
    if (d->resubmit && !cancel_code) {
        d->resubmit = false;
        assert_int_equal(http_loop_defer(d->loop, 0.05, on_deferred, d), 0);
    }
}

/* Deferred callbacks: run after their delay, keep http_loop_run going,
 * may defer again; cancel_all and free run them with their code. */
static void test_defer(void **state)
{
    struct http_loop *loop = NULL;
    struct deferred a, b;
    double t0;

    (void)state;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    assert_int_equal(http_loop_new(&loop, NULL, 0), 0);
    a.loop = b.loop = loop;
    a.resubmit = true;
    t0 = util_now_mono();
    assert_int_equal(http_loop_defer(loop, 0.2, on_deferred, &a), 0);
    assert_int_equal(http_loop_defer(loop, 0.1, on_deferred, &b), 0);
    assert_int_equal(http_loop_pending(loop), 2);
    assert_int_equal(http_loop_run(loop, util_now_mono() + 10), 0);
    assert_int_equal(a.calls, 2);
    assert_int_equal(b.calls, 1);
    assert_int_equal(a.code, 0);
    assert_true(b.at - t0 >= 0.09 && b.at < a.at);
    assert_true(a.at - t0 >= 0.24);
    assert_int_equal(http_loop_pending(loop), 0);

    /* Cancelled: at once, with the code, exactly once. */
    memset(&a, 0, sizeof(a));
    a.loop = loop;
    assert_int_equal(http_loop_defer(loop, 30, on_deferred, &a), 0);
    assert_int_equal(http_loop_run(loop, util_now_mono() + 0.05),
                     ERR_TIMEOUT);
    http_loop_cancel_all(loop, ERR_TIMEOUT);
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.code, ERR_TIMEOUT);
    assert_int_equal(http_loop_pending(loop), 0);

    /* Freed with one waiting. */
    memset(&a, 0, sizeof(a));
    assert_int_equal(http_loop_defer(loop, 30, on_deferred, &a), 0);
    http_loop_free(loop);
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.code, ERR_INTERNAL);
}

/* Three requests at once, each held 150 ms: three connections. */
static void three_at_once(struct http_loop *loop, struct fake_srv *s)
{
    struct got g[3];
    char url[256];
    int i;

    memset(g, 0, sizeof(g));
    url_of(url, sizeof(url), s, "127.0.0.1", "/delay/150");
    for (i = 0; i < 3; i++)
        assert_int_equal(http_loop_submit(loop,
                                          mkreq("GET", url, pki.ca_pem),
                                          on_done, &g[i]),
                         0);
    assert_int_equal(http_loop_run(loop, util_now_mono() + 20), 0);
    for (i = 0; i < 3; i++)
        assert_int_equal(g[i].status, 200);
}

static void on_tick(void *arg, int code)
{
    (void)arg;
    (void)code;
}

/* Let the loop turn once (the idle close runs on it). */
static void turn(struct http_loop *loop)
{
    assert_int_equal(http_loop_defer(loop, 0.01, on_tick, NULL), 0);
    assert_int_equal(http_loop_run(loop, util_now_mono() + 5), 0);
}

static void test_close_idle(void **state)
{
    struct fake_srv *s = tls_srv();
    struct http_loop *loop = NULL;

    (void)state;
    assert_int_equal(http_loop_new(&loop, NULL, 8), 0);
    three_at_once(loop, s);
    assert_int_equal(fake_accepts(s), 3);
    three_at_once(loop, s); /* kept: reused */
    assert_int_equal(fake_accepts(s), 3);

    /* A transfer started before the close ran keeps the connections. */
    http_loop_close_idle(loop);
    three_at_once(loop, s);
    assert_int_equal(fake_accepts(s), 3);

    /* Closed while idle: the next requests connect anew. */
    http_loop_close_idle(loop);
    turn(loop);
    three_at_once(loop, s);
    assert_int_equal(fake_accepts(s), 6);
    three_at_once(loop, s);
    assert_int_equal(fake_accepts(s), 6);

    /* Twice in a row, then freed with the close still to run. */
    http_loop_close_idle(loop);
    http_loop_close_idle(loop);
    turn(loop);
    three_at_once(loop, s);
    assert_int_equal(fake_accepts(s), 9);
    http_loop_close_idle(loop);
    http_loop_free(loop);
    fake_stop(s);
}

/* Many requests trust one shared CA bundle (blob.h); the last reference
 * frees it, after the requests that hold it. */
static void test_ca_blob(void **state)
{
    struct fake_srv *s = tls_srv();
    struct http_loop *loop = NULL;
    struct http_blob *ca = http_blob_new(pki.ca_pem);
    struct http_blob *other = http_blob_new(other_pki.ca_pem);
    struct http_request *req;
    struct got g[4];
    char url[256];
    int i;

    (void)state;
    assert_non_null(ca);
    assert_non_null(other);
    assert_string_equal(http_blob_str(ca), pki.ca_pem);
    assert_int_equal(http_blob_len(ca), strlen(pki.ca_pem));
    assert_int_equal(http_loop_new(&loop, NULL, 8), 0);
    memset(g, 0, sizeof(g));
    url_of(url, sizeof(url), s, "127.0.0.1", "/item/1");
    for (i = 0; i < 4; i++) {
        req = mkreq("GET", url, NULL);
        http_request_set_ca_blob(req, i < 3 ? ca : other);
        assert_int_equal(http_loop_submit(loop, req, on_done, &g[i]), 0);
    }
    http_blob_unref(ca); /* the requests hold it now */
    http_blob_unref(other);
    assert_int_equal(http_loop_run(loop, util_now_mono() + 20), 0);
    for (i = 0; i < 3; i++) {
        assert_int_equal(g[i].code, 0);
        assert_int_equal(g[i].status, 200);
    }
    /* Another CA: refused, even with verified connections to reuse. */
    assert_int_equal(g[3].curl, 60);
    assert_int_equal(g[3].code, ERR_INVALID);
    http_blob_unref(NULL);
    assert_null(http_blob_ref(NULL));
    http_loop_free(loop);
    fake_stop(s);
}

static void test_err_mapping(void **state)
{
    static const struct {
        const char *text;
        int want;
    } tls35[] = {
        { "OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to h:443 ",
          ERR_TRANSIENT },
        { "OpenSSL SSL_connect: Connection reset by peer in connection to "
          "h:443 ",
          ERR_TRANSIENT },
        { "error:0A000126:SSL routines::unexpected eof while reading",
          ERR_TRANSIENT },
        { "error:0A00010B:SSL routines::wrong version number", ERR_INVALID },
        { "error:0A000410:SSL routines::sslv3 alert handshake failure",
          ERR_INVALID },
    };
    struct err_info e;
    size_t i;

    (void)state;
    memset(&e, 0, sizeof(e));
    assert_int_equal(http_err_from_curl(&e, 0, "", "GET", "u", false, 0), 0);
    assert_int_equal(http_err_from_curl(&e, 6, "", "GET", "u", false, 0),
                     ERR_TRANSIENT);
    assert_int_equal(http_err_from_curl(&e, 7, "", "GET", "u", false, 0),
                     ERR_TRANSIENT);
    assert_int_equal(http_err_from_curl(&e, 52, "", "GET", "u", false, 0),
                     ERR_TRANSIENT);
    assert_int_equal(http_err_from_curl(&e, 28, "", "GET", "u", false, 0),
                     ERR_TIMEOUT);
    assert_int_equal(http_err_from_curl(&e, 60, "", "GET", "u", false, 0),
                     ERR_INVALID);
    assert_int_equal(http_err_from_curl(&e, 35, "", "GET", "u", false, 0),
                     ERR_INVALID);
    /* curl 35: a handshake the peer cut is transient, a refused one not. */
    for (i = 0; i < sizeof(tls35) / sizeof(tls35[0]); i++) {
        assert_int_equal(http_err_from_curl(&e, 35, tls35[i].text, "GET",
                                            "u", false, 0),
                         tls35[i].want);
        assert_non_null(strstr(e.text, "(curl 35)"));
    }
    assert_int_equal(http_err_from_curl(&e, 23, "", "GET", "u", true, 9),
                     ERR_INVALID);
    assert_non_null(strstr(e.text, "larger than 9 bytes"));
    assert_int_equal(http_err_from_curl(&e, 27, "", "GET", "u", false, 0),
                     ERR_NOMEM);
}

static int setup(void **state)
{
    static const char *const dns[] = {
        "localhost", "coordinator.elastic.l4lb.thisdcos.directory",
        "coordinator-0-node.elastic.autoip.dcos.thisdcos.directory"
    };
    static const char *const ips[] = { "127.0.0.1", "127.0.0.2" };

    (void)state;
    if (http_global_init())
        return -1;
    if (tpki_make(&pki, "test cluster CA",
                  "coordinator-0-node.elastic", dns, 3, ips, 2))
        return -1;
    return tpki_make(&other_pki, "another CA", "x", dns, 1, ips, 1);
}

static int teardown(void **state)
{
    (void)state;
    tpki_free(&pki);
    tpki_free(&other_pki);
    http_global_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parallel_requests),
        cmocka_unit_test(test_bounded_concurrency),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_response_cap),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_wrong_ca),
        cmocka_unit_test(test_connect_to_and_cert),
        cmocka_unit_test(test_hostname_mismatch),
        cmocka_unit_test(test_https_only_by_default),
        cmocka_unit_test(test_methods_and_headers),
        cmocka_unit_test(test_trace_redacts),
        cmocka_unit_test(test_submit_from_callback),
        cmocka_unit_test(test_cancel_all),
        cmocka_unit_test(test_jobs),
        cmocka_unit_test(test_defer),
        cmocka_unit_test(test_close_idle),
        cmocka_unit_test(test_ca_blob),
        cmocka_unit_test(test_err_mapping),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
