/* Terminal manners (term.h). */
#include "controller/term.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool color_allowed = true;

void term_init(bool allowed)
{
    color_allowed = allowed;
}

bool term_color_wanted(bool allowed, bool is_tty, const char *no_color,
                       const char *term)
{
    if (!allowed || !is_tty)
        return false;
    if (no_color && *no_color)
        return false;
    return !(term && strcmp(term, "dumb") == 0);
}

bool term_color(FILE *f)
{
    return term_color_wanted(color_allowed, isatty(fileno(f)) == 1,
                             getenv("NO_COLOR"), getenv("TERM"));
}

double term_heartbeat_seconds(void)
{
    const char *v = getenv("ETLS_HEARTBEAT_SECONDS");
    char *end;
    double d;

    if (!v || !*v)
        return TERM_HEARTBEAT;
    d = strtod(v, &end);
    return *end == '\0' && d > 0 && d <= 3600 ? d : TERM_HEARTBEAT;
}
