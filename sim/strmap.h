#ifndef ETLS_SIM_STRMAP_H
#define ETLS_SIM_STRMAP_H

#include <stddef.h>

/*
 * dcos-sim string map (sim/strmap.c): string keys (copied) to borrowed
 * pointers, open addressing with linear probing.  Lookups are O(1) on
 * average, so the SDK registry and the data-plane name table stay cheap at
 * thousands of entries.  Not thread-safe: callers lock.  Includes nothing
 * of sim/, so the data-plane files (sim/node*.c) can be built alone.
 */

struct sim_strmap_slot;

struct sim_strmap {
    struct sim_strmap_slot *slots;
    size_t cap;   /* a power of two, or 0 */
    size_t n;     /* live entries */
    size_t used;  /* live entries and tombstones */
};

/* An empty map (no allocation until the first put). */
void sim_strmap_init(struct sim_strmap *m);

/* Free the map's storage (not the values) and empty it. */
void sim_strmap_free(struct sim_strmap *m);

/* The value of @key, or NULL. */
void *sim_strmap_get(const struct sim_strmap *m, const char *key);

/*
 * Set @key (copied) to @val (not NULL), replacing an older value.
 * Returns 0 or ERR_NOMEM (the map is unchanged).
 */
int sim_strmap_put(struct sim_strmap *m, const char *key, void *val);

/* Remove @key; returns its value, or NULL when absent. */
void *sim_strmap_del(struct sim_strmap *m, const char *key);

#endif
