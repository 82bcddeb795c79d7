/* Data-plane probes against loopback Elasticsearch-like nodes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/util.h"
#include "dcos/loop.h"
#include "dcos/probe.h"
#include "fakesrv.h"
#include "tpki.h"
#include "tprobe.h"

#define VIP "coordinator.elastic.l4lb.thisdcos.directory"

static struct tpki pki, other;
static struct fake_srv *tls, *plain;
static struct http_loop *loop;

static void es(const struct fake_req *req, struct fake_reply *out, void *arg)
{
    char *b64 = util_b64_encode("elastic:changeme", 16);
    char want[128];

    (void)arg;
    snprintf(want, sizeof(want), "Basic %s", b64);
    free(b64);
    if (strcmp(req->auth, want) != 0) {
        fake_reply_set(out, 401, "application/json",
                       "{\"error\":\"security_exception\",\"status\":401}");
        return;
    }
    if (strcmp(req->path, "/_cluster/health") == 0)
        fake_reply_set(out, 200, "application/json",
                       "{\"cluster_name\":\"elastic\",\"status\":\"green\"}");
    else
        fake_reply_set(out, 200, "application/json; charset=UTF-8",
                       "{\"name\":\"coordinator-0-node\",\"cluster_name\":"
                       "\"elastic\",\"version\":{\"number\":\"5.6.5\"},"
                       "\"tagline\":\"You Know, for Search\"}");
}

static void probe(struct tprobe *p, const char *url, const char *connect_to,
                  const char *ca, const char *pw)
{
    struct secret *s = pw ? secret_new_str(pw) : NULL;

    memset(p, 0, sizeof(*p));
    assert_int_equal(dcos_probe_https(loop, url, connect_to, ca,
                                      pw ? "elastic" : NULL, s,
                                      tprobe_on_https, p),
                     0);
    secret_free(s);
    assert_int_equal(http_loop_run(loop, util_now_mono() + 20), 0);
    assert_int_equal(p->done, 1);
}

static void test_https_ok(void **state)
{
    char url[128], ct[128];
    struct tprobe p;

    (void)state;
    snprintf(url, sizeof(url), "https://" VIP ":9200/");
    snprintf(ct, sizeof(ct), VIP ":9200:127.0.0.1:%d", fake_port(tls));
    probe(&p, url, ct, pki.ca_pem, "changeme");
    assert_int_equal(p.code, 0);
    assert_int_equal(p.status, 200);
    assert_string_equal(p.version, "5.6.5");
    assert_true(p.have_cert);
    assert_non_null(strstr(p.subject, "CN=coordinator-0-node.elastic"));
    assert_non_null(strstr(p.issuer, "CN=probe cluster CA"));
    assert_non_null(strstr(p.sans, "DNS:" VIP));
    assert_null(strstr(p.sans, "IP:"));
    assert_int_equal(p.not_after[4], '-');
    assert_string_equal(fake_get(tls, fake_count(tls) - 1)->path, "/");

    snprintf(url, sizeof(url), "https://" VIP ":9200/_cluster/health");
    probe(&p, url, ct, pki.ca_pem, "changeme");
    assert_int_equal(p.code, 0);
}

static void test_https_failures(void **state)
{
    char url[128], ct[128];
    struct tprobe p;

    (void)state;
    snprintf(ct, sizeof(ct), VIP ":9200:127.0.0.1:%d", fake_port(tls));
    snprintf(url, sizeof(url), "https://" VIP ":9200/");
    probe(&p, url, ct, pki.ca_pem, "wrong");
    assert_int_equal(p.code, ERR_AUTH);
    assert_int_equal(p.status, 401);
    assert_true(p.have_cert);

    probe(&p, url, ct, other.ca_pem, "changeme");
    assert_int_equal(p.code, ERR_INVALID);
    assert_non_null(strstr(p.text, "(curl 60)"));

    /* By address: the certificate does not name 127.0.0.1. */
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/", fake_port(tls));
    probe(&p, url, NULL, pki.ca_pem, "changeme");
    assert_int_equal(p.code, ERR_INVALID);
    assert_non_null(strstr(p.text, "127.0.0.1"));

    /* Plain HTTP node: TLS handshake fails. */
    snprintf(url, sizeof(url), "https://" VIP ":9200/");
    snprintf(ct, sizeof(ct), VIP ":9200:127.0.0.1:%d", fake_port(plain));
    probe(&p, url, ct, pki.ca_pem, "changeme");
    assert_int_not_equal(p.code, 0);
    assert_int_equal(p.status, 0);

    assert_int_equal(dcos_probe_https(loop, "http://x/", NULL, pki.ca_pem,
                                      NULL, NULL, tprobe_on_https, &p),
                     ERR_INVALID);
    assert_int_equal(dcos_probe_https(loop, url, NULL, NULL, NULL, NULL,
                                      tprobe_on_https, &p),
                     ERR_INVALID);
}

static void plain_probe(struct tprobe *p, int port)
{
    char url[128], ct[128];

    memset(p, 0, sizeof(*p));
    snprintf(url, sizeof(url), "http://" VIP ":9200/");
    snprintf(ct, sizeof(ct), VIP ":9200:127.0.0.1:%d", port);
    assert_int_equal(dcos_probe_plain(loop, url, ct, tprobe_on_plain, p), 0);
    assert_int_equal(http_loop_run(loop, util_now_mono() + 20), 0);
    assert_int_equal(p->done, 1);
}

static void test_plain(void **state)
{
    struct tprobe p;

    (void)state;
    plain_probe(&p, fake_port(plain));
    assert_true(p.answered);
    assert_int_equal(p.status, 401); /* no credentials sent */
    plain_probe(&p, fake_port(tls));
    assert_false(p.answered);
    assert_int_not_equal(p.code, 0);
    plain_probe(&p, fake_closed_port());
    assert_false(p.answered);
    assert_int_equal(p.code, ERR_TRANSIENT);
    assert_int_equal(dcos_probe_plain(loop, "https://x/", NULL,
                                      tprobe_on_plain, &p),
                     ERR_INVALID);
}

static int setup(void **state)
{
    static const char *const dns[] = {
        VIP, "coordinator-0-node.elastic.autoip.dcos.thisdcos.directory"
    };

    (void)state;
    if (http_global_init() ||
        tpki_make(&pki, "probe cluster CA", "coordinator-0-node.elastic",
                  dns, 2, NULL, 0) ||
        tpki_make(&other, "other CA", "x", dns, 2, NULL, 0) ||
        fake_start(&tls, pki.cert_pem, pki.key_pem, es, NULL) ||
        fake_start(&plain, NULL, NULL, es, NULL) ||
        http_loop_new(&loop, NULL, 0))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    http_loop_free(loop);
    fake_stop(tls);
    fake_stop(plain);
    tpki_free(&pki);
    tpki_free(&other);
    http_global_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_https_ok),
        cmocka_unit_test(test_https_failures),
        cmocka_unit_test(test_plain),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
