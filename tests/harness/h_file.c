/* Scratch files for the tests.  See h_file.h. */
#include "harness/h_file.h"

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
#include <unistd.h>

void h_mkdtemp(char out[256], const char *tag)
{
    char tmpl[64];

    if (strlen(tag) > 32)
        fail_msg("h_mkdtemp: tag too long");
    snprintf(tmpl, sizeof(tmpl), "/tmp/etls-%s-XXXXXX", tag);
    if (!mkdtemp(tmpl))
        fail_msg("mkdtemp: %s", strerror(errno));
    memcpy(out, tmpl, strlen(tmpl) + 1);
}

void h_rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (!d)
        return;
    while ((de = readdir(d)) != NULL) {
        char *p;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        p = h_path(dir, de->d_name);
        if (unlink(p) != 0)
            (void)rmdir(p);
        free(p);
    }
    closedir(d);
    (void)rmdir(dir);
}

char *h_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);

    if (!p)
        fail_msg("out of memory");
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

char *h_write_file(const char *dir, const char *name, const char *text)
{
    char *p = h_path(dir, name);
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
