/*
 * The vendored package definitions (catalog.h); the data is generated at
 * build time by cmake/GenCatalog.cmake.
 */
#include "model/catalog.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The parsed schemas, by index in model_catalog_pkgs (parse_all). */
static pthread_once_t parse_once = PTHREAD_ONCE_INIT;
static json_t **parsed;
static int parse_err;

static void parse_all(void)
{
    size_t i;

    parsed = calloc(model_catalog_count + 1, sizeof(*parsed));
    if (!parsed) {
        parse_err = ERR_NOMEM;
        return;
    }
    for (i = 0; i < model_catalog_count; i++) {
        const struct model_catalog_pkg *p = &model_catalog_pkgs[i];
        json_error_t je;

        parsed[i] = json_loadb((const char *)p->config, p->config_len,
                               JSON_REJECT_DUPLICATES, &je);
        if (!parsed[i] && json_error_code(&je) == json_error_out_of_memory)
            parse_err = ERR_NOMEM;
    }
}

int model_catalog_schema(const json_t **out,
                         const struct model_catalog_pkg *p)
{
    size_t i = (size_t)(p - model_catalog_pkgs);

    assert(i < model_catalog_count);
    if (pthread_once(&parse_once, parse_all) != 0)
        return ERR_INTERNAL;
    if (!parsed || !parsed[i])
        return parse_err ? parse_err : ERR_INVALID;
    if (!json_is_object(parsed[i]))
        return ERR_INVALID;
    *out = parsed[i];
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
