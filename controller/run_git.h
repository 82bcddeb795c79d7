#ifndef ETLS_CONTROLLER_RUN_GIT_H
#define ETLS_CONTROLLER_RUN_GIT_H

#include <stdbool.h>

#include <ev.h>

#include "common/err.h"
#include "common/secret.h"

/*
 * The git source of etls run (--git URL --ref REF --path PATH): a worker
 * thread fetches REF with libgit2 into a bare cache repository and writes
 * the *.json documents at PATH of its commit into a folder (files
 * replaced by rename, vanished ones removed), then tells the loop
 * (ev_async).  Nothing of the repository is executed; credentials come
 * from a file ("user:password", for http(s)), never from argv.
 */
struct run_git;

struct run_git_options {
    const char *url;
    const char *ref;          /* branch or tag; default "main" */
    const char *path;         /* folder or file in the repository ("" root) */
    double interval;          /* seconds between fetches */
    const struct secret *credentials; /* "user:password" or NULL */
};

/*
 * A fetch ended, on the loop: @commit (40 hex) of the documents now in
 * the folder, or NULL with @error (one line) when it failed (the folder
 * is then unchanged).
 */
typedef void (*run_git_fn)(const char *commit, const char *error,
                           void *payload);

/*
 * Make the folder and the cache (below a new temporary directory), start
 * the first fetch now and one every interval after each ends.  Sets
 * *@dir_out (borrowed from the source: the folder of documents).
 */
int run_git_start(struct run_git **out, struct ev_loop *ev,
                  const struct run_git_options *o, run_git_fn done,
                  void *payload, const char **dir_out, struct err_info *e);

/* Fetch now (SIGHUP) unless a fetch runs. */
void run_git_poke(struct run_git *g);

/* Stop (waits for a fetch in flight), remove the temporary directory and
 * free; accepts NULL. */
void run_git_stop(struct run_git *g);

#endif
