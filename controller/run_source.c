/*
 * The source of etls run (run_int.h): the documents at -f PATH, read one
 * by one so that an invalid document keeps its service on its last good
 * state, and watched with inotify on the folder (the file's folder for a
 * file: editors replace a file by renaming), debounced.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "controller/load.h"
#include "controller/run_git.h"
#include "controller/run_int.h"
#include "controller/run_log.h"
#include "model/crossdoc.h"
#include "model/desired.h"

/* One document read. */
struct doc {
    char *path;
    char sha[FINGERPRINT_LEN];
    struct model_desired *d;  /* NULL when invalid */
    char *error;              /* why, when invalid */
};

/* A document of the folder: .json, .yaml or .yml, not hidden. */
static int is_doc(const char *name)
{
    return name[0] != '.' && load_is_doc_name(name);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* The first diagnostic of @dg (and how many more), new. */
static char *first_diag(const struct model_diags *dg, const char *path)
{
    char *one = dg->n ? model_diag_format(&dg->items[0]) : NULL;
    char *out = NULL;
    size_t len;

    len = (one ? strlen(one) : strlen(path) + 32) + 48;
    out = malloc(len);
    if (out && one && dg->n > 1)
        snprintf(out, len, "%s (and %zu more)", one, dg->n - 1);
    else if (out && one)
        snprintf(out, len, "%s", one);
    else if (out)
        snprintf(out, len, "%s: cannot read the document", path);
    free(one);
    return out;
}

static void doc_read(struct doc *doc)
{
    struct model_diags dg;
    struct load_docs docs;
    struct model_desired *m = calloc(1, sizeof(*m));

    memset(&dg, 0, sizeof(dg));
    memset(&docs, 0, sizeof(docs));
    if (m && load_desired_docs(m, doc->path, &dg, &docs) == 0 &&
        m->n_services == 1) {
        doc->d = m;
        m = NULL;
    } else {
        doc->error = first_diag(&dg, doc->path);
    }
    if (docs.n)
        memcpy(doc->sha, docs.items[0].sha256, sizeof(doc->sha));
    if (m) {
        model_desired_clear(m);
        free(m);
    }
    model_diags_clear(&dg);
    load_docs_clear(&docs);
}

char *run_path_join(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *p = malloc(len);

    if (p)
        snprintf(p, len, "%s/%s", dir, name);
    return p;
}

/* The documents at @path: 0 with *@out (n in *@n), or -1 (cannot list). */
static int docs_list(const char *path, struct doc **out, size_t *n)
{
    struct dirent **ents = NULL;
    struct stat st;
    struct doc *docs;
    int k, i;

    *out = NULL;
    *n = 0;
    if (stat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode)) {
        docs = calloc(1, sizeof(*docs));
        if (!docs || !(docs[0].path = strdup(path))) {
            free(docs);
            return -1;
        }
        *out = docs;
        *n = 1;
        return 0;
    }
    k = scandir(path, &ents, NULL, by_name);
    if (k < 0)
        return -1;
    docs = calloc((size_t)k + 1, sizeof(*docs));
    for (i = 0; i < k; i++) {
        if (docs && is_doc(ents[i]->d_name))
            docs[(*n)++].path = run_path_join(path, ents[i]->d_name);
        free(ents[i]);
    }
    free(ents);
    if (!docs)
        return -1;
    *out = docs;
    return 0;
}

static void docs_free(struct doc *docs, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(docs[i].path);
        free(docs[i].error);
        if (docs[i].d) {
            model_desired_clear(docs[i].d);
            free(docs[i].d);
        }
    }
    free(docs);
}

/*
 * The rules between documents (model/crossdoc.h) for @svc of document
 * @path against the other documents' services (their newest good state):
 * why @svc conflicts (new), or NULL.  The earlier document keeps the name.
 */
static char *conflict(struct run_daemon *d, const struct run_service *self,
                      const struct model_service *svc, const char *path)
{
    struct model_service **v = calloc(d->n + 1, sizeof(*v));
    struct model_desired view;
    struct model_diags dg;
    char *why = NULL;
    size_t i;

    if (!v)
        return strdup("out of memory");
    memset(&dg, 0, sizeof(dg));
    view.services = v;
    view.n_services = 0;
    for (i = 0; i < d->n; i++) {
        const struct run_service *o = d->svcs[i];
        const struct model_desired *m = o->next ? o->next : o->good;

        if (o != self && !o->removed && m)
            v[view.n_services++] = m->services[0];
    }
    if (crossdoc_check(&view, svc, &dg) != 0)
        why = first_diag(&dg, path);
    model_diags_clear(&dg);
    free(v);
    return why;
}

static void set_str(char **dst, const char *s)
{
    free(*dst);
    *dst = s ? strdup(s) : NULL;
}

/* Apply what @doc says to its service. */
static void doc_update(struct run_daemon *d, struct doc *doc)
{
    struct run_service *s = run_service_find(d, doc->path);

    if (!s && !(s = run_service_add(d, doc->path)))
        return;
    if (doc->d) {
        char *why = conflict(d, s, doc->d->services[0], doc->path);

        if (why) {
            free(doc->error);
            doc->error = why;
            model_desired_clear(doc->d);
            free(doc->d);
            doc->d = NULL;
        }
    }
    if (!doc->d) {
        if (!s->doc_error || !doc->error ||
            strcmp(s->doc_error, doc->error) != 0)
            run_log(LOG_ERROR, "document-invalid", "document", doc->path,
                    "service", s->name, "error", doc->error,
                    "keeping", s->good ? s->sha : "nothing", NULL);
        set_str(&s->doc_error, doc->error ? doc->error : "invalid");
        return;
    }
    if (s->doc_error) {
        set_str(&s->doc_error, NULL);
        run_log(LOG_INFO, "document-valid", "document", doc->path, NULL);
    }
    if (strcmp(doc->sha, s->next ? s->next_sha : s->sha) == 0 &&
        (s->good || s->next)) {
        /* Unchanged; the same document is in the newer commit too. */
        set_str(s->next ? &s->next_commit : &s->commit, d->commit);
        return;
    }
    if (s->next) {
        model_desired_clear(s->next);
        free(s->next);
    }
    s->next = doc->d;
    doc->d = NULL;
    memcpy(s->next_sha, doc->sha, sizeof(s->next_sha));
    set_str(&s->next_commit, d->commit);
    set_str(&s->name, s->next->services[0]->name);
    run_log(LOG_INFO, "document-changed", "document", doc->path, "service",
            s->name, "revision", doc->sha, "commit", d->commit, NULL);
    run_service_trigger(s);
}

void run_source_reload(struct run_daemon *d, const char *why)
{
    struct doc *docs = NULL;
    size_t n = 0, i, j;

    d->reloads++;
    if (docs_list(d->o.path, &docs, &n) != 0) {
        d->reload_errors++;
        run_log(LOG_ERROR, "source-unreadable", "path", d->o.path, "reason",
                why, NULL);
        return;
    }
    run_log(LOG_DEBUG, "source-read", "path", d->o.path, "reason", why,
            NULL);
    for (i = 0; i < n; i++)
        doc_read(&docs[i]);
    /* Gone documents first, so that a service may move to another file. */
    for (j = 0; j < d->n; j++) {
        for (i = 0; i < n; i++)
            if (strcmp(docs[i].path, d->svcs[j]->path) == 0)
                break;
        if (i == n && !d->svcs[j]->removed)
            run_service_remove(d->svcs[j]);
    }
    for (i = 0; i < n; i++)
        doc_update(d, &docs[i]);
    docs_free(docs, n);
}

static void on_debounce(struct ev_loop *ev, ev_timer *w, int revents)
{
    struct run_daemon *d = w->data;

    (void)ev;
    (void)revents;
    if (!d->stopping) {
        run_source_reload(d, "changed");
        run_publish(d);
    }
}

static void on_inotify(struct ev_loop *ev, ev_io *w, int revents)
{
    struct run_daemon *d = w->data;
    char buf[8192];

    (void)revents;
    while (read(d->ino_fd, buf, sizeof(buf)) > 0)
        ; /* drain: any event means "read again" */
    ev_timer_stop(ev, &d->debounce);
    ev_timer_set(&d->debounce, RUN_DEBOUNCE, 0.);
    ev_timer_start(ev, &d->debounce);
}

int run_source_watch(struct run_daemon *d, struct err_info *e)
{
    struct stat st;
    char *copy = NULL;
    const char *dir = d->o.path;

    ev_timer_init(&d->debounce, on_debounce, RUN_DEBOUNCE, 0.);
    d->debounce.data = d;
    if (stat(d->o.path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        copy = strdup(d->o.path);
        if (!copy)
            return err_set(e, ERR_NOMEM, "out of memory");
        dir = dirname(copy);
    }
    d->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (d->ino_fd < 0 ||
        inotify_add_watch(d->ino_fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO |
                                              IN_MOVED_FROM | IN_DELETE |
                                              IN_CREATE | IN_MODIFY |
                                              IN_ATTRIB) < 0) {
        err_set(e, ERR_INVALID, "cannot watch %s: %s", dir, strerror(errno));
        free(copy);
        if (d->ino_fd >= 0)
            close(d->ino_fd);
        d->ino_fd = -1;
        return ERR_INVALID;
    }
    free(copy);
    ev_io_init(&d->ino, on_inotify, d->ino_fd, EV_READ);
    d->ino.data = d;
    ev_io_start(d->ev, &d->ino);
    return 0;
}

void run_source_unwatch(struct run_daemon *d)
{
    ev_timer_stop(d->ev, &d->debounce);
    if (d->ino_fd < 0)
        return;
    ev_io_stop(d->ev, &d->ino);
    close(d->ino_fd);
    d->ino_fd = -1;
}

/* A fetch of the git source ended (run_git.h). */
static void on_git(const char *commit, const char *error, void *payload)
{
    struct run_daemon *d = payload;

    if (!commit) {
        d->git_errors++;
        run_log(LOG_ERROR, "git-error", "url", d->o.git_url, "error", error,
                "keeping", d->commit ? d->commit : "nothing", NULL);
        run_publish(d);
        return;
    }
    if (d->stopping)
        return;
    if (!d->commit || strcmp(d->commit, commit) != 0) {
        free(d->commit);
        d->commit = strdup(commit);
        run_log(LOG_INFO, "git-commit", "url", d->o.git_url, "ref",
                d->o.git_ref, "commit", commit, NULL);
    }
    run_source_reload(d, "git");
    run_publish(d);
}

int run_source_git_start(struct run_daemon *d, struct err_info *e)
{
    struct run_git_options go;
    const char *dir = NULL;
    int r;

    memset(&go, 0, sizeof(go));
    go.url = d->o.git_url;
    go.ref = d->o.git_ref;
    go.path = d->o.git_path;
    go.interval = d->o.git_interval;
    go.credentials = d->o.git_credentials;
    r = run_git_start(&d->git, d->ev, &go, on_git, d, &dir, e);
    if (r == 0)
        d->o.path = dir;
    return r;
}
