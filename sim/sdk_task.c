/*
 * dcos-sim SDK tasks, the Mesos side: launch, kill, STAGING to RUNNING,
 * readiness and cluster health, and the Elasticsearch listener of
 * master-0 and coordinator-0 (sim/node.h) with its TLS artifacts from the
 * secret store or the cluster CA.  See sdk_task.h.
 */
#include "sim/sdk_task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "common/err.h"
#include "common/log.h"
#include "common/secret.h"
#include "sim/node.h"
#include "sim/pki.h"
#include "sim/sdk_model.h"
#include "sim/secrets.h"
#include "sim/state.h"

#define CN_MAX 64 /* characters of a certificate CN (ub-common-name) */
/* the name on the certificate a TLS client naming no node is shown */
#define DEFAULT_CERT_NAME "no-such-node.dcos-sim.invalid"

static struct sim_plane *g_plane; /* every node's listeners */

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

/* See sdk_task.h. */
int sdk_task_has_listener(const struct sdk_task *t)
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

/* See sdk_task.h. */
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

/* See sdk_task.h. */
void sdk_task_push_health(const struct sdk_service *svc,
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

/* -------------------------------------------------------------------- */
/* TLS artifacts                                                        */

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
                             sdk_pod_name(t->pod), vip);
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

/* See sdk_task.h. */
char *sdk_task_artifact_base(const struct sdk_service *svc,
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
 * The subject CN of a task certificate named @name: its last
 * CN_MAX characters when longer, as dcos-commons' CertificateNamesGenerator
 * cuts it (RFC 5280's ub-common-name); the SANs keep the full names.
 */
static const char *cn_of(const char *name)
{
    size_t n = strlen(name);

    return n > CN_MAX ? name + (n - CN_MAX) : name;
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
    char *base = sdk_task_artifact_base(svc, t), *cp = NULL, *kp = NULL,
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
    svcdns = dns_name(svc->name, 1);
    if (!svcdns || task_sans(svc, t, sans) != 0)
        goto out;
    cn = sdk_printf("%s.%s", t->name, svcdns);
    if (!cn)
        goto out;
    r = sim_pki_issue(s, cn_of(cn), (const char *const *)sans, 2, NULL, 0,
                      cert, key);
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

/* -------------------------------------------------------------------- */
/* lifecycle                                                            */

/* See sdk_task.h. */
int sdk_task_plane_start(struct sim *s)
{
    static const char *const names[] = {DEFAULT_CERT_NAME};
    json_t *sec = sim_state_section(s, "dataplane");
    struct sim_plane_config cfg;
    char *cert = NULL, *key = NULL;
    int r;

    if (!sec)
        return ERR_NOMEM;
    if (g_plane)
        return 0;
    memset(&cfg, 0, sizeof(cfg));
    cfg.https_port =
        (int)json_integer_value(json_object_get(sec, "https_port"));
    cfg.http_port = (int)json_integer_value(json_object_get(sec, "http_port"));
    if (cfg.https_port < 0 || cfg.https_port > 65535)
        cfg.https_port = 0;
    if (cfg.http_port < 0 || cfg.http_port > 65535)
        cfg.http_port = 0;
    /* what a client without a known server name is shown: a name of no
     * node, so that its host-name check fails as against a real node */
    r = sim_pki_issue(s, DEFAULT_CERT_NAME, names, 1, NULL, 0, &cert, &key);
    if (r == 0) {
        cfg.default_cert_pem = cert;
        cfg.default_key_pem = key;
        r = sim_plane_start(&g_plane, &cfg);
    }
    free(cert);
    secret_wipe_str(key);
    if (r != 0) {
        LOG(LOG_ERROR, SDK_LOG, "the data plane did not start (%s)",
            err_name(r));
        return r;
    }
    if (sim_plane_port(g_plane, true) != cfg.https_port ||
        sim_plane_port(g_plane, false) != cfg.http_port) {
        json_object_set_new(sec, "https_port",
                            json_integer(sim_plane_port(g_plane, true)));
        json_object_set_new(sec, "http_port",
                            json_integer(sim_plane_port(g_plane, false)));
        sim_state_dirty(s);
    }
    return 0;
}

/* See sdk_task.h. */
void sdk_task_plane_stop(void)
{
    sim_plane_stop(g_plane);
    g_plane = NULL;
}

/* See sdk_task.h. */
int sdk_task_node_start(struct sim *s, const struct sdk_service *svc,
                        struct sdk_task *t)
{
    const json_t *o = sdk_config_options(svc, t->config_id);
    struct sim_node_config cfg;
    char *cert = NULL, *key = NULL, *hosts[2];
    int r;

    sdk_task_node_stop(t);
    if (!g_plane)
        return ERR_INVALID;
    r = task_sans(svc, t, hosts);
    if (r != 0)
        return r;
    memset(&cfg, 0, sizeof(cfg));
    cfg.cluster_name = svc->name;
    cfg.node_name = t->name;
    cfg.hosts = (const char *const *)hosts;
    cfg.n_hosts = 2;
    cfg.tls = t->tls;
    if (t->xpack) {
        /* X-Pack security (on by default in 5.x) asks for basic auth;
         * without X-Pack Elasticsearch has no authentication. */
        cfg.user = sdk_opt_str(o, "elasticsearch.health_user", "elastic");
        cfg.password = sdk_opt_str(o, "elasticsearch.health_user_password",
                                   "changeme");
    }
    if (t->tls) {
        r = task_tls_material(s, svc, t, &cert, &key);
        cfg.cert_pem = cert;
        cfg.key_pem = key;
    }
    if (r == 0)
        r = sim_node_start(&t->node, g_plane, &cfg);
    free(cert);
    secret_wipe_str(key);
    free(hosts[0]);
    free(hosts[1]);
    if (r != 0) {
        t->node = NULL;
        LOG(LOG_ERROR, SDK_LOG, "node %s of %s did not start (%s)", t->name,
            svc->name, err_name(r));
        return r;
    }
    t->port = sim_node_port(t->node);
    t->health[0] = '\0';
    sdk_task_push_health(svc, t);
    return 0;
}

/* See sdk_task.h. */
void sdk_task_kill(struct sdk_task *t, double now)
{
    if (t->state != SDK_TASK_STAGING && t->state != SDK_TASK_RUNNING)
        return;
    sdk_task_node_stop(t);
    t->state = SDK_TASK_KILLED;
    t->since = now;
    sdk_dirty_mark();
}

/* See sdk_task.h. */
int sdk_task_launch(const struct sdk_service *svc, struct sdk_task *t,
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
    t->tls = sdk_opt_bool(o, "service.security.transport_encryption.enabled",
                          0);
    t->xpack = sdk_opt_bool(o, "elasticsearch.xpack_enabled", 0);
    t->state = SDK_TASK_STAGING;
    t->since = now;
    if (!sdk_task_has_listener(t) && t->port == 0)
        t->port = fake_port(svc, t);
    sdk_dirty_mark();
    return 0;
}

/* See sdk_task.h. */
void sdk_task_tick(struct sim *s, struct sdk_service *svc,
                   struct sdk_task *t, double now)
{
    if (t->state != SDK_TASK_STAGING || now - t->since < SDK_TASK_START_S)
        return;
    sdk_dirty_mark();
    t->since = now;
    if (t->tls && !t->xpack) {
        /* xpack.ssl.* settings are unknown without X-Pack: the node
         * refuses to start (UNCONFIRMED, see elastic-sdk.md 2.1). */
        t->state = SDK_TASK_FAILED;
        return;
    }
    t->state = SDK_TASK_RUNNING;
    if (sdk_task_has_listener(t) &&
        sdk_task_node_start(s, svc, t) != 0)
        t->state = SDK_TASK_FAILED;
}
