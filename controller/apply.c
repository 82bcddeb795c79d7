/*
 * engine_apply(): executes plans made by engine_plan().  Every service has an
 * executor; every action a small state machine driven by dcos/ callbacks.
 * Actions whose dependencies are done start at once, so independent actions
 * run concurrently, and so do services.  Waits (rollout, verification
 * retries) are polls on a deadline: the driver loop runs the HTTP loop until
 * it is idle or the next poll is due.  Every wait is bounded in time.
 */
#include "controller/engine.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/key.h"
#include "common/log.h"
#include "common/sa_secret.h"
#include "common/util.h"
#include "controller/engine_internal.h"
#include "dcos/keys.h"
#include "dcos/loop.h"
#include "dcos/parse.h"
#include "dcos/probe.h"

/* Retries of a request refused because the app is locked or restarting. */
#define APPLY_MAX_RETRIES 20
#define APPLY_RETRY_DELAY 2.0
/* Verification: attempts while the nodes come up after a rollout. */
#define VERIFY_WINDOW 90.0
#define VERIFY_INTERVAL 1.0

enum act_state {
    ACT_WAITING = 0,
    ACT_RUNNING,
    ACT_DONE,
    ACT_FAILED,
    ACT_SKIPPED
};

/* Stages of a rollout wait. */
enum wait_stage {
    WAIT_PICKUP = 0, /* until the change reached the scheduler */
    WAIT_PLAN        /* until the deploy plan is COMPLETE */
};

struct xsvc;

struct verify {
    char *user;
    struct secret *password;
    char *dns;          /* "<dnshost>:<port>" of the endpoint */
    char *url;          /* https://<dns>/ */
    char *connect_to;   /* "<dnshost>:<port>:<addrhost>:<port>" */
    char *address;      /* "<addrhost>:<port>" */
    char *es_version;
    char *cluster_name;
    char *health;
    char *subject, *issuer, *not_after;
    char *sans;
    char *plain;        /* what plain HTTP (or HTTPS when off) did */
    char last_error[200];
};

struct xact {
    struct xsvc *x;
    size_t idx;
    enum act_state st;
    int step;
    unsigned tries;
    double started;
    /* Polling: when `sleeping`, `wake` runs at `wake_at`. */
    bool sleeping;
    double wake_at;
    void (*wake)(struct xact *a);
    /* Rollout waits (also used by strategy_restore). */
    enum wait_stage stage;
    double deadline;
    char progress[512];
    /* Verification. */
    struct verify v;
};

struct xsvc {
    struct engine *eng;
    const struct model_service *svc;
    struct model_plan *plan;
    const struct model_observed *obs;
    struct xact *acts;
    FILE *out;
    bool failed;
    struct err_info err;
    size_t added, changed, destroyed;
    /* Key pair generated for an account action (by action index). */
    struct secret *new_key;
    char *new_pub;
    size_t new_key_owner;
    bool have_new_key;
    char *verified;          /* verification report (text) */
};

static double now(void)
{
    return util_now_mono();
}

static const char *pstr(const struct model_action *a, const char *key)
{
    return json_string_value(json_object_get(a->params, key));
}

static struct model_action *act_of(struct xact *a)
{
    return &a->x->plan->actions[a->idx];
}

static void say(struct xact *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(struct xact *a, const char *fmt, ...)
{
    va_list ap;

    fprintf(a->x->out, "%s: ", act_of(a)->address);
    va_start(ap, fmt);
    vfprintf(a->x->out, fmt, ap);
    va_end(ap);
    fputc('\n', a->x->out);
    fflush(a->x->out);
}

static void act_ok(struct xact *a)
{
    struct model_action *m = act_of(a);
    struct xsvc *x = a->x;
    double secs = now() - a->started;

    a->st = ACT_DONE;
    a->sleeping = false;
    LOG(LOG_DEBUG, "apply", "%s: %s done after %.3fs", m->address,
        model_op_name(m->op), secs);
    switch (m->change) {
    case MODEL_CHANGE_CREATE:
        x->added++;
        say(a, "Creation complete after %.1fs", secs);
        break;
    case MODEL_CHANGE_UPDATE:
        x->changed++;
        say(a, "Modifications complete after %.1fs", secs);
        break;
    case MODEL_CHANGE_REPLACE:
        x->added++;
        x->destroyed++;
        say(a, "Replacement complete after %.1fs", secs);
        break;
    case MODEL_CHANGE_DELETE:
        x->destroyed++;
        say(a, "Destruction complete after %.1fs", secs);
        break;
    default:
        say(a, "Done after %.1fs", secs);
        break;
    }
}

static void act_fail(struct xact *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void act_fail(struct xact *a, const char *fmt, ...)
{
    struct xsvc *x = a->x;
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    a->st = ACT_FAILED;
    a->sleeping = false;
    LOG(LOG_WARN, "apply", "%s: %s failed", act_of(a)->address,
        model_op_name(act_of(a)->op));
    say(a, "FAILED: %s", msg);
    if (!x->failed) {
        x->failed = true;
        x->err.code = ERR_INVALID;
        snprintf(x->err.text, sizeof(x->err.text), "%s: %.250s",
                 act_of(a)->address, msg);
    }
}

static void act_sleep(struct xact *a, double seconds,
                      void (*wake)(struct xact *a))
{
    a->sleeping = true;
    a->wake_at = now() + seconds;
    a->wake = wake;
}

static void start_op(struct xact *a);

/*
 * A request of action @a failed with @err.  Transient failures (5xx, 429,
 * connection problems, timeouts) start the action over after an
 * exponential backoff, at most APPLY_MAX_RETRIES times: every action is
 * idempotent (creates adopt a 409, writes repeat the same value).  Anything
 * else fails the action, prefixed with @what when given.
 */
static void act_error(struct xact *a, const struct err_info *err,
                      const char *what)
{
    if (err_is_retryable(err->code) && a->tries < APPLY_MAX_RETRIES) {
        double delay = APPLY_RETRY_DELAY * (double)(1u << (a->tries < 4
                                                              ? a->tries
                                                              : 4));

        a->tries++;
        say(a, "transient failure (%s); retrying in %.0fs", err->text,
            delay);
        a->step = 0;
        act_sleep(a, delay, start_op);
        return;
    }
    if (what)
        act_fail(a, "%s: %s", what, err->text);
    else
        act_fail(a, "%s", err->text);
}

/* Submit failure (invalid argument or ENOMEM): fail the action. */
static void check_submit(struct xact *a, int r, const char *what)
{
    if (r)
        act_fail(a, "cannot send %s: %s", what, err_name(r));
}

/* --- key pairs --- */

static void on_keygen(int status, struct secret *priv, char *pub,
                      void *payload);

struct keygen_req {
    struct xact *a;
    void (*next)(struct xact *a);
};

/* Start generating a key pair for action @a, then call @next. */
static void start_keygen(struct xact *a, void (*next)(struct xact *a))
{
    struct keygen_req *k = malloc(sizeof(*k));
    int r;

    if (!k) {
        act_fail(a, "out of memory");
        return;
    }
    k->a = a;
    k->next = next;
    say(a, "Generating an RSA-2048 key pair...");
    r = dcos_keygen_async(dcos_client_loop(a->x->eng->client), on_keygen, k);
    if (r) {
        free(k);
        act_fail(a, "cannot generate a key pair: %s", err_name(r));
    }
}

static void on_keygen(int status, struct secret *priv, char *pub,
                      void *payload)
{
    struct keygen_req *k = payload;
    struct xact *a = k->a;
    void (*next)(struct xact *a) = k->next;

    free(k);
    if (status) {
        secret_free(priv);
        free(pub);
        act_fail(a, "key generation failed: %s", err_name(status));
        return;
    }
    secret_free(a->x->new_key);
    free(a->x->new_pub);
    a->x->new_key = priv;
    a->x->new_pub = pub;
    a->x->new_key_owner = a->idx;
    a->x->have_new_key = true;
    next(a);
}

/* The public key an account action writes. */
static const char *account_pubkey(struct xact *a)
{
    struct model_action *m = act_of(a);

    if (m->key_source == MODEL_KEY_NEW)
        return a->x->new_pub;
    if (pstr(m, "public_key"))
        return pstr(m, "public_key");
    return a->x->obs->secret_public_key;
}

/* --- account --- */

static void account_put(struct xact *a);

static void on_account_get(const struct dcos_result *r, void *payload)
{
    struct xact *a = payload;
    struct dcos_user *u = NULL;
    const char *want = account_pubkey(a);

    if (r->err.code) {
        act_error(a, &r->err, "reading the existing account");
        return;
    }
    if (dcos_parse_user(&u, r->json) || !u->public_key || !want ||
        key_public_equal(u->public_key, want) != 1) {
        dcos_user_free(u);
        act_fail(a, "the account was created concurrently with another "
                    "public key; run etls again");
        return;
    }
    dcos_user_free(u);
    say(a, "Adopted the existing account (same public key)");
    act_ok(a);
}

static void on_account_put(const struct dcos_result *r, void *payload)
{
    struct xact *a = payload;
    struct model_action *m = act_of(a);

    if (r->err.code == ERR_CONFLICT) {
        check_submit(a,
                     dcos_iam_user_get(a->x->eng->client, pstr(m, "uid"),
                                       on_account_get, a),
                     "GET user");
        return;
    }
    if (r->err.code) {
        act_error(a, &r->err, NULL);
        return;
    }
    act_ok(a);
}

static void account_put(struct xact *a)
{
    struct model_action *m = act_of(a);
    const char *pub = account_pubkey(a);

    if (!pub) {
        act_fail(a, "no public key to create the account with");
        return;
    }
    check_submit(a,
                 dcos_iam_user_put(a->x->eng->client, pstr(m, "uid"),
                                   pstr(m, "description"), pub,
                                   on_account_put, a),
                 "PUT user");
}

static void on_account_delete(const struct dcos_result *r, void *payload)
{
    struct xact *a = payload;

    if (r->err.code && r->err.code != ERR_NOTFOUND) {
        act_error(a, &r->err, "deleting the old account");
        return;
    }
    account_put(a);
}

static void account_delete(struct xact *a)
{
    check_submit(a,
                 dcos_iam_user_delete(a->x->eng->client,
                                      pstr(act_of(a), "uid"),
                                      on_account_delete, a),
                 "DELETE user");
}

static void start_account(struct xact *a)
{
    struct model_action *m = act_of(a);
    void (*next)(struct xact *) =
        m->op == MODEL_OP_ACCOUNT_REPLACE ? account_delete : account_put;

    /* A retry keeps the key pair generated by the first attempt. */
    if (m->key_source == MODEL_KEY_NEW &&
        !(a->x->have_new_key && a->x->new_key_owner == a->idx))
        start_keygen(a, next);
    else
        next(a);
}

/* --- secret --- */

static void on_secret_write(const struct dcos_result *r, void *payload);
static void on_secret_reread(const struct dcos_result *r, void *payload);

/*
 * Write the secret value @value: PUT when @create (201; 409 retries as a
 * PATCH), else PATCH (204; 404 retries as a PUT).  a->step remembers which.
 */
static void secret_send(struct xact *a, const struct secret *value,
                        bool create)
{
    struct model_action *m = act_of(a);
    int r;

    a->step = create ? 1 : 2;
    if (create)
        r = dcos_secret_put(a->x->eng->client, pstr(m, "path"), value,
                            on_secret_write, a);
    else
        r = dcos_secret_patch(a->x->eng->client, pstr(m, "path"), value,
                              on_secret_write, a);
    check_submit(a, r, create ? "PUT secret" : "PATCH secret");
}

/*
 * Build the create-sa-secret value and send it.  Key NEW: around the key
 * pair generated by the account action.  FROM_SECRET: read the stored value
 * again and rewrite it around the key it holds (on_secret_reread).
 */
static void secret_begin(struct xact *a, bool create)
{
    struct model_action *m = act_of(a);
    struct secret *value = NULL;
    int r;

    if (m->key_source != MODEL_KEY_NEW) {
        a->step = create ? 3 : 4;
        check_submit(a,
                     dcos_secret_get(a->x->eng->client, pstr(m, "path"),
                                     on_secret_reread, a),
                     "GET secret");
        return;
    }
    if (!a->x->have_new_key) {
        act_fail(a, "no key pair was generated for the secret");
        return;
    }
    r = sa_secret_build(&value, pstr(m, "uid"), a->x->new_key,
                        pstr(m, "login_endpoint") ? pstr(m, "login_endpoint")
                                                  : SA_LOGIN_ENDPOINT);
    if (r) {
        act_fail(a, "cannot build the secret value: %s", err_name(r));
        return;
    }
    secret_send(a, value, create);
    secret_free(value);
}

static void on_secret_write(const struct dcos_result *r, void *payload)
{
    struct xact *a = payload;

    if (a->step == 1 && r->err.code == ERR_CONFLICT && a->tries++ < 2) {
        secret_begin(a, false);
        return;
    }
    if (a->step == 2 && r->err.code == ERR_NOTFOUND && a->tries++ < 2) {
        secret_begin(a, true);
        return;
    }
    if (r->err.code) {
        act_error(a, &r->err, NULL);
        return;
    }
    act_ok(a);
}

static void on_secret_reread(const struct dcos_result *r, void *payload)
{
    struct xact *a = payload;
    struct model_action *m = act_of(a);
    struct secret *value = NULL;
    bool create = a->step == 3;

    if (r->err.code || !r->secret) {
        act_error(a, &r->err, "reading the secret again");
        return;
    }
    /* Keep the private key; rewrite uid, scheme and login_endpoint. */
    if (sa_secret_rewrite(&value, r->secret, pstr(m, "uid"),
                          pstr(m, "login_endpoint"))) {
        act_fail(a, "the secret changed since it was observed: it holds no "
                    "usable private key any more");
        return;
    }
    secret_send(a, value, create);
    secret_free(value);
}

static void start_secret(struct xact *a)
{
    secret_begin(a, act_of(a)->op == MODEL_OP_SECRET_CREATE);
}

/* --- membership and permissions --- */

static void on_member(const struct dcos_result *r, void *payload)
{
    struct xact *a = payload;

    if (r->err.code && r->err.code != ERR_CONFLICT) {
        act_error(a, &r->err, NULL);
        return;
    }
    act_ok(a);
}

static void start_group_add(struct xact *a)
{
    struct model_action *m = act_of(a);

    check_submit(a,
                 dcos_iam_group_user_put(a->x->eng->client, pstr(m, "gid"),
                                         pstr(m, "uid"), on_member, a),
                 "PUT group member");
}

static void on_grant(const struct dcos_result *r, void *payload)
{
    struct xact *a = payload;

    if (r->err.code) {
        act_error(a, &r->err, NULL);
        return;
    }
    act_ok(a);
}

static void on_acl(const struct dcos_result *r, void *payload)
{
    struct xact *a = payload;
    struct model_action *m = act_of(a);

    if (r->err.code) {
        act_error(a, &r->err, "creating the ACL");
        return;
    }
    check_submit(a,
                 dcos_iam_acl_user_grant(a->x->eng->client, pstr(m, "rid"),
                                         pstr(m, "uid"), pstr(m, "action"),
                                         on_grant, a),
                 "PUT grant");
}

static void start_grant(struct xact *a)
{
    struct model_action *m = act_of(a);
    char desc[200];

    snprintf(desc, sizeof(desc), "Created by etls for service %s",
             a->x->svc->name);
    check_submit(a,
                 dcos_iam_acl_put(a->x->eng->client, pstr(m, "rid"), desc,
                                  on_acl, a),
                 "PUT ACL");
}

/* --- package --- */

static void on_install(const struct dcos_result *r, void *payload)
{
    struct xact *a = payload;

    if (r->err.code == ERR_CONFLICT) {
        say(a, "Already installed; adopting it");
        act_ok(a);
        return;
    }
    if (r->err.code) {
        act_error(a, &r->err, NULL);
        return;
    }
    act_ok(a);
}

static void start_install(struct xact *a)
{
    struct model_action *m = act_of(a);

    check_submit(a,
                 dcos_cosmos_package_install(
                     a->x->eng->client, pstr(m, "package"),
                     pstr(m, "version"), json_object_get(m->params, "options"),
                     on_install, a),
                 "package install");
}

static void update_send(struct xact *a);

static void on_update(const struct dcos_result *r, void *payload)
{
    struct xact *a = payload;

    if (r->err.code == ERR_TRANSIENT && a->tries++ < APPLY_MAX_RETRIES) {
        say(a, "Cosmos is busy (%s); retrying", r->err.text);
        act_sleep(a, APPLY_RETRY_DELAY, update_send);
        return;
    }
    if (r->err.code) {
        act_error(a, &r->err, NULL);
        return;
    }
    act_ok(a);
}

static void on_restore_update(const struct dcos_result *r, void *payload);

/*
 * POST /cosmos/service/update (replace false): the plan's options for a
 * package update, only {"service":{"update_strategy"}} for a restore.
 */
static void update_send(struct xact *a)
{
    struct model_action *m = act_of(a);
    json_t *opts = json_object_get(m->params, "options");
    json_t *built = NULL;
    bool restore = m->op == MODEL_OP_STRATEGY_RESTORE;
    int r;

    if (restore) {
        built = json_pack("{s:{s:s}}", "service", "update_strategy",
                          pstr(m, "update_strategy"));
        if (!built) {
            act_fail(a, "out of memory");
            return;
        }
        opts = built;
    }
    r = dcos_cosmos_service_update(a->x->eng->client, pstr(m, "app_id"), opts,
                                   pstr(m, "version"), false,
                                   restore ? on_restore_update : on_update,
                                   a);
    json_decref(built);
    check_submit(a, r, "service update");
}

static void restart_send(struct xact *a);

static void on_restart(const struct dcos_result *r, void *payload)
{
    struct xact *a = payload;

    if ((r->err.code == ERR_CONFLICT || r->err.code == ERR_TRANSIENT) &&
        a->tries++ < APPLY_MAX_RETRIES) {
        say(a, "the scheduler app is busy; retrying");
        act_sleep(a, APPLY_RETRY_DELAY, restart_send);
        return;
    }
    if (r->err.code) {
        act_error(a, &r->err, NULL);
        return;
    }
    act_ok(a);
}

static void restart_send(struct xact *a)
{
    check_submit(a,
                 dcos_marathon_app_restart(a->x->eng->client,
                                           pstr(act_of(a), "app_id"), false,
                                           on_restart, a),
                 "Marathon restart");
}

static void start_restart(struct xact *a)
{
    say(a, "Restarting the scheduler so it reads its service account "
           "secret again...");
    restart_send(a);
}

/* --- rollout wait --- */

static void wait_poll(struct xact *a);

/* One line: "deploy (serial) IN_PROGRESS: master-update 1/3, ...". */
static void plan_summary(char *out, size_t n,
                         const struct model_plan_status *p)
{
    size_t i, j, o;

    o = (size_t)snprintf(out, n, "deploy (%s) %s", p->strategy ? p->strategy
                                                                : "?",
                         p->status ? p->status : "?");
    for (i = 0; i < p->n_phases && o < n; i++) {
        size_t done = 0;

        for (j = 0; j < p->phases[i].n_steps; j++)
            if (p->phases[i].steps[j].status &&
                strcmp(p->phases[i].steps[j].status, "COMPLETE") == 0)
                done++;
        o += (size_t)snprintf(out + o, n - o, "%s%s %zu/%zu",
                              i ? ", " : ": ", p->phases[i].name, done,
                              p->phases[i].n_steps);
    }
}

static void on_wait_plan(const struct dcos_result *r, void *payload)
{
    struct xact *a = payload;
    struct model_plan_status p;
    char line[512];
    size_t i;

    memset(&p, 0, sizeof(p));
    if (r->err.code == ERR_TRANSIENT || r->err.code == ERR_NOTFOUND ||
        r->err.code == ERR_TIMEOUT) {
        /* The scheduler is (re)starting: ride it out. */
        if (strcmp(a->progress, "restarting") != 0) {
            snprintf(a->progress, sizeof(a->progress), "restarting");
            say(a, "waiting for the scheduler to answer...");
        }
        act_sleep(a, ENGINE_POLL_INTERVAL, wait_poll);
        return;
    }
    if (r->err.code) {
        act_error(a, &r->err, "reading the deploy plan");
        return;
    }
    if (!r->json || model_plan_status_from_json(&p, r->json, (int)r->status)) {
        act_fail(a, "unexpected deploy plan body (HTTP %ld)", r->status);
        return;
    }
    plan_summary(line, sizeof(line), &p);
    if (strcmp(line, a->progress) != 0) {
        snprintf(a->progress, sizeof(a->progress), "%s", line);
        say(a, "%s", line);
    }
    if (r->status == 417 || (p.status && strcmp(p.status, "ERROR") == 0)) {
        char errs[300] = "";
        size_t o = 0;

        for (i = 0; i < p.n_errors && o < sizeof(errs); i++)
            o += (size_t)snprintf(errs + o, sizeof(errs) - o, "%s%s",
                                  i ? "; " : "", p.errors[i]);
        act_fail(a, "the deploy plan is in ERROR: %s",
                 o ? errs : "(no error text)");
        model_plan_status_clear(&p);
        return;
    }
    if (a->stage == WAIT_PLAN && p.status &&
        strcmp(p.status, "COMPLETE") == 0) {
        model_plan_status_clear(&p);
        act_ok(a);
        return;
    }
    model_plan_status_clear(&p);
    act_sleep(a, ENGINE_POLL_INTERVAL, wait_poll);
}

static void on_wait_marathon(const struct dcos_result *r, void *payload)
{
    struct xact *a = payload;
    struct dcos_marathon_app *app = NULL;

    /*
     * The change was picked up once Marathon has no deployment left for the
     * scheduler app and the (new) scheduler runs.  The target configuration
     * id is no signal: scheduler-only changes (update_strategy, the secret)
     * keep it, and the plan of such a change stays COMPLETE.
     */
    if (r->err.code == 0 && dcos_parse_marathon_app(&app, r->json) == 0) {
        if (app->n_deployments == 0 && app->tasks_running >= 1) {
            say(a, "the scheduler restarted with the new configuration");
            a->stage = WAIT_PLAN;
            dcos_marathon_app_free(app);
            check_submit(a,
                         dcos_sdk_plan_get(a->x->eng->client,
                                           a->x->svc->name, "deploy",
                                           on_wait_plan, a),
                         "GET plan");
            return;
        }
        dcos_marathon_app_free(app);
    } else if (r->err.code && r->err.code != ERR_TRANSIENT &&
               r->err.code != ERR_TIMEOUT) {
        act_error(a, &r->err, "reading the scheduler's Marathon app");
        return;
    }
    if (strcmp(a->progress, "restarting") != 0) {
        snprintf(a->progress, sizeof(a->progress), "restarting");
        say(a, "waiting for the scheduler to restart...");
    }
    act_sleep(a, ENGINE_POLL_INTERVAL, wait_poll);
}

static void wait_poll(struct xact *a)
{
    if (now() > a->deadline) {
        act_fail(a, "the deploy plan did not complete within %.0fs (last: "
                    "%s); raise --timeout or check the scheduler",
                 a->x->eng->cli->timeout,
                 a->progress[0] ? a->progress : "no answer");
        return;
    }
    if (a->stage == WAIT_PICKUP) {
        char app_id[300];

        snprintf(app_id, sizeof(app_id), "/%s", a->x->svc->name);
        check_submit(a,
                     dcos_marathon_app_get(a->x->eng->client, app_id,
                                           on_wait_marathon, a),
                     "GET Marathon app");
    }
    else
        check_submit(a,
                     dcos_sdk_plan_get(a->x->eng->client, a->x->svc->name,
                                       "deploy", on_wait_plan, a),
                     "GET plan");
}

/* Does this wait follow a change that must be picked up first? */
static bool wait_needs_pickup(struct xact *a)
{
    struct model_action *m = act_of(a);
    size_t i;

    if (m->op == MODEL_OP_STRATEGY_RESTORE)
        return true;
    for (i = 0; i < m->n_deps; i++) {
        enum model_op op = a->x->plan->actions[m->deps[i]].op;

        if (op == MODEL_OP_PACKAGE_UPDATE || op == MODEL_OP_SCHEDULER_RESTART)
            return true;
    }
    return false;
}

static void wait_begin(struct xact *a)
{
    a->deadline = now() + a->x->eng->cli->timeout;
    a->progress[0] = '\0';
    a->stage = wait_needs_pickup(a) ? WAIT_PICKUP : WAIT_PLAN;
    say(a, "Waiting for the deploy plan to complete (timeout %.0fs)...",
        a->x->eng->cli->timeout);
    wait_poll(a);
}

/* --- strategy restore: update, then wait like a rollout --- */

static void on_restore_update(const struct dcos_result *r, void *payload)
{
    struct xact *a = payload;

    if (r->err.code == ERR_TRANSIENT && a->tries++ < APPLY_MAX_RETRIES) {
        act_sleep(a, APPLY_RETRY_DELAY, update_send);
        return;
    }
    if (r->err.code) {
        act_error(a, &r->err, NULL);
        return;
    }
    wait_begin(a);
}

static void start_restore(struct xact *a)
{
    say(a, "Setting update_strategy back to %s (restarts no node)...",
        pstr(act_of(a), "update_strategy"));
    update_send(a);
}

/* --- HTTPS verification --- */

static void verify_clear(struct verify *v)
{
    free(v->user);
    secret_free(v->password);
    free(v->dns);
    free(v->url);
    free(v->connect_to);
    free(v->address);
    free(v->es_version);
    free(v->cluster_name);
    free(v->health);
    free(v->subject);
    free(v->issuer);
    free(v->not_after);
    free(v->sans);
    free(v->plain);
    memset(v, 0, sizeof(*v));
}

static void verify_attempt(struct xact *a);

/* Record why this attempt failed and retry until the window closes. */
static void verify_retry(struct xact *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void verify_retry(struct xact *a, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(a->v.last_error, sizeof(a->v.last_error), fmt, ap);
    va_end(ap);
    if (now() > a->deadline) {
        act_fail(a, "HTTPS verification failed: %s", a->v.last_error);
        return;
    }
    act_sleep(a, VERIFY_INTERVAL, verify_attempt);
}

static int health_rank(const char *h)
{
    if (!h)
        return -1;
    if (strcmp(h, "green") == 0)
        return 2;
    if (strcmp(h, "yellow") == 0)
        return 1;
    if (strcmp(h, "red") == 0)
        return 0;
    return -1;
}

static void verify_report(struct xact *a)
{
    struct model_action *m = act_of(a);
    struct verify *v = &a->v;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    if (!f) {
        act_fail(a, "out of memory");
        return;
    }
    if (json_is_true(json_object_get(m->params, "tls"))) {
        fprintf(f, "Verified service %s over HTTPS:\n", a->x->svc->name);
        fprintf(f, "  URL:           %s (connected to %s)\n", v->url,
                v->address);
        fprintf(f, "  Elasticsearch: %s, cluster \"%s\"\n",
                v->es_version ? v->es_version : "?",
                v->cluster_name ? v->cluster_name : "?");
        fprintf(f, "  Health:        %s (required: at least %s)\n",
                v->health ? v->health : "?", pstr(m, "health"));
        fprintf(f, "  Certificate:   subject %s\n",
                v->subject ? v->subject : "?");
        fprintf(f, "                 issuer  %s\n",
                v->issuer ? v->issuer : "?");
        fprintf(f, "                 expires %s\n",
                v->not_after ? v->not_after : "?");
        if (v->sans)
            fprintf(f, "                 names   %s\n", v->sans);
        fprintf(f, "  Plain HTTP:    %s\n", v->plain ? v->plain : "?");
    } else {
        fprintf(f, "Verified service %s (transport encryption off):\n",
                a->x->svc->name);
        fprintf(f, "  URL:           http://%s/ (connected to %s)\n",
                v->dns, v->address);
        fprintf(f, "  Elasticsearch: %s, cluster \"%s\"\n",
                v->es_version ? v->es_version : "?",
                v->cluster_name ? v->cluster_name : "?");
        fprintf(f, "  Health:        %s (required: at least %s)\n",
                v->health ? v->health : "?", pstr(m, "health"));
        fprintf(f, "  HTTPS:         not offered, as desired\n");
    }
    fclose(f);
    free(a->x->verified);
    a->x->verified = text;
    act_ok(a);
}

/* TLS on: plain HTTP to the node's address must get no HTTP answer. */
static void on_verify_plain(const struct dcos_plain_result *r, void *payload)
{
    struct xact *a = payload;
    char buf[200];

    free(a->v.plain);
    a->v.plain = NULL;
    if (r->answered) {
        verify_retry(a, "the node still answers plain HTTP (HTTP %ld) at %s",
                     r->status, a->v.address);
        return;
    }
    snprintf(buf, sizeof(buf), "refused (%.150s)", r->err.text);
    a->v.plain = strdup(buf);
    verify_report(a);
}

static void verify_plain(struct xact *a)
{
    char url[300];

    snprintf(url, sizeof(url), "http://%s/", a->v.address);
    check_submit(a,
                 dcos_probe_plain(dcos_client_loop(a->x->eng->client), url,
                                  NULL, on_verify_plain, a),
                 "plain HTTP probe");
}

static bool verify_tls(struct xact *a)
{
    return json_is_true(json_object_get(act_of(a)->params, "tls"));
}

/* GET @path on the node: HTTPS with the cluster CA when TLS is desired,
 * else plain HTTP; basic auth either way. */
static int node_get(struct xact *a, const char *path, dcos_probe_fn done)
{
    struct http_loop *loop = dcos_client_loop(a->x->eng->client);
    char url[600];

    if (verify_tls(a)) {
        snprintf(url, sizeof(url), "https://%s%s", a->v.dns, path);
        return dcos_probe_https(loop, url, a->v.connect_to,
                                a->x->eng->ca_pem, a->v.user, a->v.password,
                                done, a);
    }
    snprintf(url, sizeof(url), "http://%s%s", a->v.dns, path);
    return dcos_probe_http(loop, url, a->v.connect_to, a->v.user,
                           a->v.password, done, a);
}

static void on_verify_tls_off(const struct dcos_probe_result *r,
                              void *payload);

static void on_verify_health(const struct dcos_probe_result *r,
                             void *payload)
{
    struct xact *a = payload;
    struct model_action *m = act_of(a);
    const char *h;

    if (r->err.code || !r->json) {
        verify_retry(a, "GET /_cluster/health: %s",
                     r->err.code ? r->err.text : "not JSON");
        return;
    }
    h = json_string_value(json_object_get(r->json, "status"));
    free(a->v.health);
    a->v.health = util_strdup(h);
    if (health_rank(h) < health_rank(pstr(m, "health"))) {
        verify_retry(a, "cluster health is %s, required at least %s",
                     h ? h : "unknown", pstr(m, "health"));
        return;
    }
    if (verify_tls(a)) {
        verify_plain(a);
        return;
    }
    /* Transport encryption off: HTTPS must not be offered. */
    check_submit(a,
                 dcos_probe_https(dcos_client_loop(a->x->eng->client),
                                  a->v.url, a->v.connect_to,
                                  a->x->eng->ca_pem, NULL, NULL,
                                  on_verify_tls_off, a),
                 "HTTPS probe");
}

static char *join_sans(const struct http_cert *c)
{
    size_t i, len = 1;
    char *s;

    for (i = 0; i < c->n_sans; i++)
        len += strlen(c->sans[i]) + 2;
    s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (i = 0; i < c->n_sans; i++) {
        if (i)
            strcat(s, ", ");
        strcat(s, c->sans[i]);
    }
    return s;
}

static void on_verify_root(const struct dcos_probe_result *r, void *payload)
{
    struct xact *a = payload;
    const json_t *ver;

    if (r->err.code) {
        verify_retry(a, "GET %s://%s/: %s", verify_tls(a) ? "https" : "http",
                     a->v.dns, r->err.text);
        return;
    }
    ver = json_object_get(json_object_get(r->json, "version"), "number");
    if (!json_is_string(ver)) {
        verify_retry(a, "GET %s: the answer is not an Elasticsearch root "
                        "document",
                     a->v.url);
        return;
    }
    free(a->v.es_version);
    free(a->v.cluster_name);
    a->v.es_version = strdup(json_string_value(ver));
    a->v.cluster_name = util_strdup(
        json_string_value(json_object_get(r->json, "cluster_name")));
    if (r->cert) {
        free(a->v.subject);
        free(a->v.issuer);
        free(a->v.not_after);
        free(a->v.sans);
        a->v.subject = util_strdup(r->cert->subject);
        a->v.issuer = util_strdup(r->cert->issuer);
        a->v.not_after = util_strdup(r->cert->not_after);
        a->v.sans = join_sans(r->cert);
    }
    check_submit(a, node_get(a, "/_cluster/health", on_verify_health),
                 "node probe");
}

static void on_verify_tls_off(const struct dcos_probe_result *r,
                              void *payload)
{
    struct xact *a = payload;

    if (r->err.code == 0 || r->status != 0) {
        verify_retry(a, "the node still speaks HTTPS although transport "
                        "encryption is off");
        return;
    }
    verify_report(a);
}

static void on_verify_endpoint(const struct dcos_result *r, void *payload)
{
    struct xact *a = payload;
    struct model_action *m = act_of(a);
    struct dcos_endpoint *ep = NULL;
    char *dhost = NULL, *ahost = NULL, buf[600];
    long dport = 0, aport = 0;

    if (r->err.code) {
        verify_retry(a, "reading endpoint %s: %s", pstr(m, "endpoint"),
                     r->err.text);
        return;
    }
    if (dcos_parse_endpoint(&ep, r->json) || ep->n == 0 || ep->n_dns == 0 ||
        dcos_split_host_port(&dhost, &dport, ep->dns[0]) ||
        dcos_split_host_port(&ahost, &aport, ep->address[0])) {
        dcos_endpoint_free(ep);
        free(dhost);
        verify_retry(a, "endpoint %s lists no address yet",
                     pstr(m, "endpoint"));
        return;
    }
    free(a->v.dns);
    free(a->v.url);
    free(a->v.connect_to);
    free(a->v.address);
    snprintf(buf, sizeof(buf), "%s:%ld", dhost, dport);
    a->v.dns = strdup(buf);
    snprintf(buf, sizeof(buf), "https://%s:%ld/", dhost, dport);
    a->v.url = strdup(buf);
    snprintf(buf, sizeof(buf), "%s:%ld:%s:%ld", dhost, dport, ahost, aport);
    a->v.connect_to = strdup(buf);
    a->v.address = strdup(ep->address[0]);
    dcos_endpoint_free(ep);
    free(dhost);
    free(ahost);
    if (!a->v.dns || !a->v.url || !a->v.connect_to || !a->v.address) {
        act_fail(a, "out of memory");
        return;
    }
    if (!a->x->eng->ca_pem) {
        act_fail(a, "the cluster CA certificate is not known");
        return;
    }
    check_submit(a, node_get(a, "/", on_verify_root), "node probe");
}

static void verify_attempt(struct xact *a)
{
    check_submit(a,
                 dcos_sdk_endpoint_get(a->x->eng->client, a->x->svc->name,
                                       pstr(act_of(a), "endpoint"),
                                       on_verify_endpoint, a),
                 "GET endpoint");
}

static void verify_credentials_done(struct xact *a)
{
    if (!a->v.user || !a->v.password) {
        act_fail(a, "no credentials for the HTTPS check");
        return;
    }
    a->deadline = now() + VERIFY_WINDOW;
    verify_attempt(a);
}

static void on_verify_secret(const struct dcos_result *r, void *payload)
{
    struct xact *a = payload;

    if (r->err.code || !r->secret) {
        act_fail(a, "reading the verification password secret: %s",
                 r->err.text);
        return;
    }
    a->v.password = secret_new(r->secret->buf, r->secret->len);
    verify_credentials_done(a);
}

static void on_verify_describe(const struct dcos_result *r, void *payload)
{
    struct xact *a = payload;
    struct model_action *m = act_of(a);
    const json_t *es = NULL, *pw = json_object_get(m->params, "password");
    const char *src = json_string_value(json_object_get(pw, "source"));
    const char *ref = json_string_value(json_object_get(pw, "ref"));
    struct dcos_service_desc *d = NULL;

    if (r->err.code || dcos_parse_service_describe(&d, r->json)) {
        act_fail(a, "describing the service: %s",
                 r->err.code ? r->err.text : "unexpected body");
        return;
    }
    es = json_object_get(d->resolved_options, "elasticsearch");
    a->v.user = util_strdup(
        pstr(m, "user")
            ? pstr(m, "user")
            : json_string_value(json_object_get(es, "health_user")));
    if (!src || strcmp(src, "health_options") == 0) {
        const char *p =
            json_string_value(json_object_get(es, "health_user_password"));

        a->v.password = p ? secret_new_str(p) : NULL;
    } else if (strcmp(src, "env") == 0) {
        const char *p = ref ? getenv(ref) : NULL;

        if (!p) {
            dcos_service_desc_free(d);
            act_fail(a, "environment variable %s (verify password) is not "
                        "set",
                     ref ? ref : "?");
            return;
        }
        a->v.password = secret_new_str(p);
    } else if (strcmp(src, "file") == 0) {
        if (!ref || secret_from_file(&a->v.password, ref, 4096)) {
            dcos_service_desc_free(d);
            act_fail(a, "cannot read the verify password file %s",
                     ref ? ref : "?");
            return;
        }
    } else if (strcmp(src, "secret") == 0) {
        dcos_service_desc_free(d);
        check_submit(a,
                     dcos_secret_get(a->x->eng->client, ref, on_verify_secret,
                                     a),
                     "GET secret");
        return;
    }
    dcos_service_desc_free(d);
    verify_credentials_done(a);
}

static void start_verify(struct xact *a)
{
    char app_id[300];

    say(a, "Verifying...");
    snprintf(app_id, sizeof(app_id), "/%s", a->x->svc->name);
    check_submit(a,
                 dcos_cosmos_service_describe(a->x->eng->client, app_id,
                                              on_verify_describe, a),
                 "service describe");
}

/* --- driver --- */

static void start_action(struct xact *a)
{
    struct model_action *m = act_of(a);

    a->st = ACT_RUNNING;
    a->started = now();
    LOG(LOG_DEBUG, "apply", "%s: %s starts", m->address,
        model_op_name(m->op));
    switch (m->change) {
    case MODEL_CHANGE_CREATE: say(a, "Creating..."); break;
    case MODEL_CHANGE_UPDATE: say(a, "Modifying..."); break;
    case MODEL_CHANGE_REPLACE: say(a, "Replacing..."); break;
    default: break;
    }
    start_op(a);
}

/* Start (or start over) the requests of action @a. */
static void start_op(struct xact *a)
{
    struct model_action *m = act_of(a);

    switch (m->op) {
    case MODEL_OP_ACCOUNT_CREATE:
    case MODEL_OP_ACCOUNT_REPLACE: start_account(a); break;
    case MODEL_OP_SECRET_CREATE:
    case MODEL_OP_SECRET_UPDATE: start_secret(a); break;
    case MODEL_OP_GROUP_ADD: start_group_add(a); break;
    case MODEL_OP_PERMISSION_GRANT: start_grant(a); break;
    case MODEL_OP_PACKAGE_INSTALL: start_install(a); break;
    case MODEL_OP_PACKAGE_UPDATE: update_send(a); break;
    case MODEL_OP_SCHEDULER_RESTART: start_restart(a); break;
    case MODEL_OP_ROLLOUT_WAIT: wait_begin(a); break;
    case MODEL_OP_STRATEGY_RESTORE: start_restore(a); break;
    case MODEL_OP_HTTPS_VERIFY: start_verify(a); break;
    case MODEL_OP_FAIL:
        act_fail(a, "%s", m->reason ? m->reason : "cannot converge");
        break;
    }
}

/* Start ready actions and fire due polls.  Returns 1 while work is left. */
static int pump(struct xsvc *x)
{
    size_t i, k;
    int busy = 0;
    double t = now();

    for (i = 0; i < x->plan->n_actions; i++) {
        struct xact *a = &x->acts[i];
        struct model_action *m = &x->plan->actions[i];
        bool ready = true;

        if (a->st == ACT_RUNNING) {
            busy = 1;
            if (a->sleeping && t >= a->wake_at) {
                a->sleeping = false;
                a->wake(a);
            }
            continue;
        }
        if (a->st != ACT_WAITING)
            continue;
        for (k = 0; k < m->n_deps; k++) {
            enum act_state ds = x->acts[m->deps[k]].st;

            if (ds == ACT_FAILED || ds == ACT_SKIPPED) {
                a->st = ACT_SKIPPED;
                ready = false;
                break;
            }
            if (ds != ACT_DONE)
                ready = false;
        }
        if (a->st == ACT_SKIPPED)
            continue;
        if (ready && !x->failed) {
            start_action(a);
            busy = 1;
        } else if (x->failed) {
            a->st = ACT_SKIPPED;
        } else {
            busy = 1;
        }
    }
    return busy;
}

/* Earliest wake-up among sleeping actions, or @fallback. */
static double next_wake(struct xsvc *xs, size_t n, double fallback)
{
    double w = fallback;
    size_t i, j;

    for (i = 0; i < n; i++)
        for (j = 0; j < xs[i].plan->n_actions; j++) {
            struct xact *a = &xs[i].acts[j];

            if (a->st == ACT_RUNNING && a->sleeping && a->wake_at < w)
                w = a->wake_at;
        }
    return w;
}

static bool any_fail_action(const struct model_plan *plans, size_t n)
{
    size_t i, j;

    for (i = 0; i < n; i++)
        for (j = 0; j < plans[i].n_actions; j++)
            if (plans[i].actions[j].op == MODEL_OP_FAIL)
                return true;
    return false;
}

int engine_apply(struct engine *eng, const struct model_desired *d,
                 struct model_plan *plans, FILE *out, struct err_info *e)
{
    struct http_loop *loop = dcos_client_loop(eng->client);
    struct xsvc *xs;
    size_t i, j, n = d->n_services, added = 0, changed = 0, destroyed = 0;
    size_t failed = 0;
    double hard_deadline;
    int r = 0;

    if (any_fail_action(plans, n)) {
        for (i = 0; i < n; i++)
            for (j = 0; j < plans[i].n_actions; j++)
                if (plans[i].actions[j].op == MODEL_OP_FAIL)
                    fprintf(out, "Error: service %s: %s\n", plans[i].service,
                            plans[i].actions[j].reason);
        return err_set(e, ERR_INVALID,
                       "nothing was changed: the plan cannot be applied");
    }
    xs = calloc(n + 1, sizeof(*xs));
    if (!xs)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        xs[i].eng = eng;
        xs[i].svc = d->services[i];
        xs[i].plan = &plans[i];
        xs[i].obs = &eng->observed[i];
        xs[i].out = out;
        xs[i].acts = calloc(plans[i].n_actions + 1, sizeof(*xs[i].acts));
        if (!xs[i].acts) {
            r = err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
        for (j = 0; j < plans[i].n_actions; j++) {
            xs[i].acts[j].x = &xs[i];
            xs[i].acts[j].idx = j;
        }
    }

    /* Bounded: the rollout timeout of each wait plus margins. */
    hard_deadline = now() + 3 * eng->cli->timeout + VERIFY_WINDOW + 600;
    for (;;) {
        int busy = 0;
        double t, wake;

        for (i = 0; i < n; i++)
            busy |= pump(&xs[i]);
        if (!busy && http_loop_pending(loop) == 0)
            break;
        t = now();
        if (t > hard_deadline) {
            http_loop_cancel_all(loop, ERR_TIMEOUT);
            r = err_set(e, ERR_TIMEOUT, "apply did not finish in time");
            goto out;
        }
        wake = next_wake(xs, n, t + 0.25);
        if (http_loop_pending(loop) > 0)
            http_loop_run(loop, wake > t ? wake : t + 0.001);
        else
            engine_sleep(wake - t);
    }

    for (i = 0; i < n; i++) {
        added += xs[i].added;
        changed += xs[i].changed;
        destroyed += xs[i].destroyed;
        if (xs[i].failed)
            failed++;
    }
    fprintf(out, "\n%s Resources: %zu added, %zu changed, %zu destroyed.\n",
            failed ? "Apply failed!" : "Apply complete!", added, changed,
            destroyed);
    for (i = 0; i < n; i++) {
        if (xs[i].verified)
            fprintf(out, "\n%s", xs[i].verified);
    }
    for (i = 0; i < n; i++) {
        if (!xs[i].failed)
            continue;
        fprintf(out, "\nService %s is NOT converged: %s\n", xs[i].svc->name,
                xs[i].err.text);
        for (j = 0; j < plans[i].n_actions; j++) {
            enum act_state st = xs[i].acts[j].st;

            if (st == ACT_FAILED || st == ACT_SKIPPED)
                fprintf(out, "  left to do: %s (%s)\n",
                        plans[i].actions[j].address,
                        st == ACT_FAILED ? "failed" : "not started");
        }
    }
    fflush(out);
    if (failed) {
        size_t k = 0;

        for (i = 0; i < n; i++)
            if (xs[i].failed) {
                k = i;
                break;
            }
        r = err_set(e, ERR_INVALID, "%zu of %zu service(s) not converged; "
                                    "first: %s: %.200s",
                    failed, n, xs[k].svc->name, xs[k].err.text);
    }
out:
    for (i = 0; i < n; i++) {
        for (j = 0; xs[i].acts && j < plans[i].n_actions; j++) {
            verify_clear(&xs[i].acts[j].v);
        }
        free(xs[i].acts);
        secret_free(xs[i].new_key);
        free(xs[i].new_pub);
        free(xs[i].verified);
    }
    free(xs);
    return r;
}
