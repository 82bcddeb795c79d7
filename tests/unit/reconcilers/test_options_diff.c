/*
 * Unit tests of the option comparison (reconcilers/options_diff.c), partly
 * on the published beta-elastic option defaults.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness/h_json.h"
#include "reconcilers/options_diff.h"

#define CONFIG_10 ETLS_FIXTURES_DIR \
    "/mesosphere__universe/repo/packages/B/beta-elastic/10/config.json"

static int run(const char *want, const char *have, struct options_diff *d)
{
    json_t *w = h_json_parse(want), *h = have ? h_json_parse(have) : NULL;
    int n;

    memset(d, 0, sizeof(*d));
    n = options_diff_compute(d, w, h, NULL);
    json_decref(w);
    json_decref(h);
    return n;
}

static void test_equal_and_extra_cluster_keys(void **state)
{
    struct options_diff d;

    (void)state;
    assert_int_equal(run("{\"service\":{\"name\":\"elastic\"}}",
                         "{\"service\":{\"name\":\"elastic\",\"user\":"
                         "\"nobody\"},\"data_nodes\":{\"count\":2}}", &d),
                     0);
    assert_int_equal(d.n_paths, 0);
    h_expect_json_eq(d.before, "{}");
    h_expect_json_eq(d.after, "{}");
    options_diff_clear(&d);
    options_diff_clear(&d);
}

static void test_leaf_diff_nested(void **state)
{
    struct options_diff d;
    char *paths;

    (void)state;
    assert_int_equal(
        run("{\"service\":{\"name\":\"elastic\",\"security\":{"
            "\"transport_encryption\":{\"enabled\":true}}},"
            "\"elasticsearch\":{\"xpack_enabled\":true,\"plugins\":\"\"}}",
            "{\"service\":{\"name\":\"elastic\",\"security\":{"
            "\"transport_encryption\":{\"enabled\":false}}},"
            "\"elasticsearch\":{\"xpack_enabled\":false,\"plugins\":\"\","
            "\"health_user\":\"elastic\"}}", &d), 2);
    assert_string_equal(d.paths[0],
                        "service.security.transport_encryption.enabled");
    assert_string_equal(d.paths[1], "elasticsearch.xpack_enabled");
    h_expect_json_eq(d.before,
                     "{\"service\":{\"security\":{\"transport_encryption\":"
                     "{\"enabled\":false}}},\"elasticsearch\":"
                     "{\"xpack_enabled\":false}}");
    h_expect_json_eq(d.after,
                     "{\"service\":{\"security\":{\"transport_encryption\":"
                     "{\"enabled\":true}}},\"elasticsearch\":"
                     "{\"xpack_enabled\":true}}");
    paths = options_diff_paths(&d);
    assert_string_equal(paths,
                        "service.security.transport_encryption.enabled, "
                        "elasticsearch.xpack_enabled");
    free(paths);
    options_diff_clear(&d);
}

static void test_missing_on_cluster_differs(void **state)
{
    struct options_diff d;

    (void)state;
    assert_int_equal(run("{\"kibana\":{\"enabled\":true},\"a\":1}",
                         "{\"a\":1}", &d), 1);
    assert_string_equal(d.paths[0], "kibana");
    /* Missing on the cluster: absent from before, not null. */
    h_expect_json_eq(d.before, "{}");
    h_expect_json_eq(d.after, "{\"kibana\":{\"enabled\":true}}");
    options_diff_clear(&d);

    assert_int_equal(run("{\"a\":{\"b\":null}}", "{\"a\":{}}", &d), 1);
    h_expect_json_eq(d.after, "{\"a\":{\"b\":null}}");
    options_diff_clear(&d);

    /* A whole object missing on the cluster is one differing leaf. */
    assert_int_equal(run("{\"a\":{\"b\":1,\"c\":2}}", NULL, &d), 1);
    assert_string_equal(d.paths[0], "a");
    h_expect_json_eq(d.after, "{\"a\":{\"b\":1,\"c\":2}}");
    options_diff_clear(&d);
}

static void test_numbers_by_value(void **state)
{
    struct options_diff d;

    (void)state;
    /* A user's integer 1 equals Cosmos' real 1.0 (cpus). */
    assert_int_equal(run("{\"master_nodes\":{\"cpus\":1,\"mem\":2048.0}}",
                         "{\"master_nodes\":{\"cpus\":1.0,\"mem\":2048}}",
                         &d), 0);
    options_diff_clear(&d);
    assert_int_equal(run("{\"master_nodes\":{\"cpus\":1.5}}",
                         "{\"master_nodes\":{\"cpus\":1}}", &d), 1);
    options_diff_clear(&d);
    /* But a string "1" is not the number 1. */
    assert_int_equal(run("{\"x\":\"1\"}", "{\"x\":1}", &d), 1);
    options_diff_clear(&d);
}

static void test_arrays_and_type_changes(void **state)
{
    struct options_diff d;

    (void)state;
    /* Arrays compare as whole values, order included. */
    assert_int_equal(run("{\"a\":[1,2]}", "{\"a\":[1.0,2]}", &d), 0);
    options_diff_clear(&d);
    assert_int_equal(run("{\"a\":[1,2]}", "{\"a\":[2,1]}", &d), 1);
    h_expect_json_eq(d.before, "{\"a\":[2,1]}");
    options_diff_clear(&d);
    assert_int_equal(run("{\"a\":[{\"x\":1}]}", "{\"a\":[{\"x\":1,"
                         "\"y\":2}]}", &d), 1);
    options_diff_clear(&d);
    /* An object where the cluster has a scalar: the whole value differs. */
    assert_int_equal(run("{\"a\":{\"b\":1}}", "{\"a\":\"s\"}", &d), 1);
    assert_string_equal(d.paths[0], "a");
    h_expect_json_eq(d.before, "{\"a\":\"s\"}");
    h_expect_json_eq(d.after, "{\"a\":{\"b\":1}}");
    options_diff_clear(&d);
    /* An empty object the user wrote sets no leaf. */
    assert_int_equal(run("{\"a\":{}}", "{\"a\":{\"b\":1}}", &d), 0);
    options_diff_clear(&d);
    /* Non-object desired options set nothing. */
    assert_int_equal(run("[1]", "{}", &d), 0);
    options_diff_clear(&d);
}

static void test_keys_with_dots(void **state)
{
    struct options_diff d;

    (void)state;
    /* A real beta-elastic option name contains a dot. */
    assert_int_equal(
        run("{\"elasticsearch\":{"
            "\"discovery_zen_ping_unicast_hosts.resolve_timeout\":\"5s\"}}",
            "{\"elasticsearch\":{"
            "\"discovery_zen_ping_unicast_hosts.resolve_timeout\":\"\"}}",
            &d), 1);
    h_expect_json_eq(d.after, "{\"elasticsearch\":{"
                     "\"discovery_zen_ping_unicast_hosts.resolve_timeout\":"
                     "\"5s\"}}");
    options_diff_clear(&d);
}

static void test_published_defaults_no_drift(void **state)
{
    json_error_t err;
    json_t *schema, *resolved, *user;
    struct options_diff d;
    int n;

    (void)state;
    schema = json_load_file(CONFIG_10, 0, &err);
    assert_non_null(schema);
    resolved = h_schema_defaults(schema);
    assert_non_null(resolved);
    /* The runbook's options file, as an operator writes it. */
    user = h_json_parse("{\"service\":{\"name\":\"elastic\","
                        "\"service_account\":\"elastic\","
                        "\"service_account_secret\":\"elastic/secret\","
                        "\"security\":{\"transport_encryption\":{\"enabled\":"
                        "true}}},\"elasticsearch\":{\"xpack_enabled\":true},"
                        "\"master_nodes\":{\"cpus\":1}}");
    /* Cosmos: defaults, then the user's options on top. */
    json_object_update_recursive(resolved, user);
    memset(&d, 0, sizeof(d));
    n = options_diff_compute(&d, user, resolved, NULL);
    assert_int_equal(n, 0);
    options_diff_clear(&d);

    /* Someone turned TLS off through the API: exactly that leaf. */
    json_object_set_new(json_object_get(json_object_get(
                            json_object_get(resolved, "service"),
                            "security"), "transport_encryption"),
                        "enabled", json_false());
    n = options_diff_compute(&d, user, resolved, NULL);
    assert_int_equal(n, 1);
    assert_string_equal(d.paths[0],
                        "service.security.transport_encryption.enabled");
    options_diff_clear(&d);
    json_decref(user);
    json_decref(resolved);
    json_decref(schema);
}

static void test_lookup_and_put(void **state)
{
    static const char *const tls[] = {
        "service", "security", "transport_encryption", "enabled", NULL
    };
    static const char *const deep[] = { "a", "b", "c", NULL };
    static const char *const none[] = { NULL };
    json_t *o = h_json_parse("{\"service\":{\"security\":"
                             "{\"transport_encryption\":{\"enabled\":true}}},"
                             "\"a\":5}");

    (void)state;
    assert_true(json_is_true(options_lookup(o, tls)));
    assert_null(options_lookup(o, deep)); /* a is not an object */
    assert_null(options_lookup(NULL, tls));
    assert_ptr_equal(options_lookup(o, none), o);
    assert_int_equal(options_put(o, deep, json_integer(7)), 0);
    h_expect_json_eq(options_lookup(o, deep), "7");
    assert_int_equal(options_put(o, tls, json_false()), 0);
    assert_false(json_is_true(options_lookup(o, tls)));
    assert_int_equal(options_put(o, tls, NULL), -2);
    json_decref(o);
}

static void test_mask_sensitive(void **state)
{
    json_t *in, *out, *mask = (json_t *)1;

    (void)state;
    in = h_json_parse("{\"elasticsearch\":{\"health_user\":\"elastic\","
                      "\"health_user_password\":\"changeme\"},\"kibana\":{"
                      "\"Password\":{\"x\":1}},\"n\":1}");
    out = options_mask_sensitive(in, &mask);
    assert_non_null(out);
    h_expect_json_eq(out, "{\"elasticsearch\":{\"health_user\":\"elastic\","
                     "\"health_user_password\":\"(sensitive)\"},\"kibana\":{"
                     "\"Password\":\"(sensitive)\"},\"n\":1}");
    h_expect_json_eq(mask, "{\"elasticsearch\":{\"health_user_password\":true},"
                     "\"kibana\":{\"Password\":true}}");
    /* The input is untouched. */
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(in, "elasticsearch"),
                            "health_user_password")), "changeme");
    json_decref(out);
    json_decref(mask);
    json_decref(in);

    in = h_json_parse("{\"service\":{\"name\":\"elastic\"}}");
    mask = (json_t *)1;
    out = options_mask_sensitive(in, &mask);
    assert_null(mask);
    assert_true(json_equal(in, out));
    json_decref(out);
    out = options_mask_sensitive(in, NULL);
    assert_non_null(out);
    json_decref(out);
    json_decref(in);
    assert_null(options_mask_sensitive(NULL, NULL));

    /* Not only "password": the words of issue 10, whole or as suffixes. */
    in = h_json_parse("{\"a\":{\"admin_pass\":\"p1\",\"api_token\":\"t1\","
                      "\"secret_key\":\"k1\",\"apiToken\":\"t2\","
                      "\"dbpasswd\":\"p2\",\"AWS-Credentials\":{\"x\":1},"
                      "\"keystore_path\":\"k2\",\"tls_enabled\":\"v\","
                      "\"allow_credentials\":true,\"passenger\":\"v\"},"
                      "\"service\":{\"service_account_secret\":\"e/s\"}}");
    out = options_mask_sensitive(in, &mask);
    h_expect_json_eq(mask, "{\"a\":{\"admin_pass\":true,\"api_token\":true,"
                     "\"secret_key\":true,\"apiToken\":true,"
                     "\"dbpasswd\":true,\"AWS-Credentials\":true}}");
    json_decref(out);
    json_decref(mask);
    json_decref(in);
}

static void test_value_equal(void **state)
{
    json_t *a = h_json_parse("{\"x\":[1,{\"y\":2.0}],\"z\":null}");
    json_t *b = h_json_parse("{\"z\":null,\"x\":[1.0,{\"y\":2}]}");
    json_t *c = h_json_parse("{\"x\":[1,{\"y\":2}]}");

    (void)state;
    assert_true(options_value_equal(a, b));
    assert_false(options_value_equal(a, c));
    assert_false(options_value_equal(a, NULL));
    assert_true(options_value_equal(NULL, NULL));
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal_and_extra_cluster_keys),
        cmocka_unit_test(test_leaf_diff_nested),
        cmocka_unit_test(test_missing_on_cluster_differs),
        cmocka_unit_test(test_numbers_by_value),
        cmocka_unit_test(test_arrays_and_type_changes),
        cmocka_unit_test(test_keys_with_dots),
        cmocka_unit_test(test_published_defaults_no_drift),
        cmocka_unit_test(test_lookup_and_put),
        cmocka_unit_test(test_mask_sensitive),
        cmocka_unit_test(test_value_equal),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
