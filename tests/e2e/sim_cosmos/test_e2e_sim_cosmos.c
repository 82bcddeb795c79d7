/*
 * End-to-end tests of dcos-sim's Cosmos: media-type rules, the catalog
 * endpoints, install / list / uninstall, service describe and update with
 * Cosmos's option merging, the error bodies (compared with the upstream
 * Cosmos fixtures), permissions and persistence across a restart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/util.h"
#include "harness/h_cluster.h"
#include "harness/h_json.h"
#include "harness/harness.h"

#define MT_ERR "application/vnd.dcos.package.error+json;charset=utf-8;" \
               "version=v1"
#define PKG(kind, v)                                                          \
    "application/vnd.dcos.package." kind "+json;charset=utf-8;version=" v
#define SVC(kind, v)                                                          \
    "application/vnd.dcos.service." kind "+json;charset=utf-8;version=" v

#define SPEED "50"
#define V8 "2.1.0-5.6.4-beta"
#define V9 "2.1.1-5.6.5-beta"
#define V10 "2.1.2-5.6.5-beta"
#define CATALOG ETLS_SOURCE_DIR "/sim/catalog/beta-elastic"

#define ENT "mesosphere__dcos-commons/cli/client/testdata/responses/cosmos/" \
            "1.10/enterprise/"
#define QENT "mesosphere__dcos-commons/cli/queries/testdata/responses/"      \
             "cosmos/1.10/enterprise/"

static struct h_sim g_sim;

/* ---- helpers ------------------------------------------------------ */

static void expect_status(const struct h_resp *r, long status)
{
    h_expect_status(r, status, "cosmos");
}

/* A Cosmos error: status, error media type, envelope type. */
static void expect_error(const struct h_resp *r, long status,
                         const char *type)
{
    expect_status(r, status);
    assert_non_null(r->content_type);
    assert_string_equal(r->content_type, MT_ERR);
    assert_non_null(r->json);
    if (!h_jstr(r->json, "type") || strcmp(h_jstr(r->json, "type"), type) != 0)
        fail_msg("expected error type %s: %s", type, r->body);
    assert_non_null(h_jstr(r->json, "message"));
}

/* @got and @want have the same member names (a missing one is
 * printed). */
static void expect_same_keys(const json_t *got, const json_t *want,
                             const char *what)
{
    if (!h_same_keys(got, want))
        fail_msg("%s: the member names differ", what);
}

/* Names of @got within @allowed (space-separated list); names of
 * @required all present. */
static void expect_keys_within(const json_t *got, const char *allowed,
                               const char *required, const char *what)
{
    const char *k;
    json_t *v;
    char buf[1024], *save = NULL, *tok;

    assert_non_null(got);
    json_object_foreach((json_t *)got, k, v) {
        char pat[128];

        snprintf(pat, sizeof(pat), " %s ", k);
        snprintf(buf, sizeof(buf), " %s ", allowed);
        if (!strstr(buf, pat))
            fail_msg("%s: unexpected member \"%s\"", what, k);
    }
    snprintf(buf, sizeof(buf), "%s", required);
    for (tok = strtok_r(buf, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        if (!json_object_get(got, tok))
            fail_msg("%s: member \"%s\" missing", what, tok);
    }
}

static struct h_resp raw(const char *path, const char *ctype,
                         const char *accept, const char *body)
{
    return h_req(&g_sim, "POST", path, g_sim.token, ctype, accept, body,
                 NULL);
}

static struct h_resp cosmos(struct h_sim *s, const char *op,
                            const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static struct h_resp cosmos(struct h_sim *s, const char *op,
                            const char *fmt, ...)
{
    char body[4096];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    return h_cosmos(s, op, body);
}

/* Install beta-elastic as @name with extra service options (JSON members
 * to add to "service", may be ""). */
static void install(struct h_sim *s, const char *name, const char *extra)
{
    struct h_resp r = cosmos(s, "package/install",
                             "{\"packageName\":\"beta-elastic\","
                             "\"options\":{\"service\":{\"name\":\"%s\"%s%s}}}",
                             name, *extra ? "," : "", extra);

    expect_status(&r, 200);
    h_resp_free(&r);
}

/*
 * /cosmos/service/update, riding out the window in which the scheduler's
 * previous Marathon deployment still runs (Cosmos answers 500 "App is
 * locked by one or more deployments").  Bounded: 60 s.
 */
static struct h_resp update(struct h_sim *s, const char *body)
{
    for (int i = 0; i < 240; i++) {
        struct h_resp r = h_cosmos(s, "service/update", body);

        if (r.status != 500 || !r.body || !strstr(r.body, "is locked"))
            return r;
        h_resp_free(&r);
        h_sleep_ms(250);
    }
    fail_msg("the scheduler app stayed locked for 60 s");
    return h_cosmos(s, "service/update", body);
}

static json_t *find_app(const json_t *list, const char *app_id)
{
    size_t i;
    json_t *p;

    json_array_foreach(json_object_get(list, "packages"), i, p) {
        if (strcmp(h_jstr(p, "appId"), app_id) == 0)
            return p;
    }
    return NULL;
}

static int listed(struct h_sim *s, const char *app_id)
{
    struct h_resp r = h_cosmos(s, "package/list", "{}");
    int found;

    expect_status(&r, 200);
    found = find_app(r.json, app_id) != NULL;
    h_resp_free(&r);
    return found;
}

/* Wait (bounded: 60 s) until @app_id is no longer listed. */
static void wait_gone(struct h_sim *s, const char *app_id)
{
    for (int i = 0; i < 240; i++) {
        if (!listed(s, app_id))
            return;
        h_sleep_ms(250);
    }
    fail_msg("%s still listed 60 s after its uninstall", app_id);
}

static int group_setup(void **state)
{
    return h_group_up(state, &g_sim, SPEED);
}

static int group_teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

/* ---- media types ---------------------------------------------------- */

static void test_media_types(void **state)
{
    const char *body = "{\"packageName\":\"beta-elastic\"}";
    struct h_resp r;

    (void)state;
    /* The reference request works and answers the exact response type. */
    r = raw("/package/describe", PKG("describe-request", "v1"),
            PKG("describe-response", "v3") "," MT_ERR, body);
    expect_status(&r, 200);
    assert_string_equal(r.content_type, PKG("describe-response", "v3"));
    h_resp_free(&r);

    /* Missing Content-Type. */
    r = raw("/package/describe", NULL, PKG("describe-response", "v3"), body);
    expect_error(&r, 400, "not_present");
    assert_string_equal(h_jstr(r.json, "message"),
                        "Item header 'Content-Type' not present but "
                        "required");
    assert_null(json_object_get(r.json, "data"));
    h_resp_free(&r);

    /* Missing Accept. */
    r = raw("/package/describe", PKG("describe-request", "v1"), NULL, body);
    expect_error(&r, 400, "not_present");
    assert_string_equal(h_jstr(r.json, "message"),
                        "Item header 'Accept' not present but required");
    h_resp_free(&r);

    /* Wrong Content-Type, and one without its version parameter. */
    r = raw("/package/describe", "application/json",
            PKG("describe-response", "v3"), body);
    expect_error(&r, 400, "not_valid");
    assert_string_equal(h_jstr(r.json, "message"),
                        "Item header 'Content-Type' deemed invalid by rule: "
                        "should match one of " PKG("describe-request", "v1"));
    h_resp_free(&r);
    r = raw("/package/describe",
            "application/vnd.dcos.package.describe-request+json;"
            "charset=utf-8",
            PKG("describe-response", "v3"), body);
    expect_error(&r, 400, "not_valid");
    h_resp_free(&r);
    /* Wrong request version. */
    r = raw("/package/describe", PKG("describe-request", "v2"),
            PKG("describe-response", "v3"), body);
    expect_error(&r, 400, "not_valid");
    h_resp_free(&r);

    /* Compatible: parameters in another order, spaces, an extra one. */
    r = raw("/package/describe",
            "application/vnd.dcos.package.describe-request+json; "
            "version=v1; charset=UTF-8; foo=bar",
            PKG("describe-response", "v3"), body);
    expect_status(&r, 200);
    h_resp_free(&r);

    /* Wrong Accept: the message names both sides. */
    r = raw("/package/describe", PKG("describe-request", "v1"),
            "application/json", body);
    expect_error(&r, 400, "not_valid");
    assert_string_equal(h_jstr(r.json, "message"),
                        "Item header 'Accept' deemed invalid by rule: Media "
                        "type was [application/json] but should be one of ["
                        PKG("describe-response", "v3") ", "
                        PKG("describe-response", "v2") "]");
    h_resp_free(&r);
    /* Unknown response version; wildcards; no version parameter: Cosmos
     * needs one of its types exactly. */
    r = raw("/package/describe", PKG("describe-request", "v1"),
            PKG("describe-response", "v4"), body);
    expect_error(&r, 400, "not_valid");
    h_resp_free(&r);
    r = raw("/package/describe", PKG("describe-request", "v1"), "*/*",
            body);
    expect_error(&r, 400, "not_valid");
    h_resp_free(&r);
    r = raw("/package/describe", PKG("describe-request", "v1"),
            "application/vnd.dcos.package.describe-response+json", body);
    expect_error(&r, 400, "not_valid");
    h_resp_free(&r);
    /* The error type alone is not a response type. */
    r = raw("/package/describe", PKG("describe-request", "v1"), MT_ERR,
            body);
    expect_error(&r, 400, "not_valid");
    h_resp_free(&r);

    /* Comma-separated Accept, error type first. */
    r = raw("/package/describe", PKG("describe-request", "v1"),
            MT_ERR "," PKG("describe-response", "v3"), body);
    expect_status(&r, 200);
    assert_string_equal(r.content_type, PKG("describe-response", "v3"));
    h_resp_free(&r);

    /* q-values choose among the offered versions. */
    r = raw("/package/describe", PKG("describe-request", "v1"),
            PKG("describe-response", "v2") ";q=0.1,"
            PKG("describe-response", "v3") ";q=0.9", body);
    expect_status(&r, 200);
    assert_string_equal(r.content_type, PKG("describe-response", "v3"));
    assert_non_null(h_jget(r.json, "package.config"));
    h_resp_free(&r);
    /* v2 for a package that uses upgrades/downgrades: Cosmos refuses. */
    r = raw("/package/describe", PKG("describe-request", "v1"),
            PKG("describe-response", "v3") ";q=0.1,"
            PKG("describe-response", "v2") ";q=0.9", body);
    expect_error(&r, 400, "ConversionFromPackageToV2DescribeResponse");
    assert_string_equal(h_jstr(r.json, "message"),
                        "A v4 package cannot be converted into a v2 "
                        "DescribeResponse");
    h_resp_free(&r);
    /* ... but converts the first revision, which has none. */
    r = raw("/package/describe", PKG("describe-request", "v1"),
            PKG("describe-response", "v2"),
            "{\"packageName\":\"beta-elastic\",\"packageVersion\":\"" V8
            "\"}");
    expect_status(&r, 200);
    assert_string_equal(r.content_type, PKG("describe-response", "v2"));
    assert_string_equal(h_jstr(r.json, "packagingVersion"), "3.0");
    assert_string_equal(h_jstr(r.json, "version"), V8);
    assert_null(json_object_get(r.json, "package"));
    h_resp_free(&r);
}

/* Cosmos's own RequestErrorsSpec, reproduced: all three validators fail
 * and their errors are collected into one "multiple_errors". */
static void test_multiple_errors(void **state)
{
    struct h_resp r;
    json_t *errs;

    (void)state;
    r = raw("/package/install", PKG("describe-request", "v1"),
            PKG("describe-response", "v2") ";q=0.1,"
            PKG("describe-response", "v3") ";q=0.9",
            "{\"name\":\"bad\",\"uri\":\"http://bad/repo\",\"index\":0}");
    expect_error(&r, 400, "multiple_errors");
    assert_string_equal(h_jstr(r.json, "message"),
                        "Multiple errors while processing request");
    errs = h_jget(r.json, "data.errors");
    assert_int_equal(json_array_size(errs), 3);
    h_expect_json_eq(
        json_array_get(errs, 0),
        "{\"type\":\"not_valid\",\"message\":\"Item header 'Accept' deemed "
        "invalid by rule: Media type was "
        "[application/vnd.dcos.package.describe-response+json;charset=utf-8;"
        "version=v2;q=0.1, "
        "application/vnd.dcos.package.describe-response+json;charset=utf-8;"
        "version=v3;q=0.9] but should be one of "
        "[application/vnd.dcos.package.install-response+json;charset=utf-8;"
        "version=v2, "
        "application/vnd.dcos.package.install-response+json;charset=utf-8;"
        "version=v1]\"}");
    h_expect_json_eq(
        json_array_get(errs, 1),
        "{\"type\":\"not_valid\",\"message\":\"Item header 'Content-Type' "
        "deemed invalid by rule: should match one of "
        "application/vnd.dcos.package.install-request+json;charset=utf-8;"
        "version=v1\"}");
    h_expect_json_eq(
        json_array_get(errs, 2),
        "{\"type\":\"not_parsed\",\"message\":\"Item 'body' unable to be "
        "parsed: Attempt to decode value on failed cursor: "
        "DownField(packageName)\"}");
    h_resp_free(&r);

    r = raw("/package/install", NULL, NULL, NULL);
    expect_error(&r, 400, "multiple_errors");
    h_expect_json_eq(
        h_jget(r.json, "data.errors"),
        "[{\"type\":\"not_present\",\"message\":\"Item header 'Accept' not "
        "present but required\"},"
        "{\"type\":\"not_present\",\"message\":\"Item header 'Content-Type' "
        "not present but required\"},"
        "{\"type\":\"not_present\",\"message\":\"Item body not present but "
        "required\"}]");
    h_resp_free(&r);

    /* One failing validator: its error alone. */
    r = raw("/package/describe", PKG("describe-request", "v1"),
            PKG("describe-response", "v3"), "{\"packageName\":");
    expect_error(&r, 400, "not_parsed");
    assert_true(util_has_prefix(h_jstr(r.json, "message"),
                                "Item 'body' unable to be parsed: "));
    h_resp_free(&r);
    r = h_cosmos(&g_sim, "package/describe", "{\"packageName\":5}");
    expect_error(&r, 400, "not_parsed");
    assert_string_equal(h_jstr(r.json, "message"),
                        "Item 'body' unable to be parsed: String: "
                        "DownField(packageName)");
    h_resp_free(&r);
    /* Unknown request members are ignored. */
    r = h_cosmos(&g_sim, "package/describe",
                 "{\"packageName\":\"beta-elastic\",\"colour\":\"red\"}");
    expect_status(&r, 200);
    h_resp_free(&r);
}

/* Admin Router: no token 401; a token without dcos:adminrouter:package
 * 403; the permission opens the door. */
static void test_permissions(void **state)
{
    const char *body = "{\"packageName\":\"beta-elastic\"}";
    struct h_resp r;
    char *tok;

    (void)state;
    r = h_req(&g_sim, "POST", "/package/describe", NULL,
              PKG("describe-request", "v1"), PKG("describe-response", "v3"),
              body, NULL);
    expect_status(&r, 401);
    h_resp_free(&r);

    r = h_put(&g_sim, "/acs/api/v1/users/cosmos-bob",
              "{\"description\":\"no rights\",\"password\":\"bob-pw-12345\"}");
    expect_status(&r, 201);
    h_resp_free(&r);
    r = h_req(&g_sim, "POST", "/acs/api/v1/auth/login", NULL,
              "application/json", NULL,
              "{\"uid\":\"cosmos-bob\",\"password\":\"bob-pw-12345\"}", NULL);
    expect_status(&r, 200);
    tok = strdup(h_jstr(r.json, "token"));
    h_resp_free(&r);

    r = h_req(&g_sim, "POST", "/package/describe", tok,
              PKG("describe-request", "v1"), PKG("describe-response", "v3"),
              body, NULL);
    expect_status(&r, 403);
    h_resp_free(&r);
    r = h_req(&g_sim, "POST", "/cosmos/service/describe", tok,
              SVC("describe-request", "v1"), SVC("describe-response", "v1"),
              "{\"appId\":\"x\"}", NULL);
    expect_status(&r, 403);
    h_resp_free(&r);

    r = h_put(&g_sim, "/acs/api/v1/acls/dcos:adminrouter:package",
              "{\"description\":\"Cosmos\"}");
    assert_true(r.status == 201 || r.status == 409);
    h_resp_free(&r);
    r = h_put(&g_sim,
              "/acs/api/v1/acls/dcos:adminrouter:package/users/cosmos-bob/"
              "full",
              NULL);
    expect_status(&r, 204);
    h_resp_free(&r);
    r = h_req(&g_sim, "POST", "/package/describe", tok,
              PKG("describe-request", "v1"), PKG("describe-response", "v3"),
              body, NULL);
    expect_status(&r, 200);
    h_resp_free(&r);
    free(tok);
}

/* ---- catalog ------------------------------------------------------- */

static void test_describe_package(void **state)
{
    struct h_resp r;
    json_t *fx, *cfg, *res, *pkg;
    char *tmpl = NULL;
    unsigned char *dec;
    size_t tl = 0, dl = 0;
    json_error_t e;

    (void)state;
    r = h_cosmos(&g_sim, "package/describe",
                 "{\"packageName\":\"beta-elastic\"}");
    expect_status(&r, 200);
    pkg = h_jget(r.json, "package");
    assert_string_equal(h_jstr(pkg, "name"), "beta-elastic");
    assert_string_equal(h_jstr(pkg, "version"), V10);
    assert_int_equal(json_integer_value(json_object_get(pkg,
                                                        "releaseVersion")),
                     10);
    assert_string_equal(h_jstr(pkg, "packagingVersion"), "4.0");
    h_expect_json_eq(json_object_get(pkg, "upgradesFrom"), "[\"" V9 "\"]");
    /* config, resource and template are the published files. */
    cfg = json_load_file(CATALOG "/10/config.json", 0, &e);
    res = json_load_file(CATALOG "/10/resource.json", 0, &e);
    assert_non_null(cfg);
    assert_non_null(res);
    assert_true(json_equal(json_object_get(pkg, "config"), cfg));
    assert_true(json_equal(json_object_get(pkg, "resource"), res));
    assert_int_equal(util_read_file(&tmpl, &tl,
                                    CATALOG "/10/marathon.json.mustache",
                                    1u << 20),
                     0);
    dec = util_b64_decode(h_jstr(pkg, "marathon.v2AppMustacheTemplate"), &dl);
    assert_non_null(dec);
    assert_int_equal(dl, tl);
    assert_memory_equal(dec, tmpl, tl);
    /* Shape: the members of the upstream describe fixture (a package with
     * an "scm", which beta-elastic has not), plus the update metadata of
     * packaging version 4.0. */
    fx = h_fixture_json("dcos__dcos-ui/tests/_fixtures/cosmos/"
                        "package-describe.json");
    expect_keys_within(
        pkg,
        "packagingVersion name version releaseVersion maintainer "
        "description tags selected scm website framework preInstallNotes "
        "postInstallNotes postUninstallNotes licenses minDcosReleaseVersion "
        "marathon resource config lastUpdated hasKnownIssues upgradesFrom "
        "downgradesTo",
        "packagingVersion name version releaseVersion maintainer "
        "description tags selected framework preInstallNotes "
        "postInstallNotes postUninstallNotes licenses minDcosReleaseVersion "
        "marathon resource config upgradesFrom downgradesTo",
        "describe package");
    {
        const char *k;
        json_t *v;

        json_object_foreach(json_object_get(fx, "package"), k, v) {
            if (strcmp(k, "scm") != 0 && !json_object_get(pkg, k))
                fail_msg("describe lacks fixture member %s", k);
        }
    }
    expect_same_keys(r.json, fx, "describe top level");
    json_decref(fx);
    fx = h_fixture_json("dcos__dcos-core-cli/python/lib/dcoscli/tests/data/"
                        "package/json/test_describe_helloworld.json");
    expect_same_keys(r.json, fx, "describe top level (core CLI)");
    json_decref(fx);
    json_decref(cfg);
    json_decref(res);
    free(dec);
    free(tmpl);
    h_resp_free(&r);

    r = h_cosmos(&g_sim, "package/describe",
                 "{\"packageName\":\"beta-elastic\",\"packageVersion\":\""
                 V8 "\"}");
    expect_status(&r, 200);
    assert_string_equal(h_jstr(r.json, "package.version"), V8);
    assert_non_null(h_jget(r.json,
                           "package.config.properties.service.properties."
                           "security.properties.transport_encryption."
                           "properties.allow_plaintext"));
    h_resp_free(&r);

    r = h_cosmos(&g_sim, "package/describe", "{\"packageName\":\"kafka\"}");
    expect_error(&r, 400, "PackageNotFound");
    h_expect_json_eq(r.json, "{\"type\":\"PackageNotFound\",\"message\":"
                           "\"Package [kafka] not found\",\"data\":"
                           "{\"packageName\":\"kafka\"}}");
    h_resp_free(&r);
    r = h_cosmos(&g_sim, "package/describe",
                 "{\"packageName\":\"beta-elastic\","
                 "\"packageVersion\":\"9.9\"}");
    expect_error(&r, 400, "VersionNotFound");
    h_expect_json_eq(r.json, "{\"type\":\"VersionNotFound\",\"message\":"
                           "\"Version [9.9] of package [beta-elastic] not "
                           "found\",\"data\":{\"packageName\":"
                           "\"beta-elastic\",\"packageVersion\":\"9.9\"}}");
    h_resp_free(&r);
}

static void test_catalog_listings(void **state)
{
    struct h_resp r;
    json_t *fx, *p;

    (void)state;
    r = h_cosmos(&g_sim, "package/list-versions",
                 "{\"packageName\":\"beta-elastic\","
                 "\"includePackageVersions\":true}");
    expect_status(&r, 200);
    assert_string_equal(r.content_type, PKG("list-versions-response", "v1"));
    h_expect_json_eq(r.json, "{\"results\":{\"" V10 "\":10,\"" V9 "\":9,\""
                           V8 "\":8}}");
    fx = h_fixture_json("dcos__dcos-ui/tests/_fixtures/cosmos/"
                        "package-list-versions.json");
    expect_same_keys(r.json, fx, "list-versions");
    json_decref(fx);
    h_resp_free(&r);
    r = h_cosmos(&g_sim, "package/list-versions",
                 "{\"packageName\":\"beta-elastic\"}");
    expect_error(&r, 400, "not_parsed");
    assert_string_equal(h_jstr(r.json, "message"),
                        "Item 'body' unable to be parsed: Attempt to decode "
                        "value on failed cursor: "
                        "DownField(includePackageVersions)");
    h_resp_free(&r);

    r = h_cosmos(&g_sim, "package/search", "{\"query\":\"ELASTIC\"}");
    expect_status(&r, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "packages")),
                     1);
    p = json_array_get(json_object_get(r.json, "packages"), 0);
    expect_keys_within(p,
                       "name currentVersion versions description framework "
                       "tags selected images",
                       "name currentVersion versions description framework "
                       "tags selected images",
                       "search result");
    assert_string_equal(h_jstr(p, "currentVersion"), V10);
    assert_int_equal(json_object_size(json_object_get(p, "versions")), 3);
    h_resp_free(&r);
    r = h_cosmos(&g_sim, "package/search", "{\"query\":\"cassandra\"}");
    expect_status(&r, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "packages")),
                     0);
    h_resp_free(&r);

    r = h_cosmos(&g_sim, "package/repository/list", "{}");
    expect_status(&r, 200);
    fx = h_fixture_json("dcos__dcos-core-cli/python/lib/dcoscli/tests/data/"
                        "package/json/test_repo_list.json");
    expect_same_keys(r.json, fx, "repository list");
    expect_same_keys(json_array_get(json_object_get(r.json, "repositories"),
                                    0),
                     json_array_get(json_object_get(fx, "repositories"), 0),
                     "repository");
    json_decref(fx);
    h_resp_free(&r);
}

/* ---- install -------------------------------------------------------- */

static void test_install(void **state)
{
    struct h_resp r;

    (void)state;
    r = cosmos(&g_sim, "package/install",
               "{\"packageName\":\"beta-elastic\",\"options\":{\"service\":"
               "{\"name\":\"es-a\"}}}");
    expect_status(&r, 200);
    assert_string_equal(r.content_type, PKG("install-response", "v2"));
    expect_keys_within(r.json,
                       "packageName packageVersion appId postInstallNotes "
                       "cli",
                       "packageName packageVersion appId postInstallNotes "
                       "cli",
                       "install v2");
    assert_string_equal(h_jstr(r.json, "packageName"), "beta-elastic");
    assert_string_equal(h_jstr(r.json, "packageVersion"), V10);
    assert_string_equal(h_jstr(r.json, "appId"), "/es-a");
    assert_true(util_has_prefix(h_jstr(r.json, "postInstallNotes"),
                                "The DC/OS Elastic service is being "
                                "installed!"));
    assert_non_null(h_jget(r.json, "cli.binaries"));
    h_resp_free(&r);

    /* Second install of the same app id. */
    r = cosmos(&g_sim, "package/install",
               "{\"packageName\":\"beta-elastic\",\"options\":{\"service\":"
               "{\"name\":\"es-a\",\"user\":\"root\"}}}");
    expect_error(&r, 409, "PackageAlreadyInstalled");
    h_expect_json_eq(r.json, "{\"type\":\"PackageAlreadyInstalled\","
                           "\"message\":\"Package is already installed\"}");
    h_resp_free(&r);

    /* install-response v1: three members. */
    r = raw("/package/install", PKG("install-request", "v1"),
            PKG("install-response", "v1") "," MT_ERR,
            "{\"packageName\":\"beta-elastic\",\"options\":{\"service\":"
            "{\"name\":\"es-b\"}}}");
    expect_status(&r, 200);
    assert_string_equal(r.content_type, PKG("install-response", "v1"));
    h_expect_json_eq(r.json, "{\"packageName\":\"beta-elastic\","
                           "\"packageVersion\":\"" V10 "\","
                           "\"appId\":\"/es-b\"}");
    h_resp_free(&r);

    /* A pinned version, and an explicit appId equal to service.name. */
    r = cosmos(&g_sim, "package/install",
               "{\"packageName\":\"beta-elastic\",\"packageVersion\":\"" V9
               "\",\"appId\":\"es-c\",\"options\":{\"service\":"
               "{\"name\":\"es-c\"}}}");
    expect_status(&r, 200);
    assert_string_equal(h_jstr(r.json, "packageVersion"), V9);
    assert_string_equal(h_jstr(r.json, "appId"), "/es-c");
    h_resp_free(&r);
}

static void test_install_errors(void **state)
{
    struct h_resp r;
    json_t *fx, *e0;

    (void)state;
    /* Wrong type: the error object has the upstream shape. */
    r = cosmos(&g_sim, "package/install",
               "{\"packageName\":\"beta-elastic\",\"options\":{\"service\":"
               "{\"name\":5}}}");
    expect_error(&r, 400, "JsonSchemaMismatch");
    assert_string_equal(h_jstr(r.json, "message"),
                        "Options JSON failed validation");
    e0 = json_array_get(h_jget(r.json, "data.errors"), 0);
    fx = h_fixture_json(ENT "bad-json.json");
    expect_same_keys(r.json, fx, "JsonSchemaMismatch");
    expect_same_keys(e0, json_array_get(h_jget(fx, "data.errors"), 0),
                     "schema error");
    json_decref(fx);
    h_expect_json_eq(e0,
                     "{\"level\":\"error\",\"schema\":{\"loadingURI\":\"#\","
                     "\"pointer\":\"/properties/service/properties/name\"},"
                     "\"instance\":{\"pointer\":\"/service/name\"},"
                     "\"domain\":\"validation\",\"keyword\":\"type\","
                     "\"message\":\"instance type (integer) does not match any "
                     "allowed primitive type (allowed: [\\\"string\\\"])\","
                     "\"found\":\"integer\",\"expected\":[\"string\"]}");
    h_resp_free(&r);

    /* Bad enum value. */
    r = cosmos(&g_sim, "package/install",
               "{\"packageName\":\"beta-elastic\",\"options\":{\"service\":"
               "{\"name\":\"es-bad\",\"update_strategy\":\"rolling\"}}}");
    expect_error(&r, 400, "JsonSchemaMismatch");
    e0 = json_array_get(h_jget(r.json, "data.errors"), 0);
    assert_string_equal(h_jstr(e0, "keyword"), "enum");
    assert_string_equal(h_jstr(e0, "instance.pointer"),
                        "/service/update_strategy");
    assert_string_equal(h_jstr(e0, "message"),
                        "instance value (\"rolling\") not found in enum "
                        "(possible values: [\"parallel\",\"serial\"])");
    h_resp_free(&r);

    /* Unknown key where the schema forbids them. */
    r = cosmos(&g_sim, "package/install",
               "{\"packageName\":\"beta-elastic\",\"options\":{\"service\":"
               "{\"name\":\"es-bad\"},\"elasticsearch\":{\"xpack\":true}}}");
    expect_error(&r, 400, "JsonSchemaMismatch");
    e0 = json_array_get(h_jget(r.json, "data.errors"), 0);
    assert_string_equal(h_jstr(e0, "keyword"), "additionalProperties");
    h_expect_json_eq(json_object_get(e0, "unwanted"), "[\"xpack\"]");
    h_resp_free(&r);

    /* Below the minimum. */
    r = cosmos(&g_sim, "package/install",
               "{\"packageName\":\"beta-elastic\",\"options\":{\"service\":"
               "{\"name\":\"es-bad\"},\"data_nodes\":{\"count\":0}}}");
    expect_error(&r, 400, "JsonSchemaMismatch");
    assert_string_equal(h_jstr(json_array_get(h_jget(r.json, "data.errors"), 0),
                               "keyword"),
                        "minimum");
    h_resp_free(&r);

    /* options must be an object. */
    r = cosmos(&g_sim, "package/install",
               "{\"packageName\":\"beta-elastic\",\"options\":5}");
    expect_error(&r, 400, "not_parsed");
    assert_string_equal(h_jstr(r.json, "message"),
                        "Item 'body' unable to be parsed: JsonObject: "
                        "DownField(options)");
    h_resp_free(&r);

    /* A name Marathon refuses as an app id. */
    r = cosmos(&g_sim, "package/install",
               "{\"packageName\":\"beta-elastic\",\"options\":{\"service\":"
               "{\"name\":\"Bad_Name\"}}}");
    expect_error(&r, 400, "MarathonBadResponse");
    assert_string_equal(h_jstr(r.json, "message"), "Object is not valid");
    h_resp_free(&r);

    r = cosmos(&g_sim, "package/install", "{\"packageName\":\"kafka\"}");
    expect_error(&r, 400, "PackageNotFound");
    h_resp_free(&r);

    /* Nothing of that was installed. */
    assert_false(listed(&g_sim, "/es-bad"));
    assert_false(listed(&g_sim, "/Bad_Name"));
}

/* ---- list ------------------------------------------------------------ */

static void test_list(void **state)
{
    struct h_resp r;
    json_t *fx, *a, *fa;
    size_t i;
    json_t *p;
    const char *prev = "";

    (void)state;
    r = h_cosmos(&g_sim, "package/list", "{}");
    expect_status(&r, 200);
    assert_string_equal(r.content_type, PKG("list-response", "v1"));
    a = find_app(r.json, "/es-a");
    assert_non_null(a);
    assert_non_null(find_app(r.json, "/es-b"));
    /* Sorted by package name, then app id. */
    json_array_foreach(json_object_get(r.json, "packages"), i, p) {
        assert_true(strcmp(prev, h_jstr(p, "appId")) < 0);
        prev = h_jstr(p, "appId");
    }
    fx = h_fixture_json("dcos__dcos-core-cli/pkg/cosmos/testdata/"
                        "vnd.dcos.package.list-response.json");
    fa = json_array_get(json_object_get(fx, "packages"), 0);
    expect_same_keys(r.json, fx, "list");
    expect_same_keys(a, fa, "list item");
    expect_same_keys(json_object_get(a, "packageInformation"),
                     json_object_get(fa, "packageInformation"),
                     "packageInformation");
    expect_same_keys(h_jget(a, "packageInformation.resourceDefinition"),
                     h_jget(fa, "packageInformation.resourceDefinition"),
                     "resourceDefinition");
    expect_keys_within(h_jget(a, "packageInformation.packageDefinition"),
                       "packagingVersion name version maintainer "
                       "description tags selected scm website framework "
                       "preInstallNotes postInstallNotes postUninstallNotes "
                       "licenses",
                       "packagingVersion name version maintainer "
                       "description tags selected framework "
                       "preInstallNotes postInstallNotes postUninstallNotes "
                       "licenses",
                       "packageDefinition");
    assert_string_equal(h_jstr(a, "packageInformation.packageDefinition."
                                "version"),
                        V10);
    json_decref(fx);
    h_resp_free(&r);

    r = h_cosmos(&g_sim, "package/list", "{\"appId\":\"es-a\"}");
    expect_status(&r, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "packages")),
                     1);
    h_resp_free(&r);
    r = h_cosmos(&g_sim, "package/list", "{\"packageName\":\"kafka\"}");
    expect_status(&r, 200);
    h_expect_json_eq(r.json, "{\"packages\":[]}");
    h_resp_free(&r);
}

/* ---- service describe ----------------------------------------------- */

static void test_service_describe(void **state)
{
    struct h_resp r;
    json_t *fx;

    (void)state;
    r = h_cosmos(&g_sim, "service/describe", "{\"appId\":\"es-a\"}");
    expect_status(&r, 200);
    assert_string_equal(r.content_type, SVC("describe-response", "v1"));
    fx = h_fixture_json(QENT "describe.json");
    expect_same_keys(r.json, fx, "service describe");
    json_decref(fx);
    h_expect_json_eq(json_object_get(r.json, "userProvidedOptions"),
                     "{\"service\":{\"name\":\"es-a\"}}");
    assert_string_equal(h_jstr(r.json, "resolvedOptions.service.name"),
                        "es-a");
    assert_string_equal(h_jstr(r.json,
                               "resolvedOptions.service.update_strategy"),
                        "serial");
    assert_string_equal(h_jstr(r.json, "package.version"), V10);
    h_expect_json_eq(json_object_get(r.json, "upgradesTo"), "[]");
    h_expect_json_eq(json_object_get(r.json, "downgradesTo"), "[\"" V9 "\"]");
    h_resp_free(&r);

    r = h_cosmos(&g_sim, "service/describe", "{\"appId\":\"/es-c\"}");
    expect_status(&r, 200);
    assert_string_equal(h_jstr(r.json, "package.version"), V9);
    h_expect_json_eq(json_object_get(r.json, "upgradesTo"), "[\"" V10 "\"]");
    h_expect_json_eq(json_object_get(r.json, "downgradesTo"), "[\"" V8 "\"]");
    h_resp_free(&r);

    r = h_cosmos(&g_sim, "service/describe", "{\"appId\":\"nope\"}");
    expect_error(&r, 400, "MarathonAppNotFound");
    fx = h_fixture_json(ENT "bad-name.json");
    expect_same_keys(r.json, fx, "MarathonAppNotFound");
    json_decref(fx);
    h_expect_json_eq(r.json, "{\"type\":\"MarathonAppNotFound\",\"message\":"
                           "\"Unable to locate service with marathon "
                           "appId: '/nope'\",\"data\":{\"appId\":"
                           "\"/nope\"}}");
    h_resp_free(&r);

    r = h_cosmos(&g_sim, "service/describe", "{}");
    expect_error(&r, 400, "not_parsed");
    h_resp_free(&r);
}

/* ---- service update ------------------------------------------------- */

static json_t *user_options(struct h_sim *s, const char *app)
{
    struct h_resp r = cosmos(s, "service/describe", "{\"appId\":\"%s\"}",
                             app);
    json_t *u;

    expect_status(&r, 200);
    u = json_incref(json_object_get(r.json, "userProvidedOptions"));
    h_resp_free(&r);
    return u;
}

static void test_update_merges(void **state)
{
    struct h_resp r;
    json_t *fx, *u;

    (void)state;
    install(&g_sim, "es-u",
            "\"service_account\":\"elastic\","
            "\"service_account_secret\":\"elastic-secret\"");

    /* A partial options file keeps the stored service account. */
    r = update(&g_sim,
               "{\"appId\":\"es-u\",\"replace\":false,\"options\":{"
               "\"service\":{\"security\":{\"transport_encryption\":"
               "{\"enabled\":true}}},"
               "\"elasticsearch\":{\"xpack_enabled\":true}}}");
    expect_status(&r, 200);
    assert_string_equal(r.content_type, SVC("update-response", "v1"));
    fx = h_fixture_json(QENT "update.json");
    expect_same_keys(r.json, fx, "update");
    json_decref(fx);
    assert_int_equal(strlen(h_jstr(r.json, "marathonDeploymentId")), 36);
    assert_string_equal(h_jstr(r.json, "resolvedOptions.service."
                                     "service_account"),
                        "elastic");
    assert_string_equal(h_jstr(r.json, "resolvedOptions.service."
                                     "service_account_secret"),
                        "elastic-secret");
    assert_true(json_is_true(h_jget(r.json, "resolvedOptions.service."
                                          "security.transport_encryption."
                                          "enabled")));
    assert_string_equal(h_jstr(r.json, "resolvedOptions.service."
                                     "update_strategy"),
                        "serial");
    assert_string_equal(h_jstr(r.json, "package.version"), V10);
    h_resp_free(&r);

    /* userProvidedOptions: what users sent, merged; no defaults. */
    u = user_options(&g_sim, "es-u");
    h_expect_json_eq(u, "{\"service\":{\"name\":\"es-u\","
                      "\"service_account\":\"elastic\","
                      "\"service_account_secret\":\"elastic-secret\","
                      "\"security\":{\"transport_encryption\":"
                      "{\"enabled\":true}}},"
                      "\"elasticsearch\":{\"xpack_enabled\":true}}");
    json_decref(u);

    /* Merged again across a second update. */
    r = update(&g_sim, "{\"appId\":\"/es-u\",\"replace\":false,"
                       "\"options\":{\"service\":{\"update_strategy\":"
                       "\"parallel\"}}}");
    expect_status(&r, 200);
    assert_string_equal(h_jstr(r.json, "resolvedOptions.service."
                                     "update_strategy"),
                        "parallel");
    h_resp_free(&r);
    u = user_options(&g_sim, "es-u");
    assert_string_equal(h_jstr(u, "service.update_strategy"), "parallel");
    assert_string_equal(h_jstr(u, "service.service_account"), "elastic");
    assert_true(json_is_true(h_jget(u, "elasticsearch.xpack_enabled")));
    assert_null(h_jget(u, "service.user"));
    json_decref(u);

    /* Neither options nor version: the stored options are re-applied
     * (unknown request members ignored). */
    r = update(&g_sim, "{\"appId\":\"es-u\",\"replace\":false,"
                       "\"colour\":\"red\"}");
    expect_status(&r, 200);
    assert_string_equal(h_jstr(r.json, "resolvedOptions.service."
                                     "update_strategy"),
                        "parallel");
    h_resp_free(&r);

    /* replace: true keeps only what is sent (defaults fill the rest). */
    r = update(&g_sim, "{\"appId\":\"es-u\",\"replace\":true,\"options\":"
                       "{\"service\":{\"name\":\"es-u\"}}}");
    expect_status(&r, 200);
    assert_string_equal(h_jstr(r.json, "resolvedOptions.service."
                                     "service_account"),
                        "");
    assert_string_equal(h_jstr(r.json, "resolvedOptions.service."
                                     "update_strategy"),
                        "serial");
    h_resp_free(&r);
    u = user_options(&g_sim, "es-u");
    h_expect_json_eq(u, "{\"service\":{\"name\":\"es-u\"}}");
    json_decref(u);

    /* A version change along upgradesFrom/downgradesTo. */
    r = update(&g_sim, "{\"appId\":\"es-u\",\"replace\":false,"
                       "\"packageVersion\":\"" V9 "\"}");
    expect_status(&r, 200);
    assert_string_equal(h_jstr(r.json, "package.version"), V9);
    h_resp_free(&r);
    r = h_cosmos(&g_sim, "service/describe", "{\"appId\":\"es-u\"}");
    expect_status(&r, 200);
    assert_string_equal(h_jstr(r.json, "package.version"), V9);
    h_expect_json_eq(json_object_get(r.json, "upgradesTo"), "[\"" V10 "\"]");
    h_resp_free(&r);
    r = h_cosmos(&g_sim, "package/list", "{\"appId\":\"es-u\"}");
    expect_status(&r, 200);
    assert_string_equal(
        h_jstr(json_array_get(json_object_get(r.json, "packages"), 0),
               "packageInformation.packageDefinition.version"),
        V9);
    h_resp_free(&r);
}

static void test_update_errors(void **state)
{
    struct h_resp r;
    json_t *fx, *u;

    (void)state;
    /* replace is required. */
    r = h_cosmos(&g_sim, "service/update",
                 "{\"appId\":\"es-a\",\"options\":{}}");
    expect_error(&r, 400, "not_parsed");
    assert_string_equal(h_jstr(r.json, "message"),
                        "Item 'body' unable to be parsed: Attempt to decode "
                        "value on failed cursor: DownField(replace)");
    h_resp_free(&r);

    /* service.name cannot change. */
    r = h_cosmos(&g_sim, "service/update",
                 "{\"appId\":\"es-a\",\"replace\":false,\"options\":"
                 "{\"service\":{\"name\":\"es-other\"}}}");
    expect_error(&r, 400, "AppIdChanged");
    fx = h_fixture_json(ENT "bad-app-id.json");
    expect_same_keys(r.json, fx, "AppIdChanged");
    json_decref(fx);
    h_expect_json_eq(r.json, "{\"type\":\"AppIdChanged\",\"message\":\"The "
                           "new appId /es-other must be equal to the old "
                           "appId /es-a\",\"data\":{\"newAppId\":"
                           "\"/es-other\",\"oldAppId\":\"/es-a\"}}");
    h_resp_free(&r);

    /* A version outside upgradesTo/downgradesTo. */
    r = h_cosmos(&g_sim, "service/update",
                 "{\"appId\":\"es-a\",\"replace\":false,"
                 "\"packageVersion\":\"not-a-valid\"}");
    expect_error(&r, 400, "BadVersionUpdate");
    fx = h_fixture_json(ENT "bad-version.json");
    expect_same_keys(r.json, fx, "BadVersionUpdate");
    expect_same_keys(json_object_get(r.json, "data"),
                     json_object_get(fx, "data"), "BadVersionUpdate data");
    json_decref(fx);
    h_expect_json_eq(r.json, "{\"type\":\"BadVersionUpdate\",\"message\":"
                           "\"The service of version " V10 " cannot update "
                           "to the requested version not-a-valid\","
                           "\"data\":{\"currentVersion\":\"" V10 "\","
                           "\"updateVersion\":\"not-a-valid\","
                           "\"validVersions\":[\"" V9 "\"]}}");
    h_resp_free(&r);
    /* 2.1.0 is in the catalog but not a direct downgrade of 2.1.2. */
    r = h_cosmos(&g_sim, "service/update",
                 "{\"appId\":\"es-a\",\"replace\":false,"
                 "\"packageVersion\":\"" V8 "\"}");
    expect_error(&r, 400, "BadVersionUpdate");
    h_resp_free(&r);

    /* Unknown app. */
    r = h_cosmos(&g_sim, "service/update",
                 "{\"appId\":\"nope\",\"replace\":false}");
    expect_error(&r, 400, "MarathonAppNotFound");
    assert_string_equal(h_jstr(r.json, "data.appId"), "/nope");
    h_resp_free(&r);

    /* Schema failures, including a null that removes a required
     * value. */
    r = h_cosmos(&g_sim, "service/update",
                 "{\"appId\":\"es-a\",\"replace\":false,\"options\":"
                 "{\"service\":{\"deploy_strategy\":\"rolling\"}}}");
    expect_error(&r, 400, "JsonSchemaMismatch");
    h_resp_free(&r);
    r = h_cosmos(&g_sim, "service/update",
                 "{\"appId\":\"es-a\",\"replace\":true,\"options\":"
                 "{\"service\":{\"name\":\"es-a\",\"user\":null}}}");
    expect_error(&r, 400, "JsonSchemaMismatch");
    assert_string_equal(h_jstr(json_array_get(h_jget(r.json, "data.errors"), 0),
                               "instance.pointer"),
                        "/service/user");
    h_resp_free(&r);

    /* None of the failed updates changed the stored options. */
    u = user_options(&g_sim, "es-a");
    h_expect_json_eq(u, "{\"service\":{\"name\":\"es-a\"}}");
    json_decref(u);
}

/* ---- uninstall ------------------------------------------------------ */

static void test_uninstall(void **state)
{
    struct h_resp r;
    json_t *res;

    (void)state;
    r = h_cosmos(&g_sim, "package/uninstall",
                 "{\"packageName\":\"beta-elastic\"}");
    expect_error(&r, 400, "AmbiguousAppId");
    assert_true(util_has_prefix(h_jstr(r.json, "message"),
                                "Multiple apps named [beta-elastic] are "
                                "installed: [/es-"));
    assert_true(json_array_size(h_jget(r.json, "data.appIds")) >= 2);
    h_resp_free(&r);

    r = h_cosmos(&g_sim, "package/uninstall", "{\"packageName\":\"kafka\"}");
    expect_error(&r, 400, "PackageNotInstalled");
    h_expect_json_eq(r.json, "{\"type\":\"PackageNotInstalled\",\"message\":"
                           "\"Package [kafka] is not installed\",\"data\":"
                           "{\"packageName\":\"kafka\"}}");
    h_resp_free(&r);

    r = h_cosmos(&g_sim, "package/uninstall",
                 "{\"packageName\":\"beta-elastic\",\"appId\":\"es-zz\"}");
    expect_error(&r, 400, "UninstallNonExistentAppForPackage");
    h_expect_json_eq(json_object_get(r.json, "data"),
                     "{\"packageName\":\"beta-elastic\",\"appId\":\"/es-zz\"}");
    h_resp_free(&r);

    r = h_cosmos(&g_sim, "package/uninstall",
                 "{\"packageName\":\"beta-elastic\",\"appId\":\"es-b\"}");
    expect_status(&r, 200);
    assert_string_equal(r.content_type, PKG("uninstall-response", "v1"));
    assert_int_equal(json_array_size(json_object_get(r.json, "results")), 1);
    res = json_array_get(json_object_get(r.json, "results"), 0);
    expect_keys_within(res,
                       "packageName appId packageVersion postUninstallNotes",
                       "packageName appId packageVersion postUninstallNotes",
                       "uninstall result");
    assert_string_equal(h_jstr(res, "appId"), "/es-b");
    assert_string_equal(h_jstr(res, "packageVersion"), V10);
    h_resp_free(&r);

    wait_gone(&g_sim, "/es-b");
    r = h_cosmos(&g_sim, "service/describe", "{\"appId\":\"es-b\"}");
    expect_error(&r, 400, "MarathonAppNotFound");
    h_resp_free(&r);
    r = h_cosmos(&g_sim, "package/uninstall",
                 "{\"packageName\":\"beta-elastic\",\"appId\":\"es-b\"}");
    expect_error(&r, 400, "UninstallNonExistentAppForPackage");
    h_resp_free(&r);

    /* The name is free again. */
    install(&g_sim, "es-b", "");
    assert_true(listed(&g_sim, "/es-b"));
}

/* ---- persistence ------------------------------------------------------ */

/* A second cluster of its own; the teardown stops it even when the test
 * fails half-way. */
static struct h_sim g_sim2;

static int persistence_teardown(void **state)
{
    (void)state;
    if (g_sim2.dir[0])
        h_sim_destroy(&g_sim2);
    memset(&g_sim2, 0, sizeof(g_sim2));
    return 0;
}

static void test_persistence(void **state)
{
    struct h_sim *s2 = &g_sim2;
    struct h_resp r;
    json_t *u;

    (void)state;
    h_sim_up(s2, NULL, SPEED);
    install(s2, "es-p", "\"service_account\":\"elastic\"");
    r = update(s2, "{\"appId\":\"es-p\",\"replace\":false,\"options\":"
                   "{\"elasticsearch\":{\"xpack_enabled\":true}}}");
    expect_status(&r, 200);
    h_resp_free(&r);
    assert_int_equal(h_sim_stop(s2), 0);

    h_sim_up(s2, s2->dir, SPEED);
    assert_true(listed(s2, "/es-p"));
    u = user_options(s2, "es-p");
    h_expect_json_eq(u, "{\"service\":{\"name\":\"es-p\","
                      "\"service_account\":\"elastic\"},"
                      "\"elasticsearch\":{\"xpack_enabled\":true}}");
    json_decref(u);
    /* Still installed as far as Cosmos is concerned. */
    r = cosmos(s2, "package/install",
               "{\"packageName\":\"beta-elastic\",\"options\":{\"service\":"
               "{\"name\":\"es-p\"}}}");
    expect_error(&r, 409, "PackageAlreadyInstalled");
    h_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_media_types),
        cmocka_unit_test(test_multiple_errors),
        cmocka_unit_test(test_permissions),
        cmocka_unit_test(test_describe_package),
        cmocka_unit_test(test_catalog_listings),
        cmocka_unit_test(test_install),
        cmocka_unit_test(test_install_errors),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_service_describe),
        cmocka_unit_test(test_update_merges),
        cmocka_unit_test(test_update_errors),
        cmocka_unit_test(test_uninstall),
        cmocka_unit_test_teardown(test_persistence, persistence_teardown),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
