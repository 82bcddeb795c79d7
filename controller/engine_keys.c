/*
 * Speculative key pairs (engine_int.h, "engine_keys"): an apply that will
 * create a service account needs a new RSA-2048 key pair, hundreds of
 * milliseconds of CPU.  As soon as observation sees the account missing
 * (and no usable key in its secret), the engine starts making one on a worker thread of its own HTTP loop
 * (not a lane's: a lane's waves wait for everything of their loop), while
 * the catalog, the checks, the leases and the second observation go on.
 * The executor that needs a key takes the service's pair, ready or still
 * being made; a pair nobody took is wiped when the apply of its service
 * ends or the engine is freed.  Only engines with speculate_keys (apply,
 * run) ever make one: a plan generates no key.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "controller/engine_int.h"
#include "dcos/keys.h"
#include "dcos/loop.h"

struct spec_key {
    struct spec_key *next;
    struct engine_keys *keys; /* NULL once the set is being freed */
    char *service;
    bool ready;               /* made: priv and pub are set */
    bool taken;               /* handed to a waiter when made */
    struct secret *priv;
    char *pub;
    dcos_keygen_fn waiter;    /* a taker waiting for the pair, or NULL */
    void *waiter_payload;
};

struct engine_keys {
    struct http_loop *loop;   /* its worker threads make the pairs */
    struct spec_key *list;    /* made or being made, not taken */
    unsigned long started;    /* pairs started (tests, debug log) */
};

int engine_keys_new(struct engine_keys **out, struct ev_loop *ev)
{
    struct engine_keys *k = calloc(1, sizeof(*k));
    int r;

    if (!k)
        return ERR_NOMEM;
    r = http_loop_new(&k->loop, ev, 1);
    if (r) {
        free(k);
        return r;
    }
    *out = k;
    return 0;
}

static void key_free(struct spec_key *s)
{
    secret_free(s->priv); /* wipes */
    free(s->pub);
    free(s->service);
    free(s);
}

/* Take @s off the list of @k. */
static void unlink_key(struct engine_keys *k, struct spec_key *s)
{
    struct spec_key **p;

    for (p = &k->list; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            return;
        }
}

void engine_keys_free(struct engine_keys *k)
{
    struct spec_key *s, *next;

    if (!k)
        return;
    /* Pairs still being made end here (their completions free them). */
    for (s = k->list; s; s = next) {
        next = s->next;
        LOG(LOG_DEBUG, "engine", "unused speculative key pair of %s wiped",
            s->service);
        if (s->ready) {
            key_free(s);
        } else {
            s->keys = NULL;
            s->next = NULL;
        }
    }
    k->list = NULL;
    http_loop_free(k->loop);
    free(k);
}

static struct spec_key *find(struct engine_keys *k, const char *service)
{
    struct spec_key *s;

    for (s = k->list; s; s = s->next)
        if (!s->taken && strcmp(s->service, service) == 0)
            return s;
    return NULL;
}

static void on_made(int status, struct secret *priv, char *pub,
                    void *payload)
{
    struct spec_key *s = payload;
    struct engine_keys *k = s->keys;

    if (s->taken) {
        /* Hand it over; the waiter owns it from now on. */
        s->waiter(status, priv, pub, s->waiter_payload);
        key_free(s);
        return;
    }
    if (!k || status) {
        /* The engine is gone, or it failed: the taker makes its own. */
        if (k)
            unlink_key(k, s);
        secret_free(priv);
        free(pub);
        key_free(s);
        return;
    }
    s->priv = priv;
    s->pub = pub;
    s->ready = true;
}

void engine_keys_speculate(struct engine_keys *k, const char *service)
{
    struct spec_key *s;

    if (!k || find(k, service))
        return;
    s = calloc(1, sizeof(*s));
    if (!s)
        return;
    s->keys = k;
    s->service = util_strdup(service);
    if (!s->service ||
        dcos_keygen_async(k->loop, on_made, s) != 0) {
        free(s->service);
        free(s);
        return;
    }
    s->next = k->list;
    k->list = s;
    k->started++;
    LOG(LOG_DEBUG, "engine", "speculative key pair started for %s", service);
}

int engine_keys_take(struct engine_keys *k, const char *service,
                     dcos_keygen_fn done, void *payload)
{
    struct spec_key *s = k ? find(k, service) : NULL;

    if (!s)
        return ERR_NOTFOUND;
    LOG(LOG_DEBUG, "engine", "speculative key pair of %s taken (%s)",
        service, s->ready ? "ready" : "being made");
    if (s->ready) {
        struct secret *priv = s->priv;
        char *pub = s->pub;

        unlink_key(k, s);
        s->priv = NULL;
        s->pub = NULL;
        key_free(s);
        done(0, priv, pub, payload);
        return 0;
    }
    /* Still being made: on_made hands it to @done. */
    unlink_key(k, s);
    s->keys = NULL;
    s->taken = true;
    s->waiter = done;
    s->waiter_payload = payload;
    return 0;
}

void engine_keys_discard(struct engine_keys *k, const char *service)
{
    struct spec_key *s;

    while (k && (s = find(k, service))) {
        LOG(LOG_DEBUG, "engine", "unused speculative key pair of %s wiped",
            service);
        unlink_key(k, s);
        if (s->ready)
            key_free(s);
        else
            s->keys = NULL; /* on_made frees it */
    }
}

unsigned long engine_keys_started(const struct engine_keys *k)
{
    return k ? k->started : 0;
}

void engine_keys_observed(struct engine *eng, const struct model_desired *d,
                          const struct model_observed *obs)
{
    size_t i;

    if (!eng->o.speculate_keys)
        return;
    for (i = 0; i < d->n_services; i++) {
        const struct model_service *svc = d->services[i];
        const struct model_observed *o = &obs[i];

        /* A missing account gets a new key unless its secret holds one. */
        if (!svc->suspend && svc->account && svc->account[0] &&
            o->account == MODEL_ABSENT &&
            (o->secret == MODEL_ABSENT ||
             (o->secret == MODEL_PRESENT && !o->secret_public_key)))
            engine_keys_speculate(eng->keys, svc->name);
    }
}
