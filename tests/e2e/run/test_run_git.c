/*
 * End-to-end test of `etls run --git` (issue 9): documents served from a
 * bare repository on disk (file:// URL); a commit pushed to it is applied
 * and its commit id shows in /status.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "e2e/run/run_testutil.h"
#include "harness/h_cluster.h"

static struct h_sim g_sim;

static int setup(void **state)
{
    return h_group_up(state, &g_sim, E_SPEED);
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

/* Run the shell command made from @fmt; fail the test unless it exits 0. */
__attribute__((format(printf, 1, 2))) static void sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    if (system(cmd) != 0)
        fail_msg("failed: %s", cmd);
}

/* Commit the runbook document (TLS @tls) as manifests/elastic.json in the
 * work tree @work and push it to the bare repository; the commit id. */
static char *commit_doc(const char *work, int tls, const char *msg)
{
    char *text = r_runbook(tls), path[600];
    char *id;
    FILE *f;

    snprintf(path, sizeof(path), "%s/manifests/elastic.json", work);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    sh("cd '%s' && git add -A && git -c user.name=etls-test "
       "-c user.email=test@invalid commit -q -m '%s' && git push -q origin "
       "main 2>/dev/null && git rev-parse HEAD > .head",
       work, msg);
    snprintf(path, sizeof(path), "%s/.head", work);
    id = e_read(path);
    id[strcspn(id, "\n")] = '\0';
    free(text);
    return id;
}

/* /status shows commit @arg for elastic, converged. */
static int at_commit(json_t *st, void *arg)
{
    json_t *svc = r_service(st, "elastic");
    const char *c = json_string_value(
        json_object_get(json_object_get(svc, "revision"), "commit"));
    const char *ready = svc ? r_cond(svc, "Ready", NULL) : NULL;

    return c && strcmp(c, arg) == 0 && ready && strcmp(ready, "True") == 0;
}

static void test_git_commit_applied(void **state)
{
    struct r_daemon d;
    char *dir = r_tmpdir(), url[600], *c1, *c2;
    char work[600];
    json_t *st;

    (void)state;
    snprintf(work, sizeof(work), "%s/work", dir);
    sh("cd '%s' && git init -q --bare -b main repo.git && git init -q -b "
       "main work && mkdir work/manifests && cd work && git remote add "
       "origin '%s/repo.git'",
       dir, dir);
    c1 = commit_doc(work, 0, "elastic, plain");
    snprintf(url, sizeof(url), "file://%s/repo.git", dir);
    memset(&d, 0, sizeof(d));
    d.p = e_spawn(&g_sim, "run", NULL, "--git", url, "--ref", "main",
                  "--path", "manifests/", "--git-interval", "1s",
                  "--listen", "127.0.0.1:0", "--resync", "3s",
                  (char *)NULL);
    if (!e_wait_out(&d.p, "event=started", R_WAIT_MS))
        fail_msg("did not start: %s", r_log(&d));
    {
        char *out = r_log(&d), *p = strstr(out, " listen=");

        assert_non_null(p);
        snprintf(d.addr, sizeof(d.addr), "%.*s",
                 (int)strcspn(p + 8, " \n"), p + 8);
        free(out);
    }
    if (!r_wait(&d, at_commit, c1, R_WAIT_MS))
        fail_msg("commit %s not applied: %s", c1, r_log(&d));
    e_assert_plain(&g_sim, "elastic");
    /* A new commit: TLS on. */
    c2 = commit_doc(work, 1, "elastic, TLS on");
    if (!r_wait(&d, at_commit, c2, R_WAIT_MS))
        fail_msg("commit %s not applied: %s", c2, r_log(&d));
    e_assert_converged(&g_sim, "elastic", "elastic", "elastic/secret", 1,
                       1);
    st = r_status(&d);
    assert_string_equal(json_string_value(json_object_get(st, "commit")),
                        c2);
    json_decref(st);
    r_kill(&d);
    sh("rm -rf '%s'", dir);
    free(c1);
    free(c2);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_git_commit_applied),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
