#ifndef ETLS_CONTROLLER_TERM_H
#define ETLS_CONTROLLER_TERM_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Terminal manners (docs/cli.md, "Colour and progress"): colour only on a
 * terminal, and never with --no-color, NO_COLOR (set and not empty,
 * no-color.org) or TERM=dumb.
 */

/* Record --no-color (@allowed false) for term_color(). */
void term_init(bool allowed);

/* Is colour wanted on @f (a terminal, and nothing says no)? */
bool term_color(FILE *f);

/*
 * The colour decision for a stream that @is_tty says is a terminal or
 * not, with @allowed (--no-color not given) and the environment values
 * @no_color and @term (NULL: unset).  Pure.
 */
bool term_color_wanted(bool allowed, bool is_tty, const char *no_color,
                       const char *term);

/* Seconds a wait may stay silent before a "Still waiting" line: 10, or
 * a positive ETLS_HEARTBEAT_SECONDS up to 3600 (a knob of the tests). */
#define TERM_HEARTBEAT 10.0
double term_heartbeat_seconds(void);

#endif
