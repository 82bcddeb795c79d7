#ifndef ETLS_CONTROLLER_CREDENTIALS_H
#define ETLS_CONTROLLER_CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/secret.h"

/*
 * Credentials of the command line and the environment (docs/cli.md,
 * "Credentials"): files read whole into wiped memory, and the
 * service-account credential JSON that DC/OS writes with `dcos security
 * secrets create-sa-secret` and the SDK reads from
 * DCOS_SERVICE_ACCOUNT_CREDENTIAL:
 *   {"uid":..., "private_key":"-----BEGIN PRIVATE KEY-----...",
 *    "login_endpoint":..., "scheme":"RS256"}
 * Every error is one line that names the file or variable (never what it
 * holds) and says how to fix it.
 */

/* Credential files are small. */
#define CRED_FILE_MAX (64u * 1024u)

/*
 * Read the file @path given to option @flag ("--token-file") into *@out
 * (new; trailing line ends dropped).  Returns 0, or ERR_INVALID with one
 * line in @why (naming @flag and @path), or ERR_NOMEM.
 */
int cred_file_read(struct secret **out, const char *path, const char *flag,
                   char *why, size_t whylen);

/* Does @s hold a JSON object (its first non-blank byte is '{')? */
bool cred_is_json(const struct secret *s);

/*
 * Read the service-account credential JSON @text (from @where, named in
 * errors): *@uid_out (new) and the PEM private key *@key_out (new
 * secret, checked by cred_key_check).  "scheme", when present, must be
 * RS256.  Returns 0, or
 * ERR_INVALID with one line in @why, or ERR_NOMEM.
 */
int cred_sa_parse(char **uid_out, struct secret **key_out,
                  const struct secret *text, const char *where, char *why,
                  size_t whylen);

/*
 * Check, before any request, that @pem is what a DC/OS service login
 * signs with: an unencrypted PKCS#8 PEM RSA private key.  Returns 0, or
 * ERR_INVALID with one line in @why naming @where and saying what the key
 * is instead (encrypted, PKCS#1, not RSA, not a PEM key) and how to fix
 * it, or ERR_NOMEM.
 */
int cred_key_check(const struct secret *pem, const char *where, char *why,
                   size_t whylen);

/*
 * The value @value of DCOS_SERVICE_ACCOUNT_CREDENTIAL, read as the SDK
 * reads it: a value naming a regular file (optionally written
 * file://PATH) is read from that file, any other value is the JSON
 * itself.  Sets *@uid_out and *@key_out as cred_sa_parse().
 */
int cred_sa_env(char **uid_out, struct secret **key_out, const char *value,
                char *why, size_t whylen);

#endif
