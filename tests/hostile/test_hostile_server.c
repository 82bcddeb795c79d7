/*
 * Hostile servers (issue 10): `etls plan` against a loopback HTTPS server
 * (tests/unit/dcos/fakesrv.c, certificates made with OpenSSL at run time
 * by tpki.c) that logs it in and then misbehaves: truncated JSON, wrong
 * types, an empty body, a body over the response cap, no answer within
 * the request timeout, connection resets, a redirect to another host, a
 * 500 that echoes the request headers (the token), a login 400 that
 * echoes the login body (the password), a 401 to everything; and four bad
 * certificates: another CA, another name, expired, self-signed.
 *
 * Each case: etls exits 1 (an error, never a crash or a plan) within a
 * bound, and neither the password nor the token appears in stdout or
 * stderr, which carries the --trace and debug log.  Prints
 * "hostile servers: N/M failed cleanly" for scripts/hardening.sh.
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "e2e/etls/etls_testutil.h"
#include "fakesrv.h"
#include "harness/h_file.h"
#include "tpki.h"

#define PASSWORD "pw-HOSTILE-4d1e-Canary"
#define TOKEN "tok-HOSTILE-77aa0c19e5f3b2d4c6a8e0f1"
#define BOUND_S 90.0
#define OVER_CAP (17u * 1024u * 1024u) /* HTTP_DEFAULT_MAX_RESPONSE + 1 MiB */

enum mode {
    M_TRUNCATED, M_TYPES, M_EMPTY, M_OVER_CAP, M_SLOW, M_RESET, M_REDIRECT,
    M_ECHO_HEADERS, M_ECHO_LOGIN, M_DENY, M_N
};
static const char *const mode_names[M_N] = {
    "truncated JSON", "wrong types", "empty body", "body over the cap",
    "no answer in time", "connection reset", "redirect to another host",
    "500 echoing the token", "login 400 echoing the password",
    "401 to everything"
};

static volatile int g_mode;
static const char *g_ca; /* the CA PEM the server serves */
static char g_dir[] = "/tmp/etls-hostile-srv-XXXXXX";
static char *g_doc, *g_pw_file;
static size_t g_total, g_clean;

static void handler(const struct fake_req *req, struct fake_reply *out,
                    void *arg)
{
    bool login = strcmp(req->path, "/acs/api/v1/auth/login") == 0;
    char *b;

    (void)arg;
    /* The public bootstrap answers are sound (etls reads them first), so
     * that the hostile answers reach the IAM, secrets and Cosmos parsers;
     * the transport cases hit them too. */
    if (g_mode < M_OVER_CAP || g_mode == M_ECHO_HEADERS ||
        g_mode == M_ECHO_LOGIN || g_mode == M_DENY) {
        if (strcmp(req->path, "/ca/dcos-ca.crt") == 0) {
            fake_reply_set(out, 200, "application/x-x509-ca-cert", g_ca);
            return;
        }
        if (strcmp(req->path, "/dcos-metadata/dcos-version.json") == 0) {
            fake_reply_set(out, 200, "application/json",
                           "{\"version\":\"2.2.0\",\"dcos-variant\":"
                           "\"enterprise\",\"dcos-image-commit\":\"x\","
                           "\"bootstrap-id\":\"y\"}");
            return;
        }
    }
    if (g_mode == M_REDIRECT) {
        fake_reply_set(out, 307, "text/plain", "moved");
        out->hdr_name = "Location";
        out->hdr_value = "https://evil.example.invalid/acs/api/v1/auth/login";
        return;
    }
    if (g_mode == M_DENY) {
        fake_reply_set(out, 401, "application/json",
                       "{\"code\":\"ERR_INVALID_CREDENTIALS\","
                       "\"description\":\"no\"}");
        return;
    }
    if (login) {
        if (g_mode == M_ECHO_LOGIN) {
            b = util_format("bad request: %s", req->body);
            fake_reply_set(out, 400, "text/plain", b);
            free(b);
        } else {
            fake_reply_set(out, 200, "application/json",
                           "{\"token\":\"" TOKEN "\"}");
        }
        return;
    }
    switch (g_mode) {
    case M_TRUNCATED:
        fake_reply_set(out, 200, "application/json",
                       "{\"array\":[{\"uid\":\"ela");
        break;
    case M_TYPES:
        fake_reply_set(out, 200, "application/json",
                       "{\"uid\":5,\"public_key\":[],\"array\":\"x\","
                       "\"packages\":7,\"version\":{},\"value\":1,"
                       "\"apps\":null,\"app\":[],\"users\":true}");
        break;
    case M_EMPTY:
        fake_reply_set(out, 200, "application/json", "");
        break;
    case M_OVER_CAP:
        b = malloc(OVER_CAP + 1);
        assert_non_null(b);
        memset(b, ' ', OVER_CAP);
        b[0] = '[';
        b[OVER_CAP - 1] = ']';
        b[OVER_CAP] = '\0';
        out->status = 200;
        out->ctype = "application/json";
        out->body = b;
        out->len = OVER_CAP;
        break;
    case M_SLOW:
        fake_reply_set(out, 200, "application/json", "{}");
        out->delay_ms = 4000; /* past --request-timeout 1s */
        break;
    case M_RESET:
        out->reset = true;
        break;
    default: /* M_ECHO_HEADERS */
        b = util_format("internal error in %s %s; headers: "
                        "Authorization: %s", req->method, req->path,
                        req->auth);
        fake_reply_set(out, 500, "text/plain", b);
        free(b);
        break;
    }
}

/* One run of etls plan against @port trusting @ca_pem: exit 1 in time,
 * no secret anywhere. */
static void run_case(const char *what, int port, const char *ca_pem)
{
    char *url = util_format("https://127.0.0.1:%d", port);
    char *ca = h_write_file(g_dir, "ca.pem", ca_pem);
    double t0 = util_now_mono(), took;
    struct e_run r;

    r = e_etls(NULL, "plan", g_doc, "--cluster", url, "--ca-cert", ca,
               "--uid", "bootstrapuser", "--password-file", g_pw_file,
               "--request-timeout", "1s", "--trace", "--log-level", "debug",
               (char *)NULL);
    took = util_now_mono() - t0;
    g_total++;
    if (r.rc != 1 || took > BOUND_S)
        fail_msg("%s: exit %d after %.1f s (want 1 within %.0f s)\n%s", what,
                 r.rc, took, BOUND_S, r.err);
    if (strstr(r.out, PASSWORD) || strstr(r.err, PASSWORD) ||
        strstr(r.out, TOKEN) || strstr(r.err, TOKEN) ||
        strstr(r.err, &TOKEN[4]) || strstr(r.err, &PASSWORD[3]))
        fail_msg("%s: a secret was printed\n%s\n%s", what, r.out, r.err);
    g_clean++;
    printf("# %s: exit %d in %.1f s: %.*s\n", what, r.rc, took,
           (int)strcspn(r.err + (strstr(r.err, "etls: ") ?
                                 strstr(r.err, "etls: ") - r.err : 0),
                        "\n"),
           strstr(r.err, "etls: ") ? strstr(r.err, "etls: ") : r.err);
    e_run_free(&r);
    free(url);
    unlink(ca);
    free(ca);
}

static void test_answers(void **state)
{
    struct fake_srv *srv = NULL;
    struct tpki pki;
    int m;

    (void)state;
    assert_int_equal(tpki_loopback(&pki, "hostile CA"), 0);
    assert_int_equal(fake_start(&srv, pki.cert_pem, pki.key_pem, handler,
                                NULL), 0);
    g_ca = pki.ca_pem;
    for (m = 0; m < M_N; m++) {
        g_mode = m;
        run_case(mode_names[m], fake_port(srv), pki.ca_pem);
    }
    fake_stop(srv);
    tpki_free(&pki);
}

/* A server with certificate @cert/@key while etls trusts @trusted_ca. */
static void bad_cert(const char *what, const char *cert, const char *key,
                     const char *trusted_ca)
{
    struct fake_srv *srv = NULL;

    g_mode = M_TYPES;
    assert_int_equal(fake_start(&srv, cert, key, handler, NULL), 0);
    run_case(what, fake_port(srv), trusted_ca);
    /* Not one request got through the handshake. */
    assert_int_equal(fake_count(srv), 0);
    fake_stop(srv);
}

static void test_certificates(void **state)
{
    static const char *const other_dns[] = { "other.example" };
    struct tpki good, other, wrong_name, expired;

    (void)state;
    assert_int_equal(tpki_loopback(&good, "cluster CA"), 0);
    assert_int_equal(tpki_loopback(&other, "another CA"), 0);
    assert_int_equal(tpki_make(&wrong_name, "cluster CA", "other.example",
                               other_dns, 1, NULL, 0), 0);
    tpki_set_leaf_validity(-7200, -3600);
    assert_int_equal(tpki_loopback(&expired, "cluster CA"), 0);
    tpki_set_leaf_validity(-3600, 3600L * 24 * 30);
    bad_cert("certificate of another CA", other.cert_pem, other.key_pem,
             good.ca_pem);
    bad_cert("certificate for another name", wrong_name.cert_pem,
             wrong_name.key_pem, wrong_name.ca_pem);
    bad_cert("expired certificate", expired.cert_pem, expired.key_pem,
             expired.ca_pem);
    bad_cert("self-signed certificate", other.ca_pem, other.ca_key_pem,
             good.ca_pem);
    tpki_free(&good);
    tpki_free(&other);
    tpki_free(&wrong_name);
    tpki_free(&expired);
}

static int group_up(void **state)
{
    (void)state;
    if (!mkdtemp(g_dir))
        return -1;
    g_doc = e_runbook_file();
    g_pw_file = h_write_file(g_dir, "pw", PASSWORD "\n");
    return 0;
}

static int group_down(void **state)
{
    (void)state;
    printf("hostile servers: %zu/%zu failed cleanly\n", g_clean, g_total);
    unlink(g_pw_file);
    free(g_pw_file);
    free(g_doc);
    rmdir(g_dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_certificates),
    };

    return cmocka_run_group_tests(tests, group_up, group_down);
}
