#ifndef ETLS_TESTS_DCOS_FAKESRV_H
#define ETLS_TESTS_DCOS_FAKESRV_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A loopback HTTP(S) server for the dcos/ unit tests (libmicrohttpd, one
 * thread per connection).  A handler decides each reply; every request is
 * recorded with its raw (still percent-encoded) path.
 */

struct fake_srv;

struct fake_req {
    char method[16];
    char path[1024];     /* raw path, not decoded */
    char query[1024];    /* "k=v&..." (raw), "" when none */
    char ctype[256];
    char accept[512];
    char auth[4096];     /* Authorization header, "" when absent */
    char *body;          /* NUL-terminated */
    size_t body_len;
};

struct fake_reply {
    int status;
    const char *ctype;       /* static or NULL */
    char *body;              /* malloc'ed (freed by the server) or NULL */
    size_t len;
    int delay_ms;            /* sleep before answering */
    const char *hdr_name;    /* one extra header (static) */
    const char *hdr_value;
    bool reset;              /* close without answering */
};

typedef void (*fake_handler_fn)(const struct fake_req *req,
                                struct fake_reply *out, void *arg);

/* Start on 127.0.0.1:ephemeral; TLS when @cert_pem and @key_pem are set.
 * Returns 0 or -1. */
int fake_start(struct fake_srv **out, const char *cert_pem,
               const char *key_pem, fake_handler_fn h, void *arg);
int fake_port(const struct fake_srv *s);
void fake_stop(struct fake_srv *s);

/* Recorded requests (copies valid until fake_stop). */
size_t fake_count(struct fake_srv *s);
const struct fake_req *fake_get(struct fake_srv *s, size_t i);
void fake_clear(struct fake_srv *s);

/*
 * Close the next @n accepted connections at once, before the TLS
 * handshake (as a load balancer or a restarting Admin Router does): the
 * client's handshake is cut short.
 */
void fake_cut_accepts(struct fake_srv *s, int n);

/* Connections accepted so far (cut ones included). */
int fake_accepts(struct fake_srv *s);

/* Highest number of requests handled at the same time. */
int fake_peak(struct fake_srv *s);

/* Convenience: reply with a copy of @body. */
void fake_reply_set(struct fake_reply *r, int status, const char *ctype,
                    const char *body);

/* A TCP port on 127.0.0.1 nobody listens on (bound, then closed). */
int fake_closed_port(void);

#endif
