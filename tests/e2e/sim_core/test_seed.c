/*
 * dcos-sim --seed-converged N, end to end: one service converged by etls
 * becomes N services etls finds up to date (plan exit 0, no changes, no
 * write), each with its own account, secret, app and TLS node; a state
 * without exactly one service is refused.  With --scale: 2,000 services
 * on as many threads and descriptors as one (label stress).
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
#include "harness/harness.h"

#define SIM_BIN ETLS_BIN_DIR "/dcos-sim"
#define ETLS_BIN ETLS_BIN_DIR "/etls"
#define N_SEED 20

/* Write the desired state of svc-000 .. svc-(n-1) into @dir. */
static void write_manifests(const char *dir, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/svc-%03d.json", dir, i);
        f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f,
                "{\"service\":{\"name\":\"svc-%03d\","
                "\"service_account\":\"svc-%03d\","
                "\"service_account_secret\":\"svc-%03d/secret\","
                "\"security\":{\"transport_encryption\":{\"enabled\":true}}},"
                "\"elasticsearch\":{\"xpack_enabled\":true}}\n",
                i, i, i);
        assert_int_equal(fclose(f), 0);
    }
}

static void remove_manifests(const char *dir, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        char path[512];

        snprintf(path, sizeof(path), "%s/svc-%03d.json", dir, i);
        unlink(path);
    }
    rmdir(dir);
}

/* Run etls @cmd ("plan" or "apply") on @mdir against @s; its exit
 * status, stdout in *@out (new). */
static int run_etls(struct h_sim *s, const char *cmd, const char *mdir,
                    char **out)
{
    const char *argv[] = {ETLS_BIN, cmd, "--sim", s->dir, "-f", mdir,
                          strcmp(cmd, "apply") == 0 ? "--auto-approve"
                                                    : NULL,
                          NULL};
    char *err = NULL;
    int rc = h_run(argv, NULL, out, &err);

    if (rc != 0)
        print_message("etls %s: exit %d: %s\n", cmd, rc, err ? err : "");
    free(err);
    return rc;
}

/* Number of writes in the request log (and the log emptied). */
static size_t count_writes(struct h_sim *s)
{
    struct h_resp r = h_control(s, "GET", "/sim/v1/requests", NULL);
    json_t *e;
    size_t i, n = 0;

    assert_int_equal(r.status, 200);
    json_array_foreach(json_object_get(r.json, "requests"), i, e)
        n += json_is_true(json_object_get(e, "write"));
    h_resp_free(&r);
    r = h_control(s, "DELETE", "/sim/v1/requests", NULL);
    h_resp_free(&r);
    return n;
}

/* svc-000 converged by etls apply in a new sim, stopped; @mdir (a
 * mkdtemp template) holds its desired state. */
static void converge_template(struct h_sim *s, char *mdir)
{
    static const char *const fast[] = {"--speed", "200", NULL};
    char *out = NULL;

    assert_non_null(mkdtemp(mdir));
    memset(s, 0, sizeof(*s));
    h_sim_start(s, NULL, fast);
    write_manifests(mdir, 1);
    assert_int_equal(run_etls(s, "apply", mdir, &out), 0);
    free(out);
    assert_int_equal(h_sim_stop(s), 0);
}

/* @svc's coordinator answers HTTPS under its own autoip name with a
 * certificate of the cluster CA, as a cluster of its own. */
static void expect_node_https(struct h_sim *s, const char *svc)
{
    char *p = util_format("/service/%s/v1/endpoints/coordinator-http", svc);
    struct h_resp r = h_get(s, p);
    const char *dns, *port;
    char *url, *resolve;

    assert_int_equal(r.status, 200);
    dns = json_string_value(json_array_get(json_object_get(r.json, "dns"),
                                           0));
    assert_non_null(dns);
    port = strrchr(dns, ':');
    assert_non_null(port);
    url = util_format("https://%s/_cluster/health", dns);
    resolve = util_format("%.*s:%s:127.0.0.1", (int)(port - dns), dns,
                          port + 1);
    h_resp_free(&r);
    r = h_req_url(url, s->ca_cert, resolve, "elastic:changeme");
    assert_int_equal(r.curl_code, 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(
        json_string_value(json_object_get(r.json, "cluster_name")), svc);
    h_resp_free(&r);
    free(url);
    free(resolve);
    free(p);
}

/*
 * Observation builds the requests of a few services at a time, not of all
 * (controller/observe.h, OBSERVE_WINDOW_PER_CONNECTION): with two
 * connections, at most 16 requests pending before one more service's
 * reads go out, where all 20 services would be ~160.  The plan is the
 * same: every service up to date.
 */
static void observe_windowed(struct h_sim *s, const char *mdir)
{
    const char *argv[] = {ETLS_BIN, "plan", "--sim", s->dir, "-f", mdir,
                          "--max-connections", "2", "--log-level", "info",
                          NULL};
    char *out = NULL, *err = NULL;
    const char *at;
    unsigned peak = 0;

    assert_int_equal(h_run(argv, NULL, &out, &err), 0);
    assert_non_null(strstr(out, "No changes."));
    assert_non_null(strstr(out, "Service svc-019: up to date."));
    at = err ? strstr(err, "requests at once, ") : NULL;
    if (!at || sscanf(at, "requests at once, %u running or queued",
                      &peak) != 1)
        fail_msg("no observation summary in the log: %s", err ? err : "");
    if (peak > 2 * 8 + 12)
        fail_msg("%u requests built at once with two connections", peak);
    free(out);
    free(err);
}

static void test_seeded_services_converged(void **state)
{
    static const char *const seed[] = {"--speed", "200", "--seed-converged",
                                       "20", NULL};
    char mdir[] = "/tmp/etls-seed-XXXXXX";
    struct h_sim s;
    struct h_resp r;
    char *out = NULL;

    (void)state;
    converge_template(&s, mdir);
    h_sim_start(&s, s.dir, seed);
    h_login(&s);
    write_manifests(mdir, N_SEED);
    count_writes(&s);
    assert_int_equal(run_etls(&s, "plan", mdir, &out), 0);
    assert_non_null(strstr(out, "No changes."));
    assert_non_null(strstr(out, "Service svc-019: up to date."));
    free(out);
    assert_int_equal(count_writes(&s), 0);

    /* each copy is a service of its own: its account, its app, its TLS
     * node answering under its own name with a certificate of the CA */
    r = h_get(&s, "/acs/api/v1/users/svc-019");
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json,
                                                          "description")),
                        "Service account for svc-019");
    h_resp_free(&r);
    expect_node_https(&s, "svc-019");
    observe_windowed(&s, mdir);
    h_sim_destroy(&s);
    remove_manifests(mdir, N_SEED);
}

/* 2,000 services (label stress): the sim starts, holds as many threads
 * and descriptors as with one, and serves the last and the first. */
static void test_seed_scale(void **state)
{
    static const char *const seed[] = {"--speed", "10", "--seed-converged",
                                       "2000", "--log-level", "warn", NULL};
    char mdir[] = "/tmp/etls-seed-XXXXXX";
    struct h_sim s;
    struct h_resp r;

    (void)state;
    converge_template(&s, mdir);
    h_sim_start_wait(&s, s.dir, seed, 300);
    h_login(&s);
    if (h_proc_status(s.pid, "Threads") > 9)
        fail_msg("2,000 services: %ld threads",
                 h_proc_status(s.pid, "Threads"));
    if (h_proc_fds(s.pid) > 32)
        fail_msg("2,000 services: %ld descriptors", h_proc_fds(s.pid));
    r = h_get(&s, "/service/svc-1999/v1/plans/deploy");
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")),
                        "COMPLETE");
    h_resp_free(&r);
    expect_node_https(&s, "svc-1999");
    expect_node_https(&s, "svc-000");
    h_sim_destroy(&s);
    remove_manifests(mdir, 1);
}

static void test_seed_needs_one_service(void **state)
{
    struct h_sim s;
    const char *argv[] = {SIM_BIN, "--listen", "127.0.0.1:0", "--state-dir",
                          NULL, "--seed-converged", "5", NULL};
    char *out = NULL, *err = NULL;

    (void)state;
    memset(&s, 0, sizeof(s));
    h_sim_start(&s, NULL, NULL);
    assert_int_equal(h_sim_stop(&s), 0);
    argv[4] = s.dir;
    assert_int_equal(h_run(argv, NULL, &out, &err), 1);
    assert_non_null(strstr(err, "exactly one service (it holds 0)"));
    free(out);
    free(err);
    h_sim_destroy(&s);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seeded_services_converged),
        cmocka_unit_test(test_seed_needs_one_service),
    };
    const struct CMUnitTest scale[] = {
        cmocka_unit_test(test_seed_scale),
    };

    /* --scale: the 2,000-service run alone (CTest label stress) */
    if (argc > 1 && strcmp(argv[1], "--scale") == 0)
        return cmocka_run_group_tests(scale, NULL, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
