#ifndef ETLS_DCOS_SIMDIR_H
#define ETLS_DCOS_SIMDIR_H

#include "common/err.h"
#include "common/secret.h"

/*
 * The cluster a dcos-sim state directory describes: DIR/cluster.json as
 * dcos-sim writes it, {"url","ca_cert","uid","password",...}.  This is the
 * one reader of that file: it goes through common/jsonscan.h, never
 * jansson, so the password is decoded straight into a wiped struct secret.
 */

struct dcos_client;
struct http_loop;

struct dcos_sim_cluster {
    char *url;               /* the cluster URL */
    char *ca_cert;           /* path of the cluster CA certificate */
    char *uid;               /* the bootstrap user */
    struct secret *password; /* its password */
};

/*
 * Read DIR/cluster.json.  Other members are checked and ignored.
 * @param[out] out every member set (new; dcos_sim_cluster_clear)
 * @return 0; ERR_NOTFOUND when there is no such file; ERR_INVALID when it
 *         cannot be read or is not a JSON object with the string members
 *         url, ca_cert, uid and password, each once; ERR_NOMEM.  @err then
 *         names the file and the cause.
 */
int dcos_sim_cluster_read(struct dcos_sim_cluster *out, const char *dir,
                          struct err_info *err);

/* Free the members of @sc (the password wiped) and zero it. */
void dcos_sim_cluster_clear(struct dcos_sim_cluster *sc);

/*
 * New client for the dcos-sim cluster of @dir (dcos_sim_cluster_read),
 * logging in as its bootstrap user.  @loop as for dcos_client_new.
 * @return 0 or the error of dcos_sim_cluster_read or dcos_client_new
 */
int dcos_client_from_sim_dir(struct dcos_client **out, const char *dir,
                             struct http_loop *loop, struct err_info *err);

#endif
