#ifndef ETLS_COMMON_KEY_DER_H
#define ETLS_COMMON_KEY_DER_H

#include <stddef.h>

/*
 * The fast path of common/key.c: a strict reader of PEM armour and of the
 * two DER shapes of RSA keys etls meets (SubjectPublicKeyInfo, PKCS#8
 * PrivateKeyInfo), without OpenSSL's decoders (about 1 ms a key in
 * OpenSSL 3).  Pure, no I/O, no recursion.
 *
 * Strict is the contract: whatever these functions accept, OpenSSL reads
 * the same way (same key, same DER), so key.c may answer from them.
 * ERR_INVALID only means "not in the fast form"; key.c then asks OpenSSL,
 * which decides.  Internal to common/ (key.c and its tests).
 */

/*
 * Decode the one PEM block @pem (@len bytes, no NUL needed) with label
 * @label (e.g. "PUBLIC KEY"): whitespace, the exact line "-----BEGIN
 * @label-----" starting a line, base64 lines of 1 to 76 characters ending
 * in LF or CRLF ('=' padding only at the very end, no headers), the exact
 * END line (LF, CRLF or end of input), then whitespace only.
 * The decoded bytes may be a private key: they and the intermediate
 * base64 are cleansed when freed.
 * @param[out] der the decoded bytes (new, key_der_free)
 * @param[out] der_len their length
 * @return 0, ERR_INVALID (not exactly that form) or ERR_NOMEM
 */
int key_der_pem_decode(unsigned char **der, size_t *der_len, const char *pem,
                       size_t len, const char *label);

/*
 * Check that @der (@len bytes) is, in strict DER with nothing after it,
 * SEQUENCE { SEQUENCE { OID rsaEncryption, NULL }, BIT STRING { 0 unused
 * bits, SEQUENCE { INTEGER n, INTEGER e } } }, n of 512 to 8192 bits and
 * e of at most 64 bits, both positive and minimally encoded.
 * @return 0 or ERR_INVALID
 */
int key_der_spki_check(const unsigned char *der, size_t len);

/*
 * The RSA SubjectPublicKeyInfo DER (as key_der_spki_check accepts it, and
 * as OpenSSL's i2d_PUBKEY writes it) of the PKCS#8 PrivateKeyInfo @der
 * (@len bytes): SEQUENCE { INTEGER 0, SEQUENCE { OID rsaEncryption, NULL
 * }, OCTET STRING { SEQUENCE { INTEGER 0, n, e, d, p, q, dp, dq, qinv } },
 * optional [0] attributes (checked, then skipped) }, strict DER, every
 * integer positive.
 * @param[out] spki new (key_der_free)
 * @param[out] spki_len its length
 * @return 0, ERR_INVALID (not that form) or ERR_NOMEM
 */
int key_der_spki_from_pkcs8(unsigned char **spki, size_t *spki_len,
                            const unsigned char *der, size_t len);

/*
 * PEM armour around @der (@len bytes, at least 1) exactly as OpenSSL's
 * PEM_write_bio_* writes it: "-----BEGIN @label-----\n", base64 in lines
 * of 64 characters, each ending in "\n", "-----END @label-----\n".
 * @param[out] pem new NUL-terminated string (free)
 * @return 0, ERR_INVALID (empty @der, label too long) or ERR_NOMEM
 */
int key_der_pem_encode(char **pem, const unsigned char *der, size_t len,
                       const char *label);

/* Cleanse and free what the functions above return; accepts NULL. */
void key_der_free(unsigned char *der, size_t len);

#endif
