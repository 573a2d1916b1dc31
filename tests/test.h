/* tests/test.h - the tests' one convention: each check prints one line,
   "ok - what" or "not ok - what: why"; tests/run counts them and prints the
   closing "N passed, N failed". A test binary exits 1 if any check failed. */
#ifndef ES_TEST_H
#define ES_TEST_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define TEST_UNUSED __attribute__((unused))
#else
#define TEST_UNUSED
#endif

static int test_failed_count;

#define CHECK(cond, ...) test_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

static void test_check(int ok, const char *file, int line, const char *fmt, ...);
#include <stdarg.h>
static void test_check(int ok, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    printf(ok ? "ok - " : "not ok - ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (!ok) {
        printf("  (%s:%d)", file, line);
        test_failed_count++;
    }
    printf("\n");
    fflush(stdout);
}

/* Directory of the shared reference data, or NULL when absent (then a test
   skips, except under CI=true, where the absence itself fails). */
TEST_UNUSED static const char *test_reference_dir(void)
{
    static const char *dirs[] = {"../shared/reference", "../../shared/reference", NULL};
    const char *env = getenv("ES_REFERENCE_DIR");
    char path[1024];
    int i;
    FILE *f;
    if (env && *env) return env;
    for (i = 0; dirs[i]; i++) {
        snprintf(path, sizeof path, "%s/philox_kat.txt", dirs[i]);
        if ((f = fopen(path, "r")) != NULL) {
            fclose(f);
            return dirs[i];
        }
    }
    return NULL;
}

/* Returns the reference dir; when missing prints a skip (or, under CI, a
   failure) and returns NULL. */
TEST_UNUSED static const char *test_need_reference(const char *what)
{
    const char *dir = test_reference_dir();
    const char *ci = getenv("CI");
    if (dir) return dir;
    if (ci && strcmp(ci, "true") == 0) CHECK(0, "%s: ../shared/reference is missing under CI=true", what);
    else printf("skip - %s: ../shared/reference not found\n", what);
    return NULL;
}

TEST_UNUSED static int test_finish(void) { return test_failed_count ? 1 : 0; }
#endif
