#ifndef ETLS_CONTROLLER_LEASE_MACHINE_H
#define ETLS_CONTROLLER_LEASE_MACHINE_H

#include <stdbool.h>
#include <stddef.h>

#include <ev.h>

#include "common/err.h"
#include "controller/await.h"
#include "model/lease.h"

/*
 * The state machine of one per-service lease (docs/plan.md, "Leases"),
 * below the set of leases of controller/lease.h, which starts, waits for
 * and releases them:
 *
 *   list the lease folder -> none: create generation 1
 *                         -> top generation N: read it
 *   read N -> expired: create N + 1 (take over), then delete the older ones
 *          -> held by another: wait and start over, until the set's
 *             deadline passed
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
struct dcos_client;

/* Defaults and bounds, seconds. */
#define LEASE_TTL_DEFAULT 60.0
#define LEASE_TTL_MIN 5.0
/* Clock difference between hosts tolerated around an expiry. */
#define LEASE_SKEW 2.0

struct lease_set;

/*
 * An asynchronous acquisition ended (lease.h): @r 0 and @ls held, or a
 * negative err with @e saying why (then @ls is NULL: nothing is held).
 */
typedef void (*lease_acquired_fn)(struct lease_set *ls, int r,
                                  const struct err_info *e, void *payload);

/* An asynchronous release ended; the set is freed. */
typedef void (*lease_released_fn)(void *payload);

struct lease_options {
    double ttl;          /* lifetime of a record between renewals */
    double wait;         /* how long to wait for a lease held by another */
    double request_timeout; /* bound of one request */
    const char *holder;  /* who we are, shown to others */
};

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
    double waited_since;      /* monotonic; 0: not waiting for another */
    double last_beat;         /* of the last "Still waiting" line */
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
    /* Owned by controller/lease.c: acquiring or releasing the set. */
    bool releasing;           /* no renewal starts any more */
    struct await wait;
    lease_acquired_fn acquired;
    lease_released_fn released;
    void *payload;
};

/* Tie @l (zeroed) to @set and set up its timer. */
void lease_machine_init(struct lease *l, struct lease_set *set);

/*
 * Start (or start over) taking @l: list its folder, then read, create or
 * wait as above.  @l is LEASE_WORKING until it is HELD or FAILED.
 */
void lease_machine_start(struct lease *l);

/* Renew the HELD lease @l now (a PATCH, then a list). */
void lease_machine_renew(struct lease *l);

#endif
