/*
 * The DC/OS client against a hostile fake server (issue 10): error bodies
 * that echo the request (password, service-login JWT, key) or its headers
 * (the token) never reach a message; a token holding CR/LF is never sent;
 * the cluster URL is checked before anything is sent or printed; a CA file
 * that is a FIFO is refused without blocking.  Each case failed before the
 * fix it guards.
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
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "dcos/client.h"
#include "dcos/keys.h"
#include "dcos/redact.h"
#include "dcos/url.h"
#include "fakesrv.h"
#include "tpki.h"

#define PASSWORD "pw-CANARY-7f3a-Hunter2"
#define TOKEN "tok-CANARY-0123456789abcdef0123456789abcdef"

static struct tpki_server T;

/* What the fake answers: 0 echo the login body in a 400, 1 a 200 with
 * TOKEN and a 500 echoing the request headers to every other call, 2 a
 * login answer whose token holds CR/LF, 3 echo every body in a 400. */
static int g_mode;

static void handler(const struct fake_req *req, struct fake_reply *out,
                    void *arg)
{
    char *body;

    (void)arg;
    if (strcmp(req->path, "/acs/api/v1/auth/login") == 0) {
        if (g_mode == 0 || g_mode == 3) {
            body = util_format("{\"message\":\"bad request: %s\"}",
                               req->body);
            /* Not JSON-quoted on purpose: a careless server. */
            fake_reply_set(out, 400, "text/plain", body);
            free(body);
        } else if (g_mode == 2) {
            fake_reply_set(out, 200, "application/json",
                           "{\"token\":\"abc\\r\\nX-Injected: 1\"}");
        } else {
            fake_reply_set(out, 200, "application/json",
                           "{\"token\":\"" TOKEN "\"}");
        }
        return;
    }
    if (g_mode == 3) {
        body = util_format("{\"message\":\"cannot store %s\"}", req->body);
        fake_reply_set(out, 400, "application/json", body);
        free(body);
        return;
    }
    /* Echo the request headers, as a debugging proxy might. */
    body = util_format("internal error; request was: %s %s "
                       "Authorization: %s",
                       req->method, req->path, req->auth);
    fake_reply_set(out, 500, "text/plain", body);
    free(body);
}

struct res {
    int done;
    int code;
    char text[320];
};

static void on_res(const struct dcos_result *r, void *payload)
{
    struct res *x = payload;

    x->done++;
    x->code = r->err.code;
    snprintf(x->text, sizeof(x->text), "%s", r->err.text);
}

static struct dcos_client *client(const struct secret *pw,
                                  const struct secret *key, const char *uid,
                                  const struct secret *tok)
{
    struct dcos_client_options o;
    struct dcos_client *c = NULL;
    struct err_info e;

    memset(&o, 0, sizeof(o));
    o.url = T.url;
    o.ca_pem = T.pki.ca_pem;
    o.uid = uid;
    o.password = pw;
    o.private_key = key;
    o.token = tok;
    o.max_attempts = 1;
    assert_int_equal(dcos_client_new(&c, &o, NULL, &e), 0);
    return c;
}

static void assert_clean(const char *text, const char *secret, size_t min)
{
    size_t n = strlen(secret), i;
    char part[64];

    /* Not the secret, and no piece of it of @min bytes. */
    for (i = 0; i + min <= n; i++) {
        snprintf(part, sizeof(part), "%.*s", (int)min, secret + i);
        if (strstr(text, part))
            fail_msg("\"%s\" (of a secret) in: %s", part, text);
    }
}

static void test_login_400_echoes_password(void **state)
{
    struct secret *pw = secret_new_str(PASSWORD);
    struct dcos_client *c = client(pw, NULL, "bootstrapuser", NULL);
    struct res r = {0};

    (void)state;
    g_mode = 0;
    assert_int_equal(dcos_iam_user_get(c, "elastic", on_res, &r), 0);
    assert_int_equal(dcos_client_run(c, 20), 0);
    assert_int_equal(r.done, 1);
    assert_int_equal(r.code, ERR_INVALID);
    assert_clean(r.text, PASSWORD, 6);
    assert_non_null(strstr(r.text, "login as bootstrapuser failed"));
    assert_non_null(strstr(r.text, "HTTP 400"));
    dcos_client_free(c);
    secret_free(pw);
}

static void test_login_400_echoes_jwt(void **state)
{
    struct secret *key = NULL;
    char *pub = NULL;
    struct dcos_client *c;
    struct res r = {0};

    (void)state;
    assert_int_equal(dcos_key_generate(&key, &pub), 0);
    c = client(NULL, key, "elastic", NULL);
    g_mode = 0;
    assert_int_equal(dcos_iam_user_get(c, "elastic", on_res, &r), 0);
    assert_int_equal(dcos_client_run(c, 20), 0);
    assert_int_equal(r.code, ERR_INVALID);
    /* The service-login JWT starts "eyJ": no part of it. */
    assert_null(strstr(r.text, "eyJ"));
    assert_non_null(strstr(r.text, "HTTP 400"));
    dcos_client_free(c);
    secret_free(key);
    free(pub);
}

static void test_500_echoes_token(void **state)
{
    struct secret *tok = secret_new_str(TOKEN);
    struct secret *pw = secret_new_str(PASSWORD);
    struct dcos_client *c = client(NULL, NULL, NULL, tok);
    struct dcos_client *c2 = client(pw, NULL, "bootstrapuser", NULL);
    struct res r = {0}, r2 = {0};

    (void)state;
    g_mode = 1;
    assert_int_equal(dcos_iam_user_get(c, "elastic", on_res, &r), 0);
    assert_int_equal(dcos_client_run(c, 20), 0);
    assert_int_equal(r.code, ERR_TRANSIENT);
    assert_clean(r.text, TOKEN, 8);
    assert_non_null(strstr(r.text, "HTTP 500 on GET /acs/api/v1/users/"));
    /* The same with a token the client got from a login. */
    assert_int_equal(dcos_iam_user_get(c2, "elastic", on_res, &r2), 0);
    assert_int_equal(dcos_client_run(c2, 20), 0);
    assert_int_equal(r2.code, ERR_TRANSIENT);
    assert_clean(r2.text, TOKEN, 8);
    dcos_client_free(c);
    dcos_client_free(c2);
    secret_free(tok);
    secret_free(pw);
}

static void test_secret_put_echoes_key(void **state)
{
    struct secret *tok = secret_new_str(TOKEN);
    struct secret *key = NULL;
    char *pub = NULL;
    struct dcos_client *c = client(NULL, NULL, NULL, tok);
    struct res r = {0};
    const char *b64;

    (void)state;
    assert_int_equal(dcos_key_generate(&key, &pub), 0);
    g_mode = 3;
    assert_int_equal(dcos_secret_put(c, "elastic/secret", key, on_res, &r),
                     0);
    assert_int_equal(dcos_client_run(c, 20), 0);
    assert_int_equal(r.code, ERR_INVALID);
    assert_null(strstr(r.text, "PRIVATE"));
    b64 = strstr(secret_str(key), "-----\n");
    assert_non_null(b64);
    assert_clean(r.text, b64 + 6, 8);
    dcos_client_free(c);
    secret_free(tok);
    secret_free(key);
    free(pub);
}

static void test_token_crlf_never_sent(void **state)
{
    struct secret *bad = secret_new_str("abc\r\nX-Injected: 1");
    struct secret *pw = secret_new_str(PASSWORD);
    struct dcos_client_options o;
    struct dcos_client *c = NULL;
    struct err_info e;
    struct res r = {0};
    size_t i;

    (void)state;
    fake_clear(T.srv);
    memset(&o, 0, sizeof(o));
    o.url = T.url;
    o.ca_pem = T.pki.ca_pem;
    o.token = bad;
    assert_int_equal(dcos_client_new(&c, &o, NULL, &e), ERR_INVALID);
    assert_null(c);
    assert_non_null(strstr(e.text, "control character"));
    assert_null(strstr(e.text, "Injected"));
    /* A login answer with such a token: refused, never sent back. */
    g_mode = 2;
    c = client(pw, NULL, "bootstrapuser", NULL);
    assert_int_equal(dcos_iam_user_get(c, "elastic", on_res, &r), 0);
    assert_int_equal(dcos_client_run(c, 20), 0);
    assert_int_equal(r.code, ERR_INVALID);
    assert_non_null(strstr(r.text, "control character"));
    for (i = 0; i < fake_count(T.srv); i++) {
        assert_string_equal(fake_get(T.srv, i)->path,
                            "/acs/api/v1/auth/login");
        assert_null(strstr(fake_get(T.srv, i)->auth, "Injected"));
    }
    dcos_client_free(c);
    secret_free(bad);
    secret_free(pw);
}

static void test_url_checked(void **state)
{
    static const struct {
        const char *url;
        const char *why;
    } bad[] = {
        { "https://user:Pw-SeCrEt@host", "user name or password" },
        { "https://user@host:8443/x", "user name or password" },
        { "https://host/?a=1", "query" },
        { "https://host#frag", "fragment" },
        { "https://host/p?q#f", "query" },
        { "http://host", "https://" },
        { "HTTP://host", "https://" },
        { "ftp://host", "https://" },
        { "https://", "no host" },
        { "https://:443/", "no host" },
        { "https://ho st", "space or a control" },
        { "https://host\r\nX: y", "space or a control" },
        { "https://host/%2e%2e", "percent" },
        { "", "empty" },
    };
    struct dcos_client_options o;
    struct dcos_client *c = NULL;
    struct err_info e;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&e, 0, sizeof(e));
        assert_int_equal(dcos_url_check(bad[i].url, &e), ERR_INVALID);
        if (!strstr(e.text, bad[i].why))
            fail_msg("%s: %s", bad[i].url, e.text);
        assert_null(strstr(e.text, "SeCrEt"));
        /* The client refuses it too, insecure or not. */
        memset(&o, 0, sizeof(o));
        o.url = bad[i].url;
        o.insecure = true;
        assert_int_equal(dcos_client_new(&c, &o, NULL, &e), ERR_INVALID);
        assert_null(c);
    }
    assert_int_equal(dcos_url_check("https://host", NULL), 0);
    assert_int_equal(dcos_url_check("https://10.0.0.1:8443/prefix/", NULL),
                     0);
    assert_int_equal(dcos_url_check("https://[::1]:443", NULL), 0);
}

static void test_ca_file_fifo(void **state)
{
    char dir[] = "/tmp/etls-hostile-XXXXXX", fifo[64];
    struct dcos_client_options o;
    struct dcos_client *c = NULL;
    struct err_info e;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(fifo, sizeof(fifo), "%s/ca.crt", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    memset(&o, 0, sizeof(o));
    o.url = T.url;
    o.ca_file = fifo;
    alarm(10);
    assert_int_equal(dcos_client_new(&c, &o, NULL, &e), ERR_INVALID);
    alarm(0);
    assert_null(c);
    assert_non_null(strstr(e.text, "not a regular file (a FIFO)"));
    unlink(fifo);
    rmdir(dir);
}

static void test_redact_shapes(void **state)
{
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        { "Invalid token.", "Invalid token." },
        { "bad token=abc.def here", "bad token=<redacted> here" },
        { "{\"api_token\":\"xyz\"}", "{\"api_token\":\"<redacted>\"}" },
        { "Authorization: token=eyJhbGciOiJSUzI1NiJ9.e30.sig",
          "Authorization: <redacted>" },
        { "jwt eyJhbGciOiJSUzI1NiJ9.eyJ1aWQiOiJ4In0.c2ln end",
          "jwt <redacted> end" },
        { "Password: hunter22 is wrong", "Password: <redacted> is wrong" },
        { "x -----BEGIN PRIVATE KEY----- y", DCOS_REDACT_WITHHELD },
        { "ERR_INVALID_TOKEN (x)", "ERR_INVALID_TOKEN (x)" },
    };
    struct secret *pw = secret_new_str("s3cr3t-pass");
    const struct secret *known[1] = { pw };
    char text[128];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(text, sizeof(text), "%s", cases[i].in);
        dcos_redact_text(text, sizeof(text), NULL, 0);
        assert_string_equal(text, cases[i].out);
    }
    snprintf(text, sizeof(text), "you sent 3cr3t-pa, wrong");
    dcos_redact_text(text, sizeof(text), known, 1);
    assert_string_equal(text, DCOS_REDACT_WITHHELD);
    assert_true(dcos_redact_found("xx s3cr3t-p", 11, known, 1));
    assert_false(dcos_redact_found("nothing here", 12, known, 1));
    secret_free(pw);
}

static int setup(void **state)
{
    (void)state;
    return tpki_server_up(&T, "hostile CA", handler, NULL);
}

static int teardown(void **state)
{
    (void)state;
    return tpki_server_down(&T);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_400_echoes_password),
        cmocka_unit_test(test_login_400_echoes_jwt),
        cmocka_unit_test(test_500_echoes_token),
        cmocka_unit_test(test_secret_put_echoes_key),
        cmocka_unit_test(test_token_crlf_never_sent),
        cmocka_unit_test(test_url_checked),
        cmocka_unit_test(test_ca_file_fifo),
        cmocka_unit_test(test_redact_shapes),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
