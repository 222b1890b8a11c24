/*
 * A tiny test harness for the C tests of enh-lee: CHECK() records a failure
 * and goes on, so that one run reports every broken case; main() returns
 * check_report(). No external framework.
 */
#ifndef ENH_LEE_TEST_CHECK_H
#define ENH_LEE_TEST_CHECK_H

#include <stdarg.h>
#include <stdio.h>

#include "enh_lee.h"

static int check_failures = 0;
static int check_count = 0;
/* Failures printed in full; later ones are only counted. */
#define CHECK_MAX_PRINTED 60

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void check_fail(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    check_failures++;
    if (check_failures > CHECK_MAX_PRINTED) {
        return;
    }
    fprintf(stderr, "%s:%d: FAILED: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* CHECK(cond): the condition must hold. */
#define CHECK(cond)                                                  \
    do {                                                             \
        check_count++;                                               \
        if (!(cond)) {                                               \
            check_fail(__FILE__, __LINE__, "%s", #cond);             \
        }                                                            \
    } while (0)

/* CHECK_MSG(cond, fmt, ...): as CHECK, with a printf-style explanation. */
#define CHECK_MSG(cond, ...)                                         \
    do {                                                             \
        check_count++;                                               \
        if (!(cond)) {                                               \
            check_fail(__FILE__, __LINE__, __VA_ARGS__);             \
        }                                                            \
    } while (0)

/* CHECK_STATUS(call, expected): an EnhLeeStatus call returns `expected`. */
#define CHECK_STATUS(call, expected)                                           \
    do {                                                                       \
        EnhLeeStatus check_got_ = (call);                                      \
        EnhLeeStatus check_want_ = (expected);                                 \
        check_count++;                                                         \
        if (check_got_ != check_want_) {                                       \
            check_fail(__FILE__, __LINE__, "%s returned %d (%s), expected %d (%s)", \
                       #call, (int)check_got_, enh_lee_status_message(check_got_), \
                       (int)check_want_, enh_lee_status_message(check_want_));   \
        }                                                                      \
    } while (0)

/* Prints a summary; the value to return from main(). */
static int check_report(const char *name) {
    if (check_failures > CHECK_MAX_PRINTED) {
        fprintf(stderr, "... and %d more failures\n", check_failures - CHECK_MAX_PRINTED);
    }
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures == 0 ? 0 : 1;
}

#endif /* ENH_LEE_TEST_CHECK_H */
