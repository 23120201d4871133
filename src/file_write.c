/* file_write.c - the one way the library writes a file: all or nothing,
 * through a temporary beside the target that is synced and renamed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blotquant/table.h"
#include "internal.h"

/* TARGET + TMP_INFIX + TMP_RANDOM characters of TMP_ALPHABET: a name no
 * other program uses, so stale temporaries can be removed without guessing. */
#define TMP_INFIX ".bq-tmp."
#define TMP_RANDOM 6
#define TMP_ATTEMPTS 100
static const char TMP_ALPHABET[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

int bq_path_is_special(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/* Fill the TMP_RANDOM characters at out. Threads and processes draw
 * different values (counter, pid, clock); a clash only costs a retry, as
 * the file is created with O_EXCL. */
static void tmp_random(char *out)
{
    static atomic_ulong counter;
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    unsigned long long v = (unsigned long long)atomic_fetch_add(&counter, 1) * 0x9E3779B97F4A7C15ull;
    v ^= (unsigned long long)getpid() * 0xBF58476D1CE4E5B9ull;
    v ^= (unsigned long long)t.tv_nsec * 0x94D049BB133111EBull + (unsigned long long)t.tv_sec;
    v ^= v >> 31;
    for (int i = 0; i < TMP_RANDOM; i++) {
        out[i] = TMP_ALPHABET[v % (sizeof TMP_ALPHABET - 1)];
        v /= sizeof TMP_ALPHABET - 1;
    }
}

/* Create a new, empty temporary beside path; *tmp_out (the caller frees it)
 * names it. Mode 0666 goes to open(), so the kernel applies the umask (and
 * a folder's default ACL) exactly as for any new file: reading the umask
 * would mean changing it, which races with every other thread. Returns the
 * descriptor or a negative bq_err. */
static int tmp_create(const char *path, char **tmp_out, bq_error_t *err)
{
    size_t len = strlen(path), size = len + sizeof TMP_INFIX + TMP_RANDOM;
    char *tmp = malloc(size);
    if (!tmp)
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", path);
    memcpy(tmp, path, len);
    memcpy(tmp + len, TMP_INFIX, sizeof TMP_INFIX - 1);
    tmp[size - 1] = '\0';
    for (int attempt = 0; attempt < TMP_ATTEMPTS; attempt++) {
        tmp_random(tmp + len + sizeof TMP_INFIX - 1);
        int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            *tmp_out = tmp;
            return fd;
        }
        if (errno != EEXIST)
            break;
    }
    int e = errno;
    free(tmp);
    return bq_error_set(err, BQ_ERR_IO, "%s: cannot create: %s", path, strerror(e));
}

/* The error of a failed write: write_fn's own message when it left one. */
static int write_failed(const char *path, int rc, int e, bq_error_t *err)
{
    if (rc != 0 && (!err || err->code == 0))
        return bq_error_set(err, rc, "%s: not written: %s", path, bq_strerror(rc));
    if (rc != 0)
        return rc;
    return bq_error_set(err, BQ_ERR_IO, "%s: cannot write: %s", path, strerror(e));
}

/* write_fn under the C locale, so every number the library writes reads
 * back the same whatever locale the program has set. */
static int call_writer(FILE *fp, bq_write_fn write_fn, void *ctx)
{
    locale_t previous = bq_numbers_begin();
    int rc = write_fn(fp, ctx);
    bq_numbers_end(previous);
    return rc;
}

/* A target that exists and is no regular file (/dev/null, a terminal, a
 * named pipe) is written in place: renaming a temporary over it would
 * replace the device or pipe with a file. */
static int write_in_place(const char *path, bq_write_fn write_fn, void *ctx, bq_error_t *err)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return bq_error_set(err, BQ_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    int rc = call_writer(fp, write_fn, ctx);
    int io_failed = fflush(fp) != 0 || ferror(fp);
    int e = errno;
    if (fclose(fp) != 0 && !io_failed) {
        io_failed = 1;
        e = errno;
    }
    return rc != 0 || io_failed ? write_failed(path, rc, e, err) : 0;
}

int bq_file_write_atomic(const char *path, bq_write_fn write_fn, void *ctx, bq_error_t *err)
{
    if (bq_path_is_special(path))
        return write_in_place(path, write_fn, ctx, err);
    char *tmp = NULL;
    int fd = tmp_create(path, &tmp, err);
    if (fd < 0)
        return fd;
    FILE *fp = fdopen(fd, "w");
    if (!fp) {
        int e = errno;
        close(fd);
        unlink(tmp);
        free(tmp);
        return bq_error_set(err, BQ_ERR_IO, "%s: cannot write: %s", path, strerror(e));
    }
    int rc = call_writer(fp, write_fn, ctx);
    /* synced before the rename: after a crash the target is the old file
     * or the whole new one, never a truncated one */
    int io_failed = fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0;
    int e = errno;
    if (fclose(fp) != 0 && !io_failed) {
        io_failed = 1;
        e = errno;
    }
    if (rc == 0 && !io_failed && rename(tmp, path) != 0) {
        e = errno;
        io_failed = 1;
    }
    if (rc != 0 || io_failed) {
        unlink(tmp);
        rc = write_failed(path, rc, e, err);
    }
    free(tmp);
    return rc;
}

/* ---- stale temporaries ------------------------------------------------ */

/* Is name one of ours: a non-empty target name, TMP_INFIX, and exactly
 * TMP_RANDOM characters of TMP_ALPHABET? */
static int is_our_tmp(const char *name)
{
    size_t len = strlen(name), tail = sizeof TMP_INFIX - 1 + TMP_RANDOM;
    if (len <= tail || memcmp(name + len - tail, TMP_INFIX, sizeof TMP_INFIX - 1) != 0)
        return 0;
    const char *r = name + len - TMP_RANDOM;
    return strspn(r, TMP_ALPHABET) == TMP_RANDOM;
}

/* Folders below a batch's output are a gel's outputs, a few levels deep at
 * most; the bound keeps a symlink loop or a huge tree from running away. */
#define STALE_MAX_DEPTH 32

/* A temporary untouched for this long belongs to no live writer: a writer
 * fills its temporary as fast as it can format the file and renames it at
 * once (seconds for the largest report), so a younger one may be another
 * process's file in the making (two batches, or two shards, writing into one
 * folder) and stays. */
#define STALE_AGE_S 600

static int is_stale(const struct stat *st)
{
    return difftime(time(NULL), st->st_mtime) > STALE_AGE_S;
}

static int remove_stale(const char *dir, int depth, int *removed, bq_error_t *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return bq_error_set(err, BQ_ERR_IO, "%s: cannot list: %s", dir, strerror(errno));
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        size_t n = strlen(dir) + strlen(de->d_name) + 2;
        char *path = malloc(n);
        if (!path) {
            rc = bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", dir);
            break;
        }
        snprintf(path, n, "%s/%s", dir, de->d_name);
        struct stat st; /* lstat: a link is neither followed nor removed */
        if (lstat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode) && depth < STALE_MAX_DEPTH)
                rc = remove_stale(path, depth + 1, removed, err);
            else if (S_ISREG(st.st_mode) && is_our_tmp(de->d_name) && is_stale(&st)) {
                if (unlink(path) == 0)
                    (*removed)++;
                else if (errno != ENOENT)
                    rc = bq_error_set(err, BQ_ERR_IO, "%s: cannot remove: %s", path,
                                      strerror(errno));
            }
        }
        free(path);
    }
    closedir(d);
    return rc;
}

int bq_file_remove_stale_temps(const char *dir, int *removed, bq_error_t *err)
{
    int count = 0;
    int rc = dir ? remove_stale(dir, 0, &count, err)
                 : bq_error_set(err, BQ_ERR_INVALID, "no folder given");
    if (removed)
        *removed = count;
    return rc;
}
