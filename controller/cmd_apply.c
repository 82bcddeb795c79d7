/* etls apply (cmd_apply.h). */
#include "controller/cmd_apply.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "controller/cmd_common.h"
#include "controller/confirm.h"
#include "controller/engine.h"
#include "controller/fingerprint.h"
#include "controller/render.h"
#include "controller/report_text.h"
#include "controller/saved.h"
#include "controller/term.h"

/* Does any plan write (a change, and no FAIL that refuses it)? */
static int plans_write(const struct model_plan *plans, size_t n)
{
    size_t i;
    int any = 0;

    if (cmd_has_fail(plans, n))
        return 0;
    for (i = 0; i < n; i++)
        any |= model_plan_has_changes(&plans[i]);
    return any;
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
    r = cmd_load(c, s->desired_path, d, docs);
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

/*
 * Take the leases of the services @plans change, then look again under
 * them: the cluster may have changed meanwhile (another etls held a
 * lease).  A saved plan must still be fresh (else it is refused); a plan
 * made from -f is replaced by the plan made now, shown again when it
 * changed (and asked about again on a terminal).  0 or EXIT_ERROR.
 */
static int lock_and_recheck(struct cli *c, struct engine *eng,
                            const struct saved *s,
                            const struct model_desired *d,
                            struct model_plan **plans)
{
    struct model_observed *obs = NULL;
    struct model_plan *again = NULL, *now = NULL;
    struct err_info e = {0};
    size_t i, n = d->n_services;
    int rc = EXIT_ERROR, same = 1;

    if (!plans_write(*plans, n))
        return 0;
    if (engine_lock(eng, *plans, n, &e) ||
        engine_plan_observed(eng, d, &now, c->plan_file ? &obs : NULL,
                             &e)) {
        fprintf(stderr, "etls: %s\n", e.text);
        goto out;
    }
    if (c->plan_file) {
        if (saved_take(c, eng, s, d, now, obs, &again))
            goto out;
    } else {
        again = now;
        now = NULL;
    }
    for (i = 0; i < n; i++)
        same &= model_plan_equal(&(*plans)[i], &again[i]);
    cmd_plans_free(*plans, n);
    *plans = again;
    again = NULL;
    if (!same) {
        printf("\nThe cluster changed before etls took the lease; this is "
               "the plan now:\n\n");
        render_plan_text(stdout, *plans, n,
                         term_color(stdout));
        fflush(stdout);
        if (!cmd_has_fail(*plans, n) &&
            confirm_apply(*plans, n, c->auto_approve,
                          isatty(STDIN_FILENO) && isatty(STDOUT_FILENO),
                          stdin, stdout, stderr))
            goto out;
    }
    rc = 0;
out:
    for (i = 0; obs && i < n; i++)
        model_observed_clear(&obs[i]);
    free(obs);
    cmd_plans_free(now, n);
    cmd_plans_free(again, n);
    return rc;
}

int cmd_apply(struct cli *c)
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
                     : cmd_load(c, c->file, &d, NULL))
        goto out;
    text = report_text_new(stdout, &sink);
    if (!text) {
        fprintf(stderr, "etls: out of memory\n");
        goto out;
    }
    if (cmd_connect(c, &eng, &sink) ||
        (c->plan_file && saved_same_cluster(&s, eng)))
        goto out;
    engine_on_signal(eng, cmd_on_signal, &in);
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
                     term_color(stdout));
    fflush(stdout);
    if (!cmd_has_fail(plans, d.n_services) &&
        confirm_apply(plans, d.n_services, c->auto_approve,
                      isatty(STDIN_FILENO) && isatty(STDOUT_FILENO), stdin,
                      stdout, stderr))
        goto out;
    if (lock_and_recheck(c, eng, &s, &d, &plans))
        goto out;
    in.applying = true;
    r = engine_apply(eng, plans, d.n_services, &e);
    if (in.signum) {
        fprintf(stderr, "etls: interrupted by %s: %s\n",
                cmd_signal_name(in.signum),
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
    cmd_plans_free(now, d.n_services);
    cmd_plans_free(plans, d.n_services);
    engine_free(eng);
    report_text_free(text);
    saved_clear(&s);
    load_docs_clear(&docs);
    model_desired_clear(&d);
    return rc;
}
