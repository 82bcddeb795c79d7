/*
 * Unit tests of model/yaml.c: the YAML 1.2 core-schema typing of plain
 * scalars (on/off/yes/no stay strings), what JSON cannot hold refused
 * with file:line:col, and positions of validation errors in YAML.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
#include "model/desired.h"
#include "model/jsonpos.h"
#include "model/yaml.h"

/* The JSON value the YAML value @yaml (of key "v") converts to (new). */
static json_t *value_of(const char *yaml)
{
    struct model_diags d = {0};
    struct jsonpos_loc *map = NULL;
    char *json = NULL, doc[256];
    size_t len = 0, n = 0;
    json_error_t je;
    json_t *j, *v;

    snprintf(doc, sizeof(doc), "v: %s\n", yaml);
    if (model_yaml_to_json(&json, &len, &map, &n, doc, strlen(doc), "t.yaml",
                           &d))
        fail_msg("%s: %s", yaml, d.n ? d.items[0].message : "?");
    j = json_loadb(json, len, 0, &je);
    if (!j)
        fail_msg("%s: not JSON: %s\n%s", yaml, je.text, json);
    v = json_incref(json_object_get(j, "v"));
    json_decref(j);
    free(json);
    free(map);
    model_diags_clear(&d);
    return v;
}

static void expect_json(const char *yaml, const char *want_json)
{
    json_error_t je;
    json_t *got = value_of(yaml);
    json_t *want = json_loads(want_json, JSON_DECODE_ANY, &je);

    assert_non_null(want);
    if (!json_equal(got, want) || json_typeof(got) != json_typeof(want)) {
        char *g = json_dumps(got, JSON_ENCODE_ANY);

        fail_msg("%s: got %s, want %s", yaml, g, want_json);
    }
    json_decref(got);
    json_decref(want);
}

static void test_core_schema(void **state)
{
    (void)state;
    /* YAML 1.1 booleans are strings in 1.2. */
    expect_json("on", "\"on\"");
    expect_json("off", "\"off\"");
    expect_json("yes", "\"yes\"");
    expect_json("no", "\"no\"");
    expect_json("y", "\"y\"");
    expect_json("N", "\"N\"");
    expect_json("true", "true");
    expect_json("False", "false");
    expect_json("TRUE", "true");
    expect_json("tRUE", "\"tRUE\"");
    expect_json("~", "null");
    expect_json("null", "null");
    expect_json("", "null");
    expect_json("NULL", "null");
    expect_json("42", "42");
    expect_json("-7", "-7");
    expect_json("+5", "5");
    expect_json("007", "7");
    expect_json("0o17", "15");
    expect_json("0x1F", "31");
    expect_json("1.5", "1.5");
    expect_json(".5", "0.5");
    expect_json("-.5", "-0.5");
    expect_json("5.", "5.0");
    expect_json("1e3", "1e3");
    expect_json("1.2.3", "\"1.2.3\"");
    expect_json("2.1.2-5.6.5-beta", "\"2.1.2-5.6.5-beta\"");
    expect_json("0755abc", "\"0755abc\"");
    /* Quoted, block and tagged scalars are strings. */
    expect_json("\"true\"", "\"true\"");
    expect_json("'123'", "\"123\"");
    expect_json("!!str 123", "\"123\"");
    expect_json("! 123", "\"123\"");
    expect_json("|\n  a\n  b", "\"a\\nb\\n\"");
    expect_json(">-\n  a\n  b", "\"a b\"");
    expect_json("\"tab\\there\"", "\"tab\\there\"");
    expect_json("[1, a, {b: c}]", "[1, \"a\", {\"b\": \"c\"}]");
    expect_json("{}", "{}");
}

/* The one diagnostic the document @doc gets. */
static void expect_refused(const char *doc, const char *want)
{
    struct model_service *svc = NULL;
    struct model_diags d = {0};
    char *line;
    int r;

    r = model_service_parse_yaml(&svc, doc, strlen(doc), "d.yaml", &d);
    if (r != ERR_INVALID || d.n < 1)
        fail_msg("accepted: %s", doc);
    line = model_diag_format(&d.items[0]);
    if (!strstr(line, want))
        fail_msg("\"%s\" lacks \"%s\"", line, want);
    free(line);
    model_diags_clear(&d);
}

static void test_refused(void **state)
{
    (void)state;
    expect_refused("service:\n  name: a\n  name: b\n",
                   "d.yaml:3:3: service.name: duplicate key \"name\" (first "
                   "at line 2, column 3); expected each key at most once");
    expect_refused("a: &x {b: 1}\nc: *x\n",
                   "d.yaml:1:4: a: anchors (&x) are not supported");
    expect_refused("a: *x\n", "d.yaml:1:4: a: aliases (*x) are not supported");
    expect_refused("a: !!binary aGk=\n",
                   "d.yaml:1:4: a: the tag tag:yaml.org,2002:binary is not "
                   "supported");
    expect_refused("a: !custom x\n", "the tag !custom is not supported");
    expect_refused("? [a, b]\n: 1\n",
                   "d.yaml:1:3: (root): a mapping key must be a scalar");
    expect_refused("a: 1\n---\nb: 2\n",
                   "d.yaml:2:1: (root): a second YAML document");
    expect_refused("a: .inf\n", "d.yaml:1:4: a: .inf is not a number JSON "
                                "can hold");
    expect_refused("a: .nan\n", "is not a number JSON can hold");
    expect_refused("a: 0x8000000000000000\n", "is out of range");
    expect_refused("", "d.yaml:1:1: (root): the document is empty");
    expect_refused("# only a comment\n", "the document is empty");
    expect_refused("a: [\n", "d.yaml:2:1: (root): invalid YAML: did not "
                             "find expected node content");
    expect_refused("a:\tb\n  c: d\n", "invalid YAML");
    expect_refused("- 1\n- 2\n", "d.yaml:1:1: (root): expected a JSON "
                                 "object at the top level, got an array");
}

/* Validation errors carry the YAML document's positions. */
static void test_positions(void **state)
{
    static const char doc[] =
        "# elastic\n"
        "service:\n"
        "  name: elastic\n"
        "  security:\n"
        "    transport_encryption:\n"
        "      enabled: true\n"
        "  service_account: elastic\n"
        "  service_account_secret: elastic/secret\n"
        "elasticsearch:\n"
        "  xpack_enabled: no\n"
        "data_nodes:\n"
        "  count: three\n";
    struct model_service *svc = NULL;
    struct model_diags d = {0};
    char *a, *b;

    (void)state;
    assert_int_equal(model_service_parse_yaml(&svc, doc, strlen(doc), "e.yaml",
                                              &d),
                     ERR_INVALID);
    assert_int_equal(d.n, 2);
    a = model_diag_format(&d.items[0]);
    b = model_diag_format(&d.items[1]);
    assert_string_equal(a, "e.yaml:10:18: elasticsearch.xpack_enabled: "
                           "expected a boolean, got a string");
    assert_string_equal(b, "e.yaml:12:10: data_nodes.count: expected an "
                           "integer, got \"three\"");
    free(a);
    free(b);
    model_diags_clear(&d);
}

/* A valid document: the service, and where its name stands. */
static void test_valid(void **state)
{
    static const char doc[] =
        "service:\n"
        "  name: logs   # a comment\n"
        "  security: {transport_encryption: {enabled: false}}\n";
    struct model_service *svc = NULL;
    struct model_diags d = {0};

    (void)state;
    assert_int_equal(model_service_parse_yaml(&svc, doc, strlen(doc), "v.yaml",
                                              &d),
                     0);
    assert_string_equal(svc->name, "logs");
    assert_int_equal(svc->name_line, 2);
    assert_int_equal(svc->name_column, 9);
    assert_false(svc->tls);
    /* The TLS-off warning points into the YAML. */
    assert_true(svc->warnings.n >= 1);
    model_service_free(svc);
    model_diags_clear(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_schema),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_valid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
