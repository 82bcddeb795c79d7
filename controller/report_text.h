#ifndef ETLS_CONTROLLER_REPORT_TEXT_H
#define ETLS_CONTROLLER_REPORT_TEXT_H

#include <stdio.h>

#include "controller/report.h"

/*
 * The terminal renderer of the report interface: one line per event,
 * "<address>: <what happened>", then the apply summary, the verification
 * reports and, for services that did not converge, what is left to do.
 */
struct report_text;

/*
 * New renderer writing to @out (borrowed).  Fills @sink with its hooks.
 * Returns NULL on ENOMEM.
 */
struct report_text *report_text_new(FILE *out, struct report_sink *sink);

/* Free; accepts NULL. */
void report_text_free(struct report_text *t);

#endif
