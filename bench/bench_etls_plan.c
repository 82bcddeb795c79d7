/*
 * bench_etls_plan: how long `etls plan` takes, how much memory it needs and
 * how many requests it makes, for a directory of N services against a
 * private dcos-sim on 127.0.0.1 (docs/bench.md).
 *
 *   bench_etls_plan [-s SERVICES] [-r RUNS]
 *
 * Prints one line:
 *   bench_etls_plan: services=N runs=R wall_ms_median=... wall_ms_max=...
 *   peak_rss_kb=... requests_per_plan=... writes=0
 * Bounded: at most 200 services and 20 runs; every wait is bounded by the
 * harness.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "harness/harness.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void write_manifests(const char *dir, long n)
{
    long i;

    for (i = 0; i < n; i++) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/svc-%03ld.json", dir, i);
        f = fopen(path, "w");
        if (!f) {
            fprintf(stderr, "bench_etls_plan: error: cannot write %s\n",
                    path);
            exit(1);
        }
        fprintf(f,
                "{\"service\":{\"name\":\"svc-%03ld\","
                "\"service_account\":\"svc-%03ld\","
                "\"service_account_secret\":\"svc-%03ld/secret\","
                "\"security\":{\"transport_encryption\":{\"enabled\":true}}},"
                "\"elasticsearch\":{\"xpack_enabled\":true}}\n",
                i, i, i);
        fclose(f);
    }
}

/* Number of logged requests, and of writes among them. */
static void count_requests(struct h_sim *s, size_t *all, size_t *writes)
{
    struct h_resp r = h_control(s, "GET", "/sim/v1/requests", NULL);
    json_t *arr = json_object_get(r.json, "requests"), *e;
    size_t i;

    *all = json_array_size(arr);
    *writes = 0;
    json_array_foreach(arr, i, e)
        if (json_is_true(json_object_get(e, "write")))
            (*writes)++;
    h_resp_free(&r);
    r = h_control(s, "DELETE", "/sim/v1/requests", NULL);
    h_resp_free(&r);
}

int main(int argc, char **argv)
{
    static const char *const extra[] = {"--speed", "50", NULL};
    char dir[] = "/tmp/etls-bench-XXXXXX";
    long services = 20, runs = 5, i;
    double times[20];
    size_t reqs = 0, writes = 0, total_writes = 0;
    struct rusage ru;
    struct h_sim sim;
    int opt;

    while ((opt = getopt(argc, argv, "s:r:")) != -1) {
        if (opt == 's' && util_parse_long(&services, optarg, 1, 200) == 0)
            continue;
        if (opt == 'r' && util_parse_long(&runs, optarg, 1, 20) == 0)
            continue;
        fprintf(stderr, "usage: bench_etls_plan [-s 1..200] [-r 1..20]\n");
        return 2;
    }
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench_etls_plan: error: mkdtemp\n");
        return 1;
    }
    write_manifests(dir, services);
    h_sim_start(&sim, NULL, extra);
    count_requests(&sim, &reqs, &writes);
    for (i = 0; i < runs; i++) {
        const char *argv2[] = {ETLS_BIN_DIR "/etls", "plan", "--sim",
                               sim.dir, "-o", "json", "-f", dir, NULL};
        char *out = NULL, *err = NULL;
        double t0 = util_now_mono();
        int rc = h_run(argv2, NULL, &out, &err);

        times[i] = (util_now_mono() - t0) * 1000.0;
        if (rc != 0) {
            fprintf(stderr, "bench_etls_plan: error: etls exited %d: %s\n",
                    rc, err ? err : "");
            free(out);
            free(err);
            h_sim_destroy(&sim);
            return 1;
        }
        free(out);
        free(err);
        count_requests(&sim, &reqs, &writes);
        total_writes += writes;
    }
    getrusage(RUSAGE_CHILDREN, &ru);
    h_sim_destroy(&sim);
    for (i = 0; i < services; i++) {
        char path[512];

        snprintf(path, sizeof(path), "%s/svc-%03ld.json", dir, i);
        unlink(path);
    }
    rmdir(dir);
    qsort(times, (size_t)runs, sizeof(times[0]), cmp_double);
    printf("bench_etls_plan: services=%ld runs=%ld wall_ms_median=%.1f "
           "wall_ms_max=%.1f peak_rss_kb=%ld requests_per_plan=%zu "
           "writes=%zu\n",
           services, runs, times[runs / 2], times[runs - 1], ru.ru_maxrss,
           reqs, total_writes);
    return total_writes ? 1 : 0;
}
