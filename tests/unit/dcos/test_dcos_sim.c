/*
 * The DC/OS client against a real dcos-sim (label e2e): every typed call
 * and its status mapping, password login, re-login on an expired token
 * (--token-ttl 1), service login with a JWT, trust errors, and the probes
 * against a TLS-enabled Elastic service's coordinator.
 */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/key.h"
#include "common/sa_secret.h"
#include "common/util.h"
#include "dcos/client.h"
#include "dcos/keys.h"
#include "dcos/loop.h"
#include "dcos/parse.h"
#include "dcos/probe.h"
#include "dcos/simdir.h"
#include "harness/h_cluster.h"
#include "harness/harness.h"
#include "tpki.h"
#include "tprobe.h"

struct res {
    int done;
    long status;
    int code;
    char text[320];
    json_t *json;      /* copy */
    char *body;        /* copy */
    struct secret *secret;
};

static void on_res(const struct dcos_result *r, void *payload)
{
    struct res *x = payload;

    x->done++;
    x->status = r->status;
    x->code = r->err.code;
    snprintf(x->text, sizeof(x->text), "%s", r->err.text);
    x->json = r->json ? json_deep_copy(r->json) : NULL;
    x->body = r->body ? strndup(r->body, r->body_len) : NULL;
    x->secret = r->secret ? secret_new(r->secret->buf, r->secret->len)
                          : NULL;
}

static void res_clear(struct res *r)
{
    json_decref(r->json);
    free(r->body);
    secret_free(r->secret);
    memset(r, 0, sizeof(*r));
}

static void wait1(struct dcos_client *c, struct res *r, int submitted)
{
    assert_int_equal(submitted, 0);
    assert_int_equal(dcos_client_run(c, 30), 0);
    assert_int_equal(r->done, 1);
}

#define CALL(c, r, expr)                                                      \
    do {                                                                      \
        res_clear(r);                                                         \
        wait1((c), (r), (expr));                                              \
    } while (0)

#define EXPECT(r, code_)                                                      \
    do {                                                                      \
        if ((r)->code != (code_))                                             \
            fail_msg("line %d: want %d got %d (HTTP %ld): %s", __LINE__,      \
                     (code_), (r)->code, (r)->status, (r)->text);             \
    } while (0)

static struct dcos_client *sim_client(const struct h_sim *s)
{
    struct dcos_client *c = NULL;
    struct err_info e;

    memset(&e, 0, sizeof(e));
    if (dcos_client_from_sim_dir(&c, s->dir, NULL, &e))
        fail_msg("from_sim_dir: %s", e.text);
    return c;
}

struct kg {
    int done;
    struct secret *priv;
    char *pub;
};

static void on_key(int status, struct secret *priv, char *pub, void *p)
{
    struct kg *k = p;

    assert_int_equal(status, 0);
    k->done++;
    k->priv = priv;
    k->pub = pub;
}

static void test_iam_and_secrets(void **state)
{
    struct h_sim s;
    struct dcos_client *c, *sa;
    struct dcos_client_options o;
    struct res r;
    struct kg k;
    struct secret *val = NULL;
    struct dcos_user *u = NULL;
    struct dcos_user_list l;
    struct dcos_permissions p;
    struct dcos_version *v = NULL;
    enum sa_verdict verdict;
    char *pub2 = NULL;
    struct err_info e;
    size_t n;
    bool allowed = false;

    (void)state;
    memset(&r, 0, sizeof(r));
    memset(&k, 0, sizeof(k));
    h_sim_start(&s, NULL, NULL);
    c = sim_client(&s);

    CALL(c, &r, dcos_version_get(c, on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(dcos_parse_version(&v, r.json), 0);
    assert_string_equal(v->variant, "enterprise");
    dcos_version_free(v);
    assert_int_equal(dcos_client_logins(c), 0); /* public */
    CALL(c, &r, dcos_ca_cert_get(c, on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(dcos_parse_ca_pem(&n, r.body, strlen(r.body)), 0);

    CALL(c, &r, dcos_iam_user_get(c, "bootstrapuser", on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(dcos_client_logins(c), 1);
    CALL(c, &r, dcos_iam_user_get(c, "elastic", on_res, &r));
    EXPECT(&r, ERR_NOTFOUND);

    /* Key pair off the loop, then the account. */
    assert_int_equal(dcos_keygen_async(dcos_client_loop(c), on_key, &k), 0);
    assert_int_equal(dcos_client_run(c, 30), 0);
    assert_int_equal(k.done, 1);
    CALL(c, &r, dcos_iam_user_put(c, "elastic", "Elastic service account",
                                  k.pub, on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(r.status, 201);
    CALL(c, &r, dcos_iam_user_put(c, "elastic", "again", k.pub, on_res, &r));
    EXPECT(&r, ERR_CONFLICT);
    CALL(c, &r, dcos_iam_user_get(c, "elastic", on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(dcos_parse_user(&u, r.json), 0);
    assert_true(u->is_service);
    assert_int_equal(key_public_equal(u->public_key, k.pub), 1);
    dcos_user_free(u);

    /* The create-sa-secret value. */
    assert_int_equal(sa_secret_build(&val, "elastic", k.priv, NULL), 0);
    CALL(c, &r, dcos_secret_get(c, "elastic/secret", on_res, &r));
    EXPECT(&r, ERR_NOTFOUND);
    CALL(c, &r, dcos_secret_put(c, "elastic/secret", val, on_res, &r));
    EXPECT(&r, 0);
    CALL(c, &r, dcos_secret_put(c, "elastic/secret", val, on_res, &r));
    EXPECT(&r, ERR_CONFLICT);
    CALL(c, &r, dcos_secret_patch(c, "elastic/secret", val, on_res, &r));
    EXPECT(&r, 0);
    CALL(c, &r, dcos_secret_get(c, "elastic/secret", on_res, &r));
    EXPECT(&r, 0);
    assert_null(r.body);
    assert_null(r.json);
    assert_non_null(r.secret);
    assert_true(secret_equal(r.secret, val));
    assert_int_equal(
        sa_secret_inspect(&verdict, NULL, &pub2, r.secret, "elastic"), 0);
    assert_int_equal(verdict, SA_OK);
    assert_int_equal(key_public_equal(pub2, k.pub), 1);
    free(pub2);
    CALL(c, &r, dcos_secret_patch(c, "elastic/none", val, on_res, &r));
    EXPECT(&r, ERR_NOTFOUND);

    /* Membership. */
    CALL(c, &r, dcos_iam_group_users_get(c, "superusers", true, on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(dcos_parse_group_users(&l, r.json), 0);
    assert_false(dcos_user_list_has(&l, "elastic"));
    dcos_user_list_clear(&l);
    CALL(c, &r, dcos_iam_group_user_put(c, "superusers", "elastic", on_res,
                                        &r));
    EXPECT(&r, 0);
    CALL(c, &r, dcos_iam_group_user_put(c, "superusers", "elastic", on_res,
                                        &r));
    EXPECT(&r, ERR_CONFLICT);
    CALL(c, &r, dcos_iam_group_user_put(c, "nogroup", "elastic", on_res, &r));
    EXPECT(&r, ERR_NOTFOUND);
    CALL(c, &r, dcos_iam_group_users_get(c, "superusers", true, on_res, &r));
    assert_int_equal(dcos_parse_group_users(&l, r.json), 0);
    assert_true(dcos_user_list_has(&l, "elastic"));
    dcos_user_list_clear(&l);
    CALL(c, &r, dcos_iam_group_users_get(c, "nogroup", true, on_res, &r));
    EXPECT(&r, ERR_NOTFOUND);

    /* Permissions with a '/' in the rid. */
    CALL(c, &r, dcos_iam_acl_put(c, "dcos:secrets:default:/kibana/*", NULL,
                                 on_res, &r));
    EXPECT(&r, 0);
    CALL(c, &r, dcos_iam_acl_put(c, "dcos:secrets:default:/kibana/*", NULL,
                                 on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(r.status, 409);
    CALL(c, &r, dcos_iam_user_put(c, "kibana", NULL, k.pub, on_res, &r));
    EXPECT(&r, 0);
    CALL(c, &r, dcos_iam_acl_user_allowed(c, "dcos:secrets:default:/kibana/*",
                                          "kibana", "full", on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(dcos_parse_allowed(&allowed, r.json), 0);
    assert_false(allowed);
    CALL(c, &r, dcos_iam_acl_user_grant(c, "dcos:secrets:default:/kibana/*",
                                        "kibana", "full", on_res, &r));
    EXPECT(&r, 0);
    CALL(c, &r, dcos_iam_acl_user_grant(c, "dcos:secrets:default:/kibana/*",
                                        "kibana", "full", on_res, &r));
    EXPECT(&r, 0);
    CALL(c, &r, dcos_iam_acl_user_allowed(c, "dcos:secrets:default:/kibana/*",
                                          "kibana", "full", on_res, &r));
    assert_int_equal(dcos_parse_allowed(&allowed, r.json), 0);
    assert_true(allowed);
    CALL(c, &r, dcos_iam_user_permissions_get(c, "kibana", on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(dcos_parse_user_permissions(&p, r.json), 0);
    assert_true(dcos_permissions_allow(&p, "dcos:secrets:default:/kibana/*",
                                       "read"));
    dcos_permissions_clear(&p);

    /* Service login as "elastic" with its private key (a superuser). */
    memset(&o, 0, sizeof(o));
    o.url = dcos_client_url(c);
    o.ca_file = s.ca_cert;
    o.uid = "elastic";
    o.private_key = k.priv;
    assert_int_equal(dcos_client_new(&sa, &o, NULL, &e), 0);
    CALL(sa, &r, dcos_iam_user_get(sa, "bootstrapuser", on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(dcos_client_logins(sa), 1);
    dcos_client_free(sa);
    /* ... and "kibana" (same key, no superuser): logged in, forbidden. */
    o.uid = "kibana";
    assert_int_equal(dcos_client_new(&sa, &o, NULL, &e), 0);
    CALL(sa, &r, dcos_iam_user_get(sa, "bootstrapuser", on_res, &r));
    EXPECT(&r, ERR_AUTH);
    assert_int_equal(r.status, 403);
    assert_int_equal(dcos_client_logins(sa), 1);
    dcos_client_free(sa);

    CALL(c, &r, dcos_iam_user_delete(c, "kibana", on_res, &r));
    EXPECT(&r, 0);
    CALL(c, &r, dcos_iam_user_delete(c, "kibana", on_res, &r));
    EXPECT(&r, ERR_NOTFOUND);
    CALL(c, &r, dcos_secret_delete(c, "elastic/secret", on_res, &r));
    EXPECT(&r, 0);
    CALL(c, &r, dcos_secret_delete(c, "elastic/secret", on_res, &r));
    EXPECT(&r, ERR_NOTFOUND);

    res_clear(&r);
    secret_free(val);
    secret_free(k.priv);
    free(k.pub);
    dcos_client_free(c);
    h_sim_destroy(&s);
}

static void test_auth_failures(void **state)
{
    static const char *const ttl[] = { "--token-ttl", "1", NULL };
    static const char *const dns[] = { "localhost" };
    static const char *const ips[] = { "127.0.0.1" };
    struct h_sim s;
    struct dcos_client *c;
    struct dcos_client_options o;
    struct secret *pw = secret_new_str("not-the-password");
    struct tpki other;
    struct err_info e;
    struct res r;

    (void)state;
    memset(&r, 0, sizeof(r));
    h_sim_start(&s, NULL, ttl);
    c = sim_client(&s);
    CALL(c, &r, dcos_iam_user_get(c, "bootstrapuser", on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(dcos_client_logins(c), 1);
    h_sleep_ms(2200); /* the token expires */
    CALL(c, &r, dcos_iam_user_get(c, "bootstrapuser", on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(dcos_client_logins(c), 2);

    /* Bad credentials. */
    memset(&o, 0, sizeof(o));
    o.url = dcos_client_url(c);
    o.ca_file = s.ca_cert;
    o.uid = "bootstrapuser";
    o.password = pw;
    {
        struct dcos_client *bad = NULL;

        assert_int_equal(dcos_client_new(&bad, &o, NULL, &e), 0);
        CALL(bad, &r, dcos_iam_user_get(bad, "bootstrapuser", on_res, &r));
        EXPECT(&r, ERR_AUTH);
        assert_non_null(strstr(r.text, "login as bootstrapuser failed"));
        assert_non_null(strstr(r.text, "HTTP 401"));
        dcos_client_free(bad);
    }

    /* Wrong CA: one clear line, nothing reaches the cluster. */
    assert_int_equal(tpki_make(&other, "not the cluster CA", "x", dns, 1, ips,
                               1),
                     0);
    o.ca_file = NULL;
    o.ca_pem = other.ca_pem;
    o.password = NULL;
    o.uid = NULL;
    {
        struct dcos_client *bad = NULL;

        assert_int_equal(dcos_client_new(&bad, &o, NULL, &e), 0);
        CALL(bad, &r, dcos_version_get(bad, on_res, &r));
        EXPECT(&r, ERR_INVALID);
        assert_non_null(strstr(r.text, "SSL certificate problem"));
        assert_null(strchr(r.text, '\n'));
        dcos_client_free(bad);
    }
    tpki_free(&other);

    /* Unreachable: the sim stopped. */
    assert_int_equal(h_sim_stop(&s), 0);
    CALL(c, &r, dcos_version_get(c, on_res, &r));
    EXPECT(&r, ERR_TRANSIENT);
    res_clear(&r);
    secret_free(pw);
    dcos_client_free(c);
    h_sim_destroy(&s);
}

static int plan_done(struct dcos_client *c, const char *svc, int secs)
{
    struct res r;
    int i;

    memset(&r, 0, sizeof(r));
    for (i = 0; i < secs * 4; i++) {
        CALL(c, &r, dcos_sdk_plan_get(c, svc, "deploy", on_res, &r));
        if (r.code == 0 && r.status == 200) {
            res_clear(&r);
            return 1;
        }
        if (r.code && r.code != ERR_TRANSIENT)
            fail_msg("plan: %s", r.text);
        h_sleep_ms(250);
    }
    res_clear(&r);
    return 0;
}

static void test_cosmos_sdk_and_probes(void **state)
{
    struct h_sim s;
    struct dcos_client *c;
    struct res r;
    struct kg k;
    struct secret *val = NULL, *pw = secret_new_str("changeme");
    struct dcos_package_list pl;
    struct dcos_service_desc *d = NULL;
    struct dcos_endpoint *ep = NULL;
    struct dcos_pod_info pi;
    struct dcos_marathon_app *app = NULL;
    char *ca = NULL, *target = NULL, *host = NULL, url[256], ct[512];
    size_t tls = 0, tasks = 0;
    long port = 0;
    json_t *opts;
    struct tprobe p;

    (void)state;
    memset(&r, 0, sizeof(r));
    memset(&k, 0, sizeof(k));
    h_sim_start_speed(&s, NULL, "50");
    c = sim_client(&s);

    CALL(c, &r, dcos_cosmos_service_describe(c, "/elastic", on_res, &r));
    EXPECT(&r, ERR_NOTFOUND);
    assert_non_null(strstr(r.text, "MarathonAppNotFound"));

    /* Account, secret and membership the runbook's way. */
    assert_int_equal(dcos_keygen_async(dcos_client_loop(c), on_key, &k), 0);
    assert_int_equal(dcos_client_run(c, 30), 0);
    CALL(c, &r, dcos_iam_user_put(c, "elastic", NULL, k.pub, on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(sa_secret_build(&val, "elastic", k.priv, NULL), 0);
    CALL(c, &r, dcos_secret_put(c, "elastic/secret", val, on_res, &r));
    EXPECT(&r, 0);
    CALL(c, &r, dcos_iam_group_user_put(c, "superusers", "elastic", on_res,
                                        &r));
    EXPECT(&r, 0);

    opts = json_pack("{s:{s:s,s:s,s:s,s:{s:{s:b}}},s:{s:b}}", "service",
                     "name", "elastic", "service_account", "elastic",
                     "service_account_secret", "elastic/secret", "security",
                     "transport_encryption", "enabled", 1, "elasticsearch",
                     "xpack_enabled", 1);
    CALL(c, &r, dcos_cosmos_package_install(c, "beta-elastic", NULL, opts,
                                            on_res, &r));
    EXPECT(&r, 0);
    CALL(c, &r, dcos_cosmos_package_install(c, "beta-elastic", NULL, opts,
                                            on_res, &r));
    EXPECT(&r, ERR_CONFLICT);
    assert_non_null(strstr(r.text, "PackageAlreadyInstalled"));
    CALL(c, &r, dcos_cosmos_package_install(c, "no-such-package", NULL, NULL,
                                            on_res, &r));
    EXPECT(&r, ERR_NOTFOUND);
    CALL(c, &r, dcos_cosmos_package_list(c, NULL, NULL, on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(dcos_parse_package_list(&pl, r.json), 0);
    assert_non_null(dcos_package_list_find(&pl, "/elastic"));
    assert_string_equal(dcos_package_list_find(&pl, "elastic")->name,
                        "beta-elastic");
    dcos_package_list_clear(&pl);
    CALL(c, &r, dcos_cosmos_package_describe(c, "beta-elastic", NULL, on_res,
                                             &r));
    EXPECT(&r, 0);
    CALL(c, &r, dcos_cosmos_service_describe(c, "/elastic", on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(dcos_parse_service_describe(&d, r.json), 0);
    assert_string_equal(d->package_name, "beta-elastic");
    assert_true(json_is_true(json_object_get(
        json_object_get(json_object_get(json_object_get(d->user_options,
                                                        "service"),
                                        "security"),
                        "transport_encryption"),
        "enabled")));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(d->resolved_options, "service"),
                            "update_strategy")),
                        "serial");
    dcos_service_desc_free(d);
    {
        json_t *bad = json_pack("{s:{s:i}}", "service", "user", 3);

        CALL(c, &r, dcos_cosmos_service_update(c, "/elastic", bad, NULL,
                                               false, on_res, &r));
        EXPECT(&r, ERR_INVALID);
        assert_non_null(strstr(r.text, "JsonSchemaMismatch"));
        json_decref(bad);
    }

    assert_true(plan_done(c, "elastic", 120));
    CALL(c, &r, dcos_marathon_app_get(c, "/elastic", on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(dcos_parse_marathon_app(&app, r.json), 0);
    assert_string_equal(app->package_name, "beta-elastic");
    dcos_marathon_app_free(app);
    CALL(c, &r, dcos_marathon_app_get(c, "/nope", on_res, &r));
    EXPECT(&r, ERR_NOTFOUND);
    CALL(c, &r, dcos_sdk_target_id_get(c, "elastic", on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(dcos_parse_target_id(&target, r.json), 0);
    CALL(c, &r, dcos_sdk_configuration_get(c, "elastic", target, on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(dcos_parse_config_tls(&tls, &tasks, r.json), 0);
    assert_true(tasks >= 4);
    assert_int_equal(tls, tasks);
    CALL(c, &r, dcos_sdk_pod_list(c, "elastic", on_res, &r));
    EXPECT(&r, 0);
    CALL(c, &r, dcos_sdk_pod_info(c, "elastic", "master-0", on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(dcos_parse_pod_info(&pi, r.json), 0);
    assert_int_equal(pi.n, 1);
    assert_string_equal(pi.tasks[0].name, "master-0-node");
    assert_string_equal(pi.tasks[0].target_config, target);
    dcos_pod_info_clear(&pi);
    CALL(c, &r, dcos_sdk_plan_get(c, "elastic", "nosuchplan", on_res, &r));
    EXPECT(&r, ERR_NOTFOUND);
    CALL(c, &r, dcos_sdk_endpoint_get(c, "elastic", "coordinator-http",
                                      on_res, &r));
    EXPECT(&r, 0);
    assert_int_equal(dcos_parse_endpoint(&ep, r.json), 0);

    /* The probes against the coordinator, as apply verifies it. */
    CALL(c, &r, dcos_ca_cert_get(c, on_res, &r));
    EXPECT(&r, 0);
    ca = strdup(r.body);
    assert_int_equal(dcos_split_host_port(&host, &port, ep->dns[0]), 0);
    snprintf(url, sizeof(url), "https://%s:%ld/", host, port);
    snprintf(ct, sizeof(ct), "%s:%ld:%s", host, port, ep->address[0]);
    memset(&p, 0, sizeof(p));
    assert_int_equal(dcos_probe_https(dcos_client_loop(c), url, ct, ca,
                                      "elastic", pw, tprobe_on_https, &p),
                     0);
    assert_int_equal(dcos_client_run(c, 30), 0);
    if (p.code)
        fail_msg("probe: %s", p.text);
    assert_int_equal(p.status, 200);
    assert_string_equal(p.version, "5.6.5");
    assert_non_null(strstr(p.sans, "DNS:coordinator.elastic.l4lb"));
    /* ... by address the name check fails ... */
    snprintf(url, sizeof(url), "https://%s/", ep->address[0]);
    memset(&p, 0, sizeof(p));
    assert_int_equal(dcos_probe_https(dcos_client_loop(c), url, NULL, ca,
                                      "elastic", pw, tprobe_on_https, &p),
                     0);
    assert_int_equal(dcos_client_run(c, 30), 0);
    assert_int_equal(p.code, ERR_INVALID);
    /* ... and plain HTTP gets no HTTP answer. */
    snprintf(url, sizeof(url), "http://%s:%ld/", host, port);
    memset(&p, 0, sizeof(p));
    assert_int_equal(dcos_probe_plain(dcos_client_loop(c), url, ct,
                                      tprobe_on_plain, &p),
                     0);
    assert_int_equal(dcos_client_run(c, 30), 0);
    assert_int_equal(p.done, 1);
    assert_false(p.answered);

    /* An update: accepted, the scheduler restarts, then completes. */
    {
        json_t *upd = json_pack("{s:{s:s}}", "service", "update_strategy",
                                "parallel");

        CALL(c, &r, dcos_cosmos_service_update(c, "/elastic", upd, NULL,
                                               false, on_res, &r));
        EXPECT(&r, 0);
        json_decref(upd);
        assert_true(plan_done(c, "elastic", 120));
    }

    res_clear(&r);
    free(host);
    free(ca);
    free(target);
    dcos_endpoint_free(ep);
    json_decref(opts);
    secret_free(val);
    secret_free(pw);
    secret_free(k.priv);
    free(k.pub);
    dcos_client_free(c);
    h_sim_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iam_and_secrets),
        cmocka_unit_test(test_auth_failures),
        cmocka_unit_test(test_cosmos_sdk_and_probes),
    };

    if (dcos_global_init())
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
