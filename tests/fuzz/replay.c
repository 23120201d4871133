/* replay.c - main() for the fuzz targets outside libFuzzer: run every file
 * given (or every regular file in each directory given, in name order)
 * through LLVMFuzzerTestOneInput once. A crash, a sanitizer report or a
 * broken contract (FUZZ_CHECK) fails the test; so does an empty corpus, which
 * would otherwise pass without testing anything, and, with -t SECONDS, an
 * input that takes longer than that (a regression of a fixed slowdown).
 *
 * Usage: replay_TARGET [-t SECONDS] FILE_OR_DIR... */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int replay_file(const char *path, int *count, double *slowest, char *slowest_name,
                       size_t name_size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    int bad = ferror(fp) || !buf;
    fclose(fp);
    if (bad) {
        fprintf(stderr, "replay: %s: cannot read\n", path);
        free(buf);
        return -1;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    LLVMFuzzerTestOneInput(buf, len);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    free(buf);
    double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (s > *slowest) {
        *slowest = s;
        snprintf(slowest_name, name_size, "%s", path);
    }
    (*count)++;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir, int *count, double *slowest, char *slowest_name,
                      size_t name_size)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "meson.build") == 0 ||
            strstr(e->d_name, ".md"))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **more = realloc(names, cap * sizeof *names);
            if (!more) {
                rc = -1;
                break;
            }
            names = more;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (rc == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode))
            rc = replay_file(path, count, slowest, slowest_name, name_size);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int count = 0, first = 1;
    double slowest = 0, max_seconds = 0;
    char slowest_name[4096] = "";
    if (argc > 2 && strcmp(argv[1], "-t") == 0) {
        char *end;
        max_seconds = strtod(argv[2], &end);
        if (*end || !(max_seconds > 0)) {
            fprintf(stderr, "replay: -t wants a positive number of seconds\n");
            return 2;
        }
        first = 3;
    }
    for (int i = first; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        int rc = S_ISDIR(st.st_mode)
                     ? replay_dir(argv[i], &count, &slowest, slowest_name, sizeof slowest_name)
                     : replay_file(argv[i], &count, &slowest, slowest_name, sizeof slowest_name);
        if (rc != 0)
            return 1;
    }
    if (count == 0) {
        fprintf(stderr, "replay: no input files\n");
        return 1;
    }
    printf("replayed %d input%s; slowest %.3f s (%s)\n", count, count == 1 ? "" : "s", slowest,
           slowest_name);
    if (max_seconds > 0 && slowest > max_seconds) {
        fprintf(stderr, "replay: %s took %.1f s, more than the %.1f s allowed\n", slowest_name,
                slowest, max_seconds);
        return 1;
    }
    return 0;
}
