/* lanes_bandrow.c - stage 4, second opinion: a strip's column profile
 * taken along its main band row only.
 *
 * Summed down the whole strip, the column profile of a tall membrane with
 * one thin band row (a loading control on a two-colour membrane, a single
 * target probed on an uncut membrane) is mostly membrane texture, smears
 * and scratches, and its lanes and tilt follow those. The band row itself
 * still shows the comb plainly. The main band row is the row where most of
 * the strip's columns carry signal (a high quantile across the row, so a
 * blob in one lane or a scratch does not make a row), and the profile is
 * the mean signal of the rows around it. The lanes are taken as upright:
 * one thin row cannot tell a tilt. */
#include <math.h>
#include <string.h>

#include "lanes_internal.h"

/* The share of a band row's columns that carry its bands: lanes fill about
 * half a row and the gaps between them the rest, so the 75th percentile of
 * a row crossing every lane sits on band signal, while a row crossing one
 * blob, one smear or a scratch keeps it at the membrane's level. */
#define ROW_QUANTILE 0.75

/* The rows around the main band row that belong to it: while its quantile
 * stays above this share of the way from the strip's typical row up to the
 * band row's peak. Half: the band's half-maximum height. */
#define ROW_EXTENT 0.5

/* ROW_QUANTILE of strip sw's row y over the strip's membrane cells. */
static double row_level(const grid_t *g, const strip_work_t *sw, int y, int bx0, int bx1,
                        double *tmp)
{
    const float *t = g->t + (size_t)y * (size_t)g->w;
    const uint8_t *ok = g->ok + (size_t)y * (size_t)g->w;
    const uint8_t *lab = g->lab + (size_t)y * (size_t)g->w;
    int n = 0;
    for (int x = bx0; x <= bx1; x++)
        if (ok[x] && lab[x] == sw->id)
            tmp[n++] = t[x];
    if (n < 3)
        return 0.0;
    return bq_quantile_inplace(tmp, (size_t)n, ROW_QUANTILE);
}

/* The strip's main band row: rows *y0..*y1 (cells). Returns 0, or -1 when
 * the strip has no row standing out of its others. */
static int main_band_row(const grid_t *g, const strip_work_t *sw, int bx0, int bx1,
                         double *level, double *tmp, int *y0, int *y1)
{
    int n = sw->gy1 - sw->gy0 + 1;
    for (int k = 0; k < n; k++)
        level[k] = row_level(g, sw, sw->gy0 + k, bx0, bx1, tmp);
    int best = 0;
    for (int k = 1; k < n; k++)
        if (level[k] > level[best])
            best = k;
    memcpy(tmp, level, (size_t)n * sizeof *tmp);
    double typical = bq_median_inplace(tmp, (size_t)n);
    if (!(level[best] > typical))
        return -1;
    double cut = typical + ROW_EXTENT * (level[best] - typical);
    int a = best, b = best;
    while (a > 0 && level[a - 1] >= cut)
        a--;
    while (b < n - 1 && level[b + 1] >= cut)
        b++;
    *y0 = sw->gy0 + a;
    *y1 = sw->gy0 + b;
    return 0;
}

int bq_lanes_strip_row_profile(const grid_t *g, int bx0, int bx1, strip_work_t *sw)
{
    int n = sw->gy1 - sw->gy0 + 1;
    int span = bx1 - bx0 + 1;
    double *level = bq_alloc_array((size_t)n, sizeof *level);
    double *tmp = bq_alloc_array((size_t)(n > span ? n : span), sizeof *tmp);
    if (!level || !tmp) {
        free(level);
        free(tmp);
        return BQ_ERR_NOMEM;
    }
    int y0, y1;
    int found = main_band_row(g, sw, bx0, bx1, level, tmp, &y0, &y1) == 0;
    free(level);
    free(tmp);
    if (!found)
        return bq_lanes_strip_profile(g, bx0, bx1, sw);
    sw->slope = 0.0;
    sw->yref = 0.5 * (y0 + y1);
    sw->band_row = 1;
    sw->row0 = y0;
    sw->row1 = y1;
    memset(sw->prof, 0, (size_t)g->w * sizeof *sw->prof);
    for (int x = bx0; x <= bx1; x++) {
        double s = 0.0;
        int k = 0;
        for (int y = y0; y <= y1; y++) {
            size_t i = (size_t)y * (size_t)g->w + (size_t)x;
            if (g->ok[i] && g->lab[i] == sw->id) {
                s += g->t[i];
                k++;
            }
        }
        sw->prof[x] = k ? s / k : 0.0;
    }
    return 0;
}

/* Lane i's strongest standout over the strips. */
static double best_standout(const grid_t *g, const strip_work_t *sw, int ns, const peak_t *l,
                            double *rowp)
{
    double best = 0.0;
    for (int s = 0; s < ns; s++)
        best = fmax(best, bq_lanes_band_standout(g, &sw[s], l, rowp));
    return best;
}

int bq_lanes_trim_bandless_ends(const grid_t *g, const strip_work_t *sw, int ns, peak_t *l,
                                int n, double *rowp)
{
    if (n < 3)
        return n;
    double so[BQ_MAX_LANES], sorted[BQ_MAX_LANES];
    for (int i = 0; i < n; i++)
        so[i] = sorted[i] = best_standout(g, sw, ns, &l[i], rowp);
    double typical = bq_lanes_median(sorted, n);
    if (!(typical > 0.0))
        return n;
    int a = 0, b = n - 1;
    while (a < b && so[a] < BLANK_LANE * typical)
        a++;
    while (b > a && so[b] < BLANK_LANE * typical)
        b--;
    if (a > 0)
        memmove(l, l + a, (size_t)(b - a + 1) * sizeof *l);
    return b - a + 1;
}
