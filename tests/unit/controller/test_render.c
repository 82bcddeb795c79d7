/*
 * Unit tests of controller/render.c on plans built with model_plan_add():
 * every change kind and symbol, the field-level diff (nested keys, keys
 * that contain dots), sensitive masks, the disruptive note, the order of
 * execution, the summary, "No changes.", FAIL actions, the JSON format, and
 * that `params` (which may hold passwords) never reaches any output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "controller/render.h"
#include "ctl_testutil.h"
#include "model/plan.h"

/* Secrets planted in params: they must never be printed. */
#define PW_PARAM "Sup3r-S3cret-PW"
#define PW_PARAM2 "P4ssw0rd-in-params"
#define KEY_PARAM "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"

#define FULL_RESTART                                                          \
    "full-cluster restart: all 6 nodes restart together; the service is "   \
    "unavailable until the deploy plan completes"

/* Parse @text (new reference); NULL text gives NULL. */
static json_t *J(const char *text)
{
    json_error_t e;
    json_t *j;

    if (!text)
        return NULL;
    j = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
    if (!j)
        fail_msg("bad test JSON (%s): %s", e.text, text);
    return j;
}

struct spec {
    enum model_op op;
    enum model_change change;
    const char *type, *name, *reason;
    const char *before, *after, *before_sensitive, *after_sensitive;
    const char *params;
    const char *disruption; /* non-NULL: disruptive */
};

/* A copy of @text in *@field (the plan frees it). */
static void plant_str(char **field, const char *text)
{
    *field = strdup(text);
    assert_non_null(*field);
}

/*
 * Plant @params (JSON text holding secrets) in every typed parameter of
 * @a: its whole text in each string field, its "options" (or all of it)
 * as the package options.  None of it may reach any output.
 */
static void plant(struct model_action *a, const char *params)
{
    union model_params *u = &a->params;
    json_t *j = J(params);
    json_t *opts;

    if (!j)
        return;
    opts = json_object_get(j, "options") ? json_object_get(j, "options")
                                         : j;
    switch (a->op) {
    case MODEL_OP_ACCOUNT_CREATE:
    case MODEL_OP_ACCOUNT_REPLACE:
        plant_str(&u->account.uid, params);
        plant_str(&u->account.description, params);
        plant_str(&u->account.public_key, params);
        break;
    case MODEL_OP_SECRET_CREATE:
    case MODEL_OP_SECRET_UPDATE:
        plant_str(&u->secret.path, params);
        plant_str(&u->secret.uid, params);
        plant_str(&u->secret.scheme, params);
        plant_str(&u->secret.login_endpoint, params);
        break;
    case MODEL_OP_GROUP_ADD:
        plant_str(&u->member.gid, params);
        plant_str(&u->member.uid, params);
        break;
    case MODEL_OP_PERMISSION_GRANT:
        plant_str(&u->grant.rid, params);
        plant_str(&u->grant.action, params);
        plant_str(&u->grant.uid, params);
        break;
    case MODEL_OP_PACKAGE_INSTALL:
        plant_str(&u->install.package, params);
        plant_str(&u->install.version, params);
        u->install.options = json_incref(opts);
        break;
    case MODEL_OP_PACKAGE_UPDATE:
        plant_str(&u->update.app_id, params);
        plant_str(&u->update.version, params);
        u->update.options = json_incref(opts);
        break;
    case MODEL_OP_SCHEDULER_RESTART:
    case MODEL_OP_ROLLOUT_WAIT:
        plant_str(&u->app.app_id, params);
        break;
    case MODEL_OP_STRATEGY_RESTORE:
        plant_str(&u->restore.app_id, params);
        plant_str(&u->restore.update_strategy, params);
        break;
    case MODEL_OP_HTTPS_VERIFY:
        plant_str(&u->verify.endpoint, params);
        plant_str(&u->verify.user, params);
        plant_str(&u->verify.health, params);
        plant_str(&u->verify.password_ref, params);
        break;
    case MODEL_OP_FAIL:
        break;
    }
    json_decref(j);
}

/* Append the action described by @s to @p; returns its index. */
static size_t add(struct model_plan *p, const struct spec *s)
{
    struct model_action *a = model_plan_add(p, s->op, s->change, s->type,
                                            s->name, s->reason);

    assert_non_null(a);
    a->before = J(s->before);
    a->after = J(s->after);
    a->before_sensitive = J(s->before_sensitive);
    a->after_sensitive = J(s->after_sensitive);
    plant(a, s->params);
    if (s->disruption) {
        a->disruptive = true;
        a->disruption = strdup(s->disruption);
        assert_non_null(a->disruption);
    }
    return p->n_actions - 1;
}

static void dep(struct model_plan *p, size_t idx, size_t on)
{
    assert_int_equal(model_action_depend(p, idx, on), 0);
}

static void plan_init(struct model_plan *p, const char *service)
{
    memset(p, 0, sizeof(*p));
    p->service = strdup(service);
    assert_non_null(p->service);
}

/*
 * Service "elastic" from an empty cluster with a TLS toggle: three
 * creates, an update with a field-level diff, a READ wait, a restore and
 * the HTTPS check (3 to add, 2 to change).
 */
static void plan_elastic(struct model_plan *p)
{
    static const struct spec s[] = {
        {MODEL_OP_ACCOUNT_CREATE, MODEL_CHANGE_CREATE,
         "dcos_service_account", "elastic",
         "service account elastic does not exist", NULL,
         "{\"uid\":\"elastic\",\"public_key\":\"(known after apply)\"}",
         NULL, NULL,
         "{\"uid\":\"elastic\",\"description\":\"Service account for "
         "elastic\",\"private_key\":\"" KEY_PARAM "\"}",
         NULL},
        {MODEL_OP_SECRET_CREATE, MODEL_CHANGE_CREATE, "dcos_secret",
         "elastic/secret", "secret elastic/secret does not exist", NULL,
         "{\"path\":\"elastic/secret\",\"value\":\"(sensitive)\"}", NULL,
         "{\"value\":true}",
         "{\"path\":\"elastic/secret\",\"uid\":\"elastic\",\"password\":\""
         PW_PARAM2 "\"}",
         NULL},
        {MODEL_OP_GROUP_ADD, MODEL_CHANGE_CREATE, "dcos_group_membership",
         "superusers/elastic", "elastic is not in group superusers", NULL,
         "{\"gid\":\"superusers\",\"uid\":\"elastic\"}", NULL, NULL,
         "{\"gid\":\"superusers\",\"uid\":\"elastic\"}", NULL},
        {MODEL_OP_PACKAGE_UPDATE, MODEL_CHANGE_UPDATE, "dcos_package",
         "elastic",
         "options differ from the running service: "
         "service.security.transport_encryption.enabled",
         "{\"options\":{\"service\":{\"security\":{\"transport_encryption\":"
         "{\"enabled\":false}}},\"elasticsearch\":{"
         "\"discovery_zen_ping_unicast_hosts.resolve_timeout\":\"5s\","
         "\"health_user_password\":\"(sensitive)\",\"plugins\":\"x\","
         "\"heap\":{\"size\":2048}}}}",
         "{\"options\":{\"service\":{\"security\":{\"transport_encryption\":"
         "{\"enabled\":true}},\"update_strategy\":\"parallel\"},"
         "\"elasticsearch\":{"
         "\"discovery_zen_ping_unicast_hosts.resolve_timeout\":\"10s\","
         "\"health_user_password\":\"(sensitive)\","
         "\"heap\":{\"size\":2048}}}}",
         "{\"options\":{\"elasticsearch\":{\"health_user_password\":true}}}",
         "{\"options\":{\"elasticsearch\":{\"health_user_password\":true}}}",
         "{\"app_id\":\"/elastic\",\"replace\":false,\"options\":{"
         "\"elasticsearch\":{\"health_user_password\":\"" PW_PARAM "\"}}}",
         FULL_RESTART},
        {MODEL_OP_ROLLOUT_WAIT, MODEL_CHANGE_READ, "dcos_rollout", "elastic",
         "wait for the deploy plan of elastic to complete", NULL, NULL, NULL,
         NULL, "{\"app_id\":\"/elastic\"}", NULL},
        {MODEL_OP_STRATEGY_RESTORE, MODEL_CHANGE_UPDATE,
         "dcos_update_strategy", "elastic",
         "restores update_strategy serial; restarts no node",
         "{\"options\":{\"service\":{\"update_strategy\":\"parallel\"}}}",
         "{\"options\":{\"service\":{\"update_strategy\":\"serial\"}}}", NULL,
         NULL, "{\"app_id\":\"/elastic\",\"update_strategy\":\"serial\"}",
         NULL},
        {MODEL_OP_HTTPS_VERIFY, MODEL_CHANGE_READ, "dcos_https_check",
         "elastic",
         "verify that elastic answers only over HTTPS on coordinator-http",
         NULL, NULL, NULL, NULL,
         "{\"endpoint\":\"coordinator-http\",\"tls\":true,\"password\":{"
         "\"source\":\"env\",\"ref\":\"" PW_PARAM "\"}}",
         NULL},
    };
    size_t i;

    plan_init(p, "elastic");
    for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
        assert_int_equal(add(p, &s[i]), i);
    dep(p, 1, 0);
    dep(p, 2, 0);
    dep(p, 3, 0);
    dep(p, 3, 1);
    dep(p, 3, 2);
    dep(p, 4, 3);
    dep(p, 5, 4);
    dep(p, 6, 5);
}

/* Service "logs": a replace, a secret update and a delete (1/1/2). */
static void plan_logs(struct model_plan *p)
{
    static const struct spec s[] = {
        {MODEL_OP_ACCOUNT_REPLACE, MODEL_CHANGE_REPLACE,
         "dcos_service_account", "logs",
         "public key does not match the private key in secret logs/secret",
         "{\"uid\":\"logs\",\"public_key\":\"sha256:0123456789abcdef\"}",
         "{\"uid\":\"logs\",\"public_key\":\"sha256:fedcba9876543210\"}",
         NULL, NULL, "{\"uid\":\"logs\"}", NULL},
        {MODEL_OP_SECRET_UPDATE, MODEL_CHANGE_UPDATE, "dcos_secret",
         "logs/secret", "rewrite it around the same private key",
         "{\"path\":\"logs/secret\",\"value\":\"(sensitive)\"}",
         "{\"path\":\"logs/secret\",\"value\":\"(sensitive)\"}",
         "{\"value\":true}", "{\"value\":true}",
         "{\"path\":\"logs/secret\"}", NULL},
        {MODEL_OP_GROUP_ADD, MODEL_CHANGE_DELETE, "dcos_group_membership",
         "old/logs", "logs must leave group old",
         "{\"gid\":\"old\",\"uid\":\"logs\"}", NULL, NULL, NULL,
         "{\"gid\":\"old\",\"uid\":\"logs\"}", NULL},
    };
    size_t i;

    plan_init(p, "logs");
    for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
        add(p, &s[i]);
    dep(p, 2, 0);
}

/* Service "quiet": READ actions only (a wait and the HTTPS check). */
static void plan_quiet(struct model_plan *p)
{
    static const struct spec s[] = {
        {MODEL_OP_ROLLOUT_WAIT, MODEL_CHANGE_READ, "dcos_rollout", "quiet",
         "the deploy plan of quiet is IN_PROGRESS", NULL, NULL, NULL, NULL,
         "{\"app_id\":\"/quiet\"}", NULL},
        {MODEL_OP_HTTPS_VERIFY, MODEL_CHANGE_READ, "dcos_https_check",
         "quiet", "verify that quiet answers only over HTTPS", NULL, NULL,
         NULL, NULL, "{\"password\":{\"source\":\"file\",\"ref\":\""
         PW_PARAM "\"}}", NULL},
    };

    plan_init(p, "quiet");
    add(p, &s[0]);
    add(p, &s[1]);
    dep(p, 1, 0);
}

/* Service "broken": FAIL actions only. */
static void plan_broken(struct model_plan *p)
{
    static const struct spec s[] = {
        {MODEL_OP_FAIL, MODEL_CHANGE_NOOP, "dcos_service_account", "broken",
         "broken is a user account, not a service account", NULL, NULL,
         NULL, NULL, NULL, NULL},
        {MODEL_OP_FAIL, MODEL_CHANGE_NOOP, "dcos_group_membership",
         "nogroup/broken", "group nogroup does not exist", NULL, NULL, NULL,
         NULL, "{\"gid\":\"nogroup\",\"password\":\"" PW_PARAM "\"}", NULL},
    };

    plan_init(p, "broken");
    add(p, &s[0]);
    add(p, &s[1]);
}

static void plans_clear(struct model_plan *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        model_plan_clear(&p[i]);
}

/* render_plan_text into a new string. */
static char *text_of(const struct model_plan *p, size_t n, int color)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);

    assert_non_null(f);
    render_plan_text(f, p, n, color);
    assert_int_equal(fclose(f), 0);
    assert_non_null(out);
    return out;
}

/* render_plan_json, dumped (new string); the tree in *@out (new). */
static char *json_of(const struct model_plan *p, size_t n, const char *url,
                     json_t **out)
{
    json_t *j = render_plan_json(p, n, url);
    char *s;

    assert_non_null(j);
    s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    assert_non_null(s);
    *out = j;
    return s;
}

#define EXPECT_IN(hay, needle)                                                \
    do {                                                                      \
        if (!strstr((hay), (needle)))                                         \
            fail_msg("output lacks:\n%s\n--- output:\n%s", (needle), (hay)); \
    } while (0)

#define EXPECT_NOT_IN(hay, needle)                                            \
    do {                                                                      \
        if (strstr((hay), (needle)))                                          \
            fail_msg("output holds:\n%s\n--- output:\n%s", (needle), (hay)); \
    } while (0)

/* No planted secret and no params in @s. */
static void assert_no_params(const char *s)
{
    EXPECT_NOT_IN(s, PW_PARAM);
    EXPECT_NOT_IN(s, PW_PARAM2);
    EXPECT_NOT_IN(s, KEY_PARAM);
    EXPECT_NOT_IN(s, "Service account for elastic");
    EXPECT_NOT_IN(s, "app_id");
    EXPECT_NOT_IN(s, "\"params\"");
}

static void test_text_full_plan(void **state)
{
    struct model_plan p[2];
    char *t;

    (void)state;
    plan_elastic(&p[0]);
    plan_logs(&p[1]);
    t = text_of(p, 2, 0);

    EXPECT_IN(t, "etls will perform the following actions:\n\n"
                 "Service elastic:\n\n");
    /* A create: header, symbol, reason, one + line per field. */
    EXPECT_IN(t, "  # dcos_service_account.elastic will be created\n"
                 "  + dcos_service_account.elastic\n"
                 "      reason: service account elastic does not exist\n"
                 "      + uid = \"elastic\"\n"
                 "      + public_key = (known after apply)\n\n");
    /* A secret: the value is masked. */
    EXPECT_IN(t, "  + dcos_secret.elastic/secret\n"
                 "      reason: secret elastic/secret does not exist\n"
                 "      + path = \"elastic/secret\"\n"
                 "      + value = (sensitive value)\n\n");
    EXPECT_IN(t, "  + dcos_group_membership.superusers/elastic\n");
    /* An update: only what changed, nested keys joined with '.'. */
    EXPECT_IN(t, "  # dcos_package.elastic will be updated in-place\n"
                 "  ~ dcos_package.elastic\n");
    EXPECT_IN(t, "      ~ options.service.security.transport_encryption."
                 "enabled = false -> true\n");
    EXPECT_IN(t, "      + options.service.update_strategy = \"parallel\"\n");
    EXPECT_IN(t, "      ~ options.elasticsearch."
                 "discovery_zen_ping_unicast_hosts.resolve_timeout = "
                 "\"5s\" -> \"10s\"\n");
    EXPECT_IN(t, "      ~ options.elasticsearch.health_user_password = "
                 "(sensitive value changed)\n");
    EXPECT_IN(t, "      - options.elasticsearch.plugins = \"x\"\n");
    /* Unchanged leaves are not shown. */
    EXPECT_NOT_IN(t, "heap");
    EXPECT_IN(t, "\n      !! DISRUPTIVE: " FULL_RESTART "\n\n");
    assert_int_equal(t_count(t, "DISRUPTIVE"), 1);
    /* READ actions. */
    EXPECT_IN(t, "  # dcos_rollout.elastic will be read and checked\n"
                 "  <= dcos_rollout.elastic\n"
                 "      reason: wait for the deploy plan of elastic to "
                 "complete\n\n");
    EXPECT_IN(t, "      ~ options.service.update_strategy = \"parallel\" -> "
                 "\"serial\"\n");
    /* Order of execution, 1-based, with the dependencies. */
    EXPECT_IN(t, "  Order of execution:\n"
                 "    1. + dcos_service_account.elastic\n"
                 "    2. + dcos_secret.elastic/secret (after 1)\n"
                 "    3. + dcos_group_membership.superusers/elastic "
                 "(after 1)\n"
                 "    4. ~ dcos_package.elastic (after 1, 2, 3)\n"
                 "    5. <= dcos_rollout.elastic (after 4)\n"
                 "    6. ~ dcos_update_strategy.elastic (after 5)\n"
                 "    7. <= dcos_https_check.elastic (after 6)\n\n");

    /* Second service: replace, sensitive change, delete. */
    EXPECT_IN(t, "Service logs:\n\n");
    EXPECT_IN(t, "  # dcos_service_account.logs must be replaced\n"
                 "  -/+ dcos_service_account.logs\n"
                 "      reason: public key does not match the private key "
                 "in secret logs/secret\n"
                 "      ~ public_key = \"sha256:0123456789abcdef\" -> "
                 "\"sha256:fedcba9876543210\"\n\n");
    EXPECT_IN(t, "  ~ dcos_secret.logs/secret\n"
                 "      reason: rewrite it around the same private key\n"
                 "      ~ value = (sensitive value changed)\n\n");
    EXPECT_IN(t, "  # dcos_group_membership.old/logs will be destroyed\n"
                 "  - dcos_group_membership.old/logs\n"
                 "      reason: logs must leave group old\n"
                 "      - gid = \"old\"\n"
                 "      - uid = \"logs\"\n\n");
    EXPECT_IN(t, "    1. -/+ dcos_service_account.logs\n"
                 "    2. ~ dcos_secret.logs/secret\n"
                 "    3. - dcos_group_membership.old/logs (after 1)\n");
    /* A replace counts as one add and one destroy. */
    EXPECT_IN(t, "\nPlan: 4 to add, 3 to change, 2 to destroy.\n");
    assert_true(strcmp(t + strlen(t) - strlen("destroy.\n"), "destroy.\n") ==
                0);
    EXPECT_NOT_IN(t, "No changes.");
    EXPECT_NOT_IN(t, "cannot be converged");
    EXPECT_NOT_IN(t, "(sensitive)");
    EXPECT_NOT_IN(t, "\033");
    assert_no_params(t);
    free(t);
    plans_clear(p, 2);
}

static void test_text_color(void **state)
{
    struct model_plan p[1];
    char *t;

    (void)state;
    plan_elastic(&p[0]);
    t = text_of(p, 1, 1);
    EXPECT_IN(t, "\033[32m+\033[0m dcos_service_account.elastic\n");
    EXPECT_IN(t, "\033[33m~\033[0m dcos_package.elastic\n");
    EXPECT_IN(t, "\033[1;31m!! DISRUPTIVE: " FULL_RESTART "\033[0m");
    assert_no_params(t);
    free(t);
    plans_clear(p, 1);
}

static void test_text_no_changes(void **state)
{
    struct model_plan p[2];
    char *t;

    (void)state;
    plan_quiet(&p[0]);
    t = text_of(p, 1, 0);
    assert_string_equal(t, "Service quiet: up to date.\n"
                           "\nNo changes. The cluster matches the desired "
                           "state.\n");
    free(t);

    /* With another service that changes: "up to date", then the plan. */
    plan_logs(&p[1]);
    t = text_of(p, 2, 0);
    EXPECT_IN(t, "Service quiet: up to date.\n\nService logs:\n\n");
    EXPECT_NOT_IN(t, "dcos_rollout.quiet");
    EXPECT_NOT_IN(t, "No changes.");
    EXPECT_IN(t, "Plan: 1 to add, 1 to change, 2 to destroy.\n");
    assert_no_params(t);
    free(t);
    plans_clear(p, 2);

    /* No plan at all. */
    t = text_of(NULL, 0, 0);
    EXPECT_IN(t, "No changes.");
    free(t);
}

static void test_text_fail(void **state)
{
    struct model_plan p[1];
    char *t;

    (void)state;
    plan_broken(&p[0]);
    t = text_of(p, 1, 0);
    EXPECT_IN(t, "Service broken:\n\n"
                 "  !! dcos_service_account.broken cannot be converged\n"
                 "      error: broken is a user account, not a service "
                 "account\n\n"
                 "  !! dcos_group_membership.nogroup/broken cannot be "
                 "converged\n"
                 "      error: group nogroup does not exist\n\n");
    /* FAIL actions are not executed, so not in the order. */
    EXPECT_NOT_IN(t, "1. ");
    EXPECT_IN(t, "Plan cannot be applied: some services cannot be "
                 "converged; see the errors above. Nothing will be "
                 "changed.\n");
    /* No summary line: apply would refuse the whole plan. */
    EXPECT_NOT_IN(t, "Plan: ");
    /* Only errors: no empty execution order either. */
    EXPECT_NOT_IN(t, "Order of execution");
    EXPECT_NOT_IN(t, "No changes.");
    assert_no_params(t);
    free(t);
    plans_clear(p, 1);
}

static json_t *rc_get(json_t *root, size_t i, const char *key);
static void expect_json(json_t *got, const char *want);

/*
 * Option names may contain dots: the diff and the sensitivity masks use
 * the real key, never a split of it.
 */
static void test_text_dotted_keys_and_masks(void **state)
{
    static const struct spec s[] = {
        /* Mask on the dotted key itself: masked, whole subtree. */
        {MODEL_OP_PACKAGE_UPDATE, MODEL_CHANGE_UPDATE, "dcos_package", "a",
         "r",
         "{\"options\":{\"es\":{\"x.pass\":{\"v\":\"old-hidden-1\"}}}}",
         "{\"options\":{\"es\":{\"x.pass\":{\"v\":\"new-hidden-1\"}}}}",
         "{\"options\":{\"es\":{\"x.pass\":true}}}",
         "{\"options\":{\"es\":{\"x.pass\":true}}}", NULL, NULL},
        /* A mask on x -> pass does not cover the key "x.pass". */
        {MODEL_OP_PACKAGE_UPDATE, MODEL_CHANGE_UPDATE, "dcos_package", "b",
         "r", "{\"es\":{\"x.pass\":\"visible-old\"}}",
         "{\"es\":{\"x.pass\":\"visible-new\"}}",
         "{\"es\":{\"x\":{\"pass\":true}}}",
         "{\"es\":{\"x\":{\"pass\":true}}}", NULL, NULL},
        /* A created value under a true mask on a parent object. */
        {MODEL_OP_PACKAGE_INSTALL, MODEL_CHANGE_CREATE, "dcos_package", "c",
         "r", NULL,
         "{\"options\":{\"creds\":{\"user\":\"u-hidden\",\"pw\":"
         "\"p-hidden\"},\"name\":\"c\"}}",
         NULL, "{\"options\":{\"creds\":true}}", NULL, NULL},
        /* A removed sensitive value. */
        {MODEL_OP_GROUP_ADD, MODEL_CHANGE_DELETE, "dcos_x", "d", "r",
         "{\"token\":\"gone-hidden\"}", NULL, "{\"token\":true}", NULL,
         NULL, NULL},
        /* The whole value is sensitive (mask `true` at the root). */
        {MODEL_OP_SECRET_UPDATE, MODEL_CHANGE_UPDATE, "dcos_secret", "e",
         "r", "\"root-old-hidden\"", "\"root-new-hidden\"", "true", "true",
         NULL, NULL},
    };
    struct model_plan p[1];
    json_t *j;
    char *t, *js;
    size_t i;

    (void)state;
    plan_init(&p[0], "svc");
    for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
        add(&p[0], &s[i]);
    t = text_of(p, 1, 0);
    EXPECT_IN(t, "      ~ options.es.x.pass.v = (sensitive value changed)\n");
    EXPECT_IN(t, "      ~ es.x.pass = \"visible-old\" -> \"visible-new\"\n");
    EXPECT_IN(t, "      + options.creds.user = (sensitive value)\n");
    EXPECT_IN(t, "      + options.creds.pw = (sensitive value)\n");
    EXPECT_IN(t, "      + options.name = \"c\"\n");
    EXPECT_IN(t, "      - token = (sensitive value)\n");
    EXPECT_IN(t, "      ~ value = (sensitive value changed)\n");
    EXPECT_NOT_IN(t, "hidden");
    free(t);

    /* JSON keeps the masks as given, keyed by the real (dotted) key. */
    js = json_of(p, 1, NULL, &j);
    expect_json(json_object_get(rc_get(j, 0, "change"), "after_sensitive"),
                "{\"options\":{\"es\":{\"x.pass\":true}}}");
    expect_json(json_object_get(rc_get(j, 4, "change"), "before_sensitive"),
                "true");
    free(js);
    json_decref(j);
    plans_clear(p, 1);
}

/* Member @key of the change of resource_changes[@i] (borrowed). */
static json_t *rc_get(json_t *root, size_t i, const char *key)
{
    json_t *rc = json_array_get(json_object_get(root, "resource_changes"), i);

    assert_non_null(rc);
    return json_object_get(rc, key);
}

static void expect_json(json_t *got, const char *want)
{
    json_t *w = J(want);

    if (!json_equal(got, w)) {
        char *g = json_dumps(got, JSON_ENCODE_ANY | JSON_SORT_KEYS);

        fail_msg("JSON differs:\n got  %s\n want %s", g ? g : "(null)",
                 want);
    }
    json_decref(w);
}

static void test_json_full_plan(void **state)
{
    static const char *const want_actions[] = {
        "[\"create\"]", "[\"create\"]", "[\"create\"]",
        "[\"update\"]", "[\"read\"]",   "[\"update\"]",
        "[\"read\"]",   "[\"delete\",\"create\"]", "[\"update\"]",
        "[\"delete\"]",
    };
    struct model_plan p[2];
    json_t *j, *rcs, *c;
    char *s;
    size_t i;

    (void)state;
    plan_elastic(&p[0]);
    plan_logs(&p[1]);
    s = json_of(p, 2, "https://dcos.example.com", &j);

    expect_json(json_object_get(j, "format_version"), "\"1.0\"");
    assert_string_equal(json_string_value(json_object_get(j, "etls_version")),
                        ETLS_VERSION);
    expect_json(json_object_get(j, "cluster"), "\"https://dcos.example.com\"");
    expect_json(json_object_get(j, "summary"),
                "{\"add\":4,\"change\":3,\"destroy\":2}");
    expect_json(json_object_get(j, "changes_pending"), "true");
    expect_json(json_object_get(j, "errors"), "[]");
    expect_json(json_object_get(j, "order"),
                "{\"elastic\":[\"dcos_service_account.elastic\","
                "\"dcos_secret.elastic/secret\","
                "\"dcos_group_membership.superusers/elastic\","
                "\"dcos_package.elastic\",\"dcos_rollout.elastic\","
                "\"dcos_update_strategy.elastic\","
                "\"dcos_https_check.elastic\"],"
                "\"logs\":[\"dcos_service_account.logs\","
                "\"dcos_secret.logs/secret\","
                "\"dcos_group_membership.old/logs\"]}");

    rcs = json_object_get(j, "resource_changes");
    assert_int_equal(json_array_size(rcs), 10);
    for (i = 0; i < 10; i++) {
        c = rc_get(j, i, "change");
        expect_json(json_object_get(c, "actions"), want_actions[i]);
        /* Exactly these members. */
        assert_int_equal(json_object_size(json_array_get(rcs, i)), 10);
        assert_int_equal(json_object_size(c), 5);
    }

    /* The account create. */
    expect_json(rc_get(j, 0, "address"), "\"dcos_service_account.elastic\"");
    expect_json(rc_get(j, 0, "type"), "\"dcos_service_account\"");
    expect_json(rc_get(j, 0, "name"), "\"elastic\"");
    expect_json(rc_get(j, 0, "service"), "\"elastic\"");
    expect_json(rc_get(j, 0, "operation"), "\"account_create\"");
    expect_json(rc_get(j, 0, "reason"),
                "\"service account elastic does not exist\"");
    expect_json(rc_get(j, 0, "disruptive"), "false");
    expect_json(rc_get(j, 0, "disruption"), "null");
    expect_json(rc_get(j, 0, "depends_on"), "[]");
    c = rc_get(j, 0, "change");
    expect_json(json_object_get(c, "before"), "null");
    expect_json(json_object_get(c, "after"),
                "{\"uid\":\"elastic\",\"public_key\":\"(known after "
                "apply)\"}");
    expect_json(json_object_get(c, "before_sensitive"), "false");
    expect_json(json_object_get(c, "after_sensitive"), "false");

    /* The secret create: masked value, mask kept. */
    c = rc_get(j, 1, "change");
    expect_json(json_object_get(c, "after"),
                "{\"path\":\"elastic/secret\",\"value\":\"(sensitive)\"}");
    expect_json(json_object_get(c, "after_sensitive"), "{\"value\":true}");
    expect_json(json_object_get(c, "before_sensitive"), "false");
    expect_json(rc_get(j, 1, "depends_on"),
                "[\"dcos_service_account.elastic\"]");

    /* The disruptive update with its dependencies. */
    expect_json(rc_get(j, 3, "operation"), "\"package_update\"");
    expect_json(rc_get(j, 3, "disruptive"), "true");
    expect_json(rc_get(j, 3, "disruption"), "\"" FULL_RESTART "\"");
    expect_json(rc_get(j, 3, "depends_on"),
                "[\"dcos_service_account.elastic\","
                "\"dcos_secret.elastic/secret\","
                "\"dcos_group_membership.superusers/elastic\"]");
    c = rc_get(j, 3, "change");
    expect_json(json_object_get(c, "before_sensitive"),
                "{\"options\":{\"elasticsearch\":"
                "{\"health_user_password\":true}}}");
    expect_json(json_object_get(c, "after_sensitive"),
                "{\"options\":{\"elasticsearch\":"
                "{\"health_user_password\":true}}}");
    expect_json(
        json_object_get(
            json_object_get(
                json_object_get(json_object_get(c, "after"), "options"),
                "elasticsearch"),
            "discovery_zen_ping_unicast_hosts.resolve_timeout"),
        "\"10s\"");

    /* READ, restore, verify. */
    expect_json(rc_get(j, 4, "operation"), "\"rollout_wait\"");
    expect_json(rc_get(j, 5, "operation"), "\"strategy_restore\"");
    expect_json(rc_get(j, 6, "operation"), "\"https_verify\"");
    expect_json(rc_get(j, 6, "depends_on"),
                "[\"dcos_update_strategy.elastic\"]");

    /* Second service. */
    expect_json(rc_get(j, 7, "service"), "\"logs\"");
    expect_json(rc_get(j, 7, "operation"), "\"account_replace\"");
    c = rc_get(j, 8, "change");
    expect_json(json_object_get(c, "before_sensitive"), "{\"value\":true}");
    expect_json(json_object_get(c, "after_sensitive"), "{\"value\":true}");
    c = rc_get(j, 9, "change");
    expect_json(json_object_get(c, "after"), "null");
    expect_json(rc_get(j, 9, "depends_on"), "[\"dcos_service_account.logs\"]");

    assert_no_params(s);
    free(s);
    json_decref(j);
    plans_clear(p, 2);
}

static void test_json_no_changes_and_fail(void **state)
{
    struct model_plan p[2];
    json_t *j;
    char *s;

    (void)state;
    plan_quiet(&p[0]);
    s = json_of(p, 1, NULL, &j);
    expect_json(json_object_get(j, "cluster"), "null");
    expect_json(json_object_get(j, "changes_pending"), "false");
    expect_json(json_object_get(j, "summary"),
                "{\"add\":0,\"change\":0,\"destroy\":0}");
    expect_json(rc_get(j, 0, "change"),
                "{\"actions\":[\"read\"],\"before\":null,\"after\":null,"
                "\"before_sensitive\":false,\"after_sensitive\":false}");
    expect_json(json_object_get(j, "order"),
                "{\"quiet\":[\"dcos_rollout.quiet\","
                "\"dcos_https_check.quiet\"]}");
    assert_no_params(s);
    free(s);
    json_decref(j);

    plan_broken(&p[1]);
    s = json_of(p, 2, NULL, &j);
    expect_json(json_object_get(j, "changes_pending"), "true");
    expect_json(json_object_get(j, "errors"),
                "[{\"service\":\"broken\","
                "\"address\":\"dcos_service_account.broken\","
                "\"message\":\"broken is a user account, not a service "
                "account\"},"
                "{\"service\":\"broken\","
                "\"address\":\"dcos_group_membership.nogroup/broken\","
                "\"message\":\"group nogroup does not exist\"}]");
    /* FAIL actions are listed, with the no-op action, but not ordered. */
    expect_json(rc_get(j, 2, "operation"), "\"fail\"");
    expect_json(json_object_get(rc_get(j, 2, "change"), "actions"),
                "[\"no-op\"]");
    expect_json(json_object_get(json_object_get(j, "order"), "broken"), "[]");
    assert_no_params(s);
    free(s);
    json_decref(j);
    plans_clear(p, 2);

    /* No plan at all. */
    s = json_of(NULL, 0, NULL, &j);
    expect_json(json_object_get(j, "resource_changes"), "[]");
    expect_json(json_object_get(j, "changes_pending"), "false");
    free(s);
    json_decref(j);
}

/*
 * render.h: "the printers additionally mask every path flagged in
 * before_sensitive / after_sensitive, so nothing secret can reach the
 * output".  A value under a sensitive flag must not be printed by either
 * printer, even if a plan (wrongly) held it.
 */
static void test_masks_hide_values_in_both_printers(void **state)
{
    static const struct spec s[] = {
        {MODEL_OP_PACKAGE_UPDATE, MODEL_CHANGE_UPDATE, "dcos_package",
         "elastic", "r",
         "{\"options\":{\"elasticsearch\":{\"health_user_password\":"
         "\"old-Leak-Canary\"}}}",
         "{\"options\":{\"elasticsearch\":{\"health_user_password\":"
         "\"new-Leak-Canary\"}}}",
         "{\"options\":{\"elasticsearch\":{\"health_user_password\":true}}}",
         "{\"options\":{\"elasticsearch\":{\"health_user_password\":true}}}",
         NULL, NULL},
    };
    struct model_plan p[1];
    json_t *j;
    char *t, *js;
    bool in_text, in_json, masked;

    (void)state;
    plan_init(&p[0], "elastic");
    add(&p[0], &s[0]);
    t = text_of(p, 1, 0);
    js = json_of(p, 1, NULL, &j);
    in_text = strstr(t, "Leak-Canary") != NULL;
    masked = strstr(t, "(sensitive value changed)") != NULL;
    in_json = strstr(js, "Leak-Canary") != NULL;
    /* Clean up first so that a failure reports no leak. */
    free(t);
    free(js);
    json_decref(j);
    plans_clear(p, 1);
    assert_false(in_text);
    assert_true(masked);
    if (in_json)
        fail_msg("render_plan_json printed a value flagged sensitive "
                 "(change.before/after copied verbatim)");
}

/* render_plan_markdown into a new string. */
static char *md_of(const struct model_plan *p, size_t n)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);

    assert_non_null(f);
    render_plan_markdown(f, p, n, "https://dcos.example");
    assert_int_equal(fclose(f), 0);
    assert_non_null(out);
    return out;
}

/* The pull-request comment: headline, disruptive actions, the table, the
 * text plan folded; no colour and no secret. */
static void test_markdown_full_plan(void **state)
{
    struct model_plan p[2];
    char *t;

    (void)state;
    plan_elastic(&p[0]);
    plan_logs(&p[1]);
    t = md_of(p, 2);
    EXPECT_IN(t, "### etls plan: 4 to add, 3 to change, 2 to destroy\n\n"
                 "Cluster `https://dcos.example`, 2 service(s).\n\n");
    EXPECT_IN(t, "> **:warning: 1 disruptive action(s)** (apply asks for "
                 "confirmation):\n> - `dcos_package.elastic`: ");
    EXPECT_IN(t, "| service | resource | action | reason |\n"
                 "|---|---|---|---|\n");
    EXPECT_IN(t, "| elastic | `~ dcos_package.elastic` | update in place | "
                 "options differ from the running service: "
                 "service.security.transport_encryption.enabled |\n");
    EXPECT_IN(t, "| logs | `-/+ dcos_service_account.logs` | **replace** |");
    EXPECT_IN(t, "| logs | `- dcos_group_membership.old/logs` | "
                 "**destroy** |");
    EXPECT_IN(t, "<details><summary>Full plan</summary>\n\n```\n");
    EXPECT_IN(t, "Plan: 4 to add, 3 to change, 2 to destroy.\n```\n\n"
                 "</details>\n");
    EXPECT_NOT_IN(t, "\033");
    assert_no_params(t);
    free(t);
    plans_clear(p, 2);
}

/* Errors are called out and no table promises changes; a reason cannot
 * break the table or the comment's HTML. */
static void test_markdown_fail_and_escapes(void **state)
{
    static const struct spec s = {
        MODEL_OP_GROUP_ADD, MODEL_CHANGE_CREATE, "dcos_group_membership",
        "g/x", "a | b </details> <b>c</b>\nd", NULL,
        "{\"gid\":\"g\",\"uid\":\"x\"}", NULL, NULL, NULL, NULL};
    struct model_plan p[2];
    char *t;

    (void)state;
    plan_broken(&p[0]);
    t = md_of(p, 1);
    EXPECT_IN(t, "### :x: etls plan: cannot be applied\n");
    EXPECT_IN(t, "**Errors** (nothing will be changed):\n\n"
                 "- `dcos_service_account.broken`: broken is a user "
                 "account, not a service account\n"
                 "- `dcos_group_membership.nogroup/broken`: group nogroup "
                 "does not exist\n");
    EXPECT_NOT_IN(t, "| service |");
    assert_no_params(t);
    free(t);
    plans_clear(p, 1);

    plan_init(&p[0], "x");
    add(&p[0], &s);
    t = md_of(p, 1);
    EXPECT_IN(t, "| create | a \\| b &lt;/details&gt; &lt;b&gt;c&lt;/b&gt; "
                 "d |\n");
    free(t);
    plans_clear(p, 1);

    plan_quiet(&p[0]);
    t = md_of(p, 1);
    EXPECT_IN(t, "### :white_check_mark: etls plan: no changes\n");
    free(t);
    plans_clear(p, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_full_plan),
        cmocka_unit_test(test_text_color),
        cmocka_unit_test(test_text_no_changes),
        cmocka_unit_test(test_text_fail),
        cmocka_unit_test(test_text_dotted_keys_and_masks),
        cmocka_unit_test(test_json_full_plan),
        cmocka_unit_test(test_json_no_changes_and_fail),
        cmocka_unit_test(test_masks_hide_values_in_both_printers),
        cmocka_unit_test(test_markdown_full_plan),
        cmocka_unit_test(test_markdown_fail_and_escapes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
