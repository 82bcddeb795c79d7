/*
 * dcos-sim persistence, end to end: a change is appended to state.log
 * (the snapshot state.json is not rewritten per request, reads write
 * nothing), survives a SIGKILL, a torn last record is dropped at the next
 * start, a damaged record before the last refuses to start, and a log
 * grown past its bound is compacted into the snapshot.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "harness/harness.h"

#define SEC "/secrets/v1/secret/default/"
#define SIM_BIN ETLS_BIN_DIR "/dcos-sim"

/* Size of DIR/@name, -1 when absent. */
static long file_size(const struct h_sim *s, const char *name)
{
    char path[512];
    struct stat st;

    snprintf(path, sizeof(path), "%s/%s", s->dir, name);
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* The contents of DIR/@name (new, "" when absent). */
static char *file_text(const struct h_sim *s, const char *name)
{
    char path[512];
    char *text = NULL;
    size_t len = 0;

    snprintf(path, sizeof(path), "%s/%s", s->dir, name);
    if (util_read_file(&text, &len, path, 64u << 20) != 0)
        return strdup("");
    return text;
}

/* Append @text to DIR/@name. */
static void file_append(const struct h_sim *s, const char *name,
                        const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", s->dir, name);
    f = fopen(path, "a");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* SIGKILL the sim: no shutdown hook runs, only what is on disk stays. */
static void sim_kill(struct h_sim *s)
{
    int status;

    assert_true(s->pid > 0);
    assert_int_equal(kill((pid_t)s->pid, SIGKILL), 0);
    assert_int_equal(waitpid((pid_t)s->pid, &status, 0), s->pid);
    s->pid = 0;
}

static void expect_status(struct h_resp r, long status, const char *what)
{
    if (r.status != status)
        fail_msg("%s: HTTP %ld, expected %ld (%s)", what, r.status, status,
                 r.body ? r.body : "");
    h_resp_free(&r);
}

static void put_secret(struct h_sim *s, const char *path, const char *value)
{
    char *p = util_format(SEC "%s", path);
    char *body = util_format("{\"value\":\"%s\"}", value);

    expect_status(h_put(s, p, body), 201, p);
    free(p);
    free(body);
}

static long secret_status(struct h_sim *s, const char *path)
{
    char *p = util_format(SEC "%s", path);
    struct h_resp r = h_get(s, p);
    long st = r.status;

    h_resp_free(&r);
    free(p);
    return st;
}

static void test_changes_appended_and_survive_sigkill(void **state)
{
    struct h_sim s;
    struct h_resp r;
    long log1, snap1;
    char *snap, *log;
    int i;

    (void)state;
    memset(&s, 0, sizeof(s));
    h_sim_start(&s, NULL, NULL);
    h_login(&s);
    snap1 = file_size(&s, "state.json");
    assert_true(snap1 > 0);

    put_secret(&s, "journal/a", "alpha-value");
    put_secret(&s, "journal/b", "bravo-value");
    expect_status(h_delete(&s, SEC "journal/a"), 204, "delete a");
    expect_status(h_put(&s, "/acs/api/v1/users/jdoe",
                        "{\"description\":\"J\","
                        "\"password\":\"long-enough-pw\"}"),
                  201, "create jdoe");
    expect_status(h_put(&s, "/acs/api/v1/groups/superusers/users/jdoe", ""),
                  204, "jdoe joins superusers");

    /* the changes went to the log; the snapshot was not rewritten */
    snap = file_text(&s, "state.json");
    log = file_text(&s, "state.log");
    assert_null(strstr(snap, "bravo-value"));
    assert_null(strstr(snap, "jdoe"));
    assert_non_null(strstr(log, "bravo-value"));
    assert_non_null(strstr(log, "\"d\":true"));
    assert_int_equal(file_size(&s, "state.json"), snap1);
    free(snap);
    free(log);

    /* reads write nothing */
    log1 = file_size(&s, "state.log");
    for (i = 0; i < 20; i++) {
        r = h_get(&s, SEC "journal/b");
        assert_int_equal(r.status, 200);
        h_resp_free(&r);
        r = h_get(&s, "/acs/api/v1/users/jdoe");
        assert_int_equal(r.status, 200);
        h_resp_free(&r);
    }
    h_sleep_ms(300); /* ticks: the clock alone is not a change */
    assert_int_equal(file_size(&s, "state.log"), log1);

    /* no shutdown: the log alone carries the changes */
    sim_kill(&s);
    h_sim_start(&s, s.dir, NULL);
    h_login(&s);
    assert_int_equal(secret_status(&s, "journal/a"), 404);
    r = h_get(&s, SEC "journal/b");
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "value")),
                        "bravo-value");
    h_resp_free(&r);
    r = h_get(&s, "/acs/api/v1/groups/superusers/users");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"jdoe\""));
    h_resp_free(&r);
    /* the start folded the log into a new snapshot */
    assert_int_equal(file_size(&s, "state.log"), 0);
    snap = file_text(&s, "state.json");
    assert_non_null(strstr(snap, "bravo-value"));
    free(snap);
    h_sim_destroy(&s);
}

static void test_torn_last_record_dropped(void **state)
{
    struct h_sim s;

    (void)state;
    memset(&s, 0, sizeof(s));
    h_sim_start(&s, NULL, NULL);
    h_login(&s);
    put_secret(&s, "journal/kept", "kept-value");
    sim_kill(&s);
    /* a crash in the middle of the next append */
    file_append(&s, "state.log",
                "{\"p\":[\"secrets\",\"default\",\"journal/torn\"],"
                "\"v\":{\"value\":\"tor");
    h_sim_start(&s, s.dir, NULL);
    h_login(&s);
    assert_int_equal(secret_status(&s, "journal/kept"), 200);
    assert_int_equal(secret_status(&s, "journal/torn"), 404);
    /* and the sim goes on appending after it */
    put_secret(&s, "journal/after", "after-value");
    sim_kill(&s);
    h_sim_start(&s, s.dir, NULL);
    h_login(&s);
    assert_int_equal(secret_status(&s, "journal/after"), 200);
    assert_int_equal(secret_status(&s, "journal/kept"), 200);
    h_sim_destroy(&s);
}

static void test_damaged_record_refuses_start(void **state)
{
    struct h_sim s;
    const char *argv[] = {SIM_BIN, "--listen", "127.0.0.1:0", "--state-dir",
                          NULL, NULL};
    char *out = NULL, *err = NULL, *log, *p, want[64];
    int lines = 0;

    (void)state;
    memset(&s, 0, sizeof(s));
    h_sim_start(&s, NULL, NULL);
    h_login(&s);
    put_secret(&s, "journal/one", "one-value");
    sim_kill(&s);
    log = file_text(&s, "state.log");
    for (p = log; *p; p++)
        lines += *p == '\n';
    free(log);
    snprintf(want, sizeof(want), "state.log:%d: not a state record",
             lines + 1);
    /* a damaged record followed by a good one is not a torn write */
    file_append(&s, "state.log", "{\"p\":[\"secrets\"],\"x\":1}\n");
    file_append(&s, "state.log",
                "{\"p\":[\"secrets\",\"default\",\"journal/two\"],"
                "\"v\":{\"value\":\"two\"}}\n");
    argv[4] = s.dir;
    assert_int_equal(h_run(argv, NULL, &out, &err), 1);
    if (!strstr(err, want))
        fail_msg("stderr \"%s\" lacks \"%s\"", err, want);
    free(out);
    free(err);
    h_sim_destroy(&s);
}

static void test_log_compacted_when_grown(void **state)
{
    struct h_sim s;
    char *value = malloc(100 * 1024 + 1);
    long snap, log;
    int i;

    (void)state;
    assert_non_null(value);
    memset(value, 'v', 100 * 1024);
    value[100 * 1024] = '\0';
    memset(&s, 0, sizeof(s));
    h_sim_start(&s, NULL, NULL);
    h_login(&s);
    /* 100 x 100 KiB: the log passes its 8 MiB bound once */
    for (i = 0; i < 100; i++) {
        char path[32];

        snprintf(path, sizeof(path), "journal/big%d", i);
        put_secret(&s, path, value);
    }
    snap = file_size(&s, "state.json");
    log = file_size(&s, "state.log");
    if (snap < 6L * 1024 * 1024 || log > 3L * 1024 * 1024)
        fail_msg("no compaction: state.json %ld bytes, state.log %ld", snap,
                 log);
    sim_kill(&s);
    h_sim_start(&s, s.dir, NULL);
    h_login(&s);
    assert_int_equal(secret_status(&s, "journal/big0"), 200);
    assert_int_equal(secret_status(&s, "journal/big99"), 200);
    h_sim_destroy(&s);
    free(value);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changes_appended_and_survive_sigkill),
        cmocka_unit_test(test_torn_last_record_dropped),
        cmocka_unit_test(test_damaged_record_refuses_start),
        cmocka_unit_test(test_log_compacted_when_grown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
