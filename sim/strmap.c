/*
 * dcos-sim string map: open addressing, linear probing, tombstones,
 * FNV-1a.  See strmap.h.
 */
#include "sim/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

/* A slot: key NULL and val NULL = empty; key NULL and val set = tomb. */
struct sim_strmap_slot {
    char *key;
    void *val;
};

static char g_tomb;

static size_t hash_of(const char *key)
{
    uint64_t h = 1469598103934665603ull;

    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 1099511628211ull;
    return (size_t)(h ^ (h >> 29));
}

/* See strmap.h. */
void sim_strmap_init(struct sim_strmap *m)
{
    memset(m, 0, sizeof(*m));
}

/* See strmap.h. */
void sim_strmap_free(struct sim_strmap *m)
{
    size_t i;

    for (i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    sim_strmap_init(m);
}

/* The slot holding @key, or NULL. */
static struct sim_strmap_slot *find(const struct sim_strmap *m,
                                    const char *key)
{
    size_t i, mask;

    if (!m->cap)
        return NULL;
    mask = m->cap - 1;
    for (i = hash_of(key) & mask;; i = (i + 1) & mask) {
        struct sim_strmap_slot *sl = &m->slots[i];

        if (!sl->key && !sl->val)
            return NULL;
        if (sl->key && strcmp(sl->key, key) == 0)
            return sl;
    }
}

/* Rebuild with @cap slots (a power of two above the live entries). */
static int rehash(struct sim_strmap *m, size_t cap)
{
    struct sim_strmap_slot *old = m->slots, *v = calloc(cap, sizeof(*v));
    size_t i, oldcap = m->cap;

    if (!v)
        return ERR_NOMEM;
    m->slots = v;
    m->cap = cap;
    m->used = m->n;
    for (i = 0; i < oldcap; i++) {
        size_t k;

        if (!old[i].key)
            continue;
        for (k = hash_of(old[i].key) & (cap - 1); v[k].key;
             k = (k + 1) & (cap - 1))
            ;
        v[k] = old[i];
    }
    free(old);
    return 0;
}

/* See strmap.h. */
int sim_strmap_put(struct sim_strmap *m, const char *key, void *val)
{
    struct sim_strmap_slot *sl = find(m, key);
    size_t i, mask;
    char *copy;

    if (sl) {
        sl->val = val;
        return 0;
    }
    /* at most half full, tombstones included; a rebuild drops them and
     * leaves the live entries at most a quarter of the slots */
    if ((m->used + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap : 16;

        while ((m->n + 1) * 4 > cap)
            cap *= 2;
        if (rehash(m, cap) != 0)
            return ERR_NOMEM;
    }
    copy = strdup(key);
    if (!copy)
        return ERR_NOMEM;
    mask = m->cap - 1;
    for (i = hash_of(key) & mask; m->slots[i].key; i = (i + 1) & mask)
        ;
    if (!m->slots[i].val)
        m->used++; /* an empty slot, not a tombstone */
    m->slots[i].key = copy;
    m->slots[i].val = val;
    m->n++;
    return 0;
}

/* See strmap.h. */
void *sim_strmap_del(struct sim_strmap *m, const char *key)
{
    struct sim_strmap_slot *sl = find(m, key);
    void *val;

    if (!sl)
        return NULL;
    val = sl->val;
    free(sl->key);
    sl->key = NULL;
    sl->val = &g_tomb;
    m->n--;
    return val;
}

/* See strmap.h. */
void *sim_strmap_get(const struct sim_strmap *m, const char *key)
{
    struct sim_strmap_slot *sl = find(m, key);

    return sl ? sl->val : NULL;
}
