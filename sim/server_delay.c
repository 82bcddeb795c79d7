/*
 * dcos-sim delayed answers: a timer thread that resumes suspended
 * libmicrohttpd connections at their deadline.  A delayed request holds a
 * list entry, not a thread.  See server_delay.h.
 */
#include "sim/server_delay.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <microhttpd.h>

#include "common/util.h"

struct delayed {
    double due; /* monotonic seconds */
    struct MHD_Connection *c;
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* on CLOCK_MONOTONIC */
    pthread_t thread;
    bool running;
    bool stopping;
    struct delayed *v;
    size_t n, cap;
} g = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Take entry @i out of the list (lock held); returns its connection. */
static struct MHD_Connection *take_locked(size_t i)
{
    struct MHD_Connection *c = g.v[i].c;

    g.v[i] = g.v[--g.n];
    return c;
}

/* Resume @c without holding the lock (libmicrohttpd takes its own). */
static void resume_unlocked(struct MHD_Connection *c)
{
    pthread_mutex_unlock(&g.mu);
    MHD_resume_connection(c);
    pthread_mutex_lock(&g.mu);
}

static void *delay_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g.mu);
    while (!g.stopping) {
        double now = util_now_mono(), first = 0;
        size_t i, at = 0;
        struct timespec ts;

        if (g.n == 0) {
            pthread_cond_wait(&g.cv, &g.mu);
            continue;
        }
        for (i = 0; i < g.n; i++) {
            if (i == 0 || g.v[i].due < first) {
                first = g.v[i].due;
                at = i;
            }
        }
        if (first <= now) {
            resume_unlocked(take_locked(at));
            continue;
        }
        /* sleep until the earliest deadline or a new entry */
        clock_gettime(CLOCK_MONOTONIC, &ts);
        {
            double wait = first - now;
            long sec = (long)wait;
            long ns = (long)((wait - (double)sec) * 1e9) + ts.tv_nsec;

            ts.tv_sec += sec + ns / 1000000000L;
            ts.tv_nsec = ns % 1000000000L;
        }
        pthread_cond_timedwait(&g.cv, &g.mu, &ts);
    }
    while (g.n)
        resume_unlocked(take_locked(g.n - 1));
    pthread_mutex_unlock(&g.mu);
    return NULL;
}

/* See server_delay.h. */
int sim_server_delay_start(void)
{
    pthread_condattr_t ca;
    int r = ERR_INTERNAL;

    if (g.running)
        return ERR_INTERNAL;
    if (pthread_condattr_init(&ca) != 0)
        return ERR_INTERNAL;
    if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
        pthread_cond_init(&g.cv, &ca) == 0) {
        g.stopping = false;
        if (pthread_create(&g.thread, NULL, delay_main, NULL) == 0) {
            g.running = true;
            r = 0;
        } else {
            pthread_cond_destroy(&g.cv);
        }
    }
    pthread_condattr_destroy(&ca);
    return r;
}

/* See server_delay.h. */
int sim_server_delay_suspend(struct MHD_Connection *c, long ms)
{
    int r = 0;

    pthread_mutex_lock(&g.mu);
    if (!g.running || g.stopping) {
        r = ERR_INVALID;
        goto out;
    }
    if (g.n == g.cap) {
        size_t cap = g.cap ? g.cap * 2 : 16;
        struct delayed *v = realloc(g.v, cap * sizeof(*v));

        if (!v) {
            r = ERR_NOMEM;
            goto out;
        }
        g.v = v;
        g.cap = cap;
    }
    /* Suspended before the timer can see it, so that it is never resumed
     * unsuspended; the handler's thread cannot process the resume before
     * the handler returns. */
    MHD_suspend_connection(c);
    g.v[g.n].c = c;
    g.v[g.n].due = util_now_mono() + (double)ms / 1000.0;
    g.n++;
    pthread_cond_signal(&g.cv);
out:
    pthread_mutex_unlock(&g.mu);
    return r;
}

/* See server_delay.h. */
void sim_server_delay_stop(void)
{
    pthread_mutex_lock(&g.mu);
    if (!g.running) {
        pthread_mutex_unlock(&g.mu);
        return;
    }
    g.stopping = true;
    pthread_cond_signal(&g.cv);
    pthread_mutex_unlock(&g.mu);
    pthread_join(g.thread, NULL);
    pthread_mutex_lock(&g.mu);
    g.running = false;
    free(g.v);
    g.v = NULL;
    g.n = g.cap = 0;
    pthread_cond_destroy(&g.cv);
    pthread_mutex_unlock(&g.mu);
}
