#ifndef ETLS_CONTROLLER_AWAIT_H
#define ETLS_CONTROLLER_AWAIT_H

#include <stdbool.h>

#include <ev.h>

/*
 * Waiting without blocking the loop: the asynchronous counterpart of
 *
 *     while (!ready()) ev_run(ev, EVRUN_ONCE);
 *
 * An await asks @ready just before the loop would block (an ev_prepare
 * watcher), that is right after the callbacks of every iteration ran,
 * and calls @done once @ready holds or @seconds passed, whichever comes
 * first.  Nothing is called from inside await_start: at the earliest on
 * the next pass of the loop.  The struct is owned by the caller and must
 * stay put while it waits.
 */
struct await;

/* true when the awaited condition holds. */
typedef bool (*await_ready_fn)(void *payload);

/* The wait ended: @timed_out when @seconds passed first. */
typedef void (*await_done_fn)(struct await *a, bool timed_out,
                              void *payload);

struct await {
    ev_prepare prep;
    ev_timer limit;
    struct ev_loop *ev;
    await_ready_fn ready;
    await_done_fn done;
    void *payload;
    bool active;
};

/*
 * Start waiting on @ev for @ready(@payload) (NULL: true at once), at most
 * @seconds (<= 0: no bound), then call @done(@a, timed_out, @payload).
 * @a must not be waiting already.
 */
void await_start(struct await *a, struct ev_loop *ev, double seconds,
                 await_ready_fn ready, await_done_fn done, void *payload);

/* Stop a wait without calling its @done; a no-op when not waiting. */
void await_stop(struct await *a);

#endif
