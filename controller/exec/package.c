/*
 * Executors of the package (docs/plan.md, "package_install",
 * "package_update", "scheduler_restart"): Cosmos install and update, and a
 * Marathon restart of the scheduler so that it re-reads its secret.  A
 * Cosmos or Marathon app that is busy (a deployment holds it) is retried a
 * bounded number of times.
 */
#include "controller/exec/package.h"

#include <stdbool.h>

#include "dcos/client.h"

static void on_install(const struct dcos_result *r, void *payload)
{
    struct exec_ctx *x = payload;

    if (r->err.code == ERR_CONFLICT) {
        exec_note(x, "Already installed; adopting it");
        exec_done(x);
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
