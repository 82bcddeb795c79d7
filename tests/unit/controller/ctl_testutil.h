#ifndef ETLS_TESTS_UNIT_CONTROLLER_TESTUTIL_H
#define ETLS_TESTS_UNIT_CONTROLLER_TESTUTIL_H

#include <stddef.h>

/*
 * Small helpers shared by the controller unit tests.  Every helper fails
 * the running test (cmocka fail_msg) when the machine misbehaves, so the
 * tests assert only on what the code under test did.
 */

/* A scratch directory below /tmp (new path in @out, at most 256 bytes). */
void t_mkdtemp(char out[256]);

/* Remove @dir and everything directly below it (not recursive beyond one
 * level of plain files and empty subdirectories). */
void t_rmtree(const char *dir);

/* Join @dir and @name into a new string. */
char *t_path(const char *dir, const char *name);

/* Write @text to @dir/@name (created or truncated, mode 0600); returns the
 * path (new). */
char *t_write(const char *dir, const char *name, const char *text);

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
