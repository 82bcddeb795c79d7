#include "model/jsonpos.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/jsonscan.h"

/*
 * The index is a tree of nodes in document order, linked by first-child and
 * next-sibling indexes.  Decoded member keys live in one arena.  Everything
 * is addressed with 32-bit offsets (JSONPOS_MAX_LEN keeps them in range).
 */

#define NONE UINT32_MAX

struct node {
    uint32_t parent;
    uint32_t first_child;
    uint32_t next_sibling;
    uint32_t key_off;  /* into keys; NONE when not an object member */
    uint32_t key_len;
    uint32_t key_pos;  /* byte offset of the key's opening quote */
    uint32_t key_end;  /* byte offset just past the key's closing quote */
    uint32_t val_pos;  /* byte offset of the value's first byte */
    int32_t key_line;
    int32_t key_col;
    int32_t val_line;
    int32_t val_col;
    unsigned char type;
};

struct jsonpos {
    struct node *nodes;
    uint32_t n;
    uint32_t alloc;
    char *keys;
    uint32_t keys_len;
    uint32_t keys_alloc;
    int complete;
};

struct scan {
    struct jsonscan js;
    struct jsonpos *ix;
    struct jsonpos_loc err;
    int code; /* ERR_INVALID or ERR_NOMEM once failed */
};

/* Members of a node whose key is being carried to its value. */
struct keyinfo {
    uint32_t off;
    uint32_t len;
    uint32_t pos;
    uint32_t end;
    int line;
    int col;
};

/* An object or array being indexed. */
struct level {
    struct scan *sc;
    uint32_t self;
    uint32_t last;    /* last child so far */
    unsigned depth;
    uint32_t key_off; /* where the next member's key starts in the arena */
};

static int fail(struct scan *sc)
{
    if (!sc->code) {
        sc->code = ERR_INVALID;
        sc->err.line = sc->js.line;
        sc->err.column = jsonscan_column(&sc->js);
        sc->err.offset = sc->js.pos;
    }
    return -1;
}

static int nomem(struct scan *sc)
{
    sc->code = ERR_NOMEM;
    return -1;
}

static int keys_put(struct scan *sc, const char *p, size_t n)
{
    struct jsonpos *ix = sc->ix;

    if (n == 0)
        return 0; /* "" keys store nothing (and ix->keys may be NULL) */

    if (ix->keys_len + n > ix->keys_alloc) {
        size_t want = ix->keys_alloc ? ix->keys_alloc : 256;
        char *k;

        while (want < ix->keys_len + n)
            want *= 2;
        k = realloc(ix->keys, want);
        if (!k)
            return nomem(sc);
        ix->keys = k;
        ix->keys_alloc = (uint32_t)want;
    }
    memcpy(ix->keys + ix->keys_len, p, n);
    ix->keys_len += (uint32_t)n;
    return 0;
}

/* jsonscan_put_fn: decoded key bytes go to the arena. */
static int key_put(const char *p, size_t n, void *payload)
{
    struct level *lv = payload;

    return keys_put(lv->sc, p, n) ? ERR_NOMEM : 0;
}

static int add_node(struct scan *sc, uint32_t parent, uint32_t *last,
                    const struct keyinfo *k, unsigned char type,
                    uint32_t *idx_out)
{
    struct jsonpos *ix = sc->ix;
    struct node *nd;

    if (ix->n == ix->alloc) {
        uint32_t want = ix->alloc ? ix->alloc * 2 : 64;
        struct node *nn = realloc(ix->nodes, want * sizeof(*nn));

        if (!nn)
            return nomem(sc);
        ix->nodes = nn;
        ix->alloc = want;
    }
    nd = &ix->nodes[ix->n];
    memset(nd, 0, sizeof(*nd));
    nd->parent = parent;
    nd->first_child = NONE;
    nd->next_sibling = NONE;
    nd->key_off = k ? k->off : NONE;
    nd->key_len = k ? k->len : 0;
    nd->key_pos = k ? k->pos : 0;
    nd->key_end = k ? k->end : 0;
    nd->key_line = k ? k->line : 0;
    nd->key_col = k ? k->col : 0;
    nd->val_pos = (uint32_t)sc->js.pos;
    nd->val_line = sc->js.line;
    nd->val_col = jsonscan_column(&sc->js);
    nd->type = type;
    if (parent != NONE) {
        if (*last == NONE)
            ix->nodes[parent].first_child = ix->n;
        else
            ix->nodes[*last].next_sibling = ix->n;
        *last = ix->n;
    }
    *idx_out = ix->n++;
    return 0;
}

static int scan_value(struct scan *sc, uint32_t parent, uint32_t *last,
                      const struct keyinfo *k, unsigned depth);

/* jsonscan_value_fn: index one member or element of @payload's level. */
static int child(struct jsonscan *js, const struct jsonscan_key *key,
                 void *payload)
{
    struct level *lv = payload;
    struct keyinfo k;

    (void)js;
    if (key) {
        k.off = lv->key_off;
        k.len = lv->sc->ix->keys_len - lv->key_off;
        k.pos = (uint32_t)key->pos;
        k.end = (uint32_t)key->end;
        k.line = key->line;
        k.col = key->column;
    }
    if (scan_value(lv->sc, lv->self, &lv->last, key ? &k : NULL,
                   lv->depth + 1))
        return lv->sc->code;
    lv->key_off = lv->sc->ix->keys_len;
    return 0;
}

static int scan_value(struct scan *sc, uint32_t parent, uint32_t *last,
                      const struct keyinfo *k, unsigned depth)
{
    enum jsonscan_type type = jsonscan_type_next(&sc->js);
    struct level lv;
    int r;

    if (depth > JSONPOS_MAX_DEPTH || type == JSONSCAN_NONE)
        return fail(sc);
    memset(&lv, 0, sizeof(lv));
    if (add_node(sc, parent, last, k, (unsigned char)type, &lv.self))
        return -1;
    lv.sc = sc;
    lv.last = NONE;
    lv.depth = depth;
    lv.key_off = sc->ix->keys_len;
    if (type == JSONSCAN_OBJECT)
        r = jsonscan_object(&sc->js, key_put, child, &lv);
    else if (type == JSONSCAN_ARRAY)
        r = jsonscan_array(&sc->js, child, &lv);
    else
        r = jsonscan_scalar(&sc->js);
    if (r)
        return r == ERR_NOMEM ? nomem(sc) : fail(sc);
    return 0;
}

int jsonpos_index(struct jsonpos **out, const char *text, size_t len,
                  unsigned flags, struct jsonpos_loc *err_out)
{
    struct scan sc;
    uint32_t none = NONE;
    int r;

    memset(&sc, 0, sizeof(sc));
    jsonscan_init(&sc.js, text, len, 0);
    if (len > JSONPOS_MAX_LEN) {
        if (err_out) {
            err_out->line = 1;
            err_out->column = 1;
            err_out->offset = 0;
        }
        return ERR_INVALID;
    }
    sc.ix = calloc(1, sizeof(*sc.ix));
    if (!sc.ix)
        return ERR_NOMEM;
    jsonscan_skip_ws(&sc.js);
    r = scan_value(&sc, NONE, &none, NULL, 0);
    if (!r) {
        jsonscan_skip_ws(&sc.js);
        if (sc.js.pos != sc.js.len)
            r = fail(&sc);
    }
    if (r) {
        if (sc.code == ERR_INVALID && err_out)
            *err_out = sc.err;
        if (sc.code == ERR_NOMEM || !(flags & JSONPOS_PARTIAL)) {
            jsonpos_free(sc.ix);
            return sc.code;
        }
    }
    sc.ix->complete = !r;
    *out = sc.ix;
    return 0;
}

int jsonpos_complete(const struct jsonpos *ix)
{
    return ix->complete;
}

size_t jsonpos_count(const struct jsonpos *ix)
{
    return ix->n;
}

/*
 * Decode the next pointer segment starting after a '/' at @p into @seg
 * (allocated by the caller, at least as long as the rest of the pointer).
 * Returns the position after the segment, or NULL for a bad escape.
 */
static const char *next_segment(const char *p, char *seg, size_t *len_out)
{
    size_t n = 0;

    while (*p && *p != '/') {
        if (*p == '~') {
            if (p[1] == '0')
                seg[n++] = '~';
            else if (p[1] == '1')
                seg[n++] = '/';
            else
                return NULL;
            p += 2;
        } else {
            seg[n++] = *p++;
        }
    }
    *len_out = n;
    return p;
}

static int parse_index(const char *seg, size_t len, uint32_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (len == 0 || (len > 1 && seg[0] == '0'))
        return -1;
    for (i = 0; i < len; i++) {
        if (seg[i] < '0' || seg[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(seg[i] - '0');
        if (v >= NONE)
            return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static void set_loc(struct jsonpos_loc *l, int line, int col, size_t off)
{
    if (l) {
        l->line = line;
        l->column = col;
        l->offset = off;
    }
}

int jsonpos_find(const struct jsonpos *ix, const char *pointer,
                 struct jsonpos_loc *value_out, struct jsonpos_loc *key_out,
                 enum jsonscan_type *type_out)
{
    const struct node *nd;
    const char *p = pointer;
    uint32_t cur = 0;
    char *seg;
    int r = 0;

    if (!ix->n)
        return ERR_NOTFOUND;
    if (*p && *p != '/')
        return ERR_INVALID;
    seg = malloc(strlen(pointer) + 1);
    if (!seg)
        return ERR_NOMEM;
    while (*p) {
        size_t len;
        uint32_t c, want = 0, i = 0;

        p = next_segment(p + 1, seg, &len);
        if (!p) {
            r = ERR_INVALID;
            goto out;
        }
        nd = &ix->nodes[cur];
        if (nd->type == JSONSCAN_ARRAY && parse_index(seg, len, &want)) {
            r = ERR_NOTFOUND;
            goto out;
        }
        if (nd->type != JSONSCAN_ARRAY && nd->type != JSONSCAN_OBJECT) {
            r = ERR_NOTFOUND;
            goto out;
        }
        for (c = nd->first_child; c != NONE;
             c = ix->nodes[c].next_sibling, i++) {
            const struct node *ch = &ix->nodes[c];

            if (nd->type == JSONSCAN_ARRAY ? i == want
                                          : ch->key_len == len &&
                                                (len == 0 ||
                                                 memcmp(ix->keys + ch->key_off,
                                                        seg, len) == 0))
                break;
        }
        if (c == NONE) {
            r = ERR_NOTFOUND;
            goto out;
        }
        cur = c;
    }
    nd = &ix->nodes[cur];
    set_loc(value_out, nd->val_line, nd->val_col, nd->val_pos);
    if (nd->key_off != NONE)
        set_loc(key_out, nd->key_line, nd->key_col, nd->key_pos);
    else
        set_loc(key_out, 0, 0, 0);
    if (type_out)
        *type_out = (enum jsonscan_type)nd->type;
out:
    free(seg);
    return r;
}

/* JSON pointer of node @idx (new string). */
static char *pointer_of(const struct jsonpos *ix, uint32_t idx)
{
    uint32_t *chain = NULL;
    size_t depth = 0, need = 1, i;
    char *s, *w;
    uint32_t c;

    for (c = idx; c != NONE; c = ix->nodes[c].parent)
        depth++;
    chain = malloc(depth * sizeof(*chain));
    if (!chain)
        return NULL;
    i = depth;
    for (c = idx; c != NONE; c = ix->nodes[c].parent)
        chain[--i] = c;
    /* Worst case per segment: every key byte escaped, or 10 digits. */
    for (i = 1; i < depth; i++)
        need += 1 + (ix->nodes[chain[i]].key_off != NONE
                         ? 2 * (size_t)ix->nodes[chain[i]].key_len
                         : 10);
    s = malloc(need);
    if (!s) {
        free(chain);
        return NULL;
    }
    w = s;
    for (i = 1; i < depth; i++) {
        const struct node *nd = &ix->nodes[chain[i]];

        *w++ = '/';
        if (nd->key_off != NONE) {
            uint32_t k;

            for (k = 0; k < nd->key_len; k++) {
                char ch = ix->keys[nd->key_off + k];

                if (ch == '~') {
                    *w++ = '~';
                    *w++ = '0';
                } else if (ch == '/') {
                    *w++ = '~';
                    *w++ = '1';
                } else {
                    *w++ = ch;
                }
            }
        } else {
            uint32_t n = 0, sib;
            char num[11];
            int len = 0;

            for (sib = ix->nodes[nd->parent].first_child; sib != chain[i];
                 sib = ix->nodes[sib].next_sibling)
                n++;
            do {
                num[len++] = (char)('0' + n % 10);
                n /= 10;
            } while (n);
            while (len)
                *w++ = num[--len];
        }
    }
    *w = '\0';
    free(chain);
    return s;
}

int jsonpos_duplicate_at(const struct jsonpos *ix, size_t key_end,
                         char **pointer_out, struct jsonpos_loc *key_out,
                         struct jsonpos_loc *first_out)
{
    const struct node *dup = NULL, *first = NULL;
    uint32_t i, c, di = 0;
    char *ptr;

    for (i = 0; i < ix->n; i++) {
        if (ix->nodes[i].key_off != NONE && ix->nodes[i].key_end == key_end) {
            dup = &ix->nodes[i];
            di = i;
            break;
        }
    }
    if (!dup)
        return ERR_NOTFOUND;
    for (c = ix->nodes[dup->parent].first_child; c != di;
         c = ix->nodes[c].next_sibling) {
        const struct node *s = &ix->nodes[c];

        /* Empty keys store no bytes (ix->keys may even be NULL). */
        if (s->key_len == dup->key_len &&
            (dup->key_len == 0 ||
             memcmp(ix->keys + s->key_off, ix->keys + dup->key_off,
                    dup->key_len) == 0)) {
            first = s;
            break;
        }
    }
    if (!first)
        return ERR_NOTFOUND;
    ptr = pointer_of(ix, di);
    if (!ptr)
        return ERR_NOMEM;
    *pointer_out = ptr;
    set_loc(key_out, dup->key_line, dup->key_col, dup->key_pos);
    set_loc(first_out, first->key_line, first->key_col, first->key_pos);
    return 0;
}

void jsonpos_free(struct jsonpos *ix)
{
    if (!ix)
        return;
    free(ix->nodes);
    free(ix->keys);
    free(ix);
}

/* Move a node's (line, column) through @map (jsonpos_remap). */
static void remap_one(int32_t *line, int32_t *col,
                      const struct jsonpos_loc *map, size_t n)
{
    if (*line < 1 || (size_t)*line > n)
        return;
    *col = map[*line - 1].column + (*col - 1);
    *line = map[*line - 1].line;
}

void jsonpos_remap(struct jsonpos *ix, const struct jsonpos_loc *map,
                   size_t n)
{
    uint32_t i;

    for (i = 0; ix && i < ix->n; i++) {
        remap_one(&ix->nodes[i].key_line, &ix->nodes[i].key_col, map, n);
        remap_one(&ix->nodes[i].val_line, &ix->nodes[i].val_col, map, n);
    }
}
