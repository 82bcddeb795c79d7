#ifndef ETLS_BENCH_UTIL_H
#define ETLS_BENCH_UTIL_H

#include <stddef.h>

#include "harness/harness.h"

/*
 * What the benchmark programs share (docs/performance.md): desired-state
 * documents, a converged template cluster, and running a command while
 * measuring it (wall, CPU, peak RSS, sockets held at once).
 */

/* One measured run of a child process. */
struct bench_proc {
    double wall_s;    /* start to exit */
    double cpu_s;     /* user + system of the child */
    long max_rss_kb;  /* its peak resident set */
    long max_sockets; /* most sockets it held at once (sampled every 2 ms) */
    int status;       /* exit status, or 128 + signal */
    char err[512];    /* the start of its stderr, for a failure message */
};

/* utime + stime of @pid in seconds, or -1. */
double bench_proc_cpu(int pid);

/* Write the desired state of TLS service @name to @dir/@name.json. */
int bench_write_doc(const char *dir, const char *name);

/* svc-000 ... svc-(n-1) (at least 3 digits) into @dir, as dcos-sim's
 * --seed-converged names them. */
int bench_write_docs(const char *dir, long n);

/* The name bench_write_docs and --seed-converged give service @i. */
void bench_service_name(char *out, size_t n, long i);

/*
 * A cluster holding svc-000 converged by `etls apply` (--speed 200): on
 * success @sim is stopped and sim->dir holds its state; copy it and start
 * the copy with --seed-converged N for a large converged cluster.
 * @return 0, or -1 (message on stderr)
 */
int bench_template(struct h_sim *sim);

/*
 * Run @argv (stdout to /dev/null, stderr kept), measuring it.  Bounded:
 * the child is killed after @limit_s seconds (status 128 + SIGKILL).
 * @return 0 when it could be started (check @out->status)
 */
int bench_run(const char *const *argv, double limit_s, struct bench_proc *out);

/* Start @argv in the background, stdout and stderr to @log_path. */
int bench_spawn(const char *const *argv, const char *log_path);

/* Median, minimum and maximum of @v (@n values, sorted in place). */
void bench_stats(double *v, size_t n, double *median, double *min,
                 double *max);

/* Requests the sim logged since the last call, and writes among them;
 * clears its log. */
void bench_sim_requests(struct h_sim *s, size_t *all, size_t *writes);

/* Copy directory @from to a new directory @to (cp -a). */
int bench_copy_dir(const char *from, const char *to);

/* rm -rf @dir. */
void bench_remove_dir(const char *dir);

#endif
