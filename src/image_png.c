/* image_png.c - PNG files through libpng; the only file in the library that
 * includes png.h. libpng reports errors by longjmp: every function that calls
 * into it keeps what it must free in volatile locals or a struct outside the
 * setjmp frame. */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <png.h>
#include <zlib.h>

#include "blotquant/image.h"
#include "blotquant/table.h"
#include "image_internal.h"
#include "internal.h"

/* Where libpng's messages go instead of stderr: the first error and the
 * first warning, per png_struct. */
typedef struct png_msgs {
    char error[256];
    char warning[256];
} png_msgs_t;

static void on_png_error(png_structp png, png_const_charp msg)
{
    png_msgs_t *m = png_get_error_ptr(png);
    /* libpng's read callback says only "Read Error" when the file ends early. */
    if (m && m->error[0] == '\0')
        snprintf(m->error, sizeof m->error, "%s",
                 strcmp(msg, "Read Error") == 0 ? "file is truncated" : msg);
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
    png_msgs_t *m = png_get_error_ptr(png);
    if (m && m->warning[0] == '\0')
        snprintf(m->warning, sizeof m->warning, "%s", msg);
}

/* ---- writer ------------------------------------------------------------- */

/* An overlay is a gray picture with a few annotation colours: as an
 * indexed-colour PNG it is one byte a pixel instead of three, so deflate
 * has a third of the data to chew (the encoder was most of a batch gel's
 * CPU). The palette holds PAL_GRAYS gray levels (the picture's 256 levels
 * rounded to the nearest of them: at most half a step, invisible) and up to
 * 256 - PAL_GRAYS colours; a picture with more colours is written as RGB. */
#define PAL_GRAYS 240

typedef struct palette {
    png_color entry[256];
    int n_colours;                  /* annotation colours after the grays */
    uint8_t gray_index[256];        /* gray value -> palette index */
} palette_t;

/* The slot of colour p among the palette's annotation colours, or
 * n_colours when it is not there (a handful: a linear search). */
static int colour_slot(const palette_t *pal, const uint8_t *p)
{
    int k = 0;
    while (k < pal->n_colours) {
        const png_color *c = &pal->entry[PAL_GRAYS + k];
        if (c->red == p[0] && c->green == p[1] && c->blue == p[2])
            break;
        k++;
    }
    return k;
}

/* Build the palette for rgb; 0 when it does not fit in one. */
static int palette_build(const bq_rgb_t *rgb, palette_t *pal)
{
    for (int i = 0; i < PAL_GRAYS; i++) {
        uint8_t v = (uint8_t)((i * 255 + (PAL_GRAYS - 1) / 2) / (PAL_GRAYS - 1));
        pal->entry[i].red = pal->entry[i].green = pal->entry[i].blue = v;
    }
    for (int v = 0; v < 256; v++)
        pal->gray_index[v] = (uint8_t)((v * (PAL_GRAYS - 1) + 127) / 255);
    pal->n_colours = 0;
    size_t n = (size_t)rgb->width * (size_t)rgb->height;
    const uint8_t *p = rgb->data;
    for (size_t i = 0; i < n; i++, p += 3) {
        if (p[0] == p[1] && p[1] == p[2])
            continue;
        int k = colour_slot(pal, p);
        if (k == pal->n_colours) {
            if (PAL_GRAYS + k >= 256)
                return 0;
            pal->entry[PAL_GRAYS + k] = (png_color){p[0], p[1], p[2]};
            pal->n_colours++;
        }
    }
    return 1;
}

/* One row of rgb as palette indices. */
static void palette_row(const palette_t *pal, const uint8_t *src, int width, uint8_t *dst)
{
    for (int x = 0; x < width; x++, src += 3) {
        if (src[0] == src[1] && src[1] == src[2]) {
            dst[x] = pal->gray_index[src[0]];
            continue;
        }
        /* palette_build put every colour of the picture in */
        dst[x] = (uint8_t)(PAL_GRAYS + colour_slot(pal, src));
    }
}

/* The libpng part of the writer, alone in its own frame so nothing it
 * touches after setjmp needs to be volatile. pal (NULL: RGB) and row (a
 * width-byte buffer when pal is given) belong to the caller. Returns 1 on
 * success. */
static int write_png_stream(FILE *f, const bq_rgb_t *rgb, const palette_t *pal, uint8_t *row,
                            png_msgs_t *msgs)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, msgs, on_png_error,
                                              on_png_warning);
    if (!png)
        return 0;
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return 0;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return 0;
    }
    png_init_io(png, f);
    /* QC pictures: fast compression matters more than the last few %.
     * Level 1, run-length matches only, no row filters: the blot's noise
     * leaves deflate's string matching nothing to find, while the flat
     * areas (padding, boxes) are runs. With the palette the overlay of a
     * 1340x1040 blot costs about 29 ms against 54 ms as RGB rows, and its
     * file is 0.96 MB against 1.16 MB. */
    png_set_compression_level(png, 1);
    png_set_compression_strategy(png, Z_RLE);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
    png_set_IHDR(png, info, (png_uint_32)rgb->width, (png_uint_32)rgb->height, 8,
                 pal ? PNG_COLOR_TYPE_PALETTE : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (pal)
        png_set_PLTE(png, info, pal->entry, PAL_GRAYS + pal->n_colours);
    png_write_info(png, info);
    for (int y = 0; y < rgb->height; y++) {
        const uint8_t *src = rgb->data + (size_t)y * (size_t)rgb->width * 3;
        if (pal) {
            palette_row(pal, src, rgb->width, row);
            png_write_row(png, row);
        } else {
            png_write_row(png, src);
        }
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return 1;
}

int bq_rgb_write_png(FILE *fp, const bq_rgb_t *rgb, bq_error_t *err)
{
    if (!fp || !rgb || !rgb->data || rgb->width <= 0 || rgb->height <= 0)
        return bq_error_set(err, BQ_ERR_INVALID, "no picture to write");
    png_msgs_t msgs = {{0}, {0}};
    palette_t *pal = malloc(sizeof *pal);
    uint8_t *row = malloc((size_t)rgb->width);
    if (pal && row && !palette_build(rgb, pal)) {
        free(pal); /* too many colours: RGB */
        pal = NULL;
    }
    int ok = write_png_stream(fp, rgb, row ? pal : NULL, row, &msgs);
    free(pal);
    free(row);
    if (ok)
        return 0;
    return bq_error_set(err, BQ_ERR_IO, "cannot write PNG: %s",
                        msgs.error[0] ? msgs.error : "out of memory");
}

/* What the PNG writer callback of bq_file_write_atomic needs. */
typedef struct png_job {
    const bq_rgb_t *rgb;
    const char *path;
    bq_error_t *err;
} png_job_t;

/* A bq_write_fn: bq_rgb_write_png, its message naming the file. */
static int png_write_job(FILE *fp, void *ctx)
{
    const png_job_t *job = ctx;
    bq_error_t e = {0};
    if (bq_rgb_write_png(fp, job->rgb, &e) == 0)
        return 0;
    return bq_error_set(job->err, e.code, "%s: %s", job->path, e.msg);
}

int bq_rgb_save_png(const bq_rgb_t *rgb, const char *path, bq_error_t *err)
{
    if (!rgb || !rgb->data || rgb->width <= 0 || rgb->height <= 0 || !path)
        return bq_error_set(err, BQ_ERR_INVALID, "%s: no picture to write",
                            path ? path : "(null)");
    png_job_t job = {rgb, path, err};
    return bq_file_write_atomic(path, png_write_job, &job, err);
}

/* ---- reader ------------------------------------------------------------- */

/* Limits handed to libpng before it reads the header. Dimensions beyond
 * these are nonsense for a scanner; the pixel-count limit of the caller is
 * checked again once the header is known. */
#define PNG_MAX_DIM 1000000u
#define PNG_MAX_CHUNK_ALLOC (16u * 1024 * 1024) /* iCCP, zTXt, ... */
#define PNG_MAX_CHUNKS 1000

/* Everything the decoder owns lives here, outside the frame that calls
 * setjmp, so a longjmp out of libpng leaves it all reachable and freeable
 * (locals of the setjmp caller would need volatile). */
typedef struct png_load {
    FILE *f;
    png_structp png;
    png_infop info;
    bq_image_t *img;
    uint8_t *pixels;       /* decoded rows: one row, or all rows if interlaced */
    float *row;            /* one row of samples as float */
    png_msgs_t msgs;
    const char *path;
    const bq_load_options_t *opts;
    bq_error_t *err;
    int rc;                /* a bq_err set by our own checks inside decode */
} png_load_t;

/* Runs under setjmp: returns 0, or -1 after a libpng error (msgs.error says
 * why) or with L->rc set by a check of ours. */
static int png_decode(png_load_t *L)
{
    if (setjmp(png_jmpbuf(L->png)))
        return -1;
    png_set_user_limits(L->png, PNG_MAX_DIM, PNG_MAX_DIM);
    png_set_chunk_malloc_max(L->png, PNG_MAX_CHUNK_ALLOC);
    png_set_chunk_cache_max(L->png, PNG_MAX_CHUNKS);
    /* A damaged chunk is damage, critical or not: stop rather than guess. */
    png_set_crc_action(L->png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
    png_init_io(L->png, L->f);
    png_read_info(L->png, L->info);

    png_uint_32 w, h;
    int depth, ctype, interlace;
    png_get_IHDR(L->png, L->info, &w, &h, &depth, &ctype, &interlace, NULL, NULL);
    int has_trns = png_get_valid(L->png, L->info, PNG_INFO_tRNS) != 0;
    int stored_channels = png_get_channels(L->png, L->info);

    /* Palette to RGB, tRNS to an alpha channel, 1/2/4-bit gray to 8 bits
     * (scaled to 0..255). 16-bit stays 16-bit: that precision is the point. */
    png_set_expand(L->png);
    int passes = png_set_interlace_handling(L->png);
    png_read_update_info(L->png, L->info);

    int channels = png_get_channels(L->png, L->info);
    int out_depth = png_get_bit_depth(L->png, L->info);
    int n_color = channels >= 3 ? 3 : 1;
    int has_alpha = channels == 2 || channels == 4;
    size_t rowbytes = png_get_rowbytes(L->png, L->info);

    L->rc = bq_image_alloc_for_load((int)w, (int)h, L->opts->max_pixels, has_alpha, L->path,
                                    &L->img, L->err);
    if (L->rc < 0)
        return -1;
    size_t n_rows = passes > 1 ? h : 1, buf_bytes;
    if (rowbytes == 0 || bq_mul_size(rowbytes, n_rows, &buf_bytes) != 0 ||
        !(L->pixels = malloc(buf_bytes)) ||
        !(L->row = bq_alloc_array((size_t)w * (size_t)channels, sizeof *L->row))) {
        L->rc = bq_error_set(L->err, BQ_ERR_NOMEM, "%s: out of memory", L->path);
        return -1;
    }
    if (passes > 1) {
        /* Adam7 fills every row on each pass: keep them all. */
        for (int p = 0; p < passes; p++)
            for (png_uint_32 y = 0; y < h; y++)
                png_read_row(L->png, L->pixels + (size_t)y * rowbytes, NULL);
    }
    size_t n = (size_t)w * (size_t)channels;
    for (png_uint_32 y = 0; y < h; y++) {
        uint8_t *src = L->pixels;
        if (passes > 1)
            src += (size_t)y * rowbytes;
        else
            png_read_row(L->png, src, NULL);
        if (out_depth == 16)
            for (size_t i = 0; i < n; i++) /* PNG stores big-endian */
                L->row[i] = (float)((src[2 * i] << 8) | src[2 * i + 1]);
        else
            for (size_t i = 0; i < n; i++)
                L->row[i] = src[i];
        bq_image_put_row(L->img, (int)y, L->row, n_color, has_alpha, L->opts->channel,
                         out_depth == 16 ? 65535.0f : 255.0f);
    }
    /* Reads the trailing chunks and their CRCs: damage after the pixels
     * still means a damaged file. */
    png_read_end(L->png, NULL);

    L->img->format = BQ_FORMAT_PNG;
    L->img->bits_per_sample = out_depth == 16 ? 16 : ctype == PNG_COLOR_TYPE_PALETTE ? 8 : depth;
    L->img->samples_per_pixel = stored_channels + (has_trns && ctype != PNG_COLOR_TYPE_PALETTE);
    L->img->is_float = 0;
    L->img->page = 0;
    L->img->n_pages = 1;
    return 0;
}

int bq_image_load_png(const char *path, const bq_load_options_t *opts,
                      bq_image_t **out, bq_error_t *err)
{
    *out = NULL;
    png_load_t L;
    memset(&L, 0, sizeof L);
    L.path = path;
    L.opts = opts;
    L.err = err;
    L.f = fopen(path, "rb");
    if (!L.f)
        return bq_error_set(err, BQ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    L.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &L.msgs, on_png_error,
                                   on_png_warning);
    if (L.png)
        L.info = png_create_info_struct(L.png);
    int rc = 0;
    if (!L.png || !L.info)
        rc = bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", path);
    else if (png_decode(&L) < 0 && (rc = L.rc) == 0) {
        /* libpng explains a refused header in a warning before the error. */
        const char *w = L.msgs.warning;
        int over = strstr(w, "exceeds") != NULL;
        rc = bq_error_set(err, over ? BQ_ERR_LIMIT : BQ_ERR_CORRUPT, "%s: %s PNG: %s%s%s%s",
                          path, over ? "oversized" : "damaged",
                          L.msgs.error[0] ? L.msgs.error : "unknown libpng error",
                          w[0] ? " (" : "", w, w[0] ? ")" : "");
    }
    png_destroy_read_struct(&L.png, &L.info, NULL);
    fclose(L.f);
    free(L.pixels);
    free(L.row);
    if (rc < 0) {
        bq_image_free(L.img);
        return rc;
    }
    *out = L.img;
    return 0;
}
