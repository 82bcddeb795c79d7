/* What the commands of the etls binary share (cmd_common.h). */
#include "controller/cmd_common.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/err.h"
#include "dcos/url.h"

void cmd_print_diags(const struct model_diags *d)
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

int cmd_load(const struct cli *c, const char *path, struct model_desired *d,
             struct load_docs *docs)
{
    struct model_diags diags = {0};
    struct load_docs mine = {0};
    size_t i;
    int r;

    if (!path) {
        fprintf(stderr, "etls %s: -f PATH is required (a file, a directory "
                        "of them, or - for stdin)\nRun 'etls help %s' for "
                        "usage.\n",
                c->command, c->command);
        return EXIT_ERROR;
    }
    if (!docs)
        docs = &mine;
    r = load_desired_docs(d, path, &diags, docs);
    for (i = 0; i < docs->n_skipped; i++)
        fprintf(stderr, "etls: skipped %s: not a .json, .yaml or .yml "
                        "document\n",
                docs->skipped[i]);
    load_docs_clear(&mine);
    cmd_print_diags(&diags);
    model_diags_clear(&diags);
    if (r) {
        if (r == ERR_NOMEM)
            fprintf(stderr, "etls: out of memory\n");
        return EXIT_ERROR;
    }
    print_warnings(d);
    return 0;
}

void cmd_plans_free(struct model_plan *plans, size_t n)
{
    size_t i;

    for (i = 0; plans && i < n; i++)
        model_plan_clear(&plans[i]);
    free(plans);
}

int cmd_connect(struct cli *c, struct engine **eng,
                const struct report_sink *report)
{
    struct engine_options o;
    struct err_info e = {0};
    char buf[1024];

    int r = cli_resolve(c, buf, sizeof(buf));

    if (r) {
        fprintf(stderr, "etls: %s\n", r == ERR_NOMEM ? "out of memory" : buf);
        return EXIT_ERROR;
    }
    /* Before anything prints the URL: it may hold a password. */
    if (dcos_url_check(c->cluster_url, &e)) {
        fprintf(stderr, "etls: %s\n", e.text);
        return EXIT_ERROR;
    }
    if (c->insecure)
        fprintf(stderr,
                "etls: WARNING: TLS verification of %s is DISABLED "
                "(by %s); anyone on the path can read the credentials and "
                "secrets sent to it\n",
                c->cluster_url, c->origin.trust ? c->origin.trust
                                                : "--insecure");
    cli_engine_options(&o, c, report);
    if (engine_new(eng, &o, &e)) {
        fprintf(stderr, "etls: %s\n", e.text);
        return EXIT_ERROR;
    }
    return 0;
}

const char *cmd_signal_name(int signum)
{
    return signum == SIGTERM ? "SIGTERM" : "SIGINT";
}

void cmd_on_signal(struct engine *eng, int signum, void *payload)
{
    struct interrupt *in = payload;

    if (in->applying && !in->signum) {
        in->signum = signum;
        fprintf(stderr, "etls: %s received: starting nothing new and "
                        "waiting for the requests in flight; send it again "
                        "to stop at once\n",
                cmd_signal_name(signum));
        engine_cancel(eng);
        return;
    }
    if (!in->signum)
        in->signum = signum;
    fflush(stdout);
    if (in->applying)
        fprintf(stderr, "etls: %s received again: stopped at once; requests "
                        "in flight may have been applied or not; run 'etls "
                        "plan' to see where the cluster stands\n",
                cmd_signal_name(signum));
    else
        fprintf(stderr, "etls: %s received while reading the cluster: "
                        "stopped; nothing was changed and no plan was made\n",
                cmd_signal_name(signum));
    _exit(128 + in->signum);
}

int cmd_has_fail(const struct model_plan *plans, size_t n)
{
    size_t i, j;

    for (i = 0; i < n; i++)
        for (j = 0; j < plans[i].n_actions; j++)
            if (plans[i].actions[j].op == MODEL_OP_FAIL)
                return 1;
    return 0;
}
