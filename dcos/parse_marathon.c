/*
 * Parser of a Marathon app (dcos-api.md 9).  See parse.h.
 */
#include "parse.h"

#include <stdlib.h>

#include "common/err.h"
#include "dcos/jfield.h"

static const struct jfield label_fields[] = {
    JFIELD(struct dcos_marathon_app, package_name, "DCOS_PACKAGE_NAME",
           false),
    JFIELD(struct dcos_marathon_app, package_version, "DCOS_PACKAGE_VERSION",
           false),
    JFIELD(struct dcos_marathon_app, service_name, "DCOS_SERVICE_NAME",
           false),
};

void dcos_marathon_app_free(struct dcos_marathon_app *a)
{
    if (!a)
        return;
    free(a->id);
    free(a->package_name);
    free(a->package_version);
    free(a->service_name);
    free(a);
}

int dcos_parse_marathon_app(struct dcos_marathon_app **out, const json_t *j)
{
    const json_t *app = json_object_get(j, "app");
    const json_t *labels;
    struct dcos_marathon_app *a;
    int r;

    if (!app)
        app = j;
    if (!json_is_object(app) || !json_is_string(json_object_get(app, "id")))
        return ERR_INVALID;
    a = calloc(1, sizeof(*a));
    if (!a)
        return ERR_NOMEM;
    labels = json_object_get(app, "labels");
    r = jfield_string(&a->id, app, "id");
    if (r == 0)
        r = jfield_copy(a, labels, label_fields, JFIELD_N(label_fields));
    if (r) {
        dcos_marathon_app_free(a);
        return r;
    }
    a->instances = jfield_long(app, "instances");
    a->tasks_running = jfield_long(app, "tasksRunning");
    a->tasks_healthy = jfield_long(app, "tasksHealthy");
    a->tasks_staged = jfield_long(app, "tasksStaged");
    a->tasks_unhealthy = jfield_long(app, "tasksUnhealthy");
    a->n_deployments = json_array_size(json_object_get(app, "deployments"));
    *out = a;
    return 0;
}
