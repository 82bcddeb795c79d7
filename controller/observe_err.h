#ifndef ETLS_CONTROLLER_OBSERVE_ERR_H
#define ETLS_CONTROLLER_OBSERVE_ERR_H

#include "common/err.h"

/*
 * Keep the first fatal error of observing one service in @first, phrased
 * for people: @what says which read failed ("reading the service account
 * secret"); a 401 or 403 says what to do about the credentials.  Later
 * errors are dropped.
 */
void observe_err(struct err_info *first, const struct err_info *err,
                 const char *what);

#endif
