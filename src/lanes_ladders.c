/* lanes_ladders.c - stages 6 and 6b of the lane detector: lanes that hold
 * no samples.
 *
 * Once every strip's lanes are known, a lane with many more bands than the
 * typical lane is a molecular-weight ladder (6: bq_lanes_lane_band_count
 * counts them), and a narrow end lane whose rows are glyphs, not bands, is
 * a column of burned-in labels and is dropped (6b). */
#include <math.h>
#include <string.h>

#include "lanes_internal.h"

/* ---- 6. ladders ------------------------------------------------------- */

/* Count the bands along one lane (peaks of its row profile). */
int bq_lanes_lane_band_count(const grid_t *g, const strip_work_t *sw, const peak_t *l,
                             double *rowp, double *tmp)
{
    int rows = sw->gy1 - sw->gy0 + 1;
    double half = 0.3 * (l->right - l->left);
    if (half < 0.5)
        half = 0.5;
    for (int y = sw->gy0; y <= sw->gy1; y++) {
        double cx = l->pos + sw->slope * (y - sw->yref);
        int x0 = (int)floor(cx - half), x1 = (int)ceil(cx + half);
        double s = 0.0;
        int k = 0;
        for (int x = x0; x <= x1; x++) {
            if (x < 0 || x >= g->w)
                continue;
            s += g->t[(size_t)y * (size_t)g->w + (size_t)x];
            k++;
        }
        rowp[y - sw->gy0] = k ? s / k : 0.0;
    }
    bq_lanes_smooth3(rowp, tmp, rows, 1);
    double mx = 0.0;
    for (int i = 0; i < rows; i++)
        if (rowp[i] > mx)
            mx = rowp[i];
    if (mx <= 0.0)
        return 0;
    double noise = bq_lanes_profile_noise(rowp, 0, rows - 1, tmp);
    peak_t pk[256];
    int n = bq_lanes_find_peaks(rowp, 0, rows - 1, pk, 256);
    int count = 0;
    for (int i = 0; i < n; i++)
        if (pk[i].prom >= 0.15 * mx && pk[i].prom >= 4.0 * noise)
            count++;
    return count;
}

/* A ladder holds many more bands than the typical lane: at least five a
 * strip and twice the lower quartile's count plus two (a lane with a
 * doublet and a smear is no ladder). */
void bq_lanes_ladder_flags(const int *counts, int nl, int ns, int *is_ladder)
{
    double cq[BQ_MAX_LANES];
    for (int i = 0; i < nl; i++)
        cq[i] = counts[i];
    bq_lanes_median(cq, nl); /* sorts */
    double q25 = cq[(nl - 1) / 4];
    for (int i = 0; i < nl; i++)
        is_ladder[i] = nl > 2 && counts[i] >= 5 * ns && counts[i] >= 2.0 * q25 + 2;
}

void bq_lanes_band_counts(const grid_t *g, const strip_work_t *sw, int ns, const peak_t *l, int n,
                          double *rowp, double *tmp, int *counts)
{
    for (int i = 0; i < n; i++) {
        counts[i] = 0;
        for (int s = 0; s < ns; s++) {
            peak_t at = l[i];
            at.pos += sw[s].shift;
            at.left += sw[s].shift;
            at.right += sw[s].shift;
            counts[i] += bq_lanes_lane_band_count(g, &sw[s], &at, rowp, tmp);
        }
    }
}

/* ---- 6b. label columns at the ends ------------------------------------ */

/* Burned-in text beside the membrane's outer lanes (the kDa numbers left of
 * a ladder, the protein names right of the last lane) sits at the band rows
 * and at a lane-like pitch, so its column makes a narrow peak that passes
 * as an end lane. It differs from a lane across the lane: a band is one
 * plateau, a word or a number several glyphs of one or two strokes each,
 * with background between them. */
#define LABEL_WIDTH 0.7   /* an end lane narrower than this times the typical lane may be a label */
#define LABEL_STROKES 3.0 /* ...and is one when its rows show this many strokes (median) */

/* Strokes across [xa, xb] (pixels) on rows y-1..y+1: runs above 65 % of the
 * profile's range, ending below 35 % (hysteresis: noise on a plateau is no
 * new stroke). A range that stays well above bg (the lane's background) is
 * a plateau with a dent, one stroke, and so is a row whose range is
 * within the noise. prof holds 2 (xb - xa + 1). */
static int row_strokes(const bq_image_t *img, int xa, int xb, int y, double bg, double *prof)
{
    int ya = y > 0 ? y - 1 : 0, yb = y + 1 < img->height ? y + 1 : img->height - 1;
    double mn = HUGE_VAL, mx = -HUGE_VAL;
    for (int x = xa; x <= xb; x++) {
        double s = 0.0;
        int k = 0;
        for (int r = ya; r <= yb; r++) {
            float v = img->data[(size_t)r * (size_t)img->width + (size_t)x];
            if (isfinite(v)) {
                s += v;
                k++;
            }
        }
        prof[x - xa] = k ? s / k : NAN;
        if (k) {
            mn = fmin(mn, prof[x - xa]);
            mx = fmax(mx, prof[x - xa]);
        }
    }
    if (!(mx > mn) || mx - mn < 0.5 * (mx - bg))
        return 1;
    /* glyphs stand far out of the noise; a row of noise has many "strokes".
     * The noise from the lower quartile of the steps between neighbours:
     * a row of glyphs is mostly steep edges (all the more after lossy
     * compression rings round them), but its flat stretches still show the
     * noise alone; for noise |N(0, 2 sigma^2)| has its quartile at
     * 0.3186 sqrt(2) sigma. */
    int m = 0;
    double *d = prof + (xb - xa + 1);
    for (int x = xa; x < xb; x++)
        if (!isnan(prof[x - xa]) && !isnan(prof[x + 1 - xa]))
            d[m++] = fabs(prof[x + 1 - xa] - prof[x - xa]);
    double sigma = m > 0 ? bq_quantile_inplace(d, (size_t)m, 0.25) / (0.3186 * sqrt(2.0)) : 0.0;
    if (mx - mn < 10.0 * sigma)
        return 1;
    return bq_count_strokes(prof, (size_t)(xb - xa + 1), mn + 0.35 * (mx - mn),
                            mn + 0.65 * (mx - mn));
}

/* The strokes of lane i of strip st on each of its signal rows (rows where
 * the mean over the window rises 40 % of the way from background to its
 * maximum) go to out. The window is the lane widened to at least one
 * typical lane width (a narrow peak sits on one glyph of the word or
 * number, and a kDa number of three glyphs is about a lane wide), but
 * never into the nearest full-width lanes of lo..hi beside it. rp holds
 * the image height, prof twice the image width. Returns the number of values written (at most cap). */
static int lane_label_strokes(const bq_image_t *img, const bq_strip_t *st, int i, int lo, int hi,
                              double mw, double *rp, double *prof, double *out, int cap)
{
    const bq_lane_t *ln = &st->lanes[i];
    int y0 = st->y_top < 0 ? 0 : st->y_top;
    int y1 = st->y_bottom >= img->height ? img->height - 1 : st->y_bottom;
    if (y1 - y0 < 4)
        return 0;
    double wd = ln->x_right - ln->x_left, c = 0.5 * (ln->x_left + ln->x_right);
    double h = fmax(0.5 * wd, 0.5 * mw);
    double wa = c - h, wb = c + h;
    /* the narrow peaks beside it may be glyphs of the same word: only a
     * lane of full width bounds the window */
    for (int k = i - 1; k >= lo; k--)
        if (st->lanes[k].x_right - st->lanes[k].x_left >= LABEL_WIDTH * mw) {
            wa = fmax(wa, st->lanes[k].x_right);
            break;
        }
    for (int k = i + 1; k <= hi; k++)
        if (st->lanes[k].x_right - st->lanes[k].x_left >= LABEL_WIDTH * mw) {
            wb = fmin(wb, st->lanes[k].x_left);
            break;
        }
    int n = y1 - y0 + 1;
    double mx = -HUGE_VAL;
    for (int y = y0; y <= y1; y++) {
        double dx = ln->slope * (y - ln->y_ref);
        int a = (int)lround(wa + dx), b = (int)lround(wb + dx);
        if (a < 0) a = 0;
        if (b > img->width - 1) b = img->width - 1;
        double s = 0.0;
        int k = 0;
        const float *row = img->data + (size_t)y * (size_t)img->width;
        for (int x = a; x <= b; x++)
            if (isfinite(row[x])) {
                s += row[x];
                k++;
            }
        rp[y - y0] = k && b - a >= 4 ? s / k : NAN;
        if (!isnan(rp[y - y0]))
            mx = fmax(mx, rp[y - y0]);
    }
    /* the background: a low percentile of the row means (prof as scratch) */
    int m = 0;
    for (int y = 0; y < n && m < img->width; y++)
        if (!isnan(rp[y]))
            prof[m++] = rp[y];
    if (m < 5)
        return 0;
    bq_lanes_median(prof, m); /* sorts */
    double bg = prof[m / 10];
    if (!(mx > bg))
        return 0;
    double thr = bg + 0.4 * (mx - bg);
    int nout = 0;
    for (int y = 0; y < n && nout < cap; y++) {
        if (isnan(rp[y]) || rp[y] < thr)
            continue;
        int yy = y0 + y;
        double dx = ln->slope * (yy - ln->y_ref);
        int a = (int)lround(wa + dx), b = (int)lround(wb + dx);
        if (a < 0) a = 0;
        if (b > img->width - 1) b = img->width - 1;
        out[nout++] = row_strokes(img, a, b, yy, bg, prof);
    }
    return nout;
}

/* 1 if lane i (lanes lo..hi still kept) looks like a column of burned-in
 * text in every strip taken together: a glyph's horizontal bars are one
 * stroke on their rows, so the upper quartile over the signal rows, not
 * the median. cnt holds the image height. */
static int lane_is_label(const bq_image_t *img, const bq_lanes_t *res, int i, int lo, int hi,
                         double mw, double *rp, double *prof, double *cnt)
{
    int n = 0;
    for (int s = 0; s < res->n_strips; s++)
        n += lane_label_strokes(img, &res->strips[s], i, lo, hi, mw, rp, prof, cnt + n,
                                img->height - n);
    if (n == 0)
        return 0;
    bq_lanes_median(cnt, n); /* sorts */
    double q = cnt[(3 * (n - 1) + 2) / 4];
    return q >= LABEL_STROKES;
}

/* The typical lane width: the width-weighted median over every strip's
 * lanes (a word beside the lanes can add several narrow peaks, which must
 * not pull the typical width down to theirs). */
static double typical_lane_width(const bq_lanes_t *res)
{
    double w[BQ_MAX_LANES], tot = 0.0;
    int n = res->n_lanes;
    for (int i = 0; i < n; i++) {
        w[i] = 0.0;
        for (int s = 0; s < res->n_strips; s++)
            w[i] += res->strips[s].lanes[i].x_right - res->strips[s].lanes[i].x_left;
        w[i] /= res->n_strips;
        tot += w[i];
    }
    bq_lanes_median(w, n); /* sorts */
    double acc = 0.0;
    for (int i = 0; i < n; i++) {
        acc += w[i];
        if (acc >= 0.5 * tot)
            return w[i];
    }
    return n ? w[n - 1] : 0.0;
}

/* Drop label columns from both ends of an automatic lane set: narrow end
 * lanes (or lanes the comb placed) whose band rows are text, one after the
 * other (a word can make several peaks). Keeps at least two lanes; counts
 * follows the lanes. Returns the new lane count or a negative error. */
int bq_lanes_drop_label_lanes(const bq_image_t *img, bq_lanes_t *res, int *counts,
                              const int *placed)
{
    int nl = res->n_lanes;
    if (nl <= 2)
        return nl;
    double *rp = bq_alloc_array((size_t)img->height + 1, sizeof *rp);
    double *prof = bq_alloc_array(2 * (size_t)img->width + 2, sizeof *prof);
    double *cnt = bq_alloc_array((size_t)img->height + 1, sizeof *cnt);
    if (!rp || !prof || !cnt) {
        free(rp);
        free(prof);
        free(cnt);
        return BQ_ERR_NOMEM;
    }
    double mw = typical_lane_width(res);
    int lo = 0, hi = nl - 1;
    while (hi - lo + 1 > 2) {
        int drop = -1;
        for (int side = 0; side < 2 && drop < 0; side++) {
            int i = side ? hi : lo;
            /* the narrowest strip: beside the membrane's edge a lane's outer
             * side can run on to the edge in one strip */
            double wd = HUGE_VAL;
            for (int s = 0; s < res->n_strips; s++)
                wd = fmin(wd, res->strips[s].lanes[i].x_right - res->strips[s].lanes[i].x_left);
            /* a lane the comb placed has the typical width by construction:
             * only its content can tell text from bands */
            int narrow = wd < LABEL_WIDTH * mw || placed[i];
            if (narrow && lane_is_label(img, res, i, lo, hi, mw, rp, prof, cnt))
                drop = i;
        }
        if (drop < 0)
            break;
        if (drop == lo)
            lo++;
        else
            hi--;
    }
    free(rp);
    free(prof);
    free(cnt);
    return bq_lanes_keep_range(res, counts, lo, hi);
}

int bq_lanes_drop_empty_ends(bq_lanes_t *res, int *counts)
{
    int lo = 0, hi = res->n_lanes - 1;
    while (hi - lo + 1 > 2 && res->strips[0].lanes[lo].is_empty)
        lo++;
    while (hi - lo + 1 > 2 && res->strips[0].lanes[hi].is_empty)
        hi--;
    return bq_lanes_keep_range(res, counts, lo, hi);
}

int bq_lanes_keep_range(bq_lanes_t *res, int *counts, int lo, int hi)
{
    if (lo == 0 && hi == res->n_lanes - 1)
        return res->n_lanes;
    int k = hi - lo + 1;
    for (int s = 0; s < res->n_strips; s++) {
        bq_strip_t *st = &res->strips[s];
        memmove(st->lanes, st->lanes + lo, (size_t)k * sizeof *st->lanes);
        for (int i = 0; i < k; i++)
            st->lanes[i].index = i + 1;
        st->n_lanes = k;
    }
    memmove(counts, counts + lo, (size_t)k * sizeof *counts);
    res->n_lanes = k;
    return k;
}
