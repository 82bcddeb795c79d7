#include "controller/load.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/file.h"
#include "common/util.h"
#include "model/yaml.h"

/* Desired-state documents are small; anything larger is a mistake. */
#define LOAD_MAX_FILE (1024u * 1024u)
#define LOAD_MAX_FILES 10000u

static int diag_add(struct model_diags *d, const char *file,
                    const char *message)
{
    struct model_diag *n;

    n = realloc(d->items, (d->n + 1) * sizeof(*n));
    if (!n)
        return ERR_NOMEM;
    d->items = n;
    memset(&d->items[d->n], 0, sizeof(d->items[d->n]));
    d->items[d->n].file = strdup(file);
    d->items[d->n].field = strdup("(file)");
    d->items[d->n].message = strdup(message);
    if (!d->items[d->n].file || !d->items[d->n].field ||
        !d->items[d->n].message) {
        free(d->items[d->n].file);
        free(d->items[d->n].field);
        free(d->items[d->n].message);
        return ERR_NOMEM;
    }
    d->n++;
    return 0;
}

/* Name @file and the digest of its @len bytes in @docs (may be NULL). */
static int doc_add(struct load_docs *docs, const char *file,
                   const char *text, size_t len)
{
    struct load_doc *n;

    if (!docs)
        return 0;
    n = realloc(docs->items, (docs->n + 1) * sizeof(*n));
    if (!n)
        return ERR_NOMEM;
    docs->items = n;
    n = &docs->items[docs->n];
    n->path = strdup(file);
    if (!n->path)
        return ERR_NOMEM;
    if (fingerprint_sha256(n->sha256, text, len)) {
        free(n->path);
        return ERR_INTERNAL;
    }
    docs->n++;
    return 0;
}

void load_docs_clear(struct load_docs *docs)
{
    size_t i;

    for (i = 0; i < docs->n; i++)
        free(docs->items[i].path);
    free(docs->items);
    for (i = 0; i < docs->n_skipped; i++)
        free(docs->skipped[i]);
    free(docs->skipped);
    memset(docs, 0, sizeof(*docs));
}

int load_is_doc_name(const char *name)
{
    return util_has_suffix(name, ".json") || util_has_suffix(name, ".yaml") ||
           util_has_suffix(name, ".yml");
}

/* Read all of standard input (at most @max bytes) into *@out (new). */
static int read_stdin(char **out, size_t *len_out, size_t max)
{
    char *p = malloc(max + 1);
    size_t len = 0;

    if (!p)
        return ERR_NOMEM;
    for (;;) {
        ssize_t n = read(STDIN_FILENO, p + len, max + 1 - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || len + (size_t)n > max) {
            free(p);
            return ERR_INVALID;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    p[len] = '\0';
    *out = p;
    *len_out = len;
    return 0;
}

/* YAML unless the name says JSON, or (stdin) the text starts with '{'. */
static int is_yaml(const char *file, const char *text, size_t len)
{
    size_t i;

    if (strcmp(file, LOAD_STDIN_NAME) != 0)
        return !util_has_suffix(file, ".json");
    for (i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' &&
            text[i] != '\r')
            return text[i] != '{';
    return 1;
}

static int load_one(struct model_desired *out, const char *file,
                    struct model_diags *diags, struct load_docs *docs)
{
    struct model_service *svc = NULL;
    struct err_info fe;
    char *text = NULL;
    size_t len = 0;
    int r;

    if (strcmp(file, LOAD_STDIN_NAME) == 0) {
        r = read_stdin(&text, &len, LOAD_MAX_FILE);
        if (r == ERR_INVALID)
            return diag_add(diags, file, "standard input is larger than "
                                         "1 MiB")
                       ? ERR_NOMEM
                       : ERR_INVALID;
    } else {
        r = file_read(&text, &len, file, LOAD_MAX_FILE, &fe);
        if (r == ERR_NOTFOUND || r == ERR_INVALID)
            return diag_add(diags, file, fe.text) ? ERR_NOMEM : ERR_INVALID;
    }
    if (r)
        return r;
    r = doc_add(docs, file, text, len);
    if (r == 0 && is_yaml(file, text, len))
        r = model_service_parse_yaml(&svc, text, len, file, diags);
    else if (r == 0)
        r = model_service_parse(&svc, text, len, file, diags);
    free(text);
    if (r)
        return r;
    return model_desired_add(out, svc, diags);
}

/* Name the file @name of @dir that is not read in @docs (may be NULL). */
static int skip_add(struct load_docs *docs, const char *dir,
                    const char *name)
{
    char **n;

    if (!docs)
        return 0;
    n = realloc(docs->skipped, (docs->n_skipped + 1) * sizeof(*n));
    if (!n)
        return ERR_NOMEM;
    docs->skipped = n;
    n[docs->n_skipped] = util_format("%s%s%s", dir,
                                     util_has_suffix(dir, "/") ? "" : "/",
                                     name);
    if (!n[docs->n_skipped])
        return ERR_NOMEM;
    docs->n_skipped++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(struct model_desired *out, const char *dir,
                    struct model_diags *diags, struct load_docs *docs)
{
    char **names = NULL;
    size_t n = 0, i;
    struct dirent *de;
    DIR *d;
    int r = 0, bad = 0;

    d = opendir(dir);
    if (!d)
        return diag_add(diags, dir, "cannot open the directory")
                   ? ERR_NOMEM
                   : ERR_INVALID;
    while ((de = readdir(d)) != NULL) {
        char **nn;

        if (de->d_name[0] == '.')
            continue;
        if (!load_is_doc_name(de->d_name)) {
            struct stat st;
            char *full = util_format("%s/%s", dir, de->d_name);

            if (!full) {
                r = ERR_NOMEM;
                break;
            }
            /* Files only: subdirectories are not read (not recursive). */
            if (stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
                (r = skip_add(docs, dir, de->d_name))) {
                free(full);
                break;
            }
            free(full);
            continue;
        }
        if (n >= LOAD_MAX_FILES) {
            r = diag_add(diags, dir, "more than 10000 documents")
                    ? ERR_NOMEM
                    : ERR_INVALID;
            break;
        }
        nn = realloc(names, (n + 1) * sizeof(*nn));
        if (!nn) {
            r = ERR_NOMEM;
            break;
        }
        names = nn;
        names[n] = malloc(strlen(dir) + strlen(de->d_name) + 2);
        if (!names[n]) {
            r = ERR_NOMEM;
            break;
        }
        strcpy(names[n], dir);
        if (!util_has_suffix(dir, "/"))
            strcat(names[n], "/");
        strcat(names[n], de->d_name);
        n++;
    }
    closedir(d);
    if (r == 0 && n == 0)
        r = diag_add(diags, dir, "the directory holds no .json, .yaml or "
                                 ".yml document")
                ? ERR_NOMEM
                : ERR_INVALID;
    if (n)
        qsort(names, n, sizeof(*names), cmp_str);
    for (i = 0; r == 0 && i < n; i++) {
        int r1 = load_one(out, names[i], diags, docs);

        if (r1 == ERR_NOMEM)
            r = r1;
        else if (r1)
            bad = 1;
    }
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (r == 0 && bad)
        r = ERR_INVALID;
    return r;
}

int load_desired(struct model_desired *out, const char *path,
                 struct model_diags *diags)
{
    return load_desired_docs(out, path, diags, NULL);
}

int load_desired_docs(struct model_desired *out, const char *path,
                      struct model_diags *diags, struct load_docs *docs)
{
    struct stat st;
    int r;

    if (strcmp(path, "-") == 0) {
        r = load_one(out, LOAD_STDIN_NAME, diags, docs);
        if (r)
            model_desired_clear(out);
        return r;
    }
    if (stat(path, &st) != 0 && errno == ENOENT) {
        r = diag_add(diags, path, "no such file or directory");
        return r ? r : ERR_INVALID;
    }
    /* Any other failure: the file reader says which (file.h). */
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        r = load_dir(out, path, diags, docs);
    else
        r = load_one(out, path, diags, docs);
    if (r)
        model_desired_clear(out);
    return r;
}
