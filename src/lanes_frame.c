/* lanes_frame.c - stage 6c of the lane detector: no lane beyond the frame
 * a figure draws round its strips.
 *
 * A journal figure draws a thin box round each strip of membrane and
 * prints the kDa marks and protein names just outside it. The box's side
 * is a thin line down the strip's whole height: on nearly every row of the
 * strip it stands above the pixels a few columns to either side (a ridge).
 * A lane's band is a ridge only on its band rows, a smear or a membrane's
 * edge is a step or a wide rise, not a thin ridge. No lane lies beyond a
 * frame, and none is the frame's line: an end lane with a frame column
 * between its neighbour's band and its own centre (or on it) is dropped,
 * along with the labels it stands on, and the end lanes left stop short
 * of a frame beyond their centres. */
#include <math.h>
#include <stdlib.h>

#include "lanes_internal.h"

#define FRAME_ROWS 0.6      /* share of the strips' rows on which the column is a ridge */
#define FRAME_SAMPLE_ROWS 256 /* rows of a strip looked at, at most (about) */
#define FRAME_REACH 0.08    /* a ridge stands above columns this share of the pitch away... */
#define FRAME_REACH_MIN 2   /* ...and at least this many pixels away */
#define FRAME_CONTRAST 0.15 /* by this share of the strip's range of values */
#define FRAME_INNER 0.35    /* a frame lies this share of the pitch or more past the neighbour's centre */
#define FRAME_OUTER 0.35    /* ...and at most this share of the pitch past the end lane's centre */

static double px(const bq_image_t *img, int x, int y)
{
    if (x < 0 || x >= img->width || y < 0 || y >= img->height)
        return NAN;
    return img->data[(size_t)y * (size_t)img->width + (size_t)x];
}

/* The spread of strip st's values that a frame line must stand out by:
 * FRAME_CONTRAST of the range between its low tenth and its top hundredth
 * (sampled on every fourth pixel of every fourth row). */
static double strip_contrast(const bq_image_t *img, const bq_strip_t *st, double *buf, int cap)
{
    int n = 0;
    for (int y = st->y_top; y <= st->y_bottom && n < cap; y += 4)
        for (int x = 0; x < img->width && n < cap; x += 4) {
            double v = px(img, x, y);
            if (isfinite(v))
                buf[n++] = v;
        }
    if (n < 8)
        return HUGE_VAL;
    double lo = bq_quantile_inplace(buf, (size_t)n, 0.1);
    double hi = bq_quantile_inplace(buf, (size_t)n, 0.99);
    return FRAME_CONTRAST * (hi - lo);
}

/* Is column x a ridge (reach pixels wide either side) on FRAME_ROWS of the
 * rows of most strips? (A strip's rows may run past its box: the labels
 * above the first one, a gap between boxes.) A tall strip is judged on
 * FRAME_SAMPLE_ROWS of its rows spread evenly, which tell the share as
 * well and spare reading a big picture down its columns. */
static int frame_column(const bq_image_t *img, const bq_lanes_t *res, const double *contrast,
                        int x, int reach)
{
    int framed = 0;
    for (int s = 0; s < res->n_strips; s++) {
        const bq_strip_t *st = &res->strips[s];
        long rows = 0, ridge = 0;
        int step = 1 + (st->y_bottom - st->y_top) / FRAME_SAMPLE_ROWS;
        for (int y = st->y_top; y <= st->y_bottom; y += step) {
            double v = px(img, x, y), l = px(img, x - reach, y), r = px(img, x + reach, y);
            rows++;
            if (isfinite(v) && isfinite(l) && isfinite(r) && v - fmax(l, r) > contrast[s])
                ridge++;
        }
        framed += rows > 0 && (double)ridge >= FRAME_ROWS * (double)rows;
    }
    return 2 * framed > res->n_strips;
}

/* Lane i's centre at its reference row, averaged over the strips. */
static double lane_centre(const bq_lanes_t *res, int i)
{
    double c = 0.0;
    for (int s = 0; s < res->n_strips; s++)
        c += 0.5 * (res->strips[s].lanes[i].x_left + res->strips[s].lanes[i].x_right);
    return c / res->n_strips;
}

/* The first frame column met going from column a to column b (either
 * way), or -1. */
static int find_frame(const bq_image_t *img, const bq_lanes_t *res, const double *contrast, int a,
                      int b, int reach)
{
    int step = b >= a ? 1 : -1;
    for (int x = a; x != b + step; x += step)
        if (x >= 0 && x < img->width && frame_column(img, res, contrast, x, reach))
            return x;
    return -1;
}

/* The pitch between end lane i and its neighbour j, and the ridge reach. */
static double end_pitch(const bq_lanes_t *res, int i, int j, int *reach)
{
    double pitch = fabs(lane_centre(res, i) - lane_centre(res, j));
    *reach = (int)lround(fmax(FRAME_REACH_MIN, FRAME_REACH * pitch));
    return pitch;
}

/* Is there a frame column from past the centre of lane j (the end lane's
 * neighbour) to about the centre of end lane i? */
static int framed_out(const bq_image_t *img, const bq_lanes_t *res, const double *contrast, int i,
                      int j)
{
    int reach;
    double pitch = end_pitch(res, i, j, &reach);
    double ci = lane_centre(res, i), cj = lane_centre(res, j), dir = ci > cj ? 1.0 : -1.0;
    return find_frame(img, res, contrast, (int)lround(cj + dir * FRAME_INNER * pitch),
                      (int)lround(ci + dir * FRAME_OUTER * pitch), reach) >= 0;
}

/* End lane i's outer side stops short of a frame column beyond its centre
 * (in every strip): the line is no part of its band. */
static void clip_at_frame(const bq_image_t *img, bq_lanes_t *res, const double *contrast, int i,
                          int j)
{
    int reach;
    double pitch = end_pitch(res, i, j, &reach);
    double ci = lane_centre(res, i), dir = ci > lane_centre(res, j) ? 1.0 : -1.0;
    double outer = ci;
    for (int s = 0; s < res->n_strips; s++) {
        const bq_lane_t *ln = &res->strips[s].lanes[i];
        outer = dir > 0 ? fmax(outer, ln->x_right) : fmin(outer, ln->x_left);
    }
    int xf = find_frame(img, res, contrast, (int)lround(ci + dir * FRAME_OUTER * pitch),
                        (int)lround(outer + dir * reach), reach);
    if (xf < 0)
        return;
    double edge = xf - dir * reach;
    for (int s = 0; s < res->n_strips; s++) {
        bq_lane_t *ln = &res->strips[s].lanes[i];
        if (dir > 0 && ln->x_right > edge)
            ln->x_right = fmax(edge, ln->x_left + 1.0);
        else if (dir < 0 && ln->x_left < edge)
            ln->x_left = fmin(edge, ln->x_right - 1.0);
    }
}

int bq_lanes_drop_framed_out(const bq_image_t *img, bq_lanes_t *res, int *counts)
{
    int nl = res->n_lanes;
    if (nl <= 2 || res->n_strips <= 0 || res->n_strips > LANES_MAX_STRIPS)
        return nl;
    double contrast[LANES_MAX_STRIPS];
    enum { SAMPLES = 16384 };
    double *buf = bq_alloc_array(SAMPLES, sizeof *buf);
    if (!buf)
        return BQ_ERR_NOMEM;
    for (int s = 0; s < res->n_strips; s++)
        contrast[s] = strip_contrast(img, &res->strips[s], buf, SAMPLES);
    free(buf);
    int lo = 0, hi = nl - 1;
    while (hi - lo + 1 > 2 && framed_out(img, res, contrast, lo, lo + 1))
        lo++;
    while (hi - lo + 1 > 2 && framed_out(img, res, contrast, hi, hi - 1))
        hi--;
    clip_at_frame(img, res, contrast, lo, lo + 1);
    clip_at_frame(img, res, contrast, hi, hi - 1);
    return bq_lanes_keep_range(res, counts, lo, hi);
}
