/*
 * Managed package options (managed.h).  Decisions: docs/plan.md,
 * "package".
 */
#include "managed.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "options_diff.h"

static const char *const PATH_TLS[] = {
    "service", "security", "transport_encryption", "enabled", NULL
};
static const char *const PATH_XPACK[] = {
    "elasticsearch", "xpack_enabled", NULL
};
static const char *const PATH_ACCOUNT[] = {
    "service", "service_account", NULL
};
static const char *const PATH_SECRET[] = {
    "service", "service_account_secret", NULL
};
static const char *const PATH_STRATEGY[] = {
    "service", "update_strategy", NULL
};

static const char *const *const PATHS[MANAGED_COUNT] = {
    PATH_TLS, PATH_XPACK, PATH_ACCOUNT, PATH_SECRET, PATH_STRATEGY
};

static const char *const NAMES[MANAGED_COUNT] = {
    "service.security.transport_encryption.enabled",
    "elasticsearch.xpack_enabled", "service.service_account",
    "service.service_account_secret", "service.update_strategy"
};

const char *const *managed_path(enum managed_field m)
{
    return m < MANAGED_COUNT ? PATHS[m] : PATHS[MANAGED_TLS];
}

/* The desired value of @m (new); NULL on ENOMEM. */
static json_t *desired_value(const struct model_service *d,
                             enum managed_field m)
{
    switch (m) {
    case MANAGED_TLS:
        return json_boolean(d->tls);
    case MANAGED_XPACK:
        return json_boolean(d->xpack);
    case MANAGED_ACCOUNT:
        return json_string(d->account ? d->account : "");
    case MANAGED_SECRET:
        return json_string(d->secret_path ? d->secret_path : "");
    default:
        return json_string(d->update_strategy ? d->update_strategy
                                              : "serial");
    }
}

/* @want equals what @resolved holds at @m (missing: the default). */
static bool resolved_equal(const json_t *want, const json_t *resolved,
                           enum managed_field m)
{
    const json_t *have = options_lookup(resolved, PATHS[m]);

    if (have)
        return options_value_equal(want, have);
    if (json_is_boolean(want))
        return json_is_false(want);
    return strcmp(json_string_value(want),
                  m == MANAGED_STRATEGY ? "serial" : "") == 0;
}

int managed_put(json_t *options, unsigned *defaults,
                const struct model_service *d, const json_t *resolved,
                enum managed_field m)
{
    json_t *want;

    if (m >= MANAGED_COUNT || options_lookup(d->options, PATHS[m]))
        return 0;
    want = desired_value(d, m);
    if (!want)
        return ERR_NOMEM;
    if (resolved_equal(want, resolved, m)) {
        json_decref(want);
        return 0;
    }
    *defaults |= 1u << m;
    return options_put(options, PATHS[m], want);
}

int managed_reason(struct buf *b, const json_t *options, unsigned defaults,
                   const char *sep)
{
    const char *join = "";
    char *v;
    int m, r;

    if (!defaults)
        return 0;
    r = buf_printf(b, "%spackage defaults differ from the running service "
                   "(not set in the document): ", sep);
    for (m = 0; r == 0 && m < MANAGED_COUNT; m++) {
        if (!(defaults & (1u << m)))
            continue;
        v = json_dumps(options_lookup(options, PATHS[m]), JSON_ENCODE_ANY);
        if (!v)
            return ERR_NOMEM;
        r = buf_printf(b, "%s%s = %s", join, NAMES[m], v);
        free(v);
        join = ", ";
    }
    return r;
}
