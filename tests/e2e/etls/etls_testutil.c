/* Helpers for the end-to-end tests of the etls binary.  See
 * etls_testutil.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "common/buf.h"
#include "common/util.h"
#include "e2e/etls/etls_testutil.h"
#include "harness/h_file.h"

#define E_OUT_MAX (16u * 1024 * 1024)

/* ------------------------------------------------------------------ */
/* strings, JSON, files                                                 */

char *e_data(const char *rel)
{
    return h_fmt("%s/e2e/%s", ETLS_TEST_DATA, rel);
}

char *e_runbook_file(void)
{
    return h_fmt("%s/manifests/elastic-tls.json", ETLS_SOURCE_DIR);
}

char *e_service_doc(const char *dir, const char *svc, int tls)
{
    char name[64], *text, *path;

    snprintf(name, sizeof(name), "%s%s.json", svc, tls ? "" : "-off");
    text = h_fmt("{\"service\":{\"name\":\"%s\",\"service_account\":\"%s\","
                 "\"service_account_secret\":\"%s/secret\",\"security\":"
                 "{\"transport_encryption\":{\"enabled\":%s}}},"
                 "\"elasticsearch\":{\"xpack_enabled\":true}}", svc, svc,
                 svc, tls ? "true" : "false");
    path = h_write_file(dir, name, text);
    free(text);
    return path;
}

char *e_read(const char *path)
{
    char *data = NULL;
    size_t len;

    if (util_read_file(&data, &len, path, E_OUT_MAX) != 0)
        fail_msg("cannot read %s", path);
    return data;
}

size_t e_count(const char *hay, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    const char *p = hay;

    if (!hay || len == 0)
        return 0;
    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += len;
    }
    return n;
}

/* Fail unless @r has status @want; frees @r. */
static void expect_status(struct h_resp *r, long want, const char *what)
{
    h_expect_status(r, want, what);
    h_resp_free(r);
}

/* ------------------------------------------------------------------ */
/* the simulator                                                        */

void e_fault(struct h_sim *s, const char *rule)
{
    struct h_resp r = h_control(s, "POST", "/sim/v1/faults", rule);

    expect_status(&r, 201, "POST /sim/v1/faults");
}

size_t e_faults_left(struct h_sim *s)
{
    struct h_resp r = h_control(s, "GET", "/sim/v1/faults", NULL);
    size_t n;

    if (r.status != 200 || !json_is_array(h_jget(r.json, "faults")))
        fail_msg("GET /sim/v1/faults: HTTP %ld", r.status);
    n = json_array_size(h_jget(r.json, "faults"));
    h_resp_free(&r);
    return n;
}

int e_closed_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    if (fd < 0)
        fail_msg("socket: %s", strerror(errno));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        fail_msg("bind: %s", strerror(errno));
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* ------------------------------------------------------------------ */
/* keys                                                                 */

char *e_fingerprint(EVP_PKEY *k)
{
    unsigned char *der = NULL, md[SHA256_DIGEST_LENGTH];
    int len = i2d_PUBKEY(k, &der);
    char hex[2 * SHA256_DIGEST_LENGTH + 1];
    size_t i;

    if (len <= 0 || !SHA256(der, (size_t)len, md))
        fail_msg("cannot fingerprint a public key");
    OPENSSL_free(der);
    for (i = 0; i < SHA256_DIGEST_LENGTH; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    hex[16] = '\0';
    return h_fmt("sha256:%s", hex);
}

/* ------------------------------------------------------------------ */
/* state made by hand                                                   */

void e_account_delete(struct h_sim *s, const char *uid)
{
    char *path = h_fmt("/acs/api/v1/users/%s", uid);
    struct h_resp r = h_delete(s, path);

    expect_status(&r, 204, path);
    free(path);
}

void e_secret_delete(struct h_sim *s, const char *path)
{
    char *p = h_fmt("/secrets/v1/secret/default/%s", path);
    struct h_resp r = h_delete(s, p);

    expect_status(&r, 204, p);
    free(p);
}

void e_group_remove(struct h_sim *s, const char *gid, const char *uid)
{
    char *p = h_fmt("/acs/api/v1/groups/%s/users/%s", gid, uid);
    struct h_resp r = h_delete(s, p);

    expect_status(&r, 204, p);
    free(p);
}

long e_update(struct h_sim *s, const char *svc, const char *opts)
{
    if (!e_wait_deployed(s, svc))
        fail_msg("Marathon deployment of %s did not finish", svc);
    return h_update(s, svc, opts);
}

int e_wait_deployed(struct h_sim *s, const char *svc)
{
    return h_wait_deployed(s, svc, E_WAIT_MS, E_POLL_MS);
}

int e_wait_complete(struct h_sim *s, const char *svc)
{
    return e_wait_deployed(s, svc) &&
           h_wait_plan(s, svc, "deploy", "COMPLETE", E_WAIT_MS, E_POLL_MS);
}

json_t *e_install_without_secret(struct h_sim *s)
{
    long st = 0;
    int i;

    h_install(s, "{\"service\":{\"name\":\"elastic\","
                 "\"service_account\":\"elastic\","
                 "\"service_account_secret\":\"\","
                 "\"security\":{\"transport_encryption\":"
                 "{\"enabled\":true}}},"
                 "\"elasticsearch\":{\"xpack_enabled\":true}}");
    for (i = 0; i < E_WAIT_MS / E_POLL_MS; i++) {
        json_t *p = h_plan(s, "elastic", "deploy", &st);

        if (p && st == 417)
            return p;
        json_decref(p);
        h_sleep_ms(E_POLL_MS);
    }
    return NULL;
}

EVP_PKEY *e_runbook(struct h_sim *s, const char *opts_text, unsigned flags)
{
    json_t *o = json_loads(opts_text, JSON_REJECT_DUPLICATES, NULL);
    const char *name, *uid, *path;
    EVP_PKEY *k = h_rsa_new();
    char *inst;

    if (!o)
        fail_msg("e_runbook: options are not JSON");
    name = h_jstr(o, "service.name");
    uid = h_jstr(o, "service.service_account");
    path = h_jstr(o, "service.service_account_secret");
    if (!name || !uid || !path)
        fail_msg("e_runbook: options need service.name, service_account "
                 "and service_account_secret");
    /* 1-4: key pair, service account, create-sa-secret, superusers */
    h_account_full(s, uid, path, k);
    /* 5: install with the options file, and wait for the deploy plan */
    if (!(flags & E_NO_INSTALL)) {
        if (flags & E_PLAIN) {
            json_t *te = h_jget(o, "service.security.transport_encryption");

            if (te)
                json_object_set_new(te, "enabled", json_false());
        }
        inst = json_dumps(o, JSON_COMPACT);
        if (!inst)
            fail_msg("e_runbook: out of memory");
        h_install(s, inst);
        free(inst);
        if (!e_wait_complete(s, name))
            fail_msg("deploy plan of %s did not complete", name);
    }
    json_decref(o);
    return k;
}

EVP_PKEY *e_runbook_default(struct h_sim *s, unsigned flags)
{
    char *file = e_runbook_file(), *text = e_read(file);
    EVP_PKEY *k = e_runbook(s, text, flags);

    free(text);
    free(file);
    return k;
}

/* Status of step @step of phase @phase in @plan, or "". */
static const char *step_status(const json_t *plan, const char *phase,
                               const char *step)
{
    const char *st = h_step_status(plan, phase, step);

    return st ? st : "";
}

void e_make_stuck_toggle(struct h_sim *s, const char *svc)
{
    long st = 0;
    json_t *plan = NULL;
    int i;

    if (e_update(s, svc, "{\"service\":{\"security\":{\"transport_encryption"
                         "\":{\"enabled\":true}}}}") != 200)
        fail_msg("update of %s (TLS on, serial) was refused", svc);
    if (!e_wait_deployed(s, svc))
        fail_msg("scheduler of %s did not come back", svc);
    for (i = 0; i < E_WAIT_MS / E_POLL_MS; i++) {
        plan = h_plan(s, svc, "deploy", &st);
        if (plan && strcmp(step_status(plan, "master-update",
                                       "master-0:[node]"), "STARTED") == 0)
            break;
        json_decref(plan);
        plan = NULL;
        h_sleep_ms(E_POLL_MS);
    }
    if (!plan)
        fail_msg("master-0 of %s never reached STARTED", svc);
    json_decref(plan);
    /* 15 simulated seconds later it is still stuck */
    h_sleep_sim(s, 15);
    plan = h_plan(s, svc, "deploy", &st);
    if (!plan || st != 202 ||
        strcmp(h_jstr(plan, "status") ? h_jstr(plan, "status") : "",
               "IN_PROGRESS") != 0 ||
        strcmp(h_jstr(plan, "strategy") ? h_jstr(plan, "strategy") : "",
               "serial") != 0 ||
        strcmp(step_status(plan, "master-update", "master-0:[node]"),
               "STARTED") != 0 ||
        strcmp(step_status(plan, "master-update", "master-1:[node]"),
               "PENDING") != 0)
        fail_msg("serial TLS toggle of %s is not stuck (HTTP %ld)", svc, st);
    json_decref(plan);
}

/* ------------------------------------------------------------------ */
/* what the cluster holds                                               */

char *e_account_pub(struct h_sim *s, const char *uid)
{
    char *path = h_fmt("/acs/api/v1/users/%s", uid), *pub = NULL;
    struct h_resp r = h_get(s, path);

    if (r.status == 200) {
        const char *v = h_jstr(r.json, "public_key");

        if (!v)
            fail_msg("account %s has no public_key", uid);
        pub = strdup(v);
    } else if (r.status != 400 && r.status != 404) {
        fail_msg("GET %s: HTTP %ld", path, r.status);
    }
    h_resp_free(&r);
    free(path);
    return pub;
}

char *e_secret_value(struct h_sim *s, const char *path)
{
    char *p = h_fmt("/secrets/v1/secret/default/%s", path), *v = NULL;
    struct h_resp r = h_get(s, p);

    if (r.status == 200) {
        const char *val = h_jstr(r.json, "value");

        if (!val)
            fail_msg("secret %s has no value", path);
        v = strdup(val);
    } else if (r.status != 404) {
        fail_msg("GET %s: HTTP %ld", p, r.status);
    }
    if (r.body)
        OPENSSL_cleanse(r.body, r.len);
    h_resp_free(&r);
    free(p);
    return v;
}

int e_in_group(struct h_sim *s, const char *gid, const char *uid)
{
    char *p = h_fmt("/acs/api/v1/groups/%s/users?type=service", gid);
    struct h_resp r = h_get(s, p);
    json_t *m;
    size_t i;
    int found = 0;

    if (r.status != 200)
        fail_msg("GET %s: HTTP %ld", p, r.status);
    json_array_foreach(h_jget(r.json, "array"), i, m)
        if (h_jstr(m, "user.uid") && strcmp(h_jstr(m, "user.uid"), uid) == 0)
            found = 1;
    h_resp_free(&r);
    free(p);
    return found;
}

int e_allowed(struct h_sim *s, const char *uid, const char *rid,
              const char *action)
{
    char *e = h_rid_path(rid);
    char *p = h_fmt("/acs/api/v1/acls/%s/users/%s/%s", e, uid, action);
    struct h_resp r = h_get(s, p);
    int ok = r.status == 200 && json_is_true(h_jget(r.json, "allowed"));

    if (r.status != 200 && r.status != 400 && r.status != 404)
        fail_msg("GET %s: HTTP %ld", p, r.status);
    h_resp_free(&r);
    free(p);
    free(e);
    return ok;
}

json_t *e_describe(struct h_sim *s, const char *svc)
{
    char *body = h_fmt("{\"appId\":\"%s\"}", svc);
    struct h_resp r = h_cosmos(s, "service/describe", body);
    json_t *j = r.status == 200 && r.json ? json_incref(r.json) : NULL;

    h_resp_free(&r);
    free(body);
    return j;
}

json_t *e_task_ids(struct h_sim *s, const char *svc)
{
    char *p = h_fmt("/service/%s/v1/pod/status", svc);
    struct h_resp r = h_get(s, p);
    json_t *out = json_object(), *pod, *inst, *t;
    size_t i, j, k;

    if (r.status != 200 || !out)
        fail_msg("GET %s: HTTP %ld", p, r.status);
    json_array_foreach(h_jget(r.json, "pods"), i, pod)
        json_array_foreach(h_jget(pod, "instances"), j, inst)
            json_array_foreach(h_jget(inst, "tasks"), k, t)
                if (h_jstr(t, "name") && h_jstr(t, "id"))
                    json_object_set_new(out, h_jstr(t, "name"),
                                        json_string(h_jstr(t, "id")));
    h_resp_free(&r);
    free(p);
    return out;
}

/* @pem without whitespace (new). */
static char *squeeze(const char *pem)
{
    char *out = malloc(strlen(pem) + 1), *o = out;

    if (!out)
        fail_msg("out of memory");
    for (; *pem; pem++)
        if (*pem != ' ' && *pem != '\n' && *pem != '\r' && *pem != '\t')
            *o++ = *pem;
    *o = '\0';
    return out;
}

void e_assert_key_matches(struct h_sim *s, const char *uid,
                          const char *path)
{
    char *pub = e_account_pub(s, uid), *val = e_secret_value(s, path);
    char *derived, *a, *b;
    json_t *v;
    const char *priv;

    if (!pub)
        fail_msg("service account %s does not exist", uid);
    if (!val)
        fail_msg("secret %s does not exist", path);
    v = json_loads(val, 0, NULL);
    OPENSSL_cleanse(val, strlen(val));
    free(val);
    if (!v)
        fail_msg("secret %s is not JSON", path);
    if (!h_jstr(v, "scheme") || strcmp(h_jstr(v, "scheme"), "RS256") != 0)
        fail_msg("secret %s: scheme is not RS256", path);
    if (!h_jstr(v, "uid") || strcmp(h_jstr(v, "uid"), uid) != 0)
        fail_msg("secret %s: uid is not %s", path, uid);
    if (!h_jstr(v, "login_endpoint"))
        fail_msg("secret %s: no login_endpoint", path);
    priv = h_jstr(v, "private_key");
    if (!priv || !strstr(priv, "-----BEGIN PRIVATE KEY-----"))
        fail_msg("secret %s: private_key is not a PKCS#8 PEM", path);
    derived = h_pub_of_priv(priv);
    if (!derived)
        fail_msg("secret %s: private_key is not usable", path);
    a = squeeze(pub);
    b = squeeze(derived);
    if (strcmp(a, b) != 0)
        fail_msg("public key of %s does not match the private key in %s",
                 uid, path);
    free(a);
    free(b);
    free(derived);
    free(pub);
    json_decref(v);
}

/* The first address and DNS name of endpoint coordinator-http of @svc. */
static void endpoint(struct h_sim *s, const char *svc, char **addr,
                     char **dns)
{
    char *p = h_fmt("/service/%s/v1/endpoints/coordinator-http", svc);
    struct h_resp r = h_get(s, p);
    const char *a, *d;

    if (r.status != 200)
        fail_msg("GET %s: HTTP %ld", p, r.status);
    a = json_string_value(json_array_get(h_jget(r.json, "address"), 0));
    d = json_string_value(json_array_get(h_jget(r.json, "dns"), 0));
    if (!a || !d)
        fail_msg("%s: no address or dns", p);
    *addr = strdup(a);
    *dns = strdup(d);
    h_resp_free(&r);
    free(p);
}

void e_assert_https(struct h_sim *s, const char *svc)
{
    char *addr, *dns, *url, *resolve, *port, *plain, *byip;
    struct h_resp r;

    endpoint(s, svc, &addr, &dns);
    port = strrchr(dns, ':');
    if (!port || !strrchr(addr, ':'))
        fail_msg("endpoint of %s has no port", svc);
    url = h_fmt("https://%s/", dns);
    /* host:port:address for CURLOPT_RESOLVE */
    resolve = h_fmt("%.*s:%s:127.0.0.1", (int)(port - dns), dns, port + 1);
    r = h_req_url(url, s->ca_cert, resolve, "elastic:changeme");
    if (r.curl_code != 0 || r.status != 200 ||
        !h_jstr(r.json, "version.number") ||
        strcmp(h_jstr(r.json, "version.number"), "5.6.5") != 0)
        fail_msg("%s over HTTPS with the cluster CA: curl %d HTTP %ld",
                 url, r.curl_code, r.status);
    h_resp_free(&r);
    free(url);
    url = h_fmt("https://%s/_cluster/health", dns);
    r = h_req_url(url, s->ca_cert, resolve, "elastic:changeme");
    if (r.status != 200 || !h_jstr(r.json, "status") ||
        strcmp(h_jstr(r.json, "status"), "green") != 0)
        fail_msg("%s: HTTP %ld, health %s", url, r.status,
                 h_jstr(r.json, "status") ? h_jstr(r.json, "status") : "?");
    h_resp_free(&r);
    /* plain HTTP is refused */
    plain = h_fmt("http://%s/", addr);
    r = h_req_url(plain, NULL, NULL, "elastic:changeme");
    if (r.curl_code == 0 && r.status != 0)
        fail_msg("%s answered plain HTTP %ld", plain, r.status);
    h_resp_free(&r);
    /* the certificate names the node, not 127.0.0.1 */
    byip = h_fmt("https://%s/", addr);
    r = h_req_url(byip, s->ca_cert, NULL, "elastic:changeme");
    if (r.curl_code == 0)
        fail_msg("%s passed hostname verification", byip);
    h_resp_free(&r);
    free(byip);
    free(plain);
    free(url);
    free(resolve);
    free(addr);
    free(dns);
}

void e_assert_plain(struct h_sim *s, const char *svc)
{
    char *addr, *dns, *url, *resolve, *port;
    struct h_resp r;

    endpoint(s, svc, &addr, &dns);
    port = strrchr(dns, ':');
    if (!port)
        fail_msg("endpoint of %s has no port", svc);
    /* under its name: the sim's HTTP listener routes by Host */
    url = h_fmt("http://%s/", dns);
    resolve = h_fmt("%.*s:%s:127.0.0.1", (int)(port - dns), dns, port + 1);
    r = h_req_url(url, NULL, resolve, "elastic:changeme");
    free(resolve);
    if (r.curl_code != 0 || r.status != 200)
        fail_msg("%s over plain HTTP: curl %d HTTP %ld", url, r.curl_code,
                 r.status);
    h_resp_free(&r);
    free(url);
    free(addr);
    free(dns);
}

void e_assert_converged(struct h_sim *s, const char *svc, const char *uid,
                        const char *path, int tls, int superusers)
{
    json_t *d, *plan;
    json_t *te;
    long st = 0;

    plan = h_plan(s, svc, "deploy", &st);
    if (!plan || st != 200 || !h_jstr(plan, "status") ||
        strcmp(h_jstr(plan, "status"), "COMPLETE") != 0)
        fail_msg("deploy plan of %s is not COMPLETE (HTTP %ld)", svc, st);
    json_decref(plan);
    d = e_describe(s, svc);
    if (!d)
        fail_msg("%s is not installed", svc);
    te = h_jget(d, "resolvedOptions.service.security.transport_encryption."
                  "enabled");
    if (!json_is_boolean(te) || json_is_true(te) != !!tls)
        fail_msg("%s: resolved transport_encryption.enabled is not %s", svc,
                 tls ? "true" : "false");
    if (!h_jstr(d, "resolvedOptions.service.update_strategy") ||
        strcmp(h_jstr(d, "resolvedOptions.service.update_strategy"),
               "serial") != 0)
        fail_msg("%s: resolved update_strategy is not serial", svc);
    if (!h_jstr(d, "resolvedOptions.service.service_account") ||
        strcmp(h_jstr(d, "resolvedOptions.service.service_account"), uid))
        fail_msg("%s: resolved service_account is not %s", svc, uid);
    if (!h_jstr(d, "resolvedOptions.service.service_account_secret") ||
        strcmp(h_jstr(d, "resolvedOptions.service.service_account_secret"),
               path))
        fail_msg("%s: resolved service_account_secret is not %s", svc, path);
    json_decref(d);
    e_assert_key_matches(s, uid, path);
    if (superusers && !e_in_group(s, "superusers", uid))
        fail_msg("%s is not in superusers", uid);
    if (tls)
        e_assert_https(s, svc);
    else
        e_assert_plain(s, svc);
}

/* ------------------------------------------------------------------ */
/* the request log                                                      */

void e_log_clear(struct h_sim *s)
{
    struct h_resp r = h_control(s, "DELETE", "/sim/v1/requests", NULL);

    expect_status(&r, 204, "DELETE /sim/v1/requests");
}

json_t *e_log(struct h_sim *s)
{
    struct h_resp r = h_control(s, "GET", "/sim/v1/requests", NULL);
    json_t *a = h_jget(r.json, "requests");

    if (r.status != 200 || !json_is_array(a))
        fail_msg("GET /sim/v1/requests: HTTP %ld", r.status);
    json_incref(a);
    h_resp_free(&r);
    return a;
}

size_t e_log_writes(struct h_sim *s, char **desc)
{
    json_t *log = e_log(s), *e;
    struct buf b;
    size_t i, n = 0;

    buf_init(&b, E_OUT_MAX);
    json_array_foreach(log, i, e) {
        if (!json_is_boolean(h_jget(e, "write")))
            fail_msg("request log entry without a write flag");
        if (!json_is_true(h_jget(e, "write")))
            continue;
        n++;
        if (buf_printf(&b, "%s %s -> %lld; ", h_jstr(e, "method"),
                       h_jstr(e, "path"),
                       (long long)json_integer_value(h_jget(e, "status"))))
            fail_msg("out of memory");
    }
    json_decref(log);
    if (desc)
        *desc = buf_detach(&b);
    else
        buf_free(&b);
    return n;
}

size_t e_log_count(struct h_sim *s, const char *method, const char *prefix)
{
    json_t *log = e_log(s), *e;
    size_t i, n = 0;

    json_array_foreach(log, i, e)
        if (h_jstr(e, "method") && strcmp(h_jstr(e, "method"), method) == 0 &&
            h_jstr(e, "path") && util_has_prefix(h_jstr(e, "path"), prefix))
            n++;
    json_decref(log);
    return n;
}

/* Index of the first (@last 0) or last (@last 1) matching request. */
static long log_find(struct h_sim *s, const char *method, const char *prefix,
                     int last)
{
    json_t *log = e_log(s), *e;
    size_t i;
    long found = -1;

    json_array_foreach(log, i, e) {
        if (!h_jstr(e, "method") || strcmp(h_jstr(e, "method"), method) != 0 ||
            !h_jstr(e, "path") || !util_has_prefix(h_jstr(e, "path"), prefix))
            continue;
        found = (long)i;
        if (!last)
            break;
    }
    json_decref(log);
    return found;
}

long e_log_first(struct h_sim *s, const char *method, const char *prefix)
{
    return log_find(s, method, prefix, 0);
}

long e_log_last(struct h_sim *s, const char *method, const char *prefix)
{
    return log_find(s, method, prefix, 1);
}

void e_assert_no_writes(struct h_sim *s, const char *what)
{
    char *desc = NULL;
    size_t n = e_log_writes(s, &desc);

    if (n) {
        fprintf(stderr, "%s made %zu write request(s): %s\n", what, n,
                desc);
        free(desc);
        fail_msg("%s made write requests", what);
    }
    free(desc);
}

/* ------------------------------------------------------------------ */
/* running etls                                                         */

int e_color_auto;

/* The argv of an etls run (see e_etls) into @argv, the binary in @bin. */
static void build_argv(const char *argv[64], char bin[512], struct h_sim *s,
                       const char *cmd, const char *file, va_list ap)
{
    size_t n = 0;
    const char *a;

    snprintf(bin, 512, "%s/etls", ETLS_BIN_DIR);
    argv[n++] = bin;
    argv[n++] = cmd;
    if (file) {
        argv[n++] = "-f";
        argv[n++] = file;
    }
    if (s) {
        argv[n++] = "--sim";
        argv[n++] = s->dir;
    }
    if (!e_color_auto)
        argv[n++] = "--no-color";
    while ((a = va_arg(ap, const char *)) != NULL) {
        if (n >= 62)
            fail_msg("e_etls: too many arguments");
        argv[n++] = a;
    }
    argv[n] = NULL;
}

static struct e_proc spawn_v(struct h_sim *s, const char *cmd,
                             const char *file, va_list ap)
{
    char outpath[] = "/tmp/etls-e2e-out-XXXXXX";
    char errpath[] = "/tmp/etls-e2e-err-XXXXXX";
    const char *argv[64];
    char bin[512];
    struct e_proc p;
    pid_t pid;

    build_argv(argv, bin, s, cmd, file, ap);

    p.out_fd = mkstemp(outpath);
    p.err_fd = mkstemp(errpath);
    if (p.out_fd < 0 || p.err_fd < 0)
        fail_msg("mkstemp: %s", strerror(errno));
    unlink(outpath);
    unlink(errpath);
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0)
        fail_msg("fork: %s", strerror(errno));
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY | O_CLOEXEC);

        if (in >= 0)
            dup2(in, 0);
        dup2(p.out_fd, 1);
        dup2(p.err_fd, 2);
        execv(bin, (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    p.pid = (int)pid;
    return p;
}

struct e_proc e_spawn(struct h_sim *s, const char *cmd, const char *file,
                      ...)
{
    struct e_proc p;
    va_list ap;

    va_start(ap, file);
    p = spawn_v(s, cmd, file, ap);
    va_end(ap);
    return p;
}

/*
 * Everything written to @fd so far.  pread: the file offset is shared with
 * the etls process that may still be writing.
 */
static char *slurp(int fd)
{
    struct buf b;
    char tmp[4096];
    off_t off = 0;

    buf_init(&b, E_OUT_MAX);
    for (;;) {
        ssize_t n = pread(fd, tmp, sizeof(tmp), off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += n;
        if (buf_append(&b, tmp, (size_t)n) != 0)
            fail_msg("etls output too large");
    }
    return buf_detach(&b);
}

char *e_proc_out(const struct e_proc *p)
{
    return slurp(p->out_fd);
}

int e_wait_out(const struct e_proc *p, const char *needle, int timeout_ms)
{
    int i, found = 0;

    for (i = 0; !found && i <= timeout_ms / E_POLL_MS; i++) {
        char *out = slurp(p->out_fd);

        found = strstr(out, needle) != NULL;
        free(out);
        if (!found)
            h_sleep_ms(E_POLL_MS);
    }
    return found;
}

int e_try_wait(struct e_proc *p, int timeout_ms, struct e_run *r)
{
    int status = 0, i;
    pid_t got = 0;

    for (i = 0; i <= timeout_ms / 10; i++) {
        got = waitpid((pid_t)p->pid, &status, WNOHANG);
        if (got == (pid_t)p->pid)
            break;
        if (i < timeout_ms / 10)
            h_sleep_ms(10);
    }
    if (got != (pid_t)p->pid)
        return 0;
    memset(r, 0, sizeof(*r));
    r->rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r->out = slurp(p->out_fd);
    r->err = slurp(p->err_fd);
    close(p->out_fd);
    close(p->err_fd);
    p->pid = 0;
    return 1;
}

struct e_run e_wait(struct e_proc *p)
{
    struct e_run r;
    int status = 0;

    if (e_try_wait(p, E_RUN_MS, &r))
        return r;
    kill((pid_t)p->pid, SIGKILL);
    waitpid((pid_t)p->pid, &status, 0);
    r.out = slurp(p->out_fd);
    r.err = slurp(p->err_fd);
    fprintf(stderr, "etls stdout:\n%s\netls stderr:\n%s\n", r.out, r.err);
    fail_msg("etls did not finish within %d ms", E_RUN_MS);
    return r;
}

struct e_run e_etls(struct h_sim *s, const char *cmd, const char *file, ...)
{
    struct e_proc p;
    va_list ap;

    va_start(ap, file);
    p = spawn_v(s, cmd, file, ap);
    va_end(ap);
    return e_wait(&p);
}

/* Read what the pty @master shows until EOF or the deadline; answer
 * @answer once the confirmation question shows. */
static void tty_talk(int master, pid_t pid, const char *answer, struct buf *b)
{
    double deadline = util_now_mono() + E_RUN_MS / 1000.0;
    int answered = 0;
    char tmp[4096];

    for (;;) {
        struct pollfd pfd = {master, POLLIN, 0};
        int pr = poll(&pfd, 1, 100);
        ssize_t n;

        if (util_now_mono() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            fprintf(stderr, "etls on a terminal:\n%s\n", buf_str(b));
            fail_msg("etls did not finish within %d ms", E_RUN_MS);
        }
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            continue;
        n = read(master, tmp, sizeof(tmp));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* EIO: every process closed the terminal */
        if (buf_append(b, tmp, (size_t)n) != 0)
            fail_msg("etls output too large");
        if (answer && !answered && strstr(buf_str(b), E_PROMPT)) {
            if (write(master, answer, strlen(answer)) < 0 ||
                write(master, "\n", 1) != 1)
                fail_msg("cannot answer on the terminal: %s",
                         strerror(errno));
            answered = 1;
        }
    }
}

struct e_run e_etls_tty(struct h_sim *s, const char *answer, const char *cmd,
                        const char *file, ...)
{
    const char *argv[64];
    char bin[512];
    struct e_run r;
    struct buf b;
    va_list ap;
    int master = -1, status = 0;
    pid_t pid;

    va_start(ap, file);
    build_argv(argv, bin, s, cmd, file, ap);
    va_end(ap);
    fflush(stdout);
    fflush(stderr);
    pid = forkpty(&master, NULL, NULL, NULL);
    if (pid < 0)
        fail_msg("forkpty: %s", strerror(errno));
    if (pid == 0) {
        execv(bin, (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    buf_init(&b, E_OUT_MAX);
    tty_talk(master, pid, answer, &b);
    if (waitpid(pid, &status, 0) != pid)
        fail_msg("waitpid: %s", strerror(errno));
    close(master);
    memset(&r, 0, sizeof(r));
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    buf_puts(&b, "");
    r.out = buf_detach(&b);
    r.err = strdup("");
    if (!r.out || !r.err)
        fail_msg("out of memory");
    return r;
}

struct e_run e_run_logged(struct h_sim *s, const char *cmd,
                          const char *file)
{
    struct e_run r;

    e_log_clear(s);
    if (strcmp(cmd, "plan") == 0)
        r = e_etls(s, cmd, file, "--detailed-exitcode", (char *)NULL);
    else if (strcmp(cmd, "apply") == 0)
        r = e_etls(s, cmd, file, "--auto-approve", (char *)NULL);
    else
        r = e_etls(s, cmd, file, (char *)NULL);
    e_assert_clean(&r, s, "elastic/secret");
    return r;
}

void e_run_free(struct e_run *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof(*r));
}

struct e_run e_apply(struct h_sim *s, const char *file)
{
    struct e_run r = e_etls(s, "apply", file, "--auto-approve",
                            (char *)NULL);

    e_assert_clean(&r, s, "elastic/secret");
    return r;
}

struct e_run e_apply_runbook(struct h_sim *s)
{
    char *file = e_runbook_file();
    struct e_run r = e_apply(s, file);

    free(file);
    return r;
}

struct e_run e_apply_data(struct h_sim *s, const char *rel)
{
    char *file = e_data(rel);
    struct e_run r = e_apply(s, file);

    free(file);
    return r;
}

void e_expect_apply_idle(struct h_sim *s, const char *rel)
{
    struct e_run r;

    e_log_clear(s);
    r = rel ? e_apply_data(s, rel) : e_apply_runbook(s);
    e_expect_rc(&r, 0);
    e_expect_out(&r, "No changes.");
    e_expect_out(&r, "Apply complete! Resources: 0 added, 0 changed, 0 "
                     "destroyed.");
    e_assert_no_writes(s, "a second etls apply");
    e_run_free(&r);
}

static void dump(const struct e_run *r)
{
    /* cmocka's print_error truncates long text */
    fflush(stdout);
    fprintf(stderr, "---- etls exit %d, stdout:\n%s---- stderr:\n%s----\n",
            r->rc, r->out ? r->out : "", r->err ? r->err : "");
    fflush(stderr);
}

void e_expect_out(const struct e_run *r, const char *needle)
{
    if (!r->out || !strstr(r->out, needle)) {
        dump(r);
        fail_msg("stdout lacks: %s", needle);
    }
}

void e_expect_not_out(const struct e_run *r, const char *needle)
{
    if (r->out && strstr(r->out, needle)) {
        dump(r);
        fail_msg("stdout has: %s", needle);
    }
}

void e_expect_err(const struct e_run *r, const char *needle)
{
    if (!r->err || !strstr(r->err, needle)) {
        dump(r);
        fail_msg("stderr lacks: %s", needle);
    }
}

void e_expect_rc(const struct e_run *r, int rc)
{
    if (r->rc != rc) {
        dump(r);
        fail_msg("etls exited %d, expected %d", r->rc, rc);
    }
}

static void clean_of(const struct e_run *r, const char *needle,
                     const char *what)
{
    if ((r->out && strstr(r->out, needle)) ||
        (r->err && strstr(r->err, needle))) {
        dump(r);
        fail_msg("etls printed %s", what);
    }
}

void e_assert_clean(const struct e_run *r, struct h_sim *s,
                    const char *path)
{
    char *val = NULL;

    clean_of(r, "PRIVATE KEY", "a private key marker");
    clean_of(r, "deleteme", "the bootstrap password");
    clean_of(r, "changeme", "the health-check password");
    clean_of(r, "eyJ", "something like a JWT");
    if (s && path)
        val = e_secret_value(s, path);
    if (val) {
        json_t *v = json_loads(val, 0, NULL);
        const char *priv = h_jstr(v, "private_key");
        const char *line = priv ? strchr(priv, '\n') : NULL;
        char chunk[41];

        /* 40 characters of each of the first lines of the key body */
        while (line && strlen(line + 1) > 80) {
            memcpy(chunk, line + 1, 40);
            chunk[40] = '\0';
            clean_of(r, chunk, "a piece of the private key");
            line = strchr(line + 1, '\n');
        }
        json_decref(v);
        OPENSSL_cleanse(val, strlen(val));
        free(val);
    }
}

void e_expect_apply_ok(const struct e_run *r, const char *svc)
{
    char *s1 = h_fmt("Verified service %s over HTTPS:", svc);
    char *s2 = h_fmt("  URL:           https://coordinator-0-node.%s.autoip."
                     "dcos.thisdcos.directory:", svc);
    char *s3 = h_fmt("Certificate:   subject CN=coordinator-0-node.%s",
                     svc);

    e_expect_rc(r, 0);
    e_expect_out(r, "Apply complete! Resources: ");
    e_expect_out(r, s1);
    e_expect_out(r, s2);
    e_expect_out(r, "  Elasticsearch: 5.6.5");
    e_expect_out(r, "  Health:        green");
    e_expect_out(r, s3);
    e_expect_out(r, "issuer  CN=DC/OS Root CA");
    e_expect_out(r, "expires ");
    e_expect_out(r, "  Plain HTTP:    refused");
    free(s1);
    free(s2);
    free(s3);
}

json_t *e_change(const json_t *plan, const char *address)
{
    json_t *c;
    size_t i;

    json_array_foreach(h_jget(plan, "resource_changes"), i, c)
        if (h_jstr(c, "address") && strcmp(h_jstr(c, "address"), address) == 0)
            return c;
    return NULL;
}
