/*
 * dcos-sim cluster state: the simulated clock, the sections of the state
 * JSON, and ids.  See state.h.
 */
#include "sim/state.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/rand.h>

#include "common/util.h"

/* See state.h. */
char *sim_uuid(void)
{
    unsigned char b[16];
    char *out = malloc(37);

    if (!out)
        return NULL;
    if (RAND_bytes(b, sizeof(b)) != 1) {
        free(out);
        return NULL;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
             b[10], b[11], b[12], b[13], b[14], b[15]);
    return out;
}

/* See state.h. */
double sim_now(struct sim *s)
{
    return s->sim_offset + (util_now_mono() - s->real_start) * s->opt.speed;
}

/* See state.h. */
void sim_state_dirty(struct sim *s)
{
    s->generation++;
    s->dirty = true;
    s->dirty_all = true;
}

/* See state.h. */
void sim_state_touch(struct sim *s, const char *sec, const char *key,
                     const char *sub)
{
    json_t *path;
    char *text = NULL;

    s->generation++;
    s->dirty = true;
    if (s->dirty_all)
        return;
    if (!s->touched)
        s->touched = json_object();
    path = json_pack("[s]", sec);
    if (!s->touched || !path)
        goto fail;
    if (key && json_array_append_new(path, json_string(key)) != 0)
        goto fail;
    if (key && sub && json_array_append_new(path, json_string(sub)) != 0)
        goto fail;
    text = json_dumps(path, JSON_COMPACT);
    if (!text)
        goto fail;
    /* steals @path, even on failure */
    if (json_object_set_new(s->touched, text, path) != 0)
        s->dirty_all = true;
    free(text);
    return;
fail:
    json_decref(path);
    s->dirty_all = true;
}

/* See state.h. */
json_t *sim_state_section(struct sim *s, const char *name)
{
    json_t *sec = json_object_get(s->state, name);

    if (json_is_object(sec))
        return sec;
    sec = json_object();
    if (!sec || json_object_set_new(s->state, name, sec) != 0)
        return NULL;
    s->dirty = true;
    return sec;
}
