/*
 * End-to-end tests of the confirmation of disruptive applies (issue 8)
 * against one dcos-sim: the runbook done by hand with TLS off, so that
 * applying the runbook's document turns TLS on with a full-cluster
 * restart.  Without a terminal that apply needs --auto-approve (exit 1, no
 * write); on a terminal (a pty) it asks, and only "yes" goes on; an apply
 * with nothing disruptive does not ask.
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
#include <openssl/evp.h>

#include "e2e/etls/etls_testutil.h"
#include "harness/harness.h"

static struct h_sim g_sim;
static char *g_file;

static int setup(void **state)
{
    EVP_PKEY *k;

    h_group_up(state, &g_sim, E_SPEED);
    k = e_runbook_default(&g_sim, E_PLAIN);
    EVP_PKEY_free(k);
    g_file = e_runbook_file();
    return 0;
}

static int teardown(void **state)
{
    free(g_file);
    return h_group_down(state, &g_sim);
}

static void test_no_terminal_needs_flag(void **state)
{
    struct e_run r;

    (void)state;
    e_log_clear(&g_sim);
    /* stdin is /dev/null, stdout a file: no terminal */
    r = e_etls(&g_sim, "apply", g_file, (char *)NULL);
    e_expect_rc(&r, 1);
    e_expect_out(&r, "DISRUPTIVE");
    e_expect_err(&r, "etls: the plan has 1 disruptive action(s) "
                     "(dcos_package.elastic) and there is no terminal to "
                     "confirm them: pass --auto-approve to apply it; nothing "
                     "was changed");
    e_expect_not_out(&r, E_PROMPT);
    e_expect_not_out(&r, "Modifying...");
    e_assert_no_writes(&g_sim, "a disruptive apply without --auto-approve");
    e_run_free(&r);
}

static void test_terminal_answer_no(void **state)
{
    static const char *const answers[] = {"no", "y", "YES"};
    struct e_run r;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
        e_log_clear(&g_sim);
        r = e_etls_tty(&g_sim, answers[i], "apply", g_file, (char *)NULL);
        e_expect_rc(&r, 1);
        e_expect_out(&r, "The plan has 1 disruptive action(s): "
                         "dcos_package.elastic.");
        e_expect_out(&r, "Do you want to perform these actions? " E_PROMPT);
        e_expect_out(&r, "etls: apply cancelled: the answer was not 'yes'; "
                         "nothing was changed");
        e_expect_not_out(&r, "Modifying...");
        e_assert_no_writes(&g_sim, "an apply answered no");
        e_run_free(&r);
    }
}

static void test_terminal_answer_yes(void **state)
{
    struct e_run r;

    (void)state;
    r = e_etls_tty(&g_sim, "yes", "apply", g_file, (char *)NULL);
    e_expect_out(&r, E_PROMPT);
    e_expect_out(&r, "dcos_package.elastic: Modifying...");
    e_expect_apply_ok(&r, "elastic");
    e_assert_clean(&r, &g_sim, "elastic/secret");
    e_run_free(&r);
    e_assert_converged(&g_sim, "elastic", "elastic", "elastic/secret", 1, 1);
}

/* Converged now: nothing disruptive, no question, even on a terminal. */
static void test_terminal_not_disruptive(void **state)
{
    struct e_run r;

    (void)state;
    e_log_clear(&g_sim);
    r = e_etls_tty(&g_sim, NULL, "apply", g_file, (char *)NULL);
    e_expect_rc(&r, 0);
    e_expect_not_out(&r, E_PROMPT);
    e_expect_out(&r, "No changes.");
    e_assert_no_writes(&g_sim, "a second apply");
    e_run_free(&r);
}

int main(void)
{
    /* In this order: the last two need the first ones' cluster. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_terminal_needs_flag),
        cmocka_unit_test(test_terminal_answer_no),
        cmocka_unit_test(test_terminal_answer_yes),
        cmocka_unit_test(test_terminal_not_disruptive),
    };

    return cmocka_run_group_tests_name("e2e_etls_confirm", tests, setup,
                                       teardown);
}
