#ifndef ETLS_CONTROLLER_RENDER_H
#define ETLS_CONTROLLER_RENDER_H

#include <stdio.h>

#include <jansson.h>

#include "model/plan.h"

/*
 * Plan printers.  Plans never hold secret values (model/plan.h), and the
 * printers additionally mask every path flagged in before_sensitive /
 * after_sensitive, so nothing secret can reach the output.
 */

/* What @n plans amount to, as the printers summarise it. */
struct render_totals {
    size_t add, change, destroy;  /* model_plan_counts() summed */
    size_t fails;                 /* MODEL_OP_FAIL actions */
    size_t disruptive;            /* actions flagged disruptive */
    int any;                      /* some plan has changes */
};

/* Sum up @n plans into @t. */
void render_totals(const struct model_plan *plans, size_t n,
                   struct render_totals *t);

/*
 * Human-readable, Terraform-style plan for @n plans (one per service):
 * one block per resource address with its symbol (+ ~ -/+ - <=), the reason,
 * a field-level diff, a loud note on disruptive actions, the order of
 * execution and the summary line ("Plan: X to add, Y to change, Z to
 * destroy." or "No changes.").  @color enables ANSI colours.
 */
void render_plan_text(FILE *out, const struct model_plan *plans, size_t n,
                      int color);

/*
 * Machine-readable plan: {"format_version","etls_version","cluster",
 * "resource_changes":[...],"order":{svc:[addresses]},"summary":{...},
 * "changes_pending":bool}.  Returns a new reference or NULL on ENOMEM.
 */
json_t *render_plan_json(const struct model_plan *plans, size_t n,
                         const char *cluster_url);

/*
 * The plan as GitHub-flavoured Markdown, for a pull-request comment
 * (plan -o markdown): a headline with the counts (or "no changes", or
 * "cannot be applied"), the errors and the disruptive actions called out,
 * a table of every action with its reason, and the text plan folded in a
 * <details> block.  Never colour.
 */
void render_plan_markdown(FILE *out, const struct model_plan *plans,
                          size_t n, const char *cluster_url);

#endif
