/* Lease records and their names (lease.h). */
#include "model/lease.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
#include "common/util.h"
#include "model/names.h"

char *model_lease_format(const struct model_lease *l)
{
    json_t *j = json_pack("{s:s, s:s, s:I, s:I}", "holder",
                          l->holder ? l->holder : "", "id",
                          l->id ? l->id : "", "acquired",
                          (json_int_t)l->acquired, "expires",
                          (json_int_t)l->expires);
    char *s;

    if (!j)
        return NULL;
    s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    return s;
}

int model_lease_parse(struct model_lease *out, const char *text, size_t len)
{
    const char *holder, *id;
    json_int_t acquired, expires;
    struct model_lease l;
    json_t *j;
    int r = 0;

    j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    if (!j)
        return ERR_INVALID;
    if (json_unpack(j, "{s:s, s:s, s:I, s:I}", "holder", &holder, "id", &id,
                    "acquired", &acquired, "expires", &expires) != 0) {
        json_decref(j);
        return ERR_INVALID;
    }
    memset(&l, 0, sizeof(l));
    l.holder = strndup(holder, MODEL_LEASE_HOLDER_MAX);
    l.id = strdup(id);
    l.acquired = (long long)acquired;
    l.expires = (long long)expires;
    if (!l.holder || !l.id) {
        model_lease_clear(&l);
        r = ERR_NOMEM;
    } else {
        *out = l;
    }
    json_decref(j);
    return r;
}

void model_lease_clear(struct model_lease *l)
{
    free(l->holder);
    free(l->id);
    memset(l, 0, sizeof(*l));
}

unsigned long model_lease_top(char *const *names, size_t n)
{
    unsigned long top = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        long v;

        if (names[i] && names[i][0] != '0' &&
            util_parse_long(&v, names[i], 1, 1000000000L) == 0 &&
            (unsigned long)v > top)
            top = (unsigned long)v;
    }
    return top;
}

char *model_lease_path(const char *name, unsigned long gen)
{
    char leaf[sizeof(MODEL_LEASE_LEAF) + 24];

    if (gen)
        snprintf(leaf, sizeof(leaf), "%s/%lu", MODEL_LEASE_LEAF, gen);
    else
        snprintf(leaf, sizeof(leaf), "%s", MODEL_LEASE_LEAF);
    return model_state_path(name, leaf);
}
