/* gel_list.c - recursive discovery of gel images for batch. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gel_list.h"

static int has_gel_extension(const char *name)
{
    static const char *const exts[] = {".tif", ".tiff", ".png", ".jpg", ".jpeg", ".gel", ".scn"};
    size_t len = strlen(name);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t el = strlen(exts[i]);
        if (len > el && strcasecmp(name + len - el, exts[i]) == 0)
            return 1;
    }
    return 0;
}

static char *join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);
    if (!s)
        return NULL;
    memcpy(s, a, la);
    size_t k = la;
    if (la > 0 && a[la - 1] != '/')
        s[k++] = '/';
    memcpy(s + k, b, lb + 1);
    return s;
}

/* X.tif takes X.samples.csv beside it, else samples.csv in its folder. */
static char *find_sheet(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    size_t stem = (dot && (!slash || dot > slash)) ? (size_t)(dot - path) : strlen(path);
    char *own = malloc(stem + sizeof ".samples.csv");
    if (!own)
        return NULL;
    memcpy(own, path, stem);
    strcpy(own + stem, ".samples.csv");
    if (access(own, R_OK) == 0)
        return own;
    free(own);
    size_t dir = slash ? (size_t)(slash - path + 1) : 0;
    char *shared = malloc(dir + sizeof "samples.csv");
    if (!shared)
        return NULL;
    memcpy(shared, path, dir);
    strcpy(shared + dir, "samples.csv");
    if (access(shared, R_OK) == 0)
        return shared;
    free(shared);
    return NULL;
}

/* "exp1/gel 3.tif" -> "exp1/gel 3_tif": one folder per gel, and gel.tif and
 * gel.png beside each other still get folders of their own. */
static char *output_subdir(const char *rel)
{
    char *s = strdup(rel);
    if (!s)
        return NULL;
    char *slash = strrchr(s, '/');
    char *dot = strrchr(s, '.');
    if (dot && (!slash || dot > slash))
        *dot = '_';
    return s;
}

static int add_gel(gel_list_t *list, const char *path, const char *rel)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 64;
        gel_t *g = realloc(list->gels, cap * sizeof *g);
        if (!g)
            return -1;
        list->gels = g;
        list->cap = cap;
    }
    gel_t *g = &list->gels[list->n];
    g->path = strdup(path);
    g->rel = strdup(rel);
    g->sheet = find_sheet(path);
    g->outsub = output_subdir(rel);
    if (!g->path || !g->rel || !g->outsub) {
        free(g->path);
        free(g->rel);
        free(g->sheet);
        free(g->outsub);
        errno = ENOMEM;
        return -1;
    }
    list->n++;
    return 0;
}

static int scan_dir(const char *dir, const char *rel, const struct stat *skip, gel_list_t *list,
                    char **msg, int depth)
{
    if (depth > 64) {
        /* deeper than any real folder tree: refuse rather than recurse forever */
        errno = ELOOP;
        *msg = strdup(dir);
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        *msg = strdup(dir);
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue; /* ., .., and hidden files (editor droppings, .DS_Store) */
        char *path = join(dir, e->d_name);
        char *sub = rel[0] ? join(rel, e->d_name) : strdup(e->d_name);
        struct stat st;
        if (!path || !sub) {
            errno = ENOMEM;
            rc = -1;
        } else if (lstat(path, &st) != 0) {
            rc = -1;
            *msg = strdup(path);
        } else if (S_ISDIR(st.st_mode)) {
            if (!(skip && st.st_dev == skip->st_dev && st.st_ino == skip->st_ino)) {
                rc = scan_dir(path, sub, skip, list, msg, depth + 1);
            }
        } else if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) && has_gel_extension(e->d_name)) {
            /* a symlink is taken only if it points at a regular file */
            struct stat target;
            if (stat(path, &target) == 0 && S_ISREG(target.st_mode))
                rc = add_gel(list, path, sub);
        }
        free(path);
        free(sub);
    }
    int e2 = errno;
    closedir(d);
    errno = e2;
    return rc;
}

static int cmp_gel(const void *a, const void *b)
{
    return strcmp(((const gel_t *)a)->rel, ((const gel_t *)b)->rel);
}

int gel_list_scan(const char *folder, const char *skip_dir, gel_list_t *list, char **msg)
{
    struct stat skip_st, *skip = NULL;
    *msg = NULL;
    if (skip_dir && stat(skip_dir, &skip_st) == 0)
        skip = &skip_st;
    int rc = scan_dir(folder, "", skip, list, msg, 0);
    if (rc == 0 && list->n > 1)
        qsort(list->gels, list->n, sizeof *list->gels, cmp_gel);
    return rc;
}

/* FNV-1a: tiny, stable across platforms and releases. */
static uint64_t hash_path(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

void gel_list_shard(gel_list_t *list, int k, int n)
{
    size_t keep = 0;
    for (size_t i = 0; i < list->n; i++) {
        gel_t *g = &list->gels[i];
        if (hash_path(g->rel) % (uint64_t)n == (uint64_t)(k - 1)) {
            list->gels[keep++] = *g;
        } else {
            free(g->path);
            free(g->rel);
            free(g->sheet);
            free(g->outsub);
        }
    }
    list->n = keep;
}

void gel_list_free(gel_list_t *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->gels[i].path);
        free(list->gels[i].rel);
        free(list->gels[i].sheet);
        free(list->gels[i].outsub);
    }
    free(list->gels);
    list->gels = NULL;
    list->n = list->cap = 0;
}
