/* test_atomic_write.c - bq_file_write_atomic from several threads at once
 * under umask 022, while other threads create folders: every file must come
 * out 0644, every folder 0755, no temporary may remain, and a write_fn that
 * fails must leave the target untouched. The umask race this guards against
 * made group/world-writable folders a few times in ten thousand writes. Also
 * bq_file_remove_stale_temps: ours go, look-alikes stay. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "blotquant/blotquant.h"
#include "../check.h"

#define THREADS 4
#define ROUNDS 1000

typedef struct worker {
    const char *dir;
    int id;
    int failures;
} worker_t;

static int write_line(FILE *fp, void *ctx)
{
    fprintf(fp, "%d\n", *(const int *)ctx);
    return 0;
}

static int write_fails(FILE *fp, void *ctx)
{
    fputs("partial", fp);
    return BQ_ERR_INVALID;
}

/* Even ids write files, odd ids make folders: the two that raced. */
static void *work(void *arg)
{
    worker_t *w = arg;
    char path[512];
    for (int i = 0; i < ROUNDS; i++) {
        if (w->id % 2 == 0) {
            snprintf(path, sizeof path, "%s/f%d.csv", w->dir, w->id);
            bq_error_t err = {0};
            w->failures += bq_file_write_atomic(path, write_line, &i, &err) != 0;
            struct stat st;
            w->failures += stat(path, &st) != 0 || (st.st_mode & 07777) != 0644;
        } else {
            snprintf(path, sizeof path, "%s/d%d_%d", w->dir, w->id, i);
            w->failures += mkdir(path, 0777) != 0;
            struct stat st;
            w->failures += stat(path, &st) != 0 || (st.st_mode & 07777) != 0755;
            rmdir(path);
        }
    }
    return NULL;
}

static int count_entries(const char *dir, const char *infix)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        n += strstr(de->d_name, infix) != NULL;
    if (d)
        closedir(d);
    return n;
}

static void test_threads(const char *dir)
{
    pthread_t t[THREADS];
    worker_t w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker_t){dir, i, 0};
        CHECK(pthread_create(&t[i], NULL, work, &w[i]) == 0, "pthread_create");
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        CHECK(w[i].failures == 0, "thread %d: %d writes or modes wrong", i, w[i].failures);
    }
    CHECK(count_entries(dir, ".bq-tmp.") == 0, "temporaries left behind");
}

static void test_failed_write(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/keep.csv", dir);
    int one = 1;
    bq_error_t err = {0};
    CHECK(bq_file_write_atomic(path, write_line, &one, &err) == 0, "write: %s", err.msg);
    CHECK(bq_file_write_atomic(path, write_fails, NULL, &err) == BQ_ERR_INVALID,
          "a failing write_fn must fail");
    FILE *fp = fopen(path, "r");
    char buf[16] = {0};
    CHECK(fp && fgets(buf, sizeof buf, fp) && strcmp(buf, "1\n") == 0,
          "failed write changed the target: '%s'", buf);
    if (fp)
        fclose(fp);
    CHECK(count_entries(dir, ".bq-tmp.") == 0, "failed write left its temporary");
}

/* Create dir/name, last modified age_s seconds ago. */
static void touch(const char *dir, const char *name, long age_s)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    CHECK(fp != NULL, "%s: %s", path, strerror(errno));
    if (fp)
        fclose(fp);
    struct timeval tv[2];
    gettimeofday(&tv[0], NULL);
    tv[0].tv_sec -= age_s;
    tv[1] = tv[0];
    CHECK(utimes(path, tv) == 0, "%s: %s", path, strerror(errno));
}

static int exists(const char *dir, const char *name)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return lstat(path, &st) == 0;
}

static void test_stale(const char *dir)
{
    char sub[512];
    snprintf(sub, sizeof sub, "%s/gel_tif", dir);
    CHECK(mkdir(sub, 0777) == 0, "mkdir %s", sub);
    touch(dir, "bands.csv.bq-tmp.AbC019", 3600);
    touch(sub, "overlay.png.bq-tmp.zzzzzz", 3600);
    /* not ours, or ours but fresh: another writer may be filling it now */
    static const char *const keep[] = {"notes.tmp.txt", "a.bq-tmp.abcde", "a.bq-tmp.abc-12",
                                       ".bq-tmp.ABCDEF", "fit.csv.tmp.ABCDEF",
                                       "normalized.csv.bq-tmp.Fresh1"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        touch(dir, keep[i], i + 1 == sizeof keep / sizeof keep[0] ? 5 : 3600);
    int removed = -1;
    bq_error_t err = {0};
    CHECK(bq_file_remove_stale_temps(dir, &removed, &err) == 0, "remove: %s", err.msg);
    CHECK(removed == 2, "removed %d temporaries, expected 2", removed);
    CHECK(!exists(dir, "bands.csv.bq-tmp.AbC019"), "stale temporary kept");
    CHECK(!exists(sub, "overlay.png.bq-tmp.zzzzzz"), "stale temporary in a sub-folder kept");
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        CHECK(exists(dir, keep[i]), "%s removed, but it is not a stale temporary", keep[i]);
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/bq_atomic_XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    umask(022); /* a test program may set it: it is the whole process */
    test_threads(dir);
    test_failed_write(dir);
    test_stale(dir);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    if (check_failures)
        fprintf(stderr, "%d check(s) failed\n", check_failures);
    return check_failures ? 1 : 0;
}
