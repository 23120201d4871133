/* report_overlay.c - a blot's QC overlay, full size as a file and shrunk
 * for the report's page: a 16-megapixel scan inlined as it is would make a
 * report of tens of megabytes. */
#include <stdlib.h>

#include "report_html.h"

/* rgb as PNG bytes into *png (malloc'd). */
static int encode_png(const bq_rgb_t *rgb, report_png_t *png, bq_error_t *err)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&buf, &size);
    if (!fp)
        return bq_error_set(err, BQ_ERR_NOMEM, "out of memory for the overlay");
    int rc = bq_rgb_write_png(fp, rgb, err);
    if (fclose(fp) != 0 && rc == 0)
        rc = bq_error_set(err, BQ_ERR_NOMEM, "out of memory for the overlay");
    if (rc != 0) {
        free(buf);
        return rc;
    }
    png->data = (unsigned char *)buf;
    png->size = size;
    png->width = rgb->width;
    png->height = rgb->height;
    return 0;
}

static int put_bytes(FILE *fp, void *ctx)
{
    const report_png_t *png = ctx;
    return fwrite(png->data, 1, png->size, fp) == png->size ? 0 : BQ_ERR_IO;
}

/* The page's copy: the full PNG itself when small enough, else a shrunk
 * rendering encoded anew. */
static int page_copy(const bq_rgb_t *rgb, report_png_t *full, report_png_t *page,
                     bq_error_t *err)
{
    if ((long)full->width * full->height <= REPORT_OVERLAY_MAX_PIXELS) {
        *page = *full;
        full->data = NULL; /* handed over */
        return 0;
    }
    bq_rgb_t *small = bq_rgb_downscale(rgb, REPORT_OVERLAY_MAX_PIXELS);
    if (!small)
        return bq_error_set(err, BQ_ERR_NOMEM, "out of memory for the overlay");
    int rc = encode_png(small, page, err);
    bq_rgb_free(small);
    return rc;
}

int report_overlay_write(const bq_quant_result_t *res, const char *path, report_png_t *page,
                         bq_error_t *err)
{
    report_png_t full = {0};
    *page = (report_png_t){0};
    bq_rgb_t *rgb = bq_overlay_render(res);
    if (!rgb)
        return bq_error_set(err, BQ_ERR_NOMEM, "%s: out of memory for the overlay", path);
    int rc = encode_png(rgb, &full, err);
    if (rc == 0)
        rc = bq_file_write_atomic(path, put_bytes, &full, err);
    if (rc == 0)
        rc = page_copy(rgb, &full, page, err);
    free(full.data);
    bq_rgb_free(rgb);
    return rc;
}
