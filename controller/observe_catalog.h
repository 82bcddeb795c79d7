#ifndef ETLS_CONTROLLER_OBSERVE_CATALOG_H
#define ETLS_CONTROLLER_OBSERVE_CATALOG_H

#include <stdbool.h>

#include "common/err.h"
#include "model/desired.h"
#include "model/observed.h"

/*
 * The package catalog part of observation (issue 8): for each service, the
 * package version that will run and its options schema, from
 * `POST /package/describe` (read-only), once per distinct package and
 * version of the run.  The version is the pinned one; else, for an
 * installed service of the same package, the running one; else (an
 * install) what describe without a version answers, the catalog's latest.
 */
struct dcos_client;

/* One catalog wave in flight. */
struct observe_catalog;

/*
 * Submit, before anything is observed, one describe per distinct package
 * and pinned version of @d (the catalog's latest when unpinned): what most
 * services will need, so that observe_catalog_submit has nothing left to
 * ask when the running version is the pinned or the latest one, and a
 * plan costs one round trip less.  Sets *@c (new; hand it to
 * observe_catalog_submit) and returns 0, or ERR_NOMEM.
 */
int observe_catalog_prefetch(struct observe_catalog **c,
                             struct dcos_client *client,
                             const struct model_desired *d,
                             struct err_info *e);

/*
 * Submit the reads that fill the catalog fields (catalog,
 * catalog_version, catalog_schema) of @out[i] for each service of @d,
 * whose other observations are done: only those the prefetch (*@c
 * non-NULL, its answers in) did not already make.  @d and @out must
 * outlive the wave.  Then let the loop run dry (or a deadline) and call
 * observe_catalog_collect.  Returns 0 and sets *@c (new unless it was
 * set), or ERR_NOMEM before anything was submitted.
 */
int observe_catalog_submit(struct observe_catalog **c,
                           struct dcos_client *client,
                           const struct model_desired *d,
                           struct model_observed *out, struct err_info *e);

/*
 * End the wave @c (freed; reads still out are cancelled, @timed_out: the
 * deadline passed) and fill the fields.  A package or version the catalog
 * lacks is MODEL_ABSENT (the reconciler decides what that means).
 * Returns 0, or a negative enum err with @e naming the service and the
 * read that failed.
 */
int observe_catalog_collect(struct observe_catalog *c, bool timed_out,
                            struct err_info *e);

#endif
