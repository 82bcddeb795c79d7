#ifndef ETLS_DCOS_POOL_H
#define ETLS_DCOS_POOL_H

struct ev_loop;
struct http_pool;

/*
 * A small worker-thread pool for CPU-bound jobs (RSA key generation) that
 * must not run on the event loop.  At most two threads run at once; the
 * other jobs wait in FIFO order.  A finished job is handed back to the loop
 * through an ev_async, and its completion runs there.  The pool keeps the
 * loop running (ev_run) only while it has jobs.
 */

/* Worker-thread job and its completion on the loop.  @status is 0 when
 * @work ran, ERR_INTERNAL when the job was cancelled (pool freed) or no
 * thread could be started. */
typedef void (*http_work_fn)(void *arg);
typedef void (*http_work_done_fn)(void *arg, int status);

/*
 * New pool whose completions run on @ev (borrowed; it must outlive the
 * pool).
 * @param[out] out the new pool (http_pool_free)
 * @return 0, ERR_NOMEM or ERR_INTERNAL
 */
int http_pool_new(struct http_pool **out, struct ev_loop *ev);

/*
 * Cancel the jobs not started (their completions run with ERR_INTERNAL),
 * wait for the running ones (completions with ERR_INTERNAL too) and free
 * the pool.  Accepts NULL.  Call it with @ev alive, never from a
 * completion.
 */
void http_pool_free(struct http_pool *pool);

/*
 * Run @work(@arg) on a worker thread, then @done(@arg, status) on the
 * loop.  @done is called exactly once when this returns 0.
 * @return 0 or ERR_NOMEM
 */
int http_pool_submit(struct http_pool *pool, http_work_fn work,
                     http_work_done_fn done, void *arg);

/* Number of jobs submitted and not yet completed. */
unsigned http_pool_pending(const struct http_pool *pool);

#endif
