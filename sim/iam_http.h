#ifndef ETLS_SIM_IAM_HTTP_H
#define ETLS_SIM_IAM_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * dcos-sim IAM answers and requests (sim/iam_http.c), shared by the IAM
 * route files: Falcon error bodies, listings, the views of users, groups
 * and ACLs with their URLs (bouncer urlbuild.py), id validation and JSON
 * request bodies.  Every answer is set on a struct sim_resp.
 */

struct sim;
struct sim_req;
struct sim_resp;

#define IAM_BASE "/acs/api/v1"
#define IAM_CTYPE "application/json; charset=utf-8"
#define IAM_MAX_SEGS 8

/* --- answers --- */

/*
 * IAM (Falcon) error body {"title","description"[,"code"]} with the IAM's
 * media type.  @code NULL omits the member.
 */
void iam_err(struct sim_resp *r, int status, const char *code,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* 500 "Out of memory." */
void iam_nomem(struct sim_resp *r);

/* Send @o (steals; NULL = out of memory) as a 200 IAM answer. */
void iam_ok(struct sim_resp *r, json_t *o);

/* 405 with an Allow header listing @allow. */
void iam_method_not_allowed(struct sim_resp *r, const char *allow);

/* 404 "The requested resource could not be found." */
void iam_not_found(struct sim_resp *r);

/* 1 when @req's method is @m. */
int iam_is_method(const struct sim_req *req, const char *m);

/* 1 for a GET; else answers 405 (Allow: GET) and returns 0. */
int iam_only_get(const struct sim_req *req, struct sim_resp *resp);

/* 400 ERR_UNKNOWN_USER_ID, ERR_UNKNOWN_GROUP_ID, ERR_UNKNOWN_RESOURCE_ID. */
void iam_unknown_user(struct sim_resp *resp, const char *uid);
void iam_unknown_group(struct sim_resp *resp, const char *gid);
void iam_unknown_rid(struct sim_resp *resp, const char *rid);

/* 1 when the request asks for service accounts (?type=service). */
int iam_want_services(const struct sim_req *req);

/* Cleanse the characters of a jansson string that held a secret. */
void iam_json_wipe(json_t *j);

/* --- listings and tables --- */

/* What a listing is about: the uid or gid, ?type=service, or the view
 * of each entry when that is all there is to it. */
struct iam_list_ctx {
    struct sim *s;
    const char *id;
    int svc;
    json_t *(*view)(const char *key, json_t *v);
};

/* Append to @arr the element for key @key (value @v) of a listed object,
 * or nothing to leave the key out.  0, or -1 when out of memory. */
typedef int (*iam_list_elem_fn)(json_t *arr, const char *key, json_t *v,
                                const struct iam_list_ctx *c);

/*
 * The keys of object @o sorted (a new array of borrowed pointers, valid
 * while @o is unchanged; free the array only).  *@n gets the count.
 */
const char **iam_sorted_keys(json_t *o, size_t *n);

/* Answer 200 {"array":[...]} with @fn's elements for the keys of @o in
 * sorted order. */
void iam_list(struct sim_resp *resp, json_t *o, iam_list_elem_fn fn,
              const struct iam_list_ctx *c);

/* GET /groups and GET /acls: @view of every entry of IAM table @name. */
void iam_table_list(struct sim *s, struct sim_resp *resp, const char *name,
                    json_t *(*view)(const char *key, json_t *v));

/*
 * IAM table @name (borrowed) when it has no entry @id yet; else NULL after
 * answering 409 @code ("@what `@id` already exists.") or 500.
 */
json_t *iam_vacant(struct sim *s, struct sim_resp *resp, const char *name,
                   const char *id, const char *code, const char *what);

/* Add @v (stolen; NULL: out of memory) to @t, the IAM table @table
 * ("users", "groups", "acls"), as entry @id and answer 201. */
void iam_created(struct sim *s, struct sim_resp *resp, const char *table,
                 json_t *t, const char *id, json_t *v);

/* 1 when @id is a valid uid (bouncer models/user.py) or gid. */
int iam_id_valid(const char *id);

/* 1 when @rid is a plausible resource id: printable ASCII without space,
 * '%', '?', '#', '"' and '\'. */
int iam_rid_valid(const char *rid);

/* 1 when @a is create, read, update, delete or full. */
int iam_action_valid(const char *a);

/* --- views and URLs --- */

/* A JSON string built from @fmt (new; NULL on ENOMEM). */
json_t *iam_url_json(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* The URL of ACL @rid (new JSON string) or NULL. */
json_t *iam_acl_url(const char *rid);

/* The actions held in @acts ({action: true}) as an array of action
 * objects, in canonical order (new). */
json_t *iam_actions_json(const char *rid, const char *kind, const char *id,
                         json_t *acts);

/* The views of user @uid, group @gid and ACL @rid as the IAM shows them
 * (new), or NULL. */
json_t *iam_user_json(const char *uid, json_t *u);
json_t *iam_group_json(const char *gid, json_t *g);
json_t *iam_acl_json(const char *rid, json_t *acl);

/* The URL of the membership of @uid in @gid (new JSON string) or NULL. */
json_t *iam_membership_url(const char *gid, const char *uid);

/* --- request bodies --- */

enum iam_prop_type { IAM_PROP_STRING, IAM_PROP_ANY };

/* A member of a request body's schema. */
struct iam_prop {
    const char *name;
    enum iam_prop_type type;
    bool required;
};

/*
 * The JSON object body of @req (new), or NULL after an error answer was
 * set on @resp.
 */
json_t *iam_body(const struct sim_req *req, struct sim_resp *resp);

/* Validate @o against @props (additionalProperties false unless
 * @open).  Returns 0, or -1 after setting @resp. */
int iam_check_props(json_t *o, const struct iam_prop *props, size_t n,
                    bool open, struct sim_resp *resp);

/* PATCH /groups/{gid} and PATCH /acls/{rid}: {"description"} -> 204.
 * @obj is entry @id of the IAM table @table. */
void iam_describe_patch(struct sim *s, const struct sim_req *req,
                        struct sim_resp *resp, const char *table,
                        const char *id, json_t *obj);

#endif
