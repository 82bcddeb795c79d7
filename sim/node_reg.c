/*
 * Data-plane nodes as the plane sees them: references, the host-name
 * table, health.  See node_reg.h.
 */
#include "sim/node_reg.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/err.h"
#include "common/secret.h"

/* See node_reg.h. */
int node_host_norm(char *out, size_t n, const char *host)
{
    size_t len, i;
    const char *colon;

    while (*host == ' ' || *host == '\t')
        host++;
    len = strlen(host);
    while (len && (host[len - 1] == ' ' || host[len - 1] == '\t'))
        len--;
    if (host[0] == '[') {
        const char *end = memchr(host, ']', len);

        if (end)
            len = (size_t)(end - host) + 1; /* "[v6]" without its port */
    } else {
        colon = memchr(host, ':', len);
        if (colon)
            len = (size_t)(colon - host);
    }
    if (len && host[len - 1] == '.')
        len--;
    if (len == 0 || len >= n)
        return -1;
    for (i = 0; i < len; i++)
        out[i] = (char)tolower((unsigned char)host[i]);
    out[len] = '\0';
    return 0;
}

/* See node_reg.h. */
int node_reg_init(struct node_reg *r)
{
    memset(r, 0, sizeof(*r));
    sim_strmap_init(&r->names);
    return pthread_mutex_init(&r->mu, NULL) == 0 ? 0 : ERR_INTERNAL;
}

/* Take @n out of the table (lock held); returns 1 when it was in it. */
static int unlink_locked(struct node_reg *r, struct sim_node *n)
{
    size_t i;

    if (n->reg != r)
        return 0;
    for (i = 0; i < n->n_hosts; i++)
        if (sim_strmap_get(&r->names, n->hosts[i]) == n)
            sim_strmap_del(&r->names, n->hosts[i]);
    if (n->prev)
        n->prev->next = n->next;
    else
        r->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    n->prev = n->next = NULL;
    n->reg = NULL;
    return 1;
}

/* See node_reg.h. */
void node_reg_destroy(struct node_reg *r)
{
    for (;;) {
        struct sim_node *n;

        pthread_mutex_lock(&r->mu);
        n = r->head;
        if (n)
            unlink_locked(r, n);
        pthread_mutex_unlock(&r->mu);
        if (!n)
            break;
        node_put(n);
    }
    sim_strmap_free(&r->names);
    pthread_mutex_destroy(&r->mu);
}

/* See node_reg.h. */
int node_reg_add(struct node_reg *r, struct sim_node *n)
{
    struct sim_node *old[16];
    size_t i, n_old = 0;
    int rc = 0;

    pthread_mutex_lock(&r->mu);
    /* first make sure every name fits, so that a failure changes nothing */
    for (i = 0; i < n->n_hosts && rc == 0; i++)
        if (!sim_strmap_get(&r->names, n->hosts[i]))
            rc = sim_strmap_put(&r->names, n->hosts[i], n);
    if (rc) {
        for (i = 0; i < n->n_hosts; i++)
            if (sim_strmap_get(&r->names, n->hosts[i]) == n)
                sim_strmap_del(&r->names, n->hosts[i]);
        pthread_mutex_unlock(&r->mu);
        return rc;
    }
    for (i = 0; i < n->n_hosts; i++) {
        struct sim_node *o = sim_strmap_get(&r->names, n->hosts[i]);

        if (o && o != n && n_old < sizeof(old) / sizeof(old[0]))
            old[n_old++] = o;
        sim_strmap_put(&r->names, n->hosts[i], n); /* present: no alloc */
    }
    n->serial = ++r->serial;
    n->reg = r;
    n->next = r->head;
    if (r->head)
        r->head->prev = n;
    r->head = n;
    atomic_fetch_add(&n->refs, 1);
    /* a node that lost every name to @n no longer answers at all */
    for (i = 0; i < n_old; i++) {
        size_t k, named = 0;

        for (k = 0; k < old[i]->n_hosts; k++)
            named += sim_strmap_get(&r->names, old[i]->hosts[k]) == old[i];
        if (named)
            old[i] = NULL;
        else if (!unlink_locked(r, old[i]))
            old[i] = NULL;
    }
    pthread_mutex_unlock(&r->mu);
    for (i = 0; i < n_old; i++)
        if (old[i])
            node_put(old[i]);
    return 0;
}

/* See node_reg.h. */
void node_reg_remove(struct sim_node *n)
{
    struct node_reg *r = n->reg;
    int was;

    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    was = unlink_locked(r, n);
    pthread_mutex_unlock(&r->mu);
    if (was)
        node_put(n);
}

/* See node_reg.h. */
struct sim_node *node_reg_find(struct node_reg *r, const char *host)
{
    char name[256];
    struct sim_node *n;

    if (!host || node_host_norm(name, sizeof(name), host) != 0)
        return NULL;
    pthread_mutex_lock(&r->mu);
    n = sim_strmap_get(&r->names, name);
    if (n)
        atomic_fetch_add(&n->refs, 1);
    pthread_mutex_unlock(&r->mu);
    return n;
}

/* See node_reg.h. */
void node_get(struct sim_node *n)
{
    atomic_fetch_add(&n->refs, 1);
}

/* See node_reg.h. */
void node_free(struct sim_node *n)
{
    size_t i;

    if (!n)
        return;
    free(n->cluster_name);
    free(n->node_name);
    for (i = 0; i < n->n_hosts; i++)
        free(n->hosts[i]);
    free(n->hosts);
    free(n->user);
    OPENSSL_cleanse(n->cred_digest, sizeof(n->cred_digest));
    free(n->cert_pem);
    secret_free(n->key_pem);
    free(n->root_pretty);
    free(n->root_compact);
    pthread_mutex_destroy(&n->lock);
    free(n);
}

/* See node_reg.h. */
void node_put(struct sim_node *n)
{
    if (n && atomic_fetch_sub(&n->refs, 1) == 1)
        node_free(n);
}

/* See node_reg.h. */
void node_health_read(struct sim_node *n, char status[8], int *nodes,
                      int *data_nodes)
{
    pthread_mutex_lock(&n->lock);
    memcpy(status, n->status, 8);
    *nodes = n->nodes;
    *data_nodes = n->data_nodes;
    pthread_mutex_unlock(&n->lock);
}
