/* The git source of etls run (run_git.h). */
#include "controller/run_git.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "controller/load.h"
#include "controller/run_int.h"

#define GIT_DOC_MAX (1u << 20)

struct run_git {
    struct run_git_options o;
    struct ev_loop *ev;
    run_git_fn done;
    void *payload;
    char *tmp;               /* the temporary directory */
    char *repo_dir;          /* tmp/repo.git */
    char *docs_dir;          /* tmp/docs */
    ev_async wake;
    ev_timer next;
    pthread_t th;
    bool running;            /* a worker thread exists */
    /* Written by the worker, read on the loop after the wake. */
    char commit[GIT_OID_HEXSZ + 1];
    char error[512];
};

static int set_error(struct run_git *g, const char *what)
{
    const git_error *ge = git_error_last();

    snprintf(g->error, sizeof(g->error), "%s: %s", what,
             ge && ge->message ? ge->message : "failed");
    return -1;
}

static int on_credentials(git_credential **out, const char *url,
                          const char *user_from_url, unsigned int allowed,
                          void *payload)
{
    struct run_git *g = payload;
    const char *s, *colon;
    char user[256];
    size_t n;

    (void)url;
    (void)user_from_url;
    if (!g->o.credentials || !(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT))
        return GIT_PASSTHROUGH;
    s = secret_str(g->o.credentials);
    colon = strchr(s, ':');
    if (!colon || (n = (size_t)(colon - s)) >= sizeof(user))
        return GIT_EUSER;
    memcpy(user, s, n);
    user[n] = '\0';
    return git_credential_userpass_plaintext_new(out, user, colon + 1);
}

/* Write @len bytes as @dir/@name, replacing it by rename. */
static int write_doc(struct run_git *g, const char *name, const void *data,
                     size_t len)
{
    char tmp[4096], dst[4096];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", g->docs_dir, name);
    snprintf(dst, sizeof(dst), "%s/%s", g->docs_dir, name);
    f = fopen(tmp, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        snprintf(g->error, sizeof(g->error), "cannot write %.400s", tmp);
        return -1;
    }
    if (rename(tmp, dst) != 0) {
        snprintf(g->error, sizeof(g->error), "cannot write %.400s", dst);
        return -1;
    }
    return 0;
}

/* A document of the tree: .json, .yaml or .yml, not hidden. */
static int is_doc(const char *name)
{
    return name[0] != '.' && !strchr(name, '/') && load_is_doc_name(name);
}

/* Is @name among the @n @names? */
static int listed(char **names, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

/* Remove the documents of the folder that are not in @names. */
static void prune(struct run_git *g, char **names, size_t n)
{
    DIR *dir = opendir(g->docs_dir);
    struct dirent *de;
    char p[4096];

    if (!dir)
        return;
    while ((de = readdir(dir)) != NULL) {
        if (!is_doc(de->d_name) || listed(names, n, de->d_name))
            continue;
        snprintf(p, sizeof(p), "%s/%s", g->docs_dir, de->d_name);
        (void)unlink(p);
    }
    closedir(dir);
}

/* Write out the blob @id as @name, keeping the name in @names. */
static int put_blob(struct run_git *g, git_repository *repo,
                    const git_oid *id, const char *name, char **names,
                    size_t *n)
{
    git_blob *blob = NULL;
    int r;

    if (git_blob_lookup(&blob, repo, id))
        return set_error(g, "reading a document");
    if (git_blob_rawsize(blob) > GIT_DOC_MAX) {
        snprintf(g->error, sizeof(g->error), "%s: larger than 1 MiB", name);
        git_blob_free(blob);
        return -1;
    }
    r = write_doc(g, name, git_blob_rawcontent(blob),
                  (size_t)git_blob_rawsize(blob));
    git_blob_free(blob);
    if (r == 0)
        names[(*n)++] = strdup(name);
    return r;
}

/* The documents at o.path of @commit into the folder. */
static int materialize(struct run_git *g, git_repository *repo,
                       git_commit *commit)
{
    git_tree *root = NULL, *sub = NULL;
    git_tree_entry *ent = NULL;
    const git_tree *tree;
    char *names[1024];
    size_t n = 0, i, k;
    char path[1024];
    int r = 0;

    snprintf(path, sizeof(path), "%s", g->o.path);
    k = strlen(path);
    while (k && path[k - 1] == '/')
        path[--k] = '\0';
    if (git_commit_tree(&root, commit))
        return set_error(g, "reading the commit");
    tree = root;
    if (k && strcmp(path, ".") != 0) {
        if (git_tree_entry_bypath(&ent, root, path)) {
            snprintf(g->error, sizeof(g->error), "--path %s: not in the "
                     "commit", g->o.path);
            git_tree_free(root);
            return -1;
        }
        if (git_tree_entry_type(ent) == GIT_OBJECT_BLOB) {
            const char *base = strrchr(path, '/');

            r = put_blob(g, repo, git_tree_entry_id(ent),
                         base ? base + 1 : path, names, &n);
            goto out;
        }
        if (git_tree_lookup(&sub, repo, git_tree_entry_id(ent))) {
            r = set_error(g, "reading --path");
            goto out;
        }
        tree = sub;
    }
    for (i = 0; r == 0 && i < git_tree_entrycount(tree) && n < 1024; i++) {
        const git_tree_entry *te = git_tree_entry_byindex(tree, i);

        if (git_tree_entry_type(te) == GIT_OBJECT_BLOB &&
            is_doc(git_tree_entry_name(te)))
            r = put_blob(g, repo, git_tree_entry_id(te),
                         git_tree_entry_name(te), names, &n);
    }
out:
    if (r == 0)
        prune(g, names, n);
    for (i = 0; i < n; i++)
        free(names[i]);
    git_tree_entry_free(ent);
    git_tree_free(sub);
    git_tree_free(root);
    return r;
}

/* Fetch o.ref (a branch, else a tag) and resolve it to a commit. */
static int fetch(struct run_git *g, git_repository *repo, git_oid *oid)
{
    git_fetch_options fo;
    git_remote *remote = NULL;
    char spec[600], local[400];
    char *specs[1] = {spec};
    git_strarray arr = {specs, 1};
    static const char *const kinds[] = {"heads", "tags"};
    size_t i;
    int r = -1;

    git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
    fo.callbacks.credentials = on_credentials;
    fo.callbacks.payload = g;
    fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    if (git_remote_create_anonymous(&remote, repo, g->o.url))
        return set_error(g, "the repository URL");
    snprintf(local, sizeof(local), "refs/etls/%s", g->o.ref);
    for (i = 0; i < 2 && r != 0; i++) {
        snprintf(spec, sizeof(spec), "+refs/%s/%s:%s", kinds[i], g->o.ref,
                 local);
        if (git_remote_fetch(remote, &arr, &fo, NULL)) {
            r = set_error(g, "fetch");
            break;
        }
        r = git_reference_name_to_id(oid, repo, local);
    }
    if (r > 0 || (r < 0 && !g->error[0]))
        snprintf(g->error, sizeof(g->error), "ref %s: not found in %s",
                 g->o.ref, g->o.url);
    git_remote_free(remote);
    return r ? -1 : 0;
}

static void *worker(void *arg)
{
    struct run_git *g = arg;
    git_repository *repo = NULL;
    git_commit *commit = NULL;
    git_oid oid;

    g->error[0] = '\0';
    g->commit[0] = '\0';
    if (git_repository_open_bare(&repo, g->repo_dir) &&
        git_repository_init(&repo, g->repo_dir, 1))
        set_error(g, "the cache repository");
    else if (fetch(g, repo, &oid) == 0) {
        if (git_commit_lookup(&commit, repo, &oid))
            set_error(g, "reading the commit");
        else if (materialize(g, repo, commit) == 0)
            git_oid_tostr(g->commit, sizeof(g->commit), &oid);
    }
    git_commit_free(commit);
    git_repository_free(repo);
    ev_async_send(g->ev, &g->wake);
    return NULL;
}

static void launch(struct run_git *g)
{
    if (g->running)
        return;
    ev_timer_stop(g->ev, &g->next);
    g->running = true;
    if (pthread_create(&g->th, NULL, worker, g) != 0) {
        g->running = false;
        g->done(NULL, "cannot start the git worker", g->payload);
        ev_timer_set(&g->next, g->o.interval, 0.);
        ev_timer_start(g->ev, &g->next);
    }
}

static void on_wake(struct ev_loop *ev, ev_async *w, int revents)
{
    struct run_git *g = w->data;

    (void)revents;
    if (!g->running)
        return;
    pthread_join(g->th, NULL);
    g->running = false;
    g->done(g->commit[0] ? g->commit : NULL, g->error, g->payload);
    ev_timer_set(&g->next, g->o.interval, 0.);
    ev_timer_start(ev, &g->next);
}

static void on_next(struct ev_loop *ev, ev_timer *w, int revents)
{
    (void)ev;
    (void)revents;
    launch(w->data);
}

void run_git_poke(struct run_git *g)
{
    launch(g);
}

int run_git_start(struct run_git **out, struct ev_loop *ev,
                  const struct run_git_options *o, run_git_fn done,
                  void *payload, const char **dir_out, struct err_info *e)
{
    struct run_git *g = calloc(1, sizeof(*g));
    char tmpl[] = "/tmp/etls-git-XXXXXX";

    if (!g)
        return err_set(e, ERR_NOMEM, "out of memory");
    git_libgit2_init();
    g->o = *o;
    if (!g->o.ref)
        g->o.ref = "main";
    if (!g->o.path)
        g->o.path = "";
    if (g->o.interval <= 0)
        g->o.interval = 60;
    g->ev = ev;
    g->done = done;
    g->payload = payload;
    if (!mkdtemp(tmpl) || !(g->tmp = strdup(tmpl)) ||
        !(g->repo_dir = run_path_join(g->tmp, "repo.git")) ||
        !(g->docs_dir = run_path_join(g->tmp, "docs")) ||
        mkdir(g->docs_dir, 0700) != 0) {
        run_git_stop(g);
        return err_set(e, ERR_INVALID, "cannot make the git work folder: "
                       "%s", strerror(errno));
    }
    ev_async_init(&g->wake, on_wake);
    g->wake.data = g;
    ev_async_start(ev, &g->wake);
    ev_timer_init(&g->next, on_next, g->o.interval, 0.);
    g->next.data = g;
    *dir_out = g->docs_dir;
    *out = g;
    launch(g);
    return 0;
}

/* rm -r of the temporary directory (only what run_git made). */
static void remove_tree(const char *path)
{
    DIR *dir = opendir(path);
    struct dirent *de;
    struct stat st;

    if (dir) {
        while ((de = readdir(dir)) != NULL) {
            char *p;

            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            p = run_path_join(path, de->d_name);
            if (p && lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(p);
            else if (p)
                (void)unlink(p);
            free(p);
        }
        closedir(dir);
    }
    (void)rmdir(path);
}

void run_git_stop(struct run_git *g)
{
    if (!g)
        return;
    if (g->running)
        pthread_join(g->th, NULL);
    if (g->ev) {
        ev_async_stop(g->ev, &g->wake);
        ev_timer_stop(g->ev, &g->next);
    }
    if (g->tmp)
        remove_tree(g->tmp);
    free(g->tmp);
    free(g->repo_dir);
    free(g->docs_dir);
    free(g);
    git_libgit2_shutdown();
}
