#ifndef ETLS_TESTS_HARNESS_H_JSON_H
#define ETLS_TESTS_HARNESS_H_JSON_H

#include <jansson.h>

/*
 * Strings and JSON for the tests: the one copy of the little helpers every
 * test file used to carry.  Nothing here talks to a cluster, so unit tests
 * may link it too.  Every function fails the running test (cmocka
 * fail_msg) on an internal error (out of memory, a bad test input), so
 * callers never check for one.
 */

/* printf into a new string (free with free()). */
char *h_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Member at the dotted path @path ("a.b.c") of @o: borrowed, or NULL when
 * any step is missing or @o is NULL.  A path of 256 characters or more
 * fails the test.
 */
json_t *h_jget(const json_t *o, const char *path);

/* String value at @path of @o (borrowed), or NULL. */
const char *h_jstr(const json_t *o, const char *path);

/* The element of array @arr whose member "name" is @name (borrowed), or
 * NULL. */
json_t *h_jnamed(const json_t *arr, const char *name);

/* The compact JSON text of json_pack(@fmt, ...) (new string). */
char *h_json_text(const char *fmt, ...);

/* Parse @text (any JSON value, JSON_DECODE_ANY); new reference.  Fails the
 * test, quoting @text, when it is not JSON. */
json_t *h_json_parse(const char *text);

/* Load the JSON file @path; new reference.  Fails the test when the file
 * is missing or not JSON. */
json_t *h_json_load(const char *path);

/* Load the upstream fixture @relpath (below ETLS_FIXTURES_DIR) as JSON
 * (any value); new reference. */
json_t *h_fixture_json(const char *relpath);

/* 1 when @sub and @super are objects and every member name of @sub is one
 * of @super (a missing name is printed). */
int h_keys_subset(const json_t *sub, const json_t *super);

/* 1 when objects @a and @b have exactly the same member names. */
int h_same_keys(const json_t *a, const json_t *b);

/*
 * The defaults of a package option schema as Cosmos resolves them: every
 * "default" below "properties", nested the same way (new; NULL when
 * @schema has neither).
 */
json_t *h_schema_defaults(const json_t *schema);

/* Fail the test, printing both, unless @got equals the JSON text
 * @want_text. */
void h_expect_json_eq(const json_t *got, const char *want_text);

#endif
