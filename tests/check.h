/* check.h - the tests' assertion: CHECK(cond, fmt, ...) reports a failed
 * condition with its file, line and message on stderr and counts it in
 * check_failures; the test goes on and exits non-zero at the end when any
 * check failed. One header per test program (each is one source file). */
#ifndef BLOTQUANT_TEST_CHECK_H
#define BLOTQUANT_TEST_CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);               \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            check_failures++;                                                  \
        }                                                                      \
    } while (0)

#endif
