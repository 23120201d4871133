/* gel_list.h - finding the gels under a folder, in a deterministic order,
 * with their sample sheets and shard membership. */
#ifndef BLOTQUANT_GEL_LIST_H
#define BLOTQUANT_GEL_LIST_H

#include <stddef.h>

typedef struct gel {
    char *path;     /* as openable: FOLDER/rel */
    char *rel;      /* relative to FOLDER, '/'-separated */
    char *sheet;    /* the sample sheet that applies, or NULL */
    char *outsub;   /* subfolder of the output for this gel (relative) */
} gel_t;

typedef struct gel_list {
    gel_t *gels;
    size_t n, cap;
} gel_list_t;

/* Collect every .tif/.tiff/.png/.gel (any case) under folder, recursively,
 * sorted by relative path (bytewise), skipping the directory `skip_dir`
 * (the output folder when it lies inside; may be NULL) and symbolic links to
 * directories (no loops). Returns 0 or -1 with errno; *msg names the path at
 * fault. */
int gel_list_scan(const char *folder, const char *skip_dir, gel_list_t *list, char **msg);

/* Keep only the gels of shard k (1-based) of n: a hash of the relative path
 * decides, so a gel's shard never depends on which other files exist. */
void gel_list_shard(gel_list_t *list, int k, int n);

void gel_list_free(gel_list_t *list);

#endif
