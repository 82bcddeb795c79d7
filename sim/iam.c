/*
 * dcos-sim IAM module (/acs/api/v1): regular users and service accounts,
 * groups and memberships, ACLs and grants, and login with a password or a
 * service-login JWT.  Status codes, error codes and bodies follow
 * dcos-api.md sections 3 to 5 and the open-source IAM (dcos/bouncer); see
 * docs/sim.md for what is modelled and what is not.
 *
 * State (sim_state_section(s, "iam")):
 *   users:  uid -> {description, is_service, provider_type, provider_id,
 *                   public_key (service accounts) |
 *                   password {alg, iter, salt, hash} (regular users)}
 *   groups: gid -> {description, provider_type, members {uid: true}}
 *   acls:   rid -> {description, users {uid: {action: true}},
 *                   groups {gid: {action: true}}}
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "common/err.h"
#include "common/secret.h"
#include "common/util.h"
#include "sim/core.h"
#include "sim/http.h"
#include "sim/iam.h"
#include "sim/server.h"
#include "sim/state.h"
#include "sim/token.h"

#define IAM_BASE "/acs/api/v1"
#define IAM_CTYPE "application/json; charset=utf-8"
#define IAM_ID_MAX 96          /* uid and gid length limit */
#define IAM_RID_MAX 512        /* resource id length limit */
#define IAM_PW_MIN 5           /* bouncer crypt.validate_password */
#define IAM_PBKDF2_ITER 10000
#define IAM_SALT_LEN 16
#define IAM_HASH_LEN 32
#define IAM_MAX_SEGS 8
#define IAM_SUPERUSER_RID "dcos:superuser"
#define IAM_SUPERUSER_GID "superusers"
#define IAM_ACS_RID "dcos:adminrouter:acs"

static const char *const iam_actions[] = {"create", "read", "update",
                                          "delete", "full"};
#define IAM_N_ACTIONS (sizeof(iam_actions) / sizeof(iam_actions[0]))

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
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

/* Cleanse the characters of a jansson string that held a secret. */
static void json_wipe_string(json_t *j)
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

static void iam_err(struct sim_resp *r, int status, const char *code,
                    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * IAM (Falcon) error body {"title","description"[,"code"]} with the IAM's
 * media type.  @code NULL omits the member.
 */
static void iam_err(struct sim_resp *r, int status, const char *code,
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

static void iam_nomem(struct sim_resp *r)
{
    iam_err(r, 500, NULL, "Out of memory.");
}

/* Send @o (steals; NULL = out of memory) as a 200 IAM answer. */
static void iam_ok(struct sim_resp *r, json_t *o)
{
    if (!o) {
        iam_nomem(r);
        return;
    }
    sim_resp_json(r, 200, o, IAM_CTYPE);
}

static void iam_method_not_allowed(struct sim_resp *r, const char *allow)
{
    sim_resp_empty(r, 405);
    sim_resp_header(r, "Allow", allow);
}

static void iam_not_found(struct sim_resp *r)
{
    iam_err(r, 404, NULL, "The requested resource could not be found.");
}

static int is_method(const struct sim_req *req, const char *m)
{
    return strcmp(req->method, m) == 0;
}

/* 1 for a GET; else answers 405 (Allow: GET) and returns 0. */
static int only_get(const struct sim_req *req, struct sim_resp *resp)
{
    if (is_method(req, "GET"))
        return 1;
    iam_method_not_allowed(resp, "GET");
    return 0;
}

/* Member @name of @o as an object, created empty when missing. */
static json_t *obj_child(json_t *o, const char *name)
{
    json_t *c = json_object_get(o, name);

    if (!json_is_object(c)) {
        c = json_object();
        if (!c || json_object_set_new(o, name, c))
            return NULL;
    }
    return c;
}

/* The members of the "iam" section (created empty when missing). */
static json_t *iam_table(struct sim *s, const char *name)
{
    return obj_child(sim_state_section(s, "iam"), name);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The keys of object @o sorted (a new array of borrowed pointers, valid
 * while @o is unchanged; free the array only).  *@n gets the count.
 */
static const char **sorted_keys(json_t *o, size_t *n)
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

/* What a listing is about: the uid or gid, ?type=service, or the view
 * of each entry when that is all there is to it. */
struct list_ctx {
    struct sim *s;
    const char *id;
    int svc;
    json_t *(*view)(const char *key, json_t *v);
};

/* Append to @arr the element for key @key (value @v) of a listed object,
 * or nothing to leave the key out.  0, or -1 when out of memory. */
typedef int (*list_elem_fn)(json_t *arr, const char *key, json_t *v,
                            const struct list_ctx *c);

/* Answer 200 {"array":[...]} with @fn's elements for the keys of @o in
 * sorted order. */
static void iam_list(struct sim_resp *resp, json_t *o, list_elem_fn fn,
                     const struct list_ctx *c)
{
    json_t *arr = json_array();
    size_t i, n;
    const char **k = sorted_keys(o, &n);

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

/* A list_elem_fn: c->view of the entry. */
static int view_elem(json_t *arr, const char *key, json_t *v,
                     const struct list_ctx *c)
{
    return json_array_append_new(arr, c->view(key, v));
}

/* GET /groups and GET /acls: @view of every entry of IAM table @name. */
static void table_list(struct sim *s, struct sim_resp *resp, const char *name,
                       json_t *(*view)(const char *key, json_t *v))
{
    struct list_ctx c = { s, NULL, 0, view };

    iam_list(resp, iam_table(s, name), view_elem, &c);
}

/*
 * IAM table @name when it has no entry @id yet; else NULL after answering
 * 409 @code ("@what `@id` already exists.") or 500.
 */
static json_t *iam_vacant(struct sim *s, struct sim_resp *resp,
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

/* Add @v (stolen; NULL: out of memory) to @t as entry @id and answer 201. */
static void iam_created(struct sim *s, struct sim_resp *resp, json_t *t,
                        const char *id, json_t *v)
{
    if (!v || json_object_set_new(t, id, v)) {
        iam_nomem(resp);
        return;
    }
    sim_state_dirty(s);
    sim_resp_empty(resp, 201);
}

/* 1 when @id is a valid uid (bouncer models/user.py) or gid. */
static int id_valid(const char *id)
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

/* 1 when @rid is a plausible resource id: printable ASCII without space,
 * '%', '?', '#', '"' and '\'. */
static int rid_valid(const char *rid)
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

static int action_valid(const char *a)
{
    size_t i;

    for (i = 0; i < IAM_N_ACTIONS; i++)
        if (strcmp(a, iam_actions[i]) == 0)
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* URLs (bouncer urlbuild.py)                                          */
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

static json_t *url_json(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* A JSON string built from @fmt (NULL on ENOMEM). */
static json_t *url_json(const char *fmt, ...)
{
    char buf[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return json_str_safe(buf);
}

static json_t *acl_url(const char *rid)
{
    char *e = rid_url_encode(rid);
    json_t *j = e ? url_json(IAM_BASE "/acls/%s", e) : NULL;

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
                  url_json(IAM_BASE "/acls/%s/%s/%s/%s", e, kind, id,
                           action));
    free(e);
    return o;
}

/* The actions held in @acts ({action: true}) as an array of action
 * objects, in canonical order. */
static json_t *actions_json(const char *rid, const char *kind, const char *id,
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
/* Object views                                                        */
/* ------------------------------------------------------------------ */

static json_t *user_json(const char *uid, json_t *u)
{
    json_t *o;
    int svc = json_is_true(json_object_get(u, "is_service"));
    const char *pid = json_string_value(json_object_get(u, "provider_id"));
    const char *pt = json_string_value(json_object_get(u, "provider_type"));

    o = json_pack("{s:s, s:o*, s:s, s:b, s:b, s:s, s:s}", "uid", uid, "url",
                  url_json(IAM_BASE "/users/%s", uid), "description",
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

static json_t *group_json(const char *gid, json_t *g)
{
    const char *d = json_string_value(json_object_get(g, "description"));
    const char *pt = json_string_value(json_object_get(g, "provider_type"));

    return json_pack("{s:s, s:o*, s:s, s:s}", "gid", gid, "url",
                     url_json(IAM_BASE "/groups/%s", gid), "description",
                     d ? d : "", "provider_type", pt ? pt : "internal");
}

static json_t *acl_json(const char *rid, json_t *acl)
{
    const char *d = json_string_value(json_object_get(acl, "description"));

    return json_pack("{s:s, s:o*, s:s}", "rid", rid, "url", acl_url(rid),
                     "description", d ? d : "");
}

static json_t *membership_url(const char *gid, const char *uid)
{
    return url_json(IAM_BASE "/groups/%s/users/%s", gid, uid);
}

/* ------------------------------------------------------------------ */
/* Authorization                                                       */
/* ------------------------------------------------------------------ */

static int grants_action(json_t *acts, const char *action)
{
    return json_object_get(acts, action) || json_object_get(acts, "full");
}

/* 1 when a grant on @grant applies to @rid: equal, or @grant ends in "/" "*"
 * and @rid lies below it. */
static int rid_covers(const char *grant, const char *rid)
{
    size_t n = strlen(grant);

    if (strcmp(grant, rid) == 0)
        return 1;
    return n >= 2 && grant[n - 2] == '/' && grant[n - 1] == '*' &&
           strncmp(grant, rid, n - 1) == 0 && rid[n - 1] != '\0';
}

/* 1 when subject @id of @kind holds @action on @rid (directly). */
static int subject_holds(struct sim *s, const char *kind, const char *id,
                         const char *rid, const char *action)
{
    json_t *acls = iam_table(s, "acls"), *acl;
    const char *grid;

    json_object_foreach(acls, grid, acl) {
        if (!rid_covers(grid, rid))
            continue;
        if (grants_action(json_object_get(json_object_get(acl, kind), id),
                          action))
            return 1;
    }
    return 0;
}

static int is_member(struct sim *s, const char *gid, const char *uid)
{
    json_t *g = json_object_get(iam_table(s, "groups"), gid);

    return json_object_get(json_object_get(g, "members"), uid) != NULL;
}

/* 1 when @uid holds @action on @rid directly or through a group. */
static int user_holds(struct sim *s, const char *uid, const char *rid,
                      const char *action)
{
    json_t *groups = iam_table(s, "groups"), *g;
    const char *gid;

    if (subject_holds(s, "users", uid, rid, action))
        return 1;
    json_object_foreach(groups, gid, g) {
        if (json_object_get(json_object_get(g, "members"), uid) &&
            subject_holds(s, "groups", gid, rid, action))
            return 1;
    }
    return 0;
}

static int is_superuser(struct sim *s, const char *uid)
{
    return user_holds(s, uid, IAM_SUPERUSER_RID, "full");
}

static int group_allowed(struct sim *s, const char *gid, const char *rid,
                         const char *action)
{
    return subject_holds(s, "groups", gid, IAM_SUPERUSER_RID, "full") ||
           subject_holds(s, "groups", gid, rid, action);
}

/* The number of regular (non-service) superusers other than @except
 * (NULL = none excepted). */
static size_t regular_superusers(struct sim *s, const char *except)
{
    json_t *users = iam_table(s, "users"), *u;
    const char *uid;
    size_t n = 0;

    json_object_foreach(users, uid, u) {
        if (json_is_true(json_object_get(u, "is_service")))
            continue;
        if (except && strcmp(uid, except) == 0)
            continue;
        n += (size_t)is_superuser(s, uid);
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* Request bodies (bouncer RequestMiddleware + gen_jsonvalidator)      */
/* ------------------------------------------------------------------ */

enum prop_type { PT_STRING, PT_ANY };

struct prop {
    const char *name;
    enum prop_type type;
    bool required;
};

/*
 * The JSON object body of @req (new), or NULL after an error answer was
 * set on @resp.
 */
static json_t *iam_body(const struct sim_req *req, struct sim_resp *resp)
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
    v = json_loadb(req->body, req->body_len, 0, &jerr);
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

/* Validate @o against @props (additionalProperties false unless
 * @open).  Returns 0, or -1 after setting @resp. */
static int check_props(json_t *o, const struct prop *props, size_t n,
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
        if (props[i].type == PT_STRING && !json_is_string(v)) {
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

static const char *str_member(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

/* ------------------------------------------------------------------ */
/* Credentials                                                         */
/* ------------------------------------------------------------------ */

/*
 * Check that @pem is one RSA public key in X.509 SubjectPublicKeyInfo PEM
 * form.  Returns 0, or -1 with *@why set to a static reason.
 */
static int pubkey_check(const char *pem, const char **why)
{
    static const char begin[] = "-----BEGIN PUBLIC KEY-----";
    const char *p = pem;
    EVP_PKEY *pk = NULL;
    BIO *b = NULL;
    char rest[64];
    int r = -1, k;
    size_t i;

    for (i = 0; pem[i]; i++) {
        if ((unsigned char)pem[i] >= 0x80) {
            *why = "the key must be ASCII text";
            return -1;
        }
    }
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    if (strncmp(p, begin, sizeof(begin) - 1) != 0) {
        *why = "expected an X.509 SubjectPublicKeyInfo PEM block "
               "(-----BEGIN PUBLIC KEY-----)";
        return -1;
    }
    b = BIO_new_mem_buf(p, -1);
    if (!b) {
        *why = "out of memory";
        return -1;
    }
    pk = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
    if (!pk) {
        *why = "Could not deserialize key data.";
        goto out;
    }
    if (!EVP_PKEY_is_a(pk, "RSA")) {
        *why = "Key must be of type RSA";
        goto out;
    }
    while ((k = BIO_read(b, rest, (int)sizeof(rest))) > 0) {
        for (i = 0; i < (size_t)k; i++) {
            if (rest[i] != ' ' && rest[i] != '\n' && rest[i] != '\r' &&
                rest[i] != '\t') {
                *why = "unexpected data after the PEM block";
                goto out;
            }
        }
    }
    r = 0;
out:
    EVP_PKEY_free(pk);
    BIO_free(b);
    ERR_clear_error();
    return r;
}

/* A salted PBKDF2-HMAC-SHA256 record of @pw (new object) or NULL. */
static json_t *password_record(const char *pw)
{
    unsigned char salt[IAM_SALT_LEN], hash[IAM_HASH_LEN];
    char *s64 = NULL, *h64 = NULL;
    json_t *o = NULL;

    if (RAND_bytes(salt, sizeof(salt)) != 1)
        goto out;
    if (PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, sizeof(salt),
                          IAM_PBKDF2_ITER, EVP_sha256(), sizeof(hash),
                          hash) != 1)
        goto out;
    s64 = util_b64_encode(salt, sizeof(salt));
    h64 = util_b64_encode(hash, sizeof(hash));
    if (!s64 || !h64)
        goto out;
    o = json_pack("{s:s, s:i, s:s, s:s}", "alg", "pbkdf2-sha256", "iter",
                  IAM_PBKDF2_ITER, "salt", s64, "hash", h64);
out:
    OPENSSL_cleanse(hash, sizeof(hash));
    free(s64);
    free(h64);
    ERR_clear_error();
    return o;
}

/* 1 when @pw matches the stored record @rec. */
static int password_verify(json_t *rec, const char *pw)
{
    unsigned char *salt = NULL, *want = NULL;
    unsigned char got[IAM_HASH_LEN];
    size_t slen = 0, wlen = 0;
    json_int_t iter = json_integer_value(json_object_get(rec, "iter"));
    int ok = 0;

    if (!json_is_object(rec) || iter <= 0 || iter > 10000000)
        return 0;
    salt = util_b64_decode(str_member(rec, "salt") ? str_member(rec, "salt")
                                                   : "",
                           &slen);
    want = util_b64_decode(str_member(rec, "hash") ? str_member(rec, "hash")
                                                   : "",
                           &wlen);
    if (!salt || !want || wlen != sizeof(got))
        goto out;
    if (PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, (int)slen, (int)iter,
                          EVP_sha256(), sizeof(got), got) != 1)
        goto out;
    ok = CRYPTO_memcmp(got, want, sizeof(got)) == 0;
out:
    OPENSSL_cleanse(got, sizeof(got));
    free(salt);
    free(want);
    ERR_clear_error();
    return ok;
}

/* Decode the base64url JWT part [@p, @p + @n) into a new buffer. */
static unsigned char *jwt_part(const char *p, size_t n, size_t *len)
{
    char *c = malloc(n + 1);
    unsigned char *d;

    if (!c)
        return NULL;
    memcpy(c, p, n);
    c[n] = '\0';
    d = util_b64url_decode(c, len);
    free(c);
    return d;
}

/* Parse a base64url JWT part as a JSON object (new) or NULL. */
static json_t *jwt_json(const char *p, size_t n)
{
    unsigned char *d;
    size_t len = 0;
    json_t *j;

    d = jwt_part(p, n, &len);
    if (!d)
        return NULL;
    j = json_loadb((const char *)d, len, 0, NULL);
    free(d);
    if (j && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/*
 * Verify the service-login JWT @jwt: RS256 (RSASSA-PKCS1-v1_5 over SHA-256)
 * with the public key @pem, a "uid" claim equal to @uid, a numeric "exp"
 * claim not in the past, and a "nbf" (when present) not in the future.
 * Returns 1 when valid.
 */
static int jwt_valid(const char *jwt, const char *pem, const char *uid)
{
    const char *d1 = strchr(jwt, '.'), *d2;
    json_t *hdr = NULL, *claims = NULL, *exp, *nbf;
    unsigned char *sig = NULL;
    size_t siglen = 0;
    EVP_PKEY *pk = NULL;
    EVP_MD_CTX *ctx = NULL;
    BIO *b = NULL;
    double now = util_now_wall();
    int ok = 0;

    if (!d1 || !pem)
        return 0;
    d2 = strchr(d1 + 1, '.');
    if (!d2 || strchr(d2 + 1, '.'))
        return 0;
    hdr = jwt_json(jwt, (size_t)(d1 - jwt));
    claims = jwt_json(d1 + 1, (size_t)(d2 - d1 - 1));
    sig = jwt_part(d2 + 1, strlen(d2 + 1), &siglen);
    if (!hdr || !claims || !sig || siglen == 0)
        goto out;
    if (!str_member(hdr, "alg") || strcmp(str_member(hdr, "alg"), "RS256"))
        goto out;
    b = BIO_new_mem_buf(pem, -1);
    if (!b)
        goto out;
    pk = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
    ctx = EVP_MD_CTX_new();
    if (!pk || !ctx || !EVP_PKEY_is_a(pk, "RSA"))
        goto out;
    if (EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pk) != 1)
        goto out;
    if (EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)jwt,
                         (size_t)(d2 - jwt)) != 1)
        goto out;
    if (!str_member(claims, "uid") || strcmp(str_member(claims, "uid"), uid))
        goto out;
    exp = json_object_get(claims, "exp");
    if (!json_is_number(exp) || json_number_value(exp) < now)
        goto out;
    nbf = json_object_get(claims, "nbf");
    if (nbf && (!json_is_number(nbf) || json_number_value(nbf) > now))
        goto out;
    ok = 1;
out:
    json_decref(hdr);
    json_decref(claims);
    free(sig);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pk);
    BIO_free(b);
    ERR_clear_error();
    return ok;
}

/* ------------------------------------------------------------------ */
/* /auth                                                               */
/* ------------------------------------------------------------------ */

static void login_denied(struct sim_resp *resp)
{
    iam_err(resp, 401, "ERR_INVALID_CREDENTIALS", "Invalid credentials.");
    sim_resp_header(resp, "WWW-Authenticate", "acsjwt");
}

/* 200 {"token"} with the auth and info cookies. */
static void login_ok(struct sim *s, struct sim_resp *resp, const char *uid,
                     json_t *u)
{
    char *tok = sim_token_issue(s, uid);
    char *info = NULL, *info64 = NULL, *cookie = NULL;
    json_t *body = NULL, *ij;
    size_t clen;

    if (!tok)
        goto fail;
    ij = json_pack("{s:s, s:s, s:b}", "uid", uid, "description",
                   str_member(u, "description") ? str_member(u, "description")
                                                : "",
                   "is_remote", 0);
    info = ij ? json_dumps(ij, JSON_COMPACT) : NULL;
    json_decref(ij);
    info64 = info ? util_b64_encode(info, strlen(info)) : NULL;
    body = json_pack("{s:s}", "token", tok);
    clen = strlen(tok) + 128;
    cookie = malloc(clen);
    if (!info64 || !body || !cookie)
        goto fail;
    sim_resp_json(resp, 200, body, IAM_CTYPE);
    body = NULL;
    snprintf(cookie, clen,
             "dcos-acs-auth-cookie=%s; Max-Age=%d; Path=/; HttpOnly", tok,
             s->opt.token_ttl > 0 ? s->opt.token_ttl : 432000);
    sim_resp_header(resp, "Set-Cookie", cookie);
    OPENSSL_cleanse(cookie, strlen(cookie));
    free(cookie);
    cookie = malloc(strlen(info64) + 96);
    if (cookie) {
        sprintf(cookie, "dcos-acs-info-cookie=%s; Max-Age=%d; Path=/",
                info64, s->opt.token_ttl > 0 ? s->opt.token_ttl : 432000);
        sim_resp_header(resp, "Set-Cookie", cookie);
        free(cookie);
    }
    free(info);
    free(info64);
    secret_wipe_str(tok);
    return;
fail:
    json_decref(body);
    free(cookie);
    free(info);
    free(info64);
    secret_wipe_str(tok);
    iam_nomem(resp);
}

/* POST /auth/login (bouncer auth.py Login.on_post). */
static void iam_login(struct sim *s, const struct sim_req *req,
                      struct sim_resp *resp)
{
    static const struct prop props[] = {
        {"uid", PT_STRING, false},
        {"password", PT_STRING, false},
        {"token", PT_STRING, false},
    };
    json_t *body, *u;
    const char *uid, *pw, *tok;

    body = iam_body(req, resp);
    if (!body)
        return;
    if (check_props(body, props, 3, true, resp))
        goto out;
    uid = str_member(body, "uid");
    pw = str_member(body, "password");
    tok = str_member(body, "token");
    if ((pw != NULL) == (tok != NULL)) {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "Exactly one of `token` and `password` must be provided in "
                "the request body");
        goto out;
    }
    if (pw && !uid) {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "`uid` missing in the request body");
        goto out;
    }
    if ((pw && pw[0] == '\0') || (uid && uid[0] == '\0')) {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "`uid` and `password` must not be empty strings");
        goto out;
    }
    /* A token without uid is an OIDC ID token: not modelled. */
    u = uid ? json_object_get(iam_table(s, "users"), uid) : NULL;
    if (!u) {
        login_denied(resp);
        goto out;
    }
    if (json_is_true(json_object_get(u, "is_service"))) {
        if (!tok || !jwt_valid(tok, str_member(u, "public_key"), uid)) {
            login_denied(resp);
            goto out;
        }
    } else if (!pw || !password_verify(json_object_get(u, "password"), pw)) {
        login_denied(resp);
        goto out;
    }
    login_ok(s, resp, uid, u);
out:
    json_wipe_string(json_object_get(body, "password"));
    json_wipe_string(json_object_get(body, "token"));
    json_decref(body);
}

/* base64url of the big-endian bytes of @bn (new string) or NULL. */
static char *bn_b64url(const BIGNUM *bn)
{
    int n = BN_num_bytes(bn);
    unsigned char *b = malloc((size_t)(n > 0 ? n : 1));
    char *out = NULL;

    if (!b)
        return NULL;
    if (BN_bn2bin(bn, b) == n)
        out = util_b64url_encode(b, (size_t)n);
    free(b);
    return out;
}

/* GET /auth/jwks: the token signing key as an RFC 7517 key set, with the
 * kid computed as bouncer's crypt.gen_jwks does. */
static void iam_jwks(struct sim *s, struct sim_resp *resp)
{
    EVP_PKEY *pk = s->token_key;
    BIGNUM *n = NULL, *e = NULL;
    char *nd = NULL, *ed = NULL, *n64 = NULL, *e64 = NULL, *fp = NULL;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;
    char kid[2 * EVP_MAX_MD_SIZE + 1];
    json_t *o = NULL;

    if (!pk || EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
        EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) != 1)
        goto out;
    nd = BN_bn2dec(n);
    ed = BN_bn2dec(e);
    n64 = bn_b64url(n);
    e64 = bn_b64url(e);
    if (!nd || !ed || !n64 || !e64)
        goto out;
    fp = malloc(strlen(nd) + strlen(ed) + 4);
    if (!fp)
        goto out;
    sprintf(fp, "%s%sRSA", ed, nd);
    if (EVP_Digest(fp, strlen(fp), md, &mdlen, EVP_sha256(), NULL) != 1)
        goto out;
    for (i = 0; i < mdlen; i++)
        sprintf(kid + 2 * i, "%02x", md[i]);
    kid[2 * mdlen] = '\0';
    o = json_pack("{s:[{s:s, s:s, s:s, s:s, s:s, s:s}]}", "keys", "kid", kid,
                  "kty", "RSA", "n", n64, "e", e64, "alg", "RS256", "use",
                  "sig");
out:
    BN_free(n);
    BN_free(e);
    OPENSSL_free(nd);
    OPENSSL_free(ed);
    free(n64);
    free(e64);
    free(fp);
    ERR_clear_error();
    if (!o) {
        iam_err(resp, 500, NULL, "The token signing key is not available.");
        return;
    }
    iam_ok(resp, o);
}

/* GET /auth/providers: the two built-in login providers. */
static void iam_providers(struct sim_resp *resp)
{
    iam_ok(resp,
           json_pack("{s:{s:s, s:s, s:s, s:{s:s}}, s:{s:s, s:s, s:s, s:{s:s}}}",
                     "dcos-users", "authentication-type", "dcos-uid-password",
                     "description", "Default DC/OS login provider",
                     "client-method",
                     "dcos-usercredential-post-receive-authtoken", "config",
                     "start_flow_url", IAM_BASE "/auth/login",
                     "dcos-services", "authentication-type",
                     "dcos-uid-servicekey", "description",
                     "Default DC/OS login provider", "client-method",
                     "dcos-servicecredential-post-receive-authtoken",
                     "config", "start_flow_url", IAM_BASE "/auth/login"));
}

/* Public routes below /acs/api/v1/auth/. */
static void iam_auth_handle(struct sim *s, const struct sim_req *req,
                            struct sim_resp *resp)
{
    char *seg[IAM_MAX_SEGS];
    size_t n;

    if (!sim_accept_ok(req->accept, "application/json")) {
        iam_err(resp, 406, NULL,
                "The user agent must support application/json responses.");
        return;
    }
    n = sim_path_segments(req, IAM_BASE "/auth/", seg, IAM_MAX_SEGS);
    if (n != 1) {
        iam_not_found(resp);
    } else if (strcmp(seg[0], "login") == 0) {
        if (is_method(req, "POST"))
            iam_login(s, req, resp);
        else if (is_method(req, "GET"))
            iam_err(resp, 400, "ERR_MISSING_QUERY_PARAMETERS",
                    "Expected query parameter `oidc-provider` or "
                    "`saml-provider`.");
        else
            iam_method_not_allowed(resp, "GET, POST");
    } else if (strcmp(seg[0], "logout") == 0) {
        if (is_method(req, "GET")) {
            sim_resp_empty(resp, 200);
            sim_resp_header(resp, "Set-Cookie",
                            "dcos-acs-auth-cookie=; Expires=Sat, 01 Jan 2000 "
                            "00:00:00 GMT; Path=/; HttpOnly");
        } else {
            iam_method_not_allowed(resp, "GET");
        }
    } else if (strcmp(seg[0], "jwks") == 0) {
        if (only_get(req, resp))
            iam_jwks(s, resp);
    } else if (strcmp(seg[0], "providers") == 0) {
        if (only_get(req, resp))
            iam_providers(resp);
    } else {
        iam_not_found(resp);
    }
    sim_segments_free(seg, n);
}

/* ------------------------------------------------------------------ */
/* /users                                                              */
/* ------------------------------------------------------------------ */

static void unknown_user(struct sim_resp *resp, const char *uid)
{
    iam_err(resp, 400, "ERR_UNKNOWN_USER_ID", "User with uid `%s` not known.",
            uid);
}

static void unknown_group(struct sim_resp *resp, const char *gid)
{
    iam_err(resp, 400, "ERR_UNKNOWN_GROUP_ID",
            "Group with gid `%s` not known.", gid);
}

static void unknown_rid(struct sim_resp *resp, const char *rid)
{
    iam_err(resp, 400, "ERR_UNKNOWN_RESOURCE_ID",
            "Protected resource with rid `%s` not known.", rid);
}

/* 1 when the request asks for service accounts (?type=service). */
static int want_services(const struct sim_req *req)
{
    char *t = sim_query_get(req, "type");
    int r = t && strcmp(t, "service") == 0;

    free(t);
    return r;
}

static int user_elem(json_t *arr, const char *uid, json_t *u,
                     const struct list_ctx *c)
{
    if (json_is_true(json_object_get(u, "is_service")) != c->svc)
        return 0;
    return json_array_append_new(arr, user_json(uid, u));
}

/* GET /users[?type=service] */
static void users_list(struct sim *s, const struct sim_req *req,
                       struct sim_resp *resp)
{
    struct list_ctx c = { s, NULL, want_services(req), NULL };

    iam_list(resp, iam_table(s, "users"), user_elem, &c);
}

/* PUT /users/{uid} (bouncer users.py UserItem.on_put). */
static void user_put(struct sim *s, const struct sim_req *req,
                     struct sim_resp *resp, const char *uid)
{
    static const struct prop props[] = {
        {"description", PT_STRING, false},
        {"public_key", PT_STRING, false},
        {"password", PT_STRING, false},
        {"provider_type", PT_STRING, false},
        {"provider_id", PT_STRING, false},
        {"cluster_url", PT_STRING, false},
        {"creator_uid", PT_STRING, false},
    };
    json_t *body, *users, *u = NULL;
    const char *pw, *key, *desc, *ptype, *pid, *why = NULL;

    body = iam_body(req, resp);
    if (!body)
        return;
    if (check_props(body, props, 7, false, resp))
        goto out;
    pw = str_member(body, "password");
    key = str_member(body, "public_key");
    desc = str_member(body, "description");
    ptype = str_member(body, "provider_type");
    pid = str_member(body, "provider_id");
    if (pw && pw[0] == '\0') {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "`password` must not be empty when provided");
        goto out;
    }
    if (key && key[0] == '\0') {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "`public_key` must not be empty when provided");
        goto out;
    }
    if (ptype && strcmp(ptype, "internal") != 0) {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "Invalid provider_type: %s (dcos-sim models internal "
                "accounts only)", ptype);
        goto out;
    }
    if ((pw != NULL) == (key != NULL)) {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "One of `password` or `public_key` must be provided");
        goto out;
    }
    if (pw && strlen(pw) < IAM_PW_MIN) {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "Password does not match rules: Must be at least %d "
                "characters long.", IAM_PW_MIN);
        goto out;
    }
    if (key && pubkey_check(key, &why)) {
        iam_err(resp, 400, "ERR_INVALID_PUBLIC_KEY", "Invalid public key: %s",
                why);
        goto out;
    }
    if (pid && pid[0] != '\0') {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "Invalid provider_id: provider_id must not be provided "
                "unless provider_type is saml or oidc");
        goto out;
    }
    if (!id_valid(uid)) {
        iam_err(resp, 400, "ERR_INVALID_USER_ID", "Invalid user ID: %s", uid);
        goto out;
    }
    users = iam_vacant(s, resp, "users", uid, "ERR_USER_EXISTS",
                       "User with id");
    if (!users)
        goto out;
    u = json_pack("{s:s, s:b, s:s, s:s}", "description", desc ? desc : "",
                  "is_service", key != NULL, "provider_type", "internal",
                  "provider_id", "");
    if (u && (key ? json_object_set_new(u, "public_key", json_string(key))
                  : json_object_set_new(u, "password", password_record(pw)))) {
        json_decref(u);
        u = NULL;
    }
    iam_created(s, resp, users, uid, u);
out:
    json_wipe_string(json_object_get(body, "password"));
    json_decref(body);
}

/* PATCH /users/{uid}: description, and password for regular users. */
static void user_patch(struct sim *s, const struct sim_req *req,
                       struct sim_resp *resp, const char *uid)
{
    static const struct prop props[] = {
        {"description", PT_STRING, false},
        {"password", PT_STRING, false},
    };
    json_t *body, *u, *rec = NULL;
    const char *pw, *desc;

    body = iam_body(req, resp);
    if (!body)
        return;
    if (check_props(body, props, 2, false, resp))
        goto out;
    pw = str_member(body, "password");
    desc = str_member(body, "description");
    if (!pw && !desc) {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "One of `description` and `password` must be provided.");
        goto out;
    }
    u = json_object_get(iam_table(s, "users"), uid);
    if (!u) {
        unknown_user(resp, uid);
        goto out;
    }
    if (pw) {
        if (json_is_true(json_object_get(u, "is_service"))) {
            iam_err(resp, 400, "ERR_INVALID_DATA",
                    "Password update is not available for service user "
                    "accounts.");
            goto out;
        }
        if (strlen(pw) < IAM_PW_MIN) {
            iam_err(resp, 400, "ERR_INVALID_DATA",
                    "Password does not match rules: Must be at least %d "
                    "characters long.", IAM_PW_MIN);
            goto out;
        }
        rec = password_record(pw);
        if (!rec || json_object_set_new(u, "password", rec)) {
            iam_nomem(resp);
            goto out;
        }
    }
    if (desc && json_object_set_new(u, "description", json_string(desc))) {
        iam_nomem(resp);
        goto out;
    }
    sim_state_dirty(s);
    sim_resp_empty(resp, 204);
out:
    json_wipe_string(json_object_get(body, "password"));
    json_decref(body);
}

/* Remove every membership and grant of subject @id of @kind. */
static void forget_subject(struct sim *s, const char *kind, const char *id)
{
    json_t *acls = iam_table(s, "acls"), *acl, *groups, *g;
    const char *rid, *gid;

    json_object_foreach(acls, rid, acl)
        json_object_del(json_object_get(acl, kind), id);
    if (strcmp(kind, "users") != 0)
        return;
    groups = iam_table(s, "groups");
    json_object_foreach(groups, gid, g)
        json_object_del(json_object_get(g, "members"), id);
}

/* DELETE /users/{uid} */
static void user_delete(struct sim *s, struct sim_resp *resp,
                        const char *uid)
{
    json_t *users = iam_table(s, "users");
    json_t *u = json_object_get(users, uid);

    if (!u) {
        unknown_user(resp, uid);
        return;
    }
    if (!json_is_true(json_object_get(u, "is_service")) &&
        is_superuser(s, uid) && regular_superusers(s, uid) == 0) {
        iam_err(resp, 400, "ERR_NO_MORE_SUPERUSERS",
                "Last member from `superusers` group cannot be removed");
        return;
    }
    forget_subject(s, "users", uid);
    json_object_del(users, uid);
    sim_state_dirty(s);
    sim_resp_empty(resp, 204);
}

static int group_of_elem(json_t *arr, const char *gid, json_t *g,
                         const struct list_ctx *c)
{
    if (!json_object_get(json_object_get(g, "members"), c->id))
        return 0;
    return json_array_append_new(arr, json_pack("{s:o*, s:o*}",
                                                "membershipurl",
                                                membership_url(gid, c->id),
                                                "group", group_json(gid, g)));
}

/* GET /users/{uid}/groups */
static void user_groups(struct sim *s, struct sim_resp *resp,
                        const char *uid)
{
    struct list_ctx c = { s, uid, 0, NULL };

    if (!json_object_get(iam_table(s, "users"), uid)) {
        unknown_user(resp, uid);
        return;
    }
    iam_list(resp, iam_table(s, "groups"), group_of_elem, &c);
}

/* GET /users/{uid}/permissions */
static void user_permissions(struct sim *s, struct sim_resp *resp,
                             const char *uid)
{
    json_t *acls = iam_table(s, "acls"), *direct, *via;
    const char **rids = NULL, **gids = NULL;
    size_t i, j, nr, ng;
    int bad = 0;

    if (!json_object_get(iam_table(s, "users"), uid)) {
        unknown_user(resp, uid);
        return;
    }
    direct = json_array();
    via = json_array();
    rids = sorted_keys(acls, &nr);
    if (!direct || !via || !rids)
        bad = 1;
    for (i = 0; !bad && i < nr; i++) {
        json_t *acl = json_object_get(acls, rids[i]);
        json_t *acts = json_object_get(json_object_get(acl, "users"), uid);
        json_t *gr = json_object_get(acl, "groups");
        const char *d = str_member(acl, "description");

        if (json_object_size(acts) > 0 &&
            json_array_append_new(direct,
                                  json_pack("{s:s, s:s, s:o*, s:o*}", "rid",
                                            rids[i], "description",
                                            d ? d : "", "aclurl",
                                            acl_url(rids[i]), "actions",
                                            actions_json(rids[i], "users",
                                                         uid, acts))))
            bad = 1;
        gids = sorted_keys(gr, &ng);
        if (!gids)
            bad = 1;
        for (j = 0; !bad && j < ng; j++) {
            json_t *ga = json_object_get(gr, gids[j]);

            if (!is_member(s, gids[j], uid) || json_object_size(ga) == 0)
                continue;
            if (json_array_append_new(
                    via, json_pack("{s:s, s:s, s:s, s:o*, s:o*, s:o*}", "rid",
                                   rids[i], "gid", gids[j], "description",
                                   d ? d : "", "aclurl", acl_url(rids[i]),
                                   "membershipurl",
                                   membership_url(gids[j], uid), "actions",
                                   actions_json(rids[i], "groups", gids[j],
                                                ga))))
                bad = 1;
        }
        free(gids);
        gids = NULL;
    }
    free(rids);
    if (bad) {
        json_decref(direct);
        json_decref(via);
        iam_nomem(resp);
        return;
    }
    iam_ok(resp, json_pack("{s:o, s:o}", "direct", direct, "groups", via));
}

static void users_route(struct sim *s, const struct sim_req *req,
                        struct sim_resp *resp, char **seg, size_t n)
{
    if (n == 0) {
        if (only_get(req, resp))
            users_list(s, req, resp);
    } else if (n == 1) {
        if (is_method(req, "GET")) {
            json_t *u = json_object_get(iam_table(s, "users"), seg[0]);

            if (u)
                iam_ok(resp, user_json(seg[0], u));
            else
                unknown_user(resp, seg[0]);
        } else if (is_method(req, "PUT")) {
            user_put(s, req, resp, seg[0]);
        } else if (is_method(req, "PATCH")) {
            user_patch(s, req, resp, seg[0]);
        } else if (is_method(req, "DELETE")) {
            user_delete(s, resp, seg[0]);
        } else {
            iam_method_not_allowed(resp, "GET, PUT, PATCH, DELETE");
        }
    } else if (n == 2 && strcmp(seg[1], "groups") == 0) {
        if (only_get(req, resp))
            user_groups(s, resp, seg[0]);
    } else if (n == 2 && strcmp(seg[1], "permissions") == 0) {
        if (only_get(req, resp))
            user_permissions(s, resp, seg[0]);
    } else {
        iam_not_found(resp);
    }
}

/* ------------------------------------------------------------------ */
/* /groups                                                             */
/* ------------------------------------------------------------------ */

/* PUT /groups/{gid} */
static void group_put(struct sim *s, const struct sim_req *req,
                      struct sim_resp *resp, const char *gid)
{
    static const struct prop props[] = {
        {"description", PT_STRING, true},
        {"provider_type", PT_STRING, false},
    };
    json_t *body, *groups;
    const char *pt;

    body = iam_body(req, resp);
    if (!body)
        return;
    if (check_props(body, props, 2, false, resp))
        goto out;
    pt = str_member(body, "provider_type");
    if (pt && strcmp(pt, "internal") != 0) {
        iam_err(resp, 400, "ERR_INVALID_DATA",
                "Invalid provider_type: %s (dcos-sim models internal "
                "groups only)", pt);
        goto out;
    }
    if (!id_valid(gid)) {
        iam_err(resp, 400, "ERR_INVALID_GROUP_ID", "Invalid group ID: %s",
                gid);
        goto out;
    }
    groups = iam_vacant(s, resp, "groups", gid, "ERR_GROUP_EXISTS",
                        "Group with id");
    if (groups)
        iam_created(s, resp, groups, gid,
                    json_pack("{s:s, s:s, s:{}}", "description",
                              str_member(body, "description"),
                              "provider_type", "internal", "members"));
out:
    json_decref(body);
}

/* PATCH /groups/{gid} and PATCH /acls/{rid}: {"description"} -> 204. */
static void describe_patch(struct sim *s, const struct sim_req *req,
                           struct sim_resp *resp, json_t *obj)
{
    static const struct prop props[] = {
        {"description", PT_STRING, true},
    };
    json_t *body = iam_body(req, resp);

    if (!body)
        return;
    if (check_props(body, props, 1, false, resp) == 0) {
        if (json_object_set(obj, "description",
                            json_object_get(body, "description"))) {
            iam_nomem(resp);
        } else {
            sim_state_dirty(s);
            sim_resp_empty(resp, 204);
        }
    }
    json_decref(body);
}

/* DELETE /groups/{gid} */
static void group_delete(struct sim *s, struct sim_resp *resp,
                         const char *gid)
{
    json_t *groups = iam_table(s, "groups");

    if (!json_object_get(groups, gid)) {
        unknown_group(resp, gid);
        return;
    }
    if (strcmp(gid, IAM_SUPERUSER_GID) == 0) {
        iam_err(resp, 400, "ERR_IS_SUPERUSER_GROUP",
                "The `superusers` group must have `full` permission on the "
                "`dcos:superuser` resource.");
        return;
    }
    forget_subject(s, "groups", gid);
    json_object_del(groups, gid);
    sim_state_dirty(s);
    sim_resp_empty(resp, 204);
}

static int member_elem(json_t *arr, const char *uid, json_t *v,
                       const struct list_ctx *c)
{
    json_t *u = json_object_get(iam_table(c->s, "users"), uid);

    (void)v;
    if (!u || json_is_true(json_object_get(u, "is_service")) != c->svc)
        return 0;
    return json_array_append_new(arr, json_pack("{s:o*, s:o*}",
                                                "membershipurl",
                                                membership_url(c->id, uid),
                                                "user", user_json(uid, u)));
}

/* GET /groups/{gid}/users[?type=service] */
static void group_users(struct sim *s, const struct sim_req *req,
                        struct sim_resp *resp, const char *gid)
{
    json_t *g = json_object_get(iam_table(s, "groups"), gid);
    struct list_ctx c = { s, gid, want_services(req), NULL };

    if (!g) {
        unknown_group(resp, gid);
        return;
    }
    iam_list(resp, json_object_get(g, "members"), member_elem, &c);
}

/* PUT and DELETE /groups/{gid}/users/{uid} */
static void group_member(struct sim *s, const struct sim_req *req,
                         struct sim_resp *resp, const char *gid,
                         const char *uid)
{
    json_t *g = json_object_get(iam_table(s, "groups"), gid);
    json_t *u = json_object_get(iam_table(s, "users"), uid);
    json_t *members;
    size_t before;

    if (!is_method(req, "PUT") && !is_method(req, "DELETE")) {
        iam_method_not_allowed(resp, "PUT, DELETE");
        return;
    }
    if (!g) {
        unknown_group(resp, gid);
        return;
    }
    if (!u) {
        unknown_user(resp, uid);
        return;
    }
    members = obj_child(g, "members");
    if (!members) {
        iam_nomem(resp);
        return;
    }
    if (is_method(req, "PUT")) {
        if (json_object_get(members, uid)) {
            iam_err(resp, 409, "ERR_USER_ALREADY_IN_GROUP",
                    "User `%s` is already member of group `%s`.", uid, gid);
            return;
        }
        if (json_object_set_new(members, uid, json_true())) {
            iam_nomem(resp);
            return;
        }
    } else {
        if (!json_object_get(members, uid)) {
            iam_err(resp, 400, "ERR_USER_NOT_IN_GROUP",
                    "User `%s` is not member of group `%s`.", uid, gid);
            return;
        }
        /* Never remove the last regular superuser. */
        before = regular_superusers(s, NULL);
        json_object_del(members, uid);
        if (before > 0 && regular_superusers(s, NULL) == 0) {
            if (json_object_set_new(members, uid, json_true())) {
                iam_nomem(resp);
                return;
            }
            iam_err(resp, 400, "ERR_NO_MORE_SUPERUSERS",
                    "Last member from `superusers` group cannot be removed");
            return;
        }
    }
    sim_state_dirty(s);
    sim_resp_empty(resp, 204);
}

static int group_grant_elem(json_t *arr, const char *rid, json_t *acl,
                            const struct list_ctx *c)
{
    json_t *acts = json_object_get(json_object_get(acl, "groups"), c->id);
    const char *d = str_member(acl, "description");

    if (json_object_size(acts) == 0)
        return 0;
    return json_array_append_new(
        arr, json_pack("{s:s, s:s, s:o*, s:o*}", "rid", rid, "description",
                       d ? d : "", "aclurl", acl_url(rid), "actions",
                       actions_json(rid, "groups", c->id, acts)));
}

/* GET /groups/{gid}/permissions */
static void group_permissions(struct sim *s, struct sim_resp *resp,
                              const char *gid)
{
    struct list_ctx c = { s, gid, 0, NULL };

    if (!json_object_get(iam_table(s, "groups"), gid)) {
        unknown_group(resp, gid);
        return;
    }
    iam_list(resp, iam_table(s, "acls"), group_grant_elem, &c);
}

static void groups_route(struct sim *s, const struct sim_req *req,
                         struct sim_resp *resp, char **seg, size_t n)
{
    if (n == 0) {
        if (only_get(req, resp))
            table_list(s, resp, "groups", group_json);
    } else if (n == 1) {
        json_t *g = json_object_get(iam_table(s, "groups"), seg[0]);

        if (is_method(req, "GET")) {
            if (g)
                iam_ok(resp, group_json(seg[0], g));
            else
                unknown_group(resp, seg[0]);
        } else if (is_method(req, "PUT")) {
            group_put(s, req, resp, seg[0]);
        } else if (is_method(req, "PATCH")) {
            if (g)
                describe_patch(s, req, resp, g);
            else
                unknown_group(resp, seg[0]);
        } else if (is_method(req, "DELETE")) {
            group_delete(s, resp, seg[0]);
        } else {
            iam_method_not_allowed(resp, "GET, PUT, PATCH, DELETE");
        }
    } else if (n == 2 && strcmp(seg[1], "users") == 0) {
        if (only_get(req, resp))
            group_users(s, req, resp, seg[0]);
    } else if (n == 2 && strcmp(seg[1], "permissions") == 0) {
        if (only_get(req, resp))
            group_permissions(s, resp, seg[0]);
    } else if (n == 3 && strcmp(seg[1], "users") == 0) {
        group_member(s, req, resp, seg[0], seg[2]);
    } else {
        iam_not_found(resp);
    }
}

/* ------------------------------------------------------------------ */
/* /acls                                                               */
/* ------------------------------------------------------------------ */

/* PUT /acls/{rid} */
static void acl_put(struct sim *s, const struct sim_req *req,
                    struct sim_resp *resp, const char *rid)
{
    static const struct prop props[] = {
        {"description", PT_STRING, true},
    };
    json_t *body, *acls;

    body = iam_body(req, resp);
    if (!body)
        return;
    if (check_props(body, props, 1, false, resp))
        goto out;
    if (!rid_valid(rid)) {
        iam_err(resp, 400, "ERR_INVALID_RESOURCE_ID",
                "Invalid resource ID: %s", rid);
        goto out;
    }
    acls = iam_vacant(s, resp, "acls", rid, "ERR_ACL_EXISTS",
                      "ACL for resource");
    if (acls)
        iam_created(s, resp, acls, rid,
                    json_pack("{s:s, s:{}, s:{}}", "description",
                              str_member(body, "description"), "users",
                              "groups"));
out:
    json_decref(body);
}

/* DELETE /acls/{rid} */
static void acl_delete(struct sim *s, struct sim_resp *resp, const char *rid)
{
    json_t *acls = iam_table(s, "acls");

    if (!json_object_get(acls, rid)) {
        unknown_rid(resp, rid);
        return;
    }
    if (strcmp(rid, IAM_SUPERUSER_RID) == 0) {
        iam_err(resp, 400, "ERR_IS_SUPERUSER_ACL",
                "The `dcos:superuser` ACL cannot be deleted.");
        return;
    }
    json_object_del(acls, rid);
    sim_state_dirty(s);
    sim_resp_empty(resp, 204);
}

/* GET /acls/{rid}/permissions */
static void acl_permissions(struct sim_resp *resp, const char *rid,
                            json_t *acl)
{
    static const char *const kinds[] = {"users", "groups"};
    static const char *const idkey[] = {"uid", "gid"};
    static const char *const urlkey[] = {"userurl", "groupurl"};
    json_t *out = json_object();
    size_t kk, i, n;
    int bad = !out;

    for (kk = 0; !bad && kk < 2; kk++) {
        json_t *subj = json_object_get(acl, kinds[kk]);
        json_t *arr = json_array();
        const char **k = sorted_keys(subj, &n);

        if (!arr || !k || json_object_set_new(out, kinds[kk], arr))
            bad = 1;
        for (i = 0; !bad && i < n; i++) {
            json_t *acts = json_object_get(subj, k[i]);

            if (json_object_size(acts) == 0)
                continue;
            if (json_array_append_new(
                    arr, json_pack("{s:s, s:o*, s:o*}", idkey[kk], k[i],
                                   urlkey[kk],
                                   url_json(IAM_BASE "/%s/%s", kinds[kk],
                                            k[i]),
                                   "actions",
                                   actions_json(rid, kinds[kk], k[i],
                                                acts))))
                bad = 1;
        }
        free(k);
    }
    if (bad) {
        json_decref(out);
        iam_nomem(resp);
        return;
    }
    iam_ok(resp, out);
}

/*
 * /acls/{rid}/{users|groups}/{id}[/{action}]: @kind is "users" or
 * "groups", @action NULL for the two-segment form.
 */
static void acl_subject(struct sim *s, const struct sim_req *req,
                        struct sim_resp *resp, const char *rid, json_t *acl,
                        const char *kind, const char *id, const char *action)
{
    int user = strcmp(kind, "users") == 0;
    json_t *subjects, *acts;
    size_t before = 0;

    if (!json_object_get(iam_table(s, kind), id)) {
        if (user)
            unknown_user(resp, id);
        else
            unknown_group(resp, id);
        return;
    }
    if (action && !action_valid(action)) {
        iam_err(resp, 400, "ERR_INVALID_ACTION",
                "Invalid action `%s`: expected one of create, read, update, "
                "delete, full.", action);
        return;
    }
    subjects = obj_child(acl, kind);
    if (!subjects) {
        iam_nomem(resp);
        return;
    }
    acts = json_object_get(subjects, id);
    if (!action) {
        if (is_method(req, "GET")) {
            iam_ok(resp, json_pack("{s:o*}", "array",
                                   actions_json(rid, kind, id, acts)));
            return;
        }
        if (!is_method(req, "DELETE")) {
            iam_method_not_allowed(resp, "GET, DELETE");
            return;
        }
    } else if (is_method(req, "GET")) {
        int ok = user ? sim_iam_allowed(s, id, rid, action)
                      : group_allowed(s, id, rid, action);

        iam_ok(resp, json_pack("{s:b}", "allowed", ok));
        return;
    } else if (is_method(req, "PUT")) {
        if (json_object_get(acts, action)) {
            iam_err(resp, 409, "ERR_PERMISSION_EXISTS",
                    "%s `%s` already holds action `%s` on resource `%s`.",
                    user ? "User" : "Group", id, action, rid);
            return;
        }
        if (!acts) {
            acts = json_object();
            if (!acts || json_object_set_new(subjects, id, acts)) {
                iam_nomem(resp);
                return;
            }
        }
        if (json_object_set_new(acts, action, json_true())) {
            iam_nomem(resp);
            return;
        }
        sim_state_dirty(s);
        sim_resp_empty(resp, 204);
        return;
    } else if (!is_method(req, "DELETE")) {
        iam_method_not_allowed(resp, "GET, PUT, DELETE");
        return;
    }

    /* DELETE of one action or of all actions of the subject. */
    if (json_object_size(acts) == 0) {
        iam_err(resp, 400, user ? "ERR_USER_NOT_IN_ACL"
                                : "ERR_GROUP_NOT_IN_ACL",
                "%s `%s` is not part of ACL for resource `%s`",
                user ? "User" : "Group", id, rid);
        return;
    }
    if (action && !json_object_get(acts, action)) {
        iam_err(resp, 400, "ERR_ACTION_NOT_YET_STORED",
                "Action `%s` unknown for %s `%s` in ACL for resource `%s`",
                action, user ? "user" : "group", id, rid);
        return;
    }
    if (!user && strcmp(id, IAM_SUPERUSER_GID) == 0 &&
        strcmp(rid, IAM_SUPERUSER_RID) == 0 &&
        (!action || strcmp(action, "full") == 0)) {
        iam_err(resp, 400, "ERR_IS_SUPERUSER_GROUP",
                "The `superusers` group must have `full` permission on the "
                "`dcos:superuser` resource.");
        return;
    }
    json_incref(acts);
    before = regular_superusers(s, NULL);
    if (action) {
        json_object_del(acts, action);
        if (json_object_size(acts) == 0)
            json_object_del(subjects, id);
    } else {
        json_object_del(subjects, id);
    }
    if (before > 0 && regular_superusers(s, NULL) == 0) {
        /* Never revoke the last regular superuser: restore. */
        if (action)
            json_object_set_new(acts, action, json_true());
        json_object_set(subjects, id, acts);
        json_decref(acts);
        iam_err(resp, 400, "ERR_NO_MORE_SUPERUSERS",
                "The last superuser cannot lose the `dcos:superuser` "
                "permission");
        return;
    }
    json_decref(acts);
    sim_state_dirty(s);
    sim_resp_empty(resp, 204);
}

static void acls_route(struct sim *s, const struct sim_req *req,
                       struct sim_resp *resp, char **seg, size_t n)
{
    json_t *acl;
    char *rid;

    if (n == 0) {
        if (only_get(req, resp))
            table_list(s, resp, "acls", acl_json);
        return;
    }
    /* The rid arrives double-encoded ("%252F" for '/'): the core decoded
     * the segment once, decode it once more. */
    rid = util_percent_decode(seg[0]);
    if (!rid) {
        iam_err(resp, 400, "ERR_INVALID_RESOURCE_ID",
                "Invalid resource ID: %s", seg[0]);
        return;
    }
    acl = json_object_get(iam_table(s, "acls"), rid);
    if (n == 1 && is_method(req, "PUT")) {
        acl_put(s, req, resp, rid);
    } else if (n == 1 && !is_method(req, "GET") && !is_method(req, "PATCH") &&
               !is_method(req, "DELETE")) {
        iam_method_not_allowed(resp, "GET, PUT, PATCH, DELETE");
    } else if (n > 4 || (n == 2 && strcmp(seg[1], "permissions") != 0) ||
               (n >= 3 && strcmp(seg[1], "users") != 0 &&
                strcmp(seg[1], "groups") != 0)) {
        iam_not_found(resp);
    } else if (!acl) {
        unknown_rid(resp, rid);
    } else if (n == 1 && is_method(req, "GET")) {
        iam_ok(resp, acl_json(rid, acl));
    } else if (n == 1 && is_method(req, "PATCH")) {
        describe_patch(s, req, resp, acl);
    } else if (n == 1) {
        acl_delete(s, resp, rid);
    } else if (n == 2) {
        if (only_get(req, resp))
            acl_permissions(resp, rid, acl);
    } else {
        acl_subject(s, req, resp, rid, acl, seg[1], seg[2],
                    n == 4 ? seg[3] : NULL);
    }
    free(rid);
}

/* ------------------------------------------------------------------ */
/* Dispatch, module hooks, cross-module queries                        */
/* ------------------------------------------------------------------ */

/* Token-protected routes below /acs/api/v1/. */
static void iam_handle(struct sim *s, const struct sim_req *req,
                       struct sim_resp *resp)
{
    char *seg[IAM_MAX_SEGS];
    size_t n;

    /* Admin Router authorizes the IAM API: superuser or
     * dcos:adminrouter:acs full. */
    if (!req->uid || !(sim_iam_allowed(s, req->uid, IAM_ACS_RID, "full"))) {
        sim_resp_403(resp);
        return;
    }
    if (!sim_accept_ok(req->accept, "application/json")) {
        iam_err(resp, 406, NULL,
                "The user agent must support application/json responses.");
        return;
    }
    n = sim_path_segments(req, IAM_BASE "/", seg, IAM_MAX_SEGS);
    if (n == 0 || n == IAM_MAX_SEGS)
        iam_not_found(resp);
    else if (strcmp(seg[0], "users") == 0)
        users_route(s, req, resp, seg + 1, n - 1);
    else if (strcmp(seg[0], "groups") == 0)
        groups_route(s, req, resp, seg + 1, n - 1);
    else if (strcmp(seg[0], "acls") == 0)
        acls_route(s, req, resp, seg + 1, n - 1);
    else
        iam_not_found(resp);
    sim_segments_free(seg, n);
}

/* Create what a new cluster has, leaving whatever exists alone. */
static int iam_start(struct sim *s)
{
    json_t *users = iam_table(s, "users");
    json_t *groups = iam_table(s, "groups");
    json_t *acls = iam_table(s, "acls");
    json_t *g, *acl, *gs, *acts, *members;
    int changed = 0;

    if (!users || !groups || !acls)
        return ERR_NOMEM;
    g = json_object_get(groups, IAM_SUPERUSER_GID);
    if (!g) {
        g = json_pack("{s:s, s:s, s:{}}", "description", "Superuser group",
                      "provider_type", "internal", "members");
        if (!g || json_object_set_new(groups, IAM_SUPERUSER_GID, g))
            return ERR_NOMEM;
        changed = 1;
    }
    acl = json_object_get(acls, IAM_SUPERUSER_RID);
    if (!acl) {
        acl = json_pack("{s:s, s:{}, s:{}}", "description", "Superuser ACL",
                        "users", "groups");
        if (!acl || json_object_set_new(acls, IAM_SUPERUSER_RID, acl))
            return ERR_NOMEM;
        changed = 1;
    }
    gs = obj_child(acl, "groups");
    acts = gs ? obj_child(gs, IAM_SUPERUSER_GID) : NULL;
    if (!acts)
        return ERR_NOMEM;
    if (!json_object_get(acts, "full")) {
        if (json_object_set_new(acts, "full", json_true()))
            return ERR_NOMEM;
        changed = 1;
    }
    if (!json_object_get(users, "bootstrapuser")) {
        json_t *u = json_pack("{s:s, s:b, s:s, s:s, s:o*}", "description",
                              "Bootstrap superuser", "is_service", 0,
                              "provider_type", "internal", "provider_id", "",
                              "password", password_record("deleteme"));

        if (!u || json_object_set_new(users, "bootstrapuser", u))
            return ERR_NOMEM;
        members = obj_child(g, "members");
        if (!members ||
            json_object_set_new(members, "bootstrapuser", json_true()))
            return ERR_NOMEM;
        changed = 1;
    }
    if (changed)
        sim_state_dirty(s);
    return 0;
}

/* See sim.h. */
int sim_iam_user_exists(struct sim *s, const char *uid)
{
    return uid && json_object_get(iam_table(s, "users"), uid) ? 1 : 0;
}

/* See sim.h. */
const char *sim_iam_public_key(struct sim *s, const char *uid)
{
    json_t *u = uid ? json_object_get(iam_table(s, "users"), uid) : NULL;

    if (!json_is_true(json_object_get(u, "is_service")))
        return NULL;
    return str_member(u, "public_key");
}

/* See sim.h. */
int sim_iam_allowed(struct sim *s, const char *uid, const char *rid,
                    const char *action)
{
    if (!uid || !rid || !action || !sim_iam_user_exists(s, uid))
        return 0;
    return is_superuser(s, uid) || user_holds(s, uid, rid, action);
}

static const struct sim_route iam_routes[] = {
    {"*", IAM_BASE "/auth/", false, SIM_AUTH_PUBLIC, iam_auth_handle},
    {"*", IAM_BASE "/", false, SIM_AUTH_TOKEN, iam_handle},
};

const struct sim_module sim_iam_module = {
    .name = "iam",
    .routes = iam_routes,
    .n_routes = sizeof(iam_routes) / sizeof(iam_routes[0]),
    .start = iam_start,
};
