/*
 * dcos-sim core: lifecycle of the cluster state (load, persistence, the
 * "core" section, the CA and token key, the control token), the API
 * modules' hooks and the ticker, and the server ops that run a request
 * against the cluster.  See core.h.
 */
#include "sim/core.h"

#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/log.h"
#include "common/secret.h"
#include "common/util.h"
#include "sim/journal.h"
#include "sim/pki.h"
#include "sim/server.h"
#include "sim/state.h"
#include "sim/token.h"

#define TICK_NS 20000000L
#define TICK_PERSIST_MIN 0.1 /* seconds between tick-driven writes */

static int random_hex(char *out, size_t nbytes)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[64];
    size_t i;

    if (nbytes > sizeof(raw) || RAND_bytes(raw, (int)nbytes) != 1)
        return ERR_INTERNAL;
    for (i = 0; i < nbytes; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[2 * nbytes] = '\0';
    OPENSSL_cleanse(raw, sizeof(raw));
    return 0;
}

static int dir_path(char *out, size_t n, const struct sim *s,
                    const char *name)
{
    return snprintf(out, n, "%s/%s", s->opt.state_dir, name) < (int)n
               ? 0
               : ERR_INVALID;
}

/* Fill the "core" section of a new (or older) cluster. */
static int core_section_init(struct sim *s, struct err_info *e)
{
    json_t *core = sim_state_section(s, "core");
    char hex[81];
    char *uuid;

    if (!core)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (!json_is_string(json_object_get(core, "cluster_id"))) {
        uuid = sim_uuid();
        if (!uuid || json_object_set_new(core, "cluster_id",
                                         json_string(uuid))) {
            free(uuid);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        free(uuid);
        s->dirty = true;
    }
    if (!json_is_string(json_object_get(core, "dcos_image_commit"))) {
        if (random_hex(hex, 20) ||
            json_object_set_new(core, "dcos_image_commit", json_string(hex)))
            return err_set(e, ERR_INTERNAL, "cannot make a commit id");
        s->dirty = true;
    }
    if (!json_is_string(json_object_get(core, "bootstrap_id"))) {
        if (random_hex(hex, 20) ||
            json_object_set_new(core, "bootstrap_id", json_string(hex)))
            return err_set(e, ERR_INTERNAL, "cannot make a bootstrap id");
        s->dirty = true;
    }
    if (json_is_number(json_object_get(core, "clock")))
        s->sim_offset = json_number_value(json_object_get(core, "clock"));
    if (s->sim_offset < 0)
        s->sim_offset = 0;
    return 0;
}

/* See core.h. */
int sim_core_init(struct sim *s, const struct sim_options *opt,
                  struct err_info *e)
{
    char path[PATH_MAX], tok[65];
    int r;

    memset(s, 0, sizeof(*s));
    s->opt = *opt;
    s->log_fd = -1;
    if (pthread_mutex_init(&s->lock, NULL) != 0)
        return err_set(e, ERR_INTERNAL, "cannot create the state lock");
    s->real_start = util_now_mono();
    r = sim_journal_load(s, e);
    if (r)
        return r;
    r = core_section_init(s, e);
    if (r)
        return r;
    r = sim_pki_init(s, e);
    if (r)
        return r;
    if (dir_path(path, sizeof(path), s, "token.key"))
        return err_set(e, ERR_INVALID, "state directory path too long");
    r = sim_pki_load_or_create_key(&s->token_key, path, e);
    if (r)
        return r;
    if (random_hex(tok, 32))
        return err_set(e, ERR_INTERNAL, "cannot make the control token");
    s->control_token = strdup(tok);
    OPENSSL_cleanse(tok, sizeof(tok));
    if (!s->control_token)
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

/* Persist what changed, with the simulated clock; flushed to disk when
 * @sync. */
static int core_persist(struct sim *s, bool sync)
{
    json_t *core = sim_state_section(s, "core");

    if (!core || json_object_set_new(core, "clock", json_real(sim_now(s))))
        return ERR_NOMEM;
    sim_state_touch(s, "core", NULL, NULL);
    return sim_journal_persist(s, sync);
}

/* See core.h. */
int sim_core_persist(struct sim *s)
{
    return core_persist(s, true);
}

/* See core.h. */
int sim_core_start_modules(struct sim *s,
                           const struct sim_module *const *mods,
                           size_t n_mods, struct err_info *e)
{
    size_t i;
    int r = 0;

    pthread_mutex_lock(&s->lock);
    for (i = 0; i < n_mods && !r; i++) {
        if (!mods[i]->start)
            continue;
        r = mods[i]->start(s);
        if (r)
            err_set(e, r < 0 ? r : ERR_INTERNAL, "module %s failed to start",
                    mods[i]->name);
    }
    /* a new snapshot: the log of the last run folded in */
    s->dirty_all = true;
    if (!r && sim_core_persist(s))
        r = err_set(e, ERR_INTERNAL, "cannot write the state file");
    pthread_mutex_unlock(&s->lock);
    return r < 0 ? r : (r ? ERR_INTERNAL : 0);
}

/* See core.h. */
void sim_core_stop_modules(struct sim *s,
                           const struct sim_module *const *mods,
                           size_t n_mods)
{
    size_t i;

    pthread_mutex_lock(&s->lock);
    for (i = 0; i < n_mods; i++)
        if (mods[i]->stop)
            mods[i]->stop(s);
    sim_core_persist(s);
    pthread_mutex_unlock(&s->lock);
}

struct ticker {
    pthread_t thread;
    atomic_int stop;
    struct sim *sim;
    const struct sim_module *const *mods;
    size_t n_mods;
};

static struct ticker g_ticker;
static int g_ticker_running;

static void *ticker_main(void *arg)
{
    struct ticker *t = arg;
    struct sim *s = t->sim;
    double last_persist = 0;

    while (!atomic_load(&t->stop)) {
        struct timespec ts = {0, TICK_NS};
        double now;
        size_t i;

        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
        pthread_mutex_lock(&s->lock);
        now = sim_now(s);
        for (i = 0; i < t->n_mods; i++)
            if (t->mods[i]->tick)
                t->mods[i]->tick(s, now);
        if (s->dirty && util_now_mono() - last_persist >= TICK_PERSIST_MIN) {
            core_persist(s, false);
            last_persist = util_now_mono();
        }
        pthread_mutex_unlock(&s->lock);
    }
    return NULL;
}

/* See core.h. */
int sim_core_ticker_start(struct sim *s,
                          const struct sim_module *const *mods,
                          size_t n_mods, struct err_info *e)
{
    if (g_ticker_running)
        return err_set(e, ERR_INVALID, "ticker already running");
    g_ticker.sim = s;
    g_ticker.mods = mods;
    g_ticker.n_mods = n_mods;
    atomic_store(&g_ticker.stop, 0);
    if (pthread_create(&g_ticker.thread, NULL, ticker_main, &g_ticker) != 0)
        return err_set(e, ERR_INTERNAL, "cannot start the ticker thread");
    g_ticker_running = 1;
    return 0;
}

/* See core.h. */
void sim_core_ticker_stop(struct sim *s)
{
    (void)s;
    if (!g_ticker_running)
        return;
    atomic_store(&g_ticker.stop, 1);
    pthread_join(g_ticker.thread, NULL);
    g_ticker_running = 0;
}

/* See core.h. */
int sim_core_write_cluster_json(struct sim *s, struct err_info *e)
{
    char path[PATH_MAX];
    json_t *o;
    char *text;
    int r;

    if (dir_path(path, sizeof(path), s, "cluster.json"))
        return err_set(e, ERR_INVALID, "state directory path too long");
    o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "url", s->url, "ca_cert",
                  s->ca_cert_path, "uid", "bootstrapuser", "password",
                  "deleteme", "control_token", s->control_token);
    if (!o)
        return err_set(e, ERR_NOMEM, "out of memory");
    text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!text)
        return err_set(e, ERR_NOMEM, "out of memory");
    r = util_write_file_atomic(path, text, strlen(text), 0600);
    secret_wipe_str(text);
    if (r)
        return err_set(e, r, "cannot write %s", path);
    return 0;
}

/* See core.h. */
void sim_core_free(struct sim *s)
{
    sim_journal_close(s);
    free(s->secret_index.keys);
    memset(&s->secret_index, 0, sizeof(s->secret_index));
    json_decref(s->state);
    s->state = NULL;
    sim_pki_free(s);
    sim_token_forget();
    sim_pki_key_free(s->token_key);
    s->token_key = NULL;
    secret_wipe_str(s->control_token);
    s->control_token = NULL;
    free(s->url);
    s->url = NULL;
    pthread_mutex_destroy(&s->lock);
}

/* ------------------------------------------------------------------ */
/* server ops                                                           */

/* sim_server_ops.token_uid: the uid of a valid login token. */
static char *core_token_uid(const char *token, void *payload)
{
    return sim_token_verify(payload, token);
}

/* sim_server_ops.handle: run the route's handler under the lock. */
static void core_handle(const struct sim_route *rt, const struct sim_req *req,
                        struct sim_resp *resp, void *payload)
{
    struct sim *s = payload;

    pthread_mutex_lock(&s->lock);
    rt->handler(s, req, resp);
    if (s->dirty)
        sim_core_persist(s);
    pthread_mutex_unlock(&s->lock);
}

const struct sim_server_ops sim_core_server_ops = {
    .token_uid = core_token_uid,
    .handle = core_handle,
};
