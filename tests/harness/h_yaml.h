#ifndef ETLS_TESTS_HARNESS_H_YAML_H
#define ETLS_TESTS_HARNESS_H_YAML_H

#include <jansson.h>

/*
 * The YAML twin of a JSON document, for the tests that check that YAML
 * and JSON documents give the same service and the same plan: block
 * style, members in the JSON's order, with libyaml's emitter.  A string
 * is written plain whenever YAML 1.2's core schema reads that plain
 * scalar as a string (so `yes`, `on`, `no` appear plain and must stay
 * strings) and quoted otherwise ("true", "123"); reals keep a '.' or an
 * exponent.  An independent implementation of the typing rules, not the
 * product's.  Returns new text, or NULL (fails the test on error).
 */
char *h_yaml_twin(const json_t *doc);

/* 1 when YAML 1.2's core schema reads the plain scalar @s as no string. */
int h_yaml_plain_is_typed(const char *s);

#endif
