/* gen_seeds.c - writes the image seeds of the fuzz corpora: small TIFF, PNG
 * and JPEG variants of one synthetic blot (4 lanes, 2 band rows), each a few
 * KB.
 * Run by make_corpus.sh; the files it writes are committed, so this program
 * is only built on request (ninja tests/fuzz/gen_seeds).
 *
 * Usage: gen_seeds TIFF_DIR PNG_DIR JPEG_DIR */
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

#include "jpeg_write.h"

#define W 64
#define H 48

/* Brightness of the blot at (x, y) on 0..1: bands bright on a dim membrane. */
static double blot(int x, int y)
{
    double v = 0.08 + 0.02 * (double)x / W;
    for (int lane = 0; lane < 4; lane++) {
        double cx = 10.0 + 14.0 * lane;
        if (fabs(x - cx) > 5.0)
            continue;
        double amp1 = 0.85 - 0.18 * lane, amp2 = 0.6;
        v += amp1 * exp(-0.5 * pow((y - 15.0) / 2.0, 2));
        v += amp2 * exp(-0.5 * pow((y - 32.0) / 2.0, 2));
    }
    return v > 1.0 ? 1.0 : v;
}

/* ---- TIFF ---------------------------------------------------------------- */

static const TIFFFieldInfo md_fields[] = {
    {33445, 1, 1, TIFF_LONG, FIELD_CUSTOM, 1, 0, (char *)"MD_FileTag"},
    {33446, 1, 1, TIFF_RATIONAL, FIELD_CUSTOM, 1, 0, (char *)"MD_ScalePixel"},
};

typedef struct tiff_variant {
    const char *name;
    int bits, spp, is_float, planar_separate, tiled, pages, bigtiff, miniswhite, palette,
        alpha, gel, maxsample;
    uint16_t compression, predictor;
} tiff_variant_t;

static void sample_values(const tiff_variant_t *v, int x, int y, double out[4])
{
    double b = blot(x, y);
    if (v->miniswhite)
        b = 1.0 - b;
    out[0] = b;
    out[1] = b * 0.9;
    out[2] = b * 0.7;
    out[3] = (x < 2) ? 0.0 : 1.0; /* alpha: a transparent left edge */
    if (v->spp == 2)
        out[1] = out[3];
}

static void put_sample(const tiff_variant_t *v, uint8_t *p, double s)
{
    if (v->is_float) {
        float f = (float)(s * 1000.0);
        memcpy(p, &f, 4);
    } else if (v->bits == 16) {
        uint16_t u = (uint16_t)lround(s * (v->maxsample ? v->maxsample : 65535));
        memcpy(p, &u, 2);
    } else {
        *p = (uint8_t)lround(s * 255.0);
    }
}

/* One image's bytes for a w x h region starting at (x0, y0), for plane
 * `plane` (-1 = all samples interleaved). Bit depths below 8 are packed. */
static size_t fill(const tiff_variant_t *v, int x0, int y0, int w, int h, int plane,
                   uint8_t *buf)
{
    int nsamp = plane < 0 ? v->spp : 1;
    if (v->bits < 8) {
        size_t row = ((size_t)w * (size_t)v->bits + 7) / 8;
        memset(buf, 0, row * (size_t)h);
        int levels = (1 << v->bits) - 1;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                double s[4];
                sample_values(v, x0 + x, y0 + y, s);
                int q = (int)lround(s[0] * levels);
                size_t bit = (size_t)x * (size_t)v->bits;
                buf[(size_t)y * row + bit / 8] |=
                    (uint8_t)(q << (8 - v->bits - (int)(bit % 8)));
            }
        return row * (size_t)h;
    }
    size_t bps = (size_t)(v->bits / 8);
    size_t k = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double s[4];
            sample_values(v, x0 + x, y0 + y, s);
            if (v->palette) {
                buf[k++] = (uint8_t)lround(s[0] * 255.0);
                continue;
            }
            for (int c = 0; c < nsamp; c++) {
                int ch = plane < 0 ? c : plane;
                put_sample(v, buf + k, s[ch]);
                k += bps;
            }
        }
    return k;
}

static int write_tiff(const char *dir, const tiff_variant_t *v)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.tif", dir, v->name);
    TIFF *tif = TIFFOpen(path, v->bigtiff ? "w8" : "w");
    if (!tif)
        return -1;
    if (v->gel)
        TIFFMergeFieldInfo(tif, md_fields, 2);
    static uint8_t buf[W * H * 16];
    for (int page = 0; page < v->pages; page++) {
        TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, (uint32_t)W);
        TIFFSetField(tif, TIFFTAG_IMAGELENGTH, (uint32_t)H);
        TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, (uint16_t)v->bits);
        TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)v->spp);
        TIFFSetField(tif, TIFFTAG_COMPRESSION, v->compression);
        if (v->predictor)
            TIFFSetField(tif, TIFFTAG_PREDICTOR, v->predictor);
        TIFFSetField(tif, TIFFTAG_PLANARCONFIG,
                     v->planar_separate ? PLANARCONFIG_SEPARATE : PLANARCONFIG_CONTIG);
        uint16_t photometric = v->palette      ? PHOTOMETRIC_PALETTE
                               : v->miniswhite ? PHOTOMETRIC_MINISWHITE
                               : v->spp >= 3   ? PHOTOMETRIC_RGB
                                               : PHOTOMETRIC_MINISBLACK;
        TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, photometric);
        if (v->is_float)
            TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_IEEEFP);
        if (v->alpha) {
            uint16_t extra = EXTRASAMPLE_UNASSALPHA;
            TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, (uint16_t)1, &extra);
        }
        if (v->maxsample)
            TIFFSetField(tif, TIFFTAG_MAXSAMPLEVALUE, (uint16_t)v->maxsample);
        if (v->palette) {
            static uint16_t r[256], g[256], b[256];
            for (int i = 0; i < 256; i++) {
                r[i] = (uint16_t)(i * 257);
                g[i] = (uint16_t)(i * 257 * 9 / 10);
                b[i] = (uint16_t)(255 - i) * 257;
            }
            TIFFSetField(tif, TIFFTAG_COLORMAP, r, g, b);
        }
        if (v->gel) {
            TIFFSetField(tif, 33445, (uint32_t)2);
            TIFFSetField(tif, 33446, 1.0 / 21025.0);
        }
        if (v->pages > 1) {
            TIFFSetField(tif, TIFFTAG_SUBFILETYPE, (uint32_t)FILETYPE_PAGE);
            TIFFSetField(tif, TIFFTAG_PAGENUMBER, (uint16_t)page, (uint16_t)v->pages);
        }
        int planes = v->planar_separate ? v->spp : 1;
        if (v->tiled) {
            TIFFSetField(tif, TIFFTAG_TILEWIDTH, (uint32_t)16);
            TIFFSetField(tif, TIFFTAG_TILELENGTH, (uint32_t)16);
            for (int p = 0; p < planes; p++)
                for (int ty = 0; ty < H; ty += 16)
                    for (int tx = 0; tx < W; tx += 16) {
                        size_t n = fill(v, tx, ty, 16, 16, v->planar_separate ? p : -1, buf);
                        if (TIFFWriteEncodedTile(tif, TIFFComputeTile(tif, (uint32_t)tx,
                                                                      (uint32_t)ty, 0,
                                                                      (uint16_t)p),
                                                 buf, (tmsize_t)n) < 0)
                            return -1;
                    }
        } else {
            int rows = 16;
            TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, (uint32_t)rows);
            for (int p = 0; p < planes; p++)
                for (int y = 0; y < H; y += rows) {
                    size_t n = fill(v, 0, y, W, rows, v->planar_separate ? p : -1, buf);
                    if (TIFFWriteEncodedStrip(tif,
                                              TIFFComputeStrip(tif, (uint32_t)y, (uint16_t)p),
                                              buf, (tmsize_t)n) < 0)
                        return -1;
                }
        }
        if (!TIFFWriteDirectory(tif))
            return -1;
    }
    TIFFClose(tif);
    return 0;
}

/* ---- PNG ----------------------------------------------------------------- */

typedef struct png_variant {
    const char *name;
    int color_type, bits, interlace, trns, text;
} png_variant_t;

static int write_png(const char *dir, const png_variant_t *v)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.png", dir, v->name);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fclose(fp);
        return -1;
    }
    png_init_io(png, fp);
    png_set_compression_level(png, 9);
    png_set_IHDR(png, info, W, H, v->bits, v->color_type,
                 v->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    int channels = 1;
    if (v->color_type == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[16];
        for (int i = 0; i < 16; i++) {
            pal[i].red = (png_byte)(i * 17);
            pal[i].green = (png_byte)(i * 15);
            pal[i].blue = (png_byte)(255 - i * 17);
        }
        png_set_PLTE(png, info, pal, 16);
        if (v->trns) {
            png_byte alpha[1] = {0};
            png_set_tRNS(png, info, alpha, 1, NULL);
        }
    } else if (v->color_type == PNG_COLOR_TYPE_GRAY_ALPHA) {
        channels = 2;
    } else if (v->color_type == PNG_COLOR_TYPE_RGB) {
        channels = 3;
    } else if (v->color_type == PNG_COLOR_TYPE_RGB_ALPHA) {
        channels = 4;
    } else if (v->trns) {
        png_color_16 key = {0};
        key.gray = 0;
        png_set_tRNS(png, info, NULL, 0, &key);
    }
    if (v->text) {
        png_text t = {0};
        t.compression = PNG_TEXT_COMPRESSION_zTXt;
        t.key = (png_charp) "Software";
        t.text = (png_charp) "blotquant fuzz seed";
        png_set_text(png, info, &t, 1);
    }
    png_write_info(png, info);
    int passes = v->interlace ? png_set_interlace_handling(png) : 1;
    static png_byte row[W * 8];
    for (int pass = 0; pass < passes; pass++)
        for (int y = 0; y < H; y++) {
            memset(row, 0, sizeof row);
            for (int x = 0; x < W; x++) {
                double b = blot(x, y);
                double s[4] = {b, b * 0.9, b * 0.7, x < 2 ? 0.0 : 1.0};
                if (channels == 2)
                    s[1] = s[3];
                if (v->bits < 8) {
                    int levels = (1 << v->bits) - 1;
                    int q = (int)lround(b * levels);
                    int bit = x * v->bits;
                    row[bit / 8] |= (png_byte)(q << (8 - v->bits - bit % 8));
                    continue;
                }
                for (int c = 0; c < channels; c++) {
                    if (v->bits == 16) {
                        unsigned u = (unsigned)lround(s[c] * 65535.0);
                        row[(x * channels + c) * 2] = (png_byte)(u >> 8);
                        row[(x * channels + c) * 2 + 1] = (png_byte)(u & 255);
                    } else {
                        row[x * channels + c] = (png_byte)lround(s[c] * 255.0);
                    }
                }
            }
            png_write_row(png, row);
        }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return fclose(fp) == 0 ? 0 : -1;
}

/* ---- JPEG ---------------------------------------------------------------- */

typedef struct jpeg_variant {
    const char *name;
    jw_opts_t o;
} jpeg_variant_t;

/* The blot in the variant's components (CMYK as Adobe-inverted ink), stored
 * transposed for orientations 5-8 so the upright picture is the same. */
static int write_jpeg(const char *dir, const jpeg_variant_t *v)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.jpg", dir, v->name);
    int n = v->o.components, swap = v->o.orientation >= 5;
    static uint8_t pix[W * H * 4];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double b = blot(x, y);
            double s[4] = {b, b * 0.9, b * 0.7, 1.0 - b};
            if (n == 4)
                s[0] = s[1] = s[2] = 1.0 - 0.1 * b;
            size_t i = swap ? (size_t)x * H + (size_t)y : (size_t)y * W + (size_t)x;
            for (int c = 0; c < n; c++)
                pix[i * (size_t)n + (size_t)c] = (uint8_t)lround(s[c] * 255.0);
        }
    return jw_write(path, pix, swap ? H : W, swap ? W : H, &v->o);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: gen_seeds TIFF_DIR PNG_DIR JPEG_DIR\n");
        return 2;
    }
    /* name, bits, spp, float, separate, tiled, pages, bigtiff, miniswhite,
     * palette, alpha, gel, maxsample, compression, predictor */
    static const tiff_variant_t tiffs[] = {
        {"gray8", 8, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, COMPRESSION_NONE, 0},
        {"gray16_deflate", 16, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, COMPRESSION_ADOBE_DEFLATE, 2},
        {"gray16_lzw", 16, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, COMPRESSION_LZW, 0},
        {"gray16_tiled", 16, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, COMPRESSION_ADOBE_DEFLATE, 0},
        {"gray16_packbits", 16, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, COMPRESSION_PACKBITS, 0},
        {"gray16_max4095", 16, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 4095, COMPRESSION_LZW, 2},
        {"float32", 32, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, COMPRESSION_ADOBE_DEFLATE, 3},
        {"float32_tiled", 32, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, COMPRESSION_NONE, 0},
        {"bigtiff16", 16, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, COMPRESSION_ADOBE_DEFLATE, 0},
        {"bigtiff8_tiled", 8, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, COMPRESSION_LZW, 0},
        {"gel16", 16, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, COMPRESSION_NONE, 0},
        {"miniswhite8", 8, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, COMPRESSION_LZW, 0},
        {"rgb8", 8, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, COMPRESSION_ADOBE_DEFLATE, 2},
        {"rgb16_planar", 16, 3, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, COMPRESSION_ADOBE_DEFLATE, 0},
        {"rgba8_tiled", 8, 4, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, COMPRESSION_LZW, 0},
        {"graya16", 16, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, COMPRESSION_ADOBE_DEFLATE, 0},
        {"palette8", 8, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, COMPRESSION_PACKBITS, 0},
        {"gray4", 4, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, COMPRESSION_NONE, 0},
        {"gray1", 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, COMPRESSION_NONE, 0},
        {"pages3_gray16", 16, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, COMPRESSION_ADOBE_DEFLATE, 0},
    };
    static const png_variant_t pngs[] = {
        {"gray8", PNG_COLOR_TYPE_GRAY, 8, 0, 0, 0},
        {"gray16", PNG_COLOR_TYPE_GRAY, 16, 0, 0, 0},
        {"gray16_interlaced", PNG_COLOR_TYPE_GRAY, 16, 1, 0, 0},
        {"gray8_trns_text", PNG_COLOR_TYPE_GRAY, 8, 0, 1, 1},
        {"gray2", PNG_COLOR_TYPE_GRAY, 2, 0, 0, 0},
        {"graya8", PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0, 0, 0},
        {"rgb8", PNG_COLOR_TYPE_RGB, 8, 0, 0, 0},
        {"rgb16_interlaced", PNG_COLOR_TYPE_RGB, 16, 1, 0, 0},
        {"rgba8", PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 0, 0},
        {"palette4_trns", PNG_COLOR_TYPE_PALETTE, 4, 0, 1, 0},
    };
    static const jpeg_variant_t jpegs[] = {
        {"gray_baseline", {.components = 1, .quality = 75}},
        {"rgb_420", {.components = 3, .quality = 75}},
        {"rgb_progressive", {.components = 3, .quality = 60, .progressive = 1}},
        {"gray_progressive_restart", {.components = 1, .quality = 80, .progressive = 1,
                                      .restart = 1}},
        {"gray_arith", {.components = 1, .quality = 75, .arithmetic = 1}},
        {"cmyk_adobe", {.components = 4, .quality = 75}},
        {"ycck_adobe", {.components = 4, .quality = 75, .ycck = 1}},
        {"gray_exif6", {.components = 1, .quality = 75, .orientation = 6}},
        {"rgb_exif3", {.components = 3, .quality = 75, .orientation = 3}},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof jpegs / sizeof jpegs[0]; i++)
        if (write_jpeg(argv[3], &jpegs[i]) != 0) {
            fprintf(stderr, "gen_seeds: cannot write %s.jpg\n", jpegs[i].name);
            rc = 1;
        }
    for (size_t i = 0; i < sizeof tiffs / sizeof tiffs[0]; i++)
        if (write_tiff(argv[1], &tiffs[i]) != 0) {
            fprintf(stderr, "gen_seeds: cannot write %s.tif\n", tiffs[i].name);
            rc = 1;
        }
    for (size_t i = 0; i < sizeof pngs / sizeof pngs[0]; i++)
        if (write_png(argv[2], &pngs[i]) != 0) {
            fprintf(stderr, "gen_seeds: cannot write %s.png\n", pngs[i].name);
            rc = 1;
        }
    return rc;
}
