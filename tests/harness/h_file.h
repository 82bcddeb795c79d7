#ifndef ETLS_TESTS_HARNESS_H_FILE_H
#define ETLS_TESTS_HARNESS_H_FILE_H

/*
 * Scratch files for the tests.  Every function fails the running test
 * (cmocka fail_msg) when the machine misbehaves.
 */

/* A new scratch directory /tmp/etls-@tag-XXXXXX (mode 0700); its path in
 * @out (at most 256 bytes).  @tag is at most 32 characters. */
void h_mkdtemp(char out[256], const char *tag);

/* Remove @dir and everything directly below it (plain files and empty
 * subdirectories; not recursive beyond that). */
void h_rmtree(const char *dir);

/* "@dir/@name" (new). */
char *h_path(const char *dir, const char *name);

/* Write @text to @dir/@name (created or truncated, mode 0600); returns the
 * path (new). */
char *h_write_file(const char *dir, const char *name, const char *text);

#endif
