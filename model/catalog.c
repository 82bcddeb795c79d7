/*
 * The vendored package definitions (catalog.h); the data is generated at
 * build time by cmake/GenCatalog.cmake.
 */
#include "model/catalog.h"

#include <stdio.h>
#include <string.h>

#include "common/err.h"

const struct model_catalog_pkg *model_catalog_find(const char *name,
                                                   const char *version)
{
    const struct model_catalog_pkg *best = NULL;
    size_t i;

    if (!name)
        return NULL;
    for (i = 0; i < model_catalog_count; i++) {
        const struct model_catalog_pkg *p = &model_catalog_pkgs[i];

        if (strcmp(p->name, name) != 0)
            continue;
        if (version ? strcmp(p->version, version) == 0
                    : !best || p->release > best->release)
            best = p;
    }
    return best;
}

int model_catalog_schema(json_t **out, const struct model_catalog_pkg *p)
{
    json_error_t je;
    json_t *j;

    j = json_loadb((const char *)p->config, p->config_len,
                   JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return json_error_code(&je) == json_error_out_of_memory
                   ? ERR_NOMEM
                   : ERR_INVALID;
    if (!json_is_object(j)) {
        json_decref(j);
        return ERR_INVALID;
    }
    *out = j;
    return 0;
}

void model_catalog_versions(char *buf, size_t size, const char *name)
{
    unsigned last = 0;
    size_t len = 0;

    if (size == 0)
        return;
    buf[0] = '\0';
    for (;;) {
        const struct model_catalog_pkg *next = NULL;
        size_t i;
        int n;

        /* The next revision after @last: oldest first, any table order. */
        for (i = 0; i < model_catalog_count; i++) {
            const struct model_catalog_pkg *p = &model_catalog_pkgs[i];

            if (strcmp(p->name, name) == 0 && p->release > last &&
                (!next || p->release < next->release))
                next = p;
        }
        if (!next)
            return;
        last = next->release;
        n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
                     next->version);
        if (n < 0 || (size_t)n >= size - len) {
            buf[len] = '\0'; /* cut between versions */
            return;
        }
        len += (size_t)n;
    }
}
