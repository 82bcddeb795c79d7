/*
 * Unit tests of the reconcilers' helpers and of the registry contract,
 * with desired and observed states built by hand (the fixture cases in
 * test_reconcilers_fixtures.c cover the decisions).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/key.h"
#include "common/util.h"
#include "model/names.h"
#include "reconcilers/rc.h"
#include "reconcilers/reconciler.h"

#define KEYS ETLS_TEST_DATA "/reconcilers/keys/"

static char *load(const char *path)
{
    char *s = NULL;
    size_t n;

    if (util_read_file(&s, &n, path, 1 << 16) != 0)
        fail_msg("cannot read %s", path);
    return s;
}

/*
 * The fingerprint plans show is the first 16 hex digits of
 * key_fingerprint = openssl pkey -pubin -outform DER | sha256sum: the same
 * for a key wrapped differently, none for text that is no public key.
 */
static void test_fingerprint(void **state)
{
    char *a = load(KEYS "a.pub.pem");
    char *a2 = load(KEYS "a-rewrapped.pub.pem");
    char *b = load(KEYS "b.pub.pem");
    char fa[KEY_FP_LEN], fa2[KEY_FP_LEN], fb[KEY_FP_LEN], ft[KEY_FP_LEN];

    (void)state;
    assert_int_equal(key_fingerprint(a, fa), 0);
    assert_int_equal(key_fingerprint(a2, fa2), 0);
    assert_int_equal(key_fingerprint(b, fb), 0);
    assert_memory_equal(fa, "d80a0a25e1639fab", 16);
    assert_string_equal(fa2, fa);
    assert_memory_equal(fb, "49ff7cef7ebc7902", 16);
    assert_int_equal(key_fingerprint("notapem-\n just\ttext\r\n", ft),
                     ERR_INVALID);
    assert_int_equal(key_fingerprint("-----BEGIN PUBLIC KEY-----\n"
                                     "not*base64\n"
                                     "-----END PUBLIC KEY-----\n", ft),
                     ERR_INVALID);
    assert_int_equal(key_fingerprint("-----BEGIN X-----\nYWJj\n"
                                     "ZA==\n-----END X-----\n", ft),
                     ERR_INVALID);
    free(a);
    free(a2);
    free(b);
}

/* One rule for key equality: the SubjectPublicKeyInfo DER. */
static void test_key_equal(void **state)
{
    char *a = load(KEYS "a.pub.pem");
    char *a2 = load(KEYS "a-rewrapped.pub.pem");
    char *b = load(KEYS "b.pub.pem");

    (void)state;
    assert_true(rc_key_equal(a, a2)); /* 64 vs 76 columns, LF vs CRLF */
    assert_false(rc_key_equal(a, b));
    assert_false(rc_key_equal(a, NULL));
    assert_false(rc_key_equal(NULL, NULL));
    /* Text that is no key equals nothing, not even itself. */
    assert_false(rc_key_equal(" x y\n", " x y\n"));
    assert_false(rc_key_equal(a, "xy"));
    free(a);
    free(a2);
    free(b);
}

static void test_app_id(void **state)
{
    char *s;

    (void)state;
    s = model_app_id("elastic");
    assert_string_equal(s, "/elastic");
    free(s);
    s = model_app_id("/prod/elastic");
    assert_string_equal(s, "/prod/elastic");
    free(s);
}

static void test_registry_order(void **state)
{
    static const char *const names[] = {
        "secret", "account", "membership", "package", "rollout", "https",
        "preflight"
    };
    size_t i;

    (void)state;
    assert_int_equal(reconcilers_count, 7);
    for (i = 0; i < reconcilers_count; i++) {
        assert_string_equal(reconcilers[i]->name, names[i]);
        assert_int_equal(reconcilers[i]->version, RECONCILER_OPS_VERSION);
        assert_non_null(reconcilers[i]->plan);
    }
}

/* A TLS service as the runbook describes it, built by hand. */
struct fixture {
    struct model_service d;
    struct model_observed o;
    char *groups[1];
    bool in_group[1];
    enum model_presence group_exists[1];
};

static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->d.name = (char *)"elastic";
    f->d.package_name = (char *)"beta-elastic";
    f->d.account = (char *)"elastic";
    f->d.secret_path = (char *)"elastic/secret";
    f->d.tls = true;
    f->d.xpack = true;
    f->d.update_strategy = (char *)"serial";
    f->groups[0] = (char *)"superusers";
    f->d.groups = f->groups;
    f->d.n_groups = 1;
    f->d.verify = true;
    f->d.restore_update_strategy = true;
    f->d.options = json_pack("{s:{s:s, s:s, s:s, s:{s:{s:b}}}, s:{s:b}}",
                             "service", "name", "elastic", "service_account",
                             "elastic", "service_account_secret",
                             "elastic/secret", "security",
                             "transport_encryption", "enabled", 1,
                             "elasticsearch", "xpack_enabled", 1);
    assert_non_null(f->d.options);
    f->o.account = MODEL_ABSENT;
    f->o.secret = MODEL_ABSENT;
    f->o.package = MODEL_ABSENT;
    f->o.in_group = f->in_group;
    f->o.group_exists = f->group_exists;
    f->group_exists[0] = MODEL_PRESENT;
}

static void fixture_clear(struct fixture *f)
{
    json_decref(f->d.options);
}

static void test_unknown_state_is_an_error(void **state)
{
    struct fixture f;
    struct model_plan p;
    struct err_info e;

    (void)state;
    fixture_init(&f);
    f.o.account = MODEL_UNKNOWN;
    memset(&p, 0xff, sizeof(p)); /* reconcilers_plan zeroes it */
    err_clear(&e);
    assert_int_equal(reconcilers_plan(&p, &f.d, &f.o, &e), ERR_INVALID);
    assert_string_equal(e.text, "service account elastic was not observed");
    /* Nothing half-built is left behind. */
    assert_null(p.actions);
    assert_null(p.service);
    assert_int_equal(p.n_actions, 0);

    f.o.account = MODEL_ABSENT;
    f.o.package = MODEL_UNKNOWN;
    assert_int_equal(reconcilers_plan(&p, &f.d, &f.o, &e), ERR_INVALID);
    assert_string_equal(e.text, "package of service elastic was not "
                        "observed");
    assert_int_equal(p.n_actions, 0);

    /* Groups desired but membership not observed. */
    f.o.package = MODEL_ABSENT;
    f.o.in_group = NULL;
    assert_int_equal(reconcilers_plan(&p, &f.d, &f.o, &e), ERR_INVALID);
    assert_int_equal(p.n_actions, 0);

    assert_int_equal(reconcilers_plan(&p, NULL, &f.o, &e), ERR_INVALID);
    fixture_clear(&f);
}

static void test_failures_replace_the_plan(void **state)
{
    struct fixture f;
    struct model_plan p;
    struct err_info e;
    size_t a, c, d;

    (void)state;
    fixture_init(&f);
    /* A user account, and a missing group: two blocking problems. */
    f.o.account = MODEL_PRESENT;
    f.o.account_is_service = false;
    f.group_exists[0] = MODEL_ABSENT;
    assert_int_equal(reconcilers_plan(&p, &f.d, &f.o, &e), 1);
    assert_string_equal(p.service, "elastic");
    assert_int_equal(p.n_actions, 2);
    assert_int_equal(p.actions[0].op, MODEL_OP_FAIL);
    assert_string_equal(p.actions[0].address,
                        "dcos_service_account.elastic");
    assert_string_equal(p.actions[0].reason,
                        "elastic is a user account, not a service account");
    assert_int_equal(p.actions[1].op, MODEL_OP_FAIL);
    assert_string_equal(p.actions[1].address,
                        "dcos_group_membership.superusers/elastic");
    assert_string_equal(p.actions[1].reason,
                        "group superusers does not exist");
    assert_int_equal(p.actions[1].n_deps, 0);
    assert_true(model_plan_has_changes(&p));
    model_plan_counts(&p, &a, &c, &d);
    assert_int_equal(a + c + d, 0);
    model_plan_clear(&p);
    fixture_clear(&f);
}

/*
 * From an empty cluster the secret comes first (it stores the new private
 * key), then the account that takes its public key.
 */
static void test_empty_cluster_order(void **state)
{
    struct fixture f;
    struct model_plan p;
    struct err_info e;
    size_t i;
    static const enum model_op ops[] = {
        MODEL_OP_SECRET_CREATE, MODEL_OP_ACCOUNT_CREATE, MODEL_OP_GROUP_ADD,
        MODEL_OP_PACKAGE_INSTALL, MODEL_OP_ROLLOUT_WAIT,
        MODEL_OP_HTTPS_VERIFY
    };

    (void)state;
    fixture_init(&f);
    assert_int_equal(reconcilers_plan(&p, &f.d, &f.o, &e), 1);
    assert_int_equal(p.n_actions, 6);
    for (i = 0; i < p.n_actions; i++) {
        size_t k;

        assert_int_equal(p.actions[i].op, ops[i]);
        /* Every dependency points backwards. */
        for (k = 0; k < p.actions[i].n_deps; k++)
            assert_true(p.actions[i].deps[k] < i);
    }
    /* The options sent are the user's, not a reference to them. */
    assert_true(json_equal(p.actions[3].params.install.options,
                           f.d.options));
    assert_ptr_not_equal(p.actions[3].params.install.options, f.d.options);
    model_plan_clear(&p);
    fixture_clear(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_key_equal),
        cmocka_unit_test(test_app_id),
        cmocka_unit_test(test_registry_order),
        cmocka_unit_test(test_unknown_state_is_an_error),
        cmocka_unit_test(test_failures_replace_the_plan),
        cmocka_unit_test(test_empty_cluster_order),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
