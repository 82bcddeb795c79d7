/* Helpers for the e2e tests of etls run (run_testutil.h). */
#include "e2e/run/run_testutil.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness/h_cluster.h"

int r_case_setup(void **state)
{
    struct r_case *t = calloc(1, sizeof(*t));

    if (!t)
        return -1;
    t->arg = *state;
    h_sim_up(&t->sim, NULL, E_SPEED);
    t->dir = r_tmpdir();
    *state = t;
    return 0;
}

int r_case_teardown(void **state)
{
    struct r_case *t = *state;
    char cmd[600];

    r_kill(&t->d);
    r_kill(&t->d2);
    h_sim_destroy(&t->sim);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", t->dir);
    free(t->dir);
    free(t);
    return 0;
}

char *r_runbook(int tls)
{
    char *file = e_runbook_file();
    char *text = e_read(file);
    char *at = strstr(text, "\"enabled\": true");

    free(file);
    if (!at)
        fail_msg("the runbook's document changed shape");
    if (!tls)
        memcpy(at, "\"enabled\":false", 15);
    return text;
}

char *r_tmpdir(void)
{
    char tmpl[] = "/tmp/etls-run-XXXXXX";
    char *d = mkdtemp(tmpl);

    if (!d)
        fail_msg("mkdtemp: %s", strerror(errno));
    return strdup(d);
}

void r_write(const char *dir, const char *name, const char *text)
{
    char tmp[512], dst[512];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
    snprintf(dst, sizeof(dst), "%s/%s", dir, name);
    f = fopen(tmp, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        fail_msg("cannot write %s", tmp);
    if (rename(tmp, dst) != 0)
        fail_msg("rename %s: %s", dst, strerror(errno));
}

void r_start(struct r_daemon *d, struct h_sim *s, const char *path,
             const char *resync, ...)
{
    const char *a[7] = {NULL};
    const char *p, *q;
    char *out;
    va_list ap;
    int i;

    va_start(ap, resync);
    for (i = 0; i < 6 && (a[i] = va_arg(ap, const char *)) != NULL; i++)
        ;
    va_end(ap);
    memset(d, 0, sizeof(*d));
    d->p = e_spawn(s, "run", path, "--listen", "127.0.0.1:0", "--resync",
                   resync, a[0], a[1], a[2], a[3], a[4], a[5], (char *)NULL);
    if (!e_wait_out(&d->p, "event=started", R_WAIT_MS))
        fail_msg("etls run did not start: %s", r_log(d));
    out = e_proc_out(&d->p);
    p = strstr(out, " listen=");
    if (!p)
        fail_msg("etls run did not say where it listens: %s", out);
    p += 8;
    q = strchr(p, ' ');
    if (!q || (size_t)(q - p) >= sizeof(d->addr))
        fail_msg("bad listen field: %s", out);
    memcpy(d->addr, p, (size_t)(q - p));
    d->addr[q - p] = '\0';
    free(out);
}

struct h_resp r_get(const struct r_daemon *d, const char *path)
{
    char url[256];

    snprintf(url, sizeof(url), "http://%s%s", d->addr, path);
    return h_req_url(url, NULL, NULL, NULL);
}

json_t *r_status(const struct r_daemon *d)
{
    struct h_resp r = r_get(d, "/status");
    json_t *j;

    if (r.status != 200 || !r.body)
        fail_msg("GET /status: HTTP %ld: %s\n%s", r.status,
                 r.body ? r.body : "", r_log(d));
    j = json_loads(r.body, 0, NULL);
    h_resp_free(&r);
    if (!j)
        fail_msg("/status is not JSON");
    return j;
}

json_t *r_service(json_t *status, const char *name)
{
    json_t *svc;
    size_t i;

    json_array_foreach(json_object_get(status, "services"), i, svc)
    {
        const char *n = json_string_value(json_object_get(svc, "service"));

        if (n && strcmp(n, name) == 0)
            return svc;
    }
    return NULL;
}

const char *r_cond(const json_t *svc, const char *type, const char **reason)
{
    const json_t *c;
    size_t i;

    json_array_foreach(json_object_get(svc, "conditions"), i, c)
    {
        const char *t = json_string_value(json_object_get(c, "type"));

        if (t && strcmp(t, type) == 0) {
            if (reason)
                *reason = json_string_value(json_object_get(c, "reason"));
            return json_string_value(json_object_get(c, "status"));
        }
    }
    if (reason)
        *reason = NULL;
    return NULL;
}

int r_wait(const struct r_daemon *d, int (*pred)(json_t *st, void *arg),
           void *arg, int timeout_ms)
{
    int i, ok = 0;

    for (i = 0; i < timeout_ms / 100 && !ok; i++) {
        json_t *st = r_status(d);

        ok = pred(st, arg);
        json_decref(st);
        if (!ok)
            h_sleep_ms(100);
    }
    return ok;
}

struct cond_want {
    const char *svc, *type, *want, *reason;
};

static int cond_holds(json_t *st, void *arg)
{
    const struct cond_want *w = arg;
    json_t *svc = r_service(st, w->svc);
    const char *reason = NULL, *v;

    if (!svc)
        return 0;
    v = r_cond(svc, w->type, &reason);
    return v && strcmp(v, w->want) == 0 &&
           (!w->reason || (reason && strcmp(reason, w->reason) == 0));
}

int r_wait_cond(const struct r_daemon *d, const char *svc, const char *type,
                const char *want, const char *reason, int timeout_ms)
{
    struct cond_want w = {svc, type, want, reason};

    return r_wait(d, cond_holds, &w, timeout_ms);
}

/* ---- the Prometheus text format, parsed independently ---- */

struct fam {
    char name[128];
    char type[16];
    int samples;
};

struct hseries {
    char key[768];      /* family + labels without le */
    double last_le, last_v, inf_v;
    int inf_seen;
};

struct parser {
    struct fam fams[128];
    int n_fams;
    struct hseries hs[128];
    int n_hs;
    char *why;
    size_t len;
    int line;
};

static int bad(struct parser *ps, const char *msg)
{
    snprintf(ps->why, ps->len, "line %d: %s", ps->line, msg);
    return -1;
}

static struct fam *fam_get(struct parser *ps, const char *name, int add)
{
    int i;

    for (i = 0; i < ps->n_fams; i++)
        if (strcmp(ps->fams[i].name, name) == 0)
            return &ps->fams[i];
    if (!add || ps->n_fams == 128 || strlen(name) >= 128)
        return NULL;
    memset(&ps->fams[ps->n_fams], 0, sizeof(ps->fams[0]));
    strcpy(ps->fams[ps->n_fams].name, name);
    return &ps->fams[ps->n_fams++];
}

static int name_ok(const char *s, size_t n, int colon)
{
    size_t i;

    if (n == 0 || isdigit((unsigned char)s[0]))
        return 0;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
            !(colon && s[i] == ':'))
            return 0;
    return 1;
}

static int value_parse(const char *s, double *v)
{
    char *end;

    if (strcmp(s, "+Inf") == 0 || strcmp(s, "Inf") == 0) {
        *v = INFINITY;
        return 0;
    }
    if (strcmp(s, "-Inf") == 0) {
        *v = -INFINITY;
        return 0;
    }
    if (strcmp(s, "NaN") == 0) {
        *v = NAN;
        return 0;
    }
    errno = 0;
    *v = strtod(s, &end);
    return *s && !*end && errno == 0 ? 0 : -1;
}

/* One sample line: its name, labels ("k=v,k=v" unescaped), value. */
struct sample {
    char name[128];
    char labels[512];
    char le[32];
    char nole[512];
    double v;
};

static int sample_parse(struct parser *ps, const char *line, struct sample *o)
{
    const char *p = line, *q;
    size_t n;
    char val[64];

    memset(o, 0, sizeof(*o));
    for (q = p; *q && *q != '{' && *q != ' '; q++)
        ;
    n = (size_t)(q - p);
    if (!name_ok(p, n, 1) || n >= sizeof(o->name))
        return bad(ps, "bad metric name");
    memcpy(o->name, p, n);
    p = q;
    if (*p == '{') {
        p++;
        while (*p != '}') {
            char lname[64], lval[256];
            size_t k = 0;

            for (q = p; *q && *q != '='; q++)
                ;
            n = (size_t)(q - p);
            if (!*q || !name_ok(p, n, 0) || n >= sizeof(lname))
                return bad(ps, "bad label name");
            memcpy(lname, p, n);
            lname[n] = '\0';
            p = q + 1;
            if (*p++ != '"')
                return bad(ps, "label value not quoted");
            while (*p && *p != '"') {
                char ch = *p++;

                if (ch == '\\') {
                    ch = *p++;
                    if (ch == 'n')
                        ch = '\n';
                    else if (ch != '\\' && ch != '"')
                        return bad(ps, "bad escape in a label value");
                }
                if (k + 1 >= sizeof(lval))
                    return bad(ps, "label value too long");
                lval[k++] = ch;
            }
            lval[k] = '\0';
            if (*p++ != '"')
                return bad(ps, "unterminated label value");
            if (strcmp(lname, "le") == 0)
                snprintf(o->le, sizeof(o->le), "%.31s", lval);
            else
                snprintf(o->nole + strlen(o->nole),
                         sizeof(o->nole) - strlen(o->nole), "%s=%s,", lname,
                         lval);
            snprintf(o->labels + strlen(o->labels),
                     sizeof(o->labels) - strlen(o->labels), "%s=%s,", lname,
                     lval);
            if (*p == ',')
                p++;
            else if (*p != '}')
                return bad(ps, "expected ',' or '}' after a label");
        }
        p++;
    }
    if (*p++ != ' ')
        return bad(ps, "expected a space before the value");
    for (q = p; *q && *q != ' '; q++)
        ;
    n = (size_t)(q - p);
    if (n == 0 || n >= sizeof(val))
        return bad(ps, "missing value");
    memcpy(val, p, n);
    val[n] = '\0';
    if (value_parse(val, &o->v))
        return bad(ps, "bad value");
    if (*q == ' ') {
        for (q++; *q; q++)
            if (!isdigit((unsigned char)*q) && *q != '-')
                return bad(ps, "bad timestamp");
    }
    return 0;
}

static int strip(char *base, const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);

    if (n <= k || strcmp(name + n - k, suffix) != 0)
        return 0;
    memcpy(base, name, n - k);
    base[n - k] = '\0';
    return 1;
}

static struct hseries *hs_get(struct parser *ps, const char *key)
{
    int i;

    for (i = 0; i < ps->n_hs; i++)
        if (strcmp(ps->hs[i].key, key) == 0)
            return &ps->hs[i];
    if (ps->n_hs == 128)
        return NULL;
    memset(&ps->hs[ps->n_hs], 0, sizeof(ps->hs[0]));
    snprintf(ps->hs[ps->n_hs].key, sizeof(ps->hs[0].key), "%.700s", key);
    ps->hs[ps->n_hs].last_le = -INFINITY;
    return &ps->hs[ps->n_hs++];
}

/* A sample of histogram family @f. */
static int histo_sample(struct parser *ps, struct fam *f,
                        const struct sample *s)
{
    char key[700];
    struct hseries *h;
    double le;

    snprintf(key, sizeof(key), "%s|%s", f->name, s->nole);
    h = hs_get(ps, key);
    if (!h)
        return bad(ps, "too many histogram series");
    if (strlen(s->name) > 7 &&
        strcmp(s->name + strlen(s->name) - 7, "_bucket") == 0) {
        if (!s->le[0] || value_parse(s->le, &le))
            return bad(ps, "a bucket without a valid le");
        if (le <= h->last_le || s->v < h->last_v || h->inf_seen)
            return bad(ps, "buckets not rising or after +Inf");
        h->last_le = le;
        h->last_v = s->v;
        if (isinf(le)) {
            h->inf_seen = 1;
            h->inf_v = s->v;
        }
    } else if (strcmp(s->name + strlen(s->name) - 6, "_count") == 0) {
        if (!h->inf_seen || h->inf_v != s->v)
            return bad(ps, "_count differs from the +Inf bucket");
    }
    return 0;
}

int r_prom_check(const char *text, char *why, size_t len)
{
    struct parser *ps = calloc(1, sizeof(*ps));
    const char *p = text;
    int r = 0;

    if (!ps)
        return -1;
    ps->why = why;
    ps->len = len;
    while (*p && r == 0) {
        const char *nl = strchr(p, '\n');
        char line[2048], base[128];
        size_t n;
        struct sample s;
        struct fam *f;

        ps->line++;
        if (!nl) {
            r = bad(ps, "the last line has no newline");
            break;
        }
        n = (size_t)(nl - p);
        if (n >= sizeof(line)) {
            r = bad(ps, "line too long");
            break;
        }
        memcpy(line, p, n);
        line[n] = '\0';
        p = nl + 1;
        if (n == 0)
            continue;
        if (strncmp(line, "# TYPE ", 7) == 0) {
            char name[128], type[32];

            if (sscanf(line + 7, "%127s %31s", name, type) != 2 ||
                (strcmp(type, "counter") && strcmp(type, "gauge") &&
                 strcmp(type, "histogram") && strcmp(type, "summary") &&
                 strcmp(type, "untyped")))
                r = bad(ps, "bad TYPE line");
            else if ((f = fam_get(ps, name, 1)) == NULL)
                r = bad(ps, "too many families");
            else if (f->type[0] || f->samples)
                r = bad(ps, "TYPE repeated or after samples");
            else
                snprintf(f->type, sizeof(f->type), "%.15s", type);
            continue;
        }
        if (line[0] == '#')
            continue; /* HELP or a comment */
        if ((r = sample_parse(ps, line, &s)) != 0)
            break;
        f = NULL;
        if (strip(base, s.name, "_bucket") || strip(base, s.name, "_sum") ||
            strip(base, s.name, "_count")) {
            f = fam_get(ps, base, 0);
            if (f && strcmp(f->type, "histogram") != 0 &&
                strcmp(f->type, "summary") != 0)
                f = NULL;
        }
        if (!f)
            f = fam_get(ps, s.name, 1);
        if (!f) {
            r = bad(ps, "too many families");
            break;
        }
        f->samples++;
        if (strcmp(f->type, "counter") == 0 && s.v < 0)
            r = bad(ps, "a negative counter");
        else if (strcmp(f->type, "histogram") == 0)
            r = histo_sample(ps, f, &s);
    }
    free(ps);
    return r;
}

double r_metric(const char *text, const char *name, const char *labels)
{
    struct parser ps;
    const char *p = text;
    double sum = -1;
    char why[128];

    memset(&ps, 0, sizeof(ps));
    ps.why = why;
    ps.len = sizeof(why);
    while (*p) {
        const char *nl = strchr(p, '\n');
        char line[2048], want[512], *tok, *save = NULL;
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        struct sample s;
        int match = 1;

        if (n >= sizeof(line))
            n = sizeof(line) - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        p = nl ? nl + 1 : p + strlen(p);
        if (!line[0] || line[0] == '#' || sample_parse(&ps, line, &s) ||
            strcmp(s.name, name) != 0)
            continue;
        snprintf(want, sizeof(want), "%s", labels);
        for (tok = strtok_r(want, ",", &save); tok && match;
             tok = strtok_r(NULL, ",", &save)) {
            char pat[300];

            snprintf(pat, sizeof(pat), "%s,", tok);
            /* at the start or after a ',' */
            match = strncmp(s.labels, pat, strlen(pat)) == 0;
            if (!match) {
                char pat2[302];

                snprintf(pat2, sizeof(pat2), ",%s", pat);
                match = strstr(s.labels, pat2) != NULL;
            }
        }
        if (match)
            sum = (sum < 0 ? 0 : sum) + s.v;
    }
    return sum;
}

char *r_metrics(const struct r_daemon *d)
{
    struct h_resp r = r_get(d, "/metrics");
    char why[256];
    char *t;

    if (r.status != 200 || !r.body)
        fail_msg("GET /metrics: HTTP %ld", r.status);
    if (r_prom_check(r.body, why, sizeof(why)) != 0)
        fail_msg("/metrics does not parse: %s\n%s", why, r.body);
    t = strdup(r.body);
    h_resp_free(&r);
    return t;
}

double r_metric_now(const struct r_daemon *d, const char *name,
                    const char *labels)
{
    char *t = r_metrics(d);
    double v = r_metric(t, name, labels);

    free(t);
    return v;
}

int r_wait_metric(const struct r_daemon *d, const char *name,
                  const char *labels, double min, int timeout_ms)
{
    int i;

    for (i = 0; i < timeout_ms / 100; i++) {
        if (r_metric_now(d, name, labels) >= min)
            return 1;
        h_sleep_ms(100);
    }
    return 0;
}

struct e_run r_stop(struct r_daemon *d, int sig, int timeout_ms)
{
    struct e_run r;

    memset(&r, 0, sizeof(r));
    kill(d->p.pid, sig);
    if (!e_try_wait(&d->p, timeout_ms, &r)) {
        kill(d->p.pid, SIGKILL);
        (void)e_try_wait(&d->p, 5000, &r);
        d->stopped = true;
        fail_msg("etls run did not exit within %d ms of signal %d",
                 timeout_ms, sig);
    }
    d->stopped = true;
    return r;
}

void r_kill(struct r_daemon *d)
{
    struct e_run r;

    if (d->stopped || d->p.pid <= 0)
        return;
    kill(d->p.pid, SIGKILL);
    if (e_try_wait(&d->p, 5000, &r))
        e_run_free(&r);
    d->stopped = true;
}

char *r_log(const struct r_daemon *d)
{
    return e_proc_out(&d->p);
}
