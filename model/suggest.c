/*
 * "Did you mean": the declared option closest to an unknown key
 * (suggest.h).
 */
#include "model/suggest.h"

#include <stdint.h>
#include <string.h>

/* Keys longer than this get no suggestion (and bound the distance rows). */
#define SUGGEST_MAX_LEN 64u

static char fold(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static size_t min_of(size_t a, size_t b)
{
    return a < b ? a : b;
}

/*
 * Damerau-Levenshtein distance (optimal string alignment: insertions,
 * deletions, substitutions and transpositions of adjacent characters) of
 * @a and @b, ASCII letters compared without case; SIZE_MAX when either is
 * longer than SUGGEST_MAX_LEN.
 */
static size_t edit_distance(const char *a, const char *b)
{
    size_t r0[SUGGEST_MAX_LEN + 1], r1[SUGGEST_MAX_LEN + 1];
    size_t r2[SUGGEST_MAX_LEN + 1];
    size_t la = strlen(a), lb = strlen(b), i, j;

    if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
        return SIZE_MAX;
    for (j = 0; j <= lb; j++)
        r1[j] = j;
    memcpy(r0, r1, sizeof(r0));
    for (i = 1; i <= la; i++) {
        r2[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t cost = fold(a[i - 1]) != fold(b[j - 1]);
            size_t v = min_of(min_of(r1[j] + 1, r2[j - 1] + 1),
                              r1[j - 1] + cost);

            if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
                fold(a[i - 2]) == fold(b[j - 1]))
                v = min_of(v, r0[j - 2] + 1);
            r2[j] = v;
        }
        memcpy(r0, r1, sizeof(r0));
        memcpy(r1, r2, sizeof(r1));
    }
    return r1[lb];
}

/* The largest distance at which @key still gets a suggestion. */
static size_t limit_of(const char *key)
{
    size_t len = strlen(key);

    return len <= 3 ? 1 : len / 3 > 2 ? len / 3 : 2;
}

/* Is @name closer to @key than *@best_d (and close enough)?  Updates it. */
static int closer(const char *key, const char *name, size_t *best_d)
{
    size_t len = strlen(key), n = strlen(name), limit = limit_of(key), d;

    /* The distance is at least the difference of the lengths. */
    if ((n > len ? n - len : len - n) > limit)
        return 0;
    d = edit_distance(key, name);
    if (d > limit || d >= *best_d)
        return 0;
    *best_d = d;
    return 1;
}

/* See suggest.h. */
const char *suggest_member(const json_t *props, const json_t *siblings,
                           const char *key)
{
    size_t best_d = SIZE_MAX;
    const char *best = NULL, *name;
    json_t *sub;

    json_object_foreach((json_t *)props, name, sub) {
        (void)sub;
        if (!json_object_get(siblings, name) && closer(key, name, &best_d))
            best = name;
    }
    return best;
}

/* See suggest.h. */
const char *suggest_word(const char *const *words, const char *key)
{
    size_t best_d = SIZE_MAX, i;
    const char *best = NULL;

    for (i = 0; words[i]; i++)
        if (closer(key, words[i], &best_d))
            best = words[i];
    return best;
}
