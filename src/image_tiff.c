/* image_tiff.c - TIFF, BigTIFF and Amersham/Molecular Dynamics .gel files
 * through libtiff; the only file in the library that includes tiffio.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <tiffio.h>

#include "blotquant/image.h"
#include "internal.h"

/* libtiff reports through callbacks; each open handle gets its own buffer
 * (TIFFOpenOptionsSetErrorHandlerExtR, libtiff >= 4.5) so loaders on several
 * threads never share one. The first error is kept: it is the cause, later
 * ones are consequences. */
typedef struct tiff_msgs {
    char error[256];
    char warning[256];
} tiff_msgs_t;

static int on_tiff_error(TIFF *tif, void *user, const char *module, const char *fmt,
                         va_list ap)
{
    tiff_msgs_t *m = user;
    if (m && m->error[0] == '\0')
        vsnprintf(m->error, sizeof m->error, fmt, ap);
    return 1; /* handled: keep libtiff's global handler (stderr) out of it */
}

static int on_tiff_warning(TIFF *tif, void *user, const char *module, const char *fmt,
                           va_list ap)
{
    tiff_msgs_t *m = user;
    if (m && m->warning[0] == '\0')
        vsnprintf(m->warning, sizeof m->warning, fmt, ap);
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
    if (!img || !img->data || img->width <= 0 || img->height <= 0 || !path)
        return bq_error_set(err, BQ_ERR_INVALID, "%s: no image to write",
                            path ? path : "(null)");
    char *tmp = NULL;
    int fd = bq_image_tmp_open(path, &tmp, err);
    if (fd < 0)
        return fd;
    tiff_msgs_t msgs = {{0}, {0}};
    TIFFOpenOptions *o = tiff_options(&msgs, 0);
    TIFF *tif = o ? TIFFFdOpenExt(fd, tmp, "w", o) : NULL;
    TIFFOpenOptionsFree(o);
    uint16_t *row = bq_alloc_array((size_t)img->width, sizeof *row);
    int ok = tif != NULL && row != NULL;
    if (!tif)
        close(fd);
    if (ok) {
        /* ~64 KiB strips: small enough to stream, big enough to compress. */
        uint32_t rows_per_strip = (uint32_t)(65536 / ((size_t)img->width * 2) + 1);
        if (rows_per_strip > (uint32_t)img->height)
            rows_per_strip = (uint32_t)img->height;
        ok = TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, (uint32_t)img->width) &&
             TIFFSetField(tif, TIFFTAG_IMAGELENGTH, (uint32_t)img->height) &&
             TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 16) &&
             TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1) &&
             TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT) &&
             TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK) &&
             TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG) &&
             TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE) &&
             TIFFSetField(tif, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL) &&
             TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, rows_per_strip) &&
             TIFFSetField(tif, TIFFTAG_SOFTWARE, "blotquant");
    }
    for (int y = 0; ok && y < img->height; y++) {
        const float *src = img->data + (size_t)y * (size_t)img->width;
        for (int x = 0; x < img->width; x++) {
            float v = src[x];
            row[x] = (uint16_t)(v > 0.0f ? (v < 65535.0f ? lrintf(v) : 65535) : 0);
        }
        ok = TIFFWriteScanline(tif, row, (uint32_t)y, 0) == 1;
    }
    free(row);
    if (tif) {
        if (ok)
            ok = TIFFWriteDirectory(tif) == 1;
        TIFFClose(tif); /* closes fd */
        if (ok && msgs.error[0])
            ok = 0;
    }
    int rc = bq_image_tmp_commit(tmp, path, ok, err);
    if (!ok)
        rc = bq_error_set(err, BQ_ERR_IO, "%s: cannot write TIFF: %s", path,
                          msgs.error[0] ? msgs.error : "out of memory");
    free(tmp);
    return rc;
}

/* ---- reader (being written) ------------------------------------------- */

int bq_image_tiff_is_gel(const char *path)
{
    return 0;
}

int bq_image_load_tiff(const char *path, const bq_load_options_t *opts,
                       bq_image_t **out, bq_error_t *err)
{
    *out = NULL;
    return bq_error_set(err, BQ_ERR_FORMAT, "%s: TIFF reading not written yet", path);
}
