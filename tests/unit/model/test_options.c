/*
 * Unit tests of the package options against the package's options schema
 * (model/options_schema.c, model/catalog.c), the rules between documents
 * (model/crossdoc.c) and the documents' warnings (issue 8): unknown keys
 * at every depth with and without a suggestion, types, enums and bounds
 * at the value, both document forms, the pinned version's schema, the
 * plan-time check against a schema from the cluster, the vendored catalog
 * against its sources, shared accounts, secrets and app ids, and the
 * transport-encryption-off warning.
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

#include "common/err.h"
#include "common/util.h"
#include "model/catalog.h"
#include "model/desired.h"
#include "model/options_schema.h"

#define NEWEST "beta-elastic 2.1.2-5.6.5-beta"

/* Every diag of @d formatted, one per line (new). */
static char *text_of(const struct model_diags *d, int warnings)
{
    char *out = strdup("");
    size_t i;

    assert_non_null(out);
    for (i = 0; i < d->n; i++) {
        char *line = warnings ? model_warning_format(&d->items[i])
                              : model_diag_format(&d->items[i]);
        char *n;

        assert_non_null(line);
        n = realloc(out, strlen(out) + strlen(line) + 2);
        assert_non_null(n);
        out = n;
        strcat(out, line);
        strcat(out, "\n");
        free(line);
    }
    return out;
}

/* Parse @text as doc.json expecting ERR_INVALID with exactly @want. */
static void expect_diags(const char *text, const char *want)
{
    struct model_service *svc = NULL;
    struct model_diags d = {0};
    char *got;
    int r;

    r = model_service_parse(&svc, text, strlen(text), "doc.json", &d);
    got = text_of(&d, 0);
    if (r != ERR_INVALID || strcmp(got, want) != 0)
        fail_msg("result %d\n--- expected\n%s--- got\n%s", r, want, got);
    assert_null(svc);
    free(got);
    model_diags_clear(&d);
}

/* Parse @text as @file expecting success (new service). */
static struct model_service *parse_ok(const char *text, const char *file)
{
    struct model_service *svc = NULL;
    struct model_diags d = {0};
    int r;

    r = model_service_parse(&svc, text, strlen(text), file, &d);
    if (r != 0) {
        char *got = text_of(&d, 0);

        fail_msg("%s: result %d\n%s", file, r, got);
    }
    assert_int_equal(d.n, 0);
    return svc;
}

/* Warning @i of @svc, formatted, is @want. */
static void expect_warning(const struct model_service *svc, size_t i,
                           const char *want)
{
    char *got;

    assert_true(i < svc->warnings.n);
    got = model_warning_format(&svc->warnings.items[i]);
    assert_string_equal(got, want);
    free(got);
}

static void test_unknown_keys_suggested(void **state)
{
    (void)state;
    /* Depth 1, 2, 4 and 3 (under additionalProperties: false). */
    expect_diags(
        "{\n"
        "  \"coordinator_node\": {},\n"
        "  \"service\": {\n"
        "    \"nmae\": \"x\",\n"
        "    \"security\": {\n"
        "      \"transport_encrytion\": {\"enabled\": true}\n"
        "    }\n"
        "  },\n"
        "  \"master_nodes\": {\"heap\": {\"Size\": 1}},\n"
        "  \"elasticsearch\": {\"xpack_enabeld\": true}\n"
        "}\n",
        "doc.json:2:3: coordinator_node: unknown option; did you mean "
        "\"coordinator_nodes\"?\n"
        "doc.json:4:5: service.nmae: unknown option; did you mean "
        "\"name\"?\n"
        "doc.json:6:7: service.security.transport_encrytion: unknown "
        "option; did you mean \"transport_encryption\"?\n"
        "doc.json:9:29: master_nodes.heap.Size: unknown option; did you "
        "mean \"size\"?\n"
        "doc.json:10:21: elasticsearch.xpack_enabeld: unknown option; did "
        "you mean \"xpack_enabled\"?\n");
}

static void test_unknown_keys_not_close(void **state)
{
    (void)state;
    /*
     * Nothing close: no suggestion.  A member the document already has
     * is not suggested ("sise" is one edit from "size"); "usr" (3
     * characters) is one edit from "user", "abc" is not close to anything.
     */
    expect_diags(
        "{\n"
        "  \"zzzz\": 1,\n"
        "  \"service\": {\"frobnicate\": true, \"usr\": \"x\", \"abc\": 1},\n"
        "  \"master_nodes\": {\"heap\": {\"size\": 512, \"sise\": 1}}\n"
        "}\n",
        "doc.json:2:3: zzzz: unknown option: not in the options schema of "
        NEWEST "\n"
        "doc.json:3:15: service.frobnicate: unknown option: not in the "
        "options schema of " NEWEST "\n"
        "doc.json:3:35: service.usr: unknown option; did you mean "
        "\"user\"?\n"
        "doc.json:3:47: service.abc: unknown option: not in the options "
        "schema of " NEWEST "\n"
        "doc.json:4:42: master_nodes.heap.sise: unknown option: not in the "
        "options schema of " NEWEST "\n");
}

static void test_types_enums_bounds(void **state)
{
    (void)state;
    /*
     * At the value; the password's type is reported once (the parser's
     * own check) and its value never shown.
     */
    expect_diags(
        "{\n"
        "  \"data_nodes\": {\"count\": \"three\"},\n"
        "  \"ingest_nodes\": {\"count\": -1},\n"
        "  \"service\": {\"log_level\": \"LOUD\",\n"
        "              \"virtual_network_enabled\": \"yes\"},\n"
        "  \"elasticsearch\": {\"health_user_password\": 5}\n"
        "}\n",
        "doc.json:2:27: data_nodes.count: expected an integer, got "
        "\"three\"\n"
        "doc.json:3:29: ingest_nodes.count: expected a number >= 0, got -1\n"
        "doc.json:4:28: service.log_level: expected one of \"OFF\", "
        "\"FATAL\", \"ERROR\", \"WARN\", \"INFO\", \"DEBUG\", \"TRACE\", "
        "\"ALL\", got \"LOUD\"\n"
        "doc.json:5:42: service.virtual_network_enabled: expected a "
        "boolean, got \"yes\"\n"
        "doc.json:6:45: elasticsearch.health_user_password: expected a "
        "string, got a number\n");
}

/*
 * Cosmos validates the options merged over the schema's defaults: a
 * required member the defaults provide may be left out (service requires
 * name, user, deploy_strategy and update_strategy; heap requires size).
 */
static void test_required_from_defaults(void **state)
{
    struct model_service *svc;

    (void)state;
    svc = parse_ok("{\"service\": {}, \"master_nodes\": {\"heap\": {}}}",
                   "defaults.json");
    model_service_free(svc);
}

static void test_envelope_form(void **state)
{
    struct model_service *svc;

    (void)state;
    expect_diags(
        "{\n"
        "  \"apiVersion\": \"etls/v1\",\n"
        "  \"options\": {\n"
        "    \"service\": {\"security\": {\"transport_encrytion\": {}}},\n"
        "    \"data_nodes\": {\"count\": \"three\"}\n"
        "  }\n"
        "}\n",
        "doc.json:4:30: options.service.security.transport_encrytion: "
        "unknown option; did you mean \"transport_encryption\"?\n"
        "doc.json:5:29: options.data_nodes.count: expected an integer, got "
        "\"three\"\n");
    /* allow_plaintext exists in 2.1.1, not in 2.1.2 (the newest). */
    svc = parse_ok("{\"apiVersion\": \"etls/v1\",\n"
                   " \"package\": {\"version\": \"2.1.1-5.6.5-beta\"},\n"
                   " \"options\": {\"service\": {\"security\": "
                   "{\"transport_encryption\": {\"allow_plaintext\": "
                   "false}}}}}\n",
                   "old.json");
    model_service_free(svc);
    expect_diags("{\"apiVersion\": \"etls/v1\",\n"
                 " \"options\": {\"service\": {\"security\": "
                 "{\"transport_encryption\": {\"allow_plaintext\": "
                 "false}}}}}\n",
                 "doc.json:2:64: options.service.security."
                 "transport_encryption.allow_plaintext: unknown option: not "
                 "in the options schema of " NEWEST "\n");
}

static void test_not_vendored_warns(void **state)
{
    struct model_service *svc;
    char *got;

    (void)state;
    /* Not vendored: not checked offline (plan checks it), but said so. */
    svc = parse_ok("{\"apiVersion\": \"etls/v1\",\n"
                   " \"package\": {\"version\": \"9.9.9-new\"},\n"
                   " \"options\": {\"service\": {\"transport_encrytion\": "
                   "{}}}}\n",
                   "new.json");
    got = text_of(&svc->warnings, 1);
    assert_string_equal(
        got,
        "new.json:2:25: warning: package.version: beta-elastic 9.9.9-new is "
        "not among the vendored package definitions (2.1.0-5.6.4-beta, "
        "2.1.1-5.6.5-beta, 2.1.2-5.6.5-beta); its options are checked at "
        "plan time against the schema of the cluster's catalog\n"
        "new.json: warning: service elastic: transport encryption is off "
        "(options.service.security.transport_encryption.enabled is not "
        "true)\n");
    free(got);
    model_service_free(svc);
    svc = parse_ok("{\"apiVersion\": \"etls/v1\",\n"
                   " \"package\": {\"name\": \"my-elastic\"},\n"
                   " \"options\": {\"anything\": 1}}\n",
                   "other.json");
    assert_int_equal(svc->warnings.n, 2);
    expect_warning(svc, 0, "other.json:2:22: warning: package.name: "
                           "package my-elastic has no vendored definition; "
                           "its options are checked at plan time against "
                           "the schema of the cluster's catalog");
    model_service_free(svc);
}

static void test_tls_off_warning(void **state)
{
    static const char *const off[] = {
        "{}",
        "{\"service\": {\"security\": {\"transport_encryption\": "
        "{\"enabled\": false}}}}",
    };
    struct model_service *svc;
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        svc = parse_ok(off[i], "elastic.json");
        assert_int_equal(svc->warnings.n, 1);
        expect_warning(svc, 0, "elastic.json: warning: service elastic: "
                               "transport encryption is off "
                               "(service.security.transport_encryption."
                               "enabled is not true)");
        model_service_free(svc);
    }
    svc = parse_ok("{\"service\": {\"service_account\": \"e\", "
                   "\"service_account_secret\": \"e/s\", \"security\": "
                   "{\"transport_encryption\": {\"enabled\": true}}}, "
                   "\"elasticsearch\": {\"xpack_enabled\": true}}",
                   "tls.json");
    assert_int_equal(svc->warnings.n, 0);
    model_service_free(svc);
}

/* The plan-time check, against a schema as Cosmos could return it. */
static void test_cluster_schema(void **state)
{
    static const char schema_text[] =
        "{\"type\": \"object\", \"properties\": {"
        " \"a\": {\"type\": \"object\","
        "        \"additionalProperties\": {\"type\": \"integer\"}},"
        " \"p\": {\"type\": \"object\", \"additionalProperties\": false,"
        "        \"patternProperties\": {\"^x_\": {\"type\": \"string\"}}},"
        " \"s\": {\"type\": \"string\", \"pattern\": \"^[a-z]+$\","
        "        \"maxLength\": 5},"
        " \"db_password\": {\"type\": \"string\", \"enum\": [\"a\", \"b\"]},"
        " \"r\": {\"type\": \"object\","
        "        \"properties\": {\"k\": {\"type\": \"string\"}},"
        "        \"required\": [\"k\"]},"
        " \"n\": {\"type\": \"number\", \"minimum\": 1,"
        "        \"exclusiveMinimum\": true},"
        " \"l\": {\"type\": \"array\", \"items\": {\"type\": \"object\","
        "        \"properties\": {\"id\": {\"type\": \"string\"}}}}}}";
    static const char doc[] =
        "{\"apiVersion\": \"etls/v1\",\n"
        " \"package\": {\"version\": \"0.1-test\"},\n"
        " \"options\": {\n"
        "  \"a\": {\"m1\": 1, \"m2\": \"x\"},\n"
        "  \"p\": {\"x_1\": \"ok\", \"y\": 1},\n"
        "  \"s\": \"ABCDEFG\",\n"
        "  \"db_password\": \"hunter2\",\n"
        "  \"r\": {},\n"
        "  \"n\": 1,\n"
        "  \"l\": [{\"id\": \"1\"}, {\"idd\": \"2\"}]\n"
        " }}\n";
    struct model_service *svc = parse_ok(doc, "c.json");
    json_t *schema = json_loads(schema_text, 0, NULL);
    struct model_diags d = {0};
    char *got;

    (void)state;
    assert_non_null(schema);
    assert_int_equal(model_options_check(&d, svc, schema, "test 0.1"), 8);
    got = text_of(&d, 0);
    assert_string_equal(
        got,
        "c.json:4:24: options.a.m2: expected an integer, got \"x\"\n"
        "c.json:5:22: options.p.y: unknown option: not in the options "
        "schema of test 0.1\n"
        "c.json:6:8: options.s: expected a string of at most 5 characters, "
        "got \"ABCDEFG\"\n"
        "c.json:6:8: options.s: expected a string matching ^[a-z]+$, got "
        "\"ABCDEFG\"\n"
        "c.json:7:18: options.db_password: expected one of \"a\", \"b\"\n"
        "c.json:8:8: options.r.k: missing: expected a value (required by "
        "the options schema of test 0.1)\n"
        "c.json:9:8: options.n: expected a number > 1, got 1\n"
        "c.json:10:23: options.l[1].idd: unknown option; did you mean "
        "\"id\"?\n");
    assert_null(strstr(got, "hunter2"));
    free(got);
    model_diags_clear(&d);
    /* A valid document: nothing. */
    json_decref(schema);
    schema = json_loads("{\"type\": \"object\", \"properties\": {"
                        "\"a\": {}, \"p\": {}, \"s\": {}, \"db_password\": {},"
                        "\"r\": {}, \"n\": {}, \"l\": {}}}", 0, NULL);
    assert_int_equal(model_options_check(&d, svc, schema, "test 0.1"), 0);
    assert_int_equal(d.n, 0);
    json_decref(schema);
    model_service_free(svc);
}

static void test_catalog(void **state)
{
    static const char *const revs[] = {"8", "9", "10"};
    const struct model_catalog_pkg *p;
    char versions[256];
    size_t i;

    (void)state;
    assert_int_equal(model_catalog_count, 3);
    p = model_catalog_find("beta-elastic", NULL);
    assert_non_null(p);
    assert_string_equal(p->version, "2.1.2-5.6.5-beta");
    assert_int_equal(p->release, 10);
    p = model_catalog_find("beta-elastic", "2.1.0-5.6.4-beta");
    assert_non_null(p);
    assert_int_equal(p->release, 8);
    assert_null(model_catalog_find("beta-elastic", "2.1.3"));
    assert_null(model_catalog_find("elastic", NULL));
    model_catalog_versions(versions, sizeof(versions), "beta-elastic");
    assert_string_equal(versions, "2.1.0-5.6.4-beta, 2.1.1-5.6.5-beta, "
                                  "2.1.2-5.6.5-beta");
    model_catalog_versions(versions, 20, "beta-elastic");
    assert_string_equal(versions, "2.1.0-5.6.4-beta");
    model_catalog_versions(versions, sizeof(versions), "elastic");
    assert_string_equal(versions, "");
    /* Embedded byte for byte from sim/catalog, and usable. */
    for (i = 0; i < 3; i++) {
        char path[512], *text = NULL;
        const json_t *schema = NULL, *again = NULL;
        size_t len = 0;

        snprintf(path, sizeof(path),
                 ETLS_SOURCE_DIR "/sim/catalog/beta-elastic/%s/config.json",
                 revs[i]);
        assert_int_equal(util_read_file(&text, &len, path, 1u << 20), 0);
        p = NULL;
        for (size_t k = 0; k < model_catalog_count; k++)
            if (model_catalog_pkgs[k].release == (unsigned)atoi(revs[i]))
                p = &model_catalog_pkgs[k];
        assert_non_null(p);
        assert_int_equal(p->config_len, len);
        assert_memory_equal(p->config, text, len);
        assert_int_equal(p->config[len], '\0');
        assert_int_equal(model_catalog_schema(&schema, p), 0);
        assert_non_null(json_object_get(json_object_get(schema, "properties"),
                                        "service"));
        /* Parsed once. */
        assert_int_equal(model_catalog_schema(&again, p), 0);
        assert_ptr_equal(schema, again);
        free(text);
    }
}

static void test_cross_documents(void **state)
{
    struct model_desired set = {0};
    struct model_diags d = {0};
    char *got;

    (void)state;
    assert_int_equal(
        model_desired_add(&set,
                          parse_ok("{\"service\": {\"name\": \"a\",\n"
                                   "  \"service_account\": \"acct\",\n"
                                   "  \"service_account_secret\": "
                                   "\"a/secret\"}}",
                                   "a.json"),
                          &d),
        0);
    /* Another name, the same account and secret path. */
    assert_int_equal(
        model_desired_add(&set,
                          parse_ok("{\"apiVersion\": \"etls/v1\", "
                                   "\"options\": {\"service\": {\n"
                                   "  \"name\": \"b\",\n"
                                   "  \"service_account\": \"acct\",\n"
                                   "  \"service_account_secret\": "
                                   "\"a/secret\"}}}",
                                   "b.json"),
                          &d),
        ERR_CONFLICT);
    /* The same Marathon app id, written with a leading '/'. */
    assert_int_equal(
        model_desired_add(&set,
                          parse_ok("{\"service\": {\"name\": \"/a\"}}",
                                   "c.json"),
                          &d),
        ERR_CONFLICT);
    /* No account and no secret are nobody's: d and e do not conflict. */
    assert_int_equal(
        model_desired_add(&set, parse_ok("{\"service\": {\"name\": \"d\"}}",
                                         "d.json"),
                          &d),
        0);
    assert_int_equal(
        model_desired_add(&set, parse_ok("{\"service\": {\"name\": \"e\"}}",
                                         "e.json"),
                          &d),
        0);
    assert_int_equal(set.n_services, 3);
    got = text_of(&d, 0);
    assert_string_equal(
        got,
        "b.json:3:22: options.service.service_account: service account "
        "\"acct\" is also that of service a (a.json:2:22); expected a "
        "service account of its own per service\n"
        "b.json:4:29: options.service.service_account_secret: service "
        "account secret path \"a/secret\" is also that of service a "
        "(a.json:3:29); expected a secret of its own per service\n"
        "c.json:1:22: service.name: duplicate service name \"a\": already "
        "used by a.json:1:22; expected one file per service\n");
    free(got);
    model_diags_clear(&d);
    model_desired_clear(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_keys_suggested),
        cmocka_unit_test(test_unknown_keys_not_close),
        cmocka_unit_test(test_types_enums_bounds),
        cmocka_unit_test(test_required_from_defaults),
        cmocka_unit_test(test_envelope_form),
        cmocka_unit_test(test_not_vendored_warns),
        cmocka_unit_test(test_tls_off_warning),
        cmocka_unit_test(test_cluster_schema),
        cmocka_unit_test(test_catalog),
        cmocka_unit_test(test_cross_documents),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
