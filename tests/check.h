/* check.h - the tests' assertion: CHECK(cond, fmt, ...) reports a failed
 * condition with its file, line and message on stderr and counts it in
 * check_failures; the test goes on and exits non-zero at the end when any
 * check failed. check_count counts every check made. A test that has more to
 * say about a failure (e.g. the output of the command it ran) points
 * check_context at a function that prints it. One header per test program
 * (each is one source file). */
#ifndef BLOTQUANT_TEST_CHECK_H
#define BLOTQUANT_TEST_CHECK_H

#include <stdio.h>

static int check_failures;
static int check_count;
static void (*check_context)(void);

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        check_count++;                                                         \
        if (!(cond)) {                                                         \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);               \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            if (check_context)                                                 \
                check_context();                                               \
            check_failures++;                                                  \
        }                                                                      \
    } while (0)

#endif
