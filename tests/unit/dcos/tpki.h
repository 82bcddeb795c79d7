#ifndef ETLS_TESTS_DCOS_TPKI_H
#define ETLS_TESTS_DCOS_TPKI_H

#include <stddef.h>

#include "fakesrv.h"

/*
 * A throw-away PKI for the dcos/ tests: a CA (EC P-256) and one server
 * certificate it signed, all PEM strings (new).
 */
struct tpki {
    char *ca_pem;
    char *cert_pem;
    char *key_pem;
    char *ca_key_pem;   /* the CA's key: a self-signed server uses it */
};

/*
 * Validity of the leaf certificates tpki_make makes from now on, in
 * seconds from now (defaults -3600 and 30 days); a negative @not_after_s
 * makes expired certificates.
 */
void tpki_set_leaf_validity(long not_before_s, long not_after_s);

/* CA "CN=@ca_cn" and a leaf "CN=@cn" with DNS SANs @dns and IP SANs @ips.
 * Returns 0 or -1. */
int tpki_make(struct tpki *p, const char *ca_cn, const char *cn,
              const char *const *dns, size_t n_dns,
              const char *const *ips, size_t n_ips);

/* tpki_make for a loopback server: leaf "CN=master.mesos" with the SANs
 * DNS:localhost and IP:127.0.0.1, CA "CN=@ca_cn".  Returns 0 or -1. */
int tpki_loopback(struct tpki *p, const char *ca_cn);

void tpki_free(struct tpki *p);

/* A loopback HTTPS fake (fakesrv.h) with a tpki_loopback certificate. */
struct tpki_server {
    struct tpki pki;
    struct fake_srv *srv;
    char url[64];        /* https://127.0.0.1:PORT */
};

/* dcos_global_init, tpki_loopback(@ca_cn), fake_start(@h, @arg) and the
 * URL; a cmocka group setup in one call.  Returns 0 or -1. */
int tpki_server_up(struct tpki_server *t, const char *ca_cn,
                   fake_handler_fn h, void *arg);

/* Stop, free and dcos_global_cleanup; returns 0. */
int tpki_server_down(struct tpki_server *t);

#endif
