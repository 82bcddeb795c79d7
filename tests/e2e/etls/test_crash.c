/*
 * Crash points: `etls apply` killed with SIGKILL right after each of its
 * writes, then run again, against a private dcos-sim.  Three runs are cut
 * this way: a from-scratch apply (lease, secret with a new key, account,
 * membership, install, ...), a key rotation of an installed service
 * (lease, pending-restart record, secret, account replaced, membership,
 * scheduler restart, ...) and a TLS toggle (TLS on -> off: lease, package
 * update with update_strategy parallel, the restore to serial, ...).  A
 * reference run gives the sequence of writes; for crash point k, write
 * k + 1 is made to fail once (503), and etls is killed while it backs off,
 * so writes 1..k happened and nothing after.
 * The second run (which must wait for the dead run's lease to expire and
 * take it over) converges; the private key stored is the one the account
 * holds, no second key was stored, and the scheduler runs with the secret
 * as it is now.  Prints "crash points: N/M recovered consistent" for
 * scripts/hardening.sh.
 *
 * Usage: e2e_etls_crash [scratch] [rotate] [toggle]: the kinds of run to
 * cut (default all three; CTest runs scratch + toggle and rotate as two
 * tests that CTest -j runs side by side).  The reference runs are made
 * whatever is chosen; without scratch, each rotation first converges its
 * service.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "e2e/etls/etls_testutil.h"
#include "harness/h_cluster.h"
#include "harness/h_file.h"
#include "harness/harness.h"

#define MAX_WRITES 32

static struct h_sim g_sim;
static char g_dir[256];
static size_t g_points, g_recovered;
static bool g_scratch = true, g_rotate = true, g_toggle = true;

struct write {
    char method[8];
    char path[256];   /* with the service name written as "@" */
};

static int setup(void **state)
{
    h_mkdtemp(g_dir, "crash");
    return h_group_up(state, &g_sim, E_SPEED);
}

static int teardown(void **state)
{
    h_rmtree(g_dir);
    return h_group_down(state, &g_sim);
}

static char *doc_tls(const char *svc, int tls)
{
    return e_service_doc(g_dir, svc, tls);
}

static char *doc(const char *svc)
{
    return doc_tls(svc, 1);
}

/* Replace every "/<from>" and "/<from>/" segment of @in by @to. */
static void subst(char *out, size_t n, const char *in, const char *from,
                  const char *to)
{
    size_t fl = strlen(from), o = 0;

    while (*in && o + 1 < n) {
        if (in[0] == '/' && strncmp(in + 1, from, fl) == 0 &&
            (in[1 + fl] == '/' || in[1 + fl] == '\0' || in[1 + fl] == '?')) {
            o += (size_t)snprintf(out + o, n - o, "/%s", to);
            in += 1 + fl;
            continue;
        }
        out[o++] = *in++;
    }
    out[o < n ? o : n - 1] = '\0';
}

/* The successful writes of the log, with @svc written as "@". */
static size_t writes_of(const char *svc, struct write *w)
{
    json_t *log = e_log(&g_sim), *x;
    size_t i, n = 0;

    json_array_foreach(log, i, x) {
        long st = (long)json_integer_value(json_object_get(x, "status"));

        if (!json_is_true(json_object_get(x, "write")) || st >= 300)
            continue;
        assert_true(n < MAX_WRITES);
        snprintf(w[n].method, sizeof(w[n].method), "%s",
                 json_string_value(json_object_get(x, "method")));
        subst(w[n].path, sizeof(w[n].path),
              json_string_value(json_object_get(x, "path")), svc, "@");
        n++;
    }
    json_decref(log);
    return n;
}

/*
 * A whole apply of @file; it waits (up to 60 s) for the lease a killed run
 * left, whose short TTL (apply_killed_before) keeps that wait short.  Its
 * own lease has the default TTL: with 5 s, a loaded machine (a key pair
 * generated in 4.8 s) let it lapse before the first write after the
 * secret, and etls rightly stopped.
 */
static int run_apply(const char *file)
{
    struct e_run r = e_etls(&g_sim, "apply", file, "--auto-approve",
                            "--lock-timeout", "60s", (char *)NULL);
    int rc = r.rc;

    if (rc != 0)
        fprintf(stderr, "apply: %s\n%s\n", r.out, r.err);
    e_assert_clean(&r, &g_sim, NULL);
    e_run_free(&r);
    return rc;
}

/* Has the log an answer @status to @method @path? */
static bool logged(const char *method, const char *path, long status)
{
    json_t *log = e_log(&g_sim), *x;
    bool found = false;
    size_t i;

    json_array_foreach(log, i, x)
        if (strcmp(json_string_value(json_object_get(x, "method")),
                   method) == 0 &&
            strcmp(json_string_value(json_object_get(x, "path")), path) ==
                0 &&
            json_integer_value(json_object_get(x, "status")) == status)
            found = true;
    json_decref(log);
    return found;
}

/*
 * Run apply on @file and kill it right after its writes up to @w[k - 1]:
 * write @w[k] (of service @svc) fails once with 503, and while etls backs
 * off before retrying, SIGKILL.
 */
static void apply_killed_before(const char *file, const char *svc,
                                const struct write *w)
{
    char path[256], prefix[256], *fault;
    struct e_proc p;
    struct e_run r;
    int i;

    subst(path, sizeof(path), w->path, "@", svc);
    /* Fault rules match a path prefix without the query. */
    snprintf(prefix, sizeof(prefix), "%.*s", (int)strcspn(path, "?"), path);
    fault = h_fmt("{\"method\":\"%s\",\"path\":\"%s\",\"status\":503,"
                  "\"count\":1}", w->method, prefix);
    e_fault(&g_sim, fault);
    free(fault);
    p = e_spawn(&g_sim, "apply", file, "--auto-approve", "--lock-ttl", "5s", (char *)NULL);
    for (i = 0; i < 3000 && !logged(w->method, path, 503); i++)
        h_sleep_ms(20);
    if (i == 3000)
        fail_msg("%s %s was never sent", w->method, path);
    kill((pid_t)p.pid, SIGKILL);
    r = e_wait(&p);
    assert_int_equal(r.rc, 128 + SIGKILL);
    e_run_free(&r);
}

static char *sha256_hex(const char *s)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0, i;
    char *out;

    assert_int_equal(EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL),
                     1);
    out = malloc(2 * n + 1);
    assert_non_null(out);
    for (i = 0; i < n; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[2 * n] = '\0';
    return out;
}

/* Converged (TLS @tls), one key, and the scheduler runs with the secret
 * of now. */
static void assert_consistent_tls(const char *svc, size_t secret_writes_max,
                                  int tls)
{
    char path[64], url[128], *want;
    struct h_resp r;
    struct write w[MAX_WRITES];
    size_t n, i, secret_writes = 0;

    snprintf(path, sizeof(path), "%s/secret", svc);
    e_assert_converged(&g_sim, svc, svc, path, tls, 1);
    e_assert_key_matches(&g_sim, svc, path);
    n = writes_of(svc, w);
    for (i = 0; i < n; i++)
        if (strcmp(w[i].path, "/secrets/v1/secret/default/@/secret") == 0)
            secret_writes++;
    if (secret_writes > secret_writes_max)
        fail_msg("%s: the secret was written %zu times", svc,
                 secret_writes);
    snprintf(url, sizeof(url), "/secrets/v1/secret/default/%s", path);
    r = h_get(&g_sim, url);
    assert_int_equal(r.status, 200);
    want = sha256_hex(json_string_value(json_object_get(r.json, "value")));
    h_resp_free(&r);
    snprintf(url, sizeof(url), "/sim/v1/services/%s/scheduler", svc);
    r = h_control(&g_sim, "GET", url, NULL);
    assert_int_equal(r.status, 200);
    if (!json_is_string(json_object_get(r.json, "credential_sha256")) ||
        strcmp(json_string_value(json_object_get(r.json,
                                                 "credential_sha256")),
               want) != 0)
        fail_msg("%s: the scheduler does not hold the current secret", svc);
    h_resp_free(&r);
    free(want);
    g_recovered++;
}

static void assert_consistent(const char *svc, size_t secret_writes_max)
{
    assert_consistent_tls(svc, secret_writes_max, 1);
}

static void test_crash_points(void **state)
{
    struct write scratch[MAX_WRITES], rotate[MAX_WRITES], toggle[MAX_WRITES];
    size_t n_scratch, n_rotate, n_toggle, k;
    char *file, svc[32];

    (void)state;
    /* Reference runs on service "cref": from scratch, then a rotation. */
    file = doc("cref");
    e_log_clear(&g_sim);
    assert_int_equal(run_apply(file), 0);
    n_scratch = writes_of("cref", scratch);
    e_secret_delete(&g_sim, "cref/secret");
    e_log_clear(&g_sim);
    assert_int_equal(run_apply(file), 0);
    n_rotate = writes_of("cref", rotate);
    free(file);
    /* ... and a TLS toggle (on -> off) of the converged service. */
    file = doc_tls("cref", 0);
    e_log_clear(&g_sim);
    assert_int_equal(run_apply(file), 0);
    n_toggle = writes_of("cref", toggle);
    free(file);
    assert_true(n_scratch >= 5);
    assert_true(n_rotate >= 7);
    assert_true(n_toggle >= 3);

    /*
     * From scratch, killed after write k (1 .. n - 1; after the last one,
     * the lease's removal, the run is complete).  Each crash point has its
     * own service; the second run converges it.
     */
    for (k = 1; g_scratch && k + 1 < n_scratch; k++) {
        snprintf(svc, sizeof(svc), "s%zu", k);
        file = doc(svc);
        e_log_clear(&g_sim);
        apply_killed_before(file, svc, &scratch[k]);
        g_points++;
        assert_int_equal(run_apply(file), 0);
        assert_consistent(svc, 1);
        free(file);
    }

    /* Rotations of converged services, killed after each write k (the
     * from-scratch crash points left s1 .. s<n_scratch - 2> converged). */
    for (k = 1; g_rotate && k + 1 < n_rotate; k++) {
        char path[64];

        snprintf(svc, sizeof(svc), "s%zu", k);
        snprintf(path, sizeof(path), "%s/secret", svc);
        file = doc(svc);
        if (!g_scratch || k + 1 >= n_scratch)
            assert_int_equal(run_apply(file), 0); /* a service to rotate */
        e_secret_delete(&g_sim, path);
        e_log_clear(&g_sim);
        apply_killed_before(file, svc, &rotate[k]);
        g_points++;
        assert_int_equal(run_apply(file), 0);
        assert_consistent(svc, 1);
        free(file);
    }

    /* TLS toggles (on -> off) of converged services, killed after each
     * write k: the rerun turns TLS off and restores serial. */
    for (k = 1; g_toggle && k + 1 < n_toggle; k++) {
        char *off;

        snprintf(svc, sizeof(svc), "t%zu", k);
        file = doc(svc);
        off = doc_tls(svc, 0);
        assert_int_equal(run_apply(file), 0);
        e_log_clear(&g_sim);
        apply_killed_before(off, svc, &toggle[k]);
        g_points++;
        assert_int_equal(run_apply(off), 0);
        assert_consistent_tls(svc, 0, 0);
        free(file);
        free(off);
    }
    printf("crash points: %zu/%zu recovered consistent\n", g_recovered,
           g_points);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_points),
    };
    int i;

    if (argc > 1)
        g_scratch = g_rotate = g_toggle = false;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "scratch") == 0) {
            g_scratch = true;
        } else if (strcmp(argv[i], "rotate") == 0) {
            g_rotate = true;
        } else if (strcmp(argv[i], "toggle") == 0) {
            g_toggle = true;
        } else {
            fprintf(stderr, "usage: %s [scratch] [rotate] [toggle]\n",
                    argv[0]);
            return 2;
        }
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}
