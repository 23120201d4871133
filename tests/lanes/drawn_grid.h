/* drawn_grid.h - a lane detector grid (one cell per pixel, every cell
 * membrane of strip 0) whose cells a test draws with a function of the
 * cell's column and row, for tests of single detector stages. Header only,
 * like check.h: each test program is one source file. */
#ifndef BLOTQUANT_TEST_DRAWN_GRID_H
#define BLOTQUANT_TEST_DRAWN_GRID_H

#include <stdlib.h>
#include <string.h>

#include "lanes_internal.h"

/* Fill g (w x h cells) from draw(x, y, ctx). 0, or -1 when out of memory
 * (g then holds nothing to free). */
static int drawn_grid_make(grid_t *g, int w, int h, float (*draw)(int x, int y, int ctx), int ctx)
{
    memset(g, 0, sizeof *g);
    g->w = w;
    g->h = h;
    g->fx = g->fy = 1;
    size_t n = (size_t)w * (size_t)h;
    g->v = calloc(n, sizeof *g->v);
    g->t = calloc(n, sizeof *g->t);
    g->ok = malloc(n);
    g->lab = calloc(n, 1);
    if (!g->v || !g->t || !g->ok || !g->lab) {
        free(g->v);
        free(g->t);
        free(g->ok);
        free(g->lab);
        return -1;
    }
    memset(g->ok, 1, n);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            g->t[(size_t)y * (size_t)w + (size_t)x] = g->v[(size_t)y * (size_t)w + (size_t)x] =
                draw(x, y, ctx);
    return 0;
}

static void drawn_grid_free(grid_t *g)
{
    free(g->v);
    free(g->t);
    free(g->ok);
    free(g->lab);
}

#endif
