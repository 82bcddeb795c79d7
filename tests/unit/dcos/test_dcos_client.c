/*
 * The DC/OS client against a loopback fake of the DC/OS API: request shapes
 * (paths, media types, bodies), status mapping of every typed call, login,
 * re-login on 401, service login with a JWT, trust errors, the canary.
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "common/sa_secret.h"
#include "common/util.h"
#include "dcos/client.h"
#include "dcos/path.h"
#include "dcos/keys.h"
#include "dcos/loop.h"
#include "dcos/simdir.h"
#include "fakesrv.h"
#include "tpki.h"

#define PASSWORD "pw-CANARY-5e1d"
#define TOKEN_PREFIX "tok-CANARY-"

static struct tpki pki, other_pki;
static struct secret *sa_priv, *other_priv;
static char *sa_pub;

/* ------------------------------------------------------------------ */
/* the fake DC/OS                                                      */

struct canned {
    const char *path;      /* exact raw path */
    int status;
    const char *ctype;
    const char *body;
    const char *hdr_name;
    const char *hdr_value;
};

static struct {
    pthread_mutex_t lock;
    int seq;
    char valid[64];          /* the one token accepted */
    int logins_ok;
    int logins_failed;
    bool reject_calls;       /* 401 even with a valid token */
    struct canned canned[4];
    size_t n_canned;
    char secret_value[8192];
} F;

static bool jwt_ok(const char *jwt, const char *uid)
{
    const char *d1 = strchr(jwt, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    unsigned char *sig, *claims;
    size_t sl = 0, cl = 0;
    char *part;
    EVP_PKEY *k;
    BIO *b;
    EVP_MD_CTX *md;
    json_t *c;
    bool ok = false;

    if (!d2)
        return false;
    sig = util_b64url_decode(d2 + 1, &sl);
    part = strndup(d1 + 1, (size_t)(d2 - d1 - 1));
    claims = util_b64url_decode(part, &cl);
    free(part);
    b = BIO_new_mem_buf(sa_pub, -1);
    k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
    BIO_free(b);
    md = EVP_MD_CTX_new();
    if (sig && claims && k &&
        EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
        EVP_DigestVerify(md, sig, sl, (const unsigned char *)jwt,
                         (size_t)(d2 - jwt)) == 1) {
        c = json_loadb((const char *)claims, cl, 0, NULL);
        ok = json_is_string(json_object_get(c, "uid")) &&
             strcmp(json_string_value(json_object_get(c, "uid")), uid) == 0 &&
             json_integer_value(json_object_get(c, "exp")) > time(NULL) &&
             json_integer_value(json_object_get(c, "exp")) <
                 time(NULL) + 600;
        json_decref(c);
    }
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(k);
    free(sig);
    free(claims);
    return ok;
}

static void reply_401_html(struct fake_reply *out)
{
    fake_reply_set(out, 401, "text/html; charset=UTF-8",
                   "<html><head><title>401 Authorization Required</title>"
                   "</head><body>401</body></html>");
    out->hdr_name = "WWW-Authenticate";
    out->hdr_value = "acsjwt";
}

static void login(const struct fake_req *req, struct fake_reply *out)
{
    json_t *b = json_loads(req->body, 0, NULL);
    const char *uid = json_string_value(json_object_get(b, "uid"));
    const char *pw = json_string_value(json_object_get(b, "password"));
    const char *tok = json_string_value(json_object_get(b, "token"));
    bool ok = false;
    char body[256];

    if (strcmp(req->ctype, "application/json") != 0) {
        fake_reply_set(out, 400, "application/json",
                       "{\"code\":\"ERR_INVALID_DATA\",\"description\":"
                       "\"Missing Content-Type header\"}");
        json_decref(b);
        return;
    }
    if (uid && pw && !tok && strcmp(uid, "bootstrapuser") == 0)
        ok = strcmp(pw, PASSWORD) == 0;
    else if (uid && tok && !pw && strcmp(uid, "elastic") == 0)
        ok = jwt_ok(tok, uid);
    if (ok) {
        F.seq++;
        snprintf(F.valid, sizeof(F.valid), TOKEN_PREFIX "%d", F.seq);
        snprintf(body, sizeof(body), "{\"token\":\"%s\"}", F.valid);
        fake_reply_set(out, 200, "application/json", body);
        out->hdr_name = "Set-Cookie";
        out->hdr_value = "dcos-acs-auth-cookie=" TOKEN_PREFIX "cookie";
        F.logins_ok++;
    } else {
        fake_reply_set(out, 401, "application/json",
                       "{\"title\":\"401 Unauthorized\",\"description\":"
                       "\"Invalid credentials.\",\"code\":"
                       "\"ERR_INVALID_CREDENTIALS\"}");
        out->hdr_name = "WWW-Authenticate";
        out->hdr_value = "acsjwt";
        F.logins_failed++;
    }
    json_decref(b);
}

static void dcos_handler(const struct fake_req *req, struct fake_reply *out,
                         void *arg)
{
    char body[4096], want[128];
    size_t i;

    (void)arg;
    pthread_mutex_lock(&F.lock);
    if (strcmp(req->path, "/acs/api/v1/auth/login") == 0) {
        login(req, out);
        goto done;
    }
    if (strcmp(req->path, "/ca/dcos-ca.crt") == 0 && F.n_canned == 0) {
        fake_reply_set(out, 200, "application/x-x509-ca-cert", pki.ca_pem);
        goto done;
    }
    if (strcmp(req->path, "/dcos-metadata/dcos-version.json") != 0 &&
        strcmp(req->path, "/ca/dcos-ca.crt") != 0) {
        snprintf(want, sizeof(want), "token=%s", F.valid);
        if (!F.valid[0] || strcmp(req->auth, want) != 0 || F.reject_calls) {
            reply_401_html(out);
            goto done;
        }
    }
    for (i = 0; i < F.n_canned; i++) {
        const struct canned *c = &F.canned[i];

        if (strcmp(req->path, c->path) == 0) {
            fake_reply_set(out, c->status, c->ctype, c->body);
            out->hdr_name = c->hdr_name;
            out->hdr_value = c->hdr_value;
            goto done;
        }
    }
    if (util_has_prefix(req->path, "/secrets/v1/secret/default/")) {
        if (strcmp(req->method, "GET") == 0) {
            json_t *j = json_pack("{s:s,s:s}", "value", F.secret_value,
                                  "author", "bootstrapuser");
            char *s = json_dumps(j, JSON_COMPACT);

            fake_reply_set(out, 200, "application/json", s);
            free(s);
            json_decref(j);
        } else {
            json_t *j = json_loads(req->body, 0, NULL);
            const char *v = json_string_value(json_object_get(j, "value"));

            snprintf(F.secret_value, sizeof(F.secret_value), "%s",
                     v ? v : "");
            fake_reply_set(out, strcmp(req->method, "PUT") == 0 ? 201 : 204,
                           NULL, NULL);
            json_decref(j);
        }
        goto done;
    }
    snprintf(body, sizeof(body), "{\"method\":\"%s\",\"path\":\"%s\"}",
             req->method, req->path);
    fake_reply_set(out, 200, "application/json", body);
done:
    pthread_mutex_unlock(&F.lock);
}

static void fake_reset(void)
{
    pthread_mutex_lock(&F.lock);
    F.valid[0] = '\0';
    F.seq = 0;
    F.logins_ok = F.logins_failed = 0;
    F.reject_calls = false;
    F.n_canned = 0;
    F.secret_value[0] = '\0';
    pthread_mutex_unlock(&F.lock);
}

static void can(const char *path, int status, const char *ctype,
                const char *body)
{
    pthread_mutex_lock(&F.lock);
    F.canned[F.n_canned].path = path;
    F.canned[F.n_canned].status = status;
    F.canned[F.n_canned].ctype = ctype;
    F.canned[F.n_canned].body = body;
    F.canned[F.n_canned].hdr_name = NULL;
    F.n_canned++;
    pthread_mutex_unlock(&F.lock);
}

static void uncan(void)
{
    pthread_mutex_lock(&F.lock);
    F.n_canned = 0;
    pthread_mutex_unlock(&F.lock);
}

/* ------------------------------------------------------------------ */
/* client helpers                                                      */

struct res {
    int done;
    long status;
    int code;
    int err_status;
    char text[320];
    char body[8192];
    bool had_json;
    bool had_body;
    char secret[8192];
    bool had_secret;
};

static void on_res(const struct dcos_result *r, void *payload)
{
    struct res *x = payload;

    x->done++;
    x->status = r->status;
    x->code = r->err.code;
    x->err_status = r->err.status;
    snprintf(x->text, sizeof(x->text), "%s", r->err.text);
    x->had_json = r->json != NULL;
    x->had_body = r->body != NULL;
    if (r->body)
        snprintf(x->body, sizeof(x->body), "%.*s", (int)r->body_len,
                 r->body);
    x->had_secret = r->secret != NULL;
    if (r->secret)
        snprintf(x->secret, sizeof(x->secret), "%s", secret_str(r->secret));
}

static struct fake_srv *srv;
static char srv_url[128];

static struct dcos_client *client_pw(const char *password)
{
    struct dcos_client_options o;
    struct dcos_client *c = NULL;
    struct secret *pw = secret_new_str(password);
    struct err_info e;

    memset(&o, 0, sizeof(o));
    o.url = srv_url;
    o.ca_pem = pki.ca_pem;
    o.uid = "bootstrapuser";
    o.password = pw;
    o.retry_backoff_ms = 10; /* retries of 5xx reads: fast */
    assert_int_equal(dcos_client_new(&c, &o, NULL, &e), 0);
    secret_free(pw);
    return c;
}

static struct dcos_client *client_key(const struct secret *key)
{
    struct dcos_client_options o;
    struct dcos_client *c = NULL;
    struct err_info e;

    memset(&o, 0, sizeof(o));
    o.url = srv_url;
    o.ca_pem = pki.ca_pem;
    o.uid = "elastic";
    o.private_key = key;
    o.retry_backoff_ms = 10;
    assert_int_equal(dcos_client_new(&c, &o, NULL, &e), 0);
    return c;
}

static void wait_one(struct dcos_client *c, struct res *r)
{
    assert_int_equal(dcos_client_run(c, 20), 0);
    assert_int_equal(r->done, 1);
}

static const struct fake_req *last_req(void)
{
    size_t n = fake_count(srv);

    assert_true(n > 0);
    return fake_get(srv, n - 1);
}

/* ------------------------------------------------------------------ */
/* tests                                                               */

static void test_options_checked(void **state)
{
    struct dcos_client_options o;
    struct dcos_client *c = NULL;
    struct secret *pw = secret_new_str("x");
    struct err_info e;

    (void)state;
    memset(&o, 0, sizeof(o));
    memset(&e, 0, sizeof(e));
    o.url = "http://127.0.0.1:1";
    o.ca_pem = pki.ca_pem;
    assert_int_equal(dcos_client_new(&c, &o, NULL, &e), ERR_INVALID);
    assert_non_null(strstr(e.text, "https://"));
    o.url = srv_url;
    o.ca_pem = NULL;
    assert_int_equal(dcos_client_new(&c, &o, NULL, &e), ERR_INVALID);
    assert_non_null(strstr(e.text, "CA certificate"));
    o.ca_pem = pki.ca_pem;
    o.password = pw;
    assert_int_equal(dcos_client_new(&c, &o, NULL, &e), ERR_INVALID);
    assert_null(c);
    secret_free(pw);
}

static void test_password_login_once_for_many(void **state)
{
    struct dcos_client *c = client_pw(PASSWORD);
    struct res r[5];
    int i;

    (void)state;
    fake_reset();
    fake_clear(srv);
    memset(r, 0, sizeof(r));
    assert_false(dcos_client_has_token(c));
    for (i = 0; i < 5; i++)
        assert_int_equal(dcos_iam_user_get(c, "elastic", on_res, &r[i]), 0);
    assert_int_equal(dcos_client_run(c, 20), 0);
    for (i = 0; i < 5; i++) {
        assert_int_equal(r[i].done, 1);
        assert_int_equal(r[i].code, 0);
        assert_int_equal(r[i].status, 200);
        assert_true(r[i].had_json);
    }
    /* One login served all five calls. */
    assert_int_equal(F.logins_ok, 1);
    assert_int_equal(dcos_client_logins(c), 1);
    assert_int_equal(fake_count(srv), 6);
    assert_string_equal(fake_get(srv, 0)->path, "/acs/api/v1/auth/login");
    assert_string_equal(fake_get(srv, 0)->ctype, "application/json");
    assert_string_equal(last_req()->auth, "token=" TOKEN_PREFIX "1");
    dcos_client_free(c);
}

static void test_relogin_once_on_401(void **state)
{
    struct dcos_client *c = client_pw(PASSWORD);
    struct res r;

    (void)state;
    fake_reset();
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_iam_user_get(c, "elastic", on_res, &r), 0);
    wait_one(c, &r);
    assert_int_equal(r.code, 0);
    /* The token expires on the server: one 401, one login, one replay. */
    pthread_mutex_lock(&F.lock);
    F.valid[0] = '\0';
    pthread_mutex_unlock(&F.lock);
    fake_clear(srv);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_iam_user_get(c, "elastic", on_res, &r), 0);
    wait_one(c, &r);
    assert_int_equal(r.code, 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(dcos_client_logins(c), 2);
    assert_int_equal(fake_count(srv), 3);
    assert_string_equal(fake_get(srv, 0)->auth, "token=" TOKEN_PREFIX "1");
    assert_string_equal(fake_get(srv, 1)->path, "/acs/api/v1/auth/login");
    assert_string_equal(fake_get(srv, 2)->auth, "token=" TOKEN_PREFIX "2");

    /* A server that keeps refusing: exactly one re-login, then ERR_AUTH. */
    pthread_mutex_lock(&F.lock);
    F.reject_calls = true;
    pthread_mutex_unlock(&F.lock);
    fake_clear(srv);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_iam_user_get(c, "elastic", on_res, &r), 0);
    wait_one(c, &r);
    assert_int_equal(r.code, ERR_AUTH);
    assert_int_equal(r.status, 401);
    assert_int_equal(fake_count(srv), 3);
    assert_non_null(strstr(r.text, "401 Authorization Required"));
    assert_non_null(strstr(r.text, "/acs/api/v1/users/elastic"));
    dcos_client_free(c);
}

static void test_token_without_credentials(void **state)
{
    struct dcos_client_options o;
    struct dcos_client *c = NULL;
    struct secret *tok = secret_new_str("tok-given-directly");
    struct err_info e;
    struct res r;

    (void)state;
    fake_reset();
    fake_clear(srv);
    memset(&o, 0, sizeof(o));
    memset(&r, 0, sizeof(r));
    o.url = srv_url;
    o.ca_pem = pki.ca_pem;
    o.token = tok;
    assert_int_equal(dcos_client_new(&c, &o, NULL, &e), 0);
    secret_free(tok);
    assert_int_equal(dcos_iam_user_get(c, "elastic", on_res, &r), 0);
    wait_one(c, &r);
    assert_int_equal(r.code, ERR_AUTH);
    assert_int_equal(fake_count(srv), 1);
    assert_string_equal(fake_get(srv, 0)->auth, "token=tok-given-directly");
    assert_int_equal(dcos_client_login(c, on_res, &r), ERR_INVALID);
    dcos_client_free(c);
}

static void test_bad_credentials(void **state)
{
    struct dcos_client *c = client_pw("wrong-password");
    struct res r[2];

    (void)state;
    fake_reset();
    fake_clear(srv);
    memset(r, 0, sizeof(r));
    assert_int_equal(dcos_iam_user_get(c, "elastic", on_res, &r[0]), 0);
    assert_int_equal(dcos_secret_get(c, "elastic/secret", on_res, &r[1]), 0);
    assert_int_equal(dcos_client_run(c, 20), 0);
    assert_int_equal(r[0].code, ERR_AUTH);
    assert_int_equal(r[1].code, ERR_AUTH);
    assert_string_equal(r[0].text,
                        "login as bootstrapuser failed: Invalid credentials."
                        " (ERR_INVALID_CREDENTIALS) - HTTP 401");
    assert_int_equal(r[0].err_status, 401);
    /* One failed login, and the calls never went out. */
    assert_int_equal(fake_count(srv), 1);
    assert_int_equal(F.logins_failed, 1);
    dcos_client_free(c);
}

static void test_explicit_login(void **state)
{
    struct dcos_client *c = client_pw(PASSWORD);
    struct res r;

    (void)state;
    fake_reset();
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_client_login(c, on_res, &r), 0);
    wait_one(c, &r);
    assert_int_equal(r.code, 0);
    assert_int_equal(r.status, 200);
    assert_false(r.had_body);
    assert_false(r.had_json);
    assert_true(dcos_client_has_token(c));
    dcos_client_free(c);
}

static void test_service_login_jwt(void **state)
{
    struct dcos_client *c = client_key(sa_priv);
    struct res r;

    (void)state;
    fake_reset();
    fake_clear(srv);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_secret_get(c, "elastic/x", on_res, &r), 0);
    wait_one(c, &r);
    assert_int_equal(r.code, 0);
    assert_int_equal(F.logins_ok, 1);
    assert_non_null(strstr(fake_get(srv, 0)->body, "\"uid\":\"elastic\""));
    assert_non_null(strstr(fake_get(srv, 0)->body, "\"token\":\"eyJ"));
    assert_null(strstr(fake_get(srv, 0)->body, "password"));
    dcos_client_free(c);

    /* A key the account does not have: refused. */
    c = client_key(other_priv);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_secret_get(c, "elastic/x", on_res, &r), 0);
    wait_one(c, &r);
    assert_int_equal(r.code, ERR_AUTH);
    assert_non_null(strstr(r.text, "login as elastic failed"));
    dcos_client_free(c);
}

static void test_wrong_ca_and_unreachable(void **state)
{
    struct dcos_client_options o;
    struct dcos_client *c = NULL;
    struct err_info e;
    struct res r;
    char url[64];

    (void)state;
    fake_reset();
    fake_clear(srv);
    memset(&o, 0, sizeof(o));
    memset(&r, 0, sizeof(r));
    o.url = srv_url;
    o.ca_pem = other_pki.ca_pem;
    assert_int_equal(dcos_client_new(&c, &o, NULL, &e), 0);
    assert_int_equal(dcos_version_get(c, on_res, &r), 0);
    wait_one(c, &r);
    assert_int_equal(r.code, ERR_INVALID);
    assert_non_null(strstr(r.text, "SSL certificate problem"));
    assert_null(strchr(r.text, '\n'));
    assert_int_equal(fake_count(srv), 0);
    dcos_client_free(c);

    snprintf(url, sizeof(url), "https://127.0.0.1:%d", fake_closed_port());
    o.url = url;
    o.ca_pem = pki.ca_pem;
    o.retry_backoff_ms = 10;
    assert_int_equal(dcos_client_new(&c, &o, NULL, &e), 0);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_version_get(c, on_res, &r), 0);
    wait_one(c, &r);
    assert_int_equal(r.code, ERR_TRANSIENT);
    assert_non_null(strstr(r.text, "(curl 7)"));
    assert_non_null(strstr(r.text, "(4 attempts in "));
    dcos_client_free(c);
}

static void test_insecure_then_ca(void **state)
{
    struct dcos_client_options o;
    struct dcos_client *c = NULL;
    struct err_info e;
    struct res r;
    char *pem;

    (void)state;
    fake_reset();
    memset(&o, 0, sizeof(o));
    memset(&r, 0, sizeof(r));
    o.url = srv_url;
    o.insecure = true;
    assert_int_equal(dcos_client_new(&c, &o, NULL, &e), 0);
    assert_int_equal(dcos_ca_cert_get(c, on_res, &r), 0);
    wait_one(c, &r);
    assert_int_equal(r.code, 0);
    assert_true(util_has_prefix(r.body, "-----BEGIN CERTIFICATE-----"));
    pem = strdup(r.body);
    assert_int_equal(dcos_client_set_ca_pem(c, pem), 0);
    free(pem);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_version_get(c, on_res, &r), 0);
    wait_one(c, &r);
    assert_int_equal(r.code, 0);
    /* The trust is now the fetched CA only. */
    assert_int_equal(dcos_client_set_ca_pem(c, other_pki.ca_pem), 0);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_version_get(c, on_res, &r), 0);
    wait_one(c, &r);
    assert_int_equal(r.code, ERR_INVALID);
    dcos_client_free(c);
}

static void test_ca_cert_must_be_pem(void **state)
{
    struct dcos_client *c = client_pw(PASSWORD);
    struct res r;

    (void)state;
    fake_reset();
    can("/ca/dcos-ca.crt", 200, "text/html", "<html>not a cert</html>");
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_ca_cert_get(c, on_res, &r), 0);
    wait_one(c, &r);
    assert_int_equal(r.code, ERR_INVALID);
    assert_non_null(strstr(r.text, "PEM certificate bundle"));
    /* no token needed: no login happened */
    assert_int_equal(F.logins_ok, 0);
    dcos_client_free(c);
}

/* --- request shapes --- */

#define MT(k, v) "application/vnd.dcos." k "+json;charset=utf-8;version=" v
#define MTE MT("package.error", "v1")

struct shape {
    const char *method;
    const char *path;
    const char *query;
    const char *ctype;
    const char *accept;
    const char *body; /* exact, or NULL: not checked */
};

static void check_shape(const struct shape *s)
{
    const struct fake_req *q = last_req();

    assert_string_equal(q->method, s->method);
    assert_string_equal(q->path, s->path);
    assert_string_equal(q->query, s->query ? s->query : "");
    assert_string_equal(q->ctype, s->ctype ? s->ctype : "");
    /* Without an explicit Accept curl sends its default. */
    assert_string_equal(q->accept, s->accept ? s->accept : "*/*");
    if (s->body)
        assert_string_equal(q->body, s->body);
    assert_true(util_has_prefix(q->auth, "token=" TOKEN_PREFIX) ||
                strcmp(s->path, "/dcos-metadata/dcos-version.json") == 0);
}

static void test_request_shapes(void **state)
{
    struct dcos_client *c = client_pw(PASSWORD);
    json_t *opts = json_pack("{s:{s:s,s:{s:{s:b}}}}", "service", "name",
                             "elastic", "security", "transport_encryption",
                             "enabled", 1);
    struct res r;
    struct secret *sv = secret_new_str("{\"scheme\":\"RS256\"}");

    (void)state;
    fake_reset();
#define RUN(call, ...)                                                        \
    do {                                                                      \
        static const struct shape sh = __VA_ARGS__;                           \
        memset(&r, 0, sizeof(r));                                             \
        assert_int_equal(call, 0);                                            \
        wait_one(c, &r);                                                      \
        if (r.code)                                                           \
            fail_msg("%s: %s", #call, r.text);                                \
        check_shape(&sh);                                                     \
    } while (0)

    RUN(dcos_version_get(c, on_res, &r),
        { "GET", "/dcos-metadata/dcos-version.json", NULL, NULL,
          "application/json", NULL });
    RUN(dcos_iam_user_get(c, "elastic", on_res, &r),
        { "GET", "/acs/api/v1/users/elastic", NULL, NULL, "application/json",
          NULL });
    RUN(dcos_iam_user_put(c, "elastic", "Elastic service account",
                          "-----BEGIN PUBLIC KEY-----\nAB\n", on_res, &r),
        { "PUT", "/acs/api/v1/users/elastic", NULL, "application/json",
          "application/json",
          "{\"public_key\":\"-----BEGIN PUBLIC KEY-----\\nAB\\n\","
          "\"description\":\"Elastic service account\"}" });
    RUN(dcos_iam_user_delete(c, "elastic", on_res, &r),
        { "DELETE", "/acs/api/v1/users/elastic", NULL, NULL, NULL, NULL });
    RUN(dcos_iam_group_users_get(c, "superusers", true, on_res, &r),
        { "GET", "/acs/api/v1/groups/superusers/users", "type=service", NULL,
          "application/json", NULL });
    RUN(dcos_iam_group_users_get(c, "superusers", false, on_res, &r),
        { "GET", "/acs/api/v1/groups/superusers/users", NULL, NULL,
          "application/json", NULL });
    RUN(dcos_iam_group_user_put(c, "superusers", "elastic", on_res, &r),
        { "PUT", "/acs/api/v1/groups/superusers/users/elastic", NULL, NULL,
          NULL, "" });
    RUN(dcos_iam_group_user_delete(c, "superusers", "elastic", on_res, &r),
        { "DELETE", "/acs/api/v1/groups/superusers/users/elastic", NULL,
          NULL, NULL, NULL });
    RUN(dcos_iam_acl_put(c, "dcos:secrets:default:/elastic/*", "d", on_res,
                         &r),
        { "PUT", "/acs/api/v1/acls/dcos:secrets:default:%252Felastic%252F*",
          NULL, "application/json", "application/json",
          "{\"description\":\"d\"}" });
    RUN(dcos_iam_acl_user_grant(c, "dcos:adminrouter:ops:ca:rw", "elastic",
                                "full", on_res, &r),
        { "PUT",
          "/acs/api/v1/acls/dcos:adminrouter:ops:ca:rw/users/elastic/"
          "full",
          NULL, NULL, NULL, "" });
    RUN(dcos_iam_acl_user_allowed(c, "dcos:secrets:list:default:/elastic",
                                  "elastic", "read", on_res, &r),
        { "GET",
          "/acs/api/v1/acls/dcos:secrets:list:default:%252Felastic/users/"
          "elastic/read",
          NULL, NULL, "application/json", NULL });
    RUN(dcos_iam_user_permissions_get(c, "elastic", on_res, &r),
        { "GET", "/acs/api/v1/users/elastic/permissions", NULL, NULL,
          "application/json", NULL });
    RUN(dcos_secret_put(c, "elastic/secret", sv, on_res, &r),
        { "PUT", "/secrets/v1/secret/default/elastic/secret", NULL,
          "application/json", "application/json",
          "{\"value\":\"{\\\"scheme\\\":\\\"RS256\\\"}\"}" });
    RUN(dcos_secret_patch(c, "/elastic/secret", sv, on_res, &r),
        { "PATCH", "/secrets/v1/secret/default/elastic/secret", NULL,
          "application/json", "application/json", NULL });
    RUN(dcos_secret_get(c, "elastic/secret", on_res, &r),
        { "GET", "/secrets/v1/secret/default/elastic/secret", NULL, NULL,
          "application/json", NULL });
    assert_true(r.had_secret);
    assert_false(r.had_body);
    assert_false(r.had_json);
    assert_string_equal(r.secret, "{\"scheme\":\"RS256\"}");
    RUN(dcos_secret_delete(c, "elastic/secret", on_res, &r),
        { "DELETE", "/secrets/v1/secret/default/elastic/secret", NULL, NULL,
          "application/json", NULL });
    RUN(dcos_cosmos_package_install(c, "beta-elastic", "2.1.2-5.6.5-beta",
                                    opts, on_res, &r),
        { "POST", "/package/install", NULL,
          MT("package.install-request", "v1"),
          MT("package.install-response", "v2") "," MTE,
          "{\"packageName\":\"beta-elastic\",\"packageVersion\":"
          "\"2.1.2-5.6.5-beta\",\"options\":{\"service\":{\"name\":"
          "\"elastic\",\"security\":{\"transport_encryption\":{\"enabled\":"
          "true}}}}}" });
    RUN(dcos_cosmos_package_install(c, "beta-elastic", NULL, NULL, on_res,
                                    &r),
        { "POST", "/package/install", NULL,
          MT("package.install-request", "v1"),
          MT("package.install-response", "v2") "," MTE,
          "{\"packageName\":\"beta-elastic\"}" });
    RUN(dcos_cosmos_package_list(c, "beta-elastic", NULL, on_res, &r),
        { "POST", "/package/list", NULL, MT("package.list-request", "v1"),
          MT("package.list-response", "v1") "," MTE,
          "{\"packageName\":\"beta-elastic\"}" });
    RUN(dcos_cosmos_package_describe(c, "beta-elastic", NULL, on_res, &r),
        { "POST", "/package/describe", NULL,
          MT("package.describe-request", "v1"),
          MT("package.describe-response", "v3") "," MTE,
          "{\"packageName\":\"beta-elastic\"}" });
    RUN(dcos_cosmos_service_describe(c, "/elastic", on_res, &r),
        { "POST", "/cosmos/service/describe", NULL,
          MT("service.describe-request", "v1"),
          MT("service.describe-response", "v1") "," MTE,
          "{\"appId\":\"/elastic\"}" });
    RUN(dcos_cosmos_service_update(c, "elastic", opts, NULL, false, on_res,
                                   &r),
        { "POST", "/cosmos/service/update", NULL,
          MT("service.update-request", "v1"),
          MT("service.update-response", "v1") "," MTE,
          "{\"appId\":\"elastic\",\"replace\":false,\"options\":{\"service\":"
          "{\"name\":\"elastic\",\"security\":{\"transport_encryption\":"
          "{\"enabled\":true}}}}}" });
    RUN(dcos_sdk_plan_get(c, "elastic", "deploy", on_res, &r),
        { "GET", "/service/elastic/v1/plans/deploy", NULL, NULL,
          "application/json", NULL });
    RUN(dcos_sdk_endpoint_get(c, "/elastic", "coordinator-http", on_res, &r),
        { "GET", "/service/elastic/v1/endpoints/coordinator-http", NULL, NULL,
          "application/json", NULL });
    RUN(dcos_sdk_pod_list(c, "test/elastic", on_res, &r),
        { "GET", "/service/test/elastic/v1/pod", NULL, NULL,
          "application/json", NULL });
    RUN(dcos_sdk_pod_info(c, "elastic", "master-0", on_res, &r),
        { "GET", "/service/elastic/v1/pod/master-0/info", NULL, NULL,
          "application/json", NULL });
    RUN(dcos_sdk_configuration_get(c, "elastic", "6f1d", on_res, &r),
        { "GET", "/service/elastic/v1/configurations/6f1d", NULL, NULL,
          "application/json", NULL });
    RUN(dcos_sdk_target_id_get(c, "elastic", on_res, &r),
        { "GET", "/service/elastic/v1/configurations/targetId", NULL, NULL,
          "application/json", NULL });
    RUN(dcos_marathon_app_get(c, "/elastic", on_res, &r),
        { "GET", "/service/marathon/v2/apps/elastic", "embed=app.counts",
          NULL,
          "application/json", NULL });
    RUN(dcos_marathon_app_restart(c, "/elastic", true, on_res, &r),
        { "POST", "/service/marathon/v2/apps/elastic/restart", "force=true",
          NULL,
          "application/json", "" });
#undef RUN
    /* Invalid arguments fail at once; done is never called. */
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_secret_get(c, "a/../b", on_res, &r), ERR_INVALID);
    assert_int_equal(dcos_secret_get(c, "a//b", on_res, &r), ERR_INVALID);
    assert_int_equal(dcos_secret_put(c, "a", NULL, on_res, &r), ERR_INVALID);
    assert_int_equal(dcos_iam_user_get(c, "", on_res, &r), ERR_INVALID);
    assert_int_equal(dcos_sdk_plan_get(c, "../x", "deploy", on_res, &r),
                     ERR_INVALID);
    assert_int_equal(r.done, 0);
    json_decref(opts);
    secret_free(sv);
    dcos_client_free(c);
}

static void test_rid_encode(void **state)
{
    char *s;

    (void)state;
    s = dcos_rid_encode("dcos:secrets:default:/elastic/*");
    assert_string_equal(s, "dcos:secrets:default:%252Felastic%252F*");
    free(s);
    s = dcos_rid_encode("dcos:superuser");
    assert_string_equal(s, "dcos:superuser");
    free(s);
    s = dcos_rid_encode("a b%");
    assert_string_equal(s, "a%2520b%2525");
    free(s);
}

/* --- status mapping --- */

static const char *const IAM_UNKNOWN_USER =
    "{\"title\":\"Bad Request\",\"description\":\"User with uid `elastic` "
    "not known.\",\"code\":\"ERR_UNKNOWN_USER_ID\"}";
static const char *const IAM_EXISTS =
    "{\"title\":\"Conflict\",\"description\":\"User with id `elastic` "
    "already exists.\",\"code\":\"ERR_USER_EXISTS\"}";
static const char *const HTML_502 =
    "<html><head><title>502 Bad Gateway</title></head></html>";

static char *fixture_text(const char *rel)
{
    char path[1024], *t = NULL;
    size_t len;

    snprintf(path, sizeof(path), "%s/%s", ETLS_FIXTURES_DIR, rel);
    assert_int_equal(util_read_file(&t, &len, path, 1 << 20), 0);
    return t;
}

typedef int (*call_fn)(struct dcos_client *c, struct res *r);

static int c_user_get(struct dcos_client *c, struct res *r)
{
    return dcos_iam_user_get(c, "elastic", on_res, r);
}
static int c_user_put(struct dcos_client *c, struct res *r)
{
    return dcos_iam_user_put(c, "elastic", NULL, "k", on_res, r);
}
static int c_user_delete(struct dcos_client *c, struct res *r)
{
    return dcos_iam_user_delete(c, "elastic", on_res, r);
}
static int c_member_put(struct dcos_client *c, struct res *r)
{
    return dcos_iam_group_user_put(c, "superusers", "elastic", on_res, r);
}
static int c_group_users(struct dcos_client *c, struct res *r)
{
    return dcos_iam_group_users_get(c, "superusers", true, on_res, r);
}
static int c_acl_put(struct dcos_client *c, struct res *r)
{
    return dcos_iam_acl_put(c, "dcos:superuser", NULL, on_res, r);
}
static int c_grant(struct dcos_client *c, struct res *r)
{
    return dcos_iam_acl_user_grant(c, "dcos:superuser", "elastic", "full",
                                   on_res, r);
}
static int c_secret_get(struct dcos_client *c, struct res *r)
{
    return dcos_secret_get(c, "s", on_res, r);
}
static int c_secret_put(struct dcos_client *c, struct res *r)
{
    struct secret *v = secret_new_str("v");
    int x = dcos_secret_put(c, "s", v, on_res, r);

    secret_free(v);
    return x;
}
static int c_install(struct dcos_client *c, struct res *r)
{
    return dcos_cosmos_package_install(c, "beta-elastic", NULL, NULL, on_res,
                                       r);
}
static int c_describe(struct dcos_client *c, struct res *r)
{
    return dcos_cosmos_service_describe(c, "/elastic", on_res, r);
}
static int c_update(struct dcos_client *c, struct res *r)
{
    return dcos_cosmos_service_update(c, "/elastic", NULL, NULL, false,
                                      on_res, r);
}
static int c_plan(struct dcos_client *c, struct res *r)
{
    return dcos_sdk_plan_get(c, "elastic", "deploy", on_res, r);
}
static int c_endpoint(struct dcos_client *c, struct res *r)
{
    return dcos_sdk_endpoint_get(c, "elastic", "nope", on_res, r);
}
static int c_restart(struct dcos_client *c, struct res *r)
{
    return dcos_marathon_app_restart(c, "/elastic", false, on_res, r);
}
static int c_app_get(struct dcos_client *c, struct res *r)
{
    return dcos_marathon_app_get(c, "/elastic", on_res, r);
}

struct map_case {
    call_fn call;
    const char *path;
    int status;
    const char *ctype;
    const char *body;     /* or "@fixture/path" */
    int want;
    const char *want_text;
};

static void test_status_mapping(void **state)
{

    static const struct map_case cases[] = {
        { c_user_get, "/acs/api/v1/users/elastic", 400, "application/json",
          NULL /* IAM_UNKNOWN_USER */, ERR_NOTFOUND, "ERR_UNKNOWN_USER_ID" },
        { c_user_get, "/acs/api/v1/users/elastic", 404, "text/plain", "no",
          ERR_NOTFOUND, "HTTP 404" },
        { c_user_put, "/acs/api/v1/users/elastic", 201, NULL, "", 0, NULL },
        { c_user_put, "/acs/api/v1/users/elastic", 409, "application/json",
          "@exists", ERR_CONFLICT, "already exists. (ERR_USER_EXISTS)" },
        { c_user_put, "/acs/api/v1/users/elastic", 400, "application/json",
          "{\"title\":\"Bad Request\",\"description\":\"bad key\","
          "\"code\":\"ERR_INVALID_PUBLIC_KEY\"}",
          ERR_INVALID, "bad key (ERR_INVALID_PUBLIC_KEY) - HTTP 400" },
        { c_user_delete, "/acs/api/v1/users/elastic", 204, NULL, "", 0, NULL },
        { c_member_put, "/acs/api/v1/groups/superusers/users/elastic", 204,
          NULL, "", 0, NULL },
        { c_member_put, "/acs/api/v1/groups/superusers/users/elastic", 409,
          "application/json",
          "{\"code\":\"ERR_USER_ALREADY_IN_GROUP\",\"description\":\"x\"}",
          ERR_CONFLICT, "ERR_USER_ALREADY_IN_GROUP" },
        { c_member_put, "/acs/api/v1/groups/superusers/users/elastic", 400,
          "application/json",
          "{\"code\":\"ERR_UNKNOWN_GROUP_ID\",\"description\":\"no group\"}",
          ERR_NOTFOUND, "no group" },
        { c_group_users, "/acs/api/v1/groups/superusers/users", 403,
          "text/html", "<html><title>403 Forbidden</title></html>", ERR_AUTH,
          "403 Forbidden - HTTP 403 on GET" },
        { c_acl_put, "/acs/api/v1/acls/dcos:superuser", 409,
          "application/json", "{\"code\":\"ERR_ACL_EXISTS\"}", 0, NULL },
        { c_acl_put, "/acs/api/v1/acls/dcos:superuser", 201, NULL, "", 0,
          NULL },
        { c_grant, "/acs/api/v1/acls/dcos:superuser/users/elastic/full", 409,
          NULL, "", 0, NULL },
        { c_grant, "/acs/api/v1/acls/dcos:superuser/users/elastic/full", 204,
          NULL, "", 0, NULL },
        { c_secret_get, "/secrets/v1/secret/default/s", 404, NULL, "",
          ERR_NOTFOUND, "HTTP 404" },
        { c_secret_put, "/secrets/v1/secret/default/s", 409, NULL, "",
          ERR_CONFLICT, "HTTP 409" },
        { c_install, "/package/install", 409, MTE,
          "{\"type\":\"PackageAlreadyInstalled\",\"message\":\"Package is "
          "already installed\"}",
          ERR_CONFLICT, "PackageAlreadyInstalled: Package is already" },
        { c_install, "/package/install", 400, MTE,
          "@mesosphere__dcos-commons/cli/client/testdata/responses/cosmos/"
          "1.10/enterprise/bad-json.json",
          ERR_INVALID, "JsonSchemaMismatch: Options JSON failed validation; "
                       "/world/cpus: " },
        { c_install, "/package/install", 400, MTE,
          "{\"type\":\"PackageNotFound\",\"message\":\"Package [x] not "
          "found\"}",
          ERR_NOTFOUND, "PackageNotFound" },
        { c_describe, "/cosmos/service/describe", 400, MTE,
          "@mesosphere__dcos-commons/cli/client/testdata/responses/cosmos/"
          "1.10/enterprise/bad-name.json",
          ERR_NOTFOUND, "MarathonAppNotFound" },
        { c_update, "/cosmos/service/update", 500, MTE,
          "@mesosphere__dcos-commons/cli/client/testdata/responses/cosmos/"
          "1.10/enterprise/marathon-error.json",
          ERR_TRANSIENT, "unhandled_exception" },
        { c_update, "/cosmos/service/update", 400, MTE,
          "@mesosphere__dcos-commons/cli/client/testdata/responses/cosmos/"
          "1.10/enterprise/bad-app-id.json",
          ERR_INVALID, "AppIdChanged" },
        { c_plan, "/service/elastic/v1/plans/deploy", 202, "application/json",
          "{\"status\":\"IN_PROGRESS\"}", 0, NULL },
        { c_plan, "/service/elastic/v1/plans/deploy", 417,
          "application/json", "{\"status\":\"ERROR\"}", 0, NULL },
        { c_plan, "/service/elastic/v1/plans/deploy", 502, "text/html",
          NULL /* HTML_502 */, ERR_TRANSIENT, "502 Bad Gateway - HTTP 502" },
        { c_plan, "/service/elastic/v1/plans/deploy", 503, "text/html",
          "<html><title>503</title></html>", ERR_TRANSIENT, "HTTP 503" },
        { c_plan, "/service/elastic/v1/plans/deploy", 404, "text/html",
          "<html><title>404 Not Found</title></html>", ERR_TRANSIENT,
          "404 Not Found" },
        { c_plan, "/service/elastic/v1/plans/deploy", 404, "text/plain",
          "@mesosphere__dcos-commons/cli/queries/testdata/responses/"
          "scheduler/not-found.txt",
          ERR_NOTFOUND, "Element not found - HTTP 404" },
        { c_endpoint, "/service/elastic/v1/endpoints/nope", 404, NULL, "",
          ERR_NOTFOUND, "HTTP 404" },
        { c_restart, "/service/marathon/v2/apps/elastic/restart", 409,
          "application/json",
          "{\"message\":\"App is locked by one or more deployments.\"}",
          ERR_CONFLICT, "App is locked" },
        { c_app_get, "/service/marathon/v2/apps/elastic", 404,
          "application/json",
          "{\"message\":\"App '/elastic' does not exist\"}", ERR_NOTFOUND,
          "does not exist" },
        { c_app_get, "/service/marathon/v2/apps/elastic", 429, NULL, "",
          ERR_TRANSIENT, "HTTP 429" },
    };
    struct dcos_client *c = client_pw(PASSWORD);
    size_t i;

    (void)state;
    fake_reset();
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct map_case *m = &cases[i];
        const char *body = m->body;
        char *owned = NULL;
        struct res r;

        if (!body)
            body = m->status == 400 ? IAM_UNKNOWN_USER : HTML_502;
        else if (strcmp(body, "@exists") == 0)
            body = IAM_EXISTS;
        else if (body[0] == '@')
            body = owned = fixture_text(body + 1);
        uncan();
        can(m->path, m->status, m->ctype, body);
        memset(&r, 0, sizeof(r));
        assert_int_equal(m->call(c, &r), 0);
        wait_one(c, &r);
        if (r.code != m->want || r.status != m->status)
            fail_msg("case %zu (%s %d): code %d status %ld: %s", i, m->path,
                     m->status, r.code, r.status, r.text);
        if (m->want_text && !strstr(r.text, m->want_text))
            fail_msg("case %zu: '%s' lacks '%s'", i, r.text, m->want_text);
        if (m->want)
            assert_int_equal(r.err_status, m->status);
        assert_null(strchr(r.text, '\n'));
        free(owned);
    }
    uncan();
    dcos_client_free(c);
}

static void test_from_sim_dir(void **state)
{
    char dir[] = "/tmp/etls-simdir-XXXXXX", path[256], ca[256], *json;
    struct dcos_client *c = NULL;
    struct err_info e;
    struct res r;
    FILE *f;

    (void)state;
    fake_reset();
    assert_non_null(mkdtemp(dir));
    snprintf(ca, sizeof(ca), "%s/ca.crt", dir);
    f = fopen(ca, "w");
    fputs(pki.ca_pem, f);
    fclose(f);
    json = malloc(2048);
    snprintf(json, 2048,
             "{\"url\":\"%s\",\"ca_cert\":\"%s\",\"uid\":\"bootstrapuser\","
             "\"password\":\"%s\",\"control_token\":\"ct\"}",
             srv_url, ca, PASSWORD);
    snprintf(path, sizeof(path), "%s/cluster.json", dir);
    f = fopen(path, "w");
    fputs(json, f);
    fclose(f);
    free(json);
    memset(&e, 0, sizeof(e));
    assert_int_equal(dcos_client_from_sim_dir(&c, dir, NULL, &e), 0);
    assert_string_equal(dcos_client_url(c), srv_url);
    memset(&r, 0, sizeof(r));
    assert_int_equal(dcos_iam_user_get(c, "elastic", on_res, &r), 0);
    wait_one(c, &r);
    assert_int_equal(r.code, 0);
    assert_int_equal(dcos_client_logins(c), 1);
    dcos_client_free(c);
    c = NULL;
    f = fopen(path, "w");
    fputs("{\"url\":\"x\"}", f);
    fclose(f);
    assert_int_equal(dcos_client_from_sim_dir(&c, dir, NULL, &e),
                     ERR_INVALID);
    assert_non_null(strstr(e.text, "ca_cert"));
    unlink(path);
    assert_int_equal(dcos_client_from_sim_dir(&c, dir, NULL, &e),
                     ERR_NOTFOUND);
    assert_null(c);
    unlink(ca);
    rmdir(dir);
}

/*
 * The canary: a known password, the tokens the fake issues, a private key
 * and a secret value go through login, re-login, service login and secret
 * calls with tracing on; neither stdout nor stderr may show any of them.
 */
static void test_canary(void **state)
{
    static const char secret_val[] = "secret-CANARY-0b7c";
    char out_path[] = "/tmp/etls-canary-XXXXXX";
    int fd = mkstemp(out_path), saved_err, saved_out;
    struct dcos_client *c;
    struct secret *v = secret_new_str(secret_val), *sa = NULL;
    char *text = NULL, line[80];
    const char *keyline;
    size_t len = 0;
    struct res r;
    int i;

    (void)state;
    assert_true(fd >= 0);
    fake_reset();
    fflush(stdout);
    fflush(stderr);
    saved_err = dup(2);
    saved_out = dup(1);
    dup2(fd, 2);
    dup2(fd, 1);

    c = client_pw(PASSWORD);
    dcos_client_set_trace(c, stderr);
    memset(&r, 0, sizeof(r));
    dcos_secret_put(c, "elastic/secret", v, on_res, &r);
    dcos_client_run(c, 20);
    memset(&r, 0, sizeof(r));
    dcos_secret_get(c, "elastic/secret", on_res, &r);
    dcos_client_run(c, 20);
    pthread_mutex_lock(&F.lock);
    F.valid[0] = '\0'; /* force a re-login */
    pthread_mutex_unlock(&F.lock);
    memset(&r, 0, sizeof(r));
    dcos_iam_user_get(c, "elastic", on_res, &r);
    dcos_client_run(c, 20);
    dcos_client_free(c);

    sa_secret_build(&sa, "elastic", sa_priv, NULL);
    c = client_key(sa_priv);
    dcos_client_set_trace(c, stdout);
    memset(&r, 0, sizeof(r));
    dcos_secret_put(c, "elastic/sa", sa, on_res, &r);
    dcos_client_run(c, 20);
    memset(&r, 0, sizeof(r));
    dcos_secret_get(c, "elastic/sa", on_res, &r);
    dcos_client_run(c, 20);
    dcos_client_free(c);

    fflush(stdout);
    fflush(stderr);
    dup2(saved_err, 2);
    dup2(saved_out, 1);
    close(saved_err);
    close(saved_out);
    close(fd);

    assert_int_equal(util_read_file(&text, &len, out_path, 1 << 24), 0);
    unlink(out_path);
    /* The calls really happened and the trace really ran. */
    assert_true(F.logins_ok >= 3);
    assert_non_null(
        strstr(text, "> PUT /secrets/v1/secret/default/elastic/sa"));
    assert_non_null(strstr(text, "Authorization: <redacted>"));
    assert_non_null(strstr(text, "Set-Cookie: <redacted>"));
    assert_null(strstr(text, PASSWORD));
    assert_null(strstr(text, TOKEN_PREFIX));
    assert_null(strstr(text, secret_val));
    assert_null(strstr(text, "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9"));
    /* No line of the private key's base64 body. */
    keyline = strchr((const char *)sa_priv->buf, '\n') + 1;
    for (i = 0; i < 20; i++) {
        const char *nl = strchr(keyline, '\n');

        snprintf(line, sizeof(line), "%.*s", (int)(nl - keyline), keyline);
        if (strstr(text, line))
            fail_msg("private key line %d leaked", i);
        keyline = nl + 1;
    }
    free(text);
    secret_free(v);
    secret_free(sa);
}

static int setup(void **state)
{
    static const char *const dns[] = { "localhost" };
    static const char *const ips[] = { "127.0.0.1" };

    (void)state;
    pthread_mutex_init(&F.lock, NULL);
    if (dcos_global_init() ||
        tpki_make(&pki, "fake cluster CA", "master.mesos", dns, 1, ips, 1) ||
        tpki_make(&other_pki, "other CA", "master.mesos", dns, 1, ips, 1) ||
        dcos_key_generate(&sa_priv, &sa_pub))
        return -1;
    {
        char *p = NULL;
        int r = dcos_key_generate(&other_priv, &p);

        free(p);
        if (r)
            return -1;
    }
    if (fake_start(&srv, pki.cert_pem, pki.key_pem, dcos_handler, NULL))
        return -1;
    snprintf(srv_url, sizeof(srv_url), "https://127.0.0.1:%d/",
             fake_port(srv));
    /* The client strips the trailing slash; keep the stripped form. */
    srv_url[strlen(srv_url) - 1] = '\0';
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fake_stop(srv);
    tpki_free(&pki);
    tpki_free(&other_pki);
    secret_free(sa_priv);
    secret_free(other_priv);
    free(sa_pub);
    dcos_global_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_checked),
        cmocka_unit_test(test_password_login_once_for_many),
        cmocka_unit_test(test_relogin_once_on_401),
        cmocka_unit_test(test_token_without_credentials),
        cmocka_unit_test(test_bad_credentials),
        cmocka_unit_test(test_explicit_login),
        cmocka_unit_test(test_service_login_jwt),
        cmocka_unit_test(test_wrong_ca_and_unreachable),
        cmocka_unit_test(test_insecure_then_ca),
        cmocka_unit_test(test_ca_cert_must_be_pem),
        cmocka_unit_test(test_request_shapes),
        cmocka_unit_test(test_rid_encode),
        cmocka_unit_test(test_status_mapping),
        cmocka_unit_test(test_from_sim_dir),
        cmocka_unit_test(test_canary),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
