/*
 * dcos-sim: the dcos-commons SDK scheduler of each installed service (its
 * configurations, deploy/update and recovery plans, pods and tasks) and
 * the Elasticsearch tasks it runs (master-0 and coordinator-0 with a real
 * data-plane listener, see sim/node.h).  Everything runs with the sim lock
 * held; time is simulated time (sim_now).  See docs/sim.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/secret.h"
#include "common/util.h"
#include "sim/core.h"
#include "sim/http.h"
#include "sim/iam.h"
#include "sim/node.h"
#include "sim/pki.h"
#include "sim/sdk.h"
#include "sim/sdk_internal.h"
#include "sim/secrets.h"
#include "sim/server.h"
#include "sim/state.h"

#define SDK_MAX_COUNT 100
#define SDK_LOG "sim-sdk"

static const char *const POD_NAMES[SDK_N_PODS] = {"master", "data",
                                                  "ingest", "coordinator"};
static const char *const POD_UPPER[SDK_N_PODS] = {"MASTER", "DATA",
                                                  "INGEST", "COORDINATOR"};

static const char TLS_NO_ACCOUNT_ERROR[] =
    "Field: 'transport-encryption'; Value: ''; Message: 'Scheduler is "
    "missing a service account that is required for provisioning TLS "
    "artifacts. Please configure in order to continue.'";

/* All services, in creation order. */
static struct sdk_service **g_svcs;
static size_t g_n_svcs;
static int g_dirty;

/* ------------------------------------------------------------------ */
/* small helpers                                                        */

/* See sdk_internal.h. */
const char *sdk_pod_name(int pod)
{
    return pod >= 0 && pod < SDK_N_PODS ? POD_NAMES[pod] : "unknown";
}

/* See sdk_internal.h. */
const char *sdk_status_name(int st)
{
    static const char *const names[] = {"PENDING",  "PREPARED", "STARTING",
                                        "STARTED",  "COMPLETE", "ERROR",
                                        "WAITING",  "IN_PROGRESS"};

    return st >= 0 && st <= SDK_IN_PROGRESS ? names[st] : "ERROR";
}

/* See sdk_internal.h. */
const char *sdk_task_state_name(int st)
{
    static const char *const names[] = {"UNKNOWN", "STAGING", "RUNNING",
                                        "KILLED", "FAILED"};

    return st >= 0 && st <= SDK_TASK_FAILED ? names[st] : "UNKNOWN";
}

static int status_parse(const char *s)
{
    int i;

    for (i = SDK_PENDING; i <= SDK_ERROR; i++)
        if (s && strcmp(s, sdk_status_name(i)) == 0)
            return i;
    return SDK_PENDING;
}

static int task_state_parse(const char *s)
{
    int i;

    for (i = SDK_TASK_NONE; i <= SDK_TASK_FAILED; i++)
        if (s && strcmp(s, sdk_task_state_name(i)) == 0)
            return i;
    return SDK_TASK_NONE;
}

/* See sdk_internal.h. */
const json_t *sdk_json_path(const json_t *o, const char *path)
{
    char part[128];
    const char *p = path;

    while (o && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);

        if (n == 0 || n >= sizeof(part))
            return NULL;
        memcpy(part, p, n);
        part[n] = '\0';
        o = json_object_get(o, part);
        p = dot ? dot + 1 : p + n;
    }
    return o;
}

static const char *opt_str(const json_t *o, const char *path,
                           const char *def)
{
    const char *v = json_string_value(sdk_json_path(o, path));

    return v ? v : def;
}

static int opt_bool(const json_t *o, const char *path, int def)
{
    const json_t *v = sdk_json_path(o, path);

    return json_is_boolean(v) ? json_is_true(v) : def;
}

static long opt_int(const json_t *o, const char *path, long def)
{
    const json_t *v = sdk_json_path(o, path);

    if (json_is_integer(v))
        return (long)json_integer_value(v);
    if (json_is_real(v))
        return (long)json_real_value(v);
    return def;
}

/* See sdk_internal.h. */
char *sdk_printf(const char *fmt, ...)
{
    struct buf b;
    va_list ap;
    int r;

    buf_init(&b, 64 * 1024);
    va_start(ap, fmt);
    r = buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (r != 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

static void set_str(char **dst, const char *src)
{
    char *v = src ? strdup(src) : NULL;

    if (src && !v)
        return; /* keep the old value rather than lose it */
    free(*dst);
    *dst = v;
}

/* @name without slashes (foldered services); @dots_to_dashes for autoip. */
static char *dns_name(const char *name, int dots_to_dashes)
{
    char *out = malloc(strlen(name) + 1), *o = out;
    const char *p;

    if (!out)
        return NULL;
    for (p = name; *p; p++) {
        if (*p == '/')
            continue;
        *o++ = (dots_to_dashes && *p == '.') ? '-' : *p;
    }
    *o = '\0';
    return out;
}

static void sdk_save(struct sim *s);

/* See sdk_internal.h. */
void sdk_touch(struct sim *s)
{
    sdk_save(s);
}

/* See sdk_internal.h. */
struct sdk_service *sdk_find(const char *name)
{
    size_t i;

    if (!name)
        return NULL;
    if (name[0] == '/')
        name++;
    for (i = 0; i < g_n_svcs; i++)
        if (strcmp(g_svcs[i]->name, name) == 0)
            return g_svcs[i];
    return NULL;
}

/* See sdk_internal.h. */
size_t sdk_count(void)
{
    return g_n_svcs;
}

/* See sdk_internal.h. */
struct sdk_service *sdk_at(size_t i)
{
    return i < g_n_svcs ? g_svcs[i] : NULL;
}

/* See sdk_internal.h. */
int sdk_pod_count(const json_t *options, int pod)
{
    long n;

    switch (pod) {
    case SDK_POD_MASTER:
        return 3;
    case SDK_POD_DATA:
        n = opt_int(options, "data_nodes.count", 2);
        break;
    case SDK_POD_INGEST:
        n = opt_int(options, "ingest_nodes.count", 0);
        break;
    case SDK_POD_COORDINATOR:
        n = opt_int(options, "coordinator_nodes.count", 1);
        break;
    default:
        return 0;
    }
    if (n < 0)
        return 0;
    return n > SDK_MAX_COUNT ? SDK_MAX_COUNT : (int)n;
}

/* See sdk_internal.h. */
const json_t *sdk_config_options(const struct sdk_service *svc,
                                 const char *id)
{
    if (!id)
        return NULL;
    return json_object_get(json_object_get(svc->configs, id), "options");
}

/* See sdk_internal.h. */
const char *sdk_config_version(const struct sdk_service *svc,
                               const char *id)
{
    if (!id)
        return NULL;
    return json_string_value(
        json_object_get(json_object_get(svc->configs, id),
                        "package_version"));
}

static int config_tls(const struct sdk_service *svc, const char *id)
{
    return opt_bool(sdk_config_options(svc, id),
                    "service.security.transport_encryption.enabled", 0);
}

/* ------------------------------------------------------------------ */
/* tasks                                                                */

/* See sdk_internal.h. */
struct sdk_task *sdk_task_get(struct sdk_service *svc, int pod, int index)
{
    size_t i;

    for (i = 0; i < svc->n_tasks; i++)
        if (svc->tasks[i].pod == pod && svc->tasks[i].index == index)
            return &svc->tasks[i];
    return NULL;
}

/* See sdk_internal.h. */
struct sdk_task *sdk_task_by_name(struct sdk_service *svc,
                                  const char *name)
{
    size_t i;

    for (i = 0; i < svc->n_tasks; i++)
        if (strcmp(svc->tasks[i].name, name) == 0)
            return &svc->tasks[i];
    return NULL;
}

/*
 * Make sure pod instance (@pod, @index) has a task slot.  May move the
 * task array: callers must not hold task pointers across this call.
 */
static int task_ensure(struct sdk_service *svc, int pod, int index)
{
    struct sdk_task *v, *t;

    if (sdk_task_get(svc, pod, index))
        return 0;
    v = realloc(svc->tasks, (svc->n_tasks + 1) * sizeof(*v));
    if (!v)
        return ERR_NOMEM;
    svc->tasks = v;
    t = &v[svc->n_tasks++];
    memset(t, 0, sizeof(*t));
    t->pod = pod;
    t->index = index;
    snprintf(t->name, sizeof(t->name), "%s-%d-node", POD_NAMES[pod], index);
    return 0;
}

static int task_has_listener(const struct sdk_task *t)
{
    return t->index == 0 &&
           (t->pod == SDK_POD_MASTER || t->pod == SDK_POD_COORDINATOR);
}

/* A stable fake HTTP port for a task without a real listener. */
static int fake_port(const struct sdk_service *svc, const struct sdk_task *t)
{
    unsigned h = 2166136261u;
    const char *p;

    for (p = svc->name; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    for (p = t->name; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return 20000 + (int)((h % 15000u) & ~1u);
}

static int masters_running(const struct sdk_service *svc, int tls)
{
    size_t i;
    int n = 0;

    for (i = 0; i < svc->n_tasks; i++)
        if (svc->tasks[i].pod == SDK_POD_MASTER &&
            svc->tasks[i].state == SDK_TASK_RUNNING &&
            (int)svc->tasks[i].tls == tls)
            n++;
    return n;
}

/* See sdk_internal.h. */
int sdk_task_ready(const struct sdk_service *svc, const struct sdk_task *t)
{
    /*
     * Readiness (curl -I on the node) passes once the node belongs to a
     * cluster with an elected master: discovery.zen.minimum_master_nodes
     * is 2, and TLS and plaintext nodes cannot talk to each other.
     */
    return t->state == SDK_TASK_RUNNING &&
           masters_running(svc, t->tls) >= 2;
}

/* The cluster health @t sees (static string), and its node counts. */
static const char *task_health(const struct sdk_service *svc,
                               const struct sdk_task *t, int *nodes,
                               int *data)
{
    int expected = sdk_pod_count(sdk_config_options(svc, svc->target_id),
                                 SDK_POD_DATA);
    size_t i;

    *nodes = 0;
    *data = 0;
    if (masters_running(svc, t->tls) < 2) {
        *nodes = 1;
        *data = t->pod == SDK_POD_DATA;
        return "red";
    }
    for (i = 0; i < svc->n_tasks; i++) {
        const struct sdk_task *o = &svc->tasks[i];

        if (o->state != SDK_TASK_RUNNING || o->tls != t->tls)
            continue;
        (*nodes)++;
        if (o->pod == SDK_POD_DATA)
            (*data)++;
    }
    if (expected > 0 && *data == 0)
        return "red";
    if (*data < expected)
        return "yellow";
    return "green";
}

static void task_push_health(const struct sdk_service *svc,
                             struct sdk_task *t)
{
    int nodes, data;
    const char *h;
    char key[sizeof(t->health)];

    if (!t->node)
        return;
    h = task_health(svc, t, &nodes, &data);
    snprintf(key, sizeof(key), "%s/%d/%d", h, nodes, data);
    if (strcmp(key, t->health) == 0)
        return;
    sim_node_set_health(t->node, h, nodes, data);
    memcpy(t->health, key, sizeof(key));
}

static int sha1_hex(const char *data, char out[41])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0, i;

    if (EVP_Digest(data, strlen(data), md, &n, EVP_sha1(), NULL) != 1 ||
        n != 20)
        return ERR_INTERNAL;
    for (i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return 0;
}

/*
 * The DNS SANs of @t's certificate: its autoip name and the l4lb name of
 * its pod's VIP (CertificateNamesGenerator).  Fills @sans (new strings).
 */
static int task_sans(const struct sdk_service *svc, const struct sdk_task *t,
                     char *sans[2])
{
    char *autoip = dns_name(svc->name, 1), *vip = dns_name(svc->name, 0);

    sans[0] = sans[1] = NULL;
    if (autoip && vip) {
        sans[0] = sdk_printf("%s.%s.autoip.dcos.thisdcos.directory",
                             t->name, autoip);
        sans[1] = sdk_printf("%s.%s.l4lb.thisdcos.directory",
                             POD_NAMES[t->pod], vip);
    }
    free(autoip);
    free(vip);
    if (!sans[0] || !sans[1]) {
        free(sans[0]);
        free(sans[1]);
        return ERR_NOMEM;
    }
    return 0;
}

/*
 * Secret-store path prefix of @t's TLS artifacts (TLSArtifact naming):
 * "<svc>/<sha1(SANs)>__<task>__node" (new).
 */
static char *task_artifact_base(const struct sdk_service *svc,
                                const struct sdk_task *t)
{
    char *sans[2], *joined, hex[41], *out = NULL;

    if (task_sans(svc, t, sans) != 0)
        return NULL;
    joined = sdk_printf("%s;%s", sans[0], sans[1]);
    if (joined && sha1_hex(joined, hex) == 0)
        out = sdk_printf("%s/%s__%s__node", svc->name, hex, t->name);
    free(joined);
    free(sans[0]);
    free(sans[1]);
    return out;
}

/*
 * The certificate and key of @t: reused from the secret store when the
 * scheduler stored them before, else issued by the cluster CA and stored.
 * Sets *@cert and *@key (new; wipe the key with secret_wipe_str).
 */
static int task_tls_material(struct sim *s, const struct sdk_service *svc,
                             const struct sdk_task *t, char **cert,
                             char **key)
{
    char *base = task_artifact_base(svc, t), *cp = NULL, *kp = NULL,
         *ap = NULL, *sans[2] = {NULL, NULL}, *cn = NULL, *svcdns = NULL;
    const char *c, *k;
    int r = ERR_NOMEM;

    *cert = *key = NULL;
    if (!base)
        return ERR_NOMEM;
    cp = sdk_printf("%s__certificate", base);
    kp = sdk_printf("%s__private-key", base);
    ap = sdk_printf("%s__root-ca-certificate", base);
    if (!cp || !kp || !ap)
        goto out;
    c = sim_secret_value(s, cp);
    k = sim_secret_value(s, kp);
    if (c && k) {
        *cert = strdup(c);
        *key = strdup(k);
        if (!*cert || !*key) {
            free(*cert);
            secret_wipe_str(*key);
            *cert = *key = NULL;
            goto out;
        }
        r = 0;
        goto out;
    }
    svcdns = dns_name(svc->name, 0);
    if (!svcdns || task_sans(svc, t, sans) != 0)
        goto out;
    cn = sdk_printf("%s.%s", t->name, svcdns);
    if (!cn)
        goto out;
    r = sim_pki_issue(s, cn, (const char *const *)sans, 2, NULL, 0, cert,
                      key);
    if (r != 0) {
        LOG(LOG_ERROR, SDK_LOG, "certificate for %s.%s not issued (%s)",
            t->name, svc->name, err_name(r));
        goto out;
    }
    if (sim_secret_put(s, cp, *cert) != 0 ||
        sim_secret_put(s, kp, *key) != 0 ||
        sim_secret_put(s, ap, s->ca_cert_pem ? s->ca_cert_pem : "") != 0)
        LOG(LOG_WARN, SDK_LOG, "TLS artifacts of %s.%s not stored",
            t->name, svc->name);
out:
    free(base);
    free(cp);
    free(kp);
    free(ap);
    free(cn);
    free(svcdns);
    free(sans[0]);
    free(sans[1]);
    return r;
}

static void task_node_stop(struct sdk_task *t)
{
    sim_node_stop(t->node);
    t->node = NULL;
    t->health[0] = '\0';
}

/* Start the data-plane listener of running task @t.  Returns 0 or err. */
static int task_node_start(struct sim *s, const struct sdk_service *svc,
                           struct sdk_task *t, int port)
{
    const json_t *o = sdk_config_options(svc, t->config_id);
    struct sim_node_config cfg;
    char *cert = NULL, *key = NULL;
    int r;

    task_node_stop(t);
    memset(&cfg, 0, sizeof(cfg));
    cfg.cluster_name = svc->name;
    cfg.node_name = t->name;
    cfg.tls = t->tls;
    if (t->xpack) {
        /* X-Pack security (on by default in 5.x) asks for basic auth;
         * without X-Pack Elasticsearch has no authentication. */
        cfg.user = opt_str(o, "elasticsearch.health_user", "elastic");
        cfg.password = opt_str(o, "elasticsearch.health_user_password",
                               "changeme");
    }
    cfg.port = port;
    if (t->tls) {
        r = task_tls_material(s, svc, t, &cert, &key);
        if (r != 0)
            return r;
        cfg.cert_pem = cert;
        cfg.key_pem = key;
    }
    r = sim_node_start(&t->node, &cfg);
    if (r != 0 && port != 0)
        r = sim_node_start(&t->node, (cfg.port = 0, &cfg));
    free(cert);
    secret_wipe_str(key);
    if (r != 0) {
        t->node = NULL;
        LOG(LOG_ERROR, SDK_LOG, "node %s of %s did not start (%s)", t->name,
            svc->name, err_name(r));
        return r;
    }
    t->port = sim_node_port(t->node);
    t->health[0] = '\0';
    task_push_health(svc, t);
    return 0;
}

/* Kill @t if it is alive (the listener stops). */
static void task_kill(struct sdk_task *t, double now)
{
    if (t->state != SDK_TASK_STAGING && t->state != SDK_TASK_RUNNING)
        return;
    task_node_stop(t);
    t->state = SDK_TASK_KILLED;
    t->since = now;
    g_dirty = 1;
}

/* Launch a new task for @t's pod instance running configuration @cfg. */
static int task_launch(const struct sdk_service *svc, struct sdk_task *t,
                       const char *cfg, double now)
{
    char *uuid = sim_uuid(), *id = NULL, *c = strdup(cfg);
    const json_t *o = sdk_config_options(svc, cfg);

    if (uuid)
        id = sdk_printf("%s__%s", t->name, uuid);
    free(uuid);
    if (!id || !c) {
        free(id);
        free(c);
        return ERR_NOMEM;
    }
    free(t->id);
    free(t->config_id);
    t->id = id;
    t->config_id = c;
    t->tls = opt_bool(o, "service.security.transport_encryption.enabled", 0);
    t->xpack = opt_bool(o, "elasticsearch.xpack_enabled", 0);
    t->state = SDK_TASK_STAGING;
    t->since = now;
    if (!task_has_listener(t) && t->port == 0)
        t->port = fake_port(svc, t);
    g_dirty = 1;
    return 0;
}

/* Mesos side: a staging task starts running, or fails to start. */
static void task_tick(struct sim *s, struct sdk_service *svc,
                      struct sdk_task *t, double now)
{
    if (t->state != SDK_TASK_STAGING || now - t->since < SDK_TASK_START_S)
        return;
    g_dirty = 1;
    t->since = now;
    if (t->tls && !t->xpack) {
        /* xpack.ssl.* settings are unknown without X-Pack: the node
         * refuses to start (UNCONFIRMED, see elastic-sdk.md 2.1). */
        t->state = SDK_TASK_FAILED;
        return;
    }
    t->state = SDK_TASK_RUNNING;
    if (task_has_listener(t) && task_node_start(s, svc, t, t->port) != 0)
        t->state = SDK_TASK_FAILED;
}

/* ------------------------------------------------------------------ */
/* TLS prerequisites (TLSEvaluationStage)                               */

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return 0;
}

/* 1 when the two keys have the same SubjectPublicKeyInfo. */
static int same_spki(EVP_PKEY *a, EVP_PKEY *b)
{
    unsigned char *da = NULL, *db = NULL;
    int la = i2d_PUBKEY(a, &da), lb = i2d_PUBKEY(b, &db), same;

    same = la > 0 && la == lb && memcmp(da, db, (size_t)la) == 0;
    OPENSSL_free(da);
    OPENSSL_free(db);
    return same;
}

/*
 * Why the scheduler cannot log in with its service-account secret (read at
 * scheduler start) or use the CA: a static string, or NULL when it can;
 * on success the account is copied to svc->tls_uid.
 */
static const char *tls_account_reason(struct sim *s,
                                      struct sdk_service *svc)
{
    const char *account = opt_str(svc->options, "service.service_account",
                                  "");
    const char *reason = NULL, *uid, *pk, *pub_pem;
    json_t *cred = NULL, *pkj;
    EVP_PKEY *priv = NULL, *pub = NULL;
    BIO *bio = NULL;

    svc->tls_uid[0] = '\0';
    if (!svc->credential)
        return "service account secret not found";
    cred = json_loads(secret_str(svc->credential), 0, NULL);
    uid = json_string_value(json_object_get(cred, "uid"));
    pkj = json_object_get(cred, "private_key");
    pk = json_string_value(pkj);
    if (!json_is_object(cred) || !uid || !pk) {
        reason = "service account secret is not a service account "
                 "credential";
        goto out;
    }
    if (strcmp(uid, account) != 0 || strlen(uid) >= sizeof(svc->tls_uid)) {
        reason = "service account secret is for another account";
        goto out;
    }
    /* The SDK reads the key with PKCS8EncodedKeySpec. */
    if (!strstr(pk, "-----BEGIN PRIVATE KEY-----")) {
        reason = "service account private key is not PKCS#8 PEM";
        goto out;
    }
    bio = BIO_new_mem_buf(pk, -1);
    if (bio)
        priv = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    if (!priv || EVP_PKEY_base_id(priv) != EVP_PKEY_RSA) {
        reason = "service account private key is unusable";
        goto out;
    }
    pub_pem = sim_iam_public_key(s, uid);
    if (!pub_pem) {
        reason = "service account does not exist";
        goto out;
    }
    BIO_free(bio);
    bio = BIO_new_mem_buf(pub_pem, -1);
    if (bio)
        pub = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
    if (!pub || !same_spki(priv, pub)) {
        reason = "service account login fails: the key does not match";
        goto out;
    }
    if (!sim_iam_allowed(s, uid, "dcos:adminrouter:ops:ca:rw", "full")) {
        reason = "service account may not use the CA "
                 "(dcos:adminrouter:ops:ca:rw)";
        goto out;
    }
    memcpy(svc->tls_uid, uid, strlen(uid) + 1);
out:
    if (pk)
        OPENSSL_cleanse((void *)pk, strlen(pk));
    json_decref(cred);
    EVP_PKEY_free(priv);
    EVP_PKEY_free(pub);
    BIO_free(bio);
    return reason;
}

/*
 * Why the scheduler cannot obtain TLS artifacts for @t (TLSEvaluationStage:
 * log in, CA, secret store), a static string, or NULL when it can.  The
 * account check is done once per tick.
 */
static const char *tls_block_reason(struct sim *s, struct sdk_service *svc,
                                    const struct sdk_task *t, double now)
{
    char *base, *rid;
    const char *reason = NULL;

    if (!svc->tls_checked || svc->tls_checked_at != now) {
        svc->tls_reason = tls_account_reason(s, svc);
        svc->tls_checked_at = now;
        svc->tls_checked = 1;
    }
    if (svc->tls_reason)
        return svc->tls_reason;
    base = task_artifact_base(svc, t);
    rid = base ? sdk_printf("dcos:secrets:default:/%s__certificate", base)
               : NULL;
    if (!rid)
        reason = "out of memory";
    else if (!sim_iam_allowed(s, svc->tls_uid, rid, "full"))
        reason = "service account may not write the TLS secrets "
                 "(dcos:secrets:default:/<service>/*)";
    free(base);
    free(rid);
    return reason;
}

/* ------------------------------------------------------------------ */
/* configurations and ServiceSpec                                       */

static json_t *env_num(const json_t *env, const char *key)
{
    const char *v = json_string_value(json_object_get(env, key));
    double d;

    if (v && util_parse_double(&d, v, 0, 1e12) == 0)
        return json_real(d);
    return v ? json_string(v) : json_null();
}

static const char *env_str(const json_t *env, const char *key,
                           const char *def)
{
    const char *v = json_string_value(json_object_get(env, key));

    return v ? v : def;
}

static char *env_key(int pod, const char *suffix)
{
    return sdk_printf("%s_NODE_%s", POD_UPPER[pod], suffix);
}

static json_t *scalar_res(const char *name, json_t *value)
{
    return json_pack("{s:s,s:{s:s,s:{s:o}}}", "name", name, "value", "type",
                     "SCALAR", "scalar", "value", value);
}

static json_t *port_spec(int pod, const char *kind, json_int_t port,
                         const char *env_key_name, int vip_port)
{
    char *name = sdk_printf("%s-%s", POD_NAMES[pod], kind);
    json_t *p;

    if (!name)
        return NULL;
    p = json_pack("{s:s,s:I,s:s,s:{s:s,s:i}}", "name", name, "port", port,
                  "env-key", env_key_name, "vip", "prefix", POD_NAMES[pod],
                  "port", vip_port);
    free(name);
    return p;
}

/*
 * The pod spec of @pod rendered from the scheduler env @env (new), as the
 * SDK builds it from svc.yml; @count < 0 leaves "count" out (spec
 * comparison ignores the instance count).
 */
static json_t *pod_spec(const struct sdk_service *svc, const json_t *env,
                        int pod, int count)
{
    const char *ver = env_str(env, "ELASTIC_VERSION", "");
    const char *principal = env_str(env, "FRAMEWORK_PRINCIPAL", "");
    int tls = strcmp(env_str(env,
                             "TASKCFG_ALL_SECURITY_TRANSPORT_ENCRYPTION_"
                             "ENABLED",
                             "false"),
                     "true") == 0;
    json_t *tenv = json_object(), *spec = json_object(), *task = json_object(),
           *rs = json_object(), *v, *arr;
    char *k_cpus = env_key(pod, "CPUS"), *k_mem = env_key(pod, "MEM"),
         *k_heap = env_key(pod, "HEAP_MB"), *k_disk = env_key(pod, "DISK"),
         *k_dtype = env_key(pod, "DISK_TYPE"),
         *k_place = env_key(pod, "PLACEMENT"), *role = NULL, *pr = NULL,
         *cmd = NULL, *ready = NULL, *esc = NULL, *c;
    const char *key;
    long tport = 9300;

    if (!tenv || !spec || !task || !rs || !k_cpus || !k_mem || !k_heap ||
        !k_disk || !k_dtype || !k_place)
        goto fail;
    json_object_foreach((json_t *)env, key, v)
        if (util_has_prefix(key, "TASKCFG_ALL_") && json_is_string(v))
            json_object_set(tenv, key + strlen("TASKCFG_ALL_"), v);
    json_object_set_new(tenv, "NODE_HEAP_MB",
                        json_string(env_str(env, k_heap, "")));
    json_object_set_new(tenv, "MASTER_NODE_TRANSPORT_PORT",
                        json_string(env_str(env, "MASTER_NODE_TRANSPORT_PORT",
                                            "9300")));
    if (pod == SDK_POD_MASTER) {
        json_object_set_new(tenv, "DATA_NODE_COUNT",
                            json_string(env_str(env, "DATA_NODE_COUNT", "")));
        json_object_set_new(tenv, "MASTER_ENABLED", json_string("true"));
    }
    json_object_set_new(tenv, "DATA_ENABLED",
                        json_string(pod == SDK_POD_DATA ? "true" : "false"));
    json_object_set_new(tenv, "INGEST_ENABLED",
                        json_string(pod == SDK_POD_INGEST ? "true"
                                                          : "false"));
    json_object_set_new(tenv, "ELASTIC_VERSION", json_string(ver));
    esc = strdup(svc->name);
    if (!esc)
        goto fail;
    for (c = esc; *c; c++)
        if (*c == '/')
            *c = '_';
    role = sdk_printf("%s-role", esc);
    pr = principal[0] ? strdup(principal)
                      : sdk_printf("%s-principal", svc->name);
    cmd = sdk_printf("set -ex\nexport JAVA_HOME=$(ls -d $MESOS_SANDBOX/"
                     "jdk*/)\nmkdir scripts\n./bootstrap\nchmod -R +x "
                     "scripts\n./scripts/install-plugins.sh\n"
                     "exec ./elasticsearch-%s/bin/elasticsearch\n",
                     ver);
    ready = sdk_printf("curl -k -I -s -f -u %s:%s "
                       "%s://$TASK_NAME.$FRAMEWORK_HOST:$PORT_HTTP",
                       env_str(env, "ELASTICSEARCH_HEALTH_USER", "elastic"),
                       env_str(env, "ELASTICSEARCH_HEALTH_USER_PASSWORD",
                               "changeme"),
                       env_str(env, "ELASTICSEARCH_HEALTH_PROTOCOL",
                               "http"));
    if (!role || !pr || !cmd || !ready)
        goto fail;
    if (pod == SDK_POD_MASTER &&
        util_parse_long(&tport,
                        env_str(env, "MASTER_NODE_TRANSPORT_PORT", "9300"),
                        0, 65535) != 0)
        tport = 9300;

    json_object_set_new(spec, "type", json_string(POD_NAMES[pod]));
    json_object_set_new(spec, "user",
                        json_string(env_str(env, "FRAMEWORK_USER",
                                            "nobody")));
    if (count >= 0)
        json_object_set_new(spec, "count", json_integer(count));
    arr = json_array();
    if (strcmp(env_str(env, "ENABLE_VIRTUAL_NETWORK", ""), "yes") == 0)
        json_array_append_new(
            arr, json_pack("{s:s,s:s}", "name",
                           env_str(env, "VIRTUAL_NETWORK_NAME", "dcos"),
                           "labels",
                           env_str(env, "VIRTUAL_NETWORK_PLUGIN_LABELS",
                                   "")));
    json_object_set_new(spec, "networks", arr);
    json_object_set_new(
        spec, "uris",
        json_pack("[s,s,s,s]", env_str(env, "BOOTSTRAP_URI", ""),
                  env_str(env, "ELASTICSEARCH_JAVA_URI", ""),
                  env_str(env, "ELASTICSEARCH_URI", ""),
                  env_str(env, "DIAGNOSTICS_URI", "")));
    json_object_set_new(spec, "placement-rule",
                        json_string(env_str(env, k_place, "")));

    json_object_set_new(rs, "id", json_string("node-resource-set"));
    json_object_set_new(rs, "role", json_string(role));
    json_object_set_new(rs, "principal", json_string(pr));
    json_object_set_new(
        rs, "resource-specifications",
        json_pack("[o,o]", scalar_res("cpus", env_num(env, k_cpus)),
                  scalar_res("mem", env_num(env, k_mem))));
    json_object_set_new(
        rs, "port-specifications",
        json_pack("[o,o]", port_spec(pod, "http", 0, "PORT_HTTP", 9200),
                  port_spec(pod, "transport",
                            pod == SDK_POD_MASTER ? (json_int_t)tport : 0,
                            "PORT_TRANSPORT", 9300)));
    json_object_set_new(
        rs, "volume-specifications",
        json_pack("[{s:s,s:s,s:o}]", "type", env_str(env, k_dtype, "ROOT"),
                  "container-path", "container-path", "size",
                  env_num(env, k_disk)));

    json_object_set_new(task, "name", json_string("node"));
    json_object_set_new(task, "goal", json_string("RUNNING"));
    json_object_set_new(task, "resource-set", rs);
    rs = NULL;
    json_object_set_new(task, "command-spec",
                        json_pack("{s:s,s:o}", "value", cmd, "environment",
                                  tenv));
    tenv = NULL;
    json_object_set_new(task, "readiness-check-spec",
                        json_pack("{s:s,s:i,s:i,s:i}", "command", ready,
                                  "delay", 0, "interval", 5, "timeout", 10));
    json_object_set_new(task, "config-files",
                        json_pack("[s,s]", "elasticsearch.yml",
                                  "jvm.options"));
    json_object_set_new(task, "transport-encryption",
                        tls ? json_pack("[{s:s,s:s}]", "name", "node",
                                        "type", "TLS")
                            : json_array());
    json_object_set_new(spec, "task-specs", json_pack("[o]", task));
    task = NULL;
    goto out;
fail:
    json_decref(spec);
    spec = NULL;
out:
    json_decref(tenv);
    json_decref(task);
    json_decref(rs);
    free(k_cpus);
    free(k_mem);
    free(k_heap);
    free(k_disk);
    free(k_dtype);
    free(k_place);
    free(role);
    free(pr);
    free(cmd);
    free(ready);
    free(esc);
    return spec;
}

/* The scheduler env of configuration @id (new) or NULL. */
static json_t *config_env(struct sim *s, const struct sdk_service *svc,
                          const char *id)
{
    const json_t *o = sdk_config_options(svc, id);
    const char *ver = sdk_config_version(svc, id);
    json_t *app = NULL, *env;

    if (!o || !ver ||
        marathon_render_app(s, svc->pkg_name, ver, o, &app) != 0)
        return NULL;
    env = json_object_get(app, "env");
    if (!json_is_object(env))
        env = json_object();
    else
        json_incref(env);
    json_decref(app);
    return env;
}

/* ServiceSpec of scheduler env @env with the counts of @options (new). */
static json_t *spec_from_env(const struct sdk_service *svc,
                             const json_t *env, const json_t *options,
                             int with_counts)
{
    const char *principal = env_str(env, "FRAMEWORK_PRINCIPAL", "");
    json_t *spec, *pods = json_array();
    char *esc = strdup(svc->name), *role, *pr, *c;
    int pod;

    if (!pods || !esc) {
        json_decref(pods);
        free(esc);
        return NULL;
    }
    for (c = esc; *c; c++)
        if (*c == '/')
            *c = '_';
    for (pod = 0; pod < SDK_N_PODS; pod++) {
        json_t *ps = pod_spec(svc, env, pod,
                              with_counts ? sdk_pod_count(options, pod)
                                          : -1);

        if (!ps) {
            json_decref(pods);
            free(esc);
            return NULL;
        }
        json_array_append_new(pods, ps);
    }
    role = sdk_printf("%s-role", esc);
    pr = principal[0] ? strdup(principal)
                      : sdk_printf("%s-principal", svc->name);
    if (role && pr) {
        /* "o" steals @pods, even when json_pack fails */
        spec = json_pack("{s:s,s:s,s:s,s:n,s:s,s:o,s:n,s:s}", "name",
                         svc->name, "role", role, "principal", pr,
                         "web-url", "zookeeper", "master.mesos:2181",
                         "pod-specs", pods, "replacement-failure-policy",
                         "user", env_str(env, "FRAMEWORK_USER", "nobody"));
    } else {
        json_decref(pods);
        spec = NULL;
    }
    free(esc);
    free(role);
    free(pr);
    return spec;
}

/* See sdk_internal.h. */
json_t *sdk_service_spec(struct sim *s, const struct sdk_service *svc,
                         const char *id)
{
    json_t *env = config_env(s, svc, id), *spec;

    if (!env)
        return NULL;
    spec = spec_from_env(svc, env, sdk_config_options(svc, id), 1);
    json_decref(env);
    return spec;
}

/* ServiceSpec of options @o at package version @ver (new) or NULL. */
static json_t *spec_of_options(struct sim *s, const struct sdk_service *svc,
                               const json_t *o, const char *ver)
{
    json_t *app = NULL, *spec;

    if (marathon_render_app(s, svc->pkg_name, ver, o, &app) != 0)
        return NULL;
    spec = spec_from_env(svc, json_object_get(app, "env"), o, 1);
    json_decref(app);
    return spec;
}

/* 1 when pod @pod has the same spec (count aside) in configs @a and @b. */
static int pod_spec_equal(struct sim *s, const struct sdk_service *svc,
                          const char *a, const char *b, int pod)
{
    json_t *ea, *eb, *pa = NULL, *pb = NULL;
    int eq = 0;

    if (a && b && strcmp(a, b) == 0)
        return 1;
    ea = config_env(s, svc, a);
    eb = config_env(s, svc, b);
    if (ea && eb) {
        pa = pod_spec(svc, ea, pod, -1);
        pb = pod_spec(svc, eb, pod, -1);
        eq = pa && pb && json_equal(pa, pb);
    }
    json_decref(ea);
    json_decref(eb);
    json_decref(pa);
    json_decref(pb);
    return eq;
}

/* Store a new configuration; returns its id (new) or NULL. */
static char *config_add(struct sdk_service *svc, const json_t *options,
                        const char *version)
{
    char *id = sim_uuid();
    json_t *c;

    if (!id)
        return NULL;
    c = json_pack("{s:O,s:s}", "options", options, "package_version",
                  version);
    if (!c || json_object_set_new(svc->configs, id, c) != 0) {
        free(id);
        return NULL;
    }
    return id;
}

/* Drop configurations no task runs and that are not the target. */
static void config_prune(struct sdk_service *svc)
{
    const char *id;
    json_t *v;
    void *tmp;
    size_t i;

    json_object_foreach_safe(svc->configs, tmp, id, v) {
        int used = svc->target_id && strcmp(svc->target_id, id) == 0;

        for (i = 0; !used && i < svc->n_tasks; i++)
            used = svc->tasks[i].config_id &&
                   strcmp(svc->tasks[i].config_id, id) == 0;
        if (!used)
            json_object_del(svc->configs, id);
    }
}

/* ------------------------------------------------------------------ */
/* plans                                                                */

/* See sdk_internal.h. */
void sdk_plan_clear(struct sdk_plan *p)
{
    size_t i, j;

    for (i = 0; i < p->n_phases; i++) {
        for (j = 0; j < p->phases[i].n_steps; j++)
            free(p->phases[i].steps[j].id);
        free(p->phases[i].steps);
        free(p->phases[i].id);
    }
    free(p->phases);
    json_decref(p->errors);
    memset(p, 0, sizeof(*p));
}

/* See sdk_internal.h. */
char *sdk_phase_name(const struct sdk_plan *plan, const struct sdk_phase *ph)
{
    if (plan->recovery)
        return strdup("default");
    return sdk_printf("%s-%s", sdk_pod_name(ph->pod),
                      plan->update ? "update" : "deploy");
}

/*
 * Aggregate status of a parent element (ParentElement.getStatus, see
 * elastic-sdk.md 3.3): @st child statuses, @cand which children the
 * strategy would schedule now.
 */
static int aggregate(const int *st, const int *cand, size_t n,
                     int interrupted, int errors)
{
    int any_err = 0, all_complete = 1, any_prepared = 0, any_complete = 0,
        any_waiting = 0, c_waiting = 0, c_inprog = 0, c_pending = 0,
        c_starting = 0, c_started = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        any_err |= st[i] == SDK_ERROR;
        all_complete &= st[i] == SDK_COMPLETE;
        any_prepared |= st[i] == SDK_PREPARED;
        any_complete |= st[i] == SDK_COMPLETE;
        any_waiting |= st[i] == SDK_WAITING;
        if (!cand[i])
            continue;
        c_waiting |= st[i] == SDK_WAITING;
        c_inprog |= st[i] == SDK_IN_PROGRESS;
        c_pending |= st[i] == SDK_PENDING;
        c_starting |= st[i] == SDK_STARTING;
        c_started |= st[i] == SDK_STARTED;
    }
    if (errors || any_err)
        return SDK_ERROR;
    if (all_complete)
        return SDK_COMPLETE;
    if (interrupted)
        return SDK_WAITING;
    if (any_prepared)
        return SDK_IN_PROGRESS;
    if (c_waiting)
        return SDK_WAITING;
    if (c_inprog)
        return SDK_IN_PROGRESS;
    if (any_complete && (c_pending || c_starting || c_started))
        return SDK_IN_PROGRESS;
    if (c_pending)
        return SDK_PENDING;
    if (any_waiting)
        return SDK_WAITING;
    if (c_starting)
        return SDK_STARTING;
    if (c_started)
        return SDK_STARTED;
    return SDK_ERROR;
}

/* Mark in @cand the children a serial or parallel strategy schedules. */
static void strategy_candidates(const int *st, size_t n, int serial,
                                int *cand)
{
    size_t i;
    int found = 0;

    for (i = 0; i < n; i++) {
        cand[i] = st[i] != SDK_COMPLETE && (!serial || !found);
        if (st[i] != SDK_COMPLETE)
            found = 1;
    }
}

/* See sdk_internal.h. */
int sdk_phase_status(const struct sdk_plan *plan, const struct sdk_phase *ph)
{
    int st[SDK_MAX_COUNT + 1], cand[SDK_MAX_COUNT + 1];
    size_t i, n = ph->n_steps > SDK_MAX_COUNT ? SDK_MAX_COUNT : ph->n_steps;

    for (i = 0; i < n; i++)
        st[i] = ph->steps[i].status;
    strategy_candidates(st, n, plan->phase_serial, cand);
    return aggregate(st, cand, n, ph->interrupted, 0);
}

/* See sdk_internal.h. */
int sdk_plan_status(const struct sdk_plan *plan)
{
    int st[SDK_N_PODS + 1], cand[SDK_N_PODS + 1];
    size_t i, n = plan->n_phases > SDK_N_PODS ? SDK_N_PODS : plan->n_phases;

    for (i = 0; i < n; i++)
        st[i] = sdk_phase_status(plan, &plan->phases[i]);
    strategy_candidates(st, n, plan->serial, cand);
    return aggregate(st, cand, n, plan->interrupted,
                     json_array_size(plan->errors) > 0);
}

/* Initial status of the step of pod instance (@pod, @index) against
 * target @target (DefaultStepFactory: COMPLETE iff on target and ready). */
static int step_initial_status(const struct sdk_service *svc, int pod,
                               int index, const char *target)
{
    const struct sdk_task *t = NULL;
    size_t i;

    for (i = 0; i < svc->n_tasks; i++)
        if (svc->tasks[i].pod == pod && svc->tasks[i].index == index)
            t = &svc->tasks[i];
    if (!t || !t->id || !t->config_id || !target ||
        strcmp(t->config_id, target) != 0)
        return SDK_PENDING;
    switch (t->state) {
    case SDK_TASK_RUNNING:
        return sdk_task_ready(svc, t) ? SDK_COMPLETE : SDK_STARTED;
    case SDK_TASK_STAGING:
        return SDK_STARTING;
    default:
        return SDK_PENDING;
    }
}

static int phase_add_step(struct sdk_phase *ph, int pod, int index,
                          int status, double now)
{
    struct sdk_step *v = realloc(ph->steps, (ph->n_steps + 1) * sizeof(*v));
    char *id = sim_uuid();

    if (!v || !id) {
        if (v)
            ph->steps = v;
        free(id);
        return ERR_NOMEM;
    }
    ph->steps = v;
    v[ph->n_steps].id = id;
    v[ph->n_steps].pod = pod;
    v[ph->n_steps].index = index;
    v[ph->n_steps].status = status;
    v[ph->n_steps].since = now;
    ph->n_steps++;
    return 0;
}

/*
 * Build the deploy plan (@update: from the "update" template, phases
 * *-update and update_strategy; else *-deploy and deploy_strategy) of
 * @svc against its target configuration into @p (cleared first).
 */
static int plan_build(struct sdk_service *svc, struct sdk_plan *p,
                      int update, double now)
{
    const json_t *target = sdk_config_options(svc, svc->target_id);
    const char *strategy =
        update ? opt_str(svc->options, "service.update_strategy", "serial")
               : opt_str(svc->options, "service.deploy_strategy",
                         "parallel");
    int pod, i;

    sdk_plan_clear(p);
    p->update = update;
    p->serial = strcmp(strategy, "serial") == 0;
    p->phase_serial = p->serial;
    p->errors = json_array();
    p->phases = calloc(SDK_N_PODS, sizeof(*p->phases));
    if (!p->errors || !p->phases)
        return ERR_NOMEM;
    p->n_phases = SDK_N_PODS;
    for (pod = 0; pod < SDK_N_PODS; pod++) {
        struct sdk_phase *ph = &p->phases[pod];

        ph->pod = pod;
        ph->id = sim_uuid();
        if (!ph->id)
            return ERR_NOMEM;
        for (i = 0; i < sdk_pod_count(target, pod); i++) {
            if (task_ensure(svc, pod, i) != 0 ||
                phase_add_step(ph, pod, i,
                               step_initial_status(svc, pod, i,
                                                   svc->target_id),
                               now) != 0)
                return ERR_NOMEM;
        }
    }
    return 0;
}

/* See sdk_internal.h. */
int sdk_plan_build_update(struct sdk_service *svc, struct sdk_plan *out)
{
    int r;

    memset(out, 0, sizeof(*out));
    r = plan_build(svc, out, 1, 0);
    if (r != 0) {
        sdk_plan_clear(out);
        return r;
    }
    out->interrupted = 1; /* created interrupted, never run */
    return 0;
}

static void recovery_init(struct sdk_plan *p)
{
    sdk_plan_clear(p);
    p->recovery = 1;
    p->serial = 1;
    p->phase_serial = 0;
    p->errors = json_array();
    p->phases = calloc(1, sizeof(*p->phases));
    if (p->phases) {
        p->n_phases = 1;
        p->phases[0].pod = -1;
        p->phases[0].id = sim_uuid();
    }
}

/* The step of pod instance (@pod, @index) in @p, or NULL. */
static struct sdk_step *plan_step(struct sdk_plan *p, int pod, int index)
{
    size_t i, j;

    for (i = 0; i < p->n_phases; i++)
        for (j = 0; j < p->phases[i].n_steps; j++)
            if (p->phases[i].steps[j].pod == pod &&
                p->phases[i].steps[j].index == index)
                return &p->phases[i].steps[j];
    return NULL;
}

static int step_in_flight(const struct sdk_step *st)
{
    return st && st->status >= SDK_PREPARED && st->status <= SDK_STARTED;
}

/*
 * Advance one step.  @may_start: the strategy schedules it now.  Steps of
 * the recovery plan relaunch the task's own configuration, deploy steps
 * the target configuration.
 */
static void step_advance(struct sim *s, struct sdk_service *svc,
                         struct sdk_plan *plan, struct sdk_step *st,
                         int may_start, double now)
{
    struct sdk_task *t = sdk_task_get(svc, st->pod, st->index);
    struct sdk_plan *other = plan->recovery ? &svc->plan : &svc->recovery;
    const char *cfg;

    if (!t)
        return;
    cfg = plan->recovery ? t->config_id : svc->target_id;
    switch (st->status) {
    case SDK_PENDING:
        if (!may_start || !cfg || step_in_flight(plan_step(other, st->pod,
                                                           st->index)))
            return;
        if (config_tls(svc, cfg)) {
            const char *why = tls_block_reason(s, svc, t, now);

            if (why) {
                if (svc->blocked != why)
                    LOG(LOG_INFO, SDK_LOG,
                        "%s: %s cannot launch: TLS artifacts unavailable: "
                        "%s",
                        svc->name, t->name, why);
                svc->blocked = why;
                return;
            }
            svc->blocked = NULL;
        }
        task_kill(t, now);
        st->status = SDK_PREPARED;
        break;
    case SDK_PREPARED:
        if (now - st->since < SDK_STEP_S)
            return;
        if (task_launch(svc, t, cfg, now) != 0)
            return;
        st->status = SDK_STARTING;
        break;
    case SDK_STARTING:
        if (t->state == SDK_TASK_RUNNING)
            st->status = SDK_STARTED;
        else if (t->state != SDK_TASK_STAGING)
            st->status = SDK_PENDING; /* the task failed: retry */
        else
            return;
        break;
    case SDK_STARTED:
        if (t->state != SDK_TASK_RUNNING)
            st->status = SDK_PENDING;
        else if (now - st->since >= SDK_STEP_S && sdk_task_ready(svc, t))
            st->status = SDK_COMPLETE;
        else
            return;
        break;
    default:
        return;
    }
    st->since = now;
    g_dirty = 1;
}

static void plan_advance(struct sim *s, struct sdk_service *svc,
                         struct sdk_plan *p, double now)
{
    int pst[SDK_N_PODS + 1], pcand[SDK_N_PODS + 1];
    int sst[SDK_MAX_COUNT + 1], scand[SDK_MAX_COUNT + 1];
    size_t i, j, n = p->n_phases > SDK_N_PODS ? SDK_N_PODS : p->n_phases;
    int blocked = p->interrupted || json_array_size(p->errors) > 0;

    for (i = 0; i < n; i++)
        pst[i] = sdk_phase_status(p, &p->phases[i]);
    strategy_candidates(pst, n, p->serial, pcand);
    for (i = 0; i < n; i++) {
        struct sdk_phase *ph = &p->phases[i];
        size_t m = ph->n_steps > SDK_MAX_COUNT ? SDK_MAX_COUNT : ph->n_steps;

        for (j = 0; j < m; j++)
            sst[j] = ph->steps[j].status;
        strategy_candidates(sst, m, p->phase_serial, scand);
        for (j = 0; j < m; j++)
            step_advance(s, svc, p, &ph->steps[j],
                         !blocked && pcand[i] && !ph->interrupted &&
                             scand[j],
                         now);
    }
}

/* Drop completed recovery steps (before a new recovery starts). */
static void recovery_prune(struct sdk_plan *p)
{
    struct sdk_phase *ph;
    size_t i, k = 0;

    if (p->n_phases == 0)
        return;
    ph = &p->phases[0];
    for (i = 0; i < ph->n_steps; i++) {
        if (ph->steps[i].status == SDK_COMPLETE) {
            free(ph->steps[i].id);
            continue;
        }
        ph->steps[k++] = ph->steps[i];
    }
    ph->n_steps = k;
}

/* Tasks killed out of band get a recovery step when it is time. */
static void recovery_schedule(struct sdk_service *svc, double now)
{
    size_t i;

    if (svc->recovery.n_phases == 0)
        recovery_init(&svc->recovery);
    if (svc->recovery.n_phases == 0)
        return;
    for (i = 0; i < svc->n_tasks; i++) {
        struct sdk_task *t = &svc->tasks[i];

        if (t->recover_at <= 0 || now < t->recover_at)
            continue;
        t->recover_at = 0;
        g_dirty = 1;
        if (t->state == SDK_TASK_STAGING || t->state == SDK_TASK_RUNNING ||
            !t->config_id)
            continue;
        /* a deploy step working on the pod relaunches it itself */
        if (step_in_flight(plan_step(&svc->plan, t->pod, t->index)) ||
            plan_step(&svc->recovery, t->pod, t->index))
            continue;
        recovery_prune(&svc->recovery);
        phase_add_step(&svc->recovery.phases[0], t->pod, t->index,
                       SDK_PENDING, now);
    }
}

/* See sdk_internal.h. */
int sdk_pod_restart(struct sim *s, struct sdk_service *svc,
                    const char *pod_instance)
{
    size_t i;
    double now = sim_now(s);

    for (i = 0; i < svc->n_tasks; i++) {
        struct sdk_task *t = &svc->tasks[i];
        char inst[48];

        snprintf(inst, sizeof(inst), "%s-%d", POD_NAMES[t->pod], t->index);
        if (strcmp(inst, pod_instance) != 0 || !t->id)
            continue;
        task_kill(t, now);
        t->recover_at = now;
        g_dirty = 1;
        return 0;
    }
    return ERR_NOTFOUND;
}

/* ------------------------------------------------------------------ */
/* the scheduler                                                        */

/* Config validation (DefaultConfigValidators) of @svc->options against
 * the target configuration: a new array of error strings. */
static json_t *config_validate(const struct sdk_service *svc)
{
    const json_t *o = svc->options;
    const json_t *old = sdk_config_options(svc, svc->target_id);
    json_t *errors = json_array();
    int pod;

    if (!errors)
        return NULL;
    if (opt_bool(o, "service.security.transport_encryption.enabled", 0) &&
        opt_str(o, "service.service_account_secret", "")[0] == '\0')
        json_array_append_new(errors, json_string(TLS_NO_ACCOUNT_ERROR));
    for (pod = 0; old && pod < SDK_N_PODS; pod++) {
        int was = sdk_pod_count(old, pod), now = sdk_pod_count(o, pod);
        char *e;

        if (now >= was)
            continue;
        e = sdk_printf("Field: 'PodSpec[setname:%s]'; Transition: '%d' => "
                       "'%d'; Message: 'New config's PodSpec named '%s' has "
                       "%d tasks, expected >=%d tasks'",
                       POD_NAMES[pod], was, now, POD_NAMES[pod], now, was);
        if (e)
            json_array_append_new(errors, json_string(e));
        free(e);
    }
    return errors;
}

/*
 * A new scheduler process starts serving: it reads its service-account
 * secret, validates and stores the target configuration and generates its
 * plans (SchedulerBuilder, elastic-sdk.md 2.4).
 */
static void scheduler_start(struct sim *s, struct sdk_service *svc,
                            double now)
{
    const char *path = opt_str(svc->options,
                               "service.service_account_secret", "");
    const char *cred = path[0] ? sim_secret_value(s, path) : NULL;
    json_t *errors, *spec_new = NULL, *spec_old = NULL;
    size_t i;

    svc->sched_up = 1;
    secret_free(svc->credential);
    svc->credential = cred ? secret_new_str(cred) : NULL;
    svc->tls_checked = 0;
    svc->blocked = NULL;
    g_dirty = 1;

    if (!svc->deployed && svc->plan.n_phases && !svc->plan.update &&
        sdk_plan_status(&svc->plan) == SDK_COMPLETE)
        svc->deployed = 1;

    errors = config_validate(svc);
    if (!errors)
        return;
    if (json_array_size(errors) == 0 || !svc->target_id) {
        spec_new = spec_of_options(s, svc, svc->options, svc->pkg_version);
        if (svc->target_id)
            spec_old = sdk_service_spec(s, svc, svc->target_id);
        if (spec_new && spec_old && json_equal(spec_new, spec_old)) {
            /* same ServiceSpec: the target id stays */
            json_t *c = json_object_get(svc->configs, svc->target_id);

            json_object_set_new(c, "options", json_deep_copy(svc->options));
            json_object_set_new(c, "package_version",
                                json_string(svc->pkg_version));
        } else {
            char *id = config_add(svc, svc->options, svc->pkg_version);

            if (id) {
                free(svc->target_id);
                svc->target_id = id;
            }
        }
    }
    json_decref(spec_new);
    json_decref(spec_old);
    if (json_array_size(errors) > 0)
        LOG(LOG_INFO, SDK_LOG, "%s: configuration rejected (%zu errors)",
            svc->name, json_array_size(errors));

    /* tasks whose pod spec did not change now run the target config */
    for (i = 0; i < svc->n_tasks; i++) {
        struct sdk_task *t = &svc->tasks[i];

        if (t->config_id && svc->target_id &&
            strcmp(t->config_id, svc->target_id) != 0 &&
            pod_spec_equal(s, svc, t->config_id, svc->target_id, t->pod))
            set_str(&t->config_id, svc->target_id);
    }
    config_prune(svc);

    if (plan_build(svc, &svc->plan, svc->deployed, now) == 0) {
        json_decref(svc->plan.errors);
        svc->plan.errors = errors;
        errors = NULL;
    }
    json_decref(errors);
    if (svc->recovery.n_phases == 0)
        recovery_init(&svc->recovery);
    else
        recovery_prune(&svc->recovery);
}

/* See sdk_internal.h. */
void sdk_scheduler_restart(struct sim *s, struct sdk_service *svc,
                           bool install)
{
    char *dep = sim_uuid(), *ver = marathon_iso_now(), *tid = NULL,
         *esc = strdup(svc->name), *c, *u = sim_uuid();

    if (esc)
        for (c = esc; *c; c++)
            if (*c == '/')
                *c = '_';
    if (esc && u)
        tid = sdk_printf("%s.%s", esc, u);
    free(esc);
    free(u);
    if (dep) {
        free(svc->deployment_id);
        svc->deployment_id = dep;
    }
    if (ver) {
        free(svc->app_version);
        svc->app_version = ver;
    }
    if (tid) {
        free(svc->sched_task_id);
        svc->sched_task_id = tid;
    }
    svc->deployment_install = install;
    svc->sched_up = 0;
    svc->sched_up_at = sim_now(s) + SDK_SCHED_STAGE_S;
    secret_free(svc->credential);
    svc->credential = NULL;
    svc->tls_checked = 0;
    g_dirty = 1;
}

/* ------------------------------------------------------------------ */
/* service lifetime                                                     */

static void service_free(struct sdk_service *svc)
{
    size_t i;

    if (!svc)
        return;
    for (i = 0; i < svc->n_tasks; i++) {
        task_node_stop(&svc->tasks[i]);
        free(svc->tasks[i].id);
        free(svc->tasks[i].config_id);
    }
    free(svc->tasks);
    sdk_plan_clear(&svc->plan);
    sdk_plan_clear(&svc->recovery);
    secret_free(svc->credential);
    json_decref(svc->options);
    json_decref(svc->configs);
    free(svc->name);
    free(svc->pkg_name);
    free(svc->pkg_version);
    free(svc->target_id);
    free(svc->deployment_id);
    free(svc->app_version);
    free(svc->sched_task_id);
    free(svc);
}

static int registry_add(struct sdk_service *svc)
{
    struct sdk_service **v = realloc(g_svcs, (g_n_svcs + 1) * sizeof(*v));

    if (!v)
        return ERR_NOMEM;
    g_svcs = v;
    g_svcs[g_n_svcs++] = svc;
    return 0;
}

/* See sim.h. */
int sim_sdk_install(struct sim *s, const char *name, const char *pkg_name,
                    const char *pkg_version, const json_t *resolved)
{
    struct sdk_service *svc;
    json_t *app = NULL;
    int r;

    if (!name || !pkg_name || !pkg_version || !json_is_object(resolved))
        return ERR_INVALID;
    if (name[0] == '/')
        name++;
    if (sdk_find(name))
        return ERR_CONFLICT;
    r = marathon_render_app(s, pkg_name, pkg_version, resolved, &app);
    json_decref(app);
    if (r != 0)
        return r;
    svc = calloc(1, sizeof(*svc));
    if (!svc)
        return ERR_NOMEM;
    svc->name = strdup(name);
    svc->pkg_name = strdup(pkg_name);
    svc->pkg_version = strdup(pkg_version);
    svc->options = json_deep_copy(resolved);
    svc->configs = json_object();
    if (!svc->name || !svc->pkg_name || !svc->pkg_version ||
        !svc->options || !svc->configs || registry_add(svc) != 0) {
        service_free(svc);
        return ERR_NOMEM;
    }
    recovery_init(&svc->recovery);
    sdk_scheduler_restart(s, svc, true);
    LOG(LOG_INFO, SDK_LOG, "%s: installed %s %s", svc->name, pkg_name,
        pkg_version);
    sdk_touch(s);
    return 0;
}

/* See sim.h. */
int sim_sdk_update(struct sim *s, const char *name, const char *pkg_version,
                   const json_t *resolved)
{
    struct sdk_service *svc = sdk_find(name);
    json_t *app = NULL, *o;
    const char *ver;
    int r;

    if (!svc)
        return ERR_NOTFOUND;
    if (!json_is_object(resolved))
        return ERR_INVALID;
    /* Marathon refuses to change an app during a deployment and Cosmos
     * does not force it (dcos-commons marathon-error.json). */
    if (svc->deployment_id)
        return ERR_CONFLICT;
    ver = pkg_version ? pkg_version : svc->pkg_version;
    r = marathon_render_app(s, svc->pkg_name, ver, resolved, &app);
    json_decref(app);
    if (r != 0)
        return r;
    o = json_deep_copy(resolved);
    if (!o)
        return ERR_NOMEM;
    json_decref(svc->options);
    svc->options = o;
    set_str(&svc->pkg_version, ver);
    sdk_scheduler_restart(s, svc, false);
    LOG(LOG_INFO, SDK_LOG, "%s: updated, scheduler restarting", svc->name);
    sdk_touch(s);
    return 0;
}

/* See sim.h. */
int sim_sdk_uninstall(struct sim *s, const char *name)
{
    size_t i;

    if (name && name[0] == '/')
        name++;
    for (i = 0; name && i < g_n_svcs; i++) {
        if (strcmp(g_svcs[i]->name, name) != 0)
            continue;
        service_free(g_svcs[i]);
        memmove(&g_svcs[i], &g_svcs[i + 1],
                (g_n_svcs - i - 1) * sizeof(*g_svcs));
        g_n_svcs--;
        json_object_del(sim_state_section(s, "services"), name);
        sdk_touch(s);
        return 0;
    }
    return ERR_NOTFOUND;
}

/* See sim.h. */
int sim_sdk_exists(struct sim *s, const char *name)
{
    (void)s;
    return sdk_find(name) != NULL;
}

/* See sim.h. */
int sim_sdk_node_op(struct sim *s, const char *service, const char *task,
                    const char *op)
{
    struct sdk_service *svc = sdk_find(service);
    struct sdk_task *t = svc && task ? sdk_task_by_name(svc, task) : NULL;
    double now = sim_now(s);

    if (!op || (strcmp(op, "kill") != 0 && strcmp(op, "restart") != 0))
        return ERR_INVALID;
    if (!t || !t->id)
        return ERR_NOTFOUND;
    if (strcmp(op, "kill") == 0) {
        if (t->state != SDK_TASK_RUNNING && t->state != SDK_TASK_STAGING)
            return 0;
        task_kill(t, now);
        t->recover_at = now + SDK_RECOVERY_DELAY_S;
    } else {
        task_kill(t, now);
        t->recover_at = now;
    }
    LOG(LOG_INFO, SDK_LOG, "%s: %s %s", svc->name, op, t->name);
    sdk_touch(s);
    return 0;
}

/* ------------------------------------------------------------------ */
/* persistence: the "services" section of the state                     */

static json_t *plan_to_json(const struct sdk_plan *p)
{
    json_t *phases = json_array(), *j;
    size_t i, k;

    for (i = 0; phases && i < p->n_phases; i++) {
        const struct sdk_phase *ph = &p->phases[i];
        json_t *steps = json_array();

        for (k = 0; steps && k < ph->n_steps; k++)
            json_array_append_new(
                steps,
                json_pack("{s:s,s:i,s:i,s:s,s:f}", "id", ph->steps[k].id,
                          "pod", ph->steps[k].pod, "index",
                          ph->steps[k].index, "status",
                          sdk_status_name(ph->steps[k].status), "since",
                          ph->steps[k].since));
        json_array_append_new(
            phases, json_pack("{s:s?,s:i,s:b,s:o}", "id", ph->id, "pod",
                              ph->pod, "interrupted", ph->interrupted,
                              "steps", steps));
    }
    j = json_pack("{s:b,s:b,s:b,s:b,s:b,s:o,s:o}", "update", p->update,
                  "recovery", p->recovery, "serial", p->serial,
                  "phase_serial", p->phase_serial, "interrupted",
                  p->interrupted, "errors",
                  p->errors ? json_incref(p->errors) : json_array(),
                  "phases", phases);
    return j;
}

static int plan_from_json(struct sdk_plan *p, const json_t *j)
{
    const json_t *ph, *st;
    size_t i, k;

    sdk_plan_clear(p);
    if (!json_is_object(j))
        return ERR_INVALID;
    p->update = json_is_true(json_object_get(j, "update"));
    p->recovery = json_is_true(json_object_get(j, "recovery"));
    p->serial = json_is_true(json_object_get(j, "serial"));
    p->phase_serial = json_is_true(json_object_get(j, "phase_serial"));
    p->interrupted = json_is_true(json_object_get(j, "interrupted"));
    p->errors = json_is_array(json_object_get(j, "errors"))
                    ? json_deep_copy(json_object_get(j, "errors"))
                    : json_array();
    ph = json_object_get(j, "phases");
    if (!json_is_array(ph) || json_array_size(ph) > SDK_N_PODS)
        return ERR_INVALID;
    p->phases = calloc(json_array_size(ph) + 1, sizeof(*p->phases));
    if (!p->phases || !p->errors)
        return ERR_NOMEM;
    for (i = 0; i < json_array_size(ph); i++) {
        const json_t *pj = json_array_get(ph, i);
        struct sdk_phase *x = &p->phases[p->n_phases++];

        x->pod = (int)json_integer_value(json_object_get(pj, "pod"));
        x->interrupted = json_is_true(json_object_get(pj, "interrupted"));
        x->id = util_strdup(json_string_value(json_object_get(pj, "id")));
        if (!x->id)
            x->id = sim_uuid();
        json_array_foreach(json_object_get(pj, "steps"), k, st) {
            int pod = (int)json_integer_value(json_object_get(st, "pod"));
            int idx = (int)json_integer_value(json_object_get(st, "index"));

            if (pod < 0 || pod >= SDK_N_PODS || idx < 0 ||
                idx >= SDK_MAX_COUNT || x->n_steps >= SDK_MAX_COUNT)
                return ERR_INVALID;
            if (phase_add_step(x, pod, idx,
                               status_parse(json_string_value(
                                   json_object_get(st, "status"))),
                               json_number_value(
                                   json_object_get(st, "since"))) != 0)
                return ERR_NOMEM;
            set_str(&x->steps[x->n_steps - 1].id,
                    json_string_value(json_object_get(st, "id")));
        }
    }
    return 0;
}

static json_t *service_to_json(const struct sdk_service *svc)
{
    json_t *tasks = json_array();
    size_t i;

    for (i = 0; tasks && i < svc->n_tasks; i++) {
        const struct sdk_task *t = &svc->tasks[i];

        json_array_append_new(
            tasks,
            json_pack("{s:i,s:i,s:s?,s:s?,s:s,s:f,s:b,s:b,s:i,s:f}", "pod",
                      t->pod, "index", t->index, "id", t->id, "config_id",
                      t->config_id, "state", sdk_task_state_name(t->state),
                      "since", t->since, "tls", t->tls, "xpack", t->xpack,
                      "port", t->port, "recover_at", t->recover_at));
    }
    return json_pack(
        "{s:s,s:s,s:s,s:O,s:s?,s:O,s:b,"
        "s:{s:b,s:f,s:s?,s:b,s:s?,s:s?},s:o,s:o,s:o}",
        "name", svc->name, "package_name", svc->pkg_name, "package_version",
        svc->pkg_version, "options", svc->options, "target_id",
        svc->target_id, "configs", svc->configs, "deployed", svc->deployed,
        "scheduler", "up", svc->sched_up, "up_at", svc->sched_up_at,
        "deployment_id", svc->deployment_id, "deployment_install",
        svc->deployment_install, "app_version", svc->app_version, "task_id",
        svc->sched_task_id, "plan", plan_to_json(&svc->plan), "recovery",
        plan_to_json(&svc->recovery), "tasks", tasks);
}

static struct sdk_service *service_from_json(const json_t *j)
{
    struct sdk_service *svc = calloc(1, sizeof(*svc));
    const json_t *sch = json_object_get(j, "scheduler"), *tj;
    size_t i;

    if (!svc)
        return NULL;
    svc->name = util_strdup(json_string_value(json_object_get(j, "name")));
    svc->pkg_name = util_strdup(
        json_string_value(json_object_get(j, "package_name")));
    svc->pkg_version = util_strdup(
        json_string_value(json_object_get(j, "package_version")));
    svc->options = json_deep_copy(json_object_get(j, "options"));
    svc->configs = json_deep_copy(json_object_get(j, "configs"));
    svc->target_id = util_strdup(
        json_string_value(json_object_get(j, "target_id")));
    svc->deployed = json_is_true(json_object_get(j, "deployed"));
    svc->sched_up = json_is_true(json_object_get(sch, "up"));
    svc->sched_up_at = json_number_value(json_object_get(sch, "up_at"));
    svc->deployment_id = util_strdup(
        json_string_value(json_object_get(sch, "deployment_id")));
    svc->deployment_install =
        json_is_true(json_object_get(sch, "deployment_install"));
    svc->app_version = util_strdup(
        json_string_value(json_object_get(sch, "app_version")));
    svc->sched_task_id = util_strdup(
        json_string_value(json_object_get(sch, "task_id")));
    if (!svc->name || !svc->pkg_name || !svc->pkg_version ||
        !json_is_object(svc->options) || !json_is_object(svc->configs) ||
        plan_from_json(&svc->plan, json_object_get(j, "plan")) != 0 ||
        plan_from_json(&svc->recovery, json_object_get(j, "recovery")) != 0)
        goto fail;
    json_array_foreach(json_object_get(j, "tasks"), i, tj) {
        int pod = (int)json_integer_value(json_object_get(tj, "pod"));
        int idx = (int)json_integer_value(json_object_get(tj, "index"));
        struct sdk_task *t;

        if (pod < 0 || pod >= SDK_N_PODS || idx < 0 ||
            idx >= SDK_MAX_COUNT || task_ensure(svc, pod, idx) != 0)
            goto fail;
        t = sdk_task_get(svc, pod, idx);
        t->id = util_strdup(json_string_value(json_object_get(tj, "id")));
        t->config_id = util_strdup(
            json_string_value(json_object_get(tj, "config_id")));
        t->state = task_state_parse(
            json_string_value(json_object_get(tj, "state")));
        t->since = json_number_value(json_object_get(tj, "since"));
        t->tls = json_is_true(json_object_get(tj, "tls"));
        t->xpack = json_is_true(json_object_get(tj, "xpack"));
        t->port = (int)json_integer_value(json_object_get(tj, "port"));
        t->recover_at = json_number_value(json_object_get(tj, "recover_at"));
    }
    return svc;
fail:
    service_free(svc);
    return NULL;
}

static void sdk_save(struct sim *s)
{
    json_t *sec = sim_state_section(s, "services");
    size_t i;

    if (!sec)
        return;
    json_object_clear(sec);
    for (i = 0; i < g_n_svcs; i++) {
        json_t *j = service_to_json(g_svcs[i]);

        if (j)
            json_object_set_new(sec, g_svcs[i]->name, j);
        else
            LOG(LOG_ERROR, SDK_LOG, "%s: state not serialised",
                g_svcs[i]->name);
    }
    sim_state_dirty(s);
    g_dirty = 0;
}

/* ------------------------------------------------------------------ */
/* module hooks                                                         */

static void service_tick(struct sim *s, struct sdk_service *svc, double now)
{
    size_t i;

    for (i = 0; i < svc->n_tasks; i++)
        task_tick(s, svc, &svc->tasks[i], now);
    if (!svc->sched_up && now >= svc->sched_up_at)
        scheduler_start(s, svc, now);
    if (svc->sched_up) {
        if (svc->deployment_id &&
            now >= svc->sched_up_at + SDK_SCHED_HEALTH_S) {
            free(svc->deployment_id);
            svc->deployment_id = NULL;
            g_dirty = 1;
        }
        recovery_schedule(svc, now);
        plan_advance(s, svc, &svc->plan, now);
        plan_advance(s, svc, &svc->recovery, now);
        if (!svc->deployed && !svc->plan.update && svc->plan.n_phases &&
            sdk_plan_status(&svc->plan) == SDK_COMPLETE) {
            svc->deployed = 1; /* last-completed-update-type = DEPLOY */
            g_dirty = 1;
        }
    }
    for (i = 0; i < svc->n_tasks; i++)
        task_push_health(svc, &svc->tasks[i]);
}

static void sdk_tick(struct sim *s, double now)
{
    size_t i;

    for (i = 0; i < g_n_svcs; i++)
        service_tick(s, g_svcs[i], now);
    if (g_dirty)
        sdk_save(s);
}

static int sdk_start(struct sim *s)
{
    json_t *sec = sim_state_section(s, "services"), *j;
    const char *key;
    size_t i;

    json_object_foreach(sec, key, j) {
        struct sdk_service *svc = service_from_json(j);

        if (!svc || registry_add(svc) != 0) {
            LOG(LOG_ERROR, SDK_LOG, "service %s: state not loaded", key);
            service_free(svc);
            continue;
        }
    }
    for (i = 0; i < g_n_svcs; i++) {
        struct sdk_service *svc = g_svcs[i];
        const char *path = opt_str(svc->options,
                                   "service.service_account_secret", "");
        const char *cred = path[0] ? sim_secret_value(s, path) : NULL;
        size_t k;

        /* The scheduler process came back with the cluster: it reads its
         * secret again.  Nodes listen on new ports. */
        if (svc->sched_up && cred)
            svc->credential = secret_new_str(cred);
        if (svc->recovery.n_phases == 0)
            recovery_init(&svc->recovery);
        for (k = 0; k < svc->n_tasks; k++) {
            struct sdk_task *t = &svc->tasks[k];

            if (t->state == SDK_TASK_RUNNING && task_has_listener(t) &&
                task_node_start(s, svc, t, 0) != 0)
                t->state = SDK_TASK_FAILED;
        }
    }
    if (g_n_svcs)
        sdk_save(s);
    return 0;
}

static void sdk_stop(struct sim *s)
{
    size_t i;

    if (g_dirty)
        sdk_save(s);
    for (i = 0; i < g_n_svcs; i++)
        service_free(g_svcs[i]);
    free(g_svcs);
    g_svcs = NULL;
    g_n_svcs = 0;
    marathon_cache_free();
}

static const struct sim_route sdk_routes[] = {
    {"*", "/service/", false, SIM_AUTH_TOKEN, sdk_api_handle},
    {"*", "/service/marathon/", false, SIM_AUTH_TOKEN, marathon_handle},
    {"*", "/marathon/", false, SIM_AUTH_TOKEN, marathon_handle},
};

const struct sim_module sim_sdk_module = {
    .name = "sdk",
    .routes = sdk_routes,
    .n_routes = sizeof(sdk_routes) / sizeof(sdk_routes[0]),
    .start = sdk_start,
    .tick = sdk_tick,
    .stop = sdk_stop,
};
