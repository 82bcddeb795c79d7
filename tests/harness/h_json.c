/* Strings and JSON for the tests.  See h_json.h. */
#include "harness/h_json.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"

#define H_FMT_MAX (16u * 1024 * 1024)

char *h_fmt(const char *fmt, ...)
{
    struct buf b;
    va_list ap;
    int r;

    buf_init(&b, H_FMT_MAX);
    va_start(ap, fmt);
    r = buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (r != 0)
        fail_msg("h_fmt: out of memory");
    return buf_detach(&b);
}

json_t *h_jget(const json_t *o, const char *path)
{
    char buf[256], *save = NULL, *tok;
    json_t *cur = (json_t *)(uintptr_t)o;

    if (strlen(path) >= sizeof(buf))
        fail_msg("h_jget: path too long: %s", path);
    memcpy(buf, path, strlen(path) + 1);
    for (tok = strtok_r(buf, ".", &save); tok && cur;
         tok = strtok_r(NULL, ".", &save))
        cur = json_object_get(cur, tok);
    return cur;
}

const char *h_jstr(const json_t *o, const char *path)
{
    return json_string_value(h_jget(o, path));
}

json_t *h_jnamed(const json_t *arr, const char *name)
{
    size_t i;
    json_t *v;

    json_array_foreach(arr, i, v)
        if (h_jstr(v, "name") && strcmp(h_jstr(v, "name"), name) == 0)
            return v;
    return NULL;
}

char *h_json_text(const char *fmt, ...)
{
    json_error_t jerr;
    va_list ap;
    json_t *j;
    char *s;

    va_start(ap, fmt);
    j = json_vpack_ex(&jerr, 0, fmt, ap);
    va_end(ap);
    if (!j)
        fail_msg("json_pack: %s", jerr.text);
    s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s)
        fail_msg("json_dumps failed");
    return s;
}

json_t *h_json_parse(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);

    if (!v)
        fail_msg("bad test JSON (%s): %s", jerr.text, text);
    return v;
}

json_t *h_json_load(const char *path)
{
    json_error_t jerr;
    json_t *v = json_load_file(path, JSON_DECODE_ANY, &jerr);

    if (!v)
        fail_msg("cannot load %s: %s", path, jerr.text);
    return v;
}

json_t *h_fixture_json(const char *relpath)
{
    char *path = h_fmt("%s/%s", ETLS_FIXTURES_DIR, relpath);
    json_t *v = h_json_load(path);

    free(path);
    return v;
}

int h_keys_subset(const json_t *sub, const json_t *super)
{
    const char *key;
    json_t *v;

    if (!json_is_object(sub) || !json_is_object(super))
        return 0;
    json_object_foreach((json_t *)(uintptr_t)sub, key, v) {
        if (!json_object_get(super, key)) {
            print_message("member \"%s\" missing\n", key);
            return 0;
        }
    }
    return 1;
}

int h_same_keys(const json_t *a, const json_t *b)
{
    return h_keys_subset(a, b) && h_keys_subset(b, a);
}

json_t *h_schema_defaults(const json_t *schema)
{
    const json_t *props = json_object_get(schema, "properties");
    const char *key;
    json_t *v, *out;

    if (!json_is_object(props))
        return json_incref(json_object_get(schema, "default"));
    out = json_object();
    if (!out)
        fail_msg("h_schema_defaults: out of memory");
    json_object_foreach((json_t *)(uintptr_t)props, key, v) {
        json_t *d = h_schema_defaults(v);

        if (d && json_object_set_new(out, key, d) != 0)
            fail_msg("h_schema_defaults: out of memory");
    }
    return out;
}

void h_expect_json_eq(const json_t *got, const char *want_text)
{
    json_t *want = h_json_parse(want_text);

    if (!got || !json_equal(got, want)) {
        char *g = got ? json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS |
                                            JSON_ENCODE_ANY)
                      : NULL;

        fail_msg("JSON differs\n got: %s\nwant: %s", g ? g : "(null)",
                 want_text);
    }
    json_decref(want);
}
