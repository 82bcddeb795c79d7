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

struct observe_catalog {
    struct dcos_client *client;
    const struct model_desired *d;
    struct model_observed *out;
    struct catalog_read *reads;
    size_t *read_of;            /* per service: its read, 2n: none */
    size_t n_reads;
    struct err_info submit_err;
};

static int catalog_new(struct observe_catalog **out,
                       struct dcos_client *client,
                       const struct model_desired *d, struct err_info *e)
{
    size_t n = d->n_services, i;
    struct observe_catalog *c = calloc(1, sizeof(*c));

    /* at most one prefetch and one read per service */
    if (c) {
        c->reads = calloc(2 * n + 1, sizeof(*c->reads));
        c->read_of = calloc(n + 1, sizeof(*c->read_of));
    }
    if (!c || !c->reads || !c->read_of) {
        if (c) {
            free(c->reads);
            free(c->read_of);
        }
        free(c);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < n; i++)
        c->read_of[i] = 2 * n; /* none until observe_catalog_submit */
    c->client = client;
    c->d = d;
    *out = c;
    return 0;
}

/* The read of @c that answers for @package at @version, or n_reads: one
 * asked for exactly that, or (answered) one for the latest that turned
 * out to be @version. */
static size_t find_read(const struct observe_catalog *c, const char *package,
                        const char *version)
{
    size_t k;

    for (k = 0; k < c->n_reads; k++)
        if (strcmp(c->reads[k].package, package) == 0 &&
            same(c->reads[k].version, version))
            return k;
    for (k = 0; version && k < c->n_reads; k++)
        if (strcmp(c->reads[k].package, package) == 0 &&
            !c->reads[k].version && c->reads[k].desc &&
            same(c->reads[k].desc->version, version))
            return k;
    return c->n_reads;
}

/* Submit a describe of @package at @version (NULL: latest) as read k. */
static int add_read(struct observe_catalog *c, const char *svc,
                    const char *package, const char *version)
{
    size_t k = c->n_reads;
    int r;

    c->reads[k].package = package;
    c->reads[k].version = version;
    r = dcos_cosmos_package_describe(c->client, package, version,
                                     on_describe, &c->reads[k]);
    if (r) {
        err_set(&c->submit_err, r, "service %s: cannot describe package "
                "%s: %s", svc, package, err_name(r));
        return r;
    }
    c->n_reads++;
    return 0;
}

int observe_catalog_prefetch(struct observe_catalog **out,
                             struct dcos_client *client,
                             const struct model_desired *d,
                             struct err_info *e)
{
    struct observe_catalog *c = NULL;
    size_t i;
    int r = catalog_new(&c, client, d, e);

    if (r)
        return r;
    /* A read that cannot be submitted is reported by the collect. */
    for (i = 0; !c->submit_err.code && i < d->n_services; i++) {
        const struct model_service *s = d->services[i];

        if (find_read(c, s->package_name, s->package_version) ==
            c->n_reads)
            (void)add_read(c, s->name, s->package_name, s->package_version);
    }
    *out = c;
    return 0;
}

int observe_catalog_submit(struct observe_catalog **out,
                           struct dcos_client *client,
                           const struct model_desired *d,
                           struct model_observed *obs, struct err_info *e)
{
    size_t n = d->n_services, i, k;
    struct observe_catalog *c = *out;

    if (!c) {
        int r = catalog_new(&c, client, d, e);

        if (r)
            return r;
    }
    c->out = obs;
    for (i = 0; i < n; i++) {
        const struct model_service *s = d->services[i];
        const char *version;

        c->read_of[i] = n * 2;
        if (!wanted(s, &obs[i], &version))
            continue;
        k = find_read(c, s->package_name, version);
        if (k == c->n_reads &&
            (c->submit_err.code ||
             add_read(c, s->name, s->package_name, version)))
            break;
        c->read_of[i] = k;
    }
    *out = c;
    return 0;
}

int observe_catalog_collect(struct observe_catalog *c, bool timed_out,
                            struct err_info *e)
{
    size_t n = c->d->n_services, i, k;
    int r = 0;

    /* The answers still out complete now, while @c lives. */
    if (timed_out)
        http_loop_cancel_all(dcos_client_loop(c->client), ERR_TIMEOUT);
    if (c->submit_err.code) {
        *e = c->submit_err;
        r = e->code;
    } else if (timed_out && c->n_reads) {
        r = err_set(e, ERR_TIMEOUT, "describing the packages timed out");
    }
    /* A prefetch whose observation failed was never submitted: nothing
     * to hand out. */
    for (i = 0; !r && c->out && i < n; i++) {
        const struct catalog_read *cr;

        if (c->read_of[i] == 2 * n)
            continue;
        cr = &c->reads[c->read_of[i]];
        if (cr->err.code)
            r = err_set(e, cr->err.code, "service %s: describing package "
                        "%s%s%s: %.100s", c->d->services[i]->name,
                        cr->package, cr->version ? " " : "",
                        cr->version ? cr->version : "", cr->err.text);
        else if (assign(&c->out[i], cr))
            r = err_set(e, ERR_NOMEM, "out of memory");
    }
    if (!r)
        LOG(LOG_DEBUG, "engine", "described %zu package version(s)",
            c->n_reads);
    for (k = 0; k < c->n_reads; k++)
        dcos_package_desc_free(c->reads[k].desc);
    free(c->reads);
    free(c->read_of);
    free(c);
    return r;
}
