/*
 * Unit tests of common/util.c: util_format, and util_write_file_atomic,
 * which must never write through a link or a leftover temp file and must
 * leave the file with the mode asked for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"

static void test_format(void **state)
{
    char *s;

    (void)state;
    s = util_format("%s:%d", "host", 42);
    assert_string_equal(s, "host:42");
    free(s);
    s = util_format("%s", "");
    assert_string_equal(s, "");
    free(s);
}

static void test_atomic_no_link_followed(void **state)
{
    char dir[] = "/tmp/etls-util-XXXXXX", path[256], tmp[300], target[256];
    char *back = NULL;
    size_t len;
    struct stat st;
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/plan.json", dir);
    snprintf(target, sizeof(target), "%s/victim", dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    f = fopen(target, "w");
    assert_non_null(f);
    fputs("untouched", f);
    fclose(f);
    /* A link where the temp file goes, and a laxer leftover mode. */
    assert_int_equal(symlink(target, tmp), 0);
    assert_int_equal(util_write_file_atomic(path, "new", 3, 0600), 0);
    assert_int_equal(util_read_file(&back, &len, target, 64), 0);
    assert_string_equal(back, "untouched");
    free(back);
    assert_int_equal(util_read_file(&back, &len, path, 64), 0);
    assert_string_equal(back, "new");
    free(back);
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_not_equal(access(tmp, F_OK), 0);
    unlink(path);
    unlink(target);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_atomic_no_link_followed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
