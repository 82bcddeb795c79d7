/* The cluster-wide reads of an observation (observe_cluster.h). */
#include "controller/observe_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcos/client.h"
#include "dcos/parse.h"

static void on_version(const struct dcos_result *r, void *payload)
{
    struct cluster_obs *c = payload;
    struct dcos_version *v = NULL;

    if (r->err.code) {
        if (!c->err.code) {
            c->err = r->err;
            snprintf(c->err.text, sizeof(c->err.text),
                     "cannot reach the cluster: %.290s", r->err.text);
        }
        return;
    }
    if (dcos_parse_version(&v, r->json) == 0) {
        free(c->cl->dcos_version);
        c->cl->dcos_version = v->version;
        v->version = NULL;
        dcos_version_free(v);
    }
}

static void on_ca(const struct dcos_result *r, void *payload)
{
    struct cluster_obs *c = payload;

    if (r->err.code) {
        if (!c->err.code) {
            c->err = r->err;
            /* No HTTP answer at all: the cluster is not reachable. */
            snprintf(c->err.text, sizeof(c->err.text), "%s: %.290s",
                     r->status ? "cannot read the cluster CA"
                               : "cannot reach the cluster",
                     r->err.text);
        }
        return;
    }
    free(c->cl->ca_pem);
    c->cl->ca_pem = malloc(r->body_len + 1);
    if (c->cl->ca_pem) {
        memcpy(c->cl->ca_pem, r->body, r->body_len);
        c->cl->ca_pem[r->body_len] = '\0';
    }
}

int observe_cluster_submit(struct cluster_obs *c, struct dcos_client *client)
{
    int r = dcos_version_get(client, on_version, c);

    if (!r && !c->cl->ca_pem)
        r = dcos_ca_cert_get(client, on_ca, c);
    return r;
}

void observe_cluster_clear(struct observe_cluster *cl)
{
    free(cl->ca_pem);
    free(cl->dcos_version);
    memset(cl, 0, sizeof(*cl));
}
