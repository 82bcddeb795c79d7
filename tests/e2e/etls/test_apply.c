/*
 * End-to-end tests of `etls apply` (issue 4) against a private dcos-sim per
 * test: converging from an empty cluster, from every resource present but
 * one, from the runbook done by hand (no write), a directory of services,
 * least-privilege permissions, a second apply that writes nothing, and the
 * connection errors (bad credentials, unreachable cluster, wrong CA).
 * Every converged run is checked through the DC/OS API: deploy plan
 * COMPLETE, resolved options, the account's public key matching the
 * secret's private key, the access, and HTTPS only under the node's name.
 */
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

/* The converged state of the runbook's service "elastic". */
static void expect_elastic_converged(void)
{
    e_assert_converged(&g_sim, "elastic", "elastic", "elastic/secret", 1, 1);
}

static void test_apply_empty_cluster(void **state)
{
    struct e_run r;

    (void)state;
    r = e_apply_runbook(&g_sim);
    e_expect_apply_ok(&r, "elastic");
    e_expect_out(&r, "Apply complete! Resources: 4 added, 0 changed, 0 "
                     "destroyed.");
    e_run_free(&r);
    expect_elastic_converged();
    e_expect_apply_idle(&g_sim, NULL);
}

/*
 * Transient failures do not fail the run: the first two account PUTs and
 * the first install get 503; apply starts those actions over after a
 * backoff (keeping the key pair it generated) and converges.
 */
static void test_apply_rides_out_transient_failures(void **state)
{
    struct e_run r;

    (void)state;
    e_fault(&g_sim, "{\"method\":\"PUT\",\"path\":"
                    "\"/acs/api/v1/users/elastic\",\"status\":503,"
                    "\"count\":2}");
    e_fault(&g_sim, "{\"method\":\"POST\",\"path\":\"/package/install\","
                    "\"status\":503,\"count\":1}");
    r = e_apply_runbook(&g_sim);
    e_expect_apply_ok(&r, "elastic");
    e_expect_out(&r, "transient failure");
    e_expect_out(&r, "Apply complete! Resources: 4 added, 0 changed, 0 "
                     "destroyed.");
    assert_int_equal(e_count(r.out, "transient failure"), 3);
    assert_int_equal(e_count(r.out, "Generating an RSA-2048 key pair"), 1);
    e_run_free(&r);
    assert_int_equal(e_faults_left(&g_sim), 0);
    expect_elastic_converged();
}

static void test_apply_runbook_by_hand(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    char *before, *after;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    before = e_account_pub(&g_sim, "elastic");
    e_log_clear(&g_sim);
    r = e_apply_runbook(&g_sim);
    e_expect_apply_ok(&r, "elastic");
    e_expect_out(&r, "No changes.");
    e_expect_out(&r, "Resources: 0 added, 0 changed, 0 destroyed.");
    e_assert_no_writes(&g_sim, "etls apply on the runbook's cluster");
    e_run_free(&r);
    after = e_account_pub(&g_sim, "elastic");
    assert_string_equal(before, after);
    expect_elastic_converged();
    free(before);
    free(after);
    EVP_PKEY_free(k);
}

static void test_apply_all_but_account(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    char *secret_before, *secret_after, *pub;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    e_account_delete(&g_sim, "elastic");
    secret_before = e_secret_value(&g_sim, "elastic/secret");
    r = e_apply_runbook(&g_sim);
    e_expect_apply_ok(&r, "elastic");
    e_expect_out(&r, "Resources: 2 added, 0 changed, 0 destroyed.");
    e_run_free(&r);
    expect_elastic_converged();
    /* recreated from the secret: same key pair, secret untouched */
    secret_after = e_secret_value(&g_sim, "elastic/secret");
    assert_string_equal(secret_before, secret_after);
    pub = h_pub_pem(k);
    {
        char *now = e_account_pub(&g_sim, "elastic");

        assert_non_null(now);
        assert_string_equal(now, pub);
        free(now);
    }
    e_expect_apply_idle(&g_sim, NULL);
    OPENSSL_cleanse(secret_before, strlen(secret_before));
    OPENSSL_cleanse(secret_after, strlen(secret_after));
    free(secret_before);
    free(secret_after);
    free(pub);
    EVP_PKEY_free(k);
}

static void test_apply_all_but_secret(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    char *old_pub, *new_pub;
    long put, restart;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    old_pub = h_pub_pem(k);
    e_secret_delete(&g_sim, "elastic/secret");
    e_log_clear(&g_sim);
    /* policy rotate (the default) */
    r = e_apply_runbook(&g_sim);
    e_expect_apply_ok(&r, "elastic");
    e_run_free(&r);
    expect_elastic_converged();
    new_pub = e_account_pub(&g_sim, "elastic");
    assert_string_not_equal(old_pub, new_pub);
    /* the scheduler restarted after the new secret was written */
    put = e_log_first(&g_sim, "PUT", "/secrets/v1/secret/default/elastic/"
                                     "secret");
    restart = e_log_last(&g_sim, "POST", "/marathon/v2/apps/elastic/"
                                         "restart");
    if (restart < 0)
        restart = e_log_last(&g_sim, "POST", "/service/marathon/v2/apps/"
                                             "elastic/restart");
    assert_true(put >= 0);
    assert_true(restart > put);
    e_expect_apply_idle(&g_sim, NULL);
    free(old_pub);
    free(new_pub);
    EVP_PKEY_free(k);
}

static void test_apply_all_but_membership(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    char *pub, *now;

    (void)state;
    k = e_runbook_default(&g_sim, 0);
    e_group_remove(&g_sim, "superusers", "elastic");
    assert_false(e_in_group(&g_sim, "superusers", "elastic"));
    r = e_apply_runbook(&g_sim);
    e_expect_apply_ok(&r, "elastic");
    e_expect_out(&r, "Resources: 1 added, 0 changed, 0 destroyed.");
    e_run_free(&r);
    expect_elastic_converged();
    pub = h_pub_pem(k);
    now = e_account_pub(&g_sim, "elastic");
    assert_string_equal(now, pub);
    e_expect_apply_idle(&g_sim, NULL);
    free(now);
    free(pub);
    EVP_PKEY_free(k);
}

static void test_apply_all_but_package(void **state)
{
    EVP_PKEY *k;
    struct e_run r;
    char *pub, *now;

    (void)state;
    k = e_runbook_default(&g_sim, E_NO_INSTALL);
    r = e_apply_runbook(&g_sim);
    e_expect_apply_ok(&r, "elastic");
    e_expect_out(&r, "Resources: 1 added, 0 changed, 0 destroyed.");
    e_run_free(&r);
    expect_elastic_converged();
    pub = h_pub_pem(k);
    now = e_account_pub(&g_sim, "elastic");
    assert_string_equal(now, pub);
    e_expect_apply_idle(&g_sim, NULL);
    free(now);
    free(pub);
    EVP_PKEY_free(k);
}

/* @uid holds the built-in transport-encryption set for @svc and is not a
 * superuser. */
static void expect_least_privilege(const char *svc, const char *uid)
{
    char *rids[4];
    static const char *const actions[4] = {"full", "read", "full", "full"};
    size_t i;

    rids[0] = h_fmt("dcos:secrets:default:/%s/*", svc);
    rids[1] = h_fmt("dcos:secrets:list:default:/%s", svc);
    rids[2] = h_fmt("dcos:adminrouter:ops:ca:rw");
    rids[3] = h_fmt("dcos:adminrouter:ops:ca:ro");
    assert_false(e_in_group(&g_sim, "superusers", uid));
    for (i = 0; i < 4; i++) {
        if (!e_allowed(&g_sim, uid, rids[i], actions[i]))
            fail_msg("%s is not allowed %s on %s", uid, actions[i], rids[i]);
        free(rids[i]);
    }
    /* and nothing more: not a superuser */
    assert_false(e_allowed(&g_sim, uid, "dcos:superuser", "full"));
}

static void test_apply_least_privilege(void **state)
{
    struct e_run r;

    (void)state;
    r = e_apply_data(&g_sim, "least-privilege.json");
    e_assert_clean(&r, &g_sim, "search/service-account");
    e_expect_apply_ok(&r, "search");
    e_run_free(&r);
    e_assert_converged(&g_sim, "search", "search", "search/service-account",
                       1, 0);
    expect_least_privilege("search", "search");
    e_expect_apply_idle(&g_sim, "least-privilege.json");
}

static void test_apply_directory(void **state)
{
    struct e_run r;

    (void)state;
    r = e_apply_data(&g_sim, "multi");
    e_assert_clean(&r, &g_sim, "alpha/secret");
    e_assert_clean(&r, &g_sim, "beta/sa-secret");
    e_assert_clean(&r, &g_sim, "team/gamma/secret");
    e_expect_apply_ok(&r, "alpha");
    e_expect_apply_ok(&r, "beta");
    e_expect_out(&r, "Verified service team/gamma over HTTPS:");
    e_expect_out(&r, "Certificate:   subject CN=coordinator-0-node."
                     "teamgamma,");
    /* each of the three verified on its own */
    assert_int_equal(e_count(r.out, "  Elasticsearch: 5.6.5"), 3);
    assert_int_equal(e_count(r.out, "  Health:        green"), 3);
    assert_int_equal(e_count(r.out, "  Plain HTTP:    refused"), 3);
    e_expect_out(&r, "Apply complete! Resources: 15 added, 0 changed, 0 "
                     "destroyed.");
    e_run_free(&r);
    e_assert_converged(&g_sim, "alpha", "alpha", "alpha/secret", 1, 1);
    e_assert_converged(&g_sim, "beta", "beta-sa", "beta/sa-secret", 1, 1);
    e_assert_converged(&g_sim, "team/gamma", "gamma", "team/gamma/secret", 1,
                       0);
    expect_least_privilege("team/gamma", "gamma");
    {
        json_t *d = e_describe(&g_sim, "beta");

        assert_non_null(d);
        assert_string_equal(h_jstr(d, "package.version"), "2.1.2-5.6.5-beta");
        json_decref(d);
    }
    e_expect_apply_idle(&g_sim, "multi");
}

/* ------------------------------------------------------------------ */
/* connection errors: one clear line on stderr, exit 1, nothing written */

/* Exactly one non-empty line on stderr, starting "etls: ". */
static void expect_one_error_line(const struct e_run *r)
{
    e_expect_rc(r, 1);
    if (!r->err || strncmp(r->err, "etls: ", 6) != 0 ||
        e_count(r->err, "\n") != 1 ||
        r->err[strlen(r->err) - 1] != '\n') {
        fprintf(stderr, "stderr:\n%s\n", r->err ? r->err : "");
        fail_msg("expected exactly one error line on stderr");
    }
    e_expect_not_out(r, "Apply complete!");
    /* not cut short: a request it names is named in full */
    if (strstr(r->err, " on POST https://") &&
        !strstr(r->err, "/acs/api/v1/auth/login\n")) {
        fprintf(stderr, "stderr:\n%s\n", r->err);
        fail_msg("the error line is cut short");
    }
}

/* A file holding @text (mode 0600), path in @path (at least 64 bytes). */
static void temp_file(char *path, size_t n, const char *text)
{
    int fd;

    snprintf(path, n, "/tmp/etls-e2e-file-XXXXXX");
    fd = mkstemp(path);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        fail_msg("cannot write a temporary file");
    close(fd);
}

static void test_apply_bad_credentials(void **state)
{
    char *file = e_runbook_file(), pw[64];
    struct e_run r, r2;

    (void)state;
    temp_file(pw, sizeof(pw), "not-the-password\n");
    e_log_clear(&g_sim);
    r = e_etls(&g_sim, "apply", file, "--auto-approve", "--uid",
               "bootstrapuser", "--password-file", pw, (char *)NULL);
    /* an unknown user too */
    r2 = e_etls(&g_sim, "apply", file, "--auto-approve", "--uid",
                "nobody-here", "--password-file", pw, (char *)NULL);
    unlink(pw);
    free(file);
    expect_one_error_line(&r);
    e_expect_err(&r, "bootstrapuser");
    e_expect_err(&r, "401");
    assert_null(strstr(r.err, "not-the-password"));
    e_assert_clean(&r, NULL, NULL);
    expect_one_error_line(&r2);
    e_expect_err(&r2, "nobody-here");
    e_assert_no_writes(&g_sim, "etls apply with bad credentials");
    e_run_free(&r);
    e_run_free(&r2);
}

static void test_apply_unreachable_cluster(void **state)
{
    char *file = e_runbook_file(), *url, pw[64], *where;
    int port = e_closed_port();
    struct e_run r;

    (void)state;
    temp_file(pw, sizeof(pw), "deleteme\n");
    url = h_fmt("https://127.0.0.1:%d", port);
    where = h_fmt("127.0.0.1:%d", port);
    r = e_etls(NULL, "apply", file, "--auto-approve", "--cluster", url,
               "--ca-cert", g_sim.ca_cert, "--uid", "bootstrapuser",
               "--password-file", pw, "--request-timeout", "5s",
               (char *)NULL);
    unlink(pw);
    expect_one_error_line(&r);
    e_expect_err(&r, where);
    e_expect_err(&r, "connect");
    e_assert_clean(&r, NULL, NULL);
    e_run_free(&r);
    free(where);
    free(url);
    free(file);
}

static void test_apply_wrong_ca(void **state)
{
    char *file = e_runbook_file();
    struct h_sim other;
    struct e_run r;

    (void)state;
    memset(&other, 0, sizeof(other));
    h_sim_up(&other, NULL, E_SPEED);
    e_log_clear(&g_sim);
    /* --ca-cert wins over the CA named by --sim */
    r = e_etls(&g_sim, "apply", file, "--auto-approve", "--ca-cert",
               other.ca_cert, (char *)NULL);
    expect_one_error_line(&r);
    e_expect_err(&r, "certificate");
    e_assert_clean(&r, NULL, NULL);
    e_run_free(&r);
    /* the TLS handshake failed: not one request reached the cluster */
    {
        json_t *log = e_log(&g_sim);

        assert_int_equal(json_array_size(log), 0);
        json_decref(log);
    }
    h_sim_destroy(&other);
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_apply_empty_cluster, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_apply_rides_out_transient_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_runbook_by_hand, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_apply_all_but_account, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_apply_all_but_secret, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_apply_all_but_membership, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_apply_all_but_package, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_apply_least_privilege, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_apply_directory, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_apply_bad_credentials, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_apply_unreachable_cluster,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_wrong_ca, setup,
                                        teardown),
    };

    /* ETLS_E2E_ONLY=<glob> runs the matching tests only */
    if (getenv("ETLS_E2E_ONLY"))
        cmocka_set_test_filter(getenv("ETLS_E2E_ONLY"));
    return cmocka_run_group_tests_name("e2e_etls_apply", tests, NULL, NULL);
}
