/* lanes_util.c - small numeric helpers that the lane detector's stages
 * share: quantiles, medians and smoothing of short lists and profiles.
 * bq_median_inplace (internal.h) only partitions its list; bq_lanes_median
 * sorts it, and several callers go on to read the sorted list. */
#include <string.h>

#include "lanes_internal.h"

/* ---- small numeric helpers ------------------------------------------- */

/* The q-quantile of n floats, nearest rank; reorders v. Selection keeps the
 * per-tile percentiles linear. */
float bq_lanes_quantile_f(float *v, size_t n, double q)
{
    size_t k = (size_t)(bq_clamp(q, 0.0, 1.0) * (double)(n - 1) + 0.5);
    return bq_select_nth_float(v, n, k);
}

/* The median of v[0..n); sorts v (callers use the sorted list). */
double bq_lanes_median(double *v, int n)
{
    /* short lists (lanes, peaks) by insertion sort; profiles of a few
     * hundred cells by merging (insertion sort is quadratic there) */
    if (n > 32) {
        bq_sort_doubles(v, (size_t)n);
    } else {
        for (int i = 1; i < n; i++) {
            double x = v[i];
            int j = i - 1;
            while (j >= 0 && v[j] > x) {
                v[j + 1] = v[j];
                j--;
            }
            v[j + 1] = x;
        }
    }
    if (n == 0)
        return 0.0;
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Linear interpolation of a[0..n-1] at x; 0 outside. */
double bq_lanes_interp(const double *a, int n, double x)
{
    if (x < 0.0 || x > (double)(n - 1))
        return 0.0;
    int i = (int)x;
    if (i >= n - 1)
        return a[n - 1];
    double f = x - i;
    return a[i] * (1.0 - f) + a[i + 1] * f;
}

void bq_lanes_smooth3(double *p, double *tmp, int n, int passes)
{
    for (int pass = 0; pass < passes; pass++) {
        for (int i = 0; i < n; i++) {
            double a = p[i > 0 ? i - 1 : i], c = p[i < n - 1 ? i + 1 : i];
            tmp[i] = 0.25 * a + 0.5 * p[i] + 0.25 * c;
        }
        memcpy(p, tmp, (size_t)n * sizeof *p);
    }
}
