/* lanes_tray.c - stage 1b of the lane detector: trays and strip gaps.
 *
 * A membrane imaged on a darker tray (or a white page, inverted) and a blot
 * cut into strips laid side by side show steps down from the membrane
 * background that the margin flood of stage 1 does not catch: the tray is
 * not exactly black, the gaps are not exactly uniform. This stage masks the
 * tray around the membrane and the gaps between strips, labels every cell
 * with its strip (gapline_t gives the gaps' lines), and shrinks the box to
 * the membrane. */
#include <math.h>
#include <string.h>

#include "lanes_internal.h"

#define TRAY_STEP 4.0           /* a membrane edge: a step this many times the usual change */

/* ---- 1b. trays and strip gaps ---------------------------------------- */

/* The q-quantile of the ok cells of one row (dir 0) or column (dir 1) of
 * the box, or NAN when too few cells are ok. */
static double line_quantile(const grid_t *g, int dir, int k, int a, int b, double q, float *buf)
{
    size_t m = 0;
    for (int j = a; j <= b; j++) {
        size_t i = dir == 0 ? (size_t)k * (size_t)g->w + (size_t)j : (size_t)j * (size_t)g->w + (size_t)k;
        if (g->ok[i])
            buf[m++] = g->v[i];
    }
    if (m * 4 < (size_t)(b - a + 1) || m == 0)
        return NAN;
    return bq_lanes_quantile_f(buf, m, q);
}

/* Steps of a line profile: d[i] = p[i+3] - p[i-3] (a tilted edge spreads
 * over a few cells); returns the robust scale of d (gradients and lanes are
 * slow, a membrane edge is a jump). */
static double step_profile(const double *p, int n, double *d, double *tmp)
{
    int m = 0;
    for (int i = 0; i < n; i++) {
        int a = i - 3 < 0 ? 0 : i - 3, b = i + 3 > n - 1 ? n - 1 : i + 3;
        d[i] = (isfinite(p[a]) && isfinite(p[b])) ? p[b] - p[a] : 0.0;
        if (i > 0 && i < n - 1)
            tmp[m++] = fabs(d[i]);
    }
    return m > 0 ? 1.4826 * bq_lanes_median(tmp, m) : 0.0;
}

/* The membrane edge nearest one end of a line profile (from = 0: the start,
 * the step goes up; from = 1: the end, the step goes down), or -1. An edge is
 * the largest step in the outer 30 %, above the noise, with a flat run of
 * tray before it that lies clearly below the membrane after it (the edge of
 * a lane rises from membrane background, not from below it). Returns the
 * first membrane cell. */
static int find_edge(const double *p, const double *d, int n, int from, double thr, double *step,
                     double *tray)
{
    int lim = n * 3 / 10, bi = -1;
    double best = thr;
    for (int k = 1; k < lim; k++) {
        int i = from ? n - 1 - k : k;
        double v = from ? -d[i] : d[i];
        if (v > best) {
            best = v;
            bi = i;
        }
    }
    if (bi < 0)
        return -1;
    /* tray side: from the end to 4 cells short of the step */
    int t0 = from ? bi + 4 : 0, t1 = from ? n - 1 : bi - 4;
    int m0 = from ? bi - 4 - n / 10 : bi + 4, m1 = from ? bi - 4 : bi + 4 + n / 10;
    if (t1 < t0) {
        t0 = t1 = from ? n - 1 : 0;
    }
    if (m0 < 0) m0 = 0;
    if (m1 > n - 1) m1 = n - 1;
    double tmin = HUGE_VAL, tmax = -HUGE_VAL, tsum = 0.0, mmin = HUGE_VAL;
    int tn = 0;
    for (int i = t0; i <= t1; i++)
        if (isfinite(p[i])) {
            tmin = fmin(tmin, p[i]);
            tmax = fmax(tmax, p[i]);
            tsum += p[i];
            tn++;
        }
    for (int i = m0; i <= m1; i++)
        if (isfinite(p[i]))
            mmin = fmin(mmin, p[i]);
    if (tn == 0 || !isfinite(mmin))
        return -1;
    if (tmax - tmin > 0.5 * best || tsum / tn > mmin - 0.5 * best)
        return -1;
    *step = best;
    *tray = tsum / tn;
    return from ? bi - 2 : bi + 2;
}

/* Cell (x, y) at depth k from side s of the box (0 top, 1 bottom, 2 left,
 * 3 right), at position a along that side. */
static size_t side_cell(const grid_t *g, int s, int a, int k, int bx0, int by0, int bx1, int by1)
{
    int x = s == 2 ? bx0 + k : s == 3 ? bx1 - k : a;
    int y = s == 0 ? by0 + k : s == 1 ? by1 - k : a;
    return (size_t)y * (size_t)g->w + (size_t)x;
}

/* Mask the tray along one side cell by cell: a tilted membrane meets the
 * tray at a different depth in every column (row). Along each line, cells
 * stay tray while they are below the outermost cell + step/2, but only where
 * the outermost cell is clearly below the membrane just inside the edge
 * found in the profile (depth e). Returns the smallest depth of membrane. */
static int mask_side(grid_t *g, int s, int e, double step, double tray, int a0, int a1, int bx0,
                     int by0, int bx1, int by1, int *depths)
{
    int depth_max = s < 2 ? (by1 - by0 + 1) * 35 / 100 : (bx1 - bx0 + 1) * 35 / 100;
    int ref_k = e + 3 < depth_max ? e + 3 : depth_max;
    int nd = 0;
    for (int a = a0; a <= a1; a++) {
        size_t o = side_cell(g, s, a, 0, bx0, by0, bx1, by1);
        size_t r = side_cell(g, s, a, ref_k, bx0, by0, bx1, by1);
        if (!g->ok[o] || !g->ok[r])
            continue;
        if (g->v[r] < tray + 0.5 * step)
            continue; /* tray all along: a line beside the membrane */
        if (g->v[o] > g->v[r] - 0.5 * step) {
            depths[nd++] = 0; /* membrane reaches the border here */
            continue;
        }
        double lim = g->v[o] + 0.5 * step;
        int k = 0;
        for (; k < depth_max; k++) {
            size_t i = side_cell(g, s, a, k, bx0, by0, bx1, by1);
            if (g->ok[i] && g->v[i] >= lim) {
                /* three in a row: a speck in the tray is not membrane */
                size_t i1 = side_cell(g, s, a, k + 1, bx0, by0, bx1, by1);
                size_t i2 = side_cell(g, s, a, k + 2, bx0, by0, bx1, by1);
                if (g->ok[i1] && g->v[i1] >= lim && g->ok[i2] && g->v[i2] >= lim)
                    break;
            }
            g->ok[i] = 0;
        }
        depths[nd++] = k;
    }
    if (nd == 0)
        return 0;
    /* the box keeps (nearly) all membrane: a low quantile, not the minimum,
     * so one odd line does not undo the rest */
    for (int i = 1; i < nd; i++) {
        int x = depths[i], j = i - 1;
        while (j >= 0 && depths[j] > x) {
            depths[j + 1] = depths[j];
            j--;
        }
        depths[j + 1] = x;
    }
    return depths[nd / 5];
}

/* A dark run of rows in one vertical slab of the box. */
typedef struct gapcand {
    double x, y, y0, y1;
    int slab, used;
} gapcand_t;

/* The finite values of a window sliding along a profile, kept sorted: a
 * row in, a row out, instead of sorting the whole window again at every
 * row. Its quantiles are bq_quantile_inplace's of the same values. */
typedef struct sorted_win {
    double *v; /* room for the largest window */
    int n;
} sorted_win_t;

static void win_add(sorted_win_t *w, double x)
{
    if (!isfinite(x))
        return;
    int lo = 0, hi = w->n; /* after the values <= x */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (w->v[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    memmove(w->v + lo + 1, w->v + lo, (size_t)(w->n - lo) * sizeof *w->v);
    w->v[lo] = x;
    w->n++;
}

static void win_remove(sorted_win_t *w, double x)
{
    if (!isfinite(x))
        return;
    int lo = 0, hi = w->n; /* the first value >= x */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (w->v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* the very value among the equal ones (0.0 and -0.0 compare equal) */
    int i = lo;
    while (i < w->n && w->v[i] == x && memcmp(&w->v[i], &x, sizeof x) != 0)
        i++;
    if (i >= w->n || w->v[i] != x)
        i = lo;
    if (i >= w->n || w->v[i] != x)
        return; /* not there: nothing to take out */
    memmove(w->v + i, w->v + i + 1, (size_t)(w->n - i - 1) * sizeof *w->v);
    w->n--;
}

/* The lower quartile with bq_quantile_inplace's interpolation, NAN when
 * the window holds no value. */
static double win_quartile(const sorted_win_t *w)
{
    if (w->n == 0)
        return NAN;
    double pos = 0.25 * (double)(w->n - 1);
    size_t i = (size_t)pos;
    double frac = pos - (double)i;
    if (i + 1 < (size_t)w->n)
        return w->v[i] * (1.0 - frac) + w->v[i + 1] * frac;
    return w->v[i];
}

/* The dark runs of rows in slab k (columns xa..xb) of the box's h rows from
 * by0: runs darker than the membrane on both sides, R rows at most, not at
 * the slab's ends, appended to c[nc..ccap). p, tmp and tmp2 hold h values,
 * buf the slab's width. Returns the new nc. */
static int slab_gap_runs(const grid_t *g, int k, int xa, int xb, int by0, int h, int R,
                         double *p, double *tmp, double *tmp2, float *buf, gapcand_t *c,
                         int nc, int ccap)
{
    int first = -1, last = -1;
    for (int y = 0; y < h; y++) {
        p[y] = line_quantile(g, 0, by0 + y, xa, xb, 0.15, buf);
        if (isfinite(p[y])) {
            if (first < 0)
                first = y;
            last = y;
        }
    }
    if (first < 0)
        return nc;
    int m = 0;
    for (int y = first; y < last; y++)
        if (isfinite(p[y]) && isfinite(p[y + 1]))
            tmp[m++] = fabs(p[y + 1] - p[y]);
    double noise = m > 0 ? 1.4826 * bq_lanes_median(tmp, m) / sqrt(2.0) : 0.0;
    m = 0;
    for (int y = first; y <= last; y++)
        if (isfinite(p[y]))
            tmp[m++] = p[y];
    double level = bq_lanes_median(tmp, m);
    double lo = tmp[0];
    /* a gap goes down to the tray: far below the membrane, not a
     * noise-deep dip */
    double thr = fmax(8.0 * noise, 0.3 * (level - lo));
    if (!(thr > 0.0))
        return nc;
    int r0 = -1;
    /* the rows first..y-1 within R above y, and y+1..last within R
     * below it; tmp is free again */
    sorted_win_t left = {tmp, 0}, right = {tmp2, 0};
    for (int j = first + 2; j <= last && j <= first + 1 + R; j++)
        win_add(&right, p[j]);
    for (int y = first + 1; y <= last; y++) {
        int dark = 0;
        win_add(&left, p[y - 1]);
        if (y - R - 1 >= first)
            win_remove(&left, p[y - R - 1]);
        if (y > first + 1) {
            win_remove(&right, p[y]);
            if (y + R <= last)
                win_add(&right, p[y + R]);
        }
        /* the membrane on each side: a low quartile of its rows, not
         * their maximum. Band rows lift this profile a little (band
         * edges reach between the lanes), so the plain membrane between
         * two band rows is darker than both neighbours without being a
         * gap; a gap is darker than the plain membrane itself. */
        double lq = win_quartile(&left);
        double rq = win_quartile(&right);
        if (isfinite(lq) && isfinite(rq))
            dark = !isfinite(p[y]) || (fmin(lq, rq) - p[y] > thr && level - p[y] > thr);
        if (dark && r0 < 0)
            r0 = y;
        if ((!dark || y == last) && r0 >= 0) {
            int r1 = dark ? y : y - 1;
            if (r1 - r0 + 1 <= R && r0 > first && r1 < last && nc < ccap) {
                c[nc].x = 0.5 * (xa + xb);
                c[nc].y = 0.5 * (r0 + r1) + by0;
                c[nc].y0 = r0 + by0;
                c[nc].y1 = r1 + by0;
                c[nc].slab = k;
                c[nc].used = 0;
                nc++;
            }
            r0 = -1;
        }
    }
    return nc;
}

/* Gap lines through the runs c[0..nc) of ns slabs that line up, within the
 * steepest tilt bmax, across at least need slabs; a line that leaves no
 * strip on either side of it in the box rows by0..by1 is not kept. Marks
 * the runs it uses. Returns the number of lines in gl (at most cap), in the
 * order found. */
static int line_up_runs(gapcand_t *c, int nc, int ns, double bmax, int need, int by0, int by1,
                        gapline_t *gl, int cap)
{
    int h = by1 - by0 + 1;
    int ng = 0;
    while (ng < cap) {
        int best = -1, best_sup = 0;
        for (int i = 0; i < nc; i++) {
            if (c[i].used)
                continue;
            uint32_t slabs = 0;
            for (int j = 0; j < nc; j++)
                if (!c[j].used && fabs(c[j].y - c[i].y) <= bmax * fabs(c[j].x - c[i].x) + 2.0)
                    slabs |= 1u << c[j].slab;
            int sup = __builtin_popcount(slabs);
            if (sup > best_sup) {
                best_sup = sup;
                best = i;
            }
        }
        if (best < 0 || best_sup < need)
            break;
        /* one run per slab, the nearest; least-squares line through them */
        int mem[8];
        int nm = 0;
        for (int k = 0; k < ns; k++) {
            int bi = -1;
            for (int j = 0; j < nc; j++) {
                if (c[j].used || c[j].slab != k ||
                    fabs(c[j].y - c[best].y) > bmax * fabs(c[j].x - c[best].x) + 2.0)
                    continue;
                if (bi < 0 || fabs(c[j].y - c[best].y) < fabs(c[bi].y - c[best].y))
                    bi = j;
            }
            if (bi >= 0)
                mem[nm++] = bi;
        }
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int i = 0; i < nm; i++) {
            sx += c[mem[i]].x;
            sy += c[mem[i]].y;
        }
        double xc = sx / nm, yc = sy / nm;
        for (int i = 0; i < nm; i++) {
            double dx = c[mem[i]].x - xc;
            sxx += dx * dx;
            sxy += dx * (c[mem[i]].y - yc);
        }
        double b = sxx > 0.0 ? bq_clamp(sxy / sxx, -bmax, bmax) : 0.0;
        double up[8], down[8];
        for (int i = 0; i < nm; i++) {
            double yl = yc + b * (c[mem[i]].x - xc);
            up[i] = yl - c[mem[i]].y0;
            down[i] = c[mem[i]].y1 - yl;
        }
        gl[ng].a = yc;
        gl[ng].b = b;
        gl[ng].xc = xc;
        gl[ng].up = fmax(bq_lanes_median(up, nm), 0.5);
        gl[ng].down = fmax(bq_lanes_median(down, nm), 0.5);
        /* a strip must remain on both sides */
        if (yc - gl[ng].up - by0 >= h / 25 && by1 - (yc + gl[ng].down) >= h / 25)
            ng++;
        for (int j = 0; j < nc; j++)
            if (fabs(c[j].y - (yc + b * (c[j].x - xc))) <= 2.0 + 0.5 * (c[j].y1 - c[j].y0))
                c[j].used = 1;
        c[best].used = 1;
        for (int i = 0; i < nm; i++)
            c[mem[i]].used = 1;
    }
    return ng;
}

/* Gaps between cut strips. Strips are laid down by hand, each a little
 * tilted, so a gap is rarely level: over the whole width it can drift by
 * more than its own height and no row crosses it. In a slab of a few
 * hundred pixels it is level enough, so each slab's row profile (a low
 * quantile: band rows still show the membrane between the lanes) is searched
 * for runs darker than the membrane on both sides, and runs that line up
 * across most slabs make a gap. Returns the number of gaps, sorted top to
 * bottom. */
static int find_gaps(const grid_t *g, int bx0, int by0, int bx1, int by1, gapline_t *gl, int cap)
{
    int w = bx1 - bx0 + 1, h = by1 - by0 + 1;
    if (h < 16 || w < 24)
        return 0;
    int ns = w / 40;
    if (ns < 3) ns = 3;
    if (ns > 8) ns = 8;
    int R = h / 4;
    double *p = bq_alloc_array((size_t)h, sizeof *p);
    double *tmp = bq_alloc_array((size_t)h, sizeof *tmp);
    double *tmp2 = bq_alloc_array((size_t)h, sizeof *tmp2);
    float *buf = bq_alloc_array((size_t)w, sizeof *buf);
    int ccap = ns * 16, nc = 0;
    gapcand_t *c = bq_alloc_array((size_t)ccap, sizeof *c);
    int ng = 0;
    if (!p || !tmp || !tmp2 || !buf || !c)
        goto done;
    for (int k = 0; k < ns; k++) {
        int xa = bx0 + k * w / ns, xb = bx0 + (k + 1) * w / ns - 1;
        nc = slab_gap_runs(g, k, xa, xb, by0, h, R, p, tmp, tmp2, buf, c, nc, ccap);
    }
    /* runs that line up, within the steepest tilt, across most slabs */
    double bmax = MAX_TILT * g->fx / g->fy;
    int need = ns / 2 + 1;
    ng = line_up_runs(c, nc, ns, bmax, need, by0, by1, gl, cap);
    for (int i = 1; i < ng; i++) {
        gapline_t x = gl[i];
        int j = i - 1;
        while (j >= 0 && gl[j].a > x.a) {
            gl[j + 1] = gl[j];
            j--;
        }
        gl[j + 1] = x;
    }
done:
    free(p);
    free(tmp);
    free(tmp2);
    free(buf);
    free(c);
    return ng;
}

/* Mask the tray beside one strip (right = 0: left side), row by row: a
 * tilted strip meets the tray at a different column in every row. Like
 * mask_side, but only the strip's own cells count. */
static void mask_strip_side(grid_t *g, int s, int right, int e, double step, int sy0, int sy1,
                            int bx0, int bx1)
{
    int w = bx1 - bx0 + 1;
    int depth_max = w * 35 / 100;
    int ref_k = e + 3 < depth_max ? e + 3 : depth_max;
    for (int y = sy0; y <= sy1; y++) {
        size_t row = (size_t)y * (size_t)g->w;
#define CELL(k) (row + (size_t)(right ? bx1 - (k) : bx0 + (k)))
        int k0 = 0;
        while (k0 < depth_max && g->lab[CELL(k0)] != s)
            k0++;
        if (k0 >= depth_max || k0 + ref_k >= w)
            continue;
        size_t o = CELL(k0), r = CELL(k0 + ref_k);
        if (!g->ok[o] || !g->ok[r] || g->lab[r] != s || g->v[o] > g->v[r] - 0.5 * step)
            continue;
        double lim = g->v[o] + 0.5 * step;
        /* membrane starts where three cells in a row are above the
         * limit: a speck of dust in the tray is not membrane */
        for (int k = k0; k < depth_max; k++) {
            size_t i = CELL(k);
            if (g->lab[i] != s)
                continue;
            if (g->ok[i] && g->v[i] >= lim && k + 2 < w) {
                size_t i1 = CELL(k + 1), i2 = CELL(k + 2);
                if (g->ok[i1] && g->v[i1] >= lim && g->ok[i2] && g->v[i2] >= lim)
                    break;
            }
            g->ok[i] = 0;
        }
#undef CELL
    }
}

/* Top and bottom of the membrane from row medians over the whole width:
 * rows beyond a tray's edge are masked and *by0, *by1 move to the
 * membrane. p, d, tmp, buf and depths hold the grid's longer side. */
static void tray_top_bottom(grid_t *g, int bx0, int *by0, int bx1, int *by1, double *p,
                            double *d, double *tmp, float *buf, int *depths)
{
    /* top and bottom: row medians over the whole width */
    int h = *by1 - *by0 + 1;
    for (int y = *by0; y <= *by1; y++)
        p[y - *by0] = line_quantile(g, 0, y, bx0, bx1, 0.5, buf);
    double sd = step_profile(p, h, d, tmp);
    double thr = TRAY_STEP * sd;
    int yt = *by0, yb = *by1;
    if (h >= 12 && thr > 0.0) {
        double st = 0.0, tr = 0.0;
        int e = find_edge(p, d, h, 0, thr, &st, &tr);
        if (e >= 0)
            yt = *by0 + mask_side(g, 0, e, st, tr, bx0, bx1, bx0, *by0, bx1, *by1, depths);
        e = find_edge(p, d, h, 1, thr, &st, &tr);
        if (e >= 0)
            yb = *by1 - mask_side(g, 1, h - 1 - e, st, tr, bx0, bx1, bx0, *by0, bx1, *by1,
                                  depths);
    }
    for (int y = 0; y < g->h; y++)
        for (int x = 0; x < g->w; x++)
            if (y < yt || y > yb)
                g->ok[(size_t)y * (size_t)g->w + (size_t)x] = 0;
    *by0 = yt;
    *by1 = yb;
}

/* Mask the cells of the gaps gl[0..ng) and label every other cell with its
 * strip: the number of gap lines above it. */
static void label_strips(grid_t *g, const gapline_t *gl, int ng)
{
    for (int y = 0; y < g->h; y++)
        for (int x = 0; x < g->w; x++) {
            size_t i = (size_t)y * (size_t)g->w + (size_t)x;
            int s = 0, in_gap = 0;
            for (int k = 0; k < ng; k++) {
                double cy = gl[k].a + gl[k].b * (x - gl[k].xc);
                if (y >= cy - gl[k].up - 1.0 && y <= cy + gl[k].down + 1.0)
                    in_gap = 1;
                else if (y > cy)
                    s = k + 1;
            }
            if (in_gap) {
                g->ok[i] = 0;
                g->lab[i] = NO_STRIP;
            } else {
                g->lab[i] = (uint8_t)s;
            }
        }
}

/* The tray left and right of strip s, from a low quantile of each column
 * of the strip's own cells in the box. p, d, tmp and buf hold the grid's
 * longer side. */
static void tray_strip_sides(grid_t *g, int s, int bx0, int by0, int bx1, int by1, double *p,
                             double *d, double *tmp, float *buf)
{
    int w = bx1 - bx0 + 1;
    int sy0 = g->h, sy1 = -1;
    for (int y = by0; y <= by1; y++)
        for (int x = bx0; x <= bx1; x++)
            if (g->lab[(size_t)y * (size_t)g->w + (size_t)x] == s) {
                if (y < sy0) sy0 = y;
                if (y > sy1) sy1 = y;
                break;
            }
    if (sy1 < sy0)
        return;
    for (int x = bx0; x <= bx1; x++) {
        size_t m = 0;
        for (int y = sy0; y <= sy1; y++) {
            size_t i = (size_t)y * (size_t)g->w + (size_t)x;
            if (g->ok[i] && g->lab[i] == s)
                buf[m++] = g->v[i];
        }
        p[x - bx0] = m * 4 >= (size_t)(sy1 - sy0 + 1) && m > 0 ? bq_lanes_quantile_f(buf, m, 0.3)
                                                               : NAN;
    }
    double sd = step_profile(p, w, d, tmp);
    double thr = TRAY_STEP * sd;
    if (!(thr > 0.0))
        return;
    double st = 0.0, tr = 0.0;
    int e = find_edge(p, d, w, 0, thr, &st, &tr);
    if (e >= 0)
        mask_strip_side(g, s, 0, e, st, sy0, sy1, bx0, bx1);
    e = find_edge(p, d, w, 1, thr, &st, &tr);
    if (e >= 0)
        mask_strip_side(g, s, 1, w - 1 - e, st, sy0, sy1, bx0, bx1);
}

/* Shrink the box to the rows and columns that are mostly membrane, and mask
 * the cells outside it. */
static void shrink_box(grid_t *g, int *bx0, int *by0, int *bx1, int *by1)
{
    int w = *bx1 - *bx0 + 1;
    /* the box: rows and columns that are mostly membrane (a speck or a
     * label left in the tray must not widen it) */
    int nx0 = -1, nx1 = -1, ny0 = -1, ny1 = -1;
    for (int y = *by0; y <= *by1; y++) {
        int k = 0;
        for (int x = *bx0; x <= *bx1; x++)
            k += g->ok[(size_t)y * (size_t)g->w + (size_t)x];
        if (k * 10 >= w * 3) {
            if (ny0 < 0)
                ny0 = y;
            ny1 = y;
        }
    }
    for (int x = *bx0; x <= *bx1; x++) {
        int k = 0;
        for (int y = *by0; y <= *by1; y++)
            k += g->ok[(size_t)y * (size_t)g->w + (size_t)x];
        if (k * 10 >= (*by1 - *by0 + 1) * 3) {
            if (nx0 < 0)
                nx0 = x;
            nx1 = x;
        }
    }
    if (nx0 >= 0 && ny0 >= 0) {
        for (int y = 0; y < g->h; y++)
            for (int x = 0; x < g->w; x++)
                if (x < nx0 || x > nx1 || y < ny0 || y > ny1)
                    g->ok[(size_t)y * (size_t)g->w + (size_t)x] = 0;
        *bx0 = nx0;
        *bx1 = nx1;
        *by0 = ny0;
        *by1 = ny1;
    }
}

/* A darker tray (or a white page, inverted) around the membrane, and gaps
 * between cut strips, are sharp steps down from the membrane background:
 * a gradient adds to tray and membrane alike and changes slowly. Top and
 * bottom come first (row medians), then the gaps, which label every cell
 * with its strip; left and right edges are found per strip, since strips
 * laid down by hand are shifted sideways against each other. Cells found to
 * be tray or gap are masked; the box shrinks to the membrane. Returns 0 or
 * a negative error; gl receives the gaps. */
int bq_lanes_grid_tray(grid_t *g, int *bx0, int *by0, int *bx1, int *by1, gapline_t *gl, int gcap,
                       int *n_gaps)
{
    int n = g->w > g->h ? g->w : g->h;
    double *p = bq_alloc_array((size_t)n, sizeof *p);
    double *d = bq_alloc_array((size_t)n, sizeof *d);
    double *tmp = bq_alloc_array((size_t)n, sizeof *tmp);
    float *buf = bq_alloc_array((size_t)n, sizeof *buf);
    int *depths = bq_alloc_array((size_t)n, sizeof *depths);
    *n_gaps = 0;
    if (!p || !d || !tmp || !buf || !depths) {
        free(p);
        free(d);
        free(tmp);
        free(buf);
        free(depths);
        return BQ_ERR_NOMEM;
    }
    tray_top_bottom(g, *bx0, by0, *bx1, by1, p, d, tmp, buf, depths);

    /* gaps: mask them, label every cell with its strip */
    int ng = find_gaps(g, *bx0, *by0, *bx1, *by1, gl, gcap);
    label_strips(g, gl, ng);
    *n_gaps = ng;

    /* left and right, strip by strip */
    int w = *bx1 - *bx0 + 1;
    for (int s = 0; s <= ng && w >= 12; s++)
        tray_strip_sides(g, s, *bx0, *by0, *bx1, *by1, p, d, tmp, buf);
    shrink_box(g, bx0, by0, bx1, by1);
    free(p);
    free(d);
    free(tmp);
    free(buf);
    free(depths);
    return 0;
}
