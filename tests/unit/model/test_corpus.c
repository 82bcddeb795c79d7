/*
 * Data-driven tests of the desired-state parser.
 *
 * tests/data/model/invalid/<case>.json must fail validation with exactly the
 * diagnostics of <case>.expect, one "file:line:col: field: message" line
 * each, the file named as "tests/data/model/invalid/<case>.json" (as
 * `etls validate -f` would be given it from the source tree).
 *
 * tests/data/model/valid/<case>.json must parse into the model described by
 * <case>.expect.json (every field of struct model_service, defaults
 * included).
 *
 * YAML: the YAML twin of every case (harness/h_yaml.h) must give the same
 * model (positions aside) or be refused on the same fields, so YAML and
 * JSON documents plan alike.
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
#include "harness/h_yaml.h"
#include "model/desired.h"
#include "model/yaml.h"

#define MIN_INVALID_CASES 25

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in @dir ending with @suffix (NULL-terminated, new). */
static char **list_dir(const char *dir, const char *suffix, size_t *n_out)
{
    char **names = NULL;
    struct dirent *de;
    size_t n = 0;
    DIR *d = opendir(dir);

    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        if (!util_has_suffix(de->d_name, suffix))
            continue;
        names = realloc(names, (n + 2) * sizeof(*names));
        assert_non_null(names);
        names[n] = strdup(de->d_name);
        assert_non_null(names[n]);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_str);
    else
        names = calloc(1, sizeof(*names));
    names[n] = NULL;
    *n_out = n;
    return names;
}

static void free_list(char **names)
{
    char **p;

    for (p = names; *p; p++)
        free(*p);
    free(names);
}

static char *read_text(const char *path, size_t *len)
{
    char *text = NULL;

    if (util_read_file(&text, len, path, 4u << 20) != 0)
        fail_msg("cannot read %s", path);
    return text;
}

/* Run one invalid case; returns 1 when it matches its expectation. */
static int run_invalid(const char *dir, const char *name)
{
    char path[1024], expect_path[1024], file[512];
    struct model_service *svc = NULL;
    struct model_diags d = {0};
    size_t len, elen, i;
    char *text, *expect, *got = NULL, *p;
    int r, ok;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    snprintf(file, sizeof(file), "tests/data/model/invalid/%s", name);
    snprintf(expect_path, sizeof(expect_path), "%s/%.*s.expect", dir,
             (int)(strlen(name) - 5), name);
    text = read_text(path, &len);
    expect = read_text(expect_path, &elen);
    r = model_service_parse(&svc, text, len, file, &d);
    /* Assemble what we got in the .expect format. */
    got = strdup("");
    assert_non_null(got);
    for (i = 0; i < d.n; i++) {
        char *line = model_diag_format(&d.items[i]);
        size_t glen = strlen(got);

        assert_non_null(line);
        p = realloc(got, glen + strlen(line) + 2);
        assert_non_null(p);
        got = p;
        sprintf(got + glen, "%s\n", line);
        free(line);
    }
    ok = r == ERR_INVALID && svc == NULL && strcmp(got, expect) == 0;
    if (!ok)
        print_error("case %s: result %d\n--- expected\n%s--- got\n%s", name,
                    r, expect, got);
    model_service_free(svc);
    model_diags_clear(&d);
    free(got);
    free(expect);
    free(text);
    return ok;
}

static void test_invalid_corpus(void **state)
{
    const char *dir = ETLS_TEST_DATA "/model/invalid";
    char **cases, **expects;
    size_t n, n_expect, i, bad = 0;

    (void)state;
    cases = list_dir(dir, ".json", &n);
    expects = list_dir(dir, ".expect", &n_expect);
    assert_true(n >= MIN_INVALID_CASES);
    /* One expectation per case, no orphan. */
    assert_int_equal(n, n_expect);
    for (i = 0; i < n; i++)
        assert_int_equal(strncmp(cases[i], expects[i], strlen(cases[i]) - 5),
                         0);
    for (i = 0; i < n; i++)
        bad += !run_invalid(dir, cases[i]);
    free_list(cases);
    free_list(expects);
    if (bad)
        fail_msg("%zu of %zu invalid cases differ", bad, n);
}

static const char *source_name(enum model_password_source s)
{
    switch (s) {
    case MODEL_PW_ENV:
        return "env";
    case MODEL_PW_FILE:
        return "file";
    case MODEL_PW_SECRET:
        return "secret";
    default:
        return "health-options";
    }
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Every field of @s as JSON (new). */
static json_t *dump(const struct model_service *s)
{
    json_t *groups = json_array(), *perms = json_array();
    size_t i;

    for (i = 0; i < s->n_groups; i++)
        json_array_append_new(groups, json_string(s->groups[i]));
    for (i = 0; i < s->n_permissions; i++)
        json_array_append_new(perms,
                              json_pack("{s:s, s:s}", "rid",
                                        s->permissions[i].rid, "action",
                                        s->permissions[i].action));
    return json_pack(
        "{s:s, s:b, s:i, s:i, s:{s:s, s:o}, s:s, s:s, s:b, s:b, s:s, s:o, "
        "s:o, s:{s:b, s:s, s:o, s:{s:s, s:o}, s:s}, s:{s:s, s:b}, s:O}",
        "name", s->name, "envelope", s->envelope, "name_line", s->name_line,
        "name_column", s->name_column, "package", "name", s->package_name,
        "version", str_or_null(s->package_version), "account", s->account,
        "secret_path", s->secret_path, "tls", s->tls, "xpack", s->xpack,
        "update_strategy", s->update_strategy, "groups", groups,
        "permissions", perms, "verify", "enabled", s->verify, "endpoint",
        s->verify_endpoint, "user", str_or_null(s->verify_user), "password",
        "source", source_name(s->verify_password_source), "ref",
        str_or_null(s->verify_password_ref), "health", s->verify_health,
        "policies", "keyLost",
        s->key_lost == MODEL_KEY_LOST_FAIL ? "fail" : "rotate",
        "restoreUpdateStrategy", s->restore_update_strategy, "options",
        s->options);
}

/* The YAML twin of the JSON @text, or NULL when it has none. */
static char *twin_of(const char *text, size_t len)
{
    json_error_t je;
    json_t *j;
    char *y;

    /* A byte order mark: jansson does not take it, etls does. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    y = j ? h_yaml_twin(j) : NULL;

    json_decref(j);
    return y;
}

/* The YAML twin of valid case @name parses into @want, positions aside. */
static int same_as_yaml(const char *text, size_t len, const char *name,
                        const json_t *want)
{
    struct model_service *svc = NULL;
    struct model_diags d = {0};
    json_t *a = json_deep_copy(want), *b = NULL;
    char *y = twin_of(text, len);
    int ok = 0;

    assert_non_null(y);
    if (model_service_parse_yaml(&svc, y, strlen(y), name, &d) == 0) {
        b = dump(svc);
        json_object_del(a, "name_line");
        json_object_del(a, "name_column");
        json_object_del(b, "name_line");
        json_object_del(b, "name_column");
        ok = json_equal(a, b);
    }
    if (!ok)
        print_error("case %s: the YAML twin differs (%zu diags%s%s):\n%s\n",
                    name, d.n, d.n ? ", first: " : "",
                    d.n ? d.items[0].message : "", y);
    json_decref(a);
    json_decref(b);
    model_service_free(svc);
    model_diags_clear(&d);
    free(y);
    return ok;
}

/* "field: message" of every diag, digits blanked (positions differ). */
static char *fields_of(const struct model_diags *d)
{
    char *out = NULL, *p;
    size_t len = 0, i;
    FILE *f = open_memstream(&out, &len);

    assert_non_null(f);
    for (i = 0; i < d->n; i++)
        fprintf(f, "%s: %s\n", d->items[i].field, d->items[i].message);
    assert_int_equal(fclose(f), 0);
    for (p = out; *p; p++)
        if (*p >= '0' && *p <= '9')
            *p = '#';
    return out;
}

/*
 * Every invalid case that is well-formed JSON has a YAML twin that is
 * refused on the same fields with the same messages.
 */
static void test_invalid_corpus_yaml(void **state)
{
    const char *dir = ETLS_TEST_DATA "/model/invalid";
    size_t n, i, bad = 0, twins = 0;
    char **cases;

    (void)state;
    cases = list_dir(dir, ".json", &n);
    for (i = 0; i < n; i++) {
        struct model_service *svc = NULL;
        struct model_diags dj = {0}, dy = {0};
        char path[1024], *text, *y, *fj, *fy;
        size_t len;
        int rj, ry;

        snprintf(path, sizeof(path), "%s/%s", dir, cases[i]);
        text = read_text(path, &len);
        y = twin_of(text, len);
        if (!y) {
            free(text);
            continue;
        }
        twins++;
        rj = model_service_parse(&svc, text, len, cases[i], &dj);
        model_service_free(svc);
        svc = NULL;
        ry = model_service_parse_yaml(&svc, y, strlen(y), cases[i], &dy);
        model_service_free(svc);
        fj = fields_of(&dj);
        fy = fields_of(&dy);
        if (rj != ERR_INVALID || ry != ERR_INVALID || strcmp(fj, fy) != 0) {
            print_error("case %s: JSON %d, YAML %d\n--- JSON\n%s--- YAML\n%s"
                        "--- twin\n%s\n",
                        cases[i], rj, ry, fj, fy, y);
            bad++;
        }
        model_diags_clear(&dj);
        model_diags_clear(&dy);
        free(fj);
        free(fy);
        free(y);
        free(text);
    }
    free_list(cases);
    /* Most cases are well-formed JSON with a semantic problem. */
    assert_true(twins >= MIN_INVALID_CASES);
    if (bad)
        fail_msg("%zu of %zu YAML twins are refused otherwise", bad, twins);
}

static void test_valid_corpus(void **state)
{
    const char *dir = ETLS_TEST_DATA "/model/valid";
    size_t n, i, bad = 0;
    char **cases;

    (void)state;
    cases = list_dir(dir, ".json", &n);
    for (i = 0; i < n; i++) {
        char path[1024], expect_path[1024];
        struct model_service *svc = NULL;
        struct model_diags d = {0};
        json_t *expect, *got;
        size_t len;
        char *text;
        int r;

        if (util_has_suffix(cases[i], ".expect.json"))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, cases[i]);
        snprintf(expect_path, sizeof(expect_path), "%s/%.*s.expect.json",
                 dir, (int)(strlen(cases[i]) - 5), cases[i]);
        text = read_text(path, &len);
        expect = json_load_file(expect_path, 0, NULL);
        if (!expect)
            fail_msg("%s: missing or bad expectation", expect_path);
        r = model_service_parse(&svc, text, len, cases[i], &d);
        if (r) {
            print_error("case %s: parse failed (%d, %zu diags)\n", cases[i],
                        r, d.n);
            bad++;
        } else {
            got = dump(svc);
            assert_non_null(got);
            bad += !same_as_yaml(text, len, cases[i], got);
            if (!json_equal(got, expect)) {
                char *a = json_dumps(expect, JSON_INDENT(2) | JSON_SORT_KEYS);
                char *b = json_dumps(got, JSON_INDENT(2) | JSON_SORT_KEYS);

                print_error("case %s:\n--- expected\n%s\n--- got\n%s\n",
                            cases[i], a, b);
                free(a);
                free(b);
                bad++;
            }
            json_decref(got);
        }
        model_service_free(svc);
        model_diags_clear(&d);
        json_decref(expect);
        free(text);
    }
    free_list(cases);
    if (bad)
        fail_msg("%zu valid cases differ", bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_corpus),
        cmocka_unit_test(test_valid_corpus),
        cmocka_unit_test(test_invalid_corpus_yaml),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
