/*
 * Unit tests of controller/confirm.c: which applies need a confirmation,
 * the question on a terminal and its answers, --auto-approve, and the
 * refusal without a terminal.  The terminal itself is exercised end to end
 * on a pty (tests/e2e/etls/test_confirm.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "controller/confirm.h"

/* Plans of two services; @disruptive actions are marked so in the first. */
static void make(struct model_plan p[2], size_t disruptive)
{
    size_t i;

    memset(p, 0, 2 * sizeof(*p));
    p[0].service = strdup("a");
    p[1].service = strdup("b");
    for (i = 0; i < 8; i++) {
        char name[16];
        struct model_action *x;

        snprintf(name, sizeof(name), "n%zu", i);
        x = model_plan_add(&p[0], MODEL_OP_PACKAGE_UPDATE,
                           MODEL_CHANGE_UPDATE, "dcos_package", name, "r");
        assert_non_null(x);
        x->disruptive = i < disruptive;
    }
    assert_non_null(model_plan_add(&p[1], MODEL_OP_ROLLOUT_WAIT,
                                   MODEL_CHANGE_READ, "dcos_rollout", "b",
                                   "r"));
}

static void drop(struct model_plan p[2])
{
    model_plan_clear(&p[0]);
    model_plan_clear(&p[1]);
}

/* confirm_apply() with @answer on stdin (NULL: none); output in *@out,
 * *@err (new). */
static int run(const struct model_plan *p, bool auto_approve, bool tty,
               const char *answer, char **out, char **err)
{
    size_t olen = 0, elen = 0;
    FILE *in = answer && *answer
                   ? fmemopen((void *)(uintptr_t)answer, strlen(answer), "r")
                   : fopen("/dev/null", "r");
    FILE *fo = open_memstream(out, &olen);
    FILE *fe = open_memstream(err, &elen);
    int r;

    assert_true(in && fo && fe);
    r = confirm_apply(p, 2, auto_approve, tty, in, fo, fe);
    fclose(in);
    fclose(fo);
    fclose(fe);
    return r;
}

static void test_not_disruptive(void **state)
{
    struct model_plan p[2];
    char *out, *err;

    (void)state;
    make(p, 0);
    assert_int_equal(confirm_disruptive_count(p, 2), 0);
    /* No question, terminal or not. */
    assert_int_equal(run(p, false, false, NULL, &out, &err), 0);
    assert_string_equal(out, "");
    assert_string_equal(err, "");
    free(out);
    free(err);
    assert_int_equal(run(p, false, true, "no\n", &out, &err), 0);
    assert_string_equal(out, "");
    free(out);
    free(err);
    drop(p);
}

static void test_terminal_answers(void **state)
{
    static const char *const refused[] = {"no\n", "y\n", "YES\n",
                                          "yes please\n", " yes\n", "\n",
                                          ""};
    struct model_plan p[2];
    char *out, *err;
    size_t i;

    (void)state;
    make(p, 2);
    assert_int_equal(confirm_disruptive_count(p, 2), 2);
    assert_int_equal(run(p, false, true, "yes\n", &out, &err), 0);
    assert_non_null(strstr(out, "The plan has 2 disruptive action(s): "
                                "dcos_package.n0, dcos_package.n1."));
    assert_non_null(strstr(out, "Do you want to perform these actions? "
                                "Only 'yes' will be accepted: "));
    assert_string_equal(err, "");
    free(out);
    free(err);
    /* "yes" at the end of input, without a newline */
    assert_int_equal(run(p, false, true, "yes", &out, &err), 0);
    free(out);
    free(err);
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        if (run(p, false, true, refused[i], &out, &err) != ERR_INVALID)
            fail_msg("answer \"%s\" approved", refused[i]);
        assert_non_null(strstr(out, "Only 'yes' will be accepted"));
        assert_string_equal(err, "etls: apply cancelled: the answer was not "
                                 "'yes'; nothing was changed\n");
        free(out);
        free(err);
    }
    drop(p);
}

static void test_auto_approve(void **state)
{
    struct model_plan p[2];
    char *out, *err;

    (void)state;
    make(p, 1);
    assert_int_equal(run(p, true, true, "no\n", &out, &err), 0);
    assert_string_equal(out, "");
    free(out);
    free(err);
    assert_int_equal(run(p, true, false, NULL, &out, &err), 0);
    assert_string_equal(err, "");
    free(out);
    free(err);
    drop(p);
}

static void test_no_terminal(void **state)
{
    struct model_plan p[2];
    char *out, *err;

    (void)state;
    make(p, 7);
    assert_int_equal(run(p, false, false, "yes\n", &out, &err), ERR_INVALID);
    /* Nothing is asked, nothing read; the flag is named. */
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "etls: the plan has 7 disruptive action(s) "
                                "(dcos_package.n0, dcos_package.n1, "
                                "dcos_package.n2, dcos_package.n3, "
                                "dcos_package.n4 and 2 more) and there is no "
                                "terminal to confirm them: pass "
                                "--auto-approve"));
    assert_non_null(strstr(err, "nothing was changed\n"));
    free(out);
    free(err);
    drop(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_disruptive),
        cmocka_unit_test(test_terminal_answers),
        cmocka_unit_test(test_auto_approve),
        cmocka_unit_test(test_no_terminal),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
