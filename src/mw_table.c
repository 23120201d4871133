/* mw_table.c - sizes for the band table from the ladder calibrations, and
 * band rows named by size. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blotquant/mw.h"
#include "internal.h"
#include "mw_internal.h"

static double band_x(const bq_band_t *b)
{
    return 0.5 * (b->x_left + b->x_right);
}

/* The course of band row `row` across the lanes: y_peak against x over its
 * sample bands (found ones when there are 3 or more, else all), a
 * quadratic (smile) or less. Returns 0 when the row has no sample band. */
static int row_course(const bq_band_table_t *t, int row, mw_quad_t *q)
{
    double u[BQ_MAX_LANES], v[BQ_MAX_LANES];
    int n = 0;
    for (int pass = 0; pass < 2 && n < 3; pass++) {
        n = 0;
        for (int i = 0; i < t->n_bands && n < BQ_MAX_LANES; i++) {
            const bq_band_t *b = &t->bands[i];
            unsigned skip = BQ_BAND_LADDER | (pass == 0 ? BQ_BAND_WEAK : 0);
            if (b->row != row || (b->flags & skip) || !isfinite(b->y_peak))
                continue;
            u[n] = band_x(b);
            v[n++] = b->y_peak;
        }
    }
    return n > 0 && isfinite(bq_mw_quad_fit(u, v, n, q));
}

/* The centre column of ladder k at row y (its lane in the strip there). */
static double ladder_x_at(const bq_mw_result_t *mw, int k, const bq_lanes_t *lanes, double y)
{
    const bq_strip_t *st = lanes ? bq_lanes_strip_at(lanes, (int)lround(y)) : NULL;
    int li = mw->lane[k] - 1;
    if (!st || li < 0 || li >= st->n_lanes)
        return mw->x[k];
    double xl, xr;
    bq_lane_extent_at(&st->lanes[li], y, &xl, &xr);
    return 0.5 * (xl + xr);
}

/* log10 kDa of band b by ladder k: b's row carried along its course to the
 * ladder's column (a band in the ladder lane itself is read where it is). */
static double logk_by(const bq_mw_result_t *mw, int k, const bq_lanes_t *lanes,
                      const bq_band_t *b, const mw_quad_t *course, int *ex)
{
    double y = b->y_peak;
    if (course && b->lane != mw->lane[k]) {
        double xk = ladder_x_at(mw, k, lanes, y);
        y += bq_mw_quad_eval(course, xk) - bq_mw_quad_eval(course, band_x(b));
    }
    return log10(bq_mw_kda_at(&mw->calib[k], bq_mw_membrane_row(lanes, y), ex));
}

/* The nearest ladder at or left of x (side -1) or right of it (+1); -1 if none. */
static int nearest_ladder(const bq_mw_result_t *mw, double x, int side)
{
    int best = -1;
    for (int k = 0; k < mw->n; k++) {
        double d = side * (mw->x[k] - x);
        if ((side < 0 ? d >= 0 : d > 0) && (best < 0 || d < side * (mw->x[best] - x)))
            best = k;
    }
    return best;
}

static void size_band(const bq_mw_result_t *mw, const bq_lanes_t *lanes, bq_band_t *b,
                      const mw_quad_t *course)
{
    double x = band_x(b);
    int l = nearest_ladder(mw, x, -1), r = nearest_ladder(mw, x, 1);
    int exl = 0, exr = 0;
    double lk;
    if (l >= 0 && r >= 0) {
        /* between two ladders: their sizes weighed by distance */
        double w = (x - mw->x[l]) / (mw->x[r] - mw->x[l]);
        lk = (1 - w) * logk_by(mw, l, lanes, b, course, &exl) +
             w * logk_by(mw, r, lanes, b, course, &exr);
    } else {
        lk = logk_by(mw, l >= 0 ? l : r, lanes, b, course, &exl);
    }
    b->mw_kda = isfinite(lk) ? pow(10.0, lk) : 0.0;
    if (b->mw_kda > 0 && (exl || exr))
        b->flags |= BQ_BAND_MW_EXTRAPOLATED;
}

void bq_mw_apply(const bq_mw_result_t *mw, const bq_lanes_t *lanes, bq_band_table_t *table)
{
    if (!table)
        return;
    for (int i = 0; i < table->n_bands; i++) {
        table->bands[i].mw_kda = 0.0;
        table->bands[i].flags &= ~(unsigned)BQ_BAND_MW_EXTRAPOLATED;
    }
    if (!mw || mw->n < 1)
        return;
    for (int row = 1; row <= table->n_rows; row++) {
        mw_quad_t q;
        int have = row_course(table, row, &q);
        for (int i = 0; i < table->n_bands; i++)
            if (table->bands[i].row == row && isfinite(table->bands[i].y_peak))
                size_band(mw, lanes, &table->bands[i], have ? &q : NULL);
    }
}

/* ---- rows named by size ------------------------------------------------- */

/* The median size of row `row` over its sample bands; 0 if none. */
static double row_kda(const bq_band_table_t *t, int row, double *scratch)
{
    int n = 0;
    for (int i = 0; i < t->n_bands; i++) {
        const bq_band_t *b = &t->bands[i];
        if (b->row == row && !(b->flags & BQ_BAND_LADDER) && b->mw_kda > 0)
            scratch[n++] = b->mw_kda;
    }
    return n ? bq_median_inplace(scratch, (size_t)n) : 0.0;
}

/* The row whose size is nearest kda (ratio), its size in *got; 0 if none. */
static int nearest_row(const double *size, int n_rows, double kda, double *got)
{
    int best = 0;
    for (int r = 1; r <= n_rows; r++)
        if (size[r] > 0 &&
            (best == 0 || fabs(log(size[r] / kda)) < fabs(log(size[best] / kda))))
            best = r;
    *got = best ? size[best] : 0.0;
    return best;
}

/* Which row each name goes to (pick[i]), or an error naming the first size
 * that finds no row of its own within tol. */
static int pick_rows(const double *size, int n_rows, const char *const *names,
                     const double *want, int n, double tol, int *pick, bq_error_t *err)
{
    for (int i = 0; i < n; i++) {
        double got;
        pick[i] = nearest_row(size, n_rows, want[i], &got);
        if (pick[i] == 0)
            return bq_error_set(err, BQ_ERR_NOT_FOUND, "no band row has a size");
        if (fabs(got / want[i] - 1.0) > tol)
            return bq_error_set(err, BQ_ERR_NOT_FOUND,
                                "%s@%g: the nearest band row runs at %.1f kDa, more than "
                                "%.0f %% away",
                                names[i], want[i], got, 100.0 * tol);
        for (int j = 0; j < i; j++)
            if (pick[j] == pick[i])
                return bq_error_set(err, BQ_ERR_NOT_FOUND,
                                    "%s@%g and %s@%g both fall on row %d (%.1f kDa)", names[j],
                                    want[j], names[i], want[i], pick[i], got);
    }
    return BQ_OK;
}

int bq_mw_name_rows(bq_band_table_t *table, const char *const *names, const double *want,
                    int n, double tol, bq_error_t *err)
{
    if (!table || !names || !want || n < 1)
        return bq_error_set(err, BQ_ERR_INVALID, "mw: no rows to name");
    double *size = bq_alloc_array((size_t)table->n_rows + 1, sizeof *size);
    double *scratch = bq_alloc_array((size_t)table->n_bands + 1, sizeof *scratch);
    int *pick = bq_alloc_array((size_t)n, sizeof *pick);
    int rc = BQ_ERR_NOMEM;
    if (size && scratch && pick) {
        for (int r = 1; r <= table->n_rows; r++)
            size[r] = row_kda(table, r, scratch);
        rc = pick_rows(size, table->n_rows, names, want, n, tol, pick, err);
    } else {
        bq_error_set(err, rc, "mw: out of memory");
    }
    for (int i = 0; rc == BQ_OK && i < table->n_bands; i++)
        for (int k = 0; k < n; k++)
            if (table->bands[i].row == pick[k])
                snprintf(table->bands[i].protein, sizeof table->bands[i].protein, "%s",
                         names[k]);
    free(size);
    free(scratch);
    free(pick);
    return rc;
}
