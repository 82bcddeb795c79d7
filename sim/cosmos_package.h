#ifndef ETLS_SIM_COSMOS_PACKAGE_H
#define ETLS_SIM_COSMOS_PACKAGE_H

/*
 * dcos-sim Cosmos package operations (sim/cosmos_package.c): the
 * operations of /package/install, list, describe, uninstall,
 * list-versions, search and repository/list, with their media types and
 * request bodies.
 */

struct cosmos_op;

extern const struct cosmos_op cosmos_op_install;
extern const struct cosmos_op cosmos_op_list;
extern const struct cosmos_op cosmos_op_describe;
extern const struct cosmos_op cosmos_op_uninstall;
extern const struct cosmos_op cosmos_op_list_versions;
extern const struct cosmos_op cosmos_op_search;
extern const struct cosmos_op cosmos_op_repo_list;

#endif
