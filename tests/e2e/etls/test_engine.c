/*
 * End-to-end tests of the engine's contract (controller/engine.h) against
 * a private dcos-sim, driven through the library as a daemon would: the
 * engine is built from struct engine_options (no struct cli in the
 * engine), reports through a report sink, applies plans that carry
 * everything their execution needs, refuses what cannot be applied before
 * any write, and can be cancelled from a callback of its loop with nothing
 * lost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "controller/cli.h"
#include "controller/engine.h"
#include "controller/load.h"
#include "dcos/client.h"
#include "e2e/etls/etls_testutil.h"
#include "harness/h_file.h"
#include "harness/harness.h"

static struct h_sim g_sim;

static int setup(void **state)
{
    assert_int_equal(dcos_global_init(), 0);
    return h_group_up(state, &g_sim, E_SPEED);
}

static int teardown(void **state)
{
    int r = h_group_down(state, &g_sim);

    dcos_global_cleanup();
    return r;
}

#define LEASES "/secrets/v1/secret/default/etls/"

/*
 * The writes in the sim's request log that are not etls's lease records,
 * as "METHOD path -> status; " (new string); their count.
 */
static size_t service_writes(char **desc)
{
    json_t *log = e_log(&g_sim), *x;
    size_t i, n = 0;
    char buf[8192] = "";

    json_array_foreach(log, i, x) {
        const char *path = json_string_value(json_object_get(x, "path"));

        if (!json_is_true(json_object_get(x, "write")) ||
            strncmp(path, LEASES, sizeof(LEASES) - 1) == 0)
            continue;
        n++;
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s %s; ",
                 json_string_value(json_object_get(x, "method")), path);
    }
    json_decref(log);
    *desc = strdup(buf);
    return n;
}

/* Drop a response whatever its status. */
static void drop(struct h_resp r)
{
    h_resp_free(&r);
}

/* What a test's report sink saw. */
struct seen {
    struct engine *eng;
    bool cancel_after_first; /* engine_cancel on the first action done */
    size_t started, done, failed, refused, verified, summaries, keygens;
    size_t n_failed;             /* of the summary */
    size_t not_started;          /* actions of the summary */
    char last_failure[400];
};

static void on_refused(void *payload, const struct model_plan *p,
                       const struct model_action *a)
{
    struct seen *s = payload;

    (void)p;
    assert_int_equal(a->op, MODEL_OP_FAIL);
    s->refused++;
}

static void on_start(void *payload, const struct model_plan *p,
                     const struct model_action *a)
{
    (void)p;
    (void)a;
    ((struct seen *)payload)->started++;
}

static void on_done(void *payload, const struct model_plan *p,
                    const struct model_action *a, double secs)
{
    struct seen *s = payload;

    (void)p;
    (void)a;
    (void)secs;
    if (s->done++ == 0 && s->cancel_after_first)
        engine_cancel(s->eng);
}

static void on_note(void *payload, const struct model_plan *p,
                    const struct model_action *a, const char *text)
{
    (void)p;
    (void)a;
    if (strstr(text, "Generating an RSA-2048 key pair"))
        ((struct seen *)payload)->keygens++;
}

static void on_failed(void *payload, const struct model_plan *p,
                      const struct model_action *a, const char *text)
{
    struct seen *s = payload;

    (void)p;
    (void)a;
    s->failed++;
    snprintf(s->last_failure, sizeof(s->last_failure), "%s", text);
}

static void on_verified(void *payload, const struct report_verified *v)
{
    struct seen *s = payload;

    assert_true(v->tls);
    assert_non_null(v->subject);
    s->verified++;
}

static void on_summary(void *payload, const struct report_summary *sum)
{
    struct seen *s = payload;
    size_t i, j;

    s->summaries++;
    s->n_failed = sum->n_failed;
    for (i = 0; i < sum->n_services; i++)
        for (j = 0; j < sum->services[i].plan->n_actions; j++)
            if (sum->services[i].outcomes[j] == REPORT_NOT_STARTED)
                s->not_started++;
}

static const struct report_ops seen_ops = {
    .refused = on_refused,
    .action_start = on_start,
    .action_note = on_note,
    .action_done = on_done,
    .action_failed = on_failed,
    .verified = on_verified,
    .summary = on_summary,
};

/* The CLI's connection settings for the sim, owned by @c. */
static void sim_cli(struct cli *c)
{
    char err[512];

    memset(c, 0, sizeof(*c));
    c->sim_dir = strdup(g_sim.dir);
    assert_non_null(c->sim_dir);
    if (cli_apply_sim(c, err, sizeof(err)))
        fail_msg("cli_apply_sim: %s", err);
}

/* An engine reporting to @s, from engine_options only. */
static struct engine *engine_for(struct cli *c, struct seen *s)
{
    struct report_sink sink = {&seen_ops, s};
    struct engine_options o;
    struct engine *eng = NULL;
    struct err_info e = {0};

    sim_cli(c);
    cli_engine_options(&o, c, &sink);
    o.rollout_timeout = 120;
    if (engine_new(&eng, &o, &e))
        fail_msg("engine_new: %s", e.text);
    s->eng = eng;
    return eng;
}

static void load(struct model_desired *d, const char *path)
{
    struct model_diags diags = {0};

    memset(d, 0, sizeof(*d));
    if (load_desired(d, path, &diags)) {
        model_diags_clear(&diags);
        fail_msg("cannot load %s", path);
    }
}

static void plans_free(struct model_plan *plans, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        model_plan_clear(&plans[i]);
    free(plans);
}

/* Plan and apply @path with a fresh engine; returns engine_apply's r. */
static int plan_apply(const char *path, struct seen *s, struct err_info *e)
{
    struct model_desired d;
    struct model_plan *plans = NULL;
    struct engine *eng;
    struct cli c;
    int r;

    load(&d, path);
    eng = engine_for(&c, s);
    if (engine_plan(eng, &d, &plans, e))
        fail_msg("engine_plan: %s", e->text);
    r = engine_apply(eng, plans, d.n_services, e);
    plans_free(plans, d.n_services);
    engine_free(eng);
    cli_free(&c);
    model_desired_clear(&d);
    return r;
}

/*
 * Cancelled from a report hook once the first write is done (the secret
 * with the new private key: crash-safe order): no other action starts,
 * nothing else is written, the summary lists what is left, and a later
 * run converges from there with the key it finds, making no new one.
 */
static void test_cancel_then_converge(void **state)
{
    char *runbook = e_runbook_file();
    struct seen s;
    struct err_info e = {0};
    char *writes = NULL;

    (void)state;
    memset(&s, 0, sizeof(s));
    s.cancel_after_first = true;
    e_log_clear(&g_sim);
    assert_int_not_equal(plan_apply(runbook, &s, &e), 0);
    assert_non_null(strstr(e.text, "not converged"));
    assert_non_null(strstr(e.text, "cancelled"));
    assert_int_equal(s.done, 1);
    assert_int_equal(s.started, 1);
    assert_int_equal(s.summaries, 1);
    assert_int_equal(s.n_failed, 1);
    assert_true(s.not_started >= 3);
    assert_int_equal(s.keygens, 1);
    if (service_writes(&writes) != 1)
        fail_msg("writes: %s", writes);
    assert_non_null(strstr(writes,
                           "PUT /secrets/v1/secret/default/elastic/secret"));
    free(writes);
    /* The lease was released: nothing left under etls/elastic/lease. */
    {
        struct h_resp l = h_get(&g_sim, "/secrets/v1/secret/default/etls/"
                                        "elastic/lease?list=true");

        assert_int_equal(l.status, 404);
        h_resp_free(&l);
    }

    /* The secret is there without an account: the next run creates the
     * account from the secret's key. */
    memset(&s, 0, sizeof(s));
    assert_int_equal(plan_apply(runbook, &s, &e), 0);
    assert_int_equal(s.failed, 0);
    assert_int_equal(s.keygens, 0);
    assert_int_equal(s.verified, 1);
    e_assert_converged(&g_sim, "elastic", "elastic", "elastic/secret", 1, 1);
    free(runbook);
}

/* A plan with a FAIL action is refused before the first write. */
static void test_refuses_fail_plan(void **state)
{
    char dir[256], *path;
    struct seen s;
    struct err_info e = {0};

    (void)state;
    h_mkdtemp(dir, "engine");
    path = h_write_file(dir, "refuse.json",
                        "{\"apiVersion\":\"etls/v1\",\"options\":"
                        "{\"service\":{\"name\":\"refused\","
                        "\"service_account\":\"refused\","
                        "\"service_account_secret\":\"refused/secret\"}},"
                        "\"access\":{\"groups\":[\"no-such-group\"]}}");
    memset(&s, 0, sizeof(s));
    e_log_clear(&g_sim);
    assert_int_equal(plan_apply(path, &s, &e), ERR_INVALID);
    assert_non_null(strstr(e.text, "nothing was changed"));
    assert_int_equal(s.refused, 1);
    assert_int_equal(s.started, 0);
    assert_int_equal(s.summaries, 0);
    e_assert_no_writes(&g_sim, "a refused plan");
    free(path);
    h_rmtree(dir);
}

/*
 * The plan is the contract: an account that takes the public key of a key
 * pair made by an action it does not wait for is an inconsistent plan,
 * refused before any write.
 */
static void test_refuses_inconsistent_plan(void **state)
{
    char *runbook = e_runbook_file();
    struct model_desired d;
    struct model_plan *plans = NULL;
    struct engine *eng;
    struct seen s;
    struct err_info e = {0};
    struct cli c;
    size_t i;

    (void)state;
    drop(h_delete(&g_sim, "/acs/api/v1/users/elastic"));
    drop(h_delete(&g_sim,
                             "/secrets/v1/secret/default/elastic/secret"));
    memset(&s, 0, sizeof(s));
    load(&d, runbook);
    eng = engine_for(&c, &s);
    assert_int_equal(engine_plan(eng, &d, &plans, &e), 0);
    for (i = 0; i < plans[0].n_actions; i++) {
        struct model_action *a = &plans[0].actions[i];

        if (a->op == MODEL_OP_ACCOUNT_CREATE ||
            a->op == MODEL_OP_ACCOUNT_REPLACE) {
            assert_int_equal(a->key_source, MODEL_KEY_NEW);
            assert_int_not_equal(a->params.account.key_from,
                                 MODEL_NO_ACTION);
            assert_true(a->n_deps > 0);
            a->n_deps = 0;
        }
    }
    e_log_clear(&g_sim);
    assert_int_equal(engine_apply(eng, plans, d.n_services, &e),
                     ERR_INVALID);
    assert_non_null(strstr(e.text, "inconsistent plan"));
    assert_int_equal(s.started, 0);
    e_assert_no_writes(&g_sim, "an inconsistent plan");
    plans_free(plans, d.n_services);
    engine_free(eng);
    cli_free(&c);
    model_desired_clear(&d);
    free(runbook);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cancel_then_converge),
        cmocka_unit_test(test_refuses_fail_plan),
        cmocka_unit_test(test_refuses_inconsistent_plan),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
