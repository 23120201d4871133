/* membrane_page.c - the page at a picture's border, for the membrane mask.
 *
 * A figure crop, an annotated export or a photo of a film shows page
 * (paper, a surround) all round the membrane. The page is the level most
 * of the border ring holds. It need not be flat: a photo or a scan lit
 * from one side shades the paper evenly across the picture, so the level
 * is a plane, its slopes the median slopes along the ring's sides. It is a
 * page when most of the ring lies on that plane and three of the four
 * sides agree with it. */
#include <math.h>
#include <string.h>

#include "membrane_internal.h"

#define PAGE_TOL_MIN 0.01   /* ... and always this much */
#define PAGE_SPREAD 6.0     /* ... or this many robust sigmas of the ring's own spread */
#define PAGE_BORDER 0.6     /* share of the border ring on the page */
#define PAGE_EXTREME 0.12   /* a page at an end of the range lies within this fraction of it */

/* The valid cells of the grid's border ring, as cell indices into idx
 * (room for 2 * (w + h)); returns how many. */
static size_t ring_cells(const cells_t *c, size_t *idx)
{
    size_t k = 0;
    for (int y = 0; y < c->h; y++) {
        int step = y == 0 || y == c->h - 1 ? 1 : c->w - 1; /* whole row, or its two ends */
        for (int x = 0; x < c->w; x += step > 0 ? step : 1) {
            size_t i = (size_t)y * (size_t)c->w + (size_t)x;
            if (!isnan(c->v[i]))
                idx[k++] = i;
        }
    }
    return k;
}

/* The most common level of the ring cells off the page's shading (in 64
 * bins of the scale) into p->a; returns how many ring cells lie in that
 * bin or the two beside it. */
static size_t ring_mode(const cells_t *c, const size_t *idx, size_t n, double scale, page_t *p)
{
    enum { NB = 64 };
    size_t hist[NB] = {0};
    p->a = 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = bq_page_off(c, p, idx[i]);
        hist[(int)bq_clamp(v / scale * NB, 0, NB - 1)]++;
    }
    int mode = 0;
    for (int b = 1; b < NB; b++)
        mode = hist[b] > hist[mode] ? b : mode;
    p->a = (mode + 0.5) / NB * scale;
    return hist[mode] + (mode > 0 ? hist[mode - 1] : 0) + (mode < NB - 1 ? hist[mode + 1] : 0);
}

/* The slopes between the valid cells of a line of len cells (from cell
 * `first`, `stride` apart) and the cells half the line further on, into
 * buf from k; with p, only pairs of cells within tol of the page p.
 * Returns the new count. */
static size_t line_slopes(const cells_t *c, size_t first, size_t stride, int len,
                          const page_t *p, double tol, float *buf, size_t k)
{
    int d = len / 2;
    for (int i = 0; d > 0 && i + d < len; i++) {
        size_t a = first + (size_t)i * stride, b = first + (size_t)(i + d) * stride;
        float u = c->v[a], v = c->v[b];
        if (isnan(u) || isnan(v))
            continue;
        if (p && (fabs(bq_page_off(c, p, a)) > tol || fabs(bq_page_off(c, p, b)) > tol))
            continue;
        buf[k++] = (v - u) / (float)d;
    }
    return k;
}

/* The page's shading: its slope across the grid (top and bottom rows) and
 * down it (left and right columns), each the median over both lines (the
 * labels on the page, and a membrane reaching part of a side, do not move
 * it); with on, only over pairs of cells within tol of that page (the
 * membrane along a whole side shades differently). Both 0 when the
 * shading over the picture stays within flat: a flat page is exactly one
 * level. buf holds w + h. */
static void page_slopes(const cells_t *c, double flat, const page_t *on, double tol, page_t *p,
                        float *buf)
{
    size_t w = (size_t)c->w, h = (size_t)c->h;
    size_t k = line_slopes(c, 0, 1, c->w, on, tol, buf, 0);
    k = line_slopes(c, (h - 1) * w, 1, c->w, on, tol, buf, k);
    double bx = k ? bq_select_nth_float(buf, k, k / 2) : 0.0;
    k = line_slopes(c, 0, w, c->h, on, tol, buf, 0);
    k = line_slopes(c, w - 1, w, c->h, on, tol, buf, k);
    double by = k ? bq_select_nth_float(buf, k, k / 2) : 0.0;
    int sloped = fabs(bx) * c->w > flat || fabs(by) * c->h > flat;
    p->bx = sloped ? bx : 0.0;
    p->by = sloped ? by : 0.0;
}

/* Median of the residuals from the page of the valid cells of one side of
 * the grid (0 top, 1 bottom, 2 left, 3 right); NAN if none. buf holds a
 * side. */
static double side_residual(const cells_t *c, const page_t *p, int side, float *buf)
{
    int len = side < 2 ? c->w : c->h;
    size_t k = 0;
    for (int i = 0; i < len; i++) {
        int x = side < 2 ? i : (side == 2 ? 0 : c->w - 1);
        int y = side < 2 ? (side == 0 ? 0 : c->h - 1) : i;
        float v = c->v[(size_t)y * (size_t)c->w + (size_t)x];
        if (!isnan(v))
            buf[k++] = (float)(v - bq_page_at(p, x, y));
    }
    return k ? bq_select_nth_float(buf, k, k / 2) : NAN;
}

/* A page runs all round: at least three sides of the border sit within
 * tol of it (a membrane may reach the fourth). */
static int sides_agree(const cells_t *c, const page_t *p, double tol, float *buf)
{
    int agree = 0;
    for (int side = 0; side < 4; side++) {
        double m = side_residual(c, p, side, buf);
        agree += !isnan(m) && fabs(m) <= tol;
    }
    return agree >= 3;
}

/* How far a cell may sit from the page and still be page: the ring's own
 * spread around it (PAGE_SPREAD robust sigmas: paper grain, a tray's
 * noise), at least PAGE_TOL_MIN of the scale (JPEG ringing on a white
 * page), at most PAGE_TOL of it. buf holds n. */
static double page_tolerance(const cells_t *c, const size_t *idx, size_t n, const page_t *p,
                             double scale, float *buf)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(bq_page_off(c, p, idx[i]));
        if (d <= PAGE_TOL * scale)
            buf[k++] = (float)d;
    }
    double tol = k ? PAGE_SPREAD * 1.4826 * bq_select_nth_float(buf, k, k / 2) : 0.0;
    return bq_clamp(tol, PAGE_TOL_MIN * scale, PAGE_TOL * scale);
}

/* Is the page lighter than most of the picture? */
static int page_is_light(const cells_t *c, const page_t *p, float *buf)
{
    size_t n = (size_t)c->w * (size_t)c->h, k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(c->v[i]))
            buf[k++] = c->v[i];
    return k == 0 || p->a > bq_select_nth_float(buf, k, k / 2);
}

int bq_page_find(const cells_t *c, double scale, double full, int shading, page_t *pg)
{
    size_t cap = 2 * ((size_t)c->w + (size_t)c->h), all = (size_t)c->w * (size_t)c->h;
    size_t *idx = bq_alloc_array(cap, sizeof *idx);
    float *buf = bq_alloc_array(all > cap ? all : cap, sizeof *buf);
    if (!idx || !buf) {
        free(idx);
        free(buf);
        return BQ_ERR_NOMEM;
    }
    page_t p;
    memset(&p, 0, sizeof p);
    p.cx = 0.5 * (c->w - 1);
    p.cy = 0.5 * (c->h - 1);
    size_t n = ring_cells(c, idx), on = 0;
    int found = 0;
    if (n > 0) {
        on = ring_mode(c, idx, n, scale, &p);
        /* the slopes over the whole sides, then over the page found so */
        for (int round = 0; shading && round < 2; round++) {
            page_t seen = p;
            page_slopes(c, PAGE_TOL_MIN * scale, round ? &seen : NULL, PAGE_TOL * scale, &p, buf);
            on = ring_mode(c, idx, n, scale, &p);
        }
        found = (double)on >= PAGE_BORDER * (double)n &&
                sides_agree(c, &p, PAGE_TOL_MIN * scale, buf);
    }
    if (found) {
        p.tol = page_tolerance(c, idx, n, &p, scale, buf);
        p.at_end = p.a <= PAGE_EXTREME * full || p.a >= (1.0 - PAGE_EXTREME) * full;
        p.light = page_is_light(c, &p, buf);
        p.shaded = p.bx != 0.0 || p.by != 0.0;
        *pg = p;
    }
    free(idx);
    free(buf);
    return found;
}
