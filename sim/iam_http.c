/*
 * dcos-sim IAM answers and requests: the Falcon error bodies, listings,
 * the views of users, groups and ACLs with their URLs (bouncer
 * urlbuild.py), id validation and JSON request bodies (bouncer
 * RequestMiddleware + gen_jsonvalidator).  See iam_http.h.
 */
#include "sim/iam_http.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "sim/http.h"
#include "sim/iam_authz.h"
#include "sim/state.h"

#define IAM_ID_MAX 96          /* uid and gid length limit */
#define IAM_RID_MAX 512        /* resource id length limit */

static const char *const iam_actions[] = {"create", "read", "update",
                                          "delete", "full"};
#define IAM_N_ACTIONS (sizeof(iam_actions) / sizeof(iam_actions[0]))

/* ------------------------------------------------------------------ */
/* Answers                                                            */
/* ------------------------------------------------------------------ */

/* A JSON string for @s; bytes that are not valid UTF-8 become '?'. */
static json_t *json_str_safe(const char *s)
{
    json_t *j = json_string(s ? s : "");
    char *c;
    size_t i;

    if (j)
        return j;
    c = strdup(s);
    if (!c)
        return NULL;
    for (i = 0; c[i]; i++)
        if ((unsigned char)c[i] >= 0x80 || (unsigned char)c[i] < 0x20)
            c[i] = '?';
    j = json_string(c);
    free(c);
    return j;
}

/* See iam_http.h. */
void iam_json_wipe(json_t *j)
{
    if (json_is_string(j) && json_string_length(j) > 0)
        OPENSSL_cleanse((char *)json_string_value(j), json_string_length(j));
}

static const char *status_title(int status)
{
    switch (status) {
    case 400:
        return "400 Bad Request";
    case 401:
        return "401 Unauthorized";
    case 404:
        return "404 Not Found";
    case 405:
        return "405 Method Not Allowed";
    case 406:
        return "406 Not Acceptable";
    case 409:
        return "409 Conflict";
    case 415:
        return "415 Unsupported Media Type";
    default:
        return "500 Internal Server Error";
    }
}

/* See iam_http.h. */
void iam_err(struct sim_resp *r, int status, const char *code,
             const char *fmt, ...)
{
    char desc[600];
    va_list ap;
    json_t *o;

    va_start(ap, fmt);
    vsnprintf(desc, sizeof(desc), fmt, ap);
    va_end(ap);
    o = json_object();
    if (!o || json_object_set_new(o, "title",
                                  json_string(status_title(status))) ||
        json_object_set_new(o, "description", json_str_safe(desc)) ||
        (code && json_object_set_new(o, "code", json_string(code)))) {
        json_decref(o);
        sim_resp_raw(r, 500, "text/plain", "out of memory\n", 14);
        return;
    }
    sim_resp_json(r, status, o, IAM_CTYPE);
}

/* See iam_http.h. */
void iam_nomem(struct sim_resp *r)
{
    iam_err(r, 500, NULL, "Out of memory.");
}

/* See iam_http.h. */
void iam_ok(struct sim_resp *r, json_t *o)
{
    if (!o) {
        iam_nomem(r);
        return;
    }
    sim_resp_json(r, 200, o, IAM_CTYPE);
}

/* See iam_http.h. */
void iam_method_not_allowed(struct sim_resp *r, const char *allow)
{
    sim_resp_empty(r, 405);
    sim_resp_header(r, "Allow", allow);
}

/* See iam_http.h. */
void iam_not_found(struct sim_resp *r)
{
    iam_err(r, 404, NULL, "The requested resource could not be found.");
}

/* See iam_http.h. */
int iam_is_method(const struct sim_req *req, const char *m)
{
    return strcmp(req->method, m) == 0;
}

/* See iam_http.h. */
int iam_only_get(const struct sim_req *req, struct sim_resp *resp)
{
    if (iam_is_method(req, "GET"))
        return 1;
    iam_method_not_allowed(resp, "GET");
    return 0;
}

/* See iam_http.h. */
void iam_unknown_user(struct sim_resp *resp, const char *uid)
{
    iam_err(resp, 400, "ERR_UNKNOWN_USER_ID", "User with uid `%s` not known.",
            uid);
}

/* See iam_http.h. */
void iam_unknown_group(struct sim_resp *resp, const char *gid)
{
    iam_err(resp, 400, "ERR_UNKNOWN_GROUP_ID",
            "Group with gid `%s` not known.", gid);
}

/* See iam_http.h. */
void iam_unknown_rid(struct sim_resp *resp, const char *rid)
{
    iam_err(resp, 400, "ERR_UNKNOWN_RESOURCE_ID",
            "Protected resource with rid `%s` not known.", rid);
}

/* See iam_http.h. */
int iam_want_services(const struct sim_req *req)
{
    char *t = sim_query_get(req, "type");
    int r = t && strcmp(t, "service") == 0;

    free(t);
    return r;
}

/* ------------------------------------------------------------------ */
/* Listings                                                           */
/* ------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* See iam_http.h. */
const char **iam_sorted_keys(json_t *o, size_t *n)
{
    const char **k;
    const char *key;
    json_t *v;
    size_t i = 0;

    *n = json_object_size(o);
    k = malloc((*n + 1) * sizeof(*k));
    if (!k)
        return NULL;
    json_object_foreach(o, key, v)
        k[i++] = key;
    (void)v;
    qsort(k, i, sizeof(*k), cmp_str);
    *n = i;
    return k;
}

/* See iam_http.h. */
void iam_list(struct sim_resp *resp, json_t *o, iam_list_elem_fn fn,
              const struct iam_list_ctx *c)
{
    json_t *arr = json_array();
    size_t i, n;
    const char **k = iam_sorted_keys(o, &n);

    for (i = 0; arr && k && i < n; i++) {
        if (fn(arr, k[i], json_object_get(o, k[i]), c)) {
            json_decref(arr);
            arr = NULL;
        }
    }
    if (!k) {
        json_decref(arr);
        arr = NULL;
    }
    free(k);
    iam_ok(resp, arr ? json_pack("{s:o}", "array", arr) : NULL);
}

/* A iam_list_elem_fn: c->view of the entry. */
static int view_elem(json_t *arr, const char *key, json_t *v,
                     const struct iam_list_ctx *c)
{
    return json_array_append_new(arr, c->view(key, v));
}

/* See iam_http.h. */
void iam_table_list(struct sim *s, struct sim_resp *resp, const char *name,
                    json_t *(*view)(const char *key, json_t *v))
{
    struct iam_list_ctx c = { s, NULL, 0, view };

    iam_list(resp, iam_table(s, name), view_elem, &c);
}

/* See iam_http.h. */
json_t *iam_vacant(struct sim *s, struct sim_resp *resp,
                   const char *name, const char *id, const char *code,
                   const char *what)
{
    json_t *t = iam_table(s, name);

    if (!t)
        iam_nomem(resp);
    else if (json_object_get(t, id))
        iam_err(resp, 409, code, "%s `%s` already exists.", what, id);
    else
        return t;
    return NULL;
}

/* See iam_http.h. */
void iam_created(struct sim *s, struct sim_resp *resp, const char *table,
                 json_t *t, const char *id, json_t *v)
{
    if (!v || json_object_set_new(t, id, v)) {
        iam_nomem(resp);
        return;
    }
    sim_state_touch(s, "iam", table, id);
    sim_resp_empty(resp, 201);
}

/* See iam_http.h. */
int iam_id_valid(const char *id)
{
    size_t i, n = strlen(id);

    if (n == 0 || n > IAM_ID_MAX || strcmp(id, "anonymous") == 0)
        return 0;
    for (i = 0; i < n; i++) {
        char c = id[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '@' ||
              c == '.'))
            return 0;
    }
    return 1;
}

/* See iam_http.h. */
int iam_rid_valid(const char *rid)
{
    size_t i, n = strlen(rid);

    if (n == 0 || n > IAM_RID_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)rid[i];

        if (c <= 0x20 || c >= 0x7f || c == '%' || c == '?' || c == '#' ||
            c == '"' || c == '\\')
            return 0;
    }
    return 1;
}

/* See iam_http.h. */
int iam_action_valid(const char *a)
{
    size_t i;

    for (i = 0; i < IAM_N_ACTIONS; i++)
        if (strcmp(a, iam_actions[i]) == 0)
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* URLs (bouncer urlbuild.py)                                         */
/* ------------------------------------------------------------------ */

/* @rid with every '/' written as "%252F" (new string). */
static char *rid_url_encode(const char *rid)
{
    size_t i, o = 0, n = strlen(rid);
    char *out = malloc(n * 5 + 1);

    if (!out)
        return NULL;
    for (i = 0; i < n; i++) {
        if (rid[i] == '/') {
            memcpy(out + o, "%252F", 5);
            o += 5;
        } else {
            out[o++] = rid[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* See iam_http.h. */
json_t *iam_url_json(const char *fmt, ...)
{
    char buf[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return json_str_safe(buf);
}

/* See iam_http.h. */
json_t *iam_acl_url(const char *rid)
{
    char *e = rid_url_encode(rid);
    json_t *j = e ? iam_url_json(IAM_BASE "/acls/%s", e) : NULL;

    free(e);
    return j;
}

/* Action object {"name","url"}; @kind is "users" or "groups". */
static json_t *action_json(const char *rid, const char *kind, const char *id,
                           const char *action)
{
    char *e = rid_url_encode(rid);
    json_t *o;

    if (!e)
        return NULL;
    o = json_pack("{s:s, s:o*}", "name", action, "url",
                  iam_url_json(IAM_BASE "/acls/%s/%s/%s/%s", e, kind, id,
                               action));
    free(e);
    return o;
}

/* See iam_http.h. */
json_t *iam_actions_json(const char *rid, const char *kind, const char *id,
                         json_t *acts)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; a && i < IAM_N_ACTIONS; i++) {
        if (!json_object_get(acts, iam_actions[i]))
            continue;
        if (json_array_append_new(a, action_json(rid, kind, id,
                                                 iam_actions[i]))) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* ------------------------------------------------------------------ */
/* Object views                                                       */
/* ------------------------------------------------------------------ */

/* See iam_http.h. */
json_t *iam_user_json(const char *uid, json_t *u)
{
    json_t *o;
    int svc = json_is_true(json_object_get(u, "is_service"));
    const char *pid = json_string_value(json_object_get(u, "provider_id"));
    const char *pt = json_string_value(json_object_get(u, "provider_type"));

    o = json_pack("{s:s, s:o*, s:s, s:b, s:b, s:s, s:s}", "uid", uid, "url",
                  iam_url_json(IAM_BASE "/users/%s", uid), "description",
                  json_string_value(json_object_get(u, "description"))
                      ? json_string_value(json_object_get(u, "description"))
                      : "",
                  "is_remote", 0, "is_service", svc, "provider_type",
                  pt ? pt : "internal", "provider_id", pid ? pid : "");
    if (o && svc &&
        json_object_set(o, "public_key", json_object_get(u, "public_key"))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* See iam_http.h. */
json_t *iam_group_json(const char *gid, json_t *g)
{
    const char *d = json_string_value(json_object_get(g, "description"));
    const char *pt = json_string_value(json_object_get(g, "provider_type"));

    return json_pack("{s:s, s:o*, s:s, s:s}", "gid", gid, "url",
                     iam_url_json(IAM_BASE "/groups/%s", gid), "description",
                     d ? d : "", "provider_type", pt ? pt : "internal");
}

/* See iam_http.h. */
json_t *iam_acl_json(const char *rid, json_t *acl)
{
    const char *d = json_string_value(json_object_get(acl, "description"));

    return json_pack("{s:s, s:o*, s:s}", "rid", rid, "url", iam_acl_url(rid),
                     "description", d ? d : "");
}

/* See iam_http.h. */
json_t *iam_membership_url(const char *gid, const char *uid)
{
    return iam_url_json(IAM_BASE "/groups/%s/users/%s", gid, uid);
}

/* ------------------------------------------------------------------ */
/* Request bodies (bouncer RequestMiddleware + gen_jsonvalidator)     */
/* ------------------------------------------------------------------ */

/* See iam_http.h. */
json_t *iam_body(const struct sim_req *req, struct sim_resp *resp)
{
    json_error_t jerr;
    json_t *v;

    if (req->body_len > 0) {
        if (!req->content_type) {
            iam_err(resp, 400, "ERR_INVALID_DATA",
                    "Missing Content-Type header.");
            return NULL;
        }
        if (!sim_media_type_ok("application/json", req->content_type) &&
            !sim_media_type_ok("application/x-www-form-urlencoded",
                               req->content_type)) {
            iam_err(resp, 415, "ERR_INVALID_DATA",
                    "Unexpected or undefined Content-Type");
            return NULL;
        }
    }
    if (req->body_len == 0 ||
        !sim_media_type_ok("application/json", req->content_type)) {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "Request has bad Content-Type or lacks JSON data");
        return NULL;
    }
    v = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES,
                   &jerr);
    if (!v) {
        iam_err(resp, 400, "ERR_INVALID_DATA", "Cannot decode JSON body: %s",
                jerr.text);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "Unexpected JSON input. Hint: the body is not of type "
                "'object'");
        return NULL;
    }
    return v;
}

/* See iam_http.h. */
int iam_check_props(json_t *o, const struct iam_prop *props, size_t n,
                    bool open, struct sim_resp *resp)
{
    const char *key;
    json_t *v;
    size_t i;

    json_object_foreach(o, key, v) {
        for (i = 0; i < n; i++)
            if (strcmp(key, props[i].name) == 0)
                break;
        if (i == n) {
            if (open)
                continue;
            iam_err(resp, 400, "ERR_INVALID_DATA",
                    "Unexpected JSON input. Hint: Additional properties are "
                    "not allowed ('%s' was unexpected)", key);
            return -1;
        }
        if (props[i].type == IAM_PROP_STRING && !json_is_string(v)) {
            iam_err(resp, 400, "ERR_INVALID_DATA",
                    "Unexpected JSON input. Hint: '%s' is not of type "
                    "'string'", key);
            return -1;
        }
    }
    for (i = 0; i < n; i++) {
        if (props[i].required && !json_object_get(o, props[i].name)) {
            iam_err(resp, 400, "ERR_INVALID_DATA",
                    "Unexpected JSON input. Hint: '%s' is a required "
                    "property", props[i].name);
            return -1;
        }
    }
    return 0;
}

/* See iam_http.h. */
void iam_describe_patch(struct sim *s, const struct sim_req *req,
                        struct sim_resp *resp, const char *table,
                        const char *id, json_t *obj)
{
    static const struct iam_prop props[] = {
        {"description", IAM_PROP_STRING, true},
    };
    json_t *body = iam_body(req, resp);

    if (!body)
        return;
    if (iam_check_props(body, props, 1, false, resp) == 0) {
        if (json_object_set(obj, "description",
                            json_object_get(body, "description"))) {
            iam_nomem(resp);
        } else {
            sim_state_touch(s, "iam", table, id);
            sim_resp_empty(resp, 204);
        }
    }
    json_decref(body);
}
