#include "json.h"

json_t *dcos_json_parse(const char *data, size_t len)
{
    json_error_t jerr;

    if (!data)
        return NULL;
    return json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                      &jerr);
}
