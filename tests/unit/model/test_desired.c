/*
 * Unit tests of model/desired.c and model/validate.c: both forms, defaults,
 * naming rules, the shipped manifests, upstream options files, service sets,
 * diagnostics format and bounds, secrets never echoed, robustness.
 */
#include <dirent.h>
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

#define UPSTREAM_INPUT                                                        \
    ETLS_FIXTURES_DIR "/mesosphere__dcos-commons/cli/queries/testdata/input/"

/*
 * Read @path into *@out (new string).  An out-parameter rather than a
 * return value: gcc 12 -O3 inlines a returned local whose address went to
 * util_read_file() and reports it as dangling (-Wdangling-pointer).
 */
static void read_text(char **out, size_t *len, const char *path)
{
    int r;

    *out = NULL;
    r = util_read_file(out, len, path, 4u << 20);
    assert_int_equal(r, 0);
    assert_non_null(*out);
}

static struct model_service *parse_ok(const char *text, const char *file)
{
    struct model_diags d = {0};
    struct model_service *svc = NULL;
    int r = model_service_parse(&svc, text, strlen(text), file, &d);

    if (r != 0) {
        size_t i;

        for (i = 0; i < d.n; i++) {
            char *line = model_diag_format(&d.items[i]);

            print_error("%s\n", line);
            free(line);
        }
        fail_msg("%s: parse failed (%d)", file, r);
    }
    assert_int_equal(d.n, 0);
    return svc;
}

static struct model_service *parse_file_ok(const char *path)
{
    struct model_service *svc;
    size_t len;
    char *text;

    read_text(&text, &len, path);

    svc = parse_ok(text, path);
    free(text);
    return svc;
}

/* Parse @text expecting failure; returns the diags (caller clears). */
static struct model_diags parse_bad(const char *text, size_t len)
{
    struct model_diags d = {0};
    struct model_service *sentinel = (struct model_service *)&d;
    struct model_service *svc = sentinel;

    assert_int_equal(model_service_parse(&svc, text, len, "doc.json", &d),
                     ERR_INVALID);
    assert_ptr_equal(svc, sentinel); /* *out untouched */
    assert_true(d.n > 0);
    return d;
}

static int diags_contain(const struct model_diags *d, const char *needle)
{
    size_t i;

    for (i = 0; i < d->n; i++) {
        char *line = model_diag_format(&d->items[i]);
        int found = line && strstr(line, needle) != NULL;

        free(line);
        if (found)
            return 1;
    }
    return 0;
}

static void expect_defaults_of_access_verify_policies(
    const struct model_service *s)
{
    assert_int_equal(s->n_groups, 1);
    assert_string_equal(s->groups[0], "superusers");
    assert_int_equal(s->n_permissions, 0);
    assert_true(s->verify);
    assert_string_equal(s->verify_endpoint, "coordinator-http");
    assert_null(s->verify_user);
    assert_int_equal(s->verify_password_source, MODEL_PW_HEALTH_OPTIONS);
    assert_null(s->verify_password_ref);
    assert_string_equal(s->verify_health, "green");
    assert_int_equal(s->key_lost, MODEL_KEY_LOST_ROTATE);
    assert_true(s->restore_update_strategy);
}

static void test_runbook_options_file(void **state)
{
    const char *path = ETLS_SOURCE_DIR "/manifests/elastic-tls.json";
    struct model_service *s = parse_file_ok(path);
    json_t *whole = json_load_file(path, 0, NULL);

    (void)state;
    assert_false(s->envelope);
    assert_string_equal(s->source, path);
    assert_string_equal(s->name, "elastic");
    assert_string_equal(s->package_name, "beta-elastic");
    assert_null(s->package_version);
    assert_string_equal(s->account, "elastic");
    assert_string_equal(s->secret_path, "elastic/secret");
    assert_true(s->tls);
    assert_true(s->xpack);
    assert_string_equal(s->update_strategy, "serial");
    expect_defaults_of_access_verify_policies(s);
    /* options = the whole document as written. */
    assert_non_null(whole);
    assert_true(json_equal(s->options, whole));
    assert_int_equal(s->name_line, 3);
    assert_int_equal(s->name_column, 13);
    json_decref(whole);
    model_service_free(s);
}

static void test_envelope_minimal(void **state)
{
    const char *path =
        ETLS_SOURCE_DIR "/manifests/examples/envelope-minimal.json";
    const char *runbook = ETLS_SOURCE_DIR "/manifests/elastic-tls.json";
    struct model_service *s = parse_file_ok(path);
    struct model_service *r = parse_file_ok(runbook);

    (void)state;
    assert_true(s->envelope);
    /* The envelope of the runbook's file means the same thing. */
    assert_true(json_equal(s->options, r->options));
    assert_string_equal(s->name, r->name);
    assert_string_equal(s->account, r->account);
    assert_string_equal(s->secret_path, r->secret_path);
    assert_int_equal(s->tls, r->tls);
    assert_int_equal(s->xpack, r->xpack);
    expect_defaults_of_access_verify_policies(s);
    model_service_free(s);
    model_service_free(r);
}

static void test_envelope_full_example(void **state)
{
    struct model_service *s = parse_file_ok(
        ETLS_SOURCE_DIR "/manifests/examples/envelope-full.json");

    (void)state;
    assert_string_equal(s->name, "logs");
    assert_string_equal(s->package_version, "2.1.2-5.6.5-beta");
    assert_int_equal(s->verify_password_source, MODEL_PW_ENV);
    assert_string_equal(s->verify_password_ref, "LOGS_ELASTIC_PASSWORD");
    assert_string_equal(s->verify_user, "elastic");
    assert_string_equal(s->verify_health, "yellow");
    assert_int_equal(s->key_lost, MODEL_KEY_LOST_FAIL);
    /* Options the parser does not read are kept as written. */
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(s->options, "data_nodes"), "count")),
                     3);
    model_service_free(s);
}

/* Every example parses, and the folder is a valid set of services. */
static void test_every_example(void **state)
{
    const char *dir = ETLS_SOURCE_DIR "/manifests/examples";
    struct model_desired set = {0};
    struct model_diags d = {0};
    struct dirent *de;
    size_t n = 0;
    DIR *dp = opendir(dir);

    (void)state;
    assert_non_null(dp);
    while ((de = readdir(dp)) != NULL) {
        char path[512];

        if (!util_has_suffix(de->d_name, ".json"))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        assert_int_equal(model_desired_add(&set, parse_file_ok(path), &d),
                         0);
        n++;
    }
    closedir(dp);
    assert_true(n >= 5);
    assert_int_equal(set.n_services, n);
    assert_int_equal(d.n, 0);
    model_desired_clear(&set);
    assert_int_equal(set.n_services, 0);
}

static void test_tls_permissions(void **state)
{
    struct model_permission *p = NULL;
    size_t n = 0, i;

    (void)state;
    assert_int_equal(model_tls_permissions(&p, &n, "/prod/elastic"), 0);
    assert_int_equal(n, 4);
    assert_string_equal(p[0].rid, "dcos:secrets:default:/prod/elastic/*");
    assert_string_equal(p[0].action, "full");
    assert_string_equal(p[1].rid, "dcos:secrets:list:default:/prod/elastic");
    assert_string_equal(p[1].action, "read");
    assert_string_equal(p[2].rid, "dcos:adminrouter:ops:ca:rw");
    assert_string_equal(p[2].action, "full");
    assert_string_equal(p[3].rid, "dcos:adminrouter:ops:ca:ro");
    assert_string_equal(p[3].action, "full");
    for (i = 0; i < n; i++) {
        free(p[i].rid);
        free(p[i].action);
    }
    free(p);
    p = NULL;
    assert_int_equal(model_tls_permissions(&p, &n, ""), ERR_INVALID);
    assert_null(p);
}

static void test_least_privilege_example(void **state)
{
    struct model_service *s = parse_file_ok(
        ETLS_SOURCE_DIR "/manifests/examples/least-privilege.json");

    (void)state;
    assert_int_equal(s->n_groups, 0);
    assert_int_equal(s->n_permissions, 4);
    assert_string_equal(s->permissions[0].rid,
                        "dcos:secrets:default:/search/*");
    assert_string_equal(s->permissions[1].rid,
                        "dcos:secrets:list:default:/search");
    model_service_free(s);
}

/* The upstream options files: two negative ones and a hello-world one. */
static void test_upstream_inputs(void **state)
{
    static const char *const bad[] = {UPSTREAM_INPUT "empty.json",
                                      UPSTREAM_INPUT "malformed.json"};
    size_t i, len;

    (void)state;
    for (i = 0; i < 2; i++) {
        struct model_diags d;
        char *text;

        read_text(&text, &len, bad[i]);
        d = parse_bad(text, len);
        assert_int_equal(d.n, 1);
        assert_string_equal(d.items[0].field, "(root)");
        assert_true(util_has_prefix(d.items[0].message, "invalid JSON: "));
        assert_true(d.items[0].line >= 1);
        model_diags_clear(&d);
        free(text);
    }
    /*
     * config.json is a hello-world options file: well-formed, but not
     * beta-elastic options.  Checked against beta-elastic's options schema
     * offline (issue 8), its hello-world members are unknown options, each
     * at its key; nothing is close enough to suggest.
     */
    {
        static const char *const want[] = {
            "2:3: hello: unknown option: not in the options schema of "
            "beta-elastic 2.1.2-5.6.5-beta",
            "15:5: service.sleep: unknown option: not in the options schema "
            "of beta-elastic 2.1.2-5.6.5-beta",
            "16:5: service.spec_file: unknown option: not in the options "
            "schema of beta-elastic 2.1.2-5.6.5-beta",
            "19:3: world: unknown option: not in the options schema of "
            "beta-elastic 2.1.2-5.6.5-beta"};
        struct model_diags d;
        char *text, *line;

        read_text(&text, &len, UPSTREAM_INPUT "config.json");
        d = parse_bad(text, len);
        assert_int_equal(d.n, 4);
        for (i = 0; i < 4; i++) {
            line = model_diag_format(&d.items[i]);
            assert_non_null(strstr(line, want[i]));
            free(line);
        }
        model_diags_clear(&d);
        free(text);
    }
}

static void test_names(void **state)
{
    static const char *const good_names[] = {
        "elastic", "/elastic", "a", "prod/elastic", "/a.b/c-d/e1",
        "x123456789012345678901234567890123456789012345678901234567890ab",
    };
    static const char *const bad_names[] = {
        "", "/", "Elastic", "el_astic", "-elastic", "elastic-", "a//b",
        "a/", "a..b", ".a", "a.", "a/-b", "a b",
        "x123456789012345678901234567890123456789012345678901234567890abc",
    };
    static const char *const good_uids[] = {"elastic", "a-b_c@d.e", "A9"};
    static const char *const bad_uids[] = {"", "el astic", "a/b", "anonymous",
                                           "é"};
    static const char *const good_paths[] = {"elastic", "elastic/secret",
                                             "a.b/c_d/e-f", "x/.hidden"};
    static const char *const bad_paths[] = {"",     "/elastic", "elastic/",
                                            "a//b", "a/../b",   "..",
                                            "./a",  "a b",      "a/%2e"};
    char uid[100];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(good_names) / sizeof(*good_names); i++)
        if (model_check_service_name(good_names[i]))
            fail_msg("name %s rejected", good_names[i]);
    for (i = 0; i < sizeof(bad_names) / sizeof(*bad_names); i++)
        if (!model_check_service_name(bad_names[i]))
            fail_msg("name %s accepted", bad_names[i]);
    for (i = 0; i < sizeof(good_uids) / sizeof(*good_uids); i++)
        assert_null(model_check_uid(good_uids[i]));
    for (i = 0; i < sizeof(bad_uids) / sizeof(*bad_uids); i++)
        if (!model_check_uid(bad_uids[i]))
            fail_msg("uid %s accepted", bad_uids[i]);
    memset(uid, 'u', 96);
    uid[96] = '\0';
    assert_null(model_check_uid(uid));
    uid[96] = 'u';
    uid[97] = '\0';
    assert_non_null(model_check_uid(uid));
    for (i = 0; i < sizeof(good_paths) / sizeof(*good_paths); i++)
        if (model_check_secret_path(good_paths[i]))
            fail_msg("path %s rejected", good_paths[i]);
    for (i = 0; i < sizeof(bad_paths) / sizeof(*bad_paths); i++)
        if (!model_check_secret_path(bad_paths[i]))
            fail_msg("path %s accepted", bad_paths[i]);
    {
        /* Lengths: a whole name of 200, a secret path of 512 at most. */
        char big[600];
        size_t k;

        for (k = 0; k < 200; k++)
            big[k] = k % 50 == 49 ? '/' : 'a';
        big[199] = 'b';
        big[200] = '\0';
        assert_null(model_check_service_name(big));
        assert_null(model_check_secret_path(big));
        big[200] = 'c';
        big[201] = '\0';
        assert_non_null(strstr(model_check_service_name(big),
                               "at most 200 characters"));
        memset(big, 's', 512);
        big[512] = '\0';
        assert_null(model_check_secret_path(big));
        big[512] = 's';
        big[513] = '\0';
        assert_non_null(strstr(model_check_secret_path(big),
                               "at most 512 characters"));
    }
    {
        static const char *const secret_keys[] = {
            "password", "health_user_password", "admin_pass", "api_token",
            "secret_key", "apiToken", "dbpasswd", "AWS-Credentials",
            "tls.key", "PASSPHRASE", "my-pwd", "adminpass", "private_key",
        };
        static const char *const plain_keys[] = {
            "service_account_secret", "keystore_path", "passenger", "name",
            "tls_enabled", "monkeys", "keys_count", "",
        };

        for (i = 0; i < sizeof(secret_keys) / sizeof(*secret_keys); i++)
            if (!model_key_sensitive(secret_keys[i]))
                fail_msg("%s not sensitive", secret_keys[i]);
        for (i = 0; i < sizeof(plain_keys) / sizeof(*plain_keys); i++)
            if (model_key_sensitive(plain_keys[i]))
                fail_msg("%s sensitive", plain_keys[i]);
    }
    assert_null(model_check_rid("dcos:superuser"));
    assert_non_null(model_check_rid("dcos:"));
    assert_non_null(model_check_rid("dcos:a b"));
    assert_non_null(model_check_rid("superuser"));
    assert_null(model_check_env_name("_A1"));
    assert_non_null(model_check_env_name("1A"));
    assert_non_null(model_check_env_name("A-B"));
    assert_null(model_check_basic_user("elastic"));
    assert_non_null(model_check_basic_user("a:b"));
}

static void test_name_normalised(void **state)
{
    struct model_service *s =
        parse_ok("{\"service\": {\"name\": \"/prod/elastic\"}}", "f.json");

    (void)state;
    assert_string_equal(s->name, "prod/elastic");
    /* options stay as written. */
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(s->options, "service"), "name")),
                        "/prod/elastic");
    model_service_free(s);
}

static void test_desired_add_duplicates(void **state)
{
    struct model_desired set = {0};
    struct model_diags d = {0};
    struct model_service *a, *b, *c;
    char *line;

    (void)state;
    a = parse_ok("{\"service\": {\"name\": \"elastic\"}}", "a.json");
    b = parse_ok("{\n  \"apiVersion\": \"etls/v1\",\n  \"options\": "
                 "{\"service\": {\"name\": \"/elastic\"}}\n}",
                 "b.json");
    c = parse_ok("{}", "c.json"); /* default name "elastic" */
    assert_int_equal(model_desired_add(&set, a, &d), 0);
    /* b is freed by model_desired_add (ASan checks for the leak). */
    assert_int_equal(model_desired_add(&set, b, &d), ERR_CONFLICT);
    assert_int_equal(model_desired_add(&set, c, &d), ERR_CONFLICT);
    assert_int_equal(set.n_services, 1);
    assert_int_equal(d.n, 2);
    line = model_diag_format(&d.items[0]);
    assert_string_equal(line, "b.json:3:35: options.service.name: duplicate "
                              "service name \"elastic\": already used by "
                              "a.json:1:22; expected one file per service");
    free(line);
    line = model_diag_format(&d.items[1]);
    assert_string_equal(line, "c.json:1:1: service.name: duplicate service "
                              "name \"elastic\": already used by "
                              "a.json:1:22; expected one file per service");
    free(line);
    model_diags_clear(&d);
    model_desired_clear(&set);
}

static void test_diag_format(void **state)
{
    char file[] = "f.json", field[] = "options.service.name", msg[] = "msg";
    struct model_diag dg = {file, 3, 14, field, msg};
    char *s = model_diag_format(&dg);

    (void)state;
    assert_string_equal(s, "f.json:3:14: options.service.name: msg");
    free(s);
    dg.line = 0;
    s = model_diag_format(&dg);
    assert_string_equal(s, "f.json: options.service.name: msg");
    free(s);
}

static void test_size_cap(void **state)
{
    size_t max = 1024u * 1024u, i;
    char *text = malloc(max + 2);
    struct model_service *s = NULL;
    struct model_diags d = {0};

    (void)state;
    assert_non_null(text);
    /* Exactly 1 MiB is accepted. */
    /* A string option of the package schema (an unknown key is an
     * error). */
    memcpy(text, "{\"service\":{\"user\":\"", 20);
    for (i = 20; i < max - 3; i++)
        text[i] = 'a';
    memcpy(text + max - 3, "\"}}", 3);
    assert_int_equal(model_service_parse(&s, text, max, "big.json", &d), 0);
    model_service_free(s);
    /* One byte more is not. */
    text[max - 1] = ' ';
    text[max] = '}';
    d = parse_bad(text, max + 1);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.items[0].message,
                        "expected a document of at most 1048576 bytes, got "
                        "1048577 bytes");
    model_diags_clear(&d);
    free(text);
}

/* All problems are reported, up to a bound. */
static void test_many_diags_bounded(void **state)
{
    char *text = malloc(150 * 16 + 64);
    struct model_diags d;
    size_t i, w;

    (void)state;
    assert_non_null(text);
    w = (size_t)sprintf(text, "{\"apiVersion\": \"etls/v1\", \"options\": {}");
    for (i = 0; i < 150; i++)
        w += (size_t)sprintf(text + w, ", \"k%zu\": 1", i);
    w += (size_t)sprintf(text + w, "}");
    d = parse_bad(text, w);
    assert_int_equal(d.n, 101);
    assert_true(diags_contain(&d, "k0: unknown key"));
    assert_true(diags_contain(&d, "k99: unknown key"));
    assert_false(diags_contain(&d, "k100: unknown key"));
    assert_true(diags_contain(&d, "too many problems"));
    model_diags_clear(&d);
    free(text);
    /* Near the size cap: still bounded, and fast (no per-key lookups). */
    text = malloc(40000 * 16 + 64);
    assert_non_null(text);
    w = (size_t)sprintf(text, "{\"apiVersion\": \"etls/v1\", \"options\": {}");
    for (i = 0; i < 40000; i++)
        w += (size_t)sprintf(text + w, ", \"k%zu\": 1", i);
    w += (size_t)sprintf(text + w, "}");
    assert_true(w <= 1024u * 1024u);
    d = parse_bad(text, w);
    assert_int_equal(d.n, 101);
    model_diags_clear(&d);
    free(text);
}

/* Diags of earlier documents stay first and untouched. */
static void test_diags_appended(void **state)
{
    struct model_diags d = {0};
    struct model_service *s = NULL;
    const char *a = "{\"service\": {\"name\": \"A\"}}";
    const char *b = "{\n\"service\": {\"update_strategy\": \"x\", "
                    "\"name\": 1}}";

    (void)state;
    assert_int_equal(model_service_parse(&s, a, strlen(a), "a.json", &d),
                     ERR_INVALID);
    assert_int_equal(model_service_parse(&s, b, strlen(b), "b.json", &d),
                     ERR_INVALID);
    assert_null(s);
    assert_int_equal(d.n, 3);
    assert_string_equal(d.items[0].file, "a.json");
    /* b's diags sorted by position: name (2:45) after strategy (2:32). */
    assert_string_equal(d.items[1].field, "service.update_strategy");
    assert_string_equal(d.items[2].field, "service.name");
    model_diags_clear(&d);
}

/* Passwords never show up in diagnostics. */
static void test_secrets_not_echoed(void **state)
{
    static const char *const docs[] = {
        "{\"apiVersion\": \"etls/v1\", \"options\": {}, \"verify\": "
        "{\"password\": \"S3cr3t-Pw\"}}",
        "{\"elasticsearch\": {\"health_user_password\": \"S3cr3t-Pw",
        "{\"elasticsearch\": {\"health_user_password\": S3cr3t-Pw}}",
        "{\"elasticsearch\": {\"health_user_password\": \"S3cr3t-Pw\"\n"
        "\"x\": 1}}",
        "{\"elasticsearch\": {\"health_user_password\": [\"S3cr3t-Pw\"]}}",
    };
    size_t i, j;

    (void)state;
    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        struct model_diags d = parse_bad(docs[i], strlen(docs[i]));

        for (j = 0; j < d.n; j++) {
            char *line = model_diag_format(&d.items[j]);

            if (strstr(line, "S3cr3t"))
                fail_msg("secret echoed: %s", line);
            free(line);
        }
        model_diags_clear(&d);
    }
}

/*
 * Robustness: every truncation and many random corruptions of a full
 * envelope either parse or fail cleanly with positioned diagnostics (run
 * under ASan/UBSan for memory errors and leaks).
 */
static void test_truncations_and_mutations(void **state)
{
    size_t len, i;
    char *text, *buf;
    uint32_t seed = 12345;

    (void)state;
    read_text(&text, &len,
              ETLS_SOURCE_DIR "/manifests/examples/envelope-full.json");
    buf = malloc(len + 1);
    assert_non_null(buf);
    /* Strict prefixes of the object: everything before its last '}'. */
    for (i = 0; i < (size_t)(strrchr(text, '}') - text); i++) {
        struct model_diags d = {0};
        struct model_service *s = NULL;
        int r;

        memcpy(buf, text, i);
        r = model_service_parse(&s, buf, i, "t.json", &d);
        assert_int_equal(r, ERR_INVALID);
        assert_true(d.n >= 1 && d.items[0].line >= 1);
        model_diags_clear(&d);
    }
    for (i = 0; i < 3000; i++) {
        static const char alphabet[] = "{}[]\":,\\ \n\ta0-9.etrufnl/\x01\xff";
        struct model_diags d = {0};
        struct model_service *s = NULL;
        size_t k, edits;
        int r;

        memcpy(buf, text, len);
        seed = seed * 1103515245u + 12345u;
        edits = 1 + (seed >> 16) % 3;
        for (k = 0; k < edits; k++) {
            seed = seed * 1103515245u + 12345u;
            buf[(seed >> 8) % len] =
                alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
        }
        r = model_service_parse(&s, buf, len, "m.json", &d);
        if (r == 0) {
            assert_non_null(s);
            assert_int_equal(d.n, 0);
            model_service_free(s);
        } else {
            size_t j;

            assert_int_equal(r, ERR_INVALID);
            assert_true(d.n >= 1);
            for (j = 0; j < d.n; j++)
                assert_true(d.items[j].line >= 1 && d.items[j].column >= 1);
        }
        model_diags_clear(&d);
    }
    free(buf);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runbook_options_file),
        cmocka_unit_test(test_envelope_minimal),
        cmocka_unit_test(test_envelope_full_example),
        cmocka_unit_test(test_every_example),
        cmocka_unit_test(test_tls_permissions),
        cmocka_unit_test(test_least_privilege_example),
        cmocka_unit_test(test_upstream_inputs),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_name_normalised),
        cmocka_unit_test(test_desired_add_duplicates),
        cmocka_unit_test(test_diag_format),
        cmocka_unit_test(test_size_cap),
        cmocka_unit_test(test_many_diags_bounded),
        cmocka_unit_test(test_diags_appended),
        cmocka_unit_test(test_secrets_not_echoed),
        cmocka_unit_test(test_truncations_and_mutations),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
