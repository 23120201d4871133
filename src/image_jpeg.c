/* image_jpeg.c - JPEG files through libjpeg(-turbo); the only file in the
 * library that includes jpeglib.h.
 *
 * libjpeg's default error handler prints and calls exit(): ours formats the
 * message and longjmps back to the loader. Warnings that mean damaged pixel
 * data (a file ending early, bad entropy codes) end decoding the same way,
 * since a half-decoded picture is not data; the others (an unknown JFIF
 * revision, a bad ICC marker) are kept, the first one, for the error message.
 * Everything the decoder owns lives in jpeg_load_t, outside the frame that
 * calls setjmp, so a longjmp leaves it all reachable and freeable. */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <jpeglib.h>
#include <jerror.h>

#include "blotquant/image.h"
#include "image_internal.h"
#include "internal.h"

/* A Huffman-coded JPEG spends at least one bit per 8x8 block of a component
 * in its first DC scan, so one byte holds at most 512 pixels of a grey
 * image; arithmetic coding can squeeze a flat picture further, but no scan
 * of a membrane comes near. Files claiming more pixels than this from their
 * size, beyond a generous allowance, are refused before anything is
 * allocated (decompression bombs). */
#define JPEG_MAX_PIXELS_PER_BYTE 1024.0
#define JPEG_PIXEL_ALLOWANCE (16.0 * 1024 * 1024)
/* Each progressive scan passes over the whole coefficient buffer: a file of
 * thousands of tiny scans costs minutes. Real encoders write about ten. */
#define JPEG_MAX_SCANS 500

typedef struct jpeg_load {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr jerr;
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    char error[JMSG_LENGTH_MAX];
    char warning[JMSG_LENGTH_MAX];
    int limit_hit;         /* the error is a limit of ours, not damage */
    FILE *f;
    bq_image_t *img;
    JSAMPLE *samples;      /* one decoded row, interleaved */
    float *row;            /* the same row as float RGB or grey */
    float *line;           /* the row reduced to one channel */
    const char *path;
    const bq_load_options_t *opts;
    bq_error_t *err;
    int rc;                /* a bq_err set by our own checks inside decode */
} jpeg_load_t;

static void on_jpeg_error(j_common_ptr c)
{
    jpeg_load_t *L = c->client_data;
    if (L->error[0] == '\0')
        (*c->err->format_message)(c, L->error);
    longjmp(L->jump, 1);
}

/* Warnings that mean the pixels are incomplete or wrong. Extraneous bytes
 * right before the end-of-image marker follow complete data (some cameras
 * pad there): that one is only noted. */
static int warning_is_damage(j_common_ptr c)
{
    switch (c->err->msg_code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_MUST_RESYNC:
    case JWRN_BOGUS_PROGRESSION:
        return 1;
    case JWRN_EXTRANEOUS_DATA:
        return c->err->msg_parm.i[1] != 0xD9;
    default:
        return 0;
    }
}

/* libjpeg's warnings (level -1) and trace messages (level >= 0). */
static void on_jpeg_message(j_common_ptr c, int level)
{
    if (level >= 0)
        return;
    jpeg_load_t *L = c->client_data;
    if (warning_is_damage(c))
        on_jpeg_error(c);
    if (L->warning[0] == '\0')
        (*c->err->format_message)(c, L->warning);
}

static void on_jpeg_progress(j_common_ptr c)
{
    jpeg_load_t *L = c->client_data;
    j_decompress_ptr d = (j_decompress_ptr)c;
    if (d->input_scan_number > JPEG_MAX_SCANS) {
        snprintf(L->error, sizeof L->error, "more than %d scans", JPEG_MAX_SCANS);
        L->limit_hit = 1;
        longjmp(L->jump, 1);
    }
}

/* ---- EXIF orientation --------------------------------------------------- */

static unsigned get16(const JOCTET *p, int big)
{
    return big ? (unsigned)(p[0] << 8 | p[1]) : (unsigned)(p[1] << 8 | p[0]);
}

static uint32_t get32(const JOCTET *p, int big)
{
    return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
               : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The orientation (1..8) in an APP1 Exif segment: tag 0x0112, a SHORT in
 * IFD0 of the TIFF structure after "Exif\0\0". 0 when absent or invalid;
 * every offset is checked against the segment's length. */
static int exif_orientation(const JOCTET *d, size_t len)
{
    if (len < 6 + 8 || memcmp(d, "Exif\0\0", 6) != 0)
        return 0;
    const JOCTET *t = d + 6;
    size_t n = len - 6;
    int big;
    if (t[0] == 'M' && t[1] == 'M')
        big = 1;
    else if (t[0] == 'I' && t[1] == 'I')
        big = 0;
    else
        return 0;
    if (get16(t + 2, big) != 42)
        return 0;
    uint32_t ifd = get32(t + 4, big);
    if (ifd > n || n - ifd < 2)
        return 0;
    unsigned count = get16(t + ifd, big);
    for (unsigned i = 0; i < count; i++) {
        size_t e = (size_t)ifd + 2 + 12 * (size_t)i;
        if (e + 12 > n)
            break;
        if (get16(t + e, big) != 0x0112)
            continue;
        unsigned v = get16(t + e + 8, big);
        return get16(t + e + 2, big) == 3 && v >= 1 && v <= 8 ? (int)v : 0;
    }
    return 0;
}

/* The first valid orientation among the saved APP1 segments, else 1. */
static int find_orientation(j_decompress_ptr c)
{
    for (jpeg_saved_marker_ptr m = c->marker_list; m; m = m->next) {
        if (m->marker != JPEG_APP0 + 1)
            continue;
        int o = exif_orientation(m->data, m->data_length);
        if (o)
            return o;
    }
    return 1;
}

/* Where stored row y (of a w x h picture) lands in the upright image of
 * orientation o: the index of its pixel 0, and the step to pixel x+1.
 * Orientations 5-8 swap the axes (the upright image is h wide). */
static size_t orient_row_start(int o, size_t w, size_t h, size_t y, ptrdiff_t *step)
{
    size_t ow = o >= 5 ? h : w;
    switch (o) {
    case 2: *step = -1; return y * ow + w - 1;                 /* mirrored */
    case 3: *step = -1; return (h - 1 - y) * ow + w - 1;       /* rotated 180 */
    case 4: *step = 1; return (h - 1 - y) * ow;                /* flipped */
    case 5: *step = (ptrdiff_t)ow; return y;                   /* transposed */
    case 6: *step = (ptrdiff_t)ow; return h - 1 - y;           /* rotate 90 cw */
    case 7: *step = -(ptrdiff_t)ow; return (w - 1) * ow + h - 1 - y; /* transverse */
    case 8: *step = -(ptrdiff_t)ow; return (w - 1) * ow + y;   /* rotate 90 ccw */
    default: *step = 1; return y * ow;
    }
}

/* ---- decoding ----------------------------------------------------------- */

/* Colour spaces we read and what libjpeg is asked to deliver for them. */
static int output_space(J_COLOR_SPACE in, J_COLOR_SPACE *out)
{
    switch (in) {
    case JCS_GRAYSCALE: *out = JCS_GRAYSCALE; return 1;
    case JCS_YCbCr:
    case JCS_RGB: *out = JCS_RGB; return 3;
    case JCS_CMYK:
    case JCS_YCCK: *out = JCS_CMYK; return 4;
    default: return 0;
    }
}

/* One decoded row as float grey or RGB. CMYK becomes RGB by the usual
 * subtractive model; Photoshop (an Adobe marker) stores the inks inverted,
 * 255 = no ink, which is what a file without the marker would store as 0. */
static void row_to_float(const JSAMPLE *s, size_t w, int n_in, int adobe, float *dst)
{
    if (n_in != 4) {
        for (size_t i = 0; i < w * (size_t)n_in; i++)
            dst[i] = s[i];
        return;
    }
    for (size_t x = 0; x < w; x++, s += 4, dst += 3) {
        float k = adobe ? s[3] : 255.0f - s[3];
        for (int ch = 0; ch < 3; ch++) {
            float c = adobe ? s[ch] : 255.0f - s[ch];
            dst[ch] = c * k / 255.0f;
        }
    }
}

/* Sizes from the header, checked before anything is allocated. */
static int check_header(jpeg_load_t *L, int orientation, uint64_t file_size)
{
    j_decompress_ptr c = &L->cinfo;
    int64_t w = c->image_width, h = c->image_height;
    if (orientation >= 5) {
        int64_t t = w;
        w = h;
        h = t;
    }
    int rc = bq_image_check_size(w, h, L->opts->max_pixels, L->path, L->err);
    if (rc < 0)
        return rc;
    double pixels = (double)w * (double)h;
    if (pixels > JPEG_MAX_PIXELS_PER_BYTE * (double)file_size + JPEG_PIXEL_ALLOWANCE)
        return bq_error_set(L->err, BQ_ERR_LIMIT,
                            "%s: a %llu-byte JPEG claims %lldx%lld pixels "
                            "(a decompression bomb?)",
                            L->path, (unsigned long long)file_size, (long long)w,
                            (long long)h);
    return 0;
}

/* Runs under setjmp: returns 0, or -1 after a libjpeg error (L->error says
 * why) or with L->rc set by a check of ours. */
static int jpeg_decode(jpeg_load_t *L, uint64_t file_size)
{
    j_decompress_ptr c = &L->cinfo;
    if (setjmp(L->jump))
        return -1;
    c->client_data = L; /* kept by jpeg_create_decompress */
    jpeg_create_decompress(c);
    c->progress = &L->progress;
    jpeg_stdio_src(c, L->f);
    jpeg_save_markers(c, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(c, TRUE);

    int orientation = find_orientation(c);
    if ((L->rc = check_header(L, orientation, file_size)) < 0)
        return -1;
    int n_in = output_space(c->jpeg_color_space, &c->out_color_space);
    if (n_in == 0) {
        L->rc = bq_error_set(L->err, BQ_ERR_FORMAT,
                             "%s: JPEG colour space with %d components is not supported",
                             L->path, c->num_components);
        return -1;
    }
    jpeg_start_decompress(c);
    if (c->output_components != n_in) {
        L->rc = bq_error_set(L->err, BQ_ERR_FORMAT, "%s: JPEG decodes to %d components, not %d",
                             L->path, c->output_components, n_in);
        return -1;
    }
    size_t w = c->output_width, h = c->output_height;
    int n_color = n_in == 1 ? 1 : 3;
    int ow = orientation >= 5 ? (int)h : (int)w, oh = orientation >= 5 ? (int)w : (int)h;
    L->rc = bq_image_alloc_for_load(ow, oh, L->opts->max_pixels, 0, L->path, &L->img, L->err);
    if (L->rc < 0)
        return -1;
    if (!(L->samples = bq_alloc_array(w, (size_t)n_in)) ||
        !(L->row = bq_alloc_array(w * (size_t)n_color, sizeof *L->row)) ||
        !(L->line = bq_alloc_array(w, sizeof *L->line))) {
        L->rc = bq_error_set(L->err, BQ_ERR_NOMEM, "%s: out of memory", L->path);
        return -1;
    }
    /* bq_image_put_row reduces colour exactly as for the other formats; it
     * writes into an image, so a one-row image wraps the line buffer */
    bq_image_t line = {0};
    line.width = (int)w;
    line.height = 1;
    line.data = L->line;
    while (c->output_scanline < c->output_height) {
        size_t y = c->output_scanline;
        JSAMPROW rows[1] = {L->samples};
        if (jpeg_read_scanlines(c, rows, 1) != 1) {
            snprintf(L->error, sizeof L->error, "no data for row %zu", y);
            return -1;
        }
        row_to_float(L->samples, w, n_in, c->saw_Adobe_marker, L->row);
        bq_image_put_row(&line, 0, L->row, n_color, 0, L->opts->channel, 255.0f);
        ptrdiff_t step;
        float *dst = L->img->data + orient_row_start(orientation, w, h, y, &step);
        for (size_t x = 0; x < w; x++, dst += step)
            *dst = L->line[x];
    }
    /* reads up to the end-of-image marker: damage after the last row still
     * means a damaged file */
    jpeg_finish_decompress(c);
    L->img->colour = line.colour;

    L->img->format = BQ_FORMAT_JPEG;
    L->img->bits_per_sample = 8;
    L->img->samples_per_pixel = c->num_components;
    L->img->lossy = 1; /* page 0 of 1, integer data: as allocated */
    return 0;
}

int bq_image_load_jpeg(const char *path, const bq_load_options_t *opts,
                       bq_image_t **out, bq_error_t *err)
{
    *out = NULL;
    jpeg_load_t L = {.path = path, .opts = opts, .err = err};
    L.f = fopen(path, "rb");
    if (!L.f)
        return bq_error_set(err, BQ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    uint64_t file_size = fstat(fileno(L.f), &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
    L.cinfo.err = jpeg_std_error(&L.jerr);
    L.jerr.error_exit = on_jpeg_error;
    L.jerr.emit_message = on_jpeg_message;
    L.progress.progress_monitor = on_jpeg_progress;
    int rc = 0;
    if (jpeg_decode(&L, file_size) < 0 && (rc = L.rc) == 0) {
        const char *w = L.warning;
        rc = bq_error_set(err, L.limit_hit ? BQ_ERR_LIMIT : BQ_ERR_CORRUPT,
                          "%s: %s JPEG: %s%s%s%s", path, L.limit_hit ? "oversized" : "damaged",
                          L.error[0] ? L.error : "unknown libjpeg error", w[0] ? " (" : "", w,
                          w[0] ? ")" : "");
    }
    jpeg_destroy_decompress(&L.cinfo);
    fclose(L.f);
    free(L.samples);
    free(L.row);
    free(L.line);
    if (rc < 0) {
        bq_image_free(L.img);
        return rc;
    }
    *out = L.img;
    return 0;
}
