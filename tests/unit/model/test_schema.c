/*
 * Cross-checks between the parser (model/validate.c key tables and
 * model/desired.c behaviour), manifests/schema/etls-v1.schema.json and
 * docs/manifest.md: the same envelope members, wired the same way, with the
 * same enums and defaults, each one documented.
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
#include "model/desired.h"
#include "model/validate.h"

static json_t *schema;

static int setup(void **state)
{
    json_error_t je;

    (void)state;
    schema = json_load_file(ETLS_SOURCE_DIR
                            "/manifests/schema/etls-v1.schema.json",
                            JSON_REJECT_DUPLICATES, &je);
    if (!schema)
        fail_msg("schema: %d:%d: %s", je.line, je.column, je.text);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(schema);
    return 0;
}

/* Follow "a/b/c" through objects of @root (borrowed, or NULL). */
static json_t *at(json_t *root, const char *path)
{
    char buf[256], *tok, *save = NULL;
    json_t *v = root;

    snprintf(buf, sizeof(buf), "%s", path);
    for (tok = strtok_r(buf, "/", &save); tok && v;
         tok = strtok_r(NULL, "/", &save)) {
        char *end;
        long i = strtol(tok, &end, 10);

        v = json_is_array(v) && !*end ? json_array_get(v, (size_t)i)
                                      : json_object_get(v, tok);
    }
    return v;
}

/* The schema object describing envelope @section. */
static json_t *section_node(const char *section)
{
    char path[128];

    if (!*section)
        return schema;
    snprintf(path, sizeof(path), "definitions/%s", section);
    return at(schema, path);
}

static void test_keys_match(void **state)
{
    const char *const *sections = model_envelope_sections();
    size_t i;

    (void)state;
    for (i = 0; sections[i]; i++) {
        const char *const *keys = model_envelope_keys(sections[i]);
        json_t *node = section_node(sections[i]), *props, *v;
        const char *key;
        size_t n = 0, j;

        if (!node)
            fail_msg("schema has no definition for section \"%s\"",
                     sections[i]);
        props = json_object_get(node, "properties");
        assert_non_null(props);
        /* Closed like the parser: unknown members are rejected. */
        assert_true(json_is_false(json_object_get(node,
                                                  "additionalProperties")));
        for (j = 0; keys[j]; j++) {
            if (!json_object_get(props, keys[j]))
                fail_msg("parser accepts %s.%s, the schema does not list it",
                         sections[i], keys[j]);
            n++;
        }
        json_object_foreach(props, key, v) {
            (void)v;
            if (!model_key_in(keys, key))
                fail_msg("schema lists %s.%s, the parser rejects it",
                         sections[i], key);
        }
        assert_int_equal(json_object_size(props), n);
    }
    assert_null(model_envelope_keys("nonsense"));
}

/* Each section is reached from its parent member, as in the parser. */
static void test_section_wiring(void **state)
{
    static const char *const refs[][2] = {
        {"properties/package/$ref", "#/definitions/package"},
        {"properties/options/$ref", "#/definitions/options"},
        {"properties/access/$ref", "#/definitions/access"},
        {"properties/verify/$ref", "#/definitions/verify"},
        {"properties/policies/$ref", "#/definitions/policies"},
        {"definitions/access/properties/permissions/oneOf/1/items/$ref",
         "#/definitions/permission"},
        {"definitions/verify/properties/password/$ref",
         "#/definitions/password"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
        json_t *v = at(schema, refs[i][0]);

        if (!json_is_string(v) || strcmp(json_string_value(v), refs[i][1]))
            fail_msg("%s is not %s", refs[i][0], refs[i][1]);
    }
    /* Required members agree with the parser's "missing" diagnostics. */
    {
        json_t *want = json_pack("[ss]", "apiVersion", "options");

        assert_true(json_equal(at(schema, "required"), want));
        json_decref(want);
    }
}

/* A minimal envelope with one member replaced: does the parser take it? */
static int envelope_accepts(const char *member_json)
{
    struct model_service *s = NULL;
    struct model_diags d = {0};
    char text[1024];
    int r;

    snprintf(text, sizeof(text),
             "{\"apiVersion\": \"etls/v1\", \"options\": {\"service\": "
             "{\"service_account\": \"a\", \"service_account_secret\": "
             "\"b\"}}, %s}",
             member_json);
    r = model_service_parse(&s, text, strlen(text), "x.json", &d);
    model_service_free(s);
    model_diags_clear(&d);
    return r == 0;
}

/* @tmpl with its one "@" replaced by @val, into @out. */
static void fill(char *out, size_t n, const char *tmpl, const char *val)
{
    const char *at_sign = strchr(tmpl, '@');

    assert_non_null(at_sign);
    snprintf(out, n, "%.*s%s%s", (int)(at_sign - tmpl), tmpl, val,
             at_sign + 1);
}

/* Every enum value of the schema is accepted; others are not. */
static void test_enums_agree(void **state)
{
    static const char *const enums[][2] = {
        {"definitions/permission/properties/action/enum",
         "\"access\": {\"permissions\": [{\"rid\": \"dcos:x\", "
         "\"action\": \"@\"}]}"},
        {"definitions/verify/properties/health/enum",
         "\"verify\": {\"health\": \"@\"}"},
        {"definitions/policies/properties/keyLost/enum",
         "\"policies\": {\"keyLost\": \"@\"}"},
    };
    json_t *list, *v;
    size_t i, j;

    (void)state;
    for (i = 0; i < sizeof(enums) / sizeof(enums[0]); i++) {
        char member[256];

        list = at(schema, enums[i][0]);
        assert_true(json_is_array(list) && json_array_size(list) > 0);
        json_array_foreach(list, j, v) {
            fill(member, sizeof(member), enums[i][1], json_string_value(v));
            if (!envelope_accepts(member))
                fail_msg("schema value rejected by the parser: %s", member);
        }
        fill(member, sizeof(member), enums[i][1], "bogus");
        assert_false(envelope_accepts(member));
    }
    /* update_strategy and deploy_strategy are package options. */
    list = at(schema, "definitions/options/properties/service/properties/"
                      "update_strategy/enum");
    assert_true(json_equal(list, at(schema, "definitions/options/properties/"
                                            "service/properties/"
                                            "deploy_strategy/enum")));
    assert_int_equal(json_array_size(list), 2);
    json_array_foreach(list, j, v) {
        struct model_service *s = NULL;
        struct model_diags d = {0};
        char text[256];

        snprintf(text, sizeof(text),
                 "{\"service\": {\"update_strategy\": \"%s\", "
                 "\"deploy_strategy\": \"%s\"}}",
                 json_string_value(v), json_string_value(v));
        assert_int_equal(
            model_service_parse(&s, text, strlen(text), "x.json", &d), 0);
        assert_string_equal(s->update_strategy, json_string_value(v));
        model_service_free(s);
    }
}

/* The schema's defaults are what the parser fills in. */
static void test_defaults_agree(void **state)
{
    const char *text = "{\"apiVersion\": \"etls/v1\", \"options\": "
                       "{\"service\": {\"service_account\": \"a\", "
                       "\"service_account_secret\": \"b\"}}}";
    struct model_service *s = NULL;
    struct model_diags d = {0};

    (void)state;
    assert_int_equal(model_service_parse(&s, text, strlen(text), "x.json",
                                         &d),
                     0);
    assert_string_equal(
        json_string_value(at(schema, "definitions/package/properties/name/"
                                     "default")),
        s->package_name);
    assert_string_equal(
        json_string_value(at(schema, "definitions/verify/properties/"
                                     "endpoint/default")),
        s->verify_endpoint);
    assert_string_equal(
        json_string_value(at(schema, "definitions/verify/properties/health/"
                                     "default")),
        s->verify_health);
    assert_int_equal(json_is_true(at(schema, "definitions/verify/properties/"
                                             "enabled/default")),
                     s->verify);
    assert_string_equal(
        json_string_value(at(schema, "definitions/policies/properties/"
                                     "keyLost/default")),
        s->key_lost == MODEL_KEY_LOST_FAIL ? "fail" : "rotate");
    assert_int_equal(json_is_true(at(schema, "definitions/policies/"
                                             "properties/"
                                             "restoreUpdateStrategy/"
                                             "default")),
                     s->restore_update_strategy);
    assert_string_equal(
        json_string_value(at(schema, "definitions/options/properties/service/"
                                     "properties/update_strategy/default")),
        s->update_strategy);
    model_service_free(s);
}

/* Dotted name of member @key of @section, as docs/manifest.md spells it. */
static void doc_name(char *out, size_t n, const char *section,
                     const char *key)
{
    static const char *const prefix[][2] = {
        {"", ""},
        {"package", "package."},
        {"access", "access."},
        {"permission", "access.permissions[]."},
        {"verify", "verify."},
        {"password", "verify.password."},
        {"policies", "policies."},
    };
    size_t i;

    for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++) {
        if (strcmp(prefix[i][0], section) == 0) {
            snprintf(out, n, "`%s%s`", prefix[i][1], key);
            return;
        }
    }
    fail_msg("no doc prefix for section %s", section);
}

static void test_doc_lists_every_member(void **state)
{
    const char *const *sections = model_envelope_sections();
    size_t len, i, j;
    char *doc = NULL, *p;

    (void)state;
    assert_int_equal(util_read_file(&doc, &len,
                                    ETLS_SOURCE_DIR "/docs/manifest.md",
                                    1u << 20),
                     0);
    for (i = 0; sections[i]; i++) {
        const char *const *keys = model_envelope_keys(sections[i]);

        for (j = 0; keys[j]; j++) {
            char name[128];

            doc_name(name, sizeof(name), sections[i], keys[j]);
            /* As the first cell of a table row. */
            {
                char row[160];

                snprintf(row, sizeof(row), "\n| %s |", name);
                if (!strstr(doc, row))
                    fail_msg("docs/manifest.md has no table row for %s",
                             name);
            }
        }
    }
    /* And no table row documents a member the parser does not know. */
    for (p = strstr(doc, "\n| `"); p; p = strstr(p + 1, "\n| `")) {
        char name[128];
        const char *end = strchr(p + 4, '`');
        int known = 0;

        assert_non_null(end);
        snprintf(name, sizeof(name), "`%.*s`", (int)(end - (p + 4)), p + 4);
        if (!strchr(name, '.') && !strchr(name, '['))
            continue; /* top-level members and other tables */
        if (util_has_prefix(name, "`service.") ||
            util_has_prefix(name, "`elasticsearch.") ||
            util_has_prefix(name, "`dcos:"))
            continue; /* package options and permission tables */
        for (i = 0; sections[i] && !known; i++) {
            const char *const *keys = model_envelope_keys(sections[i]);

            for (j = 0; keys[j] && !known; j++) {
                char want[128];

                doc_name(want, sizeof(want), sections[i], keys[j]);
                known = strcmp(want, name) == 0;
            }
        }
        if (!known)
            fail_msg("docs/manifest.md documents unknown member %s", name);
    }
    free(doc);
}

/* The error lines quoted in the doc are what the corpus expects. */
static void test_doc_examples_match_corpus(void **state)
{
    const char *prefix = "\ntests/data/model/invalid/";
    size_t len, n = 0;
    char *doc = NULL, *p;

    (void)state;
    assert_int_equal(util_read_file(&doc, &len,
                                    ETLS_SOURCE_DIR "/docs/manifest.md",
                                    1u << 20),
                     0);
    for (p = strstr(doc, prefix); p; p = strstr(p + 1, prefix)) {
        const char *line = p + 1, *eol = strchr(line, '\n');
        const char *json = strstr(line, ".json:");
        char path[512], want[1024];
        char *expect = NULL;
        size_t elen;

        assert_non_null(eol);
        assert_non_null(json);
        snprintf(path, sizeof(path), "%s/%.*s.expect", ETLS_SOURCE_DIR,
                 (int)(json - line), line);
        if (util_read_file(&expect, &elen, path, 1u << 20) != 0)
            fail_msg("doc quotes %.*s, which has no expectation",
                     (int)(eol - line), line);
        snprintf(want, sizeof(want), "%.*s\n", (int)(eol - line), line);
        if (!strstr(expect, want))
            fail_msg("doc line not in %s: %s", path, want);
        free(expect);
        n++;
    }
    assert_true(n >= 3);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_match),
        cmocka_unit_test(test_section_wiring),
        cmocka_unit_test(test_enums_agree),
        cmocka_unit_test(test_defaults_agree),
        cmocka_unit_test(test_doc_lists_every_member),
        cmocka_unit_test(test_doc_examples_match_corpus),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
