/*
 * Unit tests of common/jsonschema*.c (moved from sim/): the draft-04 subset Cosmos validates
 * package options with, its error objects (checked against the upstream
 * Cosmos error fixture), defaults and merging, and the real beta-elastic
 * option schemas of the catalog.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/err.h"
#include "harness/h_json.h"
#include "common/jsonschema.h"
#include "common/jsonschema_defaults.h"

#define CATALOG ETLS_SOURCE_DIR "/sim/catalog/beta-elastic"
#define BAD_JSON                                                              \
    "mesosphere__dcos-commons/cli/client/testdata/responses/cosmos/1.10/"     \
    "enterprise/bad-json.json"

static json_t *config_schema(const char *rev)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s/config.json", CATALOG, rev);
    return h_json_load(path);
}

/* Validate @inst_text against @schema_text; returns the errors array (new)
 * and the return code in *@rc. */
static json_t *run(const char *schema_text, const char *inst_text,
                   unsigned flags, int *rc)
{
    json_t *schema = h_json_parse(schema_text);
    json_t *inst = h_json_parse(inst_text);
    json_t *errors = json_array();

    *rc = jsonschema_validate(schema, inst, errors, flags);
    json_decref(schema);
    json_decref(inst);
    return errors;
}

static const char *err_str(const json_t *errors, size_t i, const char *key)
{
    return json_string_value(json_object_get(json_array_get(errors, i), key));
}

static const char *err_ptr(const json_t *errors, size_t i, const char *which)
{
    return json_string_value(json_object_get(
        json_object_get(json_array_get(errors, i), which), "pointer"));
}

/* The two errors of the upstream bad-json.json, reproduced from a schema
 * with the same shape: same objects, same messages. */
static void test_matches_upstream_fixture(void **state)
{
    char path[1024];
    json_t *fixture, *errors, *want;
    int rc;

    (void)state;
    snprintf(path, sizeof(path), "%s/%s", ETLS_FIXTURES_DIR, BAD_JSON);
    if (access(path, R_OK) != 0)
        skip();
    fixture = h_json_load(path);
    want = json_object_get(json_object_get(fixture, "data"), "errors");
    assert_int_equal(json_array_size(want), 2);

    errors = run("{\"type\":\"object\",\"properties\":{"
                 "\"world\":{\"type\":\"object\",\"properties\":{"
                 "\"cpus\":{\"type\":\"number\",\"default\":0.1}}},"
                 "\"service\":{\"type\":\"object\",\"properties\":{"
                 "\"mesos_api_version\":{\"type\":\"string\"}}}}}",
                 "{\"world\":{\"cpus\":\"a lot\"},"
                 "\"service\":{\"mesos_api_version\":1}}",
                 JSONSCHEMA_DEEP, &rc);
    assert_int_equal(rc, 1);
    assert_int_equal(json_array_size(errors), 2);
    /* Children are visited in sorted order: "service" before "world". */
    assert_true(json_equal(json_array_get(errors, 0),
                           json_array_get(want, 1)));
    assert_true(json_equal(json_array_get(errors, 1),
                           json_array_get(want, 0)));
    /* The key order of the first upstream object is reproduced too. */
    {
        const char *order[] = { "level", "schema", "instance", "domain",
                                "keyword", "message", "found", "expected" };
        void *it = json_object_iter(json_array_get(errors, 1));

        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
            assert_non_null(it);
            assert_string_equal(json_object_iter_key(it), order[i]);
            it = json_object_iter_next(json_array_get(errors, 1), it);
        }
        assert_null(it);
    }
    json_decref(errors);
    json_decref(fixture);
}

/* Without deep checking, once an error is found no further child is
 * entered (json-schema-validator's default, what Cosmos uses). */
static void test_stops_descending_after_first_error(void **state)
{
    const char *schema = "{\"type\":\"object\",\"properties\":{"
                         "\"a\":{\"type\":\"object\",\"properties\":{"
                         "\"x\":{\"type\":\"string\"}}},"
                         "\"b\":{\"type\":\"object\",\"properties\":{"
                         "\"y\":{\"type\":\"string\"}}},"
                         "\"c\":{\"type\":\"string\"}}}";
    const char *inst = "{\"c\":5,\"b\":{\"y\":5},\"a\":{\"x\":5}}";
    json_t *errors;
    int rc;

    (void)state;
    errors = run(schema, inst, 0, &rc);
    assert_int_equal(rc, 1);
    /* a/x fails first; b is checked itself (fine) but not entered; c's own
     * keywords still run because the root is iterating over it. */
    assert_int_equal(json_array_size(errors), 2);
    assert_string_equal(err_ptr(errors, 0, "instance"), "/a/x");
    assert_string_equal(err_ptr(errors, 1, "instance"), "/c");
    json_decref(errors);

    errors = run(schema, inst, JSONSCHEMA_DEEP, &rc);
    assert_int_equal(rc, 1);
    assert_int_equal(json_array_size(errors), 3);
    assert_string_equal(err_ptr(errors, 0, "instance"), "/a/x");
    assert_string_equal(err_ptr(errors, 1, "instance"), "/b/y");
    assert_string_equal(err_ptr(errors, 2, "instance"), "/c");
    assert_string_equal(err_ptr(errors, 2, "schema"), "/properties/c");
    json_decref(errors);
}

static void test_types(void **state)
{
    json_t *errors;
    int rc;

    (void)state;
    /* number accepts integers; integral reals count as integers. */
    errors = run("{\"type\":\"number\"}", "3", 0, &rc);
    assert_int_equal(rc, 0);
    json_decref(errors);
    errors = run("{\"type\":\"integer\"}", "2048.0", 0, &rc);
    assert_int_equal(rc, 0);
    json_decref(errors);

    errors = run("{\"type\":\"integer\"}", "0.5", 0, &rc);
    assert_int_equal(rc, 1);
    h_expect_json_eq(json_array_get(errors, 0),
                     "{\"level\":\"error\",\"schema\":{\"loadingURI\":\"#\","
                     "\"pointer\":\"\"},\"instance\":{\"pointer\":\"\"},"
                     "\"domain\":\"validation\",\"keyword\":\"type\","
                     "\"message\":\"instance type (number) does not match any "
                     "allowed primitive type (allowed: [\\\"integer\\\"])\","
                     "\"found\":\"number\",\"expected\":[\"integer\"]}");
    json_decref(errors);

    errors = run("{\"type\":\"boolean\"}", "\"true\"", 0, &rc);
    assert_int_equal(rc, 1);
    assert_string_equal(err_str(errors, 0, "found"), "string");
    json_decref(errors);

    /* Type arrays: expected lists the set in the validator's order. */
    errors = run("{\"type\":[\"string\",\"null\",\"object\"]}", "null", 0,
                 &rc);
    assert_int_equal(rc, 0);
    json_decref(errors);
    errors = run("{\"type\":[\"string\",\"null\",\"object\"]}", "[1]", 0,
                 &rc);
    assert_int_equal(rc, 1);
    h_expect_json_eq(json_object_get(json_array_get(errors, 0), "expected"),
                     "[\"null\",\"object\",\"string\"]");
    assert_string_equal(err_str(errors, 0, "found"), "array");
    json_decref(errors);

    /* A malformed schema is reported as such, not as a mismatch. */
    errors = run("{\"type\":\"text\"}", "1", 0, &rc);
    assert_int_equal(rc, ERR_INVALID);
    json_decref(errors);
}

static void test_enum(void **state)
{
    json_t *errors;
    int rc;

    (void)state;
    errors = run("{\"enum\":[\"parallel\",\"serial\"]}", "\"serial\"", 0,
                 &rc);
    assert_int_equal(rc, 0);
    json_decref(errors);
    errors = run("{\"enum\":[1,\"a\"]}", "1.0", 0, &rc);
    assert_int_equal(rc, 0);
    json_decref(errors);

    errors = run("{\"enum\":[\"parallel\",\"serial\"]}", "\"rolling\"", 0,
                 &rc);
    assert_int_equal(rc, 1);
    h_expect_json_eq(json_array_get(errors, 0),
                     "{\"level\":\"error\",\"schema\":{\"loadingURI\":\"#\","
                     "\"pointer\":\"\"},\"instance\":{\"pointer\":\"\"},"
                     "\"domain\":\"validation\",\"keyword\":\"enum\","
                     "\"message\":\"instance value (\\\"rolling\\\") not "
                     "found in enum (possible values: "
                     "[\\\"parallel\\\",\\\"serial\\\"])\","
                     "\"value\":\"rolling\","
                     "\"enum\":[\"parallel\",\"serial\"]}");
    json_decref(errors);
}

static void test_required(void **state)
{
    json_t *errors;
    int rc;

    (void)state;
    errors = run("{\"type\":\"object\",\"properties\":{\"s\":{"
                 "\"type\":\"object\",\"required\":[\"name\",\"user\","
                 "\"deploy_strategy\"]}}}",
                 "{\"s\":{\"user\":\"nobody\"}}", 0, &rc);
    assert_int_equal(rc, 1);
    h_expect_json_eq(json_array_get(errors, 0),
                     "{\"level\":\"error\",\"schema\":{\"loadingURI\":\"#\","
                     "\"pointer\":\"/properties/s\"},\"instance\":{"
                     "\"pointer\":\"/s\"},\"domain\":\"validation\","
                     "\"keyword\":\"required\",\"message\":\"object has "
                     "missing required properties "
                     "([\\\"name\\\",\\\"deploy_strategy\\\"])\","
                     "\"required\":[\"name\",\"user\",\"deploy_strategy\"],"
                     "\"missing\":[\"name\",\"deploy_strategy\"]}");
    json_decref(errors);

    /* required does not apply to non-objects. */
    errors = run("{\"required\":[\"a\"]}", "3", 0, &rc);
    assert_int_equal(rc, 0);
    json_decref(errors);
}

static void test_additional_properties(void **state)
{
    const char *schema = "{\"type\":\"object\",\"additionalProperties\":"
                         "false,\"properties\":{\"a\":{\"type\":"
                         "\"string\"}}}";
    json_t *errors;
    int rc;

    (void)state;
    errors = run(schema, "{\"zz\":{\"x\":1},\"a\":\"ok\",\"b\":1}", 0, &rc);
    assert_int_equal(rc, 1);
    assert_int_equal(json_array_size(errors), 1);
    h_expect_json_eq(json_array_get(errors, 0),
                     "{\"level\":\"error\",\"schema\":{\"loadingURI\":\"#\","
                     "\"pointer\":\"\"},\"instance\":{\"pointer\":\"\"},"
                     "\"domain\":\"validation\","
                     "\"keyword\":\"additionalProperties\","
                     "\"message\":\"object instance has properties which are "
                     "not allowed by the schema: [\\\"b\\\",\\\"zz\\\"]\","
                     "\"unwanted\":[\"b\",\"zz\"]}");
    json_decref(errors);

    /* Absent or true: unknown members are accepted. */
    errors = run("{\"type\":\"object\",\"properties\":{}}", "{\"q\":1}", 0,
                 &rc);
    assert_int_equal(rc, 0);
    json_decref(errors);

    /* A schema: unknown members are validated against it. */
    errors = run("{\"type\":\"object\",\"additionalProperties\":{\"type\":"
                 "\"integer\"}}",
                 "{\"q\":1,\"r\":\"x\"}", 0, &rc);
    assert_int_equal(rc, 1);
    assert_string_equal(err_ptr(errors, 0, "schema"),
                        "/additionalProperties");
    assert_string_equal(err_ptr(errors, 0, "instance"), "/r");
    json_decref(errors);
}

static void test_numbers_strings_items(void **state)
{
    json_t *errors;
    int rc;

    (void)state;
    errors = run("{\"type\":\"integer\",\"minimum\":1}", "0", 0, &rc);
    assert_int_equal(rc, 1);
    assert_string_equal(err_str(errors, 0, "message"),
                        "numeric instance is lower than the required "
                        "minimum (minimum: 1, found: 0)");
    h_expect_json_eq(json_object_get(json_array_get(errors, 0), "found"),
                     "0");
    json_decref(errors);

    errors = run("{\"minimum\":1}", "1", 0, &rc);
    assert_int_equal(rc, 0);
    json_decref(errors);
    errors = run("{\"minimum\":1,\"exclusiveMinimum\":true}", "1", 0, &rc);
    assert_int_equal(rc, 1);
    assert_string_equal(err_str(errors, 0, "message"),
                        "numeric instance is not strictly greater than the "
                        "required minimum 1");
    json_decref(errors);

    errors = run("{\"maximum\":2.5}", "3", 0, &rc);
    assert_int_equal(rc, 1);
    assert_string_equal(err_str(errors, 0, "keyword"), "maximum");
    assert_string_equal(err_str(errors, 0, "message"),
                        "numeric instance is greater than the required "
                        "maximum (maximum: 2.5, found: 3)");
    json_decref(errors);

    errors = run("{\"minLength\":3}", "\"ab\"", 0, &rc);
    assert_int_equal(rc, 1);
    assert_string_equal(err_str(errors, 0, "message"),
                        "string \"ab\" is too short (length: 2, required "
                        "minimum: 3)");
    json_decref(errors);

    errors = run("{\"pattern\":\"^[a-z][a-z0-9-]*$\"}", "\"Elastic\"", 0,
                 &rc);
    assert_int_equal(rc, 1);
    assert_string_equal(err_str(errors, 0, "message"),
                        "ECMA 262 regex \"^[a-z][a-z0-9-]*$\" does not "
                        "match input string \"Elastic\"");
    json_decref(errors);
    errors = run("{\"pattern\":\"[0-9]\"}", "\"node7x\"", 0, &rc);
    assert_int_equal(rc, 0);
    json_decref(errors);
    errors = run("{\"pattern\":\"([\"}", "\"x\"", 0, &rc);
    assert_int_equal(rc, ERR_INVALID);
    json_decref(errors);

    errors = run("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}",
                 "[\"a\",\"b\",3]", 0, &rc);
    assert_int_equal(rc, 1);
    assert_string_equal(err_ptr(errors, 0, "instance"), "/2");
    assert_string_equal(err_ptr(errors, 0, "schema"), "/items");
    json_decref(errors);
}

/* JSON pointers escape '~' and '/' (RFC 6901). */
static void test_pointer_escaping(void **state)
{
    json_t *errors;
    int rc;

    (void)state;
    errors = run("{\"properties\":{\"a/b~c\":{\"type\":\"string\"}}}",
                 "{\"a/b~c\":1}", 0, &rc);
    assert_int_equal(rc, 1);
    assert_string_equal(err_ptr(errors, 0, "instance"), "/a~1b~0c");
    assert_string_equal(err_ptr(errors, 0, "schema"),
                        "/properties/a~1b~0c");
    json_decref(errors);
}

static void test_defaults_of_beta_elastic(void **state)
{
    const char *revs[] = { "8", "9", "10" };

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        json_t *schema = config_schema(revs[i]);
        json_t *d = jsonschema_defaults(schema);
        json_t *errors = json_array();
        json_t *svc = json_object_get(d, "service");

        assert_non_null(d);
        assert_string_equal(
            json_string_value(json_object_get(svc, "name")), "elastic");
        assert_string_equal(
            json_string_value(json_object_get(svc, "update_strategy")),
            "serial");
        assert_string_equal(
            json_string_value(json_object_get(svc, "deploy_strategy")),
            "parallel");
        assert_string_equal(
            json_string_value(json_object_get(svc, "service_account")), "");
        /* Nested object without its own default: built from its members. */
        assert_true(json_is_false(json_object_get(
            json_object_get(json_object_get(svc, "security"),
                            "transport_encryption"),
            "enabled")));
        assert_int_equal(
            json_integer_value(json_object_get(
                json_object_get(json_object_get(d, "master_nodes"), "heap"),
                "size")),
            1024);
        assert_true(json_is_false(json_object_get(
            json_object_get(d, "elasticsearch"), "xpack_enabled")));
        assert_string_equal(
            json_string_value(json_object_get(
                json_object_get(d, "elasticsearch"),
                "health_user_password")),
            "changeme");
        /* The defaults satisfy their own schema. */
        assert_int_equal(jsonschema_validate(schema, d, errors, 0), 0);
        assert_int_equal(json_array_size(errors), 0);
        json_decref(errors);
        json_decref(d);
        json_decref(schema);
    }
    {
        json_t *s = h_json_parse("{\"type\":\"object\"}");
        json_t *d = jsonschema_defaults(s);

        h_expect_json_eq(d, "{}");
        json_decref(d);
        json_decref(s);
    }
}

/* What config.json itself says about unknown keys: "elasticsearch" and
 * each "heap" set additionalProperties false; "service" and the root do
 * not, so draft-04 accepts unknown members there. */
static void test_beta_elastic_schema_rules(void **state)
{
    json_t *schema = config_schema("10");
    json_t *d = jsonschema_defaults(schema);
    json_t *doc, *errors;
    int rc;

    (void)state;
    /* Unknown key under elasticsearch. */
    doc = json_deep_copy(d);
    json_object_set_new(json_object_get(doc, "elasticsearch"), "xpack",
                        json_true());
    errors = json_array();
    rc = jsonschema_validate(schema, doc, errors, 0);
    assert_int_equal(rc, 1);
    assert_string_equal(err_str(errors, 0, "keyword"),
                        "additionalProperties");
    assert_string_equal(err_ptr(errors, 0, "instance"), "/elasticsearch");
    assert_string_equal(err_ptr(errors, 0, "schema"),
                        "/properties/elasticsearch");
    json_decref(errors);
    json_decref(doc);

    /* Unknown key under data_nodes.heap. */
    doc = json_deep_copy(d);
    json_object_set_new(
        json_object_get(json_object_get(doc, "data_nodes"), "heap"), "max",
        json_integer(1));
    errors = json_array();
    assert_int_equal(jsonschema_validate(schema, doc, errors, 0), 1);
    assert_string_equal(err_ptr(errors, 0, "instance"), "/data_nodes/heap");
    json_decref(errors);
    json_decref(doc);

    /* Unknown key under service (allowed by this schema). */
    doc = json_deep_copy(d);
    json_object_set_new(json_object_get(doc, "service"), "colour",
                        json_string("red"));
    errors = json_array();
    assert_int_equal(jsonschema_validate(schema, doc, errors, 0), 0);
    json_decref(errors);
    json_decref(doc);

    /* Wrong types and enum values at their real pointers. */
    doc = json_deep_copy(d);
    json_object_set_new(json_object_get(doc, "service"), "name",
                        json_integer(5));
    errors = json_array();
    assert_int_equal(jsonschema_validate(schema, doc, errors, 0), 1);
    assert_string_equal(err_ptr(errors, 0, "schema"),
                        "/properties/service/properties/name");
    assert_string_equal(err_ptr(errors, 0, "instance"), "/service/name");
    assert_string_equal(err_str(errors, 0, "message"),
                        "instance type (integer) does not match any allowed "
                        "primitive type (allowed: [\"string\"])");
    json_decref(errors);
    json_decref(doc);

    doc = json_deep_copy(d);
    json_object_set_new(json_object_get(doc, "service"), "update_strategy",
                        json_string("rolling"));
    json_object_set_new(json_object_get(doc, "data_nodes"), "count",
                        json_integer(0));
    errors = json_array();
    assert_int_equal(jsonschema_validate(schema, doc, errors,
                                         JSONSCHEMA_DEEP),
                     1);
    assert_int_equal(json_array_size(errors), 2);
    assert_string_equal(err_ptr(errors, 0, "instance"), "/data_nodes/count");
    assert_string_equal(err_str(errors, 0, "keyword"), "minimum");
    assert_string_equal(err_ptr(errors, 1, "instance"),
                        "/service/update_strategy");
    assert_string_equal(err_str(errors, 1, "keyword"), "enum");
    json_decref(errors);
    json_decref(doc);

    /* Missing required member (possible only with a null-free document
     * that lacks it, i.e. without the defaults merged in). */
    doc = h_json_parse("{\"service\":{\"name\":\"elastic\"}}");
    errors = json_array();
    assert_int_equal(jsonschema_validate(schema, doc, errors, 0), 1);
    assert_string_equal(err_str(errors, 0, "keyword"), "required");
    h_expect_json_eq(json_object_get(json_array_get(errors, 0), "missing"),
                     "[\"user\",\"deploy_strategy\",\"update_strategy\"]");
    json_decref(errors);
    json_decref(doc);

    json_decref(d);
    json_decref(schema);
}

static void test_merge(void **state)
{
    json_t *base = h_json_parse("{\"service\":{\"name\":\"elastic\","
                                "\"user\":\"nobody\",\"security\":"
                                "{\"transport_encryption\":{\"enabled\":"
                                "false}}},\"n\":[1,2],\"k\":1}");
    json_t *over = h_json_parse("{\"service\":{\"security\":"
                                "{\"transport_encryption\":{\"enabled\":"
                                "true}},\"service_account\":\"sa\"},"
                                "\"n\":[3],\"k\":null,\"new\":{\"a\":1}}");
    json_t *m, *copy_base = NULL;

    (void)state;
    copy_base = json_deep_copy(base);
    m = jsonschema_merge(base, over);
    h_expect_json_eq(m, "{\"service\":{\"name\":\"elastic\","
                        "\"user\":\"nobody\",\"security\":"
                        "{\"transport_encryption\":{\"enabled\":"
                        "true}},\"service_account\":\"sa\"},\"n\":[3],"
                        "\"k\":null,\"new\":{\"a\":1}}");
    /* Inputs untouched, and the result shares nothing with them. */
    assert_true(json_equal(base, copy_base));
    json_object_set_new(json_object_get(m, "new"), "b", json_true());
    assert_null(json_object_get(json_object_get(over, "new"), "b"));
    json_decref(m);

    m = jsonschema_merge(NULL, over);
    assert_true(json_equal(m, over));
    json_decref(m);
    m = jsonschema_merge(base, NULL);
    assert_true(json_equal(m, base));
    json_decref(m);
    {
        json_t *arr = h_json_parse("[1]");

        assert_null(jsonschema_merge(arr, base));
        json_decref(arr);
    }
    json_decref(copy_base);
    json_decref(base);
    json_decref(over);
}

static void test_bad_arguments(void **state)
{
    json_t *schema = h_json_parse("{}");
    json_t *inst = h_json_parse("{}");
    json_t *notarray = json_object();

    (void)state;
    assert_int_equal(jsonschema_validate(schema, inst, notarray, 0),
                     ERR_INVALID);
    assert_int_equal(jsonschema_validate(inst, NULL, notarray, 0),
                     ERR_INVALID);
    json_decref(schema);
    json_decref(inst);
    json_decref(notarray);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_upstream_fixture),
        cmocka_unit_test(test_stops_descending_after_first_error),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_enum),
        cmocka_unit_test(test_required),
        cmocka_unit_test(test_additional_properties),
        cmocka_unit_test(test_numbers_strings_items),
        cmocka_unit_test(test_pointer_escaping),
        cmocka_unit_test(test_defaults_of_beta_elastic),
        cmocka_unit_test(test_beta_elastic_schema_rules),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_bad_arguments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
