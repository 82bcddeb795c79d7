/*
 * The plan as Markdown for a pull-request comment (render.h,
 * render_plan_markdown): a summary line, a table of the changes, the
 * disruptive actions and the errors called out, and the full text plan
 * folded in a <details> block.  Built from the plans only, so, like the
 * other printers, it holds no secret.
 */
#include "controller/render.h"

#include <stdlib.h>
#include <string.h>

/* A table cell or list item: '|', '<' and '>' escaped (no HTML of a
 * reason can close the comment's <details>), line ends turned into
 * spaces. */
static void cell(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else if (*s == '<')
            fputs("&lt;", out);
        else if (*s == '>')
            fputs("&gt;", out);
        else if (*s == '\n' || *s == '\r')
            fputc(' ', out);
        else
            fputc(*s, out);
    }
}

static const char *action_word(enum model_change k)
{
    switch (k) {
    case MODEL_CHANGE_CREATE: return "create";
    case MODEL_CHANGE_UPDATE: return "update in place";
    case MODEL_CHANGE_REPLACE: return "**replace**";
    case MODEL_CHANGE_DELETE: return "**destroy**";
    case MODEL_CHANGE_READ: return "read and check";
    default: return "cannot be converged";
    }
}

/* The text plan, without colour, in a fenced block that its text cannot
 * close early. */
static void full_plan(FILE *out, const struct model_plan *plans, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    const char *fence = "```";

    if (!f)
        return;
    render_plan_text(f, plans, n, 0);
    if (fclose(f) != 0) {
        free(text);
        return;
    }
    if (strstr(text, "```"))
        fence = "~~~~~~";
    fprintf(out, "<details><summary>Full plan</summary>\n\n%s\n%s%s\n\n"
                 "</details>\n",
            fence, text, fence);
    free(text);
}

void render_plan_markdown(FILE *out, const struct model_plan *plans,
                          size_t n, const char *cluster_url)
{
    struct render_totals t;
    size_t i, j;

    render_totals(plans, n, &t);
    if (t.fails)
        fprintf(out, "### :x: etls plan: cannot be applied\n\n");
    else if (!t.any)
        fprintf(out, "### :white_check_mark: etls plan: no changes\n\n");
    else
        fprintf(out, "### etls plan: %zu to add, %zu to change, %zu to "
                     "destroy\n\n",
                t.add, t.change, t.destroy);
    fprintf(out, "Cluster `%s`, %zu service(s).\n\n",
            cluster_url ? cluster_url : "?", n);
    if (t.fails) {
        fprintf(out, "**Errors** (nothing will be changed):\n\n");
        for (i = 0; i < n; i++)
            for (j = 0; j < plans[i].n_actions; j++)
                if (plans[i].actions[j].op == MODEL_OP_FAIL) {
                    fprintf(out, "- `%s`: ", plans[i].actions[j].address);
                    cell(out, plans[i].actions[j].reason);
                    fputc('\n', out);
                }
        fputc('\n', out);
    }
    if (t.disruptive) {
        fprintf(out, "> **:warning: %zu disruptive action(s)** (apply asks "
                     "for confirmation):\n",
                t.disruptive);
        for (i = 0; i < n; i++)
            for (j = 0; j < plans[i].n_actions; j++)
                if (plans[i].actions[j].disruptive) {
                    fprintf(out, "> - `%s`: ", plans[i].actions[j].address);
                    cell(out, plans[i].actions[j].disruption);
                    fputc('\n', out);
                }
        fputc('\n', out);
    }
    if (t.any && !t.fails) {
        fprintf(out, "| service | resource | action | reason |\n"
                     "|---|---|---|---|\n");
        for (i = 0; i < n; i++)
            for (j = 0; j < plans[i].n_actions; j++) {
                const struct model_action *a = &plans[i].actions[j];

                fprintf(out, "| %s | `%s %s` | %s | ", plans[i].service,
                        model_change_symbol(a->change), a->address,
                        action_word(a->change));
                cell(out, a->reason);
                fprintf(out, " |\n");
            }
        fputc('\n', out);
    }
    full_plan(out, plans, n);
}
