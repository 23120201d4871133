/* lanes_tilt.c - stage 4 of the lane detector: a strip's tilt and its
 * column profile.
 *
 * A strip laid down by hand, or a gel scanned askew, runs its lanes at a
 * slant; summed straight down, a tilted lane smears into its neighbours.
 * Per strip, the shear that makes the column profile sharpest is taken as
 * the tilt (shrunk towards none where the evidence is weak), and the
 * profile is the mean compressed signal along the sheared columns. */
#include <math.h>
#include <string.h>

#include "lanes_internal.h"

/* ---- 4. tilt and column profile --------------------------------------- */

/* Column profile of strip s (cells) with the given shear; counts too. The
 * strip's rows are summed in chunks so the shear search stays cheap. */
typedef struct chunks {
    int n, w;
    double *sum;   /* n x w */
    double *cnt;   /* n x w */
    double *yc;    /* chunk centre rows */
} chunks_t;

static void chunks_free(chunks_t *c)
{
    free(c->sum);
    free(c->cnt);
    free(c->yc);
}

static int chunks_build(const grid_t *g, int bx0, int bx1, int gy0, int gy1, int id, chunks_t *c)
{
    int rows = gy1 - gy0 + 1;
    int ch = (rows + 47) / 48;
    c->n = (rows + ch - 1) / ch;
    c->w = g->w;
    size_t n = (size_t)c->n * (size_t)c->w;
    c->sum = bq_calloc_array(n, sizeof *c->sum);
    c->cnt = bq_calloc_array(n, sizeof *c->cnt);
    c->yc = bq_calloc_array((size_t)c->n, sizeof *c->yc);
    if (!c->sum || !c->cnt || !c->yc) {
        chunks_free(c);
        return BQ_ERR_NOMEM;
    }
    for (int k = 0; k < c->n; k++) {
        int y0 = gy0 + k * ch, y1 = y0 + ch - 1;
        if (y1 > gy1)
            y1 = gy1;
        c->yc[k] = 0.5 * (y0 + y1);
        double *s = c->sum + (size_t)k * (size_t)c->w, *cn = c->cnt + (size_t)k * (size_t)c->w;
        for (int y = y0; y <= y1; y++) {
            const float *t = g->t + (size_t)y * (size_t)g->w;
            const uint8_t *ok = g->ok + (size_t)y * (size_t)g->w;
            const uint8_t *lab = g->lab + (size_t)y * (size_t)g->w;
            for (int x = bx0; x <= bx1; x++) {
                if (lab[x] != id)
                    continue;
                s[x] += t[x];
                cn[x] += ok[x];
            }
        }
    }
    return 0;
}

/* Sum the chunks along lines of slope `slope` (cells) through row yref. */
static void chunks_project(const chunks_t *c, double slope, double yref,
                           double *sum, double *cnt, int nearest)
{
    memset(sum, 0, (size_t)c->w * sizeof *sum);
    if (cnt)
        memset(cnt, 0, (size_t)c->w * sizeof *cnt);
    for (int k = 0; k < c->n; k++) {
        double sh = slope * (c->yc[k] - yref);
        const double *s = c->sum + (size_t)k * (size_t)c->w;
        const double *cn = c->cnt + (size_t)k * (size_t)c->w;
        /* the search uses whole-cell shifts: interpolation would smooth
         * the noise by an amount that depends on the shear and bias it */
        int ish = nearest ? (int)lround(sh) : (int)floor(sh);
        double f = nearest ? 0.0 : sh - ish;
        /* columns x with x + ish >= 0 and x + ish + 1 < w */
        int x0 = -ish > 0 ? -ish : 0, x1 = c->w - 2 - ish;
        if (x1 > c->w - 1)
            x1 = c->w - 1;
        if (nearest && !cnt) {
            /* the shear search: whole-cell shifts, a contiguous add */
            for (int x = x0; x <= x1; x++)
                sum[x] += s[x + ish];
            continue;
        }
        for (int x = x0; x <= x1; x++) {
            int a = x + ish, b = a + 1;
            sum[x] += (1 - f) * s[a] + f * s[b];
            if (cnt)
                cnt[x] += (1 - f) * cn[a] + f * cn[b];
        }
    }
}

double bq_lanes_profile_sharpness(const double *p, int n)
{
    double s = 0.0, s2 = 0.0;
    for (int i = 0; i < n; i++) {
        s += p[i];
        s2 += p[i] * p[i];
    }
    return s2 - s * s / (n > 0 ? n : 1);
}

/* How much of the tilt found to keep (0..1). Sharpness rises with the
 * square of how far a shear undoes the true tilt, so a real tilt of a few
 * hundredths sharpens the profile by a few %, while a tilt that sharpens it
 * by a fraction of a % is bent bands, a fan of ladders or a blob: shrink it
 * toward 0 by gain / |slope| (relative gain per unit of slope). And a tilt
 * is only measured along the height the signal spans: a strip cropped to
 * one band row, where the tilt moves the lanes by less than a cell over the
 * signal's height, cannot tell a tilt at all. px_per_cell = fx / fy turns
 * cell slopes into pixel slopes. */
static double tilt_evidence(const chunks_t *c, int bx0, int bx1, double v0, double vbest,
                            double slope, double px_per_cell)
{
    if (slope == 0.0 || !(v0 > 0.0))
        return 1.0;
    double sw = 0.0, sy = 0.0, syy = 0.0;
    for (int k = 0; k < c->n; k++) {
        double s = 0.0;
        const double *row = c->sum + (size_t)k * (size_t)c->w;
        for (int x = bx0; x <= bx1; x++)
            s += row[x];
        sw += s;
        sy += s * c->yc[k];
        syy += s * c->yc[k] * c->yc[k];
    }
    if (!(sw > 0.0))
        return 0.0;
    double var = syy / sw - (sy / sw) * (sy / sw);
    double height = sqrt(12.0 * fmax(var, 0.0)); /* cells spanned by the signal */
    if (fabs(slope) * height < 1.0)
        return 0.0;
    double r = (vbest - v0) / v0 / (fabs(slope) * px_per_cell);
    return r * r / (r * r + 0.3 * 0.3);
}

/* Find the strip's tilt and fill its column profile (mean compressed signal
 * per column along the tilted lines). */
int bq_lanes_strip_profile(const grid_t *g, int bx0, int bx1, strip_work_t *sw)
{
    chunks_t c;
    memset(&c, 0, sizeof c);
    int rc = chunks_build(g, bx0, bx1, sw->gy0, sw->gy1, sw->id, &c);
    if (rc)
        return rc;
    double *sum = bq_alloc_array((size_t)g->w, sizeof *sum);
    double *cnt = bq_alloc_array((size_t)g->w, sizeof *cnt);
    if (!sum || !cnt) {
        free(sum);
        free(cnt);
        chunks_free(&c);
        return BQ_ERR_NOMEM;
    }
    sw->yref = 0.5 * (sw->gy0 + sw->gy1);
    /* slope in cells: dx_cells = slope_px * dy_px / fx = slope_px * fy / fx * dy_cells */
    double smax = MAX_TILT * g->fy / g->fx;
    double half = 0.5 * (sw->gy1 - sw->gy0 + 1);
    int nstep = (int)ceil(smax * half / 0.5);
    if (nstep > 20)
        nstep = 20;
    double best = -1.0, best_s = 0.0;
    double sh[41];
    for (int k = -nstep; k <= nstep; k++) {
        double s = nstep > 0 ? smax * k / nstep : 0.0;
        chunks_project(&c, s, sw->yref, sum, NULL, 1);
        /* columns that some chunks leave at the largest shear would look
         * dimmer; judge only the ones every shear keeps */
        int m = (int)ceil(smax * half) + 1;
        if (2 * m >= bx1 - bx0)
            m = 0;
        double v = bq_lanes_profile_sharpness(sum + bx0 + m, bx1 - bx0 + 1 - 2 * m);
        sh[k + nstep] = v;
        /* prefer no tilt unless a tilt is clearly sharper */
        if (v > best * (1.0 + 1e-9) || (v >= best && fabs(s) < fabs(best_s))) {
            best = v;
            best_s = s;
        }
    }
    if (nstep > 0) {
        int k = (int)lround(best_s / smax * nstep) + nstep;
        if (k > 0 && k < 2 * nstep) {
            double a = sh[k - 1], b = sh[k], d = sh[k + 1];
            double den = a - 2 * b + d;
            if (den < 0)
                best_s += bq_clamp(0.5 * (a - d) / den, -0.5, 0.5) * smax / nstep;
        }
    }
    best_s *= tilt_evidence(&c, bx0, bx1, sh[nstep], best, best_s, (double)g->fx / g->fy);
    sw->slope = best_s;
    chunks_project(&c, best_s, sw->yref, sum, cnt, 0);
    double cmax = 0.0;
    for (int x = bx0; x <= bx1; x++)
        if (cnt[x] > cmax)
            cmax = cnt[x];
    for (int x = 0; x < g->w; x++)
        sw->prof[x] = (x >= bx0 && x <= bx1 && cnt[x] >= 0.3 * cmax && cnt[x] > 0) ? sum[x] / cnt[x] : 0.0;
    free(sum);
    free(cnt);
    chunks_free(&c);
    return 0;
}
