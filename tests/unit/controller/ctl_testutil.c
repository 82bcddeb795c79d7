/* Helpers shared by the controller unit tests (ctl_testutil.h). */
#include "ctl_testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CAPTURE_MAX (1024u * 1024u)

static int capture_fd = -1;
static int saved_fd = -1;

void t_mkdtemp(char out[256])
{
    char tmpl[] = "/tmp/etls-ctl-test-XXXXXX";

    if (!mkdtemp(tmpl))
        fail_msg("mkdtemp: %s", strerror(errno));
    memcpy(out, tmpl, sizeof(tmpl));
}

void t_rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (!d)
        return;
    while ((de = readdir(d)) != NULL) {
        char *p;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        p = t_path(dir, de->d_name);
        if (unlink(p) != 0)
            (void)rmdir(p);
        free(p);
    }
    closedir(d);
    (void)rmdir(dir);
}

char *t_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);

    if (!p)
        fail_msg("out of memory");
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

char *t_write(const char *dir, const char *name, const char *text)
{
    char *p = t_path(dir, name);
    size_t len = strlen(text), off = 0;
    int fd;

    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        fail_msg("open %s: %s", p, strerror(errno));
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            fail_msg("write %s: %s", p, strerror(errno));
        off += (size_t)n;
    }
    if (close(fd) != 0)
        fail_msg("close %s: %s", p, strerror(errno));
    return p;
}

void t_stderr_begin(void)
{
    char tmpl[] = "/tmp/etls-ctl-stderr-XXXXXX";

    assert_true(capture_fd < 0);
    fflush(stderr);
    capture_fd = mkstemp(tmpl);
    if (capture_fd < 0)
        fail_msg("mkstemp: %s", strerror(errno));
    unlink(tmpl);
    saved_fd = dup(2);
    if (saved_fd < 0 || dup2(capture_fd, 2) < 0)
        fail_msg("dup: %s", strerror(errno));
}

char *t_stderr_end(void)
{
    char *buf;
    size_t len = 0;

    assert_true(capture_fd >= 0);
    fflush(stderr);
    if (dup2(saved_fd, 2) < 0)
        fail_msg("dup2: %s", strerror(errno));
    close(saved_fd);
    saved_fd = -1;
    buf = malloc(CAPTURE_MAX + 1);
    if (!buf)
        fail_msg("out of memory");
    if (lseek(capture_fd, 0, SEEK_SET) < 0)
        fail_msg("lseek: %s", strerror(errno));
    for (;;) {
        ssize_t n = read(capture_fd, buf + len, CAPTURE_MAX - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == CAPTURE_MAX)
            break;
    }
    buf[len] = '\0';
    close(capture_fd);
    capture_fd = -1;
    return buf;
}

size_t t_count(const char *hay, const char *needle)
{
    size_t n = 0;
    const char *p = hay;

    if (!*needle)
        return 0;
    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p++;
    }
    return n;
}
