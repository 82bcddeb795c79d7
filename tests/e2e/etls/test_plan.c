/*
 * End-to-end tests of `etls plan` and `etls validate` (issue 3) against a
 * private dcos-sim per test: the empty cluster, the runbook done by hand,
 * every drift the reconcilers must see, a directory of services, and
 * offline validation.  Every plan runs on a cleared request log and must
 * leave no write request in it.
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
#include <openssl/crypto.h>

#include "e2e/etls/etls_testutil.h"
#include "harness/harness.h"

static struct h_sim g_sim;

static int setup(void **state)
{
    return h_group_up(state, &g_sim, E_SPEED);
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

/*
 * `etls plan -f @file --detailed-exitcode [extra]` on a cleared request
 * log; asserts that the plan wrote nothing and printed no secret.
 */
static struct e_run plan(const char *file, const char *extra)
{
    struct e_run r;

    e_log_clear(&g_sim);
    if (extra)
        r = e_etls(&g_sim, "plan", file, "--detailed-exitcode", "-o", extra,
                   (char *)NULL);
    else
        r = e_etls(&g_sim, "plan", file, "--detailed-exitcode",
                   (char *)NULL);
    e_assert_no_writes(&g_sim, "etls plan");
    e_assert_clean(&r, &g_sim, "elastic/secret");
    return r;
}

/* Plan of the runbook's options file. */
static struct e_run plan_runbook(const char *extra)
{
    char *file = e_runbook_file();
    struct e_run r = plan(file, extra);

    free(file);
    return r;
}

/* Plan of tests/data/e2e/@rel. */
static struct e_run plan_data(const char *rel, const char *extra)
{
    char *file = e_data(rel);
    struct e_run r = plan(file, extra);

    free(file);
    return r;
}

/* The JSON plan of @r (new); fails when stdout is not JSON. */
static json_t *json_of(const struct e_run *r)
{
    json_t *j = json_loads(r->out, 0, NULL);

    if (!j) {
        fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", r->out, r->err);
        fail_msg("etls plan -o json printed no JSON");
    }
    return j;
}

/* Assert resource change @addr of JSON plan @j has @type, @name and the
 * change actions @a0 [, @a1]; returns it (borrowed). */
static json_t *expect_change(const json_t *j, const char *addr,
                             const char *type, const char *name,
                             const char *a0, const char *a1)
{
    json_t *c = e_change(j, addr), *acts;

    if (!c)
        fail_msg("no resource change %s", addr);
    assert_string_equal(h_jstr(c, "type"), type);
    assert_string_equal(h_jstr(c, "name"), name);
    acts = h_jget(c, "change.actions");
    assert_int_equal(json_array_size(acts), a1 ? 2 : 1);
    assert_string_equal(json_string_value(json_array_get(acts, 0)), a0);
    if (a1)
        assert_string_equal(json_string_value(json_array_get(acts, 1)), a1);
    assert_non_null(h_jstr(c, "reason"));
    assert_true(json_is_boolean(json_object_get(c, "disruptive")));
    /* Terraform's change object: every member present (null allowed) */
    assert_non_null(json_object_get(h_jget(c, "change"), "before"));
    assert_non_null(json_object_get(h_jget(c, "change"), "after"));
    assert_non_null(json_object_get(h_jget(c, "change"), "before_sensitive"));
    assert_non_null(json_object_get(h_jget(c, "change"), "after_sensitive"));
    return c;
}

/* Number of resource changes of JSON plan @j. */
static size_t n_changes(const json_t *j)
{
    return json_array_size(h_jget(j, "resource_changes"));
}

/* ------------------------------------------------------------------ */
/* plan                                                                 */

static void test_plan_empty_cluster(void **state)
{
    struct e_run r;
    json_t *j, *c;
    char *file = e_runbook_file();

    (void)state;
    r = plan_runbook(NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "+ dcos_service_account.elastic\n");
    /* Crash-safe order: the secret stores the new private key first. */
    e_expect_out(&r, "+ dcos_secret.elastic/secret\n");
    e_expect_out(&r, "it receives the private key of a new RSA-2048 key "
                     "pair for service account elastic");
    e_expect_out(&r, "create it with the public key of the new key pair "
                     "stored in secret elastic/secret");
    e_expect_out(&r, "+ dcos_group_membership.superusers/elastic\n");
    e_expect_out(&r, "+ dcos_package.elastic\n");
    e_expect_out(&r, "install package beta-elastic");
    e_expect_out(&r, "options.service.security.transport_encryption."
                     "enabled = true");
    e_expect_out(&r, "options.elasticsearch.xpack_enabled = true");
    e_expect_out(&r, "<= dcos_rollout.elastic\n");
    e_expect_out(&r, "wait for the deploy plan of elastic to complete");
    e_expect_out(&r, "<= dcos_https_check.elastic\n");
    e_expect_out(&r, "answers only over HTTPS on coordinator-http");
    e_expect_out(&r, "(sensitive value)");
    e_expect_out(&r, "Order of execution:");
    e_expect_out(&r, "Plan: 4 to add, 0 to change, 0 to destroy.");
    e_run_free(&r);

    /* without --detailed-exitcode pending changes exit 0 */
    e_log_clear(&g_sim);
    r = e_etls(&g_sim, "plan", file, (char *)NULL);
    e_expect_rc(&r, 0);
    e_expect_out(&r, "Plan: 4 to add, 0 to change, 0 to destroy.");
    e_assert_no_writes(&g_sim, "etls plan");
    e_run_free(&r);
    free(file);

    r = plan_runbook("json");
    e_expect_rc(&r, 2);
    j = json_of(&r);
    assert_true(json_is_string(json_object_get(j, "format_version")));
    assert_int_equal(n_changes(j), 6);
    c = expect_change(j, "dcos_service_account.elastic",
                      "dcos_service_account", "elastic", "create", NULL);
    assert_string_equal(h_jstr(c, "change.after.uid"), "elastic");
    assert_true(json_is_null(h_jget(c, "change.before")));
    assert_false(json_is_true(json_object_get(c, "disruptive")));
    c = expect_change(j, "dcos_secret.elastic/secret", "dcos_secret",
                      "elastic/secret", "create", NULL);
    assert_true(json_is_true(h_jget(c, "change.after_sensitive.value")));
    expect_change(j, "dcos_group_membership.superusers/elastic",
                  "dcos_group_membership", "superusers/elastic", "create",
                  NULL);
    c = expect_change(j, "dcos_package.elastic", "dcos_package", "elastic",
                      "create", NULL);
    assert_true(json_is_true(h_jget(c, "change.after.options.service."
                                      "security.transport_encryption."
                                      "enabled")));
    assert_true(json_is_true(h_jget(c, "change.after.options.elasticsearch."
                                      "xpack_enabled")));
    assert_string_equal(h_jstr(c, "change.after.package"), "beta-elastic");
    expect_change(j, "dcos_rollout.elastic", "dcos_rollout", "elastic",
                  "read", NULL);
    expect_change(j, "dcos_https_check.elastic", "dcos_https_check",
                  "elastic", "read", NULL);
    json_decref(j);
    e_run_free(&r);
}

static void test_plan_runbook_by_hand(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    json_t *j, *c;
    size_t i;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    r = plan_runbook(NULL);
    e_expect_rc(&r, 0);
    e_expect_out(&r, "No changes.");
    e_expect_not_out(&r, "Plan:");
    e_run_free(&r);

    r = plan_runbook("json");
    e_expect_rc(&r, 0);
    j = json_of(&r);
    json_array_foreach(h_jget(j, "resource_changes"), i, c) {
        const char *a = json_string_value(
            json_array_get(h_jget(c, "change.actions"), 0));

        if (strcmp(a, "read") != 0 && strcmp(a, "no-op") != 0)
            fail_msg("%s: %s on a converged cluster", h_jstr(c, "address"),
                     a);
    }
    json_decref(j);
    e_run_free(&r);
    EVP_PKEY_free(k);
}

static void test_plan_account_missing(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    json_t *j, *c;
    char *fp;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    fp = e_fingerprint(k);
    e_account_delete(&g_sim, "elastic");
    r = plan_runbook(NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "+ dcos_service_account.elastic\n");
    e_expect_out(&r, "service account elastic does not exist; recreate it "
                     "with the public key derived from the private key in "
                     "secret elastic/secret");
    e_expect_out(&r, fp);
    e_expect_out(&r, "+ dcos_group_membership.superusers/elastic\n");
    /* the secret and the package are fine */
    e_expect_not_out(&r, "# dcos_secret.elastic/secret");
    e_expect_not_out(&r, "# dcos_package.elastic");
    e_expect_out(&r, "Plan: 2 to add, 0 to change, 0 to destroy.");
    e_run_free(&r);

    r = plan_runbook("json");
    e_expect_rc(&r, 2);
    j = json_of(&r);
    c = expect_change(j, "dcos_service_account.elastic",
                      "dcos_service_account", "elastic", "create", NULL);
    assert_string_equal(h_jstr(c, "change.after.public_key"), fp);
    assert_null(e_change(j, "dcos_secret.elastic/secret"));
    json_decref(j);
    e_run_free(&r);
    free(fp);
    EVP_PKEY_free(k);
}

static void test_plan_key_mismatch(void **state)
{
    EVP_PKEY *k, *other;
    struct e_run r;
    json_t *j, *c;
    char *fp, *fp_other;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    other = h_rsa_new();
    fp = e_fingerprint(k);
    fp_other = e_fingerprint(other);
    /* someone recreated the account with another key */
    e_account_delete(&g_sim, "elastic");
    h_account_put(&g_sim, "elastic", other, "made by hand");
    h_group_add(&g_sim, "superusers", "elastic");
    r = plan_runbook(NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "-/+ dcos_service_account.elastic\n");
    e_expect_out(&r, "public key does not match the private key in secret "
                     "elastic/secret; the public key cannot be patched");
    e_expect_out(&r, fp);
    e_expect_out(&r, fp_other);
    /* memberships do not survive the replacement */
    e_expect_out(&r, "+ dcos_group_membership.superusers/elastic\n");
    e_expect_not_out(&r, "# dcos_secret.elastic/secret");
    e_expect_out(&r, "Plan: 2 to add, 0 to change, 1 to destroy.");
    e_run_free(&r);

    r = plan_runbook("json");
    j = json_of(&r);
    c = expect_change(j, "dcos_service_account.elastic",
                      "dcos_service_account", "elastic", "delete", "create");
    assert_string_equal(h_jstr(c, "change.before.public_key"), fp_other);
    assert_string_equal(h_jstr(c, "change.after.public_key"), fp);
    json_decref(j);
    e_run_free(&r);
    free(fp);
    free(fp_other);
    EVP_PKEY_free(other);
    EVP_PKEY_free(k);
}

static void test_plan_secret_missing(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    json_t *j, *c;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    e_secret_delete(&g_sim, "elastic/secret");

    /* policy rotate (the default) */
    r = plan_runbook(NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "-/+ dcos_service_account.elastic\n");
    e_expect_out(&r, "private key of service account elastic is lost "
                     "(secret elastic/secret missing) and policy keyLost is "
                     "rotate; replace the account with the public key of "
                     "the new key pair stored in secret elastic/secret");
    e_expect_out(&r, "+ dcos_secret.elastic/secret\n");
    e_expect_out(&r, "+ dcos_group_membership.superusers/elastic\n");
    /* the scheduler must restart to read the new secret */
    e_expect_out(&r, "~ dcos_package.elastic\n");
    e_expect_out(&r, "DISRUPTIVE: scheduler restart");
    e_run_free(&r);
    r = plan_runbook("json");
    j = json_of(&r);
    c = expect_change(j, "dcos_service_account.elastic",
                      "dcos_service_account", "elastic", "delete", "create");
    assert_true(json_is_true(json_object_get(c, "disruptive")));
    c = expect_change(j, "dcos_package.elastic", "dcos_package", "elastic",
                      "update", NULL);
    assert_true(json_is_true(json_object_get(c, "disruptive")));
    json_decref(j);
    e_run_free(&r);

    /* policy fail: exit 1 with the message, nothing planned */
    r = plan_data("keylost-fail.json", NULL);
    e_expect_rc(&r, 1);
    e_expect_out(&r, "private key of service account elastic is lost "
                     "(secret elastic/secret missing) and policy keyLost is "
                     "fail");
    e_expect_out(&r, "cannot be converged");
    e_expect_not_out(&r, "+ dcos_");
    e_expect_not_out(&r, "~ dcos_");
    e_run_free(&r);
    EVP_PKEY_free(k);
}

/* The secret's value is replaced by @value, as a person would. */
static void secret_drift(const char *value)
{
    h_secret_patch(&g_sim, "elastic/secret", value);
}

/* The secret is rewritten around the same private key of @k, with @uid
 * and @scheme. */
static void secret_drift_around(EVP_PKEY *k, const char *uid,
                                const char *scheme)
{
    char *priv = h_priv_pem(k), *v = h_sa_secret_value(uid, scheme, priv);

    secret_drift(v);
    OPENSSL_cleanse(priv, strlen(priv));
    OPENSSL_cleanse(v, strlen(v));
    free(priv);
    free(v);
}

static void test_plan_secret_not_json(void **state)
{
    EVP_PKEY *k;
    struct e_run r;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    secret_drift("this is not JSON");
    r = plan_runbook(NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "-/+ dcos_service_account.elastic\n");
    e_expect_out(&r, "(secret elastic/secret not JSON) and policy keyLost "
                     "is rotate");
    e_expect_out(&r, "~ dcos_secret.elastic/secret\n");
    e_expect_out(&r, "the secret receives a new RSA-2048 key pair before "
                     "the account takes its public key");
    e_expect_out(&r, "(sensitive value changed)");
    e_expect_out(&r, "DISRUPTIVE: scheduler restart");
    e_run_free(&r);
    EVP_PKEY_free(k);
}

static void test_plan_secret_wrong_uid(void **state)
{
    EVP_PKEY *k;
    struct e_run r;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    secret_drift_around(k, "intruder", "RS256");
    r = plan_runbook(NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "~ dcos_secret.elastic/secret\n");
    e_expect_out(&r, "secret elastic/secret names uid \"intruder\", not "
                     "\"elastic\"; rewrite it around the same private key");
    e_expect_out(&r, "(sensitive value changed)");
    /* same key: the account stays */
    e_expect_not_out(&r, "# dcos_service_account.elastic");
    e_expect_out(&r, "DISRUPTIVE: scheduler restart");
    e_expect_out(&r, "Plan: 0 to add, 2 to change, 0 to destroy.");
    e_run_free(&r);
    EVP_PKEY_free(k);
}

static void test_plan_secret_wrong_scheme(void **state)
{
    EVP_PKEY *k;
    struct e_run r;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    secret_drift_around(k, "elastic", "HS256");
    r = plan_runbook(NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "~ dcos_secret.elastic/secret\n");
    e_expect_out(&r, "secret elastic/secret has a scheme other than RS256; "
                     "rewrite it around the same private key");
    e_expect_not_out(&r, "# dcos_service_account.elastic");
    e_run_free(&r);
    EVP_PKEY_free(k);
}

static void test_plan_secret_no_endpoint(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    char *priv, *v;
    json_t *o;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    priv = h_priv_pem(k);
    o = json_pack("{s:s,s:s,s:s}", "scheme", "RS256", "uid", "elastic",
                  "private_key", priv);
    v = json_dumps(o, JSON_COMPACT);
    assert_non_null(v);
    secret_drift(v);
    r = plan_runbook(NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "~ dcos_secret.elastic/secret\n");
    e_expect_out(&r, "secret elastic/secret has no login_endpoint; rewrite "
                     "it around the same private key");
    e_expect_out(&r, "(sensitive value changed)");
    e_expect_not_out(&r, "# dcos_service_account.elastic");
    e_expect_out(&r, "DISRUPTIVE: scheduler restart");
    e_expect_out(&r, "Plan: 0 to add, 2 to change, 0 to destroy.");
    e_run_free(&r);
    OPENSSL_cleanse(v, strlen(v));
    OPENSSL_cleanse(priv, strlen(priv));
    free(v);
    free(priv);
    json_decref(o);
    EVP_PKEY_free(k);
}

static void test_plan_secret_bad_key(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    char *v;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    v = h_sa_secret_value("elastic", "RS256", "not a key at all");
    secret_drift(v);
    r = plan_runbook(NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "-/+ dcos_service_account.elastic\n");
    e_expect_out(&r, "(secret elastic/secret holds no usable key) and "
                     "policy keyLost is rotate");
    e_expect_out(&r, "~ dcos_secret.elastic/secret\n");
    e_expect_out(&r, "policy keyLost is rotate; the secret receives a new "
                     "RSA-2048 key pair before the account takes its public "
                     "key");
    e_run_free(&r);
    free(v);
    EVP_PKEY_free(k);
}

static void test_plan_membership_missing(void **state)
{
    EVP_PKEY *k;
    struct e_run r;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    e_group_remove(&g_sim, "superusers", "elastic");
    r = plan_runbook(NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "+ dcos_group_membership.superusers/elastic\n");
    e_expect_out(&r, "elastic is not a member of group superusers");
    e_expect_not_out(&r, "# dcos_service_account.elastic");
    e_expect_not_out(&r, "# dcos_secret.elastic/secret");
    e_expect_not_out(&r, "# dcos_package.elastic");
    e_expect_out(&r, "Plan: 1 to add, 0 to change, 0 to destroy.");
    e_run_free(&r);
    EVP_PKEY_free(k);
}

static void test_plan_package_missing(void **state)
{
    EVP_PKEY *k;
    struct e_run r;

    (void)state;
    k = e_runbook_default(&g_sim, E_NO_INSTALL);
    r = plan_runbook(NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "+ dcos_package.elastic\n");
    e_expect_out(&r, "service elastic is not installed; install package "
                     "beta-elastic");
    e_expect_out(&r, "<= dcos_rollout.elastic\n");
    e_expect_out(&r, "<= dcos_https_check.elastic\n");
    e_expect_not_out(&r, "# dcos_service_account.elastic");
    e_expect_not_out(&r, "# dcos_secret.elastic/secret");
    e_expect_not_out(&r, "# dcos_group_membership");
    e_expect_out(&r, "Plan: 1 to add, 0 to change, 0 to destroy.");
    e_run_free(&r);
    EVP_PKEY_free(k);
}

static void test_plan_option_drift(void **state)
{
    char *file = e_data("option-drift.json"), *text = e_read(file);
    EVP_PKEY *k;
    struct e_run r;
    json_t *j, *c;

    (void)state;
    k = e_runbook(&g_sim, text, 0);
    /* someone changed an option by hand */
    assert_int_equal(e_update(&g_sim, "elastic",
                              "{\"elasticsearch\":{\"gateway_recover_after_"
                              "time\":\"10m\"}}"),
                     200);
    assert_true(e_wait_complete(&g_sim, "elastic"));
    r = plan_data("option-drift.json", NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "~ dcos_package.elastic\n");
    e_expect_out(&r, "options differ from the running service: "
                     "elasticsearch.gateway_recover_after_time");
    e_expect_out(&r, "~ options.elasticsearch.gateway_recover_after_time = "
                     "\"10m\" -> \"2m\"");
    e_expect_out(&r, "<= dcos_rollout.elastic\n");
    /* only the differing leaf: nothing about TLS */
    e_expect_not_out(&r, "transport_encryption.enabled =");
    e_expect_not_out(&r, "full-cluster restart");
    e_expect_out(&r, "Plan: 0 to add, 1 to change, 0 to destroy.");
    e_run_free(&r);

    r = plan_data("option-drift.json", "json");
    j = json_of(&r);
    c = expect_change(j, "dcos_package.elastic", "dcos_package", "elastic",
                      "update", NULL);
    assert_string_equal(h_jstr(c, "change.before.options.elasticsearch."
                                 "gateway_recover_after_time"), "10m");
    assert_string_equal(h_jstr(c, "change.after.options.elasticsearch."
                                 "gateway_recover_after_time"), "2m");
    assert_null(h_jget(c, "change.after.options.service"));
    json_decref(j);
    e_run_free(&r);
    free(text);
    free(file);
    EVP_PKEY_free(k);
}

static void test_plan_tls_on_service_plain(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    json_t *j, *c;

    (void)state;
    k = e_runbook_default(&g_sim, E_PLAIN);
    r = plan_runbook(NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "~ dcos_package.elastic\n");
    e_expect_out(&r, "transport encryption turns on");
    e_expect_out(&r, "~ options.service.security.transport_encryption."
                     "enabled = false -> true");
    e_expect_out(&r, "update_strategy = \"serial\" -> \"parallel\"");
    e_expect_out(&r, "DISRUPTIVE: full-cluster restart: all 6 nodes restart "
                     "together; the service is unavailable until the deploy "
                     "plan completes");
    e_expect_out(&r, "<= dcos_rollout.elastic\n");
    e_expect_out(&r, "~ dcos_update_strategy.elastic\n");
    e_expect_out(&r, "restores update_strategy serial; restarts no node");
    e_expect_out(&r, "<= dcos_https_check.elastic\n");
    e_expect_out(&r, "Plan: 0 to add, 2 to change, 0 to destroy.");
    e_run_free(&r);

    r = plan_runbook("json");
    j = json_of(&r);
    c = expect_change(j, "dcos_package.elastic", "dcos_package", "elastic",
                      "update", NULL);
    assert_true(json_is_true(json_object_get(c, "disruptive")));
    assert_false(json_is_true(h_jget(c, "change.before.options.service."
                                       "security.transport_encryption."
                                       "enabled")));
    assert_true(json_is_true(h_jget(c, "change.after.options.service."
                                      "security.transport_encryption."
                                      "enabled")));
    c = expect_change(j, "dcos_update_strategy.elastic",
                      "dcos_update_strategy", "elastic", "update", NULL);
    assert_false(json_is_true(json_object_get(c, "disruptive")));
    assert_string_equal(h_jstr(c, "change.after.options.service."
                                 "update_strategy"), "serial");
    json_decref(j);
    e_run_free(&r);
    EVP_PKEY_free(k);
}

static void test_plan_tls_off_service_tls(void **state)
{
    EVP_PKEY *k;
    struct e_run r;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    r = plan_data("tls-off.json", NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "~ dcos_package.elastic\n");
    e_expect_out(&r, "transport encryption turns off");
    e_expect_out(&r, "~ options.service.security.transport_encryption."
                     "enabled = true -> false");
    e_expect_out(&r, "DISRUPTIVE: full-cluster restart: all 6 nodes");
    e_expect_out(&r, "~ dcos_update_strategy.elastic\n");
    e_expect_out(&r, "answers over plain HTTP on coordinator-http");
    e_run_free(&r);
    EVP_PKEY_free(k);
}

static void test_plan_stuck_serial_toggle(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    json_t *j, *c;

    (void)state;
    k = e_runbook_default(&g_sim, E_PLAIN);
    e_make_stuck_toggle(&g_sim, "elastic");
    r = plan_runbook(NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "~ dcos_package.elastic\n");
    e_expect_out(&r, "serial TLS toggle is stuck: 1 nodes run with TLS, 5 "
                     "without; a parallel update restarts the rest together");
    e_expect_out(&r, "DISRUPTIVE: full-cluster restart: the 5 nodes not yet "
                     "updated restart together");
    e_expect_out(&r, "update_strategy = \"serial\" -> \"parallel\"");
    e_expect_out(&r, "<= dcos_rollout.elastic\n");
    e_expect_out(&r, "~ dcos_update_strategy.elastic\n");
    e_run_free(&r);

    r = plan_runbook("json");
    j = json_of(&r);
    c = expect_change(j, "dcos_package.elastic", "dcos_package", "elastic",
                      "update", NULL);
    assert_true(json_is_true(json_object_get(c, "disruptive")));
    json_decref(j);
    e_run_free(&r);
    EVP_PKEY_free(k);
}

static void test_plan_deploy_plan_error(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    json_t *p;

    (void)state;
    /* account, secret and membership are there, but the install by hand
     * forgot the secret: TLSRequiresServiceAccount, plan ERROR, 417 */
    k = e_runbook_default(&g_sim, E_NO_INSTALL);
    p = e_install_without_secret(&g_sim);
    assert_non_null(p);
    assert_string_equal(h_jstr(p, "status"), "ERROR");
    json_decref(p);

    /* the desired state names the secret: the update is the fix */
    r = plan_runbook(NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "~ dcos_package.elastic\n");
    e_expect_out(&r, "options differ from the running service: "
                     "service.service_account_secret");
    e_expect_out(&r, "~ options.service.service_account_secret = \"\" -> "
                     "\"elastic/secret\"");
    e_expect_out(&r, "<= dcos_rollout.elastic\n");
    e_expect_not_out(&r, "cannot be converged");
    e_run_free(&r);

    /*
     * A desired state without account that leaves transport encryption
     * at its default: the managed fields are compared all the same, so
     * the update turning TLS off is the fix (docs/plan.md, "package").
     */
    r = plan_data("no-account.json", NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "~ dcos_package.elastic\n");
    e_expect_out(&r, "transport encryption turns off");
    e_expect_not_out(&r, "deploy plan is in ERROR");
    e_run_free(&r);
    EVP_PKEY_free(k);
}

static void test_plan_directory(void **state)
{
    struct e_run r;

    (void)state;
    r = plan_data("multi", NULL);
    e_expect_rc(&r, 2);
    e_expect_out(&r, "Service alpha:");
    e_expect_out(&r, "Service beta:");
    e_expect_out(&r, "Service team/gamma:");
    e_expect_out(&r, "+ dcos_service_account.alpha\n");
    e_expect_out(&r, "+ dcos_service_account.beta-sa\n");
    e_expect_out(&r, "+ dcos_service_account.gamma\n");
    e_expect_out(&r, "+ dcos_secret.beta/sa-secret\n");
    e_expect_out(&r, "+ dcos_group_membership.superusers/beta-sa\n");
    e_expect_out(&r, "+ dcos_permission.gamma/dcos:adminrouter:ops:ca:rw/"
                     "full\n");
    e_expect_out(&r, "+ dcos_package.team/gamma\n");
    e_expect_out(&r, "+ version = \"2.1.2-5.6.5-beta\"");
    /* 3 x (account, secret, package) + 1 + 1 + 4 grants */
    e_expect_out(&r, "Plan: 15 to add, 0 to change, 0 to destroy.");
    e_run_free(&r);
}

/* ------------------------------------------------------------------ */
/* validate                                                             */

static void test_validate_good(void **state)
{
    char *file = e_runbook_file(), *dir = e_data("multi");
    struct e_run r;

    (void)state;
    /* offline: no cluster at all */
    r = e_etls(NULL, "validate", file, (char *)NULL);
    e_expect_rc(&r, 0);
    e_expect_out(&r, "service elastic is valid");
    assert_string_equal(r.err, "");
    e_run_free(&r);
    r = e_etls(NULL, "validate", dir, (char *)NULL);
    e_expect_rc(&r, 0);
    e_expect_out(&r, "alpha.json: service alpha is valid");
    e_expect_out(&r, "beta.json: service beta is valid");
    e_expect_out(&r, "gamma.json: service team/gamma is valid");
    assert_string_equal(r.err, "");
    e_run_free(&r);
    free(dir);
    free(file);
}

static const struct {
    const char *file;
    const char *where;   /* LINE:COL: FIELD: */
    const char *message; /* part of the message */
} bad_docs[] = {
    {"syntax.json", "4:3: (root): ", "invalid JSON"},
    {"tls-without-xpack.json", "13:22: elasticsearch.xpack_enabled: ",
     "transport encryption is enabled at line 8"},
    {"bad-uid.json", "4:24: service.service_account: ",
     "expected a string matching [a-zA-Z0-9-_@.]+"},
    {"inline-password.json", "10:17: verify.password: ",
     "never accepted inline"},
    {"unknown-member.json", "8:3: polices: ", "unknown key"},
    {"secret-dotdot.json", "5:31: service.service_account_secret: ",
     "'..'"},
};

static void test_validate_bad(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad_docs) / sizeof(bad_docs[0]); i++) {
        char *rel = h_fmt("invalid/%s", bad_docs[i].file);
        char *file = e_data(rel);
        char *where = h_fmt("%s:%s", file, bad_docs[i].where);
        struct e_run r = e_etls(NULL, "validate", file, (char *)NULL);

        e_expect_rc(&r, 1);
        e_expect_err(&r, where);
        e_expect_err(&r, bad_docs[i].message);
        assert_string_equal(r.out, "");
        /* the inline password is never echoed */
        assert_null(strstr(r.err, "hunter2"));
        e_run_free(&r);
        free(where);
        free(file);
        free(rel);
    }
}

static void test_validate_duplicate_names(void **state)
{
    char *dir = e_data("dup"), *first = e_data("dup/a-elastic.json");
    char *where = h_fmt("%s/b-elastic.json:5:15: options.service.name: ",
                        dir);
    struct e_run r;

    (void)state;
    r = e_etls(NULL, "validate", dir, (char *)NULL);
    e_expect_rc(&r, 1);
    e_expect_err(&r, where);
    e_expect_err(&r, "duplicate service name \"elastic\"");
    e_expect_err(&r, first);
    e_run_free(&r);
    free(where);
    free(first);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plan_empty_cluster, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_runbook_by_hand, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_account_missing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_key_mismatch, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_secret_missing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_secret_not_json, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_secret_wrong_uid, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_secret_wrong_scheme, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_secret_no_endpoint, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_secret_bad_key, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_membership_missing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_package_missing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_option_drift, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_tls_on_service_plain,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_tls_off_service_tls, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_stuck_serial_toggle, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_deploy_plan_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_directory, setup,
                                        teardown),
        cmocka_unit_test(test_validate_good),
        cmocka_unit_test(test_validate_bad),
        cmocka_unit_test(test_validate_duplicate_names),
    };

    /* ETLS_E2E_ONLY=<glob> runs the matching tests only */
    if (getenv("ETLS_E2E_ONLY"))
        cmocka_set_test_filter(getenv("ETLS_E2E_ONLY"));
    return cmocka_run_group_tests_name("e2e_etls_plan", tests, NULL, NULL);
}
