#ifndef ETLS_CONTROLLER_LOAD_H
#define ETLS_CONTROLLER_LOAD_H

#include <stddef.h>

#include "controller/fingerprint.h"
#include "model/desired.h"

/*
 * Read the desired state named by `-f PATH`: one JSON file, or a directory
 * whose `*.json` files (sorted by name, not recursive) each describe one
 * service.  This is the I/O half of model_service_parse().
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
