/* fuzz_common.c - scratch files, a null stream and the image loader's
 * failure contract for the fuzz targets. */
#include "fuzz.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_SCRATCH 8

static char scratch_paths[MAX_SCRATCH][256];
static int n_scratch;
static FILE *null_stream;
static int cleanup_registered;

static void cleanup(void)
{
    for (int i = 0; i < n_scratch; i++)
        unlink(scratch_paths[i]);
    if (null_stream)
        fclose(null_stream);
}

static void register_cleanup(void)
{
    if (!cleanup_registered) {
        cleanup_registered = 1;
        atexit(cleanup);
    }
}

/* The scratch path for tag (no '-' in it), made once per process: the pid
 * keeps parallel fuzzers and test runs from sharing a file. */
static const char *scratch_path(const char *tag)
{
    for (int i = 0; i < n_scratch; i++)
        if (strcmp(strrchr(scratch_paths[i], '-') + 1, tag) == 0)
            return scratch_paths[i];
    if (n_scratch == MAX_SCRATCH)
        return NULL;
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    char *p = scratch_paths[n_scratch];
    snprintf(p, sizeof scratch_paths[0], "%s/bq-fuzz-%ld-%s", dir, (long)getpid(), tag);
    n_scratch++;
    register_cleanup();
    return p;
}

const char *fuzz_scratch_file(const char *tag, const uint8_t *data, size_t size)
{
    const char *path = scratch_path(tag);
    if (!path)
        return NULL;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return NULL;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) {
            close(fd);
            return NULL;
        }
        done += (size_t)w;
    }
    return close(fd) == 0 ? path : NULL;
}

FILE *fuzz_null_stream(void)
{
    if (!null_stream) {
        null_stream = fopen("/dev/null", "w");
        register_cleanup();
    }
    return null_stream;
}

bq_image_t *fuzz_load_image(const char *path, const bq_load_options_t *opts)
{
    bq_image_t *img = (bq_image_t *)(uintptr_t)1; /* must be reset to NULL on failure */
    bq_error_t err = {0};
    int rc = bq_image_load(path, opts, &img, &err);
    FUZZ_CHECK_ERR(rc, err);
    if (rc != 0) {
        FUZZ_CHECK(img == NULL, "no image on failure");
        FUZZ_CHECK(strncmp(err.msg, path, strlen(path)) == 0, "the message names the file");
        return NULL;
    }
    return img;
}
