#ifndef ETLS_MODEL_VALIDATE_H
#define ETLS_MODEL_VALIDATE_H

#include <stddef.h>

/*
 * DC/OS naming rules and the vocabulary of the etls/v1 envelope, shared by
 * the desired-state parser (desired.c, doc.c, envelope.c), its tests and the
 * schema cross-check.
 * Each model_check_* function returns NULL when @s is acceptable, or a static
 * phrase "expected ..." saying what was expected (for a diagnostic).
 */

#define MODEL_UID_MAX 96          /* IAM uid and gid length limit */
#define MODEL_NAME_SEGMENT_MAX 63 /* Marathon app id, per segment */
/*
 * Whole service name (without a leading '/').  UNCONFIRMED: Marathon
 * documents no total; the SDK names every task
 * <task>.<name without '/'>.autoip.dcos.thisdcos.directory, which must stay
 * a DNS name (253 characters), so 200 leaves room for the task part.
 */
#define MODEL_NAME_MAX 200
/*
 * Secret path.  UNCONFIRMED: the secrets service documents no limit; the
 * paths etls derives from it and the encoded request paths stay far below
 * DCOS_PATH_MAX (4096) at 512.
 */
#define MODEL_SECRET_PATH_MAX 512

/*
 * Service name = Marathon app id: '/'-separated segments, each matching
 * ^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*
 * [a-z0-9])$ and at most 63 characters, at most MODEL_NAME_MAX characters
 * in all; one leading '/' is tolerated.
 */
const char *model_check_service_name(const char *s);

/* IAM uid: [a-zA-Z0-9-_@.]+, at most 96 characters, not "anonymous". */
const char *model_check_uid(const char *s);

/* IAM gid: the uid rule (the IAM API documents no stricter one). */
const char *model_check_gid(const char *s);

/*
 * Secret path in the default store: segments of [A-Za-z0-9._-] separated by
 * single '/', no leading or trailing '/', no "." or ".." segment, at most
 * MODEL_SECRET_PATH_MAX characters.
 */
const char *model_check_secret_path(const char *s);

/* File path: absolute, no control character, at most 4096 bytes. */
const char *model_check_file_path(const char *s);

/* Environment variable name: [A-Za-z_][A-Za-z0-9_]*. */
const char *model_check_env_name(const char *s);

/* SDK endpoint name: [A-Za-z0-9._-]+. */
const char *model_check_endpoint(const char *s);

/* Cosmos package name: [a-z0-9] then [a-z0-9-]*. */
const char *model_check_package_name(const char *s);

/* Package version: printable ASCII without spaces or '/'. */
const char *model_check_package_version(const char *s);

/* Basic-auth user: non-empty, printable, no ':'. */
const char *model_check_basic_user(const char *s);

/* ACL rid: starts with "dcos:", printable ASCII without spaces. */
const char *model_check_rid(const char *s);

/*
 * 1 when an option key names a value that must never be shown (plan text,
 * JSON plan, saved plans, diagnostics): split into words at every
 * character other than a letter or digit and at a lower-to-upper case
 * change, case-insensitively, a word is password, passwd, pass, pwd,
 * passphrase, secret, token, key, apikey, credential or credentials, or
 * the last word ends with password, passwd, pass, passphrase, secret,
 * token, key or credential(s) ("adminpass", "apiToken"); any key holding
 * "password" anywhere too.  The one exception is service_account_secret,
 * the secret store path (not a value) the SDK reads its key from.
 */
int model_key_sensitive(const char *key);

/*
 * Keys the etls/v1 envelope accepts in each of its objects.  @section is one
 * of "" (top level), "package", "access", "permission" (an element of
 * access.permissions), "verify", "password" (verify.password) and
 * "policies".  Returns a NULL-terminated static list, or NULL for an unknown
 * section.  model_envelope_sections() lists the section names the same way.
 */
const char *const *model_envelope_keys(const char *section);
const char *const *model_envelope_sections(void);

/* 1 when @key is in the NULL-terminated list @keys. */
int model_key_in(const char *const *keys, const char *key);

#endif
