#include "client.h"

#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/util.h"
#include "dcos/call.h"
#include "dcos/loop.h"
#include "dcos/redact.h"
#include "dcos/url.h"

#define CA_FILE_MAX (1024u * 1024u)

/* ------------------------------------------------------------------ */
/* set-up                                                              */

int dcos_global_init(void)
{
    return http_global_init();
}

void dcos_global_cleanup(void)
{
    http_global_cleanup();
}

static int copy_secret(struct secret **out, const struct secret *s)
{
    *out = NULL;
    if (!s)
        return 0;
    *out = secret_new(s->buf, s->len);
    return *out ? 0 : ERR_NOMEM;
}

int dcos_client_new(struct dcos_client **out,
                    const struct dcos_client_options *o,
                    struct http_loop *loop, struct err_info *err)
{
    struct dcos_client *c;
    size_t n;
    int r;

    if (dcos_url_check(o->url, err))
        return ERR_INVALID;
    if (o->token && !dcos_token_header_safe(o->token))
        return err_set(err, ERR_INVALID, "the token is empty or holds a "
                       "space or a control character (CR, LF, ...)");
    if (!o->insecure && !o->ca_file && !o->ca_pem)
        return err_set(err, ERR_INVALID,
                       "no trust configured: give a CA certificate file");
    if ((o->password || o->private_key) && (!o->uid || !*o->uid))
        return err_set(err, ERR_INVALID, "login credentials need a uid");
    if (o->password && o->private_key)
        return err_set(err, ERR_INVALID,
                       "give either a password or a private key, not both");
    c = calloc(1, sizeof(*c));
    if (!c)
        return err_set(err, ERR_NOMEM, "out of memory");
    c->url = strdup(o->url);
    if (!c->url)
        goto nomem;
    n = strlen(c->url);
    while (n > 0 && c->url[n - 1] == '/')
        c->url[--n] = '\0';
    if (o->ca_file && !o->ca_pem && !o->insecure) {
        /* Read here, not by libcurl: a FIFO must not hang (file.h). */
        struct err_info fe;
        char *pem = NULL;

        r = file_read(&pem, NULL, o->ca_file, CA_FILE_MAX, &fe);
        if (r == 0 && !(c->ca = http_blob_new(pem)))
            r = err_set(&fe, ERR_NOMEM, "out of memory");
        free(pem);
        if (r) {
            dcos_client_free(c);
            return err_set(err, r == ERR_NOMEM ? r : ERR_INVALID,
                           "CA certificate file %s: %s", o->ca_file,
                           fe.text);
        }
    }
    if ((o->ca_pem && !(c->ca = http_blob_new(o->ca_pem))) ||
        (o->uid && !(c->uid = strdup(o->uid))))
        goto nomem;
    c->insecure = o->insecure;
    if (copy_secret(&c->token, o->token) ||
        copy_secret(&c->password, o->password) ||
        copy_secret(&c->private_key, o->private_key))
        goto nomem;
    c->connect_timeout_ms = o->connect_timeout_ms;
    c->timeout_ms = o->timeout_ms;
    c->max_response = o->max_response;
    c->retry.attempts = o->max_attempts ? o->max_attempts
                                        : DCOS_RETRY_ATTEMPTS;
    c->retry.backoff = (double)(o->retry_backoff_ms > 0
                                    ? o->retry_backoff_ms
                                    : DCOS_RETRY_BACKOFF_MS) /
                       1000.0;
    c->retry.timeout = (double)(o->timeout_ms > 0 ? o->timeout_ms
                                                  : HTTP_DEFAULT_TIMEOUT_MS) /
                       1000.0;
    if (loop) {
        c->loop = loop;
    } else {
        r = http_loop_new(&c->loop, NULL, o->max_connections);
        if (r) {
            dcos_client_free(c);
            return err_set(err, r, "cannot create the HTTP loop");
        }
        c->own_loop = true;
    }
    *out = c;
    return 0;
nomem:
    dcos_client_free(c);
    return err_set(err, ERR_NOMEM, "out of memory");
}

void dcos_client_free(struct dcos_client *c)
{
    struct dcos_call *k;
    struct dcos_login_waiter *w;

    if (!c)
        return;
    if (c->own_loop)
        http_loop_free(c->loop);
    /* Calls still waiting for a login never reached the loop. */
    while ((k = c->waiting)) {
        struct dcos_result res;

        c->waiting = k->next;
        memset(&res, 0, sizeof(res));
        err_set(&res.err, ERR_INTERNAL, "client freed before the call ran");
        k->done(&res, k->payload);
        dcos_call_free(k);
    }
    while ((w = c->login_waiters)) {
        struct dcos_result res;

        c->login_waiters = w->next;
        memset(&res, 0, sizeof(res));
        err_set(&res.err, ERR_INTERNAL, "client freed before the login");
        w->done(&res, w->payload);
        free(w);
    }
    free(c->url);
    free(c->ca_file);
    http_blob_unref(c->ca);
    free(c->uid);
    secret_free(c->token);
    secret_free(c->password);
    secret_free(c->private_key);
    free(c);
}

struct http_loop *dcos_client_loop(struct dcos_client *c)
{
    return c->loop;
}

const char *dcos_client_url(const struct dcos_client *c)
{
    return c->url;
}

int dcos_client_set_ca_pem(struct dcos_client *c, const char *pem)
{
    struct http_blob *b = http_blob_new(pem);

    if (!b)
        return ERR_NOMEM;
    http_blob_unref(c->ca);
    c->ca = b;
    free(c->ca_file);
    c->ca_file = NULL;
    c->insecure = false;
    return 0;
}

void dcos_client_set_trace(struct dcos_client *c, FILE *out)
{
    http_loop_set_trace(c->loop, out);
}

void dcos_client_set_observer(struct dcos_client *c, dcos_observer_fn fn,
                              void *payload)
{
    c->observer = fn;
    c->observer_payload = payload;
}

int dcos_client_has_token(const struct dcos_client *c)
{
    return c->token != NULL;
}

unsigned dcos_client_logins(const struct dcos_client *c)
{
    return c->logins;
}

double dcos_client_call_bound(const struct dcos_client *c)
{
    return dcos_retry_bound(&c->retry);
}

int dcos_client_run(struct dcos_client *c, double timeout_s)
{
    return http_loop_run(c->loop, timeout_s > 0
                                      ? util_now_mono() + timeout_s
                                      : 0);
}

/* ------------------------------------------------------------------ */
/* metadata and CA                                                     */

int dcos_version_get(struct dcos_client *c, dcos_done_fn done,
                     void *payload)
{
    struct dcos_call *k;
    int r = CALL(c, DCOS_CALL_PLAIN, "GET", MT_JSON, done, payload, &k,
                 { 'l', "/dcos-metadata/dcos-version.json" });

    if (r)
        return r;
    k->no_auth = true;
    return dcos_call_go(k);
}

int dcos_ca_cert_get(struct dcos_client *c, dcos_done_fn done,
                     void *payload)
{
    struct dcos_call *k;
    int r = CALL(c, DCOS_CALL_PLAIN, "GET", NULL, done, payload, &k,
                 { 'l', "/ca/dcos-ca.crt" });

    if (r)
        return r;
    k->no_auth = true;
    k->check_pem = true;
    return dcos_call_go(k);
}

int dcos_client_login(struct dcos_client *c, dcos_done_fn done,
                      void *payload)
{
    struct dcos_login_waiter *w;
    int r;

    if (!dcos_login_possible(c))
        return ERR_INVALID;
    w = calloc(1, sizeof(*w));
    if (!w)
        return ERR_NOMEM;
    w->done = done;
    w->payload = payload;
    r = dcos_login_start(c);
    if (r) {
        free(w);
        return r;
    }
    w->next = c->login_waiters;
    c->login_waiters = w;
    return 0;
}
