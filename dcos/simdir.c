#include "simdir.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/buf.h"
#include "common/file.h"
#include "common/jsonscan.h"
#include "common/util.h"
#include "dcos/client.h"
#include "dcos/path.h"

#define CLUSTER_JSON_MAX (64u * 1024u)

enum { F_URL, F_CA, F_UID, F_PASSWORD, F_N };

/* Check and copy what jsonscan_fields read from @path into @out. */
static int cluster_fill(struct dcos_sim_cluster *out,
                        const struct jsonscan_field *f, const struct buf *v,
                        const char *path, struct err_info *err)
{
    size_t i;

    for (i = 0; i < F_N; i++)
        if (f[i].found != 1)
            return err_set(err, ERR_INVALID,
                           "%s: expected string members url, ca_cert, uid "
                           "and password",
                           path);
    memset(out, 0, sizeof(*out));
    out->url = strdup(buf_str(&v[F_URL]));
    out->ca_cert = strdup(buf_str(&v[F_CA]));
    out->uid = strdup(buf_str(&v[F_UID]));
    out->password = secret_new(buf_str(&v[F_PASSWORD]), v[F_PASSWORD].len);
    if (!out->url || !out->ca_cert || !out->uid || !out->password) {
        dcos_sim_cluster_clear(out);
        return err_set(err, ERR_NOMEM, "out of memory");
    }
    return 0;
}

int dcos_sim_cluster_read(struct dcos_sim_cluster *out, const char *dir,
                          struct err_info *err)
{
    static const char *const keys[F_N] = { "url", "ca_cert", "uid",
                                           "password" };
    struct jsonscan_field f[F_N];
    struct err_info fe;
    struct buf path, v[F_N];
    char *text = NULL;
    size_t len = 0, i;
    int r;

    buf_init(&path, DCOS_PATH_MAX);
    for (i = 0; i < F_N; i++) {
        buf_init(&v[i], CLUSTER_JSON_MAX);
        f[i].key = keys[i];
        f[i].value = &v[i];
    }
    r = buf_printf(&path, "%s/cluster.json", dir);
    if (r) {
        r = err_set(err, ERR_INVALID, "state directory path too long");
        goto out;
    }
    r = file_read(&text, &len, buf_str(&path), CLUSTER_JSON_MAX, &fe);
    if (r == ERR_NOTFOUND) {
        err_set(err, r, "%s: unable to open: %s", buf_str(&path), fe.text);
        goto out;
    }
    if (r) {
        r = err_set(err, r, "%s: cannot read: %s", buf_str(&path), fe.text);
        goto out;
    }
    r = jsonscan_fields(text, len, f, F_N);
    if (r == ERR_CONFLICT)
        r = err_set(err, ERR_INVALID, "%s: duplicate object key",
                    buf_str(&path));
    else if (r == ERR_INVALID)
        err_set(err, r, "%s: not a JSON object", buf_str(&path));
    else if (r)
        err_set(err, r, "out of memory");
    else
        r = cluster_fill(out, f, v, buf_str(&path), err);
out:
    if (text) {
        OPENSSL_cleanse(text, len);
        free(text);
    }
    for (i = 0; i < F_N; i++)
        buf_wipe_free(&v[i]);
    buf_free(&path);
    return r;
}

void dcos_sim_cluster_clear(struct dcos_sim_cluster *sc)
{
    if (!sc)
        return;
    free(sc->url);
    free(sc->ca_cert);
    free(sc->uid);
    secret_free(sc->password);
    memset(sc, 0, sizeof(*sc));
}

int dcos_client_from_sim_dir(struct dcos_client **out, const char *dir,
                             struct http_loop *loop, struct err_info *err)
{
    struct dcos_sim_cluster sc;
    struct dcos_client_options o;
    int r;

    r = dcos_sim_cluster_read(&sc, dir, err);
    if (r)
        return r;
    memset(&o, 0, sizeof(o));
    o.url = sc.url;
    o.ca_file = sc.ca_cert;
    o.uid = sc.uid;
    o.password = sc.password;
    r = dcos_client_new(out, &o, loop, err);
    dcos_sim_cluster_clear(&sc);
    return r;
}
