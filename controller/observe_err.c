/* The one phrasing of observation failures (observe_err.h). */
#include "controller/observe_err.h"

#include <stdio.h>

void observe_err(struct err_info *first, const struct err_info *err,
                 const char *what)
{
    if (first->code)
        return;
    first->code = err->code ? err->code : ERR_INTERNAL;
    first->status = err->status;
    if (err->code == ERR_AUTH && err->status == 401)
        snprintf(first->text, sizeof(first->text),
                 "the cluster rejected the credentials (HTTP 401) while %s; "
                 "log in again or check DCOS_ACS_TOKEN / --token-file",
                 what);
    else if (err->code == ERR_AUTH && err->status == 403)
        snprintf(first->text, sizeof(first->text),
                 "permission denied (HTTP 403) while %s; etls needs a "
                 "superuser token",
                 what);
    else
        snprintf(first->text, sizeof(first->text), "%s: %.120s", what,
                 err->text);
}
