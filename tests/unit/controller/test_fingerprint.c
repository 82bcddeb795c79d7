/*
 * Unit tests of controller/fingerprint.c: the fingerprint of an observation
 * is stable (same state, same digest, whatever the order of JSON members)
 * and changes when any field of struct model_observed changes, when the
 * cluster CA changes, and per service.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "harness/h_json.h"
#include "controller/fingerprint.h"

/* The helpers of harness/h_json.h under short names. */
#define dup(s) h_fmt("%s", (s))
#define js(text) h_json_parse(text)

/* One desired service with one group and one permission. */
static void make_service(struct model_service *svc, const char *name)
{
    memset(svc, 0, sizeof(*svc));
    svc->name = (char *)(uintptr_t)name;
    svc->groups = calloc(1, sizeof(*svc->groups));
    assert_non_null(svc->groups);
    svc->groups[0] = (char *)(uintptr_t)"superusers";
    svc->n_groups = 1;
    svc->permissions = calloc(1, sizeof(*svc->permissions));
    assert_non_null(svc->permissions);
    svc->permissions[0].rid = (char *)(uintptr_t)"dcos:adminrouter:ops:ca:rw";
    svc->permissions[0].action = (char *)(uintptr_t)"full";
    svc->n_permissions = 1;
}

/* An observation with every field set. */
static void make_observed(struct model_observed *o)
{
    struct model_plan_status *ps = &o->plan;

    model_observed_init(o);
    o->dcos_version = dup("2.2.0");
    o->account = MODEL_PRESENT;
    o->account_is_service = true;
    o->account_public_key = dup("PUB-A");
    o->secret = MODEL_PRESENT;
    o->secret_verdict = SA_OK;
    o->secret_uid = dup("elastic");
    o->secret_public_key = dup("PUB-A");
    o->in_group = calloc(1, sizeof(*o->in_group));
    o->group_exists = calloc(1, sizeof(*o->group_exists));
    o->permission_allowed = calloc(1, sizeof(*o->permission_allowed));
    assert_true(o->in_group && o->group_exists && o->permission_allowed);
    o->in_group[0] = true;
    o->group_exists[0] = MODEL_PRESENT;
    o->permission_allowed[0] = true;
    o->package = MODEL_PRESENT;
    o->package_name = dup("beta-elastic");
    o->package_version = dup("2.1.2-5.6.5-beta");
    o->user_options = js("{\"service\":{\"name\":\"elastic\",\"x\":1}}");
    o->resolved_options = js("{\"service\":{\"name\":\"elastic\",\"x\":1,"
                             "\"update_strategy\":\"serial\"}}");
    ps->known = true;
    ps->http_status = 200;
    ps->status = dup("COMPLETE");
    ps->strategy = dup("serial");
    ps->phases = calloc(1, sizeof(*ps->phases));
    assert_non_null(ps->phases);
    ps->n_phases = 1;
    ps->phases[0].name = dup("master-update");
    ps->phases[0].strategy = dup("serial");
    ps->phases[0].status = dup("COMPLETE");
    ps->phases[0].steps = calloc(1, sizeof(*ps->phases[0].steps));
    assert_non_null(ps->phases[0].steps);
    ps->phases[0].n_steps = 1;
    ps->phases[0].steps[0].name = dup("master-0:[node]");
    ps->phases[0].steps[0].status = dup("COMPLETE");
    ps->errors = calloc(1, sizeof(*ps->errors));
    assert_non_null(ps->errors);
    ps->errors[0] = dup("none");
    ps->n_errors = 1;
    o->target_config_id = dup("cfg-1");
    o->tasks_tls_known = true;
    o->tasks_tls_on = 3;
    o->tasks_tls_off = 0;
}

/* The run fingerprint of @o for service @name and CA @ca; the service's
 * own one in @per (may be NULL). */
static void fp_of(char out[FINGERPRINT_LEN], char *per,
                  const struct model_observed *o, const char *name,
                  const char *ca)
{
    struct model_service svc, *svcs[1] = {&svc};
    struct model_desired d = {svcs, 1};
    json_t *per_j = NULL;

    make_service(&svc, name);
    assert_int_equal(fingerprint_run(out, &per_j, &d, o, ca), 0);
    assert_int_equal(strlen(out), 71);
    assert_int_equal(strncmp(out, "sha256:", 7), 0);
    if (per)
        snprintf(per, FINGERPRINT_LEN, "%s",
                 json_string_value(json_object_get(per_j, name)));
    json_decref(per_j);
    free(svc.groups);
    free(svc.permissions);
}

static void replace(char **field, const char *value)
{
    free(*field);
    *field = value ? dup(value) : NULL;
}

/* Each change of one field of an observation. */
static void change(struct model_observed *o, int k)
{
    struct model_plan_status *ps = &o->plan;

    switch (k) {
    case 0: replace(&o->dcos_version, "2.1.0"); break;
    case 1: replace(&o->dcos_version, NULL); break;
    case 2: o->account = MODEL_ABSENT; break;
    case 3: o->account = MODEL_UNKNOWN; break;
    case 4: o->account_is_service = false; break;
    case 5: replace(&o->account_public_key, "PUB-B"); break;
    case 6: o->secret = MODEL_ABSENT; break;
    case 7: o->secret_verdict = SA_WRONG_UID; break;
    case 8: replace(&o->secret_uid, "other"); break;
    case 9: replace(&o->secret_public_key, NULL); break;
    case 10: o->in_group[0] = false; break;
    case 11: o->group_exists[0] = MODEL_ABSENT; break;
    case 12: o->permission_allowed[0] = false; break;
    case 13: o->package = MODEL_ABSENT; break;
    case 14: replace(&o->package_name, "elastic"); break;
    case 15: replace(&o->package_version, "2.1.1-5.6.5-beta"); break;
    case 16:
        json_object_set_new(json_object_get(o->user_options, "service"), "x",
                            json_integer(2));
        break;
    case 17:
        json_object_set_new(json_object_get(o->resolved_options, "service"),
                            "update_strategy", json_string("parallel"));
        break;
    case 18:
        json_decref(o->user_options);
        o->user_options = NULL;
        break;
    case 19: ps->known = false; break;
    case 20: ps->http_status = 202; break;
    case 21: replace(&ps->status, "IN_PROGRESS"); break;
    case 22: replace(&ps->strategy, "parallel"); break;
    case 23: replace(&ps->phases[0].name, "master-deploy"); break;
    case 24: replace(&ps->phases[0].strategy, "parallel"); break;
    case 25: replace(&ps->phases[0].status, "IN_PROGRESS"); break;
    case 26: replace(&ps->phases[0].steps[0].name, "master-1:[node]"); break;
    case 27: replace(&ps->phases[0].steps[0].status, "STARTED"); break;
    case 28: ps->phases[0].n_steps = 0; break;
    case 29: replace(&ps->errors[0], "an error"); break;
    case 30: ps->n_errors = 0; break;
    case 31: replace(&o->target_config_id, "cfg-2"); break;
    case 32: o->tasks_tls_known = false; break;
    case 33: o->tasks_tls_on = 2; break;
    case 34: o->tasks_tls_off = 1; break;
    default: fail_msg("no change %d", k);
    }
}
#define N_CHANGES 35

static void test_stable(void **state)
{
    struct model_observed a, b;
    char fa[FINGERPRINT_LEN], fb[FINGERPRINT_LEN];

    (void)state;
    make_observed(&a);
    make_observed(&b);
    /* The same options built in another member order. */
    json_decref(b.resolved_options);
    b.resolved_options = js("{\"service\":{\"update_strategy\":\"serial\","
                            "\"x\":1,\"name\":\"elastic\"}}");
    fp_of(fa, NULL, &a, "elastic", "CA");
    fp_of(fb, NULL, &b, "elastic", "CA");
    assert_string_equal(fa, fb);
    model_observed_clear(&a);
    model_observed_clear(&b);
}

static void test_every_field_counts(void **state)
{
    struct model_observed o;
    char base[FINGERPRINT_LEN], base_per[FINGERPRINT_LEN];
    char fp[FINGERPRINT_LEN], per[FINGERPRINT_LEN];
    int k;

    (void)state;
    make_observed(&o);
    fp_of(base, base_per, &o, "elastic", "CA");
    model_observed_clear(&o);
    for (k = 0; k < N_CHANGES; k++) {
        make_observed(&o);
        change(&o, k);
        fp_of(fp, per, &o, "elastic", "CA");
        if (strcmp(fp, base) == 0 || strcmp(per, base_per) == 0)
            fail_msg("change %d does not change the fingerprint", k);
        /* n_steps / n_errors were cut: restore them for the free */
        if (k == 28)
            o.plan.phases[0].n_steps = 1;
        if (k == 30)
            o.plan.n_errors = 1;
        model_observed_clear(&o);
    }
}

/* The CA counts for the run, not for the service; the name counts. */
static void test_ca_and_name(void **state)
{
    struct model_observed o;
    char base[FINGERPRINT_LEN], base_per[FINGERPRINT_LEN];
    char fp[FINGERPRINT_LEN], per[FINGERPRINT_LEN];

    (void)state;
    make_observed(&o);
    fp_of(base, base_per, &o, "elastic", "CA");
    fp_of(fp, per, &o, "elastic", "another CA");
    assert_string_not_equal(fp, base);
    assert_string_equal(per, base_per);
    fp_of(fp, per, &o, "elastic", NULL);
    assert_string_not_equal(fp, base);
    fp_of(fp, per, &o, "elastic2", "CA");
    assert_string_not_equal(fp, base);
    assert_string_not_equal(per, base_per);
    model_observed_clear(&o);
}

static void test_sha256(void **state)
{
    char out[FINGERPRINT_LEN];
    json_t *j = js("{\"b\":1,\"a\":[true,null]}");

    (void)state;
    /* FIPS 180-2 test vector "abc" */
    assert_int_equal(fingerprint_sha256(out, "abc", 3), 0);
    assert_string_equal(out, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a3"
                             "96177a9cb410ff61f20015ad");
    /* Canonical text: keys sorted, compact. */
    assert_int_equal(fingerprint_json(out, j), 0);
    {
        char want[FINGERPRINT_LEN];
        const char *text = "{\"a\":[true,null],\"b\":1}";

        assert_int_equal(fingerprint_sha256(want, text, strlen(text)), 0);
        assert_string_equal(out, want);
    }
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stable),
        cmocka_unit_test(test_every_field_counts),
        cmocka_unit_test(test_ca_and_name),
        cmocka_unit_test(test_sha256),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
