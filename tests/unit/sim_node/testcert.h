#ifndef ETLS_TESTS_SIM_NODE_TESTCERT_H
#define ETLS_TESTS_SIM_NODE_TESTCERT_H

#include <stddef.h>

/*
 * Throw-away PKI for tests and benchmarks: a self-signed RSA-2048 CA and a
 * leaf certificate it issued (RSA-2048, serverAuth, the given DNS SANs and
 * no IP SAN), all PEM in memory.  Where ETLS_TEST_DATA is defined the
 * first six keys of a process are the throw-away ones of tests/data/pki/
 * (each used once), later ones are generated.
 */
struct test_pki {
    char *ca_pem;    /* the CA certificate */
    char *chain_pem; /* leaf certificate, then the CA certificate */
    char *leaf_pem;  /* the leaf certificate alone */
    char *key_pem;   /* the leaf's PKCS#8 private key */
    char *ca_key_pem; /* the CA's private key, to issue more leaves */
};

/*
 * Make a CA named @ca_cn and a leaf with common name @cn and the @nsans
 * DNS names @sans.  Returns 0 and fills *@out (free with test_pki_free),
 * or -1 when an OpenSSL call fails.
 */
int test_pki_new(struct test_pki *out, const char *ca_cn, const char *cn,
                 const char *const *sans, size_t nsans);

/*
 * Issue one more leaf from @pki's CA (RSA-2048, CN @cn, the @nsans DNS
 * names @sans): sets *@leaf_pem and *@key_pem (new; free()).  Returns 0 or
 * -1.
 */
int test_pki_leaf(const struct test_pki *pki, const char *cn,
                  const char *const *sans, size_t nsans, char **leaf_pem,
                  char **key_pem);

/* Free the PEM strings (the keys are cleansed); accepts NULL. */
void test_pki_free(struct test_pki *p);

/*
 * Write @pem to a new file under @dir (created with mkdtemp by the caller)
 * named @name; returns a new path (free()) or NULL.
 */
char *test_write_pem(const char *dir, const char *name, const char *pem);

#endif
