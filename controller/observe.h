#ifndef ETLS_CONTROLLER_OBSERVE_H
#define ETLS_CONTROLLER_OBSERVE_H

#include <stdbool.h>

#include "common/err.h"
#include "controller/observe_cluster.h"
#include "model/desired.h"
#include "model/observed.h"

/*
 * Observation: what the cluster holds for each desired service, read
 * through dcos/ (read-only requests only) into model_observed.
 */
struct dcos_client;

/* One observation in flight (observe_submit .. observe_collect). */
struct observe_run;

/*
 * Submit the reads of every service of @d into @out (d->n_services
 * entries, each initialised here; free them with model_observed_clear
 * whatever the result): all reads of one service at once, services
 * concurrently (as many as observe_pump lets in), follow-up reads as
 * answers arrive; also the cluster facts into @cl (the CA only when
 * @cl->ca_pem is NULL).  @d, @cl and @out must outlive the run.  Then let
 * the client's loop run until observe_pump returns true and nothing is
 * pending (or a deadline) and call observe_collect.  Returns 0 and sets
 * *@run (new), or ERR_NOMEM before anything was submitted.  @lean: keep
 * of each service's options only what planning reads
 * (reconcilers_options_needed), not what a saved plan's fingerprint
 * covers (the user's options, every resolved one).
 */
int observe_submit(struct observe_run **run, struct dcos_client *client,
                   const struct model_desired *d, struct observe_cluster *cl,
                   struct model_observed *out, bool lean,
                   struct err_info *e);

/*
 * Requests queued or running, per connection the client's loop may open,
 * above which observe_pump submits no more services: enough to keep every
 * connection busy, few enough that a run over thousands of services does
 * not build all their requests at once (eight per service, ~2 KB each).
 */
#define OBSERVE_WINDOW_PER_CONNECTION 8

/*
 * Submit the reads of more services of @run while fewer than
 * OBSERVE_WINDOW_PER_CONNECTION x (the loop's connection bound) requests
 * are pending on its client's loop.  Call it as answers come (each pass
 * of the loop).  true once every service was submitted (or a submission
 * failed: observe_collect reports it).
 */
bool observe_pump(struct observe_run *run);

/*
 * End @run (freed here): reads still out are cancelled (@timed_out: the
 * deadline passed).  Returns 0, or a negative enum err with @e naming the
 * service and the read that failed.  The catalog, the plan-time HTTPS
 * check and the preflight are later waves (observe_catalog.h,
 * https_probe.h, preflight.h).
 */
int observe_collect(struct observe_run *run, bool timed_out,
                    struct err_info *e);

#endif
