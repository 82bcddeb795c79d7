/*
 * End-to-end tests of the dcos-sim secrets service (/secrets/v1): CRUD with
 * slashed paths, listing, media types, per-path permissions of a service
 * account logged in with its own JWT, the store endpoints, and persistence
 * of accounts, memberships and secrets across a restart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "e2e/sim_iam/iam_testutil.h"
#include "harness/harness.h"

#define SEC "/secrets/v1/secret/default/"
#define FX_SEC "dcos__dcos-ui/tests/_fixtures/secrets/"

static struct h_sim g_sim;

static int group_setup(void **state)
{
    return h_group_up(state, &g_sim, NULL);
}

static int group_teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

static struct h_resp req_as(const char *method, const char *path,
                            const char *token, const char *body)
{
    return h_req(&g_sim, method, path, token,
                 body ? "application/json" : NULL, NULL, body, NULL);
}

static void expect(const char *method, const char *path, const char *token,
                   const char *body, int status)
{
    struct h_resp r = req_as(method, path, token, body);

    if (r.status != status)
        fail_msg("%s %s: HTTP %ld, want %d: %s", method, path, r.status,
                 status, r.body ? r.body : "");
    h_resp_free(&r);
}

/* The value of a secret (new) or NULL when the GET is not 200. */
static char *value_of(const char *path, const char *token)
{
    struct h_resp r = req_as("GET", path, token, NULL);
    char *v = NULL;

    if (r.status == 200) {
        const char *s = json_string_value(json_object_get(r.json, "value"));

        v = s ? strdup(s) : NULL;
    }
    h_resp_free(&r);
    return v;
}

/* 1 when the {"array"} answer of @path holds exactly @n strings (any
 * number when @n is 0) and @want (may be NULL) is one of them. */
static int list_has(const char *path, size_t n, const char *want)
{
    struct h_resp r = h_get(&g_sim, path);
    json_t *a = json_object_get(r.json, "array");
    size_t i;
    int found = want == NULL;

    ASSERT_STATUS(r, 200);
    assert_true(json_is_array(a));
    for (i = 0; i < json_array_size(a); i++) {
        assert_true(json_is_string(json_array_get(a, i)));
        if (want && strcmp(json_string_value(json_array_get(a, i)), want) == 0)
            found = 1;
    }
    if (n != 0 && json_array_size(a) != n) {
        print_message("%s: %s\n", path, r.body);
        found = 0;
    }
    h_resp_free(&r);
    return found;
}

/* ------------------------------------------------------------------ */

static void test_secret_crud(void **state)
{
    struct h_resp r;
    char *v;
    json_t *fx;

    (void)state;
    /* Create (201, empty), conflict (409), read (200). */
    r = h_put(&g_sim, SEC "crud/a/b", "{\"value\":\"s3cr3t\"}");
    ASSERT_STATUS(r, 201);
    assert_int_equal(r.len, 0);
    h_resp_free(&r);
    expect("PUT", SEC "crud/a/b", g_sim.token, "{\"value\":\"again\"}", 409);
    r = h_get(&g_sim, SEC "crud/a/b");
    ASSERT_STATUS(r, 200);
    assert_non_null(strstr(r.content_type, "application/json"));
    assert_string_equal(json_string_value(json_object_get(r.json, "value")),
                        "s3cr3t");
    /* Every member is one of the Secret schema (secrets.yaml). */
    fx = json_pack("{s:n, s:n, s:n, s:n, s:n}", "author", "created",
                   "description", "labels", "value");
    assert_true(h_keys_subset(r.json, fx));
    json_decref(fx);
    h_resp_free(&r);

    /* Accept: JSON or nothing; anything else is 400. */
    r = h_req(&g_sim, "GET", SEC "crud/a/b", g_sim.token, NULL,
              "application/json", NULL, NULL);
    ASSERT_STATUS(r, 200);
    h_resp_free(&r);
    r = h_req(&g_sim, "GET", SEC "crud/a/b", g_sim.token, NULL,
              "application/octet-stream", NULL, NULL);
    ASSERT_STATUS(r, 400);
    assert_null(strstr(r.body ? r.body : "", "s3cr3t"));
    h_resp_free(&r);

    /* Update (204), then read the new value. */
    r = h_patch(&g_sim, SEC "crud/a/b", "{\"value\":\"n3w\"}");
    ASSERT_STATUS(r, 204);
    assert_int_equal(r.len, 0);
    h_resp_free(&r);
    v = value_of(SEC "crud/a/b", g_sim.token);
    assert_non_null(v);
    assert_string_equal(v, "n3w");
    free(v);
    expect("PATCH", SEC "crud/missing", g_sim.token, "{\"value\":\"x\"}",
           404);

    /* Delete (204), then 404 for GET and DELETE. */
    r = h_delete(&g_sim, SEC "crud/a/b");
    ASSERT_STATUS(r, 204);
    assert_int_equal(r.len, 0);
    h_resp_free(&r);
    expect("GET", SEC "crud/a/b", g_sim.token, NULL, 404);
    expect("DELETE", SEC "crud/a/b", g_sim.token, NULL, 404);
    expect("GET", SEC "wrongsecret", g_sim.token, NULL, 404);

    /* Optional schema members are kept and returned. */
    r = h_put(&g_sim, SEC "crud/meta",
              "{\"value\":\"v\",\"author\":\"etls\",\"description\":\"d\","
              "\"labels\":[\"a\",\"b\"]}");
    ASSERT_STATUS(r, 201);
    h_resp_free(&r);
    r = h_get(&g_sim, SEC "crud/meta");
    ASSERT_STATUS(r, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "author")),
                        "etls");
    assert_int_equal(json_array_size(json_object_get(r.json, "labels")), 2);
    h_resp_free(&r);

    /* A literal slash encoded as %2F names the same secret. */
    v = value_of(SEC "crud%2Fmeta", g_sim.token);
    assert_non_null(v);
    assert_string_equal(v, "v");
    free(v);
}

static void test_secret_request_rules(void **state)
{
    struct h_resp r;

    (void)state;
    /* Content-Type must be JSON; the body a Secret object. */
    r = h_req(&g_sim, "PUT", SEC "rules/x", g_sim.token, "text/plain", NULL,
              "{\"value\":\"v\"}", NULL);
    ASSERT_STATUS(r, 400);
    h_resp_free(&r);
    r = h_req(&g_sim, "PUT", SEC "rules/x", g_sim.token, NULL, NULL,
              "{\"value\":\"v\"}", NULL);
    ASSERT_STATUS(r, 400);
    h_resp_free(&r);
    expect("PUT", SEC "rules/x", g_sim.token, "{\"value\":", 400);
    expect("PUT", SEC "rules/x", g_sim.token, "[\"v\"]", 400);
    expect("PUT", SEC "rules/x", g_sim.token, "{\"value\":\"v\",\"x\":1}",
           400);
    expect("PUT", SEC "rules/x", g_sim.token, "{\"value\":5}", 400);
    expect("PUT", SEC "rules/x", g_sim.token, "{\"author\":\"a\"}", 400);
    expect("PUT", SEC "rules/x", g_sim.token,
           "{\"value\":\"v\",\"labels\":[1]}", 400);
    expect("PATCH", SEC "rules/x", g_sim.token, "{\"nope\":\"v\"}", 400);
    /* Paths: ".." and empty segments; the store must exist. */
    expect("PUT", SEC "rules/%2E%2E/x", g_sim.token, "{\"value\":\"v\"}",
           400);
    expect("PUT", SEC "rules//x", g_sim.token, "{\"value\":\"v\"}", 400);
    expect("GET", SEC "rules/x/", g_sim.token, NULL, 400);
    expect("PUT", "/secrets/v1/secret/other/x", g_sim.token,
           "{\"value\":\"v\"}", 404);
    expect("GET", "/secrets/v1/secret/other/x", g_sim.token, NULL, 404);
    /* Nothing was stored. */
    expect("GET", SEC "rules/x", g_sim.token, NULL, 404);
    /* A token is required. */
    r = req_as("GET", SEC "rules/x", NULL, NULL);
    ASSERT_STATUS(r, 401);
    assert_true(t_has_header(&r, "WWW-Authenticate: acsjwt"));
    h_resp_free(&r);
}

static void test_secret_list(void **state)
{
    json_t *fx = h_fixture_json(FX_SEC "secrets.json");
    struct h_resp r;

    (void)state;
    expect("PUT", SEC "lst/one", g_sim.token, "{\"value\":\"1\"}", 201);
    expect("PUT", SEC "lst/deep/two", g_sim.token, "{\"value\":\"2\"}", 201);
    expect("PUT", SEC "lstx", g_sim.token, "{\"value\":\"3\"}", 201);

    r = h_get(&g_sim, SEC "?list=true");
    ASSERT_STATUS(r, 200);
    assert_true(h_same_keys(fx, r.json));
    h_resp_free(&r);
    /* Whole store: full paths; the three spellings of the root. */
    assert_true(list_has(SEC "?list=true", 0, "lst/deep/two"));
    assert_true(list_has("/secrets/v1/secret/default?list=true", 0, "lstx"));
    /* Below a path: relative paths, sorted; prefixes are whole segments. */
    r = h_get(&g_sim, SEC "lst?list=true");
    ASSERT_STATUS(r, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "array")), 2);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(r.json, "array"), 0)),
        "deep/two");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(r.json, "array"), 1)),
        "one");
    h_resp_free(&r);
    assert_true(list_has(SEC "lst/?list=true", 2, "one"));
    expect("GET", SEC "nothing-here?list=true", g_sim.token, NULL, 404);
    json_decref(fx);

    expect("DELETE", SEC "lst/one", g_sim.token, NULL, 204);
    expect("DELETE", SEC "lst/deep/two", g_sim.token, NULL, 204);
    expect("DELETE", SEC "lstx", g_sim.token, NULL, 204);
}

static void test_store_endpoints(void **state)
{
    json_t *fx, *st;
    struct h_resp r;

    (void)state;
    r = h_req(&g_sim, "GET", "/secrets/v1/ping", g_sim.token, NULL, NULL,
              NULL, NULL);
    ASSERT_STATUS(r, 200);
    assert_string_equal(r.body, "pong");
    h_resp_free(&r);

    r = h_get(&g_sim, "/secrets/v1/store");
    ASSERT_STATUS(r, 200);
    fx = h_fixture_json(FX_SEC "stores.json");
    st = json_array_get(json_object_get(r.json, "array"), 0);
    assert_true(h_keys_subset(json_array_get(json_object_get(fx, "array"), 0),
                              st));
    assert_string_equal(json_string_value(json_object_get(st, "name")),
                        "default");
    assert_string_equal(json_string_value(json_object_get(st, "driver")),
                        "vault");
    assert_true(json_is_true(json_object_get(st, "initialized")));
    assert_true(json_is_false(json_object_get(st, "sealed")));
    json_decref(fx);
    h_resp_free(&r);

    r = h_get(&g_sim, "/secrets/v1/store/default");
    ASSERT_STATUS(r, 200);
    assert_true(json_is_true(json_object_get(r.json, "initialized")));
    h_resp_free(&r);
    expect("GET", "/secrets/v1/store/wrongStore", g_sim.token, NULL, 404);

    r = h_get(&g_sim, "/secrets/v1/seal-status/default");
    ASSERT_STATUS(r, 200);
    fx = h_fixture_json(FX_SEC "store-seal-status.json");
    assert_true(h_same_keys(fx, r.json));
    assert_true(json_is_false(json_object_get(r.json, "sealed")));
    json_decref(fx);
    h_resp_free(&r);
    expect("GET", "/secrets/v1/seal-status/other", g_sim.token, NULL, 404);
}

static void test_secret_permissions(void **state)
{
    EVP_PKEY *k = h_rsa_new();
    struct h_resp r;
    char *tok, *v;

    (void)state;
    expect("PUT", SEC "perm/granted", g_sim.token, "{\"value\":\"ok\"}",
           201);
    expect("PUT", SEC "perm/other", g_sim.token, "{\"value\":\"no\"}", 201);
    t_create_service(&g_sim, "sec-svc", k);
    tok = h_login_service(&g_sim, "sec-svc", k);
    assert_non_null(tok);

    /* Not a superuser: the IAM is closed, and so is every secret. */
    r = req_as("GET", "/acs/api/v1/users", tok, NULL);
    ASSERT_STATUS(r, 403);
    h_resp_free(&r);
    r = req_as("GET", SEC "perm/granted", tok, NULL);
    ASSERT_STATUS(r, 403);
    assert_null(strstr(r.body ? r.body : "", "\"ok\""));
    h_resp_free(&r);

    /* Grant read on one path (rid with %252F). */
    expect("PUT", "/acs/api/v1/acls/dcos:secrets:default:%252Fperm%252F"
                  "granted",
           g_sim.token, "{\"description\":\"one secret\"}", 201);
    expect("PUT", "/acs/api/v1/acls/dcos:secrets:default:%252Fperm%252F"
                  "granted/users/sec-svc/read",
           g_sim.token, NULL, 204);
    v = value_of(SEC "perm/granted", tok);
    assert_non_null(v);
    assert_string_equal(v, "ok");
    free(v);
    expect("GET", SEC "perm/other", tok, NULL, 403);
    /* Read does not allow update, delete or create. */
    expect("PATCH", SEC "perm/granted", tok, "{\"value\":\"x\"}", 403);
    expect("DELETE", SEC "perm/granted", tok, NULL, 403);
    expect("PUT", SEC "perm/new", tok, "{\"value\":\"x\"}", 403);
    /* Forbidden comes before not-found. */
    expect("GET", SEC "perm/absent", tok, NULL, 403);

    /* A grant ending in slash-star covers the paths below it. */
    expect("PUT", "/acs/api/v1/acls/dcos:secrets:default:%252Fperm%252Fsvc"
                  "%252F*",
           g_sim.token, "{\"description\":\"a folder\"}", 201);
    expect("PUT", "/acs/api/v1/acls/dcos:secrets:default:%252Fperm%252Fsvc"
                  "%252F*/users/sec-svc/full",
           g_sim.token, NULL, 204);
    expect("PUT", SEC "perm/svc/a", tok, "{\"value\":\"mine\"}", 201);
    expect("PATCH", SEC "perm/svc/a", tok, "{\"value\":\"mine2\"}", 204);
    v = value_of(SEC "perm/svc/a", tok);
    assert_non_null(v);
    assert_string_equal(v, "mine2");
    free(v);
    expect("DELETE", SEC "perm/svc/a", tok, NULL, 204);
    expect("PUT", SEC "perm/svcx", tok, "{\"value\":\"x\"}", 403);

    /* Listing needs dcos:secrets:list:default:/<path> read. */
    expect("GET", SEC "?list=true", tok, NULL, 403);
    expect("PUT", "/acs/api/v1/acls/dcos:secrets:list:default:%252F",
           g_sim.token, "{\"description\":\"list all\"}", 201);
    expect("PUT", "/acs/api/v1/acls/dcos:secrets:list:default:%252F/users/"
                  "sec-svc/read",
           g_sim.token, NULL, 204);
    expect("GET", SEC "?list=true", tok, NULL, 200);

    /* Through a group. */
    expect("PUT", SEC "perm/group", g_sim.token, "{\"value\":\"g\"}", 201);
    expect("GET", SEC "perm/group", tok, NULL, 403);
    expect("PUT", "/acs/api/v1/groups/sec-readers", g_sim.token,
           "{\"description\":\"readers\"}", 201);
    expect("PUT", "/acs/api/v1/groups/sec-readers/users/sec-svc", g_sim.token,
           NULL, 204);
    expect("PUT", "/acs/api/v1/acls/dcos:secrets:default:%252Fperm%252Fgroup",
           g_sim.token, "{\"description\":\"g\"}", 201);
    expect("PUT", "/acs/api/v1/acls/dcos:secrets:default:%252Fperm%252Fgroup"
                  "/groups/sec-readers/read",
           g_sim.token, NULL, 204);
    expect("GET", SEC "perm/group", tok, NULL, 200);

    /* Superuser through membership: everything. */
    expect("PUT", "/acs/api/v1/groups/superusers/users/sec-svc", g_sim.token,
           NULL, 204);
    expect("GET", SEC "perm/other", tok, NULL, 200);
    expect("DELETE", SEC "perm/other", tok, NULL, 204);
    free(tok);
    EVP_PKEY_free(k);
}

static void test_persistence(void **state)
{
    struct h_sim s2;
    EVP_PKEY *k = h_rsa_new();
    char *pem = h_pub_pem(k), *tok;
    struct h_resp r;
    json_t *a;

    (void)state;
    memset(&s2, 0, sizeof(s2));
    h_sim_up(&s2, NULL, NULL);
    t_create_service(&s2, "persist-svc", k);
    r = h_put(&s2, "/acs/api/v1/groups/persist-grp",
              "{\"description\":\"kept\"}");
    ASSERT_STATUS(r, 201);
    h_resp_free(&r);
    r = h_put(&s2, "/acs/api/v1/groups/persist-grp/users/persist-svc", NULL);
    ASSERT_STATUS(r, 204);
    h_resp_free(&r);
    r = h_put(&s2, SEC "persist/secret", "{\"value\":\"survives\"}");
    ASSERT_STATUS(r, 201);
    h_resp_free(&r);

    assert_int_equal(h_sim_stop(&s2), 0);
    h_sim_up(&s2, s2.dir, NULL);

    r = h_get(&s2, "/acs/api/v1/users/persist-svc");
    ASSERT_STATUS(r, 200);
    assert_string_equal(
        json_string_value(json_object_get(r.json, "public_key")), pem);
    h_resp_free(&r);
    r = h_get(&s2, "/acs/api/v1/groups/persist-grp/users?type=service");
    ASSERT_STATUS(r, 200);
    a = json_object_get(r.json, "array");
    assert_int_equal(json_array_size(a), 1);
    assert_string_equal(
        json_string_value(
            json_object_get(json_object_get(json_array_get(a, 0), "user"),
                            "uid")),
        "persist-svc");
    h_resp_free(&r);
    r = h_get(&s2, SEC "persist/secret");
    ASSERT_STATUS(r, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "value")),
                        "survives");
    h_resp_free(&r);
    /* The bootstrap user was not duplicated or reset, and the service
     * account can still log in. */
    r = h_get(&s2, "/acs/api/v1/groups/superusers/users");
    ASSERT_STATUS(r, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "array")), 1);
    h_resp_free(&r);
    tok = h_login_service(&s2, "persist-svc", k);
    assert_non_null(tok);
    free(tok);

    h_sim_destroy(&s2);
    free(pem);
    EVP_PKEY_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_crud),
        cmocka_unit_test(test_secret_request_rules),
        cmocka_unit_test(test_secret_list),
        cmocka_unit_test(test_store_endpoints),
        cmocka_unit_test(test_secret_permissions),
        cmocka_unit_test(test_persistence),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
