/*
 * Unit tests of the dcos-sim core helpers (sim/core.c, sim/pki.c,
 * sim/server.c classification): media types, Accept lists, query strings,
 * path segments, DC/OS-shaped responses, login tokens, the cluster CA and
 * state persistence.
 */
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
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/util.h"
#include "sim/core.h"
#include "sim/http.h"
#include "sim/pki.h"
#include "sim/server.h"
#include "sim/state.h"
#include "sim/token.h"

#define COSMOS_INSTALL_RESP                                                   \
    "application/vnd.dcos.package.install-response+json;charset=utf-8;"      \
    "version=v2"
#define COSMOS_ERROR                                                          \
    "application/vnd.dcos.package.error+json;charset=utf-8;version=v1"

static void rm_rf(const char *dir)
{
    char cmd[600];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static char *tmpdir(void)
{
    char tmpl[] = "/tmp/etls-simcore-XXXXXX";
    char *d = mkdtemp(tmpl);

    assert_non_null(d);
    return strdup(d);
}


static const char *resp_header(const struct sim_resp *r, const char *name)
{
    size_t i;

    for (i = 0; i < r->n_headers; i++)
        if (strcmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

/* ------------------------------------------------------------------ */

static void test_media_type(void **state)
{
    const char *want = "application/vnd.dcos.package.install-request+json;"
                       "charset=utf-8;version=v1";

    (void)state;
    assert_true(sim_media_type_ok(want, want));
    /* case-insensitive, whitespace around ';', any parameter order */
    assert_true(sim_media_type_ok(
        want, "Application/VND.dcos.package.install-request+JSON ; "
              "version=v1 ;charset=UTF-8"));
    /* extra parameters in what was sent are fine */
    assert_true(sim_media_type_ok(want, "application/vnd.dcos.package."
                                        "install-request+json;charset=utf-8;"
                                        "version=v1;foo=bar"));
    /* quoted values */
    assert_true(sim_media_type_ok(want, "application/vnd.dcos.package."
                                        "install-request+json;charset="
                                        "\"utf-8\";version=v1"));
    /* a missing or different parameter fails */
    assert_false(sim_media_type_ok(
        want, "application/vnd.dcos.package.install-request+json;"
              "charset=utf-8"));
    assert_false(sim_media_type_ok(
        want, "application/vnd.dcos.package.install-request+json;"
              "charset=utf-8;version=v2"));
    assert_false(sim_media_type_ok(want, "application/json"));
    assert_false(sim_media_type_ok(want, "garbage"));
    assert_false(sim_media_type_ok(want, ""));
    assert_false(sim_media_type_ok(want, NULL));
    assert_true(sim_media_type_ok("application/json",
                                  "application/json; charset=utf-8"));
    assert_false(sim_media_type_ok("application/json", "text/json"));
}

static void test_accept(void **state)
{
    (void)state;
    assert_true(sim_accept_ok(NULL, COSMOS_INSTALL_RESP));
    assert_true(sim_accept_ok(COSMOS_INSTALL_RESP "," COSMOS_ERROR,
                              COSMOS_INSTALL_RESP));
    assert_true(sim_accept_ok(COSMOS_ERROR ", " COSMOS_INSTALL_RESP,
                              COSMOS_INSTALL_RESP));
    assert_true(sim_accept_ok(COSMOS_INSTALL_RESP "," COSMOS_ERROR,
                              COSMOS_ERROR));
    /* v1 asked, v2 produced */
    assert_false(sim_accept_ok(
        "application/vnd.dcos.package.install-response+json;charset=utf-8;"
        "version=v1," COSMOS_ERROR,
        COSMOS_INSTALL_RESP));
    assert_true(sim_accept_ok("*/*", COSMOS_INSTALL_RESP));
    assert_true(sim_accept_ok("text/html, application/*;q=0.5",
                              COSMOS_INSTALL_RESP));
    assert_false(sim_accept_ok("text/html", COSMOS_INSTALL_RESP));
    assert_false(sim_accept_ok("", COSMOS_INSTALL_RESP));
    /* q=0 means "not acceptable" */
    assert_false(sim_accept_ok(COSMOS_INSTALL_RESP ";q=0",
                               COSMOS_INSTALL_RESP));
    assert_true(sim_accept_ok(COSMOS_INSTALL_RESP ";q=0.1",
                              COSMOS_INSTALL_RESP));
}

static void test_query_get(void **state)
{
    struct sim_req req;
    char *v;

    (void)state;
    memset(&req, 0, sizeof(req));
    req.query = "type=service&rid=dcos%3Asecrets%252Fx&y=1+2&flag&=z";
    v = sim_query_get(&req, "type");
    assert_string_equal(v, "service");
    free(v);
    v = sim_query_get(&req, "rid");
    assert_string_equal(v, "dcos:secrets%2Fx");
    free(v);
    v = sim_query_get(&req, "y");
    assert_string_equal(v, "1 2");
    free(v);
    v = sim_query_get(&req, "flag");
    assert_string_equal(v, "");
    free(v);
    assert_null(sim_query_get(&req, "missing"));
    assert_null(sim_query_get(&req, "typ"));
    req.query = "";
    assert_null(sim_query_get(&req, "type"));
    req.query = NULL;
    assert_null(sim_query_get(&req, "type"));
}

static void test_path_segments(void **state)
{
    struct sim_req req;
    char *seg[4] = {NULL};
    size_t n;

    (void)state;
    memset(&req, 0, sizeof(req));
    req.path = "/acs/api/v1/users/a%252Fb/groups/";
    n = sim_path_segments(&req, "/acs/api/v1/users", seg, 4);
    assert_int_equal(n, 2);
    assert_string_equal(seg[0], "a%2Fb");
    assert_string_equal(seg[1], "groups");
    sim_segments_free(seg, n);
    assert_null(seg[0]);

    n = sim_path_segments(&req, "/acs/api/v1/users/", seg, 1);
    assert_int_equal(n, 1);
    assert_string_equal(seg[0], "a%2Fb");
    sim_segments_free(seg, n);

    n = sim_path_segments(&req, "/secrets/v1", seg, 4);
    assert_int_equal(n, 0);

    req.path = "/acs/api/v1/users";
    n = sim_path_segments(&req, "/acs/api/v1/users", seg, 4);
    assert_int_equal(n, 0);
    req.path = "/acs/api/v1/users/";
    n = sim_path_segments(&req, "/acs/api/v1/users", seg, 4);
    assert_int_equal(n, 0);
    /* an invalid escape is kept raw */
    req.path = "/x/bad%zz";
    n = sim_path_segments(&req, "/x", seg, 4);
    assert_int_equal(n, 1);
    assert_string_equal(seg[0], "bad%zz");
    sim_segments_free(seg, n);
}

static void test_uuid(void **state)
{
    char *a = sim_uuid(), *b = sim_uuid();
    size_t i;

    (void)state;
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(strlen(a), 36);
    assert_string_not_equal(a, b);
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(a[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", a[i]));
    }
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));
    free(a);
    free(b);
}

static void test_responses(void **state)
{
    struct sim_resp r;
    json_t *o;

    (void)state;
    memset(&r, 0, sizeof(r));
    sim_resp_iam_error(&r, 400, "ERR_UNKNOWN_USER_ID",
                       "User with uid `%s` not known.", "bob");
    assert_int_equal(r.status, 400);
    assert_string_equal(r.content_type, "application/json");
    o = json_loadb(r.body, r.body_len, 0, NULL);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "title")),
                        "400 Bad Request");
    assert_string_equal(json_string_value(json_object_get(o, "code")),
                        "ERR_UNKNOWN_USER_ID");
    assert_string_equal(json_string_value(json_object_get(o, "description")),
                        "User with uid `bob` not known.");
    json_decref(o);
    sim_resp_free(&r);

    sim_resp_iam_error(&r, 409, "ERR_USER_EXISTS", "exists");
    o = json_loadb(r.body, r.body_len, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(o, "title")),
                        "409 Conflict");
    json_decref(o);
    sim_resp_free(&r);

    sim_resp_cosmos_error(&r, 409, "PackageAlreadyInstalled", NULL,
                          "Package is already installed");
    assert_int_equal(r.status, 409);
    assert_string_equal(r.content_type, COSMOS_ERROR);
    o = json_loadb(r.body, r.body_len, 0, NULL);
    assert_non_null(o);
    assert_int_equal(json_object_size(o), 2);
    assert_null(json_object_get(o, "data"));
    assert_string_equal(json_string_value(json_object_get(o, "type")),
                        "PackageAlreadyInstalled");
    json_decref(o);
    sim_resp_free(&r);

    sim_resp_cosmos_error(&r, 400, "MarathonAppNotFound",
                          json_pack("{s:s}", "appId", "/x"),
                          "Unable to locate service with marathon appId: %s",
                          "[/x]");
    o = json_loadb(r.body, r.body_len, 0, NULL);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(o, "data"),
                                          "appId")),
        "/x");
    json_decref(o);
    sim_resp_free(&r);

    sim_resp_401(&r);
    assert_int_equal(r.status, 401);
    assert_string_equal(r.content_type, "text/html; charset=UTF-8");
    assert_string_equal(resp_header(&r, "WWW-Authenticate"), "acsjwt");
    assert_non_null(strstr(r.body, "<html>"));
    sim_resp_free(&r);

    sim_resp_403(&r);
    assert_int_equal(r.status, 403);
    assert_string_equal(r.content_type, "text/html; charset=UTF-8");
    assert_null(resp_header(&r, "WWW-Authenticate"));
    sim_resp_free(&r);

    sim_resp_upstream_down(&r, 502);
    assert_int_equal(r.status, 502);
    assert_non_null(strstr(r.body, "502 Bad Gateway"));
    sim_resp_free(&r);

    sim_resp_json(&r, 200, json_pack("{s:i}", "a", 1), NULL);
    assert_string_equal(r.content_type, "application/json");
    assert_string_equal(r.body, "{\"a\":1}");
    sim_resp_empty(&r, 204);
    assert_int_equal(r.status, 204);
    assert_null(r.body);
    assert_null(r.content_type);
    sim_resp_raw(&r, 200, "text/plain", "abc", 3);
    assert_int_equal(r.body_len, 3);
    assert_string_equal(r.body, "abc");
    sim_resp_free(&r);
}

static void test_is_write(void **state)
{
    (void)state;
    assert_false(sim_server_is_write("GET", "/acs/api/v1/users"));
    assert_false(sim_server_is_write("HEAD", "/x"));
    assert_false(sim_server_is_write("OPTIONS", "/x"));
    assert_false(sim_server_is_write("POST", "/acs/api/v1/auth/login"));
    assert_false(sim_server_is_write("POST", "/package/list"));
    assert_false(sim_server_is_write("POST", "/package/list/"));
    assert_false(sim_server_is_write("POST", "/package/describe"));
    assert_false(sim_server_is_write("POST", "/package/list-versions"));
    assert_false(sim_server_is_write("POST", "/package/search"));
    assert_false(sim_server_is_write("POST", "/package/render"));
    assert_false(sim_server_is_write("POST", "/package/repository/list"));
    assert_false(sim_server_is_write("POST", "/cosmos/service/describe"));
    assert_true(sim_server_is_write("POST", "/package/install"));
    assert_true(sim_server_is_write("POST", "/package/uninstall"));
    assert_true(sim_server_is_write("POST", "/cosmos/service/update"));
    assert_true(sim_server_is_write("POST", "/package/listx"));
    assert_true(sim_server_is_write("PUT", "/acs/api/v1/users/x"));
    assert_true(sim_server_is_write("PATCH", "/secrets/v1/secret/default/x"));
    assert_true(sim_server_is_write("DELETE", "/acs/api/v1/users/x"));
}

/* ------------------------------------------------------------------ */
/* lifecycle, tokens, PKI                                               */

static void init_sim(struct sim *s, const char *dir, double speed, int ttl)
{
    struct sim_options opt;
    struct err_info e;

    memset(&opt, 0, sizeof(opt));
    opt.listen_host = "127.0.0.1";
    opt.state_dir = dir;
    opt.speed = speed;
    opt.token_ttl = ttl;
    opt.catalog_dir = "/nonexistent";
    err_clear(&e);
    if (sim_core_init(s, &opt, &e) != 0)
        fail_msg("sim_core_init: %s", e.text);
}

static mode_t file_mode(const char *dir, const char *name)
{
    char path[600];
    struct stat st;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (stat(path, &st) != 0)
        fail_msg("missing %s", path);
    return st.st_mode & 0777;
}

static char *read_in(const char *dir, const char *name)
{
    char path[600], *data = NULL;
    size_t len;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (util_read_file(&data, &len, path, 1 << 20) != 0)
        fail_msg("cannot read %s", path);
    return data;
}

static void test_state_lifecycle(void **state)
{
    char *dir = tmpdir(), *first_ca, *text, *cid;
    static struct sim s;
    json_t *saved, *core;
    double t0, t1;

    (void)state;
    init_sim(&s, dir, 100.0, 60);
    assert_true(s.dirty); /* a new cluster */
    core = json_object_get(s.state, "core");
    assert_non_null(core);
    cid = strdup(json_string_value(json_object_get(core, "cluster_id")));
    assert_int_equal(strlen(cid), 36);
    assert_int_equal(
        strlen(json_string_value(json_object_get(core, "dcos_image_commit"))),
        40);
    assert_non_null(s.control_token);
    assert_int_equal(strlen(s.control_token), 64);

    /* sim_now runs at --speed */
    t0 = sim_now(&s);
    {
        struct timespec ts = {0, 50 * 1000000L};

        nanosleep(&ts, NULL);
    }
    t1 = sim_now(&s);
    assert_true(t1 - t0 >= 4.0);

    /* sections are created on demand and mark the state dirty */
    s.dirty = false;
    assert_non_null(sim_state_section(&s, "iam"));
    assert_true(s.dirty);
    json_object_set_new(sim_state_section(&s, "iam"), "x", json_integer(7));
    assert_int_equal(sim_core_persist(&s), 0);
    assert_false(s.dirty);
    assert_int_equal(file_mode(dir, "state.json"), 0600);
    assert_int_equal(file_mode(dir, "ca.key"), 0600);
    assert_int_equal(file_mode(dir, "token.key"), 0600);
    text = read_in(dir, "state.json");
    /* compact, sorted keys */
    assert_null(strchr(text, '\n'));
    assert_true(strstr(text, "\"core\"") < strstr(text, "\"iam\""));
    saved = json_loads(text, 0, NULL);
    assert_non_null(saved);
    assert_true(json_number_value(json_object_get(
                    json_object_get(saved, "core"), "clock")) >= 4.0);
    json_decref(saved);
    free(text);
    first_ca = strdup(s.ca_cert_pem);
    sim_core_free(&s);

    /* a restart is the same cluster and its clock continues */
    init_sim(&s, dir, 1.0, 60);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(s.state, "core"), "cluster_id")),
                        cid);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(s.state, "iam"), "x")),
                     7);
    assert_string_equal(s.ca_cert_pem, first_ca);
    assert_true(sim_now(&s) >= 4.0);
    sim_core_free(&s);
    free(first_ca);
    free(cid);
    rm_rf(dir);
    free(dir);
}

static void test_state_corrupt(void **state)
{
    char *dir = tmpdir(), path[600];
    static struct sim s;
    struct sim_options opt;
    struct err_info e;
    FILE *f;

    (void)state;
    snprintf(path, sizeof(path), "%s/state.json", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"core\": [1,", f);
    fclose(f);
    memset(&opt, 0, sizeof(opt));
    opt.state_dir = dir;
    opt.speed = 1;
    opt.token_ttl = 5;
    err_clear(&e);
    assert_int_not_equal(sim_core_init(&s, &opt, &e), 0);
    assert_non_null(strstr(e.text, "state.json"));
    sim_core_free(&s);
    rm_rf(dir);
    free(dir);
}

/* Replace the payload of @tok with @payload_json, keeping the signature. */
static char *forge_payload(const char *tok, const char *payload_json)
{
    const char *d1 = strchr(tok, '.'), *d2 = strrchr(tok, '.');
    char *p64 = util_b64url_encode(payload_json, strlen(payload_json));
    size_t n = strlen(tok) + strlen(p64) + 4;
    char *out = malloc(n);

    snprintf(out, n, "%.*s.%s%s", (int)(d1 - tok), tok, p64, d2);
    free(p64);
    return out;
}

static void test_tokens(void **state)
{
    char *dir = tmpdir(), *tok, *uid, *forged, *part;
    static struct sim s, other;
    const char *d1, *d2;
    unsigned char *raw;
    size_t len;
    json_t *o;

    (void)state;
    init_sim(&s, dir, 1.0, 60);
    tok = sim_token_issue(&s, "bootstrapuser");
    assert_non_null(tok);
    uid = sim_token_verify(&s, tok);
    assert_string_equal(uid, "bootstrapuser");
    free(uid);

    /* header and payload */
    d1 = strchr(tok, '.');
    d2 = strrchr(tok, '.');
    part = strndup(tok, (size_t)(d1 - tok));
    raw = util_b64url_decode(part, &len);
    o = json_loadb((char *)raw, len, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(o, "alg")),
                        "RS256");
    assert_string_equal(json_string_value(json_object_get(o, "typ")), "JWT");
    json_decref(o);
    free(raw);
    free(part);
    part = strndup(d1 + 1, (size_t)(d2 - d1 - 1));
    raw = util_b64url_decode(part, &len);
    o = json_loadb((char *)raw, len, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(o, "uid")),
                        "bootstrapuser");
    assert_true(json_is_integer(json_object_get(o, "exp")));
    assert_true(llabs((long long)json_integer_value(json_object_get(o, "exp")) -
                      ((long long)util_now_wall() + 60)) <= 2);
    json_decref(o);
    free(raw);
    free(part);

    /* a changed payload breaks the signature */
    forged = forge_payload(tok, "{\"exp\":99999999999,\"uid\":\"root\"}");
    assert_null(sim_token_verify(&s, forged));
    free(forged);
    assert_null(sim_token_verify(&s, "garbage"));
    assert_null(sim_token_verify(&s, "a.b.c"));
    assert_null(sim_token_verify(&s, ""));
    assert_null(sim_token_verify(&s, NULL));

    /* another cluster's key does not verify this cluster's token */
    {
        char *dir2 = tmpdir();

        init_sim(&other, dir2, 1.0, 60);
        assert_null(sim_token_verify(&other, tok));
        sim_core_free(&other);
        rm_rf(dir2);
        free(dir2);
    }
    free(tok);

    /* expired */
    s.opt.token_ttl = -5;
    tok = sim_token_issue(&s, "bootstrapuser");
    assert_non_null(tok);
    assert_null(sim_token_verify(&s, tok));
    free(tok);
    sim_core_free(&s);
    rm_rf(dir);
    free(dir);
}

static X509 *pem_cert(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);

    BIO_free(b);
    assert_non_null(x);
    return x;
}

static int has_san(X509 *x, int type, const char *value)
{
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
                                           NULL);
    int i, found = 0;

    for (i = 0; gens && i < sk_GENERAL_NAME_num(gens) && !found; i++) {
        GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

        if (g->type != type)
            continue;
        if (type == GEN_DNS)
            found = strcmp((const char *)ASN1_STRING_get0_data(g->d.dNSName),
                           value) == 0;
        else if (type == GEN_IPADD) {
            ASN1_OCTET_STRING *ip = a2i_IPADDRESS(value);

            found = ip && ASN1_STRING_cmp(ip, g->d.iPAddress) == 0;
            ASN1_OCTET_STRING_free(ip);
        }
    }
    GENERAL_NAMES_free(gens);
    return found;
}

static void test_pki(void **state)
{
    char *dir = tmpdir(), *cert = NULL, *key = NULL, *chain = NULL;
    static struct sim s;
    const char *dns[] = {"coordinator-0-node.es.autoip.dcos.thisdcos.directory",
                         "coordinator.es.l4lb.thisdcos.directory"};
    const char *ips[] = {"127.0.0.1"};
    const char *bad_ips[] = {"not-an-ip"};
    X509 *ca, *leaf;
    X509_STORE *store;
    X509_STORE_CTX *ctx;
    char cn[256];

    (void)state;
    init_sim(&s, dir, 1.0, 60);
    ca = pem_cert(s.ca_cert_pem);
    X509_NAME_get_text_by_NID(X509_get_subject_name(ca), NID_commonName, cn,
                              sizeof(cn));
    assert_true(util_has_prefix(cn, "DC/OS Root CA "));
    assert_int_equal(X509_check_ca(ca), 1);
    assert_true(X509_get_extension_flags(ca) & EXFLAG_SS);

    assert_int_equal(sim_pki_issue(&s, "coordinator-0-node", dns, 2, ips, 1,
                                   &cert, &key),
                     0);
    assert_true(util_has_prefix(key, "-----BEGIN PRIVATE KEY-----"));
    leaf = pem_cert(cert);
    X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, cn,
                              sizeof(cn));
    assert_string_equal(cn, "coordinator-0-node");
    X509_NAME_get_text_by_NID(X509_get_subject_name(leaf),
                              NID_organizationName, cn, sizeof(cn));
    assert_string_equal(cn, "Mesosphere, Inc");
    assert_true(has_san(leaf, GEN_DNS, dns[0]));
    assert_true(has_san(leaf, GEN_DNS, dns[1]));
    assert_true(has_san(leaf, GEN_IPADD, "127.0.0.1"));
    assert_false(has_san(leaf, GEN_DNS, "localhost"));
    assert_true(X509_get_extended_key_usage(leaf) & XKU_SSL_SERVER);
    assert_int_equal(X509_check_ca(leaf), 0);
    assert_int_equal(X509_check_host(leaf, dns[1], 0, 0, NULL), 1);
    assert_int_not_equal(X509_check_host(leaf, "127.0.0.1", 0, 0, NULL), 1);

    /* the leaf chains to the cluster CA */
    store = X509_STORE_new();
    X509_STORE_add_cert(store, ca);
    ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, leaf, NULL);
    X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
    assert_int_equal(X509_verify_cert(ctx), 1);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    X509_free(leaf);
    free(cert);
    free(key);

    assert_int_not_equal(sim_pki_issue(&s, "x", dns, 1, bad_ips, 1, &cert,
                                       &key),
                         0);
    assert_int_not_equal(sim_pki_issue(&s, "", dns, 1, NULL, 0, &cert, &key),
                         0);

    /* the master certificate covers the Admin Router names */
    assert_int_equal(sim_pki_server_cert(&s, "127.0.0.2", &chain, &key, NULL),
                     0);
    leaf = pem_cert(chain);
    assert_true(has_san(leaf, GEN_DNS, "localhost"));
    assert_true(has_san(leaf, GEN_DNS, "master.mesos"));
    assert_true(has_san(leaf, GEN_DNS, "leader.mesos"));
    assert_true(has_san(leaf, GEN_IPADD, "127.0.0.1"));
    assert_true(has_san(leaf, GEN_IPADD, "127.0.0.2"));
    assert_non_null(strstr(chain, s.ca_cert_pem)); /* chain ends in the CA */
    X509_free(leaf);
    free(chain);
    free(key);
    X509_free(ca);
    sim_core_free(&s);
    rm_rf(dir);
    free(dir);
}

static void test_pki_inconsistent(void **state)
{
    char *dir = tmpdir(), *dir2 = tmpdir(), cmd[1400];
    static struct sim s;
    struct sim_options opt;
    struct err_info e;

    (void)state;
    /* two clusters; swap one CA certificate in */
    init_sim(&s, dir, 1.0, 60);
    sim_core_free(&s);
    init_sim(&s, dir2, 1.0, 60);
    sim_core_free(&s);
    snprintf(cmd, sizeof(cmd), "cp '%s/ca.crt' '%s/ca.crt'", dir2, dir);
    assert_int_equal(system(cmd), 0);
    memset(&opt, 0, sizeof(opt));
    opt.state_dir = dir;
    opt.speed = 1;
    opt.token_ttl = 5;
    err_clear(&e);
    assert_int_not_equal(sim_core_init(&s, &opt, &e), 0);
    assert_non_null(strstr(e.text, "does not match"));
    sim_core_free(&s);

    /* a key without its certificate */
    snprintf(cmd, sizeof(cmd), "rm '%s/ca.crt'", dir);
    assert_int_equal(system(cmd), 0);
    err_clear(&e);
    assert_int_not_equal(sim_core_init(&s, &opt, &e), 0);
    assert_non_null(strstr(e.text, "exists without"));
    sim_core_free(&s);
    rm_rf(dir);
    rm_rf(dir2);
    free(dir);
    free(dir2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_media_type),
        cmocka_unit_test(test_accept),
        cmocka_unit_test(test_query_get),
        cmocka_unit_test(test_path_segments),
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_responses),
        cmocka_unit_test(test_is_write),
        cmocka_unit_test(test_state_lifecycle),
        cmocka_unit_test(test_state_corrupt),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_pki),
        cmocka_unit_test(test_pki_inconsistent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
