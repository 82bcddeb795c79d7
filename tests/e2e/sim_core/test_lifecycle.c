/*
 * dcos-sim process life cycle, end to end: command-line checks (exit 2,
 * loopback only), the state directory (created 0700, locked), SIGTERM and
 * SIGINT (exit 0), restart with the same directory (same cluster, tokens
 * still valid), --token-ttl, --latency-ms and --speed.
 */
#include <errno.h>
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
#include "sim_core_testutil.h"

#define VERSION_PATH "/dcos-metadata/dcos-version.json"
#define SIM_BIN ETLS_BIN_DIR "/dcos-sim"

static int count_lines(const char *s)
{
    int n = 0;

    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

/* Run dcos-sim with @argv (after the binary); expect exit @code and one
 * stderr line containing @needle. */
static void expect_exit(int code, const char *needle, const char *const *args)
{
    const char *argv[24];
    char *out = NULL, *err = NULL;
    size_t n = 0;
    int rc;

    argv[n++] = SIM_BIN;
    while (*args && n < 23)
        argv[n++] = *args++;
    argv[n] = NULL;
    rc = h_run(argv, NULL, &out, &err);
    if (rc != code)
        fail_msg("%s ...: exit %d, expected %d (stderr: %s)", argv[1], rc,
                 code, err);
    assert_int_equal(count_lines(err), 1);
    assert_true(util_has_prefix(err, "dcos-sim: "));
    if (needle && !strstr(err, needle))
        fail_msg("stderr \"%s\" lacks \"%s\"", err, needle);
    free(out);
    free(err);
}

static void test_bad_args(void **state)
{
    char dir[] = "/tmp/etls-sim-XXXXXX";

    (void)state;
    assert_non_null(mkdtemp(dir));
    {
        const char *a[] = {"--listen", "127.0.0.1:0", NULL};
        expect_exit(2, "--state-dir", a);
    }
    {
        const char *a[] = {"--state-dir", dir, "--bogus", NULL};
        expect_exit(2, "--bogus", a);
    }
    {
        const char *a[] = {"--state-dir", dir, "--listen", NULL};
        expect_exit(2, "--listen", a);
    }
    {
        const char *a[] = {"--state-dir", dir, "--listen", "127.0.0.1", NULL};
        expect_exit(2, "HOST:PORT", a);
    }
    {
        const char *a[] = {"--state-dir", dir, "--listen", "127.0.0.1:70000",
                           NULL};
        expect_exit(2, "port", a);
    }
    {
        const char *a[] = {"--state-dir", dir, "--speed", "0", NULL};
        expect_exit(2, "--speed", a);
    }
    {
        const char *a[] = {"--state-dir", dir, "--speed", "fast", NULL};
        expect_exit(2, "--speed", a);
    }
    {
        const char *a[] = {"--state-dir", dir, "--latency-ms", "-1", NULL};
        expect_exit(2, "--latency-ms", a);
    }
    {
        const char *a[] = {"--state-dir", dir, "--token-ttl", "0", NULL};
        expect_exit(2, "--token-ttl", a);
    }
    {
        const char *a[] = {"--state-dir", dir, "extra", NULL};
        expect_exit(2, "extra", a);
    }
    /* nothing was started: no cluster.json */
    {
        char path[300];

        snprintf(path, sizeof(path), "%s/cluster.json", dir);
        assert_int_not_equal(access(path, F_OK), 0);
    }
    rmdir(dir);
}

static void test_loopback_only(void **state)
{
    static const char *const hosts[] = {"0.0.0.0:0", "10.1.2.3:0",
                                        "[::]:0", "localhost:0",
                                        "128.0.0.1:0"};
    char dir[] = "/tmp/etls-sim-XXXXXX";
    size_t i;

    (void)state;
    assert_non_null(mkdtemp(dir));
    for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        const char *a[] = {"--state-dir", dir, "--listen", hosts[i], NULL};

        expect_exit(2, "--listen", a);
    }
    rmdir(dir);
}

static void test_listen_other_loopback(void **state)
{
    static const char *const extra[] = {"--listen", "127.0.0.2:0", NULL};
    struct h_sim s;
    struct h_resp r;
    char url[200];

    (void)state;
    memset(&s, 0, sizeof(s));
    h_sim_start(&s, NULL, extra);
    assert_true(util_has_prefix(s.url, "https://127.0.0.2:"));
    r = h_req(&s, "GET", VERSION_PATH, NULL, NULL, NULL, NULL, NULL);
    assert_int_equal(r.curl_code, 0); /* certificate carries 127.0.0.2 */
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
    /* only that address listens */
    snprintf(url, sizeof(url), "https://127.0.0.1:%s" VERSION_PATH,
             strrchr(s.url, ':') + 1);
    r = h_req_url(url, s.ca_cert, NULL, NULL);
    assert_int_not_equal(r.curl_code, 0);
    h_resp_free(&r);
    assert_int_equal(h_sim_stop(&s), 0);
    h_sim_destroy(&s);
}

static void test_state_dir(void **state)
{
    char parent[] = "/tmp/etls-sim-XXXXXX", dir[300];
    struct h_sim s;
    struct stat st;

    (void)state;
    assert_non_null(mkdtemp(parent));
    snprintf(dir, sizeof(dir), "%s/state", parent);
    memset(&s, 0, sizeof(s));
    h_sim_start(&s, dir, NULL);
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);

    /* a second sim on the same directory refuses to start */
    {
        const char *a[] = {"--listen", "127.0.0.1:0", "--state-dir", dir,
                           NULL};

        expect_exit(1, "in use", a);
    }
    assert_int_equal(h_sim_stop(&s), 0);
    h_sim_destroy(&s);
    rmdir(dir);
    rmdir(parent);
}

static char *read_file_in(const char *dir, const char *name)
{
    char path[400], *data = NULL;
    size_t len;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (util_read_file(&data, &len, path, 1 << 20) != 0)
        fail_msg("cannot read %s", path);
    return data;
}

static double sim_clock(struct h_sim *s)
{
    struct h_resp r = h_control(s, "GET", "/sim/v1/state", NULL);
    double c;

    assert_int_equal(r.status, 200);
    c = json_number_value(
        json_object_get(json_object_get(r.json, "core"), "clock"));
    h_resp_free(&r);
    return c;
}

static void test_restart_same_cluster(void **state)
{
    struct h_sim s;
    struct h_resp r;
    char *token, *cid, *commit, *ca1, *ca2, *ctl, path[400];
    struct stat st;
    double clock1, clock2;

    (void)state;
    memset(&s, 0, sizeof(s));
    h_sim_start(&s, NULL, NULL);
    h_login(&s);
    token = strdup(s.token);
    ctl = strdup(s.control_token);
    r = h_get(&s, "/metadata");
    assert_int_equal(r.status, 200);
    cid = strdup(json_string_value(json_object_get(r.json, "CLUSTER_ID")));
    h_resp_free(&r);
    r = h_req(&s, "GET", VERSION_PATH, NULL, NULL, NULL, NULL, NULL);
    commit = strdup(
        json_string_value(json_object_get(r.json, "dcos-image-commit")));
    h_resp_free(&r);
    ca1 = read_file_in(s.dir, "ca.crt");
    h_sleep_ms(300);
    clock1 = sim_clock(&s);
    assert_true(clock1 > 0.2);

    /* SIGTERM: clean exit 0, state on disk */
    assert_int_equal(h_sim_stop(&s), 0);
    snprintf(path, sizeof(path), "%s/state.json", s.dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    h_sim_start(&s, s.dir, NULL);
    /* the token issued before the restart is still valid */
    r = h_req(&s, "GET", "/metadata", token, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json,
                                                          "CLUSTER_ID")),
                        cid);
    h_resp_free(&r);
    r = h_req(&s, "GET", VERSION_PATH, NULL, NULL, NULL, NULL, NULL);
    assert_string_equal(
        json_string_value(json_object_get(r.json, "dcos-image-commit")),
        commit);
    h_resp_free(&r);
    ca2 = read_file_in(s.dir, "ca.crt");
    assert_string_equal(ca1, ca2);
    /* the simulated clock continues */
    clock2 = sim_clock(&s);
    assert_true(clock2 >= clock1);
    /* the control token is fresh at each start */
    assert_string_not_equal(ctl, s.control_token);
    r = h_req(&s, "GET", "/sim/v1/requests", ctl, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 401);
    h_resp_free(&r);

    assert_int_equal(h_sim_stop(&s), 0);
    h_sim_destroy(&s);
    free(token);
    free(ctl);
    free(cid);
    free(commit);
    free(ca1);
    free(ca2);
}

static void test_sigint(void **state)
{
    struct h_sim s;
    int status = 0, i;
    pid_t r = 0;

    (void)state;
    memset(&s, 0, sizeof(s));
    h_sim_start(&s, NULL, NULL);
    assert_int_equal(kill((pid_t)s.pid, SIGINT), 0);
    for (i = 0; i < 300; i++) {
        r = waitpid((pid_t)s.pid, &status, WNOHANG);
        if (r == (pid_t)s.pid)
            break;
        h_sleep_ms(50);
    }
    assert_int_equal(r, (pid_t)s.pid);
    s.pid = 0;
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    h_sim_destroy(&s);
}

static void test_token_ttl(void **state)
{
    static const char *const extra[] = {"--token-ttl", "3", NULL};
    struct h_sim s;
    struct h_resp r;
    json_t *pl;
    double exp;
    int i;

    (void)state;
    memset(&s, 0, sizeof(s));
    h_sim_start(&s, NULL, extra);
    h_login(&s);
    pl = tu_jwt_part(s.token, 1);
    assert_non_null(pl);
    exp = json_number_value(json_object_get(pl, "exp"));
    json_decref(pl);
    /* exp is whole seconds rounded up: the token lives at least the ttl
     * (3 s) and at most one second more. */
    assert_true(exp - util_now_wall() <= 4.0);
    assert_true(exp - util_now_wall() >= 2.0);
    r = h_get(&s, "/metadata");
    assert_int_equal(r.status, 200);
    h_resp_free(&r);

    /* bounded wait until the token is past its exp */
    for (i = 0; i < 100 && util_now_wall() <= exp + 0.5; i++)
        h_sleep_ms(100);
    r = h_get(&s, "/metadata");
    assert_int_equal(r.status, 401);
    assert_true(tu_header_is(&r, "WWW-Authenticate", "acsjwt"));
    assert_string_equal(r.content_type, "text/html; charset=UTF-8");
    h_resp_free(&r);
    h_sim_destroy(&s);
}

static void test_latency(void **state)
{
    static const char *const extra[] = {"--latency-ms", "400", NULL};
    static const char *const paths[] = {VERSION_PATH, "/no/such/path",
                                        "/metadata"};
    static const long expect[] = {200, 404, 401};
    struct h_sim s;
    size_t i;

    (void)state;
    memset(&s, 0, sizeof(s));
    h_sim_start(&s, NULL, extra);
    for (i = 0; i < 3; i++) {
        double t0 = util_now_mono(), dt;
        struct h_resp r = h_req(&s, "GET", paths[i], NULL, NULL, NULL, NULL,
                                NULL);

        dt = util_now_mono() - t0;
        assert_int_equal(r.status, expect[i]);
        if (dt < 0.4 || dt > 10.0)
            fail_msg("%s answered in %.3f s with --latency-ms 400", paths[i],
                     dt);
        h_resp_free(&r);
    }
    /* the control API is not part of the simulated cluster: no latency */
    {
        double t0 = util_now_mono(), dt;
        struct h_resp r = h_control(&s, "GET", "/sim/v1/faults", NULL);

        dt = util_now_mono() - t0;
        assert_int_equal(r.status, 200);
        if (dt >= 0.35)
            fail_msg("control API answered in %.3f s", dt);
        h_resp_free(&r);
    }
    h_sim_destroy(&s);
}

static void test_speed(void **state)
{
    static const char *const extra[] = {"--speed", "50", NULL};
    struct h_sim s;
    double c1, c2;

    (void)state;
    memset(&s, 0, sizeof(s));
    h_sim_start(&s, NULL, extra);
    c1 = sim_clock(&s);
    h_sleep_ms(500);
    c2 = sim_clock(&s);
    /* 0.5 s real at 50x: 25 s simulated (at least 20 with slack) */
    if (c2 - c1 < 20.0)
        fail_msg("simulated clock advanced %.2f s in 0.5 s at --speed 50",
                 c2 - c1);
    h_sim_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_args),
        cmocka_unit_test(test_loopback_only),
        cmocka_unit_test(test_listen_other_loopback),
        cmocka_unit_test(test_state_dir),
        cmocka_unit_test(test_restart_same_cluster),
        cmocka_unit_test(test_sigint),
        cmocka_unit_test(test_token_ttl),
        cmocka_unit_test(test_latency),
        cmocka_unit_test(test_speed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
