/* fuzz.h - what the fuzz targets share.
 *
 * Each target defines LLVMFuzzerTestOneInput. Built with -Dfuzzing=true and
 * clang it links against libFuzzer; otherwise replay.c supplies a main() that
 * feeds every file of the given corpus directories through the same function,
 * so `meson test --suite fuzz` replays the seeds and tests/crashers/ in the
 * plain and the sanitizer builds. */
#ifndef BQ_FUZZ_H
#define BQ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "blotquant/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Write data to this process's scratch file named after tag (under /dev/shm
 * when it is writable, which keeps the fuzzer off the disk) and return its
 * path, or NULL if it cannot be written. The file is removed at exit. */
const char *fuzz_scratch_file(const char *tag, const uint8_t *data, size_t size);

/* A stream that discards what is written (the writers run, nothing is kept). */
FILE *fuzz_null_stream(void);

/* An invariant of the library's contract was broken: say which and abort, so
 * libFuzzer records the input and the replay test fails. */
#define FUZZ_CHECK(cond, what)                                                           \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "fuzz: contract broken at %s:%d: %s (%s)\n", __FILE__,       \
                    __LINE__, what, #cond);                                              \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* A failing call must leave a negative bq_err and a message naming the
 * problem; a succeeding one an empty error code. */
#define FUZZ_CHECK_ERR(rc, err)                                                          \
    do {                                                                                 \
        if ((rc) != 0) {                                                                 \
            FUZZ_CHECK((rc) < 0, "errors are negative");                                 \
            FUZZ_CHECK((err).msg[0] != '\0', "a failure carries a message");            \
            FUZZ_CHECK(memchr((err).msg, '\0', sizeof (err).msg) != NULL,                \
                       "message is terminated");                                         \
        }                                                                                \
    } while (0)

/* bq_image_load(path, opts) held to the loader's failure contract: a
 * negative bq_err, a message that begins with the file's name, and no
 * image. Returns the image (the caller frees it) or NULL. */
bq_image_t *fuzz_load_image(const char *path, const bq_load_options_t *opts);

#endif
