#ifndef ETLS_SIM_NODE_H
#define ETLS_SIM_NODE_H

#include <stdbool.h>

/*
 * A simulated Elasticsearch 5.6.5 node's HTTP endpoint: listens on
 * 127.0.0.1, speaks HTTPS only (certificate from the cluster CA) when TLS is
 * on and plain HTTP otherwise, requires basic auth, and answers `GET /` (the
 * root document) and `GET /_cluster/health`.  Each node runs its own server
 * and never touches the sim lock, so the SDK module may start and stop nodes
 * while holding it.
 */
struct sim_node;

struct sim_node_config {
    const char *cluster_name; /* service name (cluster.name) */
    const char *node_name;    /* task name, e.g. "coordinator-0-node" */
    bool tls;
    const char *cert_pem;     /* when tls: chain, leaf first */
    const char *key_pem;      /* when tls */
    const char *user;         /* basic auth user ("elastic"); NULL = no
                                 authentication (ES without X-Pack) */
    const char *password;     /* basic auth password ("changeme") */
    int port;                 /* 0 = ephemeral; else try to reuse it */
};

/*
 * Start a node.  @cfg and its strings are copied.  With cfg->port != 0 the
 * node binds 127.0.0.1:port with SO_REUSEADDR (so a port freed by a stopped
 * node is taken again even while old connections sit in TIME_WAIT, but a
 * port held by a live socket is never shared); when that bind fails it
 * falls back to an ephemeral port: read the real one with sim_node_port().
 * Until sim_node_set_health() the node reports green, 1 node, 1 data node.
 * Returns 0 and sets *@out (new), ERR_INVALID (bad config, a certificate
 * chain or key that does not parse, or a key that does not match the first
 * certificate), ERR_NOMEM, ERR_TRANSIENT (cannot listen) or ERR_INTERNAL.
 */
int sim_node_start(struct sim_node **out, const struct sim_node_config *cfg);

/* The TCP port the node listens on (0 for NULL). */
int sim_node_port(const struct sim_node *n);

/* Set the health reported by /_cluster/health: "green", "yellow", "red".
 * @nodes is number_of_nodes, @data data nodes.  Thread-safe.  While "red"
 * (no elected master) `GET /` answers 503; other status strings are
 * ignored. */
void sim_node_set_health(struct sim_node *n, const char *status, int nodes,
                         int data_nodes);

/* Stop the server (waits for its thread; open connections are closed),
 * release the port and free; the key and credentials are cleansed.
 * Accepts NULL. */
void sim_node_stop(struct sim_node *n);

#endif
