/*
 * The status server of etls run (run_int.h): libmicrohttpd on its own
 * thread serves what the loop published last (under a mutex), so that a
 * slow scrape never touches the loop and the loop never waits for HTTP.
 * /healthz is 200 while the loop published, or said it is alive, within
 * RUN_HEALTH_STALE seconds (it does one or the other every second).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "controller/run_int.h"

#define RUN_HEALTH_STALE 15.0

struct run_http {
    struct MHD_Daemon *mhd;
    pthread_mutex_t mu;
    char *status;
    char *metrics;
    bool ready;
    double beat;        /* monotonic, of the last publish */
};

static double mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code,
                             const char *type, const char *body)
{
    struct MHD_Response *r;
    enum MHD_Result ret;

    r = MHD_create_response_from_buffer(strlen(body), (void *)body,
                                        MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    ret = MHD_queue_response(conn, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    struct run_http *h = cls;
    enum MHD_Result ret;
    char *copy = NULL;
    bool alive, ready;
    const char *type = "text/plain; charset=utf-8";

    (void)version;
    (void)upload_data;
    (void)con_cls;
    if (*upload_size)
        return MHD_NO;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, type,
                     "method not allowed\n");
    pthread_mutex_lock(&h->mu);
    alive = mono() - h->beat < RUN_HEALTH_STALE;
    ready = h->ready;
    if (strcmp(url, "/status") == 0 && h->status)
        copy = strdup(h->status);
    else if (strcmp(url, "/metrics") == 0 && h->metrics)
        copy = strdup(h->metrics);
    pthread_mutex_unlock(&h->mu);
    if (strcmp(url, "/healthz") == 0)
        return reply(conn, alive ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
                     type, alive ? "ok\n" : "the loop is stuck\n");
    if (strcmp(url, "/readyz") == 0)
        return reply(conn, ready ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
                     type, ready ? "ready\n"
                                 : "not every service reconciled yet\n");
    if (strcmp(url, "/status") == 0 || strcmp(url, "/metrics") == 0) {
        if (!copy)
            return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, type,
                         "not available\n");
        if (url[1] == 's')
            type = "application/json";
        else
            type = "text/plain; version=0.0.4; charset=utf-8";
        ret = reply(conn, MHD_HTTP_OK, type, copy);
        free(copy);
        return ret;
    }
    return reply(conn, MHD_HTTP_NOT_FOUND, type,
                 "not found; try /healthz, /readyz, /metrics, /status\n");
}

/* Parse "HOST:PORT" (IPv4 or [IPv6]) into @ss. */
static int parse_listen(const char *listen, struct sockaddr_storage *ss,
                        struct err_info *e)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    char *end;
    long port;
    size_t n;

    memset(ss, 0, sizeof(*ss));
    if (!colon || colon == listen)
        return err_set(e, ERR_INVALID, "--listen: expected HOST:PORT");
    n = (size_t)(colon - listen);
    if (listen[0] == '[' && n > 2 && listen[n - 1] == ']') {
        listen++;
        n -= 2;
    }
    port = strtol(colon + 1, &end, 10);
    if (n >= sizeof(host) || *end || port < 0 || port > 65535 ||
        colon[1] == '\0')
        return err_set(e, ERR_INVALID, "--listen: expected HOST:PORT");
    memcpy(host, listen, n);
    host[n] = '\0';
    if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) ==
        1) {
        ((struct sockaddr_in *)ss)->sin_family = AF_INET;
        ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
        return 0;
    }
    if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) ==
        1) {
        ((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
        ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
        return 0;
    }
    return err_set(e, ERR_INVALID, "--listen: HOST must be an IP address");
}

int run_http_start(struct run_http **out, const char *listen,
                   unsigned *port_out, struct err_info *e)
{
    struct sockaddr_storage ss;
    const union MHD_DaemonInfo *info;
    struct run_http *h;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    int r;

    r = parse_listen(listen, &ss, e);
    if (r)
        return r;
    h = calloc(1, sizeof(*h));
    if (!h)
        return err_set(e, ERR_NOMEM, "out of memory");
    pthread_mutex_init(&h->mu, NULL);
    h->beat = mono();
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
                              MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                              MHD_OPTION_CONNECTION_TIMEOUT, 10u,
                              MHD_OPTION_CONNECTION_LIMIT, 32u,
                              MHD_OPTION_END);
    if (!h->mhd) {
        pthread_mutex_destroy(&h->mu);
        free(h);
        return err_set(e, ERR_INVALID, "--listen: cannot listen on %s",
                       listen);
    }
    info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT);
    *port_out = info ? info->port : 0;
    *out = h;
    return 0;
}

void run_http_publish(struct run_http *h, char *status, char *metrics,
                      bool ready)
{
    char *old_s, *old_m;

    pthread_mutex_lock(&h->mu);
    old_s = h->status;
    old_m = h->metrics;
    h->status = status ? status : old_s;
    h->metrics = metrics ? metrics : old_m;
    h->ready = ready;
    h->beat = mono();
    pthread_mutex_unlock(&h->mu);
    if (status)
        free(old_s);
    if (metrics)
        free(old_m);
}

void run_http_alive(struct run_http *h)
{
    pthread_mutex_lock(&h->mu);
    h->beat = mono();
    pthread_mutex_unlock(&h->mu);
}

void run_http_stop(struct run_http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->mhd);
    pthread_mutex_destroy(&h->mu);
    free(h->status);
    free(h->metrics);
    free(h);
}
