/*
 * Hostile command-line inputs (issue 10), each refused before any request
 * reaches the cluster (the sim's request log stays empty), within a
 * bound, with a message that says what is wrong and does not repeat a
 * secret: a cluster URL with user information (also with --insecure, whose
 * warning printed the URL), a query or a fragment, plain http with
 * --insecure; a FIFO as --token-file, --password-file, --ca-cert or
 * --sim's cluster.json (each hung forever before).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "e2e/etls/etls_testutil.h"

#define BOUND_S 10.0
#define PW "PwSeCrEt-91c2"

static struct h_sim g_sim;
static char *g_doc;

/* `etls plan -f g_doc ARGS` (with --sim when @sim): exit 1 in time, no
 * request logged, @want in stderr, PW nowhere. */
static void refused(int sim, const char *want, const char *a1,
                    const char *a2, const char *a3, const char *a4)
{
    double t0;
    struct e_run r;
    json_t *log;

    e_log_clear(&g_sim);
    t0 = util_now_mono();
    r = e_etls(sim ? &g_sim : NULL, "plan", g_doc, a1, a2, a3, a4,
               (char *)NULL);
    if (r.rc != 1 || util_now_mono() - t0 > BOUND_S)
        fail_msg("%s %s: exit %d after %.1f s\n%s", a1, a2 ? a2 : "", r.rc,
                 util_now_mono() - t0, r.err);
    e_expect_err(&r, want);
    if (strstr(r.out, PW) || strstr(r.err, PW))
        fail_msg("the URL's password was printed:\n%s%s", r.out, r.err);
    log = e_log(&g_sim);
    if (json_array_size(log) != 0)
        fail_msg("%s: %zu request(s) reached the cluster", a1,
                 json_array_size(log));
    json_decref(log);
    e_run_free(&r);
}

static void test_cluster_url(void **state)
{
    char *u;
    const char *host = g_sim.url + strlen("https://");

    (void)state;
    u = util_format("https://admin:" PW "@%s", host);
    refused(1, "must not hold a user name or password", "--cluster", u,
            "--insecure", NULL);
    refused(1, "must not hold a user name or password", "--cluster", u,
            NULL, NULL);
    free(u);
    u = util_format("%s/?token=" PW, g_sim.url);
    refused(1, "must not have a query", "--cluster", u, NULL, NULL);
    free(u);
    u = util_format("%s#x", g_sim.url);
    refused(1, "must not have a query (?...) or a fragment", "--cluster", u,
            NULL, NULL);
    free(u);
    u = util_format("http://%s", host);
    refused(1, "must start with https://", "--cluster", u, "--insecure",
            NULL);
    free(u);
}

static void test_fifos(void **state)
{
    char dir[] = "/tmp/etls-hostile-cli-XXXXXX";
    char *fifo, *simdir, *cj;

    (void)state;
    assert_non_null(mkdtemp(dir));
    fifo = util_format("%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    refused(1, "not a regular file (a FIFO)", "--token-file", fifo, NULL,
            NULL);
    refused(1, "not a regular file (a FIFO)", "--uid", "bootstrapuser",
            "--password-file", fifo);
    refused(1, "CA certificate file", "--ca-cert", fifo, NULL, NULL);
    refused(1, "not a regular file (a FIFO)", "--ca-cert", fifo, NULL, NULL);
    /* --sim with a FIFO cluster.json (no sim flag: this directory). */
    simdir = util_format("%s/sim", dir);
    assert_int_equal(mkdir(simdir, 0700), 0);
    cj = util_format("%s/cluster.json", simdir);
    assert_int_equal(mkfifo(cj, 0600), 0);
    refused(0, "not a regular file (a FIFO)", "--sim", simdir, NULL, NULL);
    unlink(cj);
    rmdir(simdir);
    unlink(fifo);
    rmdir(dir);
    free(cj);
    free(simdir);
    free(fifo);
}

static int group_up(void **state)
{
    g_doc = e_runbook_file();
    return h_group_up(state, &g_sim, E_SPEED);
}

static int group_down(void **state)
{
    free(g_doc);
    return h_group_down(state, &g_sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cluster_url),
        cmocka_unit_test(test_fifos),
    };

    return cmocka_run_group_tests(tests, group_up, group_down);
}
