#include "json.h"

#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonscan.h"

#define PROJECT_KEY_MAX (64u * 1024u)
#define PROJECT_MAX_DEPTH 64u

json_t *dcos_json_parse(const char *data, size_t len)
{
    json_error_t jerr;

    if (!data)
        return NULL;
    return json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                      &jerr);
}

/* One object being projected (a level of the recursion). */
struct project_level {
    const struct dcos_json_keep *keep;
    size_t n;
    unsigned char seen[32]; /* which of @keep were met (n <= 32) */
    struct buf *out;        /* the projected text */
    struct buf *key;        /* the decoded key of the current member */
    unsigned depth;         /* nesting left below this object */
    int members;            /* members written so far */
};

static int project_object(struct jsonscan *s, struct project_level *up,
                          const struct dcos_json_keep *keep, size_t n);

static int key_put(const char *p, size_t n, void *payload)
{
    struct project_level *l = payload;

    return buf_append(l->key, p, n);
}

static int member_value(struct jsonscan *s, const struct jsonscan_key *key,
                        void *payload)
{
    struct project_level *l = payload;
    const struct dcos_json_keep *k = NULL;
    size_t i, start;
    int r;

    (void)key;
    for (i = 0; i < l->n && !k; i++)
        if (strlen(l->keep[i].key) == l->key->len &&
            memcmp(l->keep[i].key, l->key->data, l->key->len) == 0)
            k = &l->keep[i];
    if (!k) {
        buf_reset(l->key);
        return jsonscan_value(s, l->depth);
    }
    if (l->seen[k - l->keep])
        return ERR_CONFLICT;
    l->seen[k - l->keep] = 1;
    r = buf_puts(l->out, l->members++ ? "," : "{");
    if (r == 0)
        r = jsonscan_put_string(l->out, l->key->data, l->key->len);
    buf_reset(l->key);
    if (r == 0)
        r = buf_puts(l->out, ":");
    if (r)
        return r;
    if (k->members && jsonscan_peek(s) == '{')
        return project_object(s, l, k->members, k->n_members);
    start = s->pos;
    r = jsonscan_value(s, l->depth);
    if (r == 0)
        r = buf_append(l->out, s->text + start, s->pos - start);
    return r;
}

/* Project the object at the scanner; @up gives the buffers and depth. */
static int project_object(struct jsonscan *s, struct project_level *up,
                          const struct dcos_json_keep *keep, size_t n)
{
    struct project_level l;
    int r;

    if (n > sizeof(l.seen) || up->depth == 0)
        return ERR_INVALID;
    memset(&l, 0, sizeof(l));
    l.keep = keep;
    l.n = n;
    l.out = up->out;
    l.key = up->key;
    l.depth = up->depth - 1;
    r = jsonscan_object(s, key_put, member_value, &l);
    if (r == 0)
        r = buf_puts(l.out, l.members ? "}" : "{}");
    return r;
}

json_t *dcos_json_parse_projected(const char *data, size_t len,
                                  const struct dcos_json_keep *keep,
                                  size_t n)
{
    struct project_level top;
    struct jsonscan s;
    struct buf out, key;
    json_t *j = NULL;
    int r;

    if (!data)
        return NULL;
    buf_init(&out, len + 3);
    buf_init(&key, PROJECT_KEY_MAX);
    memset(&top, 0, sizeof(top));
    top.out = &out;
    top.key = &key;
    top.depth = PROJECT_MAX_DEPTH;
    jsonscan_init(&s, data, len, 0);
    jsonscan_skip_ws(&s);
    r = jsonscan_peek(&s) == '{' ? project_object(&s, &top, keep, n)
                                 : ERR_INVALID;
    if (r == 0) {
        jsonscan_skip_ws(&s);
        if (s.pos != s.len)
            r = ERR_INVALID;
    }
    if (r == 0)
        j = dcos_json_parse(out.data, out.len);
    /* the kept members of a Cosmos answer can hold passwords */
    buf_wipe_free(&out);
    buf_wipe_free(&key);
    return j;
}
