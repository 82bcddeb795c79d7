#ifndef ETLS_TESTS_DCOS_TPROBE_H
#define ETLS_TESTS_DCOS_TPROBE_H

#include <stdbool.h>

#include "dcos/probe.h"

/*
 * What one dcos_probe_https() or dcos_probe_plain() call reported, copied
 * out of the callback for the dcos/ tests to assert on.  Zero it before
 * the call; pass it as the payload of tprobe_on_https / tprobe_on_plain.
 */
struct tprobe {
    int done;           /* number of callbacks */
    long status;
    int code;           /* err.code */
    char text[320];     /* err.text */
    char version[32];   /* version.number of the JSON answer, or "" */
    bool have_cert;
    char subject[256];
    char issuer[256];
    char not_after[32];
    char sans[1024];    /* every SAN followed by a space */
    bool answered;      /* dcos_plain_result.answered */
};

/* dcos_probe_https() callback: records @r into the struct tprobe
 * @payload. */
void tprobe_on_https(const struct dcos_probe_result *r, void *payload);

/* dcos_probe_plain() callback: records @r into the struct tprobe
 * @payload. */
void tprobe_on_plain(const struct dcos_plain_result *r, void *payload);

#endif
