/* Names derived from a service name (names.h). */
#include "model/names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *model_app_id(const char *name)
{
    size_t n = strlen(name);
    char *s;

    if (name[0] == '/')
        return strdup(name);
    s = malloc(n + 2);
    if (!s)
        return NULL;
    s[0] = '/';
    memcpy(s + 1, name, n + 1);
    return s;
}

char *model_state_path(const char *name, const char *leaf)
{
    size_t n, i, o = 0, slashes = 0;
    char *s;

    if (name[0] == '/')
        name++;
    n = strlen(name);
    for (i = 0; i < n; i++)
        slashes += name[i] == '/';
    s = malloc(sizeof(MODEL_STATE_ROOT "/") + n + slashes + 1 + strlen(leaf));
    if (!s)
        return NULL;
    o = (size_t)sprintf(s, "%s/", MODEL_STATE_ROOT);
    for (i = 0; i < n; i++) {
        if (name[i] == '/') {
            s[o++] = '_';
            s[o++] = '_';
        } else {
            s[o++] = name[i];
        }
    }
    s[o++] = '/';
    strcpy(s + o, leaf);
    return s;
}
