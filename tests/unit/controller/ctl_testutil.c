/* Helpers shared by the controller unit tests (ctl_testutil.h). */
#include "ctl_testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CAPTURE_MAX (1024u * 1024u)

static int capture_fd = -1;
static int saved_fd = -1;

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
