/* Group existence, once per run (observe_groups.h). */
#include "controller/observe_groups.h"

#include <stdlib.h>
#include <string.h>

#include "controller/observe_err.h"
#include "dcos/client.h"

struct group_read {
    const char *gid;              /* borrowed from the desired state */
    enum model_presence exists;
    struct err_info err;
};

struct observe_groups {
    struct group_read *reads;
    size_t n;
};

static void on_group(const struct dcos_result *r, void *payload)
{
    struct group_read *g = payload;

    if (r->err.code == ERR_NOTFOUND)
        g->exists = MODEL_ABSENT;
    else if (r->err.code)
        observe_err(&g->err, &r->err, "reading a group");
    else
        g->exists = MODEL_PRESENT;
}

static struct group_read *find(struct observe_groups *g, const char *gid)
{
    size_t i;

    for (i = 0; i < g->n; i++)
        if (strcmp(g->reads[i].gid, gid) == 0)
            return &g->reads[i];
    return NULL;
}

static size_t n_groups(const struct model_desired *d)
{
    size_t i, n = 0;

    for (i = 0; i < d->n_services; i++)
        n += d->services[i]->n_groups;
    return n;
}

int observe_groups_submit(struct observe_groups **out,
                          struct dcos_client *c,
                          const struct model_desired *d)
{
    struct observe_groups *g = calloc(1, sizeof(*g));
    size_t i, j;
    int r = 0;

    *out = g;
    if (g)
        g->reads = calloc(n_groups(d) + 1, sizeof(*g->reads));
    if (!g || !g->reads)
        return ERR_NOMEM;
    for (i = 0; i < d->n_services; i++) {
        const struct model_service *s = d->services[i];

        if (!s->account || !*s->account)
            continue;
        for (j = 0; j < s->n_groups; j++)
            if (!find(g, s->groups[j]))
                g->reads[g->n++].gid = s->groups[j];
    }
    /* Every slot is filled before the first read goes out. */
    for (i = 0; !r && i < g->n; i++)
        r = dcos_iam_group_get(c, g->reads[i].gid, on_group, &g->reads[i]);
    return r;
}

int observe_groups_collect(struct observe_groups *g,
                           const struct model_desired *d,
                           struct model_observed *out, struct err_info *e)
{
    size_t i, j;
    int r = 0;

    if (!g)
        return 0;
    for (i = 0; i < g->n && !r; i++)
        if (g->reads[i].err.code) {
            *e = g->reads[i].err;
            r = e->code;
        }
    for (i = 0; !r && i < d->n_services; i++) {
        const struct model_service *s = d->services[i];

        if (!out[i].group_exists || !out[i].in_group)
            continue;
        for (j = 0; j < s->n_groups; j++) {
            struct group_read *gr = find(g, s->groups[j]);

            if (gr && !out[i].in_group[j])
                out[i].group_exists[j] = gr->exists;
        }
    }
    free(g->reads);
    free(g);
    return r;
}
