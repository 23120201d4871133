/* mw_lane.c - molecular weight on a blot: the band peaks along each ladder
 * lane, their calibrations, sizes for the band table, rows named by size.
 *
 * The lane detector marks ladder lanes; the peaks are read here from the
 * lane's own profile (not from the band rows, which follow the samples and
 * miss most markers). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blotquant/mw.h"
#include "internal.h"

/* ---- peaks along a ladder lane ------------------------------------------ */

/* Mean of the valid pixels across the central 60 % of the lane at row y
 * (NAN if none). */
static double lane_row_mean(const bq_image_t *img, const bq_lane_t *ln, int y)
{
    double xl, xr;
    bq_lane_extent_at(ln, y, &xl, &xr);
    double c = 0.5 * (xl + xr), hw = fmax(1.0, 0.3 * (xr - xl));
    int xa = (int)bq_clamp(lround(c - hw), 0, img->width - 1);
    int xb = (int)bq_clamp(lround(c + hw), 0, img->width - 1);
    const float *row = img->data + (size_t)y * (size_t)img->width;
    const uint8_t *vr = img->valid ? img->valid + (size_t)y * (size_t)img->width : NULL;
    double s = 0.0;
    int k = 0;
    for (int x = xa; x <= xb; x++)
        if ((!vr || vr[x]) && isfinite(row[x])) {
            s += row[x];
            k++;
        }
    return k ? s / k : NAN;
}

/* The profile of rows y0..y0+h-1 smoothed ([1 4 6 4 1] / 16) with gaps
 * filled from the previous valid row; p and t hold h each. */
static void lane_profile(const bq_image_t *img, const bq_lane_t *ln, int y0, int h, double *p,
                         double *t)
{
    double last = NAN;
    for (int i = 0; i < h; i++) {
        t[i] = lane_row_mean(img, ln, y0 + i);
        if (isnan(t[i]))
            t[i] = last;
        last = t[i];
    }
    for (int i = h - 1; i >= 0; i--)
        if (isnan(t[i]))
            t[i] = i + 1 < h ? t[i + 1] : 0.0;
    static const double w[5] = {1, 4, 6, 4, 1};
    for (int i = 0; i < h; i++) {
        double s = 0.0;
        for (int j = -2; j <= 2; j++)
            s += w[j + 2] * t[(int)bq_clamp(i + j, 0, h - 1)];
        p[i] = s / 16.0;
    }
}

/* p minus its grey opening with a flat window of 2r+1 rows (what a window
 * wider than a band reaches from below: the background), in place; t holds
 * h. Quadratic in r, and r is tens of rows. */
static void remove_background(double *p, double *t, int h, int r)
{
    double *o = t;
    for (int i = 0; i < h; i++) {
        double m = HUGE_VAL;
        for (int j = i - r; j <= i + r; j++)
            m = fmin(m, p[(int)bq_clamp(j, 0, h - 1)]);
        o[i] = m;
    }
    for (int i = 0; i < h; i++) {
        double m = -HUGE_VAL;
        for (int j = i - r; j <= i + r; j++)
            m = fmax(m, o[(int)bq_clamp(j, 0, h - 1)]);
        p[i] -= m; /* the dilation of row i only reads the erosion, never p */
    }
}

/* Rows of the peaks of residual profile r (h rows starting at y0) that
 * stand out of the noise and of the strongest peak's shadow; sub-pixel by
 * a parabola. Returns how many were written (at most cap). */
static int profile_peaks(const double *r, int h, int y0, double *out, double *height, int cap)
{
    double mx = 0.0, *d = malloc((size_t)h * sizeof *d);
    if (!d)
        return 0;
    int nd = 0;
    for (int i = 0; i < h; i++) {
        mx = fmax(mx, r[i]);
        if (i > 0)
            d[nd++] = fabs(r[i] - r[i - 1]);
    }
    double noise = nd ? 1.4826 * bq_median_inplace(d, (size_t)nd) / sqrt(2.0) : 0.0;
    free(d);
    double thr = fmax(6.0 * noise, 0.05 * mx);
    int n = 0;
    for (int i = 3; i < h - 3 && n < cap; i++) {
        if (r[i] < thr)
            continue;
        int top = 1;
        for (int j = -3; j <= 3 && top; j++)
            if (r[i + j] > r[i] || (j > 0 && r[i + j] == r[i]))
                top = 0;
        if (!top)
            continue;
        double den = r[i - 1] - 2 * r[i] + r[i + 1];
        out[n] = y0 + i + (den < 0 ? 0.5 * (r[i - 1] - r[i + 1]) / den : 0.0);
        height[n++] = r[i];
    }
    return n;
}

/* The rows strip s moves up by in membrane rows: the gaps above it. */
static double strip_shift(const bq_lanes_t *lanes, int s)
{
    double shift = 0.0;
    for (int i = 1; i <= s && i < lanes->n_strips; i++) {
        int gap = lanes->strips[i].y_top - lanes->strips[i - 1].y_bottom - 1;
        shift += gap > 0 ? gap : 0;
    }
    return shift;
}

/* The strip a row belongs to: the last one starting at or above it. */
static int strip_index(const bq_lanes_t *lanes, double y)
{
    int s = 0;
    while (s + 1 < lanes->n_strips && y >= lanes->strips[s + 1].y_top)
        s++;
    return s;
}

double bq_mw_membrane_row(const bq_lanes_t *lanes, double y)
{
    if (!lanes || lanes->n_strips < 2)
        return y;
    return y - strip_shift(lanes, strip_index(lanes, y));
}

double bq_mw_image_row(const bq_lanes_t *lanes, double v)
{
    if (!lanes || lanes->n_strips < 2)
        return v;
    int s = 0;
    while (s + 1 < lanes->n_strips && v + strip_shift(lanes, s + 1) >= lanes->strips[s + 1].y_top)
        s++;
    return v + strip_shift(lanes, s);
}

/* Keep the cap strongest of n peaks (rows y, heights hgt); returns the count. */
static int keep_strongest(double *y, double *hgt, int n, int cap)
{
    while (n > cap) {
        int w = 0;
        for (int i = 1; i < n; i++)
            if (hgt[i] < hgt[w])
                w = i;
        y[w] = y[n - 1];
        hgt[w] = hgt[n - 1];
        n--;
    }
    return n;
}

/* The peaks of ladder lane li in every strip, in membrane rows. Returns
 * the count or BQ_ERR_NOMEM. */
static int ladder_peaks(const bq_image_t *img, const bq_lanes_t *lanes, int li, double *y,
                        double *hgt, int cap)
{
    int n = 0;
    for (int s = 0; s < lanes->n_strips; s++) {
        const bq_strip_t *st = &lanes->strips[s];
        int y0 = st->y_top < 0 ? 0 : st->y_top;
        int y1 = st->y_bottom >= img->height ? img->height - 1 : st->y_bottom;
        int h = y1 - y0 + 1;
        if (h < 16 || li >= st->n_lanes)
            continue;
        double *p = bq_alloc_array((size_t)h, sizeof *p), *t = bq_alloc_array((size_t)h, sizeof *t);
        if (!p || !t) {
            free(p);
            free(t);
            return BQ_ERR_NOMEM;
        }
        lane_profile(img, &st->lanes[li], y0, h, p, t);
        remove_background(p, t, h, (int)bq_clamp(h / 25, 8, 40));
        int k = profile_peaks(p, h, y0, y + n, hgt + n, cap - n);
        for (int i = n; i < n + k; i++)
            y[i] -= strip_shift(lanes, s);
        n += k;
        free(p);
        free(t);
    }
    return n;
}

int bq_mw_calibrate_lanes(const bq_image_t *img, const bq_lanes_t *lanes,
                          const bq_mw_ladder_t *ladder, bq_mw_result_t *out, bq_error_t *err)
{
    if (!out)
        return bq_error_set(err, BQ_ERR_INVALID, "mw: no output");
    memset(out, 0, sizeof *out);
    if (!img || !lanes || !ladder || lanes->n_strips < 1)
        return BQ_OK;
    const bq_strip_t *st0 = &lanes->strips[0];
    for (int li = 0; li < st0->n_lanes && out->n < BQ_MW_MAX_LADDERS; li++) {
        if (!st0->lanes[li].is_ladder)
            continue;
        double y[BQ_MW_MAX_PEAKS], hgt[BQ_MW_MAX_PEAKS];
        int np = ladder_peaks(img, lanes, li, y, hgt, BQ_MW_MAX_PEAKS);
        if (np < 0)
            return bq_error_set(err, np, "mw: out of memory");
        /* a few more peaks than markers leave room for extras; the match
         * tries every pair of them */
        np = keep_strongest(y, hgt, np, ladder->n + 6);
        bq_mw_calib_t *c = &out->calib[out->n];
        if (bq_mw_calibrate(y, np, ladder, c, NULL) != 0) {
            out->n_failed++;
            continue;
        }
        const bq_lane_t *ln = &st0->lanes[li];
        out->lane[out->n] = ln->index > 0 ? ln->index : li + 1;
        out->x[out->n] = 0.5 * (ln->x_left + ln->x_right);
        out->n++;
    }
    return BQ_OK;
}
