/*
 * Typed calls of the secrets API (dcos-api.md 6): values are secrets,
 * sent from wiped buffers and never traced.  See client.h.
 */
#include "client.h"

#include <string.h>

#include "common/jsonscan.h"
#include "dcos/call.h"

static int secret_call(struct dcos_client *c, const char *method,
                       const char *path, const struct secret *value,
                       dcos_done_fn done, void *payload)
{
    struct dcos_call *k;
    int r;

    path = dcos_path_strip_slash(path);
    if (!dcos_path_valid(path))
        return ERR_INVALID;
    r = CALL(c, DCOS_CALL_SECRETS, method, MT_JSON, done, payload, &k,
             { 'l', "/secrets/v1/secret/default/" }, { 'p', path });
    if (r)
        return r;
    if (value) {
        k->ctype = MT_JSON;
        k->body_secret = true;
        k->has_body = true;
        r = buf_puts(&k->body, "{\"value\":");
        if (r == 0)
            r = jsonscan_put_string(&k->body, (const char *)value->buf,
                                    value->len);
        if (r == 0)
            r = buf_puts(&k->body, "}");
        if (r) {
            dcos_call_free(k);
            return r;
        }
    }
    if (strcmp(method, "GET") == 0)
        k->resp_secret = true;
    return dcos_call_go(k);
}

int dcos_secret_get(struct dcos_client *c, const char *path,
                    dcos_done_fn done, void *payload)
{
    return secret_call(c, "GET", path, NULL, done, payload);
}

int dcos_secret_put(struct dcos_client *c, const char *path,
                    const struct secret *value, dcos_done_fn done,
                    void *payload)
{
    if (!value)
        return ERR_INVALID;
    return secret_call(c, "PUT", path, value, done, payload);
}

int dcos_secret_patch(struct dcos_client *c, const char *path,
                      const struct secret *value, dcos_done_fn done,
                      void *payload)
{
    if (!value)
        return ERR_INVALID;
    return secret_call(c, "PATCH", path, value, done, payload);
}

int dcos_secret_delete(struct dcos_client *c, const char *path,
                       dcos_done_fn done, void *payload)
{
    return secret_call(c, "DELETE", path, NULL, done, payload);
}

int dcos_secret_list(struct dcos_client *c, const char *path,
                     dcos_done_fn done, void *payload)
{
    path = dcos_path_strip_slash(path);
    if (!dcos_path_valid(path))
        return ERR_INVALID;
    return CALL(c, DCOS_CALL_SECRETS, "GET", MT_JSON, done, payload, NULL,
                { 'l', "/secrets/v1/secret/default/" }, { 'p', path },
                { 'l', "?list=true" });
}
