#include "model/desired.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "model/crossdoc.h"
#include "model/doc.h"
#include "model/envelope.h"
#include "model/jsonpos.h"
#include "model/options_schema.h"
#include "model/syntax.h"
#include "model/validate.h"

/*
 * Desired-state documents: parsing, defaults and offline validation
 * (docs/manifest.md).  jansson decodes the text; model/jsonpos.c indexes the
 * same text so that every problem carries file:line:col.  Validation goes
 * on after a problem so that one run reports them all (up to
 * MODEL_MAX_DIAGS per document).
 *
 * This file reads both forms' top level and the package options; the
 * validation context and its diagnostics are model/doc.c, the envelope's
 * access, verify and policies sections model/envelope.c, and the
 * diagnostics of text jansson rejects model/syntax.c.
 */

#define MODEL_MAX_DOC 1048576u        /* bytes per document (1 MiB) */

static const char *const strategies[] = {"serial", "parallel", NULL};

/* Top-level keys that only an envelope has (see looks_like_envelope). */
static const char *const envelope_only[] = {"kind",   "package", "options",
                                            "access", "verify",  "policies",
                                            NULL};

/*
 * The package options (the whole options form, or the envelope's
 * `options`), at the current path.  Fills what they say into @svc.
 */
static void parse_options(struct doc_ctx *c, json_t *opts,
                          struct model_service *svc)
{
    json_t *service = NULL, *es = NULL, *sec = NULL, *te = NULL;
    const char *s;
    char tls_why[96];
    int tls_line = 0, has_service;

    has_service = doc_get_object(c, opts, "service", &service) == 1;
    if (has_service) {
        doc_push(c, "service");
        if (doc_get_string(c, service, "name", model_check_service_name, 0,
                           &s) == 1)
            doc_set_str(c, &svc->name, s[0] == '/' ? s + 1 : s);
        if (!c->nomem) {
            doc_push(c, "name");
            if (!c->nomem)
                doc_locate(c, c->path.ptr.p, DOC_AT_VALUE, &svc->name_line,
                           &svc->name_column);
            doc_pop(c);
        }
        if (doc_get_string(c, service, "service_account", model_check_uid,
                           1, &s) == 1)
            doc_set_str(c, &svc->account, s);
        if (doc_get_string(c, service, "service_account_secret",
                           model_check_secret_path, 1, &s) == 1)
            doc_set_str(c, &svc->secret_path, s);
        if (doc_get_enum(c, service, "update_strategy", strategies, &s) == 1)
            doc_set_str(c, &svc->update_strategy, s);
        doc_get_enum(c, service, "deploy_strategy", strategies, &s);
        if (doc_get_object(c, service, "security", &sec) == 1) {
            doc_push(c, "security");
            if (doc_get_object(c, sec, "transport_encryption", &te) == 1) {
                doc_push(c, "transport_encryption");
                if (doc_get_bool(c, te, "enabled", &svc->tls) == 1 && svc->tls)
                    tls_line = doc_line_of(c, "enabled");
                doc_pop(c);
            }
            doc_pop(c);
        }
        doc_pop(c);
    } else if (!c->nomem) {
        doc_locate(c, c->path.ptr.p ? c->path.ptr.p : "", DOC_AT_VALUE,
                   &svc->name_line, &svc->name_column);
    }
    if (doc_get_object(c, opts, "elasticsearch", &es) == 1) {
        doc_push(c, "elasticsearch");
        doc_get_bool(c, es, "xpack_enabled", &svc->xpack);
        doc_get_string(c, es, "health_user", model_check_basic_user, 0, &s);
        /* A password: type-checked only, never shown. */
        if (json_object_get(es, "health_user_password") &&
            !json_is_string(json_object_get(es, "health_user_password"))) {
            doc_push(c, "health_user_password");
            doc_diag_type(c, "a string",
                          json_object_get(es, "health_user_password"));
            doc_pop(c);
        }
        doc_pop(c);
    }

    /*
     * Semantic rules (docs/manifest.md "Validation").  A member that is
     * present but invalid counts as set: it has its own diagnostic.
     */
    snprintf(tls_why, sizeof(tls_why),
             "required because transport encryption is enabled at line %d",
             tls_line);
    doc_push(c, "service");
    if (svc->tls) {
        if (doc_unset(service, "service_account"))
            doc_diag_required(c, service, "service_account",
                              "a non-empty service account uid", tls_why);
        if (doc_unset(service, "service_account_secret"))
            doc_diag_required(c, service, "service_account_secret",
                              "a non-empty secret path", tls_why);
    } else if (doc_unset(service, "service_account") &&
               !doc_unset(service, "service_account_secret")) {
        doc_diag_required(c, service, "service_account",
                          "a non-empty service account uid",
                          "required because service_account_secret is set");
    } else if (!doc_unset(service, "service_account") &&
               doc_unset(service, "service_account_secret")) {
        doc_diag_required(c, service, "service_account_secret",
                          "a non-empty secret path",
                          "etls keeps the service account's private key there");
    }
    doc_pop(c);
    if (svc->tls && !svc->xpack) {
        json_t *x = es ? json_object_get(es, "xpack_enabled") : NULL;

        /* A wrong type has been reported already. */
        if (!x || json_is_boolean(x)) {
            snprintf(tls_why, sizeof(tls_why),
                     "X-Pack is required because transport encryption is "
                     "enabled at line %d",
                     tls_line);
            doc_push(c, "elasticsearch");
            doc_diag_required(c, es, "xpack_enabled", "true", tls_why);
            doc_pop(c);
        }
    }
}

/* The etls/v1 envelope. */
static void parse_envelope(struct doc_ctx *c, json_t *root,
                           struct model_service *svc)
{
    json_t *options = NULL, *obj = NULL;
    int builtin = 0, explicit_access = 0, r;
    const char *s;

    svc->envelope = true;
    doc_diag_unknown_keys(c, root, model_envelope_keys(""));
    doc_push(c, "apiVersion");
    {
        json_t *v = json_object_get(root, "apiVersion");

        /* Present: that is how the envelope was recognised. */
        if (!json_is_string(v))
            doc_diag_type(c, "the string \"etls/v1\"", v);
        else if (strcmp(json_string_value(v), "etls/v1") != 0)
            doc_diag_value(c, "expected \"etls/v1\"", v);
    }
    doc_pop(c);
    if (json_object_get(root, "kind")) {
        json_t *v = json_object_get(root, "kind");

        doc_push(c, "kind");
        if (!json_is_string(v))
            doc_diag_type(c, "the string \"ElasticTLS\"", v);
        else if (strcmp(json_string_value(v), "ElasticTLS") != 0)
            doc_diag_value(c, "expected \"ElasticTLS\"", v);
        doc_pop(c);
    }
    (void)doc_get_bool(c, root, "suspend", &svc->suspend);
    if (doc_get_object(c, root, "package", &obj) == 1) {
        doc_push(c, "package");
        doc_diag_unknown_keys(c, obj, model_envelope_keys("package"));
        if (doc_get_string(c, obj, "name", model_check_package_name, 0,
                           &s) == 1)
            doc_set_str(c, &svc->package_name, s);
        if (doc_get_string(c, obj, "version", model_check_package_version, 0,
                           &s) == 1)
            doc_set_str(c, &svc->package_version, s);
        doc_pop(c);
    }
    r = doc_get_object(c, root, "options", &options);
    if (r == 0) {
        doc_push(c, "options");
        doc_diag(c, DOC_AT_VALUE, "missing: expected the package options "
                 "object (as given to `dcos package install --options`)");
        doc_pop(c);
    } else if (r == 1) {
        json_incref(options);
        svc->options = options;
        doc_push(c, "options");
        parse_options(c, options, svc);
        doc_pop(c);
    }
    if (doc_get_object(c, root, "access", &obj) == 1)
        envelope_access_parse(c, obj, svc, &builtin, &explicit_access);
    if (builtin && !c->count && !c->nomem) {
        struct model_permission *p = NULL;
        size_t n = 0;

        if (model_tls_permissions(&p, &n, svc->name)) {
            c->nomem = 1;
        } else {
            svc->permissions = p;
            svc->n_permissions = n;
        }
    }
    if (doc_get_object(c, root, "verify", &obj) == 1)
        envelope_verify_parse(c, obj, svc);
    if (doc_get_object(c, root, "policies", &obj) == 1)
        envelope_policies_parse(c, obj, svc);
}

/* An options form holding envelope members is a forgotten apiVersion. */
static void looks_like_envelope(struct doc_ctx *c, json_t *root)
{
    size_t i;

    for (i = 0; envelope_only[i]; i++) {
        if (!json_object_get(root, envelope_only[i]))
            continue;
        doc_push(c, envelope_only[i]);
        doc_diag(c, DOC_AT_KEY,
                 "not a beta-elastic package option; expected \"apiVersion\": "
                 "\"etls/v1\" at the top level for an etls/v1 envelope");
        doc_pop(c);
    }
}

/* The warning of a document that leaves transport encryption off. */
static void warn_tls_off(struct doc_ctx *c, struct model_service *svc)
{
    char *msg = util_format("service %s: transport encryption is off "
                            "(%sservice.security.transport_encryption."
                            "enabled is not true)",
                            svc->name, svc->envelope ? "options." : "");

    if (!msg || doc_diags_push(&svc->warnings, c->file, 0, 0, "", msg))
        c->nomem = 1;
    free(msg);
}

static struct model_service *service_new(const char *file)
{
    struct model_service *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    s->source = strdup(file);
    s->name = strdup("elastic");
    s->package_name = strdup("beta-elastic");
    s->account = strdup("");
    s->secret_path = strdup("");
    s->update_strategy = strdup("serial");
    s->verify_endpoint = strdup("coordinator-http");
    s->verify_health = strdup("green");
    s->verify = true;
    s->verify_password_source = MODEL_PW_HEALTH_OPTIONS;
    s->key_lost = MODEL_KEY_LOST_ROTATE;
    s->restore_update_strategy = true;
    if (!s->source || !s->name || !s->package_name || !s->account ||
        !s->secret_path || !s->update_strategy || !s->verify_endpoint ||
        !s->verify_health) {
        model_service_free(s);
        return NULL;
    }
    return s;
}

int model_service_parse(struct model_service **out, const char *text,
                        size_t len, const char *file,
                        struct model_diags *diags)
{
    return model_service_parse_mapped(out, text, len, file, diags, NULL, 0);
}

int model_service_parse_mapped(struct model_service **out, const char *text,
                               size_t len, const char *file,
                               struct model_diags *diags,
                               const struct jsonpos_loc *map, size_t n_map)
{
    struct model_service *svc = NULL;
    struct doc_ctx c;
    json_error_t je;
    json_t *root = NULL;
    size_t i;
    int r;

    assert(out && file && diags && (text || len == 0));
    memset(&c, 0, sizeof(c));
    c.file = file;
    c.diags = diags;
    c.first = diags->n;
    if (len > MODEL_MAX_DOC) {
        doc_diag_at(&c, 1, 1, "(root)",
                    "expected a document of at most %u bytes, got %zu bytes",
                    MODEL_MAX_DOC, len);
        goto out;
    }
    /* A UTF-8 byte order mark is tolerated (RFC 8259 section 8.1). */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    for (i = 0; i < len; i++) {
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' &&
            text[i] != '\r')
            break;
    }
    if (i == len) {
        doc_diag_at(&c, 1, 1, "(root)",
                    "invalid JSON: empty document; expected a JSON object");
        goto out;
    }
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                      &je);
    if (!root) {
        if (json_error_code(&je) == json_error_duplicate_key)
            syntax_diag_duplicate(&c, text, len, &je);
        else if (json_error_code(&je) == json_error_out_of_memory)
            c.nomem = 1;
        else
            syntax_diag_error(&c, &je);
        goto out;
    }
    r = jsonpos_index(&c.ix, text, len, 0, NULL);
    if (r == ERR_NOMEM) {
        c.nomem = 1;
        goto out;
    }
    if (map)
        jsonpos_remap(c.ix, map, n_map);
    if (!json_is_object(root)) {
        doc_diag(&c, DOC_AT_VALUE,
                 "expected a JSON object at the top level, got %s",
                 doc_type_name(root));
        goto out;
    }
    svc = service_new(file);
    if (!svc) {
        c.nomem = 1;
        goto out;
    }
    if (json_object_get(root, "apiVersion")) {
        parse_envelope(&c, root, svc);
    } else {
        looks_like_envelope(&c, root);
        json_incref(root);
        svc->options = root;
        parse_options(&c, root, svc);
    }
    /* Access: the default is group superusers, for an account only. */
    if (!c.count && !c.nomem && *svc->account && !svc->n_groups &&
        !svc->n_permissions)
        envelope_group_add(&c, svc, "superusers");
    options_schema_check_vendored(&c, svc);
    if (!c.count && !c.nomem && !svc->tls)
        warn_tls_off(&c, svc);
    if (!c.count && !c.nomem) {
        svc->pos = c.ix;
        c.ix = NULL;
    }
out:
    json_decref(root);
    jsonpos_free(c.ix);
    free(c.path.ptr.p);
    free(c.path.field.p);
    if (c.nomem || c.count) {
        model_service_free(svc);
        doc_diags_sort(diags, c.first);
        return c.nomem ? ERR_NOMEM : ERR_INVALID;
    }
    *out = svc;
    return 0;
}

void model_service_free(struct model_service *svc)
{
    size_t i;

    if (!svc)
        return;
    free(svc->source);
    free(svc->name);
    free(svc->package_name);
    free(svc->package_version);
    json_decref(svc->options);
    free(svc->account);
    free(svc->secret_path);
    free(svc->update_strategy);
    for (i = 0; i < svc->n_groups; i++)
        free(svc->groups[i]);
    free(svc->groups);
    for (i = 0; i < svc->n_permissions; i++) {
        free(svc->permissions[i].rid);
        free(svc->permissions[i].action);
    }
    free(svc->permissions);
    free(svc->verify_endpoint);
    free(svc->verify_user);
    free(svc->verify_password_ref);
    free(svc->verify_health);
    jsonpos_free(svc->pos);
    model_diags_clear(&svc->warnings);
    free(svc);
}

int model_desired_add(struct model_desired *d, struct model_service *svc,
                      struct model_diags *diags)
{
    struct model_service **n;
    int r;

    r = crossdoc_check(d, svc, diags);
    if (r) {
        model_service_free(svc);
        return r < 0 ? r : ERR_CONFLICT;
    }
    n = realloc(d->services, (d->n_services + 1) * sizeof(*n));
    if (!n) {
        model_service_free(svc);
        return ERR_NOMEM;
    }
    d->services = n;
    n[d->n_services++] = svc;
    return 0;
}

void model_desired_clear(struct model_desired *d)
{
    size_t i;

    for (i = 0; i < d->n_services; i++)
        model_service_free(d->services[i]);
    free(d->services);
    d->services = NULL;
    d->n_services = 0;
}

/* "file[:line:col]: [warning: ][field: ]message" (new string). */
static char *diag_format(const struct model_diag *dg, const char *kind)
{
    const char *sep = *dg->field ? ": " : "";
    char pos[32] = "";
    char *s;
    int n;

    if (dg->line > 0)
        snprintf(pos, sizeof(pos), ":%d:%d", dg->line, dg->column);
    n = snprintf(NULL, 0, "%s%s: %s%s%s%s", dg->file, pos, kind, dg->field,
                 sep, dg->message);
    if (n < 0)
        return NULL;
    s = malloc((size_t)n + 1);
    if (s)
        snprintf(s, (size_t)n + 1, "%s%s: %s%s%s%s", dg->file, pos, kind,
                 dg->field, sep, dg->message);
    return s;
}

char *model_diag_format(const struct model_diag *dg)
{
    return diag_format(dg, "");
}

char *model_warning_format(const struct model_diag *w)
{
    return diag_format(w, "warning: ");
}

void model_diags_clear(struct model_diags *d)
{
    size_t i;

    for (i = 0; i < d->n; i++) {
        free(d->items[i].file);
        free(d->items[i].field);
        free(d->items[i].message);
    }
    free(d->items);
    d->items = NULL;
    d->n = 0;
}

int model_tls_permissions(struct model_permission **out, size_t *n_out,
                          const char *name)
{
    /* rid = prefix [+ service name + suffix], elastic-sdk.md section 7 */
    static const struct {
        const char *prefix;
        int with_name;
        const char *suffix;
        const char *action;
    } set[] = {{"dcos:secrets:default:/", 1, "/*", "full"},
               {"dcos:secrets:list:default:/", 1, "", "read"},
               {"dcos:adminrouter:ops:ca:rw", 0, "", "full"},
               {"dcos:adminrouter:ops:ca:ro", 0, "", "full"}};
    const size_t n = sizeof(set) / sizeof(set[0]);
    struct model_permission *p;
    size_t i;

    if (!name || !*name)
        return ERR_INVALID;
    if (*name == '/')
        name++;
    p = calloc(n, sizeof(*p));
    if (!p)
        return ERR_NOMEM;
    for (i = 0; i < n; i++) {
        size_t len = strlen(set[i].prefix) + strlen(name) +
                     strlen(set[i].suffix) + 1;

        p[i].rid = malloc(len);
        p[i].action = strdup(set[i].action);
        if (!p[i].rid || !p[i].action)
            goto nomem;
        snprintf(p[i].rid, len, "%s%s%s", set[i].prefix,
                 set[i].with_name ? name : "", set[i].suffix);
    }
    *out = p;
    *n_out = n;
    return 0;
nomem:
    for (i = 0; i < n; i++) {
        free(p[i].rid);
        free(p[i].action);
    }
    free(p);
    return ERR_NOMEM;
}
