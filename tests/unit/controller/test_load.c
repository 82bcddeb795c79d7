/*
 * Unit tests of controller/load.c: `-f PATH` as a file or a directory
 * (sorted, only .json/.yaml/.yml, hidden files skipped, other files
 * listed as skipped), a YAML document, standard input, a missing path, an
 * empty
 * directory, duplicate service names across files, and invalid files among
 * valid ones (every problem reported, nothing returned), and the
 * documents' digests of load_desired_docs().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "controller/load.h"
#include "ctl_testutil.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    h_mkdtemp(dir, "ctl-test");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    h_rmtree(dir);
    return 0;
}

/* A valid options-form document for service @name. */
static char *doc(const char *name)
{
    static const char fmt[] =
        "{\n"
        "  \"service\": {\n"
        "    \"name\": \"%s\",\n"
        "    \"service_account\": \"%s\",\n"
        "    \"service_account_secret\": \"%s/secret\",\n"
        "    \"security\": {\"transport_encryption\": {\"enabled\": true}}\n"
        "  },\n"
        "  \"elasticsearch\": {\"xpack_enabled\": true}\n"
        "}\n";
    size_t n = sizeof(fmt) + 3 * strlen(name);
    char *s = malloc(n);

    assert_non_null(s);
    snprintf(s, n, fmt, name, name, name);
    return s;
}

static void write_doc(const char *name, const char *svc)
{
    char *text = doc(svc);

    free(h_write_file(dir, name, text));
    free(text);
}

/* All diags formatted, one per line (new). */
static char *diags_text(const struct model_diags *d)
{
    char *out = NULL;
    size_t len = 0, i;
    FILE *f = open_memstream(&out, &len);

    assert_non_null(f);
    for (i = 0; i < d->n; i++) {
        char *line = model_diag_format(&d->items[i]);

        assert_non_null(line);
        fprintf(f, "%s\n", line);
        free(line);
    }
    assert_int_equal(fclose(f), 0);
    return out;
}

/* Assert that the load failed with ERR_INVALID and left @d empty. */
static void assert_failed(int r, const struct model_desired *d)
{
    assert_int_equal(r, ERR_INVALID);
    assert_int_equal(d->n_services, 0);
    assert_null(d->services);
}

static void test_one_file(void **state)
{
    struct model_desired d = {0};
    struct model_diags diags = {0};
    char *path;

    (void)state;
    write_doc("svc.json", "elastic-one");
    path = h_path(dir, "svc.json");
    assert_int_equal(load_desired(&d, path, &diags), 0);
    assert_int_equal(diags.n, 0);
    assert_int_equal(d.n_services, 1);
    assert_string_equal(d.services[0]->name, "elastic-one");
    assert_string_equal(d.services[0]->source, path);
    assert_true(d.services[0]->tls);
    model_desired_clear(&d);
    free(path);
}

static void test_the_runbook_manifest(void **state)
{
    struct model_desired d = {0};
    struct model_diags diags = {0};
    const char *path = ETLS_SOURCE_DIR "/manifests/elastic-tls.json";

    (void)state;
    assert_int_equal(load_desired(&d, path, &diags), 0);
    assert_int_equal(diags.n, 0);
    assert_int_equal(d.n_services, 1);
    assert_string_equal(d.services[0]->name, "elastic");
    assert_string_equal(d.services[0]->account, "elastic");
    assert_string_equal(d.services[0]->secret_path, "elastic/secret");
    assert_true(d.services[0]->tls);
    assert_true(d.services[0]->xpack);
    model_desired_clear(&d);
}

/*
 * A directory: every *.json file, sorted by name whatever order the
 * directory lists them in; hidden files, other suffixes and
 * subdirectories are skipped.
 */
static void test_directory_sorted_filtered(void **state)
{
    static const char *const names[] = {"m", "z", "b", "y", "a", "q",
                                        "c", "x", "d", "n"};
    struct model_desired d = {0};
    struct model_diags diags = {0};
    char sub[300];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char file[32], svc[32];

        snprintf(file, sizeof(file), "%s.json", names[i]);
        snprintf(svc, sizeof(svc), "svc-%s", names[i]);
        write_doc(file, svc);
    }
    /* Would fail (invalid, or a duplicate name) if they were read. */
    free(h_write_file(dir, ".hidden.json", "{ not json"));
    free(h_write_file(dir, ".json", "{ not json"));
    free(h_write_file(dir, "notes.txt", "{ not json"));
    free(h_write_file(dir, "a.json.bak", "{ not json"));
    free(h_write_file(dir, "b.JSON", "{ not json"));
    free(h_write_file(dir, "c.yaml.orig", "{ not json"));
    free(h_write_file(dir, "a.json~", "{ not json"));
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    assert_int_equal(mkdir(sub, 0700), 0);

    assert_int_equal(load_desired(&d, dir, &diags), 0);
    assert_int_equal(diags.n, 0);
    assert_int_equal(d.n_services, 10);
    for (i = 0; i < d.n_services; i++) {
        char want[300];
        const char *name = d.services[i]->name;

        /* svc-a, svc-b, svc-c, svc-d, svc-m, svc-n, svc-q, ... */
        if (i > 0)
            assert_true(strcmp(d.services[i - 1]->name, name) < 0);
        snprintf(want, sizeof(want), "%s/%s.json", dir, name + 4);
        assert_string_equal(d.services[i]->source, want);
    }
    assert_string_equal(d.services[0]->name, "svc-a");
    assert_string_equal(d.services[9]->name, "svc-z");
    model_desired_clear(&d);
}

/* "dir/" gives "dir/a.json", not "dir//a.json". */
/* YAML documents beside JSON ones; other files are named as skipped. */
static void test_directory_yaml_and_skipped(void **state)
{
    struct model_desired d = {0};
    struct model_diags diags = {0};
    struct load_docs docs = {0};
    char want[300];

    (void)state;
    write_doc("a.json", "svc-a");
    /* JSON is YAML too: the same text as .yaml and .yml. */
    write_doc("b.yaml", "svc-b");
    free(h_write_file(dir, "c.yml",
                      "service:\n  name: svc-c\n  service_account: svc-c\n"
                      "  service_account_secret: svc-c/secret\n"
                      "  security: {transport_encryption: {enabled: true}}\n"
                      "elasticsearch: {xpack_enabled: true}\n"));
    free(h_write_file(dir, "README.md", "# notes\n"));
    free(h_write_file(dir, "d.json.bak", "{}"));
    assert_int_equal(load_desired_docs(&d, dir, &diags, &docs), 0);
    assert_int_equal(d.n_services, 3);
    assert_string_equal(d.services[2]->name, "svc-c");
    assert_int_equal(docs.n, 3);
    assert_int_equal(docs.n_skipped, 2);
    snprintf(want, sizeof(want), "%s/README.md", dir);
    assert_true(strcmp(docs.skipped[0], want) == 0 ||
                strcmp(docs.skipped[1], want) == 0);
    load_docs_clear(&docs);
    model_desired_clear(&d);

    /* A YAML error names the YAML file, line and column. */
    free(h_write_file(dir, "e.yaml", "service:\n  name: [\n"));
    assert_failed(load_desired(&d, dir, &diags), &d);
    assert_int_equal(diags.n, 1);
    assert_non_null(strstr(diags.items[0].file, "/e.yaml"));
    assert_true(diags.items[0].line >= 2);
    model_diags_clear(&diags);
}

/* `-f -`: one document on standard input, JSON or YAML. */
static void test_stdin(void **state)
{
    static const char *const texts[] = {
        "{\"service\": {\"name\": \"from-stdin\", \"security\": "
        "{\"transport_encryption\": {\"enabled\": false}}}}\n",
        "service:\n  name: from-stdin\n  security:\n"
        "    transport_encryption: {enabled: false}\n",
    };
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        struct model_desired d = {0};
        struct model_diags diags = {0};
        char *f = h_write_file(dir, "in", texts[i]);
        int saved = dup(STDIN_FILENO);

        assert_non_null(freopen(f, "r", stdin));
        assert_int_equal(load_desired(&d, "-", &diags), 0);
        assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
        close(saved);
        assert_int_equal(d.n_services, 1);
        assert_string_equal(d.services[0]->name, "from-stdin");
        assert_string_equal(d.services[0]->source, LOAD_STDIN_NAME);
        model_desired_clear(&d);
        free(f);
    }
}

static void test_directory_trailing_slash(void **state)
{
    struct model_desired d = {0};
    struct model_diags diags = {0};
    char slash[300], want[300];

    (void)state;
    write_doc("a.json", "svc-a");
    snprintf(slash, sizeof(slash), "%s/", dir);
    snprintf(want, sizeof(want), "%s/a.json", dir);
    assert_int_equal(load_desired(&d, slash, &diags), 0);
    assert_int_equal(d.n_services, 1);
    assert_string_equal(d.services[0]->source, want);
    model_desired_clear(&d);
}

static void test_missing_path(void **state)
{
    struct model_desired d = {0};
    struct model_diags diags = {0};
    char *path = h_path(dir, "nope.json");
    char *text;

    (void)state;
    assert_failed(load_desired(&d, path, &diags), &d);
    assert_int_equal(diags.n, 1);
    assert_string_equal(diags.items[0].file, path);
    assert_string_equal(diags.items[0].field, "(file)");
    assert_int_equal(diags.items[0].line, 0);
    text = diags_text(&diags);
    assert_non_null(strstr(text, ": (file): no such file or directory\n"));
    free(text);
    model_diags_clear(&diags);
    free(path);
}

static void test_empty_directory(void **state)
{
    struct model_desired d = {0};
    struct model_diags diags = {0};

    (void)state;
    assert_failed(load_desired(&d, dir, &diags), &d);
    assert_int_equal(diags.n, 1);
    assert_string_equal(diags.items[0].file, dir);
    assert_string_equal(diags.items[0].message,
                        "the directory holds no .json, .yaml or .yml document");
    model_diags_clear(&diags);

    /* Only skipped entries: still empty. */
    free(h_write_file(dir, ".hidden.json", "{}"));
    free(h_write_file(dir, "README.md", "hello"));
    assert_failed(load_desired(&d, dir, &diags), &d);
    assert_int_equal(diags.n, 1);
    assert_string_equal(diags.items[0].message,
                        "the directory holds no .json, .yaml or .yml document");
    model_diags_clear(&diags);
}

static void test_duplicate_names(void **state)
{
    struct model_desired d = {0};
    struct model_diags diags = {0};
    char *first = h_path(dir, "a.json");
    char *second = h_path(dir, "b.json");
    char *third = h_path(dir, "c.json");
    char want[600];

    (void)state;
    write_doc("a.json", "elastic");
    write_doc("b.json", "elastic");
    write_doc("c.json", "other");
    assert_failed(load_desired(&d, dir, &diags), &d);
    /* The same name, hence the same account and secret (doc()). */
    assert_int_equal(diags.n, 3);
    assert_string_equal(diags.items[0].file, second);
    assert_string_equal(diags.items[0].field, "service.name");
    /* Positioned on the name in the second file, naming the first's. */
    assert_int_equal(diags.items[0].line, 3);
    assert_int_equal(diags.items[0].column, 13);
    snprintf(want, sizeof(want),
             "duplicate service name \"elastic\": already used by %s:3:13; "
             "expected one file per service",
             first);
    assert_string_equal(diags.items[0].message, want);
    assert_string_equal(diags.items[1].field, "service.service_account");
    assert_int_equal(diags.items[1].line, 4);
    assert_string_equal(diags.items[2].field,
                        "service.service_account_secret");
    assert_int_equal(diags.items[2].line, 5);
    model_diags_clear(&diags);
    free(first);
    free(second);
    free(third);
}

/*
 * One broken file among good ones: every problem of every file is
 * reported, and nothing at all is returned.
 */
static void test_invalid_among_valid(void **state)
{
    struct model_desired d = {0};
    struct model_diags diags = {0};
    char *text, *big;
    char want[400];

    (void)state;
    write_doc("a.json", "svc-a");
    free(h_write_file(dir, "b.json", "{\n  \"service\": {\"name\": 5,}\n}\n"));
    write_doc("c.json", "svc-c");
    free(h_write_file(dir, "d.json",
                      "{\"service\": {\"name\": \"Bad_Name\"}}\n"));
    big = malloc(1024 * 1024 + 2);
    assert_non_null(big);
    memset(big, ' ', 1024 * 1024 + 1);
    big[0] = '{';
    big[1024 * 1024] = '}';
    big[1024 * 1024 + 1] = '\0';
    free(h_write_file(dir, "e.json", big));
    free(big);
    write_doc("f.json", "svc-f");
    /* A FIFO would block a plain read: refused at once, by its kind. */
    snprintf(want, sizeof(want), "%s/g.json", dir);
    assert_int_equal(mkfifo(want, 0600), 0);

    alarm(10);
    assert_failed(load_desired(&d, dir, &diags), &d);
    alarm(0);
    text = diags_text(&diags);
    /* b: syntax error with position; d: bad name; e: too large. */
    snprintf(want, sizeof(want), "%s/b.json:2:", dir);
    if (!strstr(text, want))
        fail_msg("no diag for b.json:\n%s", text);
    snprintf(want, sizeof(want), "%s/d.json:1:", dir);
    if (!strstr(text, want))
        fail_msg("no diag for d.json:\n%s", text);
    assert_non_null(strstr(text, "service.name: expected a Marathon app id"));
    snprintf(want, sizeof(want),
             "%s/e.json: (file): larger than the limit of 1 MiB\n", dir);
    if (!strstr(text, want))
        fail_msg("no diag for e.json:\n%s", text);
    snprintf(want, sizeof(want),
             "%s/g.json: (file): not a regular file (a FIFO)\n", dir);
    if (!strstr(text, want))
        fail_msg("no diag for g.json:\n%s", text);
    /* Nothing about the good files. */
    snprintf(want, sizeof(want), "%s/a.json", dir);
    assert_null(strstr(text, want));
    snprintf(want, sizeof(want), "%s/f.json", dir);
    assert_null(strstr(text, want));
    free(text);
    model_diags_clear(&diags);
}

/* A single invalid file: its diags, nothing returned. */
static void test_invalid_single_file(void **state)
{
    struct model_desired d = {0};
    struct model_diags diags = {0};
    char *path;

    (void)state;
    path = h_write_file(dir, "x.json", "{\"service\": {\"name\": \"a\"},\n"
                                       " \"service\": {}}\n");
    assert_failed(load_desired(&d, path, &diags), &d);
    assert_true(diags.n >= 1);
    assert_string_equal(diags.items[0].file, path);
    assert_int_equal(diags.items[0].line, 2);
    assert_non_null(strstr(diags.items[0].message, "duplicate key"));
    model_diags_clear(&diags);
    free(path);
}

/* More than 1000 *.json files is refused before any is read. */
static void test_too_many_files(void **state)
{
    struct model_desired d = {0};
    struct model_diags diags = {0};
    size_t i;

    (void)state;
    for (i = 0; i < 10001; i++) {
        char name[32];

        snprintf(name, sizeof(name), "f%05zu.json", i);
        free(h_write_file(dir, name, "{}"));
    }
    assert_failed(load_desired(&d, dir, &diags), &d);
    assert_int_equal(diags.n, 1);
    assert_string_equal(diags.items[0].message,
                        "more than 10000 documents");
    model_diags_clear(&diags);
}

/*
 * load_desired_docs() names every document read, in load order, with the
 * SHA-256 of the exact bytes parsed (an invalid one too); load_desired()
 * is the same load.
 */
static void test_docs_digests(void **state)
{
    static const char broken[] = "{ not json";
    struct model_desired d = {0};
    struct model_diags diags = {0};
    struct load_docs docs = {0};
    char *a = doc("svc-a"), *pa = h_path(dir, "a.json");
    char *pb = h_path(dir, "b.json"), want[FINGERPRINT_LEN];

    (void)state;
    write_doc("a.json", "svc-a");
    write_doc("b.json", "svc-b");
    assert_int_equal(load_desired_docs(&d, dir, &diags, &docs), 0);
    assert_int_equal(d.n_services, 2);
    assert_int_equal(docs.n, 2);
    assert_string_equal(docs.items[0].path, pa);
    assert_string_equal(docs.items[1].path, pb);
    assert_int_equal(fingerprint_sha256(want, a, strlen(a)), 0);
    assert_string_equal(docs.items[0].sha256, want);
    /* Same text, same digest; the service name differs in b. */
    assert_string_not_equal(docs.items[1].sha256, want);
    assert_int_equal(strlen(want), 71);
    assert_non_null(strstr(want, "sha256:"));
    model_desired_clear(&d);
    load_docs_clear(&docs);
    assert_int_equal(docs.n, 0);

    /* An invalid document is named too, and the load fails. */
    free(h_write_file(dir, "c.json", broken));
    assert_int_equal(load_desired_docs(&d, dir, &diags, &docs),
                     ERR_INVALID);
    assert_int_equal(docs.n, 3);
    assert_int_equal(fingerprint_sha256(want, broken, strlen(broken)), 0);
    assert_string_equal(docs.items[2].sha256, want);
    model_diags_clear(&diags);
    load_docs_clear(&docs);
    free(a);
    free(pa);
    free(pb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_one_file),
        T(test_the_runbook_manifest),
        T(test_directory_sorted_filtered),
        T(test_directory_trailing_slash),
        T(test_directory_yaml_and_skipped),
        T(test_stdin),
        T(test_missing_path),
        T(test_empty_directory),
        T(test_duplicate_names),
        T(test_invalid_among_valid),
        T(test_invalid_single_file),
        T(test_too_many_files),
        T(test_docs_digests),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
