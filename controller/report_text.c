/* The terminal renderer of engine reports (report_text.h). */
#include "controller/report_text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct report_text {
    FILE *out;
    char **verified;   /* verification reports, printed after the summary */
    size_t n_verified;
};

static void line(struct report_text *t, const struct model_action *a,
                 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void line(struct report_text *t, const struct model_action *a,
                 const char *fmt, ...)
{
    va_list ap;

    fprintf(t->out, "%s: ", a->address);
    va_start(ap, fmt);
    vfprintf(t->out, fmt, ap);
    va_end(ap);
    fputc('\n', t->out);
    fflush(t->out);
}

static void on_refused(void *payload, const struct model_plan *p,
                       const struct model_action *a)
{
    struct report_text *t = payload;

    fprintf(t->out, "Error: service %s: %s\n", p->service,
            a->reason ? a->reason : "cannot be converged");
}

static void on_start(void *payload, const struct model_plan *p,
                     const struct model_action *a)
{
    (void)p;
    switch (a->change) {
    case MODEL_CHANGE_CREATE: line(payload, a, "Creating..."); break;
    case MODEL_CHANGE_UPDATE: line(payload, a, "Modifying..."); break;
    case MODEL_CHANGE_REPLACE: line(payload, a, "Replacing..."); break;
    case MODEL_CHANGE_DELETE:
    case MODEL_CHANGE_READ:
    case MODEL_CHANGE_NOOP: break;
    }
}

static void on_note(void *payload, const struct model_plan *p,
                    const struct model_action *a, const char *text)
{
    (void)p;
    line(payload, a, "%s", text);
}

static void on_done(void *payload, const struct model_plan *p,
                    const struct model_action *a, double secs)
{
    (void)p;
    switch (a->change) {
    case MODEL_CHANGE_CREATE:
        line(payload, a, "Creation complete after %.1fs", secs);
        break;
    case MODEL_CHANGE_UPDATE:
        line(payload, a, "Modifications complete after %.1fs", secs);
        break;
    case MODEL_CHANGE_REPLACE:
        line(payload, a, "Replacement complete after %.1fs", secs);
        break;
    case MODEL_CHANGE_DELETE:
        line(payload, a, "Destruction complete after %.1fs", secs);
        break;
    case MODEL_CHANGE_READ:
    case MODEL_CHANGE_NOOP:
        line(payload, a, "Done after %.1fs", secs);
        break;
    }
}

static void on_failed(void *payload, const struct model_plan *p,
                      const struct model_action *a, const char *text)
{
    (void)p;
    line(payload, a, "FAILED: %s", text);
}

static void on_waiting(void *payload, const struct model_plan *p,
                       const struct model_action *a,
                       const struct report_wait *w)
{
    char steps[80] = "";

    (void)p;
    if (w->steps_total)
        snprintf(steps, sizeof(steps), ", %zu/%zu steps COMPLETE",
                 w->steps_done, w->steps_total);
    else if (w->state)
        snprintf(steps, sizeof(steps), ", %s", w->state);
    line(payload, a, "Still waiting for %s [%.0fs elapsed%s; timeout "
                     "%.0fs]",
         w->awaited, w->elapsed, steps, w->timeout);
}

static const char *or_q(const char *s)
{
    return s ? s : "?";
}

static void write_verified(FILE *f, const struct report_verified *v)
{
    if (v->tls) {
        fprintf(f, "Verified service %s over HTTPS:\n", v->service);
        fprintf(f, "  URL:           %s (connected to %s)\n", or_q(v->url),
                or_q(v->address));
    } else {
        fprintf(f, "Verified service %s (transport encryption off):\n",
                v->service);
        fprintf(f, "  URL:           http://%s/ (connected to %s)\n",
                or_q(v->dns), or_q(v->address));
    }
    fprintf(f, "  Elasticsearch: %s, cluster \"%s\"\n", or_q(v->es_version),
            or_q(v->cluster_name));
    fprintf(f, "  Health:        %s (required: at least %s)\n",
            or_q(v->health), or_q(v->required_health));
    if (!v->tls) {
        fprintf(f, "  HTTPS:         not offered, as desired\n");
        return;
    }
    fprintf(f, "  Certificate:   subject %s\n", or_q(v->subject));
    fprintf(f, "                 issuer  %s\n", or_q(v->issuer));
    fprintf(f, "                 expires %s\n", or_q(v->not_after));
    if (v->sans)
        fprintf(f, "                 names   %s\n", v->sans);
    fprintf(f, "  Plain HTTP:    %s\n", or_q(v->plain));
}

static void on_verified(void *payload, const struct report_verified *v)
{
    struct report_text *t = payload;
    char *text = NULL, **arr;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    if (!f)
        return;
    write_verified(f, v);
    if (fclose(f) != 0) {
        free(text);
        return;
    }
    arr = realloc(t->verified, (t->n_verified + 1) * sizeof(*arr));
    if (!arr) {
        free(text);
        return;
    }
    t->verified = arr;
    t->verified[t->n_verified++] = text;
}

static void on_summary(void *payload, const struct report_summary *s)
{
    struct report_text *t = payload;
    size_t i, j;

    fprintf(t->out, "\n%s Resources: %zu added, %zu changed, %zu "
                    "destroyed.\n",
            s->cancelled  ? "Apply cancelled!"
            : s->n_failed ? "Apply failed!"
                          : "Apply complete!", s->added,
            s->changed, s->destroyed);
    for (i = 0; i < t->n_verified; i++)
        fprintf(t->out, "\n%s", t->verified[i]);
    for (i = 0; i < s->n_services; i++) {
        const struct report_service *rs = &s->services[i];

        if (!rs->failed)
            continue;
        fprintf(t->out, "\nService %s is NOT converged: %s\n",
                rs->plan->service, rs->error);
        for (j = 0; j < rs->plan->n_actions; j++)
            if (rs->outcomes[j] != REPORT_DONE)
                fprintf(t->out, "  left to do: %s (%s)\n",
                        rs->plan->actions[j].address,
                        rs->outcomes[j] == REPORT_FAILED      ? "failed"
                        : rs->outcomes[j] == REPORT_CANCELLED ? "cancelled"
                                                              : "not started");
    }
    fflush(t->out);
}

static const struct report_ops text_ops = {
    .refused = on_refused,
    .action_start = on_start,
    .action_note = on_note,
    .action_done = on_done,
    .action_failed = on_failed,
    .action_waiting = on_waiting,
    .verified = on_verified,
    .summary = on_summary,
};

struct report_text *report_text_new(FILE *out, struct report_sink *sink)
{
    struct report_text *t = calloc(1, sizeof(*t));

    if (!t)
        return NULL;
    t->out = out;
    sink->ops = &text_ops;
    sink->payload = t;
    return t;
}

void report_text_free(struct report_text *t)
{
    size_t i;

    if (!t)
        return;
    for (i = 0; i < t->n_verified; i++)
        free(t->verified[i]);
    free(t->verified);
    free(t);
}
