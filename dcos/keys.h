#ifndef ETLS_DCOS_KEYS_H
#define ETLS_DCOS_KEYS_H

#include <stddef.h>

#include "common/secret.h"

/*
 * Key generation for service accounts and the service-login JWT
 * (dcos-api.md sections 2 and 5.2).  OpenSSL 3 EVP only; every private key
 * lives in a struct secret and is never written anywhere.  Decoding,
 * comparing and fingerprinting keys is common/key.h; the create-sa-secret
 * value is common/sa_secret.h.
 */

struct http_loop;

/*
 * Generate an RSA-2048 key pair, e = 65537, in memory.  CPU-bound (tens to
 * hundreds of ms): call it off the event loop (dcos_keygen_async).
 * @param[out] priv_pem new PKCS#8 PEM ("BEGIN PRIVATE KEY", unencrypted)
 * @param[out] pub_pem new SPKI PEM ("BEGIN PUBLIC KEY"); free()
 * @return 0, ERR_NOMEM or ERR_INTERNAL
 */
int dcos_key_generate(struct secret **priv_pem, char **pub_pem);

/*
 * Completion of dcos_keygen_async: @status 0 with @priv_pem and @pub_pem
 * (both new: the callback owns them), or a negative err with both NULL.
 */
typedef void (*dcos_keygen_fn)(int status, struct secret *priv_pem,
                               char *pub_pem, void *payload);

/*
 * Generate a key pair on a worker thread of @loop; @done runs on the loop.
 * @return 0 (then @done runs exactly once) or a negative err
 */
int dcos_keygen_async(struct http_loop *loop, dcos_keygen_fn done,
                      void *payload);

/*
 * Service-login token (dcos-api.md 5.2): header {"alg":"RS256","typ":"JWT"},
 * claims {"uid":@uid,"exp":@exp}, RSASSA-PKCS1-v1_5 SHA-256 with @priv_pem
 * (PKCS#8 PEM, see key_private_load).
 * @param[out] jwt new secret
 * @return 0, ERR_INVALID (empty uid or unusable key), ERR_NOMEM or
 *         ERR_INTERNAL
 */
int dcos_jwt_rs256(struct secret **jwt, const char *uid,
                   const struct secret *priv_pem, long exp);

#endif
