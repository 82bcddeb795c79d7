#ifndef ETLS_DCOS_URL_H
#define ETLS_DCOS_URL_H

#include "common/err.h"

/*
 * The check of a cluster URL before anything is sent to it or printed
 * with it: https:// only (etls sends a password and tokens; plain http is
 * refused, also with --insecure, which only skips the certificate check),
 * a host, and no user information (user:password@), query (?...),
 * fragment (#...), space or control character.  A path is allowed (a
 * cluster behind a prefix); the API paths are appended to it.
 *
 * Returns 0, or ERR_INVALID with @e (may be NULL) saying what is wrong
 * without repeating the URL (it may hold a password).
 */
int dcos_url_check(const char *url, struct err_info *e);

#endif
