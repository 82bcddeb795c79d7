/*
 * etls: keeps DC/OS Enterprise Elastic services TLS-encrypted.
 * The one main() of the CLI (docs/cli.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "common/err.h"
#include "common/log.h"
#include "controller/cli.h"
#include "controller/engine.h"
#include "controller/load.h"
#include "controller/render.h"
#include "controller/report_text.h"
#include "dcos/client.h"

#ifndef ETLS_VERSION
#define ETLS_VERSION "0.0.0"
#endif

enum {
    EXIT_OK = 0,
    EXIT_ERROR = 1,
    EXIT_CHANGES = 2
};

static void print_diags(const struct model_diags *d)
{
    size_t i;

    for (i = 0; i < d->n; i++) {
        char *line = model_diag_format(&d->items[i]);

        fprintf(stderr, "%s\n", line ? line : "(out of memory)");
        free(line);
    }
}

/* The warnings of every document of @d, one line each on stderr. */
static void print_warnings(const struct model_desired *d)
{
    size_t i, j;

    for (i = 0; i < d->n_services; i++)
        for (j = 0; j < d->services[i]->warnings.n; j++) {
            char *line =
                model_warning_format(&d->services[i]->warnings.items[j]);

            fprintf(stderr, "%s\n", line ? line : "(out of memory)");
            free(line);
        }
}

/*
 * Load and validate -f; prints diagnostics, and the documents' warnings
 * (transport encryption off, ...) when they are valid.  0 or EXIT_ERROR.
 */
static int load(const struct cli *c, struct model_desired *d)
{
    struct model_diags diags = {0};
    int r;

    if (!c->file) {
        fprintf(stderr, "etls %s: -f PATH is required\n", c->command);
        return EXIT_ERROR;
    }
    r = load_desired(d, c->file, &diags);
    print_diags(&diags);
    model_diags_clear(&diags);
    if (r) {
        if (r == ERR_NOMEM)
            fprintf(stderr, "etls: out of memory\n");
        return EXIT_ERROR;
    }
    print_warnings(d);
    return 0;
}

static int cmd_validate(const struct cli *c)
{
    struct model_desired d = {0};
    size_t i;

    if (load(c, &d))
        return EXIT_ERROR;
    for (i = 0; i < d.n_services; i++)
        printf("%s: service %s is valid\n", d.services[i]->source,
               d.services[i]->name);
    model_desired_clear(&d);
    return EXIT_OK;
}

static void plans_free(struct model_plan *plans, size_t n)
{
    size_t i;

    for (i = 0; plans && i < n; i++)
        model_plan_clear(&plans[i]);
    free(plans);
}

static int connect_engine(struct cli *c, struct engine **eng,
                          const struct report_sink *report)
{
    struct engine_options o;
    struct err_info e = {0};
    char buf[512];

    if (c->sim_dir && cli_apply_sim(c, buf, sizeof(buf))) {
        fprintf(stderr, "etls: --sim: %s\n", buf);
        return EXIT_ERROR;
    }
    if (!c->cluster_url) {
        fprintf(stderr, "etls: no cluster: give --cluster URL, set DCOS_URL, "
                        "or use --sim DIR\n");
        return EXIT_ERROR;
    }
    if (c->insecure)
        fprintf(stderr,
                "etls: WARNING: TLS verification of %s is DISABLED "
                "(--insecure or DCOS_SSL_VERIFY=false); anyone on the path "
                "can read the credentials and secrets sent to it\n",
                c->cluster_url);
    cli_engine_options(&o, c, report);
    if (engine_new(eng, &o, &e)) {
        fprintf(stderr, "etls: %s\n", e.text);
        return EXIT_ERROR;
    }
    return 0;
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

static int cmd_plan(struct cli *c)
{
    struct model_desired d = {0};
    struct model_plan *plans = NULL;
    struct engine *eng = NULL;
    struct err_info e = {0};
    int rc = EXIT_ERROR, changes = 0;
    size_t i;

    if (load(c, &d))
        return EXIT_ERROR;
    if (connect_engine(c, &eng, NULL))
        goto out;
    if (engine_plan(eng, &d, &plans, &e)) {
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
    } else {
        render_plan_text(stdout, plans, d.n_services,
                         c->color && isatty(STDOUT_FILENO));
    }
    if (print_fail_reasons(plans, d.n_services))
        rc = EXIT_ERROR;
    else if (changes && c->detailed_exitcode)
        rc = EXIT_CHANGES;
    else
        rc = EXIT_OK;
out:
    plans_free(plans, d.n_services);
    engine_free(eng);
    model_desired_clear(&d);
    return rc;
}

static int cmd_apply(struct cli *c)
{
    struct model_desired d = {0};
    struct model_plan *plans = NULL;
    struct engine *eng = NULL;
    struct report_text *text = NULL;
    struct report_sink sink;
    struct err_info e = {0};
    int rc = EXIT_ERROR;

    if (load(c, &d))
        return EXIT_ERROR;
    text = report_text_new(stdout, &sink);
    if (!text) {
        fprintf(stderr, "etls: out of memory\n");
        goto out;
    }
    if (connect_engine(c, &eng, &sink))
        goto out;
    if (engine_plan(eng, &d, &plans, &e)) {
        fprintf(stderr, "etls: %s\n", e.text);
        goto out;
    }
    render_plan_text(stdout, plans, d.n_services,
                     c->color && isatty(STDOUT_FILENO));
    fflush(stdout);
    if (engine_apply(eng, plans, d.n_services, &e)) {
        fprintf(stderr, "etls: %s\n", e.text);
        goto out;
    }
    rc = EXIT_OK;
out:
    plans_free(plans, d.n_services);
    engine_free(eng);
    report_text_free(text);
    model_desired_clear(&d);
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
    if (strcmp(c.command, "help") == 0) {
        cli_usage(stdout);
        rc = EXIT_OK;
    } else if (strcmp(c.command, "version") == 0) {
        printf("etls %s\n", ETLS_VERSION);
        rc = EXIT_OK;
    } else if (strcmp(c.command, "validate") == 0) {
        rc = cmd_validate(&c);
    } else if (strcmp(c.command, "plan") == 0 ||
               strcmp(c.command, "apply") == 0) {
        if (dcos_global_init() != 0) {
            fprintf(stderr, "etls: cannot initialise the HTTP client\n");
            rc = EXIT_ERROR;
        } else {
            rc = strcmp(c.command, "plan") == 0 ? cmd_plan(&c)
                                                : cmd_apply(&c);
            dcos_global_cleanup();
        }
    } else {
        fprintf(stderr, "etls: unknown command '%s'\nRun 'etls help' for "
                        "usage.\n",
                c.command);
        rc = EXIT_ERROR;
    }
    cli_free(&c);
    return rc;
}
