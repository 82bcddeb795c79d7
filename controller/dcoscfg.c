/* The dcos CLI's configuration (dcoscfg.h). */
#include "controller/dcoscfg.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/toml.h"
#include "common/util.h"

#define DCOSCFG_MAX_FILE (256u * 1024u)
#define DCOSCFG_MAX_CLUSTERS 256u

/* What one dcos.toml says (the parts etls uses). */
struct toml_vals {
    struct dcoscfg *c;
    int err;
};

static int on_value(const char *table, const char *key, const char *value,
                    size_t len, enum toml_kind kind, int line, void *payload)
{
    struct toml_vals *v = payload;
    struct dcoscfg *c = v->c;
    char **dst = NULL;

    (void)line;
    if (strcmp(table, "cluster") == 0 && strcmp(key, "name") == 0 &&
        kind == TOML_STRING)
        dst = &c->name;
    else if (strcmp(table, "core") != 0)
        return 0;
    else if (strcmp(key, "dcos_url") == 0 && kind == TOML_STRING)
        dst = &c->dcos_url;
    else if (strcmp(key, "ssl_verify") == 0 &&
             (kind == TOML_STRING || kind == TOML_BOOL))
        /* The dcos CLI stringifies it, so a TOML boolean works. */
        dst = &c->ssl_verify;
    if (strcmp(table, "core") == 0 && strcmp(key, "dcos_acs_token") == 0 &&
        kind == TOML_STRING && len) {
        secret_free(c->token);
        c->token = secret_new(value, len);
        return c->token ? 0 : ERR_NOMEM;
    }
    if (!dst)
        return 0;
    free(*dst);
    *dst = strdup(value);
    if (!*dst)
        return ERR_NOMEM;
    if (dst == &c->dcos_url) {
        size_t n = strlen(*dst);

        while (n > 0 && (*dst)[n - 1] == '/')
            (*dst)[--n] = '\0';
    }
    return 0;
}

/* Read @path's name (cluster.name) only, or everything, into @c. */
static int read_toml(struct dcoscfg *c, const char *path, char *why,
                     size_t whylen)
{
    struct toml_vals v = {c, 0};
    struct err_info e;
    struct stat st;
    char *text = NULL;
    size_t len = 0;
    int r;

    r = util_read_file(&text, &len, path, DCOSCFG_MAX_FILE);
    if (r == ERR_NOMEM)
        return r;
    if (r) {
        snprintf(why, whylen, "cannot read the dcos CLI configuration %s",
                 path);
        return ERR_INVALID;
    }
    r = toml_read(text, len, on_value, &v, &e);
    if (text) {
        memset(text, 0, len);
        free(text);
    }
    if (r == ERR_INVALID) {
        snprintf(why, whylen, "%s: %s: not a dcos CLI configuration file "
                              "(fix it or run 'dcos cluster setup' again)",
                 path, e.text);
        return r;
    }
    if (r == 0 && stat(path, &st) == 0 && (st.st_mode & 077))
        c->too_open = true;
    return r;
}

/* Clear what a read of a candidate left (name, url, token, ...). */
static void clear_values(struct dcoscfg *c)
{
    free(c->name);
    free(c->dcos_url);
    free(c->ssl_verify);
    secret_free(c->token);
    c->name = c->dcos_url = c->ssl_verify = NULL;
    c->token = NULL;
    c->too_open = false;
}

/* Say why this configuration is the current one. */
static int set_how(struct dcoscfg *c, const char *how)
{
    free(c->how);
    c->how = strdup(how);
    return c->how ? 0 : ERR_NOMEM;
}

/* The root: DCOS_DIR (made absolute), else $HOME/.dcos. */
static int find_root(struct dcoscfg *c, char *why, size_t whylen)
{
    const char *dir = getenv("DCOS_DIR"), *home = getenv("HOME");
    char cwd[PATH_MAX];

    if (dir && *dir) {
        if (dir[0] == '/')
            c->root = strdup(dir);
        else if (getcwd(cwd, sizeof(cwd)))
            c->root = util_format("%s/%s", cwd, dir);
        else {
            snprintf(why, whylen, "DCOS_DIR %s: cannot make it absolute",
                     dir);
            return ERR_INVALID;
        }
    } else if (home && *home) {
        c->root = util_format("%s/.dcos", home);
    } else {
        return 0;
    }
    return c->root ? 0 : ERR_NOMEM;
}

static int is_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The cluster directories (names) of ROOT/clusters holding a dcos.toml. */
static int list_clusters(const char *root, char ***out, size_t *n_out)
{
    char *dir = util_format("%s/clusters", root), **names = NULL, **nn;
    struct dirent *de;
    size_t n = 0;
    DIR *d;
    int r = 0;

    *out = NULL;
    *n_out = 0;
    if (!dir)
        return ERR_NOMEM;
    d = opendir(dir);
    if (!d) {
        free(dir);
        return 0;
    }
    while ((de = readdir(d)) != NULL && n < DCOSCFG_MAX_CLUSTERS) {
        char *toml;

        if (de->d_name[0] == '.')
            continue;
        toml = util_format("%s/%s/dcos.toml", dir, de->d_name);
        if (!toml) {
            r = ERR_NOMEM;
            break;
        }
        if (!is_file(toml)) {
            free(toml);
            continue;
        }
        free(toml);
        nn = realloc(names, (n + 1) * sizeof(*nn));
        if (!nn || !(nn[n] = strdup(de->d_name))) {
            free(nn ? nn : names);
            names = NULL;
            r = ERR_NOMEM;
            n = 0;
            break;
        }
        names = nn;
        n++;
    }
    closedir(d);
    free(dir);
    if (n)
        qsort(names, n, sizeof(*names), cmp_str);
    *out = names;
    *n_out = n;
    return r;
}

/* Choose among the @n clusters @ids, as the dcos CLI does. */
static int choose(struct dcoscfg *c, char **ids, size_t n, char *why,
                  size_t whylen, size_t *pick)
{
    const char *want = getenv("DCOS_CLUSTER");
    size_t i, found = 0, attached = 0;
    int r;

    if (want && *want) {
        for (i = 0; i < n; i++)
            if (strcmp(ids[i], want) == 0) {
                *pick = i;
                return set_how(c, "DCOS_CLUSTER names its directory");
            }
        for (i = 0; i < n; i++) {
            char *p = util_format("%s/clusters/%s/dcos.toml", c->root,
                                  ids[i]);

            if (!p)
                return ERR_NOMEM;
            r = read_toml(c, p, why, whylen);
            free(p);
            if (r)
                return r;
            if (c->name && strcmp(c->name, want) == 0) {
                *pick = i;
                found++;
            }
            clear_values(c);
        }
        if (found == 1)
            return set_how(c, "DCOS_CLUSTER names it");
        snprintf(why, whylen, "DCOS_CLUSTER=%s: %s in %s/clusters; name a "
                              "cluster of 'dcos cluster list' (its name or "
                              "ID)",
                 want, found ? "several clusters have that name"
                             : "no cluster has that name or ID",
                 c->root);
        return ERR_INVALID;
    }
    if (n == 1) {
        *pick = 0;
        return set_how(c, "the only configured cluster");
    }
    for (i = 0; i < n; i++) {
        char *p = util_format("%s/clusters/%s/attached", c->root, ids[i]);

        if (!p)
            return ERR_NOMEM;
        if (is_file(p)) {
            *pick = i;
            attached++;
        }
        free(p);
    }
    if (attached == 1)
        return set_how(c, "attached");
    snprintf(why, whylen, "%s/clusters holds %zu clusters and %s; run 'dcos "
                          "cluster attach NAME', or set DCOS_CLUSTER=NAME, or "
                          "give --cluster URL",
             c->root, n,
             attached ? "several are attached" : "none is attached");
    return ERR_INVALID;
}

int dcoscfg_load(struct dcoscfg *out, char *why, size_t whylen)
{
    char **ids = NULL;
    size_t n = 0, i, pick = 0;
    int r;

    r = find_root(out, why, whylen);
    if (r || !out->root)
        return r;
    r = list_clusters(out->root, &ids, &n);
    if (r)
        goto out;
    if (n == 0) {
        const char *want = getenv("DCOS_CLUSTER");
        char *legacy = util_format("%s/dcos.toml", out->root);

        if (!legacy) {
            r = ERR_NOMEM;
        } else if (want && *want) {
            snprintf(why, whylen, "DCOS_CLUSTER=%s: %s/clusters holds no "
                                  "cluster; run 'dcos cluster setup URL' or "
                                  "give --cluster URL",
                     want, out->root);
            r = ERR_INVALID;
        } else if (is_file(legacy)) {
            out->path = legacy;
            legacy = NULL;
            r = set_how(out, "legacy configuration (no clusters/)");
            if (r == 0)
                r = read_toml(out, out->path, why, whylen);
        }
        free(legacy);
        goto out;
    }
    r = choose(out, ids, n, why, whylen, &pick);
    if (r)
        goto out;
    out->cluster_id = strdup(ids[pick]);
    out->path = util_format("%s/clusters/%s/dcos.toml", out->root,
                            ids[pick]);
    if (!out->cluster_id || !out->path)
        r = ERR_NOMEM;
    else
        r = read_toml(out, out->path, why, whylen);
out:
    for (i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    if (r)
        dcoscfg_clear(out);
    return r;
}

void dcoscfg_clear(struct dcoscfg *c)
{
    clear_values(c);
    free(c->root);
    free(c->path);
    free(c->how);
    free(c->cluster_id);
    memset(c, 0, sizeof(*c));
}
