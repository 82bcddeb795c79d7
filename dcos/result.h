#ifndef ETLS_DCOS_RESULT_H
#define ETLS_DCOS_RESULT_H

#include <stddef.h>

#include <jansson.h>

#include "common/err.h"
#include "common/secret.h"

/*
 * What every typed call of the DC/OS client (client.h) completes with.
 * Types only: the client's public header and its internal call machinery
 * (call.h) both build on it.
 */

/* What a typed call got.  Everything is borrowed for the callback only. */
struct dcos_result {
    long status;               /* HTTP status, 0 when none */
    json_t *json;              /* parsed body when it is JSON, else NULL */
    const char *body;          /* raw body (NULL for secret-bearing ones) */
    size_t body_len;
    const char *content_type;  /* NULL when absent */
    const struct secret *secret; /* dcos_secret_get: the value, else NULL */
    struct err_info err;       /* code 0 = expected success */
    unsigned attempts;         /* HTTP attempts made (retries, a replay
                                  after a re-login); 0 when none was */
};

typedef void (*dcos_done_fn)(const struct dcos_result *r, void *payload);

/*
 * One HTTP attempt of a typed call as an observer sees it (metrics):
 * which API (static: "metadata", "ca", "iam", "secrets", "cosmos",
 * "sdk", "marathon"; a login is "iam"), the method (static) and the
 * HTTP status (0 when no answer came: a transport failure).  Nothing
 * secret: no path, header or body.
 */
struct dcos_request_event {
    const char *api;
    const char *method;
    long status;
};

typedef void (*dcos_observer_fn)(const struct dcos_request_event *ev,
                                 void *payload);

#endif
