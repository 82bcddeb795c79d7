/*
 * Fixture-driven tests of the reconcilers: every directory under
 * tests/data/reconcilers/ (except keys/) is one case with
 *   desired.json   a desired-state document (model_service_parse)
 *   observed.json  struct model_observed as JSON (format: docs/plan.md,
 *                  "Fixture format")
 *   expected.json  the plan reconcilers_plan must produce.
 * Besides the expectations, every plan is checked for invariants: unique
 * addresses, type = address prefix, backward dependencies, and no secret
 * value (private keys, passwords from the options) in any displayed field.
 *
 * Built with ETLS_NOMEM_TEST (target unit_reconcilers_nomem, linked with
 * --wrap for the allocator), each case is then planned again with the
 * n-th allocation failing, for n = 0, 1, ... until planning succeeds:
 * every failure must be ERR_NOMEM with an empty plan and no leak (ASan),
 * and the final plan must be the same as the first.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "common/util.h"
#include "harness/h_json.h"
#include "model/desired.h"
#include "model/observed.h"
#include "model/plan.h"
#include "reconcilers/reconciler.h"

#ifdef ETLS_NOMEM_TEST
/*
 * Allocation failure injection: the reconcilers' own calls go through the
 * linker's --wrap, jansson's through json_set_alloc_funcs.
 */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static int nomem_armed;
static long nomem_countdown;
static long nomem_calls;

static int nomem_fail(void)
{
    if (!nomem_armed)
        return 0;
    nomem_calls++;
    return nomem_countdown-- == 0;
}

void *__wrap_malloc(size_t n)
{
    return nomem_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
    return nomem_fail() ? NULL : __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
    return nomem_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return nomem_fail() ? NULL : __real_strdup(s);
}

static void *json_malloc_hook(size_t n)
{
    return __wrap_malloc(n);
}
#endif

#define CASES_DIR ETLS_TEST_DATA "/reconcilers"
#define KEYS_DIR CASES_DIR "/keys"
#define MAX_CASES 256
#define MAX_FILE (1 << 20)

/* Published option schemas by package version (Universe revisions). */
static const struct {
    const char *version;
    const char *revision;
} catalog[] = {
    { "2.1.0-5.6.4-beta", "8" },
    { "2.1.1-5.6.5-beta", "9" },
    { "2.1.2-5.6.5-beta", "10" },
};

static char *path_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);

    assert_non_null(s);
    snprintf(s, n, "%s/%s", a, b);
    return s;
}

static json_t *load_json(const char *dir, const char *name)
{
    char *path = path_join(dir, name);
    json_error_t err;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);

    if (!j)
        fail_msg("%s:%d:%d: %s", path, err.line, err.column, err.text);
    free(path);
    return j;
}

static char *dup_or_null(const json_t *v)
{
    char *s;

    if (!json_is_string(v))
        return NULL;
    s = strdup(json_string_value(v));
    assert_non_null(s);
    return s;
}

static enum model_presence presence(const json_t *v, const char *where)
{
    const char *s = json_string_value(v);

    if (!v)
        return MODEL_ABSENT;
    if (s && strcmp(s, "present") == 0)
        return MODEL_PRESENT;
    if (s && strcmp(s, "absent") == 0)
        return MODEL_ABSENT;
    if (s && strcmp(s, "unknown") == 0)
        return MODEL_UNKNOWN;
    fail_msg("%s: presence must be present, absent or unknown", where);
    return MODEL_UNKNOWN;
}

static enum sa_verdict verdict(const json_t *v)
{
    static const struct {
        const char *name;
        enum sa_verdict v;
    } t[] = {
        { "ok", SA_OK },
        { "not_json", SA_NOT_JSON },
        { "wrong_uid", SA_WRONG_UID },
        { "wrong_scheme", SA_WRONG_SCHEME },
        { "bad_key", SA_BAD_KEY },
        { "bad_endpoint", SA_BAD_ENDPOINT },
    };
    size_t i;

    if (!v)
        return SA_OK;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (json_is_string(v) && strcmp(json_string_value(v), t[i].name) == 0)
            return t[i].v;
    fail_msg("unknown secret verdict");
    return SA_OK;
}

/* "public_key" (inline PEM) or "public_key_file" (under keys/). */
static char *public_key(const json_t *obj)
{
    const json_t *f = json_object_get(obj, "public_key_file");
    char *path, *pem = NULL;
    size_t n;

    if (!f)
        return dup_or_null(json_object_get(obj, "public_key"));
    path = path_join(KEYS_DIR, json_string_value(f));
    if (util_read_file(&pem, &n, path, 1 << 16) != 0)
        fail_msg("cannot read %s", path);
    free(path);
    return pem;
}

/* Cosmos resolution: schema defaults, then the stored user options. */
static json_t *resolve_options(const char *version, const json_t *user)
{
    char dir[512];
    json_error_t err;
    json_t *schema, *res;
    size_t i;

    for (i = 0; i < sizeof(catalog) / sizeof(catalog[0]); i++)
        if (version && strcmp(version, catalog[i].version) == 0)
            break;
    if (i == sizeof(catalog) / sizeof(catalog[0]))
        fail_msg("no published schema for version %s",
                 version ? version : "(none)");
    snprintf(dir, sizeof(dir), "%s/mesosphere__universe/repo/packages/B/"
             "beta-elastic/%s/config.json", ETLS_FIXTURES_DIR,
             catalog[i].revision);
    schema = json_load_file(dir, 0, &err);
    if (!schema)
        fail_msg("%s: %s", dir, err.text);
    res = h_schema_defaults(schema);
    json_decref(schema);
    if (json_is_object(user))
        assert_int_equal(json_object_update_recursive(res, (json_t *)user),
                         0);
    return res;
}

static void load_plan(struct model_observed *o, const json_t *plan)
{
    const json_t *body = json_object_get(plan, "body");
    const json_t *file = json_object_get(plan, "body_file");
    json_t *loaded = NULL;
    int status = (int)json_integer_value(json_object_get(plan, "http_status"));

    if (!plan || json_is_null(plan))
        return;
    if (file) {
        char *path = path_join(ETLS_FIXTURES_DIR, json_string_value(file));
        json_error_t err;

        loaded = json_load_file(path, 0, &err);
        if (!loaded)
            fail_msg("%s: %s", path, err.text);
        free(path);
        body = loaded;
    }
    assert_int_equal(model_plan_status_from_json(&o->plan, body, status), 0);
    json_decref(loaded);
}

/* Index of string @v in the NULL-terminated @names, or fail. */
static int name_index(const json_t *v, const char *const *names,
                      const char *what)
{
    int i;

    for (i = 0; names[i]; i++)
        if (json_is_string(v) && strcmp(json_string_value(v), names[i]) == 0)
            return i;
    fail_msg("unknown %s", what);
    return 0;
}

/* "node": the plan-time HTTPS probe (docs/plan.md, "Fixture format"). */
static void load_node(struct model_observed *o, const json_t *n)
{
    static const char *const https[] = {"no_answer", "verified", "rejected",
                                        NULL};
    const json_t *plain = json_object_get(n, "plain_status");

    if (!n)
        return;
    o->node_probed = true;
    o->node_dns = dup_or_null(json_object_get(n, "dns"));
    o->node_address = dup_or_null(json_object_get(n, "address"));
    o->node_https = (enum model_node_https)name_index(
        json_object_get(n, "https"), https, "node https");
    o->node_https_error = dup_or_null(json_object_get(n, "https_error"));
    o->node_plain_answered = plain != NULL;
    o->node_plain_status = (long)json_integer_value(plain);
}

/* "verify_password" and "caller": what preflight recorded. */
static void load_preflight(struct model_observed *o, const json_t *pw,
                           const json_t *caller)
{
    static const char *const checks[] = {
        "unchecked", "ok", "env_unset", "env_empty", "file_missing",
        "file_not_regular", "file_unreadable", "file_empty", "file_too_long",
        "secret_missing", "secret_denied", "secret_not_text", "secret_empty",
        NULL
    };
    const json_t *v;

    if (pw) {
        o->verify_password = (enum model_password_check)name_index(
            json_object_get(pw, "check"), checks, "password check");
        o->verify_password_detail =
            dup_or_null(json_object_get(pw, "detail"));
    }
    if (caller) {
        o->caller_uid = dup_or_null(json_object_get(caller, "uid"));
        v = json_object_get(caller, "superuser");
        o->caller_superuser = v ? presence(v, "caller") : MODEL_UNKNOWN;
        o->caller_iam_denied =
            json_is_true(json_object_get(caller, "iam_denied"));
    }
}

static void load_observed(struct model_observed *o, const json_t *j,
                          const struct model_service *svc)
{
    const json_t *acc = json_object_get(j, "account");
    const json_t *sec = json_object_get(j, "secret");
    const json_t *groups = json_object_get(j, "groups");
    const json_t *perms = json_object_get(j, "permissions");
    const json_t *pkg = json_object_get(j, "package");
    const json_t *tasks = json_object_get(j, "tasks_tls");
    const json_t *old = json_object_get(j, "old_secret");
    const json_t *v;
    size_t i;

    model_observed_init(o);
    o->dcos_version = dup_or_null(json_object_get(j, "dcos_version"));

    o->account = presence(json_object_get(acc, "presence"), "account");
    v = json_object_get(acc, "is_service");
    o->account_is_service = v ? json_is_true(v) : true;
    o->account_public_key = public_key(acc);

    o->secret = presence(json_object_get(sec, "presence"), "secret");
    o->secret_verdict = verdict(json_object_get(sec, "verdict"));
    o->secret_uid = dup_or_null(json_object_get(sec, "uid"));
    o->secret_public_key = public_key(sec);

    /* The secret the running service uses, when another path. */
    if (old) {
        o->old_secret_path = dup_or_null(json_object_get(old, "path"));
        o->old_secret = presence(json_object_get(old, "presence"),
                                 "old secret");
        o->old_secret_public_key = public_key(old);
    }
    v = json_object_get(j, "restart_marker");
    o->restart_marker = v ? presence(v, "restart marker") : MODEL_ABSENT;

    if (groups) {
        assert_int_equal(json_array_size(groups), svc->n_groups);
        o->in_group = calloc(svc->n_groups + 1, sizeof(*o->in_group));
        o->group_exists = calloc(svc->n_groups + 1,
                                 sizeof(*o->group_exists));
        assert_non_null(o->in_group);
        assert_non_null(o->group_exists);
        json_array_foreach(groups, i, v) {
            const json_t *ex = json_object_get(v, "exists");

            o->in_group[i] = json_is_true(json_object_get(v, "member"));
            o->group_exists[i] = ex ? presence(ex, "group") : MODEL_PRESENT;
        }
    }
    if (perms) {
        assert_int_equal(json_array_size(perms), svc->n_permissions);
        o->permission_allowed = calloc(svc->n_permissions + 1,
                                       sizeof(*o->permission_allowed));
        assert_non_null(o->permission_allowed);
        json_array_foreach(perms, i, v)
            o->permission_allowed[i] = json_is_true(v);
    }

    o->package = presence(json_object_get(pkg, "presence"), "package");
    o->package_name = dup_or_null(json_object_get(pkg, "name"));
    o->package_version = dup_or_null(json_object_get(pkg, "version"));
    v = json_object_get(pkg, "user_options");
    o->user_options = v ? json_deep_copy(v) : NULL;
    v = json_object_get(pkg, "resolved_options");
    if (v)
        o->resolved_options = json_deep_copy(v);
    else if (o->package == MODEL_PRESENT)
        o->resolved_options = resolve_options(o->package_version,
                                              o->user_options);

    load_plan(o, json_object_get(j, "plan"));
    o->target_config_id = dup_or_null(json_object_get(j,
                                                      "target_config_id"));
    if (tasks) {
        o->tasks_tls_known = true;
        o->tasks_tls_on = (size_t)json_integer_value(
            json_object_get(tasks, "on"));
        o->tasks_tls_off = (size_t)json_integer_value(
            json_object_get(tasks, "off"));
    }
    load_node(o, json_object_get(j, "node"));
    load_preflight(o, json_object_get(j, "verify_password"),
                   json_object_get(j, "caller"));
}

static const char *change_name(enum model_change c)
{
    switch (c) {
    case MODEL_CHANGE_CREATE: return "create";
    case MODEL_CHANGE_UPDATE: return "update";
    case MODEL_CHANGE_REPLACE: return "replace";
    case MODEL_CHANGE_DELETE: return "delete";
    case MODEL_CHANGE_READ: return "read";
    case MODEL_CHANGE_NOOP: break;
    }
    return "no-op";
}

static const char *key_source_name(enum model_key_source k)
{
    switch (k) {
    case MODEL_KEY_NEW: return "new";
    case MODEL_KEY_FROM_SECRET: return "from_secret";
    case MODEL_KEY_NONE: break;
    }
    return "none";
}

static char *dump(const json_t *j)
{
    char *s;

    if (!j)
        return strdup("null");
    s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    assert_non_null(s);
    return s;
}

/* Every member of @want is in @have with an equal value (objects: same). */
static bool subset(const json_t *want, const json_t *have)
{
    const char *key;
    json_t *v;

    if (!json_is_object(want))
        return json_equal((json_t *)want, (json_t *)have) != 0;
    if (!json_is_object(have))
        return false;
    json_object_foreach((json_t *)want, key, v)
        if (!subset(v, json_object_get(have, key)))
            return false;
    return true;
}

static void check_json(const char *cs, const char *addr, const char *what,
                       const json_t *want, const json_t *have)
{
    char *w, *h;

    if (json_is_null(want) && !have)
        return;
    if (want && have && json_equal((json_t *)want, (json_t *)have))
        return;
    w = dump(want);
    h = dump(have);
    fail_msg("%s: %s: %s is %s, expected %s", cs, addr, what, h, w);
}

static void check_action(const char *cs, const struct model_plan *p,
                         size_t i, const json_t *x)
{
    const struct model_action *a = &p->actions[i];
    const json_t *v, *deps;
    json_t *params;
    const char *s;
    size_t k;

    s = json_string_value(json_object_get(x, "address"));
    if (!s || strcmp(s, a->address) != 0)
        fail_msg("%s: action %zu is %s, expected %s", cs, i, a->address,
                 s ? s : "(no address in expected.json)");
    s = json_string_value(json_object_get(x, "op"));
    if (!s || strcmp(s, model_op_name(a->op)) != 0)
        fail_msg("%s: %s: op %s, expected %s", cs, a->address,
                 model_op_name(a->op), s ? s : "(none)");
    s = json_string_value(json_object_get(x, "change"));
    if (!s || strcmp(s, change_name(a->change)) != 0)
        fail_msg("%s: %s: change %s, expected %s", cs, a->address,
                 change_name(a->change), s ? s : "(none)");
    if (json_is_true(json_object_get(x, "disruptive")) != a->disruptive)
        fail_msg("%s: %s: disruptive is %d", cs, a->address, a->disruptive);
    v = json_object_get(x, "disruption");
    if (v && (!a->disruption ||
              strcmp(json_string_value(v), a->disruption) != 0))
        fail_msg("%s: %s: disruption \"%s\", expected \"%s\"", cs,
                 a->address, a->disruption ? a->disruption : "(null)",
                 json_string_value(v));
    if (!a->disruptive && a->disruption)
        fail_msg("%s: %s: disruption text on a non-disruptive action", cs,
                 a->address);
    if (a->disruptive && !a->disruption)
        fail_msg("%s: %s: disruptive without a note", cs, a->address);
    s = json_string_value(json_object_get(x, "key_source"));
    if (strcmp(s ? s : "none", key_source_name(a->key_source)) != 0)
        fail_msg("%s: %s: key_source %s", cs, a->address,
                 key_source_name(a->key_source));

    deps = json_object_get(x, "deps");
    if (json_array_size(deps) != a->n_deps)
        fail_msg("%s: %s: %zu deps, expected %zu", cs, a->address,
                 a->n_deps, json_array_size(deps));
    for (k = 0; k < a->n_deps; k++) {
        const char *want = json_string_value(json_array_get(deps, k));
        const char *have = p->actions[a->deps[k]].address;

        if (!want || strcmp(want, have) != 0)
            fail_msg("%s: %s: dep %zu is %s, expected %s", cs, a->address,
                     k, have, want ? want : "(none)");
    }

    v = json_object_get(x, "reason");
    if (v && strcmp(json_string_value(v), a->reason ? a->reason : "") != 0)
        fail_msg("%s: %s: reason \"%s\", expected \"%s\"", cs, a->address,
                 a->reason ? a->reason : "", json_string_value(v));
    v = json_object_get(x, "reason_contains");
    if (v && (!a->reason || !strstr(a->reason, json_string_value(v))))
        fail_msg("%s: %s: reason \"%s\" lacks \"%s\"", cs, a->address,
                 a->reason ? a->reason : "", json_string_value(v));

    params = model_action_params_json(p, a);
    if (!params && a->op != MODEL_OP_FAIL)
        fail_msg("%s: %s: cannot serialise params", cs, a->address);
    v = json_object_get(x, "params");
    if (v && !subset(v, params)) {
        char *h = dump(params), *w = dump(v);

        fail_msg("%s: %s: params %s do not contain %s", cs, a->address, h,
                 w);
    }
    v = json_object_get(x, "params_exact");
    if (v)
        check_json(cs, a->address, "params", v, params);
    json_decref(params);
    if ((v = json_object_get(x, "before")))
        check_json(cs, a->address, "before", v, a->before);
    if ((v = json_object_get(x, "after")))
        check_json(cs, a->address, "after", v, a->after);
    if ((v = json_object_get(x, "before_sensitive")))
        check_json(cs, a->address, "before_sensitive", v,
                   a->before_sensitive);
    if ((v = json_object_get(x, "after_sensitive")))
        check_json(cs, a->address, "after_sensitive", v,
                   a->after_sensitive);
}

/* Collect every string under a member whose name contains "password". */
static void collect_passwords(const json_t *j, json_t *out, bool under)
{
    const char *key;
    json_t *v;
    size_t i;

    if (json_is_string(j) && under && json_string_length(j) > 0)
        json_array_append_new(out, json_string(json_string_value(j)));
    if (json_is_array(j))
        json_array_foreach((json_t *)j, i, v)
            collect_passwords(v, out, under);
    if (json_is_object(j))
        json_object_foreach((json_t *)j, key, v)
            collect_passwords(v, out,
                              under || strstr(key, "password") != NULL);
}

static void check_no_secret(const char *cs, const char *addr,
                            const char *text, const json_t *secrets)
{
    const json_t *v;
    size_t i;

    if (strstr(text, "PRIVATE KEY"))
        fail_msg("%s: %s shows a private key", cs, addr);
    json_array_foreach((json_t *)secrets, i, v)
        if (strstr(text, json_string_value(v)))
            fail_msg("%s: %s shows the password \"%s\"", cs, addr,
                     json_string_value(v));
}

static void check_invariants(const char *cs, const struct model_plan *p,
                             const struct model_service *svc,
                             const struct model_observed *o)
{
    json_t *secrets = json_array();
    size_t i, k;

    assert_non_null(secrets);
    collect_passwords(svc->options, secrets, false);
    collect_passwords(o->resolved_options, secrets, false);
    for (i = 0; i < p->n_actions; i++) {
        const struct model_action *a = &p->actions[i];
        size_t tl = strlen(a->type);
        char *s;

        if (strncmp(a->address, a->type, tl) != 0 || a->address[tl] != '.' ||
            strcmp(a->address + tl + 1, a->name) != 0)
            fail_msg("%s: address %s is not type.name", cs, a->address);
        for (k = 0; k < i; k++)
            if (strcmp(p->actions[k].address, a->address) == 0)
                fail_msg("%s: address %s appears twice", cs, a->address);
        for (k = 0; k < a->n_deps; k++)
            if (a->deps[k] >= i)
                fail_msg("%s: %s depends forward", cs, a->address);
        if (!a->reason || !*a->reason || strchr(a->reason, '\n'))
            fail_msg("%s: %s: reason must be one line", cs, a->address);
        check_no_secret(cs, a->address, a->reason, secrets);
        if (a->disruption)
            check_no_secret(cs, a->address, a->disruption, secrets);
        s = dump(a->before);
        check_no_secret(cs, a->address, s, secrets);
        free(s);
        s = dump(a->after);
        check_no_secret(cs, a->address, s, secrets);
        free(s);
        if (a->op == MODEL_OP_SECRET_CREATE ||
            a->op == MODEL_OP_SECRET_UPDATE) {
            if (!json_is_true(json_object_get(a->after_sensitive, "value")))
                fail_msg("%s: %s: secret value not marked sensitive", cs,
                         a->address);
        }
    }
    json_decref(secrets);
}

/*
 * The expected.json of a plan, in the form check_action() reads, every
 * field exact (new reference).
 */
static json_t *expected_of(const struct model_plan *p, int result)
{
    json_t *acts = json_array(), *root;
    size_t i, k, a, c, d;

    model_plan_counts(p, &a, &c, &d);
    root = json_pack("{s:i, s:[I,I,I], s:o}", "result", result, "counts",
                     (json_int_t)a, (json_int_t)c, (json_int_t)d, "actions",
                     acts);
    for (i = 0; root && i < p->n_actions; i++) {
        const struct model_action *x = &p->actions[i];
        json_t *j = json_pack("{s:s, s:s, s:s, s:s?, s:O?, s:O?}", "address",
                              x->address, "op", model_op_name(x->op),
                              "change", change_name(x->change), "reason",
                              x->reason, "before", x->before, "after",
                              x->after);
        json_t *deps = json_array(), *params;

        for (k = 0; k < x->n_deps; k++)
            json_array_append_new(deps,
                                  json_string(p->actions[x->deps[k]].address));
        if (x->n_deps)
            json_object_set(j, "deps", deps);
        json_decref(deps);
        if (x->key_source != MODEL_KEY_NONE)
            json_object_set_new(j, "key_source",
                                json_string(key_source_name(x->key_source)));
        if (x->disruptive)
            json_object_set_new(j, "disruptive", json_true());
        if (x->disruption)
            json_object_set_new(j, "disruption", json_string(x->disruption));
        if (!x->before)
            json_object_set_new(j, "before", json_null());
        if (!x->after)
            json_object_set_new(j, "after", json_null());
        if (x->before_sensitive)
            json_object_set(j, "before_sensitive", x->before_sensitive);
        if (x->after_sensitive)
            json_object_set(j, "after_sensitive", x->after_sensitive);
        params = model_action_params_json(p, x);
        if (params)
            json_object_set_new(j, "params_exact", params);
        json_array_append_new(acts, j);
    }
    return root;
}

/*
 * With ETLS_FIXTURE_UPDATE set, rewrite @dir/expected.json from the plan
 * (a maintainer's tool: review the diff before committing it).
 */
static void maybe_update(const char *dir, const struct model_plan *p,
                         int result)
{
    json_t *j;
    char *path;

    if (!getenv("ETLS_FIXTURE_UPDATE") || result < 0)
        return;
    j = expected_of(p, result);
    path = path_join(dir, "expected.json");
    if (!j || json_dump_file(j, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
        fail_msg("cannot write %s", path);
    free(path);
    json_decref(j);
}

/*
 * The plan from the part of the resolved options a large run keeps
 * (reconcilers_options_needed) is the plan from all of them (@p, @result).
 */
static void check_lean(const char *cs, const struct model_plan *p,
                       int result, const struct model_service *svc,
                       struct model_observed *o)
{
    json_t *full = o->resolved_options, *kept, *a, *b;
    struct model_plan q;
    struct err_info e;
    char *da, *db;
    int r;

    if (!full)
        return;
    kept = reconcilers_options_needed(svc, full);
    assert_non_null(kept);
    if (json_is_object(full) && json_object_size(full) > 3 &&
        json_equal(kept, full))
        fail_msg("%s: all of the resolved options were kept", cs);
    memset(&q, 0, sizeof(q));
    err_clear(&e);
    o->resolved_options = kept;
    r = reconcilers_plan(&q, svc, o, &e);
    o->resolved_options = full;
    json_decref(kept);
    a = expected_of(p, result);
    b = expected_of(&q, r);
    da = dump(a);
    db = dump(b);
    if (strcmp(da, db) != 0)
        fail_msg("%s: the plan from the kept options differs:\n%s\n"
                 "from all of them:\n%s", cs, db, da);
    free(da);
    free(db);
    json_decref(a);
    json_decref(b);
    model_plan_clear(&q);
}

static void run_case(void **state)
{
    const char *dir = *state;
    const char *cs = strrchr(dir, '/') + 1;
    json_t *obs_json, *exp, *actions, *counts, *v;
    struct model_service *svc = NULL;
    struct model_diags diags;
    struct model_observed o;
    struct model_plan p;
    struct err_info e;
    char *path, *text = NULL;
    size_t len, i, a, c, d;
    int r;

    path = path_join(dir, "desired.json");
    if (util_read_file(&text, &len, path, MAX_FILE) != 0)
        fail_msg("cannot read %s", path);
    memset(&diags, 0, sizeof(diags));
    r = model_service_parse(&svc, text, len, "desired.json", &diags);
    if (r != 0) {
        char *line = diags.n ? model_diag_format(&diags.items[0]) : NULL;

        fail_msg("%s: desired.json is invalid: %s", cs,
                 line ? line : "(no diagnostic)");
    }
    free(text);
    free(path);

    obs_json = load_json(dir, "observed.json");
    load_observed(&o, obs_json, svc);
    exp = load_json(dir, "expected.json");

    memset(&p, 0, sizeof(p));
    err_clear(&e);
    r = reconcilers_plan(&p, svc, &o, &e);

    v = json_object_get(exp, "error");
    if (v) {
        if (r != ERR_INVALID)
            fail_msg("%s: result %d, expected ERR_INVALID", cs, r);
        if (strcmp(e.text, json_string_value(v)) != 0)
            fail_msg("%s: error \"%s\", expected \"%s\"", cs, e.text,
                     json_string_value(v));
        assert_int_equal(p.n_actions, 0);
        goto out;
    }
    if (r < 0)
        fail_msg("%s: reconcilers_plan failed: %s", cs, e.text);
    maybe_update(dir, &p, r);
    if (r != json_integer_value(json_object_get(exp, "result")))
        fail_msg("%s: result %d, expected %" JSON_INTEGER_FORMAT, cs, r,
                 json_integer_value(json_object_get(exp, "result")));
    assert_int_equal(model_plan_has_changes(&p), r == 1);
    assert_string_equal(p.service, svc->name);

    actions = json_object_get(exp, "actions");
    for (i = 0; i < p.n_actions && i < json_array_size(actions); i++)
        check_action(cs, &p, i, json_array_get(actions, i));
    if (p.n_actions != json_array_size(actions)) {
        fail_msg("%s: %zu actions, expected %zu (first extra: %s)", cs,
                 p.n_actions, json_array_size(actions),
                 p.n_actions > json_array_size(actions)
                     ? p.actions[json_array_size(actions)].address
                     : "-");
    }
    counts = json_object_get(exp, "counts");
    if (counts) {
        model_plan_counts(&p, &a, &c, &d);
        if ((json_int_t)a != json_integer_value(json_array_get(counts, 0)) ||
            (json_int_t)c != json_integer_value(json_array_get(counts, 1)) ||
            (json_int_t)d != json_integer_value(json_array_get(counts, 2)))
            fail_msg("%s: counts %zu/%zu/%zu", cs, a, c, d);
    }
    check_invariants(cs, &p, svc, &o);
    check_lean(cs, &p, r, svc, &o);
#ifdef ETLS_NOMEM_TEST
    {
        struct model_plan q;
        long n;

        for (n = 0; n < 100000; n++) {
            memset(&q, 0, sizeof(q));
            nomem_countdown = n;
            nomem_calls = 0;
            nomem_armed = 1;
            r = reconcilers_plan(&q, svc, &o, &e);
            nomem_armed = 0;
            if (r == ERR_NOMEM) {
                if (q.n_actions || q.actions || q.service)
                    fail_msg("%s: allocation %ld failed: plan not empty", cs,
                             n);
                continue;
            }
            if (r < 0)
                fail_msg("%s: allocation %ld failed: %d, not ERR_NOMEM: %s",
                         cs, n, r, e.text);
            /* Planning succeeded: no allocation was left to fail. */
            if (nomem_calls > n)
                fail_msg("%s: allocation %ld failed silently", cs, n);
            if (q.n_actions != p.n_actions)
                fail_msg("%s: %zu actions after injection, %zu before", cs,
                         q.n_actions, p.n_actions);
            model_plan_clear(&q);
            break;
        }
        if (n == 0)
            fail_msg("%s: planning allocated nothing", cs);
    }
#endif
out:
    model_plan_clear(&p);
    model_observed_clear(&o);
    model_service_free(svc);
    model_diags_clear(&diags);
    json_decref(obs_json);
    json_decref(exp);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    struct CMUnitTest tests[MAX_CASES];
    char *dirs[MAX_CASES];
    struct dirent *de;
    struct stat st;
    size_t n = 0, i;
    DIR *dh;
    int r;

#ifdef ETLS_NOMEM_TEST
    json_set_alloc_funcs(json_malloc_hook, free);
#endif
    dh = opendir(CASES_DIR);
    if (!dh) {
        fprintf(stderr, "cannot open %s\n", CASES_DIR);
        return 1;
    }
    while ((de = readdir(dh)) && n < MAX_CASES) {
        char *dir, *desired;

        if (de->d_name[0] == '.' || strcmp(de->d_name, "keys") == 0)
            continue;
        dir = path_join(CASES_DIR, de->d_name);
        desired = path_join(dir, "desired.json");
        if (stat(desired, &st) == 0)
            dirs[n++] = dir;
        else
            free(dir);
        free(desired);
    }
    closedir(dh);
    if (n == 0) {
        fprintf(stderr, "no cases under %s\n", CASES_DIR);
        return 1;
    }
    qsort(dirs, n, sizeof(dirs[0]), by_name);
    for (i = 0; i < n; i++) {
        memset(&tests[i], 0, sizeof(tests[i]));
        tests[i].name = strrchr(dirs[i], '/') + 1;
        tests[i].test_func = run_case;
        tests[i].initial_state = dirs[i];
    }
    r = _cmocka_run_group_tests("reconciler fixtures", tests, n, NULL, NULL);
    for (i = 0; i < n; i++)
        free(dirs[i]);
    return r;
}
