/* image_tiff.c - TIFF, BigTIFF and Amersham/Molecular Dynamics .gel files
 * through libtiff; the only file in the library that includes tiffio.h. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tiffio.h>

#include "blotquant/image.h"
#include "blotquant/table.h"
#include "image_internal.h"
#include "internal.h"

/* libtiff reports through callbacks; each open handle gets its own buffer
 * (TIFFOpenOptionsSetErrorHandlerExtR, libtiff >= 4.5) so loaders on several
 * threads never share one. The first error is kept: it is the cause, later
 * ones are consequences. */
typedef struct tiff_msgs {
    char error[256];
    char warning[256];
    const char *path; /* the name libtiff was given, to drop from its messages */
} tiff_msgs_t;

/* libtiff often starts its message with the file name, which our own
 * message already leads with: drop that prefix. */
static void store_msg(const tiff_msgs_t *m, char *dst, size_t size, const char *fmt,
                      va_list ap)
{
    char tmp[512];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    const char *s = tmp;
    size_t n = m->path ? strlen(m->path) : 0;
    if (n && strncmp(tmp, m->path, n) == 0 && tmp[n] == ':' && tmp[n + 1] == ' ')
        s = tmp + n + 2;
    size_t len = strlen(s); /* truncation is fine: the start says enough */
    if (len >= size)
        len = size - 1;
    memcpy(dst, s, len);
    dst[len] = '\0';
}

static int on_tiff_error(TIFF *tif, void *user, const char *module, const char *fmt,
                         va_list ap)
{
    tiff_msgs_t *m = user;
    if (m && m->error[0] == '\0')
        store_msg(m, m->error, sizeof m->error, fmt, ap);
    return 1; /* handled: keep libtiff's global handler (stderr) out of it */
}

static int on_tiff_warning(TIFF *tif, void *user, const char *module, const char *fmt,
                           va_list ap)
{
    tiff_msgs_t *m = user;
    if (m && m->warning[0] == '\0')
        store_msg(m, m->warning, sizeof m->warning, fmt, ap);
    return 1;
}

static TIFFOpenOptions *tiff_options(tiff_msgs_t *msgs, tmsize_t max_alloc)
{
    TIFFOpenOptions *o = TIFFOpenOptionsAlloc();
    if (!o)
        return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(o, on_tiff_error, msgs);
    TIFFOpenOptionsSetWarningHandlerExtR(o, on_tiff_warning, msgs);
    if (max_alloc > 0)
        TIFFOpenOptionsSetMaxSingleMemAlloc(o, max_alloc);
    return o;
}

/* ---- writer ------------------------------------------------------------- */

int bq_image_save_tiff16(const bq_image_t *img, const char *path, bq_error_t *err)
{
    return bq_image_save_tiff16_as(img, path, BQ_TIFF_DEFLATE, err);
}

/* What a TIFF writer callback of bq_file_write_atomic needs. */
typedef struct tiff_job {
    const bq_image_t *img;
    uint16_t codec;
    const char *path;
    bq_error_t *err;
} tiff_job_t;

static int tiff_set_fields(TIFF *tif, const bq_image_t *img, uint16_t codec)
{
    /* ~64 KiB strips: small enough to stream, big enough to compress. */
    uint32_t rows_per_strip = (uint32_t)(65536 / ((size_t)img->width * 2) + 1);
    if (rows_per_strip > (uint32_t)img->height)
        rows_per_strip = (uint32_t)img->height;
    return TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, (uint32_t)img->width) &&
           TIFFSetField(tif, TIFFTAG_IMAGELENGTH, (uint32_t)img->height) &&
           TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 16) &&
           TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1) &&
           TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT) &&
           TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK) &&
           TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG) &&
           TIFFSetField(tif, TIFFTAG_COMPRESSION, codec) &&
           (codec == COMPRESSION_NONE ||
            TIFFSetField(tif, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL)) &&
           TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, rows_per_strip) &&
           TIFFSetField(tif, TIFFTAG_SOFTWARE, "blotquant");
}

static int tiff_write_rows(TIFF *tif, const bq_image_t *img)
{
    uint16_t *row = bq_alloc_array((size_t)img->width, sizeof *row);
    int ok = row != NULL;
    for (int y = 0; ok && y < img->height; y++) {
        const float *src = img->data + (size_t)y * (size_t)img->width;
        for (int x = 0; x < img->width; x++) {
            float v = src[x];
            row[x] = (uint16_t)(v > 0.0f ? (v < 65535.0f ? lrintf(v) : 65535) : 0);
        }
        ok = TIFFWriteScanline(tif, row, (uint32_t)y, 0) == 1;
    }
    free(row);
    return ok;
}

/* A bq_write_fn. libtiff writes through a descriptor and closes the one it
 * is given, so it gets a duplicate: fp's own stays open for the sync. */
static int tiff_write_job(FILE *fp, void *ctx)
{
    const tiff_job_t *job = ctx;
    tiff_msgs_t msgs = {{0}, {0}, job->path};
    int fd = fflush(fp) == 0 ? dup(fileno(fp)) : -1;
    if (fd < 0)
        return bq_error_set(job->err, BQ_ERR_IO, "%s: cannot write TIFF: %s", job->path,
                            strerror(errno));
    TIFFOpenOptions *o = tiff_options(&msgs, 0);
    TIFF *tif = o ? TIFFFdOpenExt(fd, job->path, "w", o) : NULL;
    TIFFOpenOptionsFree(o);
    int ok = tif != NULL;
    if (!tif)
        close(fd);
    else {
        ok = tiff_set_fields(tif, job->img, job->codec) && tiff_write_rows(tif, job->img) &&
             TIFFWriteDirectory(tif) == 1;
        TIFFClose(tif); /* closes fd */
    }
    if (ok && !msgs.error[0])
        return 0;
    return bq_error_set(job->err, BQ_ERR_IO, "%s: cannot write TIFF: %s", job->path,
                        msgs.error[0] ? msgs.error : "out of memory");
}

int bq_image_save_tiff16_as(const bq_image_t *img, const char *path,
                            bq_tiff_compression compression, bq_error_t *err)
{
    if (!img || !img->data || img->width <= 0 || img->height <= 0 || !path)
        return bq_error_set(err, BQ_ERR_INVALID, "%s: no image to write",
                            path ? path : "(null)");
    uint16_t codec;
    switch (compression) {
    case BQ_TIFF_DEFLATE: codec = COMPRESSION_ADOBE_DEFLATE; break;
    case BQ_TIFF_NONE: codec = COMPRESSION_NONE; break;
    case BQ_TIFF_LZW: codec = COMPRESSION_LZW; break;
    default:
        return bq_error_set(err, BQ_ERR_INVALID, "%s: unknown TIFF compression %d", path,
                            (int)compression);
    }
    tiff_job_t job = {img, codec, path, err};
    return bq_file_write_atomic(path, tiff_write_job, &job, err);
}

/* ---- Molecular Dynamics tags ------------------------------------------ */

/* Amersham / Molecular Dynamics .gel files are TIFFs with private tags that
 * libtiff does not know. Registering them through a tag extender makes
 * libtiff parse them with the right types (and stop warning about them). */
#define MD_FILETAG 33445   /* LONG: 2 = square-root encoded, 128 = linear */
#define MD_SCALEPIXEL 33446 /* RATIONAL: value = stored^2 x scale */
#define MD_COLORTABLE 33447
#define MD_LABNAME 33448
#define MD_SAMPLEINFO 33449
#define MD_PREPDATE 33450
#define MD_PREPTIME 33451
#define MD_FILEUNITS 33452

static char md_name_filetag[] = "MD_FileTag", md_name_scale[] = "MD_ScalePixel",
            md_name_colortable[] = "MD_ColorTable", md_name_labname[] = "MD_LabName",
            md_name_sampleinfo[] = "MD_SampleInfo", md_name_prepdate[] = "MD_PrepDate",
            md_name_preptime[] = "MD_PrepTime", md_name_fileunits[] = "MD_FileUnits";

static const TIFFFieldInfo md_fields[] = {
    {MD_FILETAG, 1, 1, TIFF_LONG, FIELD_CUSTOM, 1, 0, md_name_filetag},
    {MD_SCALEPIXEL, 1, 1, TIFF_RATIONAL, FIELD_CUSTOM, 1, 0, md_name_scale},
    {MD_COLORTABLE, -1, -1, TIFF_SHORT, FIELD_CUSTOM, 1, 1, md_name_colortable},
    {MD_LABNAME, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0, md_name_labname},
    {MD_SAMPLEINFO, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0, md_name_sampleinfo},
    {MD_PREPDATE, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0, md_name_prepdate},
    {MD_PREPTIME, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0, md_name_preptime},
    {MD_FILEUNITS, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0, md_name_fileunits},
};

static TIFFExtendProc parent_extender;

static void md_extender(TIFF *tif)
{
    TIFFMergeFieldInfo(tif, md_fields, sizeof md_fields / sizeof md_fields[0]);
    if (parent_extender)
        parent_extender(tif);
}

static void install_extender(void)
{
    parent_extender = TIFFSetTagExtender(md_extender);
}

static pthread_once_t extender_once = PTHREAD_ONCE_INIT;

/* The extender is process-global in libtiff; install it exactly once even
 * when batch loads on several threads. */
static void md_tags_register(void)
{
    pthread_once(&extender_once, install_extender);
}

/* The square-root flag and scale of the current directory: 1 and *scale if
 * it is square-root encoded, 0 if not, -1 if the scale is unusable. */
static int md_gel_scale(TIFF *tif, double *scale)
{
    uint32_t filetag = 0;
    *scale = 0.0;
    if (TIFFGetField(tif, MD_FILETAG, &filetag) != 1 || filetag != 2)
        return 0;
    const TIFFField *fld = TIFFFieldWithTag(tif, MD_SCALEPIXEL);
    double s = 1.0; /* the format's neutral scale when the tag is absent */
    if (fld) {
        /* libtiff stores a custom RATIONAL as float or double depending on
         * its version; ask it which. */
        if (TIFFFieldSetGetSize(fld) == 8) {
            double d;
            if (TIFFGetField(tif, MD_SCALEPIXEL, &d) == 1)
                s = d;
        } else {
            float f;
            if (TIFFGetField(tif, MD_SCALEPIXEL, &f) == 1)
                s = f;
        }
    }
    if (!isfinite(s) || s <= 0.0)
        return -1;
    *scale = s;
    return 1;
}

/* ---- reader ------------------------------------------------------------- */

/* A decompression bomb is a small file that claims a huge image. Each codec
 * has a ceiling on how far it can expand its input: PackBits 64:1 (2 bytes
 * for a 128-byte run), Deflate ~1032:1, LZW ~2730:1 (12-bit codes for
 * strings of up to 4096 bytes). A file claiming more pixel bytes than its
 * codec could produce from it, beyond a generous allowance, is not a scan. */
static double max_expansion(uint16_t compression)
{
    switch (compression) {
    case COMPRESSION_NONE: return 1.0;
    case COMPRESSION_PACKBITS: return 70.0;
    case COMPRESSION_ADOBE_DEFLATE:
    case COMPRESSION_DEFLATE: return 1100.0;
    case COMPRESSION_LZW: return 2800.0;
    default: return 4000.0; /* JPEG, CCITT, LZMA, ZSTD, ...: a loose bound */
    }
}
#define EXPANSION_ALLOWANCE (64.0 * 1024 * 1024)
/* libtiff's own single allocations (raw strip buffers and the like). */
#define TIFF_MAX_SINGLE_ALLOC ((tmsize_t)1 << 30)

typedef struct tiff_layout {
    uint32_t width, height;
    uint16_t bps, spp, fmt, photometric, planar, compression;
    int n_color;         /* 1 gray/palette, 3 RGB */
    int has_alpha;       /* an alpha channel follows the colour samples */
    int assoc_alpha;     /* premultiplied */
    int n_keep;          /* samples per pixel we use: n_color + has_alpha */
    int tiled;
    uint32_t band_h;     /* rows per strip, or tile height */
    uint32_t tile_w;
    uint16_t *cmap[3];   /* palette, owned by libtiff */
} tiff_layout_t;

static int tiff_fail(bq_error_t *err, int code, const char *path, const tiff_msgs_t *m,
                     const char *what)
{
    if (m && m->error[0])
        return bq_error_set(err, code, "%s: %s (libtiff: %s)", path, what, m->error);
    return bq_error_set(err, code, "%s: %s", path, what);
}

/* Read and check every tag that sizes a buffer, before anything is
 * allocated. */
static int read_layout(TIFF *tif, const char *path, uint64_t max_pixels,
                       tiff_layout_t *L, bq_error_t *err, const tiff_msgs_t *msgs)
{
    memset(L, 0, sizeof *L);
    if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &L->width) ||
        !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &L->height))
        return tiff_fail(err, BQ_ERR_CORRUPT, path, msgs, "image size tags missing");
    int rc = bq_image_check_size(L->width, L->height, max_pixels, path, err);
    if (rc < 0)
        return rc;
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &L->bps);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &L->spp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &L->fmt);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &L->planar);
    TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &L->compression);
    if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &L->photometric))
        L->photometric = L->spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
    if (L->spp < 1 || L->spp > 8)
        return bq_error_set(err, BQ_ERR_FORMAT, "%s: %u samples per pixel (1 to 8 supported)",
                            path, (unsigned)L->spp);
    int is_float = L->fmt == SAMPLEFORMAT_IEEEFP;
    if (is_float ? L->bps != 32
                 : (L->fmt != SAMPLEFORMAT_UINT && L->fmt != SAMPLEFORMAT_VOID) ||
                       (L->bps != 1 && L->bps != 2 && L->bps != 4 && L->bps != 8 &&
                        L->bps != 16))
        return bq_error_set(err, BQ_ERR_FORMAT,
                            "%s: %u-bit %s samples are not supported (1/2/4/8/16-bit "
                            "unsigned or 32-bit float)",
                            path, (unsigned)L->bps,
                            is_float                      ? "float"
                            : L->fmt == SAMPLEFORMAT_INT    ? "signed"
                            : L->fmt == SAMPLEFORMAT_UINT   ? "unsigned"
                                                            : "complex or untyped");
    if (L->planar != PLANARCONFIG_CONTIG && L->planar != PLANARCONFIG_SEPARATE)
        return bq_error_set(err, BQ_ERR_CORRUPT, "%s: invalid planar configuration %u", path,
                            (unsigned)L->planar);
    switch (L->photometric) {
    case PHOTOMETRIC_MINISBLACK:
    case PHOTOMETRIC_MINISWHITE:
        L->n_color = 1;
        break;
    case PHOTOMETRIC_PALETTE:
        L->n_color = 1;
        if (is_float || L->bps > 16 ||
            !TIFFGetField(tif, TIFFTAG_COLORMAP, &L->cmap[0], &L->cmap[1], &L->cmap[2]))
            return bq_error_set(err, BQ_ERR_CORRUPT, "%s: palette image without a colour map",
                                path);
        break;
    case PHOTOMETRIC_RGB:
        L->n_color = 3;
        break;
    default:
        L->n_color = 0; /* decoded by libtiff's RGBA interface, if it can */
        break;
    }
    if (L->n_color && L->spp < L->n_color)
        return bq_error_set(err, BQ_ERR_CORRUPT, "%s: %u samples per pixel is too few for "
                            "its colour model", path, (unsigned)L->spp);
    uint16_t n_extra = 0, *extra = NULL;
    if (L->n_color && L->spp > L->n_color &&
        TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &n_extra, &extra) && n_extra > 0 && extra &&
        (extra[0] == EXTRASAMPLE_ASSOCALPHA || extra[0] == EXTRASAMPLE_UNASSALPHA)) {
        L->has_alpha = 1;
        L->assoc_alpha = extra[0] == EXTRASAMPLE_ASSOCALPHA;
    }
    L->n_keep = L->n_color + L->has_alpha;
    L->tiled = TIFFIsTiled(tif);
    if (L->tiled) {
        uint32_t th = 0;
        if (!TIFFGetField(tif, TIFFTAG_TILEWIDTH, &L->tile_w) ||
            !TIFFGetField(tif, TIFFTAG_TILELENGTH, &th) || L->tile_w == 0 || th == 0 ||
            L->tile_w % 16 != 0 || th % 16 != 0)
            return bq_error_set(err, BQ_ERR_CORRUPT, "%s: invalid tile size", path);
        /* Tiles may overhang a small image (256x256 tiles on a 40x30
         * picture are common), but one much larger than the image and
         * than any real tiling is a trap for the allocator. */
        uint32_t max_tw = L->width + 15 > 4096 ? L->width + 15 : 4096;
        uint32_t max_th = L->height + 15 > 4096 ? L->height + 15 : 4096;
        if (L->tile_w > max_tw || th > max_th)
            return bq_error_set(err, BQ_ERR_CORRUPT, "%s: tile size %" PRIu32 "x%" PRIu32
                                " does not fit a %" PRIu32 "x%" PRIu32 " image",
                                path, L->tile_w, th, L->width, L->height);
        L->band_h = th;
    } else {
        uint32_t rps = 0;
        TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rps);
        L->band_h = rps == 0 || rps > L->height ? L->height : rps;
    }
    return 0;
}

/* Bytes of one row of n samples at bps bits: rows are byte-aligned. */
static uint64_t row_bytes(uint64_t n_samples, unsigned bps)
{
    return (n_samples * bps + 7) / 8;
}

/* n samples from packed bytes into dst[i * stride], integers on a 0..255
 * (1/2/4/8-bit) or 0..65535 (16-bit) scale. libtiff has already put 16- and
 * 32-bit samples into host byte order. */
static void unpack(const uint8_t *src, unsigned bps, size_t n, float *dst, size_t stride)
{
    switch (bps) {
    case 1:
    case 2:
    case 4: {
        unsigned mask = (1u << bps) - 1u;
        float scale = 255.0f / (float)mask;
        for (size_t i = 0; i < n; i++) {
            size_t bit = i * bps;
            unsigned v = (src[bit >> 3] >> (8 - bps - (bit & 7))) & mask;
            dst[i * stride] = (float)v * scale;
        }
        break;
    }
    case 8:
        for (size_t i = 0; i < n; i++)
            dst[i * stride] = src[i];
        break;
    case 16:
        for (size_t i = 0; i < n; i++) {
            uint16_t v;
            memcpy(&v, src + 2 * i, 2);
            dst[i * stride] = v;
        }
        break;
    default: /* 32-bit float */
        for (size_t i = 0; i < n; i++) {
            float v;
            memcpy(&v, src + 4 * i, 4);
            dst[i * stride] = v;
        }
        break;
    }
}

/* Everything the band loop owns, freed in one place. */
typedef struct tiff_bufs {
    uint8_t *plane[8]; /* one band of decoded rows per plane read */
    uint8_t *tile;     /* one decoded tile */
    float *row;        /* one row of unpacked samples, spp per pixel */
} tiff_bufs_t;

static void bufs_free(tiff_bufs_t *b)
{
    for (int i = 0; i < 8; i++)
        free(b->plane[i]);
    free(b->tile);
    free(b->row);
}

/* Check the stored byte counts of the strips/tiles against the file: a count
 * that runs past the end is truncation (the common damage), caught here with
 * a clear message before any decoding; a claimed image far larger than any
 * codec can expand the file to is a bomb. */
static int check_striles(TIFF *tif, const char *path, const tiff_layout_t *L,
                         uint64_t file_size, double decoded_total, bq_error_t *err)
{
    uint32_t n = L->tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
    if (n == 0)
        return bq_error_set(err, BQ_ERR_CORRUPT, "%s: no image data", path);
    const char *kind = L->tiled ? "tile" : "strip";
    for (uint32_t s = 0; s < n; s++) {
        int e1 = 0, e2 = 0;
        uint64_t off = TIFFGetStrileOffsetWithErr(tif, s, &e1);
        uint64_t cnt = TIFFGetStrileByteCountWithErr(tif, s, &e2);
        if (e1 || e2)
            return bq_error_set(err, BQ_ERR_CORRUPT, "%s: %s %" PRIu32 " has no valid offset",
                                path, kind, s);
        if (off > file_size || cnt > file_size - off)
            return bq_error_set(err, BQ_ERR_CORRUPT, "%s: %s %" PRIu32 " is truncated", path,
                                kind, s);
    }
    if (decoded_total >
        max_expansion(L->compression) * (double)file_size + EXPANSION_ALLOWANCE)
        return bq_error_set(err, BQ_ERR_LIMIT,
                            "%s: claims %.0f bytes of pixels from a %" PRIu64
                            "-byte file (a decompression bomb?)",
                            path, decoded_total, file_size);
    return 0;
}

/* Decode band b (rows y0..y0+rows) of plane p into dst, rows of rb bytes. */
static int read_band(TIFF *tif, const char *path, const tiff_layout_t *L, tiff_bufs_t *B,
                     uint32_t b, uint16_t p, uint32_t y0, uint32_t rows, uint64_t rb,
                     uint8_t *dst, bq_error_t *err, const tiff_msgs_t *msgs)
{
    char what[96];
    if (!L->tiled) {
        uint32_t per_plane = (L->height + L->band_h - 1) / L->band_h;
        uint32_t strip = (uint32_t)p * per_plane + b;
        tmsize_t want = (tmsize_t)(rb * rows);
        tmsize_t got = TIFFReadEncodedStrip(tif, strip, dst, want);
        if (got < 0) {
            snprintf(what, sizeof what, "strip %" PRIu32 " is corrupt", strip);
            return tiff_fail(err, BQ_ERR_CORRUPT, path, msgs, what);
        }
        if (got < want) {
            snprintf(what, sizeof what, "strip %" PRIu32 " is truncated", strip);
            return tiff_fail(err, BQ_ERR_CORRUPT, path, msgs, what);
        }
        return 0;
    }
    unsigned spp_in = L->planar == PLANARCONFIG_CONTIG ? L->spp : 1;
    uint64_t tile_rb = row_bytes((uint64_t)L->tile_w * spp_in, L->bps);
    tmsize_t tile_size = (tmsize_t)(tile_rb * L->band_h);
    for (uint32_t x = 0; x < L->width; x += L->tile_w) {
        uint32_t t = TIFFComputeTile(tif, x, y0, 0, p);
        tmsize_t got = TIFFReadEncodedTile(tif, t, B->tile, tile_size);
        if (got < tile_size) {
            snprintf(what, sizeof what, "tile %" PRIu32 " is %s", t,
                     got < 0 ? "corrupt" : "truncated");
            return tiff_fail(err, BQ_ERR_CORRUPT, path, msgs, what);
        }
        /* Tile widths are multiples of 16, so tile columns start on a byte. */
        uint64_t x_off = row_bytes((uint64_t)x * spp_in, L->bps);
        uint64_t n = rb - x_off < tile_rb ? rb - x_off : tile_rb;
        for (uint32_t r = 0; r < rows; r++)
            memcpy(dst + r * rb + x_off, B->tile + r * tile_rb, (size_t)n);
    }
    return 0;
}

/* Colour map entries are 16-bit by the standard, but many writers stored
 * 8-bit values; the all-below-256 test is the one libtiff itself uses. */
static float cmap_scale(const tiff_layout_t *L)
{
    size_t n = (size_t)1 << L->bps;
    int eight_bit = 1;
    for (size_t i = 0; i < n && eight_bit; i++)
        for (int c = 0; c < 3; c++)
            if (L->cmap[c][i] >= 256)
                eight_bit = 0;
    /* Deliver 8-bit palettes on the 0..255 scale like every 8-bit image. */
    if (L->bps <= 8)
        return eight_bit ? 1.0f : 1.0f / 257.0f;
    return eight_bit ? 257.0f : 1.0f;
}

/* Turn one unpacked row (spp samples per pixel) into n_keep samples per
 * pixel: palette indices become RGB, premultiplied colour is divided out,
 * MINISWHITE is turned into brightness, extra samples are dropped. */
static void normalise_row(const tiff_layout_t *L, float *row, float full, float cm_scale,
                          int *n_color_out)
{
    size_t w = L->width;
    int nk = L->n_keep;
    if (L->photometric == PHOTOMETRIC_PALETTE) {
        /* Index to RGB first; palette images may carry alpha too. Walk
         * backwards: the output is wider than the input. */
        float alpha_tmp;
        for (size_t x = w; x-- > 0;) {
            float idx_f = row[x * L->spp];
            alpha_tmp = L->has_alpha ? row[x * L->spp + 1] : 0.0f;
            /* Indices were scaled to 0..255 for 1/2/4-bit: undo that. */
            unsigned idx = (unsigned)lrintf(L->bps < 8 ? idx_f * (float)((1u << L->bps) - 1u) / 255.0f
                                                       : idx_f);
            float *o = row + x * (size_t)(3 + L->has_alpha);
            o[0] = (float)L->cmap[0][idx] * cm_scale;
            o[1] = (float)L->cmap[1][idx] * cm_scale;
            o[2] = (float)L->cmap[2][idx] * cm_scale;
            if (L->has_alpha)
                o[3] = alpha_tmp;
        }
        *n_color_out = 3;
        return;
    }
    *n_color_out = L->n_color;
    for (size_t x = 0; x < w; x++) {
        float *in = row + x * L->spp, *o = row + x * (size_t)nk;
        float a = L->has_alpha ? in[L->n_color] : full;
        for (int c = 0; c < L->n_color; c++) {
            float v = in[c];
            if (L->assoc_alpha && a > 0.0f)
                v = v * full / a;
            if (L->photometric == PHOTOMETRIC_MINISWHITE)
                v = full - v;
            o[c] = v;
        }
        if (L->has_alpha)
            o[L->n_color] = a;
    }
}

/* Strips or tiles of a gray/RGB/palette image, any planar configuration. */
static int read_direct(TIFF *tif, const char *path, const tiff_layout_t *L, bq_image_t *img,
                       bq_channel channel, bq_error_t *err, const tiff_msgs_t *msgs)
{
    tiff_bufs_t B;
    memset(&B, 0, sizeof B);
    int separate = L->planar == PLANARCONFIG_SEPARATE && L->spp > 1;
    int n_planes = separate ? L->n_keep : 1;
    unsigned spp_in = separate ? 1 : L->spp;
    uint64_t rb = row_bytes((uint64_t)L->width * spp_in, L->bps);
    uint64_t lib_rb = L->tiled ? 0 : TIFFScanlineSize64(tif);
    if (!L->tiled && lib_rb != rb)
        return bq_error_set(err, BQ_ERR_FORMAT, "%s: unsupported row layout (%" PRIu64
                            " bytes per row, %" PRIu64 " expected)", path, lib_rb, rb);
    size_t band_bytes, row_floats;
    int rc = 0;
    if (bq_mul_size((size_t)rb, L->band_h, &band_bytes) != 0 ||
        bq_mul_size(L->width, (size_t)(L->spp > 4 ? L->spp : 4), &row_floats) != 0)
        return bq_error_set(err, BQ_ERR_LIMIT, "%s: strip or tile too large", path);
    for (int p = 0; p < n_planes; p++)
        if (!(B.plane[p] = malloc(band_bytes)))
            goto nomem;
    if (L->tiled) {
        size_t tile_bytes;
        uint64_t tile_rb = row_bytes((uint64_t)L->tile_w * spp_in, L->bps);
        if (bq_mul_size((size_t)tile_rb, L->band_h, &tile_bytes) != 0 ||
            (uint64_t)tile_bytes != (uint64_t)TIFFTileSize64(tif))
        {
            bufs_free(&B);
            return bq_error_set(err, BQ_ERR_FORMAT, "%s: unsupported tile layout", path);
        }
        if (!(B.tile = malloc(tile_bytes)))
            goto nomem;
    }
    /* Wide enough for the unpacked samples and for palette RGB(A) output. */
    if (!(B.row = bq_alloc_array(row_floats, sizeof(float))))
        goto nomem;
    float full = L->bps == 16 ? 65535.0f : L->bps == 32 ? 1.0f : 255.0f;
    float cm_scale = L->photometric == PHOTOMETRIC_PALETTE ? cmap_scale(L) : 1.0f;
    /* a colour map's entries are brought to 0..255 whatever the index depth */
    float colour_full = L->photometric == PHOTOMETRIC_PALETTE ? 255.0f : full;
    uint32_t n_bands = (L->height + L->band_h - 1) / L->band_h;
    /* One gray sample without alpha (most blots): normalise_row and
     * bq_image_put_row would only copy it, at ~35 instructions a pixel. */
    int plain_gray = L->spp == 1 && L->n_color == 1 && !L->has_alpha &&
                     L->photometric == PHOTOMETRIC_MINISBLACK;
    for (uint32_t b = 0; b < n_bands && rc == 0; b++) {
        uint32_t y0 = b * L->band_h;
        uint32_t rows = L->height - y0 < L->band_h ? L->height - y0 : L->band_h;
        for (int p = 0; p < n_planes && rc == 0; p++)
            rc = read_band(tif, path, L, &B, b, (uint16_t)p, y0, rows, rb, B.plane[p], err,
                           msgs);
        if (plain_gray) {
            /* Nothing to normalise: decode straight into the image rows. */
            for (uint32_t r = 0; r < rows && rc == 0; r++)
                unpack(B.plane[0] + r * rb, L->bps, L->width,
                       img->data + (size_t)(y0 + r) * L->width, 1);
            continue;
        }
        for (uint32_t r = 0; r < rows && rc == 0; r++) {
            for (int p = 0; p < n_planes; p++)
                unpack(B.plane[p] + r * rb, L->bps, (size_t)L->width * spp_in,
                       B.row + p, separate ? L->spp : 1);
            int n_color;
            normalise_row(L, B.row, full, cm_scale, &n_color);
            bq_image_put_row(img, (int)(y0 + r), B.row, n_color, L->has_alpha, channel,
                             colour_full);
        }
    }
    bufs_free(&B);
    return rc;
nomem:
    bufs_free(&B);
    return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", path);
}

/* Colour models we do not decode ourselves (YCbCr, CMYK, CIE Lab, ...):
 * libtiff's RGBA interface does them, at 8 bits per channel. */
static int read_rgba(TIFF *tif, const char *path, const tiff_layout_t *L, bq_image_t *img,
                     bq_channel channel, bq_error_t *err, const tiff_msgs_t *msgs)
{
    char why[1024];
    if (L->bps > 8 || !TIFFRGBAImageOK(tif, why))
        return bq_error_set(err, BQ_ERR_FORMAT,
                            "%s: unsupported colour model (photometric %u, %u-bit)", path,
                            (unsigned)L->photometric, (unsigned)L->bps);
    size_t n = (size_t)L->width * L->height;
    uint32_t *raster = bq_alloc_array(n, sizeof *raster);
    float *row = bq_alloc_array(L->width, 4 * sizeof *row);
    if (!raster || !row) {
        free(raster);
        free(row);
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", path);
    }
    int rc = 0;
    if (!TIFFReadRGBAImageOriented(tif, L->width, L->height, raster, ORIENTATION_TOPLEFT, 0)) {
        rc = tiff_fail(err, BQ_ERR_CORRUPT, path, msgs, "cannot decode the image data");
    } else {
        for (uint32_t y = 0; y < L->height; y++) {
            const uint32_t *src = raster + (size_t)y * L->width;
            for (uint32_t x = 0; x < L->width; x++) {
                row[4 * x] = (float)TIFFGetR(src[x]);
                row[4 * x + 1] = (float)TIFFGetG(src[x]);
                row[4 * x + 2] = (float)TIFFGetB(src[x]);
                row[4 * x + 3] = (float)TIFFGetA(src[x]);
            }
            bq_image_put_row(img, (int)y, row, 3, img->valid != NULL, channel, 255.0f);
        }
    }
    free(raster);
    free(row);
    return rc;
}

/* The largest valid value (data are not yet .gel-squared here). Writers
 * that store a wrong MaxSampleValue are caught by data above it. */
static float data_max(const bq_image_t *img)
{
    size_t n = (size_t)img->width * (size_t)img->height;
    float hi = 0.0f;
    for (size_t i = 0; i < n; i++)
        if ((!img->valid || img->valid[i]) && img->data[i] > hi)
            hi = img->data[i];
    return hi;
}

/* A float MINISWHITE image has no format maximum; mirror it about the data's
 * own full scale (1.0, or the maximum when it exceeds 1) so that larger still
 * means brighter, as a viewer shows it. */
static void float_minwhite(bq_image_t *img)
{
    size_t n = (size_t)img->width * (size_t)img->height;
    float hi = data_max(img);
    if (hi < 1.0f)
        hi = 1.0f;
    for (size_t i = 0; i < n; i++)
        if (!img->valid || img->valid[i])
            img->data[i] = hi - img->data[i];
}

/* Turn the stored pixel grid into the picture as it should be viewed
 * (TIFF Orientation 2..8: flips, and for 5..8 a transposition). Scanners
 * write 1, but a picture rotated in an editor may carry another value. */
static int apply_orientation(bq_image_t *img, int orient)
{
    if (orient < 2 || orient > 8)
        return 0;
    size_t w = (size_t)img->width, h = (size_t)img->height, n = w * h;
    int transpose = orient >= 5;
    size_t dw = transpose ? h : w;
    float *data = bq_alloc_array(n, sizeof *data);
    uint8_t *valid = img->valid ? malloc(n) : NULL;
    if (!data || (img->valid && !valid)) {
        free(data);
        free(valid);
        return -1;
    }
    for (size_t r = 0; r < h; r++)
        for (size_t c = 0; c < w; c++) {
            size_t x, y;
            switch (orient) {
            case ORIENTATION_TOPRIGHT: x = w - 1 - c; y = r; break;
            case ORIENTATION_BOTRIGHT: x = w - 1 - c; y = h - 1 - r; break;
            case ORIENTATION_BOTLEFT: x = c; y = h - 1 - r; break;
            case ORIENTATION_LEFTTOP: x = r; y = c; break;
            case ORIENTATION_RIGHTTOP: x = h - 1 - r; y = c; break;
            case ORIENTATION_RIGHTBOT: x = h - 1 - r; y = w - 1 - c; break;
            default: /* ORIENTATION_LEFTBOT */ x = r; y = w - 1 - c; break;
            }
            data[y * dw + x] = img->data[r * w + c];
            if (valid)
                valid[y * dw + x] = img->valid[r * w + c];
        }
    free(img->data);
    free(img->valid);
    img->data = data;
    img->valid = valid;
    if (transpose) {
        img->width = (int)h;
        img->height = (int)w;
    }
    return 0;
}

/* Open path with messages routed into msgs and the MD tags known. */
static TIFF *tiff_open_read(const char *path, tiff_msgs_t *msgs)
{
    md_tags_register();
    TIFFOpenOptions *o = tiff_options(msgs, TIFF_MAX_SINGLE_ALLOC);
    if (!o)
        return NULL;
    TIFF *tif = TIFFOpenExt(path, "rm", o); /* "m": no mmap, reads stay bounded */
    TIFFOpenOptionsFree(o);
    return tif;
}

int bq_image_tiff_is_gel(const char *path)
{
    tiff_msgs_t msgs = {{0}, {0}, path};
    TIFF *tif = tiff_open_read(path, &msgs);
    if (!tif)
        return 0;
    double scale;
    int gel = md_gel_scale(tif, &scale) == 1;
    TIFFClose(tif);
    return gel;
}

int bq_image_load_tiff(const char *path, const bq_load_options_t *opts,
                       bq_image_t **out, bq_error_t *err)
{
    *out = NULL;
    struct stat st;
    if (stat(path, &st) != 0)
        return bq_error_set(err, BQ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    tiff_msgs_t msgs = {{0}, {0}, path};
    TIFF *tif = tiff_open_read(path, &msgs);
    if (!tif)
        return tiff_fail(err, msgs.error[0] ? BQ_ERR_CORRUPT : BQ_ERR_IO, path, &msgs,
                         "not a readable TIFF");
    bq_image_t *img = NULL;
    int rc = 0;
    /* Counting directories walks the chain; libtiff stops at loops. */
    int n_pages = (int)TIFFNumberOfDirectories(tif);
    if (n_pages < 1)
        n_pages = 1;
    if (opts->page >= n_pages) {
        /* pages counted from 1, as a user and --page count them */
        rc = bq_error_set(err, BQ_ERR_INVALID, "%s: page %d requested, the file has %d",
                          path, opts->page + 1, n_pages);
        goto done;
    }
    if (opts->page > 0 && !TIFFSetDirectory(tif, (tdir_t)opts->page)) {
        rc = tiff_fail(err, BQ_ERR_CORRUPT, path, &msgs, "cannot read the requested page");
        goto done;
    }
    tiff_layout_t L;
    rc = read_layout(tif, path, opts->max_pixels, &L, err, &msgs);
    if (rc < 0)
        goto done;
    double gel_scale = 0.0;
    int gel = md_gel_scale(tif, &gel_scale);
    if (gel < 0) {
        rc = bq_error_set(err, BQ_ERR_CORRUPT, "%s: .gel scale (tag 33446) is not a positive "
                          "number", path);
        goto done;
    }
    if (gel && (L.n_color != 1 || L.photometric == PHOTOMETRIC_PALETTE || L.bps < 8 ||
                L.fmt == SAMPLEFORMAT_IEEEFP)) {
        rc = bq_error_set(err, BQ_ERR_FORMAT, "%s: square-root .gel data must be 8- or "
                          "16-bit gray", path);
        goto done;
    }
    /* Rows are byte-aligned per plane. In double: a raised --max-pixels
     * could push the product past 2^64. */
    double decoded = L.planar == PLANARCONFIG_SEPARATE
                         ? (double)row_bytes(L.width, L.bps) * L.height * L.spp
                         : (double)row_bytes((uint64_t)L.width * L.spp, L.bps) * L.height;
    rc = check_striles(tif, path, &L, (uint64_t)st.st_size, decoded, err);
    if (rc < 0)
        goto done;
    /* Alpha needs a mask; the RGBA path always has an alpha to look at. */
    rc = bq_image_alloc_for_load((int)L.width, (int)L.height, opts->max_pixels,
                                 L.has_alpha || L.n_color == 0, path, &img, err);
    if (rc < 0)
        goto done;
    if (L.n_color == 0)
        rc = read_rgba(tif, path, &L, img, opts->channel, err, &msgs);
    else
        rc = read_direct(tif, path, &L, img, opts->channel, err, &msgs);
    if (rc < 0)
        goto done;
    img->format = gel ? BQ_FORMAT_GEL : BQ_FORMAT_TIFF;
    img->bits_per_sample = L.bps;
    img->samples_per_pixel = L.spp;
    img->is_float = L.fmt == SAMPLEFORMAT_IEEEFP;
    img->page = opts->page;
    img->n_pages = n_pages;
    img->gel_scale = gel ? gel_scale : 0.0;
    /* JPEG inside a TIFF is as lossy as a JPEG file */
    img->lossy = L.compression == COMPRESSION_JPEG || L.compression == COMPRESSION_OJPEG;
    /* The RGBA interface applies the flips itself (not the transposes 5-8,
     * which it reads as their unrotated counterparts). */
    uint16_t orient = ORIENTATION_TOPLEFT;
    if (L.n_color != 0 && TIFFGetField(tif, TIFFTAG_ORIENTATION, &orient) == 1 &&
        apply_orientation(img, orient) < 0) {
        rc = bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    if (img->is_float && L.photometric == PHOTOMETRIC_MINISWHITE)
        float_minwhite(img);
    /* MaxSampleValue, when a writer bothered to store it, is the detector's
     * ceiling (a 12-bit camera in 16-bit samples): saturation happens there,
     * not at 65535. Only meaningful for plain gray. */
    uint16_t max_sample = 0;
    if (L.photometric == PHOTOMETRIC_MINISBLACK && L.bps >= 8 && !img->is_float &&
        TIFFGetField(tif, TIFFTAG_MAXSAMPLEVALUE, &max_sample) == 1 && max_sample > 0 &&
        max_sample < (1u << L.bps) - 1u && data_max(img) <= max_sample)
        img->clip_level = gel ? (double)max_sample * max_sample * gel_scale : (double)max_sample;
    if (gel) {
        /* Stored values are square roots of the signal: square them back.
         * (MINISWHITE .gel data has already been mirrored to brightness.) */
        size_t n = (size_t)img->width * (size_t)img->height;
        for (size_t i = 0; i < n; i++) {
            double v = img->data[i];
            img->data[i] = (float)(v * v * gel_scale);
        }
    }
done:
    TIFFClose(tif);
    if (rc < 0) {
        bq_image_free(img);
        return rc;
    }
    *out = img;
    return 0;
}
