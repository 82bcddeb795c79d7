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
    const char *user;         /* basic auth user ("elastic") */
    const char *password;     /* basic auth password ("changeme") */
    int port;                 /* 0 = ephemeral; else try to reuse it */
};

/* Start a node.  Returns 0 and sets *@out (new), or a negative enum err. */
int sim_node_start(struct sim_node **out, const struct sim_node_config *cfg);

/* The TCP port the node listens on. */
int sim_node_port(const struct sim_node *n);

/* Set the health reported by /_cluster/health: "green", "yellow", "red".
 * @nodes is number_of_nodes, @data data nodes.  Thread-safe. */
void sim_node_set_health(struct sim_node *n, const char *status, int nodes,
                         int data_nodes);

/* Stop and free; accepts NULL. */
void sim_node_stop(struct sim_node *n);

#endif
