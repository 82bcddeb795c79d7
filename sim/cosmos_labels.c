/*
 * dcos-sim Cosmos app labels: the five labels Cosmos writes on the
 * Marathon app of a package (cosmos-common PackageDefinitionRenderer,
 * MarathonApp, StorageEnvelope).  See cosmos_labels.h.
 */
#include "sim/cosmos_labels.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zlib.h>

#include "common/util.h"
#include "sim/catalog.h"

#define COSMOS_SOURCE "https://universe.mesosphere.com/repo"
#define GZIP_MAX (16u * 1024u * 1024u)

/* @o without its null members, at every depth (new) or NULL. */
static json_t *drop_nulls(const json_t *o)
{
    json_t *out, *v;
    const char *k;
    size_t i;

    if (json_is_object(o)) {
        out = json_object();
        json_object_foreach((json_t *)o, k, v) {
            json_t *c;

            if (json_is_null(v))
                continue;
            c = drop_nulls(v);
            if (!out || !c || json_object_set_new(out, k, c) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    }
    if (json_is_array(o)) {
        out = json_array();
        json_array_foreach(o, i, v) {
            json_t *c = drop_nulls(v);

            if (!out || !c || json_array_append_new(out, c) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    }
    return json_deep_copy(o);
}

/* Base64 of the compact JSON of @j (new) or NULL. */
static char *json_b64(const json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL,
         *out;

    if (!text)
        return NULL;
    out = util_b64_encode(text, strlen(text));
    free(text);
    return out;
}

/* gzip (RFC 1952) of @data[0..len), base64-encoded (new) or NULL. */
static char *gzip_b64(const char *data, size_t len)
{
    z_stream z;
    unsigned char *out;
    size_t cap;
    char *b64 = NULL;

    if (len > GZIP_MAX)
        return NULL;
    memset(&z, 0, sizeof(z));
    /* 15 + 16: a gzip header and trailer around the deflate stream */
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    cap = deflateBound(&z, (uLong)len);
    out = malloc(cap);
    if (out) {
        z.next_in = (Bytef *)(uintptr_t)data;
        z.avail_in = (uInt)len;
        z.next_out = out;
        z.avail_out = (uInt)cap;
        if (deflate(&z, Z_FINISH) == Z_STREAM_END)
            b64 = util_b64_encode(out, z.total_out);
        free(out);
    }
    deflateEnd(&z);
    return b64;
}

/* The universe media type of a packagingVersion ("4.0" -> v4). */
static const char *package_media_type(const struct catalog_pkg *p)
{
    const char *pv = json_string_value(json_object_get(p->package,
                                                       "packagingVersion"));

    if (pv && strcmp(pv, "2.0") == 0)
        return "application/vnd.dcos.universe.package+json;charset=utf-8;"
               "version=v2";
    if (pv && strcmp(pv, "3.0") == 0)
        return "application/vnd.dcos.universe.package+json;charset=utf-8;"
               "version=v3";
    if (pv && strcmp(pv, "5.0") == 0)
        return "application/vnd.dcos.universe.package+json;charset=utf-8;"
               "version=v5";
    return "application/vnd.dcos.universe.package+json;charset=utf-8;"
           "version=v4";
}

/* DCOS_PACKAGE_DEFINITION of @p (new) or NULL. */
static char *definition_label(const struct catalog_pkg *p)
{
    json_t *def = catalog_package_definition(p), *env = NULL;
    char *text = def ? json_dumps(def, JSON_COMPACT) : NULL, *data = NULL,
         *out = NULL;

    if (text)
        data = gzip_b64(text, strlen(text));
    if (data)
        env = json_pack("{s:{s:s,s:s},s:s}", "metadata", "Content-Type",
                        package_media_type(p), "Content-Encoding", "gzip",
                        "data", data);
    if (env)
        out = json_b64(env);
    json_decref(env);
    json_decref(def);
    free(text);
    free(data);
    return out;
}

/* See cosmos_labels.h. */
json_t *cosmos_labels(const struct catalog_pkg *p, const json_t *user)
{
    json_t *opts = user ? drop_nulls(user) : json_object(), *labels = NULL;
    char *opts64 = json_b64(opts), *def64 = definition_label(p);

    if (opts64 && def64)
        labels = json_pack("{s:s,s:s,s:s,s:s,s:s}", "DCOS_PACKAGE_NAME",
                           p->name, "DCOS_PACKAGE_VERSION", p->version,
                           "DCOS_PACKAGE_SOURCE", COSMOS_SOURCE,
                           "DCOS_PACKAGE_OPTIONS", opts64,
                           "DCOS_PACKAGE_DEFINITION", def64);
    json_decref(opts);
    free(opts64);
    free(def64);
    return labels;
}
