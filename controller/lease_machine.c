/*
 * The state machine of one lease (lease_machine.h): every request of
 * taking and keeping it, on the set's loop.
 */
#include "controller/lease_machine.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/secret.h"
#include "common/util.h"
#include "controller/term.h"
#include "dcos/client.h"
#include "dcos/parse.h"

/* Pause between two looks at a lease another etls holds, seconds. */
#define LEASE_POLL 1.0

static void fail(struct lease *l, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct lease *l, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_vset(&l->err, code, fmt, ap);
    va_end(ap);
    l->st = LEASE_FAILED;
}

static void arm(struct lease *l, double seconds, bool repeat)
{
    ev_timer_stop(l->set->ev, &l->timer);
    ev_timer_set(&l->timer, seconds, repeat ? seconds : 0.);
    ev_timer_start(l->set->ev, &l->timer);
}

static void on_timer(struct ev_loop *ev, ev_timer *w, int revents)
{
    struct lease *l = w->data;

    (void)ev;
    (void)revents;
    if (l->busy || l->set->releasing)
        return; /* the answer of the last request is still out */
    if (l->st == LEASE_WORKING)
        lease_machine_start(l);
    else if (l->st == LEASE_HELD)
        lease_machine_renew(l);
}

/* A record holding our identity and a fresh expiry (new string). */
static struct secret *record(struct lease *l, bool first)
{
    double now = util_now_wall();
    struct secret *s;
    char *text;

    if (first)
        l->rec.acquired = (long long)now;
    l->rec.expires = (long long)(now + l->set->o.ttl);
    text = model_lease_format(&l->rec);
    if (!text)
        return NULL;
    s = secret_new_str(text);
    free(text);
    return s;
}

/* --- taking the lease --- */

static void on_old_deleted(const struct dcos_result *r, void *payload)
{
    (void)r;
    (void)payload; /* best effort: a leftover generation harms nobody */
}

/* After a takeover: delete the generations below ours. */
static void delete_older(struct lease *l)
{
    unsigned long g;

    for (g = l->gen - 1; g >= 1 && l->gen - g <= 8; g--) {
        char *p = model_lease_path(l->name, g);

        if (p)
            (void)dcos_secret_delete(l->set->c, p, on_old_deleted, NULL);
        free(p);
    }
}

static void on_created(const struct dcos_result *r, void *payload)
{
    struct lease *l = payload;

    l->busy = false;
    if (l->st != LEASE_WORKING)
        return;
    if (r->err.code == ERR_CONFLICT) {
        /* Another etls created this generation first: look again. */
        lease_machine_start(l);
        return;
    }
    if (r->err.code) {
        fail(l, r->err.code, "cannot take the lease of service %s: %s",
             l->name, r->err.text);
        return;
    }
    l->st = LEASE_HELD;
    l->valid_until = l->renew_sent + l->set->o.ttl - LEASE_SKEW;
    LOG(LOG_INFO, "lease", "took the lease of %s (generation %lu)",
        l->name, l->gen);
    if (l->gen > 1)
        delete_older(l);
    arm(l, l->set->o.ttl / 3, true);
}

static void create(struct lease *l, unsigned long gen)
{
    struct secret *rec;
    int r;

    free(l->path);
    l->gen = gen;
    l->path = model_lease_path(l->name, gen);
    rec = record(l, true);
    if (!l->path || !rec) {
        secret_free(rec);
        fail(l, ERR_NOMEM, "out of memory");
        return;
    }
    l->renew_sent = util_now_mono();
    l->busy = true;
    r = dcos_secret_put(l->set->c, l->path, rec, on_created, l);
    secret_free(rec);
    if (r) {
        l->busy = false;
        fail(l, r, "cannot take the lease of service %s: %s", l->name,
             err_name(r));
    }
}

/* Waiting for another etls's lease: say so when silent for a while
 * (docs/cli.md, "Colour and progress"), at warn so that it shows. */
static void heartbeat(struct lease *l, const struct model_lease *other,
                      double left)
{
    double now = util_now_mono();

    if (l->waited_since == 0) {
        l->waited_since = l->last_beat = now;
        return;
    }
    if (now - l->last_beat < term_heartbeat_seconds())
        return;
    l->last_beat = now;
    LOG(LOG_WARN, "lease", "Still waiting for the lease of %s held by %s "
        "[%.0fs elapsed, %.0fs left of --lock-timeout]", l->name,
        other->holder, now - l->waited_since, left);
}

/* Held by another: wait and look again, or give up at the deadline. */
static void held_elsewhere(struct lease *l, const struct model_lease *other)
{
    double left = l->set->deadline - util_now_mono();
    long long in = other->expires - (long long)util_now_wall();

    if (left <= 0) {
        fail(l, ERR_CONFLICT, "service %s is locked by %s; the lease "
             "expires in %llds unless renewed. Wait for it (--lock-timeout),"
             " or, if that etls is gone, run etls force-unlock %s",
             l->name, other->holder, in > 0 ? in : 0, l->name);
        return;
    }
    LOG(LOG_INFO, "lease", "%s is locked by %s; waiting", l->name,
        other->holder);
    heartbeat(l, other, left);
    arm(l, left < LEASE_POLL ? left : LEASE_POLL, false);
}

static void on_top(const struct dcos_result *r, void *payload)
{
    struct lease *l = payload;
    unsigned long top = l->top;
    struct model_lease other;

    l->busy = false;
    if (l->st != LEASE_WORKING)
        return;
    if (r->err.code == ERR_NOTFOUND) {
        lease_machine_start(l); /* released meanwhile */
        return;
    }
    if (r->err.code) {
        fail(l, r->err.code, "cannot read the lease of service %s: %s",
             l->name, r->err.text);
        return;
    }
    if (!r->secret ||
        model_lease_parse(&other, secret_str(r->secret), r->secret->len)) {
        /* Not a record we can judge: treat it as expired garbage. */
        create(l, top + 1);
        return;
    }
    if (strcmp(other.id, l->set->id) == 0)
        create(l, top + 1); /* ours, from an earlier attempt: renew */
    else if ((double)other.expires + LEASE_SKEW < util_now_wall())
        create(l, top + 1); /* expired: take it over */
    else
        held_elsewhere(l, &other);
    model_lease_clear(&other);
}

static void on_list(const struct dcos_result *r, void *payload)
{
    struct lease *l = payload;
    char **names = NULL, *path;
    size_t n = 0;
    unsigned long top;

    l->busy = false;
    if (l->st != LEASE_WORKING)
        return;
    if (r->err.code == ERR_NOTFOUND) {
        create(l, 1);
        return;
    }
    if (r->err.code || dcos_parse_string_array(
                           &names, &n, json_object_get(r->json, "array"))) {
        fail(l, r->err.code ? r->err.code : ERR_INVALID,
             "cannot list the lease of service %s: %s", l->name,
             r->err.code ? r->err.text : "unexpected answer");
        return;
    }
    top = model_lease_top(names, n);
    dcos_string_array_free(names, n);
    if (top == 0) {
        create(l, 1);
        return;
    }
    path = model_lease_path(l->name, top);
    l->top = top;
    l->busy = path && dcos_secret_get(l->set->c, path, on_top, l) == 0;
    if (!l->busy)
        fail(l, ERR_NOMEM, "cannot read the lease of service %s", l->name);
    free(path);
}

void lease_machine_init(struct lease *l, struct lease_set *set)
{
    l->set = set;
    ev_timer_init(&l->timer, on_timer, 0., 0.);
    l->timer.data = l;
}

void lease_machine_start(struct lease *l)
{
    l->busy = true;
    if (dcos_secret_list(l->set->c, l->folder, on_list, l)) {
        l->busy = false;
        fail(l, ERR_INVALID, "cannot list the lease of service %s",
             l->name);
    }
}

/* --- keeping it --- */

static void lost(struct lease *l, const char *why)
{
    if (l->lost)
        return;
    l->lost = true;
    l->st = LEASE_GONE;
    ev_timer_stop(l->set->ev, &l->timer);
    err_set(&l->err, ERR_CONFLICT, "lost the lease of service %s: %s",
            l->name, why);
    LOG(LOG_WARN, "lease", "lost the lease of %s: %s", l->name, why);
}

static void on_renew_list(const struct dcos_result *r, void *payload)
{
    struct lease *l = payload;
    char **names = NULL;
    size_t n = 0;

    l->busy = false;
    if (l->st != LEASE_HELD)
        return;
    if (r->err.code || dcos_parse_string_array(
                           &names, &n, json_object_get(r->json, "array")))
        return; /* unknown: the next renewal looks again */
    if (model_lease_top(names, n) > l->gen)
        lost(l, "another etls took it over");
    else
        l->valid_until = l->renew_sent + l->set->o.ttl - LEASE_SKEW;
    dcos_string_array_free(names, n);
}

static void on_renewed(const struct dcos_result *r, void *payload)
{
    struct lease *l = payload;

    l->busy = false;
    if (l->st != LEASE_HELD)
        return;
    if (r->err.code == ERR_NOTFOUND) {
        lost(l, "its record was deleted (etls force-unlock?)");
        return;
    }
    if (r->err.code)
        return; /* the next renewal tries again; validity runs out first */
    l->busy = true;
    if (dcos_secret_list(l->set->c, l->folder, on_renew_list, l))
        l->busy = false;
}

void lease_machine_renew(struct lease *l)
{
    struct secret *rec = record(l, false);
    double sent = util_now_mono();

    if (!rec)
        return;
    l->busy = true;
    if (dcos_secret_patch(l->set->c, l->path, rec, on_renewed, l))
        l->busy = false;
    else
        l->renew_sent = sent;
    secret_free(rec);
}

