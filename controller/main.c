/*
 * etls: keeps DC/OS Enterprise Elastic services TLS-encrypted.
 * The one main() of the CLI (docs/cli.md).
 */
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "common/err.h"
#include "common/log.h"
#include "controller/cli.h"
#include "controller/cmd_apply.h"
#include "controller/cmd_common.h"
#include "controller/cmd_run.h"
#include "controller/engine.h"
#include "controller/fingerprint.h"
#include "controller/load.h"
#include "controller/render.h"
#include "controller/report_text.h"
#include "controller/saved.h"
#include "controller/settings.h"
#include "controller/term.h"
#include "controller/version.h"
#include "dcos/client.h"

static int cmd_validate(const struct cli *c)
{
    struct model_desired d = {0};
    size_t i;

    if (cmd_load(c, c->file, &d, NULL))
        return EXIT_ERROR;
    for (i = 0; i < d.n_services; i++)
        printf("%s: service %s is valid\n", d.services[i]->source,
               d.services[i]->name);
    model_desired_clear(&d);
    return EXIT_OK;
}

/*
 * The reasons of FAIL actions, one "etls: ..." line each on stderr.
 * Returns 1 when there was any.
 */
static int print_fail_reasons(const struct model_plan *plans, size_t n)
{
    size_t i, j;
    int any = 0;

    for (i = 0; i < n; i++)
        for (j = 0; j < plans[i].n_actions; j++) {
            const struct model_action *a = &plans[i].actions[j];

            if (a->op != MODEL_OP_FAIL)
                continue;
            fprintf(stderr, "etls: service %s: %s\n", plans[i].service,
                    a->reason ? a->reason : "cannot be converged");
            any = 1;
        }
    return any;
}

/* @path made absolute against the working directory (new), or NULL. */
static char *absolute_path(const char *path)
{
    char cwd[PATH_MAX], *abs;
    size_t n;

    if (path[0] == '/')
        return strdup(path);
    if (!getcwd(cwd, sizeof(cwd)))
        return NULL;
    n = strlen(cwd) + strlen(path) + 2;
    abs = malloc(n);
    if (abs)
        snprintf(abs, n, "%s/%s", cwd, path);
    return abs;
}

/*
 * plan -out: write the saved plan of @plans (made from @d, read from
 * @desired_path as @docs, and the observation @obs) to c->out_file.
 * 0 or EXIT_ERROR.
 */
static int save_plan(const struct cli *c, struct engine *eng,
                     const struct model_desired *d,
                     const struct load_docs *docs, const char *desired_path,
                     const struct model_plan *plans,
                     const struct model_observed *obs)
{
    struct saved s;
    struct err_info e = {0};
    int r = ERR_NOMEM;

    memset(&s, 0, sizeof(s));
    s.etls_version = strdup(ETLS_VERSION);
    s.cluster = strdup(engine_cluster_url(eng));
    s.desired_path = strdup(desired_path);
    s.docs = *docs; /* borrowed */
    s.plans = saved_plans_json(plans, d->n_services);
    if (s.etls_version && s.cluster && s.desired_path && s.plans)
        r = fingerprint_run(s.fingerprint, &s.services, d, obs,
                            engine_cluster_ca(eng));
    if (r == 0)
        r = saved_write(c->out_file, &s, &e);
    else
        err_set(&e, r, "cannot make the saved plan: %s", err_name(r));
    memset(&s.docs, 0, sizeof(s.docs));
    saved_clear(&s);
    if (r) {
        fprintf(stderr, "etls: %s\n", e.text);
        return EXIT_ERROR;
    }
    fprintf(c->output != CLI_OUTPUT_TEXT ? stderr : stdout,
            "\nSaved the plan to: %s\n\nTo perform exactly these actions, "
            "run:\n    etls apply %s\n",
            c->out_file, c->out_file);
    return 0;
}

static int cmd_plan(struct cli *c)
{
    struct model_desired d = {0};
    struct load_docs docs = {0};
    struct model_observed *obs = NULL;
    struct model_plan *plans = NULL;
    struct engine *eng = NULL;
    struct interrupt in = {false, false};
    struct err_info e = {0};
    char *abs = NULL;
    int rc = EXIT_ERROR, changes = 0;
    size_t i;

    /* A saved plan names its documents by absolute path. */
    if (c->out_file && c->file)
        abs = absolute_path(c->file);
    if (cmd_load(c, abs ? abs : c->file, &d, c->out_file ? &docs : NULL))
        goto out;
    if (cmd_connect(c, &eng, NULL))
        goto out;
    engine_on_signal(eng, cmd_on_signal, &in);
    if (engine_plan_observed(eng, &d, &plans, c->out_file ? &obs : NULL,
                             &e)) {
        fprintf(stderr, "etls: %s\n", e.text);
        goto out;
    }
    for (i = 0; i < d.n_services; i++)
        if (model_plan_has_changes(&plans[i]))
            changes = 1;
    if (c->output == CLI_OUTPUT_JSON) {
        json_t *j = render_plan_json(plans, d.n_services,
                                     engine_cluster_url(eng));

        if (!j || json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS)) {
            json_decref(j);
            fprintf(stderr, "etls: cannot write the plan\n");
            goto out;
        }
        fputc('\n', stdout);
        json_decref(j);
    } else if (c->output == CLI_OUTPUT_MARKDOWN) {
        render_plan_markdown(stdout, plans, d.n_services,
                             engine_cluster_url(eng));
    } else {
        render_plan_text(stdout, plans, d.n_services, term_color(stdout));
    }
    if (print_fail_reasons(plans, d.n_services)) {
        if (c->out_file)
            fprintf(stderr, "etls: no plan saved: it cannot be applied\n");
        goto out;
    }
    if (c->out_file && save_plan(c, eng, &d, &docs, abs ? abs : c->file,
                                 plans, obs))
        goto out;
    rc = changes && c->detailed_exitcode ? EXIT_CHANGES : EXIT_OK;
out:
    for (i = 0; obs && i < d.n_services; i++)
        model_observed_clear(&obs[i]);
    free(obs);
    cmd_plans_free(plans, d.n_services);
    engine_free(eng);
    load_docs_clear(&docs);
    model_desired_clear(&d);
    free(abs);
    return rc;
}

/* etls force-unlock SERVICE: remove the lease whoever holds it. */
static int cmd_force_unlock(struct cli *c)
{
    struct engine *eng = NULL;
    struct err_info e = {0};
    char *holder = NULL;
    int rc = EXIT_ERROR;

    if (!c->service) {
        fprintf(stderr, "etls force-unlock: name the service: etls "
                        "force-unlock SERVICE\n");
        return EXIT_ERROR;
    }
    if (cmd_connect(c, &eng, NULL))
        goto out;
    if (engine_force_unlock(eng, c->service, &holder, &e)) {
        fprintf(stderr, "etls: %s\n", e.text);
        goto out;
    }
    if (holder)
        printf("Removed the lease of service %s held by %s.\n", c->service,
               holder);
    else
        printf("Service %s is not locked.\n", c->service);
    rc = EXIT_OK;
out:
    free(holder);
    engine_free(eng);
    return rc;
}

/* etls config: the resolved connection settings and their origins. */
static int cmd_config(struct cli *c)
{
    char buf[1024];
    int r = cli_resolve(c, buf, sizeof(buf));

    settings_print(stdout, c);
    if (r) {
        fprintf(stderr, "etls: %s\n", r == ERR_NOMEM ? "out of memory" : buf);
        return EXIT_ERROR;
    }
    return EXIT_OK;
}

/* help, COMMAND --help, help COMMAND. */
static int cmd_help(const struct cli *c)
{
    if (c->want_help && c->cmd->id != CLI_CMD_HELP)
        cli_help(stdout, c->cmd);
    else if (c->help_topic)
        cli_help(stdout, cli_command_find(c->help_topic));
    else
        cli_usage(stdout);
    return EXIT_OK;
}

/* The commands that talk to a cluster. */
static int cmd_cluster(struct cli *c)
{
    int rc;

    if (dcos_global_init() != 0) {
        fprintf(stderr, "etls: cannot initialise the HTTP client\n");
        return EXIT_ERROR;
    }
    switch (c->cmd->id) {
    case CLI_CMD_PLAN: rc = cmd_plan(c); break;
    case CLI_CMD_APPLY: rc = cmd_apply(c); break;
    case CLI_CMD_RUN: rc = cmd_run(c); break;
    case CLI_CMD_STATUS: rc = cmd_status(c); break;
    default: rc = cmd_force_unlock(c); break;
    }
    dcos_global_cleanup();
    return rc;
}

int main(int argc, char **argv)
{
    struct cli c;
    int rc;

    if (cli_parse(&c, argc, argv)) {
        cli_free(&c);
        return EXIT_ERROR;
    }
    log_set_level((enum log_level)c.log_level);
    term_init(c.color);
    if (c.want_help || c.cmd->id == CLI_CMD_HELP) {
        rc = cmd_help(&c);
    } else {
        switch (c.cmd->id) {
        case CLI_CMD_VERSION: rc = version_print(stdout); break;
        case CLI_CMD_VALIDATE: rc = cmd_validate(&c); break;
        case CLI_CMD_CONFIG: rc = cmd_config(&c); break;
        case CLI_CMD_PLAN:
        case CLI_CMD_APPLY:
        case CLI_CMD_RUN:
        case CLI_CMD_STATUS:
        case CLI_CMD_FORCE_UNLOCK: rc = cmd_cluster(&c); break;
        default: rc = EXIT_ERROR; break;
        }
    }
    cli_free(&c);
    return rc;
}
