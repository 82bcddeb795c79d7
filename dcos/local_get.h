#ifndef ETLS_DCOS_LOCAL_GET_H
#define ETLS_DCOS_LOCAL_GET_H

#include "common/err.h"

/*
 * One blocking `GET @url` of plain HTTP (the status server of etls run:
 * `etls status --server URL`), bounded by @timeout_s.  No credentials are
 * sent and nothing secret is received.  Returns 0 with *@body (new,
 * NUL-terminated) and *@status, or a negative err with @e set (only
 * http:// URLs are accepted).
 */
int dcos_local_get(const char *url, double timeout_s, char **body,
                   long *status, struct err_info *e);

#endif
