/*
 * Fuzz target for dcos-sim's request routing: any request must be routed
 * (or refused by the front door) and answered by its handler without a
 * crash, leak or out-of-bounds access, on a live in-process cluster (every
 * module started on a state directory of its own, no network).
 *
 * Input, as a request reaches the router once libmicrohttpd parsed it:
 *
 *   METHOD SP TARGET LF          (TARGET: raw path, optional ?query)
 *   Header: value LF ...         (Content-Type, Accept, Authorization)
 *   LF
 *   body bytes
 *
 * Token routes run as the bootstrap user, so that handlers go deep.
 *
 * Two builds (as tests/fuzz/fuzz_manifest.c):
 *  - -DETLS_FUZZ=ON with clang: a libFuzzer binary,
 *    `fuzz_sim_routing tests/data/fuzz/sim_routing`;
 *  - otherwise: a replay driver (main() below) running every corpus file
 *    and structured variants of it (each method, control characters and
 *    percent escapes put into the path, each truncation at a line end).
 */
#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "common/util.h"
#include "sim/control.h"
#include "sim/core.h"
#include "sim/cosmos.h"
#include "sim/http.h"
#include "sim/iam.h"
#include "sim/marathon.h"
#include "sim/mesos.h"
#include "sim/metadata.h"
#include "sim/sdk.h"
#include "sim/secrets.h"
#include "sim/server.h"
#include "sim/state.h"

#define MAX_INPUT (64u * 1024u)

static const struct sim_module *const g_mods[] = {
    &sim_metadata_module, &sim_control_module,  &sim_iam_module,
    &sim_secrets_module,  &sim_cosmos_module,   &sim_marathon_module,
    &sim_sdk_module,      &sim_mesos_module,
};
#define N_MODS (sizeof(g_mods) / sizeof(g_mods[0]))

static struct sim g_sim;
static struct sim_route_table g_tables[N_MODS];
static char g_dir[64];
static int g_ready;
static unsigned long g_ok; /* inputs a handler answered with 2xx */

/* Stop the cluster and remove its (flat) state directory. */
static void cluster_down(void)
{
    struct dirent *de;
    DIR *d;

    sim_core_stop_modules(&g_sim, g_mods, N_MODS);
    sim_core_free(&g_sim);
    d = opendir(g_dir);
    while (d && (de = readdir(d)) != NULL) {
        char path[512];

        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", g_dir, de->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(g_dir);
}

/* The cluster every input runs against, started once. */
static void cluster_up(void)
{
    struct sim_options opt;
    struct err_info e;
    size_t i;

    memset(&opt, 0, sizeof(opt));
    memset(&e, 0, sizeof(e));
    /* tmpfs when there is one: a write is synced to disk */
    snprintf(g_dir, sizeof(g_dir), "%s/etls-fuzz-sim-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(g_dir))
        abort();
    log_set_level(LOG_OFF);
    opt.listen_host = "127.0.0.1";
    opt.state_dir = g_dir;
    opt.speed = 1.0;
    opt.token_ttl = 3600;
    opt.catalog_dir = ETLS_SIM_CATALOG;
    if (sim_core_init(&g_sim, &opt, &e) != 0 ||
        sim_core_start_modules(&g_sim, g_mods, N_MODS, &e) != 0) {
        fprintf(stderr, "fuzz_sim_routing: cluster: %s\n", e.text);
        abort();
    }
    for (i = 0; i < N_MODS; i++) {
        g_tables[i].routes = g_mods[i]->routes;
        g_tables[i].n_routes = g_mods[i]->n_routes;
    }
    g_ready = 1;
    atexit(cluster_down);
}

/* The value of header @name among @hdrs (lines, NUL-terminated), or NULL.
 * Values are cut in place at their line end. */
static const char *header(char **lines, size_t n, const char *name)
{
    size_t i, len = strlen(name);

    for (i = 0; i < n; i++)
        if (strncasecmp(lines[i], name, len) == 0 && lines[i][len] == ':')
            return lines[i] + len + 1 + (lines[i][len + 1] == ' ');
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text, *p, *sp, *nl, *q, *lines[16];
    const struct sim_route *rt;
    struct sim_req req;
    struct sim_resp resp;
    size_t n_lines = 0, body_len;
    bool other;

    if (!g_ready)
        cluster_up();
    if (size > MAX_INPUT)
        return 0;
    text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    /* request line: the parser in front never hands on a NUL or a LF */
    nl = memchr(text, '\n', size);
    sp = memchr(text, ' ', nl ? (size_t)(nl - text) : size);
    if (!nl || !sp || sp == text || sp - text > 15 ||
        memchr(text, '\0', (size_t)(nl - text)))
        goto out;
    *sp = '\0';
    *nl = '\0';
    p = nl + 1;
    while (n_lines < 16 && p < text + size && *p != '\n') {
        char *e = memchr(p, '\n', size - (size_t)(p - text));

        if (!e)
            goto out;
        *e = '\0';
        lines[n_lines++] = p;
        p = e + 1;
    }
    if (p < text + size && *p == '\n')
        p++;
    body_len = size - (size_t)(p - text);
    if (sp[1] != '/')
        goto out;
    q = strchr(sp + 1, '?');
    if (q)
        *q++ = '\0';
    /* the front door first, as sim/server.c does */
    if (sim_path_has_control(sp + 1))
        goto out;
    rt = sim_route_select(g_tables, N_MODS, text, sp + 1, &other);
    if (!rt)
        goto out;
    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    req.method = text;
    req.path = sp + 1;
    req.query = q ? q : "";
    req.body = p;
    req.body_len = body_len;
    req.content_type = header(lines, n_lines, "Content-Type");
    req.accept = header(lines, n_lines, "Accept");
    req.authorization = header(lines, n_lines, "Authorization");
    if (rt->auth == SIM_AUTH_TOKEN)
        req.uid = "bootstrapuser";
    sim_core_server_ops.handle(rt, &req, &resp, &g_sim);
    if (resp.status < 100 && !resp.reset)
        abort(); /* every handler answers */
    g_ok += resp.status >= 200 && resp.status < 300;
    sim_resp_free(&resp);
out:
    free(text);
    return 0;
}

#ifndef ETLS_LIBFUZZER

static const char *const g_methods[] = {"GET",  "HEAD",   "PUT",
                                        "POST", "PATCH",  "DELETE",
                                        "OPTIONS", "BREW"};
static const char *const g_inserts[] = {"%00", "%0a", "%7f", "%2F", "%2e%2e",
                                        "%", "%zz", "//", "/..", "?x=%00"};

/* Run @data with its method replaced by @method. */
static void run_with_method(const char *data, size_t len, const char *method)
{
    const char *sp = memchr(data, ' ', len);
    char *buf;
    size_t ml = strlen(method), rest;

    if (!sp)
        return;
    rest = len - (size_t)(sp - data);
    buf = malloc(ml + rest);
    if (!buf)
        return;
    memcpy(buf, method, ml);
    memcpy(buf + ml, sp, rest);
    LLVMFuzzerTestOneInput((const uint8_t *)buf, ml + rest);
    free(buf);
}

/* Run @data with @ins put into its target at every position. */
static void run_with_insert(const char *data, size_t len, const char *ins)
{
    const char *sp = memchr(data, ' ', len);
    const char *nl = memchr(data, '\n', len);
    size_t il = strlen(ins), at;
    char *buf = malloc(len + il);

    if (!buf || !sp || !nl || nl < sp) {
        free(buf);
        return;
    }
    for (at = (size_t)(sp - data) + 2; at <= (size_t)(nl - data); at++) {
        memcpy(buf, data, at);
        memcpy(buf + at, ins, il);
        memcpy(buf + at + il, data + at, len - at);
        LLVMFuzzerTestOneInput((const uint8_t *)buf, len + il);
    }
    free(buf);
}

/* Every file of @dir, with its variants; counts runs in *@n. */
static int replay_corpus(const char *dir, size_t *n)
{
    struct dirent *de;
    DIR *d = opendir(dir);

    if (!d) {
        fprintf(stderr, "fuzz_sim_routing: cannot open %s\n", dir);
        return 1;
    }
    while ((de = readdir(d)) != NULL) {
        char path[4096], *data = NULL;
        size_t len = 0, i;

        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (util_read_file(&data, &len, path, MAX_INPUT) != 0)
            continue;
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        for (i = 0; i < sizeof(g_methods) / sizeof(g_methods[0]); i++)
            run_with_method(data, len, g_methods[i]);
        for (i = 0; i < sizeof(g_inserts) / sizeof(g_inserts[0]); i++)
            run_with_insert(data, len, g_inserts[i]);
        for (i = 0; i < len; i++)
            if (data[i] == '\n')
                LLVMFuzzerTestOneInput((const uint8_t *)data, i + 1);
        free(data);
        (*n)++;
    }
    closedir(d);
    return 0;
}

int main(int argc, char **argv)
{
    size_t files = 0;
    int i, rc = 0;

    for (i = 1; i < argc; i++)
        rc |= replay_corpus(argv[i], &files);
    /* the corpus must reach the handlers, not only the front door */
    printf("fuzz_sim_routing: %zu inputs, %lu answered 2xx\n", files, g_ok);
    return rc || files == 0 || g_ok == 0;
}

#endif
