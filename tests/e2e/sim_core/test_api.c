/*
 * dcos-sim core, end to end: cluster.json, cluster metadata, the CA
 * endpoints and TLS names, Admin Router authentication (401 shapes, token
 * forms), unknown paths and methods, body limits, and the shell
 * check with curl(1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/util.h"
#include "harness/h_cluster.h"
#include "harness/h_file.h"
#include "harness/harness.h"
#include "sim_core_testutil.h"

static struct h_sim g_sim;

static int setup(void **state)
{
    return h_group_up(state, &g_sim, NULL);
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

static const char *port_of(const char *url)
{
    const char *p = strrchr(url, ':');

    assert_non_null(p);
    return p + 1;
}

static void test_cluster_json(void **state)
{
    char path[600], *text = NULL, expect_ca[600];
    struct stat st;
    json_t *o;
    size_t len;
    const char *url, *tok;
    long port;

    (void)state;
    snprintf(path, sizeof(path), "%s/cluster.json", g_sim.dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(util_read_file(&text, &len, path, 1 << 16), 0);
    o = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    assert_non_null(o);
    assert_int_equal(json_object_size(o), 5);

    url = json_string_value(json_object_get(o, "url"));
    assert_non_null(url);
    assert_true(util_has_prefix(url, "https://127.0.0.1:"));
    assert_int_equal(util_parse_long(&port, port_of(url), 1, 65535), 0);
    assert_string_equal(url, g_sim.url);

    snprintf(expect_ca, sizeof(expect_ca), "%s/ca.crt", g_sim.dir);
    assert_string_equal(json_string_value(json_object_get(o, "ca_cert")),
                        expect_ca);
    assert_int_equal(expect_ca[0], '/');
    assert_int_equal(stat(expect_ca, &st), 0);
    assert_string_equal(json_string_value(json_object_get(o, "uid")),
                        "bootstrapuser");
    assert_string_equal(json_string_value(json_object_get(o, "password")),
                        "deleteme");
    tok = json_string_value(json_object_get(o, "control_token"));
    assert_true(tu_is_hex(tok, 64));

    /* the CA key is private; the directory too */
    snprintf(path, sizeof(path), "%s/ca.key", g_sim.dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(g_sim.dir, &st), 0);
    assert_int_equal(st.st_mode & 0077, 0);
    json_decref(o);
    free(text);
}

static void test_version_public(void **state)
{
    struct h_resp r;
    char *fix;
    json_t *expect, *v;
    const char *key;

    (void)state;
    r = h_req(&g_sim, "GET", "/dcos-metadata/dcos-version.json", NULL, NULL,
              NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/json");
    assert_true(tu_header_is(&r, "Cache-Control", "no-cache"));
    assert_non_null(r.json);

    /* every member of the upstream payload, same types */
    fix = h_fixture("dcos__dcos-ui/tests/_fixtures/dcos/dcos-version.json");
    expect = json_loads(fix, 0, NULL);
    assert_non_null(expect);
    json_object_foreach(expect, key, v) {
        json_t *got = json_object_get(r.json, key);

        if (!got)
            fail_msg("dcos-version.json lacks %s", key);
        assert_int_equal(json_typeof(got), json_typeof(v));
    }
    json_decref(expect);
    free(fix);
    assert_int_equal(json_object_size(r.json), 4);
    assert_string_equal(json_string_value(json_object_get(r.json, "version")),
                        "2.2.0");
    assert_string_equal(
        json_string_value(json_object_get(r.json, "dcos-variant")),
        "enterprise");
    assert_true(tu_is_hex(
        json_string_value(json_object_get(r.json, "dcos-image-commit")), 40));
    assert_true(tu_is_hex(
        json_string_value(json_object_get(r.json, "bootstrap-id")), 40));
    h_resp_free(&r);

    /* a trailing slash is tolerated, a longer name is not this route */
    r = h_req(&g_sim, "GET", "/dcos-metadata/dcos-version.json/", NULL, NULL,
              NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
    r = h_req(&g_sim, "GET", "/dcos-metadata/dcos-version.jsonx", NULL, NULL,
              NULL, NULL, NULL);
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
}

static X509 *pem_to_x509(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

    BIO_free(b);
    assert_non_null(x);
    return x;
}

static void test_ca_cert(void **state)
{
    struct h_resp r;
    char *file = NULL, cn[256];
    size_t len;
    X509 *x;
    json_t *res;

    (void)state;
    r = h_req(&g_sim, "GET", "/ca/dcos-ca.crt", NULL, NULL, NULL, NULL,
              NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/x-x509-ca-cert");
    assert_int_equal(util_read_file(&file, &len, g_sim.ca_cert, 1 << 16), 0);
    assert_string_equal(r.body, file);
    assert_true(util_has_prefix(r.body, "-----BEGIN CERTIFICATE-----"));
    x = pem_to_x509(r.body);
    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn,
                              sizeof(cn));
    assert_true(util_has_prefix(cn, "DC/OS Root CA "));
    assert_int_equal(X509_check_ca(x), 1);
    X509_free(x);
    h_resp_free(&r);

    /* CA API v2 info: no token, cfssl envelope */
    r = h_req(&g_sim, "POST", "/ca/api/v2/info", NULL, "application/json",
              NULL, "{\"label\":\"primary\"}", NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(r.json);
    assert_true(json_is_true(json_object_get(r.json, "success")));
    assert_int_equal(json_array_size(json_object_get(r.json, "errors")), 0);
    assert_true(json_is_array(json_object_get(r.json, "messages")));
    res = json_object_get(r.json, "result");
    assert_string_equal(json_string_value(json_object_get(res, "certificate")),
                        file);
    assert_string_equal(json_string_value(json_object_get(res, "expiry")),
                        "87600h");
    assert_true(json_array_size(json_object_get(res, "usages")) > 0);
    h_resp_free(&r);

    r = h_req(&g_sim, "POST", "/ca/api/v2/info", NULL, "application/json",
              NULL, "not json", NULL);
    assert_int_equal(r.status, 400);
    assert_true(json_is_false(json_object_get(r.json, "success")));
    assert_int_equal(json_array_size(json_object_get(r.json, "errors")), 1);
    h_resp_free(&r);
    free(file);
}

/* GET dcos-version.json as https://@name:PORT with @cacert. */
static struct h_resp get_as(const char *name, const char *cacert)
{
    char url[256], resolve[256];
    const char *port = port_of(g_sim.url);

    snprintf(url, sizeof(url), "https://%s:%s/dcos-metadata/dcos-version.json",
             name, port);
    snprintf(resolve, sizeof(resolve), "%s:%s:127.0.0.1", name, port);
    return h_req_url(url, cacert, resolve, NULL);
}

static void test_tls_names(void **state)
{
    static const char *const good[] = {"localhost", "master.mesos",
                                       "leader.mesos"};
    struct h_sim other;
    struct h_resp r;
    size_t i;

    (void)state;
    for (i = 0; i < 3; i++) {
        r = get_as(good[i], g_sim.ca_cert);
        if (r.curl_code != 0)
            fail_msg("%s: curl error %d", good[i], r.curl_code);
        assert_int_equal(r.status, 200);
        h_resp_free(&r);
    }
    /* a name the certificate does not carry */
    r = get_as("elastic.example.com", g_sim.ca_cert);
    assert_int_not_equal(r.curl_code, 0);
    h_resp_free(&r);

    /* another cluster's CA does not vouch for this one */
    memset(&other, 0, sizeof(other));
    h_sim_start(&other, NULL, NULL);
    assert_string_not_equal(other.ca_cert, g_sim.ca_cert);
    r = get_as("127.0.0.1", other.ca_cert);
    assert_int_not_equal(r.curl_code, 0);
    h_resp_free(&r);
    r = get_as("127.0.0.1", g_sim.ca_cert);
    assert_int_equal(r.curl_code, 0);
    h_resp_free(&r);
    h_sim_destroy(&other);
}

static void assert_401(const struct h_resp *r)
{
    assert_int_equal(r->status, 401);
    assert_true(tu_header_is(r, "WWW-Authenticate", "acsjwt"));
    assert_string_equal(r->content_type, "text/html; charset=UTF-8");
    assert_non_null(strstr(r->body, "<html>"));
}

/* The login token with its payload replaced (signature kept). */
static char *forge(const char *tok, const char *payload)
{
    const char *d1 = strchr(tok, '.'), *d2 = strrchr(tok, '.');
    char *p64 = util_b64url_encode(payload, strlen(payload)), *out;
    size_t n;

    assert_non_null(d1);
    n = strlen(tok) + strlen(p64) + 2;
    out = malloc(n);
    snprintf(out, n, "%.*s.%s%s", (int)(d1 - tok), tok, p64, d2);
    free(p64);
    return out;
}

static void test_auth(void **state)
{
    struct h_resp r;
    char line[4096], *forged;
    const char *hdrs[2] = {line, NULL};
    const char *cid;

    (void)state;
    /* missing */
    r = h_req(&g_sim, "GET", "/metadata", NULL, NULL, NULL, NULL, NULL);
    assert_401(&r);
    h_resp_free(&r);
    /* garbage */
    r = h_req(&g_sim, "GET", "/metadata", "abc.def.ghi", NULL, NULL, NULL,
              NULL);
    assert_401(&r);
    h_resp_free(&r);
    /* signature no longer matches */
    forged = forge(g_sim.token, "{\"exp\":99999999999,\"uid\":\"root\"}");
    r = h_req(&g_sim, "GET", "/metadata", forged, NULL, NULL, NULL, NULL);
    assert_401(&r);
    h_resp_free(&r);
    free(forged);
    /* not a token scheme Admin Router knows */
    snprintf(line, sizeof(line), "Authorization: Basic %s", g_sim.token);
    r = h_req(&g_sim, "GET", "/metadata", NULL, NULL, NULL, NULL, hdrs);
    assert_401(&r);
    h_resp_free(&r);

    /* token=... */
    r = h_req(&g_sim, "GET", "/metadata", g_sim.token, NULL, NULL, NULL,
              NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/json");
    assert_string_equal(
        json_string_value(json_object_get(r.json, "PUBLIC_IPV4")),
        "127.0.0.1");
    cid = json_string_value(json_object_get(r.json, "CLUSTER_ID"));
    assert_non_null(cid);
    assert_int_equal(strlen(cid), 36);
    h_resp_free(&r);
    /* Bearer ... is accepted too */
    snprintf(line, sizeof(line), "Authorization: Bearer %s", g_sim.token);
    r = h_req(&g_sim, "GET", "/metadata", NULL, NULL, NULL, NULL, hdrs);
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
    /* public routes ignore a bad token */
    r = h_req(&g_sim, "GET", "/dcos-metadata/dcos-version.json", "bad", NULL,
              NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
}

static void test_token_shape(void **state)
{
    json_t *hdr, *pl;
    const char *t = g_sim.token, *p;
    int dots = 0;
    long long exp;

    (void)state;
    for (p = t; *p; p++)
        dots += *p == '.';
    assert_int_equal(dots, 2);
    hdr = tu_jwt_part(t, 0);
    pl = tu_jwt_part(t, 1);
    assert_non_null(hdr);
    assert_non_null(pl);
    assert_string_equal(json_string_value(json_object_get(hdr, "alg")),
                        "RS256");
    assert_string_equal(json_string_value(json_object_get(hdr, "typ")), "JWT");
    assert_string_equal(json_string_value(json_object_get(pl, "uid")),
                        "bootstrapuser");
    assert_true(json_is_integer(json_object_get(pl, "exp")));
    exp = (long long)json_integer_value(json_object_get(pl, "exp"));
    /* default --token-ttl: 5 days */
    assert_true(llabs(exp - ((long long)util_now_wall() + 432000)) < 300);
    json_decref(hdr);
    json_decref(pl);
}

static void test_not_found(void **state)
{
    struct h_resp r;

    (void)state;
    r = h_req(&g_sim, "GET", "/no/such/path", NULL, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.content_type, "text/html; charset=UTF-8");
    assert_non_null(strstr(r.body, "404 Not Found"));
    h_resp_free(&r);
    r = h_get(&g_sim, "/no/such/path?x=1");
    assert_int_equal(r.status, 404);
    h_resp_free(&r);

    /* a known path with another method */
    r = h_req(&g_sim, "DELETE", "/dcos-metadata/dcos-version.json", NULL,
              NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 405);
    h_resp_free(&r);
    /* HEAD is served by GET routes, without a body */
    r = h_req(&g_sim, "HEAD", "/dcos-metadata/dcos-version.json", NULL, NULL,
              NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, 0);
    assert_string_equal(r.content_type, "application/json");
    h_resp_free(&r);
}

/*
 * A body over 4 MiB gets 413 without being read.  curl(1) sends such a
 * body only after "100 Continue", which never comes: it reads the 413 and
 * stops.  (tests/e2e/sim_hygiene checks that no byte of the body is read.)
 */
static void test_body_too_large(void **state)
{
    size_t n = 5u * 1024 * 1024;
    char *big = malloc(n + 1), dir[256], url[256], *file, *out = NULL,
         *err = NULL, data[300];
    struct h_resp r;
    int rc;

    (void)state;
    assert_non_null(big);
    memset(big, 'a', n);
    big[n] = '\0';
    h_mkdtemp(dir, "big");
    file = h_write_file(dir, "body", big);
    free(big);
    snprintf(url, sizeof(url), "%s/ca/api/v2/info", g_sim.url);
    snprintf(data, sizeof(data), "@%s", file);
    {
        const char *argv[] = {"curl", "-sS", "-o", "/dev/null", "-w",
                              "%{http_code}", "--cacert", g_sim.ca_cert,
                              "-H", "Content-Type: application/json", "-H",
                              "Expect: 100-continue", "--data-binary", data,
                              url, NULL};

        rc = h_run(argv, NULL, &out, &err);
    }
    if (rc != 0 || strcmp(out, "413") != 0)
        fail_msg("curl exit %d, status %s: %s", rc, out, err);
    free(out);
    free(err);
    unlink(file);
    free(file);
    h_rmtree(dir);
    /* the server is fine afterwards */
    r = h_req(&g_sim, "GET", "/dcos-metadata/dcos-version.json", NULL, NULL,
              NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
}

/* The Done-when check, with curl(1) itself. */
static void test_curl_cli(void **state)
{
    char url[256], url2[256], resolve[128];
    char *out = NULL, *err = NULL;
    json_t *o;
    int rc;

    (void)state;
    snprintf(url, sizeof(url), "%s/dcos-metadata/dcos-version.json",
             g_sim.url);
    {
        const char *argv[] = {"curl", "-sS", "--fail", "--cacert",
                              g_sim.ca_cert, url, NULL};

        rc = h_run(argv, NULL, &out, &err);
    }
    if (rc != 0)
        fail_msg("curl --cacert failed (%d): %s", rc, err);
    o = json_loads(out, 0, NULL);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "version")),
                        "2.2.0");
    json_decref(o);
    free(out);
    free(err);

    /* without the cluster CA curl refuses the certificate */
    {
        const char *argv[] = {"curl", "-sS", "--fail", "--capath",
                              "/nonexistent", "--cacert", "/dev/null", url,
                              NULL};

        rc = h_run(argv, NULL, &out, &err);
    }
    assert_int_not_equal(rc, 0);
    free(out);
    free(err);

    /* and under the in-cluster name */
    snprintf(url2, sizeof(url2),
             "https://master.mesos:%s/dcos-metadata/dcos-version.json",
             port_of(g_sim.url));
    snprintf(resolve, sizeof(resolve), "master.mesos:%s:127.0.0.1",
             port_of(g_sim.url));
    {
        const char *argv[] = {"curl", "-sS", "--fail", "--cacert",
                              g_sim.ca_cert, "--resolve", resolve, url2,
                              NULL};

        rc = h_run(argv, NULL, &out, &err);
    }
    if (rc != 0)
        fail_msg("curl master.mesos failed (%d): %s", rc, err);
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cluster_json),
        cmocka_unit_test(test_version_public),
        cmocka_unit_test(test_ca_cert),
        cmocka_unit_test(test_tls_names),
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_token_shape),
        cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_body_too_large),
        cmocka_unit_test(test_curl_cli),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
