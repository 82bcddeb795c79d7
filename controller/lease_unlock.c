/* etls force-unlock (lease_unlock.h). */
#include "controller/lease_unlock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "common/util.h"
#include "dcos/client.h"
#include "dcos/parse.h"
#include "model/lease.h"

struct unlock {
    struct ev_loop *ev;
    const char *name;
    char **names;
    size_t n;
    unsigned long top;
    char *holder;
    int pending;
    struct err_info err;
};

static void on_unlock_done(const struct dcos_result *r, void *payload)
{
    struct unlock *u = payload;

    u->pending--;
    if (r->err.code && r->err.code != ERR_NOTFOUND && !u->err.code)
        u->err = r->err;
}

static void on_unlock_top(const struct dcos_result *r, void *payload)
{
    struct unlock *u = payload;
    struct model_lease l;

    u->pending--;
    if (r->err.code == 0 && r->secret &&
        model_lease_parse(&l, secret_str(r->secret), r->secret->len) == 0) {
        u->holder = l.holder;
        l.holder = NULL;
        model_lease_clear(&l);
    }
}

static void on_unlock_list(const struct dcos_result *r, void *payload)
{
    struct unlock *u = payload;

    u->pending--;
    if (r->err.code == ERR_NOTFOUND)
        return;
    if (r->err.code || dcos_parse_string_array(
                           &u->names, &u->n,
                           json_object_get(r->json, "array"))) {
        u->err = r->err;
        if (!u->err.code)
            err_set(&u->err, ERR_INVALID, "unexpected answer");
        return;
    }
    u->top = model_lease_top(u->names, u->n);
}

static void unlock_wait(struct unlock *u, double deadline)
{
    while (u->pending > 0 && util_now_mono() < deadline)
        ev_run(u->ev, EVRUN_ONCE);
}

int lease_force_unlock(struct ev_loop *ev, struct dcos_client *c,
                       const char *name, double request_timeout,
                       char **holder_out, struct err_info *e)
{
    struct unlock u;
    double deadline = util_now_mono() + 4 * request_timeout + 10;
    char *folder = model_lease_path(name, 0), *p;
    size_t i;

    memset(&u, 0, sizeof(u));
    u.ev = ev;
    u.name = name;
    *holder_out = NULL;
    if (!folder)
        return err_set(e, ERR_NOMEM, "out of memory");
    u.pending = 1;
    if (dcos_secret_list(c, folder, on_unlock_list, &u))
        u.pending = 0;
    unlock_wait(&u, deadline);
    if (u.top && !u.err.code && (p = model_lease_path(name, u.top))) {
        u.pending = 1;
        if (dcos_secret_get(c, p, on_unlock_top, &u))
            u.pending = 0;
        unlock_wait(&u, deadline);
        free(p);
    }
    for (i = 0; i < u.n && !u.err.code; i++) {
        size_t len = strlen(folder) + strlen(u.names[i]) + 2;
        char *full = malloc(len);

        if (!full) {
            err_set(&u.err, ERR_NOMEM, "out of memory");
            break;
        }
        snprintf(full, len, "%s/%s", folder, u.names[i]);
        u.pending++;
        if (dcos_secret_delete(c, full, on_unlock_done, &u))
            u.pending--;
        free(full);
    }
    unlock_wait(&u, deadline);
    free(folder);
    dcos_string_array_free(u.names, u.n);
    if (u.err.code) {
        free(u.holder);
        return err_set(e, u.err.code, "cannot unlock service %s: %s", name,
                       u.err.text);
    }
    *holder_out = u.holder;
    return 0;
}
