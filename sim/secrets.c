/*
 * dcos-sim secrets module (/secrets/v1): the secret store "default" with
 * paths that contain '/', per dcos-api.md section 6 and the published
 * Secrets API spec (secrets.yaml).  Authorization is done here, as the real
 * secrets service does it: superuser, or a grant on
 * dcos:secrets:default:/<path> (read, create, update, delete per method, or
 * full); listing needs read on dcos:secrets:list:default:/<path>.
 *
 * Secret values are secrets: they are never logged, and never put in an
 * error message.
 *
 * State (sim_state_section(s, "secrets")):
 *   default: path -> {value, created[, author, description, labels]}
 *
 * Error bodies of the real service are not documented (dcos-api.md marks
 * them UNCONFIRMED); this module answers {"code","message"} JSON and the
 * documented status codes.
 */
#include "sim/secrets.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "common/err.h"
#include "common/util.h"
#include "sim/core.h"
#include "sim/http.h"
#include "sim/iam_authz.h"
#include "sim/server.h"
#include "sim/state.h"

#define SEC_BASE "/secrets/v1/"
#define SEC_STORE "default"
#define SEC_PATH_MAX 1024
#define SEC_RID "dcos:secrets:" SEC_STORE ":/"
#define SEC_LIST_RID "dcos:secrets:list:" SEC_STORE ":/"

static void sec_err(struct sim_resp *r, int status, const char *code,
                    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Error answer {"code","message"} (application/json). */
static void sec_err(struct sim_resp *r, int status, const char *code,
                    const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    json_t *o;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    o = json_pack("{s:s, s:s}", "code", code, "message", msg);
    if (!o) {
        sim_resp_raw(r, 500, "text/plain", "out of memory\n", 14);
        return;
    }
    sim_resp_json(r, status, o, "application/json");
}

static void sec_nomem(struct sim_resp *r)
{
    sec_err(r, 500, "ERR_INTERNAL", "Out of memory.");
}

static void sec_ok(struct sim_resp *r, json_t *o)
{
    if (!o) {
        sec_nomem(r);
        return;
    }
    sim_resp_json(r, 200, o, "application/json");
}

static int is_method(const struct sim_req *req, const char *m)
{
    return strcmp(req->method, m) == 0;
}

/* The "default" store object (created empty when missing). */
static json_t *sec_store(struct sim *s)
{
    json_t *sec = sim_state_section(s, "secrets");
    json_t *st = json_object_get(sec, SEC_STORE);

    if (!json_is_object(st)) {
        st = json_object();
        if (!st || json_object_set_new(sec, SEC_STORE, st))
            return NULL;
    }
    return st;
}

/*
 * 1 when @path is a usable secret path: 1..SEC_PATH_MAX bytes of valid
 * UTF-8 without control characters, segments separated by '/', none empty
 * and none "." or "..".
 */
static int path_valid(const char *path)
{
    const char *p = path, *seg = path;
    size_t n = strlen(path);
    json_t *probe;

    if (n == 0 || n > SEC_PATH_MAX)
        return 0;
    for (; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return 0;
    probe = json_string(path);
    if (!probe)
        return 0; /* not UTF-8 */
    json_decref(probe);
    for (p = path;; p++) {
        if (*p == '/' || *p == '\0') {
            size_t len = (size_t)(p - seg);

            if (len == 0 || (len == 1 && seg[0] == '.') ||
                (len == 2 && seg[0] == '.' && seg[1] == '.'))
                return 0;
            if (*p == '\0')
                break;
            seg = p + 1;
        }
    }
    return 1;
}

/* Permission check for @uid on @prefix + @path (new rid). */
static int sec_allowed(struct sim *s, const char *uid, const char *prefix,
                       const char *path, const char *action)
{
    size_t n = strlen(prefix) + strlen(path) + 1;
    char *rid = malloc(n);
    int ok;

    if (!rid)
        return 0;
    snprintf(rid, n, "%s%s", prefix, path);
    ok = sim_iam_allowed(s, uid, rid, action);
    free(rid);
    return ok;
}

static void forbidden(struct sim_resp *resp, const char *path)
{
    sec_err(resp, 403, "ERR_FORBIDDEN",
            "Forbidden: no permission for secret path `%s`.", path);
}

/*
 * Parse and validate a Secret body (schema `Secret`, additionalProperties
 * false: author, created, description, labels, value).  Returns the object
 * (new) or NULL after setting @resp.
 */
static json_t *secret_body(const struct sim_req *req, struct sim_resp *resp)
{
    json_error_t jerr;
    const char *key;
    json_t *o, *v;

    if (!req->content_type ||
        !sim_media_type_ok("application/json", req->content_type)) {
        sec_err(resp, 400, "ERR_UNSUPPORTED_CONTENT_TYPE",
                "Unsupported Content-Type: expected application/json.");
        return NULL;
    }
    o = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(o)) {
        json_decref(o);
        sec_err(resp, 400, "ERR_INVALID_JSON",
                "The request body is not a JSON object.");
        return NULL;
    }
    json_object_foreach(o, key, v) {
        if (strcmp(key, "labels") == 0) {
            size_t i;
            json_t *l;

            if (!json_is_array(v))
                goto bad_type;
            json_array_foreach(v, i, l)
                if (!json_is_string(l))
                    goto bad_type;
        } else if (strcmp(key, "value") == 0 || strcmp(key, "author") == 0 ||
                   strcmp(key, "created") == 0 ||
                   strcmp(key, "description") == 0) {
            if (!json_is_string(v))
                goto bad_type;
        } else {
            sec_err(resp, 400, "ERR_INVALID_JSON",
                    "Unexpected property `%s` in the secret.", key);
            json_decref(o);
            return NULL;
        }
    }
    return o;
bad_type:
    sec_err(resp, 400, "ERR_INVALID_JSON",
            "Property `%s` of the secret has the wrong type.", key);
    json_decref(o);
    return NULL;
}

/* Copy the writable fields of @body into the stored record @rec. */
static int secret_apply(json_t *rec, json_t *body)
{
    static const char *const fields[] = {"value", "author", "description",
                                         "labels"};
    size_t i;

    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        json_t *v = json_object_get(body, fields[i]);

        if (v && json_object_set(rec, fields[i], v))
            return ERR_NOMEM;
    }
    return 0;
}

/* A new record with the creation time set. */
static json_t *secret_record(void)
{
    char ts[32];
    time_t t = time(NULL);
    struct tm tm;

    if (!gmtime_r(&t, &tm) ||
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        ts[0] = '\0';
    return json_pack("{s:s}", "created", ts);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The store's paths, sorted, so that a list is a binary search instead of
 * a walk of every secret (each plan lists every service's lease folder:
 * the walk made a plan of N services cost N x all secrets).  Valid while
 * the state's generation, the store object and its size are those it was
 * built for: every change of the store goes through sim_state_touch.
 */

/* The valid index of @store (rebuilt when needed), or NULL (no memory). */
static const struct sim_path_index *sec_index(struct sim *s, json_t *store)
{
    struct sim_path_index *x = &s->secret_index;
    const char **keys, *key;
    size_t n = 0;
    json_t *v;

    if (x->keys && x->generation == s->generation && x->store == store &&
        x->n == json_object_size(store))
        return x;
    keys = realloc(x->keys, (json_object_size(store) + 1) * sizeof(*keys));
    if (!keys)
        return NULL;
    x->keys = keys;
    json_object_foreach(store, key, v)
        keys[n++] = key;
    (void)v;
    qsort(keys, n, sizeof(*keys), cmp_str);
    x->n = n;
    x->store = store;
    x->generation = s->generation;
    return x;
}

/* See secrets.h. */
json_t *sim_secret_list(struct sim *s, const char *dir)
{
    json_t *store = sec_store(s), *arr = json_array();
    const struct sim_path_index *x = store ? sec_index(s, store) : NULL;
    size_t plen = strlen(dir), lo = 0, hi, i;

    if (!x || !arr)
        goto nomem;
    /* the first path >= "<dir>/": '/' sorts below every name byte */
    hi = x->n;
    while (plen > 0 && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strncmp(x->keys[mid], dir, plen);

        if (c < 0 || (c == 0 && (unsigned char)x->keys[mid][plen] < '/'))
            lo = mid + 1;
        else
            hi = mid;
    }
    for (i = lo; i < x->n; i++) {
        const char *key = x->keys[i];

        if (plen > 0 && (strncmp(key, dir, plen) != 0 || key[plen] != '/'))
            break;
        if (json_array_append_new(arr, json_string(plen > 0 ? key + plen + 1
                                                            : key)))
            goto nomem;
    }
    return arr;
nomem:
    json_decref(arr);
    return NULL;
}

/* See secrets.h. */
int sim_secret_delete(struct sim *s, const char *path)
{
    json_t *st = sec_store(s);

    if (!st)
        return ERR_NOMEM;
    if (!path || json_object_del(st, path) != 0)
        return ERR_NOTFOUND;
    sim_state_touch(s, "secrets", SEC_STORE, path);
    return 0;
}

/* GET .../<path>?list=true: the paths below @path ("" = whole store),
 * relative to it, sorted. */
static void secret_list(struct sim *s, struct sim_resp *resp,
                        const char *path)
{
    json_t *arr = sim_secret_list(s, path);

    if (!arr) {
        sec_nomem(resp);
        return;
    }
    if (path[0] && json_array_size(arr) == 0) {
        json_decref(arr);
        sec_err(resp, 404, "ERR_NOT_FOUND", "No secrets below `%s`.", path);
        return;
    }
    sec_ok(resp, json_pack("{s:o}", "array", arr));
}

/* GET of one secret: {"value"[, "author", "description", "labels",
 * "created"]}. */
static json_t *secret_view(json_t *rec)
{
    static const char *const fields[] = {"author", "created", "description",
                                         "labels", "value"};
    json_t *o = json_object();
    size_t i;

    for (i = 0; o && i < sizeof(fields) / sizeof(fields[0]); i++) {
        json_t *v = json_object_get(rec, fields[i]);

        if (v && json_object_set(o, fields[i], v)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

/* /secrets/v1/secret/<store>[/<path>] */
static void secret_route(struct sim *s, const struct sim_req *req,
                         struct sim_resp *resp, const char *rest)
{
    const char *slash = strchr(rest, '/');
    char *store = NULL, *path = NULL, *list = NULL;
    json_t *st, *rec, *body = NULL;
    int listing;
    size_t n;

    store = slash ? strndup(rest, (size_t)(slash - rest)) : strdup(rest);
    path = util_percent_decode(slash ? slash + 1 : "");
    list = sim_query_get(req, "list");
    if (!store || !path) {
        sec_err(resp, 400, "ERR_INVALID_PATH",
                "The secret path is not validly percent-encoded.");
        goto out;
    }
    if (strcmp(store, SEC_STORE) != 0) {
        sec_err(resp, 404, "ERR_STORE_NOT_FOUND", "Store not found.");
        goto out;
    }
    listing = list && strcmp(list, "true") == 0;
    n = strlen(path);
    if (listing && n > 0 && path[n - 1] == '/')
        path[--n] = '\0';
    if ((!listing || n > 0) && !path_valid(path)) {
        sec_err(resp, 400, "ERR_INVALID_PATH",
                "Invalid secret path: segments must be non-empty and must "
                "not be `.` or `..`.");
        goto out;
    }
    if (listing) {
        if (!is_method(req, "GET")) {
            sec_err(resp, 400, "ERR_INVALID_REQUEST",
                    "`list` is only valid with GET.");
        } else if (!sec_allowed(s, req->uid, SEC_LIST_RID, path, "read")) {
            forbidden(resp, path);
        } else if (!sim_accept_ok(req->accept, "application/json")) {
            sec_err(resp, 400, "ERR_UNSUPPORTED_ACCEPT",
                    "Unsupported Accept header: expected application/json.");
        } else {
            secret_list(s, resp, path);
        }
        goto out;
    }

    st = sec_store(s);
    if (!st) {
        sec_nomem(resp);
        goto out;
    }
    rec = json_object_get(st, path);
    if (is_method(req, "GET")) {
        if (!sec_allowed(s, req->uid, SEC_RID, path, "read"))
            forbidden(resp, path);
        else if (!sim_accept_ok(req->accept, "application/json"))
            sec_err(resp, 400, "ERR_UNSUPPORTED_ACCEPT",
                    "Unsupported Accept header: expected application/json.");
        else if (!rec)
            sec_err(resp, 404, "ERR_NOT_FOUND", "Secret `%s` not found.",
                    path);
        else
            sec_ok(resp, secret_view(rec));
    } else if (is_method(req, "PUT")) {
        if (!sec_allowed(s, req->uid, SEC_RID, path, "create")) {
            forbidden(resp, path);
        } else if ((body = secret_body(req, resp)) == NULL) {
            /* answered */
        } else if (!json_is_string(json_object_get(body, "value"))) {
            sec_err(resp, 400, "ERR_INVALID_JSON",
                    "The secret has no string `value`.");
        } else if (rec) {
            sec_err(resp, 409, "ERR_ALREADY_EXISTS",
                    "Secret `%s` already exists.", path);
        } else {
            rec = secret_record();
            if (!rec || secret_apply(rec, body) ||
                json_object_set(st, path, rec)) {
                json_decref(rec);
                sec_nomem(resp);
            } else {
                json_decref(rec);
                sim_state_touch(s, "secrets", SEC_STORE, path);
                sim_resp_empty(resp, 201);
            }
        }
    } else if (is_method(req, "PATCH")) {
        if (!sec_allowed(s, req->uid, SEC_RID, path, "update")) {
            forbidden(resp, path);
        } else if ((body = secret_body(req, resp)) == NULL) {
            /* answered */
        } else if (!rec) {
            sec_err(resp, 404, "ERR_NOT_FOUND", "Secret `%s` not found.",
                    path);
        } else if (secret_apply(rec, body)) {
            sec_nomem(resp);
        } else {
            sim_state_touch(s, "secrets", SEC_STORE, path);
            sim_resp_empty(resp, 204);
        }
    } else if (is_method(req, "DELETE")) {
        if (!sec_allowed(s, req->uid, SEC_RID, path, "delete")) {
            forbidden(resp, path);
        } else if (!rec) {
            sec_err(resp, 404, "ERR_NOT_FOUND", "Secret `%s` not found.",
                    path);
        } else {
            json_object_del(st, path);
            sim_state_touch(s, "secrets", SEC_STORE, path);
            sim_resp_empty(resp, 204);
        }
    } else {
        sim_resp_empty(resp, 405);
        sim_resp_header(resp, "Allow", "GET, PUT, PATCH, DELETE");
    }
out:
    json_decref(body);
    free(store);
    free(path);
    free(list);
}

static json_t *backend_json(void)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:b}", "name", SEC_STORE,
                     "description", "DC/OS Secret Store", "driver", "vault",
                     "initialized", 1, "sealed", 0);
}

/* Backend endpoints (store, seal-status, init): superuser only. */
static void backend_route(struct sim *s, const struct sim_req *req,
                          struct sim_resp *resp, const char *rest)
{
    const char *name = strchr(rest, '/');

    if (!sim_iam_allowed(s, req->uid, "dcos:superuser", "full")) {
        sec_err(resp, 403, "ERR_FORBIDDEN",
                "Forbidden: the store API needs superuser.");
        return;
    }
    if (!is_method(req, "GET")) {
        sim_resp_empty(resp, 405);
        sim_resp_header(resp, "Allow", "GET");
        return;
    }
    if (strcmp(rest, "store") == 0 || strcmp(rest, "store/") == 0) {
        sec_ok(resp, json_pack("{s:[o*]}", "array", backend_json()));
        return;
    }
    if (!name || strcmp(name + 1, SEC_STORE) != 0) {
        sec_err(resp, 404, "ERR_STORE_NOT_FOUND", "Store not found.");
        return;
    }
    if (strncmp(rest, "store/", 6) == 0)
        sec_ok(resp, backend_json());
    else if (strncmp(rest, "seal-status/", 12) == 0)
        sec_ok(resp, json_pack("{s:b, s:i, s:i, s:i}", "sealed", 0, "shares",
                               1, "threshold", 1, "progress", 0));
    else
        sec_ok(resp, json_pack("{s:b}", "initialized", 1));
}

/* Every route below /secrets/v1/ (token required). */
static void secrets_handle(struct sim *s, const struct sim_req *req,
                           struct sim_resp *resp)
{
    const char *rest = req->path + strlen(SEC_BASE);

    if (strncmp(req->path, SEC_BASE, strlen(SEC_BASE)) != 0 || !req->uid) {
        sec_err(resp, 404, "ERR_NOT_FOUND", "Not found.");
        return;
    }
    if (strcmp(rest, "ping") == 0) {
        if (is_method(req, "GET"))
            sim_resp_raw(resp, 200, "text/plain", "pong", 4);
        else
            sim_resp_empty(resp, 405);
    } else if (strncmp(rest, "secret/", 7) == 0) {
        secret_route(s, req, resp, rest + 7);
    } else if (strcmp(rest, "store") == 0 ||
               strncmp(rest, "store/", 6) == 0 ||
               (strncmp(rest, "seal-status/", 12) == 0 &&
                !strchr(rest + 12, '/')) ||
               (strncmp(rest, "init/", 5) == 0 && !strchr(rest + 5, '/'))) {
        backend_route(s, req, resp, rest);
    } else {
        sec_err(resp, 404, "ERR_NOT_FOUND", "Not found.");
    }
}

/* See secrets.h. */
const char *sim_secret_value(struct sim *s, const char *path)
{
    json_t *store = json_object_get(sim_state_section(s, "secrets"),
                                    SEC_STORE);

    if (!path)
        return NULL;
    return json_string_value(
        json_object_get(json_object_get(store, path), "value"));
}

/* See secrets.h. */
int sim_secret_put(struct sim *s, const char *path, const char *value)
{
    json_t *st, *rec;

    if (!path || !value || !path_valid(path))
        return ERR_INVALID;
    st = sec_store(s);
    if (!st)
        return ERR_NOMEM;
    rec = json_object_get(st, path);
    if (!rec) {
        rec = secret_record();
        if (!rec || json_object_set_new(st, path, rec))
            return ERR_NOMEM;
    }
    if (json_object_set_new(rec, "value", json_string(value)))
        return ERR_INVALID; /* not UTF-8 */
    sim_state_touch(s, "secrets", SEC_STORE, path);
    return 0;
}

static const struct sim_route secrets_routes[] = {
    {"*", SEC_BASE, false, SIM_AUTH_TOKEN, secrets_handle},
};

const struct sim_module sim_secrets_module = {
    .name = "secrets",
    .routes = secrets_routes,
    .n_routes = sizeof(secrets_routes) / sizeof(secrets_routes[0]),
};
