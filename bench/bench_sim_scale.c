/*
 * bench_sim_scale: what dcos-sim itself costs with N converged services
 * (docs/sim.md "Scale"): start-up, idle CPU, a read-only sweep, RSS.
 *
 *   bench_sim_scale [-n N[,N...]] [-i IDLE_SECONDS]
 *
 * One service is converged by `etls apply` on a private dcos-sim, then for
 * each N a copy of that state directory is started with
 * `--seed-converged N` and measured from /proc/<pid>/stat and status:
 *
 *   bench_sim_scale: services=N startup_s=... startup_cpu_s=...
 *   idle_cpu_pct=... sweep_requests=... sweep_s=... sweep_cpu_s=...
 *   rss_mb=... threads=... fds=... state_mb=... log_growth=0
 *
 * The sims run at --speed 10.  idle_cpu_pct is the sim's CPU (user +
 * system) over IDLE_SECONDS of nothing, starting 5 s after the start, in
 * % of one core; the sweep reads, for every service, its
 * deploy plan, its secret and its account (log_growth: bytes the sweep
 * added to state.log, 0 = reads write nothing).  Bounded: N <= 5000,
 * every wait bounded by the harness.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "bench_util.h"
#include "harness/harness.h"

#define MAX_SIZES 8
#define IDLE_SETTLE_MS 5000

static long file_size(const char *dir, const char *name)
{
    char path[512];
    struct stat st;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* One row for @n services seeded from @tmpl_dir. */
static int measure(const char *tmpl_dir, long n, int idle_s)
{
    char nstr[16], *dir;
    const char *extra[] = {"--seed-converged", nstr, "--log-level", "warn",
                           "--speed", "10", NULL};
    double t0, t_start, c_start, c1, c2, t_sweep, c_sweep;
    long log0, reqs = 0, i;
    struct h_sim sim;
    int bad = 0;

    snprintf(nstr, sizeof(nstr), "%ld", n);
    dir = util_format("%s-%ld", tmpl_dir, n);
    if (!dir || bench_copy_dir(tmpl_dir, dir) != 0)
        return -1;
    memset(&sim, 0, sizeof(sim));
    t0 = util_now_mono();
    h_sim_start_wait(&sim, dir, extra, 600);
    t_start = util_now_mono() - t0;
    c_start = bench_proc_cpu(sim.pid);
    h_login(&sim);
    /* idle: the token above was the last request; services are ticked at
     * the idle rate 30 simulated seconds after their last change (3 s at
     * --speed 10) */
    h_sleep_ms(IDLE_SETTLE_MS);
    c1 = bench_proc_cpu(sim.pid);
    h_sleep_ms(idle_s * 1000);
    c2 = bench_proc_cpu(sim.pid);
    log0 = file_size(dir, "state.log");
    t0 = util_now_mono();
    for (i = 0; i < n; i++) {
        char name[24];
        size_t k;

        snprintf(name, sizeof(name), "%03ld", i);
        for (k = 0; k < 3; k++) {
            char *path = NULL;
            struct h_resp r;

            if (k == 0)
                path = util_format("/service/svc-%s/v1/plans/deploy", name);
            else if (k == 1)
                path = util_format("/secrets/v1/secret/default/svc-%s/secret",
                                   name);
            else
                path = util_format("/acs/api/v1/users/svc-%s", name);
            r = h_get(&sim, path);
            free(path);
            bad += r.status != 200;
            reqs++;
            h_resp_free(&r);
        }
    }
    t_sweep = util_now_mono() - t0;
    c_sweep = bench_proc_cpu(sim.pid) - c2;
    printf("bench_sim_scale: services=%ld startup_s=%.2f startup_cpu_s=%.2f "
           "idle_cpu_pct=%.2f sweep_requests=%ld sweep_s=%.2f "
           "sweep_cpu_s=%.2f rss_mb=%.1f threads=%ld fds=%ld state_mb=%.1f "
           "log_growth=%ld errors=%d\n",
           n, t_start, c_start, 100.0 * (c2 - c1) / idle_s, reqs, t_sweep,
           c_sweep, (double)h_proc_status(sim.pid, "VmRSS") / 1024.0,
           h_proc_status(sim.pid, "Threads"), h_proc_fds(sim.pid),
           (double)file_size(dir, "state.json") / 1048576.0,
           file_size(dir, "state.log") - log0, bad);
    fflush(stdout);
    h_sim_destroy(&sim);
    bench_remove_dir(dir);
    free(dir);
    return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
    long sizes[MAX_SIZES] = {100, 1000, 2000}, idle = 10;
    size_t n_sizes = 3, i;
    struct h_sim tmpl;
    int opt, rc = 0;

    while ((opt = getopt(argc, argv, "n:i:")) != -1) {
        if (opt == 'n') {
            char *tok, *save = NULL;

            n_sizes = 0;
            for (tok = strtok_r(optarg, ",", &save); tok;
                 tok = strtok_r(NULL, ",", &save)) {
                if (n_sizes == MAX_SIZES ||
                    util_parse_long(&sizes[n_sizes++], tok, 1, 5000) != 0)
                    goto usage;
            }
            if (n_sizes)
                continue;
        }
        if (opt == 'i' && util_parse_long(&idle, optarg, 1, 120) == 0)
            continue;
        goto usage;
    }
    memset(&tmpl, 0, sizeof(tmpl));
    if (bench_template(&tmpl) != 0) {
        h_sim_destroy(&tmpl);
        return 1;
    }
    for (i = 0; i < n_sizes && rc == 0; i++)
        rc = measure(tmpl.dir, sizes[i], (int)idle);
    if (rc)
        fprintf(stderr, "bench_sim_scale: error: a run failed\n");
    h_sim_destroy(&tmpl);
    return rc ? 1 : 0;
usage:
    fprintf(stderr, "usage: bench_sim_scale [-n N[,N...]] [-i 1..120]\n");
    return 2;
}
