#ifndef ETLS_SIM_SERVER_H
#define ETLS_SIM_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/err.h"

/*
 * dcos-sim HTTP server internals (sim/server.c): the libmicrohttpd daemon,
 * route dispatch, Admin Router authentication, simulated latency, fault
 * rules and the request log.  One server per process.
 */

struct sim;
struct sim_module;

/* A fault rule of the control API (see docs/sim.md). */
struct sim_fault {
    long id;
    char method[16];   /* "*" = any */
    char *path;        /* path prefix (raw) */
    int status;        /* answer this status, or 0 */
    long delay_ms;     /* delay then proceed, or 0 */
    bool reset;        /* drop the connection */
    long count;        /* applications left; 0 = unlimited */
    double probability; /* 0..1; applies with this probability */
};

/*
 * Start serving @mods (borrowed, must outlive the server) on
 * s->opt.listen_host:listen_port with HTTPS (@cert_pem chain and @key_pem
 * are copied; the caller may wipe them after return).  Sets s->daemon, s->port
 * and s->url.  Returns 0 or a negative enum err with @e set.
 */
int sim_server_start(struct sim *s, const struct sim_module *const *mods,
                     size_t n_mods, const char *cert_pem, const char *key_pem,
                     struct err_info *e);

/* Stop accepting, wait for running requests and free the server. */
void sim_server_stop(struct sim *s);

/* The request log as {"requests":[...]} (new). */
json_t *sim_server_requests_json(void);

/* Empty the request log. */
void sim_server_requests_clear(void);

/*
 * Add a fault rule (copied; @f->id is ignored).  Returns the new id (> 0)
 * or a negative enum err.
 */
long sim_server_fault_add(const struct sim_fault *f);

/* The fault rules as {"faults":[...]} (new). */
json_t *sim_server_faults_json(void);

/* Remove rule @id (0 or ERR_NOTFOUND); sim_server_faults_clear removes
 * all. */
int sim_server_fault_delete(long id);
void sim_server_faults_clear(void);

/*
 * Whether a request changes state, for the request log: false for GET, HEAD
 * and OPTIONS and for the read-only POST endpoints of DC/OS.
 */
bool sim_server_is_write(const char *method, const char *path);

#endif
