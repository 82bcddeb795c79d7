#ifndef ETLS_DCOS_LOGIN_H
#define ETLS_DCOS_LOGIN_H

#include <stdbool.h>

#include "common/err.h"

/*
 * Logging the client in (internal to dcos/; dcos-api.md 5): POST
 * /acs/api/v1/auth/login with the uid and the password, or with a
 * service-login JWT signed by the private key (dcos/keys.h).  One login at
 * a time; calls that need the token wait for it in the client.
 */

struct dcos_client;

/* 1 when @c holds credentials to log in with (uid + password or key). */
bool dcos_login_possible(const struct dcos_client *c);

/* Start a login unless one is running.  0 or a negative err
 * (ERR_INVALID: no credentials). */
int dcos_login_start(struct dcos_client *c);

/*
 * End a login: the dcos_client_login waiters get @err and @status; the
 * waiting calls are started (or failed with @err), in arrival order.
 */
void dcos_login_finish(struct dcos_client *c, const struct err_info *err,
                       long status);

#endif
