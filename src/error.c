/* error.c - error codes, messages and small numeric helpers used everywhere. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

const char *bq_strerror(int code)
{
    switch (code) {
    case BQ_OK: return "success";
    case BQ_ERR_IO: return "input/output error";
    case BQ_ERR_FORMAT: return "unsupported or unrecognised format";
    case BQ_ERR_CORRUPT: return "truncated or corrupt data";
    case BQ_ERR_LIMIT: return "exceeds a size limit";
    case BQ_ERR_NOMEM: return "out of memory";
    case BQ_ERR_INVALID: return "invalid argument";
    case BQ_ERR_NOT_FOUND: return "nothing found";
    case BQ_ERR_NUMERIC: return "numerical failure";
    default: return "unknown error";
    }
}

int bq_error_set(bq_error_t *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        /* messages quote numbers from files: "0.5", whatever the locale */
        locale_t previous = bq_numbers_begin();
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        bq_numbers_end(previous);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void bq_error_clear(bq_error_t *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}

/* One quickselect for floats and doubles (internal.h): the body is the
 * same, only the element type differs. */
#define DEFINE_SELECT_NTH(name, T)                                              \
    T name(T *v, size_t n, size_t k)                                           \
    {                                                                          \
        size_t lo = 0, hi = n - 1;                                             \
        while (hi > lo) {                                                      \
            size_t mid = lo + (hi - lo) / 2;                                   \
            T a = v[lo], b = v[mid], c = v[hi];                                \
            T pivot = (a < b) ? ((b < c) ? b : (a < c) ? c : a)                \
                              : ((a < c) ? a : (b < c) ? c : b);               \
            size_t i = lo, j = hi;                                             \
            while (i <= j) {                                                   \
                while (v[i] < pivot)                                           \
                    i++;                                                       \
                while (v[j] > pivot)                                           \
                    j--;                                                       \
                if (i <= j) {                                                  \
                    T t = v[i];                                                \
                    v[i] = v[j];                                               \
                    v[j] = t;                                                  \
                    i++;                                                       \
                    if (j == 0)                                                \
                        break;                                                 \
                    j--;                                                       \
                }                                                              \
            }                                                                  \
            if (k <= j)                                                        \
                hi = j;                                                        \
            else if (k >= i)                                                   \
                lo = i;                                                        \
            else                                                               \
                break; /* v[j+1..i-1] all equal the pivot */                   \
        }                                                                      \
        return v[k];                                                           \
    }

DEFINE_SELECT_NTH(bq_select_nth_float, float)
DEFINE_SELECT_NTH(bq_select_nth, double)

double bq_step_noise_float(float *steps, size_t n)
{
    return 1.4826 * bq_select_nth_float(steps, n, n / 2) / sqrt(2.0);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Below this many values an insertion sort beats merging. */
#define SORT_RUN 16

static void insertion_sort(double *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

void bq_sort_doubles(double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(v[i])) {
            qsort(v, n, sizeof *v, cmp_double);
            return;
        }
    if (n <= 2 * SORT_RUN) {
        insertion_sort(v, n);
        return;
    }
    double *tmp = malloc(n * sizeof *tmp);
    if (!tmp) {
        qsort(v, n, sizeof *v, cmp_double);
        return;
    }
    /* bottom-up: sorted runs, then merges of doubling width; a tie takes
     * the left run's value first, which keeps the sort stable */
    for (size_t a = 0; a < n; a += SORT_RUN)
        insertion_sort(v + a, n - a < SORT_RUN ? n - a : SORT_RUN);
    double *src = v, *dst = tmp;
    for (size_t width = SORT_RUN; width < n; width *= 2) {
        for (size_t a = 0; a < n; a += 2 * width) {
            size_t m = a + width < n ? a + width : n, b = m + width < n ? m + width : n;
            size_t i = a, j = m, k = a;
            while (i < m && j < b)
                dst[k++] = src[j] < src[i] ? src[j++] : src[i++];
            while (i < m)
                dst[k++] = src[i++];
            while (j < b)
                dst[k++] = src[j++];
        }
        double *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    free(tmp);
}

/* Quickselect would be O(n); these arrays are band borders and lane profiles,
 * small enough that a sort keeps the code obvious. */
double bq_quantile_inplace(double *vals, size_t n, double q)
{
    bq_sort_doubles(vals, n);
    double pos = bq_clamp(q, 0.0, 1.0) * (double)(n - 1);
    size_t i = (size_t)pos;
    double frac = pos - (double)i;
    if (i + 1 < n)
        return vals[i] * (1.0 - frac) + vals[i + 1] * frac;
    return vals[i];
}

/* The median is two order statistics, so selection finds it without the
 * sort (profiles of a thousand rows, a median per lane and strip). NaN has
 * no place in an order: with one present the sort decides, as before. */
double bq_median_inplace(double *vals, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(vals[i]))
            return bq_quantile_inplace(vals, n, 0.5);
    double pos = 0.5 * (double)(n - 1);
    size_t i = (size_t)pos;
    double frac = pos - (double)i;
    double x = bq_select_nth(vals, n, i);
    if (i + 1 >= n)
        return x;
    /* selection left vals partitioned around i: the next order statistic
     * is the smallest value above it; the same interpolation as the sort */
    double next = vals[i + 1];
    for (size_t j = i + 2; j < n; j++)
        if (vals[j] < next)
            next = vals[j];
    return x * (1.0 - frac) + next * frac;
}

int bq_count_strokes(const double *v, size_t n, double lo, double hi)
{
    int runs = 0, up = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i]))
            continue;
        if (!up && v[i] > hi) {
            up = 1;
            runs++;
        } else if (up && v[i] < lo) {
            up = 0;
        }
    }
    return runs;
}
