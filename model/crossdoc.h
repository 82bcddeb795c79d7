#ifndef ETLS_MODEL_CROSSDOC_H
#define ETLS_MODEL_CROSSDOC_H

#include "model/service.h"

/*
 * Rules between the documents of one `-f` directory (docs/manifest.md,
 * "Rules between documents"): two services share no Marathon app id (the
 * service name up to a leading '/'), no service account and no service
 * account secret path; otherwise every apply of one would undo the other.
 * Pure: no I/O.
 */

/*
 * Check @svc against every service already in @d.  Each conflict is one
 * diag at @svc's member (file:line:col) whose message names the other
 * service's file:line:col.
 *
 * @return the number of conflicts (0: none), or ERR_NOMEM.
 */
int crossdoc_check(const struct model_desired *d,
                   const struct model_service *svc,
                   struct model_diags *diags);

#endif
