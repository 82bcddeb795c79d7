#ifndef ETLS_SIM_SDK_API_H
#define ETLS_SIM_SDK_API_H

/*
 * dcos-sim SDK scheduler API (sim/sdk_api.c): /service/<name>/v1 plans,
 * pods, endpoints, configurations, health and state, served while the
 * scheduler is up.
 */

struct sim;
struct sim_req;
struct sim_resp;

/* Handler of everything under /service/ (the scheduler API). */
void sdk_api_handle(struct sim *s, const struct sim_req *req,
                    struct sim_resp *resp);

#endif
