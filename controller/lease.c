/*
 * Per-service leases (lease.h): a set of leases taken together, each one
 * a state machine of lease_machine.c on the loop.  Acquisition and release
 * are asynchronous (they end in a callback, waiting with await.h); the
 * synchronous lease_acquire, lease_refresh and lease_release run the loop
 * until they are done, for the CLI.
 */
#include "controller/lease.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>
#include <openssl/rand.h>

#include "common/log.h"
#include "common/util.h"
#include "dcos/client.h"

static char *random_id(void)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[8];
    char *s = malloc(2 * sizeof(b) + 1);
    size_t i;

    if (!s || RAND_bytes(b, (int)sizeof(b)) != 1) {
        free(s);
        return NULL;
    }
    for (i = 0; i < sizeof(b); i++) {
        s[2 * i] = hex[b[i] >> 4];
        s[2 * i + 1] = hex[b[i] & 15];
    }
    s[2 * sizeof(b)] = '\0';
    return s;
}

static void set_free(struct lease_set *ls)
{
    size_t i;

    await_stop(&ls->wait);
    for (i = 0; i < ls->n; i++) {
        struct lease *l = &ls->l[i];

        ev_timer_stop(ls->ev, &l->timer);
        free(l->name);
        free(l->folder);
        free(l->path);
        model_lease_clear(&l->rec);
    }
    free(ls->l);
    free(ls->id);
    free(ls);
}

/* --- release --- */

static void on_released(const struct dcos_result *r, void *payload)
{
    struct lease *l = payload;

    /* A reset or 5xx: try again while the release may (an expired
     * generation left behind is an orphan until a takeover). */
    if (err_is_retryable(r->err.code) && ++l->releases < 4 &&
        util_now_mono() < l->set->deadline &&
        dcos_secret_delete(l->set->c, l->path, on_released, l) == 0)
        return;
    l->busy = false;
}

/*
 * One step of a release: each lease whose answer still out has landed (it
 * may be our create) and is held gets its DELETE.  true once every lease
 * is released and no request is out.
 */
static bool release_step(void *payload)
{
    struct lease_set *ls = payload;
    bool busy = false;
    size_t i;

    for (i = 0; i < ls->n; i++) {
        struct lease *l = &ls->l[i];

        if (l->busy) {
            busy = true;
            continue;
        }
        ev_timer_stop(ls->ev, &l->timer);
        if (l->st != LEASE_HELD || l->lost)
            continue;
        l->st = LEASE_GONE;
        l->busy = true;
        if (dcos_secret_delete(ls->c, l->path, on_released, l))
            l->busy = false;
        busy |= l->busy;
    }
    return !busy;
}

static void on_release_end(struct await *a, bool timed_out, void *payload)
{
    struct lease_set *ls = payload;
    lease_released_fn done = ls->released;
    void *arg = ls->payload;

    (void)a;
    if (timed_out)
        LOG(LOG_WARN, "lease", "releasing %zu lease(s) timed out; they "
            "expire by themselves", ls->n);
    set_free(ls);
    if (done)
        done(arg);
}

void lease_release_start(struct lease_set *ls, lease_released_fn done,
                         void *payload)
{
    if (!ls)
        return;
    await_stop(&ls->wait);
    ls->releasing = true;
    ls->acquired = NULL;
    ls->released = done;
    ls->payload = payload;
    /* The acquisition is over: its deadline is now on_released's. */
    ls->deadline = util_now_mono() + 2 * ls->o.request_timeout + 5;
    await_start(&ls->wait, ls->ev, 2 * ls->o.request_timeout + 5,
                release_step, on_release_end, ls);
}

/* --- acquisition --- */

/* No lease is taking or answering any more. */
static bool settled(void *payload)
{
    struct lease_set *ls = payload;
    size_t i;

    for (i = 0; i < ls->n; i++)
        if (ls->l[i].busy || ls->l[i].st == LEASE_WORKING)
            return false;
    return true;
}

/* A failed acquisition, reported once what it took is released. */
struct acq_failure {
    lease_acquired_fn done;
    void *payload;
    int r;
    struct err_info e;
};

static void on_failed_released(void *payload)
{
    struct acq_failure *f = payload;

    f->done(NULL, f->r, &f->e, f->payload);
    free(f);
}

static void on_settled(struct await *a, bool timed_out, void *payload)
{
    struct lease_set *ls = payload;
    lease_acquired_fn done = ls->acquired;
    void *arg = ls->payload;
    struct acq_failure *f;
    struct err_info e;
    size_t i;
    int r = 0;

    (void)a;
    (void)timed_out; /* a lease not settled says so below */
    memset(&e, 0, sizeof(e));
    for (i = 0; i < ls->n && r == 0; i++) {
        struct lease *l = &ls->l[i];

        if (l->st == LEASE_HELD)
            continue;
        if (l->st == LEASE_FAILED)
            e = l->err;
        else
            err_set(&e, ERR_TIMEOUT, "taking the lease of service %s timed "
                    "out", l->name);
        r = e.code ? e.code : ERR_INTERNAL;
    }
    ls->acquired = NULL;
    if (r == 0) {
        done(ls, 0, &e, arg);
        return;
    }
    /* Release what was taken first, then report. */
    f = calloc(1, sizeof(*f));
    if (!f) {
        lease_release_start(ls, NULL, NULL);
        done(NULL, r, &e, arg);
        return;
    }
    f->done = done;
    f->payload = arg;
    f->r = r;
    f->e = e;
    lease_release_start(ls, on_failed_released, f);
}

int lease_acquire_start(struct ev_loop *ev, struct dcos_client *c,
                        const char *const *names, size_t n,
                        const struct lease_options *o, lease_acquired_fn done,
                        void *payload, struct err_info *e)
{
    struct lease_set *ls = calloc(1, sizeof(*ls));
    size_t i;

    if (!ls)
        return err_set(e, ERR_NOMEM, "out of memory");
    ls->ev = ev;
    ls->c = c;
    ls->o = *o;
    if (ls->o.ttl < LEASE_TTL_MIN)
        ls->o.ttl = LEASE_TTL_MIN;
    ls->id = random_id();
    ls->l = calloc(n + 1, sizeof(*ls->l));
    if (!ls->id || !ls->l) {
        set_free(ls);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    ls->n = n;
    ls->deadline = util_now_mono() + (o->wait > 0 ? o->wait : 0);
    for (i = 0; i < n; i++) {
        struct lease *l = &ls->l[i];

        lease_machine_init(l, ls);
        l->name = strdup(names[i]);
        l->folder = model_lease_path(names[i], 0);
        l->rec.holder = util_strdup(o->holder ? o->holder : "etls");
        l->rec.id = strdup(ls->id);
        if (!l->name || !l->folder || !l->rec.holder || !l->rec.id) {
            set_free(ls);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
    }
    ls->acquired = done;
    ls->payload = payload;
    for (i = 0; i < n; i++)
        lease_machine_start(&ls->l[i]);
    await_start(&ls->wait, ev,
                (o->wait > 0 ? o->wait : 0) + 4 * o->request_timeout + 10,
                settled, on_settled, ls);
    return 0;
}

/* --- the synchronous API of the CLI --- */

/* A synchronous call waiting for its callback (which stops the pass of
 * the loop so that it does not block once the result is in). */
struct lease_sync {
    struct ev_loop *ev;
    bool done;
    int r;
    struct err_info e;
    struct lease_set *ls;
};

static void on_sync_acquired(struct lease_set *ls, int r,
                             const struct err_info *e, void *payload)
{
    struct lease_sync *s = payload;

    s->done = true;
    s->r = r;
    s->e = *e;
    s->ls = ls;
    ev_break(s->ev, EVBREAK_ONE);
}

static void on_sync_released(void *payload)
{
    struct lease_sync *s = payload;

    s->done = true;
    ev_break(s->ev, EVBREAK_ONE);
}

int lease_acquire(struct lease_set **out, struct ev_loop *ev,
                  struct dcos_client *c, const char *const *names, size_t n,
                  const struct lease_options *o, struct err_info *e)
{
    struct lease_sync s;
    int r;

    memset(&s, 0, sizeof(s));
    s.ev = ev;
    r = lease_acquire_start(ev, c, names, n, o, on_sync_acquired, &s, e);
    if (r)
        return r;
    while (!s.done)
        ev_run(ev, EVRUN_ONCE);
    if (s.r) {
        *e = s.e;
        return s.r;
    }
    *out = s.ls;
    return 0;
}

static const struct lease *find(const struct lease_set *ls,
                                const char *name)
{
    size_t i;

    for (i = 0; ls && i < ls->n; i++)
        if (strcmp(ls->l[i].name, name) == 0)
            return &ls->l[i];
    return NULL;
}

bool lease_held(const struct lease_set *ls, const char *name)
{
    const struct lease *l = find(ls, name);

    return l && l->st == LEASE_HELD && !l->lost &&
           util_now_mono() < l->valid_until;
}

int lease_refresh(struct lease_set *ls, struct err_info *e)
{
    double deadline = util_now_mono() + 2 * ls->o.request_timeout + 5;
    size_t i;

    /* A lease with half its lifetime left needs nothing: it cannot have
     * been taken over (others wait for its expiry), and its renewal timer
     * keeps it.  Renewing it anyway would cost two round trips (PATCH,
     * then list) before every apply. */
    for (i = 0; i < ls->n; i++)
        if (ls->l[i].st == LEASE_HELD && !ls->l[i].busy &&
            ls->l[i].valid_until - util_now_mono() < ls->o.ttl / 2)
            lease_machine_renew(&ls->l[i]);
    while (util_now_mono() < deadline) {
        bool busy = false;

        for (i = 0; i < ls->n; i++)
            busy |= ls->l[i].busy;
        if (!busy)
            break;
        ev_run(ls->ev, EVRUN_ONCE);
    }
    for (i = 0; i < ls->n; i++)
        if (!lease_held(ls, ls->l[i].name)) {
            if (ls->l[i].err.code)
                *e = ls->l[i].err;
            else
                err_set(e, ERR_CONFLICT, "the lease of service %s lapsed",
                        ls->l[i].name);
            return ERR_CONFLICT;
        }
    return 0;
}

void lease_release(struct lease_set *ls)
{
    struct lease_sync s;
    struct ev_loop *ev;

    if (!ls)
        return;
    ev = ls->ev;
    memset(&s, 0, sizeof(s));
    s.ev = ev;
    lease_release_start(ls, on_sync_released, &s);
    while (!s.done)
        ev_run(ev, EVRUN_ONCE);
}

char *lease_holder_describe(const char *command)
{
    char host[256] = "";
    const char *user = getenv("USER");
    struct passwd *pw;
    char buf[MODEL_LEASE_HOLDER_MAX];

    if (gethostname(host, sizeof(host) - 1) != 0)
        snprintf(host, sizeof(host), "unknown-host");
    if (!user || !*user) {
        pw = getpwuid(geteuid());
        user = pw && pw->pw_name ? pw->pw_name : "unknown";
    }
    snprintf(buf, sizeof(buf), "etls %.20s by %.40s@%.80s pid %ld",
             command ? command : "", user, host, (long)getpid());
    return strdup(buf);
}
