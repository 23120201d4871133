/* membrane_internal.h - what the membrane mask's modules share: the picture
 * as a grid of cell means, and the page found at its border. */
#ifndef BLOTQUANT_MEMBRANE_INTERNAL_H
#define BLOTQUANT_MEMBRANE_INTERNAL_H

#include "internal.h"

/* A page cell lies at most this share of the picture's scale off the page
 * level (page_scale in membrane.c says what the scale is). */
#define PAGE_TOL 0.04

typedef struct cells {
    int w, h, f;            /* cells, pixels per cell side */
    float *v;               /* mean of the valid pixels; NAN = none valid */
} cells_t;

/* The page: its level over the grid as a plane (a photo of a film or a
 * printout lit from one side shades its paper evenly across the picture),
 * how far a cell may sit from it and still be page, and whether it lies at
 * an end of the format's range (white paper, a black surround). */
typedef struct page {
    double a, bx, by;       /* level at cell (x, y): a + bx (x - cx) + by (y - cy) */
    double cx, cy;          /* the grid's centre */
    double tol;
    int at_end;
    int light;              /* the page is lighter than most of the picture */
    int shaded;             /* the plane slopes */
} page_t;

static inline double bq_page_at(const page_t *p, double x, double y)
{
    return p->a + p->bx * (x - p->cx) + p->by * (y - p->cy);
}

/* How far cell i of grid c sits from page p. */
static inline double bq_page_off(const cells_t *c, const page_t *p, size_t i)
{
    return c->v[i] - bq_page_at(p, (double)(i % (size_t)c->w), (double)(i / (size_t)c->w));
}

/* The page at the border of grid c: 1 found (*pg set), 0 none, or
 * BQ_ERR_NOMEM. scale is what the tolerances are shares of, full the
 * format's range; shading allows the page to slope. */
int bq_page_find(const cells_t *c, double scale, double full, int shading, page_t *pg);

#endif
