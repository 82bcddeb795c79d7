/*
 * bench_etls: issue 11's targets, one row each (docs/performance.md; run
 * through scripts/bench.sh, which turns the rows into the table).
 *
 *   bench_etls [-t TARGETS] [-r RUNS] [-n N[,N...]] [-s SERVICES]
 *              [-R RESYNCS] [-b RUNBOOK] [--smoke]
 *
 *   1  no-op plan of one converged service, sim at --latency-ms 100
 *   2  one service from an empty cluster, --latency-ms 100, --speed 200
 *   3  plan of N converged services (-n, default 100,1000,2000)
 *   4  SERVICES (-s, default 100) services from an empty cluster, against
 *      generating as many RSA-2048 keys on every core in this process
 *   5  the daemon: CPU while idle between resyncs, RSS over RESYNCS (-R,
 *      default 100) resyncs of SERVICES services
 *   6  ratios against the curl(1) runbook (-b bench/runbook_curl.sh) for 1
 *      and SERVICES services, both from an empty cluster
 *
 * Every row: "bench_etls: target=T case=... key=value ..." with the
 * median, minimum and maximum wall time of RUNS runs (-r, default 5), the
 * etls process's CPU and peak RSS, the most sockets it held at once, the
 * requests the sim logged, and the sim's own CPU and RSS over the runs.
 * --smoke: the smallest sizes, one run, for the test suite (no timing is
 * judged there; a row says met= only as information).  Bounded: every run
 * has a time limit, every wait a deadline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "bench_util.h"
#include "common/util.h"
#include "harness/harness.h"

#define MAX_RUNS 20
#define MAX_SIZES 8
#define RUN_LIMIT_S 1200.0
#define LATENCY "100"

struct opts {
    unsigned targets; /* bit T for target T */
    long runs;
    long sizes[MAX_SIZES];
    size_t n_sizes;
    long services;
    long resyncs;
    const char *runbook;
    int smoke;
};

/* The measured runs of one row. */
struct row {
    double wall[MAX_RUNS], cpu[MAX_RUNS];
    long runs, rss_kb, sockets;
    size_t requests, writes;
    double sim_cpu0, sim_cpu; /* the sim's CPU: at row_sim_begin, summed */
    long sim_rss_kb;          /* its largest VmRSS seen at row_sim_end */
    int failed;
};

static int g_failures;

static void row_sim_begin(struct row *w, int sim_pid)
{
    w->sim_cpu0 = bench_proc_cpu(sim_pid);
}

static void row_sim_end(struct row *w, int sim_pid)
{
    long rss = h_proc_status(sim_pid, "VmRSS");

    w->sim_cpu += bench_proc_cpu(sim_pid) - w->sim_cpu0;
    if (rss > w->sim_rss_kb)
        w->sim_rss_kb = rss;
}

/* One measured run of @argv into @w; @want: the exit status expected. */
static int row_run(struct row *w, const char *const *argv, int want)
{
    struct bench_proc p;

    if (bench_run(argv, RUN_LIMIT_S, &p) || p.status != want) {
        fprintf(stderr, "bench_etls: error: %s %s exited %d (want %d): %s\n",
                argv[0], argv[1], p.status, want, p.err);
        w->failed = 1;
        g_failures++;
        return -1;
    }
    w->wall[w->runs] = p.wall_s * 1000.0;
    w->cpu[w->runs] = p.cpu_s * 1000.0;
    w->runs++;
    if (p.max_rss_kb > w->rss_kb)
        w->rss_kb = p.max_rss_kb;
    if (p.max_sockets > w->sockets)
        w->sockets = p.max_sockets;
    return 0;
}

/*
 * Print the row: stats of the runs, the sim's cost, @limit_ms and whether
 * the median met it (when @limit_ms > 0), then more key=value fields.
 */
static void row_print(struct row *w, int target, const char *name,
                      double limit_ms, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void row_print(struct row *w, int target, const char *name,
                      double limit_ms, const char *fmt, ...)
{
    double med, lo, hi, cmed, clo, chi;
    va_list ap;

    bench_stats(w->wall, (size_t)w->runs, &med, &lo, &hi);
    bench_stats(w->cpu, (size_t)w->runs, &cmed, &clo, &chi);
    printf("bench_etls: target=%d case=%s runs=%ld wall_ms_median=%.1f "
           "wall_ms_min=%.1f wall_ms_max=%.1f etls_cpu_ms=%.1f "
           "etls_rss_mb=%.1f sockets_max=%ld requests=%zu writes=%zu "
           "sim_cpu_ms_per_run=%.1f sim_rss_mb=%.1f",
           target, name, w->runs, med, lo, hi, cmed,
           (double)w->rss_kb / 1024.0, w->sockets, w->requests, w->writes,
           w->runs ? w->sim_cpu * 1000.0 / (double)w->runs : 0.0,
           (double)w->sim_rss_kb / 1024.0);
    if (limit_ms > 0)
        printf(" limit_ms=%.1f met=%d", limit_ms, !w->failed && med <= limit_ms);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("%s\n", w->failed ? " failed=1" : "");
    fflush(stdout);
}

/* The median wall time of @w's runs, in ms. */
static double row_median(const struct row *w)
{
    double v[MAX_RUNS], med, lo, hi;

    memcpy(v, w->wall, sizeof(v));
    bench_stats(v, (size_t)w->runs, &med, &lo, &hi);
    return med;
}

/* A private copy of @tmpl seeded with @n services, started. */
static int start_seeded(struct h_sim *sim, const char *tmpl, long n,
                        const char *latency)
{
    char nstr[16], *dir = util_format("%s-%ld", tmpl, n);
    const char *extra[] = {"--seed-converged", nstr, "--log-level", "warn",
                           "--speed", "10", "--latency-ms", latency, NULL};

    snprintf(nstr, sizeof(nstr), "%ld", n);
    if (!dir || bench_copy_dir(tmpl, dir)) {
        free(dir);
        return -1;
    }
    memset(sim, 0, sizeof(*sim));
    h_sim_start_wait(sim, dir, n > 1 ? extra : extra + 2, 600);
    free(dir);
    return 0;
}

static char *docs_dir(long n)
{
    char *d = util_format("/tmp/etls-bench-docs-XXXXXX");

    if (!d || !mkdtemp(d) || bench_write_docs(d, n)) {
        fprintf(stderr, "bench_etls: error: cannot write documents\n");
        exit(1);
    }
    return d;
}

/* Longest chain of depends_on in `etls plan -o json` of @docs. */
static int plan_depth(struct h_sim *sim, const char *docs)
{
    const char *argv[] = {ETLS_BIN_DIR "/etls", "plan", "--sim", sim->dir,
                          "-o", "json", "-f", docs, NULL};
    char *out = NULL, *err = NULL;
    json_t *j, *rc, *e;
    int depth = 0, changed = 1, d[64] = {0};
    size_t i, k, n;

    h_run(argv, NULL, &out, &err);
    j = json_loads(out ? out : "", 0, NULL);
    rc = json_object_get(j, "resource_changes");
    n = json_array_size(rc) < 64 ? json_array_size(rc) : 64;
    while (changed) { /* relax until no chain grows (a DAG: <= n rounds) */
        changed = 0;
        for (i = 0; i < n; i++) {
            json_t *deps = json_object_get(json_array_get(rc, i),
                                           "depends_on");
            int best = 1;

            json_array_foreach(deps, k, e) {
                size_t m;

                for (m = 0; m < n; m++)
                    if (json_equal(json_object_get(json_array_get(rc, m),
                                                   "address"),
                                   e) &&
                        d[m] + 1 > best)
                        best = d[m] + 1;
            }
            if (best > d[i] && best <= (int)n) {
                d[i] = best;
                changed = 1;
            }
        }
    }
    for (i = 0; i < n; i++)
        depth = d[i] > depth ? d[i] : depth;
    json_decref(j);
    free(out);
    free(err);
    return depth;
}


#define ETLS ETLS_BIN_DIR "/etls"

/* Runs of a slow row: at most 3. */
static long few(const struct opts *o)
{
    return o->runs < 3 ? o->runs : 3;
}

/* Target 1's runs of @argv on @sim into a new row. */
static void noop_runs(const struct opts *o, struct h_sim *sim,
                      const char *const *argv, const char *name)
{
    struct row w, warm;
    long i;

    memset(&w, 0, sizeof(w));
    memset(&warm, 0, sizeof(warm));
    row_run(&warm, argv, 0); /* the sim's first answers: not counted */
    bench_sim_requests(sim, &w.requests, &w.writes);
    row_sim_begin(&w, sim->pid);
    for (i = 0; i < o->runs && !w.failed; i++)
        row_run(&w, argv, 0);
    row_sim_end(&w, sim->pid);
    bench_sim_requests(sim, &w.requests, &w.writes);
    w.requests /= (size_t)(w.runs ? w.runs : 1);
    row_print(&w, 1, name, 2.5 * 100, " latency_ms=100");
}

static void target1(const struct opts *o, const char *tmpl)
{
    char *docs = docs_dir(1);
    const char *login[] = {ETLS, "plan", "--sim", NULL, "-f", docs, NULL};
    const char *token[] = {ETLS, "plan", "--cluster", NULL, "--ca-cert",
                           NULL, "-f", docs, NULL};
    struct h_sim sim;

    if (start_seeded(&sim, tmpl, 1, LATENCY) == 0) {
        /* as `--sim` does: log in with the cluster's credentials */
        login[3] = sim.dir;
        noop_runs(o, &sim, login, "noop-plan-1-at-100ms-login");
        /* as with a dcos CLI set up: a token, no login */
        h_login(&sim);
        token[3] = sim.url;
        token[5] = sim.ca_cert;
        setenv("DCOS_ACS_TOKEN", sim.token, 1);
        noop_runs(o, &sim, token, "noop-plan-1-at-100ms-token");
        unsetenv("DCOS_ACS_TOKEN");
        h_sim_destroy(&sim);
    }
    bench_remove_dir(docs);
    free(docs);
}

static void target2(const struct opts *o)
{
    static const char *const extra[] = {"--speed", "200", "--latency-ms",
                                        LATENCY, NULL};
    char *docs = docs_dir(1);
    const char *argv[] = {ETLS, "apply", "--sim", NULL, "--auto-approve",
                          "-f", docs, NULL};
    struct h_sim sim;
    struct row w;
    int depth = 0;
    long i;

    memset(&w, 0, sizeof(w));
    for (i = 0; i < few(o) && !w.failed; i++) {
        h_sim_start(&sim, NULL, extra);
        if (i == 0)
            depth = plan_depth(&sim, docs);
        bench_sim_requests(&sim, &w.requests, &w.writes);
        argv[3] = sim.dir;
        row_sim_begin(&w, sim.pid);
        row_run(&w, argv, 0);
        row_sim_end(&w, sim.pid);
        bench_sim_requests(&sim, &w.requests, &w.writes);
        h_sim_destroy(&sim);
    }
    row_print(&w, 2, "apply-1-from-empty-at-100ms", (depth + 1) * 100.0,
              " latency_ms=100 plan_depth=%d", depth);
    bench_remove_dir(docs);
    free(docs);
}

static void target3(const struct opts *o, const char *tmpl)
{
    double first = 0, last = 0;
    long n0 = 0, n1 = 0;
    size_t k;

    for (k = 0; k < o->n_sizes; k++) {
        long n = o->sizes[k], i, runs = n >= 1000 ? few(o) : o->runs;
        char *docs = docs_dir(n), name[48];
        const char *argv[] = {ETLS, "plan", "--sim", NULL, "-f", docs, NULL};
        struct h_sim sim;
        struct row w;
        double per;

        memset(&w, 0, sizeof(w));
        if (start_seeded(&sim, tmpl, n, "0") == 0) {
            argv[3] = sim.dir;
            bench_sim_requests(&sim, &w.requests, &w.writes);
            row_sim_begin(&w, sim.pid);
            for (i = 0; i < runs && !w.failed; i++)
                row_run(&w, argv, 0);
            row_sim_end(&w, sim.pid);
            bench_sim_requests(&sim, &w.requests, &w.writes);
            w.requests /= (size_t)(w.runs ? w.runs : 1);
            per = row_median(&w) / (double)n;
            snprintf(name, sizeof(name), "plan-%ld-converged", n);
            row_print(&w, 3, name, n == 1000 ? 3000.0 : 0,
                      " services=%ld ms_per_service=%.3f rss_limit_mb=64 "
                      "rss_met=%d sockets_limit=64 sockets_met=%d",
                      n, per, w.rss_kb <= 64 * 1024, w.sockets <= 64);
            if (k == 0) {
                first = per;
                n0 = n;
            }
            last = per;
            n1 = n;
            h_sim_destroy(&sim);
        }
        bench_remove_dir(docs);
        free(docs);
    }
    if (o->n_sizes > 1 && first > 0)
        printf("bench_etls: target=3 case=linearity services=%ld,%ld "
               "ms_per_service=%.3f,%.3f ratio=%.2f limit=1.3 met=%d\n",
               n0, n1, first, last, last / first, last / first <= 1.3);
}

struct keygen_job {
    long n;
    int failed;
};

static void *keygen_worker(void *arg)
{
    struct keygen_job *j = arg;
    long i;

    for (i = 0; i < j->n; i++) {
        EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);

        if (!k)
            j->failed = 1;
        EVP_PKEY_free(k);
    }
    return NULL;
}

/* Wall ms to generate @n RSA-2048 keys on every online core. */
static double keygen_ms(long n)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN), i;
    struct keygen_job jobs[64];
    pthread_t th[64];
    double t0 = util_now_mono();

    if (cores < 1)
        cores = 1;
    if (cores > 64)
        cores = 64;
    for (i = 0; i < cores; i++) {
        jobs[i].n = n / cores + (i < n % cores);
        jobs[i].failed = 0;
        if (pthread_create(&th[i], NULL, keygen_worker, &jobs[i]))
            keygen_worker(&jobs[i]), th[i] = 0;
    }
    for (i = 0; i < cores; i++)
        if (th[i])
            pthread_join(th[i], NULL);
    for (i = 0; i < cores; i++)
        if (jobs[i].failed)
            g_failures++;
    return (util_now_mono() - t0) * 1000.0;
}

/* `etls apply` of @n services on a fresh sim, few(o) runs into @w. */
static void apply_scratch(const struct opts *o, long n, struct row *w)
{
    static const char *const extra[] = {"--speed", "200", NULL};
    char *docs = docs_dir(n);
    const char *argv[] = {ETLS, "apply", "--sim", NULL, "--auto-approve",
                          "-f", docs, NULL};
    struct h_sim sim;
    long i;

    memset(w, 0, sizeof(*w));
    for (i = 0; i < few(o) && !w->failed; i++) {
        h_sim_start(&sim, NULL, extra);
        bench_sim_requests(&sim, &w->requests, &w->writes);
        argv[3] = sim.dir;
        row_sim_begin(w, sim.pid);
        row_run(w, argv, 0);
        row_sim_end(w, sim.pid);
        bench_sim_requests(&sim, &w->requests, &w->writes);
        h_sim_destroy(&sim);
    }
    w->requests /= (size_t)(w->runs ? w->runs : 1);
    w->writes /= (size_t)(w->runs ? w->runs : 1);
    bench_remove_dir(docs);
    free(docs);
}

static double g_apply_n_ms; /* target 4's median, reused by target 6 */

static void target4(const struct opts *o)
{
    struct row w;
    double kg = keygen_ms(o->services);
    char name[48];

    apply_scratch(o, o->services, &w);
    g_apply_n_ms = row_median(&w);
    snprintf(name, sizeof(name), "apply-%ld-from-empty", o->services);
    row_print(&w, 4, name, 1.3 * kg,
              " services=%ld keygen_ms=%.1f keygen_cores=%ld", o->services,
              kg, sysconf(_SC_NPROCESSORS_ONLN));
}

/* A running `etls run`: its pid, log and status address. */
struct daemon {
    int pid;
    char log[64];
    char addr[64];
};

static int daemon_start(struct daemon *d, struct h_sim *sim,
                        const char *docs, const char *resync)
{
    const char *argv[] = {ETLS, "run", "--sim", sim->dir, "-f", docs,
                          "--listen", "127.0.0.1:0", "--resync", resync,
                          NULL};
    double deadline = util_now_mono() + 60;
    int fd;

    memset(d, 0, sizeof(*d));
    snprintf(d->log, sizeof(d->log), "/tmp/etls-bench-run-XXXXXX");
    fd = mkstemp(d->log);
    if (fd < 0)
        return -1;
    close(fd);
    d->pid = bench_spawn(argv, d->log);
    while (d->pid > 0 && util_now_mono() < deadline) {
        FILE *f = fopen(d->log, "r");
        char line[1024];

        while (f && fgets(line, sizeof(line), f)) {
            const char *p = strstr(line, " listen=");

            if (p && sscanf(p + 8, "%63[^ \n]", d->addr) == 1) {
                fclose(f);
                return 0;
            }
        }
        if (f)
            fclose(f);
        h_sleep_ms(50);
    }
    fprintf(stderr, "bench_etls: error: etls run did not start (log %s)\n",
            d->log);
    g_failures++;
    return -1;
}

/* Sum of etls_reconciles_total, or -1. */
static double daemon_reconciles(const struct daemon *d)
{
    char url[128];
    struct h_resp r;
    const char *p;
    double sum = -1;

    snprintf(url, sizeof(url), "http://%s/metrics", d->addr);
    r = h_req_url(url, NULL, NULL, NULL);
    for (p = r.body; r.status == 200 && p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char line[512];
        const char *sp;
        double v;

        if (n < sizeof(line) && strncmp(p, "etls_reconciles_total", 21) == 0) {
            memcpy(line, p, n);
            line[n] = '\0';
            sp = strrchr(line, ' ');
            if (sp && sscanf(sp, "%lf", &v) == 1)
                sum = (sum < 0 ? 0 : sum) + v;
        }
        p = nl ? nl + 1 : p + n;
    }
    h_resp_free(&r);
    return sum;
}

/* Wait until the daemon counted @n reconciles; bounded by @limit_s.  The
 * largest VmRSS seen meanwhile (MB) into *@rss_max when not NULL. */
static int daemon_wait_rss(const struct daemon *d, double n, double limit_s,
                           double *rss_max)
{
    double deadline = util_now_mono() + limit_s;

    while (util_now_mono() < deadline) {
        if (rss_max) {
            double rss = (double)h_proc_status(d->pid, "VmRSS") / 1024.0;

            if (rss > *rss_max)
                *rss_max = rss;
        }
        if (daemon_reconciles(d) >= n)
            return 0;
        h_sleep_ms(100);
    }
    fprintf(stderr, "bench_etls: error: etls run made fewer than %.0f "
            "reconciles in %.0f s\n", n, limit_s);
    g_failures++;
    return -1;
}

static int daemon_wait(const struct daemon *d, double n, double limit_s)
{
    return daemon_wait_rss(d, n, limit_s, NULL);
}

static void daemon_stop(struct daemon *d)
{
    int st, i;

    if (d->pid <= 0)
        return;
    kill(d->pid, SIGTERM);
    for (i = 0; i < 300 && waitpid(d->pid, &st, WNOHANG) == 0; i++)
        h_sleep_ms(100);
    if (i == 300) {
        kill(d->pid, SIGKILL);
        waitpid(d->pid, &st, 0);
    }
    if (!g_failures) /* else kept for the error message's reader */
        unlink(d->log);
}

static void target5(const struct opts *o, const char *tmpl)
{
    char *docs = docs_dir(o->services);
    double s = (double)o->services, c0, c1, idle_pct = -1, rss_first = -1;
    double w = o->resyncs >= 20 ? 5 : 1;
    double rss_last = -1, t0, wall = 0, cpu = 0;
    struct daemon d;
    struct h_sim sim;

    memset(&d, 0, sizeof(d));
    if (start_seeded(&sim, tmpl, o->services, "0"))
        goto out;
    /* idle: one resync a minute; measure between the first and second */
    if (daemon_start(&d, &sim, docs, "60s") == 0 &&
        daemon_wait(&d, s, 300) == 0) {
        int idle_s = o->smoke ? 2 : 10;

        h_sleep_ms(1000);
        c0 = bench_proc_cpu(d.pid);
        h_sleep_ms(idle_s * 1000);
        c1 = bench_proc_cpu(d.pid);
        idle_pct = 100.0 * (c1 - c0) / idle_s;
    }
    daemon_stop(&d);
    /*
     * churn: resync as often as it can.  RSS: the largest seen over
     * resyncs 10-15 against the largest over the last 5 (a single sample
     * lands anywhere in the reconciles in flight, ~1 MB of noise; the
     * smoke's 11 resyncs use windows of one).
     */
    if (daemon_start(&d, &sim, docs, "1s") == 0 &&
        daemon_wait(&d, s * 10, 600) == 0 &&
        daemon_wait_rss(&d, s * (10 + w), 600, &rss_first) == 0) {
        c0 = bench_proc_cpu(d.pid);
        t0 = util_now_mono();
        if (daemon_wait(&d, s * (double)(o->resyncs - w), 900) == 0 &&
            daemon_wait_rss(&d, s * (double)o->resyncs, 600,
                            &rss_last) == 0) {
            wall = util_now_mono() - t0;
            cpu = bench_proc_cpu(d.pid) - c0;
        } else {
            rss_last = -1;
        }
    }
    daemon_stop(&d);
    printf("bench_etls: target=5 case=daemon-%ld-services services=%ld "
           "idle_cpu_pct=%.2f resyncs=%ld rss_mb_early=%.1f "
           "rss_mb_late=%.1f rss_growth_mb=%.1f churn_s=%.1f "
           "churn_cpu_s=%.1f sim_rss_mb=%.1f met=%d\n",
           o->services, o->services, idle_pct, o->resyncs, rss_first,
           rss_last, rss_last - rss_first, wall, cpu,
           (double)h_proc_status(sim.pid, "VmRSS") / 1024.0,
           idle_pct >= 0 && idle_pct < 0.5 && rss_last > 0 &&
               rss_last - rss_first <= 1.0);
    fflush(stdout);
    h_sim_destroy(&sim);
out:
    bench_remove_dir(docs);
    free(docs);
}

/* The runbook for @n services on a fresh sim: wall ms, or -1. */
static double runbook_ms(const char *script, long n)
{
    static const char *const extra[] = {"--speed", "200", NULL};
    char nstr[16];
    const char *argv[] = {"/bin/bash", script, "--sim", NULL, "--services",
                          nstr, NULL};
    struct bench_proc p;
    struct h_sim sim;
    double ms = -1;

    snprintf(nstr, sizeof(nstr), "%ld", n);
    h_sim_start(&sim, NULL, extra);
    argv[3] = sim.dir;
    if (bench_run(argv, RUN_LIMIT_S, &p) == 0 && p.status == 0)
        ms = p.wall_s * 1000.0;
    else {
        fprintf(stderr, "bench_etls: error: runbook exited %d: %s\n",
                p.status, p.err);
        g_failures++;
    }
    h_sim_destroy(&sim);
    return ms;
}

static void target6(const struct opts *o)
{
    long sizes[2] = {1, o->services};
    size_t k;

    for (k = 0; k < 2; k++) {
        struct row w;
        double etls_ms, curl_ms = runbook_ms(o->runbook, sizes[k]);

        if (k == 1 && g_apply_n_ms > 0) {
            etls_ms = g_apply_n_ms; /* target 4 measured it in this run */
        } else {
            apply_scratch(o, sizes[k], &w);
            etls_ms = row_median(&w);
        }
        printf("bench_etls: target=6 case=runbook-%ld services=%ld "
               "etls_ms=%.1f runbook_curl_ms=%.1f speedup=%.2f\n",
               sizes[k], sizes[k], etls_ms, curl_ms,
               etls_ms > 0 && curl_ms > 0 ? curl_ms / etls_ms : 0.0);
        fflush(stdout);
    }
}

static int parse_list(long *out, size_t *n, char *arg, long lo, long hi)
{
    char *tok, *save = NULL;

    *n = 0;
    for (tok = strtok_r(arg, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save))
        if (*n == MAX_SIZES || util_parse_long(&out[(*n)++], tok, lo, hi))
            return -1;
    return *n ? 0 : -1;
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {{"smoke", no_argument, NULL, 'S'},
                                          {NULL, 0, NULL, 0}};
    struct opts o = {0x7e, 5, {100, 1000, 2000}, 3, 100, 100, NULL, 0};
    long t[MAX_SIZES];
    size_t nt, i;
    struct h_sim tmpl;
    int c;

    while ((c = getopt_long(argc, argv, "t:r:n:s:R:b:", longs, NULL)) != -1) {
        if (c == 't' && parse_list(t, &nt, optarg, 1, 6) == 0) {
            for (o.targets = 0, i = 0; i < nt; i++)
                o.targets |= 1u << t[i];
        } else if (c == 'r' && util_parse_long(&o.runs, optarg, 1,
                                                MAX_RUNS) == 0) {
        } else if (c == 'n' &&
                   parse_list(o.sizes, &o.n_sizes, optarg, 1, 5000) == 0) {
        } else if (c == 's' &&
                   util_parse_long(&o.services, optarg, 1, 1000) == 0) {
        } else if (c == 'R' &&
                   util_parse_long(&o.resyncs, optarg, 11, 100000) == 0) {
        } else if (c == 'b') {
            o.runbook = optarg;
        } else if (c == 'S') {
            o.smoke = 1;
        } else {
            fprintf(stderr, "usage: bench_etls [-t 1..6[,...]] [-r 1..20] "
                            "[-n N[,N...]] [-s 1..1000] [-R 11..100000] "
                            "[-b RUNBOOK] [--smoke]\n");
            return 2;
        }
    }
    if (o.smoke) {
        o.runs = 1;
        o.sizes[0] = 3;
        o.sizes[1] = 6;
        o.n_sizes = 2;
        o.services = 2;
        o.resyncs = 11;
    }
    if (!o.runbook)
        o.targets &= ~(1u << 6);
    memset(&tmpl, 0, sizeof(tmpl));
    if ((o.targets & ((1u << 1) | (1u << 3) | (1u << 5))) &&
        bench_template(&tmpl) != 0) {
        h_sim_destroy(&tmpl);
        return 1;
    }
    if (o.targets & (1u << 1))
        target1(&o, tmpl.dir);
    if (o.targets & (1u << 2))
        target2(&o);
    if (o.targets & (1u << 3))
        target3(&o, tmpl.dir);
    if (o.targets & (1u << 4))
        target4(&o);
    if (o.targets & (1u << 5))
        target5(&o, tmpl.dir);
    if (o.targets & (1u << 6))
        target6(&o);
    if (tmpl.dir[0])
        h_sim_destroy(&tmpl);
    if (g_failures)
        fprintf(stderr, "bench_etls: error: %d run(s) failed\n", g_failures);
    return g_failures ? 1 : 0;
}
