#ifndef ETLS_SIM_SECRETS_H
#define ETLS_SIM_SECRETS_H

/*
 * dcos-sim secrets service (sim/secrets.c): the store "default" under
 * /secrets/v1, and the reads and writes other modules make in it.
 */

#include <jansson.h>

struct sim;
struct sim_module;

/* Value of secret @path in store "default" (borrowed) or NULL. */
const char *sim_secret_value(struct sim *s, const char *path);

/* Store or overwrite secret @path (used by the SDK for TLS artifacts).
 * Returns 0 or a negative enum err. */
int sim_secret_put(struct sim *s, const char *path, const char *value);

/*
 * Paths of the secrets below @dir ("" = the whole store), relative to it,
 * sorted, at every depth: a new array, or NULL when out of memory.
 */
json_t *sim_secret_list(struct sim *s, const char *dir);

/* Delete secret @path.  Returns 0 or ERR_NOTFOUND. */
int sim_secret_delete(struct sim *s, const char *path);

/* The module: routes only. */
extern const struct sim_module sim_secrets_module;

#endif
