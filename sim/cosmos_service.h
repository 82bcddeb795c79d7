#ifndef ETLS_SIM_COSMOS_SERVICE_H
#define ETLS_SIM_COSMOS_SERVICE_H

/*
 * dcos-sim Cosmos service operations (sim/cosmos_service.c): the
 * operations of /cosmos/service/describe and /cosmos/service/update.
 */

struct cosmos_op;

extern const struct cosmos_op cosmos_op_svc_describe;
extern const struct cosmos_op cosmos_op_svc_update;

#endif
