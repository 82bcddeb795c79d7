/*
 * TLS session reuse of dcos/loop.c: a new connection of the same loop to
 * the cluster resumes the session of an earlier one (an abbreviated
 * handshake: no certificate, no signature), and a fresh-connection
 * request (a probe that must see the certificate the node serves now)
 * never does.  The server is a small OpenSSL one that issues TLS 1.3
 * session tickets, as Admin Router (nginx) does; dcos-sim's GnuTLS
 * servers issue none.
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "common/util.h"
#include "dcos/client.h"
#include "dcos/loop.h"
#include "tpki.h"

#define CONNS 4

/* One connection per request ("Connection: close"); what each saw. */
struct tls_srv {
    int fd;
    int port;
    SSL_CTX *ctx;
    pthread_t th;
    int served;
    int reused[CONNS];
};

static const char reply[] = "HTTP/1.1 200 OK\r\n"
                            "Content-Type: application/json\r\n"
                            "Content-Length: 2\r\n"
                            "Connection: close\r\n\r\n{}";

static void *serve(void *arg)
{
    struct tls_srv *s = arg;
    int i;

    for (i = 0; i < CONNS; i++) {
        char buf[4096];
        size_t got = 0;
        int c = accept(s->fd, NULL, NULL);
        SSL *ssl;

        if (c < 0)
            break;
        ssl = SSL_new(s->ctx);
        SSL_set_fd(ssl, c);
        if (SSL_accept(ssl) == 1) {
            /* read the request head, then answer and close */
            while (got < sizeof(buf) - 1) {
                int n = SSL_read(ssl, buf + got, (int)(sizeof(buf) - 1 - got));

                if (n <= 0)
                    break;
                got += (size_t)n;
                buf[got] = '\0';
                if (strstr(buf, "\r\n\r\n"))
                    break;
            }
            s->reused[i] = SSL_session_reused(ssl);
            SSL_write(ssl, reply, (int)strlen(reply));
            SSL_shutdown(ssl);
        }
        SSL_free(ssl);
        close(c);
        s->served = i + 1;
    }
    return NULL;
}

static int srv_start(struct tls_srv *s, const struct tpki *p)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    BIO *b;
    X509 *x;
    EVP_PKEY *k;

    memset(s, 0, sizeof(*s));
    s->ctx = SSL_CTX_new(TLS_server_method());
    b = BIO_new_mem_buf(p->cert_pem, -1);
    x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    b = BIO_new_mem_buf(p->key_pem, -1);
    k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    if (!s->ctx || !x || !k || SSL_CTX_use_certificate(s->ctx, x) != 1 ||
        SSL_CTX_use_PrivateKey(s->ctx, k) != 1)
        return -1;
    X509_free(x);
    EVP_PKEY_free(k);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) ||
        listen(s->fd, 8) ||
        getsockname(s->fd, (struct sockaddr *)&a, &len))
        return -1;
    s->port = ntohs(a.sin_port);
    return pthread_create(&s->th, NULL, serve, s) ? -1 : 0;
}

static void srv_stop(struct tls_srv *s)
{
    shutdown(s->fd, SHUT_RDWR);
    close(s->fd);
    pthread_join(s->th, NULL);
    SSL_CTX_free(s->ctx);
}

static void on_done(struct http_response *resp, void *payload)
{
    long *status = payload;

    *status = resp->status;
}

/* One GET on @loop, run to its end; the HTTP status. */
static long get(struct http_loop *loop, const char *url, const char *ca,
                bool fresh)
{
    struct http_request *req = NULL;
    long status = -1;

    assert_int_equal(http_request_new(&req, "GET", url), 0);
    assert_int_equal(http_request_set_ca_pem(req, ca), 0);
    if (fresh)
        http_request_fresh_connection(req);
    assert_int_equal(http_loop_submit(loop, req, on_done, &status), 0);
    assert_int_equal(http_loop_run(loop, util_now_mono() + 20), 0);
    return status;
}

static void test_session_resumed(void **state)
{
    struct tpki p;
    struct tls_srv s;
    struct http_loop *loop = NULL, *other = NULL;
    char url[64];

    (void)state;
    assert_int_equal(dcos_global_init(), 0);
    assert_int_equal(tpki_loopback(&p, "resume-ca"), 0);
    assert_int_equal(srv_start(&s, &p), 0);
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/", s.port);
    assert_int_equal(http_loop_new(&loop, NULL, 4), 0);
    assert_int_equal(http_loop_new(&other, NULL, 4), 0);

    assert_int_equal(get(loop, url, p.ca_pem, false), 200);
    assert_int_equal(get(loop, url, p.ca_pem, false), 200);
    /* a probe: a full handshake, whatever the loop has cached */
    assert_int_equal(get(loop, url, p.ca_pem, true), 200);
    /* another loop (another engine lane) shares nothing */
    assert_int_equal(get(other, url, p.ca_pem, false), 200);

    http_loop_free(loop);
    http_loop_free(other);
    srv_stop(&s);
    assert_int_equal(s.served, CONNS);
    assert_int_equal(s.reused[0], 0);
    assert_int_equal(s.reused[1], 1);
    assert_int_equal(s.reused[2], 0);
    assert_int_equal(s.reused[3], 0);
    tpki_free(&p);
    dcos_global_cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_resumed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
