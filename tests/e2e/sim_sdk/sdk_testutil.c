/* Helpers for the dcos-sim SDK scheduler end-to-end tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/pem.h>

#include "common/buf.h"
#include "e2e/sim_sdk/sdk_testutil.h"

json_t *t_get(const json_t *o, const char *path)
{
    char buf[256], *save = NULL, *tok;
    json_t *cur = (json_t *)o;

    snprintf(buf, sizeof(buf), "%s", path);
    for (tok = strtok_r(buf, ".", &save); tok && cur;
         tok = strtok_r(NULL, ".", &save))
        cur = json_object_get(cur, tok);
    return cur;
}

const char *t_str(const json_t *o, const char *path)
{
    return json_string_value(t_get(o, path));
}

char *t_fmt(const char *fmt, ...)
{
    struct buf b;
    va_list ap;
    int r;

    buf_init(&b, 1024 * 1024);
    va_start(ap, fmt);
    r = buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (r != 0)
        fail_msg("t_fmt: out of memory");
    return buf_detach(&b);
}

json_t *t_get_json(struct h_sim *s, const char *path, long *status)
{
    struct h_resp r = h_get(s, path);
    json_t *j = r.json ? json_incref(r.json) : NULL;

    if (r.curl_code != 0)
        fail_msg("GET %s: transport error %d", path, r.curl_code);
    if (status)
        *status = r.status;
    h_resp_free(&r);
    return j;
}

void t_install(struct h_sim *s, const char *name, const char *opts)
{
    json_t *o = json_loads(opts, 0, NULL), *svc;
    char *body, *os;
    struct h_resp r;

    if (!o)
        fail_msg("t_install: bad options %s", opts);
    svc = json_object_get(o, "service");
    if (!svc) {
        svc = json_object();
        json_object_set_new(o, "service", svc);
    }
    json_object_set_new(svc, "name", json_string(name));
    os = json_dumps(o, JSON_COMPACT);
    body = t_fmt("{\"packageName\":\"beta-elastic\",\"options\":%s}", os);
    r = h_cosmos(s, "package/install", body);
    if (r.status != 200)
        fail_msg("install %s: %ld %s", name, r.status, r.body);
    h_resp_free(&r);
    free(body);
    free(os);
    json_decref(o);
}

long t_update(struct h_sim *s, const char *name, const char *opts)
{
    char *body = t_fmt("{\"appId\":\"%s\",\"options\":%s,\"replace\":false}",
                       name, opts);
    struct h_resp r = h_cosmos(s, "service/update", body);
    long st = r.status;

    h_resp_free(&r);
    free(body);
    return st;
}

json_t *t_plan(struct h_sim *s, const char *name, const char *plan,
               long *status)
{
    char *path = t_fmt("/service/%s/v1/plans/%s", name, plan);
    long st = 0;
    json_t *j = t_get_json(s, path, &st);

    free(path);
    if (status)
        *status = st;
    if (st != 200 && st != 202 && st != 417) {
        json_decref(j);
        return NULL;
    }
    return j;
}

int t_wait_plan(struct h_sim *s, const char *name, const char *want,
                int timeout_ms)
{
    int waited;

    for (waited = 0; waited <= timeout_ms; waited += T_POLL_MS) {
        long st;
        json_t *p = t_plan(s, name, "deploy", &st);
        int ok = p && t_str(p, "status") && strcmp(t_str(p, "status"),
                                                   want) == 0;

        json_decref(p);
        if (ok)
            return 1;
        h_sleep_ms(T_POLL_MS);
    }
    return 0;
}

int t_wait_restart(struct h_sim *s, const char *name, int *seen_502)
{
    char *path = t_fmt("/service/%s/v1/plans", name);
    char *app = t_fmt("/marathon/v2/apps/%s", name);
    int waited, seen_down = 0, ok = 0;

    for (waited = 0; !ok && waited <= T_WAIT_MS; waited += 5) {
        struct h_resp r = h_get(s, path);
        long st = r.status;

        h_resp_free(&r);
        if (st == 502) {
            seen_down = 1;
        } else if (st == 200) {
            json_t *a = seen_down ? NULL : t_get_json(s, app, NULL);

            ok = seen_down ||
                 (a && json_array_size(t_get(a, "app.deployments")) == 0);
            json_decref(a);
        }
        if (!ok)
            h_sleep_ms(5);
    }
    free(path);
    free(app);
    if (seen_502)
        *seen_502 = seen_down;
    return ok;
}

int t_wait_deployed(struct h_sim *s, const char *name)
{
    char *path = t_fmt("/marathon/v2/apps/%s", name);
    int waited, done = 0;

    for (waited = 0; !done && waited <= T_WAIT_MS; waited += T_POLL_MS) {
        long st;
        json_t *app = t_get_json(s, path, &st);

        done = st == 200 &&
               json_array_size(t_get(app, "app.deployments")) == 0;
        json_decref(app);
        if (!done)
            h_sleep_ms(T_POLL_MS);
    }
    free(path);
    return done;
}

static json_t *find_named(const json_t *arr, const char *name)
{
    size_t i;
    json_t *v;

    json_array_foreach(arr, i, v)
        if (t_str(v, "name") && strcmp(t_str(v, "name"), name) == 0)
            return v;
    return NULL;
}

const char *t_phase_status(const json_t *plan, const char *phase)
{
    return t_str(find_named(t_get(plan, "phases"), phase), "status");
}

const char *t_step_status(const json_t *plan, const char *phase,
                          const char *step)
{
    json_t *ph = find_named(t_get(plan, "phases"), phase);

    return t_str(find_named(t_get(ph, "steps"), step), "status");
}

static json_t *task_of(json_t *st, const char *task)
{
    size_t i, j, k;
    json_t *pod, *inst, *t;

    json_array_foreach(t_get(st, "pods"), i, pod)
        json_array_foreach(t_get(pod, "instances"), j, inst)
            json_array_foreach(t_get(inst, "tasks"), k, t)
                if (strcmp(t_str(t, "name"), task) == 0)
                    return t;
    return NULL;
}

static char *task_field(struct h_sim *s, const char *name, const char *task,
                        const char *field)
{
    char *path = t_fmt("/service/%s/v1/pod/status", name);
    long st;
    json_t *j = t_get_json(s, path, &st);
    const char *v = t_str(task_of(j, task), field);
    char *out = v ? strdup(v) : NULL;

    json_decref(j);
    free(path);
    return out;
}

char *t_task_id(struct h_sim *s, const char *name, const char *task)
{
    return task_field(s, name, task, "id");
}

char *t_task_status(struct h_sim *s, const char *name, const char *task)
{
    return task_field(s, name, task, "status");
}

char *t_endpoint_address(struct h_sim *s, const char *name, const char *ep)
{
    char *path = t_fmt("/service/%s/v1/endpoints/%s", name, ep);
    long st;
    json_t *j = t_get_json(s, path, &st);
    const char *a = json_string_value(json_array_get(t_get(j, "address"),
                                                     0));
    char *out;

    if (st != 200 || !a)
        fail_msg("endpoint %s of %s: %ld", ep, name, st);
    out = strdup(a);
    json_decref(j);
    free(path);
    return out;
}

char *t_target_id(struct h_sim *s, const char *name)
{
    char *path = t_fmt("/service/%s/v1/configurations/targetId", name);
    long st;
    json_t *j = t_get_json(s, path, &st);
    const char *v = json_string_value(json_array_get(j, 0));
    char *out = v ? strdup(v) : NULL;

    if (st != 200 || !out)
        fail_msg("targetId of %s: %ld", name, st);
    json_decref(j);
    free(path);
    return out;
}

EVP_PKEY *t_rsa(void)
{
    EVP_PKEY *k = EVP_RSA_gen(2048);

    if (!k)
        fail_msg("EVP_RSA_gen failed");
    return k;
}

static char *bio_take(BIO *b)
{
    char *data = NULL, *out;
    long n = BIO_get_mem_data(b, &data);

    if (n <= 0)
        fail_msg("empty PEM");
    out = malloc((size_t)n + 1);
    if (!out)
        fail_msg("out of memory");
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    BIO_free(b);
    return out;
}

char *t_priv_pem(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());

    if (!b || PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) != 1)
        fail_msg("PEM_write_bio_PrivateKey failed");
    return bio_take(b);
}

char *t_pub_pem(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());

    if (!b || PEM_write_bio_PUBKEY(b, k) != 1)
        fail_msg("PEM_write_bio_PUBKEY failed");
    return bio_take(b);
}

char *t_sa_secret_body(const char *uid, EVP_PKEY *k)
{
    char *pem = t_priv_pem(k), *inner, *body;
    json_t *v = json_pack("{s:s,s:s,s:s,s:s}", "scheme", "RS256", "uid", uid,
                          "private_key", pem, "login_endpoint",
                          "https://leader.mesos/acs/api/v1/auth/login");

    inner = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    v = json_pack("{s:s}", "value", inner);
    body = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    free(inner);
    free(pem);
    return body;
}

void t_create_account(struct h_sim *s, const char *uid, EVP_PKEY *k)
{
    char *pub = t_pub_pem(k), *path = t_fmt("/acs/api/v1/users/%s", uid);
    json_t *b = json_pack("{s:s,s:s}", "description", "test account",
                          "public_key", pub);
    char *body = json_dumps(b, JSON_COMPACT);
    struct h_resp r = h_put(s, path, body);

    if (r.status != 201)
        fail_msg("create account %s: %ld %s", uid, r.status, r.body);
    h_resp_free(&r);
    free(body);
    json_decref(b);
    free(path);
    free(pub);
}

void t_put_secret(struct h_sim *s, const char *path, const char *body)
{
    char *p = t_fmt("/secrets/v1/secret/default/%s", path);
    struct h_resp r = h_put(s, p, body);

    if (r.status != 201)
        fail_msg("put secret %s: %ld %s", path, r.status, r.body);
    h_resp_free(&r);
    free(p);
}

void t_superuser(struct h_sim *s, const char *uid)
{
    char *p = t_fmt("/acs/api/v1/groups/superusers/users/%s", uid);
    struct h_resp r = h_put(s, p, NULL);

    if (r.status != 204)
        fail_msg("superusers += %s: %ld %s", uid, r.status, r.body);
    h_resp_free(&r);
    free(p);
}

/* @rid with '/' as %252F (the IAM's double encoding). */
static char *rid_path(const char *rid)
{
    struct buf b;
    const char *p;

    buf_init(&b, 4096);
    for (p = rid; *p; p++)
        if ((*p == '/' ? buf_puts(&b, "%252F") : buf_append(&b, p, 1)) != 0)
            fail_msg("rid_path: out of memory");
    return buf_detach(&b);
}

void t_grant(struct h_sim *s, const char *uid, const char *rid,
             const char *action)
{
    char *e = rid_path(rid), *p = t_fmt("/acs/api/v1/acls/%s", e);
    struct h_resp r = h_put(s, p, "{\"description\":\"test grant\"}");

    if (r.status != 201 && r.status != 409)
        fail_msg("create ACL %s: %ld %s", rid, r.status, r.body);
    h_resp_free(&r);
    free(p);
    p = t_fmt("/acs/api/v1/acls/%s/users/%s/%s", e, uid, action);
    r = h_put(s, p, NULL);
    if (r.status != 204)
        fail_msg("grant %s %s %s: %ld %s", uid, rid, action, r.status,
                 r.body);
    h_resp_free(&r);
    free(p);
    free(e);
}

void t_full_account(struct h_sim *s, const char *uid,
                    const char *secret_path, EVP_PKEY *k)
{
    char *body = t_sa_secret_body(uid, k);

    t_create_account(s, uid, k);
    t_put_secret(s, secret_path, body);
    t_superuser(s, uid);
    free(body);
}

struct h_resp t_node_get(const char *url, const char *cacert,
                         const char *resolve, const char *userpwd)
{
    return h_req_url(url, cacert, resolve, userpwd);
}

long t_marathon_restart(struct h_sim *s, const char *name, int force)
{
    char *p = t_fmt("/marathon/v2/apps/%s/restart%s", name,
                    force ? "?force=true" : "");
    struct h_resp r = h_post(s, p, NULL);
    long st = r.status;

    h_resp_free(&r);
    free(p);
    return st;
}

void t_sleep_sim(double sim_seconds, double speed)
{
    h_sleep_ms((int)(sim_seconds / speed * 1000.0) + 1);
}
