/* internal.h - helpers shared by the library's modules; never installed. */
#ifndef BLOTQUANT_INTERNAL_H
#define BLOTQUANT_INTERNAL_H

#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "blotquant/error.h"

/* a * b without overflow: returns 0 and stores the product, or -1. */
static inline int bq_mul_size(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return -1;
    *out = a * b;
    return 0;
}

/* malloc of n elements of size sz, NULL on overflow or no memory. */
static inline void *bq_alloc_array(size_t n, size_t sz)
{
    size_t bytes;
    if (bq_mul_size(n, sz, &bytes) != 0 || bytes == 0)
        return NULL;
    return malloc(bytes);
}

static inline void *bq_calloc_array(size_t n, size_t sz)
{
    if (n == 0 || sz == 0)
        return NULL;
    return calloc(n, sz);
}

static inline double bq_clamp(double v, double lo, double hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* The median of n values; reorders vals (not necessarily sorted). n must
 * be > 0. */
double bq_median_inplace(double *vals, size_t n);
/* Sort n doubles ascending, stably: the order glibc's qsort (a merge sort)
 * gives with a (x > y) - (x < y) comparison, without a call per
 * comparison. With a NaN among them it is that qsort. */
void bq_sort_doubles(double *v, size_t n);
/* The q-quantile (0..1) of n values; sorts vals. n must be > 0. */
double bq_quantile_inplace(double *vals, size_t n, double q);

/* The k-th smallest of v[0..n) (0-based, k < n, n > 0) by quickselect with
 * a median-of-three pivot, expected O(n): v ends up partitioned around it
 * (v[0..k) <= v[k] <= v[k+1..n)), not sorted. Floats, because the values
 * come from float images: no precision is lost and half the memory moves. */
float bq_select_nth_float(float *v, size_t n, size_t k);
/* The same for doubles. */
double bq_select_nth(double *v, size_t n, size_t k);
/* The noise (standard deviation) of a signal from n > 0 absolute
 * differences between neighbouring samples, robustly: 1.4826 times their
 * median over sqrt(2) (a smooth signal adds little to the differences,
 * edges only to a minority of them). Reorders steps. */
double bq_step_noise_float(float *steps, size_t n);

/* Strokes along a profile: how many times it rises above hi after having
 * been below lo (hysteresis, so noise at one threshold does not count
 * twice). NaN entries are skipped. A band across a lane is one stroke; a
 * word of burned-in text is several. */
int bq_count_strokes(const double *v, size_t n, double lo, double hi);

/* numbers.c. Between bq_numbers_begin() and bq_numbers_end() the calling
 * thread formats and parses numbers in the C locale ('.' decimal, no
 * grouping); other threads and the process locale are untouched. Pairs nest:
 * end restores what begin returned. Should the C locale object not be
 * created (out of memory), numbers follow the thread's locale. */
locale_t bq_numbers_begin(void);
void bq_numbers_end(locale_t previous);
/* strtod in the C locale. */
double bq_strtod(const char *s, char **end);

/* Does path name something that exists and is neither a regular file nor
 * a folder (a device such as /dev/null, a terminal, a named pipe)? Such a
 * target is written in place, never replaced by a renamed temporary. */
int bq_path_is_special(const char *path);

/* rescale.c. A copy of img at twice its resolution (bilinear over the valid
 * pixels; validity from the nearest source pixel), NULL when out of memory
 * or too large. */
struct bq_image;
struct bq_image *bq_image_upsample2(const struct bq_image *img);
/* Lanes or bands found on such a copy, mapped back to the picture's own
 * pixels (boxes to the pixels they fall in, positions to sub-pixel). */
/* A width x height RGB picture, its pixels not set; NULL on overflow or no
 * memory. Free with bq_rgb_free. */
struct bq_rgb;
struct bq_rgb *bq_rgb_new(int width, int height);

struct bq_lanes;
struct bq_band_table;
void bq_lanes_halve(struct bq_lanes *lanes);
void bq_band_table_halve(struct bq_band_table *table);

/* bq_quant_file for options naming rows by colour channel
 * (quantify_channels.c). */
struct bq_quant_options;
struct bq_quant_result;
int bq_quant_file_by_channel(const char *path, const struct bq_quant_options *opts,
                             struct bq_quant_result **out, struct bq_error *err);

#endif
