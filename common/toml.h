#ifndef ETLS_COMMON_TOML_H
#define ETLS_COMMON_TOML_H

#include <stddef.h>

#include "common/err.h"

/*
 * A reader of the TOML subset that configuration files such as the dcos
 * CLI's dcos.toml use: comments, `[table]` and `[a.b]` headers, `key =
 * value` lines with bare or quoted keys, basic and literal strings,
 * integers, floats, booleans, and arrays (handed over as their text).
 * Multi-line strings, inline tables, dotted keys and arrays of tables are
 * refused.  Pure, no I/O.  Decoded strings pass through a buffer that is
 * wiped before it is freed (a value may be a token).
 */

enum toml_kind {
    TOML_STRING = 0,
    TOML_INTEGER,
    TOML_FLOAT,
    TOML_BOOL,
    TOML_ARRAY /* the array's text, as written */
};

/*
 * Called for every key: @table ("" before the first header), @key, the
 * value @value (@len bytes, NUL-terminated; strings decoded, other kinds
 * as written), its @kind and 1-based @line.  Returns 0, or a negative
 * enum err that stops the reading.
 */
typedef int (*toml_value_fn)(const char *table, const char *key,
                             const char *value, size_t len,
                             enum toml_kind kind, int line, void *payload);

/*
 * Read the @len bytes at @text.  Returns 0, the error of @fn, ERR_NOMEM,
 * or ERR_INVALID with "line L: <why>" in @e (a key defined twice
 * included).
 */
int toml_read(const char *text, size_t len, toml_value_fn fn, void *payload,
              struct err_info *e);

#endif
