/*
 * End-to-end tests of the dcos-sim IAM (/acs/api/v1): login with a
 * password and with a service-login JWT, users and service accounts,
 * groups and memberships, ACLs and grants, authorization (401/403), and
 * the response shapes of the upstream fixtures.  One dcos-sim serves the
 * whole file; every test uses its own names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "common/util.h"
#include "e2e/sim_iam/iam_testutil.h"
#include "harness/harness.h"

#define LOGIN "/acs/api/v1/auth/login"
#define FX_ACL "dcos__dcos-ui/tests/_fixtures/acl/"

static struct h_sim g_sim;

/* An IAM error: status, code, and the {"title","description","code"}
 * shape with the IAM media type. */
#define ASSERT_IAM_ERR(r, st, code)                                           \
    do {                                                                      \
        ASSERT_STATUS(r, st);                                                 \
        assert_non_null((r).json);                                            \
        assert_string_equal(t_code(&(r)), (code));                            \
        assert_non_null(json_object_get((r).json, "title"));                  \
        assert_non_null(json_object_get((r).json, "description"));            \
        assert_non_null(strstr((r).content_type, "application/json"));        \
    } while (0)

static int group_setup(void **state)
{
    return h_group_up(state, &g_sim, NULL);
}

static int group_teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

static struct h_resp login_raw(const char *ctype, const char *accept,
                               const char *body)
{
    return h_req(&g_sim, "POST", LOGIN, NULL, ctype, accept, body, NULL);
}

static struct h_resp login_json(const char *body)
{
    return login_raw("application/json", NULL, body);
}

/* Service login with the given JWT; returns the status. */
static long service_login_status(const char *uid, const char *jwt)
{
    char *body = h_json_text("{s:s, s:s}", "uid", uid, "token", jwt);
    struct h_resp r = login_json(body);
    long st = r.status;

    if (st == 401) {
        assert_string_equal(t_code(&r), "ERR_INVALID_CREDENTIALS");
        assert_true(t_has_header(&r, "WWW-Authenticate: acsjwt"));
    }
    h_resp_free(&r);
    free(body);
    return st;
}

static struct h_resp get_as(const char *path, const char *token)
{
    return h_req(&g_sim, "GET", path, token, NULL, NULL, NULL, NULL);
}

/* ------------------------------------------------------------------ */

static void test_password_login(void **state)
{
    struct h_resp r;
    const char *tok;

    (void)state;
    r = login_json("{\"uid\":\"bootstrapuser\",\"password\":\"deleteme\"}");
    ASSERT_STATUS(r, 200);
    assert_non_null(strstr(r.content_type, "application/json"));
    tok = json_string_value(json_object_get(r.json, "token"));
    assert_non_null(tok);
    assert_int_equal(json_object_size(r.json), 1);
    /* Cookies as the IAM sets them (test_iam.py test_cookies_anatomy). */
    assert_true(t_has_header(&r, "dcos-acs-auth-cookie="));
    assert_true(t_has_header(&r, "HttpOnly"));
    assert_true(t_has_header(&r, "Path=/"));
    assert_true(t_has_header(&r, "dcos-acs-info-cookie="));
    /* The token works on a protected route. */
    {
        struct h_resp u = get_as("/acs/api/v1/users/bootstrapuser", tok);

        ASSERT_STATUS(u, 200);
        h_resp_free(&u);
    }
    h_resp_free(&r);

    r = login_json("{\"uid\":\"bootstrapuser\",\"password\":\"wrong-pw\"}");
    ASSERT_IAM_ERR(r, 401, "ERR_INVALID_CREDENTIALS");
    assert_true(t_has_header(&r, "WWW-Authenticate: acsjwt"));
    assert_string_equal(t_desc(&r), "Invalid credentials.");
    assert_string_equal(
        json_string_value(json_object_get(r.json, "title")),
        "401 Unauthorized");
    h_resp_free(&r);

    r = login_json("{\"uid\":\"nosuchuser\",\"password\":\"whatever\"}");
    ASSERT_IAM_ERR(r, 401, "ERR_INVALID_CREDENTIALS");
    assert_true(t_has_header(&r, "WWW-Authenticate: acsjwt"));
    h_resp_free(&r);
}

static void test_login_request_rules(void **state)
{
    struct h_resp r;

    (void)state;
    /* A body without Content-Type (test_missing_content_type). */
    r = login_raw(NULL, NULL, "rofl");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    assert_non_null(strstr(t_desc(&r), "Missing Content-Type header"));
    h_resp_free(&r);

    /* A form body (test_post_wrong_content_type). */
    r = login_raw("application/x-www-form-urlencoded", NULL,
                  "MyVariableOne=ValueOne&MyVariableTwo=ValueTwo");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    assert_non_null(
        strstr(t_desc(&r), "Request has bad Content-Type or lacks JSON"));
    h_resp_free(&r);

    /* Any other media type. */
    r = login_raw("text/plain", NULL, "{\"uid\":\"a\",\"password\":\"b\"}");
    ASSERT_IAM_ERR(r, 415, "ERR_INVALID_DATA");
    h_resp_free(&r);

    /* No body at all. */
    r = login_raw("application/json", NULL, NULL);
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    h_resp_free(&r);

    /* Malformed JSON. */
    r = login_json("{\"uid\": ");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    assert_non_null(strstr(t_desc(&r), "Cannot decode JSON body"));
    h_resp_free(&r);

    /* Both password and token, then neither. */
    r = login_json("{\"uid\":\"bootstrapuser\",\"password\":\"deleteme\","
                   "\"token\":\"x.y.z\"}");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    assert_non_null(strstr(t_desc(&r), "Exactly one of `token` and "
                                       "`password`"));
    h_resp_free(&r);
    r = login_json("{\"uid\":\"bootstrapuser\"}");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    h_resp_free(&r);

    /* Password without uid; wrong member type. */
    r = login_json("{\"password\":\"deleteme\"}");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    h_resp_free(&r);
    r = login_json("{\"uid\":\"bootstrapuser\",\"password\":5}");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    h_resp_free(&r);

    /* The client must accept JSON. */
    r = login_raw("application/json", "text/html",
                  "{\"uid\":\"bootstrapuser\",\"password\":\"deleteme\"}");
    ASSERT_STATUS(r, 406);
    h_resp_free(&r);

    /* GET starts an SSO flow and needs a provider (test_login). */
    r = h_req(&g_sim, "GET", LOGIN, NULL, NULL, NULL, NULL, NULL);
    ASSERT_IAM_ERR(r, 400, "ERR_MISSING_QUERY_PARAMETERS");
    h_resp_free(&r);
}

static void test_service_login(void **state)
{
    EVP_PKEY *k = h_rsa_new(), *other = h_rsa_new();
    char *jwt, *claims, *body;
    long now = (long)time(NULL);
    const char *hdr = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
    struct h_resp r;

    (void)state;
    t_create_service(&g_sim, "svc-login", k);

    /* Success. */
    jwt = h_service_jwt(k, "svc-login", 300);
    assert_int_equal(service_login_status("svc-login", jwt), 200);
    free(jwt);

    /* Signed by another key. */
    jwt = h_service_jwt(other, "svc-login", 300);
    assert_int_equal(service_login_status("svc-login", jwt), 401);
    free(jwt);

    /* uid claim of another account, and no uid claim. */
    jwt = h_service_jwt(k, "someone-else", 300);
    assert_int_equal(service_login_status("svc-login", jwt), 401);
    free(jwt);
    claims = h_json_text("{s:I}", "exp", (json_int_t)(now + 300));
    jwt = h_jwt(k, hdr, claims);
    assert_int_equal(service_login_status("svc-login", jwt), 401);
    free(jwt);
    free(claims);

    /* Expired, and without exp. */
    jwt = h_service_jwt(k, "svc-login", -60);
    assert_int_equal(service_login_status("svc-login", jwt), 401);
    free(jwt);
    claims = h_json_text("{s:s}", "uid", "svc-login");
    jwt = h_jwt(k, hdr, claims);
    assert_int_equal(service_login_status("svc-login", jwt), 401);
    free(jwt);
    free(claims);

    /* Another algorithm in the header (the signature is RS256 anyway). */
    claims = h_json_text("{s:s, s:I}", "uid", "svc-login", "exp",
                         (json_int_t)(now + 300));
    jwt = h_jwt(k, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims);
    assert_int_equal(service_login_status("svc-login", jwt), 401);
    free(jwt);
    jwt = h_jwt(k, "{\"alg\":\"none\",\"typ\":\"JWT\"}", claims);
    assert_int_equal(service_login_status("svc-login", jwt), 401);
    free(jwt);

    /* A new payload under the signature of another one. */
    jwt = h_service_jwt(k, "svc-login", 300);
    {
        char *forged_claims =
            h_json_text("{s:s, s:I}", "uid", "svc-login", "exp",
                        (json_int_t)(now + 900));
        char *c2 = util_b64url_encode(forged_claims, strlen(forged_claims));
        char *dot = strchr(jwt, '.'), *sig = strrchr(jwt, '.');
        char *forged = malloc(strlen(jwt) + strlen(c2) + 8);

        assert_non_null(c2);
        assert_non_null(forged);
        *dot = '\0';
        sprintf(forged, "%s.%s%s", jwt, c2, sig);
        assert_int_equal(service_login_status("svc-login", forged), 401);
        free(forged);
        free(c2);
        free(forged_claims);
    }
    free(jwt);
    free(claims);

    /* Garbage instead of a JWT. */
    assert_int_equal(service_login_status("svc-login", "not-a-jwt"), 401);
    assert_int_equal(service_login_status("svc-login", "a.b.c"), 401);

    /* A service account cannot log in with a password. */
    r = login_json("{\"uid\":\"svc-login\",\"password\":\"whatever\"}");
    ASSERT_IAM_ERR(r, 401, "ERR_INVALID_CREDENTIALS");
    h_resp_free(&r);

    /* A regular user cannot log in with a JWT. */
    t_create_user(&g_sim, "user-jwt", "password1");
    jwt = h_service_jwt(k, "user-jwt", 300);
    body = h_json_text("{s:s, s:s}", "uid", "user-jwt", "token", jwt);
    r = login_json(body);
    ASSERT_IAM_ERR(r, 401, "ERR_INVALID_CREDENTIALS");
    h_resp_free(&r);
    free(body);
    free(jwt);

    EVP_PKEY_free(k);
    EVP_PKEY_free(other);
}

static void test_authorization(void **state)
{
    EVP_PKEY *k = h_rsa_new();
    struct h_resp r;
    char *tok;

    (void)state;
    /* No token, and a bad token: Admin Router 401. */
    r = get_as("/acs/api/v1/users", NULL);
    ASSERT_STATUS(r, 401);
    assert_true(t_has_header(&r, "WWW-Authenticate: acsjwt"));
    h_resp_free(&r);
    r = get_as("/acs/api/v1/users", "garbage");
    ASSERT_STATUS(r, 401);
    h_resp_free(&r);

    /* A service account that is no superuser gets 403 (HTML). */
    t_create_service(&g_sim, "svc-nopriv", k);
    tok = h_login_service(&g_sim, "svc-nopriv", k);
    assert_non_null(tok);
    r = get_as("/acs/api/v1/users", tok);
    ASSERT_STATUS(r, 403);
    assert_non_null(strstr(r.content_type, "text/html"));
    h_resp_free(&r);
    r = h_req(&g_sim, "PUT", "/acs/api/v1/groups/superusers/users/svc-nopriv",
              tok, NULL, NULL, NULL, NULL);
    ASSERT_STATUS(r, 403);
    h_resp_free(&r);

    /* dcos:adminrouter:acs full opens the IAM API, as in Admin Router. */
    r = h_put(&g_sim, "/acs/api/v1/acls/dcos:adminrouter:acs",
              "{\"description\":\"IAM API\"}");
    ASSERT_STATUS(r, 201);
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/acls/dcos:adminrouter:acs/users/"
                      "svc-nopriv/full",
              NULL);
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = get_as("/acs/api/v1/users", tok);
    ASSERT_STATUS(r, 200);
    h_resp_free(&r);
    r = h_delete(&g_sim, "/acs/api/v1/acls/dcos:adminrouter:acs");
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = get_as("/acs/api/v1/users", tok);
    ASSERT_STATUS(r, 403);
    h_resp_free(&r);

    /* Membership in superusers makes it a superuser. */
    r = h_put(&g_sim, "/acs/api/v1/groups/superusers/users/svc-nopriv",
              NULL);
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = get_as("/acs/api/v1/users", tok);
    ASSERT_STATUS(r, 200);
    h_resp_free(&r);
    r = h_delete(&g_sim, "/acs/api/v1/users/svc-nopriv");
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    free(tok);
    EVP_PKEY_free(k);
}

static void test_users_crud(void **state)
{
    struct h_resp r;
    json_t *a, *fx;
    size_t i;
    int found;
    EVP_PKEY *k = h_rsa_new();

    (void)state;
    t_create_user(&g_sim, "crud-user", "secret-pw");
    t_create_service(&g_sim, "crud-svc", k);

    r = h_put(&g_sim, "/acs/api/v1/users/crud-user",
              "{\"password\":\"another-pw\"}");
    ASSERT_IAM_ERR(r, 409, "ERR_USER_EXISTS");
    assert_string_equal(t_desc(&r), "User with id `crud-user` already "
                                    "exists.");
    h_resp_free(&r);

    /* A regular user: the User schema without public_key. */
    r = h_get(&g_sim, "/acs/api/v1/users/crud-user");
    ASSERT_STATUS(r, 200);
    assert_non_null(strstr(r.content_type, "application/json"));
    fx = h_fixture_json(FX_ACL "user-unicode.json");
    assert_true(h_keys_subset(fx, r.json));
    json_decref(fx);
    assert_string_equal(json_string_value(json_object_get(r.json, "url")),
                        "/acs/api/v1/users/crud-user");
    assert_true(json_is_false(json_object_get(r.json, "is_service")));
    assert_true(json_is_false(json_object_get(r.json, "is_remote")));
    assert_string_equal(
        json_string_value(json_object_get(r.json, "provider_type")),
        "internal");
    assert_null(json_object_get(r.json, "public_key"));
    assert_null(json_object_get(r.json, "password"));
    h_resp_free(&r);

    r = h_get(&g_sim, "/acs/api/v1/users/no-such-user");
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_USER_ID");
    assert_string_equal(t_desc(&r), "User with uid `no-such-user` not "
                                    "known.");
    h_resp_free(&r);

    /* Lists: regular users only, or service accounts only. */
    r = h_get(&g_sim, "/acs/api/v1/users");
    ASSERT_STATUS(r, 200);
    a = json_object_get(r.json, "array");
    assert_true(json_is_array(a));
    fx = h_fixture_json(FX_ACL "users-unicode-truncated.json");
    found = 0;
    for (i = 0; i < json_array_size(a); i++) {
        json_t *u = json_array_get(a, i);
        const char *uid = json_string_value(json_object_get(u, "uid"));

        assert_true(
            h_keys_subset(json_array_get(json_object_get(fx, "array"), 0), u));
        assert_true(json_is_false(json_object_get(u, "is_service")));
        assert_string_not_equal(uid, "crud-svc");
        found |= strcmp(uid, "crud-user") == 0;
    }
    assert_true(found);
    json_decref(fx);
    h_resp_free(&r);

    r = h_get(&g_sim, "/acs/api/v1/users?type=service");
    ASSERT_STATUS(r, 200);
    a = json_object_get(r.json, "array");
    fx = h_fixture_json(FX_ACL "service-accounts-unicode.json");
    found = 0;
    for (i = 0; i < json_array_size(a); i++) {
        json_t *u = json_array_get(a, i);
        const char *uid = json_string_value(json_object_get(u, "uid"));

        assert_true(
            h_keys_subset(json_array_get(json_object_get(fx, "array"), 0), u));
        assert_true(json_is_true(json_object_get(u, "is_service")));
        assert_string_not_equal(uid, "crud-user");
        found |= strcmp(uid, "crud-svc") == 0;
    }
    assert_true(found);
    json_decref(fx);
    h_resp_free(&r);

    /* PATCH: description (204), password of a regular user. */
    r = h_patch(&g_sim, "/acs/api/v1/users/crud-user",
                "{\"description\":\"changed\"}");
    ASSERT_STATUS(r, 204);
    assert_int_equal(r.len, 0);
    h_resp_free(&r);
    r = h_get(&g_sim, "/acs/api/v1/users/crud-user");
    assert_string_equal(
        json_string_value(json_object_get(r.json, "description")), "changed");
    h_resp_free(&r);
    r = h_patch(&g_sim, "/acs/api/v1/users/crud-user",
                "{\"password\":\"new-password\"}");
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = login_json("{\"uid\":\"crud-user\",\"password\":\"new-password\"}");
    ASSERT_STATUS(r, 200);
    h_resp_free(&r);
    r = login_json("{\"uid\":\"crud-user\",\"password\":\"secret-pw\"}");
    ASSERT_STATUS(r, 401);
    h_resp_free(&r);

    /* PATCH: password of a service account, public_key, nothing. */
    r = h_patch(&g_sim, "/acs/api/v1/users/crud-svc",
                "{\"password\":\"new-password\"}");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    assert_non_null(strstr(t_desc(&r), "Password update is not available "
                                       "for service user accounts"));
    h_resp_free(&r);
    r = h_patch(&g_sim, "/acs/api/v1/users/crud-svc",
                "{\"public_key\":\"x\"}");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    h_resp_free(&r);
    r = h_patch(&g_sim, "/acs/api/v1/users/crud-svc", "{}");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    h_resp_free(&r);
    r = h_patch(&g_sim, "/acs/api/v1/users/crud-svc",
                "{\"description\":\"svc changed\"}");
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = h_patch(&g_sim, "/acs/api/v1/users/nobody-here",
                "{\"description\":\"x\"}");
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_USER_ID");
    h_resp_free(&r);

    /* DELETE: 204, then unknown. */
    r = h_delete(&g_sim, "/acs/api/v1/users/crud-user");
    ASSERT_STATUS(r, 204);
    assert_int_equal(r.len, 0);
    h_resp_free(&r);
    r = h_delete(&g_sim, "/acs/api/v1/users/crud-user");
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_USER_ID");
    h_resp_free(&r);
    r = h_get(&g_sim, "/acs/api/v1/users/crud-user");
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_USER_ID");
    h_resp_free(&r);
    r = h_delete(&g_sim, "/acs/api/v1/users/crud-svc");
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);

    /* The last regular superuser cannot be deleted. */
    r = h_delete(&g_sim, "/acs/api/v1/users/bootstrapuser");
    ASSERT_IAM_ERR(r, 400, "ERR_NO_MORE_SUPERUSERS");
    h_resp_free(&r);
    EVP_PKEY_free(k);
}

static void test_user_validation(void **state)
{
    EVP_PKEY *rsa = h_rsa_new(), *ec = h_ec_new();
    char *pem = h_pub_pem(rsa), *body, *long_uid, path[256];
    char *pkcs1 = h_pub_pem_pkcs1(rsa), *ecpem = h_pub_pem(ec);
    struct h_resp r;

    (void)state;
    /* uid rules: characters, length, reserved name. */
    body = h_json_text("{s:s}", "password", "password1");
    r = h_put(&g_sim, "/acs/api/v1/users/bad%20uid%21", body);
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_USER_ID");
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/users/anonymous", body);
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_USER_ID");
    h_resp_free(&r);
    long_uid = malloc(98);
    assert_non_null(long_uid);
    memset(long_uid, 'a', 97);
    long_uid[97] = '\0';
    snprintf(path, sizeof(path), "/acs/api/v1/users/%s", long_uid);
    r = h_put(&g_sim, path, body);
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_USER_ID");
    h_resp_free(&r);
    long_uid[96] = '\0';
    snprintf(path, sizeof(path), "/acs/api/v1/users/%s", long_uid);
    r = h_put(&g_sim, path, body);
    ASSERT_STATUS(r, 201); /* 96 characters are fine */
    h_resp_free(&r);
    r = h_delete(&g_sim, path);
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/users/ok.user_name-1@example.com", body);
    ASSERT_STATUS(r, 201);
    h_resp_free(&r);
    free(long_uid);
    free(body);

    /* Exactly one of password and public_key, neither empty. */
    body = h_json_text("{s:s, s:s}", "password", "password1", "public_key",
                       pem);
    r = h_put(&g_sim, "/acs/api/v1/users/val-both", body);
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    h_resp_free(&r);
    free(body);
    r = h_put(&g_sim, "/acs/api/v1/users/val-none",
              "{\"description\":\"x\"}");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/users/val-empty", "{\"public_key\":\"\"}");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/users/val-short", "{\"password\":\"abc\"}");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    h_resp_free(&r);

    /* Public keys: PKCS#1, EC, garbage, trailing data. */
    body = h_json_text("{s:s}", "public_key", pkcs1);
    r = h_put(&g_sim, "/acs/api/v1/users/val-pkcs1", body);
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_PUBLIC_KEY");
    h_resp_free(&r);
    free(body);
    body = h_json_text("{s:s}", "public_key", ecpem);
    r = h_put(&g_sim, "/acs/api/v1/users/val-ec", body);
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_PUBLIC_KEY");
    assert_non_null(strstr(t_desc(&r), "RSA"));
    h_resp_free(&r);
    free(body);
    r = h_put(&g_sim, "/acs/api/v1/users/val-junk",
              "{\"public_key\":\"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END "
              "PUBLIC KEY-----\\n\"}");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_PUBLIC_KEY");
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/users/val-ssh",
              "{\"public_key\":\"ssh-rsa AAAAB3NzaC1yc2E me@host\"}");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_PUBLIC_KEY");
    h_resp_free(&r);

    /* Schema: unknown member, wrong type. */
    r = h_put(&g_sim, "/acs/api/v1/users/val-extra",
              "{\"password\":\"password1\",\"secret\":\"x\"}");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/users/val-type",
              "{\"password\":\"password1\",\"description\":5}");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    h_resp_free(&r);

    /* Media types of a request body. */
    r = h_req(&g_sim, "PUT", "/acs/api/v1/users/val-ct", g_sim.token,
              "text/plain", NULL, "{\"password\":\"password1\"}", NULL);
    ASSERT_IAM_ERR(r, 415, "ERR_INVALID_DATA");
    h_resp_free(&r);
    r = h_req(&g_sim, "PUT", "/acs/api/v1/users/val-ct", g_sim.token, NULL,
              NULL, "{\"password\":\"password1\"}", NULL);
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    assert_non_null(strstr(t_desc(&r), "Missing Content-Type header"));
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/users/val-bad-json", "{\"password\":");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/users/val-array", "[1,2]");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    h_resp_free(&r);
    r = h_req(&g_sim, "GET", "/acs/api/v1/users", g_sim.token, NULL,
              "application/xml", NULL, NULL);
    ASSERT_STATUS(r, 406);
    h_resp_free(&r);

    /* None of the rejected accounts exists. */
    r = h_get(&g_sim, "/acs/api/v1/users/val-pkcs1");
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_USER_ID");
    h_resp_free(&r);

    free(pem);
    free(pkcs1);
    free(ecpem);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
}

static void test_service_account_shape(void **state)
{
    EVP_PKEY *k = h_rsa_new();
    char *pem = h_pub_pem(k);
    json_t *fx = h_fixture_json(FX_ACL "service-account.json");
    struct h_resp r;

    (void)state;
    t_create_service(&g_sim, "shape-svc", k);
    r = h_get(&g_sim, "/acs/api/v1/users/shape-svc");
    ASSERT_STATUS(r, 200);
    assert_true(h_same_keys(r.json, fx));
    assert_string_equal(json_string_value(json_object_get(r.json, "url")),
                        "/acs/api/v1/users/shape-svc");
    assert_string_equal(
        json_string_value(json_object_get(r.json, "public_key")), pem);
    assert_true(json_is_true(json_object_get(r.json, "is_service")));
    assert_string_equal(
        json_string_value(json_object_get(r.json, "provider_id")), "");
    assert_string_equal(
        json_string_value(json_object_get(r.json, "description")),
        "test service account");
    h_resp_free(&r);
    json_decref(fx);
    free(pem);
    EVP_PKEY_free(k);
}

static void test_groups_and_membership(void **state)
{
    EVP_PKEY *k = h_rsa_new();
    struct h_resp r;
    json_t *a, *fx, *item;
    size_t i;
    int found;

    (void)state;
    t_create_service(&g_sim, "grp-svc", k);
    t_create_user(&g_sim, "grp-user", "password1");

    r = h_put(&g_sim, "/acs/api/v1/groups/grp-a", "{\"description\":\"A\"}");
    ASSERT_STATUS(r, 201);
    assert_int_equal(r.len, 0);
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/groups/grp-a", "{\"description\":\"A\"}");
    ASSERT_IAM_ERR(r, 409, "ERR_GROUP_EXISTS");
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/groups/grp-b", "{}");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA"); /* description required */
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/groups/bad%20gid",
              "{\"description\":\"x\"}");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_GROUP_ID");
    h_resp_free(&r);

    r = h_get(&g_sim, "/acs/api/v1/groups/grp-a");
    ASSERT_STATUS(r, 200);
    fx = h_fixture_json(FX_ACL "group-unicode.json");
    assert_true(h_keys_subset(fx, r.json));
    json_decref(fx);
    assert_string_equal(json_string_value(json_object_get(r.json, "url")),
                        "/acs/api/v1/groups/grp-a");
    assert_string_equal(
        json_string_value(json_object_get(r.json, "provider_type")),
        "internal");
    h_resp_free(&r);
    r = h_get(&g_sim, "/acs/api/v1/groups/no-such-group");
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_GROUP_ID");
    h_resp_free(&r);

    /* The default group. */
    r = h_get(&g_sim, "/acs/api/v1/groups");
    ASSERT_STATUS(r, 200);
    a = json_object_get(r.json, "array");
    found = 0;
    for (i = 0; i < json_array_size(a); i++) {
        item = json_array_get(a, i);
        if (strcmp(json_string_value(json_object_get(item, "gid")),
                   "superusers") == 0) {
            assert_string_equal(
                json_string_value(json_object_get(item, "description")),
                "Superuser group");
            found = 1;
        }
    }
    assert_true(found);
    h_resp_free(&r);

    /* Memberships: 204, 409, unknown group or user. */
    r = h_put(&g_sim, "/acs/api/v1/groups/grp-a/users/grp-svc", NULL);
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/groups/grp-a/users/grp-user", NULL);
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/groups/grp-a/users/grp-svc", NULL);
    ASSERT_IAM_ERR(r, 409, "ERR_USER_ALREADY_IN_GROUP");
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/groups/no-such-group/users/grp-svc",
              NULL);
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_GROUP_ID");
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/groups/grp-a/users/no-such-user", NULL);
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_USER_ID");
    h_resp_free(&r);

    /* Listing: regular users by default, service accounts on request. */
    fx = h_fixture_json(FX_ACL "group-users.json");
    r = h_get(&g_sim, "/acs/api/v1/groups/grp-a/users");
    ASSERT_STATUS(r, 200);
    a = json_object_get(r.json, "array");
    assert_int_equal(json_array_size(a), 1);
    item = json_array_get(a, 0);
    assert_true(h_same_keys(json_array_get(json_object_get(fx, "array"), 0),
                            item));
    assert_true(h_keys_subset(
        json_object_get(json_array_get(json_object_get(fx, "array"), 0),
                        "user"),
        json_object_get(item, "user")));
    assert_string_equal(
        json_string_value(
            json_object_get(json_object_get(item, "user"), "uid")),
        "grp-user");
    assert_string_equal(
        json_string_value(json_object_get(item, "membershipurl")),
        "/acs/api/v1/groups/grp-a/users/grp-user");
    h_resp_free(&r);
    r = h_get(&g_sim, "/acs/api/v1/groups/grp-a/users?type=service");
    ASSERT_STATUS(r, 200);
    a = json_object_get(r.json, "array");
    assert_int_equal(json_array_size(a), 1);
    item = json_object_get(json_array_get(a, 0), "user");
    assert_string_equal(json_string_value(json_object_get(item, "uid")),
                        "grp-svc");
    assert_true(json_is_true(json_object_get(item, "is_service")));
    assert_non_null(json_object_get(item, "public_key"));
    h_resp_free(&r);
    json_decref(fx);

    /* A user's groups. */
    r = h_get(&g_sim, "/acs/api/v1/users/grp-svc/groups");
    ASSERT_STATUS(r, 200);
    fx = h_fixture_json(FX_ACL "user-groups.json");
    a = json_object_get(r.json, "array");
    assert_int_equal(json_array_size(a), 1);
    item = json_array_get(a, 0);
    assert_true(h_same_keys(json_array_get(json_object_get(fx, "array"), 0),
                            item));
    assert_true(h_keys_subset(
        json_object_get(json_array_get(json_object_get(fx, "array"), 0),
                        "group"),
        json_object_get(item, "group")));
    assert_string_equal(
        json_string_value(json_object_get(item, "membershipurl")),
        "/acs/api/v1/groups/grp-a/users/grp-svc");
    json_decref(fx);
    h_resp_free(&r);
    r = h_get(&g_sim, "/acs/api/v1/users/no-such-user/groups");
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_USER_ID");
    h_resp_free(&r);

    /* Leaving a group. */
    r = h_delete(&g_sim, "/acs/api/v1/groups/grp-a/users/grp-svc");
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = h_delete(&g_sim, "/acs/api/v1/groups/grp-a/users/grp-svc");
    ASSERT_IAM_ERR(r, 400, "ERR_USER_NOT_IN_GROUP");
    h_resp_free(&r);
    r = h_get(&g_sim, "/acs/api/v1/groups/grp-a/users?type=service");
    assert_int_equal(json_array_size(json_object_get(r.json, "array")), 0);
    h_resp_free(&r);

    /* The superusers group keeps its last regular member. */
    r = h_delete(&g_sim, "/acs/api/v1/groups/superusers/users/bootstrapuser");
    ASSERT_IAM_ERR(r, 400, "ERR_NO_MORE_SUPERUSERS");
    h_resp_free(&r);
    r = h_delete(&g_sim, "/acs/api/v1/groups/superusers");
    ASSERT_IAM_ERR(r, 400, "ERR_IS_SUPERUSER_GROUP");
    h_resp_free(&r);

    /* PATCH and DELETE a group. */
    r = h_patch(&g_sim, "/acs/api/v1/groups/grp-a",
                "{\"description\":\"A2\"}");
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = h_delete(&g_sim, "/acs/api/v1/groups/grp-a");
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = h_get(&g_sim, "/acs/api/v1/groups/grp-a");
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_GROUP_ID");
    h_resp_free(&r);
    r = h_delete(&g_sim, "/acs/api/v1/groups/grp-a");
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_GROUP_ID");
    h_resp_free(&r);
    r = h_get(&g_sim, "/acs/api/v1/users/grp-user/groups");
    assert_int_equal(json_array_size(json_object_get(r.json, "array")), 0);
    h_resp_free(&r);
    EVP_PKEY_free(k);
}

/* GET an {"allowed"} answer. */
static int allowed(const char *path)
{
    struct h_resp r = h_get(&g_sim, path);
    int v;

    ASSERT_STATUS(r, 200);
    assert_true(json_is_boolean(json_object_get(r.json, "allowed")));
    assert_int_equal(json_object_size(r.json), 1);
    v = json_is_true(json_object_get(r.json, "allowed"));
    h_resp_free(&r);
    return v;
}

#define RID "dcos:secrets:default:%252Facl-test%252Fsecret"
#define ACLP "/acs/api/v1/acls/" RID

static void test_acls(void **state)
{
    EVP_PKEY *k = h_rsa_new();
    struct h_resp r;
    json_t *a, *fx, *item;
    size_t i;
    int found;

    (void)state;
    t_create_service(&g_sim, "acl-svc", k);
    t_create_service(&g_sim, "acl-svc2", k);

    r = h_put(&g_sim, ACLP, "{\"description\":\"a secret\"}");
    ASSERT_STATUS(r, 201);
    h_resp_free(&r);
    r = h_put(&g_sim, ACLP, "{\"description\":\"a secret\"}");
    ASSERT_IAM_ERR(r, 409, "ERR_ACL_EXISTS");
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/acls/dcos:x", "{\"nodesc\":1}");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_DATA");
    h_resp_free(&r);

    /* The rid is decoded twice; its URL is encoded twice. */
    r = h_get(&g_sim, ACLP);
    ASSERT_STATUS(r, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "rid")),
                        "dcos:secrets:default:/acl-test/secret");
    assert_string_equal(json_string_value(json_object_get(r.json, "url")),
                        ACLP);
    h_resp_free(&r);
    r = h_get(&g_sim, "/acs/api/v1/acls/dcos:no:such:rid");
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_RESOURCE_ID");
    h_resp_free(&r);

    r = h_get(&g_sim, "/acs/api/v1/acls");
    ASSERT_STATUS(r, 200);
    fx = h_fixture_json(FX_ACL "acls-unicode.json");
    a = json_object_get(r.json, "array");
    found = 0;
    for (i = 0; i < json_array_size(a); i++) {
        item = json_array_get(a, i);
        assert_true(h_same_keys(
            json_array_get(json_object_get(fx, "array"), 0), item));
        found |= strcmp(json_string_value(json_object_get(item, "rid")),
                        "dcos:secrets:default:/acl-test/secret") == 0;
    }
    assert_true(found);
    json_decref(fx);
    h_resp_free(&r);

    /* Grants: 204, 409, unknown ACL, user or action. */
    r = h_put(&g_sim, ACLP "/users/acl-svc/read", NULL);
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = h_put(&g_sim, ACLP "/users/acl-svc/read", NULL);
    ASSERT_IAM_ERR(r, 409, "ERR_PERMISSION_EXISTS");
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/acls/dcos:no:such:rid/users/acl-svc/read",
              NULL);
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_RESOURCE_ID");
    h_resp_free(&r);
    r = h_put(&g_sim, ACLP "/users/no-such-user/read", NULL);
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_USER_ID");
    h_resp_free(&r);
    r = h_put(&g_sim, ACLP "/users/acl-svc/write", NULL);
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_ACTION");
    h_resp_free(&r);

    /* {"allowed"}: the granted action only; full implies every action. */
    assert_true(allowed(ACLP "/users/acl-svc/read"));
    assert_false(allowed(ACLP "/users/acl-svc/update"));
    assert_false(allowed(ACLP "/users/acl-svc/full"));
    assert_false(allowed(ACLP "/users/acl-svc2/read"));
    r = h_put(&g_sim, ACLP "/users/acl-svc/full", NULL);
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    assert_true(allowed(ACLP "/users/acl-svc/update"));
    assert_true(allowed(ACLP "/users/acl-svc/delete"));
    /* Superuser implies every action, even without a grant. */
    assert_true(allowed(ACLP "/users/bootstrapuser/delete"));
    r = h_get(&g_sim, ACLP "/users/acl-svc/bogus");
    ASSERT_IAM_ERR(r, 400, "ERR_INVALID_ACTION");
    h_resp_free(&r);

    /* The user's actions on the resource. */
    r = h_get(&g_sim, ACLP "/users/acl-svc");
    ASSERT_STATUS(r, 200);
    a = json_object_get(r.json, "array");
    assert_int_equal(json_array_size(a), 2);
    item = json_array_get(a, 0);
    assert_string_equal(json_string_value(json_object_get(item, "name")),
                        "read");
    assert_string_equal(json_string_value(json_object_get(item, "url")),
                        ACLP "/users/acl-svc/read");
    h_resp_free(&r);

    /* Group grants count for members. */
    r = h_put(&g_sim, "/acs/api/v1/groups/acl-grp", "{\"description\":\"g\"}");
    ASSERT_STATUS(r, 201);
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/groups/acl-grp/users/acl-svc2", NULL);
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = h_put(&g_sim, ACLP "/groups/acl-grp/read", NULL);
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = h_put(&g_sim, ACLP "/groups/acl-grp/read", NULL);
    ASSERT_IAM_ERR(r, 409, "ERR_PERMISSION_EXISTS");
    h_resp_free(&r);
    r = h_put(&g_sim, ACLP "/groups/no-such-group/read", NULL);
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_GROUP_ID");
    h_resp_free(&r);
    assert_true(allowed(ACLP "/users/acl-svc2/read"));
    assert_false(allowed(ACLP "/users/acl-svc2/update"));
    assert_true(allowed(ACLP "/groups/acl-grp/read"));
    assert_false(allowed(ACLP "/groups/acl-grp/create"));
    assert_true(allowed("/acs/api/v1/acls/dcos:superuser/groups/superusers/"
                        "full"));

    /* Resource permissions (ACLPermissions schema). */
    r = h_get(&g_sim, ACLP "/permissions");
    ASSERT_STATUS(r, 200);
    assert_int_equal(json_object_size(r.json), 2);
    item = json_array_get(json_object_get(r.json, "users"), 0);
    assert_string_equal(json_string_value(json_object_get(item, "uid")),
                        "acl-svc");
    assert_string_equal(json_string_value(json_object_get(item, "userurl")),
                        "/acs/api/v1/users/acl-svc");
    assert_int_equal(json_array_size(json_object_get(item, "actions")), 2);
    item = json_array_get(json_object_get(r.json, "groups"), 0);
    assert_string_equal(json_string_value(json_object_get(item, "gid")),
                        "acl-grp");
    assert_string_equal(json_string_value(json_object_get(item, "groupurl")),
                        "/acs/api/v1/groups/acl-grp");
    h_resp_free(&r);

    /* A user's permissions: direct and through groups. */
    fx = h_fixture_json(FX_ACL "user-permissions.json");
    r = h_get(&g_sim, "/acs/api/v1/users/acl-svc/permissions");
    ASSERT_STATUS(r, 200);
    assert_true(h_same_keys(fx, r.json));
    item = json_array_get(json_object_get(r.json, "direct"), 0);
    assert_true(h_same_keys(json_array_get(json_object_get(fx, "direct"), 0),
                            item));
    assert_string_equal(json_string_value(json_object_get(item, "aclurl")),
                        ACLP);
    assert_int_equal(json_array_size(json_object_get(r.json, "groups")), 0);
    h_resp_free(&r);
    r = h_get(&g_sim, "/acs/api/v1/users/acl-svc2/permissions");
    ASSERT_STATUS(r, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "direct")), 0);
    item = json_array_get(json_object_get(r.json, "groups"), 0);
    assert_true(h_same_keys(json_array_get(json_object_get(fx, "groups"), 0),
                            item));
    assert_string_equal(
        json_string_value(json_object_get(item, "membershipurl")),
        "/acs/api/v1/groups/acl-grp/users/acl-svc2");
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(item, "actions"), 0), "url")),
        ACLP "/groups/acl-grp/read");
    h_resp_free(&r);
    json_decref(fx);

    /* A group's permissions. */
    fx = h_fixture_json(FX_ACL "group-permissions.json");
    r = h_get(&g_sim, "/acs/api/v1/groups/acl-grp/permissions");
    ASSERT_STATUS(r, 200);
    assert_true(h_same_keys(fx, r.json));
    assert_true(h_same_keys(json_array_get(json_object_get(fx, "array"), 0),
                            json_array_get(json_object_get(r.json, "array"),
                                           0)));
    h_resp_free(&r);
    json_decref(fx);

    /* Revoking: one action, then everything; errors when absent. */
    r = h_delete(&g_sim, ACLP "/users/acl-svc/full");
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    assert_false(allowed(ACLP "/users/acl-svc/update"));
    assert_true(allowed(ACLP "/users/acl-svc/read"));
    r = h_delete(&g_sim, ACLP "/users/acl-svc/full");
    ASSERT_IAM_ERR(r, 400, "ERR_ACTION_NOT_YET_STORED");
    h_resp_free(&r);
    r = h_delete(&g_sim, ACLP "/users/acl-svc");
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    assert_false(allowed(ACLP "/users/acl-svc/read"));
    r = h_delete(&g_sim, ACLP "/users/acl-svc/read");
    ASSERT_IAM_ERR(r, 400, "ERR_USER_NOT_IN_ACL");
    h_resp_free(&r);
    r = h_delete(&g_sim, ACLP "/groups/acl-grp/read");
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    assert_false(allowed(ACLP "/users/acl-svc2/read"));
    r = h_delete(&g_sim, ACLP "/groups/acl-grp/read");
    ASSERT_IAM_ERR(r, 400, "ERR_GROUP_NOT_IN_ACL");
    h_resp_free(&r);

    /* The superuser ACL and its group grant are protected. */
    r = h_delete(&g_sim,
                 "/acs/api/v1/acls/dcos:superuser/groups/superusers/full");
    ASSERT_IAM_ERR(r, 400, "ERR_IS_SUPERUSER_GROUP");
    h_resp_free(&r);
    r = h_delete(&g_sim, "/acs/api/v1/acls/dcos:superuser");
    ASSERT_IAM_ERR(r, 400, "ERR_IS_SUPERUSER_ACL");
    h_resp_free(&r);

    /* Superuser through a direct grant. */
    assert_false(allowed("/acs/api/v1/acls/dcos:superuser/users/acl-svc/full"));
    r = h_put(&g_sim, "/acs/api/v1/acls/dcos:superuser/users/acl-svc/full",
              NULL);
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    assert_true(allowed(ACLP "/users/acl-svc/create"));

    /* PATCH and DELETE an ACL. */
    r = h_patch(&g_sim, ACLP, "{\"description\":\"renamed\"}");
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = h_get(&g_sim, ACLP);
    assert_string_equal(
        json_string_value(json_object_get(r.json, "description")), "renamed");
    h_resp_free(&r);
    r = h_delete(&g_sim, ACLP);
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = h_get(&g_sim, ACLP);
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_RESOURCE_ID");
    h_resp_free(&r);
    r = h_delete(&g_sim, ACLP);
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_RESOURCE_ID");
    h_resp_free(&r);

    r = h_delete(&g_sim, "/acs/api/v1/users/acl-svc");
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    EVP_PKEY_free(k);
}

static void test_superuser_permissions_fixture(void **state)
{
    json_t *fx = h_fixture_json(FX_ACL "superuser.json");
    struct h_resp r;

    (void)state;
    /* superuser.json is exactly what a fresh cluster answers for a
     * member of superusers; only the uid differs. */
    r = h_get(&g_sim, "/acs/api/v1/users/bootstrapuser/permissions");
    ASSERT_STATUS(r, 200);
    assert_true(json_equal(fx, r.json));
    h_resp_free(&r);
    json_decref(fx);
    r = h_get(&g_sim, "/acs/api/v1/users/no-such-user/permissions");
    ASSERT_IAM_ERR(r, 400, "ERR_UNKNOWN_USER_ID");
    h_resp_free(&r);
}

static void test_delete_forgets_grants(void **state)
{
    EVP_PKEY *k = h_rsa_new();
    struct h_resp r;

    (void)state;
    t_create_service(&g_sim, "gone-svc", k);
    r = h_put(&g_sim, "/acs/api/v1/groups/gone-grp", "{\"description\":\"g\"}");
    ASSERT_STATUS(r, 201);
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/groups/gone-grp/users/gone-svc", NULL);
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/acls/dcos:gone", "{\"description\":\"g\"}");
    ASSERT_STATUS(r, 201);
    h_resp_free(&r);
    r = h_put(&g_sim, "/acs/api/v1/acls/dcos:gone/users/gone-svc/read", NULL);
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);

    r = h_delete(&g_sim, "/acs/api/v1/users/gone-svc");
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    t_create_service(&g_sim, "gone-svc", k);
    r = h_get(&g_sim, "/acs/api/v1/users/gone-svc/groups");
    ASSERT_STATUS(r, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "array")), 0);
    h_resp_free(&r);
    r = h_get(&g_sim, "/acs/api/v1/users/gone-svc/permissions");
    assert_int_equal(json_array_size(json_object_get(r.json, "direct")), 0);
    h_resp_free(&r);
    assert_false(allowed("/acs/api/v1/acls/dcos:gone/users/gone-svc/read"));

    /* Deleting a group drops its grants. */
    r = h_put(&g_sim, "/acs/api/v1/acls/dcos:gone/groups/gone-grp/read", NULL);
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = h_delete(&g_sim, "/acs/api/v1/groups/gone-grp");
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = h_get(&g_sim, "/acs/api/v1/acls/dcos:gone/permissions");
    ASSERT_STATUS(r, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "groups")), 0);
    h_resp_free(&r);
    EVP_PKEY_free(k);
}

/* An RSA public key from the JWK members n and e. */
static EVP_PKEY *jwk_key(json_t *jwk)
{
    size_t nl = 0, el = 0;
    unsigned char *nb = util_b64url_decode(
        json_string_value(json_object_get(jwk, "n")), &nl);
    unsigned char *eb = util_b64url_decode(
        json_string_value(json_object_get(jwk, "e")), &el);
    BIGNUM *n = BN_bin2bn(nb, (int)nl, NULL), *e = BN_bin2bn(eb, (int)el, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *pk = NULL;

    assert_non_null(nb);
    assert_non_null(eb);
    assert_non_null(bld);
    assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n), 1);
    assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e), 1);
    params = OSSL_PARAM_BLD_to_param(bld);
    assert_non_null(params);
    assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
    assert_int_equal(EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params),
                     1);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    BN_free(n);
    BN_free(e);
    free(nb);
    free(eb);
    return pk;
}

static void test_jwks_verifies_tokens(void **state)
{
    struct h_resp r;
    json_t *jwk;
    EVP_PKEY *pk;
    EVP_MD_CTX *md;
    const char *tok = g_sim.token, *dot2;
    unsigned char *sig;
    size_t siglen = 0;

    (void)state;
    r = h_req(&g_sim, "GET", "/acs/api/v1/auth/jwks", NULL, NULL, NULL, NULL,
              NULL);
    ASSERT_STATUS(r, 200);
    jwk = json_array_get(json_object_get(r.json, "keys"), 0);
    assert_string_equal(json_string_value(json_object_get(jwk, "kty")),
                        "RSA");
    assert_string_equal(json_string_value(json_object_get(jwk, "alg")),
                        "RS256");
    assert_string_equal(json_string_value(json_object_get(jwk, "use")),
                        "sig");
    assert_int_equal(strlen(json_string_value(json_object_get(jwk, "kid"))),
                     64);
    /* The bootstrap token verifies with the published key. */
    pk = jwk_key(jwk);
    dot2 = strrchr(tok, '.');
    assert_non_null(dot2);
    sig = util_b64url_decode(dot2 + 1, &siglen);
    assert_non_null(sig);
    md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pk),
                     1);
    assert_int_equal(EVP_DigestVerify(md, sig, siglen,
                                      (const unsigned char *)tok,
                                      (size_t)(dot2 - tok)),
                     1);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pk);
    free(sig);
    h_resp_free(&r);

    r = h_req(&g_sim, "GET", "/acs/api/v1/auth/providers", NULL, NULL, NULL,
              NULL, NULL);
    ASSERT_STATUS(r, 200);
    assert_non_null(json_object_get(r.json, "dcos-services"));
    h_resp_free(&r);
    r = h_req(&g_sim, "GET", "/acs/api/v1/auth/logout", NULL, NULL, NULL,
              NULL, NULL);
    ASSERT_STATUS(r, 200);
    assert_true(t_has_header(&r, "dcos-acs-auth-cookie=;"));
    h_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_login),
        cmocka_unit_test(test_login_request_rules),
        cmocka_unit_test(test_service_login),
        cmocka_unit_test(test_authorization),
        cmocka_unit_test(test_users_crud),
        cmocka_unit_test(test_user_validation),
        cmocka_unit_test(test_service_account_shape),
        cmocka_unit_test(test_groups_and_membership),
        cmocka_unit_test(test_acls),
        cmocka_unit_test(test_superuser_permissions_fixture),
        cmocka_unit_test(test_delete_forgets_grants),
        cmocka_unit_test(test_jwks_verifies_tokens),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
