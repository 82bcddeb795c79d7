/* Helpers of the dcos-sim fidelity tests.  See fid_testutil.h. */
#include "fid_testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "common/buf.h"
#include "common/util.h"
#include "harness/h_cluster.h"
#include "harness/h_crypto.h"
#include "harness/h_json.h"

json_t *fid_fixture_json(const char *rel)
{
    char *path = h_fmt("%s/%s", FID_FIXTURES_DIR, rel);
    json_t *j = h_json_load(path);

    free(path);
    return j;
}

int fid_port(const struct h_sim *s)
{
    const char *p = strrchr(s->url, ':');
    long v = 0;

    if (!p || util_parse_long(&v, p + 1, 1, 65535) != 0)
        fail_msg("no port in %s", s->url);
    return (int)v;
}

int fid_tcp_connect(const struct h_sim *s)
{
    struct sockaddr_in sin;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        fail_msg("socket: %s", strerror(errno));
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)fid_port(s));
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
        fail_msg("connect: %s", strerror(errno));
    return fd;
}

/* Wait (bounded by the deadline) until @fd is readable or writable as
 * SSL wants; 0 on timeout. */
static int ssl_wait(SSL *ssl, int fd, int r, double deadline)
{
    struct pollfd p = {.fd = fd, .events = 0};
    int e = SSL_get_error(ssl, r), ms;

    if (e == SSL_ERROR_WANT_READ)
        p.events = POLLIN;
    else if (e == SSL_ERROR_WANT_WRITE)
        p.events = POLLOUT;
    else
        return -1;
    ms = (int)((deadline - util_now_mono()) * 1000.0);
    if (ms <= 0)
        return 0;
    return poll(&p, 1, ms) > 0 ? 1 : 0;
}

char *fid_tls_exchange(const struct h_sim *s, const char *req, size_t len,
                       int timeout_ms, const char *stop)
{
    double deadline = util_now_mono() + timeout_ms / 1000.0;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = NULL;
    struct buf b;
    size_t off = 0;
    int fd, r;

    buf_init(&b, 1u << 20);
    if (!ctx || SSL_CTX_load_verify_locations(ctx, s->ca_cert, NULL) != 1)
        fail_msg("TLS context");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    fd = fid_tcp_connect(s);
    ssl = SSL_new(ctx);
    if (!ssl || SSL_set_fd(ssl, fd) != 1 ||
        SSL_set1_host(ssl, "127.0.0.1") != 1)
        fail_msg("TLS session");
    while ((r = SSL_connect(ssl)) != 1)
        if (ssl_wait(ssl, fd, r, deadline) <= 0)
            fail_msg("TLS handshake with the sim failed");
    while (off < len) {
        r = SSL_write(ssl, req + off, (int)(len - off));
        if (r <= 0) {
            if (ssl_wait(ssl, fd, r, deadline) <= 0)
                break; /* the server may close early: read what came */
            continue;
        }
        off += (size_t)r;
    }
    for (;;) {
        char tmp[4096];

        r = SSL_read(ssl, tmp, sizeof(tmp));
        if (r > 0) {
            if (buf_append(&b, tmp, (size_t)r) != 0)
                break;
            if (stop && strstr(buf_str(&b), stop))
                break;
            continue;
        }
        if (ssl_wait(ssl, fd, r, deadline) <= 0)
            break;
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    {
        char *out = strdup(buf_str(&b));

        buf_free(&b);
        if (!out)
            fail_msg("out of memory");
        return out;
    }
}

long fid_threads(int pid)
{
    char path[64], *text = NULL, *p;
    size_t len;
    long v = -1;

    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    if (util_read_file(&text, &len, path, 1u << 20) != 0)
        fail_msg("cannot read %s", path);
    p = strstr(text, "\nThreads:");
    if (p)
        v = strtol(p + 9, NULL, 10);
    free(text);
    if (v < 1)
        fail_msg("no thread count in %s", path);
    return v;
}

long fid_sockets(int pid)
{
    long n = h_proc_fds_to(pid, "socket:");

    if (n < 0)
        fail_msg("cannot list /proc/%d/fd", pid);
    return n;
}

void fid_install_tls(struct h_sim *s, const char *svc)
{
    EVP_PKEY *k = h_rsa_new();
    char *path = h_fmt("%s/secret", svc);
    char *opts = h_fmt("{\"service\":{\"name\":\"%s\",\"service_account\":"
                       "\"%s\",\"service_account_secret\":\"%s\","
                       "\"security\":{\"transport_encryption\":{\"enabled\":"
                       "true}}},\"elasticsearch\":{\"xpack_enabled\":true}}",
                       svc, svc, path);

    h_account_full(s, svc, path, k);
    h_install(s, opts);
    if (!h_wait_plan(s, svc, "deploy", "COMPLETE", FID_WAIT_MS, FID_POLL_MS))
        fail_msg("%s: deploy plan not COMPLETE", svc);
    EVP_PKEY_free(k);
    free(path);
    free(opts);
}

char *fid_user_token(struct h_sim *s, const char *uid, const char *password)
{
    char *p = h_fmt("/acs/api/v1/users/%s", uid);
    char *body = h_json_text("{s:s,s:s}", "password", password,
                             "description", "a person");
    struct h_resp r = h_put(s, p, body);
    char *tok;

    h_expect_status(&r, 201, p);
    h_resp_free(&r);
    free(body);
    body = h_json_text("{s:s,s:s}", "uid", uid, "password", password);
    r = h_req(s, "POST", "/acs/api/v1/auth/login", NULL, "application/json",
              NULL, body, NULL);
    h_expect_status(&r, 200, "login");
    if (!h_jstr(r.json, "token"))
        fail_msg("login of %s: no token", uid);
    tok = strdup(h_jstr(r.json, "token"));
    h_resp_free(&r);
    free(body);
    free(p);
    return tok;
}

json_t *fid_tls_secrets(struct h_sim *s, const char *svc)
{
    char *p = h_fmt("/secrets/v1/secret/default/%s?list=true", svc);
    struct h_resp r = h_get(s, p);
    json_t *out = json_array(), *v;
    size_t i;

    if (r.status != 200 && r.status != 404)
        fail_msg("GET %s: HTTP %ld", p, r.status);
    json_array_foreach(h_jget(r.json, "array"), i, v) {
        const char *rel = json_string_value(v);

        if (rel && strstr(rel, "__") && !strchr(rel, '/'))
            json_array_append_new(out, json_string(rel));
    }
    h_resp_free(&r);
    free(p);
    return out;
}
