#ifndef ETLS_DCOS_PATH_H
#define ETLS_DCOS_PATH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * URL paths of the typed calls (internal to dcos/): argument checks and
 * percent-encoding of each segment (dcos-api.md 4.5 for IAM rids; the
 * encoding of a rid itself is dcos_rid_encode below).
 */

/* Longest path (with query) a typed call builds. */
#define DCOS_PATH_MAX 4096u

/*
 * One piece of a path: @mode 'l' literal (copied), 'u' one segment
 * (percent-encoded), 'p' a slash path (percent-encoded, '/' kept), 'r' an
 * IAM rid (dcos_rid_encode).
 */
struct dcos_path_seg {
    char mode;
    const char *s;
};

/* An array of pieces, and its length, from a list of initializers. */
#define PATH_SEGS(...) ((const struct dcos_path_seg[]){ __VA_ARGS__ })
#define PATH_NSEGS(...)                                                       \
    (sizeof((const struct dcos_path_seg[]){ __VA_ARGS__ }) /                  \
     sizeof(struct dcos_path_seg))

/* 1 when @s is a usable name: non-empty and shorter than 1024 bytes. */
bool dcos_path_valid_name(const char *s);

/* 1 when @p is a usable '/'-separated path: no empty, "." or ".."
 * segment. */
bool dcos_path_valid(const char *p);

/* @s without one leading '/' (borrowed from @s; NULL stays NULL). */
const char *dcos_path_strip_slash(const char *s);

/*
 * Join the @n pieces @segs into a path.
 * @param[out] out new string (free)
 * @return 0, ERR_NOMEM, ERR_INVALID (longer than DCOS_PATH_MAX) or
 *         ERR_INTERNAL (unknown mode)
 */
int dcos_path_build(char **out, const struct dcos_path_seg *segs, size_t n);

/*
 * The path segment encoding of an IAM rid: '/' becomes "%252F" and every
 * other character outside [A-Za-z0-9-._~:*@] is percent-encoded twice, so
 * that two decodings give the rid back (dcos-api.md 4.5).  New string or
 * NULL on ENOMEM.
 */
char *dcos_rid_encode(const char *rid);

#endif
