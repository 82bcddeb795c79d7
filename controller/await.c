/* Waiting without blocking the loop (await.h). */
#include "controller/await.h"

static void finish(struct await *a, bool timed_out)
{
    await_done_fn done = a->done;
    void *payload = a->payload;

    await_stop(a);
    done(a, timed_out, payload);
}

static void on_prepare(struct ev_loop *ev, ev_prepare *w, int revents)
{
    struct await *a = w->data;

    (void)ev;
    (void)revents;
    if (!a->ready || a->ready(a->payload))
        finish(a, false);
}

static void on_limit(struct ev_loop *ev, ev_timer *w, int revents)
{
    struct await *a = w->data;

    (void)ev;
    (void)revents;
    finish(a, true);
}

void await_start(struct await *a, struct ev_loop *ev, double seconds,
                 await_ready_fn ready, await_done_fn done, void *payload)
{
    a->ev = ev;
    a->ready = ready;
    a->done = done;
    a->payload = payload;
    a->active = true;
    ev_prepare_init(&a->prep, on_prepare);
    a->prep.data = a;
    ev_prepare_start(ev, &a->prep);
    ev_timer_init(&a->limit, on_limit, seconds > 0 ? seconds : 0., 0.);
    a->limit.data = a;
    if (seconds > 0)
        ev_timer_start(ev, &a->limit);
    /*
     * Ask @ready on this pass already: a wait started from a callback of
     * the prepare phase (one wave starting the next) would otherwise be
     * looked at only after the loop blocked, that is, with nothing in
     * flight, when its time ran out.
     */
    ev_feed_event(ev, &a->prep, EV_PREPARE);
}

void await_stop(struct await *a)
{
    if (!a->active)
        return;
    a->active = false;
    ev_prepare_stop(a->ev, &a->prep);
    ev_timer_stop(a->ev, &a->limit);
}

