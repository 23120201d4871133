/* image.c - the format-independent half of the image loader: allocation,
 * sniffing, dispatch to the TIFF/PNG/JPEG back-ends, the levels every loaded
 * image carries (max_value, clip_level, clip_low), polarity, and the RGB
 * overlay canvas. Nothing here touches libtiff, libpng or libjpeg. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "blotquant/image.h"
#include "image_internal.h"
#include "internal.h"

/* Pixel buffers of large images come in 2 MiB pages where the system
 * offers them (Linux transparent huge pages on request): a first touch of
 * each 4 KiB page costs a fault, and on a virtual machine those faults
 * take longer than decoding the pixels (about 10 us each here: 12 ms for a
 * 1340x1040 float image, against 1 ms in huge pages). The buffer is
 * rounded up to whole huge pages so the tail gets one too; it is an
 * ordinary heap block (free() releases it). Elsewhere: plain calloc.
 * zero = 0 is for the loaders, which write every pixel before anyone reads
 * it: clearing 5 MB that is overwritten at once is waste. */
#define HUGE_PAGE ((size_t)2 << 20)

static void *pixels_alloc(size_t n, size_t size, int zero)
{
    size_t bytes;
    if (bq_mul_size(n, size, &bytes) != 0 || bytes == 0)
        return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= 2 * HUGE_PAGE && bytes <= SIZE_MAX - HUGE_PAGE) {
        size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
        void *p = NULL;
        if (posix_memalign(&p, HUGE_PAGE, rounded) == 0) {
            (void)madvise(p, rounded, MADV_HUGEPAGE); /* advice only */
            if (zero)
                memset(p, 0, bytes);
            return p;
        }
    }
#endif
    return calloc(n, size);
}

static bq_image_t *image_create(int width, int height, int zero)
{
    if (width <= 0 || height <= 0)
        return NULL;
    size_t n, bytes;
    /* No object may exceed PTRDIFF_MAX; refusing here keeps absurd requests
     * away from the allocator (sanitizers abort on them). */
    if (bq_mul_size((size_t)width, (size_t)height, &n) != 0 ||
        bq_mul_size(n, sizeof(float) + 1, &bytes) != 0 || bytes > PTRDIFF_MAX)
        return NULL;
    bq_image_t *img = calloc(1, sizeof *img);
    if (!img)
        return NULL;
    img->data = pixels_alloc(n, sizeof *img->data, zero);
    if (!img->data) {
        free(img);
        return NULL;
    }
    img->width = width;
    img->height = height;
    img->max_value = 65535.0;
    img->clip_level = 65535.0;
    img->clip_low = 0.0;
    img->format = BQ_FORMAT_UNKNOWN;
    img->bits_per_sample = 16;
    img->samples_per_pixel = 1;
    img->n_pages = 1;
    return img;
}

bq_image_t *bq_image_new(int width, int height)
{
    return image_create(width, height, 1);
}

void bq_image_free(bq_image_t *img)
{
    if (!img)
        return;
    free(img->data);
    free(img->valid);
    free(img);
}

/* ---- sniffing ---------------------------------------------------------- */

static const uint8_t png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
/* SOI and the first byte of the next marker: every JPEG (JFIF, Exif, Adobe,
 * raw) starts so. */
static const uint8_t jpeg_magic[3] = {0xFF, 0xD8, 0xFF};

/* The TIFF family by its header; .gel files are TIFFs too and only the tag
 * inside tells them apart, so that needs the TIFF back-end. */
static int is_tiff_magic(const uint8_t *b, size_t n)
{
    if (n < 4)
        return 0;
    if (b[0] == 'I' && b[1] == 'I')
        return (b[2] == 42 || b[2] == 43) && b[3] == 0;
    if (b[0] == 'M' && b[1] == 'M')
        return b[2] == 0 && (b[3] == 42 || b[3] == 43);
    return 0;
}

/* Format from the first bytes only: 0 TIFF, 1 PNG, 2 JPEG, 3 .scn, -1 none. */
static int sniff_bytes(const char *path, int *kind)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint8_t b[64]; /* an .scn's magic text sits within its first 64 bytes */
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    if (is_tiff_magic(b, n))
        *kind = 0;
    else if (n >= 8 && memcmp(b, png_magic, 8) == 0)
        *kind = 1;
    else if (n >= 3 && memcmp(b, jpeg_magic, 3) == 0)
        *kind = 2;
    else if (bq_image_is_scn_magic(b, n))
        *kind = 3;
    else
        *kind = -1;
    return 0;
}

bq_format bq_image_sniff(const char *path)
{
    int kind;
    if (!path || sniff_bytes(path, &kind) != 0 || kind < 0)
        return BQ_FORMAT_UNKNOWN;
    if (kind == 1)
        return BQ_FORMAT_PNG;
    if (kind == 2)
        return BQ_FORMAT_JPEG;
    if (kind == 3)
        return BQ_FORMAT_SCN;
    return bq_image_tiff_is_gel(path) ? BQ_FORMAT_GEL : BQ_FORMAT_TIFF;
}

/* ---- back-end helpers -------------------------------------------------- */

int bq_image_check_size(int64_t width, int64_t height, uint64_t max_pixels,
                        const char *path, bq_error_t *err)
{
    if (width <= 0 || height <= 0 || width > INT32_MAX || height > INT32_MAX)
        return bq_error_set(err, BQ_ERR_CORRUPT, "%s: invalid image size %lldx%lld", path,
                            (long long)width, (long long)height);
    if (max_pixels == 0)
        max_pixels = BQ_DEFAULT_MAX_PIXELS;
    uint64_t n = (uint64_t)width * (uint64_t)height; /* both < 2^31: no overflow */
    if (n > max_pixels)
        return bq_error_set(err, BQ_ERR_LIMIT,
                            "%s: %lldx%lld is %llu pixels, more than the limit of %llu "
                            "(--max-pixels)",
                            path, (long long)width, (long long)height,
                            (unsigned long long)n, (unsigned long long)max_pixels);
    size_t bytes;
    if (n > SIZE_MAX || bq_mul_size((size_t)n, sizeof(float) + 1, &bytes) != 0)
        return bq_error_set(err, BQ_ERR_LIMIT, "%s: image too large for this machine",
                            path);
    return 0;
}

int bq_image_alloc_for_load(int width, int height, uint64_t max_pixels,
                            int with_valid, const char *path, bq_image_t **out,
                            bq_error_t *err)
{
    *out = NULL;
    int rc = bq_image_check_size(width, height, max_pixels, path, err);
    if (rc < 0)
        return rc;
    size_t n = (size_t)width * (size_t)height;
    bq_image_t *img = image_create(width, height, 0); /* the loader fills it */
    if (!img)
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory for %dx%d pixels",
                            path, width, height);
    if (with_valid) {
        img->valid = malloc(n);
        if (!img->valid) {
            bq_image_free(img);
            return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory for %dx%d pixels",
                                path, width, height);
        }
        memset(img->valid, 1, n);
    }
    img->clip_level = 0.0; /* unknown until bq_image_load decides */
    *out = img;
    return 0;
}

void bq_image_put_row(bq_image_t *img, int y, const float *samples, int n_color,
                      int has_alpha, bq_channel channel, float full_scale)
{
    if (n_color >= 3) {
        bq_image_put_colour_row(img, y, samples, has_alpha, channel, full_scale);
        return;
    }
    int stride = 1 + (has_alpha ? 1 : 0);
    float *dst = img->data + (size_t)y * (size_t)img->width;
    uint8_t *vrow = img->valid ? img->valid + (size_t)y * (size_t)img->width : NULL;
    for (int x = 0; x < img->width; x++) {
        const float *s = samples + (size_t)x * (size_t)stride;
        float v = s[0];
        if (has_alpha && s[1] == 0.0f) {
            v = 0.0f;
            if (vrow)
                vrow[x] = 0;
        }
        dst[x] = v;
    }
}

/* Float pixels beyond this magnitude are refused as corrupt. */
#define FLOAT_PIXEL_MAX 1e30

/* Full scale, clipping levels, and the float sanity check, from what the
 * back-end recorded (bits, is_float, format, gel_scale). */
static int finish_levels(bq_image_t *img, const char *path, bq_error_t *err)
{
    size_t n = (size_t)img->width * (size_t)img->height;
    if (img->is_float) {
        double hi = -INFINITY;
        size_t n_valid = 0;
        for (size_t i = 0; i < n; i++) {
            if (img->valid && !img->valid[i])
                continue;
            float v = img->data[i];
            if (!isfinite(v))
                return bq_error_set(err, BQ_ERR_CORRUPT,
                                    "%s: pixel (%zu,%zu) is %s; float images must "
                                    "hold finite values",
                                    path, i % (size_t)img->width,
                                    i / (size_t)img->width, isnan(v) ? "NaN" : "infinite");
            /* no instrument measures 1e30; values near FLT_MAX would turn
             * into infinities on inversion (max - v) and in sums */
            if (fabsf(v) > FLOAT_PIXEL_MAX)
                return bq_error_set(err, BQ_ERR_CORRUPT,
                                    "%s: pixel (%zu,%zu) is %g; float images must hold "
                                    "values within +-%g",
                                    path, i % (size_t)img->width, i / (size_t)img->width,
                                    (double)v, FLOAT_PIXEL_MAX);
            if (v > hi)
                hi = v;
            n_valid++;
        }
        img->max_value = hi > 1.0 ? hi : 1.0;
        /* A float export has no format maximum; a clipped one shows as a
         * plateau of pixels sitting exactly at the data maximum. One or two
         * pixels at the maximum are just the brightest pixels. */
        size_t at_max = 0;
        for (size_t i = 0; i < n; i++)
            if ((!img->valid || img->valid[i]) && img->data[i] == (float)hi)
                at_max++;
        size_t need = n_valid / 1000000;
        if (need < 4)
            need = 4;
        img->clip_level = (n_valid > 0 && at_max >= need && at_max < n_valid) ? hi
                                                                               : INFINITY;
        img->clip_low = -INFINITY;
    } else if (img->format == BQ_FORMAT_GEL) {
        double top = (double)((1u << img->bits_per_sample) - 1u);
        img->max_value = top * top * img->gel_scale;
        if (!(img->clip_level > 0.0 && img->clip_level < img->max_value))
            img->clip_level = img->max_value;
        img->clip_low = 0.0;
    } else {
        /* Back-ends deliver integer data already scaled to 8 or 16 bits. A
         * back-end that knows the detector's real ceiling (a 12-bit camera
         * in a 16-bit file) sets clip_level below full scale. */
        img->max_value = img->bits_per_sample > 8 ? 65535.0 : 255.0;
        if (!(img->clip_level > 0.0 && img->clip_level < img->max_value))
            img->clip_level = img->max_value;
        img->clip_low = 0.0;
    }
    /* Drop an all-ones mask: NULL is cheaper for every later stage. */
    if (img->valid) {
        size_t i = 0;
        while (i < n && img->valid[i])
            i++;
        if (i == n) {
            free(img->valid);
            img->valid = NULL;
        }
    }
    return 0;
}

/* One decode of path as its magic bytes say, with the levels set. */
static int load_decoded(const char *path, const bq_load_options_t *opts, bq_image_t **out,
                        bq_error_t *err)
{
    int kind;
    if (sniff_bytes(path, &kind) != 0)
        return bq_error_set(err, BQ_ERR_IO, "%s: cannot open: %s", path,
                            strerror(errno));
    int rc;
    bq_image_t *img = NULL;
    if (kind == 0)
        rc = bq_image_load_tiff(path, opts, &img, err);
    else if ((kind == 1 || kind == 2) && opts->page > 0)
        return bq_error_set(err, BQ_ERR_INVALID, "%s: page %d requested, a %s has one",
                            path, opts->page, kind == 1 ? "PNG" : "JPEG");
    else if (kind == 1)
        rc = bq_image_load_png(path, opts, &img, err);
    else if (kind == 2)
        rc = bq_image_load_jpeg(path, opts, &img, err);
    else if (kind == 3)
        rc = bq_image_load_scn(path, opts, &img, err);
    else
        return bq_error_set(err, BQ_ERR_FORMAT,
                            "%s: not a TIFF, PNG, JPEG, Image Lab .scn or .gel file", path);
    if (rc < 0)
        return rc;
    rc = finish_levels(img, path, err);
    if (rc < 0) {
        bq_image_free(img);
        return rc;
    }
    *out = img;
    return 0;
}

/* A composite's channel signals are protein signal by construction (high
 * where a protein is, whatever the background): polarity needs no guess. */
static void note_channel(bq_image_t *img, bq_channel channel)
{
    if (img->colour.n == 0)
        return; /* grey data: the channel choice did not apply */
    img->channel = channel;
    if (channel >= BQ_CHANNEL_COMBINED)
        img->bands_bright = 1;
}

int bq_image_load(const char *path, const bq_load_options_t *opts, bq_image_t **out,
                  bq_error_t *err)
{
    *out = NULL;
    if (!path)
        return bq_error_set(err, BQ_ERR_INVALID, "(null): no file name");
    bq_load_options_t defaults = {0};
    if (!opts)
        opts = &defaults;
    if (opts->page < 0)
        return bq_error_set(err, BQ_ERR_INVALID, "%s: page %d is negative", path,
                            opts->page);
    bq_image_t *img = NULL;
    int rc = load_decoded(path, opts, &img, err);
    if (rc < 0)
        return rc;
    note_channel(img, opts->channel);
    /* A two-colour composite's luminance mixes its proteins (and shows its
     * white labels brightest): decode again, as the combined signal. Only
     * composites pay for the second decode. */
    if (opts->channel == BQ_CHANNEL_AUTO && bq_colour_distinct(&img->colour, NULL)) {
        bq_load_options_t combined = *opts;
        combined.channel = BQ_CHANNEL_COMBINED;
        bq_image_free(img);
        img = NULL;
        if ((rc = load_decoded(path, &combined, &img, err)) < 0)
            return rc;
        note_channel(img, BQ_CHANNEL_COMBINED);
    }
    *out = img;
    return 0;
}

/* ---- polarity ---------------------------------------------------------- */

/* Up to `cap` valid pixel values, taken on a regular stride so big images
 * cost no more than small ones. Returns the count (0 if none or no memory). */
static size_t sample_valid(const bq_image_t *img, size_t cap, float **out)
{
    size_t n = (size_t)img->width * (size_t)img->height;
    size_t step = n / cap + 1;
    float *v = bq_alloc_array(n / step + 1, sizeof *v);
    *out = v;
    if (!v)
        return 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i += step)
        if (!img->valid || img->valid[i])
            v[k++] = img->data[i];
    return k;
}

/* Order statistics of those samples. 8- and 16-bit images (inverted or
 * not) hold integers in 0..65535: counting them answers every rank exactly
 * in one pass, without storing the samples, where quickselect would move
 * them around several times (and that would be most of polarity detection's
 * cost).
 * Anything else (float data, .gel, luminance of colour) keeps the samples
 * and selects. */
#define RANK_HIST_N 65536u

typedef struct ranked {
    float *v;        /* the samples (no histogram), reordered by selection */
    size_t k;        /* how many */
    uint32_t *hist;  /* counts per integer value, or NULL */
} ranked_t;

/* Sample img like sample_valid into r; r->k = 0 if none or no memory. */
static void ranked_sample(const bq_image_t *img, size_t cap, ranked_t *r)
{
    size_t n = (size_t)img->width * (size_t)img->height;
    size_t step = n / cap + 1;
    r->v = NULL;
    r->k = 0;
    r->hist = calloc(RANK_HIST_N, sizeof *r->hist);
    if (r->hist) {
        size_t k = 0;
        int integers = 1;
        for (size_t i = 0; i < n && integers; i += step) {
            if (img->valid && !img->valid[i])
                continue;
            float x = img->data[i];
            if (!(x >= 0.0f && x <= 65535.0f) || (float)(uint32_t)x != x)
                integers = 0;
            else {
                r->hist[(uint32_t)x]++;
                k++;
            }
        }
        if (integers) {
            r->k = k;
            return;
        }
        free(r->hist);
        r->hist = NULL;
    }
    r->k = sample_valid(img, cap, &r->v);
}

static void ranked_free(ranked_t *r)
{
    free(r->v);
    free(r->hist);
}

/* The i-th smallest sample (0-based, i < k). */
static double ranked_nth(ranked_t *r, size_t i)
{
    if (!r->hist)
        return bq_select_nth_float(r->v, r->k, i);
    size_t seen = 0;
    for (uint32_t b = 0; b < RANK_HIST_N; b++) {
        seen += r->hist[b];
        if (seen > i)
            return (double)b;
    }
    return 65535.0; /* not reached: the counts add up to k */
}

/* The q-quantile with bq_quantile_inplace's interpolation. */
static double ranked_quantile(ranked_t *r, double q)
{
    size_t n = r->k;
    double pos = bq_clamp(q, 0.0, 1.0) * (double)(n - 1);
    size_t i = (size_t)pos;
    double frac = pos - (double)i;
    double x = ranked_nth(r, i);
    if (i + 1 >= n)
        return x;
    double next;
    if (r->hist) {
        next = ranked_nth(r, i + 1);
    } else {
        /* selection left v partitioned around i: the next order statistic
         * is the smallest value above position i */
        float nx = r->v[i + 1];
        for (size_t j = i + 2; j < n; j++)
            if (r->v[j] < nx)
                nx = r->v[j];
        next = nx;
    }
    return x * (1.0 - frac) + next * frac;
}

#define PLATEAU_WIDTH 0.01 /* a clipped plateau's spread, as a share of the robust range */

int bq_image_detect_polarity(const bq_image_t *img)
{
    if (!img || !img->data)
        return 0;
    if (img->bands_bright && !img->inverted)
        return 0; /* the format says so; a guess could only be wrong */
    ranked_t r;
    ranked_sample(img, 400000, &r);
    size_t k = r.k;
    if (k < 2) {
        ranked_free(&r);
        return 0;
    }
    /* Bands are a minority of the picture; the background is the majority.
     * Where the bulk of the pixels sits within the robust range (0.5 % to
     * 99.5 %, so a hot pixel or a thin frame cannot stretch it) tells which
     * end the bands are at: a light majority means dark bands. Invalid
     * (transparent) pixels never count, and a margin or tray covering less
     * than half the valid area cannot move the median across. */
    double lo = ranked_quantile(&r, 0.005);
    double hi = ranked_nth(&r, (size_t)(0.995 * (double)(k - 1)));
    double med = ranked_nth(&r, (k - 1) / 2);
    int dark = 0;
    if (hi > lo) {
        double pos = (med - lo) / (hi - lo);
        if (pos > 0.35 && pos < 0.65) {
            /* Undecided: bands (or a tray) cover nearly half the picture.
             * The most common level is then the better background guess,
             * leaving out the plateaus at the very ends of the data: those
             * are clipping (saturated bands, a clipped margin), never the
             * membrane's own level. A lossy copy moves a plateau a level
             * or two off the end (JPEG's rounding), so the plateau is what
             * lies within PLATEAU_WIDTH of the robust range from an end. */
            enum { NB = 64 };
            size_t hist[NB] = {0};
            double end_lo = ranked_nth(&r, 0), end_hi = ranked_nth(&r, k - 1);
            /* each distinct value once with its count, or each sample */
            size_t nv = r.hist ? RANK_HIST_N : k;
            for (size_t i = 0; i < nv; i++) {
                size_t c = r.hist ? r.hist[i] : 1;
                if (c == 0)
                    continue;
                double x = r.hist ? (float)i : r.v[i];
                if (x - end_lo <= PLATEAU_WIDTH * (hi - lo) || end_hi - x <= PLATEAU_WIDTH * (hi - lo))
                    continue;
                double t = (x - lo) / (hi - lo);
                if (t >= 0.0 && t <= 1.0)
                    hist[t >= 1.0 ? NB - 1 : (int)(t * NB)] += c;
            }
            int mode = 0;
            for (int b = 1; b < NB; b++)
                if (hist[b] > hist[mode])
                    mode = b;
            pos = (mode + 0.5) / NB;
        }
        dark = pos > 0.5;
    }
    ranked_free(&r);
    return dark;
}

void bq_image_invert(bq_image_t *img)
{
    if (!img || !img->data)
        return;
    size_t n = (size_t)img->width * (size_t)img->height;
    float top = (float)img->max_value;
    for (size_t i = 0; i < n; i++)
        if (!img->valid || img->valid[i])
            img->data[i] = top - img->data[i];
    double lvl = img->clip_level, low = img->clip_low;
    img->clip_level = img->max_value - low;
    img->clip_low = img->max_value - lvl;
    img->inverted = !img->inverted;
}

/* ---- RGB overlay canvas ------------------------------------------------ */

bq_rgb_t *bq_rgb_new(int width, int height)
{
    size_t bytes;
    if (width <= 0 || height <= 0 ||
        bq_mul_size((size_t)width * (size_t)height, 3, &bytes) != 0)
        return NULL;
    bq_rgb_t *rgb = calloc(1, sizeof *rgb);
    if (!rgb)
        return NULL;
    rgb->data = malloc(bytes);
    if (!rgb->data) {
        free(rgb);
        return NULL;
    }
    rgb->width = width;
    rgb->height = height;
    return rgb;
}

bq_rgb_t *bq_rgb_from_image(const bq_image_t *img)
{
    if (!img || !img->data || img->width <= 0 || img->height <= 0)
        return NULL;
    size_t n = (size_t)img->width * (size_t)img->height;
    bq_rgb_t *rgb = bq_rgb_new(img->width, img->height);
    if (!rgb)
        return NULL;
    /* Stretch between robust extremes so one hot pixel cannot flatten the
     * picture; keep a little headroom so faint bands stay visible. */
    ranked_t r;
    ranked_sample(img, 200000, &r);
    double lo = 0.0, hi = 1.0;
    if (r.k > 0) {
        lo = ranked_quantile(&r, 0.005);
        hi = ranked_nth(&r, (size_t)(0.999 * (double)(r.k - 1)));
    }
    ranked_free(&r);
    if (!(hi > lo))
        hi = lo + 1.0;
    double scale = 255.0 / (hi - lo);
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = rgb->data + 3 * i;
        if (img->valid && !img->valid[i]) {
            /* Outside the picture: a muted blue that no blot pixel has. */
            p[0] = 200;
            p[1] = 210;
            p[2] = 235;
            continue;
        }
        double g = 255.0 - (img->data[i] - lo) * scale; /* bands dark, like film */
        uint8_t c = (uint8_t)lrint(bq_clamp(g, 0.0, 255.0));
        p[0] = p[1] = p[2] = c;
    }
    return rgb;
}

void bq_rgb_free(bq_rgb_t *rgb)
{
    if (!rgb)
        return;
    free(rgb->data);
    free(rgb);
}

static void rgb_put(bq_rgb_t *rgb, int x, int y, uint8_t r, uint8_t g, uint8_t b)
{
    if (x < 0 || y < 0 || x >= rgb->width || y >= rgb->height)
        return;
    uint8_t *p = rgb->data + 3 * ((size_t)y * (size_t)rgb->width + (size_t)x);
    p[0] = r;
    p[1] = g;
    p[2] = b;
}

void bq_rgb_rect(bq_rgb_t *rgb, int x0, int y0, int x1, int y1, uint8_t r, uint8_t g,
                 uint8_t b)
{
    if (!rgb || !rgb->data)
        return;
    if (x0 > x1) {
        int t = x0;
        x0 = x1;
        x1 = t;
    }
    if (y0 > y1) {
        int t = y0;
        y0 = y1;
        y1 = t;
    }
    /* Clip the loops to the canvas so a huge box costs nothing. */
    int xa = x0 < 0 ? 0 : x0, xb = x1 >= rgb->width ? rgb->width - 1 : x1;
    int ya = y0 < 0 ? 0 : y0, yb = y1 >= rgb->height ? rgb->height - 1 : y1;
    for (int x = xa; x <= xb; x++) {
        rgb_put(rgb, x, y0, r, g, b);
        rgb_put(rgb, x, y1, r, g, b);
    }
    for (int y = ya; y <= yb; y++) {
        rgb_put(rgb, x0, y, r, g, b);
        rgb_put(rgb, x1, y, r, g, b);
    }
}
