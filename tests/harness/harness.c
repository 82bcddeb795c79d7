/*
 * End-to-end harness: a private dcos-sim per test and blocking libcurl
 * requests.  See harness.h.
 */
#include "harness/harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "common/buf.h"
#include "common/util.h"

#define H_BODY_MAX (16u * 1024 * 1024)

static int g_curl_ready;

static void h_curl_init(void)
{
    if (!g_curl_ready) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        g_curl_ready = 1;
    }
}

void h_sleep_ms(int ms)
{
    struct timespec ts;

    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void copy_str(char *dst, size_t n, const char *src)
{
    if (!src || strlen(src) >= n)
        fail_msg("harness: value too long or missing");
    memcpy(dst, src, strlen(src) + 1);
}

static int read_cluster_json(struct h_sim *s)
{
    char path[512];
    json_t *root;
    json_error_t jerr;

    snprintf(path, sizeof(path), "%s/cluster.json", s->dir);
    if (access(path, R_OK) != 0)
        return 0;
    root = json_load_file(path, 0, &jerr);
    if (!root)
        return 0;
    copy_str(s->url, sizeof(s->url),
             json_string_value(json_object_get(root, "url")));
    copy_str(s->ca_cert, sizeof(s->ca_cert),
             json_string_value(json_object_get(root, "ca_cert")));
    copy_str(s->control_token, sizeof(s->control_token),
             json_string_value(json_object_get(root, "control_token")));
    json_decref(root);
    return 1;
}

void h_sim_start(struct h_sim *s, const char *dir, const char *const *extra)
{
    h_sim_start_wait(s, dir, extra, 20);
}

void h_sim_start_wait(struct h_sim *s, const char *dir,
                      const char *const *extra, int wait_s)
{
    const char *argv[64];
    char bin[512], clusterjson[512];
    size_t n = 0;
    pid_t pid;
    int i;

    h_curl_init();
    if (dir != s->dir) {
        memset(s, 0, sizeof(*s));
        if (dir) {
            copy_str(s->dir, sizeof(s->dir), dir);
        } else {
            char tmpl[] = "/tmp/etls-sim-XXXXXX";

            if (!mkdtemp(tmpl))
                fail_msg("harness: mkdtemp: %s", strerror(errno));
            copy_str(s->dir, sizeof(s->dir), tmpl);
        }
    }
    free(s->token);
    s->token = NULL;
    s->url[0] = '\0';
    snprintf(clusterjson, sizeof(clusterjson), "%s/cluster.json", s->dir);
    unlink(clusterjson);

    snprintf(bin, sizeof(bin), "%s/dcos-sim", ETLS_BIN_DIR);
    argv[n++] = bin;
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--state-dir";
    argv[n++] = s->dir;
    for (i = 0; extra && extra[i] && n < 62; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;

    pid = fork();
    if (pid < 0)
        fail_msg("harness: fork: %s", strerror(errno));
    if (pid == 0) {
        const char *quiet = getenv("ETLS_TEST_SIM_LOG");
        int fd;

        /* A test that dies must not leave its simulator running. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);

        if (!quiet || !*quiet) {
            fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
        }
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    s->pid = (int)pid;

    /* Wait (bounded: @wait_s) for cluster.json. */
    for (i = 0; i < wait_s * 20; i++) {
        int status;

        if (read_cluster_json(s))
            return;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            s->pid = 0;
            fail_msg("harness: dcos-sim exited early (status %d)", status);
        }
        h_sleep_ms(50);
    }
    fail_msg("harness: dcos-sim did not write cluster.json within %d s",
             wait_s);
}

int h_sim_stop(struct h_sim *s)
{
    int status = 0, i;

    if (s->pid <= 0)
        return -1;
    kill((pid_t)s->pid, SIGTERM);
    for (i = 0; i < 300; i++) {
        pid_t r = waitpid((pid_t)s->pid, &status, WNOHANG);

        if (r == (pid_t)s->pid) {
            s->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status)
                                     : 128 + WTERMSIG(status);
        }
        h_sleep_ms(50);
    }
    kill((pid_t)s->pid, SIGKILL);
    waitpid((pid_t)s->pid, &status, 0);
    s->pid = 0;
    fail_msg("harness: dcos-sim did not exit within 15 s of SIGTERM");
    return -1;
}

static void rm_rf(const char *dir)
{
    const char *argv[] = {"rm", "-rf", dir, NULL};
    pid_t pid = fork();

    if (pid == 0) {
        execvp("rm", (char *const *)argv);
        _exit(127);
    }
    if (pid > 0)
        waitpid(pid, NULL, 0);
}

void h_sim_destroy(struct h_sim *s)
{
    if (s->pid > 0)
        h_sim_stop(s);
    if (s->dir[0] && util_has_prefix(s->dir, "/tmp/etls-sim-"))
        rm_rf(s->dir);
    free(s->token);
    s->token = NULL;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct buf *b = ud;

    if (buf_append(b, p, size * n) != 0)
        return 0;
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct buf *b = ud;

    /* A new status line (e.g. after 100-continue) starts a new block. */
    if (size * n >= 5 && memcmp(p, "HTTP/", 5) == 0)
        buf_reset(b);
    if (buf_append(b, p, size * n) != 0)
        return 0;
    return size * n;
}

static struct h_resp perform(CURL *c, struct curl_slist *hdrs)
{
    struct h_resp r;
    struct buf body, head;
    char *ct = NULL;
    json_error_t jerr;

    memset(&r, 0, sizeof(r));
    buf_init(&body, H_BODY_MAX);
    buf_init(&head, 1024 * 1024);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &head);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 60000L);
    if (hdrs)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    r.curl_code = (int)curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    r.content_type = ct ? strdup(ct) : NULL;
    r.len = body.len;
    r.body = buf_detach(&body);
    r.headers = buf_detach(&head);
    r.json = r.len ? json_loadb(r.body, r.len, 0, &jerr) : NULL;
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    return r;
}

struct h_resp h_req(struct h_sim *s, const char *method, const char *path,
                    const char *token, const char *ctype, const char *accept,
                    const char *body, const char *const *headers)
{
    struct curl_slist *hdrs = NULL;
    char url[2048], line[4096];
    CURL *c;
    int i;

    h_curl_init();
    c = curl_easy_init();
    if (!c)
        fail_msg("harness: curl_easy_init");
    snprintf(url, sizeof(url), "%s%s", s->url, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CAINFO, s->ca_cert);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (token) {
        snprintf(line, sizeof(line), "Authorization: token=%s", token);
        hdrs = curl_slist_append(hdrs, line);
    }
    if (ctype) {
        snprintf(line, sizeof(line), "Content-Type: %s", ctype);
        hdrs = curl_slist_append(hdrs, line);
    } else if (body) {
        /* Suppress libcurl's default form Content-Type. */
        hdrs = curl_slist_append(hdrs, "Content-Type:");
    }
    if (accept) {
        snprintf(line, sizeof(line), "Accept: %s", accept);
        hdrs = curl_slist_append(hdrs, line);
    } else {
        hdrs = curl_slist_append(hdrs, "Accept:");
    }
    hdrs = curl_slist_append(hdrs, "Expect:");
    for (i = 0; headers && headers[i]; i++)
        hdrs = curl_slist_append(hdrs, headers[i]);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    return perform(c, hdrs);
}

struct h_resp h_get(struct h_sim *s, const char *path)
{
    return h_req(s, "GET", path, s->token, NULL, NULL, NULL, NULL);
}

struct h_resp h_put(struct h_sim *s, const char *path, const char *body)
{
    return h_req(s, "PUT", path, s->token, body ? "application/json" : NULL,
                 NULL, body, NULL);
}

struct h_resp h_post(struct h_sim *s, const char *path, const char *body)
{
    return h_req(s, "POST", path, s->token,
                 body ? "application/json" : NULL, NULL, body, NULL);
}

struct h_resp h_patch(struct h_sim *s, const char *path, const char *body)
{
    return h_req(s, "PATCH", path, s->token,
                 body ? "application/json" : NULL, NULL, body, NULL);
}

struct h_resp h_delete(struct h_sim *s, const char *path)
{
    return h_req(s, "DELETE", path, s->token, NULL, NULL, NULL, NULL);
}

struct cosmos_op {
    const char *op;      /* as passed by the test */
    const char *path;    /* URL path */
    const char *request; /* media type names */
    const char *response;
    const char *rversion;
};

static const struct cosmos_op cosmos_ops[] = {
    {"package/install", "/package/install", "package.install-request",
     "package.install-response", "v2"},
    {"package/list", "/package/list", "package.list-request",
     "package.list-response", "v1"},
    {"package/describe", "/package/describe", "package.describe-request",
     "package.describe-response", "v3"},
    {"package/uninstall", "/package/uninstall", "package.uninstall-request",
     "package.uninstall-response", "v1"},
    {"package/list-versions", "/package/list-versions",
     "package.list-versions-request", "package.list-versions-response", "v1"},
    {"package/search", "/package/search", "package.search-request",
     "package.search-response", "v1"},
    {"package/repository/list", "/package/repository/list",
     "package.repository.list-request", "package.repository.list-response",
     "v1"},
    {"service/describe", "/cosmos/service/describe",
     "service.describe-request", "service.describe-response", "v1"},
    {"service/update", "/cosmos/service/update", "service.update-request",
     "service.update-response", "v1"},
};

struct h_resp h_cosmos(struct h_sim *s, const char *op, const char *body)
{
    char ctype[256], accept[512];
    size_t i;

    for (i = 0; i < sizeof(cosmos_ops) / sizeof(cosmos_ops[0]); i++) {
        const struct cosmos_op *o = &cosmos_ops[i];

        if (strcmp(o->op, op) != 0)
            continue;
        snprintf(ctype, sizeof(ctype),
                 "application/vnd.dcos.%s+json;charset=utf-8;version=v1",
                 o->request);
        snprintf(accept, sizeof(accept),
                 "application/vnd.dcos.%s+json;charset=utf-8;version=%s,"
                 "application/vnd.dcos.package.error+json;charset=utf-8;"
                 "version=v1",
                 o->response, o->rversion);
        return h_req(s, "POST", o->path, s->token, ctype, accept,
                     body ? body : "{}", NULL);
    }
    fail_msg("harness: unknown cosmos op %s", op);
    return h_req(s, "POST", "/", NULL, NULL, NULL, NULL, NULL);
}

struct h_resp h_control(struct h_sim *s, const char *method,
                        const char *path, const char *body)
{
    return h_req(s, method, path, s->control_token,
                 body ? "application/json" : NULL, NULL, body, NULL);
}

struct h_resp h_req_url(const char *url, const char *cacert,
                        const char *resolve, const char *userpwd)
{
    struct curl_slist *res = NULL;
    struct h_resp r;
    CURL *c;

    h_curl_init();
    c = curl_easy_init();
    if (!c)
        fail_msg("harness: curl_easy_init");
    curl_easy_setopt(c, CURLOPT_URL, url);
    if (cacert) {
        curl_easy_setopt(c, CURLOPT_CAINFO, cacert);
    } else {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (resolve) {
        res = curl_slist_append(NULL, resolve);
        curl_easy_setopt(c, CURLOPT_RESOLVE, res);
    }
    if (userpwd)
        curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
    r = perform(c, NULL);
    curl_slist_free_all(res);
    return r;
}

void h_resp_free(struct h_resp *r)
{
    free(r->body);
    free(r->content_type);
    free(r->headers);
    json_decref(r->json);
    memset(r, 0, sizeof(*r));
}

void h_login(struct h_sim *s)
{
    struct h_resp r;
    const char *tok;

    r = h_req(s, "POST", "/acs/api/v1/auth/login", NULL, "application/json",
              NULL, "{\"uid\":\"bootstrapuser\",\"password\":\"deleteme\"}",
              NULL);
    if (r.status != 200 || !r.json)
        fail_msg("harness: login failed: HTTP %ld curl %d %s", r.status,
                 r.curl_code, r.body ? r.body : "");
    tok = json_string_value(json_object_get(r.json, "token"));
    if (!tok)
        fail_msg("harness: login answer has no token");
    free(s->token);
    s->token = strdup(tok);
    h_resp_free(&r);
}

int h_wait(struct h_sim *s, const char *path,
           int (*pred)(const struct h_resp *r, void *arg), void *arg,
           int timeout_ms, int interval_ms)
{
    double deadline = util_now_mono() + timeout_ms / 1000.0;
    int i;

    /* Bounded in count as well as in time. */
    for (i = 0; i < 100000; i++) {
        struct h_resp r = h_get(s, path);
        int ok = pred(&r, arg);

        h_resp_free(&r);
        if (ok)
            return 1;
        if (util_now_mono() >= deadline)
            return 0;
        h_sleep_ms(interval_ms);
    }
    return 0;
}

char *h_fixture(const char *relpath)
{
    char path[1024], *data = NULL;
    size_t len;

    snprintf(path, sizeof(path), "%s/%s", ETLS_FIXTURES_DIR, relpath);
    if (util_read_file(&data, &len, path, 64u * 1024 * 1024) != 0)
        fail_msg("harness: cannot read fixture %s", path);
    return data;
}

/* Read everything from @fd into a new string. */
static char *slurp_fd(int fd)
{
    struct buf b;
    char tmp[4096];

    buf_init(&b, H_BODY_MAX);
    for (;;) {
        ssize_t n = read(fd, tmp, sizeof(tmp));

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (buf_append(&b, tmp, (size_t)n) != 0)
            break;
    }
    return buf_detach(&b);
}

int h_run(const char *const *argv, const char *input, char **out, char **err)
{
    char outpath[] = "/tmp/etls-run-out-XXXXXX";
    char errpath[] = "/tmp/etls-run-err-XXXXXX";
    int in_pipe[2], ofd, efd, status = 0;
    pid_t pid;

    ofd = mkstemp(outpath);
    efd = mkstemp(errpath);
    if (ofd < 0 || efd < 0 || pipe(in_pipe) != 0)
        fail_msg("harness: h_run setup: %s", strerror(errno));
    unlink(outpath);
    unlink(errpath);
    pid = fork();
    if (pid < 0)
        fail_msg("harness: fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(in_pipe[0], 0);
        dup2(ofd, 1);
        dup2(efd, 2);
        close(in_pipe[1]);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(in_pipe[0]);
    if (input) {
        size_t off = 0, len = strlen(input);

        signal(SIGPIPE, SIG_IGN);
        while (off < len) {
            ssize_t n = write(in_pipe[1], input + off, len - off);

            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            off += (size_t)n;
        }
    }
    close(in_pipe[1]);
    waitpid(pid, &status, 0);
    lseek(ofd, 0, SEEK_SET);
    lseek(efd, 0, SEEK_SET);
    if (out)
        *out = slurp_fd(ofd);
    if (err)
        *err = slurp_fd(efd);
    close(ofd);
    close(efd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

long h_proc_status(int pid, const char *name)
{
    char path[64], line[256];
    size_t n = strlen(name);
    long v = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, name, n) == 0 && line[n] == ':')
            v = strtol(line + n + 1, NULL, 10);
    fclose(f);
    return v;
}

/*
 * Call @fn(@arg, target) for each open descriptor of process @pid (its
 * link's target, "" when unreadable).  Returns what the calls returned,
 * summed, or -1 when the descriptors cannot be listed.
 */
static long proc_fd_each(int pid, long (*fn)(void *, const char *),
                         void *arg)
{
    char path[64], link[96], target[64];
    struct dirent *e;
    long n = 0;
    DIR *d;

    snprintf(path, sizeof(path), "/proc/%d/fd", pid);
    d = opendir(path);
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL) {
        ssize_t k;

        if (e->d_name[0] == '.')
            continue;
        snprintf(link, sizeof(link), "%s/%.20s", path, e->d_name);
        k = readlink(link, target, sizeof(target) - 1);
        target[k > 0 ? k : 0] = '\0';
        n += fn(arg, target);
    }
    closedir(d);
    return n;
}

static long fd_has_prefix(void *arg, const char *target)
{
    const char *prefix = arg;

    return !prefix || strncmp(target, prefix, strlen(prefix)) == 0;
}

long h_proc_fds_to(int pid, const char *prefix)
{
    return proc_fd_each(pid, fd_has_prefix, (void *)prefix);
}

long h_proc_fds(int pid)
{
    return h_proc_fds_to(pid, NULL);
}

/* Is socket inode @ino in table @file (/proc/PID/net/tcp) in a state other
 * than LISTEN (0A)? */
static int tcp_connected(const char *file, unsigned long ino)
{
    char line[512];
    int found = 0;
    FILE *f = fopen(file, "r");

    while (f && !found && fgets(line, sizeof(line), f)) {
        unsigned long inode;
        unsigned st;

        /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
        if (sscanf(line, "%*s %*s %*s %x %*s %*s %*s %*s %*s %lu", &st,
                   &inode) == 2 &&
            inode == ino)
            found = st != 0x0A;
    }
    if (f)
        fclose(f);
    return found;
}

static long fd_tcp_connected(void *arg, const char *target)
{
    const int *pid = arg;
    char t4[64], t6[64];
    unsigned long ino;

    if (sscanf(target, "socket:[%lu]", &ino) != 1)
        return 0;
    snprintf(t4, sizeof(t4), "/proc/%d/net/tcp", *pid);
    snprintf(t6, sizeof(t6), "/proc/%d/net/tcp6", *pid);
    return tcp_connected(t4, ino) || tcp_connected(t6, ino);
}

long h_proc_tcp_connections(int pid)
{
    return proc_fd_each(pid, fd_tcp_connected, &pid);
}
