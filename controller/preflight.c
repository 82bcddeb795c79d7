/*
 * Preflight (preflight.h): the inputs of a run, checked read-only before
 * planning.
 */
#include "controller/preflight.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "dcos/client.h"
#include "dcos/loop.h"
#include "dcos/parse.h"

#define SUPERUSER_RID "dcos:superuser"

static enum model_password_check file_password(const char *ref,
                                               struct secret **out,
                                               char *detail,
                                               size_t detail_len)
{
    struct secret *s = NULL;
    struct stat st;
    int fd;

    /* Open without blocking (a FIFO), then look at what was opened. */
    fd = open(ref, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return MODEL_PWC_FILE_MISSING;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(detail, detail_len, "%s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return MODEL_PWC_FILE_UNREADABLE;
    }
    close(fd);
    if (!S_ISREG(st.st_mode))
        return MODEL_PWC_FILE_NOT_REGULAR;
    if (st.st_size > (off_t)MODEL_PASSWORD_MAX)
        return MODEL_PWC_FILE_TOO_LONG;
    if (secret_from_file(&s, ref, MODEL_PASSWORD_MAX, NULL) != 0) {
        snprintf(detail, detail_len, "read error");
        return MODEL_PWC_FILE_UNREADABLE;
    }
    if (s->len == 0) {
        secret_free(s);
        return MODEL_PWC_FILE_EMPTY;
    }
    if (out)
        *out = s;
    else
        secret_free(s);
    return MODEL_PWC_OK;
}

enum model_password_check preflight_password_local(
    enum model_password_source src, const char *ref, struct secret **out,
    char *detail, size_t detail_len)
{
    const char *v;

    if (out)
        *out = NULL;
    if (detail_len)
        detail[0] = '\0';
    if (!ref || (src != MODEL_PW_ENV && src != MODEL_PW_FILE))
        return MODEL_PWC_UNCHECKED;
    if (src == MODEL_PW_FILE)
        return file_password(ref, out, detail, detail_len);
    v = getenv(ref);
    if (!v)
        return MODEL_PWC_ENV_UNSET;
    if (!*v)
        return MODEL_PWC_ENV_EMPTY;
    if (out) {
        *out = secret_new_str(v);
        if (!*out)
            return MODEL_PWC_UNCHECKED;
    }
    return MODEL_PWC_OK;
}

enum model_password_check preflight_password_secret(
    const struct dcos_result *r)
{
    if (r->err.code == 0 && r->secret)
        return r->secret->len > 0 ? MODEL_PWC_OK : MODEL_PWC_SECRET_EMPTY;
    if (r->err.code == ERR_NOTFOUND)
        return MODEL_PWC_SECRET_MISSING;
    if (r->err.code == ERR_AUTH)
        return MODEL_PWC_SECRET_DENIED;
    if (r->err.code == ERR_INVALID && r->status == 200)
        return MODEL_PWC_SECRET_NOT_TEXT;
    return MODEL_PWC_UNCHECKED;
}

struct preflight;

struct pf_item {
    struct preflight *p;
    size_t idx;
};

struct preflight {
    struct dcos_client *client;
    const char *uid;
    struct err_info submit_err;   /* a read that could not be submitted */
    const struct model_desired *d;
    struct model_observed *out;
    struct pf_item *items;
    struct err_info err;          /* the first read that failed */
    enum model_presence superuser;
    bool iam_denied;
};

static void on_password_secret(const struct dcos_result *r, void *payload)
{
    struct pf_item *it = payload;
    struct preflight *p = it->p;
    const struct model_service *s = p->d->services[it->idx];
    enum model_password_check c = preflight_password_secret(r);

    p->out[it->idx].verify_password = c;
    if (c == MODEL_PWC_UNCHECKED && !p->err.code)
        err_set(&p->err, r->err.code ? r->err.code : ERR_INTERNAL,
                "service %s: cannot check the verification password "
                "secret %s: %.150s", s->name, s->verify_password_ref,
                r->err.text);
}

static void on_superuser(const struct dcos_result *r, void *payload)
{
    struct preflight *p = payload;
    bool allowed = false;

    if (r->err.code == ERR_AUTH && r->status == 403) {
        p->superuser = MODEL_ABSENT;
        p->iam_denied = true;
    } else if (r->err.code || dcos_parse_allowed(&allowed, r->json)) {
        /* Not known: every permission check is skipped. */
        LOG(LOG_WARN, "preflight", "cannot tell whether the user is a "
            "superuser: %s", r->err.code ? r->err.text : "bad answer");
    } else {
        p->superuser = allowed ? MODEL_PRESENT : MODEL_ABSENT;
    }
}

/* The local checks of service @i, and the submit of its secret read. */
static int check_password(struct dcos_client *client, struct preflight *p,
                          size_t i)
{
    const struct model_service *s = p->d->services[i];
    struct model_observed *m = &p->out[i];
    char detail[160];

    if (!s->verify)
        return 0;
    if (s->verify_password_source == MODEL_PW_SECRET) {
        p->items[i].p = p;
        p->items[i].idx = i;
        return dcos_secret_get(client, s->verify_password_ref,
                               on_password_secret, &p->items[i]);
    }
    m->verify_password = preflight_password_local(
        s->verify_password_source, s->verify_password_ref, NULL, detail,
        sizeof(detail));
    if (m->verify_password == MODEL_PWC_FILE_UNREADABLE) {
        m->verify_password_detail = util_strdup(detail);
        if (!m->verify_password_detail)
            return ERR_NOMEM;
    }
    return 0;
}

int preflight_submit(struct preflight **out, struct dcos_client *client,
                     const char *uid, const struct model_desired *d,
                     struct model_observed *obs, struct err_info *e)
{
    struct preflight *p = calloc(1, sizeof(*p));
    size_t i, n = d->n_services;
    int r = 0;

    if (p)
        p->items = calloc(n + 1, sizeof(*p->items));
    if (!p || !p->items) {
        free(p);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    p->client = client;
    p->uid = uid;
    p->d = d;
    p->out = obs;
    for (i = 0; r == 0 && i < n; i++)
        r = check_password(client, p, i);
    if (r == 0 && uid)
        r = dcos_iam_acl_user_allowed(client, SUPERUSER_RID, uid, "full",
                                      on_superuser, p);
    if (r)
        err_set(&p->submit_err, r, "cannot submit the preflight reads: %s",
                err_name(r));
    *out = p;
    return 0;
}

int preflight_collect(struct preflight *p, bool timed_out,
                      struct err_info *e)
{
    size_t i, n = p->d->n_services;
    int r = 0;

    /* Nothing may call back into @p once it is gone. */
    if (timed_out)
        http_loop_cancel_all(dcos_client_loop(p->client), ERR_TIMEOUT);
    if (p->submit_err.code) {
        *e = p->submit_err;
        r = e->code;
        goto out;
    }
    if (timed_out) {
        r = err_set(e, ERR_TIMEOUT, "the preflight reads timed out");
        goto out;
    }
    if (p->err.code) {
        *e = p->err;
        r = p->err.code;
        goto out;
    }
    if (p->uid)
        LOG(LOG_INFO, "preflight", "%s %s", p->uid,
            p->superuser == MODEL_PRESENT  ? "is a superuser"
            : p->superuser == MODEL_ABSENT ? "is not a superuser"
                                           : "may or may not be a "
                                             "superuser");
    for (i = 0; i < n; i++) {
        p->out[i].caller_superuser = p->superuser;
        p->out[i].caller_iam_denied = p->iam_denied;
        if (p->uid && !(p->out[i].caller_uid = util_strdup(p->uid))) {
            r = err_set(e, ERR_NOMEM, "out of memory");
            break;
        }
    }
out:
    free(p->items);
    free(p);
    return r;
}
