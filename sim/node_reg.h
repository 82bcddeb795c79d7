#ifndef ETLS_SIM_NODE_REG_H
#define ETLS_SIM_NODE_REG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "sim/strmap.h"

/*
 * Data-plane nodes as the plane sees them (sim/node_reg.c): the node
 * object, its references, and the table of host names the plane routes
 * by.  Internal to sim/node*.c; the public API is sim/node.h.
 *
 * A node is referenced by the table while it is registered and by every
 * request being answered for it; it is freed with the last reference, so
 * sim_node_stop() never waits for a request and a request never sees a
 * freed node.
 */

struct secret;
struct node_reg;

struct sim_node {
    atomic_uint refs;
    unsigned long serial;     /* unique per node of a table */
    struct node_reg *reg;     /* the table, NULL once unregistered */
    struct sim_node *prev, *next; /* registered nodes of the table */
    int port;                 /* the plane's port of its scheme */
    bool tls;
    char *cluster_name;
    char *node_name;
    char cluster_uuid[23];
    char **hosts;             /* lower case, no trailing dot */
    size_t n_hosts;
    /* Basic auth: when @user is NULL the node does not authenticate. */
    char *user;
    unsigned char cred_digest[32]; /* SHA-256 of "user:password" */
    /* TLS material, read by the handshake of every connection */
    char *cert_pem;
    struct secret *key_pem;
    /* Root document, pre-rendered pretty (the default) and compact. */
    char *root_pretty;
    size_t root_pretty_len;
    char *root_compact;
    size_t root_compact_len;
    /* Health, under @lock. */
    pthread_mutex_t lock;
    char status[8];
    int nodes;
    int data_nodes;
};

/* The host-name table of a plane. */
struct node_reg {
    pthread_mutex_t mu;
    struct sim_strmap names;  /* host -> struct sim_node * */
    struct sim_node *head;    /* registered nodes */
    unsigned long serial;
};

/* Initialise an empty table.  0 or ERR_INTERNAL. */
int node_reg_init(struct node_reg *r);

/* Unregister every node (they stay valid for their owners) and free the
 * table. */
void node_reg_destroy(struct node_reg *r);

/*
 * Register @n (one reference taken) under its hosts; a host another node
 * had moves to @n.  Sets n->serial.  0 or ERR_NOMEM (nothing registered).
 */
int node_reg_add(struct node_reg *r, struct sim_node *n);

/* Unregister @n: the hosts that still name it are released and the
 * table's reference dropped.  No-op when @n is not registered. */
void node_reg_remove(struct sim_node *n);

/*
 * The node answering to @host (a Host header value or a TLS server name:
 * case, a trailing dot and a ":port" are ignored), with a new reference
 * (node_put() it), or NULL.
 */
struct sim_node *node_reg_find(struct node_reg *r, const char *host);

/* Take one more reference to @n. */
void node_get(struct sim_node *n);

/* Drop a reference; the last one frees @n (cleansing its secrets). */
void node_put(struct sim_node *n);

/* Free a node that was never registered nor shared (start failures). */
void node_free(struct sim_node *n);

/* Copy the health of @n under its lock. */
void node_health_read(struct sim_node *n, char status[8], int *nodes,
                      int *data_nodes);

/*
 * Normalise a host name into @out (@n bytes): lower case, without a
 * ":port" or a trailing dot ("[v6]" literals stay as they are).  Returns
 * 0, or -1 when it is empty or does not fit.
 */
int node_host_norm(char *out, size_t n, const char *host);

#endif
