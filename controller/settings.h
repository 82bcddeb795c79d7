#ifndef ETLS_CONTROLLER_SETTINGS_H
#define ETLS_CONTROLLER_SETTINGS_H

#include <stdio.h>

#include "controller/cli.h"

/*
 * Where the connection settings of etls come from (docs/cli.md,
 * "Connecting to a cluster"): flags win over the environment, which wins
 * over the current cluster of the dcos CLI configuration (dcoscfg.h);
 * `--sim DIR` replaces the environment and the dcos CLI.  Each setting
 * remembers its origin (struct cli_origin) for `etls config` and for
 * errors.  Secrets are never printed.
 */

/* ssl_verify semantics of the dcos CLI: 1 verify with the system's CAs
 * ("", true, 1, t in any case), 0 do not verify (false, 0, f), -1 a CA
 * file path. */
int settings_ssl_verify_kind(const char *v);

/*
 * The CA bundle of the system's trust store (SSL_CERT_FILE, else the first
 * of the usual bundle paths that exists), or NULL (borrowed).
 */
const char *settings_system_ca(void);

/*
 * Print the resolved settings of @c and their origins (etls config),
 * secrets shown as "(set, not shown)".
 */
void settings_print(FILE *f, const struct cli *c);

#endif
