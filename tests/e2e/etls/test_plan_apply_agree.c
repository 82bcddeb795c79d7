/*
 * The promise of a plan (issue 8, docs/plan.md): "plan exit 0 implies that
 * apply makes no write and exits 0", checked as a property over the
 * situations of the reconciler fixture corpus that dcos-sim reproduces and
 * over the drift scenarios.  For each situation: `etls plan
 * --detailed-exitcode` (no write); then
 *   0  apply exits 0 with no write request in the sim's request log;
 *   2  apply exits 0, and a second plan gives 0 (no write);
 *   1  apply exits 1 too, before any write.
 * Each situation also states the exit status it must give, so that a
 * verdict that changes shows.  Each test walks one cluster through a
 * sequence of situations, made by hand as a person makes them (through the
 * DC/OS API as the bootstrap user), so that one install serves many.
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
#include "harness/h_file.h"
#include "harness/harness.h"

#define PW_ENV "ETLS_E2E_AGREE_PASSWORD"

static struct h_sim g_sim;
static char g_dir[256];

static int setup(void **state)
{
    h_mkdtemp(g_dir, "agree");
    unsetenv(PW_ENV);
    return h_group_up(state, &g_sim, E_SPEED);
}

static int teardown(void **state)
{
    h_rmtree(g_dir);
    return h_group_down(state, &g_sim);
}

/* The property for the situation @what, the document @file and the plan
 * exit status @want. */
static void agree(const char *file, int want, const char *what)
{
    struct e_run r;

    print_message("situation: %s\n", what);
    r = e_run_logged(&g_sim, "plan", file);
    e_assert_no_writes(&g_sim, what);
    e_expect_rc(&r, want);
    e_run_free(&r);
    r = e_run_logged(&g_sim, "apply", file);
    switch (want) {
    case 0:
        /* the promise: no write, and success */
        e_assert_no_writes(&g_sim, what);
        e_expect_rc(&r, 0);
        e_expect_out(&r, "Apply complete! Resources: 0 added, 0 changed, "
                         "0 destroyed.");
        break;
    case 2:
        e_expect_rc(&r, 0);
        e_expect_out(&r, "Apply complete! Resources: ");
        e_run_free(&r);
        r = e_run_logged(&g_sim, "plan", file);
        e_assert_no_writes(&g_sim, what);
        e_expect_rc(&r, 0);
        break;
    default:
        /* a plan that cannot be applied fails before the first write */
        e_assert_no_writes(&g_sim, what);
        e_expect_rc(&r, 1);
        e_expect_err(&r, "nothing was changed");
        break;
    }
    e_run_free(&r);
}

/* agree() on the runbook's options file, or on tests/data/e2e/@rel. */
static void agree_runbook(int want, const char *what)
{
    char *file = e_runbook_file();

    agree(file, want, what);
    free(file);
}

static void agree_data(const char *rel, int want, const char *what)
{
    char *file = e_data(rel);

    agree(file, want, what);
    free(file);
}

/* A Cosmos update by hand of @opts, then the wait for COMPLETE. */
static void update_by_hand(const char *opts)
{
    if (e_update(&g_sim, "elastic", opts) != 200)
        fail_msg("update %s was refused", opts);
    if (!e_wait_complete(&g_sim, "elastic"))
        fail_msg("elastic did not complete after update %s", opts);
}

/* The private key (PEM) in secret elastic/secret (new). */
static char *secret_private_key(void)
{
    char *value = e_secret_value(&g_sim, "elastic/secret"), *priv;
    json_t *j = json_loads(value ? value : "", 0, NULL);

    if (!h_jstr(j, "private_key"))
        fail_msg("secret elastic/secret holds no private key");
    priv = strdup(h_jstr(j, "private_key"));
    json_decref(j);
    OPENSSL_cleanse(value, strlen(value));
    free(value);
    return priv;
}

/* Drift of a running TLS service, one after the other on one cluster. */
static void test_agree_drifts_of_a_tls_service(void **state)
{
    EVP_PKEY *k, *other;
    char *priv, *v, *name_only;
    struct h_resp r;
    struct e_run run_tls;
    int i;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    agree_runbook(0, "the runbook done by hand");

    e_account_delete(&g_sim, "elastic");
    agree_runbook(2, "account deleted");

    e_group_remove(&g_sim, "superusers", "elastic");
    agree_runbook(2, "membership removed");

    e_secret_delete(&g_sim, "elastic/secret");
    agree_runbook(2, "secret deleted (keyLost rotate)");

    h_secret_patch(&g_sim, "elastic/secret", "this is not JSON");
    agree_runbook(2, "secret changed: not JSON");

    priv = secret_private_key();
    v = h_sa_secret_value("intruder", "HS256", priv);
    h_secret_patch(&g_sim, "elastic/secret", v);
    agree_runbook(2, "secret changed: other uid and scheme");
    OPENSSL_cleanse(priv, strlen(priv));
    OPENSSL_cleanse(v, strlen(v));
    free(priv);
    free(v);

    other = h_rsa_new();
    e_account_delete(&g_sim, "elastic");
    h_account_put(&g_sim, "elastic", other, "made by hand");
    h_group_add(&g_sim, "superusers", "elastic");
    agree_runbook(2, "account re-created by hand with another key");
    EVP_PKEY_free(other);

    update_by_hand("{\"service\":{\"update_strategy\":\"parallel\"}}");
    agree_runbook(2, "update_strategy left at parallel");

    update_by_hand("{\"elasticsearch\":{\"gateway_recover_after_time\":"
                   "\"4m\"}}");
    agree_runbook(0, "an option the document does not set changed by "
                     "hand");
    agree_data("option-drift.json", 2, "an option the document sets "
                                       "differs");
    update_by_hand("{\"elasticsearch\":{\"gateway_recover_after_time\":"
                   "\"7m\"}}");
    agree_data("option-drift.json", 2, "an option the document sets "
                                       "changed by hand");

    /* in one parallel update, as a serial one sticks (docs/sim.md) */
    update_by_hand("{\"service\":{\"update_strategy\":\"parallel\","
                   "\"security\":{\"transport_encryption\":"
                   "{\"enabled\":false}}}}");
    agree_runbook(2, "TLS disabled through Cosmos");

    /* The case: plan and apply agree on the package default. */
    name_only = e_data("name-only.json");
    run_tls = e_run_logged(&g_sim, "plan", name_only);
    free(name_only);
    e_expect_rc(&run_tls, 2);
    e_expect_out(&run_tls, "package defaults differ from the running "
                           "service (not set in the document): "
                           "service.security.transport_encryption.enabled "
                           "= false");
    e_expect_out(&run_tls, "transport encryption turns off");
    e_run_free(&run_tls);
    agree_data("name-only.json", 2, "TLS left at the package default "
                                    "against a service running TLS");
    e_assert_plain(&g_sim, "elastic");
    agree_runbook(2, "the runbook's document against the plain service");
    e_assert_https(&g_sim, "elastic");

    r = h_cosmos(&g_sim, "package/uninstall",
                 "{\"packageName\":\"beta-elastic\",\"appId\":"
                 "\"/elastic\"}");
    h_expect_status(&r, 200, "uninstall elastic");
    h_resp_free(&r);
    for (i = 0; i < E_WAIT_MS / E_POLL_MS; i++) {
        json_t *d = e_describe(&g_sim, "elastic");

        json_decref(d);
        if (!d)
            break;
        h_sleep_ms(E_POLL_MS);
    }
    agree_runbook(2, "package uninstalled");
    e_assert_converged(&g_sim, "elastic", "elastic", "elastic/secret", 1, 1);
    EVP_PKEY_free(k);
}

/* An etls/v1 envelope of the runbook's options with @extra members (JSON
 * text after the options, with its leading comma); its path (new). */
static char *envelope(const char *name, const char *opts, const char *extra)
{
    char *doc = h_fmt("{\"apiVersion\":\"etls/v1\",\"options\":%s%s}", opts,
                      extra);
    char *path = h_write_file(g_dir, name, doc);

    free(doc);
    return path;
}

/*
 * From an empty cluster: refusals first (each makes no write), then the
 * install, then refusals of an installed service.
 */
static void test_agree_from_scratch_and_refusals(void **state)
{
    char *rb = e_runbook_file(), *opts = e_read(rb), *f, *user_opts;
    struct h_resp r;

    (void)state;
    f = envelope("env.json", opts, ",\"verify\":{\"password\":"
                                   "{\"env\":\"" PW_ENV "\"}}");
    agree(f, 1, "verification password variable not set (empty cluster)");
    setenv(PW_ENV, "changeme", 1);
    free(f);

    f = envelope("group.json", opts, ",\"access\":{\"groups\":"
                                     "[\"no-such-group\"]}");
    agree(f, 1, "a group that does not exist (empty cluster)");
    free(f);

    f = envelope("env.json", opts, ",\"verify\":{\"password\":"
                                   "{\"env\":\"" PW_ENV "\"}}");
    agree(f, 2, "empty cluster, password from the environment");
    unsetenv(PW_ENV);
    agree(f, 1, "installed, verification password variable not set");
    free(f);

    e_secret_delete(&g_sim, "elastic/secret");
    agree_data("keylost-fail.json", 1, "secret deleted, keyLost fail");
    agree_runbook(2, "secret deleted, keyLost rotate");

    /* a user account where the document names a service account */
    r = h_put(&g_sim, "/acs/api/v1/users/ops-user",
              "{\"description\":\"a person\",\"password\":\"pw-123456\"}");
    h_expect_status(&r, 201, "PUT user ops-user");
    h_resp_free(&r);
    user_opts = h_fmt("{\"service\":{\"name\":\"elastic\",\"service_account\""
                      ":\"ops-user\",\"service_account_secret\":"
                      "\"ops-user/secret\",\"security\":{\"transport_"
                      "encryption\":{\"enabled\":true}}},\"elasticsearch\":"
                      "{\"xpack_enabled\":true}}");
    f = h_write_file(g_dir, "user.json", user_opts);
    agree(f, 1, "the document names a user account");
    free(f);
    free(user_opts);
    free(opts);
    free(rb);
}

/* A deploy plan in ERROR that the update fixes. */
static void test_agree_plan_error(void **state)
{
    EVP_PKEY *k;
    json_t *p;

    (void)state;
    k = e_runbook_default(&g_sim, E_NO_INSTALL);
    p = e_install_without_secret(&g_sim);
    assert_non_null(p);
    json_decref(p);
    agree_runbook(2, "deploy plan in ERROR (TLSRequiresServiceAccount)");
    EVP_PKEY_free(k);
}

static void test_agree_plain_service(void **state)
{
    EVP_PKEY *k;

    (void)state;
    k = e_runbook_default(&g_sim, E_PLAIN);
    agree_runbook(2, "plain service, TLS desired");
    EVP_PKEY_free(k);
}

static void test_agree_stuck_toggle(void **state)
{
    EVP_PKEY *k;

    (void)state;
    k = e_runbook_default(&g_sim, E_PLAIN);
    e_make_stuck_toggle(&g_sim, "elastic");
    agree_runbook(2, "serial TLS toggle stuck");
    EVP_PKEY_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_agree_drifts_of_a_tls_service,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_agree_from_scratch_and_refusals,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_agree_plan_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_agree_plain_service, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_agree_stuck_toggle, setup,
                                        teardown),
    };

    /* ETLS_E2E_ONLY=<glob> runs the matching tests only */
    if (getenv("ETLS_E2E_ONLY"))
        cmocka_set_test_filter(getenv("ETLS_E2E_ONLY"));
    return cmocka_run_group_tests_name("e2e_etls_plan_apply_agree", tests,
                                       NULL, NULL);
}
