/*
 * dcos-sim bulk seed: copies of the one service of a state.  See seed.h.
 *
 * A copy is the template's JSON with every occurrence of the template's
 * name replaced by the new one.  The name occurs only as itself, as
 * "/<name>" (app ids), "<name>/" (secret paths), "<name>." (task ids) and
 * inside descriptions; ids are UUIDs and hex digests, which a name ending
 * in digits after another character cannot be confused with (checked:
 * the name must hold a character that is not a hex digit or '-').
 */
#include "sim/seed.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "common/util.h"
#include "sim/state.h"

#define SEED_MAX 100000L

/* @text with every @from replaced by @to (new), or NULL. */
static char *replace_all(const char *text, const char *from, const char *to)
{
    size_t nf = strlen(from), nt = strlen(to), n = 0, len;
    const char *p;
    char *out, *o;

    for (p = strstr(text, from); p; p = strstr(p + nf, from))
        n++;
    len = strlen(text) + n * nt + 1;
    out = malloc(len);
    if (!out)
        return NULL;
    for (o = out; (p = strstr(text, from)) != NULL; text = p + nf) {
        memcpy(o, text, (size_t)(p - text));
        o += p - text;
        memcpy(o, to, nt);
        o += nt;
    }
    strcpy(o, text);
    return out;
}

/* A copy of @v with @from renamed @to (new), or NULL. */
static json_t *renamed(const json_t *v, const char *from, const char *to)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    char *moved = text ? replace_all(text, from, to) : NULL;
    json_t *out = moved ? json_loads(moved, JSON_DECODE_ANY, NULL) : NULL;

    if (text)
        OPENSSL_cleanse(text, strlen(text));
    if (moved)
        OPENSSL_cleanse(moved, strlen(moved));
    free(text);
    free(moved);
    return out;
}

/* Set @obj[@key] to a renamed copy of @v unless present.  0 or -1. */
static int put_renamed(json_t *obj, const char *key, const json_t *v,
                       const char *from, const char *to)
{
    json_t *copy;

    if (!json_is_object(obj) || json_object_get(obj, key))
        return 0;
    copy = renamed(v, from, to);
    return copy && json_object_set_new(obj, key, copy) == 0 ? 0 : -1;
}

/* Copy everything of service @from to service @to.  0 or -1. */
static int seed_one(struct sim *s, const char *from, const char *to)
{
    json_t *iam = json_object_get(s->state, "iam");
    json_t *apps = json_object_get(json_object_get(s->state, "cosmos"),
                                   "apps");
    json_t *store = json_object_get(json_object_get(s->state, "secrets"),
                                    "default");
    json_t *svcs = json_object_get(s->state, "services");
    json_t *user = json_object_get(json_object_get(iam, "users"), from);
    json_t *v, *sub;
    const char *k;
    char from_app[300], to_app[300], prefix[300];
    size_t np;

    snprintf(from_app, sizeof(from_app), "/%s", from);
    snprintf(to_app, sizeof(to_app), "/%s", to);
    np = (size_t)snprintf(prefix, sizeof(prefix), "%s/", from);
    v = json_object_get(apps, from_app);
    if (v && put_renamed(apps, to_app, v, from, to) != 0)
        return -1;
    if (user &&
        put_renamed(json_object_get(iam, "users"), to, user, from, to) != 0)
        return -1;
    json_object_foreach(json_object_get(iam, "groups"), k, v) {
        sub = json_object_get(v, "members");
        if (json_object_get(sub, from) &&
            put_renamed(sub, to, json_object_get(sub, from), from, to) != 0)
            return -1;
    }
    json_object_foreach(json_object_get(iam, "acls"), k, v) {
        sub = json_object_get(v, "users");
        if (json_object_get(sub, from) &&
            put_renamed(sub, to, json_object_get(sub, from), from, to) != 0)
            return -1;
    }
    json_object_foreach(store, k, v) {
        char *nk;
        int r;

        /* the nodes' TLS artifacts name the nodes: issued again */
        if (strncmp(k, prefix, np) != 0 || strstr(k + np, "__"))
            continue;
        nk = util_format("%s/%s", to, k + np);
        r = nk ? put_renamed(store, nk, v, from, to) : -1;
        free(nk);
        if (r != 0)
            return -1;
    }
    return put_renamed(svcs, to, json_object_get(svcs, from), from, to);
}

/* Whether @name ends in digits and holds a character other than hex
 * digits and '-'. */
static bool template_name_ok(const char *name, size_t *digits)
{
    size_t n = strlen(name), d = 0;
    const char *p;

    while (d < n && isdigit((unsigned char)name[n - 1 - d]))
        d++;
    *digits = d;
    if (d == 0 || d == n || n > 200)
        return false;
    for (p = name; *p; p++)
        if (!isxdigit((unsigned char)*p) && *p != '-')
            return true;
    return false;
}

/* See seed.h. */
int sim_seed_converged(struct sim *s, long n, struct err_info *e)
{
    json_t *svcs = json_object_get(s->state, "services");
    const char *tmpl;
    char *from = NULL;
    size_t digits;
    long i;
    int r = 0;

    if (n < 1 || n > SEED_MAX)
        return err_set(e, ERR_INVALID, "--seed-converged: 1 to %ld services",
                       SEED_MAX);
    if (json_object_size(svcs) != 1)
        return err_set(e, ERR_INVALID,
                       "--seed-converged: the state must hold exactly one "
                       "service (it holds %zu)", json_object_size(svcs));
    tmpl = json_object_iter_key(json_object_iter(svcs));
    if (!template_name_ok(tmpl, &digits))
        return err_set(e, ERR_INVALID,
                       "--seed-converged: the name of the service (%s) must "
                       "end in digits and hold a letter", tmpl);
    from = util_strdup(tmpl);
    if (!from)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < n && !r; i++) {
        char *to = util_format("%.*s%0*ld", (int)(strlen(from) - digits),
                               from, (int)digits, i);

        if (!to || seed_one(s, from, to) != 0)
            r = err_set(e, ERR_NOMEM, "--seed-converged: out of memory");
        free(to);
    }
    free(from);
    sim_state_dirty(s);
    return r;
}
