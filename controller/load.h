#ifndef ETLS_CONTROLLER_LOAD_H
#define ETLS_CONTROLLER_LOAD_H

#include <stddef.h>

#include "controller/fingerprint.h"
#include "model/desired.h"

/* The name standard input (`-f -`) has in diagnostics. */
#define LOAD_STDIN_NAME "<stdin>"

/* 1 when the file name @name is a document's by its extension (.json,
 * .yaml, .yml), else 0; a name starting with '.' is the caller's call. */
int load_is_doc_name(const char *name);

/*
 * Read the desired state named by `-f PATH`: one document (JSON, or YAML
 * when its name ends in .yaml or .yml), a directory whose `.json`, `.yaml`
 * and `.yml` files (sorted by name, not recursive; names starting with
 * '.' ignored) each describe one service, or `-`: one document on
 * standard input (JSON when it starts with '{', else YAML).  This is the
 * I/O half of model_service_parse() and model_service_parse_yaml().
 *
 * Returns 0 and fills @out (zeroed by the caller), or ERR_INVALID with every
 * problem in @diags (file-level problems such as "cannot read" included),
 * leaving @out empty.
 */
int load_desired(struct model_desired *out, const char *path,
                 struct model_diags *diags);

/* One document read by load_desired_docs(). */
struct load_doc {
    char *path;         /* as read: PATH, or PATH/<name>.json */
    char sha256[FINGERPRINT_LEN]; /* "sha256:<hex>" of the bytes parsed */
};

/* The documents of one load, in the order they were read. */
struct load_docs {
    struct load_doc *items;
    size_t n;
    char **skipped;     /* files of a directory that are no document */
    size_t n_skipped;
};

/*
 * load_desired(), also naming every document read and the SHA-256 of the
 * exact bytes parsed into @docs (zeroed by the caller; filled even when a
 * document is invalid; free with load_docs_clear).
 */
int load_desired_docs(struct model_desired *out, const char *path,
                      struct model_diags *diags, struct load_docs *docs);

/* Free what @docs holds and zero it. */
void load_docs_clear(struct load_docs *docs);

#endif
