#ifndef ETLS_RECONCILERS_OPTIONS_DIFF_H
#define ETLS_RECONCILERS_OPTIONS_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/err.h"

/*
 * Comparison of the package options a user wrote with the options Cosmos
 * resolved for the running service (defaults + stored + provided).  Only
 * the leaves the user set are compared, so defaults the cluster adds never
 * show as drift: objects are compared member by member (recursively),
 * arrays and scalars as whole values, numbers by value (1 equals 1.0).  A
 * member the user set that is missing from the resolved options differs.
 */

struct options_diff {
    json_t *before;  /* object: resolved values of the differing leaves,
                        nested as in the options; a leaf missing on the
                        cluster is absent (new) */
    json_t *after;   /* object: the user's values of the same leaves (new) */
    char **paths;    /* dotted paths of the differing leaves, in the
                        order of the user's document (new) */
    size_t n_paths;
};

/*
 * Compare @desired with @resolved (either may be NULL: treated as {}).
 * Fills @out (zeroed by the caller; free with options_diff_clear) and
 * returns the number of differing leaves (>= 0), or ERR_NOMEM.
 */
int options_diff_compute(struct options_diff *out, const json_t *desired,
                         const json_t *resolved, struct err_info *e);

/* Free everything held by @d (not @d itself); accepts a zeroed struct. */
void options_diff_clear(struct options_diff *d);

/*
 * Deep equality in which numbers compare by value, so an integer written
 * by a user equals the same real number in the resolved options.
 */
bool options_value_equal(const json_t *a, const json_t *b);

/*
 * Borrowed value at the member path @keys (NULL-terminated list of member
 * names) under @root, or NULL when any step is missing or not an object.
 */
const json_t *options_lookup(const json_t *root, const char *const *keys);

/*
 * Set @value (stolen, also on failure) at the member path @keys under
 * @root, creating intermediate objects and replacing non-objects on the
 * way.  0 or ERR_NOMEM.
 */
int options_put(json_t *root, const char *const *keys, json_t *value);

/*
 * A deep copy of @display in which every member named like a secret
 * (model_key_sensitive: password, pass, secret, token, key, credential,
 * ... as words or suffixes) has its value, unless a boolean or null,
 * replaced by "(sensitive)".  When at
 * least one was replaced and @mask_out is not NULL, *@mask_out is set to a
 * new object of the same shape holding `true` at those members (the
 * Terraform `*_sensitive` form); otherwise to NULL.  Returns the copy (new)
 * or NULL on ENOMEM.
 */
json_t *options_mask_sensitive(const json_t *display, json_t **mask_out);

/* The diff's paths joined by ", " (new string, NULL on ENOMEM). */
char *options_diff_paths(const struct options_diff *d);

#endif
