/*
 * Unit tests of model/jsonpos.c: positions of values and keys, pointer
 * lookup, escapes, UTF-8 columns, CRLF, tabs, errors, partial indexes,
 * duplicate keys, and a cross-check against jansson on real documents.
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
#include "model/jsonpos.h"

static struct jsonpos *index_ok(const char *text)
{
    struct jsonpos *ix = NULL;

    assert_int_equal(jsonpos_index(&ix, text, strlen(text), 0, NULL), 0);
    assert_non_null(ix);
    assert_true(jsonpos_complete(ix));
    return ix;
}

/* Value (and key) of @ptr at line:col (key 0:0 = not a member). */
static void expect_at(const struct jsonpos *ix, const char *ptr, int vl,
                      int vc, int kl, int kc, enum jsonscan_type type)
{
    struct jsonpos_loc v, k;
    enum jsonscan_type t;

    if (jsonpos_find(ix, ptr, &v, &k, &t) != 0)
        fail_msg("pointer %s not found", ptr);
    if (v.line != vl || v.column != vc || k.line != kl || k.column != kc ||
        t != type)
        fail_msg("%s: value %d:%d key %d:%d type %c, expected %d:%d %d:%d "
                 "%c",
                 ptr, v.line, v.column, k.line, k.column, t, vl, vc, kl, kc,
                 type);
}

static void test_nested(void **state)
{
    const char *text = "{\n"
                       "  \"a\": {\"b\": [1, {\"c\": true}], \"d\": null},\n"
                       "  \"e\": \"x\",\n"
                       "  \"f\": [[], {}, -1.5e3, false]\n"
                       "}\n";
    struct jsonpos *ix = index_ok(text);

    (void)state;
    expect_at(ix, "", 1, 1, 0, 0, JSONSCAN_OBJECT);
    expect_at(ix, "/a", 2, 8, 2, 3, JSONSCAN_OBJECT);
    expect_at(ix, "/a/b", 2, 14, 2, 9, JSONSCAN_ARRAY);
    expect_at(ix, "/a/b/0", 2, 15, 0, 0, JSONSCAN_NUMBER);
    expect_at(ix, "/a/b/1", 2, 18, 0, 0, JSONSCAN_OBJECT);
    expect_at(ix, "/a/b/1/c", 2, 24, 2, 19, JSONSCAN_TRUE);
    expect_at(ix, "/a/d", 2, 37, 2, 32, JSONSCAN_NULL);
    expect_at(ix, "/e", 3, 8, 3, 3, JSONSCAN_STRING);
    expect_at(ix, "/f/0", 4, 9, 0, 0, JSONSCAN_ARRAY);
    expect_at(ix, "/f/1", 4, 13, 0, 0, JSONSCAN_OBJECT);
    expect_at(ix, "/f/2", 4, 17, 0, 0, JSONSCAN_NUMBER);
    expect_at(ix, "/f/3", 4, 25, 0, 0, JSONSCAN_FALSE);
    assert_int_equal(jsonpos_count(ix), 13);
    assert_int_equal(jsonpos_find(ix, "/a/x", NULL, NULL, NULL),
                     ERR_NOTFOUND);
    assert_int_equal(jsonpos_find(ix, "/a/b/2", NULL, NULL, NULL),
                     ERR_NOTFOUND);
    assert_int_equal(jsonpos_find(ix, "/e/0", NULL, NULL, NULL),
                     ERR_NOTFOUND);
    assert_int_equal(jsonpos_find(ix, "/f/01", NULL, NULL, NULL),
                     ERR_NOTFOUND);
    assert_int_equal(jsonpos_find(ix, "/f/-", NULL, NULL, NULL),
                     ERR_NOTFOUND);
    assert_int_equal(jsonpos_find(ix, "a", NULL, NULL, NULL), ERR_INVALID);
    assert_int_equal(jsonpos_find(ix, "/a~2", NULL, NULL, NULL),
                     ERR_INVALID);
    jsonpos_free(ix);
}

static void test_escapes_and_unicode(void **state)
{
    /* Keys are compared decoded; columns count code points. */
    const char *text =
        "{\"k\\\"ey\": 1, \"caf\\u00e9\": 2, \"\xc3\xa9t\xc3\xa9\": 3,"
        " \"\\ud83d\\ude00\": 4, \"a/b\": 5, \"m~n\": 6, \"\": 7,"
        " \"tab\\t\": \"v\\\\\\/\\b\\f\\n\\r\"}";
    struct jsonpos *ix = index_ok(text);

    (void)state;
    expect_at(ix, "/k\"ey", 1, 11, 1, 2, JSONSCAN_NUMBER);
    expect_at(ix, "/caf\xc3\xa9", 1, 27, 1, 14, JSONSCAN_NUMBER);
    /* "été" is 3 columns: key at 30, value after `"été": ` at 37. */
    expect_at(ix, "/\xc3\xa9t\xc3\xa9", 1, 37, 1, 30, JSONSCAN_NUMBER);
    expect_at(ix, "/\xf0\x9f\x98\x80", 1, 56, 1, 40, JSONSCAN_NUMBER);
    expect_at(ix, "/a~1b", 1, 66, 1, 59, JSONSCAN_NUMBER);
    expect_at(ix, "/m~0n", 1, 76, 1, 69, JSONSCAN_NUMBER);
    expect_at(ix, "/", 1, 83, 1, 79, JSONSCAN_NUMBER);
    expect_at(ix, "/tab\t", 1, 95, 1, 86, JSONSCAN_STRING);
    assert_int_equal(jsonpos_find(ix, "/caf\\u00e9", NULL, NULL, NULL),
                     ERR_NOTFOUND);
    jsonpos_free(ix);
}

static void test_crlf_and_tabs(void **state)
{
    /* CR is the last column of its line; a tab is one column. */
    const char *text = "{\r\n\t\"a\":\t1,\r\n\t\"b\": [\r\n\t\t2\r\n\t]\r\n}";
    struct jsonpos *ix = index_ok(text);
    struct jsonpos_loc v;

    (void)state;
    expect_at(ix, "/a", 2, 7, 2, 2, JSONSCAN_NUMBER);
    expect_at(ix, "/b", 3, 7, 3, 2, JSONSCAN_ARRAY);
    expect_at(ix, "/b/0", 4, 3, 0, 0, JSONSCAN_NUMBER);
    assert_int_equal(jsonpos_find(ix, "/b/0", &v, NULL, NULL), 0);
    assert_int_equal(text[v.offset], '2');
    jsonpos_free(ix);
}

static void test_scalars_and_whitespace(void **state)
{
    struct jsonpos *ix = index_ok("  \n  42  \n");

    (void)state;
    expect_at(ix, "", 2, 3, 0, 0, JSONSCAN_NUMBER);
    assert_int_equal(jsonpos_count(ix), 1);
    jsonpos_free(ix);
}

struct bad {
    const char *text;
    int line;
    int column;
};

static void test_syntax_errors(void **state)
{
    static const struct bad cases[] = {
        {"", 1, 1},
        {"{\"a\":1,}", 1, 8},
        {"[1,2", 1, 5},
        {"{\"a\" 1}", 1, 6},
        {"{\"a\":tru}", 1, 9},
        {"{\"a\":01}", 1, 7},
        {"{\"a\":-}", 1, 7},
        {"{\"a\":1.}", 1, 8},
        {"{\"a\":1e}", 1, 8},
        {"{\"a\":\"x\ny\"}", 1, 8},
        {"{\"a\":\"\\x\"}", 1, 8},
        {"{\"a\":\"\\u12g4\"}", 1, 11},
        {"{\"\\udc00\":1}", 1, 9},
        {"{\"\\ud800x\":1}", 1, 9},
        {"{\"\\ud800\\u0041\":1}", 1, 15},
        {"{}\n x", 2, 2},
        {"{\"a\":1}}", 1, 8},
        {"\xef\xbb\xbf{}", 1, 1},
        {"{\n  'a': 1\n}", 2, 3},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct jsonpos *ix = (struct jsonpos *)&ix; /* sentinel */
        struct jsonpos *sentinel = ix;
        struct jsonpos_loc e = {0, 0, 0};

        assert_int_equal(jsonpos_index(&ix, cases[i].text,
                                       strlen(cases[i].text), 0, &e),
                         ERR_INVALID);
        assert_ptr_equal(ix, sentinel); /* *out untouched */
        if (e.line != cases[i].line || e.column != cases[i].column)
            fail_msg("case %zu (%s): error at %d:%d, expected %d:%d", i,
                     cases[i].text, e.line, e.column, cases[i].line,
                     cases[i].column);
    }
}

static void test_depth_and_size_bounds(void **state)
{
    size_t n = JSONPOS_MAX_DEPTH + 2, i;
    char *deep = malloc(2 * n + 1);
    struct jsonpos *ix = NULL;
    struct jsonpos_loc e;

    (void)state;
    assert_non_null(deep);
    for (i = 0; i < n; i++) {
        deep[i] = '[';
        deep[n + i] = ']';
    }
    deep[2 * n] = '\0';
    assert_int_equal(jsonpos_index(&ix, deep, 2 * n, 0, &e), ERR_INVALID);
    assert_null(ix);
    /* JSONPOS_MAX_DEPTH levels below the root are fine. */
    assert_int_equal(jsonpos_index(&ix, deep + 1, 2 * n - 2, 0, &e), 0);
    assert_int_equal(jsonpos_count(ix), n - 1);
    jsonpos_free(ix);
    ix = NULL;
    /* The length is refused before the text is read. */
    assert_int_equal(jsonpos_index(&ix, "{}", JSONPOS_MAX_LEN + 1u, 0, &e),
                     ERR_INVALID);
    assert_null(ix);
    free(deep);
}

static void test_partial(void **state)
{
    const char *text = "{\"a\": 1, \"b\": {\"c\": [true, ";
    struct jsonpos *ix = NULL;
    struct jsonpos_loc e;

    (void)state;
    assert_int_equal(jsonpos_index(&ix, text, strlen(text), 0, &e),
                     ERR_INVALID);
    assert_null(ix);
    assert_int_equal(jsonpos_index(&ix, text, strlen(text), JSONPOS_PARTIAL,
                                   &e),
                     0);
    assert_non_null(ix);
    assert_false(jsonpos_complete(ix));
    assert_int_equal(e.line, 1);
    assert_int_equal(e.column, (int)strlen(text) + 1);
    expect_at(ix, "/a", 1, 7, 1, 2, JSONSCAN_NUMBER);
    expect_at(ix, "/b/c/0", 1, 22, 0, 0, JSONSCAN_TRUE);
    jsonpos_free(ix);
}

/* jansson's duplicate-key position leads to the repeated member. */
static void test_duplicate_at(void **state)
{
    const char *text = "{\"x\": {\"a\": 1,\n  \"b\": 2,\n  \"\\u0061\": 3},"
                       " \"y\": [{\"z~/\": 0, \"z~/\": 1}]}";
    const char *text2 = "{\"y\": [{\"z~/\": 0, \"z~/\": 1}]}";
    struct jsonpos_loc key, first;
    struct jsonpos *ix = index_ok(text);
    json_error_t je;
    char *ptr = NULL;

    (void)state;
    assert_null(json_loadb(text, strlen(text), JSON_REJECT_DUPLICATES, &je));
    assert_int_equal(json_error_code(&je), json_error_duplicate_key);
    assert_int_equal(jsonpos_duplicate_at(ix, (size_t)je.position, &ptr,
                                          &key, &first),
                     0);
    assert_string_equal(ptr, "/x/a");
    assert_int_equal(key.line, 3);
    assert_int_equal(key.column, 3);
    assert_int_equal(first.line, 1);
    assert_int_equal(first.column, 8);
    free(ptr);
    jsonpos_free(ix);

    ix = index_ok(text2);
    assert_null(json_loadb(text2, strlen(text2), JSON_REJECT_DUPLICATES,
                           &je));
    assert_int_equal(jsonpos_duplicate_at(ix, (size_t)je.position, &ptr,
                                          &key, &first),
                     0);
    assert_string_equal(ptr, "/y/0/z~0~1");
    assert_int_equal(key.column, 19);
    assert_int_equal(first.column, 9);
    free(ptr);
    /* No key ends there. */
    assert_int_equal(jsonpos_duplicate_at(ix, 3, &ptr, &key, &first),
                     ERR_NOTFOUND);
    jsonpos_free(ix);
}

/* Line and column of byte @off of @text, computed the slow way. */
static void slow_position(const char *text, size_t off, int *line, int *col)
{
    size_t i;

    *line = 1;
    *col = 1;
    for (i = 0; i < off; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

static int first_byte_ok(enum jsonscan_type t, char c)
{
    switch (t) {
    case JSONSCAN_OBJECT:
        return c == '{';
    case JSONSCAN_ARRAY:
        return c == '[';
    case JSONSCAN_STRING:
        return c == '"';
    case JSONSCAN_TRUE:
        return c == 't';
    case JSONSCAN_FALSE:
        return c == 'f';
    case JSONSCAN_NULL:
        return c == 'n';
    default:
        return c == '-' || (c >= '0' && c <= '9');
    }
}

static enum jsonscan_type type_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return JSONSCAN_OBJECT;
    case JSON_ARRAY:
        return JSONSCAN_ARRAY;
    case JSON_STRING:
        return JSONSCAN_STRING;
    case JSON_TRUE:
        return JSONSCAN_TRUE;
    case JSON_FALSE:
        return JSONSCAN_FALSE;
    case JSON_NULL:
        return JSONSCAN_NULL;
    default:
        return JSONSCAN_NUMBER;
    }
}

/* Walk jansson's tree; every value must be indexed at a sane position. */
static size_t walk(const struct jsonpos *ix, const char *text,
                   const json_t *v, char *ptr, size_t cap)
{
    struct jsonpos_loc loc;
    enum jsonscan_type t;
    size_t n = 1, len = strlen(ptr);
    int line, col;

    if (jsonpos_find(ix, ptr, &loc, NULL, &t) != 0)
        fail_msg("jansson value at %s not indexed", ptr);
    assert_int_equal(t, type_of(v));
    assert_true(first_byte_ok(t, text[loc.offset]));
    slow_position(text, loc.offset, &line, &col);
    assert_int_equal(loc.line, line);
    assert_int_equal(loc.column, col);
    if (json_is_object(v)) {
        const char *key;
        json_t *m;

        json_object_foreach((json_t *)v, key, m) {
            size_t w = len;
            const char *k;

            ptr[w++] = '/';
            for (k = key; *k; k++) {
                assert_true(w + 3 < cap);
                if (*k == '~' || *k == '/') {
                    ptr[w++] = '~';
                    ptr[w++] = *k == '~' ? '0' : '1';
                } else {
                    ptr[w++] = *k;
                }
            }
            ptr[w] = '\0';
            n += walk(ix, text, m, ptr, cap);
            ptr[len] = '\0';
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *m;

        json_array_foreach(v, i, m) {
            assert_true(len + 24 < cap);
            snprintf(ptr + len, cap - len, "/%zu", i);
            n += walk(ix, text, m, ptr, cap);
            ptr[len] = '\0';
        }
    }
    return n;
}

static void cross_check_file(const char *path)
{
    char ptr[4096] = "";
    struct jsonpos *ix = NULL;
    json_error_t je;
    json_t *root;
    size_t len;
    char *text;

    assert_int_equal(util_read_file(&text, &len, path, 8u << 20), 0);
    root = json_loadb(text, len, JSON_DECODE_ANY, &je);
    if (!root)
        fail_msg("%s: %s", path, je.text);
    assert_int_equal(jsonpos_index(&ix, text, len, 0, NULL), 0);
    /* Same number of values, each at the position of its first byte. */
    assert_int_equal(walk(ix, text, root, ptr, sizeof(ptr)),
                     jsonpos_count(ix));
    jsonpos_free(ix);
    json_decref(root);
    free(text);
}

static void test_cross_check_with_jansson(void **state)
{
    static const char *const files[] = {
        ETLS_SOURCE_DIR "/manifests/elastic-tls.json",
        ETLS_SOURCE_DIR "/manifests/examples/envelope-full.json",
        ETLS_SOURCE_DIR "/manifests/schema/etls-v1.schema.json",
        ETLS_TEST_DATA "/model/valid/bom-crlf.expect.json",
        ETLS_TEST_DATA "/model/invalid/crlf-tabs.json",
        ETLS_TEST_DATA "/model/invalid/utf8-columns.json",
        ETLS_FIXTURES_DIR "/mesosphere__dcos-commons/cli/queries/testdata/"
                          "responses/scheduler/plan-status.json",
        ETLS_FIXTURES_DIR "/mesosphere__dcos-commons/cli/queries/testdata/"
                          "responses/cosmos/1.10/enterprise/describe.json",
        ETLS_FIXTURES_DIR "/dcos__dcos-ui/tests/_fixtures/acl/"
                          "service-account-unicode.json",
        ETLS_FIXTURES_DIR "/dcos__dcos-ui/tests/_fixtures/acl/"
                          "users-unicode-truncated.json",
        ETLS_FIXTURES_DIR "/mesosphere__universe/repo/packages/B/"
                          "beta-elastic/10/config.json",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        cross_check_file(files[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested),
        cmocka_unit_test(test_escapes_and_unicode),
        cmocka_unit_test(test_crlf_and_tabs),
        cmocka_unit_test(test_scalars_and_whitespace),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_depth_and_size_bounds),
        cmocka_unit_test(test_partial),
        cmocka_unit_test(test_duplicate_at),
        cmocka_unit_test(test_cross_check_with_jansson),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
