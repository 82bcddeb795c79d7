/*
 * Rules between documents (crossdoc.h): names, service accounts and
 * secret paths are one service's each.
 */
#include "model/crossdoc.h"

#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "model/doc.h"
#include "model/jsonpos.h"

/* The member of the options' "service" object a rule is about. */
struct crossdoc_rule {
    const char *member;  /* "name", "service_account", ... */
    const char *what;    /* how the message names the value */
    const char *expect;  /* the end of the message */
};

static const struct crossdoc_rule rules[] = {
    {"name", "service name", "expected one file per service"},
    {"service_account", "service account",
     "expected a service account of its own per service"},
    {"service_account_secret", "service account secret path",
     "expected a secret of its own per service"},
};

static const char *value_of(const struct model_service *s, size_t rule)
{
    switch (rule) {
    case 0:
        return s->name;
    case 1:
        return s->account;
    default:
        return s->secret_path;
    }
}

/*
 * Where the rule's member of @s is: its value, else (a default) the
 * position kept for service.name, which is that of the nearest enclosing
 * object when the name is not written either.
 */
static void locate(const struct model_service *s, const char *member,
                   int *line, int *column)
{
    struct jsonpos_loc v;
    char ptr[96];

    snprintf(ptr, sizeof(ptr), "%s/service/%s", s->envelope ? "/options" : "",
             member);
    if (s->pos && jsonpos_find(s->pos, ptr, &v, NULL, NULL) == 0) {
        *line = v.line;
        *column = v.column;
        return;
    }
    *line = s->name_line;
    *column = s->name_column;
}

/* One conflict of @svc with @first on rule @k, as a diag on @svc. */
static int conflict(const struct model_service *first,
                    const struct model_service *svc, size_t k,
                    struct model_diags *diags)
{
    const struct crossdoc_rule *rule = &rules[k];
    int l1, c1, l2, c2, r;
    char field[64];
    struct buf msg;

    locate(first, rule->member, &l1, &c1);
    locate(svc, rule->member, &l2, &c2);
    snprintf(field, sizeof(field), "%sservice.%s",
             svc->envelope ? "options." : "", rule->member);
    buf_init(&msg, 4096);
    if (k == 0)
        r = buf_printf(&msg, "duplicate service name \"%s\": already used "
                       "by %s:%d:%d; expected one file per service",
                       svc->name, first->source, l1, c1);
    else
        r = buf_printf(&msg, "%s \"%s\" is also that of service %s "
                       "(%s:%d:%d); %s", rule->what, value_of(svc, k),
                       first->name, first->source, l1, c1, rule->expect);
    if (r == 0)
        r = doc_diags_push(diags, svc->source, l2, c2, field, buf_str(&msg));
    buf_free(&msg);
    return r == ERR_INVALID ? doc_diags_push(diags, svc->source, l2, c2,
                                             field, "conflicts with another "
                                             "document")
                            : r;
}

int crossdoc_check(const struct model_desired *d,
                   const struct model_service *svc,
                   struct model_diags *diags)
{
    size_t i, k;
    int found = 0;

    for (i = 0; i < d->n_services; i++) {
        const struct model_service *first = d->services[i];

        for (k = 0; k < sizeof(rules) / sizeof(rules[0]); k++) {
            const char *a = value_of(first, k), *b = value_of(svc, k);

            /* "" is no account or secret; names have no leading '/'. */
            if (!a || !b || !*a || strcmp(a, b) != 0)
                continue;
            if (conflict(first, svc, k, diags))
                return ERR_NOMEM;
            found++;
        }
    }
    return found;
}
