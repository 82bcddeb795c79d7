/*
 * Per-service leases (lease.h).  Each lease is a small state machine on the
 * engine's loop:
 *
 *   list the lease folder -> none: create generation 1
 *                         -> top generation N: read it
 *   read N -> expired: create N + 1 (take over), then delete the older ones
 *          -> held by another: wait and start over, until o->wait passed
 *   create -> 201: ours; renewal timer every ttl/3
 *          -> 409: another etls got there first: start over
 *   renew  -> PATCH our generation with a new expiry, then list: a higher
 *             generation, or a 404 on the PATCH, means the lease was lost
 *
 * Creation is create-if-absent in the secret store, so each generation has
 * exactly one holder.  A holder writes only while its local validity holds
 * (the send time of its last successful renewal + ttl - LEASE_SKEW on the
 * monotonic clock), and others take over only once the record's expiry
 * (wall clock) + LEASE_SKEW has passed, so the old holder has stopped by
 * then as long as the clocks differ by less than LEASE_SKEW.
 */
#include "controller/lease.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>
#include <openssl/rand.h>

#include "common/log.h"
#include "common/secret.h"
#include "common/util.h"
#include "dcos/client.h"
#include "dcos/parse.h"
#include "model/lease.h"

/* Pause between two looks at a lease another etls holds, seconds. */
#define LEASE_POLL 1.0

enum lease_state {
    LEASE_WORKING = 0, /* a request is out or a retry is due */
    LEASE_HELD,
    LEASE_FAILED,
    LEASE_GONE         /* released or lost */
};

struct lease_set;

struct lease {
    struct lease_set *set;
    char *name;
    char *folder;             /* etls/<service>/lease */
    enum lease_state st;
    bool busy;                /* a request of this lease is out */
    unsigned long gen;        /* ours, once created */
    unsigned long top;        /* the generation being read */
    char *path;               /* of generation @gen */
    struct model_lease rec;   /* what we wrote */
    double valid_until;       /* monotonic */
    double renew_sent;
    bool lost;
    unsigned releases;        /* DELETEs of the release sent */
    ev_timer timer;           /* retry or renewal */
    struct err_info err;
};

struct lease_set {
    struct ev_loop *ev;
    struct dcos_client *c;
    struct lease_options o;
    char *id;                 /* random token of this process's leases */
    double deadline;          /* of the acquisition, monotonic */
    struct lease *l;
    size_t n;
};

static void start(struct lease *l);
static void renew(struct lease *l);

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
    if (l->busy)
        return; /* the answer of the last request is still out */
    if (l->st == LEASE_WORKING)
        start(l);
    else if (l->st == LEASE_HELD)
        renew(l);
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
        start(l);
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
        start(l); /* released meanwhile */
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

static void start(struct lease *l)
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

static void renew(struct lease *l)
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

/* --- the set --- */

/* Run the loop until no lease is taking or answering, or @deadline. */
static void settle(struct lease_set *ls, double deadline)
{
    for (;;) {
        bool pending = false;
        size_t i;

        for (i = 0; i < ls->n; i++)
            pending |= ls->l[i].busy || ls->l[i].st == LEASE_WORKING;
        if (!pending || util_now_mono() >= deadline)
            return;
        ev_run(ls->ev, EVRUN_ONCE);
    }
}

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

int lease_acquire(struct lease_set **out, struct ev_loop *ev,
                  struct dcos_client *c, const char *const *names, size_t n,
                  const struct lease_options *o, struct err_info *e)
{
    struct lease_set *ls = calloc(1, sizeof(*ls));
    size_t i;
    int r = 0;

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

        l->set = ls;
        ev_timer_init(&l->timer, on_timer, 0., 0.);
        l->timer.data = l;
        l->name = strdup(names[i]);
        l->folder = model_lease_path(names[i], 0);
        l->rec.holder = util_strdup(o->holder ? o->holder : "etls");
        l->rec.id = strdup(ls->id);
        if (!l->name || !l->folder || !l->rec.holder || !l->rec.id) {
            set_free(ls);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
    }
    for (i = 0; i < n; i++)
        start(&ls->l[i]);
    settle(ls, ls->deadline + 4 * o->request_timeout + 10);
    for (i = 0; i < n && r == 0; i++) {
        struct lease *l = &ls->l[i];

        if (l->st == LEASE_HELD)
            continue;
        if (l->st == LEASE_FAILED)
            *e = l->err;
        else
            err_set(e, ERR_TIMEOUT, "taking the lease of service %s timed "
                    "out", l->name);
        r = e->code;
    }
    if (r) {
        lease_release(ls);
        return r;
    }
    *out = ls;
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

    for (i = 0; i < ls->n; i++)
        if (ls->l[i].st == LEASE_HELD && !ls->l[i].busy)
            renew(&ls->l[i]);
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

static void on_released(const struct dcos_result *r, void *payload)
{
    struct lease *l = payload;

    /* A reset or 5xx: try again while the release may (issue 10: an
     * expired generation left behind is an orphan until a takeover). */
    if (err_is_retryable(r->err.code) && ++l->releases < 4 &&
        util_now_mono() < l->set->deadline &&
        dcos_secret_delete(l->set->c, l->path, on_released, l) == 0)
        return;
    l->busy = false;
}

void lease_release(struct lease_set *ls)
{
    double deadline;
    size_t i;

    if (!ls)
        return;
    deadline = util_now_mono() + 2 * ls->o.request_timeout + 5;
    ls->deadline = deadline; /* the acquisition's is over: on_released's */
    for (i = 0; i < ls->n; i++) {
        struct lease *l = &ls->l[i];

        ev_timer_stop(ls->ev, &l->timer);
        /* Let an answer still out land first (it may be our create). */
        while (l->busy && util_now_mono() < deadline)
            ev_run(ls->ev, EVRUN_ONCE);
        if (l->st != LEASE_HELD || l->lost)
            continue;
        l->st = LEASE_GONE;
        l->busy = true;
        if (dcos_secret_delete(ls->c, l->path, on_released, l))
            l->busy = false;
    }
    for (;;) {
        bool busy = false;

        for (i = 0; i < ls->n; i++)
            busy |= ls->l[i].busy;
        if (!busy || util_now_mono() >= deadline)
            break;
        ev_run(ls->ev, EVRUN_ONCE);
    }
    set_free(ls);
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
