/*
 * Worker threads for CPU-bound jobs, completed on the loop through an
 * ev_async.  See pool.h.
 */
#include "pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include <ev.h>

#include "common/err.h"

#define POOL_MAX_WORKERS 2u

struct http_job {
    http_work_fn work;
    http_work_done_fn done;
    void *arg;
    pthread_t thread;
    bool started;
    bool finished;
    struct http_pool *pool;
    struct http_job *next;
};

struct http_pool {
    struct ev_loop *ev;
    ev_async async;
    bool async_ref;                  /* the watcher holds a loop reference */
    pthread_mutex_t lock;
    struct http_job *waiting;        /* not started, FIFO */
    struct http_job *running;        /* started (finished or not) */
    unsigned n_jobs;                 /* waiting + running */
    unsigned n_threads;              /* started, not yet joined */
};

static void *job_thread(void *arg)
{
    struct http_job *job = arg;
    struct http_pool *pool = job->pool;

    job->work(job->arg);
    pthread_mutex_lock(&pool->lock);
    job->finished = true;
    pthread_mutex_unlock(&pool->lock);
    ev_async_send(pool->ev, &pool->async);
    return NULL;
}

static void jobs_ref_update(struct http_pool *pool)
{
    /* The async watcher keeps ev_run alive only while jobs exist. */
    if (pool->n_jobs > 0 && !pool->async_ref) {
        ev_ref(pool->ev);
        pool->async_ref = true;
    } else if (pool->n_jobs == 0 && pool->async_ref) {
        ev_unref(pool->ev);
        pool->async_ref = false;
    }
}

/* Start waiting jobs while fewer than POOL_MAX_WORKERS threads run. */
static void jobs_start(struct http_pool *pool)
{
    while (pool->waiting && pool->n_threads < POOL_MAX_WORKERS) {
        struct http_job *job = pool->waiting;

        pool->waiting = job->next;
        pthread_mutex_lock(&pool->lock);
        job->next = pool->running;
        pool->running = job;
        pthread_mutex_unlock(&pool->lock);
        if (pthread_create(&job->thread, NULL, job_thread, job) != 0) {
            /* Complete it as failed on the next async pass. */
            pthread_mutex_lock(&pool->lock);
            job->finished = true;
            pthread_mutex_unlock(&pool->lock);
            ev_async_send(pool->ev, &pool->async);
            continue;
        }
        job->started = true;
        pool->n_threads++;
    }
}

static void async_cb(struct ev_loop *ev, ev_async *w, int revents)
{
    struct http_pool *pool = w->data;
    struct http_job *done_list = NULL, **pp, *job;

    (void)ev;
    (void)revents;
    pthread_mutex_lock(&pool->lock);
    pp = &pool->running;
    while ((job = *pp)) {
        if (job->finished) {
            *pp = job->next;
            job->next = done_list;
            done_list = job;
        } else {
            pp = &job->next;
        }
    }
    pthread_mutex_unlock(&pool->lock);
    while ((job = done_list)) {
        done_list = job->next;
        if (job->started) {
            pthread_join(job->thread, NULL);
            pool->n_threads--;
        }
        pool->n_jobs--;
        jobs_ref_update(pool);
        job->done(job->arg, job->started ? 0 : ERR_INTERNAL);
        free(job);
    }
    jobs_start(pool);
}

int http_pool_submit(struct http_pool *pool, http_work_fn work,
                     http_work_done_fn done, void *arg)
{
    struct http_job *job, **pp;

    job = calloc(1, sizeof(*job));
    if (!job)
        return ERR_NOMEM;
    job->work = work;
    job->done = done;
    job->arg = arg;
    job->pool = pool;
    for (pp = &pool->waiting; *pp; pp = &(*pp)->next)
        ;
    *pp = job;
    pool->n_jobs++;
    jobs_ref_update(pool);
    jobs_start(pool);
    return 0;
}

unsigned http_pool_pending(const struct http_pool *pool)
{
    return pool->n_jobs;
}

int http_pool_new(struct http_pool **out, struct ev_loop *ev)
{
    struct http_pool *pool = calloc(1, sizeof(*pool));

    if (!pool)
        return ERR_NOMEM;
    if (pthread_mutex_init(&pool->lock, NULL) != 0) {
        free(pool);
        return ERR_INTERNAL;
    }
    pool->ev = ev;
    ev_async_init(&pool->async, async_cb);
    pool->async.data = pool;
    ev_async_start(ev, &pool->async);
    /* Idle async watcher must not keep ev_run() alive. */
    ev_unref(ev);
    *out = pool;
    return 0;
}

void http_pool_free(struct http_pool *pool)
{
    struct http_job *job;

    if (!pool)
        return;
    /* Jobs: never started ones are cancelled, running ones joined. */
    while ((job = pool->waiting)) {
        pool->waiting = job->next;
        pool->n_jobs--;
        job->done(job->arg, ERR_INTERNAL);
        free(job);
    }
    while ((job = pool->running)) {
        pool->running = job->next;
        if (job->started)
            pthread_join(job->thread, NULL);
        pool->n_jobs--;
        job->done(job->arg, ERR_INTERNAL);
        free(job);
    }
    jobs_ref_update(pool);
    ev_ref(pool->ev);
    ev_async_stop(pool->ev, &pool->async);
    pthread_mutex_destroy(&pool->lock);
    free(pool);
}
