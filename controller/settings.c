/* Connection settings and where they come from (settings.h). */
#include "controller/settings.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/file.h"
#include "common/util.h"
#include "controller/credentials.h"
#include "controller/dcoscfg.h"
#include "dcos/simdir.h"

/* A CA bundle is small (dcos/client.c reads at most as much). */
#define SETTINGS_CA_MAX (1024u * 1024u)

/* Replace the origin string *@dst by a formatted one. */
static int origin_set(char **dst, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int origin_set(char **dst, const char *fmt, ...)
{
    va_list ap;

    free(*dst);
    va_start(ap, fmt);
    *dst = util_vformat(fmt, ap);
    va_end(ap);
    return *dst ? 0 : ERR_NOMEM;
}

int settings_ssl_verify_kind(const char *v)
{
    if (!*v || strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 ||
        strcasecmp(v, "t") == 0)
        return 1;
    if (strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0 ||
        strcasecmp(v, "f") == 0)
        return 0;
    return -1;
}

const char *settings_system_ca(void)
{
    /* The bundle paths Go's crypto/x509 tries on Linux, in its order. */
    static const char *const paths[] = {
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/ca-bundle.pem",
        "/etc/pki/tls/cacert.pem",
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
        "/etc/ssl/cert.pem",
        NULL,
    };
    const char *env = getenv("SSL_CERT_FILE");
    size_t i;

    if (env && *env)
        return env;
    for (i = 0; paths[i]; i++)
        if (access(paths[i], R_OK) == 0)
            return paths[i];
    return NULL;
}

/* Apply the ssl_verify value @v, read from @origin. */
static int trust_from(struct cli *c, const char *v, const char *origin)
{
    int k = settings_ssl_verify_kind(v);

    c->insecure = k == 0;
    c->system_trust = k == 1;
    free(c->ca_cert);
    c->ca_cert = NULL;
    if (k < 0 && !(c->ca_cert = strdup(v)))
        return ERR_NOMEM;
    return origin_set(&c->origin.trust, "%s", origin);
}

/* The service-account credential of @value (DCOS_SERVICE_ACCOUNT_...). */
static int sa_from_env(struct cli *c, const char *value)
{
    char why[512];
    int r;

    free(c->uid);
    c->uid = NULL;
    r = cred_sa_env(&c->uid, &c->private_key, value, why, sizeof(why));
    if (r == ERR_INVALID)
        return cli_usage_error(c->cmd, "%s", why);
    if (r)
        return r;
    secret_free(c->token);
    c->token = NULL;
    return origin_set(&c->origin.credentials,
                      "DCOS_SERVICE_ACCOUNT_CREDENTIAL (service login as %s)",
                      c->uid);
}

int cli_read_env(struct cli *c)
{
    const char *env;
    int r;

    if (c->trust_from_flags &&
        (r = origin_set(&c->origin.trust, "%s",
                        c->insecure ? "--insecure" : "--ca-cert")))
        return r;
    /*
     * --sim describes a whole cluster (URL, CA, credentials): the DCOS_*
     * variables of another cluster must not mix into it.
     */
    if (c->sim_dir)
        return 0;
    env = getenv("DCOS_URL");
    if (!c->cluster_url && env && *env &&
        ((r = cli_set_str(&c->cluster_url, env)) ||
         (r = origin_set(&c->origin.url, "DCOS_URL"))))
        return r;
    /* As the dcos CLI reads it: set, even empty, it is a setting. */
    env = getenv("DCOS_SSL_VERIFY");
    if (env && !(c->ssl_verify_env = strdup(env)))
        return ERR_NOMEM;
    if (env && !c->trust_from_flags &&
        (r = trust_from(c, env, "DCOS_SSL_VERIFY")))
        return r;
    if (c->creds_from_flags)
        return 0;
    env = getenv("DCOS_SERVICE_ACCOUNT_CREDENTIAL");
    if (env && *env)
        return sa_from_env(c, env);
    env = getenv("DCOS_ACS_TOKEN");
    if (env && *env) {
        c->token = secret_new_str(env);
        if (!c->token)
            return ERR_NOMEM;
        return origin_set(&c->origin.credentials, "DCOS_ACS_TOKEN (token)");
    }
    return 0;
}

int cli_check_credentials(struct cli *c)
{
    char why[512];
    char *uid = NULL;
    struct secret *key = NULL;
    int r;

    if (c->password && c->private_key)
        return cli_usage_error(c->cmd, "give either --password-file or "
                                       "--private-key, not both");
    if (c->private_key && c->creds_from_flags &&
        cred_is_json(c->private_key)) {
        r = cred_sa_parse(&uid, &key, c->private_key, "--private-key", why,
                          sizeof(why));
        if (r == ERR_INVALID)
            return cli_usage_error(c->cmd, "%s", why);
        if (r)
            return r;
        secret_free(c->private_key);
        c->private_key = key;
        if (c->uid && strcmp(c->uid, uid) != 0) {
            r = cli_usage_error(c->cmd, "--uid %s, but the credential of "
                                        "--private-key is for %s; drop --uid "
                                        "or give the right file",
                                c->uid, uid);
            free(uid);
            return r;
        }
        free(c->uid);
        c->uid = uid;
        return origin_set(&c->origin.credentials,
                          "--private-key (service-account credential, "
                          "service login as %s)",
                          c->uid);
    }
    if ((c->password || c->private_key) && !c->uid && c->creds_from_flags)
        return cli_usage_error(c->cmd, "--password-file and --private-key "
                                       "need --uid UID (the account to log "
                                       "in as); a service-account credential "
                                       "JSON holds it already");
    if (c->uid && !c->password && !c->private_key && c->creds_from_flags)
        return cli_usage_error(c->cmd, "--uid %s needs a password source: "
                                       "give --password-file FILE or "
                                       "--private-key FILE",
                               c->uid);
    if (!c->creds_from_flags)
        return 0;
    if (c->uid)
        return origin_set(&c->origin.credentials, "%s (%s login as %s)",
                          c->password ? "--uid, --password-file"
                                      : "--uid, --private-key",
                          c->password ? "password" : "service", c->uid);
    return origin_set(&c->origin.credentials, "--token-file (token)");
}

int cli_apply_sim(struct cli *c, char *errbuf, size_t errlen)
{
    struct dcos_sim_cluster sc;
    struct err_info e;
    char *cj = util_format("--sim %s/cluster.json", c->sim_dir);
    int r;

    memset(&e, 0, sizeof(e));
    if (!cj)
        return ERR_NOMEM;
    r = dcos_sim_cluster_read(&sc, c->sim_dir, &e);
    if (r) {
        free(cj);
        snprintf(errbuf, errlen, "%s", e.text);
        return r == ERR_NOMEM ? r : ERR_INVALID;
    }
    if (!c->cluster_url && (cli_set_str(&c->cluster_url, sc.url) ||
                            origin_set(&c->origin.url, "%s", cj)))
        r = ERR_NOMEM;
    if (r == 0 && !c->ca_cert && !c->insecure &&
        (cli_set_str(&c->ca_cert, sc.ca_cert) ||
         origin_set(&c->origin.trust, "%s (ca_cert)", cj)))
        r = ERR_NOMEM;
    if (r == 0 && !c->token && !c->uid) {
        if (cli_set_str(&c->uid, sc.uid) ||
            origin_set(&c->origin.credentials,
                       "%s (password login as %s)", cj, sc.uid)) {
            r = ERR_NOMEM;
        } else {
            c->password = sc.password;
            sc.password = NULL;
        }
    }
    dcos_sim_cluster_clear(&sc);
    free(cj);
    return r;
}

/* Is @a the same cluster URL as @b (trailing slashes aside)? */
static bool same_url(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    while (la && a[la - 1] == '/')
        la--;
    while (lb && b[lb - 1] == '/')
        lb--;
    return la == lb && strncasecmp(a, b, la) == 0;
}

/*
 * Take from the dcos CLI configuration what flags and environment left
 * unset: the URL, and for that same cluster its trust and token.
 */
static int apply_dcoscfg(struct cli *c, char *errbuf, size_t errlen)
{
    struct dcoscfg d;
    char why[512] = "";
    int r;

    memset(&d, 0, sizeof(d));
    r = dcoscfg_load(&d, why, sizeof(why));
    if (r == ERR_NOMEM)
        return r;
    if (r) {
        /* Only an error when the URL would have come from it. */
        if (!c->cluster_url) {
            snprintf(errbuf, errlen, "%s", why);
            return ERR_INVALID;
        }
        return origin_set(&c->origin.dcos_config, "not used: %s", why);
    }
    if (!d.path) {
        r = origin_set(&c->origin.dcos_config, "none (%s%s)",
                       d.root ? "looked in " : "no DCOS_DIR and no HOME",
                       d.root ? d.root : "");
        goto out;
    }
    if (!d.dcos_url && !c->cluster_url) {
        snprintf(errbuf, errlen, "%s has no core.dcos_url; run 'dcos "
                                 "cluster setup URL' again or give "
                                 "--cluster URL",
                 d.path);
        r = ERR_INVALID;
        goto out;
    }
    if (c->cluster_url && (!d.dcos_url || !same_url(c->cluster_url,
                                                    d.dcos_url))) {
        r = origin_set(&c->origin.dcos_config, "%s (%s): not used: the "
                                               "cluster URL comes from %s",
                       d.path, d.how, c->origin.url);
        goto out;
    }
    if (!c->cluster_url &&
        ((r = cli_set_str(&c->cluster_url, d.dcos_url)) ||
         (r = origin_set(&c->origin.url, "%s (core.dcos_url)", d.path))))
        goto out;
    if (!c->origin.trust && d.ssl_verify) {
        char *o = util_format("%s (core.ssl_verify)", d.path);

        r = o ? trust_from(c, d.ssl_verify, o) : ERR_NOMEM;
        free(o);
        if (r)
            goto out;
    }
    if (!c->token && !c->uid && d.token) {
        c->token = d.token;
        d.token = NULL;
        if ((r = origin_set(&c->origin.credentials,
                            "%s (core.dcos_acs_token, token)", d.path)))
            goto out;
        if (d.too_open)
            fprintf(stderr, "etls: warning: %s holds a token and is "
                            "readable by other users; chmod 600 %s\n",
                    d.path, d.path);
    }
    r = origin_set(&c->origin.dcos_config, "%s (cluster %s%s%s, %s)",
                   d.path, d.name ? "\"" : "",
                   d.name ? d.name : d.cluster_id ? d.cluster_id : "-",
                   d.name ? "\"" : "", d.how);
out:
    dcoscfg_clear(&d);
    return r;
}

/* The checks once every source was read: URL, trust, credentials. */
static int check_resolved(struct cli *c, char *errbuf, size_t errlen)
{

    if (!c->cluster_url) {
        snprintf(errbuf, errlen, "no cluster: give --cluster URL, set "
                                 "DCOS_URL, set up the dcos CLI ('dcos "
                                 "cluster setup URL'), or use --sim DIR");
        return ERR_INVALID;
    }
    if (c->system_trust && !c->ca_cert) {
        const char *sys = settings_system_ca();

        if (!sys) {
            snprintf(errbuf, errlen, "%s asks for the system's CAs, but no "
                                     "CA bundle was found (set "
                                     "SSL_CERT_FILE, or give --ca-cert "
                                     "FILE)",
                     c->origin.trust);
            return ERR_INVALID;
        }
        if (cli_set_str(&c->ca_cert, sys))
            return ERR_NOMEM;
    }
    if (!c->insecure && !c->ca_cert) {
        snprintf(errbuf, errlen, "no trust configured for %s: give --ca-cert "
                                 "FILE (the cluster CA: %s/ca/dcos-ca.crt), "
                                 "set DCOS_SSL_VERIFY=/path/to/dcos-ca.crt, "
                                 "or DCOS_SSL_VERIFY=true for the system's "
                                 "CAs",
                 c->cluster_url, c->cluster_url);
        return ERR_INVALID;
    }
    if (!c->insecure) {
        /* The one file reader's checks, now: no request before them. */
        struct err_info e;
        int fd = file_open_regular(c->ca_cert, SETTINGS_CA_MAX, &e);

        if (fd < 0) {
            snprintf(errbuf, errlen, "the CA certificate file %s (from %s) "
                                     "cannot be read: %s; give the path of "
                                     "the cluster's CA certificate",
                     c->ca_cert,
                     c->origin.trust ? c->origin.trust : "--ca-cert",
                     fd == ERR_NOTFOUND ? "no such file" : e.text);
            return ERR_INVALID;
        }
        close(fd);
    }
    if (!c->token && !c->uid) {
        snprintf(errbuf, errlen, "no credentials for %s: give --token-file "
                                 "FILE or set DCOS_ACS_TOKEN, give --uid UID "
                                 "with --password-file FILE or "
                                 "--private-key FILE, give --private-key "
                                 "CREDENTIAL.json or set "
                                 "DCOS_SERVICE_ACCOUNT_CREDENTIAL, or log in "
                                 "with 'dcos cluster setup' / 'dcos auth "
                                 "login'",
                 c->cluster_url);
        return ERR_INVALID;
    }
    return 0;
}

int cli_resolve(struct cli *c, char *errbuf, size_t errlen)
{
    int r;

    if (c->sim_dir) {
        r = cli_apply_sim(c, errbuf, errlen);
        if (r == ERR_INVALID) {
            char msg[600];

            snprintf(msg, sizeof(msg), "--sim: %s", errbuf);
            snprintf(errbuf, errlen, "%s", msg);
        }
        if (r == 0)
            r = origin_set(&c->origin.dcos_config, "not read (--sim)");
    } else {
        r = apply_dcoscfg(c, errbuf, errlen);
    }
    if (r)
        return r;
    return check_resolved(c, errbuf, errlen);
}

void settings_print(FILE *f, const struct cli *c)
{
    const char *trust = c->insecure       ? "NOT VERIFIED (insecure)"
                        : c->system_trust ? "the system's CAs"
                                          : "CA file";

    fprintf(f, "cluster:      %s\n", c->cluster_url ? c->cluster_url
                                                    : "(none)");
    fprintf(f, "  from:       %s\n", c->origin.url ? c->origin.url : "-");
    if (c->insecure || c->ca_cert)
        fprintf(f, "trust:        %s%s%s\n", trust,
                c->ca_cert && !c->insecure ? " " : "",
                c->ca_cert && !c->insecure ? c->ca_cert : "");
    else
        fprintf(f, "trust:        (none)\n");
    fprintf(f, "  from:       %s\n", c->origin.trust ? c->origin.trust : "-");
    if (c->uid)
        fprintf(f, "credentials:  %s login as %s (%s not shown)\n",
                c->password ? "password" : "service", c->uid,
                c->password ? "password" : "private key");
    else if (c->token)
        fprintf(f, "credentials:  token (not shown)\n");
    else
        fprintf(f, "credentials:  (none)\n");
    fprintf(f, "  from:       %s\n",
            c->origin.credentials ? c->origin.credentials : "-");
    fprintf(f, "dcos CLI:     %s\n",
            c->origin.dcos_config ? c->origin.dcos_config : "-");
}
