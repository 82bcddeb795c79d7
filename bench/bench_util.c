/*
 * Helpers of the benchmark programs; see bench_util.h.
 */
#define _DEFAULT_SOURCE /* wait4 */

#include "bench_util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"

#define SAMPLE_NS 2000000L /* socket sampling period: 2 ms */

double bench_proc_cpu(int pid)
{
    char path[64], buf[2048], *p;
    unsigned long ut = 0, st = 0;
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')'); /* the command may hold spaces */
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
                            "%lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

void bench_service_name(char *out, size_t n, long i)
{
    snprintf(out, n, "svc-%03ld", i);
}

int bench_write_doc(const char *dir, const char *name)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s.json", dir, name);
    f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bench: error: cannot write %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    fprintf(f,
            "{\"service\":{\"name\":\"%s\",\"service_account\":\"%s\","
            "\"service_account_secret\":\"%s/secret\","
            "\"security\":{\"transport_encryption\":{\"enabled\":true}}},"
            "\"elasticsearch\":{\"xpack_enabled\":true}}\n",
            name, name, name);
    return fclose(f) == 0 ? 0 : -1;
}

int bench_write_docs(const char *dir, long n)
{
    long i;

    for (i = 0; i < n; i++) {
        char name[32];

        bench_service_name(name, sizeof(name), i);
        if (bench_write_doc(dir, name))
            return -1;
    }
    return 0;
}

int bench_run(const char *const *argv, double limit_s, struct bench_proc *out)
{
    char errpath[] = "/tmp/etls-bench-err-XXXXXX";
    struct timespec nap = {0, SAMPLE_NS};
    struct rusage ru;
    double t0;
    int fd, st = 0;
    pid_t pid, w = 0;

    memset(out, 0, sizeof(*out));
    fd = mkstemp(errpath);
    if (fd < 0)
        return -1;
    t0 = util_now_mono();
    pid = fork();
    if (pid < 0) {
        close(fd);
        unlink(errpath);
        return -1;
    }
    if (pid == 0) {
        int nul = open("/dev/null", O_RDWR);

        dup2(nul, 0);
        dup2(nul, 1);
        dup2(fd, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    for (;;) {
        long s;

        w = wait4(pid, &st, WNOHANG, &ru);
        if (w == pid || (w < 0 && errno != EINTR))
            break;
        s = h_proc_fds_to(pid, "socket:");
        if (s > out->max_sockets)
            out->max_sockets = s;
        if (util_now_mono() - t0 > limit_s) {
            kill(pid, SIGKILL);
            w = wait4(pid, &st, 0, &ru);
            break;
        }
        nanosleep(&nap, NULL);
    }
    out->wall_s = util_now_mono() - t0;
    if (w == pid) {
        out->cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                     (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
        out->max_rss_kb = ru.ru_maxrss;
        out->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    } else {
        out->status = 255;
    }
    {
        ssize_t k = pread(fd, out->err, sizeof(out->err) - 1, 0);

        out->err[k > 0 ? k : 0] = '\0';
    }
    close(fd);
    unlink(errpath);
    return 0;
}

int bench_spawn(const char *const *argv, const char *log_path)
{
    pid_t pid = fork();

    if (pid < 0)
        return -1;
    if (pid == 0) {
        int nul = open("/dev/null", O_RDONLY);
        int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        if (nul < 0 || fd < 0)
            _exit(127);
        dup2(nul, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return (int)pid;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

void bench_stats(double *v, size_t n, double *median, double *min,
                 double *max)
{
    if (n == 0) {
        *median = *min = *max = 0;
        return;
    }
    qsort(v, n, sizeof(v[0]), cmp_double);
    *median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    *min = v[0];
    *max = v[n - 1];
}

static int run_quiet(const char *const *argv)
{
    struct bench_proc p;

    if (bench_run(argv, 600, &p))
        return -1;
    if (p.status != 0)
        fprintf(stderr, "bench: error: %s exited %d: %s\n", argv[0],
                p.status, p.err);
    return p.status;
}

int bench_copy_dir(const char *from, const char *to)
{
    const char *cp[] = {"/bin/cp", "-a", from, to, NULL};

    return run_quiet(cp);
}

void bench_remove_dir(const char *dir)
{
    const char *rm[] = {"/bin/rm", "-rf", dir, NULL};

    if (dir && dir[0])
        run_quiet(rm);
}

int bench_template(struct h_sim *sim)
{
    static const char *const fast[] = {"--speed", "200", NULL};
    char mdir[] = "/tmp/etls-bench-XXXXXX";
    int rc;

    if (!mkdtemp(mdir) || bench_write_doc(mdir, "svc-000"))
        return -1;
    h_sim_start(sim, NULL, fast);
    {
        const char *argv[] = {ETLS_BIN_DIR "/etls", "apply", "--sim",
                              sim->dir, "--auto-approve", "-f", mdir, NULL};

        rc = run_quiet(argv);
    }
    bench_remove_dir(mdir);
    if (h_sim_stop(sim) != 0 && rc == 0)
        rc = -1;
    if (rc)
        fprintf(stderr, "bench: error: no converged template service\n");
    return rc;
}

void bench_sim_requests(struct h_sim *s, size_t *all, size_t *writes)
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
