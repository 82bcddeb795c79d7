#ifndef ETLS_DCOS_LOOP_H
#define ETLS_DCOS_LOOP_H

#include <stddef.h>
#include <stdio.h>

#include "common/err.h"
#include "dcos/pool.h"
#include "dcos/request.h"

/*
 * The libcurl multi <-> libev bridge (style.md section 1, "Event loop and
 * libcurl multi").  One struct http_loop owns a CURLM, one ev_timer for
 * libcurl's timeout and one ev_io per socket.  Requests (dcos/request.h)
 * are submitted and completed through a callback that runs on the loop.  At
 * most `max_transfers` transfers run at once; the rest wait in a FIFO
 * queue.
 *
 * The loop also runs short CPU-bound jobs (RSA key generation) on its
 * worker pool (dcos/pool.h), whose completions run on the loop too.
 *
 * Nothing in this module logs.  Tracing (http_loop_set_trace) is opt-in and
 * redacts as dcos/trace.h says.
 */

struct ev_loop;
struct http_loop;
struct http_request;

/* Default bound on concurrent transfers. */
#define HTTP_DEFAULT_MAX_TRANSFERS 8u

/*
 * Call once at program start, before any other thread exists
 * (curl_global_init).  Returns 0 or ERR_INTERNAL.
 */
int http_global_init(void);

/* Counterpart of http_global_init(), at exit. */
void http_global_cleanup(void);

/*
 * New loop.  @ev is borrowed (NULL: the loop creates and owns its own
 * ev_loop).  @max_transfers bounds concurrent transfers (0 = default); it is
 * also the libcurl connection limit.
 * @param[out] out the new loop (free with http_loop_free)
 * @return 0, ERR_NOMEM or ERR_INTERNAL
 */
int http_loop_new(struct http_loop **out, struct ev_loop *ev,
                  unsigned max_transfers);

/*
 * Cancel every pending request (callbacks run with ERR_INTERNAL "request
 * cancelled"), wait for worker threads, then clean up libcurl while the
 * event loop is still alive and destroy the ev_loop when owned.  Accepts
 * NULL.  Must not be called from a completion callback.
 */
void http_loop_free(struct http_loop *loop);

/*
 * Close the connections @loop keeps for reuse, soon after this returns
 * (on the loop, never inside a callback of libcurl's), unless a transfer
 * runs by then.  For a loop that will sit idle for long: a daemon's lane
 * between resyncs holds no socket.  TLS sessions are kept.
 */
void http_loop_close_idle(struct http_loop *loop);

/*
 * Write a redacted trace of every later transfer to @out (borrowed; NULL
 * turns tracing off).
 */
void http_loop_set_trace(struct http_loop *loop, FILE *out);

/* Number of requests queued or running, deferred callbacks not yet run
 * and jobs not yet completed. */
unsigned http_loop_pending(const struct http_loop *loop);

/* Highest number of transfers that ran at the same time so far. */
unsigned http_loop_peak_transfers(const struct http_loop *loop);

/* Highest number of requests running or queued at once so far. */
unsigned http_loop_peak_requests(const struct http_loop *loop);

/* The bound on concurrent transfers given to http_loop_new. */
unsigned http_loop_max_transfers(const struct http_loop *loop);

/*
 * Run the event loop until nothing is pending or the monotonic time
 * util_now_mono() reaches @deadline (<= 0: no deadline).  Requests still
 * pending at the deadline stay pending.  Not reentrant: never call it from
 * a completion callback.
 * @return 0, or ERR_TIMEOUT when the deadline passed first
 */
int http_loop_run(struct http_loop *loop, double deadline);

/*
 * Complete every queued and running request now with @code (e.g.
 * ERR_TIMEOUT) and the text "request cancelled", and run every deferred
 * callback with @code.
 */
void http_loop_cancel_all(struct http_loop *loop, int code);

/*
 * Run @work(@arg) on a worker thread (at most two at once; the rest queue)
 * and then @done(@arg, status) on the loop.  @done is called exactly once
 * when this returns 0.
 * @return 0, ERR_NOMEM, or ERR_INVALID when the loop is shutting down
 */
int http_loop_job(struct http_loop *loop, http_work_fn work,
                  http_work_done_fn done, void *arg);

/*
 * A deferred callback (http_loop_defer): @cancel_code is 0 when the delay
 * passed, else the code the loop was cancelled with (nothing can be
 * submitted then).
 */
typedef void (*http_defer_fn)(void *arg, int cancel_code);

/*
 * Call @fn(@arg, 0) on the loop in @seconds (a retry's backoff).  It counts
 * as pending: http_loop_run waits for it.  http_loop_cancel_all and
 * http_loop_free call it at once with their code instead.  @fn is called
 * exactly once when this returns 0.
 * @return 0, ERR_NOMEM, or ERR_INVALID when the loop is shutting down
 */
int http_loop_defer(struct http_loop *loop, double seconds, http_defer_fn fn,
                    void *arg);

/*
 * Queue @req (stolen in every case).  @done(resp, @payload) is called
 * exactly once, on the loop, when this returns 0; never when it fails.
 * @return 0, ERR_NOMEM, ERR_INTERNAL, or ERR_INVALID when the loop is
 * shutting down
 */
int http_loop_submit(struct http_loop *loop, struct http_request *req,
                     http_done_fn done, void *payload);

#endif
