/*
 * Unit tests of model/observed.c: the observed-state life cycle and the SDK
 * PlanInfo parser, on the upstream plan bodies (Kafka, Cassandra) and on
 * Elastic-shaped ones built from elastic-sdk.md section 3.2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/err.h"
#include "harness/h_json.h"
#include "model/observed.h"

#define KAFKA_PLAN                                                            \
    ETLS_FIXTURES_DIR "/mesosphere__dcos-commons/cli/queries/testdata/"       \
                      "responses/scheduler/plan-status.json"
#define CASSANDRA_PLAN                                                        \
    ETLS_FIXTURES_DIR "/dcos__dcos-ui/plugins/services/src/js/data/"          \
                      "__tests__/_fixtures/service-plan-in-progress.json"

static void test_kafka_fixture(void **state)
{
    struct model_plan_status p;
    json_t *j = h_json_load(KAFKA_PLAN);

    (void)state;
    memset(&p, 0, sizeof(p));
    assert_int_equal(model_plan_status_from_json(&p, j, 202), 0);
    assert_true(p.known);
    assert_int_equal(p.http_status, 202);
    assert_string_equal(p.status, "IN_PROGRESS");
    assert_string_equal(p.strategy, "serial");
    assert_int_equal(p.n_errors, 0);
    assert_int_equal(p.n_phases, 2);
    assert_string_equal(p.phases[0].name, "Deployment");
    assert_string_equal(p.phases[0].strategy, "serial");
    assert_string_equal(p.phases[0].status, "IN_PROGRESS");
    assert_int_equal(p.phases[0].n_steps, 3);
    assert_string_equal(p.phases[0].steps[0].name, "kafka-0:[broker]");
    assert_string_equal(p.phases[0].steps[0].status, "COMPLETE");
    assert_string_equal(p.phases[0].steps[1].status, "IN_PROGRESS");
    assert_string_equal(p.phases[0].steps[2].name, "kafka-2:[broker]");
    assert_string_equal(p.phases[0].steps[2].status, "PENDING");
    assert_string_equal(p.phases[1].name, "Reindexing");
    assert_string_equal(p.phases[1].strategy, "parallel");
    assert_string_equal(p.phases[1].status, "PENDING");
    assert_int_equal(p.phases[1].n_steps, 3);
    assert_string_equal(p.phases[1].steps[1].name, "kafka-1:[reindex]");
    model_plan_status_clear(&p);
    assert_null(p.status);
    assert_int_equal(p.n_phases, 0);
    assert_false(p.known);
    json_decref(j);
}

static void test_cassandra_fixture(void **state)
{
    static const char *const names[] = {"node-0:[server]",
                                        "node-0:[init_system_keyspaces]",
                                        "node-1:[server]", "node-2:[server]"};
    static const char *const statuses[] = {"COMPLETE", "COMPLETE", "PREPARED",
                                           "PENDING"};
    struct model_plan_status p;
    json_t *j = h_json_load(CASSANDRA_PLAN);
    size_t i;

    (void)state;
    memset(&p, 0, sizeof(p));
    assert_int_equal(model_plan_status_from_json(&p, j, 202), 0);
    assert_string_equal(p.status, "IN_PROGRESS");
    assert_int_equal(p.n_phases, 1);
    assert_string_equal(p.phases[0].name, "node-deploy");
    assert_int_equal(p.phases[0].n_steps, 4);
    for (i = 0; i < 4; i++) {
        assert_string_equal(p.phases[0].steps[i].name, names[i]);
        assert_string_equal(p.phases[0].steps[i].status, statuses[i]);
    }
    model_plan_status_clear(&p);
    json_decref(j);
}

/* The TLSRequiresServiceAccount failure: plan ERROR with errors, 417. */
static void test_error_plan(void **state)
{
    const char *body =
        "{\"phases\": [{\"id\": \"1\", \"name\": \"master-update\", "
        "\"strategy\": \"parallel\", \"status\": \"ERROR\", \"steps\": []},"
        "{\"id\": \"2\", \"name\": \"ingest-update\", \"strategy\": "
        "\"parallel\", \"status\": \"COMPLETE\", \"steps\": []}],"
        "\"errors\": [\"Field: 'transport-encryption'; Value: ''; Message: "
        "'Scheduler is missing a service account that is required for "
        "provisioning TLS artifacts. Please configure in order to "
        "continue.'\"], \"strategy\": \"parallel\", \"status\": \"ERROR\"}";
    struct model_plan_status p;
    json_t *j = json_loads(body, 0, NULL);

    (void)state;
    assert_non_null(j);
    memset(&p, 0, sizeof(p));
    assert_int_equal(model_plan_status_from_json(&p, j, 417), 0);
    assert_int_equal(p.http_status, 417);
    assert_string_equal(p.status, "ERROR");
    assert_int_equal(p.n_phases, 2);
    assert_int_equal(p.phases[0].n_steps, 0);
    assert_null(p.phases[0].steps);
    assert_int_equal(p.n_errors, 1);
    assert_non_null(strstr(p.errors[0], "missing a service account"));
    /* A second parse replaces the first (ASan: nothing leaks). */
    json_decref(j);
    j = h_json_load(KAFKA_PLAN);
    assert_int_equal(model_plan_status_from_json(&p, j, 202), 0);
    assert_int_equal(p.n_errors, 0);
    assert_int_equal(p.n_phases, 2);
    model_plan_status_clear(&p);
    json_decref(j);
}

static void test_not_a_plan(void **state)
{
    static const char *const bodies[] = {
        "[]",
        "{}",
        "{\"status\": \"COMPLETE\"}",
        "{\"phases\": {}, \"status\": \"COMPLETE\"}",
        "{\"phases\": [], \"status\": 1}",
        "{\"phases\": [1], \"status\": \"COMPLETE\"}",
        "{\"phases\": [{\"name\": \"p\"}], \"status\": \"COMPLETE\"}",
        "{\"phases\": [{\"name\": \"p\", \"status\": \"PENDING\", "
        "\"steps\": [{\"name\": \"s\"}]}], \"status\": \"PENDING\"}",
        "{\"phases\": [{\"name\": \"p\", \"status\": \"PENDING\", "
        "\"steps\": {}}], \"status\": \"PENDING\"}",
        "{\"phases\": [], \"status\": \"ERROR\", \"errors\": [1]}",
        "{\"phases\": [], \"status\": \"ERROR\", \"errors\": \"x\"}",
    };
    struct model_plan_status p;
    json_t *ok = h_json_load(KAFKA_PLAN);
    size_t i;

    (void)state;
    memset(&p, 0, sizeof(p));
    assert_int_equal(model_plan_status_from_json(&p, ok, 202), 0);
    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        json_t *j = json_loads(bodies[i], JSON_DECODE_ANY, NULL);

        assert_non_null(j);
        if (model_plan_status_from_json(&p, j, 200) != ERR_INVALID)
            fail_msg("accepted: %s", bodies[i]);
        /* Left untouched. */
        assert_string_equal(p.phases[0].name, "Deployment");
        assert_int_equal(p.http_status, 202);
        json_decref(j);
    }
    assert_int_equal(model_plan_status_from_json(&p, NULL, 0), ERR_INVALID);
    model_plan_status_clear(&p);
    json_decref(ok);
}

/* Minimal body: no strategy, no errors, phase without steps. */
static void test_minimal_plan(void **state)
{
    struct model_plan_status p;
    json_t *j = json_loads("{\"phases\": [{\"name\": \"a\", \"status\": "
                           "\"COMPLETE\", \"extra\": 1}], \"status\": "
                           "\"COMPLETE\", \"unknown\": {}}",
                           0, NULL);

    (void)state;
    memset(&p, 0, sizeof(p));
    assert_int_equal(model_plan_status_from_json(&p, j, 200), 0);
    assert_null(p.strategy);
    assert_null(p.phases[0].strategy);
    assert_int_equal(p.phases[0].n_steps, 0);
    assert_int_equal(p.n_errors, 0);
    model_plan_status_clear(&p);
    json_decref(j);
}

static void test_observed_life_cycle(void **state)
{
    struct model_observed o;
    json_t *j = h_json_load(KAFKA_PLAN);

    (void)state;
    model_observed_init(&o);
    assert_int_equal(o.account, MODEL_UNKNOWN);
    assert_int_equal(o.secret, MODEL_UNKNOWN);
    assert_int_equal(o.package, MODEL_UNKNOWN);
    assert_null(o.dcos_version);
    assert_false(o.plan.known);
    /* Fill every owned member; clear must free them all (ASan). */
    o.dcos_version = strdup("2.2.0");
    o.account = MODEL_PRESENT;
    o.account_public_key = strdup("-----BEGIN PUBLIC KEY-----");
    o.secret = MODEL_PRESENT;
    o.secret_uid = strdup("elastic");
    o.secret_public_key = strdup("-----BEGIN PUBLIC KEY-----");
    o.in_group = calloc(2, sizeof(*o.in_group));
    o.group_exists = calloc(2, sizeof(*o.group_exists));
    o.permission_allowed = calloc(4, sizeof(*o.permission_allowed));
    o.package = MODEL_PRESENT;
    o.package_name = strdup("beta-elastic");
    o.package_version = strdup("2.1.2-5.6.5-beta");
    o.user_options = json_object();
    o.resolved_options = json_object();
    o.target_config_id = strdup("a-uuid");
    o.tasks_tls_known = true;
    o.tasks_tls_on = 2;
    assert_int_equal(model_plan_status_from_json(&o.plan, j, 202), 0);
    model_observed_clear(&o);
    assert_null(o.dcos_version);
    assert_null(o.user_options);
    assert_null(o.plan.phases);
    assert_int_equal(o.account, MODEL_UNKNOWN);
    assert_false(o.tasks_tls_known);
    assert_int_equal(o.tasks_tls_on, 0);
    /* Clearing a cleared observation is harmless. */
    model_observed_clear(&o);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kafka_fixture),
        cmocka_unit_test(test_cassandra_fixture),
        cmocka_unit_test(test_error_plan),
        cmocka_unit_test(test_not_a_plan),
        cmocka_unit_test(test_minimal_plan),
        cmocka_unit_test(test_observed_life_cycle),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
