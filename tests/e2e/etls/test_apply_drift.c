/*
 * End-to-end tests of `etls apply` (issue 4) repairing a running service:
 * TLS turned on for a plain service (parallel toggle, then serial restored
 * by a second update that restarts no node), TLS turned off, a stuck serial
 * toggle rescued, a key mismatch, a lost secret with policy rotate and
 * with policy fail, and a deploy plan in ERROR fixed by the update.
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

static const char *const tasks[] = {"master-0-node", "master-1-node",
                                    "master-2-node", "data-0-node",
                                    "data-1-node", "coordinator-0-node"};
#define N_TASKS (sizeof(tasks) / sizeof(tasks[0]))

static int setup(void **state)
{
    return h_group_up(state, &g_sim, E_SPEED);
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

/* Id of @task in {name: id} @ids. */
static const char *id_of(const json_t *ids, const char *task)
{
    const char *v = json_string_value(json_object_get(ids, task));

    if (!v)
        fail_msg("task %s not found", task);
    return v;
}

static void test_apply_tls_on_parallel_then_serial(void **state)
{
    char *file = e_runbook_file();
    EVP_PKEY *k;
    struct e_proc p;
    struct e_run r;
    json_t *t0, *t1, *t2, *plan, *d;
    long st = 0, first, last;
    size_t i;
    int n;

    (void)state;
    k = e_runbook_default(&g_sim, E_PLAIN);
    e_assert_plain(&g_sim, "elastic");
    t0 = e_task_ids(&g_sim, "elastic");
    e_log_clear(&g_sim);
    /*
     * Hold the second Cosmos update (the strategy restore) for 3 s, so the
     * cluster can be read between the toggle and the restore: the first
     * rule passes the toggle through (1 ms), the second delays the next.
     */
    e_fault(&g_sim, "{\"method\":\"POST\",\"path\":\"/cosmos/service/"
                    "update\",\"delay_ms\":1,\"count\":1}");
    e_fault(&g_sim, "{\"method\":\"POST\",\"path\":\"/cosmos/service/"
                    "update\",\"delay_ms\":3000,\"count\":1}");
    p = e_spawn(&g_sim, "apply", file, "--auto-approve", (char *)NULL);
    for (n = 0; n < E_WAIT_MS / E_POLL_MS && e_faults_left(&g_sim) > 0; n++)
        h_sleep_ms(E_POLL_MS);
    if (e_faults_left(&g_sim) > 0) {
        r = e_wait(&p);
        e_expect_rc(&r, 0);
        fail_msg("etls apply made fewer than two Cosmos updates");
    }
    /* between the toggle and the restore */
    t1 = e_task_ids(&g_sim, "elastic");
    plan = h_plan(&g_sim, "elastic", "deploy", &st);
    assert_non_null(plan);
    assert_string_equal(h_jstr(plan, "status"), "COMPLETE");
    assert_string_equal(h_jstr(plan, "strategy"), "parallel");
    json_decref(plan);
    d = e_describe(&g_sim, "elastic");
    assert_non_null(d);
    assert_true(json_is_true(h_jget(d, "resolvedOptions.service.security."
                                      "transport_encryption.enabled")));
    assert_string_equal(h_jstr(d, "resolvedOptions.service.update_strategy"),
                        "parallel");
    json_decref(d);

    r = e_wait(&p);
    e_assert_clean(&r, &g_sim, "elastic/secret");
    e_expect_apply_ok(&r, "elastic");
    e_expect_out(&r, "Resources: 0 added, 2 changed, 0 destroyed.");
    e_run_free(&r);
    t2 = e_task_ids(&g_sim, "elastic");
    for (i = 0; i < N_TASKS; i++) {
        /* the toggle restarted every node, together */
        assert_string_not_equal(id_of(t0, tasks[i]), id_of(t1, tasks[i]));
        /* the restore restarted none */
        assert_string_equal(id_of(t1, tasks[i]), id_of(t2, tasks[i]));
    }
    /* two updates, in order, each after the scheduler answered */
    assert_int_equal(e_log_count(&g_sim, "POST", "/cosmos/service/update"),
                     2);
    first = e_log_first(&g_sim, "POST", "/cosmos/service/update");
    last = e_log_last(&g_sim, "POST", "/cosmos/service/update");
    assert_true(e_log_last(&g_sim, "GET", "/service/elastic/v1/plans") >
                first);
    assert_true(last > first);
    e_assert_converged(&g_sim, "elastic", "elastic", "elastic/secret", 1, 1);
    d = e_describe(&g_sim, "elastic");
    assert_string_equal(h_jstr(d, "userProvidedOptions.service."
                                 "update_strategy"), "serial");
    json_decref(d);
    e_expect_apply_idle(&g_sim, NULL);
    json_decref(t0);
    json_decref(t1);
    json_decref(t2);
    free(file);
    EVP_PKEY_free(k);
}

static void test_apply_tls_off(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    json_t *t0, *t1;
    size_t i;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    e_assert_https(&g_sim, "elastic");
    t0 = e_task_ids(&g_sim, "elastic");
    r = e_apply_data(&g_sim, "tls-off.json");
    e_expect_rc(&r, 0);
    e_expect_out(&r, "Apply complete! Resources: 0 added, 2 changed, 0 "
                     "destroyed.");
    e_expect_out(&r, "Verified service elastic (transport encryption "
                     "off):");
    /* Plain HTTP with credentials and health, and no HTTPS left. */
    e_expect_out(&r, "Health:        green");
    e_expect_out(&r, "HTTPS:         not offered, as desired");
    e_run_free(&r);
    t1 = e_task_ids(&g_sim, "elastic");
    for (i = 0; i < N_TASKS; i++)
        assert_string_not_equal(id_of(t0, tasks[i]), id_of(t1, tasks[i]));
    e_assert_converged(&g_sim, "elastic", "elastic", "elastic/secret", 0, 1);
    e_expect_apply_idle(&g_sim, "tls-off.json");
    json_decref(t0);
    json_decref(t1);
    EVP_PKEY_free(k);
}

static void test_apply_stuck_serial_toggle(void **state)
{
    EVP_PKEY *k;
    struct e_run r;

    (void)state;
    k = e_runbook_default(&g_sim, E_PLAIN);
    e_make_stuck_toggle(&g_sim, "elastic");
    r = e_apply_runbook(&g_sim);
    e_expect_apply_ok(&r, "elastic");
    e_expect_out(&r, "serial TLS toggle is stuck");
    e_run_free(&r);
    e_assert_converged(&g_sim, "elastic", "elastic", "elastic/secret", 1, 1);
    e_expect_apply_idle(&g_sim, NULL);
    EVP_PKEY_free(k);
}

/*
 * The secret names another uid and scheme around the right key: apply
 * rewrites it around the same private key (no rotation: the account keeps
 * its public key) and restarts the scheduler so it reads it again.
 */
static void test_apply_secret_wrong_uid_and_scheme(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    char *priv, *v, *pub, *now, *value;
    json_t *j;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    priv = h_priv_pem(k);
    v = h_sa_secret_value("intruder", "HS256", priv);
    h_secret_patch(&g_sim, "elastic/secret", v);
    r = e_apply_runbook(&g_sim);
    e_expect_apply_ok(&r, "elastic");
    e_expect_out(&r, "Resources: 0 added, 2 changed, 0 destroyed.");
    e_expect_not_out(&r, "Generating an RSA-2048 key pair");
    e_run_free(&r);
    e_assert_converged(&g_sim, "elastic", "elastic", "elastic/secret", 1, 1);
    /* same key: the account was not replaced */
    pub = h_pub_pem(k);
    now = e_account_pub(&g_sim, "elastic");
    assert_string_equal(now, pub);
    /* the value is repaired around the very same private key */
    value = e_secret_value(&g_sim, "elastic/secret");
    j = json_loads(value, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "uid")),
                        "elastic");
    assert_string_equal(json_string_value(json_object_get(j, "scheme")),
                        "RS256");
    assert_string_equal(
        json_string_value(json_object_get(j, "private_key")), priv);
    e_expect_apply_idle(&g_sim, NULL);
    json_decref(j);
    OPENSSL_cleanse(priv, strlen(priv));
    OPENSSL_cleanse(v, strlen(v));
    OPENSSL_cleanse(value, strlen(value));
    free(priv);
    free(v);
    free(value);
    free(now);
    free(pub);
    EVP_PKEY_free(k);
}

static void test_apply_key_mismatch(void **state)
{
    EVP_PKEY *k, *other;
    struct e_run r;
    char *secret_before, *secret_after, *pub, *now;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    other = h_rsa_new();
    e_account_delete(&g_sim, "elastic");
    h_account_put(&g_sim, "elastic", other, "made by hand");
    h_group_add(&g_sim, "superusers", "elastic");
    secret_before = e_secret_value(&g_sim, "elastic/secret");
    r = e_apply_runbook(&g_sim);
    e_expect_apply_ok(&r, "elastic");
    e_expect_out(&r, "Resources: 2 added, 0 changed, 1 destroyed.");
    e_run_free(&r);
    e_assert_converged(&g_sim, "elastic", "elastic", "elastic/secret", 1, 1);
    /* the key in the secret was kept; the account took it */
    secret_after = e_secret_value(&g_sim, "elastic/secret");
    assert_string_equal(secret_before, secret_after);
    pub = h_pub_pem(k);
    now = e_account_pub(&g_sim, "elastic");
    assert_string_equal(now, pub);
    e_expect_apply_idle(&g_sim, NULL);
    OPENSSL_cleanse(secret_before, strlen(secret_before));
    OPENSSL_cleanse(secret_after, strlen(secret_after));
    free(secret_before);
    free(secret_after);
    free(now);
    free(pub);
    EVP_PKEY_free(other);
    EVP_PKEY_free(k);
}

static void test_apply_secret_lost_rotate(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    char *old_pub, *new_pub;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    old_pub = h_pub_pem(k);
    /* the secret is still there, but its key is gone */
    h_secret_patch(&g_sim, "elastic/secret", "this is not JSON");
    r = e_apply_runbook(&g_sim);
    e_expect_apply_ok(&r, "elastic");
    e_run_free(&r);
    e_assert_converged(&g_sim, "elastic", "elastic", "elastic/secret", 1, 1);
    new_pub = e_account_pub(&g_sim, "elastic");
    assert_string_not_equal(new_pub, old_pub);
    e_expect_apply_idle(&g_sim, NULL);
    free(old_pub);
    free(new_pub);
    EVP_PKEY_free(k);
}

static void test_apply_secret_lost_fail(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    char *pub, *now, *file = e_data("keylost-fail.json");

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    e_secret_delete(&g_sim, "elastic/secret");
    e_log_clear(&g_sim);
    r = e_etls(&g_sim, "apply", file, "--auto-approve", (char *)NULL);
    e_assert_clean(&r, &g_sim, NULL);
    e_expect_rc(&r, 1);
    e_expect_out(&r, "private key of service account elastic is lost "
                     "(secret elastic/secret missing) and policy keyLost is "
                     "fail");
    e_expect_not_out(&r, "Apply complete!");
    if (e_count(r.err, "\n") != 1) {
        fprintf(stderr, "stderr:\n%s\n", r.err);
        fail_msg("expected one error line on stderr");
    }
    e_run_free(&r);
    /* nothing changed */
    e_assert_no_writes(&g_sim, "etls apply with keyLost fail");
    pub = h_pub_pem(k);
    now = e_account_pub(&g_sim, "elastic");
    assert_non_null(now);
    assert_string_equal(now, pub);
    assert_null(e_secret_value(&g_sim, "elastic/secret"));
    free(now);
    free(pub);
    free(file);
    EVP_PKEY_free(k);
}

static void test_apply_deploy_plan_error(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    json_t *p;

    (void)state;
    k = e_runbook_default(&g_sim, E_NO_INSTALL);
    p = e_install_without_secret(&g_sim);
    assert_non_null(p);
    json_decref(p);
    r = e_apply_runbook(&g_sim);
    e_expect_apply_ok(&r, "elastic");
    e_run_free(&r);
    e_assert_converged(&g_sim, "elastic", "elastic", "elastic/secret", 1, 1);
    e_expect_apply_idle(&g_sim, NULL);
    EVP_PKEY_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_apply_tls_on_parallel_then_serial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_tls_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_stuck_serial_toggle,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_apply_secret_wrong_uid_and_scheme, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_key_mismatch, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_apply_secret_lost_rotate, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_apply_secret_lost_fail, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_apply_deploy_plan_error, setup,
                                        teardown),
    };

    /* ETLS_E2E_ONLY=<glob> runs the matching tests only */
    if (getenv("ETLS_E2E_ONLY"))
        cmocka_set_test_filter(getenv("ETLS_E2E_ONLY"));
    return cmocka_run_group_tests_name("e2e_etls_apply_drift", tests, NULL,
                                       NULL);
}
