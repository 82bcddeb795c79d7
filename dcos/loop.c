/*
 * libcurl multi driven by libev.  See loop.h and style.md section 1 ("Event
 * loop and libcurl multi"): the timer callback never calls libcurl, the io
 * callback copies what it needs before curl_multi_socket_action, every
 * socket action is followed by draining curl_multi_info_read, and
 * curl_multi_cleanup runs while the ev_loop is alive.
 */
#include "loop.h"

#include <stdlib.h>

#include <curl/curl.h>
#include <ev.h>

#include "common/util.h"

struct http_sock {
    ev_io io;
    struct http_loop *loop;
    curl_socket_t fd;
};

/* A deferred callback (http_loop_defer), in the loop's list. */
struct http_defer {
    ev_timer timer;
    struct http_loop *loop;
    http_defer_fn fn;
    void *arg;
    struct http_defer *prev;
    struct http_defer *next;
};

struct http_loop {
    struct ev_loop *ev;
    bool own_ev;
    CURLM *multi;
    CURLSH *share;        /* TLS sessions of this loop's connections */
    ev_timer timer;
    ev_timer idle;        /* http_loop_close_idle's deferred close */
    unsigned max_transfers;
    unsigned running;
    unsigned peak;
    unsigned peak_requests; /* running + queued, at most */
    unsigned queued;
    struct http_request *queue_head;
    struct http_request *queue_tail;
    struct http_request *active;
    struct http_defer *deferred;
    unsigned n_deferred;
    bool refuse;          /* submit fails (cancel_all or free running) */
    bool in_run;
    FILE *trace;          /* borrowed; NULL: no trace */
    struct http_pool *pool;
};

static void check_multi_info(struct http_loop *loop);
static void start_queued(struct http_loop *loop);

/* ------------------------------------------------------------------ */
/* global                                                              */

int http_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0
                                                             : ERR_INTERNAL;
}

void http_global_cleanup(void)
{
    curl_global_cleanup();
}

/* ------------------------------------------------------------------ */
/* sockets and timers                                                  */

static void io_cb(struct ev_loop *ev, ev_io *w, int revents)
{
    struct http_sock *hs = w->data;
    /* Copy before socket_action: it may free @hs (CURL_POLL_REMOVE). */
    struct http_loop *loop = hs->loop;
    curl_socket_t fd = hs->fd;
    int action = 0, still = 0;

    (void)ev;
    if (revents & EV_READ)
        action |= CURL_CSELECT_IN;
    if (revents & EV_WRITE)
        action |= CURL_CSELECT_OUT;
    curl_multi_socket_action(loop->multi, fd, action, &still);
    check_multi_info(loop);
}

static int sock_cb(CURL *e, curl_socket_t s, int what, void *userp,
                   void *socketp)
{
    struct http_loop *loop = userp;
    struct http_sock *hs = socketp;
    int events = 0;

    (void)e;
    if (what == CURL_POLL_REMOVE) {
        if (hs) {
            ev_io_stop(loop->ev, &hs->io);
            free(hs);
        }
        return 0;
    }
    if (what & CURL_POLL_IN)
        events |= EV_READ;
    if (what & CURL_POLL_OUT)
        events |= EV_WRITE;
    if (!hs) {
        hs = calloc(1, sizeof(*hs));
        if (!hs)
            return -1;
        hs->loop = loop;
        hs->fd = s;
        ev_io_init(&hs->io, io_cb, s, events);
        hs->io.data = hs;
        if (curl_multi_assign(loop->multi, s, hs) != CURLM_OK) {
            free(hs);
            return -1;
        }
    } else {
        ev_io_stop(loop->ev, &hs->io);
        ev_io_modify(&hs->io, events);
    }
    if (events)
        ev_io_start(loop->ev, &hs->io);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: only (re)arms the ev_timer, never calls curl. */
static int curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    struct http_loop *loop = userp;

    (void)multi;
    ev_timer_stop(loop->ev, &loop->timer);
    if (timeout_ms < 0)
        return 0;
    ev_timer_set(&loop->timer, (double)timeout_ms / 1000.0, 0.);
    ev_timer_start(loop->ev, &loop->timer);
    return 0;
}

static void ev_timer_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
    struct http_loop *loop = w->data;
    int still = 0;

    (void)ev;
    (void)revents;
    curl_multi_socket_action(loop->multi, CURL_SOCKET_TIMEOUT, 0, &still);
    check_multi_info(loop);
}

/* ------------------------------------------------------------------ */
/* transfers                                                           */

static void active_add(struct http_loop *loop, struct http_request *req)
{
    req->prev = NULL;
    req->next = loop->active;
    if (loop->active)
        loop->active->prev = req;
    loop->active = req;
}

static void active_remove(struct http_loop *loop, struct http_request *req)
{
    if (req->prev)
        req->prev->next = req->next;
    else
        loop->active = req->next;
    if (req->next)
        req->next->prev = req->prev;
    req->next = req->prev = NULL;
}

/* Note the most requests running or queued at once. */
static void note_peak(struct http_loop *loop)
{
    if (loop->running + loop->queued > loop->peak_requests)
        loop->peak_requests = loop->running + loop->queued;
}

/* Start @req's transfer on the multi.  0 or a negative err. */
static int req_start(struct http_loop *loop, struct http_request *req)
{
    int r = http_request_easy_init(req);

    if (r)
        return r;
    /* A new connection to the cluster resumes an earlier TLS session
     * instead of a full handshake; a fresh request (a probe that must see
     * the node's certificate now) keeps its own, empty, cache. */
    if (!req->fresh && curl_easy_setopt(req->easy, CURLOPT_SHARE,
                                        loop->share) != CURLE_OK) {
        curl_easy_cleanup(req->easy);
        req->easy = NULL;
        return ERR_INTERNAL;
    }
    if (curl_multi_add_handle(loop->multi, req->easy) != CURLM_OK) {
        curl_easy_cleanup(req->easy);
        req->easy = NULL;
        return ERR_INTERNAL;
    }
    active_add(loop, req);
    loop->running++;
    if (loop->running > loop->peak)
        loop->peak = loop->running;
    note_peak(loop);
    return 0;
}

static void check_multi_info(struct http_loop *loop)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(loop->multi, &left))) {
        struct http_request *req = NULL;
        CURL *e;
        CURLcode result;

        if (msg->msg != CURLMSG_DONE)
            continue;
        e = msg->easy_handle;
        result = msg->data.result;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&req);
        curl_multi_remove_handle(loop->multi, e);
        loop->running--;
        active_remove(loop, req);
        http_request_complete(req, (int)result, 0, NULL);
        start_queued(loop);
    }
}

static void start_queued(struct http_loop *loop)
{
    while (loop->queue_head && loop->running < loop->max_transfers) {
        struct http_request *req = loop->queue_head;

        loop->queue_head = req->next;
        if (!loop->queue_head)
            loop->queue_tail = NULL;
        req->next = NULL;
        loop->queued--;
        if (req_start(loop, req))
            http_request_complete(req, 0, ERR_INTERNAL,
                                  "could not start the transfer");
    }
}

int http_loop_submit(struct http_loop *loop, struct http_request *req,
                     http_done_fn done, void *payload)
{
    int r;

    if (loop->refuse) {
        http_request_free(req);
        return ERR_INVALID;
    }
    req->trace = &loop->trace;
    req->done = done;
    req->payload = payload;
    if (loop->running < loop->max_transfers && !loop->queue_head) {
        r = req_start(loop, req);
        if (r) {
            req->done = NULL;
            http_request_free(req);
        }
        return r;
    }
    req->next = NULL;
    if (loop->queue_tail)
        loop->queue_tail->next = req;
    else
        loop->queue_head = req;
    loop->queue_tail = req;
    loop->queued++;
    note_peak(loop);
    return 0;
}

/* ------------------------------------------------------------------ */
/* deferred callbacks                                                  */

static void defer_unlink(struct http_loop *loop, struct http_defer *d)
{
    if (d->prev)
        d->prev->next = d->next;
    else
        loop->deferred = d->next;
    if (d->next)
        d->next->prev = d->prev;
    loop->n_deferred--;
    ev_timer_stop(loop->ev, &d->timer);
}

static void defer_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
    struct http_defer *d = w->data;
    http_defer_fn fn = d->fn;
    void *arg = d->arg;

    (void)ev;
    (void)revents;
    defer_unlink(d->loop, d);
    free(d);
    fn(arg, 0);
}

int http_loop_defer(struct http_loop *loop, double seconds, http_defer_fn fn,
                    void *arg)
{
    struct http_defer *d;

    if (loop->refuse)
        return ERR_INVALID;
    d = calloc(1, sizeof(*d));
    if (!d)
        return ERR_NOMEM;
    d->loop = loop;
    d->fn = fn;
    d->arg = arg;
    ev_timer_init(&d->timer, defer_cb, seconds > 0 ? seconds : 0., 0.);
    d->timer.data = d;
    d->next = loop->deferred;
    if (loop->deferred)
        loop->deferred->prev = d;
    loop->deferred = d;
    loop->n_deferred++;
    ev_timer_start(loop->ev, &d->timer);
    return 0;
}

void http_loop_cancel_all(struct http_loop *loop, int code)
{
    bool was = loop->refuse;

    loop->refuse = true;
    while (loop->active) {
        struct http_request *req = loop->active;

        active_remove(loop, req);
        curl_multi_remove_handle(loop->multi, req->easy);
        loop->running--;
        http_request_complete(req, 0, code, "request cancelled");
    }
    while (loop->queue_head) {
        struct http_request *req = loop->queue_head;

        loop->queue_head = req->next;
        if (!loop->queue_head)
            loop->queue_tail = NULL;
        loop->queued--;
        req->next = NULL;
        http_request_complete(req, 0, code, "request cancelled");
    }
    while (loop->deferred) {
        struct http_defer *d = loop->deferred;
        http_defer_fn fn = d->fn;
        void *arg = d->arg;

        defer_unlink(loop, d);
        free(d);
        fn(arg, code);
    }
    loop->refuse = was;
}

int http_loop_job(struct http_loop *loop, http_work_fn work,
                  http_work_done_fn done, void *arg)
{
    if (loop->refuse)
        return ERR_INVALID;
    return http_pool_submit(loop->pool, work, done, arg);
}

/* ------------------------------------------------------------------ */
/* the loop                                                            */

/* A multi handle wired to @loop's sockets and timer, or NULL. */
static CURLM *multi_make(struct http_loop *loop)
{
    CURLM *m = curl_multi_init();

    if (m && (curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, sock_cb) ||
              curl_multi_setopt(m, CURLMOPT_SOCKETDATA, loop) ||
              curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, curl_timer_cb) ||
              curl_multi_setopt(m, CURLMOPT_TIMERDATA, loop) ||
              curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                                (long)loop->max_transfers) ||
              curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS,
                                (long)loop->max_transfers))) {
        curl_multi_cleanup(m);
        m = NULL;
    }
    return m;
}

/*
 * The idle close (http_loop_close_idle), on a callback of its own so that
 * libcurl is never cleaned up from inside one of its callbacks.  The kept
 * connections go with the old multi handle; a transfer started since
 * keeps them all.
 */
static void idle_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
    struct http_loop *loop = w->data;
    CURLM *old = loop->multi, *m;

    (void)ev;
    (void)revents;
    if (loop->running > 0)
        return;
    m = multi_make(loop);
    if (!m)
        return; /* out of memory: keep the connections instead */
    loop->multi = m;
    /* libcurl may call the socket and timer callbacks: the loop is alive
     * and no transfer runs on either handle. */
    curl_multi_cleanup(old);
    ev_timer_stop(loop->ev, &loop->timer);
}

void http_loop_close_idle(struct http_loop *loop)
{
    ev_timer_stop(loop->ev, &loop->idle);
    ev_timer_set(&loop->idle, 0., 0.);
    ev_timer_start(loop->ev, &loop->idle);
}

int http_loop_new(struct http_loop **out, struct ev_loop *ev,
                  unsigned max_transfers)
{
    struct http_loop *loop = calloc(1, sizeof(*loop));

    if (!loop)
        return ERR_NOMEM;
    loop->max_transfers = max_transfers ? max_transfers
                                        : HTTP_DEFAULT_MAX_TRANSFERS;
    if (ev) {
        loop->ev = ev;
    } else {
        loop->ev = ev_loop_new(EVFLAG_AUTO);
        loop->own_ev = true;
        if (!loop->ev) {
            free(loop);
            return ERR_INTERNAL;
        }
    }
    if (http_pool_new(&loop->pool, loop->ev)) {
        if (loop->own_ev)
            ev_loop_destroy(loop->ev);
        free(loop);
        return ERR_INTERNAL;
    }
    loop->multi = multi_make(loop);
    loop->share = curl_share_init();
    if (!loop->multi || !loop->share ||
        curl_share_setopt(loop->share, CURLSHOPT_SHARE,
                          CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK)
        goto fail;
    ev_timer_init(&loop->timer, ev_timer_cb, 0., 0.);
    loop->timer.data = loop;
    ev_timer_init(&loop->idle, idle_cb, 0., 0.);
    loop->idle.data = loop;
    *out = loop;
    return 0;
fail:
    if (loop->multi)
        curl_multi_cleanup(loop->multi);
    if (loop->share)
        curl_share_cleanup(loop->share);
    http_pool_free(loop->pool);
    if (loop->own_ev)
        ev_loop_destroy(loop->ev);
    free(loop);
    return ERR_INTERNAL;
}

void http_loop_free(struct http_loop *loop)
{
    if (!loop)
        return;
    http_loop_cancel_all(loop, ERR_INTERNAL);
    loop->refuse = true;
    /* Jobs: never started ones are cancelled, running ones joined. */
    http_pool_free(loop->pool);
    /* libcurl may call the socket callback here: the loop is alive. */
    curl_multi_cleanup(loop->multi);
    curl_share_cleanup(loop->share); /* no easy handle is left */
    ev_timer_stop(loop->ev, &loop->timer);
    ev_timer_stop(loop->ev, &loop->idle);
    if (loop->own_ev)
        ev_loop_destroy(loop->ev);
    free(loop);
}

void http_loop_set_trace(struct http_loop *loop, FILE *out)
{
    loop->trace = out;
}

unsigned http_loop_pending(const struct http_loop *loop)
{
    return loop->running + loop->queued + loop->n_deferred +
           http_pool_pending(loop->pool);
}

unsigned http_loop_peak_transfers(const struct http_loop *loop)
{
    return loop->peak;
}

unsigned http_loop_peak_requests(const struct http_loop *loop)
{
    return loop->peak_requests;
}

unsigned http_loop_max_transfers(const struct http_loop *loop)
{
    return loop->max_transfers;
}

static void deadline_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
    (void)w;
    (void)revents;
    ev_break(ev, EVBREAK_ONE);
}

int http_loop_run(struct http_loop *loop, double deadline)
{
    ev_timer dl;
    int r = 0;

    if (loop->in_run)
        return ERR_INTERNAL;
    loop->in_run = true;
    ev_timer_init(&dl, deadline_cb, 0., 0.);
    while (http_loop_pending(loop) > 0) {
        if (deadline > 0) {
            double left = deadline - util_now_mono();

            if (left <= 0) {
                r = ERR_TIMEOUT;
                break;
            }
            ev_timer_stop(loop->ev, &dl);
            ev_timer_set(&dl, left, 0.);
            ev_timer_start(loop->ev, &dl);
        }
        ev_run(loop->ev, EVRUN_ONCE);
    }
    ev_timer_stop(loop->ev, &dl);
    loop->in_run = false;
    return r;
}
