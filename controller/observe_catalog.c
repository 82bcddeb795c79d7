/*
 * Observation of the package catalog (observe_catalog.h): one
 * `POST /package/describe` per distinct package and version, all at once.
 */
#include "controller/observe_catalog.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "dcos/client.h"
#include "dcos/loop.h"
#include "dcos/parse.h"

/* One distinct describe of the run. */
struct catalog_read {
    const char *package;   /* borrowed from the desired state */
    const char *version;   /* borrowed; NULL: the catalog's latest */
    enum model_presence presence;
    struct dcos_package_desc *desc;
    struct err_info err;
};

/* The version the describe of service @i asks for (NULL: latest); 0 when
 * there is nothing to describe. */
static int wanted(const struct model_service *s,
                  const struct model_observed *o, const char **version)
{
    *version = s->package_version;
    if (*version)
        return 1;
    if (o->package != MODEL_PRESENT)
        return 1;
    /* Another package runs under the name: the package reconciler fails
     * the plan; its catalog is not ours to read. */
    if (!o->package_name || !o->package_version ||
        strcmp(o->package_name, s->package_name) != 0)
        return 0;
    *version = o->package_version;
    return 1;
}

static int same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static void on_describe(const struct dcos_result *r, void *payload)
{
    struct catalog_read *c = payload;

    if (r->err.code == ERR_NOTFOUND) {
        /* PackageNotFound or VersionNotFound */
        c->presence = MODEL_ABSENT;
        return;
    }
    if (r->err.code) {
        c->err = r->err;
        return;
    }
    if (dcos_parse_package_describe(&c->desc, r->json)) {
        err_set(&c->err, ERR_INVALID, "unexpected response body");
        return;
    }
    c->presence = MODEL_PRESENT;
}

/* Hand what read @c found to observation @o.  0 or ERR_NOMEM. */
static int assign(struct model_observed *o, const struct catalog_read *c)
{
    o->catalog = c->presence;
    if (c->presence != MODEL_PRESENT)
        return 0;
    o->catalog_version = util_strdup(c->desc->version);
    if (!o->catalog_version)
        return ERR_NOMEM;
    if (c->desc->config)
        o->catalog_schema = json_incref(c->desc->config);
    return 0;
}

int observe_catalog_run(struct dcos_client *client, double request_timeout,
                        const struct model_desired *d,
                        struct model_observed *out, struct err_info *e)
{
    size_t n = d->n_services, n_reads = 0, i, k;
    struct catalog_read *reads;
    size_t *read_of;
    int r = 0;

    reads = calloc(n + 1, sizeof(*reads));
    read_of = calloc(n + 1, sizeof(*read_of));
    if (!reads || !read_of) {
        free(reads);
        free(read_of);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < n; i++) {
        const struct model_service *s = d->services[i];
        const char *version;

        read_of[i] = n;
        if (!wanted(s, &out[i], &version))
            continue;
        for (k = 0; k < n_reads; k++)
            if (strcmp(reads[k].package, s->package_name) == 0 &&
                same(reads[k].version, version))
                break;
        if (k == n_reads) {
            reads[k].package = s->package_name;
            reads[k].version = version;
            n_reads++;
            r = dcos_cosmos_package_describe(client, s->package_name,
                                             version, on_describe, &reads[k]);
            if (r) {
                err_set(e, r, "service %s: cannot describe package %s: %s",
                        s->name, s->package_name, err_name(r));
                n_reads--;
                break;
            }
        }
        read_of[i] = k;
    }
    if (n_reads && dcos_client_run(client, 4 * request_timeout + 10)) {
        /* The answers still out complete now, while @reads lives. */
        http_loop_cancel_all(dcos_client_loop(client), ERR_TIMEOUT);
        if (!r)
            r = err_set(e, ERR_TIMEOUT, "describing the packages timed out");
    }
    for (i = 0; !r && i < n; i++) {
        const struct catalog_read *c = &reads[read_of[i]];

        if (read_of[i] == n)
            continue;
        if (c->err.code)
            r = err_set(e, c->err.code, "service %s: describing package "
                        "%s%s%s: %.100s", d->services[i]->name, c->package,
                        c->version ? " " : "", c->version ? c->version : "",
                        c->err.text);
        else if (assign(&out[i], c))
            r = err_set(e, ERR_NOMEM, "out of memory");
    }
    if (!r)
        LOG(LOG_DEBUG, "engine", "described %zu package version(s)",
            n_reads);
    for (k = 0; k < n_reads; k++)
        dcos_package_desc_free(reads[k].desc);
    free(reads);
    free(read_of);
    return r;
}
