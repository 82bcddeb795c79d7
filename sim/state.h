#ifndef ETLS_SIM_STATE_H
#define ETLS_SIM_STATE_H

#include <pthread.h>
#include <stdbool.h>

#include <jansson.h>

/*
 * dcos-sim cluster state (sim/state.c): `struct sim`, the simulated clock
 * and the persisted state JSON every API module keeps its data in.  Its
 * lifecycle (load, persistence, module hooks, ticker) is in sim/core.h.
 * See docs/sim.md.
 *
 * Concurrency: the HTTP server runs a small pool of threads.  Every
 * handler and every tick runs with `sim->lock` held (the core takes it), so
 * handlers never lock.  Simulated latency and faults are applied by the
 * server outside the lock.
 *
 * State: `sim->state` is one JSON object persisted (sim/journal.h) after
 * every change: name the resource changed with sim_state_touch(), or call
 * sim_state_dirty() when it is not known (the whole state is then written
 * again).  Each module owns one member:
 *   "iam"      (sim/iam*.c)      users, groups, acls
 *   "secrets"  (sim/secrets.c)   store "default": path -> {value, ...}
 *   "cosmos"   (sim/cosmos*.c)   installed packages and their options
 *   "services" (sim/sdk_store.c) SDK schedulers, plans, pods, marathon apps
 *   "core"     (sim/core.c)      cluster identity, simulated clock
 */

struct sim_options {
    const char *listen_host; /* "127.0.0.1" */
    int listen_port;         /* 0 = ephemeral */
    const char *state_dir;
    double speed;            /* simulated seconds per real second (>0) */
    int latency_ms;          /* added before every response */
    int token_ttl;           /* seconds a login token stays valid */
    const char *catalog_dir; /* beta-elastic package definitions */
};

struct sim {
    struct sim_options opt;
    pthread_mutex_t lock;
    json_t *state;           /* the persisted cluster state */
    bool dirty;              /* something to persist */
    bool dirty_all;          /* a change not located: a full snapshot */
    json_t *touched;         /* resources changed: path text -> path */
    unsigned long generation; /* bumped by every sim_state_dirty/touch */
    struct sim_path_index {  /* the secret paths, sorted (secrets.c) */
        unsigned long generation; /* built at this generation */
        const void *store;   /* for this store object */
        size_t n;
        const char **keys;   /* borrowed from the store's members */
    } secret_index;
    int log_fd;              /* DIR/state.log, or -1 before use */
    size_t log_bytes;        /* its size */
    size_t snap_bytes;       /* size of the last snapshot */

    char *url;               /* "https://127.0.0.1:PORT" */
    char *ca_cert_path;      /* absolute path of DIR/ca.crt */
    char *ca_cert_pem;       /* cluster CA certificate (PEM) */
    void *ca_key;            /* EVP_PKEY * of the cluster CA */
    void *ca_x509;           /* X509 * of the cluster CA */
    void *token_key;         /* EVP_PKEY * signing login tokens */
    char *control_token;

    double real_start;       /* monotonic seconds at start */
    double sim_offset;       /* simulated seconds elapsed before start */
    volatile int stopping;
};

/* Simulated time in seconds (monotonic, scaled by --speed, persisted). */
double sim_now(struct sim *s);

/* Mark the state changed somewhere: the core writes all of it again
 * before the lock is freed. */
void sim_state_dirty(struct sim *s);

/*
 * Mark one resource changed (created, modified or deleted): the member
 * @key of section @sec, or its member @sub when not NULL (@key NULL: the
 * whole section).  The core appends its value (or its deletion) to the
 * state log before the lock is freed.  Out of memory falls back to
 * sim_state_dirty().
 */
void sim_state_touch(struct sim *s, const char *sec, const char *key,
                     const char *sub);

/* The member object @name of the state (borrowed), created empty when
 * missing; NULL when out of memory. */
json_t *sim_state_section(struct sim *s, const char *name);

/* A random lowercase UUIDv4 string (new), or NULL. */
char *sim_uuid(void);

#endif
