/*
 * bench_sim_node: requests per second and latency percentiles of one
 * simulated Elasticsearch node (sim/node.h) over N keep-alive connections,
 * HTTPS by default, on 127.0.0.1 only.  Bounded by a request count and a
 * time limit.  Prints one line:
 *
 *   bench_sim_node: tls=1 path=/ connections=8 requests=20000
 *   seconds=0.614 rps=32576.8 p50_ms=0.119 p90_ms=0.176 p99_ms=0.252
 *   max_ms=1.600 errors=0 new_connections=0
 *
 * (on one line; new_connections counts connections opened after the
 * warm-up: 0 when every request rode a kept-alive connection).  Exit
 * status 0 when every measured request got 200 with a body, else 1; 2 on
 * bad usage.  See docs/bench.md.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "common/util.h"
#include "sim/node.h"
#include "testcert.h"

#define L4LB "coordinator.elastic.l4lb.thisdcos.directory"
#define AUTOIP "coordinator-0-node.elastic.autoip.dcos.thisdcos.directory"
#define MAX_CONNS 256
#define MAX_REQUESTS 1000000L

struct opts {
    long conns;
    long requests;
    double seconds;
    bool tls;
    const char *path;
};

struct conn {
    CURL *h;
    long status;
    size_t bytes;
};

struct run {
    double *lat_ms; /* one per measured request */
    long done;
    long errors;
    long new_conns; /* connections opened while measuring */
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct conn *c = ud;

    (void)p;
    c->bytes += size * n;
    return size * n;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_sim_node [-c CONNECTIONS] [-n REQUESTS] "
            "[-t SECONDS] [-p PATH] [--plain]\n"
            "  -c  keep-alive connections, 1..%d (default 8)\n"
            "  -n  measured requests, 1..%ld (default 20000)\n"
            "  -t  time limit in seconds, 0.1..600 (default 10)\n"
            "  -p  request path (default /)\n"
            "  --plain  plain HTTP instead of HTTPS\n",
            MAX_CONNS, MAX_REQUESTS);
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
    int i;

    *o = (struct opts){.conns = 8, .requests = 20000, .seconds = 10,
                       .tls = true, .path = "/"};
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--plain") == 0) {
            o->tls = false;
            continue;
        }
        if (!v)
            return -1;
        if (strcmp(a, "-c") == 0) {
            if (util_parse_long(&o->conns, v, 1, MAX_CONNS))
                return -1;
        } else if (strcmp(a, "-n") == 0) {
            if (util_parse_long(&o->requests, v, 1, MAX_REQUESTS))
                return -1;
        } else if (strcmp(a, "-t") == 0) {
            if (util_parse_double(&o->seconds, v, 0.1, 600))
                return -1;
        } else if (strcmp(a, "-p") == 0) {
            if (v[0] != '/')
                return -1;
            o->path = v;
        } else {
            return -1;
        }
        i++;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The @p-th percentile (0..100) of the sorted @v[@n], nearest rank. */
static double percentile(const double *v, long n, double p)
{
    long rank = (long)((p / 100.0) * (double)n + 0.999999);

    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

/* Configure @c for one GET of @url. */
static int conn_setup(struct conn *c, const char *url, struct curl_slist *ct,
                      const char *ca_path)
{
    c->h = curl_easy_init();
    if (!c->h)
        return -1;
    curl_easy_setopt(c->h, CURLOPT_URL, url);
    curl_easy_setopt(c->h, CURLOPT_PRIVATE, c);
    curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->h, CURLOPT_CONNECT_TO, ct);
    curl_easy_setopt(c->h, CURLOPT_USERNAME, "elastic");
    curl_easy_setopt(c->h, CURLOPT_PASSWORD, "changeme");
    curl_easy_setopt(c->h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    if (ca_path)
        curl_easy_setopt(c->h, CURLOPT_CAINFO, ca_path);
    return 0;
}

/*
 * Keep every connection busy until @total requests have completed or
 * @deadline (monotonic seconds) has passed.  With @r NULL nothing is
 * recorded (warm-up).  Returns 0 or -1 on a libcurl multi failure.
 */
static int drive(CURLM *m, struct conn *conns, long nconns, long total,
                 double deadline, struct run *r)
{
    long issued = 0, finished = 0, active = 0, i;
    int running = 0, left;
    CURLMsg *msg;

    for (i = 0; i < nconns && issued < total; i++, issued++, active++) {
        conns[i].status = 0;
        conns[i].bytes = 0;
        if (curl_multi_add_handle(m, conns[i].h) != CURLM_OK)
            return -1;
    }
    while (active > 0) {
        if (curl_multi_perform(m, &running) != CURLM_OK)
            return -1;
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            struct conn *c = NULL;
            curl_off_t us = 0;
            long nc = 0;
            CURLcode rc;

            if (msg->msg != CURLMSG_DONE)
                continue;
            rc = msg->data.result;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
                              (char **)&c);
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
                              &c->status);
            curl_easy_getinfo(msg->easy_handle, CURLINFO_TOTAL_TIME_T, &us);
            curl_easy_getinfo(msg->easy_handle, CURLINFO_NUM_CONNECTS, &nc);
            curl_multi_remove_handle(m, c->h);
            active--;
            finished++;
            if (r) {
                r->new_conns += nc;
                if (rc != CURLE_OK || c->status != 200 || c->bytes == 0)
                    r->errors++;
                else
                    r->lat_ms[r->done++] = (double)us / 1000.0;
            } else if (rc != CURLE_OK || c->status != 200) {
                fprintf(stderr, "bench_sim_node: error: warm-up request "
                        "failed: %s, HTTP %ld\n", curl_easy_strerror(rc),
                        c->status);
                return -1;
            }
            if (issued < total && util_now_mono() < deadline) {
                c->status = 0;
                c->bytes = 0;
                if (curl_multi_add_handle(m, c->h) != CURLM_OK)
                    return -1;
                issued++;
                active++;
            }
        }
        if (active > 0 &&
            curl_multi_poll(m, NULL, 0, 100, NULL) != CURLM_OK)
            return -1;
    }
    (void)finished;
    return 0;
}

int main(int argc, char **argv)
{
    static const char *const sans[] = {AUTOIP, L4LB};
    struct opts o;
    struct test_pki pki;
    struct sim_node_config cfg;
    struct sim_plane_config pc = {0};
    struct sim_plane *plane = NULL;
    struct sim_node *node = NULL;
    struct conn *conns = NULL;
    struct curl_slist *ct = NULL;
    struct run r = {0};
    CURLM *m = NULL;
    char dir[] = "/tmp/etls-bench-XXXXXX", url[512], ctline[160];
    char *ca_path = NULL;
    double t0, secs;
    long i;
    int rc = 1;

    if (parse_opts(&o, argc, argv) != 0) {
        usage();
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    if (test_pki_new(&pki, "bench CA", "coordinator-0-node.elastic", sans,
                     2) != 0) {
        fprintf(stderr, "bench_sim_node: error: cannot make certificates\n");
        curl_global_cleanup();
        return 1;
    }
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench_sim_node: error: mkdtemp failed\n");
        goto out;
    }
    ca_path = test_write_pem(dir, "ca.crt", pki.ca_pem);
    if (!ca_path) {
        fprintf(stderr, "bench_sim_node: error: cannot write the CA\n");
        goto out;
    }
    cfg = (struct sim_node_config){
        .cluster_name = "elastic", .node_name = "coordinator-0-node",
        .hosts = sans, .n_hosts = 2,
        .tls = o.tls, .cert_pem = pki.chain_pem, .key_pem = pki.key_pem,
        .user = "elastic", .password = "changeme"};
    if (sim_plane_start(&plane, &pc) != 0 ||
        sim_node_start(&node, plane, &cfg) != 0) {
        fprintf(stderr, "bench_sim_node: error: node did not start\n");
        goto out;
    }
    sim_node_set_health(node, "green", 6, 2);
    /* under its l4lb name, as clients reach it: the plane's listener
     * picks the node by server name (TLS) or Host (plain) */
    snprintf(url, sizeof(url), "%s://" L4LB ":9200%s",
             o.tls ? "https" : "http", o.path);
    snprintf(ctline, sizeof(ctline), L4LB ":9200:127.0.0.1:%d",
             sim_node_port(node));
    ct = curl_slist_append(NULL, ctline);
    if (!ct)
        goto out;
    m = curl_multi_init();
    conns = calloc((size_t)o.conns, sizeof(*conns));
    r.lat_ms = calloc((size_t)o.requests, sizeof(double));
    if (!m || !conns || !r.lat_ms)
        goto out;
    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, o.conns);
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, o.conns);
    for (i = 0; i < o.conns; i++)
        if (conn_setup(&conns[i], url, ct, o.tls ? ca_path : NULL) != 0)
            goto out;

    /* Warm-up: one request per connection (the TLS handshakes). */
    if (drive(m, conns, o.conns, o.conns, util_now_mono() + o.seconds,
              NULL) != 0)
        goto out;
    t0 = util_now_mono();
    if (drive(m, conns, o.conns, o.requests, t0 + o.seconds, &r) != 0)
        goto out;
    secs = util_now_mono() - t0;
    if (r.done == 0 || secs <= 0) {
        fprintf(stderr, "bench_sim_node: error: no request succeeded\n");
        goto out;
    }
    qsort(r.lat_ms, (size_t)r.done, sizeof(double), cmp_double);
    printf("bench_sim_node: tls=%d path=%s connections=%ld requests=%ld "
           "seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
           "max_ms=%.3f errors=%ld new_connections=%ld\n",
           o.tls ? 1 : 0, o.path, o.conns, r.done, secs,
           (double)r.done / secs, percentile(r.lat_ms, r.done, 50),
           percentile(r.lat_ms, r.done, 90),
           percentile(r.lat_ms, r.done, 99), r.lat_ms[r.done - 1],
           r.errors, r.new_conns);
    rc = r.errors ? 1 : 0;
out:
    if (conns) {
        for (i = 0; i < o.conns; i++)
            if (conns[i].h) {
                curl_multi_remove_handle(m, conns[i].h);
                curl_easy_cleanup(conns[i].h);
            }
        free(conns);
    }
    if (m)
        curl_multi_cleanup(m);
    curl_slist_free_all(ct);
    free(r.lat_ms);
    sim_node_stop(node);
    sim_plane_stop(plane);
    if (ca_path) {
        unlink(ca_path);
        free(ca_path);
        rmdir(dir);
    }
    test_pki_free(&pki);
    curl_global_cleanup();
    if (rc == 1 && r.done == 0)
        fprintf(stderr, "bench_sim_node: error: run failed\n");
    return rc;
}
