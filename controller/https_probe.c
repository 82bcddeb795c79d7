/*
 * The node behind a scheduler endpoint and the scheme probes
 * (https_probe.h), shared by exec/verify.c and the plan-time read that
 * observe.c runs.
 */
#include "controller/https_probe.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/util.h"
#include "dcos/client.h"
#include "dcos/loop.h"
#include "dcos/parse.h"
#include "dcos/probe.h"

/* Replace *@field with @text (stolen; NULL after ENOMEM): 0 or
 * ERR_NOMEM. */
static int take(char **field, char *text)
{
    free(*field);
    *field = text;
    return text ? 0 : ERR_NOMEM;
}

void https_node_clear(struct https_node *n)
{
    free(n->dns);
    free(n->url);
    free(n->connect_to);
    free(n->address);
    memset(n, 0, sizeof(*n));
}

int https_node_from_endpoint(struct https_node *n, const json_t *endpoint)
{
    struct dcos_endpoint *ep = NULL;
    char *dhost = NULL, *ahost = NULL;
    long dport = 0, aport = 0;
    int r;

    r = dcos_parse_endpoint(&ep, endpoint);
    if (r == 0 && (ep->n == 0 || ep->n_dns == 0))
        r = ERR_INVALID;
    if (r == 0)
        r = dcos_split_host_port(&dhost, &dport, ep->dns[0]);
    if (r == 0)
        r = dcos_split_host_port(&ahost, &aport, ep->address[0]);
    if (r == 0)
        r = take(&n->dns, util_format("%s:%ld", dhost, dport));
    if (r == 0)
        r = take(&n->url, util_format("https://%s:%ld/", dhost, dport));
    if (r == 0)
        r = take(&n->connect_to, util_format("%s:%ld:%s:%ld", dhost, dport,
                                             ahost, aport));
    if (r == 0)
        r = take(&n->address, util_strdup(ep->address[0]));
    dcos_endpoint_free(ep);
    free(dhost);
    free(ahost);
    if (r)
        https_node_clear(n);
    return r;
}

char *https_node_url(const struct https_node *n, bool tls, const char *path)
{
    return util_format("%s://%s%s", tls ? "https" : "http", n->dns, path);
}

/* One run of https_scheme_probe: the probes left and what they saw. */
struct scheme_run {
    struct https_scheme s;
    unsigned left;
    https_scheme_fn done;
    void *payload;
};

static void scheme_one_done(struct scheme_run *run)
{
    if (--run->left > 0)
        return;
    run->done(&run->s, run->payload);
    free(run);
}

static void on_tls(const struct dcos_probe_result *r, void *payload)
{
    struct scheme_run *run = payload;

    run->s.https_status = r->status;
    if (r->status > 0)
        run->s.https = MODEL_HTTPS_VERIFIED;
    else if (r->err.code == ERR_INVALID)
        run->s.https = MODEL_HTTPS_REJECTED;
    else
        run->s.https = MODEL_HTTPS_NO_ANSWER;
    if (r->status == 0)
        run->s.https_err = r->err;
    scheme_one_done(run);
}

static void on_plain(const struct dcos_plain_result *r, void *payload)
{
    struct scheme_run *run = payload;

    run->s.plain_answered = r->answered;
    run->s.plain_status = r->status;
    if (!r->answered)
        run->s.plain_err = r->err;
    scheme_one_done(run);
}

int https_scheme_probe(struct http_loop *loop, const struct https_node *n,
                       const char *ca_pem, unsigned what,
                       https_scheme_fn done, void *payload)
{
    struct scheme_run *run;
    char *url = NULL;
    int r = 0;

    what &= HTTPS_PROBE_TLS | HTTPS_PROBE_PLAIN;
    if (!what || !n->url || !n->address ||
        ((what & HTTPS_PROBE_TLS) && !ca_pem))
        return ERR_INVALID;
    if ((what & HTTPS_PROBE_PLAIN) &&
        take(&url, util_format("http://%s/", n->address)))
        return ERR_NOMEM;
    run = calloc(1, sizeof(*run));
    if (!run) {
        free(url);
        return ERR_NOMEM;
    }
    run->done = done;
    run->payload = payload;
    /* One more than the probes, so that none can finish the run before
     * every probe is submitted. */
    run->left = 1;
    if (what & HTTPS_PROBE_TLS) {
        r = dcos_probe_https(loop, n->url, n->connect_to, ca_pem, NULL,
                             NULL, on_tls, run);
        run->left += r == 0;
    }
    if (r == 0 && (what & HTTPS_PROBE_PLAIN)) {
        r = dcos_probe_plain(loop, url, NULL, on_plain, run);
        run->left += r == 0;
    }
    free(url);
    if (r && run->left == 1) {
        free(run);
        return r;
    }
    /* A probe is under way: it finishes the run, marked incomplete. */
    run->s.incomplete = r;
    scheme_one_done(run);
    return 0;
}

/* ------------------------------------------------------------------ */
/* The plan-time read (https_probe_observe_*)                          */

struct https_probe_wave;

struct node_obs {
    struct https_probe_wave *w;
    struct model_observed *m;
    struct https_node node;
    bool again;              /* a failed TLS session is probed twice */
};

struct https_probe_wave {
    struct http_loop *loop;
    size_t n;
    const char *ca_pem;
    bool cancelled;          /* the wave ran out of time: ignore answers */
    struct node_obs *nodes;
};

static bool node_wanted(const struct model_service *s,
                        const struct model_observed *m)
{
    const struct model_plan_status *ps = &m->plan;

    return s->verify && m->package == MODEL_PRESENT && ps->known &&
           ps->status && strcmp(ps->status, "COMPLETE") == 0;
}

static void on_node_scheme(const struct https_scheme *sc, void *payload)
{
    struct node_obs *n = payload;
    struct model_observed *m = n->m;

    if (n->w->cancelled || sc->incomplete)
        return;
    /* A verdict needs a failure that repeats, not a reset connection. */
    if (sc->https == MODEL_HTTPS_REJECTED && !n->again) {
        n->again = true;
        https_scheme_probe(n->w->loop, &n->node, n->w->ca_pem,
                           HTTPS_PROBE_TLS | HTTPS_PROBE_PLAIN,
                           on_node_scheme, n);
        return;
    }
    if (sc->https != MODEL_HTTPS_VERIFIED) {
        m->node_https_error = util_strdup(sc->https_err.text);
        if (!m->node_https_error)
            return;
    }
    m->node_https = sc->https;
    m->node_plain_answered = sc->plain_answered;
    m->node_plain_status = sc->plain_status;
    m->node_dns = n->node.dns;
    m->node_address = n->node.address;
    n->node.dns = NULL;
    n->node.address = NULL;
    m->node_probed = true;
}

static void on_node_endpoint(const struct dcos_result *r, void *payload)
{
    struct node_obs *n = payload;

    if (n->w->cancelled || r->err.code ||
        https_node_from_endpoint(&n->node, r->json))
        return;
    https_scheme_probe(n->w->loop, &n->node, n->w->ca_pem,
                       HTTPS_PROBE_TLS | HTTPS_PROBE_PLAIN, on_node_scheme,
                       n);
}

int https_probe_observe_submit(struct https_probe_wave **out,
                               struct dcos_client *client,
                               const char *ca_pem,
                               const struct model_desired *d,
                               struct model_observed *obs)
{
    struct https_probe_wave *w;
    size_t i, n = d->n_services;

    w = calloc(1, sizeof(*w));
    if (w)
        w->nodes = calloc(n + 1, sizeof(*w->nodes));
    if (!w || !w->nodes) {
        free(w);
        return ERR_NOMEM;
    }
    w->loop = dcos_client_loop(client);
    w->ca_pem = ca_pem;
    w->n = n;
    for (i = 0; ca_pem && i < n; i++) {
        const struct model_service *s = d->services[i];

        w->nodes[i].w = w;
        w->nodes[i].m = &obs[i];
        if (!node_wanted(s, &obs[i]))
            continue;
        /* Observation read the endpoint already: probe at once. */
        if (obs[i].node_endpoint &&
            https_node_from_endpoint(&w->nodes[i].node,
                                     obs[i].node_endpoint) == 0)
            https_scheme_probe(w->loop, &w->nodes[i].node, ca_pem,
                               HTTPS_PROBE_TLS | HTTPS_PROBE_PLAIN,
                               on_node_scheme, &w->nodes[i]);
        else
            (void)dcos_sdk_endpoint_get(client, s->name, s->verify_endpoint,
                                        on_node_endpoint, &w->nodes[i]);
    }
    *out = w;
    return 0;
}

void https_probe_observe_collect(struct https_probe_wave *w, bool timed_out)
{
    size_t i;

    if (timed_out) {
        w->cancelled = true;
        http_loop_cancel_all(w->loop, ERR_TIMEOUT);
        for (i = 0; i < w->n; i++)
            if (w->nodes[i].m)
                w->nodes[i].m->node_probed = false;
    }
    for (i = 0; i < w->n; i++)
        https_node_clear(&w->nodes[i].node);
    free(w->nodes);
    free(w);
}
