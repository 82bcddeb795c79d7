/*
 * Unit tests of common/file.c, the one file reader: only regular files,
 * never blocking on a FIFO, and a precise reason for every refusal (which
 * the messages of etls pass on).  An alarm turns a hang into a failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/file.h"
#include "common/secret.h"
#include "common/util.h"

static char g_dir[] = "/tmp/etls-file-XXXXXX";

static char *path_of(const char *name)
{
    char *p = util_format("%s/%s", g_dir, name);

    assert_non_null(p);
    return p;
}

static void write_bytes(const char *path, size_t n)
{
    FILE *f = fopen(path, "wb");
    size_t i;

    assert_non_null(f);
    for (i = 0; i < n; i++)
        fputc('a', f);
    fclose(f);
}

static void expect_refused(const char *path, size_t max, int code,
                           const char *why)
{
    struct err_info e;
    struct secret *s = NULL;
    char *text = NULL;

    memset(&e, 0, sizeof(e));
    assert_int_equal(file_read(&text, NULL, path, max, &e), code);
    assert_null(text);
    assert_string_equal(e.text, why);
    memset(&e, 0, sizeof(e));
    assert_int_equal(secret_from_file(&s, path, max, &e), code);
    assert_null(s);
    assert_string_equal(e.text, why);
    assert_int_equal(util_read_file(&text, NULL, path, max), code);
}

static void test_regular_and_limit(void **state)
{
    char *p = path_of("exact"), *text = NULL;
    struct err_info e;
    struct secret *s = NULL;
    size_t len = 0;

    (void)state;
    write_bytes(p, 1024);
    memset(&e, 0, sizeof(e));
    assert_int_equal(file_read(&text, &len, p, 1024, &e), 0);
    assert_int_equal(len, 1024);
    free(text);
    assert_int_equal(secret_from_file(&s, p, 1024, &e), 0);
    assert_int_equal(s->len, 1024);
    secret_free(s);
    expect_refused(p, 1023, ERR_INVALID,
                   "larger than the limit of 1023 bytes");
    write_bytes(p, 2u << 20);
    expect_refused(p, 1u << 20, ERR_INVALID,
                   "larger than the limit of 1 MiB");
    expect_refused(p, 64u << 10, ERR_INVALID,
                   "larger than the limit of 64 KiB");
    unlink(p);
    free(p);
}

static void test_fifo_never_blocks(void **state)
{
    char *p = path_of("fifo");

    (void)state;
    assert_int_equal(mkfifo(p, 0600), 0);
    alarm(10); /* a blocking open would hang: fail instead */
    expect_refused(p, 1024, ERR_INVALID, "not a regular file (a FIFO)");
    alarm(0);
    unlink(p);
    free(p);
}

static void test_other_kinds(void **state)
{
    struct sockaddr_un sa;
    char *p = path_of("sock"), *d = path_of("dir");
    int fd;

    (void)state;
    assert_int_equal(mkdir(d, 0700), 0);
    expect_refused(d, 1024, ERR_INVALID, "not a regular file (a directory)");
    rmdir(d);
    expect_refused("/dev/null", 1024, ERR_INVALID,
                   "not a regular file (a character device)");
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    expect_refused(p, 1024, ERR_INVALID, "not a regular file (a socket)");
    close(fd);
    unlink(p);
    free(p);
    free(d);
}

static void test_missing_and_permission(void **state)
{
    char *p = path_of("missing"), *q = path_of("secret");

    (void)state;
    expect_refused(p, 1024, ERR_NOTFOUND, "no such file");
    write_bytes(q, 4);
    assert_int_equal(chmod(q, 0), 0);
    if (geteuid() != 0) /* root reads it anyway */
        expect_refused(q, 1024, ERR_INVALID, "permission denied");
    unlink(q);
    free(p);
    free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regular_and_limit),
        cmocka_unit_test(test_fifo_never_blocks),
        cmocka_unit_test(test_other_kinds),
        cmocka_unit_test(test_missing_and_permission),
    };
    int r;

    if (!mkdtemp(g_dir))
        return 1;
    r = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(g_dir);
    return r;
}
