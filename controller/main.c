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
#include "controller/confirm.h"
#include "controller/engine.h"
#include "controller/fingerprint.h"
#include "controller/load.h"
#include "controller/render.h"
#include "controller/report_text.h"
#include "controller/saved.h"
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

/*
 * Load and validate the documents at @path (-f, or the path of a saved
 * plan); prints diagnostics.  @docs (may be NULL) names each document
 * read with its SHA-256.  0 or EXIT_ERROR.
 */
static int load(const struct cli *c, const char *path,
                struct model_desired *d, struct load_docs *docs)
{
    struct model_diags diags = {0};
    int r;

    if (!path) {
        fprintf(stderr, "etls %s: -f PATH is required\n", c->command);
        return EXIT_ERROR;
    }
    r = load_desired_docs(d, path, &diags, docs);
    print_diags(&diags);
    model_diags_clear(&diags);
    if (r) {
        if (r == ERR_NOMEM)
            fprintf(stderr, "etls: out of memory\n");
        return EXIT_ERROR;
    }
    return 0;
}

static int cmd_validate(const struct cli *c)
{
    struct model_desired d = {0};
    size_t i;

    if (load(c, c->file, &d, NULL))
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

/* What the signal hook knows about the run. */
struct interrupt {
    int signum;      /* the first SIGINT or SIGTERM, 0 = none */
    bool applying;   /* engine_apply runs: the first signal cancels it */
};

static const char *signal_name(int signum)
{
    return signum == SIGTERM ? "SIGTERM" : "SIGINT";
}

/*
 * The engine's signal hook (docs/cli.md, "Signals").  The first signal of
 * an apply cancels it: no action starts any more, waits end, the requests
 * in flight finish (each bounded by --request-timeout), then the summary
 * says what was done and what is left and etls exits 128 + the signal.
 * While the cluster is only read (plan, and the observation of apply)
 * there is nothing to finish, and a second signal during an apply means
 * "now": etls then stops at once with one line, here (this hook runs on
 * the loop, not in a signal handler).
 */
static void on_signal(struct engine *eng, int signum, void *payload)
{
    struct interrupt *in = payload;

    if (in->applying && !in->signum) {
        in->signum = signum;
        fprintf(stderr, "etls: %s received: starting nothing new and "
                        "waiting for the requests in flight; send it again "
                        "to stop at once\n",
                signal_name(signum));
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
                signal_name(signum));
    else
        fprintf(stderr, "etls: %s received while reading the cluster: "
                        "stopped; nothing was changed and no plan was made\n",
                signal_name(signum));
    _exit(128 + in->signum);
}

/* 1 when any of @n @plans holds a FAIL action. */
static int has_fail(const struct model_plan *plans, size_t n)
{
    size_t i, j;

    for (i = 0; i < n; i++)
        for (j = 0; j < plans[i].n_actions; j++)
            if (plans[i].actions[j].op == MODEL_OP_FAIL)
                return 1;
    return 0;
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
    fprintf(c->output == CLI_OUTPUT_JSON ? stderr : stdout,
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
    if (load(c, abs ? abs : c->file, &d, c->out_file ? &docs : NULL))
        goto out;
    if (connect_engine(c, &eng, NULL))
        goto out;
    engine_on_signal(eng, on_signal, &in);
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
    } else {
        render_plan_text(stdout, plans, d.n_services,
                         c->color && isatty(STDOUT_FILENO));
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
    plans_free(plans, d.n_services);
    engine_free(eng);
    load_docs_clear(&docs);
    model_desired_clear(&d);
    free(abs);
    return rc;
}

/* One line on stderr: the saved plan is stale because @why. */
static void print_stale(const struct cli *c, const struct saved *s,
                        const char *why)
{
    fprintf(stderr, "etls: the saved plan %s is stale: %s; run 'etls plan "
                    "-f %s -out %s' again; nothing was changed\n",
            c->plan_file, why, s->desired_path, c->plan_file);
}

/*
 * apply FILE, before connecting: read the saved plan into @s and its
 * documents into @d, @docs; refuse a plan of another etls version or whose
 * documents changed.  0 or EXIT_ERROR.
 */
static int saved_open(struct cli *c, struct saved *s,
                      struct model_desired *d, struct load_docs *docs)
{
    struct err_info e = {0};
    char why[400];
    int r;

    r = saved_read(s, c->plan_file, &e);
    if (r) {
        /* The name is not echoed: it may be a misplaced argument. */
        fprintf(stderr, "etls apply: the saved plan file: %s\n", e.text);
        return EXIT_ERROR;
    }
    if (strcmp(s->etls_version, ETLS_VERSION) != 0) {
        snprintf(why, sizeof(why), "it was made by etls %s, this is etls %s",
                 s->etls_version, ETLS_VERSION);
        print_stale(c, s, why);
        return EXIT_ERROR;
    }
    r = load(c, s->desired_path, d, docs);
    if (saved_check_docs(s, docs, &e)) {
        snprintf(why, sizeof(why), "the desired documents changed since it "
                 "was made (%s)", e.text);
        print_stale(c, s, why);
        return EXIT_ERROR;
    }
    if (r)
        return EXIT_ERROR;
    /* Its cluster, unless the command line names one. */
    if (!c->cluster_url && !c->sim_dir) {
        c->cluster_url = strdup(s->cluster);
        if (!c->cluster_url) {
            fprintf(stderr, "etls: out of memory\n");
            return EXIT_ERROR;
        }
    }
    return 0;
}

/*
 * apply FILE, after observing: the saved plans, exactly, in *@out, when
 * the observed state (@obs, planned again as @now) is the one the plan was
 * made from.  0 or EXIT_ERROR.
 */
static int saved_take(const struct cli *c, struct engine *eng,
                      const struct saved *s, const struct model_desired *d,
                      const struct model_plan *now,
                      const struct model_observed *obs,
                      struct model_plan **out)
{
    char fp[FINGERPRINT_LEN], why[400];
    struct err_info e = {0};
    json_t *per = NULL;
    int r;

    r = fingerprint_run(fp, &per, d, obs, engine_cluster_ca(eng));
    if (r == 0 && saved_check_observed(s, fp, per, &e)) {
        snprintf(why, sizeof(why), "the cluster changed since it was made "
                 "(%s)", e.text);
        print_stale(c, s, why);
        r = ERR_CONFLICT;
    } else if (r == 0) {
        r = saved_restore(out, s, now, d->n_services, &e);
        if (r == ERR_CONFLICT)
            print_stale(c, s, e.text);
        else if (r)
            fprintf(stderr, "etls: the saved plan: %s\n", e.text);
    } else {
        fprintf(stderr, "etls: cannot fingerprint the cluster: %s\n",
                err_name(r));
    }
    json_decref(per);
    return r ? EXIT_ERROR : 0;
}

/* Check that the saved plan @s was made for the cluster of @eng. */
static int saved_same_cluster(const struct saved *s, struct engine *eng)
{
    if (strcmp(s->cluster, engine_cluster_url(eng)) == 0)
        return 0;
    fprintf(stderr, "etls: the saved plan was made for the cluster %s, not "
                    "%s; nothing was changed\n",
            s->cluster, engine_cluster_url(eng));
    return EXIT_ERROR;
}

static int cmd_apply(struct cli *c)
{
    struct model_desired d = {0};
    struct load_docs docs = {0};
    struct saved s;
    struct model_observed *obs = NULL;
    struct model_plan *plans = NULL, *now = NULL;
    struct engine *eng = NULL;
    struct report_text *text = NULL;
    struct report_sink sink;
    struct interrupt in = {false, false};
    struct err_info e = {0};
    size_t i;
    int rc = EXIT_ERROR, r;

    memset(&s, 0, sizeof(s));
    if (c->plan_file ? saved_open(c, &s, &d, &docs)
                     : load(c, c->file, &d, NULL))
        goto out;
    text = report_text_new(stdout, &sink);
    if (!text) {
        fprintf(stderr, "etls: out of memory\n");
        goto out;
    }
    if (connect_engine(c, &eng, &sink) ||
        (c->plan_file && saved_same_cluster(&s, eng)))
        goto out;
    engine_on_signal(eng, on_signal, &in);
    if (engine_plan_observed(eng, &d, &now, c->plan_file ? &obs : NULL,
                             &e)) {
        fprintf(stderr, "etls: %s\n", e.text);
        goto out;
    }
    if (!c->plan_file) {
        plans = now;
        now = NULL;
    } else if (saved_take(c, eng, &s, &d, now, obs, &plans)) {
        goto out;
    }
    render_plan_text(stdout, plans, d.n_services,
                     c->color && isatty(STDOUT_FILENO));
    fflush(stdout);
    if (!has_fail(plans, d.n_services) &&
        confirm_apply(plans, d.n_services, c->auto_approve,
                      isatty(STDIN_FILENO) && isatty(STDOUT_FILENO), stdin,
                      stdout, stderr))
        goto out;
    in.applying = true;
    r = engine_apply(eng, plans, d.n_services, &e);
    if (in.signum) {
        fprintf(stderr, "etls: interrupted by %s: %s\n",
                signal_name(in.signum),
                r ? e.text : "every action had ended");
        rc = 128 + in.signum;
    } else if (r) {
        fprintf(stderr, "etls: %s\n", e.text);
    } else {
        rc = EXIT_OK;
    }
out:
    for (i = 0; obs && i < d.n_services; i++)
        model_observed_clear(&obs[i]);
    free(obs);
    plans_free(now, d.n_services);
    plans_free(plans, d.n_services);
    engine_free(eng);
    report_text_free(text);
    saved_clear(&s);
    load_docs_clear(&docs);
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
