/*
 * Fault schedules (issue 10): seeded, reproducible random schedules of
 * dcos-sim faults (docs/sim.md, "Fault rules" and "Nodes and state")
 * during a from-scratch `etls apply` of a new service: 5xx bursts and 429
 * on one API, latency beyond the request timeout, connection resets, an
 * expired token (401), 409 races, and, while the apply runs, a scheduler
 * restart (Marathon) or a node kill.  Each schedule converges within the
 * faulted run or, the faults removed, in the next run; then there is no
 * duplicate (one Marathon app, one installed package for the service) and
 * no orphan (the secret store holds exactly the secrets a clean apply
 * leaves, the SDK's own TLS artifacts aside),
 * the account's public key matches the secret's private key and the
 * scheduler holds the current secret.
 *
 * Usage: hostile_faults [N [FIRST_SEED]] (default 4 schedules from seed 1;
 * the stress registration runs 100).  Prints "fault schedules: A in-run,
 * B after a rerun, T total" for scripts/hardening.sh; a failure names the
 * seed and its rules, and `hostile_faults 1 SEED` replays it.
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

#include "common/buf.h"
#include "common/util.h"
#include "e2e/etls/etls_testutil.h"
#include "harness/h_file.h"

static struct h_sim g_sim;
static char g_dir[256];
static unsigned g_n = 4, g_first = 1;
static size_t g_in_run, g_after_rerun, g_total;
static json_t *g_clean_secrets; /* secrets a clean apply of "@" leaves */

static uint64_t g_rng;

static unsigned rnd(unsigned n)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (unsigned)(g_rng % n);
}

static char *doc(const char *svc)
{
    return e_service_doc(g_dir, svc, 1);
}

static struct e_proc spawn_apply(const char *file)
{
    return e_spawn(&g_sim, "apply", file, "--auto-approve",
                   "--request-timeout", "2s", "--lock-ttl", "5s",
                   "--lock-timeout", "60s", "--timeout", "90s",
                   (char *)NULL);
}

/* Every secret path of the store that names @svc, with @svc as "@",
 * sorted (new array). */
static json_t *secrets_of(const char *svc)
{
    struct h_resp r = h_get(&g_sim, "/secrets/v1/secret/default/?list=true");
    json_t *out = json_array(), *v;
    size_t i, n = strlen(svc);

    assert_int_equal(r.status, 200);
    json_array_foreach(json_object_get(r.json, "array"), i, v) {
        const char *p = json_string_value(v), *q;
        struct buf b;

        /* The SDK's own TLS artifacts (named by task and config hash,
         * dcos-cli-and-cluster.md, TLSCleanupStep) are not etls's. */
        if (p && (util_has_suffix(p, "__certificate") ||
                  util_has_suffix(p, "__private-key") ||
                  util_has_suffix(p, "__root-ca-certificate") ||
                  util_has_suffix(p, "__keystore") ||
                  util_has_suffix(p, "__truststore")))
            continue;
        if (!p || !(q = strstr(p, svc)) ||
            (q != p && q[-1] != '/' && q[-1] != '_') ||
            (q[n] && q[n] != '/'))
            continue;
        buf_init(&b, 4096);
        assert_int_equal(buf_printf(&b, "%.*s@%s", (int)(q - p), p, q + n),
                         0);
        json_array_append_new(out, json_string(buf_str(&b)));
        buf_free(&b);
    }
    h_resp_free(&r);
    /* Sort by insertion into an object (keys sorted on dump). */
    {
        json_t *set = json_object(), *sorted = json_array();
        const char *k;

        json_array_foreach(out, i, v)
            json_object_set(set, json_string_value(v), json_true());
        json_object_foreach(set, k, v)
            json_array_append_new(sorted, json_string(k));
        json_decref(set);
        json_decref(out);
        out = sorted;
    }
    return out;
}

static int cmp_json_str(const void *a, const void *b)
{
    return strcmp(json_string_value(*(json_t *const *)a),
                  json_string_value(*(json_t *const *)b));
}

static json_t *sorted(json_t *a)
{
    json_t **v = calloc(json_array_size(a) + 1, sizeof(*v)), *out;
    size_t i, n = json_array_size(a);

    for (i = 0; i < n; i++)
        v[i] = json_array_get(a, i);
    qsort(v, n, sizeof(*v), cmp_json_str);
    out = json_array();
    for (i = 0; i < n; i++)
        json_array_append(out, v[i]);
    free(v);
    json_decref(a);
    return out;
}

/* Number of Marathon apps with id /@svc, and of installed packages of
 * @svc. */
static void assert_no_duplicates(const char *svc)
{
    struct h_resp r = h_get(&g_sim, "/marathon/v2/apps");
    char want[64];
    json_t *v;
    size_t i, apps = 0;

    assert_int_equal(r.status, 200);
    snprintf(want, sizeof(want), "/%s", svc);
    json_array_foreach(json_object_get(r.json, "apps"), i, v)
        apps += strcmp(json_string_value(json_object_get(v, "id")), want) ==
                0;
    h_resp_free(&r);
    if (apps != 1)
        fail_msg("%s: %zu Marathon apps", svc, apps);
}

/* The rules of schedule @seed for service @svc, added to the sim; a
 * description in @desc.  Returns what to do while the apply runs: 0
 * nothing, 1 restart the scheduler, 2 kill a node. */
static int schedule(unsigned seed, const char *svc, struct buf *desc)
{
    static const char *const paths[] = {
        "/acs/api/v1/users/", "/acs/api/v1/groups/", "/acs/api/v1/acls/",
        "/secrets/v1/secret/default/", "/cosmos/service/",
        "/package/", "/marathon/v2/", "/service/", "/acs/api/v1/auth/login",
        "/ca/dcos-ca.crt", "/dcos-metadata/",
    };
    static const char *const methods[] = { "*", "GET", "PUT", "POST",
                                           "PATCH", "DELETE" };
    static const int statuses[] = { 500, 502, 503, 504, 429 };
    unsigned n, i;
    int action;

    g_rng = 0x9e3779b97f4a7c15ull ^ ((uint64_t)seed * 0x2545f4914f6cdd1dull);
    (void)rnd(2);
    n = 1 + rnd(4);
    for (i = 0; i < n; i++) {
        const char *path = paths[rnd(sizeof(paths) / sizeof(*paths))];
        const char *method = methods[rnd(sizeof(methods) / sizeof(*methods))];
        unsigned kind = rnd(5), count = 1 + rnd(3);
        char *rule, *p;

        p = strcmp(path, "/service/") == 0 ? h_fmt("/service/%s/", svc)
                                           : h_fmt("%s", path);
        switch (kind) {
        case 0: /* a 5xx or 429 burst */
            rule = h_fmt("{\"method\":\"%s\",\"path\":\"%s\",\"status\":%d,"
                         "\"count\":%u}", method, p,
                         statuses[rnd(5)], count);
            break;
        case 1: /* latency beyond --request-timeout 2s */
            rule = h_fmt("{\"method\":\"%s\",\"path\":\"%s\","
                         "\"delay_ms\":2500,\"count\":%u}", method, p,
                         1 + rnd(2));
            break;
        case 2: /* resets */
            rule = h_fmt("{\"method\":\"%s\",\"path\":\"%s\",\"reset\":true,"
                         "\"count\":%u}", method, p, count);
            break;
        case 3: /* the token expired */
            rule = h_fmt("{\"method\":\"%s\",\"path\":\"%s\",\"status\":401,"
                         "\"count\":1}", method, p);
            break;
        default: /* a 409 race */
            rule = h_fmt("{\"method\":\"%s\",\"path\":\"%s\",\"status\":409,"
                         "\"count\":1,\"probability\":0.5}",
                         strcmp(method, "GET") == 0 ? "PUT" : method, p);
            break;
        }
        e_fault(&g_sim, rule);
        assert_int_equal(buf_printf(desc, "%s%s", i ? ", " : "", rule), 0);
        free(rule);
        free(p);
    }
    action = (int)rnd(4); /* 0, 3: none; 1: restart; 2: node kill */
    if (action == 3)
        action = 0;
    if (action)
        assert_int_equal(buf_printf(desc, "; then %s",
                                    action == 1 ? "a scheduler restart"
                                                : "a node kill"), 0);
    return action;
}

/* While @p runs: once the service is installed, restart its scheduler
 * (@action 1) or kill a node (2).  Bounded by E_WAIT_MS. */
static void disturb(const char *svc, int action, struct e_proc *p,
                    struct e_run *r, bool *done)
{
    double end = util_now_mono() + E_WAIT_MS / 1000.0;
    char *path;
    struct h_resp x;

    *done = false;
    while (util_now_mono() < end) {
        if (e_try_wait(p, 50, r)) {
            *done = true;
            return;
        }
        path = h_fmt("/sim/v1/services/%s/scheduler", svc);
        x = h_control(&g_sim, "GET", path, NULL);
        free(path);
        if (x.status == 200 &&
            json_is_true(json_object_get(x.json, "scheduler_up"))) {
            h_resp_free(&x);
            break;
        }
        h_resp_free(&x);
    }
    if (action == 1) {
        path = h_fmt("/marathon/v2/apps/%s/restart", svc);
        x = h_post(&g_sim, path, "{}");
    } else {
        path = h_fmt("/sim/v1/services/%s/nodes/master-0-node/kill", svc);
        x = h_control(&g_sim, "POST", path, NULL);
    }
    h_resp_free(&x); /* "not possible now" is fine: a schedule, not a test */
    free(path);
}

/* Converged, one key, the scheduler holding it, no duplicate, no
 * orphan. */
static void assert_outcome(const char *svc, const char *desc)
{
    char path[64];
    json_t *got;

    snprintf(path, sizeof(path), "%s/secret", svc);
    e_assert_converged(&g_sim, svc, svc, path, 1, 1);
    e_assert_key_matches(&g_sim, svc, path);
    assert_no_duplicates(svc);
    got = sorted(secrets_of(svc));
    if (!json_equal(got, g_clean_secrets)) {
        char *a = json_dumps(got, JSON_COMPACT);
        char *b = json_dumps(g_clean_secrets, JSON_COMPACT);

        fail_msg("%s (%s): secrets %s, a clean apply leaves %s", svc, desc,
                 a, b);
    }
    json_decref(got);
}

static void run_schedule(unsigned seed)
{
    struct buf desc;
    char svc[32], *file;
    struct e_proc p;
    struct e_run r;
    struct h_resp x;
    bool done;
    int action;

    snprintf(svc, sizeof(svc), "f%u", seed);
    file = doc(svc);
    buf_init(&desc, 1u << 20);
    e_log_clear(&g_sim);
    action = schedule(seed, svc, &desc);
    p = spawn_apply(file);
    done = false;
    if (action)
        disturb(svc, action, &p, &r, &done);
    if (!done)
        r = e_wait(&p);
    e_assert_clean(&r, &g_sim, NULL);
    x = h_control(&g_sim, "DELETE", "/sim/v1/faults", NULL);
    assert_int_equal(x.status, 204);
    h_resp_free(&x);
    g_total++;
    if (r.rc == 0) {
        g_in_run++;
    } else {
        struct e_run r2;

        printf("# seed %u: faulted run exit %d, rerun (%s)\n", seed, r.rc,
               buf_str(&desc));
        r2 = e_etls(&g_sim, "apply", file, "--auto-approve", "--lock-ttl",
                    "5s", "--lock-timeout", "60s", (char *)NULL);
        if (r2.rc != 0)
            fail_msg("seed %u (%s): the rerun failed (exit %d)\n%s\n%s",
                     seed, buf_str(&desc), r2.rc, r2.out, r2.err);
        e_assert_clean(&r2, &g_sim, NULL);
        e_run_free(&r2);
        g_after_rerun++;
    }
    /* A restart or kill may land after etls verified and released the
     * service: judge the state once the cluster has settled from it. */
    if (action && !e_wait_complete(&g_sim, svc))
        fail_msg("seed %u (%s): the service never settled", seed,
                 buf_str(&desc));
    assert_outcome(svc, buf_str(&desc));
    e_run_free(&r);
    buf_free(&desc);
    free(file);
}

static void test_schedules(void **state)
{
    struct e_run r;
    char *file;
    unsigned i;

    (void)state;
    /* The reference: what a clean from-scratch apply leaves. */
    file = doc("fclean");
    r = e_etls(&g_sim, "apply", file, "--auto-approve", (char *)NULL);
    assert_int_equal(r.rc, 0);
    e_run_free(&r);
    free(file);
    g_clean_secrets = sorted(secrets_of("fclean"));
    for (i = 0; i < g_n; i++)
        run_schedule(g_first + i);
    json_decref(g_clean_secrets);
}

static int group_up(void **state)
{
    h_mkdtemp(g_dir, "faults");
    return h_group_up(state, &g_sim, E_SPEED);
}

static int group_down(void **state)
{
    printf("fault schedules: %zu in-run, %zu after a rerun, %zu total\n",
           g_in_run, g_after_rerun, g_total);
    h_rmtree(g_dir);
    return h_group_down(state, &g_sim);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedules),
    };
    long v;

    if (argc > 1 && util_parse_long(&v, argv[1], 1, 10000) == 0)
        g_n = (unsigned)v;
    if (argc > 2 && util_parse_long(&v, argv[2], 1, 1000000) == 0)
        g_first = (unsigned)v;
    return cmocka_run_group_tests(tests, group_up, group_down);
}
