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
#include "bench_util.h"
#include "harness/harness.h"

int main(int argc, char **argv)
{
    static const char *const extra[] = {"--speed", "50", NULL};
    char dir[] = "/tmp/etls-bench-XXXXXX";
    long services = 20, runs = 5, i;
    double times[20], med, lo, hi;
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
    if (bench_write_docs(dir, services)) {
        rmdir(dir);
        return 1;
    }
    h_sim_start(&sim, NULL, extra);
    bench_sim_requests(&sim, &reqs, &writes);
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
        bench_sim_requests(&sim, &reqs, &writes);
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
    bench_stats(times, (size_t)runs, &med, &lo, &hi);
    printf("bench_etls_plan: services=%ld runs=%ld wall_ms_median=%.1f "
           "wall_ms_max=%.1f peak_rss_kb=%ld requests_per_plan=%zu "
           "writes=%zu\n",
           services, runs, med, hi, ru.ru_maxrss,
           reqs, total_writes);
    return total_writes ? 1 : 0;
}
