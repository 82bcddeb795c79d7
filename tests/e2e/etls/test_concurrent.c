/*
 * Two applies at once (two operators, CI and a daemon) against a private
 * dcos-sim: 20 pairs of `etls apply` started together on the same
 * document, from an empty cluster and after each kind of credential drift,
 * some with engineered interleavings (a delayed lease creation, so that
 * both contend for the same generation; a delayed first write, so that
 * one waits while the other works).  Each pair must end with both runs
 * exiting 0, one writer at a time (in the sim's request log, every write
 * for the service falls between the creation and the removal of one lease
 * generation, and generations never overlap), at most one new key pair,
 * and the account's public key matching the secret's private key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "e2e/etls/etls_testutil.h"
#include "harness/h_cluster.h"
#include "harness/h_file.h"
#include "harness/harness.h"

#define N_SERVICES 4
#define N_PAIRS 20

static struct h_sim g_sim;
static char g_dir[256];

static int setup(void **state)
{
    h_mkdtemp(g_dir, "concurrent");
    return h_group_up(state, &g_sim, E_SPEED);
}

static int teardown(void **state)
{
    h_rmtree(g_dir);
    return h_group_down(state, &g_sim);
}

/* The document of service c<i> (new path). */
static char *doc(int i)
{
    char name[32], *text, *path;

    snprintf(name, sizeof(name), "c%d.json", i);
    text = h_fmt("{\"service\":{\"name\":\"c%d\",\"service_account\":\"c%d\","
                 "\"service_account_secret\":\"c%d/secret\",\"security\":"
                 "{\"transport_encryption\":{\"enabled\":true}}},"
                 "\"elasticsearch\":{\"xpack_enabled\":true}}", i, i, i);
    path = h_write_file(g_dir, name, text);
    free(text);
    return path;
}

/* Count occurrences of @needle in @s. */
static size_t count(const char *s, const char *needle)
{
    size_t n = 0;

    while ((s = strstr(s, needle))) {
        n++;
        s += strlen(needle);
    }
    return n;
}

/*
 * The request log, for service c<i>: one writer at a time.  Lease
 * generations are created (201) and removed (204) in turn, and every
 * successful write for the service happens while one is held.
 */
static void assert_one_writer(int i)
{
    char lease[64], sec[64], acc[64], grp[64], app[64];
    json_t *log = e_log(&g_sim), *x;
    size_t k, held = 0, writes = 0;

    snprintf(lease, sizeof(lease), "/secrets/v1/secret/default/etls/c%d/",
             i);
    snprintf(sec, sizeof(sec), "/secrets/v1/secret/default/c%d/", i);
    snprintf(acc, sizeof(acc), "/acs/api/v1/users/c%d", i);
    snprintf(grp, sizeof(grp), "/acs/api/v1/groups/superusers/users/c%d",
             i);
    snprintf(app, sizeof(app), "/c%d", i);
    json_array_foreach(log, k, x) {
        const char *m = json_string_value(json_object_get(x, "method"));
        const char *p = json_string_value(json_object_get(x, "path"));
        long st = (long)json_integer_value(json_object_get(x, "status"));
        bool is_lease = strncmp(p, lease, strlen(lease)) == 0 &&
                        strstr(p, "/lease/") != NULL;

        if (!json_is_true(json_object_get(x, "write")) || st >= 300)
            continue;
        if (is_lease && strcmp(m, "PUT") == 0) {
            if (held)
                fail_msg("c%d: a second lease was created while one was "
                         "held (%s)", i, p);
            held = 1;
        } else if (is_lease && strcmp(m, "DELETE") == 0) {
            held = 0;
        } else if (strncmp(p, sec, strlen(sec)) == 0 ||
                   strcmp(p, acc) == 0 || strcmp(p, grp) == 0 ||
                   strcmp(p, "/package/install") == 0 ||
                   strcmp(p, "/cosmos/service/update") == 0 ||
                   (strstr(p, app) && strstr(p, "/restart"))) {
            writes++;
            if (!held)
                fail_msg("c%d: %s %s was written without the lease", i, m,
                         p);
        }
    }
    json_decref(log);
    if (held)
        fail_msg("c%d: a lease was left behind", i);
    (void)writes;
}

/* One pair on service c<i>, @variant choosing the interleaving. */
static void pair(int i, int variant)
{
    char *file = doc(i), *fault = NULL, uid[16], path[32];
    struct e_proc a, b;
    struct e_run ra, rb;

    snprintf(uid, sizeof(uid), "c%d", i);
    snprintf(path, sizeof(path), "c%d/secret", i);
    e_log_clear(&g_sim);
    if (variant == 1)
        fault = h_fmt("{\"method\":\"PUT\",\"path\":\"/secrets/v1/secret/"
                      "default/etls/c%d/lease/\",\"delay_ms\":700,"
                      "\"count\":1}", i);
    else if (variant == 2)
        fault = h_fmt("{\"method\":\"*\",\"path\":\"/secrets/v1/secret/"
                      "default/c%d/secret\",\"delay_ms\":1500,"
                      "\"count\":1}", i);
    if (fault)
        e_fault(&g_sim, fault);
    a = e_spawn(&g_sim, "apply", file, "--auto-approve", "--lock-timeout", "180s",
                (char *)NULL);
    b = e_spawn(&g_sim, "apply", file, "--auto-approve", "--lock-timeout", "180s",
                (char *)NULL);
    ra = e_wait(&a);
    rb = e_wait(&b);
    if (ra.rc != 0 || rb.rc != 0) {
        fprintf(stderr, "A (%d):\n%s\n%s\nB (%d):\n%s\n%s\n", ra.rc, ra.out,
                ra.err, rb.rc, rb.out, rb.err);
        fail_msg("pair %d/%d on %s: an apply failed", i, variant, uid);
    }
    if (count(ra.out, "Generating an RSA-2048 key pair") +
            count(rb.out, "Generating an RSA-2048 key pair") > 1)
        fail_msg("pair %d on %s: two new key pairs", variant, uid);
    e_assert_clean(&ra, &g_sim, path);
    e_assert_clean(&rb, &g_sim, path);
    e_run_free(&ra);
    e_run_free(&rb);
    e_assert_key_matches(&g_sim, uid, path);
    assert_one_writer(i);
    free(fault);
    free(file);
}

/* A drift that gives the next pair work (and a key question). */
static void drift(int i, int kind)
{
    char uid[16], path[32];

    snprintf(uid, sizeof(uid), "c%d", i);
    snprintf(path, sizeof(path), "c%d/secret", i);
    switch (kind % 3) {
    case 0: e_secret_delete(&g_sim, path); break;   /* rotation */
    case 1: e_account_delete(&g_sim, uid); break;   /* from the secret */
    default: e_group_remove(&g_sim, "superusers", uid); break;
    }
}

static void test_concurrent_pairs(void **state)
{
    int k;

    (void)state;
    /* Pairs 0-3: from an empty cluster, one service each. */
    for (k = 0; k < N_SERVICES; k++)
        pair(k, k % 3);
    /* Pairs 4-19: after a drift, round robin over the services. */
    for (k = N_SERVICES; k < N_PAIRS; k++) {
        int i = k % N_SERVICES;

        drift(i, k);
        pair(i, k % 3);
    }
    for (k = 0; k < N_SERVICES; k++) {
        char uid[16], path[32];

        snprintf(uid, sizeof(uid), "c%d", k);
        snprintf(path, sizeof(path), "c%d/secret", k);
        e_assert_converged(&g_sim, uid, uid, path, 1, 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_pairs),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
