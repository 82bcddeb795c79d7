#ifndef ETLS_CONTROLLER_ENGINE_INTERNAL_H
#define ETLS_CONTROLLER_ENGINE_INTERNAL_H

#include <stdio.h>

#include "common/err.h"
#include "controller/cli.h"
#include "dcos/client.h"
#include "model/desired.h"
#include "model/observed.h"
#include "model/plan.h"

/* Shared between engine.c (connect, observe, plan) and apply.c. */
struct engine {
    const struct cli *cli;
    struct dcos_client *client;
    char *ca_pem;            /* cluster CA bundle (GET /ca/dcos-ca.crt) */
    char *dcos_version;
    /* Observations of the last engine_plan(), one per service. */
    struct model_observed *observed;
    size_t n_observed;
};

/* Poll interval of rollout waits and verification retries, seconds. */
#define ENGINE_POLL_INTERVAL 0.5

/* Run the client's loop until idle, bounded by the request timeout. */
int engine_run_idle(struct engine *eng, double timeout_s);

/* Sleep @seconds (bounded, EINTR-safe). */
void engine_sleep(double seconds);

#endif
