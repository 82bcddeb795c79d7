/* Observation of etls's records and of the old secret (observe_records.h). */
#include "controller/observe_records.h"

#include <stdlib.h>
#include <string.h>

#include "controller/observe_err.h"
#include "dcos/client.h"
#include "dcos/parse.h"
#include "model/lease.h"
#include "model/names.h"

struct observe_records {
    struct dcos_client *c;
    const struct model_service *s;
    struct model_observed *m;
    struct err_info *err;
    char *lease_top;    /* path of the lease's top generation */
};

int observe_secret_answer(const struct dcos_result *r, const char *account,
                          enum model_presence *presence,
                          enum sa_verdict *verdict, char **uid, char **pub)
{
    int rc;

    if (r->err.code == ERR_NOTFOUND) {
        *presence = MODEL_ABSENT;
        return 0;
    }
    if (r->err.code == ERR_INVALID && r->status == 200) {
        /* A binary (non-text) secret cannot be a service-account secret. */
        *presence = MODEL_PRESENT;
        *verdict = SA_NOT_JSON;
        return 0;
    }
    if (r->err.code)
        return r->err.code;
    if (!r->secret)
        return ERR_INVALID;
    rc = sa_secret_inspect(verdict, uid, pub, r->secret, account);
    if (rc)
        return rc;
    *presence = MODEL_PRESENT;
    return 0;
}

static void on_old_secret(const struct dcos_result *r, void *payload)
{
    struct observe_records *rec = payload;
    enum sa_verdict v = SA_OK;
    char *uid = NULL;
    int rc;

    rc = observe_secret_answer(r, rec->s->account, &rec->m->old_secret, &v,
                               &uid, &rec->m->old_secret_public_key);
    free(uid);
    if (rc) {
        struct err_info e = r->err;

        if (!e.code)
            err_set(&e, rc, "cannot inspect the secret");
        observe_err(rec->err, &e, "reading the secret the service uses");
    }
}

int observe_records_old_secret(struct observe_records *rec)
{
    static const char *const path[] = {"service", "service_account_secret"};
    const json_t *v = json_object_get(
        json_object_get(rec->m->resolved_options, path[0]), path[1]);
    const char *old = json_string_value(v);
    const struct model_service *s = rec->s;

    if (!old || !*old || !s->secret_path || !*s->secret_path ||
        strcmp(old, s->secret_path) == 0 || !s->account || !*s->account)
        return 0;
    rec->m->old_secret_path = strdup(old);
    if (!rec->m->old_secret_path)
        return ERR_NOMEM;
    return dcos_secret_get(rec->c, old, on_old_secret, rec);
}

static void on_marker(const struct dcos_result *r, void *payload)
{
    struct observe_records *rec = payload;

    if (r->err.code == ERR_NOTFOUND)
        rec->m->restart_marker = MODEL_ABSENT;
    else if (r->err.code)
        observe_err(rec->err, &r->err, "reading etls's pending-restart "
                    "record");
    else
        rec->m->restart_marker = MODEL_PRESENT;
}

static void on_lease(const struct dcos_result *r, void *payload)
{
    struct observe_records *rec = payload;
    struct model_lease l;

    /* Released between the listing and this read: free. */
    if (r->err.code == ERR_NOTFOUND)
        return;
    if (r->err.code) {
        observe_err(rec->err, &r->err, "reading the lease");
        return;
    }
    if (!r->secret ||
        model_lease_parse(&l, secret_str(r->secret), r->secret->len)) {
        struct err_info e = {ERR_INVALID, 0, "not a lease record"};

        observe_err(rec->err, &e, "reading the lease");
        return;
    }
    rec->m->lease_holder = l.holder;
    rec->m->lease_expires = l.expires;
    l.holder = NULL;
    model_lease_clear(&l);
}

static void on_lease_list(const struct dcos_result *r, void *payload)
{
    struct observe_records *rec = payload;
    char **names = NULL;
    size_t n = 0;
    unsigned long top;

    if (r->err.code == ERR_NOTFOUND)
        return; /* no lease */
    if (r->err.code) {
        observe_err(rec->err, &r->err, "listing the lease");
        return;
    }
    if (dcos_parse_string_array(&names, &n,
                                json_object_get(r->json, "array"))) {
        struct err_info e = {ERR_INVALID, 0, "unexpected response body"};

        observe_err(rec->err, &e, "listing the lease");
        return;
    }
    top = model_lease_top(names, n);
    dcos_string_array_free(names, n);
    if (!top)
        return;
    rec->lease_top = model_lease_path(rec->s->name, top);
    if (!rec->lease_top ||
        dcos_secret_get(rec->c, rec->lease_top, on_lease, rec)) {
        struct err_info e = {ERR_NOMEM, 0, "cannot read the lease"};

        observe_err(rec->err, &e, "reading the lease");
    }
}

int observe_records_submit(struct observe_records **out,
                           struct dcos_client *c,
                           const struct model_service *s,
                           struct model_observed *m, struct err_info *err)
{
    struct observe_records *rec = calloc(1, sizeof(*rec));
    char *marker, *folder;
    int r;

    if (!rec)
        return ERR_NOMEM;
    rec->c = c;
    rec->s = s;
    rec->m = m;
    rec->err = err;
    *out = rec;
    marker = model_state_path(s->name, MODEL_RESTART_MARKER_LEAF);
    folder = model_lease_path(s->name, 0);
    if (!marker || !folder)
        r = ERR_NOMEM;
    else
        r = dcos_secret_get(c, marker, on_marker, rec);
    if (r == 0)
        r = dcos_secret_list(c, folder, on_lease_list, rec);
    free(marker);
    free(folder);
    return r;
}

void observe_records_free(struct observe_records *rec)
{
    if (!rec)
        return;
    free(rec->lease_top);
    free(rec);
}
