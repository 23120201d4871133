/* test_image.c - the image loader against files written here, at test time,
 * with libtiff and libpng themselves: every TIFF and PNG variant the loader
 * claims to read, compared pixel by pixel (exactly), hostile files that must
 * fail cleanly with the path in the message, sniffing, polarity and invert.
 *
 * usage: test_image OUTDIR   (files are written under OUTDIR) */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <png.h>
#include <tiffio.h>
#include <zlib.h>

#include "blotquant/image.h"
#include "../check.h"
#include "test_paths.h"

static char outdir[1024];

static const char *path_of(const char *name)
{
    return test_path(outdir, name);
}

/* ---- reference pixels ---------------------------------------------------- */

enum { W = 37, H = 23 }; /* odd sizes: partial bytes, strips and tiles */

/* A deterministic value in 0..maxv for sample s of pixel (x, y). */
static uint32_t ref_value(int x, int y, int s, uint32_t maxv)
{
    uint32_t h = (uint32_t)(x * 7919 + y * 104729 + s * 15485863) ^ 0x9e3779b9u;
    h ^= h >> 13;
    h *= 0x5bd1e995u;
    h ^= h >> 15;
    if (x == 0 && y == 0)
        return maxv; /* full scale present */
    if (x == 1 && y == 0)
        return 0;
    return maxv == 0xffffffffu ? h : h % (maxv + 1);
}

/* Alpha 0 on a diagonal stripe, full elsewhere, some partial values. */
static uint32_t ref_alpha(int x, int y, uint32_t maxv)
{
    if ((x + y) % 5 == 0)
        return 0;
    return maxv;
}

static float ref_float(int x, int y, int s)
{
    return (float)ref_value(x, y, s, 100000) / 4096.0f - 3.0f;
}

/* The reduction the loader applies for channel ch; BQ_CHANNEL_AUTO is
 * passed here as what the loader chose (img->channel: luminance, or the
 * combined signal for channels that show different pictures, as these
 * test patterns' independent channels do). */
static float reduce(const float c[3], bq_channel ch);

static float luma(float r, float g, float b)
{
    return (float)(0.299 * r + 0.587 * g + 0.114 * b);
}

static float reduce(const float c[3], bq_channel ch)
{
    switch (ch) {
    case BQ_CHANNEL_RED: return c[0];
    case BQ_CHANNEL_GREEN: return c[1];
    case BQ_CHANNEL_BLUE: return c[2];
    case BQ_CHANNEL_COMBINED:
        return fmaxf(c[0], fmaxf(c[1], c[2])) - fminf(c[0], fminf(c[1], c[2]));
    default: return luma(c[0], c[1], c[2]);
    }
}

/* ---- TIFF writer --------------------------------------------------------- */

typedef struct tspec {
    const char *name;
    int bps, spp, photometric, fmt; /* fmt: SAMPLEFORMAT_* */
    int compression, predictor;
    int tiled, separate, big_endian, bigtiff;
    int alpha;                      /* 1 unassoc, 2 assoc extra sample */
    int extra;                      /* extra unspecified samples after the used ones */
    int pages;                      /* write this many pages; page p adds p to values */
    int gel;                        /* write MD tags, scale 1/4 */
} tspec_t;

static const TIFFFieldInfo md_info[] = {
    {33445, 1, 1, TIFF_LONG, FIELD_CUSTOM, 1, 0, (char *)"MD_FileTag"},
    {33446, 1, 1, TIFF_RATIONAL, FIELD_CUSTOM, 1, 0, (char *)"MD_ScalePixel"},
};
static TIFFExtendProc test_parent;
static void test_extender(TIFF *tif)
{
    TIFFMergeFieldInfo(tif, md_info, 2);
    if (test_parent)
        test_parent(tif);
}

static uint32_t sample_value(const tspec_t *t, int x, int y, int s, int page)
{
    uint32_t maxv = t->bps >= 32 ? 0xffffffffu : (1u << t->bps) - 1u;
    int n_color = t->photometric == PHOTOMETRIC_RGB ? 3 : 1;
    if (t->alpha && s == n_color)
        return ref_alpha(x, y, maxv);
    uint32_t v = ref_value(x, y, s, maxv);
    if (page > 0)
        v = (v + (uint32_t)page) % (maxv + 1);
    return v;
}

static void put_sample(uint8_t *row, int bps, size_t i, uint32_t v, float f)
{
    switch (bps) {
    case 1:
    case 2:
    case 4: {
        size_t bit = i * (size_t)bps;
        row[bit >> 3] |= (uint8_t)(v << (8 - bps - (bit & 7)));
        break;
    }
    case 8: row[i] = (uint8_t)v; break;
    case 16: {
        uint16_t u = (uint16_t)v;
        memcpy(row + 2 * i, &u, 2);
        break;
    }
    default: memcpy(row + 4 * i, &f, 4); break;
    }
}

/* Rows of one plane (or all samples if contig) for page p, rows y0..y0+n. */
static void fill_rows(const tspec_t *t, int page, int plane, int contig, int x0, int w,
                      int y0, int n, size_t rb, uint8_t *buf)
{
    memset(buf, 0, rb * (size_t)n);
    int spp = t->spp;
    for (int r = 0; r < n; r++) {
        int y = y0 + r;
        if (y >= H)
            break;
        uint8_t *row = buf + (size_t)r * rb;
        for (int xi = 0; xi < w; xi++) {
            int x = x0 + xi;
            if (x >= W)
                break;
            for (int s = contig ? 0 : plane; s < (contig ? spp : plane + 1); s++) {
                size_t idx = contig ? (size_t)xi * spp + s : (size_t)xi;
                uint32_t v = sample_value(t, x, y, s, page);
                float f = ref_float(x, y, s) + (float)page;
                put_sample(row, t->bps, idx, v, f);
            }
        }
    }
}

static int write_tiff(const tspec_t *t, const char *path)
{
    char mode[8] = "w";
    if (t->big_endian)
        strcat(mode, "b");
    else
        strcat(mode, "l");
    if (t->bigtiff)
        strcat(mode, "8");
    TIFF *tif = TIFFOpen(path, mode);
    if (!tif)
        return -1;
    int pages = t->pages ? t->pages : 1;
    for (int p = 0; p < pages; p++) {
        TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, (uint32_t)W);
        TIFFSetField(tif, TIFFTAG_IMAGELENGTH, (uint32_t)H);
        TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, t->bps);
        TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, t->spp);
        TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, t->fmt ? t->fmt : SAMPLEFORMAT_UINT);
        TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, t->photometric);
        TIFFSetField(tif, TIFFTAG_PLANARCONFIG,
                     t->separate ? PLANARCONFIG_SEPARATE : PLANARCONFIG_CONTIG);
        TIFFSetField(tif, TIFFTAG_COMPRESSION, t->compression ? t->compression : COMPRESSION_NONE);
        if (t->predictor)
            TIFFSetField(tif, TIFFTAG_PREDICTOR, t->predictor);
        int n_color = t->photometric == PHOTOMETRIC_RGB ? 3 : 1;
        int n_extra = t->spp - n_color;
        if (n_extra > 0) {
            uint16_t ex[8] = {0};
            if (t->alpha)
                ex[0] = t->alpha == 2 ? EXTRASAMPLE_ASSOCALPHA : EXTRASAMPLE_UNASSALPHA;
            TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, (uint16_t)n_extra, ex);
        }
        uint16_t cmap[3][256];
        if (t->photometric == PHOTOMETRIC_PALETTE) {
            for (int i = 0; i < (1 << t->bps); i++) {
                cmap[0][i] = (uint16_t)(257 * ((i * 37) % 256));
                cmap[1][i] = (uint16_t)(257 * ((i * 101 + 7) % 256));
                cmap[2][i] = (uint16_t)(257 * (255 - i % 256));
            }
            TIFFSetField(tif, TIFFTAG_COLORMAP, cmap[0], cmap[1], cmap[2]);
        }
        if (t->gel) {
            TIFFSetField(tif, 33445, (uint32_t)2);
            TIFFSetField(tif, 33446, 0.25);
        }
        if (pages > 1) {
            TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
            TIFFSetField(tif, TIFFTAG_PAGENUMBER, (uint16_t)p, (uint16_t)pages);
        }
        int contig = !t->separate;
        int spp_in = contig ? t->spp : 1;
        int n_planes = contig ? 1 : t->spp;
        if (t->tiled) {
            TIFFSetField(tif, TIFFTAG_TILEWIDTH, 16);
            TIFFSetField(tif, TIFFTAG_TILELENGTH, 16);
            size_t rb = ((size_t)16 * spp_in * t->bps + 7) / 8;
            uint8_t *buf = malloc(rb * 16);
            for (int pl = 0; pl < n_planes; pl++)
                for (int y = 0; y < H; y += 16)
                    for (int x = 0; x < W; x += 16) {
                        fill_rows(t, p, pl, contig, x, 16, y, 16, rb, buf);
                        if (TIFFWriteTile(tif, buf, (uint32_t)x, (uint32_t)y, 0, (uint16_t)pl) < 0) {
                            free(buf);
                            TIFFClose(tif);
                            return -1;
                        }
                    }
            free(buf);
        } else {
            TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 5);
            size_t rb = ((size_t)W * spp_in * t->bps + 7) / 8;
            uint8_t *buf = malloc(rb);
            for (int pl = 0; pl < n_planes; pl++)
                for (int y = 0; y < H; y++) {
                    fill_rows(t, p, pl, contig, 0, W, y, 1, rb, buf);
                    if (TIFFWriteScanline(tif, buf, (uint32_t)y, (uint16_t)pl) < 0) {
                        free(buf);
                        TIFFClose(tif);
                        return -1;
                    }
                }
            free(buf);
        }
        if (!TIFFWriteDirectory(tif)) {
            TIFFClose(tif);
            return -1;
        }
    }
    TIFFClose(tif);
    return 0;
}

/* What the loader must deliver for pixel (x, y) of a TIFF written by spec. */
static float tiff_expected(const tspec_t *t, int x, int y, int page, bq_channel ch,
                           int *valid)
{
    *valid = 1;
    int n_color = t->photometric == PHOTOMETRIC_RGB || t->photometric == PHOTOMETRIC_PALETTE ? 3 : 1;
    if (t->fmt == SAMPLEFORMAT_IEEEFP) {
        float v = ref_float(x, y, 0) + (float)page;
        return v;
    }
    uint32_t maxv = (1u << t->bps) - 1u;
    float full = t->bps == 16 ? 65535.0f : 255.0f;
    float c[3];
    if (t->photometric == PHOTOMETRIC_PALETTE) {
        uint32_t i = sample_value(t, x, y, 0, page);
        c[0] = (float)((i * 37) % 256);
        c[1] = (float)((i * 101 + 7) % 256);
        c[2] = (float)(255 - i % 256);
    } else {
        for (int s = 0; s < (n_color == 3 ? 3 : 1); s++) {
            float v = (float)sample_value(t, x, y, s, page);
            if (t->bps < 8)
                v = v * (255.0f / (float)maxv);
            c[s] = v;
        }
    }
    if (t->alpha) {
        float a = (float)sample_value(t, x, y, t->photometric == PHOTOMETRIC_RGB ? 3 : 1, page);
        if (a == 0.0f) {
            *valid = 0;
            return 0.0f;
        }
    }
    if (t->photometric == PHOTOMETRIC_MINISWHITE)
        c[0] = full - c[0];
    if (t->gel)
        return (float)((double)c[0] * c[0] * 0.25);
    if (n_color == 1)
        return c[0];
    return reduce(c, ch);
}

static int compare_image(const char *what, const bq_image_t *img, float (*expect)(const void *, int, int, int *),
                         const void *ctx)
{
    int bad = 0;
    for (int y = 0; y < H && bad < 3; y++)
        for (int x = 0; x < W && bad < 3; x++) {
            int ev;
            float e = expect(ctx, x, y, &ev);
            float g = img->data[(size_t)y * W + x];
            int gv = img->valid ? img->valid[(size_t)y * W + x] : 1;
            if (g != e || gv != ev) {
                printf("  %s: pixel (%d,%d) = %.9g valid %d, expected %.9g valid %d\n", what, x,
                       y, g, gv, e, ev);
                bad++;
            }
        }
    return bad;
}

typedef struct tctx {
    const tspec_t *t;
    int page;
    bq_channel ch;
} tctx_t;

static float tiff_expect_cb(const void *ctx, int x, int y, int *valid)
{
    const tctx_t *c = ctx;
    return tiff_expected(c->t, x, y, c->page, c->ch, valid);
}

static void test_tiff_variant(const tspec_t *t)
{
    char name[128];
    snprintf(name, sizeof name, "t_%s.tif", t->name);
    const char *path = path_of(name);
    if (write_tiff(t, path) != 0) {
        CHECK(0, "%s: the test could not write it", t->name);
        return;
    }
    int pages = t->pages ? t->pages : 1;
    for (int page = 0; page < pages; page++) {
        for (int ch = 0; ch <= (t->photometric == PHOTOMETRIC_RGB ? 3 : 0); ch++) {
            bq_load_options_t o = {.page = page, .channel = (bq_channel)ch};
            bq_image_t *img = NULL;
            bq_error_t err = {0};
            int rc = bq_image_load(path, &o, &img, &err);
            CHECK(rc == 0 && img, "%s page %d: load failed: %d %s", t->name, page, rc, err.msg);
            if (rc != 0)
                continue;
            CHECK(img->width == W && img->height == H, "%s: size %dx%d", t->name, img->width,
                  img->height);
            tctx_t c = {t, page, ch == BQ_CHANNEL_AUTO ? img->channel : (bq_channel)ch};
            int bad = compare_image(t->name, img, tiff_expect_cb, &c);
            CHECK(bad == 0, "%s page %d channel %d: pixels differ", t->name, page, ch);
            CHECK(img->n_pages == pages && img->page == page, "%s: pages %d/%d", t->name,
                  img->page, img->n_pages);
            CHECK(img->format == (t->gel ? BQ_FORMAT_GEL : BQ_FORMAT_TIFF), "%s: format %d",
                  t->name, img->format);
            CHECK(img->bits_per_sample == t->bps, "%s: bits %d", t->name, img->bits_per_sample);
            double full = t->fmt == SAMPLEFORMAT_IEEEFP ? 0 : t->bps == 16 ? 65535.0 : 255.0;
            if (t->gel)
                full = 65535.0 * 65535.0 * 0.25;
            if (t->fmt != SAMPLEFORMAT_IEEEFP) {
                CHECK(img->max_value == full && img->clip_level == full && img->clip_low == 0.0,
                      "%s: max %g clip %g low %g", t->name, img->max_value, img->clip_level,
                      img->clip_low);
            } else {
                CHECK(img->clip_low == -INFINITY, "%s: float clip_low %g", t->name, img->clip_low);
            }
            if (t->gel)
                CHECK(img->gel_scale == 0.25, "%s: gel scale %g", t->name, img->gel_scale);
            bq_image_free(img);
        }
    }
    if (pages > 1) {
        bq_load_options_t o = {.page = pages};
        bq_image_t *img = NULL;
        bq_error_t err = {0};
        int rc = bq_image_load(path, &o, &img, &err);
        CHECK(rc < 0 && !img && strstr(err.msg, path), "%s: page beyond the end: %d %s",
              t->name, rc, err.msg);
    }
}

static void test_tiffs(void)
{
    static const tspec_t specs[] = {
        {"g8", 8, 1, PHOTOMETRIC_MINISBLACK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {"g16", 16, 1, PHOTOMETRIC_MINISBLACK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {"g16_be", 16, 1, PHOTOMETRIC_MINISBLACK, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0},
        {"g16_lzw_pred", 16, 1, PHOTOMETRIC_MINISBLACK, 0, COMPRESSION_LZW, 2, 0, 0, 0, 0, 0, 0, 0, 0},
        {"g16_deflate", 16, 1, PHOTOMETRIC_MINISBLACK, 0, COMPRESSION_ADOBE_DEFLATE, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {"g8_packbits", 8, 1, PHOTOMETRIC_MINISBLACK, 0, COMPRESSION_PACKBITS, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {"g16_tiled", 16, 1, PHOTOMETRIC_MINISBLACK, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0},
        {"g16_tiled_lzw_be", 16, 1, PHOTOMETRIC_MINISBLACK, 0, COMPRESSION_LZW, 2, 1, 0, 1, 0, 0, 0, 0, 0},
        {"g16_bigtiff", 16, 1, PHOTOMETRIC_MINISBLACK, 0, COMPRESSION_ADOBE_DEFLATE, 0, 0, 0, 0, 1, 0, 0, 0, 0},
        {"g16_bigtiff_be_tiled", 16, 1, PHOTOMETRIC_MINISBLACK, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0},
        {"g8_white", 8, 1, PHOTOMETRIC_MINISWHITE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {"g16_white", 16, 1, PHOTOMETRIC_MINISWHITE, 0, COMPRESSION_LZW, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {"g1", 1, 1, PHOTOMETRIC_MINISBLACK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {"g1_white_tiled", 1, 1, PHOTOMETRIC_MINISWHITE, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0},
        {"g2", 2, 1, PHOTOMETRIC_MINISBLACK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {"g4", 4, 1, PHOTOMETRIC_MINISBLACK, 0, COMPRESSION_PACKBITS, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {"f32", 32, 1, PHOTOMETRIC_MINISBLACK, SAMPLEFORMAT_IEEEFP, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        /* libtiff 4.5 writes the floating-point predictor wrongly for a
         * big-endian file on a little-endian host, so that pair is not made. */
        {"f32_deflate_fpred", 32, 1, PHOTOMETRIC_MINISBLACK, SAMPLEFORMAT_IEEEFP, COMPRESSION_ADOBE_DEFLATE, 3, 0, 0, 0, 0, 0, 0, 0, 0},
        {"f32_be_lzw", 32, 1, PHOTOMETRIC_MINISBLACK, SAMPLEFORMAT_IEEEFP, COMPRESSION_LZW, 0, 0, 0, 1, 0, 0, 0, 0, 0},
        {"f32_tiled", 32, 1, PHOTOMETRIC_MINISBLACK, SAMPLEFORMAT_IEEEFP, COMPRESSION_LZW, 0, 1, 0, 0, 0, 0, 0, 0, 0},
        {"rgb8", 8, 3, PHOTOMETRIC_RGB, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {"rgb16_lzw", 16, 3, PHOTOMETRIC_RGB, 0, COMPRESSION_LZW, 2, 0, 0, 0, 0, 0, 0, 0, 0},
        {"rgb8_separate", 8, 3, PHOTOMETRIC_RGB, 0, COMPRESSION_ADOBE_DEFLATE, 0, 0, 1, 0, 0, 0, 0, 0, 0},
        {"rgb16_separate_tiled_be", 16, 3, PHOTOMETRIC_RGB, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0},
        {"rgba8", 8, 4, PHOTOMETRIC_RGB, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0},
        {"rgba16_tiled", 16, 4, PHOTOMETRIC_RGB, 0, COMPRESSION_ADOBE_DEFLATE, 0, 1, 0, 0, 0, 1, 0, 0, 0},
        {"rgba8_separate", 8, 4, PHOTOMETRIC_RGB, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0},
        {"ga16", 16, 2, PHOTOMETRIC_MINISBLACK, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0},
        {"g16_extra", 16, 3, PHOTOMETRIC_MINISBLACK, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0},
        {"palette8", 8, 1, PHOTOMETRIC_PALETTE, 0, COMPRESSION_LZW, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {"palette4_tiled", 4, 1, PHOTOMETRIC_PALETTE, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0},
        {"pages3", 16, 1, PHOTOMETRIC_MINISBLACK, 0, COMPRESSION_ADOBE_DEFLATE, 0, 0, 0, 0, 0, 0, 0, 3, 0},
        {"pages2_bigtiff_rgb", 8, 3, PHOTOMETRIC_RGB, 0, COMPRESSION_PACKBITS, 0, 1, 0, 1, 1, 0, 0, 2, 0},
        {"gel16", 16, 1, PHOTOMETRIC_MINISBLACK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
        {"gel16_lzw_be", 16, 1, PHOTOMETRIC_MINISBLACK, 0, COMPRESSION_LZW, 2, 0, 0, 1, 0, 0, 0, 0, 1},
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        test_tiff_variant(&specs[i]);

    /* Sniffing by content: a .gel is told apart from a TIFF, the extension
     * plays no part. */
    CHECK(bq_image_sniff(path_of("t_gel16.tif")) == BQ_FORMAT_GEL, "gel sniff");
    CHECK(bq_image_sniff(path_of("t_g16.tif")) == BQ_FORMAT_TIFF, "tiff sniff");
    CHECK(bq_image_sniff(path_of("t_g16_bigtiff_be_tiled.tif")) == BQ_FORMAT_TIFF,
          "bigtiff sniff");
    CHECK(bq_image_sniff(path_of("does-not-exist")) == BQ_FORMAT_UNKNOWN, "missing sniff");
}

/* ---- PNG writer ---------------------------------------------------------- */

typedef struct pspec {
    const char *name;
    int depth, ctype;
    int trns;      /* palette: tRNS on some entries; gray/RGB: a transparent colour */
    int interlace;
} pspec_t;

static int png_channels(int ctype)
{
    switch (ctype) {
    case PNG_COLOR_TYPE_GRAY: return 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: return 1; /* palette */
    }
}

static uint32_t png_sample(const pspec_t *p, int x, int y, int s)
{
    uint32_t maxv = (1u << p->depth) - 1u;
    int ch = png_channels(p->ctype);
    if ((p->ctype & PNG_COLOR_MASK_ALPHA) && s == ch - 1)
        return ref_alpha(x, y, maxv);
    return ref_value(x, y, s, maxv);
}

static int write_png(const pspec_t *p, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    int ch = png_channels(p->ctype);
    size_t rb = ((size_t)W * ch * p->depth + 7) / 8;
    uint8_t *rows = calloc((size_t)H, rb);
    png_bytep ptrs[H];
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fclose(f);
        free(rows);
        return -1;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, W, H, p->depth, p->ctype,
                 p->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (p->ctype == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[256];
        png_byte alpha[256];
        int n = 1 << p->depth;
        for (int i = 0; i < n; i++) {
            pal[i].red = (png_byte)((i * 37) % 256);
            pal[i].green = (png_byte)((i * 101 + 7) % 256);
            pal[i].blue = (png_byte)(255 - i);
            alpha[i] = (png_byte)(i % 3 == 0 ? 0 : 255);
        }
        png_set_PLTE(png, info, pal, n);
        if (p->trns)
            png_set_tRNS(png, info, alpha, n, NULL);
    } else if (p->trns) {
        png_color_16 tc = {0};
        tc.gray = (png_uint_16)ref_value(2, 0, 0, (1u << p->depth) - 1u);
        png_set_tRNS(png, info, NULL, 0, &tc);
    }
    png_write_info(png, info);
    for (int y = 0; y < H; y++) {
        uint8_t *row = rows + (size_t)y * rb;
        ptrs[y] = row;
        for (int x = 0; x < W; x++)
            for (int s = 0; s < ch; s++) {
                size_t i = (size_t)x * ch + s;
                uint32_t v = png_sample(p, x, y, s);
                if (p->depth == 16) {
                    row[2 * i] = (uint8_t)(v >> 8);
                    row[2 * i + 1] = (uint8_t)v;
                } else if (p->depth == 8) {
                    row[i] = (uint8_t)v;
                } else {
                    size_t bit = i * (size_t)p->depth;
                    row[bit >> 3] |= (uint8_t)(v << (8 - p->depth - (bit & 7)));
                }
            }
    }
    png_write_image(png, ptrs);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(rows);
    return fclose(f) == 0 ? 0 : -1;
}

typedef struct pctx {
    const pspec_t *p;
    bq_channel ch;
} pctx_t;

static float png_expect_cb(const void *ctx, int x, int y, int *valid)
{
    const pctx_t *c = ctx;
    const pspec_t *p = c->p;
    *valid = 1;
    uint32_t maxv = (1u << p->depth) - 1u;
    float col[3];
    int n_color = 1;
    if (p->ctype == PNG_COLOR_TYPE_PALETTE) {
        uint32_t i = png_sample(p, x, y, 0);
        if (p->trns && i % 3 == 0) {
            *valid = 0;
            return 0.0f;
        }
        col[0] = (float)((i * 37) % 256);
        col[1] = (float)((i * 101 + 7) % 256);
        col[2] = (float)(255 - i);
        n_color = 3;
    } else {
        n_color = (p->ctype & PNG_COLOR_MASK_COLOR) ? 3 : 1;
        for (int s = 0; s < n_color; s++) {
            float v = (float)png_sample(p, x, y, s);
            if (p->depth < 8)
                v = v * (255.0f / (float)maxv);
            col[s] = v;
        }
        if (p->ctype & PNG_COLOR_MASK_ALPHA) {
            if (png_sample(p, x, y, n_color) == 0) {
                *valid = 0;
                return 0.0f;
            }
        }
        if (p->trns && png_sample(p, x, y, 0) == ref_value(2, 0, 0, maxv)) {
            *valid = 0;
            return 0.0f;
        }
    }
    if (n_color == 1)
        return col[0];
    return reduce(col, c->ch);
}

static void test_pngs(void)
{
    static const pspec_t specs[] = {
        {"g8", 8, PNG_COLOR_TYPE_GRAY, 0, 0},
        {"g16", 16, PNG_COLOR_TYPE_GRAY, 0, 0},
        {"g16_interlaced", 16, PNG_COLOR_TYPE_GRAY, 0, 1},
        {"g1", 1, PNG_COLOR_TYPE_GRAY, 0, 0},
        {"g2", 2, PNG_COLOR_TYPE_GRAY, 0, 0},
        {"g4", 4, PNG_COLOR_TYPE_GRAY, 0, 1},
        {"g8_trns", 8, PNG_COLOR_TYPE_GRAY, 1, 0},
        {"ga8", 8, PNG_COLOR_TYPE_GRAY_ALPHA, 0, 0},
        {"ga16", 16, PNG_COLOR_TYPE_GRAY_ALPHA, 0, 0},
        {"rgb8", 8, PNG_COLOR_TYPE_RGB, 0, 0},
        {"rgb16", 16, PNG_COLOR_TYPE_RGB, 0, 1},
        {"rgba8", 8, PNG_COLOR_TYPE_RGB_ALPHA, 0, 0},
        {"rgba16", 16, PNG_COLOR_TYPE_RGB_ALPHA, 0, 0},
        {"pal8", 8, PNG_COLOR_TYPE_PALETTE, 0, 0},
        {"pal8_trns", 8, PNG_COLOR_TYPE_PALETTE, 1, 0},
        {"pal4_trns", 4, PNG_COLOR_TYPE_PALETTE, 1, 0},
        {"pal1", 1, PNG_COLOR_TYPE_PALETTE, 0, 0},
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        const pspec_t *p = &specs[i];
        char name[128];
        snprintf(name, sizeof name, "p_%s.png", p->name);
        const char *path = path_of(name);
        if (write_png(p, path) != 0) {
            CHECK(0, "%s: the test could not write it", p->name);
            continue;
        }
        int colour = (p->ctype & PNG_COLOR_MASK_COLOR) != 0;
        for (int ch = 0; ch <= (colour ? 3 : 0); ch++) {
            bq_load_options_t o = {.channel = (bq_channel)ch};
            bq_image_t *img = NULL;
            bq_error_t err = {0};
            int rc = bq_image_load(path, &o, &img, &err);
            CHECK(rc == 0 && img, "png %s: load failed: %d %s", p->name, rc, err.msg);
            if (rc != 0)
                continue;
            pctx_t c = {p, ch == BQ_CHANNEL_AUTO ? img->channel : (bq_channel)ch};
            CHECK(img->width == W && img->height == H, "png %s: size", p->name);
            CHECK(compare_image(p->name, img, png_expect_cb, &c) == 0,
                  "png %s channel %d: pixels differ", p->name, ch);
            double full = p->depth == 16 ? 65535.0 : 255.0;
            CHECK(img->format == BQ_FORMAT_PNG && img->max_value == full &&
                      img->clip_level == full && img->clip_low == 0.0,
                  "png %s: format %d max %g clip %g", p->name, img->format, img->max_value,
                  img->clip_level);
            bq_image_free(img);
        }
    }
    CHECK(bq_image_sniff(path_of("p_g8.png")) == BQ_FORMAT_PNG, "png sniff");
}

/* ---- writers round trip --------------------------------------------------- */

static void copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    char buf[4096];
    size_t n;
    while (a && b && (n = fread(buf, 1, sizeof buf, a)) > 0)
        fwrite(buf, 1, n, b);
    if (a)
        fclose(a);
    if (b)
        fclose(b);
}

static void test_writers_and_sniffing(void)
{
    bq_image_t *img = bq_image_new(W, H);
    CHECK(img && img->max_value == 65535.0 && img->clip_level == 65535.0 && !img->valid,
          "bq_image_new defaults");
    if (!img)
        return;
    for (int i = 0; i < W * H; i++)
        img->data[i] = (float)(i * 97 % 70000) - 1000.5f; /* some out of range */
    bq_error_t err = {0};
    const char *tpath = path_of("w_out.tif");
    int rc = bq_image_save_tiff16(img, tpath, &err);
    CHECK(rc == 0, "save_tiff16: %s", err.msg);
    bq_image_t *back = NULL;
    rc = bq_image_load(tpath, NULL, &back, &err);
    CHECK(rc == 0, "reload tiff16: %s", err.msg);
    if (back) {
        int bad = 0;
        for (int i = 0; i < W * H; i++) {
            float v = img->data[i];
            float e = v <= 0 ? 0.0f : v >= 65535 ? 65535.0f : (float)lrintf(v);
            bad += back->data[i] != e;
        }
        CHECK(bad == 0, "tiff16 round trip: %d pixels differ", bad);
        CHECK(back->bits_per_sample == 16 && back->format == BQ_FORMAT_TIFF, "tiff16 kind");
        bq_image_free(back);
    }
    /* A failed write leaves nothing behind and names the path. */
    rc = bq_image_save_tiff16(img, path_of("no/such/dir/x.tif"), &err);
    CHECK(rc < 0 && strstr(err.msg, "no/such/dir/x.tif"), "save to a bad dir: %s", err.msg);

    bq_rgb_t *rgb = bq_rgb_from_image(img);
    CHECK(rgb && rgb->width == W && rgb->height == H, "rgb_from_image");
    if (rgb) {
        bq_rgb_rect(rgb, 2, 3, 10, 8, 255, 0, 0);
        bq_rgb_rect(rgb, -50, -50, 1000, 1000, 0, 0, 255); /* clipped away entirely */
        bq_rgb_rect(rgb, 30, 20, 36, 40, 0, 255, 0);        /* partly outside */
        const char *ppath = path_of("w_rgb.png");
        rc = bq_rgb_save_png(rgb, ppath, &err);
        CHECK(rc == 0, "rgb_save_png: %s", err.msg);
        {
            /* gray plus a few colours: written as an indexed-colour PNG
             * (IHDR colour type, byte 25 of the file, is 3) */
            unsigned char hdr[26] = {0};
            FILE *pf = fopen(ppath, "rb");
            size_t got = pf ? fread(hdr, 1, sizeof hdr, pf) : 0;
            if (pf)
                fclose(pf);
            CHECK(got == sizeof hdr && hdr[24] == 8 && hdr[25] == 3,
                  "overlay PNG: bit depth %d, colour type %d (want 8, 3)", hdr[24], hdr[25]);
        }
        bq_load_options_t o = {.channel = BQ_CHANNEL_RED};
        rc = bq_image_load(ppath, &o, &back, &err);
        CHECK(rc == 0, "reload png: %s", err.msg);
        if (back) {
            /* an indexed-colour PNG: the annotation colours exact, the grays
             * rounded to 240 levels (at most one level off) */
            int bad = 0;
            for (int i = 0; i < W * H; i++) {
                const uint8_t *p = rgb->data + 3 * i;
                int gray = p[0] == p[1] && p[1] == p[2];
                double d = fabs(back->data[i] - p[0]);
                bad += gray ? d > 1.0 : d != 0.0;
            }
            CHECK(bad == 0, "png round trip (red): %d differ", bad);
            CHECK(back->data[3 * W + 5] == 255.0f, "rect top edge is red");
            bq_image_free(back);
        }
        o.channel = BQ_CHANNEL_GREEN;
        rc = bq_image_load(ppath, &o, &back, &err);
        if (back) {
            CHECK(back->data[20 * W + 33] == 255.0f && back->data[22 * W + 30] == 255.0f,
                  "clipped rect drawn in green");
            bq_image_free(back);
        }
        /* Film look: the brightest data pixel is darkest on the picture. */
        int imax = 0;
        for (int i = 1; i < W * H; i++)
            if (img->data[i] > img->data[imax])
                imax = i;
        CHECK(rgb->data[3 * imax] < 10, "bright data renders dark (%d)", rgb->data[3 * imax]);
        rc = bq_rgb_save_png(rgb, path_of("no/such/dir/x.png"), &err);
        CHECK(rc < 0 && strstr(err.msg, "no/such/dir/x.png"), "png to bad dir: %s", err.msg);
        bq_rgb_free(rgb);
    }
    bq_image_free(img);
    bq_rgb_free(NULL);
    bq_image_free(NULL);

    /* Content decides, not the name. */
    copy_file(path_of("p_rgba8.png"), path_of("s_png_named.tif"));
    copy_file(path_of("t_g16_lzw_pred.tif"), path_of("s_tiff_named.png"));
    copy_file(path_of("t_gel16.tif"), path_of("s_gel_named.png"));
    CHECK(bq_image_sniff(path_of("s_png_named.tif")) == BQ_FORMAT_PNG, "sniff png.tif");
    CHECK(bq_image_sniff(path_of("s_tiff_named.png")) == BQ_FORMAT_TIFF, "sniff tif.png");
    CHECK(bq_image_sniff(path_of("s_gel_named.png")) == BQ_FORMAT_GEL, "sniff gel.png");
    const char *names[] = {"s_png_named.tif", "s_tiff_named.png", "s_gel_named.png"};
    bq_format fmts[] = {BQ_FORMAT_PNG, BQ_FORMAT_TIFF, BQ_FORMAT_GEL};
    for (int i = 0; i < 3; i++) {
        rc = bq_image_load(path_of(names[i]), NULL, &back, &err);
        CHECK(rc == 0 && back && back->format == fmts[i], "%s loads: %s", names[i], err.msg);
        bq_image_free(back);
    }
}

/* ---- hostile files ------------------------------------------------------- */

static void write_bytes(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        if (n)
            fwrite(b, 1, n, f);
        fclose(f);
    }
}

static size_t read_all(const char *path, uint8_t **out)
{
    FILE *f = fopen(path, "rb");
    *out = NULL;
    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *out = malloc((size_t)n + 1);
    size_t got = fread(*out, 1, (size_t)n, f);
    fclose(f);
    return got;
}

/* A minimal little-endian classic TIFF, one strip, built by hand so its
 * header can lie. */
static size_t craft_tiff(uint8_t *b, uint32_t w, uint32_t h, uint16_t bps, uint16_t compression,
                         uint32_t strip_off, uint32_t strip_bytes, uint16_t fmt)
{
    memset(b, 0, 512);
    memcpy(b, "II*\0", 4);
    uint32_t ifd = 8;
    memcpy(b + 4, &ifd, 4);
    struct { uint16_t tag, type; uint32_t count, value; } e[] = {
        {256, 4, 1, w},           {257, 4, 1, h},
        {258, 3, 1, bps},         {259, 3, 1, compression},
        {262, 3, 1, 1},           {273, 4, 1, strip_off},
        {277, 3, 1, 1},           {278, 4, 1, h},
        {279, 4, 1, strip_bytes}, {339, 3, 1, fmt},
    };
    uint16_t n = sizeof e / sizeof e[0];
    memcpy(b + 8, &n, 2);
    for (int i = 0; i < n; i++) {
        uint8_t *p = b + 10 + 12 * i;
        memcpy(p, &e[i].tag, 2);
        memcpy(p + 2, &e[i].type, 2);
        memcpy(p + 4, &e[i].count, 4);
        memcpy(p + 8, &e[i].value, 4);
    }
    return 10 + 12 * (size_t)n + 4; /* next IFD = 0 */
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void expect_failure(const char *name, int want_code)
{
    const char *path = path_of(name);
    bq_image_t *img = (bq_image_t *)1;
    bq_error_t err = {0};
    int rc = bq_image_load(path, NULL, &img, &err);
    CHECK(rc < 0 && img == NULL, "%s: expected failure, got %d", name, rc);
    CHECK(strstr(err.msg, path) == err.msg, "%s: message does not start with the path: %s",
          name, err.msg);
    CHECK(err.code == rc, "%s: err.code %d vs rc %d", name, err.code, rc);
    if (want_code)
        CHECK(rc == want_code, "%s: code %d, wanted %d (%s)", name, rc, want_code, err.msg);
    if (rc < 0 && getenv("BQ_TEST_VERBOSE"))
        printf("  %s -> %d %s\n", name, rc, err.msg);
}

static void test_hostile(void)
{
    uint8_t *buf;
    size_t n;
    write_bytes(path_of("h_empty.tif"), "", 0);
    expect_failure("h_empty.tif", BQ_ERR_FORMAT);
    write_bytes(path_of("h_empty.png"), "", 0);
    expect_failure("h_empty.png", BQ_ERR_FORMAT);
    write_bytes(path_of("h_text.png"), "this is not an image\n", 21);
    expect_failure("h_text.png", BQ_ERR_FORMAT);
    write_bytes(path_of("h_magic_only.tif"), "II*\0", 4);
    expect_failure("h_magic_only.tif", 0);
    expect_failure("h_missing.tif", BQ_ERR_IO);

    /* Truncated files: cut a valid one short at several points. */
    const char *srcs[] = {"t_g16.tif", "t_g16_deflate.tif", "t_g16_tiled.tif", "p_g16.png",
                          "p_rgba8.png", "p_g16_interlaced.png"};
    for (int s = 0; s < 6; s++) {
        n = read_all(path_of(srcs[s]), &buf);
        double cuts[] = {0.1, 0.5, 0.9, 0.99};
        for (int c = 0; c < 4; c++) {
            char name[96];
            snprintf(name, sizeof name, "h_cut%d_%s", c, srcs[s]);
            write_bytes(path_of(name), buf, (size_t)((double)n * cuts[c]));
            expect_failure(name, 0);
        }
        free(buf);
    }
    /* A TIFF whose strip runs past the end of the file. */
    uint8_t t[600];
    size_t tl = craft_tiff(t, 64, 64, 16, 1, 200, 8192, 1);
    write_bytes(path_of("h_strip_past_end.tif"), t, tl < 300 ? 300 : tl);
    expect_failure("h_strip_past_end.tif", BQ_ERR_CORRUPT);
    /* Absurd dimensions: 10 gigapixels. */
    craft_tiff(t, 100000, 100000, 16, 1, 200, 100, 1);
    write_bytes(path_of("h_huge.tif"), t, 300);
    expect_failure("h_huge.tif", BQ_ERR_LIMIT);
    /* Zero width. */
    craft_tiff(t, 0, 64, 16, 1, 200, 100, 1);
    write_bytes(path_of("h_zero_width.tif"), t, 300);
    expect_failure("h_zero_width.tif", 0);
    /* A decompression bomb: 400 MP under the pixel limit, but 800 MB of
     * pixels claimed from a 300-byte Deflate file. */
    craft_tiff(t, 20000, 20000, 16, 8, 200, 100, 1);
    write_bytes(path_of("h_bomb.tif"), t, 300);
    expect_failure("h_bomb.tif", BQ_ERR_LIMIT);
    /* An IFD chain that loops back on itself: one page, no hang. */
    tl = craft_tiff(t, 4, 4, 8, 1, 200, 16, 1);
    {
        uint32_t self = 8;
        memcpy(t + tl - 4, &self, 4);
        write_bytes(path_of("h_ifd_loop.tif"), t, 300);
        bq_image_t *li = NULL;
        bq_error_t le = {0};
        int lrc = bq_image_load(path_of("h_ifd_loop.tif"), NULL, &li, &le);
        CHECK(lrc == 0 ? li->n_pages == 1 : strstr(le.msg, "h_ifd_loop.tif") != NULL,
              "IFD loop: %d %s", lrc, le.msg);
        bq_image_free(li);
    }
    /* A tile far larger than the image: refused before allocating it. */
    {
        uint8_t tt[300];
        memset(tt, 0, sizeof tt);
        memcpy(tt, "II*\0", 4);
        uint32_t ifd = 8;
        memcpy(tt + 4, &ifd, 4);
        struct { uint16_t tag, type; uint32_t count, value; } e[] = {
            {256, 4, 1, 40}, {257, 4, 1, 30}, {258, 3, 1, 16}, {259, 3, 1, 1},
            {262, 3, 1, 1}, {277, 3, 1, 1}, {322, 4, 1, 1u << 20}, {323, 4, 1, 1u << 20},
            {324, 4, 1, 200}, {325, 4, 1, 64}, {339, 3, 1, 1},
        };
        uint16_t ne = sizeof e / sizeof e[0];
        memcpy(tt + 8, &ne, 2);
        for (int i = 0; i < ne; i++)
            memcpy(tt + 10 + 12 * i, &e[i], 12);
        write_bytes(path_of("h_huge_tile.tif"), tt, sizeof tt);
        expect_failure("h_huge_tile.tif", 0);
    }
    /* Unsupported sample formats. */
    craft_tiff(t, 4, 4, 16, 1, 200, 32, 2 /* signed */);
    write_bytes(path_of("h_signed.tif"), t, 300);
    expect_failure("h_signed.tif", BQ_ERR_FORMAT);
    craft_tiff(t, 4, 4, 12, 1, 200, 24, 1);
    write_bytes(path_of("h_12bit.tif"), t, 300);
    expect_failure("h_12bit.tif", BQ_ERR_FORMAT);
    /* Corrupt Deflate data. */
    tl = craft_tiff(t, 16, 16, 16, 8, 200, 64, 1);
    for (int i = 200; i < 264; i++)
        t[i] = (uint8_t)(i * 31);
    write_bytes(path_of("h_bad_deflate.tif"), t, 300);
    expect_failure("h_bad_deflate.tif", BQ_ERR_CORRUPT);

    /* Float TIFFs holding NaN or infinity. */
    for (int k = 0; k < 2; k++) {
        const char *name = k ? "h_inf.tif" : "h_nan.tif";
        TIFF *tif = TIFFOpen(path_of(name), "w");
        float row[8];
        TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 8);
        TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 2);
        TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 32);
        TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
        TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_IEEEFP);
        TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 8; x++)
                row[x] = (float)x;
            if (y == 1)
                row[5] = k ? INFINITY : NAN;
            TIFFWriteScanline(tif, row, (uint32_t)y, 0);
        }
        TIFFClose(tif);
        expect_failure(name, BQ_ERR_CORRUPT);
    }

    /* PNG with a bad CRC in IHDR, and with a damaged IDAT byte. */
    n = read_all(path_of("p_rgb8.png"), &buf);
    buf[29] ^= 0xff; /* IHDR CRC */
    write_bytes(path_of("h_bad_crc_ihdr.png"), buf, n);
    expect_failure("h_bad_crc_ihdr.png", BQ_ERR_CORRUPT);
    buf[29] ^= 0xff;
    buf[33 + 8 + 10] ^= 0x55; /* inside the first IDAT's data */
    write_bytes(path_of("h_bad_crc_idat.png"), buf, n);
    expect_failure("h_bad_crc_idat.png", BQ_ERR_CORRUPT);
    buf[33 + 8 + 10] ^= 0x55;
    /* Intact data, wrong IDAT CRC: only the CRC check can catch it. */
    CHECK(memcmp(buf + 37, "IDAT", 4) == 0, "test png: IDAT follows IHDR");
    uint32_t idat_len = (uint32_t)buf[33] << 24 | (uint32_t)buf[34] << 16 |
                        (uint32_t)buf[35] << 8 | buf[36];
    buf[41 + idat_len + 3] ^= 0x01;
    write_bytes(path_of("h_bad_crc_idat2.png"), buf, n);
    expect_failure("h_bad_crc_idat2.png", BQ_ERR_CORRUPT);
    buf[41 + idat_len + 3] ^= 0x01;
    /* A damaged ancillary chunk (tEXt) right after IHDR: still an error. */
    {
        static const uint8_t text[] = {0, 0, 0, 3, 't', 'E', 'X', 't', 'a', 0, 'b', 0, 0, 0, 0};
        uint8_t *withtext = malloc(n + sizeof text);
        memcpy(withtext, buf, 33);
        memcpy(withtext + 33, text, sizeof text);
        put_be32(withtext + 33 + 11, (uint32_t)crc32(0, withtext + 37, 7) ^ 1u);
        memcpy(withtext + 33 + sizeof text, buf + 33, n - 33);
        write_bytes(path_of("h_bad_crc_text.png"), withtext, n + sizeof text);
        expect_failure("h_bad_crc_text.png", BQ_ERR_CORRUPT);
        /* ... and with the right CRC it loads. */
        put_be32(withtext + 33 + 11, (uint32_t)crc32(0, withtext + 37, 7));
        write_bytes(path_of("h_good_text.png"), withtext, n + sizeof text);
        bq_image_t *ok_img = NULL;
        bq_error_t ok_err = {0};
        CHECK(bq_image_load(path_of("h_good_text.png"), NULL, &ok_img, &ok_err) == 0,
              "png with tEXt: %s", ok_err.msg);
        bq_image_free(ok_img);
        free(withtext);
    }
    /* Absurd dimensions in IHDR, with a correct CRC so only the size is wrong. */
    put_be32(buf + 16, 0x7fffffffu);
    put_be32(buf + 20, 0x7fffffffu);
    put_be32(buf + 29, (uint32_t)crc32(0, buf + 12, 17));
    write_bytes(path_of("h_huge.png"), buf, n);
    expect_failure("h_huge.png", BQ_ERR_LIMIT);
    /* Under libpng's limits but over the pixel limit. */
    put_be32(buf + 16, 900000);
    put_be32(buf + 20, 900000);
    put_be32(buf + 29, (uint32_t)crc32(0, buf + 12, 17));
    write_bytes(path_of("h_big.png"), buf, n);
    expect_failure("h_big.png", BQ_ERR_LIMIT);
    free(buf);

    /* Tight pixel limit from the options. */
    bq_load_options_t o = {.max_pixels = 100};
    bq_image_t *img = NULL;
    bq_error_t err = {0};
    int rc = bq_image_load(path_of("t_g8.tif"), &o, &img, &err);
    CHECK(rc == BQ_ERR_LIMIT && !img && strstr(err.msg, "t_g8.tif"), "max_pixels tiff: %s",
          err.msg);
    rc = bq_image_load(path_of("p_g8.png"), &o, &img, &err);
    CHECK(rc == BQ_ERR_LIMIT && !img && strstr(err.msg, "p_g8.png"), "max_pixels png: %s",
          err.msg);
    o.max_pixels = 0;
    o.page = -1;
    rc = bq_image_load(path_of("t_g8.tif"), &o, &img, &err);
    CHECK(rc == BQ_ERR_INVALID && !img, "negative page");
    o.page = 1;
    rc = bq_image_load(path_of("p_g8.png"), &o, &img, &err);
    CHECK(rc == BQ_ERR_INVALID && !img && strstr(err.msg, "p_g8.png"), "png page 1: %s",
          err.msg);
}

/* Damaged copies of good files: deterministic byte flips, overwrites and
 * cuts. Each must load or fail with the path in the message; a crash or a
 * leak (under valgrind/ASan) fails the test. */
static void test_mutants(void)
{
    const char *seeds[] = {"t_g16_lzw_pred.tif", "t_rgba16_tiled.tif", "t_palette4_tiled.tif",
                           "t_rgb8_separate.tif", "t_g16_bigtiff_be_tiled.tif", "t_gel16.tif",
                           "t_f32_deflate_fpred.tif", "p_rgba16.png", "p_pal4_trns.png",
                           "p_g16_interlaced.png", "x_jpeg_ycbcr.tif"};
    uint32_t rng = 2463534242u;
    int loaded = 0, failed = 0, unnamed = 0;
    char mpath[1200];
    snprintf(mpath, sizeof mpath, "%s", path_of("m_mutant.bin"));
    for (size_t sd = 0; sd < sizeof seeds / sizeof seeds[0]; sd++) {
        uint8_t *orig;
        size_t n = read_all(path_of(seeds[sd]), &orig);
        if (n < 16) {
            CHECK(0, "mutant seed %s missing", seeds[sd]);
            free(orig);
            continue;
        }
        uint8_t *m = malloc(n);
        for (int it = 0; it < 40; it++) {
            memcpy(m, orig, n);
            size_t len = n;
            int edits = 1 + it % 6;
            for (int e = 0; e < edits; e++) {
                rng ^= rng << 13;
                rng ^= rng >> 17;
                rng ^= rng << 5;
                size_t pos = rng % n;
                switch ((rng >> 24) % 4) {
                case 0: m[pos] ^= (uint8_t)(1u << ((rng >> 8) % 8)); break;
                case 1: m[pos] = (uint8_t)(rng >> 16); break;
                case 2: m[pos] = (rng >> 20) & 1 ? 0xff : 0x00; break;
                default: if (pos > 8) len = pos; break;
                }
            }
            write_bytes(mpath, m, len);
            bq_load_options_t o = {.max_pixels = 4000000};
            bq_image_t *img = NULL;
            bq_error_t err = {0};
            if (bq_image_load(mpath, &o, &img, &err) == 0) {
                loaded++;
                bq_image_detect_polarity(img);
                bq_image_free(img);
            } else {
                failed++;
                if (strstr(err.msg, mpath) != err.msg || img != NULL) {
                    if (!unnamed)
                        printf("  mutant of %s: %s\n", seeds[sd], err.msg);
                    unnamed++;
                }
            }
        }
        free(m);
        free(orig);
    }
    CHECK(unnamed == 0, "%d mutant failures without the path", unnamed);
    if (getenv("BQ_TEST_VERBOSE"))
        printf("  mutants: %d loaded, %d refused\n", loaded, failed);
}

/* 1x1 and constant images load; deciding they hold no blot is later work. */
static void test_degenerate(void)
{
    bq_image_t *one = bq_image_new(1, 1);
    one->data[0] = 123.0f;
    bq_error_t err = {0};
    CHECK(bq_image_save_tiff16(one, path_of("d_1x1.tif"), &err) == 0, "1x1 save");
    bq_image_free(one);
    bq_image_t *img = NULL;
    int rc = bq_image_load(path_of("d_1x1.tif"), NULL, &img, &err);
    CHECK(rc == 0 && img && img->width == 1 && img->data[0] == 123.0f, "1x1 load: %s", err.msg);
    if (img) {
        bq_image_detect_polarity(img);
        bq_image_free(img);
    }
    bq_image_t *flat = bq_image_new(50, 40);
    for (int i = 0; i < 2000; i++)
        flat->data[i] = 777.0f;
    CHECK(bq_image_save_tiff16(flat, path_of("d_flat.tif"), &err) == 0, "flat save");
    bq_image_free(flat);
    rc = bq_image_load(path_of("d_flat.tif"), NULL, &img, &err);
    CHECK(rc == 0 && img, "flat load: %s", err.msg);
    if (img) {
        CHECK(bq_image_detect_polarity(img) == 0, "flat polarity");
        bq_image_free(img);
    }
    CHECK(bq_image_new(0, 5) == NULL && bq_image_new(5, -1) == NULL, "new rejects bad sizes");
    CHECK(bq_image_new(0x7fffffff, 0x7fffffff) == NULL, "new rejects huge sizes");
}

/* ---- float levels --------------------------------------------------------- */

static void test_float_levels(void)
{
    /* A clipped float export: a plateau at the maximum means saturation. */
    for (int k = 0; k < 2; k++) {
        const char *name = k ? "f_plateau.tif" : "f_smooth.tif";
        TIFF *tif = TIFFOpen(path_of(name), "w");
        enum { FW = 40, FH = 30 };
        float row[FW];
        TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, FW);
        TIFFSetField(tif, TIFFTAG_IMAGELENGTH, FH);
        TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 32);
        TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
        TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_IEEEFP);
        TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
        for (int y = 0; y < FH; y++) {
            for (int x = 0; x < FW; x++) {
                float v = (float)(x * FH + y) * 0.01f;
                if (k && x > 35)
                    v = 20.0f; /* 4 columns clipped at 20 */
                row[x] = v;
            }
            TIFFWriteScanline(tif, row, (uint32_t)y, 0);
        }
        TIFFClose(tif);
        bq_image_t *img = NULL;
        bq_error_t err = {0};
        int rc = bq_image_load(path_of(name), NULL, &img, &err);
        CHECK(rc == 0, "%s: %s", name, err.msg);
        if (!img)
            continue;
        if (k)
            CHECK(img->clip_level == 20.0 && img->max_value == 20.0,
                  "plateau: clip %g max %g", img->clip_level, img->max_value);
        else
            CHECK(isinf(img->clip_level) && fabs(img->max_value - 11.99) < 1e-4,
                  "smooth: clip %g max %g", img->clip_level, img->max_value);
        CHECK(img->is_float && img->bits_per_sample == 32, "float flags");
        bq_image_free(img);
    }
}

/* ---- colour models libtiff decodes for us, and MaxSampleValue ------------- */

static void test_tiff_extras(void)
{
    /* JPEG-compressed YCbCr: lossy, so compare to the source within a bound. */
    const char *jpath = path_of("x_jpeg_ycbcr.tif");
    enum { JW = 64, JH = 48 };
    TIFF *tif = TIFFOpen(jpath, "w");
    CHECK(tif != NULL, "open jpeg tiff for writing");
    if (!tif)
        return;
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, JW);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, JH);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 3);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_JPEG);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_YCBCR);
    TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
    TIFFSetField(tif, TIFFTAG_JPEGQUALITY, 95);
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 16);
    uint8_t row[JW * 3];
    int ok = 1;
    for (int y = 0; y < JH; y++) {
        for (int x = 0; x < JW; x++) {
            row[3 * x] = (uint8_t)(x * 4);     /* smooth ramps survive JPEG */
            row[3 * x + 1] = (uint8_t)(y * 5);
            row[3 * x + 2] = 128;
        }
        ok &= TIFFWriteScanline(tif, row, (uint32_t)y, 0) == 1;
    }
    TIFFClose(tif);
    CHECK(ok, "jpeg tiff written");
    bq_image_t *img = NULL;
    bq_error_t err = {0};
    int rc = bq_image_load(jpath, NULL, &img, &err);
    CHECK(rc == 0, "jpeg/YCbCr tiff: %s", err.msg);
    if (img) {
        double sum = 0;
        for (int y = 0; y < JH; y++)
            for (int x = 0; x < JW; x++) {
                /* independent ramps: the loader reads them as a composite */
                const float c[3] = {(float)(x * 4), (float)(y * 5), 128.0f};
                sum += fabs(img->data[y * JW + x] - reduce(c, img->channel));
            }
        CHECK(sum / (JW * JH) < 3.0, "jpeg/YCbCr mean error %.2f (bound 3)", sum / (JW * JH));
        CHECK(!img->valid, "jpeg: no invalid pixels");
        bq_image_free(img);
    }

    /* A 12-bit camera in 16-bit samples: MaxSampleValue is the real ceiling,
     * unless the data contradict it. */
    for (int k = 0; k < 2; k++) {
        const char *name = k ? "x_maxsample_wrong.tif" : "x_maxsample.tif";
        tif = TIFFOpen(path_of(name), "w");
        uint16_t r16[W];
        TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, W);
        TIFFSetField(tif, TIFFTAG_IMAGELENGTH, H);
        TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 16);
        TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
        TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
        TIFFSetField(tif, TIFFTAG_MAXSAMPLEVALUE, 4095);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++)
                r16[x] = (uint16_t)ref_value(x, y, 0, k ? 65535 : 4095);
            TIFFWriteScanline(tif, r16, (uint32_t)y, 0);
        }
        TIFFClose(tif);
        rc = bq_image_load(path_of(name), NULL, &img, &err);
        CHECK(rc == 0, "%s: %s", name, err.msg);
        if (img) {
            double want = k ? 65535.0 : 4095.0;
            CHECK(img->clip_level == want && img->max_value == 65535.0,
                  "%s: clip %g (want %g) max %g", name, img->clip_level, want, img->max_value);
            bq_image_free(img);
        }
    }
}

/* TIFF Orientation: the picture comes out as it is meant to be viewed. */
static void test_orientation(void)
{
    /* For orientations 1..8 (TIFF 6.0): are stored rows vertical on screen,
     * is row 0 at the far side (bottom / right), is column 0 at the far side. */
    static const int rows_vertical[9] = {0, 0, 0, 0, 0, 1, 1, 1, 1};
    static const int row0_far[9] = {0, 0, 0, 1, 1, 0, 1, 1, 0};
    static const int col0_far[9] = {0, 0, 1, 1, 0, 0, 0, 1, 1};
    for (int o = 1; o <= 8; o++) {
        char name[64];
        snprintf(name, sizeof name, "o_orient%d.tif", o);
        TIFF *tif = TIFFOpen(path_of(name), "w");
        uint16_t r16[W];
        TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, W);
        TIFFSetField(tif, TIFFTAG_IMAGELENGTH, H);
        TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 16);
        TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
        TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
        TIFFSetField(tif, TIFFTAG_ORIENTATION, o);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++)
                r16[x] = (uint16_t)ref_value(x, y, 0, 65535);
            TIFFWriteScanline(tif, r16, (uint32_t)y, 0);
        }
        TIFFClose(tif);
        bq_image_t *img = NULL;
        bq_error_t err = {0};
        int rc = bq_image_load(path_of(name), NULL, &img, &err);
        CHECK(rc == 0, "%s: %s", name, err.msg);
        if (!img)
            continue;
        int dw = rows_vertical[o] ? H : W, dh = rows_vertical[o] ? W : H;
        CHECK(img->width == dw && img->height == dh, "%s: %dx%d", name, img->width, img->height);
        int bad = 0;
        for (int r = 0; r < H && img->width == dw; r++)
            for (int c = 0; c < W; c++) {
                int x, y;
                if (rows_vertical[o]) {
                    x = row0_far[o] ? H - 1 - r : r;
                    y = col0_far[o] ? W - 1 - c : c;
                } else {
                    y = row0_far[o] ? H - 1 - r : r;
                    x = col0_far[o] ? W - 1 - c : c;
                }
                bad += img->data[(size_t)y * dw + x] != (float)ref_value(c, r, 0, 65535);
            }
        CHECK(bad == 0, "%s: %d pixels misplaced", name, bad);
        bq_image_free(img);
    }
}

/* ---- polarity and invert -------------------------------------------------- */

/* A synthetic blot: background bg, lanes x bands of value band (with a
 * little deterministic noise), optional margin/padding. */
static bq_image_t *synth(int w, int h, float bg, float band, int lanes, int rows, int band_h)
{
    bq_image_t *img = bq_image_new(w, h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float v = bg + (float)(ref_value(x, y, 0, 200)) - 100.0f;
            int lane = x * (2 * lanes + 1) / w;
            if (lane % 2 == 1)
                for (int r = 0; r < rows; r++) {
                    int yc = h * (r + 1) / (rows + 1);
                    if (y >= yc - band_h / 2 && y < yc + band_h / 2)
                        v = band + (float)(ref_value(x, y, 1, 200)) - 100.0f;
                }
            img->data[(size_t)y * w + x] = v < 0 ? 0 : v > 65535 ? 65535 : v;
        }
    return img;
}

static void frame(bq_image_t *img, int m, float v, int invalid)
{
    size_t n = (size_t)img->width * img->height;
    if (invalid && !img->valid) {
        img->valid = malloc(n);
        memset(img->valid, 1, n);
    }
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++)
            if (x < m || y < m || x >= img->width - m || y >= img->height - m) {
                img->data[(size_t)y * img->width + x] = v;
                if (invalid)
                    img->valid[(size_t)y * img->width + x] = 0;
            }
}

static void test_polarity(void)
{
    struct {
        const char *what;
        float bg, band;
        int lanes, rows, band_h;
        int margin;
        float margin_v;
        int invalid;
        int want;
    } cases[] = {
        {"chemiluminescence, dark bands on white", 52000, 9000, 8, 2, 12, 0, 0, 0, 1},
        {"fluorescence, bright bands on black", 1500, 40000, 8, 2, 12, 0, 0, 0, 0},
        {"sparse fluorescence", 800, 60000, 3, 1, 4, 0, 0, 0, 0},
        {"many strong dark bands", 50000, 3000, 12, 4, 14, 0, 0, 0, 1},
        {"dark bands, white margin", 42000, 8000, 8, 2, 12, 30, 65535, 0, 1},
        {"bright bands, white margin", 2000, 30000, 8, 2, 12, 25, 65535, 0, 0},
        {"dark bands, black transparent padding", 50000, 10000, 8, 2, 12, 60, 0, 1, 1},
        {"bright bands, white transparent padding", 3000, 40000, 8, 2, 12, 60, 65535, 1, 0},
        {"dark bands, dark tray around", 45000, 12000, 6, 2, 12, 25, 2000, 0, 1},
        {"thick dark bands, tight crop", 40000, 15000, 6, 1, 170, 0, 0, 0, 1},
        {"thick bright bands, tight crop", 6000, 30000, 6, 1, 170, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bq_image_t *img = synth(300, 200, cases[i].bg, cases[i].band, cases[i].lanes,
                                cases[i].rows, cases[i].band_h);
        if (cases[i].margin)
            frame(img, cases[i].margin, cases[i].margin_v, cases[i].invalid);
        int p = bq_image_detect_polarity(img);
        CHECK(p == cases[i].want, "polarity %s: got %d", cases[i].what, p);
        bq_image_free(img);
    }

    /* Saturated dark blobs over nearly half a picture saved as JPEG: the
     * clipped plateau sits a level or two above 0 (rounding), not on it,
     * and still must not pass for the background (a graded film, 150..250
     * across). */
    bq_image_t *sat = bq_image_new(300, 200);
    CHECK(sat != NULL, "out of memory");
    if (sat) {
        sat->max_value = sat->clip_level = 255.0;
        for (int y = 0; y < 200; y++)
            for (int x = 0; x < 300; x++) {
                int blob = (x % 50) < 26 && y > 10 && y < 190;
                sat->data[(size_t)y * 300 + (size_t)x] =
                    blob ? (float)(1 + (x + y) % 7 / 5) : (float)(150 + x / 3);
            }
        CHECK(bq_image_detect_polarity(sat) == 1, "polarity: saturated dark blobs one level "
              "off black taken for the background");
        bq_image_free(sat);
    }

    /* Invert: values mirrored on valid pixels, clip levels swapped. */
    bq_image_t *img = synth(60, 40, 50000, 9000, 3, 1, 6);
    frame(img, 3, 0, 1);
    img->clip_level = 65535;
    img->clip_low = 0;
    float before = img->data[20 * 60 + 30];
    bq_image_invert(img);
    CHECK(img->data[20 * 60 + 30] == 65535.0f - before, "invert value");
    CHECK(img->data[0] == 0.0f, "invert leaves invalid pixels alone");
    CHECK(img->inverted == 1 && img->clip_level == 65535.0 && img->clip_low == 0.0,
          "invert flags/levels");
    img->clip_level = 60000;
    img->clip_low = 100;
    bq_image_invert(img);
    CHECK(img->inverted == 0 && img->clip_level == 65435.0 && img->clip_low == 5535.0,
          "invert swaps levels: %g %g", img->clip_level, img->clip_low);
    CHECK(img->data[20 * 60 + 30] == before, "double invert restores");
    bq_image_free(img);
}

/* ---- threads --------------------------------------------------------------- */

/* Loaders run on several threads in batch: every thread must get its own
 * file's message, and good files must load meanwhile. */
static void *thread_load(void *arg)
{
    intptr_t k = (intptr_t)arg;
    const char *good[] = {"t_g16_lzw_pred.tif", "p_rgba16.png", "t_rgb16_separate_tiled_be.tif"};
    const char *bad[] = {"h_bad_deflate.tif", "h_bad_crc_idat.png", "h_cut2_t_g16_deflate.tif"};
    long failures = 0;
    for (int it = 0; it < 20; it++) {
        char p[1200];
        bq_image_t *img = NULL;
        bq_error_t err = {0};
        snprintf(p, sizeof p, "%s/%s", outdir, good[(k + it) % 3]);
        if (bq_image_load(p, NULL, &img, &err) != 0)
            failures++;
        bq_image_free(img);
        snprintf(p, sizeof p, "%s/%s", outdir, bad[(k + it) % 3]);
        if (bq_image_load(p, NULL, &img, &err) == 0 || strstr(err.msg, p) != err.msg)
            failures++;
    }
    return (void *)failures;
}

static void test_threads(void)
{
    pthread_t th[4];
    for (intptr_t k = 0; k < 4; k++)
        pthread_create(&th[k], NULL, thread_load, (void *)k);
    for (int k = 0; k < 4; k++) {
        void *r;
        pthread_join(th[k], &r);
        CHECK(r == NULL, "thread %d: %ld wrong results", k, (long)(intptr_t)r);
    }
}

/* ---- main ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    snprintf(outdir, sizeof outdir, "%s/image-files", argv[1]);
    mkdir(outdir, 0755);
    test_parent = TIFFSetTagExtender(test_extender);

    test_tiffs();
    test_pngs();
    test_writers_and_sniffing();
    test_tiff_extras();
    test_orientation();

    /* Nothing the library does may reach stderr: send it to a file while
     * the hostile files are read, then check that file is empty. */
    char errlog[1200];
    snprintf(errlog, sizeof errlog, "%s", path_of("stderr.log"));
    fflush(stderr);
    int saved = dup(2);
    FILE *log = fopen(errlog, "w");
    dup2(fileno(log), 2);
    test_hostile();
    test_mutants();
    test_degenerate();
    test_float_levels();
    test_threads();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(log);
    struct stat st;
    CHECK(stat(errlog, &st) == 0 && st.st_size == 0,
          "the library wrote %lld bytes to stderr (see %s)", (long long)st.st_size, errlog);

    test_polarity();

    printf("%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}
