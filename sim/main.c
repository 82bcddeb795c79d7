/*
 * dcos-sim: a local DC/OS Enterprise cluster for tests and demos.
 *
 *   dcos-sim --listen 127.0.0.1:0 --state-dir DIR [--speed X]
 *            [--latency-ms N] [--token-ttl SECONDS] [--catalog DIR]
 *            [--log-level LEVEL] [--seed-converged N]
 *
 * See docs/sim.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "common/secret.h"
#include "common/util.h"
#include "sim/control.h"
#include "sim/core.h"
#include "sim/cosmos.h"
#include "sim/iam.h"
#include "sim/marathon.h"
#include "sim/mesos.h"
#include "sim/metadata.h"
#include "sim/pki.h"
#include "sim/sdk.h"
#include "sim/seed.h"
#include "sim/secrets.h"
#include "sim/server.h"
#include "sim/state.h"

#ifndef SIM_DEFAULT_CATALOG
#define SIM_DEFAULT_CATALOG "catalog"
#endif

#define EXIT_USAGE 2
#define TOKEN_TTL_MAX (10L * 365 * 24 * 3600)

static const struct sim_module *const modules[] = {
    &sim_metadata_module, &sim_control_module,  &sim_iam_module,
    &sim_secrets_module,  &sim_cosmos_module,   &sim_marathon_module,
    &sim_sdk_module,      &sim_mesos_module,
};

#define N_MODULES (sizeof(modules) / sizeof(modules[0]))

struct args {
    char host[INET6_ADDRSTRLEN];
    int port;
    const char *state_dir;
    double speed;
    long latency_ms;
    long token_ttl;
    const char *catalog;
    long seed;               /* --seed-converged, 0 = none */
};

static void usage(FILE *f)
{
    fputs("usage: dcos-sim --listen HOST:PORT --state-dir DIR [--speed X]\n"
          "                [--latency-ms N] [--token-ttl SECONDS]"
          " [--catalog DIR]\n"
          "                [--log-level debug|info|warn|error]"
          " [--seed-converged N]\n",
          f);
}

static int bad_arg(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Print one "dcos-sim: ..." line and return the usage exit status. */
static int bad_arg(const char *fmt, ...)
{
    va_list ap;

    fputs("dcos-sim: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

/* Parse "HOST:PORT" or "[V6]:PORT"; the host must be a loopback address. */
static int parse_listen(struct args *a, const char *v)
{
    const char *colon, *host = v;
    size_t hlen;
    long port;
    struct in_addr in4;
    struct in6_addr in6;

    if (v[0] == '[') {
        const char *end = strchr(v, ']');

        if (!end || end[1] != ':')
            return bad_arg("--listen %s: expected HOST:PORT", v);
        host = v + 1;
        hlen = (size_t)(end - host);
        colon = end + 1;
    } else {
        colon = strrchr(v, ':');
        if (!colon)
            return bad_arg("--listen %s: expected HOST:PORT", v);
        hlen = (size_t)(colon - v);
    }
    if (hlen == 0 || hlen >= sizeof(a->host))
        return bad_arg("--listen %s: expected HOST:PORT", v);
    memcpy(a->host, host, hlen);
    a->host[hlen] = '\0';
    if (util_parse_long(&port, colon + 1, 0, 65535))
        return bad_arg("--listen %s: port must be 0-65535", v);
    a->port = (int)port;
    if (inet_pton(AF_INET, a->host, &in4) == 1) {
        if ((ntohl(in4.s_addr) >> 24) != 127)
            return bad_arg("--listen %s: %s is not a loopback address "
                           "(127.0.0.0/8 or ::1)",
                           v, a->host);
        return 0;
    }
    if (inet_pton(AF_INET6, a->host, &in6) == 1) {
        if (!IN6_IS_ADDR_LOOPBACK(&in6))
            return bad_arg("--listen %s: %s is not a loopback address "
                           "(127.0.0.0/8 or ::1)",
                           v, a->host);
        return 0;
    }
    return bad_arg("--listen %s: %s is not an IP address (use 127.0.0.1 or "
                   "::1)",
                   v, a->host);
}

static int parse_args(struct args *a, int argc, char **argv)
{
    int i;

    memset(a, 0, sizeof(*a));
    strcpy(a->host, "127.0.0.1");
    a->speed = 1.0;
    a->token_ttl = 432000;
    a->catalog = SIM_DEFAULT_CATALOG;
    for (i = 1; i < argc; i++) {
        const char *opt = argv[i], *val = NULL, *eq;
        char name[32];
        int r;

        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strncmp(opt, "--", 2) != 0)
            return bad_arg("unexpected argument %s", opt);
        eq = strchr(opt, '=');
        if (eq) {
            if ((size_t)(eq - opt) >= sizeof(name))
                return bad_arg("unknown option %s", opt);
            memcpy(name, opt, (size_t)(eq - opt));
            name[eq - opt] = '\0';
            val = eq + 1;
        } else {
            if (strlen(opt) >= sizeof(name))
                return bad_arg("unknown option %s", opt);
            strcpy(name, opt);
        }
        if (strcmp(name, "--listen") && strcmp(name, "--state-dir") &&
            strcmp(name, "--speed") && strcmp(name, "--latency-ms") &&
            strcmp(name, "--token-ttl") && strcmp(name, "--catalog") &&
            strcmp(name, "--log-level") && strcmp(name, "--seed-converged"))
            return bad_arg("unknown option %s", name);
        if (!val) {
            if (i + 1 >= argc)
                return bad_arg("%s needs a value", name);
            val = argv[++i];
        }
        if (strcmp(name, "--listen") == 0) {
            r = parse_listen(a, val);
            if (r)
                return r;
        } else if (strcmp(name, "--state-dir") == 0) {
            if (!*val)
                return bad_arg("--state-dir: empty path");
            a->state_dir = val;
        } else if (strcmp(name, "--speed") == 0) {
            if (util_parse_double(&a->speed, val, 1e-3, 1e6))
                return bad_arg("--speed %s: expected a number from 0.001 "
                               "to 1000000",
                               val);
        } else if (strcmp(name, "--latency-ms") == 0) {
            if (util_parse_long(&a->latency_ms, val, 0, 600000))
                return bad_arg("--latency-ms %s: expected an integer from "
                               "0 to 600000",
                               val);
        } else if (strcmp(name, "--token-ttl") == 0) {
            if (util_parse_long(&a->token_ttl, val, 1, TOKEN_TTL_MAX))
                return bad_arg("--token-ttl %s: expected seconds from 1 to "
                               "315360000",
                               val);
        } else if (strcmp(name, "--seed-converged") == 0) {
            if (util_parse_long(&a->seed, val, 1, 100000))
                return bad_arg("--seed-converged %s: expected an integer "
                               "from 1 to 100000",
                               val);
        } else if (strcmp(name, "--catalog") == 0) {
            if (!*val)
                return bad_arg("--catalog: empty path");
            a->catalog = val;
        } else {
            int level = log_level_parse(val);

            if (level < 0)
                return bad_arg("--log-level %s: expected debug, info, warn "
                               "or error",
                               val);
            log_set_level((enum log_level)level);
        }
    }
    if (!a->state_dir)
        return bad_arg("--state-dir DIR is required");
    return 0;
}

/* Create @dir (0700) when missing and return its absolute path (new). */
static char *state_dir_prepare(const char *dir)
{
    char cwd[PATH_MAX], *abs;
    struct stat st;
    size_t n;

    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "dcos-sim: cannot create state directory %s: %s\n",
                dir, strerror(errno));
        return NULL;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "dcos-sim: %s is not a directory\n", dir);
        return NULL;
    }
    if (dir[0] == '/') {
        abs = strdup(dir);
    } else {
        if (!getcwd(cwd, sizeof(cwd))) {
            fprintf(stderr, "dcos-sim: cannot read the working directory: "
                            "%s\n",
                    strerror(errno));
            return NULL;
        }
        n = strlen(cwd) + strlen(dir) + 2;
        abs = malloc(n);
        if (abs)
            snprintf(abs, n, "%s/%s", cwd, dir);
    }
    if (!abs) {
        fputs("dcos-sim: out of memory\n", stderr);
        return NULL;
    }
    n = strlen(abs);
    while (n > 1 && abs[n - 1] == '/')
        abs[--n] = '\0';
    return abs;
}

/* Take an exclusive lock on DIR/lock for the life of the process. */
static int state_dir_lock(const char *dir)
{
    char path[PATH_MAX];
    struct flock fl;
    int fd;

    if (snprintf(path, sizeof(path), "%s/lock", dir) >= (int)sizeof(path))
        return -1;
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "dcos-sim: cannot open %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_SETLK, &fl) != 0) {
        fprintf(stderr,
                "dcos-sim: state directory %s is in use by another "
                "dcos-sim\n",
                dir);
        close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    struct args a;
    struct sim_options opt;
    struct sim_server_config srv;
    struct sim_route_table tables[N_MODULES];
    struct err_info e;
    size_t i;
    static struct sim s;
    sigset_t set;
    char *dir = NULL, *cert = NULL, *key = NULL, path[PATH_MAX];
    int r, sig = 0, lock_fd = -1, rc = 1, started = 0;

    r = parse_args(&a, argc, argv);
    if (r)
        return r;
    err_clear(&e);

    /* Every thread inherits this mask; main collects the signals. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) {
        fputs("dcos-sim: cannot block signals\n", stderr);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    dir = state_dir_prepare(a.state_dir);
    if (!dir)
        return 1;
    lock_fd = state_dir_lock(dir);
    if (lock_fd < 0)
        goto out;
    /* A cluster.json left by an earlier run must not look ready. */
    if (snprintf(path, sizeof(path), "%s/cluster.json", dir) <
        (int)sizeof(path))
        unlink(path);

    memset(&opt, 0, sizeof(opt));
    opt.listen_host = a.host;
    opt.listen_port = a.port;
    opt.state_dir = dir;
    opt.speed = a.speed;
    opt.latency_ms = (int)a.latency_ms;
    opt.token_ttl = (int)a.token_ttl;
    opt.catalog_dir = a.catalog;

    started = 1;
    if (sim_core_init(&s, &opt, &e))
        goto fail;
    if (a.seed && sim_seed_converged(&s, a.seed, &e))
        goto fail;
    if (sim_core_start_modules(&s, modules, N_MODULES, &e))
        goto fail;
    if (sim_pki_server_cert(&s, a.host, &cert, &key, &e))
        goto fail;
    memset(&srv, 0, sizeof(srv));
    for (i = 0; i < N_MODULES; i++) {
        tables[i].routes = modules[i]->routes;
        tables[i].n_routes = modules[i]->n_routes;
    }
    srv.listen_host = a.host;
    srv.listen_port = a.port;
    srv.cert_pem = cert;
    srv.key_pem = key;
    srv.latency_ms = opt.latency_ms;
    srv.control_token = s.control_token;
    srv.tables = tables;
    srv.n_tables = N_MODULES;
    srv.ops = &sim_core_server_ops;
    srv.payload = &s;
    r = sim_server_start(&s.url, &srv, &e);
    secret_wipe_str(key);
    key = NULL;
    free(cert);
    cert = NULL;
    if (r)
        goto fail;
    if (sim_core_ticker_start(&s, modules, N_MODULES, &e) ||
        sim_core_write_cluster_json(&s, &e)) {
        sim_core_ticker_stop(&s);
        sim_server_stop();
        goto fail;
    }
    LOG(LOG_INFO, "sim", "dcos-sim ready url=%s state_dir=%s", s.url, dir);

    for (;;) {
        if (sigwait(&set, &sig) == 0)
            break;
    }
    LOG(LOG_INFO, "sim", "shutting down signal=%d", sig);
    s.stopping = 1;
    sim_server_stop();
    sim_core_ticker_stop(&s);
    sim_core_stop_modules(&s, modules, N_MODULES);
    rc = 0;
    goto out;

fail:
    fprintf(stderr, "dcos-sim: %s\n", e.text[0] ? e.text : "start failed");
out:
    secret_wipe_str(key);
    free(cert);
    if (started)
        sim_core_free(&s);
    if (lock_fd >= 0)
        close(lock_fd);
    free(dir);
    return rc;
}
