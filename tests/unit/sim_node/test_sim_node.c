/*
 * Unit tests of the data plane (sim/node.h): nodes behind the shared HTTPS
 * listener (routed by TLS server name, certificates from a throw-away CA
 * checked by libcurl and curl(1) under the node's DNS names) and the
 * shared HTTP listener (routed by Host), basic auth, the ES 5.6.5
 * documents, health transitions, ports, descriptors and threads at a
 * thousand nodes, and concurrency with nodes starting and stopping.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/util.h"
#include "sim/node.h"
#include "testcert.h"

#define L4LB "coordinator.elastic.l4lb.thisdcos.directory"
#define AUTOIP "coordinator-0-node.elastic.autoip.dcos.thisdcos.directory"
#define WWW_AUTH "Basic realm=\"security\" charset=\"UTF-8\""
#define CT_JSON "application/json; charset=UTF-8"

static struct test_pki g_pki;   /* the "cluster CA" and the node's leaf */
static struct test_pki g_other; /* another CA, same names */
static struct sim_plane *g_plane; /* the listeners every test uses */
static char g_dir[64];
static char *g_ca_path;
static char *g_other_ca_path;

/* ---------------------------------------------------------------- */
/* HTTP client helpers (libcurl easy)                               */
/* ---------------------------------------------------------------- */

struct resp {
    CURLcode rc;
    long status;
    struct buf body;
    char ctype[160];
    char www[160];
    json_t *json;
};

struct rq {
    const char *url;
    const char *method;     /* NULL = GET */
    const char *connect_to; /* CURLOPT_CONNECT_TO entry */
    const char *resolve;    /* CURLOPT_RESOLVE entry */
    const char *cainfo;
    const char *user;       /* with password: basic auth */
    const char *password;
    const char *authz;      /* raw Authorization header value */
    const char *body;       /* request body (POST) */
    bool http10;
    bool insecure;          /* TLS without any verification */
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct resp *r = ud;

    if (buf_append(&r->body, p, size * n) != 0)
        return 0;
    return size * n;
}

/* Copy header @name's value from the line @p into @dst. */
static void grab_header(const char *p, size_t len, const char *name,
                        char *dst, size_t dlen)
{
    size_t nl = strlen(name), v;

    if (len <= nl || strncasecmp(p, name, nl) != 0 || p[nl] != ':')
        return;
    v = nl + 1;
    while (v < len && p[v] == ' ')
        v++;
    while (len > v && (p[len - 1] == '\r' || p[len - 1] == '\n'))
        len--;
    snprintf(dst, dlen, "%.*s", (int)(len - v), p + v);
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct resp *r = ud;

    grab_header(p, size * n, "content-type", r->ctype, sizeof(r->ctype));
    grab_header(p, size * n, "www-authenticate", r->www, sizeof(r->www));
    return size * n;
}

/*
 * How many times slower this run is than a native one: ETLS_TIME_SCALE
 * (1 to 50), set by the valgrind variant of this test, whose one-thread-
 * at-a-time memcheck runs the 16 client threads and the sim's TLS
 * handshakes in turn; 1 otherwise.  It scales the client's time bounds,
 * never what an answer must be.
 */
static long time_scale(void)
{
    const char *v = getenv("ETLS_TIME_SCALE");
    long n = v ? strtol(v, NULL, 10) : 1;

    return n >= 1 && n <= 50 ? n : 1;
}

/* One request on @h (reused for keep-alive when the caller passes one). */
static void req_on(CURL *h, struct resp *r, const struct rq *q)
{
    struct curl_slist *ct = NULL, *rs = NULL, *hd = NULL;
    char hline[512];

    memset(r, 0, sizeof(*r));
    buf_init(&r->body, 1 << 20);
    curl_easy_setopt(h, CURLOPT_URL, q->url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L * time_scale());
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L * time_scale());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_CAINFO, q->cainfo);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, q->insecure ? 0L : 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, q->insecure ? 0L : 2L);
    curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    if (q->method && strcmp(q->method, "HEAD") == 0)
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    else if (q->body)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body);
    if (q->method && strcmp(q->method, "HEAD") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
    if (q->connect_to) {
        ct = curl_slist_append(NULL, q->connect_to);
        assert_non_null(ct);
    }
    curl_easy_setopt(h, CURLOPT_CONNECT_TO, ct);
    if (q->resolve) {
        rs = curl_slist_append(NULL, q->resolve);
        assert_non_null(rs);
    }
    curl_easy_setopt(h, CURLOPT_RESOLVE, rs);
    curl_easy_setopt(h, CURLOPT_USERNAME, q->user);
    curl_easy_setopt(h, CURLOPT_PASSWORD, q->password);
    curl_easy_setopt(h, CURLOPT_HTTPAUTH,
                     q->user ? (long)CURLAUTH_BASIC : (long)CURLAUTH_NONE);
    if (q->authz) {
        snprintf(hline, sizeof(hline), "Authorization: %s", q->authz);
        hd = curl_slist_append(NULL, hline);
        assert_non_null(hd);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
                     q->http10 ? (long)CURL_HTTP_VERSION_1_0
                               : (long)CURL_HTTP_VERSION_1_1);
    r->rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_setopt(h, CURLOPT_CONNECT_TO, NULL);
    curl_easy_setopt(h, CURLOPT_RESOLVE, NULL);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(ct);
    curl_slist_free_all(rs);
    curl_slist_free_all(hd);
    if (r->body.len)
        r->json = json_loadb(buf_str(&r->body), r->body.len, 0, NULL);
}

/* One request on a new handle. */
static void req(struct resp *r, const struct rq *q)
{
    CURL *h = curl_easy_init();

    assert_non_null(h);
    req_on(h, r, q);
    curl_easy_cleanup(h);
}

static void resp_free(struct resp *r)
{
    buf_free(&r->body);
    json_decref(r->json);
    r->json = NULL;
}

/* String member @key of @o, or "" when absent. */
static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? s : "";
}

/* Integer member @key of @o, or -1 when absent. */
static long long jint(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);

    return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* ---------------------------------------------------------------- */
/* Node helpers                                                     */
/* ---------------------------------------------------------------- */

/* Start a node of cluster @cluster answering to @hosts on g_plane. */
static struct sim_node *start_named(const char *cluster, const char *name,
                                    const char *const *hosts, size_t n_hosts,
                                    bool tls, const char *cert,
                                    const char *key, bool auth)
{
    struct sim_node_config cfg = {
        .cluster_name = cluster,
        .node_name = name,
        .hosts = hosts,
        .n_hosts = n_hosts,
        .tls = tls,
        .cert_pem = tls ? cert : NULL,
        .key_pem = tls ? key : NULL,
        .user = auth ? "elastic" : NULL,
        .password = auth ? "changeme" : NULL,
    };
    struct sim_node *n = NULL;

    assert_int_equal(sim_node_start(&n, g_plane, &cfg), 0);
    assert_non_null(n);
    assert_int_equal(sim_node_port(n), sim_plane_port(g_plane, tls));
    return n;
}

/* The coordinator of "elastic", under its autoip and l4lb names. */
static struct sim_node *start_node(bool tls, bool auth)
{
    static const char *const hosts[] = {AUTOIP, L4LB};

    return start_named("elastic", "coordinator-0-node", hosts, 2, tls,
                       g_pki.chain_pem, g_pki.key_pem, auth);
}

/* Request URL @path on @n's l4lb name, connected to 127.0.0.1 and the
 * port of its listener: HTTPS verified with the CA, or plain HTTP. */
static void node_get(struct sim_node *n, bool tls, const char *method,
                     const char *path, const char *user,
                     const char *password, struct resp *r)
{
    char url[256], ct[256];
    struct rq q = {.method = method, .user = user, .password = password};

    snprintf(url, sizeof(url), "%s://" L4LB ":9200%s",
             tls ? "https" : "http", path);
    snprintf(ct, sizeof(ct), L4LB ":9200:127.0.0.1:%d", sim_node_port(n));
    q.connect_to = ct;
    if (tls)
        q.cainfo = g_ca_path;
    q.url = url;
    req(r, &q);
}

/* Check @r is the ES 5.6.5 root document of our coordinator. */
static void assert_root_doc(const struct resp *r)
{
    const json_t *v;

    assert_non_null(r->json);
    assert_string_equal(r->ctype, CT_JSON);
    assert_string_equal(jstr(r->json, "name"), "coordinator-0-node");
    assert_string_equal(jstr(r->json, "cluster_name"), "elastic");
    assert_int_equal(strlen(jstr(r->json, "cluster_uuid")), 22);
    v = json_object_get(r->json, "version");
    assert_true(json_is_object(v));
    assert_string_equal(jstr(v, "number"), "5.6.5");
    assert_string_equal(jstr(v, "build_hash"), "6a37571");
    assert_string_equal(jstr(v, "build_date"), "2017-12-04T07:50:10.466Z");
    assert_true(json_is_false(json_object_get(v, "build_snapshot")));
    assert_string_equal(jstr(v, "lucene_version"), "6.6.1");
    assert_string_equal(jstr(r->json, "tagline"), "You Know, for Search");
    assert_int_equal(json_object_size(r->json), 5);
}

/* ---------------------------------------------------------------- */
/* Raw sockets                                                      */
/* ---------------------------------------------------------------- */

/* Open a TCP connection to 127.0.0.1:@port (10 s receive timeout). */
static int tcp_open(int port)
{
    struct sockaddr_in sa;
    struct timeval tv = {.tv_sec = 10};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
                                sizeof(tv)), 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

/*
 * Send @msg to 127.0.0.1:@port and read until the peer closes (bounded by
 * a 10 s receive timeout).  Returns what was read (new); *@closed is 1 when
 * the peer closed or reset the connection.
 */
static char *raw_exchange(int port, const char *msg, int *closed)
{
    char *out = calloc(1, 8192);
    size_t len = 0;
    int fd;

    assert_non_null(out);
    *closed = 0;
    fd = tcp_open(port);
    assert_int_equal(send(fd, msg, strlen(msg), MSG_NOSIGNAL),
                     (ssize_t)strlen(msg));
    for (;;) {
        ssize_t got = recv(fd, out + len, 8191 - len, 0);

        if (got == 0 || (got < 0 && errno == ECONNRESET)) {
            *closed = 1;
            break;
        }
        if (got < 0)
            break; /* timeout */
        len += (size_t)got;
        if (len >= 8191)
            break;
    }
    close(fd);
    return out;
}

/* Entries of directory @path (not "." and ".."). */
static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static int count_fds(void)
{
    return count_entries("/proc/self/fd");
}

/* ---------------------------------------------------------------- */
/* TLS                                                              */
/* ---------------------------------------------------------------- */

/* HTTPS GET / under the l4lb name, connected to 127.0.0.1:PORT. */
static void test_tls_root_under_l4lb_name(void **state)
{
    struct sim_node *n = start_node(true, true);
    struct resp r;

    (void)state;
    node_get(n, true, NULL, "/", "elastic", "changeme", &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_root_doc(&r);
    /* ES 5 pretty-prints the root document unless ?pretty=false. */
    assert_non_null(strstr(buf_str(&r.body), "\n  \"name\""));
    assert_int_equal(buf_str(&r.body)[r.body.len - 1], '\n');
    resp_free(&r);

    node_get(n, true, NULL, "/?pretty=false", "elastic", "changeme", &r);
    assert_int_equal(r.status, 200);
    assert_root_doc(&r);
    assert_null(strchr(buf_str(&r.body), '\n'));
    resp_free(&r);

    node_get(n, true, "HEAD", "/", "elastic", "changeme", &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, 0);
    resp_free(&r);
    sim_node_stop(n);
}

/* HTTPS under the autoip name on the real port, via CURLOPT_RESOLVE. */
static void test_tls_root_under_autoip_name(void **state)
{
    struct sim_node *n = start_node(true, true);
    char url[256], res[256];
    struct resp r;
    struct rq q = {.url = url, .resolve = res, .cainfo = g_ca_path,
                   .user = "elastic", .password = "changeme"};

    (void)state;
    snprintf(url, sizeof(url), "https://" AUTOIP ":%d/", sim_node_port(n));
    snprintf(res, sizeof(res), AUTOIP ":%d:127.0.0.1", sim_node_port(n));
    req(&r, &q);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_root_doc(&r);
    resp_free(&r);
    sim_node_stop(n);
}

/* The certificate has no IP SAN: https://127.0.0.1:PORT fails. */
static void test_tls_ip_fails_hostname_verification(void **state)
{
    struct sim_node *n = start_node(true, true);
    char url[128];
    struct resp r;
    struct rq q = {.url = url, .cainfo = g_ca_path, .user = "elastic",
                   .password = "changeme"};

    (void)state;
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/", sim_node_port(n));
    req(&r, &q);
    assert_int_equal(r.rc, CURLE_PEER_FAILED_VERIFICATION);
    assert_int_equal(r.status, 0);
    resp_free(&r);
    sim_node_stop(n);
}

/* Another CA does not vouch for the node's certificate. */
static void test_tls_other_ca_fails(void **state)
{
    struct sim_node *n = start_node(true, true);
    char url[128], ct[128];
    struct resp r;
    struct rq q = {.url = url, .connect_to = ct, .cainfo = g_other_ca_path,
                   .user = "elastic", .password = "changeme"};

    (void)state;
    snprintf(url, sizeof(url), "https://" L4LB ":9200/");
    snprintf(ct, sizeof(ct), L4LB ":9200:127.0.0.1:%d", sim_node_port(n));
    req(&r, &q);
    assert_int_equal(r.rc, CURLE_PEER_FAILED_VERIFICATION);
    resp_free(&r);
    sim_node_stop(n);
}

/* Plain HTTP to the TLS port gets no HTTP answer and a closed socket. */
static void test_tls_refuses_plain_http(void **state)
{
    struct sim_node *n = start_node(true, true);
    char url[128];
    struct resp r;
    struct rq q = {.url = url, .user = "elastic", .password = "changeme"};
    char *raw;
    int closed;

    (void)state;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", sim_node_port(n));
    req(&r, &q);
    assert_int_not_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 0);
    resp_free(&r);

    raw = raw_exchange(sim_node_port(n),
                       "GET / HTTP/1.1\r\nHost: x\r\n\r\n", &closed);
    assert_true(closed);
    assert_null(strstr(raw, "HTTP/"));
    free(raw);
    sim_node_stop(n);
}

/* ---------------------------------------------------------------- */
/* Authentication                                                   */
/* ---------------------------------------------------------------- */

/* Check @r is ES 5's 401 with reason @reason. */
static void assert_401(const struct resp *r, const char *reason)
{
    const json_t *err, *rc, *hdr;

    assert_int_equal(r->rc, CURLE_OK);
    assert_int_equal(r->status, 401);
    assert_string_equal(r->www, WWW_AUTH);
    assert_string_equal(r->ctype, CT_JSON);
    assert_non_null(r->json);
    assert_int_equal(jint(r->json, "status"), 401);
    err = json_object_get(r->json, "error");
    assert_string_equal(jstr(err, "type"), "security_exception");
    assert_string_equal(jstr(err, "reason"), reason);
    hdr = json_object_get(err, "header");
    assert_string_equal(jstr(hdr, "WWW-Authenticate"), WWW_AUTH);
    rc = json_array_get(json_object_get(err, "root_cause"), 0);
    assert_string_equal(jstr(rc, "type"), "security_exception");
    assert_string_equal(jstr(rc, "reason"), reason);
    hdr = json_object_get(rc, "header");
    assert_string_equal(jstr(hdr, "WWW-Authenticate"), WWW_AUTH);
}

static void authz_req(struct sim_node *n, const char *path,
                      const char *authz, struct resp *r)
{
    char url[256], ct[256];
    struct rq q = {.url = url, .connect_to = ct, .cainfo = g_ca_path,
                   .authz = authz};

    snprintf(url, sizeof(url), "https://" L4LB ":9200%s", path);
    snprintf(ct, sizeof(ct), L4LB ":9200:127.0.0.1:%d", sim_node_port(n));
    req(r, &q);
}

static void test_auth_required(void **state)
{
    struct sim_node *n = start_node(true, true);
    struct resp r;

    (void)state;
    node_get(n, true, NULL, "/", NULL, NULL, &r);
    assert_401(&r, "missing authentication token for REST request [/]");
    /* Exactly the ES 5.6 body. */
    assert_string_equal(
        buf_str(&r.body),
        "{\"error\":{\"root_cause\":[{\"type\":\"security_exception\","
        "\"reason\":\"missing authentication token for REST request [/]\","
        "\"header\":{\"WWW-Authenticate\":\"Basic realm=\\\"security\\\" "
        "charset=\\\"UTF-8\\\"\"}}],\"type\":\"security_exception\","
        "\"reason\":\"missing authentication token for REST request [/]\","
        "\"header\":{\"WWW-Authenticate\":\"Basic realm=\\\"security\\\" "
        "charset=\\\"UTF-8\\\"\"}},\"status\":401}");
    resp_free(&r);

    node_get(n, true, NULL, "/_cluster/health", "elastic", "wrong", &r);
    assert_401(&r, "unable to authenticate user [elastic] for REST request "
                   "[/_cluster/health]");
    resp_free(&r);

    node_get(n, true, NULL, "/?pretty", "kibana", "changeme", &r);
    assert_401(&r, "unable to authenticate user [kibana] for REST request "
                   "[/?pretty]");
    resp_free(&r);

    /* A password that only shares a prefix, and one that is longer. */
    node_get(n, true, NULL, "/", "elastic", "change", &r);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    node_get(n, true, NULL, "/", "elastic", "changemeX", &r);
    assert_int_equal(r.status, 401);
    resp_free(&r);

    /* HEAD: same status and challenge, no body. */
    node_get(n, true, "HEAD", "/", NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(r.www, WWW_AUTH);
    assert_int_equal(r.body.len, 0);
    resp_free(&r);

    /* Other schemes carry no basic token. */
    authz_req(n, "/", "Bearer abc", &r);
    assert_401(&r, "missing authentication token for REST request [/]");
    resp_free(&r);
    authz_req(n, "/", "Basic !!notbase64!!", &r);
    assert_401(&r, "invalid basic authentication header encoding");
    resp_free(&r);
    authz_req(n, "/", "Basic ZWxhc3RpY2NoYW5nZW1l", &r); /* no colon */
    assert_401(&r, "invalid basic authentication header value");
    resp_free(&r);
    /* The right credentials, written by hand with a lower-case scheme. */
    authz_req(n, "/", "basic ZWxhc3RpYzpjaGFuZ2VtZQ==", &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);

    /* Authentication comes before routing. */
    node_get(n, true, NULL, "/_nothing/here", NULL, NULL, &r);
    assert_401(&r, "missing authentication token for REST request "
                   "[/_nothing/here]");
    resp_free(&r);
    sim_node_stop(n);
}

/* ---------------------------------------------------------------- */
/* Health                                                           */
/* ---------------------------------------------------------------- */

static void get_health(struct sim_node *n, struct resp *r)
{
    node_get(n, true, NULL, "/_cluster/health", "elastic", "changeme", r);
    assert_int_equal(r->rc, CURLE_OK);
    assert_int_equal(r->status, 200);
    assert_string_equal(r->ctype, CT_JSON);
    assert_non_null(r->json);
}

static void test_health_shape_and_transitions(void **state)
{
    static const char *const keys[] = {
        "cluster_name", "status", "timed_out", "number_of_nodes",
        "number_of_data_nodes", "active_primary_shards", "active_shards",
        "relocating_shards", "initializing_shards", "unassigned_shards",
        "delayed_unassigned_shards", "number_of_pending_tasks",
        "number_of_in_flight_fetch", "task_max_waiting_in_queue_millis",
        "active_shards_percent_as_number"};
    struct sim_node *n = start_node(true, true);
    struct resp r;
    size_t i;

    (void)state;
    /* Before any set_health: green, one node. */
    get_health(n, &r);
    assert_string_equal(jstr(r.json, "status"), "green");
    assert_int_equal(json_object_size(r.json), 15);
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        assert_non_null(json_object_get(r.json, keys[i]));
    /* Same key order as Elasticsearch. */
    assert_string_equal(json_object_iter_key(json_object_iter(r.json)),
                        "cluster_name");
    assert_string_equal(jstr(r.json, "cluster_name"), "elastic");
    assert_true(json_is_false(json_object_get(r.json, "timed_out")));
    assert_int_equal(jint(r.json, "number_of_nodes"), 1);
    resp_free(&r);

    sim_node_set_health(n, "yellow", 6, 2);
    get_health(n, &r);
    assert_string_equal(jstr(r.json, "status"), "yellow");
    assert_int_equal(jint(r.json, "number_of_nodes"), 6);
    assert_int_equal(jint(r.json, "number_of_data_nodes"), 2);
    assert_true(jint(r.json, "unassigned_shards") > 0);
    assert_true(json_real_value(json_object_get(
                    r.json, "active_shards_percent_as_number")) < 100.0);
    resp_free(&r);
    node_get(n, true, NULL, "/", "elastic", "changeme", &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);

    /* Red (no master): / answers 503 with the same document. */
    sim_node_set_health(n, "red", 6, 2);
    node_get(n, true, NULL, "/", "elastic", "changeme", &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 503);
    assert_root_doc(&r);
    resp_free(&r);
    node_get(n, true, "HEAD", "/", "elastic", "changeme", &r);
    assert_int_equal(r.status, 503);
    resp_free(&r);
    get_health(n, &r);
    assert_string_equal(jstr(r.json, "status"), "red");
    assert_int_equal(jint(r.json, "active_primary_shards"), 0);
    resp_free(&r);

    /* An unknown status is ignored. */
    sim_node_set_health(n, "purple", 1, 1);
    get_health(n, &r);
    assert_string_equal(jstr(r.json, "status"), "red");
    assert_int_equal(jint(r.json, "number_of_nodes"), 6);
    resp_free(&r);

    sim_node_set_health(n, "green", 6, 2);
    node_get(n, true, NULL, "/", "elastic", "changeme", &r);
    assert_int_equal(r.status, 200);
    assert_root_doc(&r);
    resp_free(&r);
    get_health(n, &r);
    assert_string_equal(jstr(r.json, "status"), "green");
    assert_int_equal(jint(r.json, "unassigned_shards"), 0);
    assert_true(json_real_value(json_object_get(
                    r.json, "active_shards_percent_as_number")) == 100.0);
    assert_null(strchr(buf_str(&r.body), '\n'));
    resp_free(&r);

    /* ?pretty: indented, ends with a line feed; trailing slash is ok. */
    node_get(n, true, NULL, "/_cluster/health/?pretty", "elastic",
             "changeme", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(r.json);
    assert_string_equal(jstr(r.json, "status"), "green");
    assert_non_null(strstr(buf_str(&r.body), "\n  \"cluster_name\""));
    assert_int_equal(buf_str(&r.body)[r.body.len - 1], '\n');
    resp_free(&r);
    sim_node_stop(n);
}

/* ---------------------------------------------------------------- */
/* Routes                                                           */
/* ---------------------------------------------------------------- */

static void test_unknown_routes(void **state)
{
    struct sim_node *n = start_node(true, true);
    const json_t *err;
    struct resp r;
    char url[128], ct[128];
    struct rq q = {.url = url, .connect_to = ct, .cainfo = g_ca_path,
                   .user = "elastic", .password = "changeme"};

    (void)state;
    node_get(n, true, NULL, "/_foo/bar?x=1", "elastic", "changeme", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.ctype, "text/plain; charset=UTF-8");
    assert_string_equal(buf_str(&r.body),
                        "No handler found for uri [/_foo/bar?x=1] and "
                        "method [GET]");
    resp_free(&r);

    node_get(n, true, "DELETE", "/", "elastic", "changeme", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(buf_str(&r.body),
                        "No handler found for uri [/] and method [DELETE]");
    resp_free(&r);

    /* A body is read and dropped; the answer is still ES's 400. */
    snprintf(url, sizeof(url), "https://" L4LB ":9200/_cluster/health");
    snprintf(ct, sizeof(ct), L4LB ":9200:127.0.0.1:%d", sim_node_port(n));
    q.body = "{\"query\":{\"match_all\":{}}}";
    req(&r, &q);
    assert_int_equal(r.status, 400);
    assert_string_equal(buf_str(&r.body),
                        "No handler found for uri [/_cluster/health] and "
                        "method [POST]");
    resp_free(&r);

    /* GET /<index>: the sim has no user index. */
    node_get(n, true, NULL, "/customer", "elastic", "changeme", &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.ctype, CT_JSON);
    assert_int_equal(jint(r.json, "status"), 404);
    err = json_object_get(r.json, "error");
    assert_string_equal(jstr(err, "type"), "index_not_found_exception");
    assert_string_equal(jstr(err, "index"), "customer");
    resp_free(&r);
    sim_node_stop(n);
}

/* A body larger than the cap gets 413 before it is read. */
static void test_large_body_rejected(void **state)
{
    struct sim_node *n = start_node(false, true);
    char *raw, msg[256];
    int closed;

    (void)state;
    snprintf(msg, sizeof(msg),
             "PUT /x/y/1 HTTP/1.1\r\nHost: " L4LB "\r\n"
             "Content-Length: 99999999\r\n"
             "Authorization: Basic ZWxhc3RpYzpjaGFuZ2VtZQ==\r\n\r\n{");
    raw = raw_exchange(sim_node_port(n), msg, &closed);
    assert_true(strncmp(raw, "HTTP/1.1 413", 12) == 0);
    assert_true(closed);
    free(raw);
    sim_node_stop(n);
}

/* A chunked body that grows past the cap closes the connection unanswered;
 * the node keeps serving. */
static void test_chunked_body_cap(void **state)
{
    struct sim_node *n = start_node(false, true);
    static char chunk[65536 + 16];
    struct sockaddr_in sa;
    struct timeval tv = {.tv_sec = 10};
    const char *hdr = "POST /_bulk HTTP/1.1\r\nHost: " L4LB "\r\n"
                      "Authorization: Basic ZWxhc3RpYzpjaGFuZ2VtZQ==\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n";
    char got[256] = "";
    size_t sent = 0, hl;
    ssize_t k;
    int fd, closed = 0;
    struct resp r;

    (void)state;
    hl = (size_t)snprintf(chunk, sizeof(chunk), "10000\r\n");
    memset(chunk + hl, 'a', 65536);
    memcpy(chunk + hl + 65536, "\r\n", 2);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)sim_node_port(n));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
                                sizeof(tv)), 0);
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv,
                                sizeof(tv)), 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(send(fd, hdr, strlen(hdr), MSG_NOSIGNAL),
                     (ssize_t)strlen(hdr));
    /* Up to 4 MiB; the node gives up after 1 MiB. */
    while (sent < 4u * 1024 * 1024) {
        k = send(fd, chunk, hl + 65536 + 2, MSG_NOSIGNAL);
        if (k < 0)
            break;
        sent += (size_t)k;
    }
    k = recv(fd, got, sizeof(got) - 1, 0);
    if (k == 0 || (k < 0 && errno == ECONNRESET))
        closed = 1;
    assert_true(closed);
    assert_null(strstr(got, "HTTP/"));
    close(fd);
    node_get(n, false, NULL, "/", "elastic", "changeme", &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    sim_node_stop(n);
}

/* ---------------------------------------------------------------- */
/* Plain node                                                       */
/* ---------------------------------------------------------------- */

static void test_plain_node(void **state)
{
    struct sim_node *n = start_node(false, true);
    char url[128];
    struct resp r;
    struct rq q = {.url = url, .cainfo = g_ca_path, .user = "elastic",
                   .password = "changeme"};

    (void)state;
    node_get(n, false, NULL, "/", "elastic", "changeme", &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_root_doc(&r);
    resp_free(&r);
    node_get(n, false, NULL, "/", NULL, NULL, &r);
    assert_401(&r, "missing authentication token for REST request [/]");
    resp_free(&r);

    /* TLS to the plain port fails the handshake. */
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/", sim_node_port(n));
    req(&r, &q);
    assert_int_equal(r.rc, CURLE_SSL_CONNECT_ERROR);
    assert_int_equal(r.status, 0);
    resp_free(&r);
    sim_node_stop(n);

    /* Without a user (ES without X-Pack) nothing is authenticated. */
    n = start_node(false, false);
    node_get(n, false, NULL, "/_cluster/health", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "status"), "green");
    resp_free(&r);
    sim_node_stop(n);
}

/* ---------------------------------------------------------------- */
/* One plane, many nodes                                            */
/* ---------------------------------------------------------------- */

#define OTHER_AUTOIP "coordinator-0-node.other.autoip.dcos.thisdcos.directory"
#define OTHER_L4LB "coordinator.other.l4lb.thisdcos.directory"

/* HTTPS GET / under @host on the HTTPS listener, verified with @cafile
 * (NULL: not verified). */
static void get_by_sni(const char *host, const char *cafile, struct resp *r)
{
    char url[256], ct[256];
    struct rq q = {.url = url, .connect_to = ct, .cainfo = cafile,
                   .user = "elastic", .password = "changeme"};

    snprintf(url, sizeof(url), "https://%s:9200/", host);
    snprintf(ct, sizeof(ct), "%s:9200:127.0.0.1:%d", host,
             sim_plane_port(g_plane, true));
    req(r, &q);
}

/* Plain GET / with Host @host on the HTTP listener. */
static void get_by_host(const char *host, struct resp *r)
{
    char url[256], ct[256];
    struct rq q = {.url = url, .connect_to = ct, .user = "elastic",
                   .password = "changeme"};

    snprintf(url, sizeof(url), "http://%s:9200/", host);
    snprintf(ct, sizeof(ct), "%s:9200:127.0.0.1:%d", host,
             sim_plane_port(g_plane, false));
    req(r, &q);
}

/* Two TLS nodes behind the one HTTPS listener: each server name gets its
 * own node and certificate. */
static void test_sni_picks_the_node(void **state)
{
    static const char *const other[] = {OTHER_AUTOIP, OTHER_L4LB};
    struct sim_node *a = start_node(true, true), *b;
    char *leaf, *key;
    struct resp r;

    (void)state;
    assert_int_equal(test_pki_leaf(&g_pki, "coordinator-0-node.other",
                                   other, 2, &leaf, &key), 0);
    b = start_named("other", "coordinator-0-node", other, 2, true, leaf,
                    key, true);
    assert_int_equal(sim_node_port(a), sim_node_port(b));
    get_by_sni(L4LB, g_ca_path, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_string_equal(jstr(r.json, "cluster_name"), "elastic");
    resp_free(&r);
    get_by_sni(OTHER_AUTOIP, g_ca_path, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "cluster_name"), "other");
    resp_free(&r);
    /* names compare without case and a trailing dot */
    get_by_sni("Coordinator.Other.L4LB.thisdcos.directory", g_ca_path, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_string_equal(jstr(r.json, "cluster_name"), "other");
    resp_free(&r);
    /* a name of no node gets the default certificate: verification fails,
     * and a client that does not verify is misdirected */
    get_by_sni("nobody.l4lb.thisdcos.directory", g_ca_path, &r);
    assert_int_equal(r.rc, CURLE_PEER_FAILED_VERIFICATION);
    resp_free(&r);
    {
        char url[128];
        struct rq q = {.url = url, .insecure = true};

        snprintf(url, sizeof(url), "https://127.0.0.1:%d/",
                 sim_plane_port(g_plane, true));
        req(&r, &q);
        assert_int_equal(r.rc, CURLE_OK);
        assert_int_equal(r.status, 421);
        resp_free(&r);
    }
    sim_node_stop(b);
    /* b's names are gone at once */
    get_by_sni(OTHER_L4LB, g_ca_path, &r);
    assert_int_equal(r.rc, CURLE_PEER_FAILED_VERIFICATION);
    resp_free(&r);
    sim_node_stop(a);
    free(leaf);
    OPENSSL_cleanse(key, strlen(key));
    free(key);
}

/* Plain nodes behind the one HTTP listener, by Host; a TLS node never
 * answers there; a name of no node is misdirected; a plain node's name
 * on the HTTPS listener fails the handshake. */
static void test_host_picks_the_node(void **state)
{
    static const char *const other[] = {OTHER_AUTOIP, OTHER_L4LB};
    struct sim_node *a = start_node(false, true);
    struct sim_node *b = start_named("other", "coordinator-0-node", other, 2,
                                     true, g_pki.chain_pem, g_pki.key_pem,
                                     true);
    struct resp r;
    char *raw;
    int closed;

    (void)state;
    get_by_host(AUTOIP, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "cluster_name"), "elastic");
    resp_free(&r);
    /* the TLS node: no HTTP answer over plain HTTP */
    get_by_host(OTHER_L4LB, &r);
    assert_int_not_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 0);
    resp_free(&r);
    raw = raw_exchange(sim_plane_port(g_plane, false),
                       "GET / HTTP/1.1\r\nHost: " OTHER_AUTOIP "\r\n\r\n",
                       &closed);
    assert_true(closed);
    assert_null(strstr(raw, "HTTP/"));
    free(raw);
    /* no node by that name, or no Host at all: 421, answered */
    raw = raw_exchange(sim_plane_port(g_plane, false),
                       "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Connection: close\r\n\r\n", &closed);
    assert_true(strncmp(raw, "HTTP/1.1 421", 12) == 0);
    free(raw);
    raw = raw_exchange(sim_plane_port(g_plane, false),
                       "GET / HTTP/1.0\r\n\r\n", &closed);
    assert_true(strncmp(raw, "HTTP/1.0 421", 12) == 0 ||
                strncmp(raw, "HTTP/1.1 421", 12) == 0);
    free(raw);
    /* the plain node's name over TLS */
    get_by_sni(AUTOIP, g_ca_path, &r);
    assert_int_equal(r.rc, CURLE_SSL_CONNECT_ERROR);
    resp_free(&r);
    sim_node_stop(b);
    sim_node_stop(a);
}

/* Send @msg on @fd and read one answer (up to @n bytes, at least the
 * headers); returns the bytes read, 0 when the peer closed. */
static size_t exchange_on(int fd, const char *msg, char *out, size_t n)
{
    size_t len = 0;

    assert_int_equal(send(fd, msg, strlen(msg), MSG_NOSIGNAL),
                     (ssize_t)strlen(msg));
    out[0] = '\0';
    while (len + 1 < n && !strstr(out, "\r\n\r\n")) {
        ssize_t got = recv(fd, out + len, n - 1 - len, 0);

        if (got <= 0)
            break;
        len += (size_t)got;
        out[len] = '\0';
    }
    return len;
}

/* A kept-alive connection to a node that was stopped and started again
 * (another node under its names) closes at its next request. */
static void test_restarted_node_closes_old_connections(void **state)
{
    static const char get[] = "GET /_cluster/health HTTP/1.1\r\nHost: " L4LB
                              "\r\nAuthorization: Basic "
                              "ZWxhc3RpYzpjaGFuZ2VtZQ==\r\n\r\n";
    struct sim_node *n = start_node(false, true);
    char buf[4096];
    int fd;

    (void)state;
    fd = tcp_open(sim_plane_port(g_plane, false));
    assert_true(exchange_on(fd, get, buf, sizeof(buf)) > 0);
    assert_true(strncmp(buf, "HTTP/1.1 200", 12) == 0);
    sim_node_stop(n);
    n = start_node(false, true);
    assert_int_equal(exchange_on(fd, get, buf, sizeof(buf)), 0);
    close(fd);
    /* a new connection reaches the new node */
    fd = tcp_open(sim_plane_port(g_plane, false));
    assert_true(exchange_on(fd, get, buf, sizeof(buf)) > 0);
    assert_true(strncmp(buf, "HTTP/1.1 200", 12) == 0);
    close(fd);
    sim_node_stop(n);
}

static int count_threads(void)
{
    return count_entries("/proc/self/task");
}

/*
 * The descriptor count once the plane has closed the server side of the
 * connections earlier tests closed (it does so when it reads their end,
 * on its own thread): the same over 100 ms, at most 3 s.
 */
static int settled_fds(void)
{
    int last = count_fds(), i, now;

    for (i = 0; i < 30; i++) {
        struct timespec ts = {0, 100 * 1000 * 1000};

        nanosleep(&ts, NULL);
        now = count_fds();
        if (now == last)
            return now;
        last = now;
    }
    fail_msg("the descriptor count did not settle (%d)", last);
    return last;
}

#define MANY_NODES 1000

/* A thousand nodes (two per service, as dcos-sim runs them) open no
 * descriptor and start no thread; each answers under its own names. */
static void test_many_nodes_one_plane(void **state)
{
    static struct sim_node *nodes[MANY_NODES];
    char hosts[2][128], cluster[32];
    const char *hv[2] = {hosts[0], hosts[1]};
    int fds, threads, i;
    struct resp r;

    (void)state;
    fds = settled_fds();
    threads = count_threads();
    for (i = 0; i < MANY_NODES; i++) {
        snprintf(cluster, sizeof(cluster), "svc-%04d", i / 2);
        snprintf(hosts[0], sizeof(hosts[0]),
                 "%s-0-node.%s.autoip.dcos.thisdcos.directory",
                 i % 2 ? "master" : "coordinator", cluster);
        snprintf(hosts[1], sizeof(hosts[1]),
                 "%s.%s.l4lb.thisdcos.directory",
                 i % 2 ? "master" : "coordinator", cluster);
        /* every tenth node speaks TLS (the certificate does not name
         * it; its handshake only needs the node) */
        nodes[i] = start_named(cluster, i % 2 ? "master-0-node"
                                              : "coordinator-0-node",
                               hv, 2, i % 10 == 0, g_pki.chain_pem,
                               g_pki.key_pem, i % 3 == 0);
    }
    assert_int_equal(count_fds(), fds);
    assert_int_equal(count_threads(), threads);
    for (i = 1; i < MANY_NODES; i += 97) {
        if (i % 10 == 0)
            continue;
        snprintf(hosts[0], sizeof(hosts[0]),
                 "%s.svc-%04d.l4lb.thisdcos.directory",
                 i % 2 ? "master" : "coordinator", i / 2);
        get_by_host(hosts[0], &r);
        assert_int_equal(r.status, 200);
        snprintf(cluster, sizeof(cluster), "svc-%04d", i / 2);
        assert_string_equal(jstr(r.json, "cluster_name"), cluster);
        resp_free(&r);
    }
    {
        char url[256], ct[256];
        struct rq q = {.url = url, .connect_to = ct, .insecure = true,
                       .user = "elastic", .password = "changeme"};

        snprintf(url, sizeof(url),
                 "https://coordinator.svc-0050.l4lb.thisdcos.directory:1/");
        snprintf(ct, sizeof(ct),
                 "coordinator.svc-0050.l4lb.thisdcos.directory:1:"
                 "127.0.0.1:%d", sim_plane_port(g_plane, true));
        req(&r, &q);
        assert_int_equal(r.rc, CURLE_OK);
        assert_int_equal(r.status, 200);
        assert_string_equal(jstr(r.json, "cluster_name"), "svc-0050");
        resp_free(&r);
    }
    for (i = 0; i < MANY_NODES; i++)
        sim_node_stop(nodes[i]);
    get_by_host("coordinator.svc-0001.l4lb.thisdcos.directory", &r);
    assert_int_equal(r.status, 421);
    resp_free(&r);
}

#define IDLE_CONNS 1000

/* 1,000 idle clients on the plain listener: no thread more, and the
 * plane keeps answering meanwhile (issue 10: one thread per connection
 * made 1,005 threads). */
static void test_idle_connections_bounded(void **state)
{
    static const char *const hosts[] = {AUTOIP, L4LB};
    static int fds[IDLE_CONNS];
    struct sim_node *n;
    struct rlimit rl;
    struct resp r;
    int threads, i;

    (void)state;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096 &&
        rl.rlim_max >= 4096) {
        rl.rlim_cur = 4096;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    n = start_named("elastic", "coordinator-0-node", hosts, 2, false, NULL,
                    NULL, false);
    threads = count_threads();
    for (i = 0; i < IDLE_CONNS; i++)
        fds[i] = tcp_open(sim_plane_port(g_plane, false));
    get_by_host(L4LB, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    if (count_threads() != threads)
        fail_msg("%d idle connections: %d threads (before: %d)", IDLE_CONNS,
                 count_threads(), threads);
    for (i = 0; i < IDLE_CONNS; i++)
        close(fds[i]);
    sim_node_stop(n);
}

/* ---------------------------------------------------------------- */
/* Ports and resources                                              */
/* ---------------------------------------------------------------- */

/* A plane asked for the ports of a stopped one gets them, even while the
 * old server side of a connection is in TIME_WAIT. */
static void test_port_reuse_after_stop(void **state)
{
    struct sim_plane_config pc = {0};
    struct sim_plane *p;
    struct sim_node *n;
    int https, http, closed;
    struct resp r;
    char *raw;

    (void)state;
    assert_int_equal(sim_plane_start(&p, &pc), 0);
    https = sim_plane_port(p, true);
    http = sim_plane_port(p, false);
    assert_true(https > 0 && http > 0 && https != http);
    /* HTTP/1.0 without keep-alive: the server closes first. */
    raw = raw_exchange(http, "GET / HTTP/1.0\r\nHost: x\r\n\r\n", &closed);
    assert_true(strncmp(raw, "HTTP/1.0 421", 12) == 0 ||
                strncmp(raw, "HTTP/1.1 421", 12) == 0);
    assert_true(closed);
    free(raw);
    sim_plane_stop(p);

    pc.https_port = https;
    pc.http_port = http;
    assert_int_equal(sim_plane_start(&p, &pc), 0);
    assert_int_equal(sim_plane_port(p, true), https);
    assert_int_equal(sim_plane_port(p, false), http);
    {
        static const char *const hosts[] = {L4LB};
        struct sim_node_config cfg = {.cluster_name = "elastic",
                                      .node_name = "coordinator-0-node",
                                      .hosts = hosts, .n_hosts = 1};

        assert_int_equal(sim_node_start(&n, p, &cfg), 0);
    }
    raw = raw_exchange(http, "GET / HTTP/1.0\r\nHost: " L4LB "\r\n\r\n",
                       &closed);
    assert_true(strstr(raw, " 200 ") != NULL);
    free(raw);
    sim_node_stop(n);
    sim_plane_stop(p);
    (void)r;
}

/* Ports held by a live plane are not shared: a second plane falls back to
 * ephemeral ports and both answer on their own. */
static void test_port_taken_falls_back(void **state)
{
    struct sim_plane_config pc = {
        .https_port = sim_plane_port(g_plane, true),
        .http_port = sim_plane_port(g_plane, false)};
    struct sim_plane *p;
    struct sim_node *n = start_node(false, true);
    struct resp r;
    int i;

    (void)state;
    assert_int_equal(sim_plane_start(&p, &pc), 0);
    assert_int_not_equal(sim_plane_port(p, true), pc.https_port);
    assert_int_not_equal(sim_plane_port(p, false), pc.http_port);
    /* Several fresh connections to g_plane's port all reach its node. */
    for (i = 0; i < 8; i++) {
        node_get(n, false, NULL, "/", "elastic", "changeme", &r);
        assert_int_equal(r.rc, CURLE_OK);
        assert_int_equal(r.status, 200);
        resp_free(&r);
    }
    sim_plane_stop(p);
    sim_node_stop(n);
}

/* A plane's start and stop release every descriptor (listen sockets
 * included); nodes open none; a node may outlive its plane. */
static void test_stop_releases_fds(void **state)
{
    static const char *const hosts[] = {L4LB};
    struct sim_plane_config pc = {.default_cert_pem = g_pki.chain_pem,
                                  .default_key_pem = g_pki.key_pem};
    struct sim_node_config cfg = {.cluster_name = "elastic",
                                  .node_name = "coordinator-0-node",
                                  .hosts = hosts, .n_hosts = 1};
    struct sim_plane *p;
    struct sim_node *n;
    int before, i;

    (void)state;
    assert_int_equal(sim_plane_start(&p, &pc), 0); /* warm up */
    sim_plane_stop(p);
    before = count_fds();
    for (i = 0; i < 3; i++) {
        assert_int_equal(sim_plane_start(&p, &pc), 0);
        assert_true(count_fds() > before);
        assert_int_equal(sim_node_start(&n, p, &cfg), 0);
        if (i == 2) {
            sim_plane_stop(p); /* the node outlives it */
            sim_node_stop(n);
        } else {
            sim_node_stop(n);
            sim_plane_stop(p);
        }
    }
    assert_int_equal(count_fds(), before);
    sim_node_stop(NULL);
    sim_plane_stop(NULL);
    assert_int_equal(sim_plane_port(NULL, true), 0);
}

static void test_bad_config(void **state)
{
    static const char *const hosts[] = {AUTOIP, L4LB};
    static const char *const bad_hosts[] = {AUTOIP, ""};
    struct sim_node_config cfg = {
        .cluster_name = "elastic", .node_name = "master-0-node",
        .hosts = hosts, .n_hosts = 2,
        .tls = true, .cert_pem = g_pki.chain_pem, .key_pem = g_other.key_pem,
        .user = "elastic", .password = "changeme"};
    struct sim_plane_config pc = {.https_port = 70000};
    struct sim_plane *p = NULL;
    struct sim_node *n = NULL;

    (void)state;
    /* Key of another certificate. */
    assert_int_equal(sim_node_start(&n, g_plane, &cfg), ERR_INVALID);
    assert_null(n);
    cfg.key_pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n"
                  "-----END PRIVATE KEY-----\n";
    assert_int_equal(sim_node_start(&n, g_plane, &cfg), ERR_INVALID);
    cfg.key_pem = g_pki.key_pem;
    cfg.cert_pem = "not a certificate";
    assert_int_equal(sim_node_start(&n, g_plane, &cfg), ERR_INVALID);
    cfg.cert_pem = NULL;
    assert_int_equal(sim_node_start(&n, g_plane, &cfg), ERR_INVALID);
    cfg.cert_pem = g_pki.chain_pem;
    cfg.user = "ela:stic";
    assert_int_equal(sim_node_start(&n, g_plane, &cfg), ERR_INVALID);
    cfg.user = "elastic";
    cfg.password = NULL;
    assert_int_equal(sim_node_start(&n, g_plane, &cfg), ERR_INVALID);
    cfg.password = "changeme";
    cfg.n_hosts = 0;
    assert_int_equal(sim_node_start(&n, g_plane, &cfg), ERR_INVALID);
    cfg.hosts = bad_hosts;
    cfg.n_hosts = 2;
    assert_int_equal(sim_node_start(&n, g_plane, &cfg), ERR_INVALID);
    cfg.hosts = hosts;
    cfg.node_name = NULL;
    assert_int_equal(sim_node_start(&n, g_plane, &cfg), ERR_INVALID);
    cfg.node_name = "master-0-node";
    assert_int_equal(sim_node_start(NULL, g_plane, &cfg), ERR_INVALID);
    assert_int_equal(sim_node_start(&n, NULL, &cfg), ERR_INVALID);
    assert_null(n);
    /* Planes: a bad port, half a default certificate, a bad one. */
    assert_int_equal(sim_plane_start(&p, &pc), ERR_INVALID);
    pc.https_port = 0;
    pc.default_cert_pem = g_pki.chain_pem;
    assert_int_equal(sim_plane_start(&p, &pc), ERR_INVALID);
    pc.default_key_pem = g_other.key_pem;
    assert_int_equal(sim_plane_start(&p, &pc), ERR_INVALID);
    assert_null(p);
    /* The leaf alone (no chain) is fine. */
    cfg.cert_pem = g_pki.leaf_pem;
    assert_int_equal(sim_node_start(&n, g_plane, &cfg), 0);
    sim_node_stop(n);
    assert_int_equal(sim_node_port(NULL), 0);
}

/* The UUID is stable for a cluster name and differs between clusters. */
static void test_cluster_uuid_stable(void **state)
{
    static const char *const hosts[] = {L4LB};
    struct sim_node_config cfg = {.cluster_name = "elastic",
                                  .node_name = "master-0-node",
                                  .hosts = hosts, .n_hosts = 1};
    struct sim_node *n;
    struct resp r;
    char uuid[2][32];
    int i;

    (void)state;
    for (i = 0; i < 3; i++) {
        cfg.cluster_name = i < 2 ? "elastic" : "other";
        assert_int_equal(sim_node_start(&n, g_plane, &cfg), 0);
        node_get(n, false, NULL, "/", NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        assert_string_equal(jstr(r.json, "name"), "master-0-node");
        if (i < 2)
            snprintf(uuid[i], sizeof(uuid[i]), "%s",
                     jstr(r.json, "cluster_uuid"));
        else
            assert_string_not_equal(jstr(r.json, "cluster_uuid"), uuid[0]);
        resp_free(&r);
        sim_node_stop(n);
    }
    assert_string_equal(uuid[0], uuid[1]);
    /* The documented derivation (docs/sim.md). */
    assert_string_equal(uuid[0], "UWmA8LstIHS8LTbbnDEm4w");
}

/* ---------------------------------------------------------------- */
/* Concurrency                                                      */
/* ---------------------------------------------------------------- */

struct worker {
    struct sim_node *node;
    int requests;
    bool new_conn; /* a new TLS connection per request */
    int ok;
    char why[160]; /* the first failure: curl's code, status, time */
};

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    CURL *h = curl_easy_init();
    char ct[128];
    struct rq q = {.url = NULL, .connect_to = ct, .cainfo = g_ca_path,
                   .user = "elastic", .password = "changeme"};
    int i;

    if (!h)
        return NULL;
    snprintf(ct, sizeof(ct), L4LB ":9200:127.0.0.1:%d",
             sim_node_port(w->node));
    curl_easy_setopt(h, CURLOPT_FORBID_REUSE, w->new_conn ? 1L : 0L);
    for (i = 0; i < w->requests; i++) {
        struct resp r;
        const char *st;

        q.url = i % 2 ? "https://" L4LB ":9200/_cluster/health"
                      : "https://" L4LB ":9200/";
        double t0 = util_now_mono();

        req_on(h, &r, &q);
        st = jstr(r.json, "status");
        if (r.rc == CURLE_OK && r.status == 200 &&
            (i % 2 == 0 ? strcmp(jstr(r.json, "tagline"),
                                 "You Know, for Search") == 0
                        : (strcmp(st, "green") == 0 ||
                           strcmp(st, "yellow") == 0)))
            w->ok++;
        else if (!w->why[0])
            snprintf(w->why, sizeof(w->why),
                     "request %d: curl %d (%s), HTTP %ld after %.1f s", i,
                     (int)r.rc, curl_easy_strerror(r.rc), r.status,
                     util_now_mono() - t0);
        resp_free(&r);
    }
    curl_easy_cleanup(h);
    return NULL;
}

struct flipper {
    struct sim_node *node;
    volatile int stop;
    int flips;
};

static void *flipper_run(void *arg)
{
    struct flipper *f = arg;
    struct timespec ts = {0, 1000000};
    int i;

    for (i = 0; i < 20000 && !f->stop; i++) {
        sim_node_set_health(f->node, i % 2 ? "yellow" : "green", 6, 2);
        f->flips++;
        nanosleep(&ts, NULL);
    }
    return NULL;
}

/* Starts and stops other nodes, TLS and plain, while requests run. */
struct churner {
    volatile int stop;
    int rounds;
};

static void *churner_run(void *arg)
{
    struct churner *c = arg;
    char h[2][128];
    const char *hv[2] = {h[0], h[1]};
    int i;

    for (i = 0; i < 2000 && !c->stop; i++) {
        struct sim_node_config cfg = {
            .cluster_name = "churn", .node_name = "coordinator-0-node",
            .hosts = hv, .n_hosts = 2, .tls = i % 2 == 0,
            .cert_pem = g_pki.chain_pem, .key_pem = g_pki.key_pem,
            .user = "elastic", .password = "changeme"};
        struct sim_node *n = NULL;

        snprintf(h[0], sizeof(h[0]), "churn-%d.l4lb.thisdcos.directory",
                 i % 4);
        snprintf(h[1], sizeof(h[1]), "churn.l4lb.thisdcos.directory");
        if (sim_node_start(&n, g_plane, &cfg) != 0)
            break;
        sim_node_stop(n);
        c->rounds++;
    }
    return NULL;
}

/* Requests for the churning names: any answer or refusal, never a
 * crash (the node may be stopped while its request runs). */
static void *churn_client_run(void *arg)
{
    struct churner *c = arg;
    int i;

    for (i = 0; i < 40 && !c->stop; i++) {
        struct resp r;
        char url[128], ct[160];
        struct rq q = {.url = url, .connect_to = ct, .insecure = true,
                       .user = "elastic", .password = "changeme"};
        bool tls = i % 2 == 0;

        snprintf(url, sizeof(url),
                 "%s://churn.l4lb.thisdcos.directory:9200/",
                 tls ? "https" : "http");
        snprintf(ct, sizeof(ct),
                 "churn.l4lb.thisdcos.directory:9200:127.0.0.1:%d",
                 sim_plane_port(g_plane, tls));
        req(&r, &q);
        resp_free(&r);
    }
    return NULL;
}

static void test_concurrent_requests(void **state)
{
    enum { NW = 16 };
    struct sim_node *n = start_node(true, true);
    struct worker w[NW];
    pthread_t t[NW], ft, ct, cc;
    struct flipper f = {.node = n};
    struct churner ch = {0};
    int i;

    (void)state;
    assert_int_equal(pthread_create(&ft, NULL, flipper_run, &f), 0);
    assert_int_equal(pthread_create(&ct, NULL, churner_run, &ch), 0);
    assert_int_equal(pthread_create(&cc, NULL, churn_client_run, &ch), 0);
    for (i = 0; i < NW; i++) {
        w[i] = (struct worker){.node = n, .requests = i < 4 ? 6 : 20,
                               .new_conn = i < 4};
        assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
    }
    for (i = 0; i < NW; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(pthread_join(cc, NULL), 0);
    f.stop = 1;
    ch.stop = 1;
    assert_int_equal(pthread_join(ft, NULL), 0);
    assert_int_equal(pthread_join(ct, NULL), 0);
    for (i = 0; i < NW; i++)
        if (w[i].ok != w[i].requests)
            fail_msg("worker %d: %d of %d answered; %s", i, w[i].ok,
                     w[i].requests, w[i].why);
    assert_true(f.flips > 0);
    assert_true(ch.rounds > 0);
    sim_node_stop(n);
}

/* ---------------------------------------------------------------- */
/* curl(1)                                                          */
/* ---------------------------------------------------------------- */

/* Run curl(1) with @argv (argv[0] ignored), output to @out; exit code. */
static int run_curl(const char *const argv[], const char *out)
{
    pid_t pid, w;
    int status = 0, i;

    assert_true(CURL_BIN[0] != '\0'); /* curl(1) must be installed */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(CURL_BIN, (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    for (i = 0; i < 600; i++) { /* at most 60 s */
        struct timespec ts = {0, 100000000};

        w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        nanosleep(&ts, NULL);
    }
    if (w != pid) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fail_msg("curl(1) did not finish within 60 s");
    }
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_curl_cli(void **state)
{
    struct sim_node *n = start_node(true, true);
    char connect_to[128], ip_url[64], out[128], body[128], cfg[128];
    char *text = NULL;
    size_t len = 0;
    FILE *f;

    (void)state;
    snprintf(connect_to, sizeof(connect_to), L4LB ":9200:127.0.0.1:%d",
             sim_node_port(n));
    snprintf(ip_url, sizeof(ip_url), "https://127.0.0.1:%d/",
             sim_node_port(n));
    snprintf(out, sizeof(out), "%s/curl.out", g_dir);
    snprintf(body, sizeof(body), "%s/curl.body", g_dir);
    /* The credentials go through a config file, never argv. */
    snprintf(cfg, sizeof(cfg), "%s/curl.cfg", g_dir);
    f = fopen(cfg, "w");
    assert_non_null(f);
    fputs("user = \"elastic:changeme\"\n", f);
    assert_int_equal(fclose(f), 0);
    {
        const char *const ok_argv[] = {
            "curl", "-sS", "-f", "-K", cfg, "-o", body, "--cacert",
            g_ca_path, "--connect-to", connect_to,
            "https://" L4LB ":9200/", NULL};

        assert_int_equal(run_curl(ok_argv, out), 0);
    }
    f = fopen(body, "r");
    assert_non_null(f);
    assert_true(getdelim(&text, &len, '\0', f) > 0);
    fclose(f);
    assert_non_null(strstr(text, "\"number\": \"5.6.5\""));
    free(text);
    {
        const char *const ip_argv[] = {"curl", "-sS", "-K", cfg, "-o", body,
                                 "--cacert", g_ca_path, ip_url, NULL};

        assert_int_equal(run_curl(ip_argv, out), 60);
    }
    unlink(cfg);
    unlink(out);
    unlink(body);
    sim_node_stop(n);
}

/* ---------------------------------------------------------------- */

static int group_setup(void **state)
{
    static const char *const sans[] = {AUTOIP, L4LB};

    (void)state;
    snprintf(g_dir, sizeof(g_dir), "/tmp/etls-sim-node-XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    if (test_pki_new(&g_pki, "etls test CA", "coordinator-0-node.elastic",
                     sans, 2) != 0 ||
        test_pki_new(&g_other, "other CA", "coordinator-0-node.elastic",
                     sans, 2) != 0)
        return -1;
    g_ca_path = test_write_pem(g_dir, "ca.crt", g_pki.ca_pem);
    g_other_ca_path = test_write_pem(g_dir, "other-ca.crt", g_other.ca_pem);
    if (!g_ca_path || !g_other_ca_path)
        return -1;
    /* the plane shows a certificate of the CA for a name of no node to a
     * client that names none */
    {
        static const char *const dflt[] = {"no-such-node.invalid"};
        struct sim_plane_config pc = {0};
        char *leaf = NULL, *key = NULL;
        int r;

        if (test_pki_leaf(&g_pki, "no-such-node.invalid", dflt, 1, &leaf,
                          &key) != 0)
            return -1;
        pc.default_cert_pem = leaf;
        pc.default_key_pem = key;
        r = sim_plane_start(&g_plane, &pc);
        free(leaf);
        OPENSSL_cleanse(key, strlen(key));
        free(key);
        return r == 0 ? 0 : -1;
    }
}

static int group_teardown(void **state)
{
    (void)state;
    sim_plane_stop(g_plane);
    g_plane = NULL;
    if (g_ca_path)
        unlink(g_ca_path);
    if (g_other_ca_path)
        unlink(g_other_ca_path);
    free(g_ca_path);
    free(g_other_ca_path);
    rmdir(g_dir);
    test_pki_free(&g_pki);
    test_pki_free(&g_other);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls_root_under_l4lb_name),
        cmocka_unit_test(test_tls_root_under_autoip_name),
        cmocka_unit_test(test_tls_ip_fails_hostname_verification),
        cmocka_unit_test(test_tls_other_ca_fails),
        cmocka_unit_test(test_tls_refuses_plain_http),
        cmocka_unit_test(test_auth_required),
        cmocka_unit_test(test_health_shape_and_transitions),
        cmocka_unit_test(test_unknown_routes),
        cmocka_unit_test(test_large_body_rejected),
        cmocka_unit_test(test_chunked_body_cap),
        cmocka_unit_test(test_plain_node),
        cmocka_unit_test(test_sni_picks_the_node),
        cmocka_unit_test(test_host_picks_the_node),
        cmocka_unit_test(test_restarted_node_closes_old_connections),
        cmocka_unit_test(test_many_nodes_one_plane),
        cmocka_unit_test(test_idle_connections_bounded),
        cmocka_unit_test(test_port_reuse_after_stop),
        cmocka_unit_test(test_port_taken_falls_back),
        cmocka_unit_test(test_stop_releases_fds),
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_cluster_uuid_stable),
        cmocka_unit_test(test_concurrent_requests),
        cmocka_unit_test(test_curl_cli),
    };
    int r;

    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    r = cmocka_run_group_tests(tests, group_setup, group_teardown);
    curl_global_cleanup();
    return r;
}
