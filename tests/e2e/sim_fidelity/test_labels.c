/*
 * dcos-sim, the Marathon app as Cosmos leaves it (dcos-cli-and-cluster.md
 * 6): the template's labels plus the five Cosmos writes for packaging
 * version 4.0 (DCOS_PACKAGE_NAME, _VERSION, _SOURCE, _OPTIONS as base64 of
 * the user options, _DEFINITION as base64 of the storage envelope of the
 * gzipped package), checked against the labels of dcos-ui's SDKService.json
 * and decoded independently (OpenSSL base64, zlib); and the "App is
 * locked" 500 naming the blocking deployment (the one /v2/deployments
 * lists for the app) as dcos-commons' marathon-error.json does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "fid_testutil.h"
#include "harness/h_cluster.h"
#include "harness/h_json.h"
#include "harness/harness.h"

#define SDK_SERVICE                                                           \
    "dcos__dcos-ui/plugins/services/src/js/containers/service-connection/"   \
    "__tests__/fixtures/SDKService.json"
#define MARATHON_ERROR                                                        \
    "mesosphere__dcos-commons/cli/client/testdata/responses/cosmos/1.10/"    \
    "enterprise/marathon-error.json"
#define V4 "application/vnd.dcos.universe.package+json;charset=utf-8;version=v4"

static struct h_sim g_sim;

static int setup(void **state)
{
    return h_group_up(state, &g_sim, FID_SPEED);
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

/* Standard base64 of @s decoded with OpenSSL (new, NUL-terminated); the
 * decoded length in *@n. */
static unsigned char *b64_decode(const char *s, size_t *n)
{
    size_t len = strlen(s);
    unsigned char *out = malloc(len / 4 * 3 + 4);
    int k;

    assert_non_null(out);
    assert_true(len % 4 == 0);
    k = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
    assert_true(k >= 0);
    /* EVP_DecodeBlock counts the padding as zero bytes */
    if (len >= 1 && s[len - 1] == '=')
        k--;
    if (len >= 2 && s[len - 2] == '=')
        k--;
    out[k] = '\0';
    *n = (size_t)k;
    return out;
}

/* gunzip @in[0..n) (new, NUL-terminated). */
static char *gunzip(const unsigned char *in, size_t n)
{
    z_stream z;
    size_t cap = 1u << 22;
    char *out = malloc(cap);
    int r;

    assert_non_null(out);
    memset(&z, 0, sizeof(z));
    assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)(cap - 1);
    r = inflate(&z, Z_FINISH);
    if (r != Z_STREAM_END)
        fail_msg("DCOS_PACKAGE_DEFINITION data is not gzip: %d", r);
    out[z.total_out] = '\0';
    inflateEnd(&z);
    return out;
}

static json_t *app_labels(const char *svc)
{
    char *p = h_fmt("/marathon/v2/apps/%s", svc);
    struct h_resp r = h_get(&g_sim, p);
    json_t *l;

    h_expect_status(&r, 200, p);
    l = json_incref(h_jget(r.json, "app.labels"));
    assert_true(json_is_object(l));
    h_resp_free(&r);
    free(p);
    return l;
}

/* The user options a label carries, as text. */
static char *options_label(const json_t *labels)
{
    size_t n;
    unsigned char *d = b64_decode(h_jstr(labels, "DCOS_PACKAGE_OPTIONS"),
                                  &n);

    return (char *)d;
}

static void test_labels_as_cosmos_writes(void **state)
{
    static const char opts[] = "{\"service\":{\"name\":\"es-l\"},"
                               "\"elasticsearch\":{\"xpack_enabled\":true}}";
    json_t *fixture = fid_fixture_json(SDK_SERVICE), *want, *labels, *env,
           *pkg;
    unsigned char *raw, *gz;
    char *text, *body;
    size_t n, gn;
    struct h_resp r;

    (void)state;
    h_install(&g_sim, opts);
    labels = app_labels("es-l");
    /* the fixture's label set, without DCOS_PACKAGE_METADATA, which
     * Cosmos stopped writing in 2018 (v0.6.2) */
    want = json_deep_copy(h_jget(fixture, "labels"));
    json_object_del(want, "DCOS_PACKAGE_METADATA");
    if (!h_same_keys(labels, want))
        fail_msg("labels %s, expected the keys of %s",
                 json_dumps(labels, JSON_COMPACT),
                 json_dumps(want, JSON_COMPACT));
    assert_string_equal(h_jstr(labels, "DCOS_PACKAGE_NAME"), "beta-elastic");
    assert_string_equal(h_jstr(labels, "DCOS_PACKAGE_VERSION"),
                        "2.1.2-5.6.5-beta");
    assert_string_equal(h_jstr(labels, "DCOS_PACKAGE_SOURCE"),
                        h_jstr(fixture, "labels.DCOS_PACKAGE_SOURCE"));
    /* the template's own labels stay */
    assert_string_equal(h_jstr(labels, "DCOS_COMMONS_UNINSTALL"), "true");
    assert_string_equal(h_jstr(labels, "DCOS_COMMONS_API_VERSION"), "v1");
    assert_string_equal(h_jstr(labels, "DCOS_SERVICE_NAME"), "es-l");
    assert_string_equal(h_jstr(labels, "DCOS_PACKAGE_FRAMEWORK_NAME"),
                        "es-l");

    /* the user options exactly as sent, compact */
    text = options_label(labels);
    assert_string_equal(text, opts);
    free(text);

    /* the envelope, then the gzipped v4 package: what describe gives */
    raw = b64_decode(h_jstr(labels, "DCOS_PACKAGE_DEFINITION"), &n);
    env = h_json_parse((const char *)raw);
    free(raw);
    h_expect_json_eq(h_jget(env, "metadata"),
                     "{\"Content-Type\":\"" V4 "\","
                     "\"Content-Encoding\":\"gzip\"}");
    gz = b64_decode(h_jstr(env, "data"), &gn);
    text = gunzip(gz, gn);
    free(gz);
    pkg = h_json_parse(text);
    free(text);
    body = h_fmt("{\"packageName\":\"beta-elastic\",\"packageVersion\":"
                 "\"2.1.2-5.6.5-beta\"}");
    r = h_cosmos(&g_sim, "package/describe", body);
    h_expect_status(&r, 200, "describe");
    if (!json_equal(pkg, h_jget(r.json, "package")))
        fail_msg("DCOS_PACKAGE_DEFINITION holds another package");
    assert_string_equal(h_jstr(pkg, "packagingVersion"), "4.0");
    h_resp_free(&r);
    free(body);
    json_decref(pkg);
    json_decref(env);

    /* an update writes the merged user options */
    if (!h_wait_deployed(&g_sim, "es-l", FID_WAIT_MS, FID_POLL_MS))
        fail_msg("es-l still deploying");
    assert_int_equal(h_update(&g_sim, "es-l",
                              "{\"elasticsearch\":{\"xpack_enabled\":"
                              "false}}"),
                     200);
    json_decref(labels);
    labels = app_labels("es-l");
    text = options_label(labels);
    assert_string_equal(text, "{\"service\":{\"name\":\"es-l\"},"
                              "\"elasticsearch\":{\"xpack_enabled\":false}}");
    free(text);
    json_decref(labels);
    json_decref(want);
    json_decref(fixture);
}

/* Without options Cosmos writes {} (e30=), as in SDKService.json. */
static void test_no_options(void **state)
{
    struct h_resp r;
    json_t *labels, *fixture = fid_fixture_json(SDK_SERVICE);

    (void)state;
    r = h_cosmos(&g_sim, "package/install",
                 "{\"packageName\":\"beta-elastic\"}");
    h_expect_status(&r, 200, "install without options");
    h_resp_free(&r);
    labels = app_labels("elastic");
    assert_string_equal(h_jstr(labels, "DCOS_PACKAGE_OPTIONS"), "e30=");
    assert_string_equal(h_jstr(fixture, "labels.DCOS_PACKAGE_OPTIONS"),
                        "e30=");
    json_decref(labels);
    json_decref(fixture);
}

/*
 * An update during the app's deployment of service @name: Cosmos's 500
 * wrapping Marathon's 409, byte for byte the fixture once its deployment
 * id is ours, and ours is the deployment Marathon lists.  0 when checked;
 * -1 when the deployment ended before the update or before Marathon was
 * asked (a loaded machine at the sim's speed), to be tried again.
 */
static int locked_update(const char *name, const json_t *fixture)
{
    const char *msg, *prefix = "java.lang.Error: ", *dep = NULL;
    char *opts = h_fmt("{\"service\":{\"name\":\"%s\"}}", name);
    char *body = h_fmt("{\"appId\":\"%s\",\"options\":{},"
                       "\"replace\":false}", name);
    char *app = h_fmt("/%s", name);
    json_t *inner, *want, *v, *mine = json_pack("[s]", app);
    struct h_resp r, d;
    size_t i;
    int rc = -1;

    h_install(&g_sim, opts);
    r = h_cosmos(&g_sim, "service/update", body);
    d = h_get(&g_sim, "/marathon/v2/deployments");
    h_expect_status(&d, 200, "deployments");
    json_array_foreach(d.json, i, v)
        if (json_equal(h_jget(v, "affectedApps"), mine))
            dep = h_jstr(v, "id");
    if (r.status == 500 && dep) {
        assert_string_equal(h_jstr(r.json, "type"),
                            h_jstr(fixture, "type"));
        msg = h_jstr(r.json, "message");
        assert_non_null(msg);
        assert_true(strncmp(msg, prefix, strlen(prefix)) == 0);
        inner = h_json_parse(msg + strlen(prefix));
        /* the fixture's body with our deployment id */
        want = h_json_parse(h_jstr(fixture, "message") + strlen(prefix));
        json_object_set_new(json_array_get(h_jget(want, "deployments"), 0),
                            "id", json_string(dep));
        if (!json_equal(inner, want))
            fail_msg("locked: %s, expected %s", msg + strlen(prefix),
                     json_dumps(want, JSON_COMPACT));
        json_decref(inner);
        json_decref(want);
        rc = 0;
    } else if (r.status != 500 && r.status != 200) {
        h_expect_status(&r, 500, "update during the install's deployment");
    }
    json_decref(mine);
    h_resp_free(&d);
    h_resp_free(&r);
    free(opts);
    free(body);
    free(app);
    return rc;
}

/*
 * locked_update, on a fresh service until one deployment lasts long
 * enough to be seen (bounded); then a successful update's
 * marathonDeploymentId is the deployment Marathon then shows.
 */
static void test_locked_names_the_deployment(void **state)
{
    json_t *fixture = fid_fixture_json(MARATHON_ERROR);
    struct h_resp r, d;
    char name[16], *body;
    int attempt;

    (void)state;
    for (attempt = 0; attempt < 5; attempt++) {
        snprintf(name, sizeof(name), "es-k%d", attempt);
        if (locked_update(name, fixture) == 0)
            break;
    }
    if (attempt == 5)
        fail_msg("5 deployments ended before they could be looked at");
    if (!h_wait_deployed(&g_sim, name, FID_WAIT_MS, FID_POLL_MS))
        fail_msg("%s still deploying", name);
    body = h_fmt("{\"appId\":\"%s\",\"options\":{},\"replace\":false}",
                 name);
    r = h_cosmos(&g_sim, "service/update", body);
    h_expect_status(&r, 200, "update");
    free(body);
    body = h_fmt("/marathon/v2/apps/%s", name);
    d = h_get(&g_sim, body);
    assert_string_equal(h_jstr(r.json, "marathonDeploymentId"),
                        h_jstr(json_array_get(h_jget(d.json,
                                                     "app.deployments"),
                                              0),
                               "id"));
    h_resp_free(&d);
    h_resp_free(&r);
    free(body);
    json_decref(fixture);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels_as_cosmos_writes),
        cmocka_unit_test(test_no_options),
        cmocka_unit_test(test_locked_names_the_deployment),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
