#ifndef ETLS_SIM_PKI_H
#define ETLS_SIM_PKI_H

#include <stddef.h>

#include "common/err.h"

/*
 * dcos-sim PKI (sim/pki.c): the cluster CA, the certificates it issues
 * (master API server, data-plane nodes) and persisted RSA keys.  The CA
 * lives in `struct sim` (sim/state.h).
 */

struct sim;

/*
 * Load the cluster CA from DIR/ca.key and DIR/ca.crt, or create it (RSA
 * 2048, self-signed, 10 years) when neither exists.  Sets s->ca_key,
 * s->ca_x509, s->ca_cert_pem and s->ca_cert_path.  Returns 0 or a negative
 * enum err with @e set.
 */
int sim_pki_init(struct sim *s, struct err_info *e);

/*
 * Load the RSA private key stored at @path (PKCS#8 PEM), or generate an RSA
 * 2048 key and store it there with mode 0600 when the file is missing.
 * Sets *@out (new EVP_PKEY *, free with sim_pki_key_free).
 */
int sim_pki_load_or_create_key(void **out, const char *path,
                               struct err_info *e);

/*
 * Issue a certificate signed by the cluster CA for CN @cn with DNS SANs
 * @dns (n_dns entries) and IP SANs @ips (n_ips entries).  Returns 0 and
 * sets *@cert_pem and *@key_pem (new strings; key is PKCS#8 PEM).
 */
int sim_pki_issue(struct sim *s, const char *cn, const char *const *dns,
                  size_t n_dns, const char *const *ips, size_t n_ips,
                  char **cert_pem, char **key_pem);

/* Free an EVP_PKEY * returned above; accepts NULL. */
void sim_pki_key_free(void *key);

/*
 * Issue the master API server certificate (SANs localhost, master.mesos,
 * leader.mesos, 127.0.0.1 and @listen_ip when it is another address).
 * Sets *@chain_pem (leaf then CA, new) and *@key_pem (PKCS#8, new; wipe
 * with secret_wipe_str).
 */
int sim_pki_server_cert(struct sim *s, const char *listen_ip,
                        char **chain_pem, char **key_pem,
                        struct err_info *e);

/* Free the CA members of @s (key, certificate, PEM, path). */
void sim_pki_free(struct sim *s);

#endif
