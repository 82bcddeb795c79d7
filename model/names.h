#ifndef ETLS_MODEL_NAMES_H
#define ETLS_MODEL_NAMES_H

/*
 * Names derived from a service name: its Marathon app id and where etls
 * keeps its own records for the service in the secret store.  Pure.
 */

/* Secret-store folder of etls's records (docs/plan.md, "Leases"). */
#define MODEL_STATE_ROOT "etls"

/*
 * Leaf of the pending-restart record: written before a secret the
 * scheduler must restart to read, deleted once the restart was taken.
 */
#define MODEL_RESTART_MARKER_LEAF "restart-pending"

/*
 * Marathon app id of service @name: "/<name>" (a leading '/' is kept, not
 * doubled).  New string, NULL on ENOMEM.
 */
char *model_app_id(const char *name);

/*
 * Secret path of etls's record @leaf for service @name:
 * "etls/<name with '/' written as '__'>/<leaf>" (app ids never hold '_',
 * so services never share a folder).  A leading '/' of @name is dropped.
 * New string, NULL on ENOMEM.
 */
char *model_state_path(const char *name, const char *leaf);

#endif
