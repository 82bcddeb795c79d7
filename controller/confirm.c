/* Confirmation of a disruptive apply (confirm.h). */
#include "controller/confirm.h"

#include <string.h>

#include "common/err.h"

/* Addresses of disruptive actions named in a message, at most. */
#define CONFIRM_NAMED 5u

size_t confirm_disruptive_count(const struct model_plan *plans, size_t n)
{
    size_t i, j, count = 0;

    for (i = 0; i < n; i++)
        for (j = 0; j < plans[i].n_actions; j++)
            count += plans[i].actions[j].disruptive;
    return count;
}

/* "a, b, c and 2 more" of the disruptive actions of @plans to @f. */
static void name_disruptive(FILE *f, const struct model_plan *plans,
                            size_t n, size_t count)
{
    size_t i, j, named = 0;

    for (i = 0; i < n; i++)
        for (j = 0; j < plans[i].n_actions; j++) {
            if (!plans[i].actions[j].disruptive ||
                named >= CONFIRM_NAMED)
                continue;
            fprintf(f, "%s%s", named ? ", " : "",
                    plans[i].actions[j].address);
            named++;
        }
    if (count > named)
        fprintf(f, " and %zu more", count - named);
}

int confirm_apply(const struct model_plan *plans, size_t n,
                  bool auto_approve, bool tty, FILE *in, FILE *out,
                  FILE *err)
{
    size_t count = confirm_disruptive_count(plans, n), len;
    char answer[64];

    if (count == 0 || auto_approve)
        return 0;
    if (!tty) {
        fprintf(err, "etls: the plan has %zu disruptive action(s) (", count);
        name_disruptive(err, plans, n, count);
        fprintf(err, ") and there is no terminal to confirm them: pass "
                     "--auto-approve to apply it; nothing was changed\n");
        return ERR_INVALID;
    }
    fprintf(out, "\nThe plan has %zu disruptive action(s): ", count);
    name_disruptive(out, plans, n, count);
    fprintf(out, ".\nDo you want to perform these actions? Only 'yes' will "
                 "be accepted: ");
    fflush(out);
    if (!fgets(answer, sizeof(answer), in))
        answer[0] = '\0';
    len = strlen(answer);
    if (len && answer[len - 1] == '\n')
        answer[--len] = '\0';
    if (strcmp(answer, "yes") == 0) {
        fputc('\n', out);
        return 0;
    }
    fprintf(err, "etls: apply cancelled: the answer was not 'yes'; nothing "
                 "was changed\n");
    return ERR_INVALID;
}
