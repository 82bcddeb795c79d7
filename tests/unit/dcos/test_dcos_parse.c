/* Parsers of dcos/parse.h on the real upstream payloads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/jsonscan.h"
#include "common/util.h"
#include "dcos/json.h"
#include "dcos/parse.h"

#define UI "dcos__dcos-ui/tests/_fixtures/"
#define COMMONS "mesosphere__dcos-commons/cli/"
#define CERR COMMONS "client/testdata/responses/cosmos/1.10/enterprise/"
#define CQ COMMONS "queries/testdata/responses/"
#define SDKRES "mesosphere__dcos-commons/sdk/scheduler/src/test/resources/"

static char *read_text(const char *base, const char *rel, size_t *len)
{
    char path[1024];
    char *text = NULL;

    snprintf(path, sizeof(path), "%s/%s", base, rel);
    if (util_read_file(&text, len, path, 16 * 1024 * 1024))
        fail_msg("cannot read %s", path);
    return text;
}

static json_t *fixture(const char *rel)
{
    size_t len = 0;
    char *t = read_text(ETLS_FIXTURES_DIR, rel, &len);
    json_t *j = dcos_json_parse(t, len);

    if (!j)
        fail_msg("%s is not JSON", rel);
    free(t);
    return j;
}

static json_t *data(const char *rel)
{
    size_t len = 0;
    char *t = read_text(ETLS_TEST_DATA "/dcos", rel, &len);
    json_t *j = dcos_json_parse(t, len);

    if (!j)
        fail_msg("%s is not JSON", rel);
    free(t);
    return j;
}

static void test_user(void **state)
{
    json_t *j = fixture(UI "acl/service-account.json");
    struct dcos_user *u = NULL;

    (void)state;
    assert_int_equal(dcos_parse_user(&u, j), 0);
    assert_string_equal(u->uid, "myserviceaccount");
    assert_string_equal(u->description, "myserviceaccount service account");
    assert_true(u->is_service);
    assert_true(util_has_prefix(u->public_key, "-----BEGIN PUBLIC KEY-----"));
    assert_non_null(
        strstr(u->public_key, "+QIDAQAB\n-----END PUBLIC KEY-----\n"));
    dcos_user_free(u);
    json_decref(j);

    j = fixture(UI "acl/user-unicode.json");
    assert_int_equal(dcos_parse_user(&u, j), 0);
    assert_string_equal(u->uid, "quis");
    assert_false(u->is_service);
    assert_null(u->public_key);
    dcos_user_free(u);
    json_decref(j);

    /* No is_service member, but a key: a service account. */
    j = fixture(UI "acl/service-account-unicode.json");
    assert_int_equal(dcos_parse_user(&u, j), 0);
    assert_true(u->is_service);
    dcos_user_free(u);
    json_decref(j);

    /* An IAM error body is not a user. */
    u = NULL;
    j = fixture(UI "acl/acls-config-empty.json");
    assert_int_equal(dcos_parse_user(&u, j), ERR_INVALID);
    assert_null(u);
    json_decref(j);
}

static void test_users(void **state)
{
    struct dcos_user_list l;
    json_t *j = fixture(UI "acl/users-unicode.json");

    (void)state;
    assert_int_equal(dcos_parse_users(&l, j), 0);
    assert_int_equal(l.n, 2000);
    dcos_user_list_clear(&l);
    json_decref(j);

    j = fixture(UI "acl/service-accounts-unicode.json");
    assert_int_equal(dcos_parse_users(&l, j), 0);
    assert_int_equal(l.n, 4);
    assert_true(l.items[0].is_service);
    assert_string_equal(l.items[0].uid,
                        "4aab40b8-f573-4990-9e2c-3803cd20b26d");
    assert_true(dcos_user_list_has(&l,
                                   "cc318930-e298-4e1e-9763-1cca42feb094"));
    assert_false(dcos_user_list_has(&l, "cc318930"));
    dcos_user_list_clear(&l);
    json_decref(j);

    j = fixture(UI "acl/users-unicode-truncated.json");
    assert_int_equal(dcos_parse_users(&l, j), 0);
    assert_int_equal(l.n, 4);
    dcos_user_list_clear(&l);
    json_decref(j);

    /* The bare [] stub is not the IAM list shape. */
    j = fixture(UI "acl/acls_empty.json");
    assert_int_equal(dcos_parse_users(&l, j), ERR_INVALID);
    json_decref(j);
}

static void test_group_users(void **state)
{
    struct dcos_user_list l;
    json_t *j = fixture(UI "acl/group-users.json");

    (void)state;
    assert_int_equal(dcos_parse_group_users(&l, j), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[0].uid, "velit");
    /* Exact match: "quis" is not "qüis". */
    assert_true(dcos_user_list_has(&l, "q\xc3\xbcis"));
    assert_false(dcos_user_list_has(&l, "quis"));
    assert_false(dcos_user_list_has(&l, "veli"));
    dcos_user_list_clear(&l);
    json_decref(j);
}

static void test_user_groups(void **state)
{
    char **g = NULL;
    size_t n = 0;
    json_t *j = fixture(UI "acl/user-groups.json");

    (void)state;
    assert_int_equal(dcos_parse_user_groups(&g, &n, j), 0);
    assert_int_equal(n, 2);
    assert_string_equal(g[0], "\xc3\xb6lis");
    assert_string_equal(g[1], "geeks");
    dcos_string_array_free(g, n);
    json_decref(j);

    /* No memberships; a group without a gid; no array. */
    j = json_loads("{\"array\":[]}", 0, NULL);
    assert_int_equal(dcos_parse_user_groups(&g, &n, j), 0);
    assert_int_equal(n, 0);
    dcos_string_array_free(g, n);
    json_decref(j);
    j = json_loads("{\"array\":[{\"group\":{\"gid\":\"a\"}},"
                   "{\"group\":{\"url\":\"/groups/b\"}}]}", 0, NULL);
    assert_int_equal(dcos_parse_user_groups(&g, &n, j), ERR_INVALID);
    json_decref(j);
    j = json_loads("{\"groups\":[]}", 0, NULL);
    assert_int_equal(dcos_parse_user_groups(&g, &n, j), ERR_INVALID);
    json_decref(j);
}

static void test_permissions(void **state)
{
    struct dcos_permissions p;
    json_t *j = fixture(UI "acl/superuser.json");

    (void)state;
    assert_int_equal(dcos_parse_user_permissions(&p, j), 0);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.items[0].rid, "dcos:superuser");
    assert_string_equal(p.items[0].action, "full");
    assert_string_equal(p.items[0].gid, "superusers");
    /* Superuser allows anything. */
    assert_true(dcos_permissions_allow(&p, "dcos:adminrouter:ops:ca:rw",
                                       "full"));
    dcos_permissions_clear(&p);
    json_decref(j);

    j = fixture(UI "acl/user-permissions.json");
    assert_int_equal(dcos_parse_user_permissions(&p, j), 0);
    assert_int_equal(p.n, 2);
    assert_null(p.items[0].gid);
    assert_string_equal(p.items[1].gid, "\xc3\xb6lis");
    assert_true(dcos_permissions_allow(
        &p, "dcos:adminrouter:service:marathon", "read"));
    assert_false(dcos_permissions_allow(&p, "dcos:adminrouter:ops:ca:rw",
                                        "full"));
    dcos_permissions_clear(&p);
    json_decref(j);

    j = fixture(UI "acl/user-permissions-many.json");
    assert_int_equal(dcos_parse_user_permissions(&p, j), 0);
    assert_true(p.n >= 4);
    assert_string_equal(p.items[0].action, "Read");
    dcos_permissions_clear(&p);
    json_decref(j);

    j = fixture(UI "acl/user-permissions-single.json");
    assert_int_equal(dcos_parse_user_permissions(&p, j), 0);
    assert_int_equal(p.n, 1);
    dcos_permissions_clear(&p);
    json_decref(j);

    j = fixture(UI "acl/user-permissions-empty.json");
    assert_int_equal(dcos_parse_user_permissions(&p, j), 0);
    assert_int_equal(p.n, 0);
    assert_false(dcos_permissions_allow(&p, "dcos:superuser", "full"));
    dcos_permissions_clear(&p);
    json_decref(j);
}

static void test_allowed_and_iam_error(void **state)
{
    json_t *j = json_loads("{\"allowed\":true}", 0, NULL);
    struct dcos_iam_error e;
    bool ok = false;

    (void)state;
    assert_int_equal(dcos_parse_allowed(&ok, j), 0);
    assert_true(ok);
    json_decref(j);
    j = json_loads("{\"allowed\":\"yes\"}", 0, NULL);
    assert_int_equal(dcos_parse_allowed(&ok, j), ERR_INVALID);
    json_decref(j);

    j = fixture(UI "acl/acls-config-empty.json");
    assert_int_equal(dcos_parse_iam_error(&e, j), 0);
    assert_string_equal(e.code, "ERR_LDAP_CONFIG_NOT_AVAILABLE");
    assert_string_equal(e.description, "No LDAP configuration stored yet.");
    assert_string_equal(e.title, "Bad Request");
    dcos_iam_error_clear(&e);
    json_decref(j);
}

static void cosmos(const char *rel, const char *type, const char *want)
{
    json_t *j = fixture(rel);
    struct dcos_cosmos_error *e = NULL;
    char line[512];

    assert_int_equal(dcos_parse_cosmos_error(&e, j), 0);
    assert_string_equal(e->type, type);
    dcos_cosmos_error_format(e, line, sizeof(line));
    if (!strstr(line, want))
        fail_msg("'%s' lacks '%s'", line, want);
    assert_null(strchr(line, '\n'));
    dcos_cosmos_error_free(e);
    json_decref(j);
}

static void test_cosmos_errors(void **state)
{
    (void)state;
    cosmos(CERR "bad-app-id.json", "AppIdChanged",
           "AppIdChanged: The new appId /hello-world must be equal to the "
           "old appId /hello-world2 (/hello-world2 -> /hello-world)");
    cosmos(CERR "bad-json.json", "JsonSchemaMismatch",
           "; /world/cpus: instance type (string) does not match");
    cosmos(CERR "bad-json.json", "JsonSchemaMismatch",
           "; /service/mesos_api_version: instance type (integer)");
    cosmos(CERR "bad-name.json", "MarathonAppNotFound",
           "Unable to locate service with marathon appId: '/hello-world-1'");
    cosmos(CERR "bad-version.json", "BadVersionUpdate",
           "(valid versions: v0.8 v0.9 v1.1 v2.0)");
    cosmos(CERR "bad-version-no-versions.json", "BadVersionUpdate",
           "(valid versions: none)");
    cosmos(CERR "generic-error.json", "GenericErrorType",
           "GenericErrorType: This an example");
    /* No data member; the message holds an escaped Marathon JSON. */
    cosmos(CERR "marathon-error.json", "unhandled_exception",
           "App is locked by one or more deployments");
    {
        json_t *j = fixture(CERR "marathon-error.json");
        struct dcos_cosmos_error *e = NULL;

        assert_int_equal(dcos_parse_cosmos_error(&e, j), 0);
        assert_null(e->data);
        dcos_cosmos_error_free(e);
        json_decref(j);
        j = fixture(CERR "bad-name.json");
        assert_int_equal(dcos_parse_cosmos_error(&e, j), 0);
        assert_string_equal(
            json_string_value(json_object_get(e->data, "appId")),
            "/hello-world-1");
        dcos_cosmos_error_free(e);
        json_decref(j);
        /* An IAM error is not a Cosmos error. */
        e = NULL;
        j = fixture(UI "acl/acls-config-empty.json");
        assert_int_equal(dcos_parse_cosmos_error(&e, j), ERR_INVALID);
        assert_null(e);
        json_decref(j);
    }
}

/* The describe answer parsed whole and projected gives the same struct. */
static void same_describe(const char *rel)
{
    size_t len = 0;
    char *t = read_text(ETLS_FIXTURES_DIR, rel, &len);
    json_t *whole = dcos_json_parse(t, len);
    json_t *part = dcos_json_parse_projected(t, len, dcos_service_describe_keep,
                                             DCOS_SERVICE_DESCRIBE_N_KEEP);
    struct dcos_service_desc *a = NULL, *b = NULL;
    size_t i;

    assert_non_null(whole);
    assert_non_null(part);
    assert_true(json_dumpb(part, NULL, 0, 0) < len);
    assert_int_equal(dcos_parse_service_describe(&a, whole), 0);
    assert_int_equal(dcos_parse_service_describe(&b, part), 0);
    assert_string_equal(a->package_name, b->package_name);
    assert_string_equal(a->package_version, b->package_version);
    assert_true(a->resolved_options ? json_equal(a->resolved_options,
                                                 b->resolved_options)
                                    : !b->resolved_options);
    assert_true(a->user_options
                    ? json_equal(a->user_options, b->user_options)
                    : !b->user_options);
    assert_int_equal(a->n_upgrades_to, b->n_upgrades_to);
    for (i = 0; i < a->n_upgrades_to; i++)
        assert_string_equal(a->upgrades_to[i], b->upgrades_to[i]);
    assert_int_equal(a->n_downgrades_to, b->n_downgrades_to);
    for (i = 0; i < a->n_downgrades_to; i++)
        assert_string_equal(a->downgrades_to[i], b->downgrades_to[i]);
    /* nothing the parser does not read survives */
    assert_null(json_object_get(json_object_get(part, "package"), "config"));
    dcos_service_desc_free(a);
    dcos_service_desc_free(b);
    json_decref(whole);
    json_decref(part);
    free(t);
}

static json_t *projected(const char *text)
{
    static const struct dcos_json_keep inner[] = {{"b", NULL, 0}};
    static const struct dcos_json_keep keep[] = {{"a", inner, 1},
                                                 {"n", NULL, 0}};

    return dcos_json_parse_projected(text, strlen(text), keep, 2);
}

static void test_json_projected(void **state)
{
    json_t *j;
    char *s;

    (void)state;
    same_describe(CQ "cosmos/1.10/enterprise/describe.json");
    same_describe(CQ "cosmos/1.10/enterprise/describe-no-package-versions.json");
    same_describe(CQ "cosmos/1.10/open/describe.json");
    same_describe(UI "cosmos/service-describe.json");

    /* nested keep, kept values verbatim, escaped keys matched */
    j = projected(" {\"z\":[1,{\"a\":2}],\"\\u0061\":{\"b\":1.50,\"c\":[]},"
                  "\"n\":-0.25e2} ");
    assert_non_null(j);
    s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(s, "{\"a\":{\"b\":1.5},\"n\":-25.0}");
    free(s);
    json_decref(j);
    /* a kept value that is not an object is kept whole */
    j = projected("{\"a\":[1,2]}");
    assert_non_null(j);
    assert_int_equal(json_array_size(json_object_get(j, "a")), 2);
    json_decref(j);
    /* nothing kept: an empty object */
    j = projected("{\"x\":1}");
    assert_non_null(j);
    assert_int_equal(json_object_size(j), 0);
    json_decref(j);
    /* a kept key twice, at the top or below, is refused */
    assert_null(projected("{\"n\":1,\"n\":2}"));
    assert_null(projected("{\"a\":{\"b\":1,\"b\":2}}"));
    /* the dropped part is still checked */
    assert_null(projected("{\"x\":[1,},\"n\":1}"));
    assert_null(projected("{\"x\":\"\\q\",\"n\":1}"));
    assert_null(projected("{\"n\":1} x"));
    assert_null(projected("{\"n\":1"));
    assert_null(projected("[{\"n\":1}]"));
    assert_null(projected(""));
    assert_null(dcos_json_parse_projected(NULL, 0, NULL, 0));
    {
        /* nesting beyond 64 levels in a dropped member */
        char deep[200];
        size_t i, n = 0;

        n += (size_t)snprintf(deep, sizeof(deep), "{\"x\":");
        for (i = 0; i < 70; i++)
            deep[n++] = '[';
        for (i = 0; i < 70; i++)
            deep[n++] = ']';
        deep[n++] = '}';
        deep[n] = '\0';
        assert_null(projected(deep));
    }
}

static void test_service_describe(void **state)
{
    json_t *j = fixture(CQ "cosmos/1.10/enterprise/describe.json");
    struct dcos_service_desc *d = NULL;

    (void)state;
    assert_int_equal(dcos_parse_service_describe(&d, j), 0);
    assert_string_equal(d->package_name, "hello-world");
    assert_string_equal(d->package_version, "v1.0");
    assert_non_null(d->resolved_options);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(d->resolved_options, "service"),
                            "name")),
                        "hello-world");
    assert_non_null(d->user_options);
    assert_int_equal(json_object_size(d->user_options), 0);
    assert_int_equal(d->n_upgrades_to, 2);
    assert_string_equal(d->upgrades_to[1], "v2.0");
    assert_int_equal(d->n_downgrades_to, 2);
    dcos_service_desc_free(d);
    json_decref(j);

    j = fixture(UI "cosmos/service-describe.json");
    assert_int_equal(dcos_parse_service_describe(&d, j), 0);
    assert_string_equal(d->package_name, "elastic");
    assert_string_equal(d->package_version, "2.0.1-5.5.1");
    assert_true(json_is_false(json_object_get(
        json_object_get(d->resolved_options, "elasticsearch"),
        "xpack_enabled")));
    assert_int_equal(d->n_upgrades_to, 0);
    assert_int_equal(d->n_downgrades_to, 1);
    dcos_service_desc_free(d);
    json_decref(j);

    j = fixture(CQ "cosmos/1.10/enterprise/describe-no-package-versions.json");
    assert_int_equal(dcos_parse_service_describe(&d, j), 0);
    assert_int_equal(d->n_upgrades_to, 0);
    assert_null(d->upgrades_to);
    dcos_service_desc_free(d);
    json_decref(j);

    /* Open DC/OS: no options at all. */
    j = fixture(CQ "cosmos/1.10/open/describe.json");
    assert_int_equal(dcos_parse_service_describe(&d, j), 0);
    assert_null(d->resolved_options);
    assert_null(d->user_options);
    dcos_service_desc_free(d);
    json_decref(j);

    d = NULL;
    j = fixture(CERR "bad-name.json");
    assert_int_equal(dcos_parse_service_describe(&d, j), ERR_INVALID);
    assert_null(d);
    json_decref(j);
}

static void test_package_list(void **state)
{
    struct dcos_package_list l;
    const struct dcos_installed *e;
    json_t *j = fixture("dcos__dcos-core-cli/pkg/cosmos/testdata/"
                        "vnd.dcos.package.list-response.json");

    (void)state;
    assert_int_equal(dcos_parse_package_list(&l, j), 0);
    assert_int_equal(l.n, 6);
    e = dcos_package_list_find(&l, "data-services/kafka");
    assert_non_null(e);
    assert_string_equal(e->name, "kafka");
    assert_string_equal(e->version, "2.10.0-2.4.0");
    assert_non_null(dcos_package_list_find(&l, "/jenkins-test"));
    assert_null(dcos_package_list_find(&l, "/jenkins"));
    dcos_package_list_clear(&l);
    json_decref(j);

    j = fixture(UI "cosmos/packages-list.json");
    assert_int_equal(dcos_parse_package_list(&l, j), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[0].app_id, "/marathon-user");
    assert_string_equal(l.items[0].name, "marathon");
    dcos_package_list_clear(&l);
    json_decref(j);

    j = json_loads("{\"packages\":[]}", 0, NULL);
    assert_int_equal(dcos_parse_package_list(&l, j), 0);
    assert_int_equal(l.n, 0);
    dcos_package_list_clear(&l);
    json_decref(j);
}

static void test_update_and_install(void **state)
{
    json_t *j = fixture(CQ "cosmos/1.10/enterprise/update.json");
    struct dcos_update_result *u = NULL;
    struct dcos_install_result *i = NULL;

    (void)state;
    assert_int_equal(dcos_parse_update_response(&u, j), 0);
    assert_string_equal(u->deployment_id,
                        "2f89a170-f91f-4a54-ae49-ba3aa4bcc178");
    assert_string_equal(u->package_name, "hello-world");
    assert_string_equal(u->package_version, "stub-universe");
    assert_non_null(json_object_get(u->resolved_options, "world"));
    dcos_update_result_free(u);
    json_decref(j);

    j = fixture(UI "cosmos/package-install.json");
    assert_int_equal(dcos_parse_install_response(&i, j), 0);
    assert_string_equal(i->app_id, "marathon");
    assert_null(i->package_name);
    dcos_install_result_free(i);
    json_decref(j);

    j = json_loads("{\"packageName\":\"beta-elastic\",\"packageVersion\":"
                   "\"2.1.2-5.6.5-beta\",\"appId\":\"/elastic\"}",
                   0, NULL);
    assert_int_equal(dcos_parse_install_response(&i, j), 0);
    assert_string_equal(i->package_version, "2.1.2-5.6.5-beta");
    dcos_install_result_free(i);
    json_decref(j);
}

static void test_endpoints(void **state)
{
    json_t *j = fixture("dcos__dcos-ui/plugins/services/src/js/containers/"
                        "service-connection/__tests__/fixtures/"
                        "SDKServiceEndpoints.json");
    struct dcos_endpoint *e = NULL;
    char *host = NULL;
    long port = 0;
    size_t i;

    (void)state;
    assert_int_equal(json_array_size(j), 4);
    for (i = 0; i < json_array_size(j); i++) {
        const json_t *ed = json_object_get(json_array_get(j, i),
                                           "endpointData");

        assert_int_equal(dcos_parse_endpoint(&e, ed), 0);
        assert_int_equal(e->n, e->n_dns);
        assert_non_null(e->vip);
        dcos_endpoint_free(e);
    }
    assert_int_equal(
        dcos_parse_endpoint(&e, json_object_get(json_array_get(j, 0),
                                                "endpointData")),
        0);
    assert_int_equal(e->n, 1);
    assert_string_equal(e->address[0], "10.0.2.5:1025");
    assert_string_equal(
        e->dns[0],
        "coordinator-0-node.elastic.autoip.dcos.thisdcos.directory:1025");
    assert_string_equal(e->vip,
                        "coordinator.elastic.l4lb.thisdcos.directory:9200");
    assert_int_equal(dcos_split_host_port(&host, &port, e->dns[0]), 0);
    assert_string_equal(
        host, "coordinator-0-node.elastic.autoip.dcos.thisdcos.directory");
    assert_int_equal(port, 1025);
    free(host);
    dcos_endpoint_free(e);
    assert_int_equal(
        dcos_parse_endpoint(&e, json_object_get(json_array_get(j, 2),
                                                "endpointData")),
        0);
    assert_int_equal(e->n, 2);
    assert_string_equal(e->dns[1],
                        "data-1-node.elastic.autoip.dcos.thisdcos.directory"
                        ":1027");
    dcos_endpoint_free(e);
    json_decref(j);

    assert_int_equal(dcos_split_host_port(&host, &port, "[::1]:9200"), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 9200);
    free(host);
    assert_int_equal(dcos_split_host_port(&host, &port, "nohost"),
                     ERR_INVALID);
    assert_int_equal(dcos_split_host_port(&host, &port, "h:0"), ERR_INVALID);
    assert_int_equal(dcos_split_host_port(&host, &port, ":80"), ERR_INVALID);
}

static void test_pod_info_and_config(void **state)
{
    json_t *j = data("pod-info.json");
    struct dcos_pod_info p;
    size_t tls = 0, tasks = 0;

    (void)state;
    assert_int_equal(dcos_parse_pod_info(&p, j), 0);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.tasks[0].name, "master-0-node");
    assert_string_equal(p.tasks[0].state, "TASK_RUNNING");
    assert_string_equal(p.tasks[0].target_config,
                        "6f1d7b1e-2a44-4b4c-8f0b-1e7a3f3c2d10");
    assert_true(util_has_prefix(p.tasks[0].task_id, "master-0-node__"));
    dcos_pod_info_clear(&p);
    json_decref(j);

    j = data("config-tls-on.json");
    assert_int_equal(dcos_parse_config_tls(&tls, &tasks, j), 0);
    assert_int_equal(tasks, 4);
    assert_int_equal(tls, 4);
    json_decref(j);
    j = data("config-tls-off.json");
    assert_int_equal(dcos_parse_config_tls(&tls, &tasks, j), 0);
    assert_int_equal(tasks, 4);
    assert_int_equal(tls, 0);
    json_decref(j);
    /* A plan is not a ServiceSpec. */
    j = fixture(CQ "scheduler/plan-status.json");
    assert_int_equal(dcos_parse_config_tls(&tls, &tasks, j), ERR_INVALID);
    json_decref(j);
}

static void test_scheduler_small(void **state)
{
    json_t *j = fixture(CQ "scheduler/plans.json");
    char **v = NULL, *id = NULL, line[128];
    size_t n = 0, len = 0;
    char *t;

    (void)state;
    assert_int_equal(dcos_parse_string_array(&v, &n, j), 0);
    assert_int_equal(n, 4);
    assert_string_equal(v[3], "update");
    dcos_string_array_free(v, n);
    json_decref(j);
    j = fixture(CQ "scheduler/plans-no-update.json");
    assert_int_equal(dcos_parse_string_array(&v, &n, j), 0);
    assert_int_equal(n, 2);
    dcos_string_array_free(v, n);
    json_decref(j);

    j = json_loads("[\"6f1d7b1e-2a44-4b4c-8f0b-1e7a3f3c2d10\"]", 0, NULL);
    assert_int_equal(dcos_parse_target_id(&id, j), 0);
    assert_string_equal(id, "6f1d7b1e-2a44-4b4c-8f0b-1e7a3f3c2d10");
    free(id);
    json_decref(j);
    j = json_loads("[]", 0, NULL);
    assert_int_equal(dcos_parse_target_id(&id, j), ERR_INVALID);
    json_decref(j);

    t = read_text(ETLS_FIXTURES_DIR, CQ "scheduler/not-found.txt", &len);
    assert_null(dcos_json_parse(t, len));
    dcos_text_summary(line, sizeof(line), t, len);
    assert_string_equal(line, "Element not found");
    free(t);
    t = read_text(ETLS_FIXTURES_DIR, CQ "scheduler/already-reported.txt",
                  &len);
    dcos_text_summary(line, sizeof(line), t, len);
    assert_string_equal(line,
                        "Command has already been reported or completed");
    free(t);
    dcos_text_summary(line, sizeof(line),
                      "<html>\n<head><title>502 Bad Gateway</title></head>"
                      "<body>x</body></html>",
                      70);
    assert_string_equal(line, "502 Bad Gateway");
    dcos_text_summary(line, 8, "a\nb  c\td long", 14);
    assert_string_equal(line, "a b c d");
}

static void test_marathon_and_version(void **state)
{
    json_t *j = fixture("dcos__dcos-ui/plugins/services/src/js/containers/"
                        "service-connection/__tests__/fixtures/"
                        "SDKService.json");
    struct dcos_marathon_app *a = NULL;
    struct dcos_version *v = NULL;

    (void)state;
    assert_int_equal(dcos_parse_marathon_app(&a, j), 0);
    assert_string_equal(a->id, "/elastic");
    assert_string_equal(a->package_name, "elastic");
    assert_string_equal(a->package_version, "2.0.1-5.5.1");
    assert_string_equal(a->service_name, "elastic");
    assert_int_equal(a->instances, -1);
    dcos_marathon_app_free(a);
    json_decref(j);
    j = json_loads("{\"app\":{\"id\":\"/elastic\",\"instances\":1,"
                   "\"tasksRunning\":1,\"tasksHealthy\":0,"
                   "\"deployments\":[{\"id\":\"d\"}]}}",
                   0, NULL);
    assert_int_equal(dcos_parse_marathon_app(&a, j), 0);
    assert_int_equal(a->instances, 1);
    assert_int_equal(a->tasks_running, 1);
    assert_int_equal(a->tasks_healthy, 0);
    assert_int_equal(a->n_deployments, 1);
    dcos_marathon_app_free(a);
    json_decref(j);

    j = fixture(UI "dcos/dcos-version.json");
    assert_int_equal(dcos_parse_version(&v, j), 0);
    assert_string_equal(v->version, "2.2.0");
    assert_string_equal(v->image_commit,
                        "43eff42b8eb9c5bf5d27b0d56e42b9ffe9ae2b32");
    assert_null(v->variant);
    dcos_version_free(v);
    json_decref(j);
}

static void test_ca(void **state)
{
    json_t *j = fixture(SDKRES "response-ca-bundle-valid.json");
    struct dcos_ca_response *c = NULL;
    size_t n = 0;

    (void)state;
    assert_int_equal(dcos_parse_ca_response(&c, j), 0);
    assert_true(c->success);
    assert_int_equal(c->n_errors, 0);
    assert_true(util_has_prefix(c->bundle, "-----BEGIN CERTIFICATE-----"));
    /* The bundle really is a PEM chain. */
    assert_int_equal(dcos_parse_ca_pem(&n, c->bundle, strlen(c->bundle)), 0);
    assert_true(n >= 1);
    dcos_ca_response_free(c);
    json_decref(j);

    j = fixture(SDKRES "response-ca-bundle-with-error.json");
    assert_int_equal(dcos_parse_ca_response(&c, j), 0);
    assert_false(c->success);
    assert_int_equal(c->n_errors, 1);
    assert_string_equal(c->errors[0], "1234: Test message");
    dcos_ca_response_free(c);
    json_decref(j);

    j = fixture(SDKRES "response-ca-sign-valid.json");
    assert_int_equal(dcos_parse_ca_response(&c, j), 0);
    assert_true(c->success);
    assert_int_equal(dcos_parse_ca_pem(&n, c->certificate,
                                       strlen(c->certificate)),
                     0);
    assert_int_equal(n, 1);
    dcos_ca_response_free(c);
    json_decref(j);

    j = fixture(SDKRES "response-ca-sign-with-error.json");
    assert_int_equal(dcos_parse_ca_response(&c, j), 0);
    assert_false(c->success);
    assert_string_equal(c->errors[0], "1234: Test error");
    dcos_ca_response_free(c);
    json_decref(j);

    assert_int_equal(dcos_parse_ca_pem(&n, "hello", 5), ERR_INVALID);
    assert_int_equal(dcos_parse_ca_pem(&n,
                                       "-----BEGIN CERTIFICATE-----\nAAAA\n"
                                       "-----END CERTIFICATE-----\n",
                                       60),
                     ERR_INVALID);
}

static void test_secret_value(void **state)
{
    size_t len = 0;
    char *t = read_text(ETLS_FIXTURES_DIR, UI "secrets/secret.json", &len);
    struct secret *s = NULL;

    (void)state;
    assert_int_equal(dcos_parse_secret_value(&s, t, len), 0);
    assert_string_equal(secret_str(s), "thisisasecretvalue2016");
    secret_free(s);
    free(t);
    s = NULL;
    t = read_text(ETLS_FIXTURES_DIR, UI "secrets/secrets.json", &len);
    assert_int_equal(dcos_parse_secret_value(&s, t, len), ERR_INVALID);
    assert_null(s);
    free(t);
}

static void member(const char *doc, const char *key, int want_r,
                   const char *want)
{
    struct secret *s = NULL;
    int r = jsonscan_secret_member(&s, doc, strlen(doc), key);

    if (r != want_r)
        fail_msg("%s [%s]: got %d want %d", doc, key, r, want_r);
    if (want) {
        assert_non_null(s);
        assert_int_equal(s->len, strlen(want));
        assert_memory_equal(s->buf, want, s->len);
    } else {
        assert_null(s);
    }
    secret_free(s);
}

static void test_secret_scanner(void **state)
{
    (void)state;
    member("{\"value\":\"abc\"}", "value", 0, "abc");
    member(" {\"a\":[1,2.5e-3,{\"x\":null}],\"value\":\"v\",\"b\":true} ",
           "value", 0, "v");
    member("{\"value\":\"a\\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00\"}", "value",
           0, "a\"b\\c/d\n\xc3\xa9\xf0\x9f\x98\x80");
    member("{\"value\":\"\"}", "value", 0, "");
    member("{\"other\":\"x\"}", "value", ERR_NOTFOUND, NULL);
    member("{\"value\":42}", "value", ERR_NOTFOUND, NULL);
    member("{}", "value", ERR_NOTFOUND, NULL);
    member("{\"value\":\"a\",\"value\":\"b\"}", "value", ERR_INVALID, NULL);
    member("[\"value\"]", "value", ERR_INVALID, NULL);
    member("\"value\"", "value", ERR_INVALID, NULL);
    member("{\"value\":\"abc\"} x", "value", ERR_INVALID, NULL);
    member("{\"value\":\"abc\",}", "value", ERR_INVALID, NULL);
    member("{\"value\":\"abc}", "value", ERR_INVALID, NULL);
    member("{\"value\":\"a\nb\"}", "value", ERR_INVALID, NULL);
    member("{\"value\":\"\\x\"}", "value", ERR_INVALID, NULL);
    member("{\"value\":\"\\ud83d\"}", "value", ERR_INVALID, NULL);
    member("{\"value\":\"\\u0000\"}", "value", ERR_INVALID, NULL);
    member("{\"n\":01,\"value\":\"a\"}", "value", ERR_INVALID, NULL);
    member("{\"n\":tru,\"value\":\"a\"}", "value", ERR_INVALID, NULL);
    member("{\"value\" \"a\"}", "value", ERR_INVALID, NULL);
    member("", "value", ERR_INVALID, NULL);
    {
        /* Nesting beyond 64 levels is refused, not recursed into. */
        char deep[300];
        int i, o = 0;

        o += sprintf(deep + o, "{\"a\":");
        for (i = 0; i < 100; i++)
            deep[o++] = '[';
        for (i = 0; i < 100; i++)
            deep[o++] = ']';
        o += sprintf(deep + o, ",\"value\":\"v\"}");
        member(deep, "value", ERR_INVALID, NULL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user),
        cmocka_unit_test(test_users),
        cmocka_unit_test(test_group_users),
        cmocka_unit_test(test_user_groups),
        cmocka_unit_test(test_permissions),
        cmocka_unit_test(test_allowed_and_iam_error),
        cmocka_unit_test(test_cosmos_errors),
        cmocka_unit_test(test_service_describe),
        cmocka_unit_test(test_package_list),
        cmocka_unit_test(test_update_and_install),
        cmocka_unit_test(test_endpoints),
        cmocka_unit_test(test_pod_info_and_config),
        cmocka_unit_test(test_scheduler_small),
        cmocka_unit_test(test_marathon_and_version),
        cmocka_unit_test(test_ca),
        cmocka_unit_test(test_secret_value),
        cmocka_unit_test(test_secret_scanner),
        cmocka_unit_test(test_json_projected),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
