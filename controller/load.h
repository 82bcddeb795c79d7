#ifndef ETLS_CONTROLLER_LOAD_H
#define ETLS_CONTROLLER_LOAD_H

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

#endif
