/* test_paths.h - the image tests' file names under their scratch folder. */
#ifndef BLOTQUANT_TEST_PATHS_H
#define BLOTQUANT_TEST_PATHS_H

#include <stdio.h>

/* dir/name in one of eight rotating buffers: a call's result stays valid
 * through the next seven calls (a test passes two or three at once). */
static inline const char *test_path(const char *dir, const char *name)
{
    static char buf[8][1200];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

#endif
