/*
 * Executors of the package (docs/plan.md, "package_install",
 * "package_update", "scheduler_restart"): Cosmos install and update, and a
 * Marathon restart of the scheduler so that it re-reads its secret.  A
 * Cosmos or Marathon app that is busy (a deployment holds it) is retried a
 * bounded number of times.
 */
#include "controller/exec/package.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dcos/client.h"
#include "dcos/parse.h"
#include "model/names.h"
#include "reconcilers/options_diff.h"

/*
 * After a 409: adopt the installed service only when it is what this
 * action would have installed (package, pinned version, and every option
 * the document sets); anything else is someone else's service.
 */
static void on_installed(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;
    const struct model_install_params *p = &exec_action(x)->params.install;
    struct dcos_service_desc *d = NULL;
    struct options_diff diff;
    struct err_info e = {0};
    char *paths = NULL;

    if (r->err.code) {
        exec_retry(x, &r->err, "describing the installed service");
        return;
    }
    if (dcos_parse_service_describe(&d, r->json)) {
        exec_fail(x, "describing the installed service: unexpected answer");
        return;
    }
    memset(&diff, 0, sizeof(diff));
    if (!d->package_name || strcmp(d->package_name, p->package) != 0 ||
        (p->version && (!d->package_version ||
                        strcmp(d->package_version, p->version) != 0)))
        exec_fail(x, "service %s was installed concurrently from package "
                     "%s %s; run etls again to converge it",
                  exec_plan(x)->service,
                  d->package_name ? d->package_name : "?",
                  d->package_version ? d->package_version : "?");
    else if (options_diff_compute(&diff, p->options, d->resolved_options,
                                  &e) < 0)
        exec_fail(x, "%s", e.text);
    else if (diff.n_paths > 0 && (paths = options_diff_paths(&diff)))
        exec_fail(x, "service %s was installed concurrently with other "
                     "options (%.200s); run etls again to update it",
                  exec_plan(x)->service, paths);
    else if (diff.n_paths > 0)
        exec_fail(x, "out of memory");
    else {
        exec_note(x, "Already installed with the same options; adopting it");
        exec_done(x);
    }
    free(paths);
    options_diff_clear(&diff);
    dcos_service_desc_free(d);
}

static void on_install(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;

    if (r->err.code == ERR_CONFLICT) {
        char *app_id = model_app_id(exec_plan(x)->service);

        if (!app_id) {
            exec_fail(x, "out of memory");
            return;
        }
        exec_check(x,
                   dcos_cosmos_service_describe(exec_client(x), app_id,
                                                on_installed, x),
                   "service describe");
        free(app_id);
        return;
    }
    if (r->err.code) {
        exec_retry(x, &r->err, NULL);
        return;
    }
    exec_done(x);
}

static void install_start(struct exec_ctx *x)
{
    const struct model_install_params *p = &exec_action(x)->params.install;

    exec_check(x,
               dcos_cosmos_package_install(exec_client(x), p->package,
                                           p->version, p->options,
                                           on_install, x),
               "package install");
}

static void on_marker_deleted(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;

    /* 404: no record (an earlier attempt deleted it). */
    if (r->err.code && r->err.code != ERR_NOTFOUND) {
        exec_retry(x, &r->err, "deleting the pending-restart record");
        return;
    }
    exec_done(x);
}

/*
 * Marathon took the scheduler's restart: the pending-restart record
 * @marker (if any) has done its job.  Then the action is done.
 */
static void restart_taken(struct exec_ctx *x, const char *marker)
{
    if (!marker) {
        exec_done(x);
        return;
    }
    exec_check(x,
               dcos_secret_delete(exec_client(x), marker, on_marker_deleted,
                                  x),
               "DELETE pending-restart record");
}

static void update_start(struct exec_ctx *x);

static void on_update(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;

    if (r->err.code == ERR_TRANSIENT && exec_try_again(x)) {
        exec_note(x, "Cosmos is busy (%s); retrying", r->err.text);
        exec_sleep(x, EXEC_BUSY_DELAY, update_start);
        return;
    }
    if (r->err.code) {
        exec_retry(x, &r->err, NULL);
        return;
    }
    restart_taken(x, exec_action(x)->params.update.marker);
}

static void update_start(struct exec_ctx *x)
{
    const struct model_update_params *p = &exec_action(x)->params.update;

    exec_check(x,
               dcos_cosmos_service_update(exec_client(x), p->app_id,
                                          p->options, p->version,
                                          p->replace, on_update, x),
               "service update");
}

static void restart_send(struct exec_ctx *x);

static void on_restart(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;

    if ((r->err.code == ERR_CONFLICT || r->err.code == ERR_TRANSIENT) &&
        exec_try_again(x)) {
        exec_note(x, "the scheduler app is busy; retrying");
        exec_sleep(x, EXEC_BUSY_DELAY, restart_send);
        return;
    }
    if (r->err.code) {
        exec_retry(x, &r->err, NULL);
        return;
    }
    restart_taken(x, exec_action(x)->params.restart.marker);
}

static void restart_send(struct exec_ctx *x)
{
    exec_check(x,
               dcos_marathon_app_restart(exec_client(x),
                                         exec_action(x)->params.restart.app_id,
                                         false, on_restart, x),
               "Marathon restart");
}

static void restart_start(struct exec_ctx *x)
{
    exec_note(x, "Restarting the scheduler so it reads its service account "
                 "secret again...");
    restart_send(x);
}

const struct executor_ops executor_package_install = {
    .version = EXECUTOR_OPS_VERSION,
    .op = MODEL_OP_PACKAGE_INSTALL,
    .start = install_start,
};

const struct executor_ops executor_package_update = {
    .version = EXECUTOR_OPS_VERSION,
    .op = MODEL_OP_PACKAGE_UPDATE,
    .start = update_start,
};

const struct executor_ops executor_scheduler_restart = {
    .version = EXECUTOR_OPS_VERSION,
    .op = MODEL_OP_SCHEDULER_RESTART,
    .start = restart_start,
};
