/* YAML twins of JSON documents (h_yaml.h). */
#include "harness/h_yaml.h"

#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* YAML 1.2.2, 10.3.2 (core schema), as POSIX extended regexes. */
static const char *const typed[] = {
    "^(null|Null|NULL|~|)$",
    "^(true|True|TRUE|false|False|FALSE)$",
    "^[-+]?[0-9]+$",
    "^0o[0-7]+$",
    "^0x[0-9a-fA-F]+$",
    "^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$",
    "^[-+]?\\.(inf|Inf|INF)$",
    "^\\.(nan|NaN|NAN)$",
};

int h_yaml_plain_is_typed(const char *s)
{
    size_t i;

    for (i = 0; i < sizeof(typed) / sizeof(typed[0]); i++) {
        regex_t re;
        int m;

        if (regcomp(&re, typed[i], REG_EXTENDED | REG_NOSUB))
            return 1;
        m = regexec(&re, s, 0, NULL, 0) == 0;
        regfree(&re);
        if (m)
            return 1;
    }
    return 0;
}

static int scalar(yaml_emitter_t *em, const char *text, int plain_ok)
{
    yaml_event_t e;

    if (!yaml_scalar_event_initialize(&e, NULL, NULL,
                                      (yaml_char_t *)(uintptr_t)text,
                                      (int)strlen(text), plain_ok, 1,
                                      plain_ok ? YAML_ANY_SCALAR_STYLE
                                               : YAML_DOUBLE_QUOTED_SCALAR_STYLE))
        return 0;
    return yaml_emitter_emit(em, &e);
}

static int node(yaml_emitter_t *em, const json_t *j)
{
    yaml_event_t e;
    char num[64], *real;
    const char *k;
    json_t *v;
    size_t i;
    int ok;

    switch (json_typeof(j)) {
    case JSON_OBJECT:
        if (!yaml_mapping_start_event_initialize(&e, NULL, NULL, 1,
                                                 YAML_BLOCK_MAPPING_STYLE) ||
            !yaml_emitter_emit(em, &e))
            return 0;
        json_object_foreach((json_t *)j, k, v)
            if (!scalar(em, k, !h_yaml_plain_is_typed(k)) || !node(em, v))
                return 0;
        yaml_mapping_end_event_initialize(&e);
        return yaml_emitter_emit(em, &e);
    case JSON_ARRAY:
        if (!yaml_sequence_start_event_initialize(&e, NULL, NULL, 1,
                                                  YAML_BLOCK_SEQUENCE_STYLE) ||
            !yaml_emitter_emit(em, &e))
            return 0;
        json_array_foreach(j, i, v)
            if (!node(em, v))
                return 0;
        yaml_sequence_end_event_initialize(&e);
        return yaml_emitter_emit(em, &e);
    case JSON_STRING:
        if (strlen(json_string_value(j)) != json_string_length(j))
            return 0; /* a NUL: no YAML twin */
        return scalar(em, json_string_value(j),
                      !h_yaml_plain_is_typed(json_string_value(j)));
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
                 json_integer_value(j));
        return scalar(em, num, 1);
    case JSON_REAL:
        /* jansson writes reals with a '.' or an exponent. */
        real = json_dumps(j, JSON_ENCODE_ANY);
        ok = real && scalar(em, real, 1);
        free(real);
        return ok;
    case JSON_TRUE: return scalar(em, "true", 1);
    case JSON_FALSE: return scalar(em, "false", 1);
    default: return scalar(em, "null", 1);
    }
}

static int write_cb(void *data, unsigned char *buffer, size_t size)
{
    return fwrite(buffer, 1, size, data) == size;
}

char *h_yaml_twin(const json_t *doc)
{
    yaml_emitter_t em;
    yaml_event_t e;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int ok;

    if (!f)
        return NULL;
    yaml_emitter_initialize(&em);
    yaml_emitter_set_output(&em, write_cb, f);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, -1);
    ok = yaml_stream_start_event_initialize(&e, YAML_UTF8_ENCODING) &&
         yaml_emitter_emit(&em, &e) &&
         yaml_document_start_event_initialize(&e, NULL, NULL, NULL, 1) &&
         yaml_emitter_emit(&em, &e) && node(&em, doc) &&
         yaml_document_end_event_initialize(&e, 1) &&
         yaml_emitter_emit(&em, &e) && yaml_stream_end_event_initialize(&e) &&
         yaml_emitter_emit(&em, &e);
    yaml_emitter_delete(&em);
    if (fclose(f) != 0 || !ok) {
        free(text);
        return NULL;
    }
    return text;
}
