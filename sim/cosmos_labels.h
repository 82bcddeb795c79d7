#ifndef ETLS_SIM_COSMOS_LABELS_H
#define ETLS_SIM_COSMOS_LABELS_H

#include <jansson.h>

/*
 * dcos-sim Cosmos app labels (sim/cosmos_labels.c): the labels Cosmos
 * writes over the template's labels of a package's Marathon app
 * (PackageDefinitionRenderer.nonOverridableLabels; the same set for
 * packaging versions 2.0 to 5.0, dcos-cli-and-cluster.md 6).
 */

struct catalog_pkg;

/*
 * The labels of package @p installed with the user options @user (NULL =
 * none): DCOS_PACKAGE_NAME, DCOS_PACKAGE_VERSION, DCOS_PACKAGE_SOURCE,
 * DCOS_PACKAGE_OPTIONS (base64 of @user, compact, nulls dropped) and
 * DCOS_PACKAGE_DEFINITION (base64 of the storage envelope of the gzipped
 * package definition).  New object, or NULL when out of memory.
 */
json_t *cosmos_labels(const struct catalog_pkg *p, const json_t *user);

#endif
