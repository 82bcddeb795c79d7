#ifndef ETLS_TESTS_UNIT_CONTROLLER_TESTUTIL_H
#define ETLS_TESTS_UNIT_CONTROLLER_TESTUTIL_H

#include <stddef.h>

#include "harness/h_file.h"

/*
 * Small helpers shared by the controller unit tests (scratch files: see
 * harness/h_file.h).  Every helper fails
 * the running test (cmocka fail_msg) when the machine misbehaves, so the
 * tests assert only on what the code under test did.
 */

/*
 * Capture what is written to file descriptor 2 between t_stderr_begin()
 * and t_stderr_end().  t_stderr_end returns the captured text (new,
 * NUL-terminated).  Not nestable.
 */
void t_stderr_begin(void);
char *t_stderr_end(void);

/* Number of (possibly overlapping) occurrences of @needle in @hay. */
size_t t_count(const char *hay, const char *needle);

#endif
