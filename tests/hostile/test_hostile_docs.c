/*
 * Hostile documents (issue 10): every file of tests/hostile/docs/cases/
 * (made by gen.py there: syntax, types, duplicate keys, sizes, deep
 * nesting, invalid names and lengths, '..' and control characters in
 * paths, invalid UTF-8, envelope mistakes) and the non-regular or
 * unreadable files made here at run time, given to `etls validate -f`:
 * exit 1 within a bound, exactly the diagnostics of
 * tests/hostile/docs/expected.tsv, each with its file:line:col (the
 * file-level refusals say which: not a regular file, too large, ...).
 * The same files given to `etls plan --sim` make no request at all to the
 * cluster.  Prints "hostile documents: N/M rejected precisely" for
 * scripts/hardening.sh.
 *
 * ETLS_HOSTILE_UPDATE=1 rewrites expected.tsv from what etls printed;
 * review `git diff tests/hostile/docs` before committing it.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/util.h"
#include "e2e/etls/etls_testutil.h"
#include "harness/h_file.h"

#define DOCS ETLS_SOURCE_DIR "/tests/hostile/docs"
#define CASES DOCS "/cases"
#define TABLE DOCS "/expected.tsv"
#define MIN_CASES 150
#define RUN_BOUND_S 10.0 /* one validate of one document */

static struct h_sim g_sim;
static size_t g_total, g_precise;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted *.json names of CASES (NULL-terminated, new). */
static char **case_names(size_t *n_out)
{
    char **v = NULL;
    size_t n = 0;
    struct dirent *de;
    DIR *d = opendir(CASES);

    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        if (!util_has_suffix(de->d_name, ".json"))
            continue;
        v = realloc(v, (n + 2) * sizeof(*v));
        assert_non_null(v);
        v[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(v, n, sizeof(*v), cmp_str);
    v[n] = NULL;
    *n_out = n;
    return v;
}

/* The expected stderr of case @name in the table (new), or NULL. */
static char *table_entry(const char *table, const char *name)
{
    char *head = util_format("== %s\n", name);
    const char *p = table, *end;

    assert_non_null(head);
    while (p && (p = strstr(p, head)) && p != table && p[-1] != '\n')
        p++;
    free(head);
    if (!p)
        return NULL;
    p = strchr(p, '\n') + 1;
    end = strstr(p, "\n== ");
    end = end ? end + 1 : p + strlen(p);
    return strndup(p, (size_t)(end - p));
}

/* @err with every "@dir/" removed (new). */
static char *strip_dir(const char *err, const char *dir)
{
    char *pre = util_format("%s/", dir), *out = strdup(err), *q;

    assert_non_null(pre);
    assert_non_null(out);
    while ((q = strstr(out, pre)))
        memmove(q, q + strlen(pre), strlen(q + strlen(pre)) + 1);
    free(pre);
    return out;
}

/* 1 when every line of @err starts with "@name:<line>:<col>: " or, for a
 * file-level refusal, "@name: (file): ". */
static int precise(const char *err, const char *name, int file_level)
{
    const char *p = err;
    size_t n = strlen(name);
    int lines = 0;

    while (*p) {
        const char *q = p + n;
        int digits;

        if (strncmp(p, name, n) != 0 || *q != ':')
            return 0;
        q++;
        if (file_level) {
            if (strncmp(q, " (file): ", 9) != 0)
                return 0;
        } else {
            for (digits = 0; *q >= '0' && *q <= '9'; q++)
                digits++;
            if (!digits || *q++ != ':')
                return 0;
            for (digits = 0; *q >= '0' && *q <= '9'; q++)
                digits++;
            if (!digits || strncmp(q, ": ", 2) != 0)
                return 0;
        }
        lines++;
        p = strchr(p, '\n');
        if (!p)
            break;
        p++;
    }
    return lines > 0;
}

/* validate @path (shown as @name once @dir/ is stripped): exit 1 in
 * time, nothing on stdout; returns its stderr, stripped (new). */
static char *validate(const char *path, const char *dir)
{
    double t0 = util_now_mono(), took;
    struct e_run r = e_etls(NULL, "validate", path, (char *)NULL);
    char *err;

    took = util_now_mono() - t0;
    if (r.rc != 1 || took > RUN_BOUND_S)
        fail_msg("validate %s: exit %d after %.1f s (want 1 within %.0f s)"
                 "\nstdout:\n%s\nstderr:\n%s", path, r.rc, took,
                 RUN_BOUND_S, r.out, r.err);
    if (*r.out)
        fail_msg("validate %s printed on stdout:\n%s", path, r.out);
    err = strip_dir(r.err, dir);
    e_run_free(&r);
    return err;
}

/* plan of @path against the sim: exit 1 and not one request. */
static void plan_no_request(const char *path, const char *extra)
{
    struct e_run r;
    json_t *log;

    e_log_clear(&g_sim);
    r = extra ? e_etls(&g_sim, "plan", path, extra, (char *)NULL)
              : e_etls(&g_sim, "plan", path, (char *)NULL);
    log = e_log(&g_sim);
    if (r.rc != 1 || json_array_size(log) != 0)
        fail_msg("plan %s: exit %d, %zu cluster request(s)\n%s", path, r.rc,
                 json_array_size(log), r.err);
    json_decref(log);
    e_run_free(&r);
}

static void test_corpus(void **state)
{
    const char *update = getenv("ETLS_HOSTILE_UPDATE");
    char *table = NULL, **names;
    size_t n, i;
    struct buf out;

    (void)state;
    names = case_names(&n);
    if (n < MIN_CASES)
        fail_msg("%zu cases in %s, want at least %d", n, CASES, MIN_CASES);
    buf_init(&out, 64u << 20);
    if (!(update && *update))
        table = e_read(TABLE);
    for (i = 0; i < n; i++) {
        char *path = util_format("%s/%s", CASES, names[i]);
        char *err = validate(path, CASES), *want;

        g_total++;
        if (update && *update) {
            assert_int_equal(buf_printf(&out, "== %s\n%s", names[i], err),
                             0);
        } else {
            want = table_entry(table, names[i]);
            if (!want)
                fail_msg("%s: no entry in %s", names[i], TABLE);
            if (strcmp(want, err) != 0)
                fail_msg("%s: diagnostics differ\nwant:\n%sgot:\n%s",
                         names[i], want, err);
            free(want);
        }
        if (precise(err, names[i], 0))
            g_precise++;
        else
            fail_msg("%s: not every line has file:line:col:\n%s", names[i],
                     err);
        plan_no_request(path, NULL);
        free(err);
        free(path);
        free(names[i]);
    }
    free(names);
    if (update && *update)
        assert_int_equal(util_write_file_atomic(TABLE, out.data, out.len,
                                                0644), 0);
    buf_free(&out);
    free(table);
}

/* A file-level case made at run time: @path refused with @why. */
static void file_case(const char *dir, const char *arg, const char *name,
                      const char *why)
{
    char *err = validate(arg, dir);
    char *want = util_format("%s: (file): %s\n", name, why);

    g_total++;
    if (strcmp(err, want) != 0)
        fail_msg("%s: want \"%s\", got \"%s\"", arg, want, err);
    if (precise(err, name, 1))
        g_precise++;
    plan_no_request(arg, NULL);
    free(want);
    free(err);
}

static void test_non_regular(void **state)
{
    char dir[] = "/tmp/etls-hostile-XXXXXX";
    char *p, *q, *big;
    struct sockaddr_un sa;
    int fd;

    (void)state;
    assert_non_null(mkdtemp(dir));
    p = util_format("%s/fifo.json", dir);
    assert_int_equal(mkfifo(p, 0600), 0);
    file_case(dir, p, "fifo.json", "not a regular file (a FIFO)");
    /* The same FIFO inside a -f directory. */
    file_case(dir, dir, "fifo.json", "not a regular file (a FIFO)");
    unlink(p);
    free(p);

    p = util_format("%s/sub.json", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    file_case(dir, dir, "sub.json", "not a regular file (a directory)");
    rmdir(p);
    free(p);

    p = util_format("%s/sock.json", dir);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    file_case(dir, p, "sock.json", "not a regular file (a socket)");
    close(fd);
    unlink(p);
    free(p);

    p = util_format("%s/null.json", dir);
    assert_int_equal(symlink("/dev/null", p), 0);
    file_case(dir, p, "null.json", "not a regular file (a character device)");
    unlink(p);
    free(p);

    p = util_format("%s/loop.json", dir);
    q = util_format("%s/loop2.json", dir);
    assert_int_equal(symlink(q, p), 0);
    assert_int_equal(symlink(p, q), 0);
    file_case(dir, p, "loop.json", "too many levels of symbolic links");
    unlink(p);
    unlink(q);
    free(p);
    free(q);

    big = malloc((1u << 20) + 2);
    assert_non_null(big);
    memset(big, ' ', (1u << 20) + 1);
    big[0] = '{';
    big[1u << 20] = '}';
    big[(1u << 20) + 1] = '\0';
    p = h_write_file(dir, "big.json", big);
    file_case(dir, p, "big.json", "larger than the limit of 1 MiB");
    unlink(p);
    free(p);
    free(big);

    p = util_format("%s/missing.json", dir);
    file_case(dir, p, "missing.json", "no such file or directory");
    free(p);

    if (geteuid() != 0) { /* root reads it anyway */
        p = h_write_file(dir, "noperm.json", "{}");
        assert_int_equal(chmod(p, 0), 0);
        file_case(dir, p, "noperm.json", "permission denied");
        unlink(p);
        free(p);
    }
    rmdir(dir);
}

static int group_up(void **state)
{
    return h_group_up(state, &g_sim, E_SPEED);
}

static int group_down(void **state)
{
    printf("hostile documents: %zu/%zu rejected precisely\n", g_precise,
           g_total);
    return h_group_down(state, &g_sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_non_regular),
    };

    return cmocka_run_group_tests(tests, group_up, group_down);
}
