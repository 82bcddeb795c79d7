#ifndef ETLS_TESTS_HARNESS_H
#define ETLS_TESTS_HARNESS_H

#include <stddef.h>

#include <jansson.h>

/*
 * End-to-end test harness: starts a private dcos-sim on 127.0.0.1 with an
 * ephemeral port and a temporary state directory, and talks to it with
 * blocking libcurl requests that verify TLS against the sim's CA.
 *
 * Every function aborts the test (cmocka fail_msg) on an unexpected harness
 * failure, so tests only assert on what the cluster answered.
 */

struct h_sim {
    char dir[256];        /* state directory */
    char url[128];        /* https://127.0.0.1:PORT */
    char ca_cert[512];    /* path of the CA PEM */
    char control_token[128];
    char *token;          /* bootstrap user's token (after h_login) */
    int pid;
    double speed;
};

struct h_resp {
    long status;
    char *body;           /* NUL-terminated */
    size_t len;
    char *content_type;   /* NULL when absent */
    char *headers;        /* all response headers, raw */
    json_t *json;         /* parsed body, NULL when not JSON */
    int curl_code;        /* CURLcode; 0 = a response was received */
};

/*
 * Start dcos-sim with @extra_args (NULL-terminated argv tail, may be NULL),
 * e.g. {"--speed", "50", NULL}.  @dir NULL = a new temporary directory;
 * otherwise reuse @dir (restart with the same state).  Waits (bounded) for
 * DIR/cluster.json.
 */
void h_sim_start(struct h_sim *s, const char *dir, const char *const *extra);

/* h_sim_start() waiting up to @wait_s seconds (a large seeded state). */
void h_sim_start_wait(struct h_sim *s, const char *dir,
                      const char *const *extra, int wait_s);

/* The number on line "@name:" of /proc/@pid/status (VmRSS in kB,
 * Threads...), or -1. */
long h_proc_status(int pid, const char *name);

/* Open descriptors of process @pid, or -1. */
long h_proc_fds(int pid);

/* Open descriptors of process @pid whose target starts with @prefix
 * ("socket:"; NULL: all), or -1. */
long h_proc_fds_to(int pid, const char *prefix);

/* TCP connections (IPv4 or IPv6 sockets in a state other than LISTEN) of
 * process @pid, or -1.  Socket pairs and listeners do not count. */
long h_proc_tcp_connections(int pid);

/* SIGTERM the sim, wait for it (bounded) and return its exit status. */
int h_sim_stop(struct h_sim *s);

/* Stop (if running) and remove the state directory. */
void h_sim_destroy(struct h_sim *s);

/* Log in as the bootstrap user and keep the token in s->token. */
void h_login(struct h_sim *s);

/*
 * One request.  @path is appended to s->url.  @token NULL = no
 * Authorization header; @ctype/@accept NULL = header not sent; @body NULL =
 * no body.  Extra headers: NULL-terminated "Name: value" list or NULL.
 */
struct h_resp h_req(struct h_sim *s, const char *method, const char *path,
                    const char *token, const char *ctype, const char *accept,
                    const char *body, const char *const *headers);

/* Shorthands: bootstrap token, application/json. */
struct h_resp h_get(struct h_sim *s, const char *path);
struct h_resp h_put(struct h_sim *s, const char *path, const char *body);
struct h_resp h_post(struct h_sim *s, const char *path, const char *body);
struct h_resp h_patch(struct h_sim *s, const char *path, const char *body);
struct h_resp h_delete(struct h_sim *s, const char *path);

/* A Cosmos call with the exact versioned media types of dcos-api.md 8.1:
 * @op e.g. "package/install", "service/update" (path gets the right
 * prefix). */
struct h_resp h_cosmos(struct h_sim *s, const char *op, const char *body);

/* Control API (/sim/v1/...) with the control token. */
struct h_resp h_control(struct h_sim *s, const char *method,
                        const char *path, const char *body);

/*
 * Request to an arbitrary URL (e.g. a data-plane node): @cacert NULL = do
 * not verify TLS; @resolve NULL or "host:port:addr" (CURLOPT_RESOLVE);
 * @userpwd NULL or "user:pass".
 */
struct h_resp h_req_url(const char *url, const char *cacert,
                        const char *resolve, const char *userpwd);

/* Free the response contents. */
void h_resp_free(struct h_resp *r);

/*
 * Poll GET @path every @interval_ms until @pred returns 1 or @timeout_ms
 * passes.  Returns 1 when the predicate held, 0 on timeout.
 */
int h_wait(struct h_sim *s, const char *path,
           int (*pred)(const struct h_resp *r, void *arg), void *arg,
           int timeout_ms, int interval_ms);

/* Sleep @ms milliseconds. */
void h_sleep_ms(int ms);

/* Read a fixture file below ETLS_FIXTURES_DIR (new string; fails the test
 * when missing). */
char *h_fixture(const char *relpath);

/* Run a command (argv, NULL-terminated) with stdin from @input (may be
 * NULL); capture stdout and stderr (new strings).  Returns the exit code. */
int h_run(const char *const *argv, const char *input, char **out,
          char **err);

#endif
