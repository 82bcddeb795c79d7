#ifndef ETLS_SIM_NODE_H
#define ETLS_SIM_NODE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The data plane of dcos-sim: simulated Elasticsearch 5.6.5 nodes' HTTP
 * endpoints (sim/node.c, sim/node_http.c, sim/node_reg.c).
 *
 * Every node is served by one shared *plane* of two listeners on
 * 127.0.0.1, whatever the number of nodes:
 *   - the HTTPS listener picks the node by the TLS server name (SNI) the
 *     client sends and presents that node's certificate; a node without
 *     TLS never completes a handshake there;
 *   - the HTTP listener picks the node by the request's Host header; a TLS
 *     node never answers there (the connection closes without an answer),
 *     and a Host that names no node gets 421 Misdirected Request.
 * A node answers to the host names it is started with (its autoip and VIP
 * names); its address is 127.0.0.1 and the port of the listener of its
 * scheme (sim_node_port()).  Nodes require basic auth when given a user
 * and answer `GET /` (the root document) and `GET /_cluster/health`.
 *
 * Nothing here touches the sim lock, so the SDK module may start and stop
 * nodes while holding it; the listeners run their own threads.  These
 * files include nothing of sim/ but sim/strmap.h, so tests and benchmarks
 * build them alone.
 */
struct sim_plane;
struct sim_node;

struct sim_plane_config {
    int https_port;           /* 0 = ephemeral; else try it first */
    int http_port;            /* same */
    /*
     * Optional: the certificate (chain, leaf first) and key presented to
     * a TLS client whose server name (or lack of one, as for an IP
     * address) names no TLS node, so that it fails host-name verification
     * as it would against a real node.  Without it such a handshake
     * fails.
     */
    const char *default_cert_pem;
    const char *default_key_pem;
};

/*
 * Start the plane: bind both listeners (a port of @cfg that cannot be
 * bound falls back to an ephemeral one, logged at info level; read the
 * real ports with sim_plane_port()) and start their threads.  Returns 0
 * and sets *@out (new), ERR_INVALID (bad config or default certificate),
 * ERR_NOMEM, ERR_TRANSIENT (cannot listen) or ERR_INTERNAL.
 */
int sim_plane_start(struct sim_plane **out,
                    const struct sim_plane_config *cfg);

/* The port of the HTTPS (@tls) or HTTP listener of @p (0 for NULL). */
int sim_plane_port(const struct sim_plane *p, bool tls);

/*
 * Stop both listeners (waits for their threads, closes every connection
 * and the listening sockets) and free @p.  Nodes still started on it are
 * unregistered first; they remain valid until sim_node_stop().  Accepts
 * NULL.
 */
void sim_plane_stop(struct sim_plane *p);

struct sim_node_config {
    const char *cluster_name; /* service name (cluster.name) */
    const char *node_name;    /* task name, e.g. "coordinator-0-node" */
    /* the host names it answers to (compared without case; a trailing
     * dot and a ":port" are ignored), at least one */
    const char *const *hosts;
    size_t n_hosts;
    bool tls;
    const char *cert_pem;     /* when tls: chain, leaf first */
    const char *key_pem;      /* when tls */
    const char *user;         /* basic auth user ("elastic"); NULL = no
                                 authentication (ES without X-Pack) */
    const char *password;     /* basic auth password ("changeme") */
};

/*
 * Start a node on plane @p.  @cfg and its strings are copied.  A host name
 * that another node answers to moves to the new node.  Until
 * sim_node_set_health() the node reports green, 1 node, 1 data node.
 * Opens no descriptor and starts no thread.  Returns 0 and sets *@out
 * (new), ERR_INVALID (bad config, a certificate chain or key that does not
 * parse, or a key that does not match the first certificate), ERR_NOMEM
 * or ERR_INTERNAL.
 */
int sim_node_start(struct sim_node **out, struct sim_plane *p,
                   const struct sim_node_config *cfg);

/* The TCP port clients reach the node on: the plane's HTTPS port for a
 * TLS node, its HTTP port otherwise (0 for NULL). */
int sim_node_port(const struct sim_node *n);

/* Set the health reported by /_cluster/health: "green", "yellow", "red".
 * @nodes is number_of_nodes, @data data nodes.  Thread-safe.  While "red"
 * (no elected master) `GET /` answers 503; other status strings are
 * ignored. */
void sim_node_set_health(struct sim_node *n, const char *status, int nodes,
                         int data_nodes);

/*
 * Stop answering for the node: its names are released at once, requests
 * under way finish, a kept-alive connection to it closes at its next
 * request; then free it (the key and credentials are cleansed once the
 * last request is done).  Accepts NULL.
 */
void sim_node_stop(struct sim_node *n);

#endif
