/*
 * The beta-elastic catalog vendored in sim/catalog/ must stay byte-for-byte
 * equal to the published Universe files kept in the in-tree upstream
 * fixtures (tests/fixtures/upstream), and must hold the three versions
 * dcos-sim serves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/util.h"

#define CATALOG ETLS_SOURCE_DIR "/sim/catalog/beta-elastic"
#define UPSTREAM                                                              \
    ETLS_FIXTURES_DIR "/mesosphere__universe/repo/packages/B/beta-elastic"

static const char *const revs[] = { "8", "9", "10" };
static const char *const versions[] = { "2.1.0-5.6.4-beta",
                                        "2.1.1-5.6.5-beta",
                                        "2.1.2-5.6.5-beta" };
static const char *const files[] = { "config.json", "package.json",
                                     "resource.json",
                                     "marathon.json.mustache" };

static void test_vendored_equals_upstream(void **state)
{
    (void)state;
    if (access(UPSTREAM, R_OK) != 0)
        fail_msg("%s: upstream copy missing", UPSTREAM);
    for (size_t r = 0; r < 3; r++) {
        for (size_t f = 0; f < 4; f++) {
            char a[512], b[512];
            char *da = NULL, *db = NULL;
            size_t la = 0, lb = 0;

            snprintf(a, sizeof(a), "%s/%s/%s", CATALOG, revs[r], files[f]);
            snprintf(b, sizeof(b), "%s/%s/%s", UPSTREAM, revs[r], files[f]);
            assert_int_equal(util_read_file(&da, &la, a, 1u << 20), 0);
            assert_int_equal(util_read_file(&db, &lb, b, 1u << 20), 0);
            if (la != lb || memcmp(da, db, la) != 0)
                fail_msg("%s differs from %s", a, b);
            free(da);
            free(db);
        }
    }
}

static void test_catalog_versions(void **state)
{
    (void)state;
    for (size_t r = 0; r < 3; r++) {
        char path[512];
        json_error_t e;
        json_t *pkg;

        snprintf(path, sizeof(path), "%s/%s/package.json", CATALOG,
                 revs[r]);
        pkg = json_load_file(path, 0, &e);
        assert_non_null(pkg);
        assert_string_equal(
            json_string_value(json_object_get(pkg, "name")), "beta-elastic");
        assert_string_equal(
            json_string_value(json_object_get(pkg, "version")), versions[r]);
        json_decref(pkg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vendored_equals_upstream),
        cmocka_unit_test(test_catalog_versions),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
