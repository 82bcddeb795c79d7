/*
 * End-to-end tests of dcos-sim's TLS behaviour of the Elastic SDK service:
 * TLSRequiresServiceAccount (plan ERROR, 417), every TLS prerequisite
 * failure that keeps steps PENDING and its fix, TLS without X-Pack, the
 * stuck serial TLS toggle and its parallel rescue, the parallel toggle,
 * and the data plane: HTTPS only, with a certificate of the cluster CA for
 * the autoip and l4lb names, not for 127.0.0.1.
 */
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
#include "e2e/sim_sdk/sdk_testutil.h"
#include "harness/harness.h"

#define SPEED "10"

#define TLS_ERROR                                                           \
    "Field: 'transport-encryption'; Value: ''; Message: 'Scheduler is "    \
    "missing a service account that is required for provisioning TLS "     \
    "artifacts. Please configure in order to continue.'"

static struct h_sim g_sim;

static int setup(void **state)
{
    return h_group_up(state, &g_sim, SPEED);
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

/* Options of a TLS service @name using account @name and secret
 * "<name>-secret" (new). */
static char *tls_opts(const char *name, int tls, int xpack,
                      const char *extra_service)
{
    return h_fmt("{\"service\":{\"service_account\":\"%s\","
                 "\"service_account_secret\":\"%s-secret\","
                 "\"security\":{\"transport_encryption\":{\"enabled\":%s}}"
                 "%s},\"elasticsearch\":{\"xpack_enabled\":%s}}",
                 name, name, tls ? "true" : "false",
                 extra_service ? extra_service : "",
                 xpack ? "true" : "false");
}

/* Every step of the deploy plan of @name is PENDING, no error, 202. */
static void expect_all_pending(const char *name)
{
    long st;
    json_t *plan = h_plan(&g_sim, name, "deploy", &st), *ph, *s;
    size_t i, k;

    if (!plan)
        fail_msg("%s: no plan (%ld)", name, st);
    if (st != 202)
        fail_msg("%s: plan answered %ld", name, st);
    assert_int_equal(json_array_size(h_jget(plan, "errors")), 0);
    assert_string_not_equal(h_jstr(plan, "status"), "COMPLETE");
    json_array_foreach(h_jget(plan, "phases"), i, ph)
        json_array_foreach(h_jget(ph, "steps"), k, s)
            if (strcmp(h_jstr(s, "status"), "PENDING") != 0)
                fail_msg("%s: step %s is %s", name, h_jstr(s, "name"),
                         h_jstr(s, "status"));
    json_decref(plan);
    /* nothing was launched */
    {
        char *p = h_fmt("/service/%s/v1/pod", name);

        plan = t_get_json(&g_sim, p, &st);
        assert_int_equal(st, 200);
        assert_int_equal(json_array_size(plan), 0);
        json_decref(plan);
        free(p);
    }
}

/* HTTPS GET of @path on the coordinator of @svc under its l4lb name with
 * the cluster CA (basic auth elastic:changeme). */
static struct h_resp coordinator_https(const char *svc, const char *path,
                                       const char *userpwd)
{
    char *addr = t_endpoint_address(&g_sim, svc, "coordinator-http");
    const char *port = strchr(addr, ':') + 1;
    char *host = h_fmt("coordinator.%s.l4lb.thisdcos.directory", svc);
    char *url = h_fmt("https://%s:%s%s", host, port, path);
    char *res = h_fmt("%s:%s:127.0.0.1", host, port);
    struct h_resp r = h_req_url(url, g_sim.ca_cert, res, userpwd);

    free(addr);
    free(host);
    free(url);
    free(res);
    return r;
}

/* The data plane of @svc speaks HTTPS only, with a certificate of the
 * cluster CA valid for the l4lb and autoip names but not 127.0.0.1. */
static void expect_https_only(const char *svc)
{
    char *addr = t_endpoint_address(&g_sim, svc, "coordinator-http");
    const char *port = strchr(addr, ':') + 1;
    char *url;
    struct h_resp r;

    r = coordinator_https(svc, "/", "elastic:changeme");
    if (r.curl_code != 0 || r.status != 200)
        fail_msg("%s: HTTPS under the l4lb name: curl %d, HTTP %ld", svc,
                 r.curl_code, r.status);
    assert_string_equal(h_jstr(r.json, "version.number"), "5.6.5");
    h_resp_free(&r);
    r = coordinator_https(svc, "/_cluster/health", "elastic:changeme");
    assert_int_equal(r.status, 200);
    assert_string_equal(h_jstr(r.json, "status"), "green");
    h_resp_free(&r);
    /* X-Pack security asks for credentials */
    r = coordinator_https(svc, "/", NULL);
    assert_int_equal(r.status, 401);
    h_resp_free(&r);
    {
        char *host =
            h_fmt("coordinator-0-node.%s.autoip.dcos.thisdcos.directory",
                  svc);
        char *res = h_fmt("%s:%s:127.0.0.1", host, port);

        url = h_fmt("https://%s:%s/", host, port);
        r = h_req_url(url, g_sim.ca_cert, res, "elastic:changeme");
        assert_int_equal(r.curl_code, 0);
        assert_int_equal(r.status, 200);
        h_resp_free(&r);
        free(url);
        free(host);
        free(res);
    }
    /* the certificate has no IP SAN: hostname verification fails */
    url = h_fmt("https://%s/", addr);
    r = h_req_url(url, g_sim.ca_cert, NULL, "elastic:changeme");
    assert_int_not_equal(r.curl_code, 0);
    h_resp_free(&r);
    free(url);
    /* no plaintext listener left */
    url = h_fmt("http://%s/", addr);
    r = h_req_url(url, NULL, NULL, "elastic:changeme");
    assert_true(r.curl_code != 0 || r.status != 200);
    h_resp_free(&r);
    free(url);
    free(addr);
}

static void expect_plain_http(const char *svc)
{
    struct h_resp r = t_node_get(&g_sim, svc, "coordinator-http", "/", 0,
                                 "elastic:changeme");

    if (r.curl_code != 0 || r.status != 200)
        fail_msg("%s: plain HTTP: curl %d, HTTP %ld", svc, r.curl_code,
                 r.status);
    h_resp_free(&r);
    /* no TLS there: the handshake under the node's name fails */
    r = t_node_get(&g_sim, svc, "coordinator-http", "/", 1,
                   "elastic:changeme");
    if (r.curl_code == 0)
        fail_msg("%s: a plain node answered HTTPS (HTTP %ld)", svc,
                 r.status);
    h_resp_free(&r);
}

static void expect_tls_spec(const char *svc, int tls)
{
    char *p = h_fmt("/service/%s/v1/configurations/target", svc);
    long st;
    json_t *spec = t_get_json(&g_sim, p, &st), *ps;
    size_t i;

    assert_int_equal(st, 200);
    json_array_foreach(h_jget(spec, "pod-specs"), i, ps) {
        json_t *te = h_jget(json_array_get(h_jget(ps, "task-specs"), 0),
                            "transport-encryption");

        assert_int_equal(json_array_size(te), tls ? 1 : 0);
        if (tls) {
            assert_string_equal(h_jstr(json_array_get(te, 0), "name"),
                                "node");
            assert_string_equal(h_jstr(json_array_get(te, 0), "type"),
                                "TLS");
        }
    }
    json_decref(spec);
    free(p);
}

/* --- TLSRequiresServiceAccount --------------------------------------- */

static void test_tls_requires_service_account(void **state)
{
    json_t *plan, *want, *app;
    long st;
    struct h_resp r;
    EVP_PKEY *k;

    (void)state;
    t_install(&g_sim, "nosa",
              "{\"service\":{\"service_account\":\"nosa\",\"security\":"
              "{\"transport_encryption\":{\"enabled\":true}}},"
              "\"elasticsearch\":{\"xpack_enabled\":true}}");
    assert_true(t_wait_restart(&g_sim, "nosa", NULL));
    plan = h_plan(&g_sim, "nosa", "deploy", &st);
    assert_int_equal(st, 417);
    assert_string_equal(h_jstr(plan, "status"), "ERROR");
    want = json_pack("[s]", TLS_ERROR);
    assert_true(json_equal(h_jget(plan, "errors"), want));
    json_decref(want);
    json_decref(plan);
    r = h_get(&g_sim, "/service/nosa/v1/health");
    assert_int_equal(r.status, 417);
    h_resp_free(&r);
    h_sleep_sim(&g_sim, 8);
    plan = t_get_json(&g_sim, "/service/nosa/v1/pod", &st);
    assert_int_equal(json_array_size(plan), 0);
    json_decref(plan);

    /* fix: an account, its secret, superusers, and the secret option */
    k = h_rsa_new();
    h_account_full(&g_sim, "nosa", "nosa-secret", k);
    assert_true(t_wait_deployed(&g_sim, "nosa"));
    assert_int_equal(h_update(&g_sim, "nosa",
                              "{\"service\":{\"service_account_secret\":"
                              "\"nosa-secret\"}}"),
                     200);
    assert_true(t_wait_restart(&g_sim, "nosa", NULL));
    assert_true(t_wait_plan(&g_sim, "nosa", "COMPLETE", T_WAIT_MS));
    expect_https_only("nosa");
    expect_tls_spec("nosa", 1);

    /* the scheduler app as Cosmos rendered it */
    app = t_get_json(&g_sim, "/marathon/v2/apps/nosa", &st);
    assert_string_equal(
        h_jstr(app, "app.env.TASKCFG_ALL_SECURITY_TRANSPORT_ENCRYPTION_"
                   "ENABLED"),
        "true");
    assert_string_equal(h_jstr(app, "app.env.ELASTICSEARCH_HEALTH_PROTOCOL"),
                        "https");
    assert_string_equal(h_jstr(app, "app.env.FRAMEWORK_PRINCIPAL"), "nosa");
    assert_string_equal(
        h_jstr(app, "app.env.DCOS_SERVICE_ACCOUNT_CREDENTIAL.secret"),
        "serviceCredential");
    assert_string_equal(h_jstr(app, "app.secrets.serviceCredential.source"),
                        "nosa-secret");
    json_decref(app);

    /* the TLS artifacts went to the secret store under the service */
    app = t_get_json(&g_sim, "/secrets/v1/secret/default/nosa?list=true",
                     &st);
    assert_int_equal(st, 200);
    {
        size_t i;
        json_t *v;
        int certs = 0;

        json_array_foreach(h_jget(app, "array"), i, v)
            if (util_has_suffix(json_string_value(v),
                                "__coordinator-0-node__node__certificate"))
                certs++;
        assert_int_equal(certs, 1);
    }
    json_decref(app);
    EVP_PKEY_free(k);
}

/* --- prerequisites that keep steps PENDING ------------------------------ */

/* The create-sa-secret value of @uid around @k's private key in the
 * traditional PKCS#1 PEM (new). */
static char *pkcs1_secret_value(const char *uid, EVP_PKEY *k)
{
    char *pem = h_priv_pem_pkcs1(k);
    char *value = h_sa_secret_value(uid, "RS256", pem);

    assert_non_null(strstr(pem, "BEGIN RSA PRIVATE KEY"));
    free(pem);
    return value;
}

static void test_tls_prerequisites(void **state)
{
    static const char *const names[] = {"nosecret", "notjson", "nokey",
                                        "pkcs1",    "mismatch", "noaccount",
                                        "noperm"};
    EVP_PKEY *k = h_rsa_new(), *other = h_rsa_new();
    char *body = NULL, *o;
    size_t i;
    struct h_resp r;

    (void)state;
    /* nosecret: the secret the service names does not exist */
    h_account_put(&g_sim, "nosecret", k, "test account");
    h_group_add(&g_sim, "superusers", "nosecret");
    /* notjson / nokey / pkcs1: unusable secrets */
    h_account_put(&g_sim, "notjson", k, "test account");
    h_group_add(&g_sim, "superusers", "notjson");
    h_secret_put(&g_sim, "notjson-secret", "not json");
    h_account_put(&g_sim, "nokey", k, "test account");
    h_group_add(&g_sim, "superusers", "nokey");
    h_secret_put(&g_sim, "nokey-secret",
                 "{\"scheme\":\"RS256\",\"uid\":\"nokey\"}");
    h_account_put(&g_sim, "pkcs1", k, "test account");
    h_group_add(&g_sim, "superusers", "pkcs1");
    body = pkcs1_secret_value("pkcs1", k);
    h_secret_put(&g_sim, "pkcs1-secret", body);
    free(body);
    /* mismatch: the account holds another public key */
    h_account_put(&g_sim, "mismatch", other, "test account");
    h_group_add(&g_sim, "superusers", "mismatch");
    body = h_sa_secret_of("mismatch", k);
    h_secret_put(&g_sim, "mismatch-secret", body);
    free(body);
    /* noaccount: a good secret, no account */
    body = h_sa_secret_of("noaccount", k);
    h_secret_put(&g_sim, "noaccount-secret", body);
    free(body);
    /* noperm: account and secret, neither superuser nor grants */
    h_account_put(&g_sim, "noperm", k, "test account");
    body = h_sa_secret_of("noperm", k);
    h_secret_put(&g_sim, "noperm-secret", body);
    free(body);

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        o = tls_opts(names[i], 1, 1, NULL);
        t_install(&g_sim, names[i], o);
        free(o);
    }
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        assert_true(t_wait_deployed(&g_sim, names[i]));
    h_sleep_sim(&g_sim, 10);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        expect_all_pending(names[i]);

    /* fixes that a running scheduler sees at once */
    h_account_put(&g_sim, "noaccount", k, "test account");
    h_group_add(&g_sim, "superusers", "noaccount");
    r = h_delete(&g_sim, "/acs/api/v1/users/mismatch");
    assert_int_equal(r.status, 204);
    h_resp_free(&r);
    h_account_put(&g_sim, "mismatch", k, "test account");
    r = h_put(&g_sim, "/acs/api/v1/groups/superusers/users/mismatch", NULL);
    assert_true(r.status == 204 || r.status == 409);
    h_resp_free(&r);
    /* least privilege: the CA alone is not enough */
    t_grant(&g_sim, "noperm", "dcos:adminrouter:ops:ca:rw", "full");
    h_sleep_sim(&g_sim, 6);
    expect_all_pending("noperm");
    t_grant(&g_sim, "noperm", "dcos:secrets:default:/noperm/*", "full");

    /* a repaired secret is read by the next scheduler only */
    body = h_sa_secret_of("nosecret", k);
    h_secret_put(&g_sim, "nosecret-secret", body);
    free(body);
    body = h_sa_secret_of("notjson", k);
    h_secret_patch(&g_sim, "notjson-secret", body);
    free(body);
    body = h_sa_secret_of("nokey", k);
    h_secret_patch(&g_sim, "nokey-secret", body);
    free(body);
    body = h_sa_secret_of("pkcs1", k);
    h_secret_patch(&g_sim, "pkcs1-secret", body);
    free(body);
    h_sleep_sim(&g_sim, 6);
    expect_all_pending("nosecret");
    expect_all_pending("notjson");
    expect_all_pending("nokey");
    expect_all_pending("pkcs1");
    assert_int_equal(t_marathon_restart(&g_sim, "nosecret", 0), 200);
    assert_int_equal(t_marathon_restart(&g_sim, "notjson", 0), 200);
    assert_int_equal(t_marathon_restart(&g_sim, "nokey", 0), 200);
    assert_int_equal(t_marathon_restart(&g_sim, "pkcs1", 0), 200);

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!t_wait_plan(&g_sim, names[i], "COMPLETE", T_WAIT_MS))
            fail_msg("%s did not complete after the fix", names[i]);
    expect_https_only("noperm");
    expect_https_only("mismatch");
    EVP_PKEY_free(k);
    EVP_PKEY_free(other);
}

/* --- TLS without X-Pack ------------------------------------------------ */

static void test_tls_without_xpack(void **state)
{
    EVP_PKEY *k = h_rsa_new();
    char *o = tls_opts("noxpack", 1, 0, NULL), *ids[8] = {NULL};
    int n_ids = 0, seen_starting = 0, seen_failed = 0, waited, i;
    long st;

    (void)state;
    h_account_full(&g_sim, "noxpack", "noxpack-secret", k);
    t_install(&g_sim, "noxpack", o);
    free(o);
    assert_true(t_wait_restart(&g_sim, "noxpack", NULL));
    /* the nodes never start: steps cycle STARTING -> PENDING */
    for (waited = 0; waited < 3000; waited += T_POLL_MS) {
        json_t *plan = h_plan(&g_sim, "noxpack", "deploy", &st);
        const char *s0 =
            h_step_status(plan, "master-deploy", "master-0:[node]");
        char *id = t_task_id(&g_sim, "noxpack", "master-0-node");
        char *ts = t_task_status(&g_sim, "noxpack", "master-0-node");

        assert_int_equal(st, 202);
        assert_string_not_equal(h_jstr(plan, "status"), "COMPLETE");
        assert_string_not_equal(s0, "COMPLETE");
        assert_string_not_equal(s0, "STARTED");
        if (strcmp(s0, "STARTING") == 0)
            seen_starting = 1;
        if (ts && strcmp(ts, "FAILED") == 0)
            seen_failed = 1;
        if (id && (n_ids == 0 || strcmp(ids[n_ids - 1], id) != 0) &&
            n_ids < 8)
            ids[n_ids++] = id;
        else
            free(id);
        free(ts);
        json_decref(plan);
        h_sleep_ms(T_POLL_MS);
    }
    assert_true(seen_starting);
    assert_true(seen_failed);
    assert_true(n_ids >= 2); /* relaunched with new task ids */
    for (i = 0; i < n_ids; i++)
        free(ids[i]);
    /* no listener */
    {
        char *addr = t_endpoint_address(&g_sim, "noxpack",
                                        "coordinator-http");
        char *url = h_fmt("https://%s/", addr);
        struct h_resp r = h_req_url(url, NULL, NULL, "elastic:changeme");

        assert_int_not_equal(r.curl_code, 0);
        h_resp_free(&r);
        free(url);
        free(addr);
    }
    EVP_PKEY_free(k);
}

/* --- TLS toggles ------------------------------------------------------- */

static struct h_resp master0_https(const char *svc, const char *path)
{
    char *addr = t_endpoint_address(&g_sim, svc, "master-http");
    const char *port = strchr(addr, ':') + 1;
    char *host = h_fmt("master-0-node.%s.autoip.dcos.thisdcos.directory",
                       svc);
    char *url = h_fmt("https://%s:%s%s", host, port, path);
    char *res = h_fmt("%s:%s:127.0.0.1", host, port);
    struct h_resp r = h_req_url(url, g_sim.ca_cert, res,
                                "elastic:changeme");

    free(addr);
    free(host);
    free(url);
    free(res);
    return r;
}

static void test_serial_toggle_sticks_then_parallel_rescue(void **state)
{
    static const char *const tasks[] = {"master-0-node", "master-1-node",
                                        "master-2-node", "data-0-node",
                                        "data-1-node", "coordinator-0-node"};
    EVP_PKEY *k = h_rsa_new();
    char *o = tls_opts("toggle", 0, 1, NULL), *before[6], *stuck[6],
         *after[6];
    json_t *plan;
    long st;
    struct h_resp r;
    int i, waited;

    (void)state;
    h_account_full(&g_sim, "toggle", "toggle-secret", k);
    t_install(&g_sim, "toggle", o);
    free(o);
    assert_true(t_wait_plan(&g_sim, "toggle", "COMPLETE", T_WAIT_MS));
    expect_plain_http("toggle");
    expect_tls_spec("toggle", 0);
    for (i = 0; i < 6; i++)
        before[i] = t_task_id(&g_sim, "toggle", tasks[i]);

    /* TLS on with the default serial update strategy */
    assert_true(t_wait_deployed(&g_sim, "toggle"));
    assert_int_equal(
        h_update(&g_sim, "toggle",
                 "{\"service\":{\"security\":{\"transport_encryption\":"
                 "{\"enabled\":true}}}}"),
        200);
    assert_true(t_wait_restart(&g_sim, "toggle", NULL));
    for (waited = 0; waited < T_WAIT_MS; waited += T_POLL_MS) {
        plan = h_plan(&g_sim, "toggle", "deploy", &st);
        if (plan && strcmp(h_step_status(plan, "master-update",
                                         "master-0:[node]"),
                           "STARTED") == 0)
            break;
        json_decref(plan);
        plan = NULL;
        h_sleep_ms(T_POLL_MS);
    }
    assert_non_null(plan);
    json_decref(plan);
    h_sleep_sim(&g_sim, 15);
    plan = h_plan(&g_sim, "toggle", "deploy", &st);
    assert_int_equal(st, 202);
    assert_string_equal(h_jstr(plan, "status"), "IN_PROGRESS");
    assert_string_equal(h_jstr(plan, "strategy"), "serial");
    assert_string_equal(
        h_step_status(plan, "master-update", "master-0:[node]"), "STARTED");
    assert_string_equal(
        h_step_status(plan, "master-update", "master-1:[node]"), "PENDING");
    assert_string_equal(
        h_step_status(plan, "master-update", "master-2:[node]"), "PENDING");
    json_decref(plan);
    for (i = 0; i < 6; i++) {
        stuck[i] = t_task_id(&g_sim, "toggle", tasks[i]);
        if (i == 0)
            assert_string_not_equal(stuck[i], before[i]);
        else
            assert_string_equal(stuck[i], before[i]);
    }
    /* master-0 speaks TLS now, alone: no elected master, cluster red */
    r = master0_https("toggle", "/_cluster/health");
    assert_int_equal(r.curl_code, 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(h_jstr(r.json, "status"), "red");
    h_resp_free(&r);
    r = master0_https("toggle", "/");
    assert_int_equal(r.status, 503);
    h_resp_free(&r);
    /* the plaintext side keeps its quorum */
    expect_plain_http("toggle");

    /* rescue: a parallel update restarts every pod not yet updated */
    assert_int_equal(
        h_update(&g_sim, "toggle",
                 "{\"service\":{\"update_strategy\":\"parallel\"}}"),
        200);
    assert_true(t_wait_restart(&g_sim, "toggle", NULL));
    plan = h_plan(&g_sim, "toggle", "deploy", &st);
    assert_string_equal(h_jstr(plan, "strategy"), "parallel");
    json_decref(plan);
    assert_true(t_wait_plan(&g_sim, "toggle", "COMPLETE", T_WAIT_MS));
    for (i = 0; i < 6; i++) {
        after[i] = t_task_id(&g_sim, "toggle", tasks[i]);
        if (i == 0)
            assert_string_equal(after[i], stuck[i]);
        else
            assert_string_not_equal(after[i], stuck[i]);
    }
    expect_https_only("toggle");
    expect_tls_spec("toggle", 1);
    r = master0_https("toggle", "/_cluster/health");
    assert_string_equal(h_jstr(r.json, "status"), "green");
    h_resp_free(&r);

    /* back to serial: a scheduler restart, no node restarts */
    assert_true(t_wait_deployed(&g_sim, "toggle"));
    assert_int_equal(
        h_update(&g_sim, "toggle",
                 "{\"service\":{\"update_strategy\":\"serial\"}}"),
        200);
    assert_true(t_wait_restart(&g_sim, "toggle", NULL));
    plan = h_plan(&g_sim, "toggle", "deploy", &st);
    assert_int_equal(st, 200);
    assert_string_equal(h_jstr(plan, "status"), "COMPLETE");
    assert_string_equal(h_jstr(plan, "strategy"), "serial");
    json_decref(plan);
    h_sleep_sim(&g_sim, 5);
    for (i = 0; i < 6; i++) {
        char *id = t_task_id(&g_sim, "toggle", tasks[i]);

        assert_string_equal(id, after[i]);
        free(id);
        free(before[i]);
        free(stuck[i]);
        free(after[i]);
    }
    EVP_PKEY_free(k);
}

static void test_parallel_toggle(void **state)
{
    EVP_PKEY *k = h_rsa_new();
    char *o = tls_opts("par", 0, 1, NULL), *m0, *m0b;
    json_t *plan;
    long st;
    struct h_resp r;
    int seen_progress = 0, waited;

    (void)state;
    h_account_full(&g_sim, "par", "par-secret", k);
    t_install(&g_sim, "par", o);
    free(o);
    assert_true(t_wait_plan(&g_sim, "par", "COMPLETE", T_WAIT_MS));
    assert_true(t_wait_deployed(&g_sim, "par"));
    m0 = t_task_id(&g_sim, "par", "master-0-node");

    /* TLS on, parallel in the same update: a full-cluster restart */
    assert_int_equal(
        h_update(&g_sim, "par",
                 "{\"service\":{\"update_strategy\":\"parallel\","
                 "\"security\":{\"transport_encryption\":{\"enabled\":"
                 "true}}}}"),
        200);
    assert_true(t_wait_restart(&g_sim, "par", NULL));
    for (waited = 0; waited < T_WAIT_MS; waited += T_POLL_MS) {
        plan = h_plan(&g_sim, "par", "deploy", &st);
        if (st == 202)
            seen_progress = 1;
        json_decref(plan);
        if (st == 200)
            break;
        h_sleep_ms(T_POLL_MS);
    }
    assert_true(seen_progress);
    assert_int_equal(st, 200);
    m0b = t_task_id(&g_sim, "par", "master-0-node");
    assert_string_not_equal(m0, m0b);
    expect_https_only("par");
    r = master0_https("par", "/_cluster/health");
    assert_string_equal(h_jstr(r.json, "status"), "green");
    assert_int_equal(json_integer_value(h_jget(r.json, "number_of_nodes")),
                     6);
    h_resp_free(&r);

    /* and off again */
    assert_true(t_wait_deployed(&g_sim, "par"));
    assert_int_equal(
        h_update(&g_sim, "par",
                 "{\"service\":{\"security\":{\"transport_encryption\":"
                 "{\"enabled\":false}}}}"),
        200);
    assert_true(t_wait_restart(&g_sim, "par", NULL));
    assert_true(t_wait_plan(&g_sim, "par", "COMPLETE", T_WAIT_MS));
    expect_plain_http("par");
    expect_tls_spec("par", 0);
    free(m0);
    free(m0b);
    EVP_PKEY_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls_requires_service_account),
        cmocka_unit_test(test_tls_prerequisites),
        cmocka_unit_test(test_tls_without_xpack),
        cmocka_unit_test(test_serial_toggle_sticks_then_parallel_rescue),
        cmocka_unit_test(test_parallel_toggle),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
