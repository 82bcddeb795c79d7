#ifndef ETLS_CONTROLLER_DCOSCFG_H
#define ETLS_CONTROLLER_DCOSCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/secret.h"

/*
 * The configuration of the dcos CLI (docs/cli.md, "The dcos CLI's
 * configuration"): its root is DCOS_DIR, else ~/.dcos; each cluster set up
 * with `dcos cluster setup` has clusters/<CLUSTER_ID>/dcos.toml.  The
 * current cluster is chosen as the dcos CLI chooses it:
 *   1. DCOS_CLUSTER set: the cluster directory of that name, else the one
 *      whose cluster.name it is (none or several: an error);
 *   2. a single configured cluster, attached or not;
 *   3. else the one with an `attached` file (none or several: an error).
 * Without a clusters/ directory the legacy ROOT/dcos.toml is read.  Reads
 * files only and creates none.
 */

struct dcoscfg {
    char *root;          /* the root looked at (absolute) */
    char *path;          /* the dcos.toml read, or NULL: none */
    char *how;           /* why it is the current one ("attached", ...) */
    char *cluster_id;    /* its directory name, or NULL (legacy) */
    char *name;          /* cluster.name, or NULL */
    char *dcos_url;      /* core.dcos_url (trailing '/' removed), or NULL */
    char *ssl_verify;    /* core.ssl_verify as a string, or NULL */
    struct secret *token;/* core.dcos_acs_token, or NULL */
    bool too_open;       /* dcos.toml readable by group or others */
};

/*
 * Find and read the current cluster's dcos.toml into @out (zeroed by the
 * caller).  Returns 0 (out->path NULL when there is no configuration at
 * all), or ERR_INVALID with one line in @why (naming the files and the
 * fix: several attached clusters, DCOS_CLUSTER matching none, a file
 * that is not TOML, ...), or ERR_NOMEM.
 */
int dcoscfg_load(struct dcoscfg *out, char *why, size_t whylen);

/* Free what @c holds (the token wiped) and zero it. */
void dcoscfg_clear(struct dcoscfg *c);

#endif
