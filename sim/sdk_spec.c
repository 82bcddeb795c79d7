/*
 * dcos-sim SDK configurations and ServiceSpecs: the pod specs the
 * scheduler renders from its Marathon app's environment (svc.yml), their
 * comparison, and the stored configurations of a service.  See sdk_spec.h.
 */
#include "sim/sdk_spec.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/util.h"
#include "sim/marathon.h"
#include "sim/sdk_model.h"
#include "sim/state.h"

static const char *const POD_UPPER[SDK_N_PODS] = {"MASTER", "DATA",
                                                  "INGEST", "COORDINATOR"};

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
    char *name = sdk_printf("%s-%s", sdk_pod_name(pod), kind);
    json_t *p;

    if (!name)
        return NULL;
    p = json_pack("{s:s,s:I,s:s,s:{s:s,s:i}}", "name", name, "port", port,
                  "env-key", env_key_name, "vip", "prefix", sdk_pod_name(pod),
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

    json_object_set_new(spec, "type", json_string(sdk_pod_name(pod)));
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

/* See sdk_spec.h. */
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

/* See sdk_spec.h. */
json_t *sdk_spec_of_options(struct sim *s, const struct sdk_service *svc,
                            const json_t *o, const char *ver)
{
    json_t *app = NULL, *spec;

    if (marathon_render_app(s, svc->pkg_name, ver, o, &app) != 0)
        return NULL;
    spec = spec_from_env(svc, json_object_get(app, "env"), o, 1);
    json_decref(app);
    return spec;
}

/* See sdk_spec.h. */
int sdk_pod_spec_equal(struct sim *s, const struct sdk_service *svc,
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

/* See sdk_spec.h. */
char *sdk_config_add(struct sdk_service *svc, const json_t *options,
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

/* See sdk_spec.h. */
void sdk_config_prune(struct sdk_service *svc)
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
