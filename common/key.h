#ifndef ETLS_COMMON_KEY_H
#define ETLS_COMMON_KEY_H

#include <openssl/types.h>

#include "common/secret.h"

/*
 * RSA keys of service accounts: PEM decoding, the public key of a private
 * key, key equality and fingerprints (dcos-api.md sections 2 and 6.1).
 * OpenSSL 3 EVP only; pure, no I/O.  A private key is read only from a
 * struct secret and is never written anywhere.
 *
 * One rule for comparing and naming public keys: the DER encoding of the
 * SubjectPublicKeyInfo, never the PEM text (line breaks and armour differ
 * between writers).
 *
 * Speed: OpenSSL 3's decoders cost about 1 ms a key.  Everything but
 * key_private_load and key_public_pem first tries a strict reader of PEM
 * and DER RSA keys (common/key_der.h, microseconds) and asks OpenSSL only
 * when the input is not in that strict form; the answers are the same
 * either way, byte for byte (docs/security.md "How keys are parsed").
 */

/* Length of a fingerprint buffer: 64 lowercase hex digits and a NUL. */
#define KEY_FP_LEN 65

/*
 * Load the private key @priv_pem: unencrypted PKCS#8 PEM ("BEGIN PRIVATE
 * KEY", what the SDK's PKCS8EncodedKeySpec reads) holding an RSA key.
 * @param[out] out the key (new, EVP_PKEY_free)
 * @return 0, ERR_INVALID (not such a key) or ERR_NOMEM
 */
int key_private_load(EVP_PKEY **out, const struct secret *priv_pem);

/*
 * Check that key_private_load would accept @priv_pem, without building
 * the key when the strict reader can tell.
 * @return 0, ERR_INVALID (not such a key) or ERR_NOMEM
 */
int key_private_check(const struct secret *priv_pem);

/*
 * The SPKI PEM ("BEGIN PUBLIC KEY") of the public half of @k (borrowed).
 * @param[out] pub_pem new string (free)
 * @return 0, ERR_NOMEM or ERR_INTERNAL
 */
int key_public_pem(char **pub_pem, EVP_PKEY *k);

/*
 * The SPKI PEM public key of the private key @priv_pem (as
 * key_private_load reads it).
 * @param[out] pub_pem new string (free)
 * @return 0, ERR_INVALID (not an unencrypted PKCS#8 RSA key), ERR_NOMEM or
 *         ERR_INTERNAL
 */
int key_public_from_private(char **pub_pem, const struct secret *priv_pem);

/*
 * Compare two SPKI PEM public keys by their DER SubjectPublicKeyInfo.
 * @return 1 equal, 0 different, ERR_INVALID when either does not parse
 */
int key_public_equal(const char *a_pem, const char *b_pem);

/*
 * SHA-256 of the DER SubjectPublicKeyInfo of the SPKI PEM @pub_pem, as 64
 * lowercase hex digits.
 * @param[out] out the fingerprint (NUL-terminated)
 * @return 0, ERR_INVALID (not a public key), ERR_NOMEM or ERR_INTERNAL
 */
int key_fingerprint(const char *pub_pem, char out[KEY_FP_LEN]);

#endif
