/*
 * Unit tests of the dcos CLI configuration: common/toml.c on real
 * dcos.toml files of the dcos CLI's tests, controller/dcoscfg.c's choice
 * of the current cluster on the dcos CLI's own fixture trees, and the
 * precedence flags > environment > dcos.toml of cli_resolve().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/err.h"
#include "common/toml.h"
#include "common/util.h"
#include "controller/cli.h"
#include "controller/dcoscfg.h"
#include "ctl_testutil.h"

#define UP ETLS_FIXTURES_DIR "/dcos__dcos-cli/"
#define TREES UP "pkg/config/testdata/"
#define ID1 "79893270-f9f1-4293-9225-e6e3900043a9"
#define ID2 "97193161-f7f1-2295-2514-a6b3918043b6"

static char dir[256];

static void clear_env(void)
{
    static const char *const vars[] = {
        "DCOS_URL", "DCOS_SSL_VERIFY", "DCOS_ACS_TOKEN",
        "DCOS_SERVICE_ACCOUNT_CREDENTIAL", "DCOS_DIR", "DCOS_CLUSTER",
        "SSL_CERT_FILE",
    };
    size_t i;

    for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        unsetenv(vars[i]);
}

static int setup(void **state)
{
    (void)state;
    clear_env();
    h_mkdtemp(dir, "dcoscfg-test");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    clear_env();
    h_rmtree(dir);
    return 0;
}

/* "table.key=kind:value;" of every key of a TOML text. */
struct dump {
    char text[2048];
    size_t n;
};

static int on_value(const char *table, const char *key, const char *value,
                    size_t len, enum toml_kind kind, int line, void *payload)
{
    struct dump *d = payload;

    (void)len;
    (void)line;
    d->n += (size_t)snprintf(d->text + d->n, sizeof(d->text) - d->n,
                             "%s.%s=%d:%s;", table, key, (int)kind, value);
    return 0;
}

static int dump_text(struct dump *d, const char *text, struct err_info *e)
{
    memset(d, 0, sizeof(*d));
    return toml_read(text, strlen(text), on_value, d, e);
}

static char *read_fixture(const char *path)
{
    char *text = NULL;
    size_t len = 0;

    if (util_read_file(&text, &len, path, 1 << 20))
        fail_msg("cannot read %s", path);
    return text;
}

static void expect_file(const char *rel, const char *want)
{
    char path[512];
    struct dump d;
    struct err_info e;
    char *text;

    snprintf(path, sizeof(path), UP "%s", rel);
    text = read_fixture(path);
    if (dump_text(&d, text, &e))
        fail_msg("%s: %s", rel, e.text);
    if (strcmp(d.text, want) != 0)
        fail_msg("%s:\n got  %s\n want %s", rel, d.text, want);
    free(text);
}

/* The real files of the dcos CLI, read by the TOML subset reader. */
static void test_toml_real_files(void **state)
{
    (void)state;
    expect_file("cli/tests/data/dcos.toml",
                "core.dcos_url=0:http://dcos.snakeoil.mesosphere.com;"
                "core.ssl_verify=0:false;core.timeout=1:5;"
                "core.reporting=3:false;");
    expect_file("python/lib/dcoscli/tests/data/cluster_migration/dcos.toml",
                "core.ssl_verify=3:false;core.timeout=1:5;"
                "core.reporting=3:false;");
    expect_file("cli/tests/data/analytics/dcos_reporting.toml",
                "core.dcos_acs_token=0:foobar;"
                "core.dcos_url=0:https://dcos.snakeoil.mesosphere.com;"
                "core.reporting=3:true;");
    expect_file("pkg/config/testdata/multi_config_with_same_name/.dcos/"
                "clusters/" ID2 "/dcos.toml",
                "core.dcos_url=0:https://success.example.com;"
                "cluster.name=0:multi_config_with_same_name;");
}

static void test_toml_syntax(void **state)
{
    struct dump d;
    struct err_info e;
    char *text;

    (void)state;
    assert_int_equal(dump_text(&d,
                               "# comment\n\n[core]  # c\r\n"
                               "dcos_url = \"https://a/\\u00e9\\\"\"\n"
                               "'quoted key' = 'C:\\path'\n"
                               "n = -1_000\nf = 1.5e3\nb = true\n"
                               "arr = [\"a]\", [1, 2]] # x\n"
                               "[plugin.sub]\nx=1\n",
                               &e),
                     0);
    assert_string_equal(d.text,
                        "core.dcos_url=0:https://a/\xc3\xa9\";"
                        "core.quoted key=0:C:\\path;core.n=1:-1_000;"
                        "core.f=2:1.5e3;core.b=3:true;"
                        "core.arr=4:[\"a]\", [1, 2]];plugin.sub.x=1:1;");

    /* The dcos CLI's own broken file. */
    text = read_fixture(UP "cli/tests/data/config/parse_error.toml");
    assert_int_equal(dump_text(&d, text, &e), ERR_INVALID);
    assert_string_equal(e.text, "line 1: expected '=' after the key");
    free(text);

    assert_int_equal(dump_text(&d, "[core]\na = 1\na = 2\n", &e),
                     ERR_INVALID);
    assert_string_equal(e.text, "line 3: a key is defined twice");
    assert_int_equal(dump_text(&d, "a = \"open\n", &e), ERR_INVALID);
    assert_string_equal(e.text, "line 1: a string is not closed on its line");
    assert_int_equal(dump_text(&d, "a = \"\"\"x\"\"\"\n", &e), ERR_INVALID);
    assert_int_equal(dump_text(&d, "a = {x = 1}\n", &e), ERR_INVALID);
    assert_int_equal(dump_text(&d, "a.b = 1\n", &e), ERR_INVALID);
    assert_int_equal(dump_text(&d, "[[t]]\n", &e), ERR_INVALID);
    assert_int_equal(dump_text(&d, "a = 1 b\n", &e), ERR_INVALID);
    assert_int_equal(dump_text(&d, "a =\n", &e), ERR_INVALID);
    assert_int_equal(dump_text(&d, "a = nope\n", &e), ERR_INVALID);
    assert_int_equal(dump_text(&d, "a = \"\\q\"\n", &e), ERR_INVALID);
    assert_int_equal(dump_text(&d, "a = \"\\u0000\"\n", &e), ERR_INVALID);
}

/* dcoscfg_load() with DCOS_DIR at the fixture tree @tree. */
static int load_tree(struct dcoscfg *c, const char *tree, char *why,
                     size_t n)
{
    char root[512];

    snprintf(root, sizeof(root), TREES "%s/.dcos", tree);
    setenv("DCOS_DIR", root, 1);
    memset(c, 0, sizeof(*c));
    why[0] = '\0';
    return dcoscfg_load(c, why, n);
}

static void expect_pick(const char *tree, const char *cluster,
                        const char *id, const char *how)
{
    struct dcoscfg c;
    char why[512];

    if (load_tree(&c, tree, why, sizeof(why)))
        fail_msg("%s: %s", tree, why);
    assert_non_null(c.path);
    assert_string_equal(c.cluster_id, id);
    assert_string_equal(c.name, cluster);
    assert_string_equal(c.how, how);
    dcoscfg_clear(&c);
}

static void expect_refused(const char *tree, const char *want)
{
    struct dcoscfg c;
    char why[512];

    assert_int_equal(load_tree(&c, tree, why, sizeof(why)), ERR_INVALID);
    if (!strstr(why, want))
        fail_msg("%s: \"%s\" lacks \"%s\"", tree, why, want);
    assert_null(c.path);
}

/* The current cluster, chosen as the dcos CLI chooses it. */
static void test_current_cluster(void **state)
{
    struct dcoscfg c;
    char why[512];

    (void)state;
    expect_pick("single_config_attached", "single_config_attached", ID1,
                "the only configured cluster");
    /* One cluster is the current one even unattached. */
    expect_pick("single_config_unattached", "single_config_unattached", ID1,
                "the only configured cluster");
    expect_pick("multi_config_with_one_attached",
                "multi_config_with_one_attached", ID2, "attached");
    expect_refused("multi_config_with_none_attached", "none is attached");
    expect_refused("multiple_config_attached", "several are attached");
    expect_refused("multiple_config_attached", "dcos cluster attach NAME");

    /* DCOS_CLUSTER by directory name (ID) wins at once, even over an
     * ambiguous name... */
    setenv("DCOS_CLUSTER", ID2, 1);
    expect_pick("multiple_config_attached", "error", ID2,
                "DCOS_CLUSTER names its directory");
    /* ...or by cluster.name, which must be unique. */
    setenv("DCOS_CLUSTER", "multi_config_with_one_attached", 1);
    expect_pick("multi_config_with_one_attached",
                "multi_config_with_one_attached", ID2,
                "DCOS_CLUSTER names it");
    setenv("DCOS_CLUSTER", "multi_config_with_same_name", 1);
    expect_refused("multi_config_with_same_name",
                   "several clusters have that name");
    setenv("DCOS_CLUSTER", "nope", 1);
    expect_refused("single_config_attached",
                   "DCOS_CLUSTER=nope: no cluster has that name or ID");
    setenv("DCOS_CLUSTER", ID2, 1);
    assert_int_equal(load_tree(&c, "multi_config_with_same_name", why,
                               sizeof(why)),
                     0);
    assert_string_equal(c.dcos_url, "https://success.example.com");
    dcoscfg_clear(&c);
    unsetenv("DCOS_CLUSTER");

    /* No configuration at all is no error. */
    setenv("DCOS_DIR", dir, 1);
    memset(&c, 0, sizeof(c));
    assert_int_equal(dcoscfg_load(&c, why, sizeof(why)), 0);
    assert_null(c.path);
    dcoscfg_clear(&c);
}

/* A dcos.toml as `dcos cluster setup` writes it, for cluster @url, with a
 * CA file; returns the CA path (new). */
static char *setup_cluster(const char *url, const char *ssl_verify,
                           int mode)
{
    char path[512], *ca, *text;

    snprintf(path, sizeof(path), "%s/clusters", dir);
    (void)mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/clusters/" ID1, dir);
    (void)mkdir(path, 0755);
    ca = h_write_file(path, "dcos_ca.crt", "-----BEGIN CERTIFICATE-----\n");
    text = util_format("[core]\ndcos_url = \"%s/\"\n"
                       "dcos_acs_token = \"tok-from-toml\"\n"
                       "ssl_verify = %s\ntimeout = 180\n"
                       "[cluster]\nname = \"prod\"\n",
                       url, ssl_verify ? ssl_verify : "\"\"");
    free(h_write_file(path, "dcos.toml", text));
    snprintf(path, sizeof(path), "%s/clusters/" ID1 "/dcos.toml", dir);
    assert_int_equal(chmod(path, (mode_t)mode), 0);
    free(text);
    setenv("DCOS_DIR", dir, 1);
    return ca;
}

static int resolve(struct cli *c, char *err, size_t n, ...)
{
    char *argv[32];
    va_list ap;
    int argc = 0;
    char *a;

    argv[argc++] = (char *)(uintptr_t)"etls";
    argv[argc++] = (char *)(uintptr_t)"plan";
    va_start(ap, n);
    while ((a = va_arg(ap, char *)) != NULL)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    if (cli_parse(c, argc, argv))
        fail_msg("cli_parse failed");
    err[0] = '\0';
    return cli_resolve(c, err, n);
}

/* flags > environment > dcos.toml; the toml's trust and token only for
 * its own cluster. */
static void test_precedence(void **state)
{
    struct cli c;
    char err[1024], q[600];
    char *ca, *tok = h_write_file(dir, "tok", "flag-token\n");

    (void)state;
    snprintf(q, sizeof(q), "\"%s/clusters/" ID1 "/dcos_ca.crt\"", dir);
    ca = setup_cluster("https://dcos.example.com", q, 0600);
    assert_int_equal(resolve(&c, err, sizeof(err), (char *)NULL), 0);
    assert_string_equal(c.cluster_url, "https://dcos.example.com");
    assert_string_equal(c.ca_cert, ca);
    assert_string_equal(secret_str(c.token), "tok-from-toml");
    assert_non_null(strstr(c.origin.url, "dcos.toml (core.dcos_url)"));
    assert_non_null(strstr(c.origin.trust, "(core.ssl_verify)"));
    assert_non_null(strstr(c.origin.credentials, "core.dcos_acs_token"));
    assert_non_null(strstr(c.origin.dcos_config, "cluster \"prod\""));
    cli_free(&c);

    /* The environment wins over the file... */
    setenv("DCOS_SSL_VERIFY", "false", 1);
    setenv("DCOS_ACS_TOKEN", "env-token", 1);
    assert_int_equal(resolve(&c, err, sizeof(err), (char *)NULL), 0);
    assert_true(c.insecure);
    assert_string_equal(secret_str(c.token), "env-token");
    cli_free(&c);
    /* ...and flags over the environment. */
    assert_int_equal(resolve(&c, err, sizeof(err), "--ca-cert", ca,
                             "--token-file", tok, (char *)NULL),
                     0);
    assert_false(c.insecure);
    assert_string_equal(secret_str(c.token), "flag-token");
    cli_free(&c);
    unsetenv("DCOS_SSL_VERIFY");
    unsetenv("DCOS_ACS_TOKEN");

    /* Another cluster named by a flag: the file's token is not sent to
     * it, and the file says why it is not used. */
    assert_int_equal(resolve(&c, err, sizeof(err), "--cluster",
                             "https://other.example.com", (char *)NULL),
                     ERR_INVALID);
    assert_non_null(strstr(err, "no trust configured for "
                                "https://other.example.com"));
    assert_null(c.token);
    assert_non_null(strstr(c.origin.dcos_config, "not used: the cluster "
                                                 "URL comes from --cluster"));
    cli_free(&c);
    /* The same cluster by flag (trailing slash aside): it is used. */
    assert_int_equal(resolve(&c, err, sizeof(err), "--cluster",
                             "https://DCOS.example.com", (char *)NULL),
                     0);
    assert_string_equal(secret_str(c.token), "tok-from-toml");
    cli_free(&c);
    free(ca);
    free(tok);
}

/* ssl_verify in dcos.toml: a TOML boolean, "true" (the system's CAs),
 * and a CA file that does not exist. */
static void test_toml_ssl_verify(void **state)
{
    struct cli c;
    char err[1024];
    char *ca, *bundle;

    (void)state;
    ca = setup_cluster("https://d", "false", 0600);
    assert_int_equal(resolve(&c, err, sizeof(err), (char *)NULL), 0);
    assert_true(c.insecure);
    cli_free(&c);
    free(ca);

    bundle = h_write_file(dir, "system.pem", "x\n");
    setenv("SSL_CERT_FILE", bundle, 1);
    ca = setup_cluster("https://d", "\"True\"", 0600);
    assert_int_equal(resolve(&c, err, sizeof(err), (char *)NULL), 0);
    assert_true(c.system_trust);
    assert_string_equal(c.ca_cert, bundle);
    cli_free(&c);
    free(ca);

    ca = setup_cluster("https://d", "\"/no/such/ca.crt\"", 0600);
    assert_int_equal(resolve(&c, err, sizeof(err), (char *)NULL),
                     ERR_INVALID);
    assert_non_null(
        strstr(err, "the CA certificate file /no/such/ca.crt (from "));
    assert_non_null(strstr(err, "dcos.toml (core.ssl_verify)) cannot be "
                                "read: no such file"));
    cli_free(&c);
    free(ca);
    free(bundle);
}

/* Nothing at all: each missing piece is named with its fixes. */
static void test_missing(void **state)
{
    struct cli c;
    char err[1024];
    char *ca = h_write_file(dir, "ca.pem", "x\n");

    (void)state;
    setenv("DCOS_DIR", dir, 1);
    assert_int_equal(resolve(&c, err, sizeof(err), (char *)NULL),
                     ERR_INVALID);
    assert_non_null(strstr(err, "no cluster: give --cluster URL, set "
                                "DCOS_URL, set up the dcos CLI"));
    cli_free(&c);
    assert_int_equal(resolve(&c, err, sizeof(err), "--cluster", "https://x",
                             "--ca-cert", ca, (char *)NULL),
                     ERR_INVALID);
    assert_non_null(strstr(err, "no credentials for https://x: give "
                                "--token-file FILE or set DCOS_ACS_TOKEN"));
    assert_non_null(strstr(err, "DCOS_SERVICE_ACCOUNT_CREDENTIAL"));
    cli_free(&c);
    /* Several attached clusters and no URL elsewhere: the reason. */
    setenv("DCOS_DIR", TREES "multiple_config_attached/.dcos", 1);
    assert_int_equal(resolve(&c, err, sizeof(err), (char *)NULL),
                     ERR_INVALID);
    assert_non_null(strstr(err, "several are attached"));
    cli_free(&c);
    free(ca);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_toml_real_files),
        T(test_toml_syntax),
        T(test_current_cluster),
        T(test_precedence),
        T(test_toml_ssl_verify),
        T(test_missing),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
