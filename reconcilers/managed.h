#ifndef ETLS_RECONCILERS_MANAGED_H
#define ETLS_RECONCILERS_MANAGED_H

#include <jansson.h>

#include "common/buf.h"
#include "model/desired.h"

/*
 * Managed package options (docs/plan.md, "package", managed fields): the
 * transport encryption flag, X-Pack, the service account, its secret and
 * update_strategy are compared with the service's resolved options whether
 * the document sets them or leaves the package default.  The desired value
 * is that of struct model_service (defaulted by the parser like the
 * package's config.json); a member missing from the resolved options means
 * the package default (false, "", "serial").  Pure.
 */
enum managed_field {
    MANAGED_TLS = 0,  /* service.security.transport_encryption.enabled */
    MANAGED_XPACK,    /* elasticsearch.xpack_enabled */
    MANAGED_ACCOUNT,  /* service.service_account */
    MANAGED_SECRET,   /* service.service_account_secret */
    MANAGED_STRATEGY, /* service.update_strategy */
    MANAGED_COUNT
};

/* The member path of field @m (NULL-terminated keys, for options_lookup). */
const char *const *managed_path(enum managed_field m);

/*
 * When the document of @d leaves field @m unset and its desired value
 * differs from @resolved, put that value into @options (the options the
 * update sends) and set bit (1u << @m) in *@defaults.  The fields the
 * document sets are left alone: they are compared with the other options
 * it sets.  Returns 0 or ERR_NOMEM.
 */
int managed_put(json_t *options, unsigned *defaults,
                const struct model_service *d, const json_t *resolved,
                enum managed_field m);

/*
 * Append to @b, after @sep, "package defaults differ from the running
 * service (not set in the document): <dotted path> = <JSON value>, ..."
 * for every field in @defaults, the values taken from @options.  Nothing
 * when @defaults is 0.  Returns 0 or the buf_printf error.
 */
int managed_reason(struct buf *b, const json_t *options, unsigned defaults,
                   const char *sep);

#endif
