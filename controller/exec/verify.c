/*
 * Executor of the HTTPS check (docs/plan.md, "https_verify").  Steps: the
 * basic-auth credentials (user and password from the service's resolved
 * options, the environment, a file or a DC/OS secret), the endpoint's DNS
 * name and address from the scheduler, GET / and /_cluster/health on the
 * node (HTTPS with the cluster CA and hostname verification, or plain HTTP
 * when TLS is off), then the negative check: plain HTTP refused (TLS on) or
 * HTTPS not offered (TLS off).  The credentials (Cosmos describe) and the
 * endpoint are read together; the node is probed once both answered.  A
 * service that is not ready yet is retried every second for the verify
 * window (the endpoint only: the credentials are kept).
 */
#include "controller/exec/verify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "controller/https_probe.h"
#include "controller/preflight.h"
#include "controller/report.h"
#include "dcos/client.h"
#include "dcos/loop.h"
#include "dcos/parse.h"
#include "dcos/probe.h"
#include "model/names.h"

#define VERIFY_INTERVAL 1.0

struct verify_state {
    char *user;
    struct secret *password;
    struct https_node node; /* the endpoint's node */
    char *es_version;
    char *cluster_name;
    char *health;
    char *subject, *issuer, *not_after;
    char *sans;
    char *plain;        /* what plain HTTP did */
    double deadline;    /* exec_elapsed() bound of the retries */
    char last_error[200];
    int pending;        /* reads of this attempt not answered yet */
    char fatal[300];    /* why the action fails, "" while it need not */
    int endpoint_rc;    /* outcome of the endpoint read, 0: v->node */
    char endpoint_error[512]; /* why it failed, when it did */
};

static void verify_clear(void *state)
{
    struct verify_state *v = state;

    free(v->user);
    secret_free(v->password);
    https_node_clear(&v->node);
    free(v->es_version);
    free(v->cluster_name);
    free(v->health);
    free(v->subject);
    free(v->issuer);
    free(v->not_after);
    free(v->sans);
    free(v->plain);
}

static const struct model_verify_params *params(const struct exec_ctx *x)
{
    return &exec_action(x)->params.verify;
}

/* Replace *@field with a copy of @s (NULL stays NULL). */
static void set_str(char **field, const char *s)
{
    free(*field);
    *field = util_strdup(s);
}

static void attempt(struct exec_ctx *x);

/* Record why this attempt failed and retry until the window closes. */
static void retry(struct exec_ctx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void retry(struct exec_ctx *x, const char *fmt, ...)
{
    struct verify_state *v = exec_state(x);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(v->last_error, sizeof(v->last_error), fmt, ap);
    va_end(ap);
    if (exec_elapsed(x) > v->deadline) {
        exec_fail(x, "HTTPS verification failed: %s", v->last_error);
        return;
    }
    exec_sleep(x, VERIFY_INTERVAL, attempt);
}

static int health_rank(const char *h)
{
    if (!h)
        return -1;
    if (strcmp(h, "green") == 0)
        return 2;
    if (strcmp(h, "yellow") == 0)
        return 1;
    if (strcmp(h, "red") == 0)
        return 0;
    return -1;
}

static void report(struct exec_ctx *x)
{
    struct verify_state *v = exec_state(x);
    struct report_verified rv;

    memset(&rv, 0, sizeof(rv));
    rv.service = exec_plan(x)->service;
    rv.tls = params(x)->tls;
    rv.url = v->node.url;
    rv.dns = v->node.dns;
    rv.address = v->node.address;
    rv.es_version = v->es_version;
    rv.cluster_name = v->cluster_name;
    rv.health = v->health;
    rv.required_health = params(x)->health;
    rv.subject = v->subject;
    rv.issuer = v->issuer;
    rv.not_after = v->not_after;
    rv.sans = v->sans;
    rv.plain = v->plain;
    exec_verified(x, &rv);
    exec_done(x);
}

/*
 * The negative check: with TLS on, plain HTTP to the node's address must
 * get no HTTP answer; with TLS off, HTTPS must not be offered.
 */
static void on_scheme(const struct https_scheme *s, void *payload)
{
    struct exec_ctx *x = payload;
    struct verify_state *v = exec_state(x);
    char buf[200];

    if (s->incomplete) {
        exec_check(x, s->incomplete, "scheme probe");
        return;
    }
    if (!params(x)->tls) {
        if (s->https == MODEL_HTTPS_VERIFIED) {
            retry(x, "the node still speaks HTTPS although transport "
                     "encryption is off");
            return;
        }
        report(x);
        return;
    }
    if (s->plain_answered) {
        retry(x, "the node still answers plain HTTP (HTTP %ld) at %s",
              s->plain_status, v->node.address);
        return;
    }
    snprintf(buf, sizeof(buf), "refused (%.150s)", s->plain_err.text);
    set_str(&v->plain, buf);
    report(x);
}

/* GET @path on the node: HTTPS with the cluster CA when TLS is desired,
 * else plain HTTP; basic auth either way. */
static int node_get(struct exec_ctx *x, const char *path, dcos_probe_fn done)
{
    struct verify_state *v = exec_state(x);
    char *url;
    int r;

    url = https_node_url(&v->node, params(x)->tls, path);
    if (!url)
        return ERR_NOMEM;
    if (params(x)->tls)
        r = dcos_probe_https(exec_loop(x), url, v->node.connect_to,
                             exec_ca_pem(x), v->user, v->password, done, x);
    else
        r = dcos_probe_http(exec_loop(x), url, v->node.connect_to, v->user,
                            v->password, done, x);
    free(url);
    return r;
}

static void on_health(const struct dcos_probe_result *r, void *payload)
{
    struct exec_ctx *x = payload;
    struct verify_state *v = exec_state(x);
    const char *h, *want = params(x)->health;

    if (r->err.code || !r->json) {
        retry(x, "GET /_cluster/health: %s",
              r->err.code ? r->err.text : "not JSON");
        return;
    }
    h = json_string_value(json_object_get(r->json, "status"));
    set_str(&v->health, h);
    if (health_rank(h) < health_rank(want)) {
        retry(x, "cluster health is %s, required at least %s",
              h ? h : "unknown", want);
        return;
    }
    exec_check(x,
               https_scheme_probe(exec_loop(x), &v->node, exec_ca_pem(x),
                                  params(x)->tls ? HTTPS_PROBE_PLAIN
                                                 : HTTPS_PROBE_TLS,
                                  on_scheme, x),
               "scheme probe");
}

static char *join_sans(const struct http_cert *c)
{
    size_t i, len = 1;
    char *s;

    for (i = 0; i < c->n_sans; i++)
        len += strlen(c->sans[i]) + 2;
    s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (i = 0; i < c->n_sans; i++) {
        if (i)
            strcat(s, ", ");
        strcat(s, c->sans[i]);
    }
    return s;
}

static void on_root(const struct dcos_probe_result *r, void *payload)
{
    struct exec_ctx *x = payload;
    struct verify_state *v = exec_state(x);
    const json_t *ver;

    if (r->err.code) {
        retry(x, "GET %s://%s/: %s", params(x)->tls ? "https" : "http",
              v->node.dns, r->err.text);
        return;
    }
    ver = json_object_get(json_object_get(r->json, "version"), "number");
    if (!json_is_string(ver)) {
        retry(x, "GET %s: the answer is not an Elasticsearch root document",
              v->node.url);
        return;
    }
    set_str(&v->es_version, json_string_value(ver));
    set_str(&v->cluster_name,
            json_string_value(json_object_get(r->json, "cluster_name")));
    if (r->cert) {
        set_str(&v->subject, r->cert->subject);
        set_str(&v->issuer, r->cert->issuer);
        set_str(&v->not_after, r->cert->not_after);
        free(v->sans);
        v->sans = join_sans(r->cert);
    }
    exec_check(x, node_get(x, "/_cluster/health", on_health), "node probe");
}

/*
 * One read of the attempt answered: once all did, fail on the credentials,
 * retry on the endpoint, or probe the node.  Every read of an attempt ends
 * here, never in an outcome of its own, so that no answer arrives after
 * the action ended.
 */
static void joined(struct exec_ctx *x)
{
    struct verify_state *v = exec_state(x);

    if (--v->pending > 0)
        return;
    if (v->fatal[0]) {
        exec_fail(x, "%s", v->fatal);
        return;
    }
    if (v->endpoint_rc == ERR_NOMEM) {
        exec_fail(x, "out of memory");
        return;
    }
    if (v->endpoint_rc) {
        retry(x, "%s", v->endpoint_error);
        return;
    }
    if (!exec_ca_pem(x)) {
        exec_fail(x, "the cluster CA certificate is not known");
        return;
    }
    exec_check(x, node_get(x, "/", on_root), "node probe");
}

/* The action must fail (the credentials cannot be had, a read cannot be
 * sent): fail once the other reads answered. */
static void fail_later(struct exec_ctx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fail_later(struct exec_ctx *x, const char *fmt, ...)
{
    struct verify_state *v = exec_state(x);
    va_list ap;

    if (!v->fatal[0]) { /* the first reason stands */
        va_start(ap, fmt);
        vsnprintf(v->fatal, sizeof(v->fatal), fmt, ap);
        va_end(ap);
    }
    joined(x);
}

static void on_endpoint(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;
    struct verify_state *v = exec_state(x);

    v->endpoint_rc = ERR_INTERNAL;
    if (r->err.code) {
        snprintf(v->endpoint_error, sizeof(v->endpoint_error),
                 "reading endpoint %s: %s", params(x)->endpoint,
                 r->err.text);
    } else {
        v->endpoint_rc = https_node_from_endpoint(&v->node, r->json);
        if (v->endpoint_rc)
            snprintf(v->endpoint_error, sizeof(v->endpoint_error),
                     "endpoint %s lists no address yet",
                     params(x)->endpoint);
    }
    joined(x);
}

/* Read the endpoint (as one more read of the attempt). */
static void read_endpoint(struct exec_ctx *x)
{
    struct verify_state *v = exec_state(x);
    int r;

    v->pending++;
    r = dcos_sdk_endpoint_get(exec_client(x), exec_plan(x)->service,
                              params(x)->endpoint, on_endpoint, x);
    if (r)
        fail_later(x, "cannot send GET endpoint: %s", err_name(r));
}

/* A retry: the credentials are known, read the endpoint again. */
static void attempt(struct exec_ctx *x)
{
    struct verify_state *v = exec_state(x);

    v->pending = 1; /* held until the reads are sent */
    read_endpoint(x);
    joined(x);
}

static void credentials_done(struct exec_ctx *x)
{
    struct verify_state *v = exec_state(x);

    if (!v->user || !v->password) {
        fail_later(x, "no credentials for the HTTPS check");
        return;
    }
    joined(x);
}

/* Fail the action with what is wrong with the password, as plan says. */
static void password_fail(struct exec_ctx *x, enum model_password_check c,
                          const char *detail)
{
    char why[300];

    model_password_problem(why, sizeof(why), c, params(x)->password_ref,
                           detail);
    fail_later(x, "the HTTPS check cannot get its password: %s", why);
}

static void on_password_secret(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;
    struct verify_state *v = exec_state(x);
    enum model_password_check c = preflight_password_secret(r);

    if (c == MODEL_PWC_UNCHECKED) {
        fail_later(x, "reading the verification password secret: %s",
                   r->err.text);
        return;
    }
    if (c != MODEL_PWC_OK) {
        password_fail(x, c, NULL);
        return;
    }
    v->password = secret_new(r->secret->buf, r->secret->len);
    credentials_done(x);
}

/* The password from the environment or a file (preflight.h, the same
 * checks plan made); 0 or fails the credentials (fail_later). */
static int local_password(struct exec_ctx *x)
{
    const struct model_verify_params *p = params(x);
    struct verify_state *v = exec_state(x);
    enum model_password_check c;
    char detail[160];

    c = preflight_password_local(p->password_source, p->password_ref,
                                 &v->password, detail, sizeof(detail));
    if (c == MODEL_PWC_OK)
        return 0;
    if (c == MODEL_PWC_UNCHECKED)
        fail_later(x, "cannot get the verification password");
    else
        password_fail(x, c, detail);
    return -1;
}

static void on_describe(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;
    const struct model_verify_params *p = params(x);
    struct verify_state *v = exec_state(x);
    struct dcos_service_desc *d = NULL;
    const json_t *es;

    if (r->err.code || dcos_parse_service_describe(&d, r->json)) {
        fail_later(x, "describing the service: %s",
                   r->err.code ? r->err.text : "unexpected body");
        return;
    }
    es = json_object_get(d->resolved_options, "elasticsearch");
    set_str(&v->user,
            p->user ? p->user
                    : json_string_value(json_object_get(es, "health_user")));
    switch (p->password_source) {
    case MODEL_PW_HEALTH_OPTIONS: {
        const char *s =
            json_string_value(json_object_get(es, "health_user_password"));

        v->password = s ? secret_new_str(s) : NULL;
        break;
    }
    case MODEL_PW_ENV:
    case MODEL_PW_FILE:
        if (local_password(x)) {
            dcos_service_desc_free(d);
            return;
        }
        break;
    case MODEL_PW_SECRET: {
        int rc = dcos_secret_get(exec_client(x), p->password_ref,
                                 on_password_secret, x);

        dcos_service_desc_free(d);
        if (rc)
            fail_later(x, "cannot send GET secret: %s", err_name(rc));
        return;
    }
    }
    dcos_service_desc_free(d);
    credentials_done(x);
}

/* Read the credentials (Cosmos describe) and the endpoint together. */
static void verify_start(struct exec_ctx *x)
{
    struct verify_state *v = exec_state(x);
    char *app_id = model_app_id(exec_plan(x)->service);
    int r;

    exec_note(x, "Verifying...");
    if (!app_id) {
        exec_fail(x, "out of memory");
        return;
    }
    v->deadline = exec_elapsed(x) + exec_verify_window(x);
    v->pending = 2; /* the describe, and one held until both are sent */
    r = dcos_cosmos_service_describe(exec_client(x), app_id, on_describe,
                                     x);
    free(app_id);
    if (r)
        fail_later(x, "cannot send service describe: %s", err_name(r));
    read_endpoint(x);
    joined(x);
}

const struct executor_ops executor_https_verify = {
    .version = EXECUTOR_OPS_VERSION,
    .op = MODEL_OP_HTTPS_VERIFY,
    .state_size = sizeof(struct verify_state),
    .start = verify_start,
    .clear = verify_clear,
};
